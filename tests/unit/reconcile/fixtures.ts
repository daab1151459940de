// Builds the planner's input from a compact description of a set of nodes, through the same text
// replies (INFO, CLUSTER INFO, CLUSTER NODES) a real node sends, so the parsers are exercised too.
import { createHash } from "crypto";
import { formatRanges, observedNode, ObservedNode, SlotRange, SLOT_COUNT, slotSet } from "../../../provider/reconcile";

export interface SimNode {
    name: string;
    port: number;
    /** @default a hash of the name */
    id?: string;
    /** Appended to its myself line, e.g. "[5461->-<id>]". */
    myselfExtra?: string;
    /** Its shard-id as every view shows it. @default none shown */
    shard?: string;
    host?: string;
    zone?: string;
    slots?: SlotRange[];
    /** The name of the given node it replicates (cluster: CLUSTER REPLICATE; else REPLICAOF). */
    replicaOf?: string;
    /** REPLICAOF an address that is not one of the given nodes. */
    replicaOfAddress?: string;
    linkUp?: boolean;
    epoch?: number;
    keys?: number;
    /** repl-diskless-sync-delay. @default 5 */
    delay?: number;
    /** cluster-node-timeout. @default 15000 */
    nodeTimeout?: number;
    /** Names of the given nodes it knows. @default none */
    knows?: string[];
    /** It knows the others at their port + 1000, as after every node restarted on a new port. */
    staleView?: boolean;
    /** Raw CLUSTER NODES lines added to its view (foreign nodes, handshakes). */
    extraLines?: string[];
    /** Flags added to its entries of the given nodes, e.g. { n1: "fail?" }. */
    flagsOf?: Record<string, string>;
    state?: "ok" | "fail";
    clusterEnabled?: boolean;
    /** Cluster mode on, but CLUSTER INFO / CLUSTER NODES refused (e.g. by an ACL). */
    noClusterReplies?: boolean;
    loading?: boolean;
}

export const idOf = (name: string): string => createHash("sha1").update(name).digest("hex");
const nodeId = (n: SimNode): string => n.id ?? idOf(n.name);

function slotText(slots: SlotRange[] | undefined): string {
    return slots && slots.length > 0 ? " " + formatRanges(slots).split(",").join(" ") : "";
}

function line(n: SimNode, all: SimNode[], myself: boolean, port: number, extraFlags?: string): string {
    const primary = n.replicaOf ? all.find((m) => m.name === n.replicaOf) : undefined;
    const flags = [myself ? "myself" : "", primary ? "slave" : "master", extraFlags ?? ""].filter((f) => f !== "").join(",");
    const aux = n.shard !== undefined ? `,,tls-port=0,shard-id=${n.shard}` : "";
    const address = `${myself && !n.knows?.length ? "" : "127.0.0.1"}:${port}@${port + 10000}${aux}`;
    const extra = myself && n.myselfExtra ? ` ${n.myselfExtra}` : "";
    return `${nodeId(n)} ${address} ${flags} ${primary ? nodeId(primary) : "-"} 0 0 ${n.epoch ?? 0} connected${primary ? "" : slotText(n.slots)}${extra}`;
}

/** The observation of every node, in the given order. */
export function observe(nodes: SimNode[]): ObservedNode[] {
    return nodes.map((n) => {
        const known = nodes.filter((m) => n.knows?.includes(m.name));
        const lines = [
            line(n, nodes, true, n.port),
            ...known.map((m) => line(m, nodes, false, n.staleView ? m.port + 1000 : m.port, n.flagsOf?.[m.name])),
            ...(n.extraLines ?? []),
        ];
        const covered = slotSet([n, ...known].flatMap((m) => (m.replicaOf ? [] : (m.slots ?? []))));
        const slotsOk = covered.reduce((a, b) => a + b, 0);
        const epochs = [n, ...known].map((m) => m.epoch ?? 0);
        const primary = n.replicaOf ? nodes.find((m) => m.name === n.replicaOf) : undefined;
        const replication = primary
            ? ["role:slave", "master_host:127.0.0.1", `master_port:${primary.port}`, `master_link_status:${n.linkUp ? "up" : "down"}`, "slave_repl_offset:100"]
            : n.replicaOfAddress
              ? [
                    "role:slave",
                    `master_host:${n.replicaOfAddress.split(":")[0]}`,
                    `master_port:${n.replicaOfAddress.split(":")[1]}`,
                    "master_link_status:up",
                    "slave_repl_offset:100",
                ]
              : ["role:master", "connected_slaves:0", "master_repl_offset:100"];
        const info = [
            "# Replication",
            ...replication,
            "# Persistence",
            `loading:${n.loading ? 1 : 0}`,
            "# Keyspace",
            ...(n.keys ? [`db0:keys=${n.keys},expires=0,avg_ttl=0`] : []),
            "# Cluster",
            `cluster_enabled:${n.clusterEnabled === false ? 0 : 1}`,
            "",
        ].join("\r\n");
        const clusterInfo = [
            `cluster_state:${n.state ?? (slotsOk === SLOT_COUNT ? "ok" : "fail")}`,
            `cluster_slots_assigned:${slotsOk}`,
            `cluster_slots_ok:${slotsOk}`,
            `cluster_known_nodes:${lines.length}`,
            `cluster_current_epoch:${Math.max(...epochs)}`,
            `cluster_my_epoch:${n.epoch ?? 0}`,
            "",
        ].join("\r\n");
        return observedNode(
            {
                name: n.name,
                announce: { host: "127.0.0.1", port: n.port },
                placement: { ...(n.host ? { host: n.host } : {}), ...(n.zone ? { zone: n.zone } : {}) },
            },
            {
                info,
                ...(n.clusterEnabled === false || n.noClusterReplies ? {} : { clusterInfo, clusterNodes: lines.join("\n") + "\n" }),
                config: { "repl-diskless-sync-delay": String(n.delay ?? 5), "cluster-node-timeout": String(n.nodeTimeout ?? 15000) },
            },
        );
    });
}

/** `count` fresh nodes n0.. on ports 7000.. */
export function freshNodes(count: number, overrides: (i: number) => Partial<SimNode> = () => ({})): SimNode[] {
    return Array.from({ length: count }, (_, i) => ({ name: `n${i}`, port: 7000 + i, ...overrides(i) }));
}

/** Everyone knows everyone. */
export function allKnow(nodes: SimNode[]): SimNode[] {
    return nodes.map((n) => ({ ...n, knows: nodes.filter((m) => m !== n).map((m) => m.name) }));
}

/** A converged 3x1 cluster: n0-n2 primaries with valkey-cli's split, n3-n5 their linked replicas. */
export function converged3x1(): SimNode[] {
    const split: SlotRange[][] = [[{ start: 0, end: 5460 }], [{ start: 5461, end: 10922 }], [{ start: 10923, end: 16383 }]];
    return allKnow(
        freshNodes(6, (i) => ({
            epoch: i + 1,
            ...(i < 3 ? { slots: split[i] } : { replicaOf: `n${i - 3}`, linkUp: true }),
        })),
    );
}
