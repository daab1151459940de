import { expect } from "chai";
import { redisSpecSchema, valkeySpecSchema } from "../../../sdk/spec/aiven";
import { DEFAULT_IMAGE, buildModel } from "../../../sdk/spec/model";
import { SpecError, parseSpec } from "../../../sdk/spec/validate";
import { SEED_000_SPEC } from "../../helpers/seeds";

const valkey = (name: string, spec: unknown) => buildModel("valkey", name, parseSpec(valkeySpecSchema, spec, "test"));

describe("service model", () => {
    it("resolves the seed 000 example: namespace from project, plan, connection Secret, labels", () => {
        const model = valkey("my-valkey", {
            ...SEED_000_SPEC,
            userConfig: { ip_filter: [{ network: "0.0.0.0/32", description: "bar" }, "10.20.0.0/16"] },
        });
        expect(model.namespace).to.equal("my-aiven-project");
        expect(model.sizing.plan).to.equal("startup-4");
        expect(model.topology).to.deep.equal({ kind: "standalone" });
        expect(model.persistence).to.deep.equal({ mode: "rdb", diskGiB: 8, storageSize: "8Gi", retention: { whenDeleted: "Delete", whenScaled: "Retain" } });
        expect(model.image).to.equal(DEFAULT_IMAGE);
        expect(model.ipFilter).to.deep.equal([{ network: "0.0.0.0/32", description: "bar" }, { network: "10.20.0.0/16" }]);
        expect(model.connInfo).to.deep.equal({
            secretName: "my-valkey-secret",
            prefix: "VALKEY_",
            annotations: { foo: "bar" },
            labels: { baz: "egg" },
        });
        expect(model.maintenance).to.deep.equal({ dow: "sunday", time: "11:00:00" });
        expect(model.unmapped).to.deep.equal([{ path: "authSecretRef", value: '{"key":"token","name":"aiven-token"}' }]);
    });

    it("strips the engine prefix of Redis options and defaults the key prefix to REDIS_", () => {
        const model = buildModel(
            "redis",
            "k8s-redis",
            parseSpec(
                redisSpecSchema,
                { project: "p", plan: "startup-4", userConfig: { redis_maxmemory_policy: "allkeys-random", redis_timeout: 0, redis_version: "7.0" } },
                "t",
            ),
        );
        expect(model.options.maxmemoryPolicy).to.equal("allkeys-random");
        expect(model.options.timeout).to.equal(0);
        expect(model.connInfo?.prefix).to.equal("REDIS_");
        expect(model.connInfo?.secretName).to.equal("k8s-redis");
        expect(model.unmapped).to.deep.equal([{ path: "userConfig.redis_version", value: '"7.0"' }]);
    });

    it("applies disk_space over the plan and persistence off over the plan", () => {
        expect(valkey("a", { project: "p", plan: "startup-4", disk_space: "20GiB" }).persistence.diskGiB).to.equal(20);
        const off = valkey("a", { project: "p", plan: "startup-4", userConfig: { valkey_persistence: "off" } });
        expect([off.persistence.mode, off.persistence.diskGiB, off.persistence.storageSize]).to.deep.equal(["none", 0, undefined]);
        const free = valkey("a", { project: "p", plan: "free", userConfig: { valkey_persistence: "rdb" } });
        expect([free.persistence.mode, free.persistence.diskGiB]).to.deep.equal(["rdb", 1]);
        expect(valkey("a", { project: "p", plan: "pro" }).persistence.mode).to.equal("rdb_aof");
    });

    it("redacts credentials from recorded unmapped fields", () => {
        const model = valkey("a", { project: "p", plan: "startup-4", userConfig: { migration: { host: "old", port: 6379, password: "hunter2" } } });
        expect(model.unmapped).to.deep.equal([{ path: "userConfig.migration", value: '{"host":"old","port":6379}' }]);
    });

    it("reports cross-field problems all at once: bad resource name, unknown plan, project unusable as namespace", () => {
        let error: unknown;
        try {
            valkey("My_Cache", { project: "-proj", plan: "startup-5" });
        } catch (e) {
            error = e;
        }
        expect(error).to.be.instanceOf(SpecError);
        expect((error as SpecError).issues.map((i) => i.path)).to.deep.equal(["name", "plan", "project"]);
        expect((error as SpecError).issues[2].message).to.equal(
            '"-proj" cannot be used as a Kubernetes namespace (it becomes "-proj"); set kubernetes.namespace',
        );
        expect((error as SpecError).issues[1].message).to.match(/^unknown plan "startup-5"; valid plans: hobbyist, startup-1, /);
    });

    it("refuses disk_space on a plan that keeps nothing on disk", () => {
        expect(() => valkey("a", { project: "p", plan: "free", disk_space: "10" })).to.throw(
            'disk_space: plan free keeps no data on disk; remove disk_space or set userConfig.valkey_persistence to "rdb"',
        );
    });
});
