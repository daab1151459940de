// The scheduling capability at both front doors: Valkey/Redis under `kubernetes`, ValkeyCluster at
// the top level. One case per rule (exact message at the exact path), then the mapping of every
// field into the model's `scheduling`, and the Aiven `kubernetes.resources` over the plan's.
import { expect } from "chai";
import { redisSpecSchema, valkeySpecSchema } from "../../../sdk/spec/aiven";
import { valkeyClusterSpecSchema } from "../../../sdk/spec/cluster";
import { buildClusterModel } from "../../../sdk/spec/cluster-model";
import { renderValkeyConf } from "../../../sdk/config/render";
import { DEFAULT_SCHEDULING, buildModel } from "../../../sdk/spec/model";
import { SpecError, parseSpec } from "../../../sdk/spec/validate";

function issues(run: () => unknown): string[] {
    try {
        run();
        return [];
    } catch (e) {
        expect(e).to.be.instanceOf(SpecError);
        return (e as SpecError).issues.map((i) => `${i.path}: ${i.message}`);
    }
}

const BASE = { project: "shop", plan: "startup-4" } as const;
const valkeyModel = (kubernetes: Record<string, unknown>, plan = "startup-4") =>
    buildModel("valkey", "cache", parseSpec(valkeySpecSchema, { ...BASE, plan, kubernetes }, 'Valkey "cache"'));
const aivenIssues = (kubernetes: Record<string, unknown>, plan = "startup-4") => issues(() => valkeyModel(kubernetes, plan));
const clusterModel = (spec: Record<string, unknown>) => buildClusterModel("poc", parseSpec(valkeyClusterSpecSchema, spec, 'ValkeyCluster "poc"'));
const clusterIssues = (spec: Record<string, unknown>) => issues(() => clusterModel(spec));

const TOLERATIONS = [{ key: "dedicated", operator: "Equal", value: "valkey", effect: "NoSchedule" }];
const NODE_SELECTOR = { "node-pool": "valkey", "kubernetes.io/arch": "amd64" };
const NODE_AFFINITY = {
    requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "disktype", operator: "In", values: ["ssd"] }] }] },
};
const POD_AFFINITY = { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, podAffinityTerm: { topologyKey: "topology.kubernetes.io/zone" } }] };
const POD_ANTI_AFFINITY = {
    requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: { app: "x" } } }],
};
const SPREAD = [{ maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway" }];
const ANNOTATIONS = { "sidecar.istio.io/inject": "false", "backup.example.com/skip": "true" };
const SECURITY_CONTEXT = { runAsUser: 1001, runAsGroup: 1001, fsGroup: 1001 };

/** Every scheduling field, valid, as both front doors spell it. */
const ALL = {
    tolerations: TOLERATIONS,
    nodeSelector: NODE_SELECTOR,
    nodeAffinity: NODE_AFFINITY,
    podAffinity: POD_AFFINITY,
    podAntiAffinity: POD_ANTI_AFFINITY,
    topologySpreadConstraints: SPREAD,
    priorityClassName: "valkey-critical",
    podAnnotations: ANNOTATIONS,
    securityContext: SECURITY_CONTEXT,
};

const LABEL_VALUE_RULE = "must be at most 63 characters of [A-Za-z0-9-_.], starting and ending alphanumeric";
const DNS_RULE =
    "must be a DNS subdomain (RFC 1123): dot-separated labels of 1-63 lowercase letters, digits and '-', each starting and ending with a letter or digit, at most 253 characters in all";
const RESERVED =
    "is reserved: the prefix pulumi-valkey/ holds the package's own pod annotations (the configuration hash that rolls the pods); use another prefix";

// The same rule at both doors, with the field at `<prefix><field>`.
type Row = { name: string; invalid: Record<string, unknown>; issues: (prefix: string) => string[] };
const ROWS: Row[] = [
    {
        name: "tolerations are Tolerations",
        invalid: { tolerations: [{ key: "dedicated", tolerationSeconds: "soon" }] },
        issues: (p) => [`${p}tolerations[0].tolerationSeconds: must be integer`],
    },
    {
        name: "nodeSelector keys and values follow the label rules",
        invalid: { nodeSelector: { "a/b/c": "x", pool: "my pool" } },
        issues: (p) => [
            `${p}nodeSelector.a/b/c: is not a valid Kubernetes label key: has more than one '/'`,
            `${p}nodeSelector.pool: is not a valid Kubernetes label value: ${LABEL_VALUE_RULE} (got "my pool")`,
        ],
    },
    {
        name: "nodeAffinity is a NodeAffinity",
        invalid: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: {} } },
        issues: (p) => [`${p}nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms: is required`],
    },
    {
        name: "podAffinity is a PodAffinity",
        invalid: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: {} }] } },
        issues: (p) => [`${p}podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey: is required`],
    },
    {
        name: "podAntiAffinity is a PodAntiAffinity",
        invalid: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1 }] } },
        issues: (p) => [`${p}podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm: is required`],
    },
    {
        name: "topologySpreadConstraints are TopologySpreadConstraints",
        invalid: { topologySpreadConstraints: [{ maxSkew: "one", topologyKey: "topology.kubernetes.io/zone" }] },
        issues: (p) => [`${p}topologySpreadConstraints[0].whenUnsatisfiable: is required`, `${p}topologySpreadConstraints[0].maxSkew: must be integer`],
    },
    {
        name: "priorityClassName is a DNS subdomain",
        invalid: { priorityClassName: "High_Priority" },
        issues: (p) => [`${p}priorityClassName: ${DNS_RULE}; it has characters other than lowercase letters, digits, '-' and '.' (got "High_Priority")`],
    },
    {
        name: "podAnnotations: annotation keys, none under pulumi-valkey/",
        invalid: { podAnnotations: { "pulumi-valkey/config-hash": "0", "bad key": "x", "kubectl.kubernetes.io/default-container": "other" } },
        issues: (p) => [
            `${p}podAnnotations.bad key: is not a valid Kubernetes annotation key: must be 1-63 characters of [A-Za-z0-9-_.], starting and ending alphanumeric (optionally prefixed by a DNS subdomain and '/')`,
            `${p}podAnnotations.pulumi-valkey/config-hash: ${RESERVED}`,
            `${p}podAnnotations.kubectl.kubernetes.io/default-container: is set by the package (the valkey container, or sentinel on the Sentinel pods); remove it`,
        ],
    },
    {
        name: "securityContext is a PodSecurityContext",
        invalid: { securityContext: { runAsUser: "root" } },
        issues: (p) => [`${p}securityContext.runAsUser: must be integer`],
    },
    {
        name: "resources is a ResourceRequirements",
        invalid: { resources: { limits: { memory: "1 Gi" } } },
        issues: (p) => [`${p}resources.limits.memory: must match format "quantity"`],
    },
    {
        name: "resources: a memory bound of at least 32Mi",
        invalid: { resources: { limits: { memory: "16Mi" }, requests: { memory: "16Mi" } } },
        issues: (p) => [
            `${p}resources.limits.memory: must be at least 32Mi: maxmemory derives from it and keeps 16 MiB for the server itself, so less leaves no room for data (got "16Mi")`,
        ],
    },
    {
        name: "resources: no request above its limit",
        invalid: { resources: { requests: { cpu: "3", memory: "2Gi" }, limits: { cpu: "2", memory: "2Gi" } } },
        issues: (p) => [`${p}resources.requests.cpu: must not be more than limits.cpu ("2"): the API server refuses a request above its limit (got "3")`],
    },
];

describe("spec: scheduling at both front doors", () => {
    it("accepts every scheduling field at both doors", () => {
        expect(aivenIssues(ALL)).to.deep.equal([]);
        expect(clusterIssues(ALL)).to.deep.equal([]);
    });

    for (const row of ROWS) {
        it(`${row.name} (Valkey/Redis kubernetes.*, ValkeyCluster top level)`, () => {
            expect(aivenIssues(row.invalid)).to.deep.equal(row.issues("kubernetes."));
            expect(clusterIssues(row.invalid)).to.deep.equal(row.issues(""));
        });
    }

    it("Redis takes the same kubernetes fields", () => {
        const spec = { ...BASE, kubernetes: { priorityClassName: "-bad", nodeSelector: { pool: "valkey" } } };
        expect(issues(() => buildModel("redis", "r", parseSpec(redisSpecSchema, spec, "Redis")))).to.deep.equal([
            `kubernetes.priorityClassName: ${DNS_RULE}; it has a label starting or ending with '-' (got "-bad")`,
        ]);
    });

    it("Valkey kubernetes.resources over the plan: a request above the plan's limit, a limit below the plan's request", () => {
        expect(aivenIssues({ resources: { requests: { cpu: "4" } } })).to.deep.equal([
            `kubernetes.resources.requests.cpu: must not be more than limits.cpu ("2000m", plan startup-4's): the API server refuses a request above its limit (got "4"); set limits.cpu too`,
        ]);
        expect(aivenIssues({ resources: { limits: { cpu: "500m" } } })).to.deep.equal([
            `kubernetes.resources.limits.cpu: must not be less than requests.cpu ("1000m", plan startup-4's): the API server refuses a request above its limit (got "500m"); set requests.cpu too`,
        ]);
        expect(aivenIssues({ resources: { requests: { memory: "8Mi" } } })).to.deep.equal([
            `kubernetes.resources.requests.memory: must be at least 32Mi: maxmemory derives from it and keeps 16 MiB for the server itself, so less leaves no room for data (got "8Mi")`,
        ]);
        expect(aivenIssues({ resources: { limits: { memory: "9223372036854775808" } } })).to.deep.equal([
            `kubernetes.resources.limits.memory: must be at most 9223372036854775807 bytes (8Ei less one byte), the largest Kubernetes quantity (got "9223372036854775808")`,
        ]);
    });

    it("ValkeyCluster: a memory given only as a request is the bound, and is held to the floor", () => {
        expect(clusterIssues({ resources: { requests: { memory: "31Mi" } } })).to.deep.equal([
            `resources.requests.memory: must be at least 32Mi: maxmemory derives from it and keeps 16 MiB for the server itself, so less leaves no room for data (got "31Mi")`,
        ]);
        expect(clusterIssues({ resources: { requests: { memory: "32Mi" } } })).to.deep.equal([]);
    });
});

describe("spec: scheduling into the model", () => {
    it("unset at both doors: DEFAULT_SCHEDULING, nothing set", () => {
        expect(DEFAULT_SCHEDULING).to.deep.equal({ tolerations: [], nodeSelector: {}, topologySpreadConstraints: [], podAnnotations: {} });
        expect(valkeyModel({}).scheduling).to.deep.equal(DEFAULT_SCHEDULING);
        expect(clusterModel({}).scheduling).to.deep.equal(DEFAULT_SCHEDULING);
    });

    it("maps every field, as written, at both doors", () => {
        const expected = {
            tolerations: TOLERATIONS,
            nodeSelector: NODE_SELECTOR,
            nodeAffinity: NODE_AFFINITY,
            podAffinity: POD_AFFINITY,
            podAntiAffinity: POD_ANTI_AFFINITY,
            topologySpreadConstraints: SPREAD,
            priorityClassName: "valkey-critical",
            podAnnotations: ANNOTATIONS,
            securityContext: SECURITY_CONTEXT,
        };
        expect(valkeyModel(ALL).scheduling).to.deep.equal(expected);
        expect(clusterModel(ALL).scheduling).to.deep.equal(expected);
        expect(buildModel("redis", "r", parseSpec(redisSpecSchema, { ...BASE, kubernetes: ALL }, "Redis")).scheduling).to.deep.equal(expected);
    });

    it("Valkey without kubernetes.resources: the plan's sizing exactly", () => {
        const m = valkeyModel({});
        expect(m.sizing).to.deep.equal({
            memoryMiB: 4096,
            cpuMillis: 1000,
            resources: { requests: { cpu: "1000m", memory: "4096Mi" }, limits: { cpu: "2000m", memory: "4096Mi" } },
            plan: "startup-4",
        });
        expect(renderValkeyConf(m).split("\n")).to.include("maxmemory 3072mb");
    });

    it("Valkey kubernetes.resources: each quantity replaces the plan's; CPU only keeps the plan's memory and maxmemory", () => {
        const m = valkeyModel({ resources: { requests: { cpu: "1500m" }, limits: { cpu: "3" } } });
        expect(m.sizing).to.deep.equal({
            memoryMiB: 4096,
            cpuMillis: 1500,
            resources: { requests: { cpu: "1500m", memory: "4096Mi" }, limits: { cpu: "3", memory: "4096Mi" } },
            plan: "startup-4",
        });
        expect(renderValkeyConf(m).split("\n")).to.include("maxmemory 3072mb");
    });

    it("Valkey kubernetes.resources: a memory limit alone sets the request too, and maxmemory follows it", () => {
        const m = valkeyModel({ resources: { limits: { memory: "2Gi" } } });
        expect(m.sizing).to.deep.equal({
            memoryMiB: 2048,
            cpuMillis: 1000,
            resources: { requests: { cpu: "1000m", memory: "2Gi" }, limits: { cpu: "2000m", memory: "2Gi" } },
            plan: "startup-4",
        });
        expect(renderValkeyConf(m).split("\n")).to.include("maxmemory 1536mb");
        // A request alone sets the limit too; both given stay as given.
        expect(valkeyModel({ resources: { requests: { memory: "6Gi" } } }).sizing.resources).to.deep.equal({
            requests: { cpu: "1000m", memory: "6Gi" },
            limits: { cpu: "2000m", memory: "6Gi" },
        });
        const both = valkeyModel({ resources: { requests: { memory: "1Gi" }, limits: { memory: "2Gi" } } });
        expect([both.sizing.resources, both.sizing.memoryMiB]).to.deep.equal([
            { requests: { cpu: "1000m", memory: "1Gi" }, limits: { cpu: "2000m", memory: "2Gi" } },
            2048,
        ]);
    });
});
