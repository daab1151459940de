// Replica placement: keep a replica off its primary's host, then off its primary's zone, then off the
// hosts of the primary's other replicas. valkey-cli does the first and third with a random-swap
// optimiser; here the same costs drive a deterministic greedy choice plus pairwise swaps, so that
// the same observation always yields the same plan (which is what makes a killed run resumable).
import { Placement } from "./types";

/** Cost weights: a replica on its primary's host defeats the point of the replica. */
export const SAME_HOST_AS_PRIMARY = 10000;
export const SAME_ZONE_AS_PRIMARY = 100;
export const SAME_HOST_AS_SIBLING = 1;

export interface Placed {
    readonly name: string;
    readonly placement: Placement;
}

function same(a: string | undefined, b: string | undefined): boolean {
    return a !== undefined && b !== undefined && a === b;
}

/** The cost of `replica` following `primary` next to the primary's other replicas `siblings`. */
export function placementCost(replica: Placed, primary: Placed, siblings: readonly Placed[]): number {
    let cost = 0;
    if (same(replica.placement.host, primary.placement.host)) cost += SAME_HOST_AS_PRIMARY;
    if (same(replica.placement.zone, primary.placement.zone)) cost += SAME_ZONE_AS_PRIMARY;
    for (const s of siblings) if (same(replica.placement.host, s.placement.host)) cost += SAME_HOST_AS_SIBLING;
    return cost;
}

/**
 * Picks `count` nodes out of `candidates` to become primaries, spreading them over hosts and zones
 * (fewest primaries on the host, then in the zone, then the earliest candidate).
 */
export function choosePrimaries<T extends Placed>(count: number, candidates: readonly T[], existing: readonly Placed[]): T[] {
    const chosen: T[] = [];
    const placed: Placed[] = [...existing];
    const remaining = [...candidates];
    while (chosen.length < count && remaining.length > 0) {
        let best = 0;
        let bestKey: [number, number] | undefined;
        remaining.forEach((c, i) => {
            const key: [number, number] = [
                placed.filter((p) => same(p.placement.host, c.placement.host)).length,
                placed.filter((p) => same(p.placement.zone, c.placement.zone)).length,
            ];
            if (bestKey === undefined || key[0] < bestKey[0] || (key[0] === bestKey[0] && key[1] < bestKey[1])) {
                best = i;
                bestKey = key;
            }
        });
        const [pick] = remaining.splice(best, 1);
        chosen.push(pick);
        placed.push(pick);
    }
    return chosen;
}

/** A primary that needs `need` more replicas; `current` are the replicas it keeps. */
export interface ReplicaDemand<P extends Placed> {
    readonly primary: P;
    readonly current: readonly Placed[];
    readonly need: number;
}

/**
 * Fills the demands from `pool` (in pool order of preference) and returns the chosen
 * (replica, primary) pairs in demand order. Seats are handed out round-robin over the primaries, each
 * to the cheapest remaining pool node; then pairwise swaps (and swaps with unused pool nodes) that
 * lower the total cost are applied until none is left.
 */
export function assignReplicas<P extends Placed, R extends Placed>(demands: readonly ReplicaDemand<P>[], pool: readonly R[]): { replica: R; primary: P }[] {
    const seats: number[] = []; // index into demands, one entry per replica to place
    const maxNeed = Math.max(0, ...demands.map((d) => d.need));
    for (let round = 0; round < maxNeed; round++) {
        demands.forEach((d, i) => {
            if (d.need > round) seats.push(i);
        });
    }
    const taken: (R | undefined)[] = seats.map(() => undefined);
    const unused = [...pool];
    const siblingsOf = (demand: number, except: number): Placed[] => [
        ...demands[demand].current,
        ...seats.flatMap((d, s) => (d === demand && s !== except && taken[s] ? [taken[s] as R] : [])),
    ];
    seats.forEach((d, s) => {
        let best = -1;
        let bestCost = Infinity;
        unused.forEach((r, i) => {
            const cost = placementCost(r, demands[d].primary, siblingsOf(d, s));
            if (cost < bestCost) {
                best = i;
                bestCost = cost;
            }
        });
        if (best >= 0) taken[s] = unused.splice(best, 1)[0];
    });

    const total = (): number =>
        seats.reduce((sum, d, s) => {
            const r = taken[s];
            // Sibling costs are counted once per pair: only towards earlier seats and kept replicas.
            const earlier = seats.flatMap((d2, s2) => (d2 === d && s2 < s && taken[s2] ? [taken[s2] as R] : []));
            return r ? sum + placementCost(r, demands[d].primary, [...demands[d].current, ...earlier]) : sum;
        }, 0);

    // Bounded: every accepted swap lowers a non-negative integer cost.
    for (let improved = true, passes = 0; improved && passes < 1000; passes++) {
        improved = false;
        let cost = total();
        for (let a = 0; a < seats.length; a++) {
            for (let b = a + 1; b < seats.length; b++) {
                if (seats[a] === seats[b]) continue;
                [taken[a], taken[b]] = [taken[b], taken[a]];
                const swapped = total();
                if (swapped < cost) {
                    cost = swapped;
                    improved = true;
                } else {
                    [taken[a], taken[b]] = [taken[b], taken[a]];
                }
            }
            for (let u = 0; u < unused.length && taken[a]; u++) {
                [taken[a], unused[u]] = [unused[u], taken[a] as R];
                const swapped = total();
                if (swapped < cost) {
                    cost = swapped;
                    improved = true;
                } else {
                    [taken[a], unused[u]] = [unused[u], taken[a] as R];
                }
            }
        }
    }
    return seats.flatMap((d, s) => {
        const r = taken[s];
        return r ? [{ replica: r, primary: demands[d].primary }] : [];
    });
}
