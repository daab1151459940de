// The operator front door (seeds/002): a validated ValkeyCluster spec mapped into the one
// ServiceModel (sdk/spec/model.ts) with every default applied: a cluster topology, sizing from
// `resources`, the `backup` directives, and the capabilities (TLS, ACL, ipFilter, scheduling,
// exporter) under their model names.
import { IResourceRequirements } from "kubernetes-models/v1/ResourceRequirements";
import {
    DEFAULT_APPENDFSYNC,
    DEFAULT_AUTO_AOF_REWRITE_MIN_SIZE,
    DEFAULT_AUTO_AOF_REWRITE_PERCENTAGE,
    DEFAULT_MASTER_COUNT,
    DEFAULT_NAMESPACE,
    DEFAULT_REPLICAS_PER_MASTER,
    DEFAULT_SAVE_RULE,
    DEFAULT_STORAGE_SIZE,
    ValkeyClusterSpec,
} from "./cluster";
import { clusterImmutables } from "./immutable";
import { memoryBound } from "./kubernetes";
import {
    DEFAULT_CLUSTER_DOMAIN,
    DEFAULT_CONVERGE_TIMEOUT_SECONDS,
    DEFAULT_EXPORTER_IMAGE,
    DEFAULT_IMAGE,
    DEFAULT_POD_TIMEOUT_SECONDS,
    MAX_NAME_LENGTH,
    ServiceModel,
    dataNodes,
    normalizeIpFilter,
    tlsModel,
    schedulingOf,
} from "./service-model";

export { DEFAULT_EXPORTER_IMAGE } from "./service-model";
import { quantityValue } from "./quantity";
import { SpecError } from "./validate";

/**
 * Memory 1Gi (request = limit: the kernel never reclaims Valkey's memory, so a request below the
 * limit only invites eviction under node pressure); CPU 500m with a limit of 1 to absorb the
 * bursts of a fork or a full sync without throttling the main thread.
 */
export const DEFAULT_RESOURCES: IResourceRequirements = {
    requests: { cpu: "500m", memory: "1Gi" },
    limits: { cpu: "1", memory: "1Gi" },
};

const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
/** The value of a Kubernetes quantity ("1Gi", "512M", "500m", "1e9", "1073741824"), or undefined when not one. */
export function quantityBytes(quantity: string | number): number | undefined {
    return typeof quantity === "number" ? quantity : quantityValue(quantity);
}

function image(spec: { name: string; tag: string } | undefined, fallback: string): string {
    return spec === undefined ? fallback : `${spec.name}:${spec.tag}`;
}

/**
 * Builds the model of a spec that already passed its schema. Throws a SpecError for what depends
 * on the resource name (Kubernetes object names derive from it).
 */
export function buildClusterModel(name: string, spec: ValkeyClusterSpec): ServiceModel {
    if (name.length > MAX_NAME_LENGTH || !DNS_LABEL.test(name)) {
        throw new SpecError(`ValkeyCluster ${JSON.stringify(name)}`, [
            {
                path: "name",
                message: `resource name ${JSON.stringify(name)} must be a DNS label of at most ${MAX_NAME_LENGTH} characters (lowercase letters, digits and '-', starting with a letter), because Kubernetes object names derive from it`,
            },
        ]);
    }
    const masterCount = spec.masterCount ?? DEFAULT_MASTER_COUNT;
    const replicasPerMaster = spec.replicasPerMaster ?? DEFAULT_REPLICAS_PER_MASTER;
    const resources = spec.resources ?? DEFAULT_RESOURCES;
    // The schema guarantees a memory bound when resources are given; maxmemory follows the limit
    // (what the kernel enforces), else the request.
    const memory = memoryBound(resources)?.value ?? DEFAULT_RESOURCES.limits!.memory!;
    const memoryMiB = Math.max(32, Math.floor(quantityBytes(memory)! / 2 ** 20));
    const cpu = resources.requests?.cpu ?? resources.limits?.cpu;
    const cpuMillis = cpu === undefined ? 500 : Math.max(10, Math.round((quantityBytes(cpu) ?? 0.5) * 1000));
    const storageSize = spec.pvc?.storageSize ?? DEFAULT_STORAGE_SIZE;
    const storageClassName = spec.pvc?.storageClassName;
    const database = spec.backup?.database;
    const aof = spec.backup?.aof;
    const namespace = spec.namespace ?? DEFAULT_NAMESPACE;
    const topology = { kind: "cluster" as const, masterCount, replicasPerMaster };
    const tls = spec.tls;
    return {
        engine: "valkey",
        name,
        namespace,
        // The project becomes the `app.kubernetes.io/part-of` label; a cluster has no Aiven
        // project, so the namespace stands in for it.
        project: namespace,
        tags: spec.labels ?? {},
        technicalEmails: [],
        image: image(spec.valkeyImage, DEFAULT_IMAGE),
        imagePullSecrets: spec.valkeyImage?.imagePullSecrets ?? [],
        clusterDomain: DEFAULT_CLUSTER_DOMAIN,
        ...(spec.kubeconfig !== undefined ? { kubeconfig: spec.kubeconfig } : {}),
        topology,
        nodes: dataNodes(topology),
        sizing: { memoryMiB, cpuMillis, resources },
        persistence: {
            // Only decides whether a node forks (maxmemory headroom): the directives are explicit.
            mode: aof?.enabled === true ? "rdb_aof" : "rdb",
            directives: {
                save: database?.enabled === false ? "" : (database?.save ?? DEFAULT_SAVE_RULE),
                appendonly: aof?.enabled ?? false,
                appendfsync: aof?.appendfsync ?? DEFAULT_APPENDFSYNC,
                autoAofRewritePercentage: aof?.autoAofRewritePercentage ?? DEFAULT_AUTO_AOF_REWRITE_PERCENTAGE,
                autoAofRewriteMinSize: aof?.autoAofRewriteMinSize ?? DEFAULT_AUTO_AOF_REWRITE_MIN_SIZE,
            },
            diskGiB: Math.max(1, Math.ceil(quantityBytes(storageSize)! / 2 ** 30)),
            storageSize,
            ...(storageClassName !== undefined ? { storageClassName } : {}),
            retention: { whenDeleted: "Delete", whenScaled: spec.pvc?.whenScaled ?? "Retain" },
        },
        options: {},
        ...(tls !== undefined ? { tls: tlsModel(tls) } : {}),
        ...(spec.acl !== undefined ? { acl: spec.acl } : {}),
        ipFilter: normalizeIpFilter(spec.ipFilter),
        ...(spec.connInfoSecretTarget !== undefined
            ? {
                  connInfo: {
                      secretName: spec.connInfoSecretTarget.name,
                      prefix: spec.connInfoSecretTarget.prefix ?? "VALKEY_",
                      annotations: spec.connInfoSecretTarget.annotations ?? {},
                      labels: spec.connInfoSecretTarget.labels ?? {},
                  },
              }
            : {}),
        // Cluster clients follow MOVED redirects to each node's own address, which a single
        // LoadBalancer cannot give: no public or private access in this version.
        publicAccess: false,
        privateAccess: false,
        serviceAnnotations: spec.serviceAnnotations ?? {},
        scheduling: schedulingOf(spec),
        ...(spec.exporter?.enabled === true
            ? { exporter: { image: image(spec.exporter.image, DEFAULT_EXPORTER_IMAGE), imagePullSecrets: spec.exporter.image?.imagePullSecrets ?? [] } }
            : {}),
        maintenance: {
            ...(spec.maintenanceWindowDow !== undefined ? { dow: spec.maintenanceWindowDow } : {}),
            ...(spec.maintenanceWindowTime !== undefined ? { time: spec.maintenanceWindowTime } : {}),
            ...(spec.applyDisruptiveChangesNow === true ? { force: true } : {}),
        },
        timeouts: {
            convergeSeconds: spec.timeoutSeconds ?? DEFAULT_CONVERGE_TIMEOUT_SECONDS,
            podSeconds: spec.podTimeoutSeconds ?? DEFAULT_POD_TIMEOUT_SECONDS,
        },
        terminationProtection: false,
        unmapped: [],
        immutable: clusterImmutables(spec),
    };
}
