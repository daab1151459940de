// The PodDisruptionBudget of the data pods: voluntary evictions (node drains, cluster upgrades,
// autoscaler scale-downs) take at most one Valkey pod at a time.
import { IPodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { ServiceModel } from "../spec/model";
import { objectMeta, selectorLabels } from "./labels";
import { objectNames } from "./names";

/**
 * The PodDisruptionBudget `<name>` with maxUnavailable 1.
 *
 * Not minAvailable: for a 1-node plan, minAvailable 1 allows zero disruptions, so `kubectl drain`
 * and every managed node upgrade would wait forever on the Valkey pod. maxUnavailable 1 lets the
 * single pod move (the brief outage a 1-node plan accepts) and, for plans with replicas, still
 * never evicts two of them at once. Unhealthy pods may always be evicted: a crash-looping pod
 * protects nothing, and counting it would block the drain of every healthy one.
 */
export function buildPodDisruptionBudget(model: ServiceModel): IPodDisruptionBudget {
    return {
        apiVersion: "policy/v1",
        kind: "PodDisruptionBudget",
        metadata: objectMeta(model, objectNames(model).podDisruptionBudget, "server"),
        spec: {
            maxUnavailable: 1,
            selector: { matchLabels: selectorLabels(model) },
            unhealthyPodEvictionPolicy: "AlwaysAllow",
        },
    };
}
