// Pulumi args of the Valkey and Redis components: plain interfaces of `pulumi.Input<T>` (usable
// from other languages later), mirroring the zod schemas in aiven.ts field for field. The
// type-level test in tests/unit/spec/args-types.test.ts fails to compile when they drift apart.
// Constraints live in the schemas; the docs here say what happens when a field is unset.
import type * as pulumi from "@pulumi/pulumi";
import type { ValkeyClusterAclArgs, ValkeyClusterTlsArgs } from "./security-args";
import { INodeAffinity } from "kubernetes-models/v1/NodeAffinity";
import { IPodAffinity } from "kubernetes-models/v1/PodAffinity";
import { IPodAntiAffinity } from "kubernetes-models/v1/PodAntiAffinity";
import { IPodSecurityContext } from "kubernetes-models/v1/PodSecurityContext";
import { IResourceRequirements } from "kubernetes-models/v1/ResourceRequirements";
import { IToleration } from "kubernetes-models/v1/Toleration";
import { ITopologySpreadConstraint } from "kubernetes-models/v1/TopologySpreadConstraint";

type Input<T> = pulumi.Input<T>;

export interface AuthSecretRefArgs {
    key: Input<string>;
    name: Input<string>;
}

export interface ConnInfoSecretTargetArgs {
    /** Name of the connection Secret. Immutable. */
    name: Input<string>;
    /** Annotations added to the Secret. @default none */
    annotations?: Input<Record<string, Input<string>>>;
    /** Labels added to the Secret (besides the app.kubernetes.io ones). @default none */
    labels?: Input<Record<string, Input<string>>>;
    /** Prefix of the Secret's keys, added as is. @default "VALKEY_" (Valkey) or "REDIS_" (Redis) */
    prefix?: Input<string>;
}

export interface ProjectVPCRefArgs {
    name: Input<string>;
    namespace?: Input<string>;
}

export interface ServiceIntegrationArgs {
    integrationType: Input<"read_replica">;
    sourceServiceName: Input<string>;
}

export interface TechnicalEmailArgs {
    email: Input<string>;
}

export interface IpFilterArgs {
    /** CIDR block, e.g. 10.20.0.0/16. */
    network: Input<string>;
    description?: Input<string>;
}

export interface MigrationArgs {
    host: Input<string>;
    port: Input<number>;
    dbname?: Input<string>;
    ignore_dbs?: Input<string>;
    method?: Input<"dump" | "replication">;
    password?: Input<string>;
    ssl?: Input<boolean>;
    username?: Input<string>;
}

export interface ValkeyMigrationArgs extends MigrationArgs {
    ignore_roles?: Input<string>;
}

export interface ValkeyAccessArgs {
    prometheus?: Input<boolean>;
    valkey?: Input<boolean>;
}

export interface RedisAccessArgs {
    prometheus?: Input<boolean>;
    redis?: Input<boolean>;
}

export type MaxmemoryPolicy =
    "allkeys-lfu" | "allkeys-lru" | "allkeys-random" | "noeviction" | "volatile-lfu" | "volatile-lru" | "volatile-random" | "volatile-ttl";

export type DayOfWeek = "monday" | "tuesday" | "wednesday" | "thursday" | "friday" | "saturday" | "sunday";

/** Kubernetes-only settings (no Aiven field maps here). */
export interface KubernetesSettingsArgs {
    /** Namespace of every object (must exist). @default the project, lowercased, '_' -> '-' */
    namespace?: Input<string>;
    /** Container image. @default a pinned Valkey 8 image (DEFAULT_IMAGE) */
    image?: Input<string>;
    /** Names of image pull Secrets in the namespace. @default none */
    imagePullSecrets?: Input<Input<string>[]>;
    /** Tolerations of the data pods and, with a Sentinel plan, of the Sentinel pods. @default none */
    tolerations?: Input<Input<IToleration>[]>;
    /** Node labels the data pods and the Sentinel pods require (label-key and label-value rules). @default none: any node */
    nodeSelector?: Input<Record<string, Input<string>>>;
    /** The data pods' node affinity; replaces the preferred region of cloudName. @default that preference (with cloudName), else none */
    nodeAffinity?: Input<INodeAffinity>;
    /** The data pods' pod affinity. @default none */
    podAffinity?: Input<IPodAffinity>;
    /** The data pods' pod anti-affinity; replaces the default. @default for more than 1 node, a preferred spreading over hosts (kubernetes.io/hostname) */
    podAntiAffinity?: Input<IPodAntiAffinity>;
    /**
     * The data pods' topology spread constraints. One without a labelSelector gets the data pods'
     * selector (`app.kubernetes.io/name: valkey`, `app.kubernetes.io/instance: <name>`). @default none
     */
    topologySpreadConstraints?: Input<Input<ITopologySpreadConstraint>[]>;
    /** PriorityClass of the data pods and the Sentinel pods (a DNS subdomain; it must exist). @default none: the cluster's global default, else priority 0 */
    priorityClassName?: Input<string>;
    /**
     * Annotations of the data pods' and the Sentinel pods' template; a change rolls the pods like any
     * template change. Keys under `pulumi-valkey/` are refused (the package's own, such as the
     * configuration hash), and so is kubectl.kubernetes.io/default-container (set by the package). @default none
     */
    podAnnotations?: Input<Record<string, Input<string>>>;
    /** The data pods' security context, merged over the restricted default (uid/gid 999); runAsUser/runAsGroup reach the containers too. @default the restricted default */
    securityContext?: Input<IPodSecurityContext>;
    /**
     * Requests and limits of the valkey container. Each quantity given replaces the plan's; a memory
     * given only in requests or only in limits sets both (request = limit, as the plans). maxmemory
     * derives from the memory limit in effect, so with no memory given it is the plan's. Refused: a
     * memory below 32Mi, a request above its limit (yours or the plan's). @default the plan's
     */
    resources?: Input<IResourceRequirements>;
    /** StorageClass of the data PVCs. Immutable: a change is refused at preview. @default the cluster's default StorageClass */
    storageClassName?: Input<string>;
    /** Cluster DNS domain used in the connection host. @default "cluster.local" */
    clusterDomain?: Input<string>;
    /**
     * Kubeconfig contents (a secret), one source for the Kubernetes objects (the component creates
     * its Kubernetes provider from it) and for the dynamic resources that verify the nodes and grow
     * the disks. Required when a Kubernetes provider is given in opts (provider, providers, or a
     * parent's): a provider does not expose its kubeconfig, so that is refused at construction
     * (docs/kubeconfig.md).
     * @default the ambient kubeconfig (KUBECONFIG or ~/.kube/config), for both
     */
    kubeconfig?: Input<string>;
    /**
     * TLS details when `userConfig.<engine>_ssl` is true (refused otherwise), as ValkeyCluster's
     * `tls`: `externalCerts` (your Secret with tls.crt, tls.key and ca.crt, e.g. from cert-manager,
     * naming `<name>.<namespace>.svc.<clusterDomain>`), `tlsAuthClients` (mTLS: a client
     * certificate is issued for applications: clientCertificate/clientKey and the connection
     * Secret), `internalCerts` validity and rotation, `tlsCiphers`, `tlsProtocols`.
     * @default certificates issued with @pulumi/tls, clients without certificates
     */
    tls?: Input<ValkeyClusterTlsArgs>;
    /**
     * A redis_exporter sidecar in every data pod on port 9121, behind the ip_filter allow-list like
     * the data port, scraping as a user of its own that can read INFO and nothing else. `image`
     * replaces the pinned redis_exporter image. @default no exporter
     */
    exporter?: Input<{ enabled?: Input<boolean>; image?: Input<string> }>;
    /** Extra annotations on the client Service and the public/private LoadBalancer Services. @default none */
    serviceAnnotations?: Input<Record<string, Input<string>>>;
    /** Restart the pods for a change at this `pulumi up` instead of waiting for the maintenance window. @default false */
    applyDisruptiveChangesNow?: Input<boolean>;
    /**
     * How long the provider waits for the nodes to converge and pass verification, per `pulumi up`
     * and per restarted pod of a rollout (10 to 86400; a dynamic provider never sees customTimeouts). @default 300
     */
    timeoutSeconds?: Input<number>;
    /** How long the provider waits for a pod to run, image pull and volume included (10 to 86400). @default 600 */
    podTimeoutSeconds?: Input<number>;
    /**
     * Let the provider restart pods that keep their keys in memory only (no disk: plan free, or
     * userConfig `*_persistence: off`) for a new pod template; a restarted pod of a 1-node plan
     * comes back empty. @default false: such restarts stay pending (`pendingRestart`)
     */
    allowDataLossOnRestart?: Input<boolean>;
    /**
     * ACL users, as ValkeyCluster's `acl` (the same fields and rules): the system users, the
     * application users with their rules, and `defaultUser` ("restricted": PING only, "off"). With
     * it, replicas replicate as the replication user, the probes authenticate as the probe user,
     * and on Sentinel plans the Sentinels reach the data nodes as a user of their own.
     * @default no ACL users: clients, replicas and probes authenticate as `default` with the service password
     */
    acl?: Input<ValkeyClusterAclArgs>;
}

interface CommonUserConfigArgs {
    /** No Kubernetes meaning: recorded as an annotation. */
    additional_backup_regions?: Input<Input<string>[]>;
    /** No Kubernetes meaning yet (forks): recorded as an annotation. Immutable. */
    project_to_fork_from?: Input<string>;
    /** No Kubernetes meaning yet (restores): recorded as an annotation. */
    recovery_basebackup_name?: Input<string>;
    /** No Kubernetes meaning: recorded as an annotation. */
    service_log?: Input<boolean>;
    /** No Kubernetes meaning yet (forks): recorded as an annotation. Immutable. */
    service_to_fork_from?: Input<string>;
    /** No Kubernetes meaning: recorded as an annotation. */
    static_ips?: Input<boolean>;
}

export interface ValkeyUserConfigArgs extends CommonUserConfigArgs {
    /** Hour (UTC) of the daily backup. No backup job yet: recorded as an annotation. */
    backup_hour?: Input<number>;
    backup_minute?: Input<number>;
    /** Frequent local RDB snapshots (every 10 minutes if keys changed). @default true */
    frequent_snapshots?: Input<boolean>;
    /** CIDR blocks admitted by the NetworkPolicy. @default every source (Aiven's 0.0.0.0/0) */
    ip_filter?: Input<Input<string | IpFilterArgs>[]>;
    migration?: Input<ValkeyMigrationArgs>;
    /** `valkey: true` adds an internal LoadBalancer Service. @default none */
    private_access?: Input<ValkeyAccessArgs>;
    privatelink_access?: Input<ValkeyAccessArgs>;
    /** `valkey: true` adds a LoadBalancer Service. @default none */
    public_access?: Input<ValkeyAccessArgs>;
    /** acl-pubsub-default. @default allchannels */
    valkey_acl_channels_default?: Input<"allchannels" | "resetchannels">;
    /** io-threads (restart). @default 1 */
    valkey_io_threads?: Input<number>;
    /** lfu-decay-time in minutes. @default 1 */
    valkey_lfu_decay_time?: Input<number>;
    /** lfu-log-factor. @default 10 */
    valkey_lfu_log_factor?: Input<number>;
    /** maxmemory-policy. @default noeviction */
    valkey_maxmemory_policy?: Input<MaxmemoryPolicy>;
    /** notify-keyspace-events. @default "" */
    valkey_notify_keyspace_events?: Input<string>;
    /** databases (restart). @default 16 */
    valkey_number_of_databases?: Input<number>;
    /** off: no RDB dumps; rdb: a dump every 10 minutes if keys changed. @default the plan's */
    valkey_persistence?: Input<"off" | "rdb">;
    /** Pub/sub client output buffer hard limit in MB (soft = 1/4). @default server default */
    valkey_pubsub_client_output_buffer_limit?: Input<number>;
    /** Require TLS. @default false */
    valkey_ssl?: Input<boolean>;
    /** Idle connection timeout in seconds. @default 300 */
    valkey_timeout?: Input<number>;
}

export interface RedisUserConfigArgs extends CommonUserConfigArgs {
    ip_filter?: Input<Input<string | IpFilterArgs>[]>;
    migration?: Input<MigrationArgs>;
    private_access?: Input<RedisAccessArgs>;
    privatelink_access?: Input<RedisAccessArgs>;
    public_access?: Input<RedisAccessArgs>;
    redis_acl_channels_default?: Input<"allchannels" | "resetchannels">;
    redis_io_threads?: Input<number>;
    redis_lfu_decay_time?: Input<number>;
    redis_lfu_log_factor?: Input<number>;
    redis_maxmemory_policy?: Input<MaxmemoryPolicy>;
    redis_notify_keyspace_events?: Input<string>;
    redis_number_of_databases?: Input<number>;
    redis_persistence?: Input<"off" | "rdb">;
    redis_pubsub_client_output_buffer_limit?: Input<number>;
    redis_ssl?: Input<boolean>;
    redis_timeout?: Input<number>;
    /** Accepted for compatibility; the engine is Valkey 8 (wire compatible with Redis 7). */
    redis_version?: Input<"7.0">;
}

interface CommonServiceArgs {
    /** Aiven project: the Kubernetes namespace (unless kubernetes.namespace) and a label. Immutable. */
    project: Input<string>;
    /** A plan from the catalog (hobbyist, startup-N, business-N, premium-N, free, standard, pro) or a registered one. */
    plan: Input<string>;
    /** No Kubernetes meaning (Aiven token): recorded as an annotation. */
    authSecretRef?: Input<AuthSecretRefArgs>;
    /** A label and a preferred placement on topology.kubernetes.io/region (kubernetes.nodeAffinity replaces the preference). @default no placement preference */
    cloudName?: Input<string>;
    /** The connection Secret. @default named after the resource, prefix VALKEY_/REDIS_ */
    connInfoSecretTarget?: Input<ConnInfoSecretTargetArgs>;
    /** Skip the connection Secret. Immutable. @default false */
    connInfoSecretTargetDisabled?: Input<boolean>;
    /**
     * PVC size per node, e.g. "20GiB". Can grow (`pulumi up` expands the PVCs; the StorageClass must
     * allow volume expansion), never shrink: a smaller value, or a plan with a smaller disk while
     * this is unset, is refused at preview. @default the plan's disk
     */
    disk_space?: Input<string>;
    /** Day of the maintenance window (UTC). @default disruptive changes apply at once */
    maintenanceWindowDow?: Input<DayOfWeek>;
    /** Time of the maintenance window, HH:mm:ss UTC. */
    maintenanceWindowTime?: Input<string>;
    /** No Kubernetes meaning: recorded as an annotation. */
    projectVPCRef?: Input<ProjectVPCRefArgs>;
    /** No Kubernetes meaning: recorded as an annotation. */
    projectVpcId?: Input<string>;
    /** read_replica integrations; not implemented yet: recorded as an annotation. Immutable. */
    serviceIntegrations?: Input<Input<ServiceIntegrationArgs>[]>;
    /** Labels on every object. @default none */
    tags?: Input<Record<string, Input<string>>>;
    /** Recorded as an annotation. @default none */
    technicalEmails?: Input<Input<TechnicalEmailArgs>[]>;
    /** Protects the StatefulSet and keeps the PVCs on deletion. @default false */
    terminationProtection?: Input<boolean>;
    /** Kubernetes-only settings. */
    kubernetes?: Input<KubernetesSettingsArgs>;
}

/** Args of `Valkey`: the Aiven Valkey spec (shared/seeds/000). */
export interface ValkeyArgs extends CommonServiceArgs {
    userConfig?: Input<ValkeyUserConfigArgs>;
}

/** Args of `Redis`: the Aiven Redis spec (shared/seeds/001); the engine is Valkey. */
export interface RedisArgs extends CommonServiceArgs {
    userConfig?: Input<RedisUserConfigArgs>;
}
