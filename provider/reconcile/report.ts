// What the nodes look like, for results and `status`: roles, primaries, slots and health.
import { addressText } from "./address";
import { SLOT_COUNT } from "./slots";
import { ObservedNode, SlotRange } from "./types";
import type { NodeOutput } from "../../sdk/types/topology";

/** A node as results report it: the outputs' NodeOutput, with its slots as ranges rather than text. */
export interface NodeReport extends Omit<NodeOutput, "slots"> {
    /** The slots it serves (cluster primaries); empty otherwise. */
    readonly slots: readonly SlotRange[];
}

/** Each node's own view of its role. */
export function reportNodes(nodes: readonly ObservedNode[]): NodeReport[] {
    return nodes.map((n): NodeReport => {
        const address = addressText(n.announce);
        const me = n.cluster?.nodes.find((e) => e.myself);
        if (n.clusterEnabled && me) {
            const primary = me.primaryId ? nodes.find((o) => o.cluster?.nodes.some((e) => e.myself && e.id === me.primaryId)) : undefined;
            return {
                name: n.name,
                address,
                id: me.id,
                role: me.replica ? "replica" : "primary",
                ...(me.replica && me.primaryId ? { primary: primary?.name ?? me.primaryId, primaryId: me.primaryId } : {}),
                slots: me.replica ? [] : me.slots,
            };
        }
        const upstream = n.replication.primary;
        if (n.replication.role === "replica" && upstream) {
            const primary = nodes.find((o) => addressText(o.announce) === addressText(upstream));
            return { name: n.name, address, role: "replica", primary: primary?.name ?? addressText(upstream), slots: [] };
        }
        return { name: n.name, address, role: n.replication.role, slots: [] };
    });
}

/** What is wrong with the nodes as they are, whatever topology is wanted; empty when healthy. */
export function healthProblems(nodes: readonly ObservedNode[]): string[] {
    const problems: string[] = [];
    for (const n of nodes) {
        if (n.loading) problems.push(`${n.name}: loading its dataset`);
        if (n.cluster && (n.cluster.state !== "ok" || n.cluster.slotsOk !== SLOT_COUNT)) {
            problems.push(`${n.name}: cluster_state:${n.cluster.state}, ${n.cluster.slotsOk} of ${SLOT_COUNT} slots ok`);
        }
        if (n.replication.role === "replica" && !n.replication.linkUp) problems.push(`${n.name}: replication link is down`);
        for (const e of n.cluster?.nodes ?? []) {
            if (!e.myself && e.failing !== "no") problems.push(`${n.name} sees ${e.id.slice(0, 8)} at ${e.host}:${e.port} as failing`);
        }
    }
    return problems;
}
