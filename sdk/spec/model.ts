// The engine-neutral service model: a validated Valkey or Redis spec plus its plan, resolved into
// what the config renderer and the manifest builders need. Aiven naming ends here: downstream
// code never sees `valkey_*` / `redis_*` keys.
import { IpFilterEntry, RedisSpec, ValkeySpec } from "./aiven";
import type { ImmutableField } from "./changes";
import { serviceImmutables } from "./immutable";
import { PersistenceMode, Plan, getPlan, hasPlan, planNames } from "./plans";
import { SpecError, SpecIssue } from "./validate";

export type Engine = "valkey" | "redis";

/** userConfig without the engine prefix. */
export interface ServiceOptions {
    readonly aclChannelsDefault?: "allchannels" | "resetchannels";
    readonly ioThreads?: number;
    readonly lfuDecayTime?: number;
    readonly lfuLogFactor?: number;
    readonly maxmemoryPolicy?: string;
    readonly notifyKeyspaceEvents?: string;
    readonly numberOfDatabases?: number;
    /** userConfig `*_persistence`: "off" or "rdb". */
    readonly persistence?: "off" | "rdb";
    /** Hard limit in MB; the soft limit is a quarter of it. */
    readonly pubsubClientOutputBufferLimitMB?: number;
    readonly ssl?: boolean;
    readonly timeout?: number;
    readonly frequentSnapshots?: boolean;
    readonly backupHour?: number;
    readonly backupMinute?: number;
}

export interface ConnInfoTarget {
    /** False when connInfoSecretTargetDisabled is true. */
    readonly enabled: boolean;
    /** @default the resource name */
    readonly secretName: string;
    /** @default "VALKEY_" or "REDIS_" */
    readonly prefix: string;
    readonly annotations: Readonly<Record<string, string>>;
    readonly labels: Readonly<Record<string, string>>;
}

/** A spec field accepted and validated but without a Kubernetes meaning here. */
export interface UnmappedField {
    readonly path: string;
    /** JSON of the value, with credentials removed. */
    readonly value: string;
}

export interface ServiceModel {
    readonly engine: Engine;
    /** The Pulumi resource name; every Kubernetes object name derives from it. */
    readonly name: string;
    readonly namespace: string;
    readonly project: string;
    readonly cloudName?: string;
    readonly plan: Plan;
    readonly options: ServiceOptions;
    /** Effective persistence: the plan's, overridden by userConfig persistence. */
    readonly persistence: PersistenceMode;
    /** Effective disk per node: disk_space, else the plan's (0: no PVC). */
    readonly diskGiB: number;
    readonly ipFilter: ReadonlyArray<{ readonly network: string; readonly description?: string }>;
    /** userConfig public_access.valkey / .redis: a LoadBalancer Service. */
    readonly publicAccess: boolean;
    /** userConfig private_access.valkey / .redis: an internal LoadBalancer Service. */
    readonly privateAccess: boolean;
    /** userConfig valkey_ssl / redis_ssl. @default false */
    readonly tls: boolean;
    readonly tags: Readonly<Record<string, string>>;
    readonly technicalEmails: readonly string[];
    readonly connInfo: ConnInfoTarget;
    /**
     * When restarts may run (UTC); `force`: at once regardless; `allowDataLoss`: also pods without a
     * disk (kubernetes.allowDataLossOnRestart).
     */
    readonly maintenance: { readonly dow?: string; readonly time?: string; readonly force?: boolean; readonly allowDataLoss?: boolean };
    readonly terminationProtection: boolean;
    readonly image: string;
    readonly imagePullSecrets: readonly string[];
    readonly storageClassName?: string;
    readonly serviceAnnotations: Readonly<Record<string, string>>;
    readonly clusterDomain: string;
    /** Explicit kubeconfig contents (secret); undefined: the ambient one. */
    readonly kubeconfig?: string;
    readonly unmapped: readonly UnmappedField[];
    /** What the change rules compare (sdk/spec/changes.ts), by spec path, with the values in effect (sdk/spec/immutable.ts). */
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

    const persistence = effectivePersistence(plan!, opt("persistence"));
    return {
        engine,
        name,
        namespace,
        project: spec.project,
        cloudName: spec.cloudName,
        plan: plan!,
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
            ssl: opt("ssl"),
            timeout: opt("timeout"),
            frequentSnapshots: uc.frequent_snapshots as boolean | undefined,
            backupHour: uc.backup_hour as number | undefined,
            backupMinute: uc.backup_minute as number | undefined,
        },
        persistence,
        diskGiB: persistence === "none" ? 0 : Math.max(diskGiB, 1),
        ipFilter: normalizeIpFilter(uc.ip_filter as IpFilterEntry[] | undefined),
        publicAccess: access("public_access"),
        privateAccess: access("private_access"),
        tls: opt<boolean>("ssl") ?? false,
        tags: spec.tags ?? {},
        technicalEmails: (spec.technicalEmails ?? []).map((e) => e.email),
        connInfo: {
            enabled: !(spec.connInfoSecretTargetDisabled ?? false),
            secretName: spec.connInfoSecretTarget?.name ?? name,
            prefix: spec.connInfoSecretTarget?.prefix ?? prefix,
            annotations: spec.connInfoSecretTarget?.annotations ?? {},
            labels: spec.connInfoSecretTarget?.labels ?? {},
        },
        maintenance: {
            dow: spec.maintenanceWindowDow,
            time: spec.maintenanceWindowTime,
            ...(spec.kubernetes?.applyDisruptiveChangesNow === true ? { force: true } : {}),
            ...(spec.kubernetes?.allowDataLossOnRestart === true ? { allowDataLoss: true } : {}),
        },
        terminationProtection: spec.terminationProtection ?? false,
        image: spec.kubernetes?.image ?? DEFAULT_IMAGE,
        imagePullSecrets: spec.kubernetes?.imagePullSecrets ?? [],
        storageClassName: spec.kubernetes?.storageClassName,
        serviceAnnotations: spec.kubernetes?.serviceAnnotations ?? {},
        clusterDomain: spec.kubernetes?.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN,
        kubeconfig: spec.kubernetes?.kubeconfig,
        unmapped,
        immutable: serviceImmutables(engine, name, spec, namespace),
    };
}
