// userConfig.ip_filter as a NetworkPolicy on the data pods, and on the Sentinel pods (DESIGN.md).
import { INetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { INetworkPolicyPeer } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer";
import { INetworkPolicyPort } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicyPort";
import { ServiceModel } from "../spec/service-model";
import { canonicalCidrs } from "./cidr";
import { MANAGED_BY, PodComponent, objectMeta, selectorLabels } from "./labels";
import { METRICS_PORT } from "./exporter";
import { CLUSTER_BUS_PORT, SENTINEL_PORT, VALKEY_PORT, objectNames } from "./names";

/**
 * Who may reach a client-facing port (6379, Sentinel's 26379, the exporter's 9121): exactly the
 * ip_filter CIDRs, or undefined (no `from`: every source) without an ip_filter. One rule for
 * every such port, so no port is more open than the data port (issue 11: 9121 admitted everyone).
 */
export function clientSources(model: ServiceModel): INetworkPolicyPeer[] | undefined {
    const cidrs = canonicalCidrs(model.ipFilter.map((e) => e.network));
    return cidrs.length > 0 ? cidrs.map((cidr) => ({ ipBlock: { cidr } })) : undefined;
}

/**
 * The NetworkPolicy isolating the data pods, `<name>`, or for `component` "sentinel" the Sentinel
 * pods, `<name>-sentinel` (ingress only; egress stays open for replication, DNS and migration).
 * It admits:
 * 1. on the client port (6379; for Sentinel 26379, since clients ask a Sentinel for the primary),
 *    exactly the ip_filter CIDRs (host bits cleared, each once, in spec order). With no
 *    ip_filter, every source, as Aiven's default 0.0.0.0/0: the rule then has no `from` rather
 *    than 0.0.0.0/0 and ::/0 ipBlocks, because whether ipBlocks match in-cluster pod addresses is
 *    implementation-defined, and a default must admit the cluster's own applications. With an
 *    ip_filter, in-cluster clients are admitted only when their pod addresses are inside it, as
 *    every Aiven client is subject to ip_filter.
 * 2. the service's own pods (same namespace, `app.kubernetes.io/instance` = the resource name and
 *    managed by pulumi-valkey: data and Sentinel pods) on 6379, the cluster bus 16379 and the
 *    Sentinel port 26379 (in a cluster topology 6379 and 16379: it has no Sentinels), so
 *    replication, failover and the cluster bus never depend on ip_filter.
 * 3. with the exporter (data pods), scrapers on 9121 from exactly the sources of 6379: its
 *    /scrape endpoint connects wherever a caller asks and serves the node's metrics, so it is no
 *    more open than the data port.
 * The provider reaches the pods through port-forward, which NetworkPolicies do not apply to.
 * @param component @default "server"
 */
export function buildNetworkPolicy(model: ServiceModel, component: PodComponent = "server"): INetworkPolicy {
    const names = objectNames(model);
    const clientPort = component === "sentinel" ? SENTINEL_PORT : VALKEY_PORT;
    const from = clientSources(model);
    const tcp = (port: number): INetworkPolicyPort => ({ protocol: "TCP", port });
    const ownPorts = model.topology.kind === "cluster" ? [VALKEY_PORT, CLUSTER_BUS_PORT] : [VALKEY_PORT, CLUSTER_BUS_PORT, SENTINEL_PORT];
    const metrics = component === "server" && model.exporter !== undefined ? [{ ports: [tcp(METRICS_PORT)], ...(from !== undefined ? { from } : {}) }] : [];
    return {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: objectMeta(model, component === "sentinel" ? names.sentinel : names.networkPolicy, component),
        spec: {
            podSelector: { matchLabels: selectorLabels(model, component) },
            policyTypes: ["Ingress"],
            ingress: [
                {
                    ports: [tcp(clientPort)],
                    ...(from !== undefined ? { from } : {}),
                },
                {
                    ports: ownPorts.map(tcp),
                    from: [
                        {
                            podSelector: {
                                matchLabels: {
                                    "app.kubernetes.io/instance": model.name,
                                    "app.kubernetes.io/managed-by": MANAGED_BY,
                                },
                            },
                        },
                    ],
                },
                ...metrics,
            ],
        },
    };
}
