// Planning with cluster mode off: a standalone primary, or a primary and replicas through REPLICAOF.
import { addressText } from "./address";
import { DISKLESS_SYNC_DELAY, lowerForBootstrap, restoreSettings, Settings } from "./settings";
import { Action, ObservedNode, Plan, Refusal } from "./types";

const EMPTY_LAYOUT = { primaries: [], replicas: [] };

function preflight(nodes: readonly ObservedNode[], kind: string): Plan | undefined {
    const refusals: Refusal[] = nodes
        .filter((n) => n.clusterEnabled)
        .map((n) => ({ node: n.name, reason: `cluster mode is on (cluster-enabled yes); a ${kind} topology needs cluster-enabled no` }));
    if (refusals.length > 0) return { actions: [], waiting: [], refusals, layout: EMPTY_LAYOUT };
    const loading = nodes.filter((n) => n.loading);
    if (loading.length > 0) {
        return { actions: [], waiting: loading.map((n) => `${n.name}: loading its dataset`), refusals: [], layout: EMPTY_LAYOUT };
    }
    return undefined;
}

/** One node, a primary. A replica is promoted: it keeps its data and stops following. */
export function planStandalone(nodes: readonly ObservedNode[]): Plan {
    const early = preflight(nodes, "standalone");
    if (early) return early;
    const [node] = nodes;
    const actions: Action[] = node.replication.role === "replica" ? [{ kind: "promote", node: node.name }] : [];
    return { actions, waiting: [], refusals: [], layout: { primaries: [{ node: node.name, slots: [] }], replicas: [] } };
}

/**
 * One primary, every other node its replica. The primary is the node the others already follow, else
 * the only node holding keys, else the first node; a node holding keys is never made a replica.
 */
export function planReplicated(nodes: readonly ObservedNode[], steady: Settings = {}): Plan {
    const early = preflight(nodes, "replicated");
    if (early) return early;
    const refusals: Refusal[] = [];
    const byAddress = new Map(nodes.map((n) => [addressText(n.announce), n]));
    const following = (n: ObservedNode): ObservedNode | undefined =>
        n.replication.role === "replica" && n.replication.primary ? byAddress.get(addressText(n.replication.primary)) : undefined;
    for (const n of nodes) {
        if (n.replication.role === "replica" && n.replication.primary && !following(n)) {
            refusals.push({
                node: n.name,
                reason: `replicates ${addressText(n.replication.primary)}, which is not among the given nodes; it holds that primary's data`,
            });
        }
    }
    const primaries = nodes.filter((n) => n.replication.role === "primary");
    const followers = (p: ObservedNode) => nodes.filter((n) => following(n) === p).length;
    const led = primaries.filter((p) => followers(p) > 0).sort((a, b) => followers(b) - followers(a));
    let primary: ObservedNode;
    if (led.length > 0) {
        primary = led[0];
    } else {
        const holding = primaries.filter((p) => p.keys > 0);
        if (holding.length > 1) {
            for (const n of holding) {
                const others = holding.filter((o) => o !== n).map((o) => o.name);
                refusals.push({
                    node: n.name,
                    reason: `holds ${n.keys} keys, as does ${others.join(", ")}; converge does not choose between two datasets`,
                });
            }
        }
        primary = holding[0] ?? primaries[0] ?? nodes[0];
    }
    for (const n of nodes) {
        if (n !== primary && n.replication.role === "primary" && n.keys > 0 && !refusals.some((r) => r.node === n.name)) {
            refusals.push({ node: n.name, reason: `holds ${n.keys} keys; making it a replica of ${primary.name} would drop them` });
        }
    }
    if (refusals.length > 0) return { actions: [], waiting: [], refusals, layout: EMPTY_LAYOUT };

    const replicas = nodes.filter((n) => n !== primary);
    const layout = {
        primaries: [{ node: primary.name, slots: [] }],
        replicas: replicas.map((r) => ({ node: r.name, primary: primary.name })),
    };
    const linked = (r: ObservedNode) => following(r) === primary && r.replication.linkUp;

    // Phase 1: the primary is a primary, without the diskless-sync delay while replicas sync.
    const phase1: Action[] = [];
    if (primary.replication.role === "replica") phase1.push({ kind: "promote", node: primary.name });
    if (replicas.some((r) => !linked(r))) phase1.push(...lowerForBootstrap(primary, DISKLESS_SYNC_DELAY));
    if (phase1.length > 0) return { actions: phase1, waiting: [], refusals: [], layout };

    // Phase 2: every other node follows the primary.
    const phase2: Action[] = replicas
        .filter((r) => following(r) !== primary)
        .map((r) => ({ kind: "replicaof", node: r.name, primary: primary.name, address: primary.announce }));
    if (phase2.length > 0) return { actions: phase2, waiting: [], refusals: [], layout };

    const waiting = replicas.filter((r) => !linked(r)).map((r) => `${r.name}: replication link to ${primary.name} is down`);
    // Once ready, the delay lowered for the first sync goes back to its steady value.
    const restore = waiting.length === 0 ? restoreSettings(nodes, steady, [DISKLESS_SYNC_DELAY]) : [];
    return { actions: restore, waiting, refusals: [], layout };
}
