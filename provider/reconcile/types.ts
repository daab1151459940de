// Types shared by the planner: what was observed on the live nodes, what the user asked for, and
// the typed actions that move one towards the other. Pure data: no I/O lives in provider/reconcile.

/** A host and port. */
export interface Endpoint {
    readonly host: string;
    readonly port: number;
}

/**
 * Where a node runs, for replica placement. Unset fields mean "unknown": an unknown host or zone
 * never counts as the same host or zone as another node.
 */
export interface Placement {
    /** The machine (Kubernetes: `spec.nodeName`; direct TCP: the announce IP unless given). */
    readonly host?: string;
    /** The failure zone (Kubernetes: the node's `topology.kubernetes.io/zone` label). */
    readonly zone?: string;
}

/** An inclusive range of hash slots. */
export interface SlotRange {
    readonly start: number;
    readonly end: number;
}

export type { Topology } from "../../sdk/types/topology";

/** One line of `CLUSTER NODES`, as one node sees another (or itself). */
export interface ClusterNodeEntry {
    readonly id: string;
    /** The IP the node is known by; empty when unknown (a fresh node does not know its own IP). */
    readonly host: string;
    readonly port: number;
    readonly busPort: number;
    readonly hostname?: string;
    /** The `shard-id` auxiliary field (Valkey 7.2+): a replica shares its primary's. */
    readonly shardId?: string;
    readonly flags: readonly string[];
    readonly myself: boolean;
    readonly primary: boolean;
    readonly replica: boolean;
    /** `pfail` for the `fail?` flag (suspected by this node), `fail` once the cluster agreed. */
    readonly failing: "no" | "pfail" | "fail";
    readonly handshake: boolean;
    readonly noaddr: boolean;
    /** For replicas: the id of the primary. */
    readonly primaryId?: string;
    readonly configEpoch: number;
    /** The cluster-bus link state. */
    readonly connected: boolean;
    readonly slots: readonly SlotRange[];
    /** Slots in the middle of a move (`[slot->-id]` migrating, `[slot-<-id]` importing). */
    readonly openSlots: readonly OpenSlot[];
}

export interface OpenSlot {
    readonly slot: number;
    readonly state: "migrating" | "importing";
    readonly peerId: string;
}

/** `CLUSTER INFO` and `CLUSTER NODES` of one node. */
export interface ClusterObservation {
    readonly state: "ok" | "fail";
    readonly slotsAssigned: number;
    readonly slotsOk: number;
    readonly knownNodes: number;
    readonly currentEpoch: number;
    readonly myEpoch: number;
    readonly nodes: readonly ClusterNodeEntry[];
}

/** `INFO replication` of one node. */
export interface ReplicationObservation {
    readonly role: "primary" | "replica";
    /** For replicas: the address given to REPLICAOF (or learnt from the cluster). */
    readonly primary?: Endpoint;
    /** For replicas: `master_link_status:up`. */
    readonly linkUp: boolean;
    /** Primaries: `master_repl_offset`; replicas: `slave_repl_offset`. */
    readonly offset: number;
}

/** Everything the planner knows about one node, observed in one round. */
export interface ObservedNode {
    /** The name used in messages and actions (a pod name, or the dial address). Unique. */
    readonly name: string;
    /** The address the nodes use among themselves: MEET and REPLICAOF use this. */
    readonly announce: Endpoint;
    readonly placement: Placement;
    readonly clusterEnabled: boolean;
    /** `loading:1`: the node is still reading its dataset. */
    readonly loading: boolean;
    /** Keys in all databases (`INFO keyspace`). */
    readonly keys: number;
    readonly replication: ReplicationObservation;
    /** The settings converge tunes while bootstrapping (CONFIG GET), when they could be read. */
    readonly settings: Partial<Record<"repl-diskless-sync-delay" | "cluster-node-timeout", number>>;
    /** Present when cluster mode is on. */
    readonly cluster?: ClusterObservation;
}

/** A change to one node. `node` is the name of the node the command is sent to. */
export type Action =
    | { readonly kind: "set-config-epoch"; readonly node: string; readonly epoch: number }
    | { readonly kind: "add-slots"; readonly node: string; readonly ranges: readonly SlotRange[] }
    | {
          readonly kind: "config-set";
          readonly node: string;
          readonly parameter: string;
          readonly value: string;
          /** Lowered for a fast bootstrap, or back to the steady value. */
          readonly purpose: "bootstrap" | "steady";
      }
    | {
          readonly kind: "meet";
          readonly node: string;
          /** The name of the node being met. */
          readonly peer: string;
          readonly address: Endpoint;
          readonly busPort: number;
      }
    | {
          readonly kind: "replicate";
          readonly node: string;
          readonly primary: string;
          readonly primaryId: string;
      }
    | { readonly kind: "forget"; readonly node: string; readonly nodeId: string }
    | {
          readonly kind: "replicaof";
          readonly node: string;
          readonly primary: string;
          readonly address: Endpoint;
      }
    | { readonly kind: "promote"; readonly node: string }
    /**
     * `CLUSTER FAILOVER` sent to `node`, a replica of the leaving primary `primary`: it takes over
     * that primary's slots with their keys in place (the session waits until ROLE confirms).
     */
    | { readonly kind: "take-over"; readonly node: string; readonly primary: string }
    /** `CLUSTER RESET SOFT`: a drained node leaves the cluster (it forgets every other node). */
    | { readonly kind: "reset"; readonly node: string }
    /**
     * Composite, carried out by provider/reshard: move `ranges` with their keys from `node` (the
     * source primary) to the primary `to`.
     */
    | { readonly kind: "move-slots"; readonly node: string; readonly to: string; readonly ranges: readonly SlotRange[] }
    /**
     * Composite, carried out by provider/reshard: close a slot left MIGRATING/IMPORTING (see
     * ./rebalance planSlotRepair). `node` is the first node involved.
     */
    | {
          readonly kind: "repair-slot";
          readonly node: string;
          readonly slot: number;
          readonly owner?: string;
          readonly migrating: readonly { readonly node: string; readonly to: string }[];
          readonly importing: readonly { readonly node: string; readonly from: string }[];
      };

/** Why converge will not touch the nodes. */
export interface Refusal {
    /** The node the reason is about; absent when the reason concerns the request as a whole. */
    readonly node?: string;
    readonly reason: string;
}

/** The roles the plan converges to. */
export interface Layout {
    readonly primaries: readonly { readonly node: string; readonly slots: readonly SlotRange[] }[];
    readonly replicas: readonly { readonly node: string; readonly primary: string }[];
}

/**
 * The result of planning one round. Converged and ready when there are no refusals, no actions and
 * nothing to wait for.
 */
export interface Plan {
    /** Apply these now: in order for each node; different nodes in parallel. */
    readonly actions: readonly Action[];
    /** Conditions not met yet that no command can speed up; poll again. */
    readonly waiting: readonly string[];
    /** When non-empty, nothing is to be done: every reason is reported. */
    readonly refusals: readonly Refusal[];
    readonly layout: Layout;
}
