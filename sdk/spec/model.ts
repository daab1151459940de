// The Aiven front door (seeds/000 Valkey, seeds/001 Redis): a validated spec and its plan mapped
// into the one ServiceModel (sdk/spec/service-model.ts). Aiven naming ends here.
import { IResourceRequirements } from "kubernetes-models/v1/ResourceRequirements";
import { IpFilterEntry, RedisSpec, ValkeySpec } from "./aiven";
import { serviceImmutables } from "./immutable";
import { memoryBound, resourcesProblems } from "./kubernetes";
import { quantityValue } from "./quantity";
import { PersistenceMode, Plan, getPlan, hasPlan, planNames } from "./plans";
import { DEFAULT_CERT_VALIDITY, DEFAULT_ROTATE_BEFORE_PERCENT, durationHours, tlsListenerIssues } from "./security";
import {
    DEFAULT_CLUSTER_DOMAIN,
    DEFAULT_EXPORTER_IMAGE,
    DEFAULT_CONVERGE_TIMEOUT_SECONDS,
    DEFAULT_IMAGE,
    DEFAULT_POD_TIMEOUT_SECONDS,
    Engine,
    MAX_NAME_LENGTH,
    ServiceModel,
    Topology,
    UnmappedField,
    dataNodes,
    normalizeIpFilter,
    tlsModel,
    schedulingOf,
} from "./service-model";
import { SpecError, SpecIssue } from "./validate";

// The model's types and the names both front doors share, for the modules that import them from here.
export * from "./service-model";

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

/**
 * The valkey container's resources in effect: the plan's, each quantity in `given`
 * (kubernetes.resources) replacing the plan's. A memory given in only one of requests and limits
 * sets both: memory request = limit, as the plans do, since Valkey never gives memory back and a
 * request below the limit only makes the pod the first evicted under node pressure. Unset: the
 * plan's exactly.
 */
export function serviceResources(plan: Pick<Plan, "memoryMiB" | "cpuMillis">, given: IResourceRequirements | undefined): IResourceRequirements {
    const base = planResources(plan);
    if (given === undefined) return base;
    const memory = given.limits?.memory ?? given.requests?.memory;
    const both: Record<string, string | number> = memory !== undefined ? { memory } : {};
    return {
        requests: { ...base.requests, ...both, ...given.requests },
        limits: { ...base.limits, ...both, ...given.limits },
        ...(given.claims !== undefined ? { claims: given.claims } : {}),
    };
}

function effectivePersistence(plan: Plan, userSetting: "off" | "rdb" | undefined): PersistenceMode {
    if (userSetting === "off") return "none";
    if (userSetting === "rdb" && plan.persistence === "none") return "rdb";
    return plan.persistence;
}

/**
 * memoryMiB (maxmemory derives from it) and cpuMillis of the resources in effect: the memory
 * limit, else the request; the CPU request, else the limit. A plan's resources give back its
 * memoryMiB and cpuMillis exactly.
 */
export function sizingOf(resources: IResourceRequirements): { memoryMiB: number; cpuMillis: number } {
    const memory = memoryBound(resources)!.value;
    const cpu = resources.requests?.cpu ?? resources.limits?.cpu;
    return {
        memoryMiB: Math.floor(quantityValue(String(memory))! / 2 ** 20),
        cpuMillis: cpu === undefined ? 0 : Math.max(1, Math.round(quantityValue(String(cpu))! * 1000)),
    };
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
    // Cluster clients follow MOVED redirects to each node's own address, which one LoadBalancer cannot give.
    if (plan?.topology === "cluster") {
        for (const group of ["public_access", "private_access"]) {
            if ((uc[group] as Record<string, boolean> | undefined)?.[engine] === true) {
                issues.push({
                    path: `userConfig.${group}.${engine}`,
                    message: `plan ${plan.name} is a cluster, whose clients follow MOVED redirects to each node's own address, which one LoadBalancer cannot give; remove it, or choose a 1-node or a Sentinel plan`,
                });
            }
        }
        // Valkey 8 has database 0 only in cluster mode (sdk/config/directives.ts renders 1).
        const databases = opt<number>("number_of_databases");
        if (databases !== undefined && databases > 1) {
            issues.push({
                path: `userConfig.${engine}_number_of_databases`,
                message: `must be 1 (or unset) on plan ${plan.name}, a cluster: Valkey has a single database in cluster mode (got ${databases})`,
            });
        }
        // A cluster node's identity and slot map live in nodes.conf on its disk: without one, a pod
        // that restarts rejoins as a new, empty node and its slots stay unserved.
        if (effectivePersistence(plan, opt("persistence")) === "none") {
            issues.push({
                path: opt("persistence") === "off" ? `userConfig.${engine}_persistence` : "plan",
                message: `plan ${plan.name} is a cluster, whose nodes keep their identity and slots in nodes.conf on their disk; a cluster without a disk loses its slots when a pod restarts. ${opt("persistence") === "off" ? 'Remove "off"' : 'Register the plan with persistence "rdb" and a disk'}`,
            });
        }
    }
    const given = spec.kubernetes?.resources;
    const resources = plan !== undefined ? serviceResources(plan, given) : undefined;
    if (resources !== undefined && given !== undefined) {
        for (const problem of resourcesProblems(resources, given, `plan ${plan!.name}'s`)) {
            issues.push({ path: ["kubernetes", "resources", ...problem.path].join("."), message: problem.message });
        }
    }
    const prefix = engine === "valkey" ? "VALKEY_" : "REDIS_";
    const tlsSpec = spec.kubernetes?.tls;
    if (tlsSpec !== undefined && uc[`${engine}_ssl`] !== true) {
        issues.push({
            path: "kubernetes.tls",
            message: `configures TLS, which is off: set userConfig.${engine}_ssl to true, or remove kubernetes.tls`,
        });
    }
    for (const issue of tlsSpec !== undefined ? tlsListenerIssues(tlsSpec, engine === "valkey" ? "Valkey" : "Redis") : []) {
        issues.push({ path: ["kubernetes", "tls", ...issue.path].join("."), message: issue.message });
    }
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
        sizing: { ...sizingOf(resources!), resources: resources!, plan: plan!.name },
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
        // valkey_ssl with kubernetes.tls: its certificates (issued or the user's Secret) and listener settings.
        ...(ssl && tlsSpec !== undefined ? { tls: tlsModel(tlsSpec) } : {}),
        // valkey_ssl alone: certificates from an internal CA, clients without certificates (Aiven's).
        ...(ssl && tlsSpec === undefined
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
        scheduling: schedulingOf(spec.kubernetes),
        ...(spec.kubernetes?.exporter?.enabled === true
            ? { exporter: { image: spec.kubernetes.exporter.image ?? DEFAULT_EXPORTER_IMAGE, imagePullSecrets: spec.kubernetes.imagePullSecrets ?? [] } }
            : {}),
        maintenance: {
            dow: spec.maintenanceWindowDow,
            time: spec.maintenanceWindowTime,
            ...(spec.kubernetes?.applyDisruptiveChangesNow === true ? { force: true } : {}),
            ...(spec.kubernetes?.allowDataLossOnRestart === true ? { allowDataLoss: true } : {}),
        },
        timeouts: {
            convergeSeconds: spec.kubernetes?.timeoutSeconds ?? DEFAULT_CONVERGE_TIMEOUT_SECONDS,
            podSeconds: spec.kubernetes?.podTimeoutSeconds ?? DEFAULT_POD_TIMEOUT_SECONDS,
        },
        terminationProtection,
        ...(spec.kubernetes?.acl !== undefined ? { acl: spec.kubernetes.acl } : {}),
        unmapped,
        immutable: serviceImmutables(engine, name, spec, namespace, topology.kind),
    };
}
