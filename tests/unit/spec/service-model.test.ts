// The one service model: what each front door maps into it (topology, sizing, TLS), and that the
// shared builders decide by topology and capability fields alone, whichever front door built it.
import { expect } from "chai";
import { renderValkeyConf } from "../../../sdk/config/render";
import { buildConnectionSecret, buildHeadlessService, buildNetworkPolicy, buildStatefulSet, validateManifest } from "../../../sdk/manifests";
import { valkeySpecSchema } from "../../../sdk/spec/aiven";
import { valkeyClusterSpecSchema } from "../../../sdk/spec/cluster";
import { buildClusterModel } from "../../../sdk/spec/cluster-model";
import { ServiceModel, Topology, buildModel, dataNodes, describeTopology, planTopology } from "../../../sdk/spec/model";
import { getPlan, registerPlan, unregisterPlan } from "../../../sdk/spec/plans";
import { parseSpec } from "../../../sdk/spec/validate";

const valkey = (spec: Record<string, unknown>, name = "cache"): ServiceModel =>
    buildModel("valkey", name, parseSpec(valkeySpecSchema, { project: "p", ...spec }, "test"));
const cluster = (spec: Record<string, unknown>, name = "poc"): ServiceModel =>
    buildClusterModel(name, parseSpec(valkeyClusterSpecSchema, spec, "ValkeyCluster"));

describe("service model: topology", () => {
    const rows: Array<[string, Topology, number, string]> = [
        ["hobbyist", { kind: "standalone" }, 1, "standalone"],
        ["startup-4", { kind: "standalone" }, 1, "standalone"],
        ["free", { kind: "standalone" }, 1, "standalone"],
        ["business-4", { kind: "sentinel", replicas: 1 }, 2, "a primary and 1 replica with Sentinel"],
        ["premium-4", { kind: "sentinel", replicas: 2 }, 3, "a primary and 2 replicas with Sentinel"],
        ["pro", { kind: "sentinel", replicas: 2 }, 3, "a primary and 2 replicas with Sentinel"],
    ];
    for (const [plan, topology, nodes, words] of rows) {
        it(`plan ${plan}: ${JSON.stringify(topology)}, ${nodes} data pods`, () => {
            expect(planTopology(getPlan(plan))).to.deep.equal(topology);
            expect(dataNodes(topology)).to.equal(nodes);
            expect(describeTopology(topology)).to.equal(words);
            const model = valkey({ plan });
            expect([model.topology, model.nodes]).to.deep.equal([topology, nodes]);
        });
    }

    it("a registered cluster plan: shards primaries with nodes / shards - 1 replicas each", () => {
        const plan = registerPlan({
            name: "sharded-6",
            nodes: 6,
            memoryMiB: 1024,
            cpuMillis: 500,
            diskGiB: 2,
            persistence: "rdb",
            topology: "cluster",
            shards: 3,
            description: "test",
        });
        try {
            expect(planTopology(plan)).to.deep.equal({ kind: "cluster", masterCount: 3, replicasPerMaster: 1 });
        } finally {
            unregisterPlan("sharded-6");
        }
    });

    it("ValkeyCluster: masterCount x (1 + replicasPerMaster) data pods, described in the config header", () => {
        const model = cluster({ masterCount: 4, replicasPerMaster: 2 });
        expect([model.topology, model.nodes]).to.deep.equal([{ kind: "cluster", masterCount: 4, replicasPerMaster: 2 }, 12]);
        expect(describeTopology(model.topology)).to.equal("a cluster of 4 shards with 2 replicas each");
        expect(model.sizing.plan).to.equal(undefined);
        expect(renderValkeyConf(model).split("\n")[0]).to.equal('# valkey.conf of valkey service "poc", a cluster of 4 shards with 2 replicas each.');
        expect(renderValkeyConf(valkey({ plan: "premium-4" })).split("\n")[0]).to.equal('# valkey.conf of valkey service "cache", plan premium-4.');
    });
});

describe("service model: sizing and TLS from each front door", () => {
    it("an Aiven plan: the plan's memory and CPU, limit twice the CPU request", () => {
        expect(valkey({ plan: "premium-4" }).sizing).to.deep.equal({
            memoryMiB: 4096,
            cpuMillis: 1000,
            resources: { requests: { cpu: "1000m", memory: "4096Mi" }, limits: { cpu: "2000m", memory: "4096Mi" } },
            plan: "premium-4",
        });
    });

    it("valkey_ssl: certificates from the internal CA, 90 days, renewed after 66 %, no client certificates", () => {
        expect(valkey({ plan: "startup-4", userConfig: { valkey_ssl: true } }).tls).to.deep.equal({
            certificates: { kind: "internal", validityHours: 2160, rotateBeforePercent: 66 },
            mutual: false,
        });
        expect(valkey({ plan: "startup-4" }).tls).to.equal(undefined);
    });

    it("ValkeyCluster tls: internal certificates with the CA's validity, or the user's Secret; tlsAuthClients is mTLS", () => {
        const render = { port: 6379, disablePlain: true, authClients: "optional", replication: true, cluster: true };
        expect(cluster({ tls: {} }).tls).to.deep.equal({
            certificates: { kind: "internal", validityHours: 2160, caValidityHours: 87600, rotateBeforePercent: 66 },
            mutual: false,
            render,
        });
        expect(cluster({ tls: { externalCerts: "cert-manager-certs", tlsAuthClients: true } }).tls).to.deep.equal({
            certificates: { kind: "external", secretName: "cert-manager-certs" },
            mutual: true,
            render: { ...render, authClients: "yes" },
        });
    });
});

describe("service model: builders decide by capability, not by front door", () => {
    const EXPORTER = { image: "docker.io/oliver006/redis_exporter:v1.67.0", imagePullSecrets: [] };

    it("an exporter on a standalone Valkey model: the sidecar, 9121 on the headless Service, 9121 as open as 6379; no cluster bus", () => {
        const model: ServiceModel = { ...valkey({ plan: "startup-4", userConfig: { ip_filter: ["10.20.0.0/16"] } }), exporter: EXPORTER };
        const sts = buildStatefulSet(model, { configHash: "h" });
        validateManifest(sts);
        expect(sts.spec!.template.spec!.containers.map((c) => c.name)).to.deep.equal(["valkey", "exporter"]);
        expect(sts.spec!.template.spec!.containers[0].args).to.equal(undefined);
        expect(buildHeadlessService(model).spec!.ports!.map((p) => p.name)).to.deep.equal(["valkey", "metrics"]);
        expect(buildNetworkPolicy(model).spec!.ingress![2]).to.deep.equal({
            ports: [{ protocol: "TCP", port: 9121 }],
            from: [{ ipBlock: { cidr: "10.20.0.0/16" } }],
        });
    });

    it("a connection Secret on a ValkeyCluster model: built like Valkey's", () => {
        const model: ServiceModel = { ...cluster({}), connInfo: { secretName: "poc-conn", prefix: "VALKEY_", annotations: {}, labels: {} } };
        const secret = buildConnectionSecret(model, { host: "poc.default.svc.cluster.local", port: 6379, user: "default", password: "pw", ssl: false })!;
        expect(secret.metadata!.name).to.equal("poc-conn");
        expect(secret.stringData!.VALKEY_URI).to.equal("redis://default:pw@poc.default.svc.cluster.local:6379");
        expect(buildConnectionSecret(cluster({}), { host: "h", port: 6379, user: "default", password: "pw", ssl: false })).to.equal(undefined);
    });

    it("the scheduling capability on a Valkey model: tolerations and the security context reach its pods", () => {
        const base = valkey({ plan: "startup-4" });
        const model: ServiceModel = {
            ...base,
            scheduling: { ...base.scheduling, tolerations: [{ key: "infra", operator: "Exists", effect: "NoSchedule" }], securityContext: { runAsUser: 1001 } },
        };
        const pod = buildStatefulSet(model, { configHash: "h" }).spec!.template.spec!;
        expect(pod.tolerations).to.deep.equal([{ key: "infra", operator: "Exists", effect: "NoSchedule" }]);
        expect([pod.securityContext!.runAsUser, pod.containers[0].securityContext!.runAsUser]).to.deep.equal([1001, 1001]);
        expect(buildStatefulSet(base, { configHash: "h" }).spec!.template.spec!.tolerations).to.equal(undefined);
    });
});
