// Pulumi args of `ValkeyCluster`: a plain interface of `pulumi.Input<T>` fields mirroring the zod
// schema in cluster.ts field for field (tests/unit/spec/cluster-args-types.test.ts fails to
// compile when they drift apart). Constraints live in the schema; the docs say what happens when
// a field is unset.
import type * as pulumi from "@pulumi/pulumi";
import { INodeAffinity } from "kubernetes-models/v1/NodeAffinity";
import { IPodAffinity } from "kubernetes-models/v1/PodAffinity";
import { IPodAntiAffinity } from "kubernetes-models/v1/PodAntiAffinity";
import { IPodSecurityContext } from "kubernetes-models/v1/PodSecurityContext";
import { IResourceRequirements } from "kubernetes-models/v1/ResourceRequirements";
import { IToleration } from "kubernetes-models/v1/Toleration";
import { ITopologySpreadConstraint } from "kubernetes-models/v1/TopologySpreadConstraint";
import { ConnInfoSecretTargetArgs, DayOfWeek, IpFilterArgs } from "./args";
import { ValkeyClusterAclArgs, ValkeyClusterTlsArgs } from "./security-args";

type Input<T> = pulumi.Input<T>;

export interface ContainerImageArgs {
    /** Repository, e.g. "valkey/valkey-bundle". */
    name: Input<string>;
    /** Tag, e.g. "8.1". */
    tag: Input<string>;
    /** Names of image pull Secrets in the namespace. @default none */
    imagePullSecrets?: Input<Input<string>[]>;
}

export interface ClusterPvcArgs {
    /**
     * Size of each node's data PVC, a Kubernetes quantity. May grow: `pulumi up` expands every PVC
     * (the StorageClass must allow volume expansion); a smaller value is refused at preview. @default "10Gi"
     */
    storageSize?: Input<string>;
    /** StorageClass of the data PVCs. Immutable: a change is refused. @default the cluster's default StorageClass */
    storageClassName?: Input<string>;
    /** The claims of the pods a scale-in removes, once their slots were moved away: kept ("Retain") or deleted. @default "Retain" */
    whenScaled?: Input<"Retain" | "Delete">;
}

export interface ClusterDatabaseBackupArgs {
    /** RDB snapshots. @default true */
    enabled?: Input<boolean>;
    /** `save` rules, "<seconds> <changes>" pairs such as "60 100"; "" for none. @default "3600 1 300 100 60 10000" */
    save?: Input<string>;
}

export interface ClusterAofArgs {
    /** `appendonly yes`. @default false */
    enabled?: Input<boolean>;
    /** @default "everysec" */
    appendfsync?: Input<"always" | "everysec" | "no">;
    /** `auto-aof-rewrite-percentage`; 0 disables automatic rewrites. @default 100 */
    autoAofRewritePercentage?: Input<number>;
    /** `auto-aof-rewrite-min-size`, e.g. "64mb". @default "64mb" */
    autoAofRewriteMinSize?: Input<string>;
}

export interface ClusterBackupArgs {
    /** @default snapshots with Valkey's default save rules */
    database?: Input<ClusterDatabaseBackupArgs>;
    /** @default no AOF */
    aof?: Input<ClusterAofArgs>;
}

export interface ClusterExporterArgs {
    /** A redis_exporter sidecar serving /metrics on port 9121. @default false */
    enabled?: Input<boolean>;
    /** @default a pinned oliver006/redis_exporter image */
    image?: Input<ContainerImageArgs>;
}

/** Args of `ValkeyCluster` (seeds/002 `ValkeyCluster`). */
export interface ValkeyClusterArgs {
    /** @default a pinned Valkey 8 image (DEFAULT_IMAGE) */
    valkeyImage?: Input<ContainerImageArgs>;
    /** Primaries (shards), at least 3. @default 3 */
    masterCount?: Input<number>;
    /** Replicas of each primary. @default 1 */
    replicasPerMaster?: Input<number>;
    /** TLS on clients, replication and the cluster bus, certificates from @pulumi/tls. @default no TLS */
    tls?: Input<ValkeyClusterTlsArgs>;
    /**
     * ACL users; the outputs then connect as the admin user. A plain value, but for the users'
     * `passwords`, which may be (secret) Outputs. @default no ACL: the default user with a generated password
     */
    acl?: Input<ValkeyClusterAclArgs>;
    /** Replaces the default, a preferred spreading of the pods across hosts. @default preferred anti-affinity on kubernetes.io/hostname */
    podAntiAffinity?: Input<IPodAntiAffinity>;
    /** @default none */
    podAffinity?: Input<IPodAffinity>;
    /** @default none */
    nodeAffinity?: Input<INodeAffinity>;
    /** Tolerations of the pods, e.g. of a tainted pool for Valkey. @default none */
    tolerations?: Input<Input<IToleration>[]>;
    /** Node labels every pod requires (label-key and label-value rules). @default none: any node */
    nodeSelector?: Input<Record<string, Input<string>>>;
    /**
     * Topology spread constraints of the pods. One without a labelSelector gets the cluster's own
     * pod selector (`app.kubernetes.io/name: valkey`, `app.kubernetes.io/instance: <name>`).
     * @default none (only the preferred anti-affinity over hosts)
     */
    topologySpreadConstraints?: Input<Input<ITopologySpreadConstraint>[]>;
    /** PriorityClass of the pods (a DNS subdomain; the PriorityClass must exist). @default none: the cluster's global default, else priority 0 */
    priorityClassName?: Input<string>;
    /**
     * Annotations of the pod template (e.g. for a service mesh or a backup agent); a change rolls the
     * pods like any template change. Keys under `pulumi-valkey/` are refused (the package's own,
     * such as the configuration hash), and so is kubectl.kubernetes.io/default-container (set by the package). @default none
     */
    podAnnotations?: Input<Record<string, Input<string>>>;
    /** Requests and limits of the valkey container (memory required: it sets maxmemory). @default 1Gi memory, 500m CPU (limit 1) */
    resources?: Input<IResourceRequirements>;
    /** Labels on every object and pod. @default none */
    labels?: Input<Record<string, Input<string>>>;
    /** Pod security context, merged over the restricted default (uid/gid 999). @default the restricted default */
    securityContext?: Input<IPodSecurityContext>;
    /** Data volumes: the size can grow, nothing else changes after creation. @default 10Gi in the default StorageClass */
    pvc?: Input<ClusterPvcArgs>;
    /** RDB and AOF persistence. @default RDB with Valkey's default save rules, no AOF */
    backup?: Input<ClusterBackupArgs>;
    /** Metrics exporter sidecar. @default none */
    exporter?: Input<ClusterExporterArgs>;
    /**
     * CIDRs (or `{ network, description }`, as Aiven's ip_filter) the NetworkPolicy admits on the
     * client port 6379 and the exporter's 9121. In-cluster clients and scrapers are admitted only
     * when their pod addresses are inside them. @default every source
     */
    ipFilter?: Input<Input<string | IpFilterArgs>[]>;
    /**
     * A connection Secret for applications, as the Aiven spec's connInfoSecretTarget: keys
     * `<prefix>HOST`, `PORT`, `USER`, `PASSWORD`, `SSL`, `URI`, `REDIS_URL`, with TLS `CA_CERT`, with
     * mTLS `CLIENT_CERT` and `CLIENT_KEY`. `name` is immutable. @default none
     */
    connInfoSecretTarget?: Input<ConnInfoSecretTargetArgs>;
    /** Annotations of the client Service (e.g. for a cloud load balancer or a service mesh). @default none */
    serviceAnnotations?: Input<Record<string, Input<string>>>;
    /** Namespace of every object (must exist). @default "default" */
    namespace?: Input<string>;
    /**
     * Kubeconfig contents (a secret), one source for the Kubernetes objects (the component creates
     * its Kubernetes provider from it) and for the dynamic resources that verify the nodes and grow
     * the disks. Required when a Kubernetes provider is given in opts (provider, providers, or a
     * parent's): a provider does not expose its kubeconfig, so that is refused at construction
     * (docs/kubeconfig.md).
     * @default the ambient kubeconfig (KUBECONFIG or ~/.kube/config), for both
     */
    kubeconfig?: Input<string>;
    /** Day (UTC) of the window for changes that restart pods (image, resources, ...). @default restarts run at once */
    maintenanceWindowDow?: Input<DayOfWeek>;
    /** Start of that window, HH:mm:ss UTC. @default midnight */
    maintenanceWindowTime?: Input<string>;
    /** Restart at this `pulumi up` even outside the window. @default false */
    applyDisruptiveChangesNow?: Input<boolean>;
    /** How long the provider waits for the cluster to converge and verify, per run and per restarted pod (10 to 86400). @default 300 */
    timeoutSeconds?: Input<number>;
    /** How long the provider waits for a pod to run, image pull and volume included (10 to 86400). @default 600 */
    podTimeoutSeconds?: Input<number>;
}
