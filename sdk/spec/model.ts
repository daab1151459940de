// The one service model: what Valkey, Redis (the Aiven front door, buildModel below) and
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
import type { PersistenceRenderOptions, TlsRenderOptions } from "../config/directives";
import { IpFilterEntry, RedisSpec, ValkeySpec } from "./aiven";
import type { ImmutableField } from "./changes";
import { serviceImmutables } from "./immutable";
import { PersistenceMode, Plan, getPlan, hasPlan, planNames } from "./plans";
import type { AclSpec } from "./security";
import { DEFAULT_CERT_VALIDITY, DEFAULT_ROTATE_BEFORE_PERCENT, durationHours } from "./security";
import { SpecError, SpecIssue } from "./validate";

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

/**
 * What an Aiven plan means as a topology: 1 node standalone; a sentinel plan a primary and
 * nodes - 1 replicas; a cluster plan `shards` primaries with nodes / shards - 1 replicas each.
 */
export function planTopology(plan: Plan): Topology {
    if (plan.topology === "cluster") {
        const shards = plan.shards ?? plan.nodes;
        return { kind: "cluster", masterCount: shards, replicasPerMaster: plan.nodes / shards - 1 };
    }
    if (plan.topology === "sentinel" || plan.nodes > 1) return { kind: "sentinel", replicas: plan.nodes - 1 };
    return { kind: "standalone" };
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

/** Where the data pods may run, and as whom. */
export interface Scheduling {
    readonly tolerations: readonly IToleration[];
    /** Replaces the region preference of cloudName; undefined: that preference, if any. */
    readonly nodeAffinity?: INodeAffinity;
    readonly podAffinity?: IPodAffinity;
    /** Replaces the default preferred spreading over hosts; undefined: that default. */
    readonly podAntiAffinity?: IPodAntiAffinity;
    /** Merged over the restricted default pod security context; runAsUser/runAsGroup also reach the containers. */
    readonly securityContext?: IPodSecurityContext;
}

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
    /** The data (StatefulSet, PVCs) is protected from deletion. */
    readonly terminationProtection: boolean;
    readonly unmapped: readonly UnmappedField[];
    /** The fields that cannot change after creation, by spec path, with the values in effect (sdk/spec/immutable.ts). */
    readonly immutable: Readonly<Record<string, ImmutableField>>;
}

/** A pinned Valkey 8 image (the engine the tests run against is 8.0). */
export const DEFAULT_IMAGE = "docker.io/valkey/valkey:8.0.2-bookworm";
/** Kubernetes' default cluster domain. */
export const DEFAULT_CLUSTER_DOMAIN = "cluster.local";
/** Object names derive from the resource name; `<name>-sentinel-<hash>` must stay within 63. */
export const MAX_NAME_LENGTH = 40;
/** Where unmapped fields are recorded. */
export const ANNOTATION_PREFIX = "pulumi-valkey";

const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

// Fields without a Kubernetes meaning: accepted, validated, recorded, warned about once.
const UNMAPPED_TOP = ["authSecretRef", "projectVPCRef", "projectVpcId", "serviceIntegrations"] as const;
const UNMAPPED_USER_CONFIG = [
    "additional_backup_regions",
    "backup_hour",
    "backup_minute",
    "migration",
    "privatelink_access",
    "project_to_fork_from",
    "recovery_basebackup_name",
    "service_log",
    "service_to_fork_from",
    "static_ips",
    "redis_version",
] as const;

function redact(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(redact);
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(
            Object.entries(value as Record<string, unknown>)
                .filter(([k]) => !/pass|secret|token/i.test(k))
                .map(([k, v]) => [k, redact(v)]),
        );
    }
    return value;
}

// CPU limit = request x this. Valkey's main thread is latency-sensitive and CFS throttling at the
// request would stall it during the bursts that matter (loading the dataset at start-up, the RDB
// fork, an AOF rewrite). No limit at all would let one service starve its neighbours and is
// refused by namespaces whose LimitRange or ResourceQuota requires limits. Twice the request
// absorbs the bursts and still bounds the neighbour impact.
const CPU_LIMIT_FACTOR = 2;

/** A plan's container resources: memory request = limit = the plan's memory; CPU request = the plan's, limit twice that. */
export function planResources(plan: Pick<Plan, "memoryMiB" | "cpuMillis">): IResourceRequirements {
    const memory = `${plan.memoryMiB}Mi`;
    return {
        requests: { cpu: `${plan.cpuMillis}m`, memory },
        limits: { cpu: `${plan.cpuMillis * CPU_LIMIT_FACTOR}m`, memory },
    };
}

/** ip_filter entries (CIDR strings or objects) as the model's `{ network, description? }` list. */
export function normalizeIpFilter(entries: readonly IpFilterEntry[] | undefined): ServiceModel["ipFilter"] {
    return (entries ?? []).map((e) => (typeof e === "string" ? { network: e } : { ...e }));
}

function effectivePersistence(plan: Plan, userSetting: "off" | "rdb" | undefined): PersistenceMode {
    if (userSetting === "off") return "none";
    if (userSetting === "rdb" && plan.persistence === "none") return "rdb";
    return plan.persistence;
}

/** disk_space ("10", "10G", "10GiB"; G and GiB both mean GiB here) in GiB. */
export function parseDiskSpace(diskSpace: string): number {
    return Number(/^([1-9][0-9]*)/.exec(diskSpace)![1]);
}

/** The namespace for a project when kubernetes.namespace is unset. */
export function namespaceForProject(project: string): string {
    return project.toLowerCase().replace(/_/g, "-");
}

/**
 * Builds the model from a spec that already passed its schema. Throws a SpecError for rules that
 * span fields or depend on the plan catalog.
 */
export function buildModel(engine: Engine, name: string, spec: ValkeySpec | RedisSpec): ServiceModel {
    const issues: SpecIssue[] = [];
    if (name.length > MAX_NAME_LENGTH || !DNS_LABEL.test(name)) {
        issues.push({
            path: "name",
            message: `resource name ${JSON.stringify(name)} must be a DNS label of at most ${MAX_NAME_LENGTH} characters (lowercase letters, digits and '-', starting with a letter), because Kubernetes object names derive from it`,
        });
    }
    if (!hasPlan(spec.plan)) {
        issues.push({ path: "plan", message: `unknown plan ${JSON.stringify(spec.plan)}; valid plans: ${planNames().join(", ")}` });
    }
    const namespace = spec.kubernetes?.namespace ?? namespaceForProject(spec.project);
    if (spec.kubernetes?.namespace === undefined && (namespace.length > 63 || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(namespace))) {
        issues.push({
            path: "project",
            message: `${JSON.stringify(spec.project)} cannot be used as a Kubernetes namespace (it becomes ${JSON.stringify(namespace)}); set kubernetes.namespace`,
        });
    }
    const uc = (spec.userConfig ?? {}) as Record<string, unknown>;
    const opt = <T>(key: string): T | undefined => uc[`${engine}_${key}`] as T | undefined;
    const plan = hasPlan(spec.plan) ? getPlan(spec.plan) : undefined;
    const diskGiB = spec.disk_space !== undefined ? parseDiskSpace(spec.disk_space) : (plan?.diskGiB ?? 0);
    if (plan && spec.disk_space !== undefined && plan.persistence === "none" && opt("persistence") !== "rdb") {
        issues.push({
            path: "disk_space",
            message: `plan ${plan.name} keeps no data on disk; remove disk_space or set userConfig.${engine}_persistence to "rdb"`,
        });
    }
    const prefix = engine === "valkey" ? "VALKEY_" : "REDIS_";
    if (issues.length > 0) throw new SpecError(`${engine === "valkey" ? "Valkey" : "Redis"} ${JSON.stringify(name)}`, issues);

    const unmapped: UnmappedField[] = [];
    for (const key of UNMAPPED_TOP) {
        const value = (spec as Record<string, unknown>)[key];
        if (value !== undefined) unmapped.push({ path: key, value: JSON.stringify(redact(value)) });
    }
    for (const key of UNMAPPED_USER_CONFIG) {
        if (uc[key] !== undefined) unmapped.push({ path: `userConfig.${key}`, value: JSON.stringify(redact(uc[key])) });
    }
    const access = (group: string): boolean => Boolean((uc[group] as Record<string, boolean> | undefined)?.[engine]);
    for (const group of ["public_access", "private_access"]) {
        if ((uc[group] as Record<string, boolean> | undefined)?.prometheus !== undefined) {
            unmapped.push({ path: `userConfig.${group}.prometheus`, value: JSON.stringify((uc[group] as Record<string, boolean>).prometheus) });
        }
    }

    const mode = effectivePersistence(plan!, opt("persistence"));
    const disk = mode === "none" ? 0 : Math.max(diskGiB, 1);
    const topology = planTopology(plan!);
    const ssl = opt<boolean>("ssl") ?? false;
    const storageClassName = spec.kubernetes?.storageClassName;
    const terminationProtection = spec.terminationProtection ?? false;
    return {
        engine,
        name,
        namespace,
        project: spec.project,
        cloudName: spec.cloudName,
        tags: spec.tags ?? {},
        technicalEmails: (spec.technicalEmails ?? []).map((e) => e.email),
        image: spec.kubernetes?.image ?? DEFAULT_IMAGE,
        imagePullSecrets: spec.kubernetes?.imagePullSecrets ?? [],
        clusterDomain: spec.kubernetes?.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN,
        kubeconfig: spec.kubernetes?.kubeconfig,
        topology,
        nodes: dataNodes(topology),
        sizing: { memoryMiB: plan!.memoryMiB, cpuMillis: plan!.cpuMillis, resources: planResources(plan!), plan: plan!.name },
        persistence: {
            mode,
            diskGiB: disk,
            ...(disk > 0 ? { storageSize: `${disk}Gi` } : {}),
            ...(storageClassName !== undefined ? { storageClassName } : {}),
            retention: { whenDeleted: terminationProtection ? "Retain" : "Delete", whenScaled: "Retain" },
        },
        options: {
            aclChannelsDefault: opt("acl_channels_default"),
            ioThreads: opt("io_threads"),
            lfuDecayTime: opt("lfu_decay_time"),
            lfuLogFactor: opt("lfu_log_factor"),
            maxmemoryPolicy: opt("maxmemory_policy"),
            notifyKeyspaceEvents: opt("notify_keyspace_events"),
            numberOfDatabases: opt("number_of_databases"),
            persistence: opt("persistence"),
            pubsubClientOutputBufferLimitMB: opt("pubsub_client_output_buffer_limit"),
            timeout: opt("timeout"),
            frequentSnapshots: uc.frequent_snapshots as boolean | undefined,
            backupHour: uc.backup_hour as number | undefined,
            backupMinute: uc.backup_minute as number | undefined,
        },
        // valkey_ssl: certificates from an internal CA, clients without certificates (Aiven's).
        ...(ssl
            ? {
                  tls: {
                      certificates: {
                          kind: "internal",
                          validityHours: durationHours(DEFAULT_CERT_VALIDITY)!,
                          rotateBeforePercent: DEFAULT_ROTATE_BEFORE_PERCENT,
                      },
                      mutual: false,
                  },
              }
            : {}),
        ipFilter: normalizeIpFilter(uc.ip_filter as IpFilterEntry[] | undefined),
        ...(spec.connInfoSecretTargetDisabled === true
            ? {}
            : {
                  connInfo: {
                      secretName: spec.connInfoSecretTarget?.name ?? name,
                      prefix: spec.connInfoSecretTarget?.prefix ?? prefix,
                      annotations: spec.connInfoSecretTarget?.annotations ?? {},
                      labels: spec.connInfoSecretTarget?.labels ?? {},
                  },
              }),
        publicAccess: access("public_access"),
        privateAccess: access("private_access"),
        serviceAnnotations: spec.kubernetes?.serviceAnnotations ?? {},
        scheduling: { tolerations: [] },
        maintenance: {
            dow: spec.maintenanceWindowDow,
            time: spec.maintenanceWindowTime,
            ...(spec.kubernetes?.applyDisruptiveChangesNow === true ? { force: true } : {}),
            ...(spec.kubernetes?.allowDataLossOnRestart === true ? { allowDataLoss: true } : {}),
        },
        terminationProtection,
        unmapped,
        immutable: serviceImmutables(name, spec, namespace),
    };
}
