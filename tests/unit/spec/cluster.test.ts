// One case per constraint of the ValkeyCluster spec (sdk/spec/cluster.ts): a valid value is
// accepted, an invalid one refused with the exact message at the exact path. Then the model's
// defaults and the mapping of `backup` onto valkey.conf directives.
import { expect } from "chai";
import { valkeyClusterSpecSchema } from "../../../sdk/spec/cluster";
import { DEFAULT_RESOURCES, buildClusterModel, quantityBytes } from "../../../sdk/spec/cluster-model";
import { SpecError, parseSpec } from "../../../sdk/spec/validate";

function issuesOf(spec: unknown): string[] {
    try {
        parseSpec(valkeyClusterSpecSchema, spec, "ValkeyCluster");
        return [];
    } catch (e) {
        expect(e).to.be.instanceOf(SpecError);
        return (e as SpecError).issues.map((i) => `${i.path}: ${i.message}`);
    }
}

type Row = { name: string; valid: Record<string, unknown>; invalid: Record<string, unknown>; issues: string[] };

const ROWS: Row[] = [
    { name: "masterCount >= 3", valid: { masterCount: 3 }, invalid: { masterCount: 2 }, issues: ["masterCount: must be at least 3 (got 2)"] },
    { name: "masterCount integer", valid: { masterCount: 4 }, invalid: { masterCount: 3.5 }, issues: ["masterCount: must be an integer (got 3.5)"] },
    {
        name: "replicasPerMaster >= 0",
        valid: { replicasPerMaster: 0 },
        invalid: { replicasPerMaster: -1 },
        issues: ["replicasPerMaster: must be at least 0 (got -1)"],
    },
    {
        name: "replicasPerMaster integer",
        valid: { replicasPerMaster: 2 },
        invalid: { replicasPerMaster: 1.5 },
        issues: ["replicasPerMaster: must be an integer (got 1.5)"],
    },
    {
        name: "valkeyImage needs a tag",
        valid: { valkeyImage: { name: "valkey/valkey-bundle", tag: "8.1", imagePullSecrets: [] } },
        invalid: { valkeyImage: { name: "valkey/valkey-bundle" } },
        issues: ["valkeyImage.tag: is required"],
    },
    {
        name: "valkeyImage tag syntax",
        valid: { valkeyImage: { name: "v", tag: "8.1-bookworm" } },
        invalid: { valkeyImage: { name: "v", tag: "8.1 x" } },
        issues: ["valkeyImage.tag: must be an image tag (up to 128 of [A-Za-z0-9_.-], not starting with '.' or '-') (got \"8.1 x\")"],
    },
    {
        name: "pvc.storageSize is a quantity",
        valid: { pvc: { storageSize: "30Gi" } },
        invalid: { pvc: { storageSize: "30GB" } },
        issues: ['pvc.storageSize: must be a Kubernetes quantity like 30Gi or 500M (got "30GB")'],
    },
    {
        name: "pvc.storageSize > 0",
        valid: { pvc: { storageSize: "1Gi" } },
        invalid: { pvc: { storageSize: "0Gi" } },
        issues: ['pvc.storageSize: must be more than zero (got "0Gi")'],
    },
    {
        name: "pvc.storageClassName is a name",
        valid: { pvc: { storageClassName: "my-storage-class" } },
        invalid: { pvc: { storageClassName: "My_Class" } },
        issues: ['pvc.storageClassName: must be a StorageClass name (lowercase DNS subdomain) (got "My_Class")'],
    },
    {
        name: "backup.database.save rule",
        valid: { backup: { database: { save: "60 100" } } },
        invalid: { backup: { database: { save: "60" } } },
        issues: [
            'backup.database.save: must be pairs of positive integers "<seconds> <changes>" separated by single spaces, e.g. "60 100" or "3600 1 300 100", or "" for no snapshots (got "60")',
        ],
    },
    {
        name: "backup.database.save empty",
        valid: { backup: { database: { save: "" } } },
        invalid: { backup: { database: { save: 60 } } },
        issues: ["backup.database.save: must be a string (got 60)"],
    },
    {
        name: "save with database disabled",
        valid: { backup: { database: { enabled: false } } },
        invalid: { backup: { database: { enabled: false, save: "60 100" } } },
        issues: ['backup.database.save: must be unset or "" when enabled is false: snapshots are off. Remove one of the two.'],
    },
    {
        name: "aof.appendfsync enum",
        valid: { backup: { aof: { enabled: true, appendfsync: "always" } } },
        invalid: { backup: { aof: { appendfsync: "sometimes" } } },
        issues: ['backup.aof.appendfsync: must be one of always, everysec, no (got "sometimes")'],
    },
    {
        name: "aof.autoAofRewritePercentage >= 0",
        valid: { backup: { aof: { autoAofRewritePercentage: 0 } } },
        invalid: { backup: { aof: { autoAofRewritePercentage: -5 } } },
        issues: ["backup.aof.autoAofRewritePercentage: must be at least 0 (got -5)"],
    },
    {
        name: "aof.autoAofRewriteMinSize size",
        valid: { backup: { aof: { autoAofRewriteMinSize: "64mb" } } },
        invalid: { backup: { aof: { autoAofRewriteMinSize: "64 MB" } } },
        issues: ['backup.aof.autoAofRewriteMinSize: must be a size like 64mb, 512kb, 1gb or a number of bytes (got "64 MB")'],
    },
    {
        name: "tolerations are Kubernetes Tolerations",
        valid: { tolerations: [{ key: "node-role.kubernetes.io/infra", operator: "Exists", effect: "NoSchedule" }] },
        invalid: { tolerations: [{ key: "k", operator: "Sometimes" }] },
        issues: ["tolerations[0].operator: must be equal to one of the allowed values (Equal, Exists)"],
    },
    {
        name: "podAntiAffinity terms need a topologyKey",
        valid: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: "kubernetes.io/hostname" }] } },
        invalid: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: {} }] } },
        issues: ["podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey: is required"],
    },
    {
        name: "nodeAffinity needs nodeSelectorTerms",
        valid: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } } },
        invalid: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: {} } },
        issues: ["nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms: is required"],
    },
    {
        name: "podAffinity weights are integers",
        valid: { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { topologyKey: "t" } }] } },
        invalid: { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: "high", podAffinityTerm: { topologyKey: "t" } }] } },
        issues: ["podAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: must be integer"],
    },
    {
        name: "resources quantities",
        valid: { resources: { requests: { memory: "1Gi", cpu: "500m" }, limits: { memory: "1Gi", cpu: "500m" } } },
        invalid: { resources: { limits: { memory: "1 Gi" } } },
        issues: ['resources.limits.memory: must match format "quantity"'],
    },
    {
        name: "resources need memory",
        valid: { resources: { requests: { memory: "2Gi" } } },
        invalid: { resources: { limits: { cpu: "1" } } },
        issues: [
            "resources: must set limits.memory or requests.memory: maxmemory is derived from it, and a node without a memory bound is OOM-killed instead of evicting keys",
        ],
    },
    {
        name: "securityContext is a PodSecurityContext",
        valid: { securityContext: { runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 } },
        invalid: { securityContext: { runAsUser: "root" } },
        issues: ["securityContext.runAsUser: must be integer"],
    },
    {
        name: "labels are Kubernetes labels",
        valid: { labels: { myLabel: "myValue" } },
        invalid: { labels: { myLabel: "my value" } },
        issues: [
            'labels.myLabel: is not a valid Kubernetes label value: must be at most 63 characters of [A-Za-z0-9-_.], starting and ending alphanumeric (got "my value")',
        ],
    },
    {
        name: "exporter.enabled boolean",
        valid: { exporter: { enabled: true } },
        invalid: { exporter: { enabled: "yes" } },
        issues: ['exporter.enabled: must be a boolean (got "yes")'],
    },
    {
        name: "namespace is a DNS label",
        valid: { namespace: "valkey-poc" },
        invalid: { namespace: "Valkey" },
        issues: ['namespace: must be a Kubernetes namespace name (lowercase DNS label, at most 63 characters) (got "Valkey")'],
    },
    {
        name: "tls: the security schema applies",
        valid: { tls: { tlsAuthClients: true } },
        invalid: { tls: { internalCerts: { rotateBeforePercent: 90 } } },
        issues: ["tls.internalCerts.rotateBeforePercent: must be at most 80 (got 90)"],
    },
    {
        name: "tls: TLS only on 6379",
        valid: { tls: { tlsPort: 6379 } },
        invalid: { tls: { disableNonTlsPort: false, tlsPort: 6380 } },
        issues: [
            "tls.disableNonTlsPort: must be true (or unset) for a ValkeyCluster in this version: its probes, Services and NetworkPolicy serve TLS on port 6379 only",
            "tls.tlsPort: must be 6379 (or unset) for a ValkeyCluster in this version (got 6380)",
        ],
    },
    {
        name: "tls: externalCerts names a Secret",
        valid: { tls: { externalCerts: "valkey-poc-tls-external", tlsAuthClients: true } },
        invalid: { tls: { externalCerts: "" } },
        issues: [
            'tls.externalCerts: must name an existing Secret in the namespace holding tls.crt, tls.key and ca.crt (got ""); leave externalCerts unset for certificates from @pulumi/tls',
        ],
    },
    {
        name: "acl: the security schema applies",
        valid: { acl: { users: [{ name: "app", rules: "+GET ~app:*" }] } },
        invalid: { acl: { users: [{ name: "default", rules: "+GET" }] } },
        issues: ['acl.users[0].name: must not be "default": the default user is governed by acl.defaultUser'],
    },
    {
        name: "acl: probe-user is the probes' system user",
        valid: { acl: { users: [{ name: "probe", rules: "+PING" }], defaultUser: "off" } },
        invalid: { acl: { admin: { name: "probe-user" }, users: [{ name: "probe-user", rules: "+PING" }] } },
        issues: [
            `acl.admin.name: must not be "probe-user": that name is reserved for the system user the pods' probes authenticate as (PING only); choose another name`,
            `acl.users[0].name: must not be "probe-user": that name is reserved for the system user the pods' probes authenticate as (PING only); choose another name`,
        ],
    },
    {
        name: "ipFilter: CIDRs or {network, description}, as Aiven's ip_filter",
        valid: { ipFilter: ["10.20.0.0/16", { network: "2001:db8::/48", description: "monitoring" }] },
        invalid: { ipFilter: ["10.20.0.0", { description: "no network" }] },
        issues: ['ipFilter[0]: must be a CIDR block like 10.20.0.0/16 (got "10.20.0.0")', "ipFilter[1].network: is required"],
    },
    { name: "unknown fields are named", valid: {}, invalid: { sidecarImage: { name: "x", tag: "y" } }, issues: ["sidecarImage: unknown field"] },
];

describe("spec: ValkeyCluster constraints", () => {
    for (const row of ROWS) {
        it(row.name, () => {
            expect(issuesOf(row.valid)).to.deep.equal([]);
            expect(issuesOf(row.invalid)).to.deep.equal(row.issues);
        });
    }

    it("reports every violation at once, each with its path", () => {
        expect(issuesOf({ masterCount: 2, replicasPerMaster: -1, backup: { aof: { appendfsync: "often" } } })).to.deep.equal([
            "masterCount: must be at least 3 (got 2)",
            "replicasPerMaster: must be at least 0 (got -1)",
            'backup.aof.appendfsync: must be one of always, everysec, no (got "often")',
        ]);
    });
});

describe("spec: ValkeyCluster model", () => {
    const model = (spec: Record<string, unknown>, name = "poc") => buildClusterModel(name, parseSpec(valkeyClusterSpecSchema, spec, "ValkeyCluster"));

    it("applies the defaults: 3x1, 10Gi, Valkey's save rules, no AOF, no exporter, namespace default", () => {
        const m = model({});
        expect(m.topology).to.deep.equal({ kind: "cluster", masterCount: 3, replicasPerMaster: 1 });
        expect(m.nodes).to.equal(6);
        expect([m.persistence.storageSize, m.persistence.storageClassName, m.persistence.diskGiB]).to.deep.equal(["10Gi", undefined, 10]);
        expect(m.persistence.retention).to.deep.equal({ whenDeleted: "Delete", whenScaled: "Retain" });
        expect(m.persistence.mode).to.equal("rdb");
        expect(m.persistence.directives).to.deep.equal({
            save: "3600 1 300 100 60 10000",
            appendonly: false,
            appendfsync: "everysec",
            autoAofRewritePercentage: 100,
            autoAofRewriteMinSize: "64mb",
        });
        expect(m.exporter).to.equal(undefined);
        expect(model({ exporter: { enabled: true } }).exporter).to.deep.equal({ image: "docker.io/oliver006/redis_exporter:v1.67.0", imagePullSecrets: [] });
        expect(m.sizing.resources).to.deep.equal(DEFAULT_RESOURCES);
        expect([m.namespace, m.nodes, m.sizing.memoryMiB, m.image]).to.deep.equal(["default", 6, 1024, "docker.io/valkey/valkey:8.0.2-bookworm"]);
    });

    it("maps the seed's spec: image, counts, memory, storage, backup", () => {
        const m = model({
            valkeyImage: { name: "valkey/valkey-bundle", tag: "8.1", imagePullSecrets: ["regcred"] },
            masterCount: 4,
            replicasPerMaster: 2,
            resources: { requests: { memory: "2Gi", cpu: "500m" }, limits: { memory: "3Gi", cpu: "1" } },
            pvc: { storageSize: "30Gi", storageClassName: "my-storage-class" },
            backup: {
                database: { enabled: false },
                aof: { enabled: true, appendfsync: "always", autoAofRewritePercentage: 50, autoAofRewriteMinSize: "128mb" },
            },
        });
        expect(m.nodes).to.equal(12);
        expect([m.image, m.imagePullSecrets, m.sizing.memoryMiB, m.persistence.storageClassName]).to.deep.equal([
            "valkey/valkey-bundle:8.1",
            ["regcred"],
            3072,
            "my-storage-class",
        ]);
        expect(m.persistence.mode).to.equal("rdb_aof");
        expect(m.persistence.directives).to.deep.equal({
            save: "",
            appendonly: true,
            appendfsync: "always",
            autoAofRewritePercentage: 50,
            autoAofRewriteMinSize: "128mb",
        });
    });

    it("refuses a resource name that cannot name Kubernetes objects", () => {
        expect(() => model({}, "My_Cluster")).to.throw(
            'ValkeyCluster "My_Cluster" is invalid (1 problem):\n  - name: resource name "My_Cluster" must be a DNS label of at most 40 characters (lowercase letters, digits and \'-\', starting with a letter), because Kubernetes object names derive from it',
        );
    });

    it("reads Kubernetes quantities", () => {
        expect([quantityBytes("1Gi"), quantityBytes("512M"), quantityBytes("500m"), quantityBytes("1e3"), quantityBytes("1 Gi")]).to.deep.equal([
            2 ** 30,
            512e6,
            0.5,
            1000,
            undefined,
        ]);
    });
});
