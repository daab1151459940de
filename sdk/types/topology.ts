// The ValkeyTopology dynamic resource's inputs and outputs as plain data: the contract between its
// Pulumi class (sdk/resources/topology.ts), the components that read its outputs, and the provider's
// handlers (provider/dynamic) that take the inputs and return the outputs. Pure: types and one
// constant, no Pulumi and no live-node code, so both sides import it without crossing the layers
// (docs/architecture.md).
import type { AclPlanInput } from "../acl/users";
import type { DayOfWeek } from "../spec/args";

/** The desired shape of the service. */
export type Topology =
    /** One primary, nothing else. */
    | { readonly kind: "standalone" }
    /** One primary and `replicas` replicas through REPLICAOF (cluster mode off). */
    | { readonly kind: "replicated"; readonly replicas: number }
    /** Cluster mode: `masters` primaries sharing the 16384 slots, each with `replicasPerMaster` replicas. */
    | {
          readonly kind: "cluster";
          readonly masters: number;
          readonly replicasPerMaster: number;
          /**
           * The given nodes beyond masters x (1 + replicasPerMaster), at the end of the list (a
           * StatefulSet's highest ordinals): "replicas" makes them extra replicas; "release" drains
           * them, re-points their replicas, FORGETs them on every other node and resets them (CLUSTER
           * RESET SOFT), so the StatefulSet can then be scaled in. @default "replicas"
           */
          readonly surplus?: "replicas" | "release";
      };

/** The pods of a StatefulSet, reached through the Kubernetes API (provider/nodes/kubernetes.ts). */
export interface KubernetesTarget {
    /** Kubeconfig text (YAML or JSON): pass the one the Kubernetes provider uses. @default the default loading rules ($KUBECONFIG, ~/.kube/config, in-cluster) */
    readonly kubeconfig?: string;
    /** @default the kubeconfig's current context */
    readonly context?: string;
    readonly namespace: string;
    /** The StatefulSet; its pods are `<statefulSet>-0` .. `<statefulSet>-<replicas - 1>`. */
    readonly statefulSet: string;
    readonly replicas: number;
    /** The Valkey port of the pods. @default 6379 */
    readonly port?: number;
    /**
     * How long to wait for every pod to run with an IP; also the deadline of every Kubernetes API
     * call of one operation (open, outdated, restart, currentReplicas) and of opening each
     * port-forward's WebSocket. @default 60000 ms
     */
    readonly podTimeoutMs?: number;
    /**
     * Announce each pod by its stable DNS name `<pod>.<serviceName>.<namespace>.svc.<clusterDomain>`
     * instead of its IP: for nodes that name each other by hostname (Sentinel plans, whose
     * replicas follow the primary's FQDN). @default pod IPs
     */
    readonly announceHostnames?: { readonly serviceName: string; readonly clusterDomain?: string };
}

/** When restarts may run (UTC); neither field set: at any time. */
export interface MaintenanceWindow {
    /** Day (UTC). Unset with `time` set: every day. */
    readonly dow?: DayOfWeek;
    /** Start, HH:mm:ss UTC. Unset with `dow` set: midnight. */
    readonly time?: string;
}

export interface DirectNodeInput {
    /** Where the provider connects, `host:port`. */
    readonly dial: string;
    /** What the nodes use among themselves. @default the dial address */
    readonly announce?: string;
    /** @default the dial address */
    readonly name?: string;
    /** For replica placement. @default the announce host */
    readonly host?: string;
    /** For replica placement. @default unknown */
    readonly zone?: string;
}

export type TransportInput =
    /** Nodes reached over TCP (the provider runs inside the cluster network, or tests). */
    | { readonly kind: "direct"; readonly nodes: readonly DirectNodeInput[] }
    /** The pods `<statefulSet>-0..N-1`, through the Kubernetes API (port-forward). */
    | ({ readonly kind: "kubernetes" } & KubernetesTarget);

export interface TlsInput {
    readonly ca?: string;
    readonly cert?: string;
    readonly key?: string;
    readonly serverName?: string;
}

/**
 * The ACL users every node must have, exactly as applyAclEverywhere takes them (sdk/acl
 * resolveAclUsers): the system users (role admin, replication, exporter, probe; on Sentinel plans sentinel), the application users,
 * and what becomes of `default`. Secret (passwords).
 */
export type AclInput = AclPlanInput;

export interface TlsReloadInput {
    /** The server certificate (PEM) every node must present; a new value makes the nodes reload their TLS files. */
    readonly certPem: string;
    /** Where the nodes read their TLS files. @default the pod contract's /etc/valkey-tls/{tls.crt,tls.key,ca.crt} */
    readonly paths?: { readonly certFile?: string; readonly keyFile?: string; readonly caFile?: string };
    /** How long a node may keep presenting another certificate (kubelet syncs a Secret volume within ~60-90 s). @default 120 */
    readonly timeoutSeconds?: number;
}

export interface SettingsInput {
    /** cluster-node-timeout to keep once converged. @default the highest value among the nodes */
    readonly clusterNodeTimeoutMs?: number;
    /** repl-diskless-sync-delay to keep once converged. @default the highest value among the nodes */
    readonly replDisklessSyncDelaySeconds?: number;
}

export interface TopologyInputs {
    /** Changing it re-runs converge (a change of the provider's code is not detected by itself). */
    readonly providerVersion: string;
    readonly topology: Topology;
    readonly transport: TransportInput;
    /** @default the default user */
    readonly username?: string;
    readonly password?: string;
    /**
     * The Sentinels' own password (their requirepass), for a rollout with `rollout.sentinels`.
     * @default derived from `password` (sdk/credentials sentinelPassword), which is right only while
     * `password` is the default user's: with `username` an ACL user (the admin, with ACL on) it
     * must be given, derived from the default user's password as the auth Secret's
     * `sentinel-password` is
     */
    readonly sentinelPassword?: string;
    readonly tls?: TlsInput;
    readonly settings?: SettingsInput;
    /** @default 300 */
    readonly timeoutSeconds?: number;
    /** ACL users applied live on every node after converging. @default users are left as they are */
    readonly acl?: AclInput;
    /** The certificate the nodes must present; reloaded live on create and whenever it changes. @default no reload */
    readonly tlsReload?: TlsReloadInput;
    /** Runtime-settable directives applied with CONFIG SET when they change (no restart). @default none */
    readonly config?: ConfigInput;
    /** Rolling restarts when the pod template changes. @default the provider restarts nothing */
    readonly rollout?: RolloutInput;
    /**
     * Makes this resource the step that runs *before* the StatefulSet shrinks (cluster topology,
     * kubernetes transport): when the StatefulSet has more pods than the topology needs, the surplus
     * pods (highest ordinals) are drained (their slots move with their keys to the staying
     * primaries), their replicas re-pointed, and they are forgotten everywhere and reset, so the
     * StatefulSet can then scale in without losing a key. `transport.replicas` is ignored (the
     * StatefulSet's current replicas are read); acl, config, rollout and tlsReload are not applied
     * here. Runs when its inputs change (a new topology); nothing happens when the StatefulSet does
     * not exist or has no pod too many. @default false
     */
    readonly drainBeforeScaleIn?: boolean;
}

/** Directives every node must run with, applied live with CONFIG SET (names as in valkey.conf). */
export type ConfigInput = Readonly<Record<string, string>>;

export interface RolloutInput {
    /**
     * Changes whenever what the pods must run changes (a hash of the pod template): a new value
     * makes the provider restart the pods that run an older template, one at a time with a handoff
     * of every primary first. Needs the kubernetes transport and a StatefulSet with the OnDelete
     * update strategy (the controller then leaves the restarts to the provider).
     */
    readonly revision: string;
    /** The maintenance window (UTC) restarts wait for. @default none: restarts run at once */
    readonly window?: MaintenanceWindow;
    /** Restart now even outside the window. @default false */
    readonly force?: boolean;
    /** Sentinel plans: the primary's role is handed over by a Sentinel (SENTINEL FAILOVER <group>). */
    readonly sentinels?: { readonly statefulSet: string; readonly replicas: number; readonly port: number; readonly group: string };
    /** How long one handoff may take. @default 15, with Sentinel 45 */
    readonly handoffTimeoutSeconds?: number;
    /**
     * The pods have no disk (their keys are in memory only): a restart empties a pod, so the
     * provider restarts them only with `allowDataLoss` (provider/rollout/memory-only.ts); else the
     * restart stays pending with the reason. @default false
     */
    readonly memoryOnly?: boolean;
    /** With `memoryOnly`: restart them anyway (the user accepts the loss). @default false */
    readonly allowDataLoss?: boolean;
}

/** Restarts that wait for the maintenance window. */
export interface PendingRestartOutput {
    /** The revision the pods below do not run yet. */
    readonly revision: string;
    readonly nodes: readonly string[];
    /** E.g. "waiting for the maintenance window at 2026-11-22T03:00:00.000Z". */
    readonly reason: string;
    /** When the window opens (ISO time): the first `pulumi up` from then on restarts them. */
    readonly notBefore: string;
}

/** CONFIG SET outcome on one node. */
export interface ConfigStatusOutput {
    readonly node: string;
    readonly status: "Applied" | "Error";
    readonly message?: string;
}

/** ACL outcome on one node (passwords never appear in a message). */
export interface AclStatusOutput {
    readonly node: string;
    readonly status: "Applied" | "Error";
    readonly message?: string;
}

/** TLS reload outcome on one node. */
export interface TlsStatusOutput {
    readonly node: string;
    readonly status: "Reloaded" | "Error";
    /** SHA-256 fingerprint of the certificate the node presents. */
    readonly fingerprint?: string;
    readonly message?: string;
}

/** A node as the outputs report it (`nodes` of ValkeyCluster, `topology` of Valkey and Redis). */
export interface NodeOutput {
    /** The pod (`<statefulSet>-<ordinal>`), or the name given to a direct node. */
    readonly name: string;
    /** The announce address, `host:port`. */
    readonly address: string;
    /** The cluster node id; unset outside cluster mode. */
    readonly id?: string;
    readonly role: "primary" | "replica";
    /** For replicas: the name of the node it follows (its address when that is not one of the nodes); unset for primaries. */
    readonly primary?: string;
    /** For cluster replicas: the node id of their primary; unset otherwise. */
    readonly primaryId?: string;
    /** The slots it serves as text, e.g. "0-5460"; empty when it serves none. */
    readonly slots: string;
}

export interface TopologyOutputs extends TopologyInputs {
    /**
     * "RUNNING" once converged and verified (the word Aiven uses); "DEGRADED" when `pulumi refresh`
     * found a node down or unhealthy, or something converge would change (see `problems`).
     */
    readonly state: "RUNNING" | "DEGRADED";
    /** After a refresh that found the topology DEGRADED: what is wrong, one line each. */
    readonly problems?: readonly string[];
    readonly nodes: readonly NodeOutput[];
    /** Announce addresses (`host:port`) of the primaries, in slot order. */
    readonly primaryEndpoints: readonly string[];
    /** Commands the last create or update sent (one line each). */
    readonly lastActions: readonly string[];
    /** With `acl`: the outcome on every node, from the last create or update. */
    readonly aclStatus?: readonly AclStatusOutput[];
    /** With `acl`: "Applied" when every node is. */
    readonly aclPhase?: "Applied" | "Error";
    /** With `tlsReload`: the outcome of the last reload on every node (kept while the certificate is unchanged). */
    readonly tlsStatus?: readonly TlsStatusOutput[];
    /** With `config`: the outcome of the last CONFIG SET on every node (kept while the config is unchanged). */
    readonly configStatus?: readonly ConfigStatusOutput[];
    /** With `rollout`: restarts waiting for the maintenance window; unset when every pod runs `rollout.revision`. */
    readonly pendingRestart?: PendingRestartOutput;
}

/** Outputs holding secrets (the password, a kubeconfig, a TLS key, the ACL users' passwords). */
export const SECRET_OUTPUTS = ["password", "sentinelPassword", "transport", "tls", "acl"];
