// kubernetes.acl on the Aiven front door (Valkey, Redis): ValkeyCluster's ACL contract under
// `kubernetes`, every violation reported with its field path, mapped into the one model's `acl`.
import { expect } from "chai";
import { redisSpecSchema, valkeySpecSchema } from "../../../sdk/spec/aiven";
import { buildModel } from "../../../sdk/spec/model";
import { SpecError, parseSpec } from "../../../sdk/spec/validate";

const issuesOf = (schema: typeof valkeySpecSchema | typeof redisSpecSchema, spec: unknown): string[] => {
    try {
        parseSpec(schema, spec, "test");
    } catch (e) {
        expect(e).to.be.instanceOf(SpecError);
        return (e as SpecError).issues.map((i) => `${i.path}: ${i.message}`);
    }
    return [];
};

describe("Aiven front door: kubernetes.acl", () => {
    const acl = { defaultUser: "off", users: [{ name: "app", rules: "~app:* +@read +@write" }] } as const;

    it("is the last field of kubernetes (other fields are added before it)", () => {
        const keys = Object.keys(valkeySpecSchema.shape.kubernetes.unwrap().shape);
        expect(keys[keys.length - 1]).to.equal("acl");
    });

    for (const [engine, schema] of [
        ["valkey", valkeySpecSchema],
        ["redis", redisSpecSchema],
    ] as const) {
        it(`${engine}: maps into model.acl as validated; unset, the model has no acl`, () => {
            const model = buildModel(engine, "cache", parseSpec(schema, { project: "p", plan: "business-4", kubernetes: { acl } }, "t"));
            expect(model.topology).to.deep.equal({ kind: "sentinel", replicas: 1 });
            expect(model.acl).to.deep.equal({ defaultUser: "off", users: [{ name: "app", rules: "~app:* +@read +@write" }] });
            const without = buildModel(engine, "cache", parseSpec(schema, { project: "p", plan: "business-4", kubernetes: {} }, "t"));
            expect("acl" in without).to.equal(false);
        });

        it(`${engine}: ValkeyCluster's rules, every violation at once under kubernetes.acl`, () => {
            const issues = issuesOf(schema, {
                project: "p",
                plan: "startup-4",
                kubernetes: {
                    acl: {
                        defaultUser: "on",
                        replication: { passwords: ["short"] },
                        users: [
                            { name: "default", rules: "+get" },
                            { name: "app", rules: "+get >secret-pw" },
                            { name: "app", rules: "~app:* +@read" },
                        ],
                        extra: true,
                    },
                },
            });
            expect(issues).to.deep.equal([
                "kubernetes.acl.replication.passwords[0]: must be at least 8 characters long (got 5)",
                'kubernetes.acl.users[0].name: must not be "default": the default user is governed by acl.defaultUser',
                "kubernetes.acl.users[1].rules: must not set passwords or switch the user on/off (>, <, #, !, nopass, resetpass, reset, on, off): passwords go in `passwords`, and users are always on",
                'kubernetes.acl.defaultUser: must be one of restricted, off (got "on")',
                "kubernetes.acl.extra: unknown field",
            ]);
        });

        it(`${engine}: sentinel-user is reserved for the Sentinels' system user`, () => {
            expect(
                issuesOf(schema, { project: "p", plan: "business-4", kubernetes: { acl: { users: [{ name: "sentinel-user", rules: "+@all" }] } } }),
            ).to.deep.equal([
                'kubernetes.acl.users[0].name: must not be "sentinel-user": that name is reserved for the system user the Sentinels authenticate to the data nodes as; choose another name',
            ]);
        });

        it(`${engine}: the reserved and duplicate names with their paths`, () => {
            const issues = issuesOf(schema, {
                project: "p",
                plan: "business-4",
                kubernetes: {
                    acl: {
                        admin: { name: "probe-user" },
                        users: [
                            { name: "app", rules: "+get" },
                            { name: "app", rules: "+set" },
                        ],
                    },
                },
            });
            expect(issues).to.deep.equal([
                'kubernetes.acl.admin.name: must not be "probe-user": that name is reserved for the system user the pods\' probes authenticate as (PING only); choose another name',
                'kubernetes.acl.users[1].name: user "app" is already defined at users[0]; user names must be unique',
            ]);
        });
    }
});
