import { expect } from "chai";
import { DisruptionBudget } from "../../../sdk/manifests/pdb";
import { buildPodDisruptionBudget } from "../../../sdk/manifests/pdb";
import { validateManifest } from "../../../sdk/manifests/validate";
import { buildClusterModel } from "../../../sdk/spec/cluster-model";
import { valkeyClusterSpecSchema } from "../../../sdk/spec/cluster";
import { parseSpec } from "../../../sdk/spec/validate";
import { MINIMAL_SPEC, valkeyModel } from "./fixtures";

const SERVER = { matchLabels: { "app.kubernetes.io/name": "valkey", "app.kubernetes.io/instance": "my-valkey" } };

/**
 * What the eviction API allows (kubernetes pkg/registry/core/pod/storage/eviction.go) for a budget
 * over `pods` pods of which `ready` are Ready: may a Ready pod go, may an unready one go?
 */
function evictable(budget: unknown, pods: number, ready: number): { ready: boolean; unready: boolean } {
    const spec = budget as DisruptionBudget;
    const desired = spec.minAvailable !== undefined ? Number(spec.minAvailable) : pods - Number(spec.maxUnavailable);
    const allowed = Math.max(0, ready - desired);
    const unready = spec.unhealthyPodEvictionPolicy === "AlwaysAllow" || (ready >= desired && desired > 0) || allowed > 0;
    return { ready: allowed > 0, unready };
}

describe("manifests/pdb", () => {
    it("lets the single pod of a 1-node plan move, Ready or not, so it can always be drained", () => {
        const pdb = buildPodDisruptionBudget(valkeyModel({ ...MINIMAL_SPEC, plan: "startup-4" }));
        validateManifest(pdb);
        expect(pdb.metadata!.name).to.equal("my-valkey");
        expect(pdb.spec).to.deep.equal({ maxUnavailable: 1, selector: SERVER, unhealthyPodEvictionPolicy: "AlwaysAllow" });
        expect(evictable(pdb.spec!, 1, 1)).to.deep.equal({ ready: true, unready: true });
        expect(evictable(pdb.spec!, 1, 0)).to.deep.equal({ ready: false, unready: true });
    });

    it("Sentinel plans: keeps the Ready primary, and evicts replicas (never Ready) only while a primary is Ready, never during a failover", () => {
        for (const [plan, pods] of [
            ["business-4", 2],
            ["premium-8", 3],
        ] as const) {
            const pdb = buildPodDisruptionBudget(valkeyModel({ ...MINIMAL_SPEC, plan }));
            validateManifest(pdb);
            expect(pdb.spec, plan).to.deep.equal({ minAvailable: 1, selector: SERVER, unhealthyPodEvictionPolicy: "IfHealthyBudget" });
            // Normal operation: the primary Ready, the replicas not.
            expect(evictable(pdb.spec!, pods, 1), plan).to.deep.equal({ ready: false, unready: true });
            // No Ready pod (a failover, or every probe failing): nothing goes. AlwaysAllow let every pod go here.
            expect(evictable(pdb.spec!, pods, 0), plan).to.deep.equal({ ready: false, unready: false });
            expect(evictable({ ...pdb.spec!, unhealthyPodEvictionPolicy: "AlwaysAllow" }, pods, 0).unready, plan).to.equal(true);
        }
    });

    it("the Sentinels and the cluster nodes: one pod at a time, and a second unready pod stays", () => {
        const sentinels = buildPodDisruptionBudget(valkeyModel({ ...MINIMAL_SPEC, plan: "premium-8" }), "sentinel");
        validateManifest(sentinels);
        expect(sentinels.metadata!.name).to.equal("my-valkey-sentinel");
        expect(sentinels.spec).to.deep.equal({
            maxUnavailable: 1,
            selector: { matchLabels: { "app.kubernetes.io/name": "valkey-sentinel", "app.kubernetes.io/instance": "my-valkey" } },
            unhealthyPodEvictionPolicy: "IfHealthyBudget",
        });
        const cluster = buildPodDisruptionBudget(buildClusterModel("poc", parseSpec(valkeyClusterSpecSchema, {}, "ValkeyCluster")));
        validateManifest(cluster);
        expect(cluster.spec).to.deep.equal({
            maxUnavailable: 1,
            selector: { matchLabels: { "app.kubernetes.io/name": "valkey", "app.kubernetes.io/instance": "poc" } },
            unhealthyPodEvictionPolicy: "IfHealthyBudget",
        });
        // 6 nodes (3x1): all Ready, one goes; one unready, it may go but no Ready one; two unready, neither.
        expect(evictable(cluster.spec!, 6, 6)).to.deep.equal({ ready: true, unready: true });
        expect(evictable(cluster.spec!, 6, 5)).to.deep.equal({ ready: false, unready: true });
        expect(evictable(cluster.spec!, 6, 4)).to.deep.equal({ ready: false, unready: false });
    });
});
