// Issue 11, finding 4: pods without a disk (plan free, valkey_persistence off) come back empty
// from a restart, so the provider's rolling restart must not restart them unless the user opted
// in (kubernetes.allowDataLossOnRestart -> rollout.allowDataLoss). Through the dynamic provider's
// update handler, the Kubernetes transport and a (fake) API server whose pod runs an older
// revision than its StatefulSet, in front of a real valkey-server.
import { expect } from "chai";
import { topologyHandlers } from "../../provider/dynamic/handlers";
import { TopologyInputs, TopologyOutputs } from "../../provider/dynamic/inputs";
import { memoryOnlyRefusal } from "../../provider/rollout/memory-only";
import { FakeKubeApi, startFakeKubeApi } from "../helpers/fake-kube-api";
import { startValkey, stopAllValkeys, ValkeyProcess } from "../helpers/valkey";

const NAMESPACE = "apps";
const DELETE = `DELETE /api/v1/namespaces/${NAMESPACE}/pods/cache-0`;

describe("the rollout and pods without a disk (dynamic provider, Kubernetes transport)", function () {
    this.timeout(60000);
    let api: FakeKubeApi;
    let server: ValkeyProcess;

    before(async () => {
        server = await startValkey({});
        api = await startFakeKubeApi(
            NAMESPACE,
            [{ name: "cache-0", ip: server.host, nodeName: "node-a", target: { host: server.host, port: server.port }, revision: "rev-old" }],
            { "node-a": "z1" },
            { statefulSets: { cache: { updateRevision: "rev-new" } } },
        );
    });
    after(async () => {
        await api.close();
        await stopAllValkeys();
    });

    const inputs = (rollout: Record<string, unknown>): TopologyInputs => ({
        providerVersion: "test",
        topology: { kind: "standalone" },
        transport: {
            kind: "kubernetes",
            kubeconfig: api.kubeconfig,
            namespace: NAMESPACE,
            statefulSet: "cache",
            replicas: 1,
            port: server.port,
            podTimeoutMs: 300,
        },
        timeoutSeconds: 5,
        rollout: { revision: "rev-new", force: true, ...rollout } as TopologyInputs["rollout"],
    });

    it("memoryOnly without allowDataLoss: no pod is deleted, the restart is pending with the reason", async () => {
        const news = inputs({ memoryOnly: true });
        const olds = { ...inputs({ memoryOnly: true, revision: "rev-old" }), state: "RUNNING" } as unknown as TopologyOutputs;
        const { outs } = await topologyHandlers.update("apps/cache", olds, news);
        expect(api.requests).not.to.include(DELETE);
        expect(outs.pendingRestart?.nodes).to.deep.equal(["cache-0"]);
        expect(outs.pendingRestart?.reason).to.equal(
            "the pods keep their keys in memory only (no disk: plan free or userConfig *_persistence off) and a restarted pod comes back empty: set kubernetes.allowDataLossOnRestart to true to let the provider restart them, or restart them yourself when losing the keys is fine",
        );
        expect(outs.lastActions).to.include(`cache-0: restart pending, ${outs.pendingRestart!.reason}`);
    });

    it("with allowDataLoss (the user's opt-in) the provider does restart the pod", async () => {
        const news = inputs({ memoryOnly: true, allowDataLoss: true });
        const olds = { ...inputs({ memoryOnly: true, revision: "rev-old" }), state: "RUNNING" } as unknown as TopologyOutputs;
        // The fake API never recreates the pod, so the restart times out after the DELETE.
        const error = await topologyHandlers.update("apps/cache", olds, news).then(
            () => undefined,
            (e: Error) => e,
        );
        expect(api.requests).to.include(DELETE);
        expect(error?.message).to.match(/cache-0/);
    });

    it("memoryOnlyRefusal: only pods without a disk, and only without the opt-in", () => {
        expect(memoryOnlyRefusal({})).to.equal(undefined);
        expect(memoryOnlyRefusal({ memoryOnly: false })).to.equal(undefined);
        expect(memoryOnlyRefusal({ memoryOnly: true, allowDataLoss: true })).to.equal(undefined);
        expect(memoryOnlyRefusal({ memoryOnly: true })).to.match(/^the pods keep their keys in memory only/);
        expect(memoryOnlyRefusal({ memoryOnly: true, allowDataLoss: false })).to.match(/^the pods keep their keys in memory only/);
    });
});
