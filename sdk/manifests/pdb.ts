// The PodDisruptionBudget of the data pods: voluntary evictions (node drains, cluster upgrades,
// autoscaler scale-downs) take at most one Valkey pod at a time.
import { IPodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { ServiceModel } from "../spec/model";
import { PodComponent, objectMeta, selectorLabels } from "./labels";
import { objectNames } from "./names";

/**
 * The PodDisruptionBudget with maxUnavailable 1 of the data pods (`<name>`), or of the Sentinel
 * pods (`<name>-sentinel`) for `component` "sentinel", where one Sentinel away still leaves a
 * quorum of 2 of 3.
 *
 * Not minAvailable: for a 1-node plan, minAvailable 1 allows zero disruptions, so `kubectl drain`
 * and every managed node upgrade would wait forever on the Valkey pod. maxUnavailable 1 lets the
 * single pod move (the brief outage a 1-node plan accepts) and, for plans with replicas, still
 * never evicts two of them at once. Unhealthy pods may always be evicted: a crash-looping pod
 * protects nothing, and counting it would block the drain of every healthy one.
 * @param component @default "server"
 */
export function buildPodDisruptionBudget(model: ServiceModel, component: PodComponent = "server"): IPodDisruptionBudget {
    const names = objectNames(model);
    return {
        apiVersion: "policy/v1",
        kind: "PodDisruptionBudget",
        metadata: objectMeta(model, component === "sentinel" ? names.sentinel : names.podDisruptionBudget, component),
        spec: {
            maxUnavailable: 1,
            selector: { matchLabels: selectorLabels(model, component) },
            unhealthyPodEvictionPolicy: "AlwaysAllow",
        },
    };
}
