// The change rules (sdk/spec/changes.ts): one row per rule and case, with the exact message; what
// each front door records (sdk/spec/immutable.ts) has a rule, and every rule a front door (or
// ValkeyTopology) that records its field.
import { expect } from "chai";
import { IMMUTABLE_FIELDS, redisSpecSchema, valkeySpecSchema } from "../../../sdk/spec/aiven";
import { CHANGE_RULES, ChangeRecord, changeIssues, immutable, UNKNOWN } from "../../../sdk/spec/changes";
import { valkeyClusterSpecSchema } from "../../../sdk/spec/cluster";
import { clusterImmutables, serviceImmutables } from "../../../sdk/spec/immutable";
import { parseSpec } from "../../../sdk/spec/validate";
import { buildModel } from "../../../sdk/spec/model";
import { registerPlan, unregisterPlan } from "../../../sdk/spec/plans";
import { SEED_000_SPEC, SEED_001_SPEC } from "../../helpers/seeds";

const S = 'Valkey "c"';
const record = (field: string, value: unknown): ChangeRecord => ({ subject: S, fields: { [field]: value === undefined ? {} : { value } } });
const MOVE = "or create a new resource and move the data.";
const PVC = "the PVCs of a StatefulSet cannot be re-templated, and replacing them would delete the data.";
const NS = "every object would be re-created in the other namespace, and the StatefulSet's PVCs (the data) deleted with the old one.";
const NO_DISK = 'no disk, as with plan free or userConfig.*_persistence "off"';
const FORK = "the seeds make it immutable: a service is forked only when it is created.";
const TLS =
    "clients connect over one protocol on port 6379, and turning TLS on or off would cut every client that speaks the other one; the pods would also have to restart before the provider could reach them over the new protocol.";
const DBS = "a node restarted with fewer databases refuses to load a dump that holds keys of a higher one, and does not start.";
const RESHARD =
    "a cluster spreads the keys over several primaries by slot, a 1-node or Sentinel plan keeps them all on one: the nodes would restart in the other mode with the keys where they are, and the keys of every shard but one would be lost or unreachable.";
const CERTS = "the pods would mount the other certificates only after a restart, which the provider needs them to present the new certificate for.";

/** field, old value, new value, the message after `Valkey "c": ` (undefined: allowed). */
const ROWS: [string, unknown, unknown, string | undefined][] = [
    [
        "project",
        "shop",
        "shop2",
        `project cannot change after creation (was "shop", now "shop2"): the seeds make it immutable, and it names the namespace of every object (unless kubernetes.namespace is set): the StatefulSet would be replaced in another namespace and its PVCs deleted with the old one. Keep "shop", ${MOVE}`,
    ],
    ["project", "shop", "shop", undefined],
    [
        "kubernetes.namespace",
        "shop",
        "apps",
        `kubernetes.namespace cannot change after creation (was "shop", now "apps"): it is the namespace of every object (by default from the project): ${NS} Keep "shop", ${MOVE}`,
    ],
    [
        "connInfoSecretTargetDisabled",
        false,
        true,
        `connInfoSecretTargetDisabled cannot change after creation (was false, now true): the seeds make it immutable: it decides whether the connection Secret that applications read exists at all. Keep false, ${MOVE}`,
    ],
    [
        "connInfoSecretTarget.name",
        "c",
        "c2",
        `connInfoSecretTarget.name cannot change after creation (was "c", now "c2"): the seeds make it immutable: applications load the connection Secret by this name, and a new name deletes the Secret they read. Keep "c", ${MOVE}`,
    ],
    [
        "serviceIntegrations",
        undefined,
        [{ integrationType: "read_replica", sourceServiceName: "p" }],
        `serviceIntegrations cannot change after creation (was unset, now [{"integrationType":"read_replica","sourceServiceName":"p"}]): the seeds make it immutable: an integration is applied only when the service is created. Leave it unset, ${MOVE}`,
    ],
    // Key order is no change.
    ["serviceIntegrations", [{ a: 1, b: 2 }], [{ b: 2, a: 1 }], undefined],
    [
        "userConfig.project_to_fork_from",
        "old",
        undefined,
        `userConfig.project_to_fork_from cannot change after creation (was "old", now unset): ${FORK} Keep "old", ${MOVE}`,
    ],
    [
        "userConfig.service_to_fork_from",
        undefined,
        "s",
        `userConfig.service_to_fork_from cannot change after creation (was unset, now "s"): ${FORK} Leave it unset, ${MOVE}`,
    ],
    [
        "disk_space",
        "8Gi",
        "4Gi",
        `disk_space cannot shrink (was "8Gi", now "4Gi"): a PersistentVolumeClaim can grow but never shrink. Keep it at "8Gi" or more, ${MOVE}`,
    ],
    ["disk_space", "8Gi", "8192Mi", undefined],
    ["disk_space", "8Gi", "1Ti", undefined],
    ["disk_space", "8Gi", undefined, `disk_space cannot change after creation (was "8Gi", now unset: ${NO_DISK}): ${PVC} Keep "8Gi", ${MOVE}`],
    ["disk_space", undefined, "8Gi", `disk_space cannot change after creation (was unset: ${NO_DISK}, now "8Gi"): ${PVC} Leave it unset, ${MOVE}`],
    [
        "kubernetes.storageClassName",
        "fast",
        "slow",
        `kubernetes.storageClassName cannot change after creation (was "fast", now "slow"): ${PVC} Keep "fast", ${MOVE}`,
    ],
    ["userConfig.valkey_ssl", false, true, `userConfig.valkey_ssl cannot be turned on after creation (was false, now true): ${TLS} Keep false, ${MOVE}`],
    ["userConfig.redis_ssl", true, false, `userConfig.redis_ssl cannot be turned off after creation (was true, now false): ${TLS} Keep true, ${MOVE}`],
    ["userConfig.valkey_ssl", false, undefined, undefined],
    [
        "userConfig.valkey_number_of_databases",
        16,
        8,
        `userConfig.valkey_number_of_databases cannot decrease (was 16, now 8): ${DBS} Keep it at 16 or more, ${MOVE}`,
    ],
    ["userConfig.redis_number_of_databases", 4, 2, `userConfig.redis_number_of_databases cannot decrease (was 4, now 2): ${DBS} Keep it at 4 or more, ${MOVE}`],
    ["userConfig.valkey_number_of_databases", 16, 32, undefined],
    [
        "namespace",
        "default",
        "valkey",
        `namespace cannot change after creation (was "default", now "valkey"): it is the namespace of every object: ${NS} Keep "default", ${MOVE}`,
    ],
    [
        "pvc.storageSize",
        "30Gi",
        "30719Mi",
        `pvc.storageSize cannot shrink (was "30Gi", now "30719Mi"): a PersistentVolumeClaim can grow but never shrink. Keep it at "30Gi" or more, ${MOVE}`,
    ],
    ["pvc.storageSize", "30Gi", "32212254720", undefined],
    ["pvc.storageClassName", "fast", undefined, `pvc.storageClassName cannot change after creation (was "fast", now unset): ${PVC} Keep "fast", ${MOVE}`],
    ["tls", undefined, true, `tls cannot be turned on after creation (was unset, now true): ${TLS} Leave it unset, ${MOVE}`],
    ["tls", true, undefined, `tls cannot be turned off after creation (was true, now unset): ${TLS} Keep true, ${MOVE}`],
    ["tls.externalCerts", undefined, "certs", `tls.externalCerts cannot be set after creation (was unset, now "certs"): ${CERTS} Leave it unset, ${MOVE}`],
    ["tls.externalCerts", "certs", undefined, `tls.externalCerts cannot be removed after creation (was "certs", now unset): ${CERTS} Keep "certs", ${MOVE}`],
    ["tls.externalCerts", "certs", "certs-2", undefined],
    [
        "kubernetes.tls.externalCerts",
        undefined,
        "certs",
        `kubernetes.tls.externalCerts cannot be set after creation (was unset, now "certs"): ${CERTS} Leave it unset, ${MOVE}`,
    ],
    ["kubernetes.tls.externalCerts", "certs", "certs-2", undefined],
    // A registered cluster plan on Valkey/Redis (review20): not into or out of a cluster.
    [
        "plan",
        "standalone",
        "cluster",
        `plan cannot change between a cluster plan and a 1-node or Sentinel plan after creation (was "standalone", now "cluster"): ${RESHARD} Keep a 1-node or Sentinel plan, ${MOVE}`,
    ],
    [
        "plan",
        "cluster",
        "sentinel",
        `plan cannot change between a cluster plan and a 1-node or Sentinel plan after creation (was "cluster", now "sentinel"): ${RESHARD} Keep a cluster plan, ${MOVE}`,
    ],
    ["plan", "standalone", "sentinel", undefined],
    ["plan", "cluster", "cluster", undefined],
    [
        "topology.kind",
        "replicated",
        "cluster",
        `topology.kind cannot change between a cluster topology and a 1-node or Sentinel topology after creation (was "replicated", now "cluster"): ${RESHARD} Keep a 1-node or Sentinel topology, ${MOVE}`,
    ],
    ["topology.kind", "standalone", "replicated", undefined],
    [
        "tls.serverName",
        "c.ns.svc.cluster.local",
        undefined,
        'tls.serverName cannot be removed after creation (was "c.ns.svc.cluster.local", now unset): the certificates cannot switch between internal and external (ValkeyCluster tls.externalCerts) on running nodes: the pods would mount the other Secret only after a restart, which the provider needs them to present the new certificate for. Keep "c.ns.svc.cluster.local", or create a new resource and move the data.',
    ],
];

describe("change rules (sdk/spec/changes.ts)", () => {
    for (const [field, was, now, message] of ROWS) {
        it(`${field}: ${JSON.stringify(was) ?? "unset"} -> ${JSON.stringify(now) ?? "unset"}: ${message === undefined ? "allowed" : "refused"}`, () => {
            expect(changeIssues(record(field, was), record(field, now))).to.deep.equal(message === undefined ? [] : [{ field, message: `${S}: ${message}` }]);
        });
    }

    it("has a refusing row for every rule, and one rule per field", () => {
        const refused = new Set(ROWS.filter((r) => r[3] !== undefined).map((r) => r[0]));
        expect(CHANGE_RULES.map((r) => r.field).filter((f) => !refused.has(f))).to.deep.equal([]);
        expect(new Set(CHANGE_RULES.map((r) => r.field)).size).to.equal(CHANGE_RULES.length);
    });

    it("reports every broken rule at once, in the list's order", () => {
        const olds: ChangeRecord = { subject: S, fields: { "kubernetes.namespace": { value: "a" }, project: { value: "a" }, tags: { value: 1 } } };
        const news: ChangeRecord = { subject: S, fields: { "kubernetes.namespace": { value: "b" }, project: { value: "b" }, tags: { value: 2 } } };
        expect(changeIssues(olds, news).map((i) => i.field)).to.deep.equal(["project", "kubernetes.namespace"]);
    });

    it("judges nothing on create, for a field one side does not record, or for values not known yet", () => {
        const olds = record("project", "a");
        expect(changeIssues(undefined, record("project", "b"))).to.deep.equal([]);
        expect(changeIssues(olds, { subject: S, fields: {} })).to.deep.equal([]);
        expect(changeIssues({ subject: S, fields: {} }, record("project", "b"))).to.deep.equal([]);
        expect(changeIssues(olds, record("project", UNKNOWN))).to.deep.equal([]);
        expect(changeIssues(record("serviceIntegrations", []), record("serviceIntegrations", [{ sourceServiceName: UNKNOWN }]))).to.deep.equal([]);
        // Without a subject (ValkeyTopology), the message starts with the field.
        expect(changeIssues({ fields: { tls: { value: true } } }, { fields: { tls: {} } })[0].message).to.match(/^tls cannot be turned off/);
    });

    it("names a secret field and never shows its values", () => {
        const rules = [immutable("kubernetes.kubeconfig", "the objects would move to the other cluster.", { secret: true })];
        const olds = record("kubernetes.kubeconfig", "apiVersion: v1\nusers: [{ token: s3cret }]");
        const news = record("kubernetes.kubeconfig", "apiVersion: v1\nusers: [{ token: other }]");
        expect(changeIssues(olds, news, rules)).to.deep.equal([
            {
                field: "kubernetes.kubeconfig",
                message: `${S}: kubernetes.kubeconfig cannot change after creation (was a secret, not shown, now a secret, not shown): the objects would move to the other cluster. Keep a secret, not shown, ${MOVE}`,
            },
        ]);
        expect(changeIssues(olds, record("kubernetes.kubeconfig", undefined), rules)[0].message).to.contain("(was a secret, not shown, now unset)");
    });
});

describe("what the front doors record for the change rules (sdk/spec/immutable.ts)", () => {
    const ruled = new Set(CHANGE_RULES.map((r) => r.field));

    it("Valkey/Redis record the plan's topology, so a plan change into or out of a registered cluster plan is refused (review20)", () => {
        registerPlan({
            name: "r20-shards",
            nodes: 6,
            shards: 3,
            memoryMiB: 1024,
            cpuMillis: 500,
            diskGiB: 4,
            persistence: "rdb",
            topology: "cluster",
            description: "x",
        });
        try {
            const fields = (plan: string) => buildModel("valkey", "c", parseSpec(valkeySpecSchema, { project: "apps", plan }, "test")).immutable;
            expect([fields("startup-4").plan, fields("business-4").plan, fields("r20-shards").plan]).to.deep.equal([
                { value: "standalone" },
                { value: "sentinel" },
                { value: "cluster" },
            ]);
            const issues = (a: string, b: string) => changeIssues({ subject: S, fields: fields(a) }, { subject: S, fields: fields(b) }).map((i) => i.field);
            expect([issues("startup-4", "r20-shards"), issues("r20-shards", "business-4"), issues("startup-4", "business-4")]).to.deep.equal([
                ["plan"],
                ["plan"],
                [],
            ]);
            expect(ruled.has("plan")).to.equal(true);
        } finally {
            unregisterPlan("r20-shards");
        }
    });

    it("Valkey: the seeds' immutable fields, the namespace, TLS and the databases, defaults applied; each has a rule", () => {
        const spec = parseSpec(valkeySpecSchema, SEED_000_SPEC, "test");
        const fields = serviceImmutables("valkey", "my-valkey", spec, "my-aiven-project");
        expect(fields).to.deep.equal({
            project: { value: "my-aiven-project" },
            connInfoSecretTargetDisabled: { value: false },
            "connInfoSecretTarget.name": { value: "my-valkey-secret" },
            serviceIntegrations: {},
            "userConfig.project_to_fork_from": {},
            "userConfig.service_to_fork_from": {},
            "kubernetes.namespace": { value: "my-aiven-project" },
            "userConfig.valkey_ssl": { value: false },
            "userConfig.valkey_number_of_databases": { value: 16 },
        });
        for (const path of IMMUTABLE_FIELDS) expect(fields, path).to.have.property(path);
        expect(Object.keys(fields).filter((f) => !ruled.has(f))).to.deep.equal([]);
    });

    it("Redis: the redis_* names", () => {
        const spec = parseSpec(redisSpecSchema, { ...SEED_001_SPEC, userConfig: { redis_ssl: true, redis_number_of_databases: 4 } }, "test");
        const fields = serviceImmutables("redis", "k8s-redis", spec, "ns");
        expect([fields["userConfig.redis_ssl"], fields["userConfig.redis_number_of_databases"]]).to.deep.equal([{ value: true }, { value: 4 }]);
        // With TLS on, where its certificates come from (unset: issued here), with a rule.
        expect(fields["kubernetes.tls.externalCerts"]).to.deep.equal({});
        const external = parseSpec(
            redisSpecSchema,
            { ...SEED_001_SPEC, userConfig: { redis_ssl: true }, kubernetes: { tls: { externalCerts: "certs" } } },
            "test",
        );
        expect(serviceImmutables("redis", "k8s-redis", external, "ns")["kubernetes.tls.externalCerts"]).to.deep.equal({ value: "certs" });
        expect(ruled.has("kubernetes.tls.externalCerts")).to.equal(true);
        expect(Object.keys(fields).filter((f) => !ruled.has(f))).to.deep.equal([]);
    });

    it("ValkeyCluster: the namespace, TLS and external certificates; each has a rule", () => {
        const parse = (spec: unknown) => parseSpec(valkeyClusterSpecSchema, spec, "test");
        expect(clusterImmutables(parse({}))).to.deep.equal({ namespace: { value: "default" }, tls: {} });
        expect(clusterImmutables(parse({ tls: {} }))).to.deep.equal({ namespace: { value: "default" }, tls: { value: true }, "tls.externalCerts": {} });
        const fields = clusterImmutables(parse({ namespace: "valkey", tls: { externalCerts: "certs" } }));
        expect(fields).to.deep.equal({ namespace: { value: "valkey" }, tls: { value: true }, "tls.externalCerts": { value: "certs" } });
        expect(Object.keys(fields).filter((f) => !ruled.has(f))).to.deep.equal([]);
        // A connection Secret is recorded by its name while there is one.
        const withSecret = clusterImmutables(parse({ connInfoSecretTarget: { name: "app-valkey" } }));
        expect(withSecret).to.deep.equal({ namespace: { value: "default" }, tls: {}, "connInfoSecretTarget.name": { value: "app-valkey" } });
        expect(Object.keys(withSecret).filter((f) => !ruled.has(f))).to.deep.equal([]);
    });
});
