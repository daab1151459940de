// The Services in front of the data pods (seeds/004): a ClusterIP Service for clients, a headless
// Service for per-pod DNS names, and LoadBalancers for userConfig public_access / private_access.
import { IService } from "kubernetes-models/v1/Service";
import { IServicePort } from "kubernetes-models/v1/ServicePort";
import { ServiceModel } from "../spec/service-model";
import { canonicalCidrs } from "./cidr";
import { PodComponent, commonAnnotations, objectMeta, selectorLabels } from "./labels";
import { METRICS_PORT } from "./exporter";
import { CLUSTER_BUS_PORT, SENTINEL_PORT, VALKEY_PORT, objectNames } from "./names";

/**
 * Annotations that make the cloud controllers of AWS (in-tree and the AWS Load Balancer
 * Controller), GKE and AKS provision an internal load balancer. Each controller ignores the
 * others', so one set serves every cluster.
 */
export const INTERNAL_LOAD_BALANCER_ANNOTATIONS: Readonly<Record<string, string>> = {
    "service.beta.kubernetes.io/aws-load-balancer-internal": "true",
    "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
    "networking.gke.io/load-balancer-type": "Internal",
    "service.beta.kubernetes.io/azure-load-balancer-internal": "true",
};

// Pulumi waits for a LoadBalancer Service to get an ingress address, and fails after 10 minutes
// when none comes: clusters without a load-balancer controller (kind, bare metal, the test control
// plane) never assign one. The service works without it (clients inside the cluster use `<name>`),
// so `pulumi up` must not hang on it. (Also the client Service of Sentinel plans: see buildClientService.)
const SKIP_AWAIT = { "pulumi.com/skipAwait": "true" } as const;

/** The port each kind of pod serves, named as the container names it. */
const SERVICE_PORTS: Readonly<Record<PodComponent, IServicePort>> = {
    server: { name: "valkey", port: VALKEY_PORT, targetPort: "valkey", protocol: "TCP" },
    sentinel: { name: "sentinel", port: SENTINEL_PORT, targetPort: "sentinel", protocol: "TCP" },
};

/**
 * The ClusterIP Service clients connect to: `<name>` on port 6379 ("valkey"), carrying
 * `model.serviceAnnotations`; for `component` "sentinel", `<name>-sentinel` on 26379 ("sentinel").
 * On a Sentinel plan `<name>` is not awaited either: only the primary is ever Ready
 * (sdk/manifests/ha.ts), and Pulumi waits for a Service to have no unready endpoint, which the
 * replicas always are. The topology resource verifies the primary instead.
 * @param component @default "server"
 */
export function buildClientService(model: ServiceModel, component: PodComponent = "server"): IService {
    const names = objectNames(model);
    const sentinel = component === "sentinel";
    const metadata = objectMeta(model, sentinel ? names.sentinel : names.clientService, component);
    const skipAwait = !sentinel && model.topology.kind === "sentinel" ? SKIP_AWAIT : {};
    return {
        apiVersion: "v1",
        kind: "Service",
        metadata: sentinel ? metadata : { ...metadata, annotations: { ...metadata.annotations, ...model.serviceAnnotations, ...skipAwait } },
        spec: { type: "ClusterIP", selector: selectorLabels(model, component), ports: [SERVICE_PORTS[component]] },
    };
}

/**
 * The headless Service (the StatefulSet's serviceName) that gives each pod the DNS name
 * `<pod>.<service>.<namespace>.svc.<clusterDomain>`: `<name>-headless`, or
 * `<name>-sentinel-headless` for `component` "sentinel". Not-ready pods are published too, because
 * replicas and Sentinels must find a primary that is still starting. The data pods' Service also
 * has the cluster bus 16379 in a cluster topology, and 9121 with the exporter.
 * @param component @default "server"
 */
export function buildHeadlessService(model: ServiceModel, component: PodComponent = "server"): IService {
    const names = objectNames(model);
    return {
        apiVersion: "v1",
        kind: "Service",
        metadata: objectMeta(model, component === "sentinel" ? names.sentinelHeadlessService : names.headlessService, component),
        spec: {
            type: "ClusterIP",
            clusterIP: "None",
            publishNotReadyAddresses: true,
            selector: selectorLabels(model, component),
            ports: [
                SERVICE_PORTS[component],
                ...(component === "server" && model.topology.kind === "cluster"
                    ? [{ name: "cluster-bus", port: CLUSTER_BUS_PORT, targetPort: "cluster-bus", protocol: "TCP" as const }]
                    : []),
                ...(component === "server" && model.exporter !== undefined
                    ? [{ name: "metrics", port: METRICS_PORT, targetPort: "metrics", protocol: "TCP" as const }]
                    : []),
            ],
        },
    };
}

function loadBalancer(model: ServiceModel, name: string, extraAnnotations: Readonly<Record<string, string>>): IService {
    const sourceRanges = canonicalCidrs(model.ipFilter.map((e) => e.network));
    return {
        apiVersion: "v1",
        kind: "Service",
        metadata: {
            ...objectMeta(model, name, "server"),
            // The user's serviceAnnotations come last so they can override ours.
            annotations: { ...commonAnnotations(model), ...SKIP_AWAIT, ...extraAnnotations, ...model.serviceAnnotations },
        },
        spec: {
            type: "LoadBalancer",
            selector: selectorLabels(model),
            ports: [SERVICE_PORTS.server],
            // Local keeps the client's source address, which the NetworkPolicy's ipBlocks match
            // against; with Cluster, traffic arrives from node addresses and ip_filter would
            // refuse every external client.
            externalTrafficPolicy: "Local",
            // The cloud firewall enforces ip_filter too, before traffic reaches a node.
            ...(sourceRanges.length > 0 ? { loadBalancerSourceRanges: sourceRanges } : {}),
        },
    };
}

/**
 * The LoadBalancer Services for userConfig public_access / private_access: `<name>-public` when
 * `model.publicAccess`, `<name>-private` (an internal load balancer, see
 * INTERNAL_LOAD_BALANCER_ANNOTATIONS) when `model.privateAccess`, in that order; empty when
 * neither is set. Both get `pulumi.com/skipAwait`, `model.serviceAnnotations`, and the ip_filter
 * CIDRs as loadBalancerSourceRanges (none: open to all, as Aiven's default 0.0.0.0/0).
 */
export function buildExternalServices(model: ServiceModel): IService[] {
    const names = objectNames(model);
    const services: IService[] = [];
    if (model.publicAccess) services.push(loadBalancer(model, names.publicService, {}));
    if (model.privateAccess) services.push(loadBalancer(model, names.privateService, INTERNAL_LOAD_BALANCER_ANNOTATIONS));
    return services;
}
