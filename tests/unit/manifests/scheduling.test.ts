// The scheduling capability in the rendered pods: a Valkey plan (standalone startup-4, Sentinel
// business-4: data pods and Sentinel pods) and a ValkeyCluster carry exactly the fields given, and
// a model without them renders the very pod templates the package rendered before they existed.
import { expect } from "chai";
import { IStatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import { buildSentinelStatefulSet } from "../../../sdk/manifests/sentinel";
import { buildStatefulSet } from "../../../sdk/manifests/statefulset";
import { shortHash } from "../../../sdk/manifests/pod";
import { validateManifest } from "../../../sdk/manifests/validate";
import { valkeyClusterSpecSchema } from "../../../sdk/spec/cluster";
import { buildClusterModel } from "../../../sdk/spec/cluster-model";
import { ServiceModel } from "../../../sdk/spec/model";
import { parseSpec } from "../../../sdk/spec/validate";
import { valkeyModel } from "./fixtures";

const TOLERATIONS = [{ key: "dedicated", operator: "Equal", value: "valkey", effect: "NoSchedule" }];
const NODE_SELECTOR = { "node-pool": "valkey" };
const NODE_AFFINITY = {
    requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "disktype", operator: "In", values: ["ssd"] }] }] },
};
const POD_AFFINITY = { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, podAffinityTerm: { topologyKey: "topology.kubernetes.io/zone" } }] };
const POD_ANTI_AFFINITY = {
    requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: { app: "x" } } }],
};
const ZONE_SPREAD = { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway" };
const HOST_SPREAD = {
    maxSkew: 2,
    topologyKey: "kubernetes.io/hostname",
    whenUnsatisfiable: "DoNotSchedule",
    labelSelector: { matchLabels: { tier: "cache" } },
};
const ANNOTATIONS = { "sidecar.istio.io/inject": "false", "backup.example.com/skip": "true" };
const SCHEDULING = {
    tolerations: TOLERATIONS,
    nodeSelector: NODE_SELECTOR,
    nodeAffinity: NODE_AFFINITY,
    podAffinity: POD_AFFINITY,
    podAntiAffinity: POD_ANTI_AFFINITY,
    topologySpreadConstraints: [ZONE_SPREAD, HOST_SPREAD],
    priorityClassName: "valkey-critical",
    podAnnotations: ANNOTATIONS,
    securityContext: { runAsUser: 1001, runAsGroup: 1001 },
};

const cluster = (spec: Record<string, unknown>): ServiceModel => buildClusterModel("poc", parseSpec(valkeyClusterSpecSchema, spec, "ValkeyCluster"));

function data(model: ServiceModel): IStatefulSet {
    const sts = buildStatefulSet(model, { configHash: "h" });
    validateManifest(sts);
    return sts;
}

function sentinels(model: ServiceModel): IStatefulSet {
    const sts = buildSentinelStatefulSet(model, { configHash: "s" });
    validateManifest(sts);
    return sts;
}

/** What the data pods of `name` (selector `app.kubernetes.io/name: valkey`) get from SCHEDULING. */
function expectDataPods(sts: IStatefulSet, name: string): void {
    const template = sts.spec!.template;
    const pod = template.spec!;
    expect(pod.tolerations).to.deep.equal(TOLERATIONS);
    expect(pod.nodeSelector).to.deep.equal(NODE_SELECTOR);
    // nodeAffinity replaces the cloudName preference; podAntiAffinity the default spreading.
    expect(pod.affinity).to.deep.equal({ nodeAffinity: NODE_AFFINITY, podAffinity: POD_AFFINITY, podAntiAffinity: POD_ANTI_AFFINITY });
    // Without a labelSelector: the data pods' selector labels; with one: as written.
    expect(pod.topologySpreadConstraints).to.deep.equal([
        { ...ZONE_SPREAD, labelSelector: { matchLabels: { "app.kubernetes.io/name": "valkey", "app.kubernetes.io/instance": name } } },
        HOST_SPREAD,
    ]);
    expect(pod.priorityClassName).to.equal("valkey-critical");
    expect(pod.securityContext).to.deep.equal({
        runAsNonRoot: true,
        runAsUser: 1001,
        runAsGroup: 1001,
        fsGroup: 999,
        fsGroupChangePolicy: "OnRootMismatch",
        seccompProfile: { type: "RuntimeDefault" },
    });
    // The user's first, then the package's.
    expect(template.metadata!.annotations).to.deep.equal({
        "sidecar.istio.io/inject": "false",
        "backup.example.com/skip": "true",
        "pulumi-valkey/config-hash": "h",
        "kubectl.kubernetes.io/default-container": "valkey",
    });
}

describe("manifests: scheduling", () => {
    describe("Valkey startup-4 (standalone)", () => {
        const model = valkeyModel({
            project: "shop",
            plan: "startup-4",
            cloudName: "google-europe-west1",
            kubernetes: { ...SCHEDULING, resources: { limits: { memory: "2Gi", cpu: "3" } } },
        });
        const sts = data(model);

        it("carries exactly the scheduling fields given", () => {
            expectDataPods(sts, "my-valkey");
            expect(Object.keys(sts.spec!.template.spec!)).to.deep.equal([
                "automountServiceAccountToken",
                "enableServiceLinks",
                "securityContext",
                "affinity",
                "tolerations",
                "nodeSelector",
                "topologySpreadConstraints",
                "priorityClassName",
                "terminationGracePeriodSeconds",
                "containers",
                "volumes",
            ]);
        });

        it("sizes the valkey container by kubernetes.resources over the plan's", () => {
            expect(sts.spec!.template.spec!.containers[0].resources).to.deep.equal({
                requests: { cpu: "1000m", memory: "2Gi" },
                limits: { cpu: "3", memory: "2Gi" },
            });
        });
    });

    describe("Valkey business-4 (Sentinel)", () => {
        const model = valkeyModel({ project: "shop", plan: "business-4", kubernetes: SCHEDULING });

        it("the data pods carry exactly the scheduling fields given", () => {
            expectDataPods(data(model), "my-valkey");
        });

        it("the Sentinel pods get the tolerations, nodeSelector, priorityClassName and podAnnotations, and keep their own spreading and security context", () => {
            const template = sentinels(model).spec!.template;
            const pod = template.spec!;
            expect(pod.tolerations).to.deep.equal(TOLERATIONS);
            expect(pod.nodeSelector).to.deep.equal(NODE_SELECTOR);
            expect(pod.priorityClassName).to.equal("valkey-critical");
            expect(template.metadata!.annotations).to.deep.equal({
                "sidecar.istio.io/inject": "false",
                "backup.example.com/skip": "true",
                "pulumi-valkey/config-hash": "s",
                "kubectl.kubernetes.io/default-container": "sentinel",
            });
            expect(pod.affinity).to.deep.equal({
                podAntiAffinity: {
                    preferredDuringSchedulingIgnoredDuringExecution: [
                        {
                            weight: 100,
                            podAffinityTerm: {
                                topologyKey: "kubernetes.io/hostname",
                                labelSelector: { matchLabels: { "app.kubernetes.io/name": "valkey-sentinel", "app.kubernetes.io/instance": "my-valkey" } },
                            },
                        },
                    ],
                },
            });
            expect(pod.topologySpreadConstraints).to.equal(undefined);
            expect(pod.securityContext).to.deep.equal({
                runAsNonRoot: true,
                runAsUser: 999,
                runAsGroup: 999,
                fsGroup: 999,
                fsGroupChangePolicy: "OnRootMismatch",
                seccompProfile: { type: "RuntimeDefault" },
            });
        });
    });

    describe("ValkeyCluster", () => {
        it("the pods carry exactly the scheduling fields given", () => {
            const sts = data(cluster(SCHEDULING));
            expectDataPods(sts, "poc");
            // A cluster's placement stays after the volumes, the new fields last.
            expect(Object.keys(sts.spec!.template.spec!)).to.deep.equal([
                "automountServiceAccountToken",
                "enableServiceLinks",
                "securityContext",
                "terminationGracePeriodSeconds",
                "containers",
                "volumes",
                "affinity",
                "tolerations",
                "nodeSelector",
                "topologySpreadConstraints",
                "priorityClassName",
            ]);
        });
    });

    describe("unset: the pod templates as before", () => {
        // The rollout revision is a hash of the pod template's JSON (sdk/components/rollout.ts): a
        // new key, even an empty one, would restart every pod of every service on upgrade. These
        // hashes are those of the package before the scheduling fields (commit a972b9a), next to
        // the targeted assertions below.
        const startup = valkeyModel({ project: "shop", plan: "startup-4", cloudName: "google-europe-west1" }, "cache");
        const business = valkeyModel({ project: "shop", plan: "business-4" }, "cache");
        const scheduled = cluster({
            tolerations: [{ key: "k", operator: "Exists" }],
            nodeAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: { matchExpressions: [{ key: "a", operator: "Exists" }] } }],
            },
            securityContext: { runAsUser: 1000 },
            exporter: { enabled: true },
        });
        const revision = (sts: IStatefulSet) => shortHash(JSON.stringify(sts.spec!.template));

        it("renders no scheduling field that was not given", () => {
            for (const sts of [data(startup), data(business), sentinels(business), data(cluster({}))]) {
                const pod = sts.spec!.template.spec!;
                expect([pod.tolerations, pod.nodeSelector, pod.topologySpreadConstraints, pod.priorityClassName]).to.deep.equal([
                    undefined,
                    undefined,
                    undefined,
                    undefined,
                ]);
                expect(Object.keys(sts.spec!.template.metadata!.annotations!)).to.deep.equal([
                    "pulumi-valkey/config-hash",
                    "kubectl.kubernetes.io/default-container",
                ]);
            }
        });

        it("keeps the revisions of the pod templates rendered before", () => {
            expect(revision(buildStatefulSet(startup, { configHash: "h" }))).to.equal("0e7d3ff67f640cb0");
            expect(revision(buildStatefulSet(business, { configHash: "h" }))).to.equal("6058f47d0eb503d1");
            expect(revision(buildSentinelStatefulSet(business, { configHash: "h" }))).to.equal("8090b5a1e6c796ce");
            expect(revision(buildStatefulSet(cluster({}), { configHash: "h" }))).to.equal("1668b9fcfad516f0");
            expect(revision(buildStatefulSet(scheduled, { configHash: "h", exporterAuthHash: "e" }))).to.equal("cd636904dd712753");
        });
    });
});
