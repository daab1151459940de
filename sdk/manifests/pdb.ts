// The PodDisruptionBudget of the data pods: voluntary evictions (node drains, cluster upgrades,
// autoscaler scale-downs) take at most one Valkey pod at a time.
//
// How the eviction API reads it (kubernetes pkg/registry/core/pod/storage/eviction.go): a Ready
// pod may go while currentHealthy - desiredHealthy > 0; a pod that is not Ready may always go
// with unhealthyPodEvictionPolicy AlwaysAllow, and with IfHealthyBudget only while the budget
// holds (currentHealthy >= desiredHealthy > 0). "Healthy" is the pod's Ready condition, nothing else.
import { IPodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { ServiceModel } from "../spec/service-model";
import { PodComponent, objectMeta, selectorLabels } from "./labels";
import { objectNames } from "./names";

/** Exactly one of maxUnavailable and minAvailable, and what becomes of pods that are not Ready. */
export interface DisruptionBudget {
    readonly maxUnavailable?: number;
    readonly minAvailable?: number;
    readonly unhealthyPodEvictionPolicy: "AlwaysAllow" | "IfHealthyBudget";
}

/**
 * The budget's numbers for `component`'s pods:
 *
 * - One pod (a 1-node plan): maxUnavailable 1, AlwaysAllow. Not minAvailable 1, which allows zero
 *   disruptions, so `kubectl drain` and every managed node upgrade would wait forever on the pod;
 *   and an unready single pod may move too (IfHealthyBudget would keep it, desiredHealthy being 0):
 *   there is no second copy to protect.
 * - Cluster nodes, Sentinels, and any other set of pods that are all Ready when healthy:
 *   maxUnavailable 1, IfHealthyBudget. One unready pod may still be evicted (the budget holds with
 *   the others); a second one may not: an unready Valkey pod is often one that is loading its
 *   dataset or resyncing, and evicting it together with another loses the redundancy a drain must
 *   keep. AlwaysAllow let a drain evict every pod at once whenever they were all unready, which a
 *   probe that cannot authenticate (`acl.defaultUser: "off"` before the probe user, issue 11,
 *   finding 7) made permanent.
 * - The data pods of a Sentinel plan: minAvailable 1, IfHealthyBudget. Only the primary is ever
 *   Ready (primary-only readiness, ha.ts), so maxUnavailable 1 would ask for N-1 Ready pods: with
 *   IfHealthyBudget no premium pod could ever be evicted, with AlwaysAllow every replica always
 *   could, even during a failover when no pod is Ready. minAvailable 1 never evicts a Ready primary
 *   (a drain waits for a handoff, as it did) and evicts replicas only while a primary is Ready.
 *   It cannot keep two replicas from going together while one is: the PDB sees no difference
 *   between a healthy replica and a broken one, since neither is Ready.
 */
export function disruptionBudget(model: ServiceModel, component: PodComponent): DisruptionBudget {
    if (component === "server" && model.topology.kind === "sentinel") return { minAvailable: 1, unhealthyPodEvictionPolicy: "IfHealthyBudget" };
    if (component === "server" && model.nodes === 1) return { maxUnavailable: 1, unhealthyPodEvictionPolicy: "AlwaysAllow" };
    return { maxUnavailable: 1, unhealthyPodEvictionPolicy: "IfHealthyBudget" };
}

/**
 * The PodDisruptionBudget of the data pods (`<name>`), or of the Sentinel pods (`<name>-sentinel`)
 * for `component` "sentinel", where one Sentinel away still leaves a quorum of 2 of 3; the
 * numbers as disruptionBudget says.
 * @param component @default "server"
 */
export function buildPodDisruptionBudget(model: ServiceModel, component: PodComponent = "server"): IPodDisruptionBudget {
    const names = objectNames(model);
    return {
        apiVersion: "policy/v1",
        kind: "PodDisruptionBudget",
        metadata: objectMeta(model, component === "sentinel" ? names.sentinel : names.podDisruptionBudget, component),
        spec: {
            ...disruptionBudget(model, component),
            selector: { matchLabels: selectorLabels(model, component) },
        },
    };
}
