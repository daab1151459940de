// Parsers for the replies the planner is built on: INFO, CLUSTER INFO and CLUSTER NODES.
import { ClusterNodeEntry, ClusterObservation, Endpoint, ObservedNode, OpenSlot, Placement, ReplicationObservation, SlotRange } from "./types";
import { TUNED_SETTINGS } from "./settings";

/** `key:value` lines of INFO or CLUSTER INFO; section headers and blank lines are skipped. */
export function parseInfo(text: string): Map<string, string> {
    const fields = new Map<string, string>();
    for (const line of text.split(/\r?\n/)) {
        if (line === "" || line.startsWith("#")) continue;
        const colon = line.indexOf(":");
        if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1));
    }
    return fields;
}

function intField(fields: Map<string, string>, key: string, fallback = 0): number {
    const value = fields.get(key);
    if (value === undefined) return fallback;
    const n = Number(value);
    return Number.isFinite(n) ? n : fallback;
}

/** `ip:port@cport[,hostname[,aux=value...]]`; the IP is empty when the node does not know it yet. */
export function parseNodeAddress(text: string): { host: string; port: number; busPort: number; hostname?: string; shardId?: string } {
    const [address, hostname, ...aux] = text.split(",");
    const at = address.indexOf("@");
    const hostPort = at >= 0 ? address.slice(0, at) : address;
    const colon = hostPort.lastIndexOf(":");
    if (colon < 0) throw new Error(`cannot parse the node address "${text}"`);
    const port = Number(hostPort.slice(colon + 1));
    const busPort = at >= 0 ? Number(address.slice(at + 1)) : port + 10000;
    if (!Number.isInteger(port) || !Number.isInteger(busPort)) throw new Error(`cannot parse the node address "${text}"`);
    const entry: { host: string; port: number; busPort: number; hostname?: string; shardId?: string } = {
        host: hostPort.slice(0, colon),
        port,
        busPort,
    };
    if (hostname !== undefined && hostname !== "" && !hostname.includes("=")) entry.hostname = hostname;
    const shard = aux.find((field) => field.startsWith("shard-id="));
    if (shard !== undefined) entry.shardId = shard.slice("shard-id=".length);
    return entry;
}

/** One line of CLUSTER NODES. */
export function parseClusterNodeLine(line: string): ClusterNodeEntry {
    const parts = line.trim().split(" ");
    if (parts.length < 8) throw new Error(`cannot parse the CLUSTER NODES line "${line}"`);
    const [id, address, flagText, primaryText, , , epochText, linkState, ...slotTexts] = parts;
    const flags = flagText === "noflags" ? [] : flagText.split(",");
    const slots: SlotRange[] = [];
    const openSlots: OpenSlot[] = [];
    for (const text of slotTexts) {
        if (text.startsWith("[")) {
            // [slot->-id] is migrating to id; [slot-<-id] is importing from id.
            const migrating = text.indexOf("->-");
            const importing = text.indexOf("-<-");
            const sep = migrating >= 0 ? migrating : importing;
            openSlots.push({
                slot: Number(text.slice(1, sep)),
                state: migrating >= 0 ? "migrating" : "importing",
                peerId: text.slice(sep + 3, text.length - 1),
            });
            continue;
        }
        const dash = text.indexOf("-");
        const start = Number(dash >= 0 ? text.slice(0, dash) : text);
        const end = Number(dash >= 0 ? text.slice(dash + 1) : text);
        slots.push({ start, end });
    }
    const has = (flag: string) => flags.includes(flag);
    return {
        id,
        ...parseNodeAddress(address),
        flags,
        myself: has("myself"),
        primary: has("master"),
        replica: has("slave"),
        failing: has("fail") ? "fail" : has("fail?") ? "pfail" : "no",
        handshake: has("handshake"),
        noaddr: has("noaddr"),
        ...(primaryText !== "-" ? { primaryId: primaryText } : {}),
        configEpoch: Number(epochText),
        connected: linkState === "connected",
        slots,
        openSlots,
    };
}

/** Every line of CLUSTER NODES. */
export function parseClusterNodes(text: string): ClusterNodeEntry[] {
    return text
        .split(/\r?\n/)
        .filter((line) => line.trim() !== "")
        .map(parseClusterNodeLine);
}

/** CLUSTER INFO and CLUSTER NODES together. */
export function parseClusterObservation(clusterInfo: string, clusterNodes: string): ClusterObservation {
    const info = parseInfo(clusterInfo);
    return {
        state: info.get("cluster_state") === "ok" ? "ok" : "fail",
        slotsAssigned: intField(info, "cluster_slots_assigned"),
        slotsOk: intField(info, "cluster_slots_ok"),
        knownNodes: intField(info, "cluster_known_nodes"),
        currentEpoch: intField(info, "cluster_current_epoch"),
        myEpoch: intField(info, "cluster_my_epoch"),
        nodes: parseClusterNodes(clusterNodes),
    };
}

/** The replication part of INFO. */
export function parseReplication(info: Map<string, string>): ReplicationObservation {
    if (info.get("role") === "slave") {
        const host = info.get("master_host");
        const primary: Endpoint | undefined = host !== undefined ? { host, port: intField(info, "master_port") } : undefined;
        return {
            role: "replica",
            ...(primary ? { primary } : {}),
            linkUp: info.get("master_link_status") === "up",
            offset: intField(info, "slave_repl_offset"),
        };
    }
    return { role: "primary", linkUp: false, offset: intField(info, "master_repl_offset") };
}

/** Keys over all databases of `INFO keyspace` (`db0:keys=3,expires=0,avg_ttl=0`). */
export function countKeys(info: Map<string, string>): number {
    let keys = 0;
    for (const [key, value] of info) {
        if (!/^db\d+$/.test(key)) continue;
        const match = /(?:^|,)keys=(\d+)/.exec(value);
        if (match) keys += Number(match[1]);
    }
    return keys;
}

/** The raw replies of one observation round of one node. */
export interface NodeReplies {
    /** `INFO server replication persistence keyspace cluster`. */
    readonly info: string;
    /** Present when cluster mode is on. */
    readonly clusterInfo?: string;
    readonly clusterNodes?: string;
    /** `CONFIG GET` of the tuned settings, as name -> value. */
    readonly config?: Readonly<Record<string, string>>;
}

/** Builds the planner's view of one node from its replies. */
export function observedNode(identity: { name: string; announce: Endpoint; placement: Placement }, replies: NodeReplies): ObservedNode {
    const info = parseInfo(replies.info);
    const clusterEnabled = info.get("cluster_enabled") === "1";
    return {
        name: identity.name,
        announce: identity.announce,
        placement: identity.placement,
        clusterEnabled,
        loading: info.get("loading") === "1",
        keys: countKeys(info),
        replication: parseReplication(info),
        settings: Object.fromEntries(
            TUNED_SETTINGS.flatMap((name) => {
                const value = Number(replies.config?.[name] ?? NaN);
                return Number.isFinite(value) ? [[name, value]] : [];
            }),
        ),
        ...(clusterEnabled && replies.clusterInfo !== undefined && replies.clusterNodes !== undefined
            ? { cluster: parseClusterObservation(replies.clusterInfo, replies.clusterNodes) }
            : {}),
    };
}
