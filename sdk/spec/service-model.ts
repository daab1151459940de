// The one service model: what Valkey, Redis (the Aiven front door, sdk/spec/model.ts) and
// ValkeyCluster (the operator front door, sdk/spec/cluster-model.ts) deploy, resolved into what the
// renderer (sdk/config), the builders (sdk/manifests), the credentials and the components need. It
// says what runs (topology), how big (sizing), what survives a restart (persistence), and the
// capabilities every topology can have (TLS, ACL, allow-list, connection Secret, exposure,
// scheduling, exporter). Front-door naming ends here: downstream code never sees `valkey_*` /
// `redis_*` keys, plans or `masterCount`, and decides by `topology.kind` and capability fields,
// never by which front door built the model.
import { INodeAffinity } from "kubernetes-models/v1/NodeAffinity";
import { IPodAffinity } from "kubernetes-models/v1/PodAffinity";
import { IPodAntiAffinity } from "kubernetes-models/v1/PodAntiAffinity";
import { IPodSecurityContext } from "kubernetes-models/v1/PodSecurityContext";
import { IResourceRequirements } from "kubernetes-models/v1/ResourceRequirements";
import { IToleration } from "kubernetes-models/v1/Toleration";
import { ITopologySpreadConstraint } from "kubernetes-models/v1/TopologySpreadConstraint";
import type { PersistenceRenderOptions, TlsRenderOptions } from "../config/directives";
import type { ImmutableField } from "./changes";
import type { PersistenceMode } from "./plans";
import { AclSpec, TlsSpec, certificatePolicy, tlsRenderOptions } from "./security";

export type Engine = "valkey" | "redis";

/**
 * How the data nodes are arranged. standalone: one node. sentinel: a primary and `replicas`
 * replicas, with Sentinels that fail over. cluster: `masterCount` shards, each a primary with
 * `replicasPerMaster` replicas, in Valkey cluster mode.
 */
export type Topology =
    | { readonly kind: "standalone" }
    | { readonly kind: "sentinel"; readonly replicas: number }
    | { readonly kind: "cluster"; readonly masterCount: number; readonly replicasPerMaster: number };

/** The number of data pods of a topology. */
export function dataNodes(topology: Topology): number {
    switch (topology.kind) {
        case "standalone":
            return 1;
        case "sentinel":
            return 1 + topology.replicas;
        case "cluster":
            return topology.masterCount * (1 + topology.replicasPerMaster);
    }
}

/** Words for a topology, for file headers and messages. */
export function describeTopology(topology: Topology): string {
    switch (topology.kind) {
        case "standalone":
            return "standalone";
        case "sentinel":
            return `a primary and ${topology.replicas} ${topology.replicas === 1 ? "replica" : "replicas"} with Sentinel`;
        case "cluster":
            return `a cluster of ${topology.masterCount} shards with ${topology.replicasPerMaster} ${topology.replicasPerMaster === 1 ? "replica" : "replicas"} each`;
    }
}

/** Engine tuning (the Aiven userConfig without the engine prefix); every field unset: the defaults of sdk/config. */
export interface ServiceOptions {
    readonly aclChannelsDefault?: "allchannels" | "resetchannels";
    readonly ioThreads?: number;
    readonly lfuDecayTime?: number;
    readonly lfuLogFactor?: number;
    readonly maxmemoryPolicy?: string;
    readonly notifyKeyspaceEvents?: string;
    readonly numberOfDatabases?: number;
    /** userConfig `*_persistence`: "off" or "rdb" (persistence.mode already reflects it). */
    readonly persistence?: "off" | "rdb";
    /** Hard limit in MB; the soft limit is a quarter of it. */
    readonly pubsubClientOutputBufferLimitMB?: number;
    readonly timeout?: number;
    readonly frequentSnapshots?: boolean;
    readonly backupHour?: number;
    readonly backupMinute?: number;
}

/** How much each data node gets. */
export interface Sizing {
    /** Memory per node in MiB: maxmemory derives from it. */
    readonly memoryMiB: number;
    /** CPU per node in millicores. */
    readonly cpuMillis: number;
    /** The valkey container's requests and limits. */
    readonly resources: IResourceRequirements;
    /** The Aiven plan the sizing came from (for file headers and messages); undefined: sized by resources. */
    readonly plan?: string;
}

/** What survives a restart, and the disk it lives on. */
export interface Persistence {
    /** How the data survives a restart (decides forking headroom and the default directives). */
    readonly mode: PersistenceMode;
    /** Explicit persistence directives, replacing what `mode` implies; undefined: derived from mode and options.frequentSnapshots. */
    readonly directives?: PersistenceRenderOptions;
    /** Disk per node in GiB, rounded up; 0: no PVC (an emptyDir, data lost on restart). */
    readonly diskGiB: number;
    /** The PVC request (e.g. "10Gi", "30Gi", "512Mi" kept as written); undefined when diskGiB is 0. */
    readonly storageSize?: string;
    /** undefined: the cluster's default StorageClass. */
    readonly storageClassName?: string;
    /** The StatefulSet's persistentVolumeClaimRetentionPolicy (whenDeleted follows terminationProtection). */
    readonly retention: { readonly whenDeleted: "Retain" | "Delete"; readonly whenScaled: "Retain" | "Delete" };
}

/** TLS on every listener of the service. */
export interface TlsModel {
    /**
     * Where the certificates come from: `internal`, a CA and certificates issued with @pulumi/tls
     * (caValidityHours undefined: the credentials' default); `external`, the user's Secret
     * (tls.crt, tls.key, ca.crt), mounted in place of `<name>-tls`.
     */
    readonly certificates:
        | { readonly kind: "internal"; readonly validityHours: number; readonly caValidityHours?: number; readonly rotateBeforePercent: number }
        | { readonly kind: "external"; readonly secretName: string };
    /** Clients must present a certificate (mTLS); with internal certificates a client certificate is issued. */
    readonly mutual: boolean;
    /** The renderer's listener settings; undefined: the defaults of TlsRenderOptions. */
    readonly render?: TlsRenderOptions;
}

export interface ConnInfoTarget {
    /** @default the resource name */
    readonly secretName: string;
    /** @default "VALKEY_" or "REDIS_" */
    readonly prefix: string;
    readonly annotations: Readonly<Record<string, string>>;
    readonly labels: Readonly<Record<string, string>>;
}

/**
 * Where the pods may run, and as whom. Every field reaches the data pods. The Sentinel pods of a
 * sentinel topology get the pool-level ones too (tolerations, nodeSelector, priorityClassName,
 * podAnnotations): a Sentinel that cannot schedule on the data pods' tainted or dedicated pool, or
 * that a lower priority lets be preempted first, leaves the primary without failover. The affinities,
 * spread constraints and security context stay the data pods': they are written against the data
 * pods (their labels, their uid), and the Sentinels keep their own spreading.
 */
export interface Scheduling {
    /** Empty: none. */
    readonly tolerations: readonly IToleration[];
    /** Node labels the pods require; empty: none. */
    readonly nodeSelector: Readonly<Record<string, string>>;
    /** Replaces the region preference of cloudName; undefined: that preference, if any. */
    readonly nodeAffinity?: INodeAffinity;
    readonly podAffinity?: IPodAffinity;
    /** Replaces the default preferred spreading over hosts; undefined: that default. */
    readonly podAntiAffinity?: IPodAntiAffinity;
    /**
     * As written; a constraint without a labelSelector gets the data pods' selector labels when
     * rendered (sdk/manifests/pod.ts), since one that selects nothing spreads nothing. Empty: none.
     */
    readonly topologySpreadConstraints: readonly ITopologySpreadConstraint[];
    /** undefined: none (the cluster's global default PriorityClass, else priority 0). */
    readonly priorityClassName?: string;
    /** Pod template annotations, under the package's own (never a `pulumi-valkey/` key); empty: none. */
    readonly podAnnotations: Readonly<Record<string, string>>;
    /** Merged over the restricted default pod security context; runAsUser/runAsGroup also reach the containers. */
    readonly securityContext?: IPodSecurityContext;
}

/** Scheduling with nothing set: the pods' placement as the builders' defaults make it. */
export const DEFAULT_SCHEDULING: Scheduling = { tolerations: [], nodeSelector: {}, topologySpreadConstraints: [], podAnnotations: {} };

/** The redis_exporter sidecar of every data pod. */
export interface ExporterModel {
    readonly image: string;
    readonly imagePullSecrets: readonly string[];
}

/** A spec field accepted and validated but without a Kubernetes meaning here. */
export interface UnmappedField {
    readonly path: string;
    /** JSON of the value, with credentials removed. */
    readonly value: string;
}

export interface ServiceModel {
    // Identity.
    readonly engine: Engine;
    /** The Pulumi resource name; every Kubernetes object name derives from it. */
    readonly name: string;
    readonly namespace: string;
    /** The `app.kubernetes.io/part-of` and `pulumi-valkey/project` labels: the Aiven project; for ValkeyCluster its namespace. */
    readonly project: string;
    /** A label and a preferred region; undefined: neither. */
    readonly cloudName?: string;
    /** Labels of every object. */
    readonly tags: Readonly<Record<string, string>>;
    readonly technicalEmails: readonly string[];
    readonly image: string;
    readonly imagePullSecrets: readonly string[];
    readonly clusterDomain: string;
    /** Explicit kubeconfig contents (secret); undefined: the ambient one. */
    readonly kubeconfig?: string;

    readonly topology: Topology;
    /** dataNodes(topology): the data pods. */
    readonly nodes: number;
    readonly sizing: Sizing;
    readonly persistence: Persistence;
    readonly options: ServiceOptions;

    // Capabilities, independent of the topology.
    /** undefined: no TLS. */
    readonly tls?: TlsModel;
    /** ACL users; undefined: the default user only. */
    readonly acl?: AclSpec;
    /** The allow-list of client networks; empty: every source. */
    readonly ipFilter: ReadonlyArray<{ readonly network: string; readonly description?: string }>;
    /** The connection Secret for applications; undefined: none. */
    readonly connInfo?: ConnInfoTarget;
    /** A LoadBalancer Service `<name>-public`. */
    readonly publicAccess: boolean;
    /** An internal LoadBalancer Service `<name>-private`. */
    readonly privateAccess: boolean;
    /** Annotations of the client-facing Services. */
    readonly serviceAnnotations: Readonly<Record<string, string>>;
    readonly scheduling: Scheduling;
    /** undefined: no exporter sidecar. */
    readonly exporter?: ExporterModel;
    /**
     * When restarts may run (UTC); `force`: at once regardless; `allowDataLoss`: also pods without a
     * disk (kubernetes.allowDataLossOnRestart).
     */
    readonly maintenance: { readonly dow?: string; readonly time?: string; readonly force?: boolean; readonly allowDataLoss?: boolean };
    /**
     * How long the provider waits: `convergeSeconds` for the nodes to converge and verify (per run,
     * and per restarted pod in a rollout), `podSeconds` for a pod to run (create, scale-out, a
     * restart: image pulls and volume provisioning included, since Pulumi does not wait for the
     * StatefulSet). A dynamic provider never sees `customTimeouts`, so these are fields.
     */
    readonly timeouts: { readonly convergeSeconds: number; readonly podSeconds: number };
    /** The data (StatefulSet, PVCs) is protected from deletion. */
    readonly terminationProtection: boolean;
    readonly unmapped: readonly UnmappedField[];
    /** What the change rules compare (sdk/spec/changes.ts), by spec path, with the values in effect (sdk/spec/immutable.ts). */
    readonly immutable: Readonly<Record<string, ImmutableField>>;
}

/** A pinned Valkey 8 image (the engine the tests run against is 8.0). */
export const DEFAULT_IMAGE = "docker.io/valkey/valkey:8.0.2-bookworm";
/**
 * A pinned redis_exporter (oliver006/redis_exporter, which speaks to Valkey as to Redis). The
 * sidecar needs its REDIS_PASSWORD_FILE (exporter/pwd_file.go, since v1.15.1): an image older than
 * that would scrape unauthenticated.
 */
export const DEFAULT_EXPORTER_IMAGE = "docker.io/oliver006/redis_exporter:v1.67.0";
/** Kubernetes' default cluster domain. */
export const DEFAULT_CLUSTER_DOMAIN = "cluster.local";
/** Object names derive from the resource name; `<name>-sentinel-<hash>` must stay within 63. */
export const MAX_NAME_LENGTH = 40;
/** Where unmapped fields are recorded. */
export const ANNOTATION_PREFIX = "pulumi-valkey";

/** An allow-list as both front doors write it (CIDR strings or objects), as the model's `{ network, description? }` list. */
export function normalizeIpFilter(
    entries: ReadonlyArray<string | { readonly network: string; readonly description?: string }> | undefined,
): ServiceModel["ipFilter"] {
    return (entries ?? []).map((e) => (typeof e === "string" ? { network: e } : { ...e }));
}

/** The scheduling fields as both front doors write them (ValkeyCluster at the top, Valkey/Redis under `kubernetes`). */
export interface SchedulingFields {
    readonly tolerations?: readonly IToleration[];
    readonly nodeSelector?: Readonly<Record<string, string>>;
    readonly nodeAffinity?: INodeAffinity;
    readonly podAffinity?: IPodAffinity;
    readonly podAntiAffinity?: IPodAntiAffinity;
    readonly topologySpreadConstraints?: readonly ITopologySpreadConstraint[];
    readonly priorityClassName?: string;
    readonly podAnnotations?: Readonly<Record<string, string>>;
    readonly securityContext?: IPodSecurityContext;
}

/** The model's scheduling from a front door's validated fields; every field unset: DEFAULT_SCHEDULING. */
export function schedulingOf(fields: SchedulingFields | undefined): Scheduling {
    const f = fields ?? {};
    return {
        tolerations: [...(f.tolerations ?? [])],
        nodeSelector: { ...f.nodeSelector },
        ...(f.nodeAffinity !== undefined ? { nodeAffinity: f.nodeAffinity } : {}),
        ...(f.podAffinity !== undefined ? { podAffinity: f.podAffinity } : {}),
        ...(f.podAntiAffinity !== undefined ? { podAntiAffinity: f.podAntiAffinity } : {}),
        topologySpreadConstraints: [...(f.topologySpreadConstraints ?? [])],
        ...(f.priorityClassName !== undefined ? { priorityClassName: f.priorityClassName } : {}),
        podAnnotations: { ...f.podAnnotations },
        ...(f.securityContext !== undefined ? { securityContext: f.securityContext } : {}),
    };
}

/** The provider's default wait for the nodes to converge and verify (ValkeyTopology timeoutSeconds). */
export const DEFAULT_CONVERGE_TIMEOUT_SECONDS = 300;
/** The provider's default wait for a pod to run. */
export const DEFAULT_POD_TIMEOUT_SECONDS = 600;

/** The TLS capability of a validated TLS spec (ValkeyCluster `tls`, Valkey/Redis `kubernetes.tls`). */
export function tlsModel(tls: TlsSpec): TlsModel {
    const policy = certificatePolicy(tls);
    return {
        certificates: policy !== undefined ? { kind: "internal", ...policy } : { kind: "external", secretName: tls.externalCerts! },
        mutual: tls.tlsAuthClients === true,
        render: tlsRenderOptions(tls),
    };
}
