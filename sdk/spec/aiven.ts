// The contract of the `Valkey` and `Redis` components: the Aiven operator's Valkey and Redis specs
// (shared/seeds/000 and 001), field for field and constraint for constraint, plus a `kubernetes`
// group for what only exists here. Every object is strict: an unknown field is an error by name.
import * as net from "net";
import { z } from "zod";
import {
    DNS_SUBDOMAIN,
    annotationMap,
    dnsSubdomainSchema,
    labelMap,
    nodeAffinitySchema,
    nodeSelectorSchema,
    podAffinitySchema,
    podAnnotationsSchema,
    podAntiAffinitySchema,
    priorityClassNameSchema,
    resourcesSchema,
    securityContextSchema,
    tolerationsSchema,
    topologySpreadConstraintsSchema,
} from "./kubernetes";
import { MAX_DISK_GIB, TIMEOUT_SECONDS_RANGE } from "./limits";
import { aclSpecSchema, tlsSpecSchema } from "./security";

// ---------------------------------------------------------------------------------------------
// Building blocks

const str = (max?: number) => (max === undefined ? z.string() : z.string().max(max));
const int = (min: number, max: number) => z.number().int().min(min).max(max);

/** A string that must match `pattern`; the message names the pattern as the seeds write it. */
function pattern(re: RegExp, shown: string, max?: number) {
    let s = z.string();
    if (max !== undefined) s = s.max(max);
    return s.superRefine((value, ctx) => {
        // A value already too long gets only the length message.
        if ((max === undefined || value.length <= max) && !re.test(value)) {
            ctx.addIssue({ code: "custom", message: `must match ${shown} (got ${JSON.stringify(value)})` });
        }
    });
}

function isCidr(value: string): boolean {
    const [address, prefix, ...rest] = value.split("/");
    if (rest.length > 0 || prefix === undefined || !/^\d{1,3}$/.test(prefix)) return false;
    const family = net.isIP(address);
    if (family === 0) return false;
    return Number(prefix) <= (family === 4 ? 32 : 128);
}

/** A CIDR block, e.g. 10.20.0.0/16 (MaxLength 43, as in the seeds). */
const cidr = z
    .string()
    .max(43)
    .superRefine((value, ctx) => {
        if (value.length <= 43 && !isCidr(value)) {
            ctx.addIssue({ code: "custom", message: `must be a CIDR block like 10.20.0.0/16 (got ${JSON.stringify(value)})` });
        }
    });

export const DAYS_OF_WEEK = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] as const;

export const MAXMEMORY_POLICIES = [
    "allkeys-lfu",
    "allkeys-lru",
    "allkeys-random",
    "noeviction",
    "volatile-lfu",
    "volatile-lru",
    "volatile-random",
    "volatile-ttl",
] as const;

// ---------------------------------------------------------------------------------------------
// Shared pieces of both specs

export const authSecretRefSchema = z.strictObject({
    key: z.string().min(1),
    name: z.string().min(1),
});

export const connInfoSecretTargetSchema = z.strictObject({
    /** Name of the connection Secret. Immutable. */
    name: z
        .string()
        .min(1)
        .max(253)
        .superRefine((value, ctx) => {
            if (value.length <= 253 && value.length > 0 && !DNS_SUBDOMAIN.test(value)) {
                ctx.addIssue({
                    code: "custom",
                    message: `must be a valid Kubernetes object name (lowercase alphanumeric, '-' and '.') (got ${JSON.stringify(value)})`,
                });
            }
        }),
    annotations: annotationMap().optional(),
    labels: labelMap().optional(),
    /** Prefix of the Secret's keys, added as is. @default "VALKEY_" or "REDIS_" */
    // Secret data keys must be [-._a-zA-Z0-9]+; checked here so preview fails, not the apply.
    prefix: pattern(/^[-._a-zA-Z0-9]*$/, "^[-._a-zA-Z0-9]*$", 200).optional(),
});

export const projectVPCRefSchema = z.strictObject({
    name: z.string().min(1),
    namespace: z.string().min(1).optional(),
});

export const serviceIntegrationSchema = z.strictObject({
    integrationType: z.enum(["read_replica"]),
    sourceServiceName: z.string().min(1).max(64),
});

export const technicalEmailSchema = z.strictObject({
    email: z.email(),
});

export const ipFilterEntrySchema = z.union(
    [
        cidr,
        z.strictObject({
            network: cidr,
            description: str(1024).optional(),
        }),
    ],
    { error: "must be a CIDR string or an object {network, description}" },
);

const valkeyAccessSchema = z.strictObject({ prometheus: z.boolean().optional(), valkey: z.boolean().optional() });
const redisAccessSchema = z.strictObject({ prometheus: z.boolean().optional(), redis: z.boolean().optional() });

const FORK_NAME = /^[a-z][-a-z0-9]{0,63}$|^$/;
const FORK_NAME_SHOWN = "^[a-z][-a-z0-9]{0,63}$|^$";

const migrationFields = {
    host: str(255),
    port: int(1, 65535),
    dbname: str(63).optional(),
    ignore_dbs: str(2048).optional(),
    method: z.enum(["dump", "replication"]).optional(),
    password: str(256).optional(),
    ssl: z.boolean().optional(),
    username: str(256).optional(),
};

/** Day of the maintenance window (UTC). */
export const maintenanceWindowDowSchema = z.enum(DAYS_OF_WEEK);

/** Start of the maintenance window, HH:mm:ss UTC. */
export const maintenanceWindowTimeSchema = z
    .string()
    .max(8)
    .superRefine((value, ctx) => {
        if (value.length <= 8 && !/^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$/.test(value)) {
            ctx.addIssue({ code: "custom", message: `must be a UTC time in HH:mm:ss format (got ${JSON.stringify(value)})` });
        }
    });

/** Kubernetes-only settings: there is no Aiven field for these. */
export const kubernetesSchema = z.strictObject({
    /** Namespace of every object. @default the `project` */
    namespace: z
        .string()
        .max(63)
        .superRefine((value, ctx) => {
            if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(value)) {
                ctx.addIssue({ code: "custom", message: `must be a valid Kubernetes namespace name (got ${JSON.stringify(value)})` });
            }
        })
        .optional(),
    /** Container image. @default DEFAULT_IMAGE (a pinned Valkey 8 image) */
    image: z.string().min(1).optional(),
    imagePullSecrets: z.array(z.string().min(1)).optional(),
    // Scheduling and resources (the model's `scheduling` and `sizing.resources`).
    /** Tolerations of the data pods and the Sentinel pods. @default none */
    tolerations: tolerationsSchema.optional(),
    /** Node labels the data pods and the Sentinel pods require. @default none */
    nodeSelector: nodeSelectorSchema.optional(),
    /** The data pods' node affinity; replaces the cloudName region preference. @default that preference, if any */
    nodeAffinity: nodeAffinitySchema.optional(),
    /** The data pods' pod affinity. @default none */
    podAffinity: podAffinitySchema.optional(),
    /** The data pods' pod anti-affinity; replaces the default spreading. @default preferred spreading over hosts (more than 1 node) */
    podAntiAffinity: podAntiAffinitySchema.optional(),
    /** The data pods' topology spread constraints; one without a labelSelector selects the service's data pods. @default none */
    topologySpreadConstraints: topologySpreadConstraintsSchema.optional(),
    /** PriorityClass of the data pods and the Sentinel pods. @default none (the cluster's global default) */
    priorityClassName: priorityClassNameSchema.optional(),
    /** Annotations of the data pods' and the Sentinel pods' template; `pulumi-valkey/` keys are reserved. @default none */
    podAnnotations: podAnnotationsSchema.optional(),
    /** The data pods' security context, merged over the restricted default (uid 999). @default the default */
    securityContext: securityContextSchema.optional(),
    /**
     * The valkey container's requests and limits: each quantity given replaces the plan's; a memory
     * given in only one of requests and limits sets both. maxmemory derives from the memory limit in
     * effect. @default the plan's
     */
    resources: resourcesSchema.optional(),
    /** StorageClass of the data PVCs. @default the cluster's default StorageClass */
    storageClassName: z.string().min(1).optional(),
    /** DNS domain of the cluster, used in the connection host. @default "cluster.local" */
    clusterDomain: dnsSubdomainSchema.optional(),
    /**
     * TLS details when `userConfig.<engine>_ssl` is true, as ValkeyCluster's `tls`: `externalCerts`
     * (a Secret of yours, e.g. from cert-manager, with tls.crt, tls.key and ca.crt, mounted in place
     * of the issued certificates), `tlsAuthClients` (mTLS: clients need a certificate of the CA; one
     * is issued for applications), `internalCerts` validity and rotation, ciphers and protocols.
     * @default certificates issued with @pulumi/tls (90 days, renewed after 66 %; the CA 10 years), clients without certificates
     */
    tls: tlsSpecSchema.optional(),
    /**
     * A redis_exporter sidecar in every data pod, on port 9121 (reachable like the data port: the
     * ip_filter allow-list applies). `image` replaces the pinned redis_exporter image. @default no exporter
     */
    exporter: z.strictObject({ enabled: z.boolean().optional(), image: z.string().min(1).max(512).optional() }).optional(),
    /**
     * Kubeconfig (contents) for the Kubernetes objects and for reaching the nodes through
     * port-forward. @default the ambient kubeconfig (KUBECONFIG or ~/.kube/config), as
     * @pulumi/kubernetes uses when no provider is given
     */
    kubeconfig: z.string().min(1).optional(),
    /** Extra annotations on the client-facing Service (e.g. for a cloud load balancer). */
    serviceAnnotations: annotationMap().optional(),
    /**
     * Run changes that restart the pods at this `pulumi up` instead of waiting for the maintenance
     * window. @default false
     */
    applyDisruptiveChangesNow: z.boolean().optional(),
    /**
     * Let the provider restart pods that keep their keys in memory only (no disk: plan free, or
     * userConfig `*_persistence: off`) for a new pod template. A restarted pod of a 1-node plan comes
     * back empty. @default false: such restarts stay pending (`pendingRestart`) and the pods keep
     * the template they run
     */
    allowDataLossOnRestart: z.boolean().optional(),
    /**
     * How long the provider waits for the nodes to converge and pass verification, per `pulumi up`
     * and per restarted pod of a rollout (a dynamic provider never sees customTimeouts). @default 300
     */
    timeoutSeconds: int(TIMEOUT_SECONDS_RANGE.min, TIMEOUT_SECONDS_RANGE.max).optional(),
    /** How long the provider waits for a pod to run (image pull and volume included). @default 600 */
    podTimeoutSeconds: int(TIMEOUT_SECONDS_RANGE.min, TIMEOUT_SECONDS_RANGE.max).optional(),
    /**
     * ACL users, the same contract as ValkeyCluster's `acl` (one schema, aclSpecSchema): the system
     * users (admin, replication, exporter, and the fixed probe user; on Sentinel plans also the
     * Sentinels' own user), application users with rules, and what becomes of `default`.
     * @default no ACL users: every client, replica and probe authenticates as `default` with the
     * service password
     */
    acl: aclSpecSchema.optional(),
});

const commonSpecFields = {
    authSecretRef: authSecretRefSchema.optional(),
    cloudName: str(256).optional(),
    connInfoSecretTarget: connInfoSecretTargetSchema.optional(),
    connInfoSecretTargetDisabled: z.boolean().optional(),
    disk_space: pattern(/^[1-9][0-9]*(GiB|G)?$/i, "(?i)^[1-9][0-9]*(GiB|G)?$")
        .superRefine((value, ctx) => {
            // The PVC size is `<n>Gi`: past this no Kubernetes quantity holds it (and past 2^53 the
            // number would print as 1e+30).
            const digits = /^([1-9][0-9]*)/.exec(value);
            if (digits && BigInt(digits[1]) > BigInt(MAX_DISK_GIB)) {
                ctx.addIssue({
                    code: "custom",
                    message: `must be at most ${MAX_DISK_GIB} GiB (8 EiB less 1 GiB), the largest PVC size a Kubernetes quantity holds (got ${JSON.stringify(value)})`,
                });
            }
        })
        .optional(),
    maintenanceWindowDow: maintenanceWindowDowSchema.optional(),
    maintenanceWindowTime: maintenanceWindowTimeSchema.optional(),
    plan: z.string().min(1).max(128),
    project: pattern(/^[a-zA-Z0-9_-]+$/, "^[a-zA-Z0-9_-]+$", 63),
    projectVPCRef: projectVPCRefSchema.optional(),
    projectVpcId: str(36).optional(),
    serviceIntegrations: z.array(serviceIntegrationSchema).max(1).optional(),
    tags: labelMap().optional(),
    technicalEmails: z.array(technicalEmailSchema).max(10).optional(),
    terminationProtection: z.boolean().optional(),
    kubernetes: kubernetesSchema.optional(),
};

const commonUserConfigFields = {
    additional_backup_regions: z.array(z.string()).max(1).optional(),
    project_to_fork_from: pattern(FORK_NAME, FORK_NAME_SHOWN, 63).optional(),
    recovery_basebackup_name: pattern(/^[a-zA-Z0-9-_:.]+$/, "^[a-zA-Z0-9-_:.]+$", 128).optional(),
    service_log: z.boolean().optional(),
    service_to_fork_from: pattern(FORK_NAME, FORK_NAME_SHOWN, 64).optional(),
    static_ips: z.boolean().optional(),
};

// ---------------------------------------------------------------------------------------------
// Valkey (seeds/000)

export const valkeyUserConfigSchema = z.strictObject({
    ...commonUserConfigFields,
    migration: z.strictObject({ ...migrationFields, ignore_roles: str(2048).optional() }).optional(),
    private_access: valkeyAccessSchema.optional(),
    privatelink_access: valkeyAccessSchema.optional(),
    public_access: valkeyAccessSchema.optional(),
    backup_hour: int(0, 23).optional(),
    backup_minute: int(0, 59).optional(),
    frequent_snapshots: z.boolean().optional(),
    ip_filter: z.array(ipFilterEntrySchema).max(2048).optional(),
    valkey_acl_channels_default: z.enum(["allchannels", "resetchannels"]).optional(),
    valkey_io_threads: int(1, 32).optional(),
    valkey_lfu_decay_time: int(1, 120).optional(),
    valkey_lfu_log_factor: int(0, 100).optional(),
    valkey_maxmemory_policy: z.enum(MAXMEMORY_POLICIES).optional(),
    valkey_notify_keyspace_events: pattern(/^[KEg$lshzxentdmA]*$/, "^[KEg\\$lshzxentdmA]*$", 32).optional(),
    valkey_number_of_databases: int(1, 128).optional(),
    valkey_persistence: z.enum(["off", "rdb"]).optional(),
    valkey_pubsub_client_output_buffer_limit: int(32, 512).optional(),
    valkey_ssl: z.boolean().optional(),
    valkey_timeout: int(0, 2073600).optional(),
});

export const valkeySpecSchema = z.strictObject({
    ...commonSpecFields,
    userConfig: valkeyUserConfigSchema.optional(),
});

// ---------------------------------------------------------------------------------------------
// Redis (seeds/001)

export const redisUserConfigSchema = z.strictObject({
    ...commonUserConfigFields,
    migration: z.strictObject(migrationFields).optional(),
    private_access: redisAccessSchema.optional(),
    privatelink_access: redisAccessSchema.optional(),
    public_access: redisAccessSchema.optional(),
    ip_filter: z.array(ipFilterEntrySchema).max(1024).optional(),
    redis_acl_channels_default: z.enum(["allchannels", "resetchannels"]).optional(),
    redis_io_threads: int(1, 32).optional(),
    redis_lfu_decay_time: int(1, 120).optional(),
    redis_lfu_log_factor: int(0, 100).optional(),
    redis_maxmemory_policy: z.enum(MAXMEMORY_POLICIES).optional(),
    redis_notify_keyspace_events: pattern(/^[KEg$lshzxentdmA]*$/, "^[KEg\\$lshzxentdmA]*$", 32).optional(),
    redis_number_of_databases: int(1, 128).optional(),
    redis_persistence: z.enum(["off", "rdb"]).optional(),
    redis_pubsub_client_output_buffer_limit: int(32, 512).optional(),
    redis_ssl: z.boolean().optional(),
    redis_timeout: int(0, 31536000).optional(),
    redis_version: z.enum(["7.0"]).optional(),
});

export const redisSpecSchema = z.strictObject({
    ...commonSpecFields,
    userConfig: redisUserConfigSchema.optional(),
});

export type ValkeySpec = z.output<typeof valkeySpecSchema>;
export type ValkeyUserConfig = z.output<typeof valkeyUserConfigSchema>;
export type RedisSpec = z.output<typeof redisSpecSchema>;
export type RedisUserConfig = z.output<typeof redisUserConfigSchema>;
export type IpFilterEntry = z.output<typeof ipFilterEntrySchema>;
export type KubernetesSettings = z.output<typeof kubernetesSchema>;

/**
 * Fields the seeds document as immutable: a change after creation is refused (checked by the
 * dynamic provider against the recorded values), because applying it would replace the service
 * and its data. Paths are relative to the spec.
 */
export const IMMUTABLE_FIELDS = [
    "project",
    "connInfoSecretTargetDisabled",
    "connInfoSecretTarget.name",
    "serviceIntegrations",
    "userConfig.project_to_fork_from",
    "userConfig.service_to_fork_from",
] as const;
