// One observation round of one node: the replies the planner is built on, sent back to back on one
// connection (one round trip).
import { CommandError } from "../errors";
import { NodeReplies, observedNode } from "../reconcile/parse";
import { TUNED_SETTINGS } from "../reconcile/settings";
import { ObservedNode } from "../reconcile/types";
import { NodeClient } from "./client";

/** INFO sections the planner reads. */
export const INFO_SECTIONS = ["replication", "persistence", "keyspace", "cluster"];

/** A reply, or undefined when the server refused the command (cluster mode off, still loading). */
async function optional(reply: Promise<unknown>): Promise<unknown> {
    try {
        return await reply;
    } catch (e) {
        if (e instanceof CommandError) return undefined;
        throw e;
    }
}

/** [a, 1, b, 2] -> [[a, 1], [b, 2]] */
function pairs(flat: string[]): [string, string][] {
    return flat.flatMap((value, i) => (i % 2 === 0 ? [[value, flat[i + 1]] as [string, string]] : []));
}

/** Reads INFO, CLUSTER INFO, CLUSTER NODES and the tuned settings of one node. */
export async function readReplies(client: NodeClient): Promise<NodeReplies> {
    await client.connect();
    const [info, clusterInfo, clusterNodes, config] = await Promise.all([
        client.call(["INFO", ...INFO_SECTIONS]),
        optional(client.call(["CLUSTER", "INFO"])),
        optional(client.call(["CLUSTER", "NODES"])),
        optional(client.call(["CONFIG", "GET", ...TUNED_SETTINGS])),
    ]);
    return {
        info: String(info),
        ...(typeof clusterInfo === "string" ? { clusterInfo } : {}),
        ...(typeof clusterNodes === "string" ? { clusterNodes } : {}),
        ...(Array.isArray(config) ? { config: Object.fromEntries(pairs(config.map(String))) } : {}),
    };
}

export async function observe(client: NodeClient): Promise<ObservedNode> {
    const { name, announce, placement } = client.target;
    return observedNode({ name, announce, placement }, await readReplies(client));
}
