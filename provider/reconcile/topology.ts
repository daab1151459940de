// What a topology needs, checked before any node is contacted.
import { SLOT_COUNT } from "./slots";
import { Topology } from "./types";

/** The smallest number of nodes the topology can run on. */
export function nodesNeeded(topology: Topology): number {
    switch (topology.kind) {
        case "standalone":
            return 1;
        case "replicated":
            return 1 + topology.replicas;
        case "cluster":
            return topology.masters * (1 + topology.replicasPerMaster);
    }
}

function isCount(value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): boolean {
    return typeof value === "number" && Number.isInteger(value) && value >= min && value <= max;
}

function plural(n: number, one: string, many = `${one}s`): string {
    return `${n} ${n === 1 ? one : many}`;
}

/** `cluster (3 primaries x 1 replica)`, `replicated (1 primary + 2 replicas)`, `standalone`. */
export function describeTopology(topology: Topology): string {
    switch (topology.kind) {
        case "standalone":
            return "standalone";
        case "replicated":
            return `replicated (1 primary + ${plural(topology.replicas, "replica")})`;
        case "cluster":
            return `cluster (${plural(topology.masters, "primary", "primaries")} x ${plural(topology.replicasPerMaster, "replica")})`;
    }
}

/**
 * Every reason the request cannot be met, in words a user can act on; empty when it can. Nodes beyond
 * what a replicated or cluster topology needs become extra replicas.
 */
export function topologyProblems(topology: Topology, nodeCount: number): string[] {
    const problems: string[] = [];
    switch (topology.kind) {
        case "standalone":
            if (nodeCount !== 1) problems.push(`a standalone topology takes exactly 1 node, but ${nodeCount} were given`);
            return problems;
        case "replicated":
            if (!isCount(topology.replicas, 0)) {
                problems.push(`replicas must be a whole number >= 0 (got ${topology.replicas})`);
                return problems;
            }
            break;
        case "cluster":
            if (!isCount(topology.masters, 1, SLOT_COUNT)) {
                problems.push(`masters must be a whole number from 1 to ${SLOT_COUNT} (got ${topology.masters})`);
            }
            if (!isCount(topology.replicasPerMaster, 0)) {
                problems.push(`replicasPerMaster must be a whole number >= 0 (got ${topology.replicasPerMaster})`);
            }
            if (problems.length > 0) return problems;
            break;
        default:
            return [`unknown topology kind "${(topology as { kind: unknown }).kind}" (expected standalone, replicated or cluster)`];
    }
    const needed = nodesNeeded(topology);
    if (nodeCount < needed) {
        const shape =
            topology.kind === "cluster"
                ? `${topology.masters} primaries x (1 + ${topology.replicasPerMaster} replicas)`
                : `1 primary + ${topology.replicas} replicas`;
        problems.push(`the topology needs at least ${needed} nodes (${shape}), but ${nodeCount} were given`);
    }
    return problems;
}
