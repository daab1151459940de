// Planning for cluster mode: from what every node reports (CLUSTER NODES, CLUSTER INFO, INFO) to the
// next commands. Each round is planned from scratch out of the observation alone, so a run killed
// at any point is finished by the next one: existing slot owners and replicas are kept, and what is
// missing is filled in deterministically. planCluster, at the end, composes the parts above it in the
// order a round runs them; each is pure and exported only for its table tests.
import { addressText } from "./address";
import { applyMoves, planRebalance, SlotMove } from "./rebalance";
import { assignReplicas, choosePrimaries, placementCost, ReplicaDemand } from "./placement";
import { countSlots, formatRanges, intersectRanges, normalizeRanges, rangesWhere, SLOT_COUNT, slotSet, splitSlots } from "./slots";
import { CLUSTER_NODE_TIMEOUT, DISKLESS_SYNC_DELAY, lowerForBootstrap, restoreSettings, Settings } from "./settings";
import { Action, ClusterNodeEntry, ClusterObservation, Endpoint, Layout, ObservedNode, Plan, Refusal, SlotRange } from "./types";

/**
 * A given node with its own entry and view of the cluster.
 * @internal
 */
export interface Member {
    readonly node: ObservedNode;
    readonly name: string;
    readonly index: number;
    readonly placement: ObservedNode["placement"];
    readonly me: ClusterNodeEntry;
    readonly cluster: ClusterObservation;
}

function entryAddress(e: ClusterNodeEntry): string {
    return addressText({ host: e.host, port: e.port });
}

function shortId(id: string): string {
    return id.slice(0, 8);
}

const EMPTY_LAYOUT = { primaries: [], replicas: [] };

function refused(refusals: Refusal[]): Plan {
    return { actions: [], waiting: [], refusals, layout: EMPTY_LAYOUT };
}

/** What `viewer` knows about the node with `id` (not a handshake in progress). */
function entryFor(viewer: Member, id: string): ClusterNodeEntry | undefined {
    return viewer.cluster.nodes.find((e) => e.id === id && !e.handshake);
}

function matchesAddress(e: ClusterNodeEntry, address: Endpoint): boolean {
    return e.port === address.port && (e.host === address.host || e.hostname === address.host);
}

function handshakePending(viewer: Member, address: Endpoint): boolean {
    return viewer.cluster.nodes.some((e) => e.handshake && e.host === address.host && e.port === address.port);
}

/** Disjoint sets over member indexes: which given nodes know each other or are being introduced. */
function components(members: readonly Member[], byId: ReadonlyMap<string, Member>): number[] {
    const parent = members.map((_, i) => i);
    const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
    for (const m of members) {
        for (const e of m.cluster.nodes) {
            // A handshake entry has a random id; its address says whom this node is being introduced to.
            const other = e.handshake ? members.find((o) => o.node.announce.host === e.host && o.node.announce.port === e.port) : byId.get(e.id);
            if (other) parent[find(other.index)] = find(m.index);
        }
    }
    return members.map((m) => find(m.index));
}

/**
 * A part either hands its result to the next or ends the round with `stop`.
 * @internal
 */
export type Step<T> = { readonly stop: Plan } | ({ readonly stop?: undefined } & T);

/**
 * The given nodes, each answering as a cluster node, by position and by node id.
 * @internal
 */
export interface Membership {
    readonly members: readonly Member[];
    readonly byId: ReadonlyMap<string, Member>;
}

/**
 * Guards: every node has loaded its dataset, answers as a cluster node and is given once.
 * @internal
 */
export function admitMembers(nodes: readonly ObservedNode[]): Step<Membership> {
    // A loading node answers INFO but not yet CLUSTER NODES.
    const loading = nodes.filter((n) => n.loading);
    if (loading.length > 0) {
        return { stop: { actions: [], waiting: loading.map((n) => `${n.name}: loading its dataset`), refusals: [], layout: EMPTY_LAYOUT } };
    }
    const refusals: Refusal[] = [];
    for (const n of nodes) {
        if (!n.clusterEnabled) {
            refusals.push({ node: n.name, reason: "cluster mode is off (cluster-enabled no); a cluster topology needs cluster-enabled yes" });
        } else if (!n.cluster || !n.cluster.nodes.some((e) => e.myself)) {
            refusals.push({ node: n.name, reason: "did not answer CLUSTER INFO and CLUSTER NODES (may this user run CLUSTER commands?)" });
        }
    }
    if (refusals.length > 0) return { stop: refused(refusals) };

    const members: Member[] = nodes.map((node, index) => {
        const cluster = node.cluster as ClusterObservation;
        return { node, name: node.name, index, placement: node.placement, cluster, me: cluster.nodes.find((e) => e.myself) as ClusterNodeEntry };
    });
    const byId = new Map<string, Member>();
    for (const m of members) {
        const twin = byId.get(m.me.id);
        if (twin) refusals.push({ node: m.name, reason: `is the same server as ${twin.name} (node id ${m.me.id})` });
        byId.set(m.me.id, m);
    }
    if (refusals.length > 0) return { stop: refused(refusals) };
    return { members, byId };
}

/**
 * Which given nodes know each other (or are being introduced), and who claims slots.
 * @internal
 */
export interface Groups {
    /** The group of each member, by member index. */
    readonly root: readonly number[];
    /** The primaries that claim slots, in the given order. */
    readonly claimants: readonly Member[];
}

/** @internal */
export function groupsOf({ members, byId }: Membership): Groups {
    return { root: components(members, byId), claimants: members.filter((m) => m.me.primary && m.me.slots.length > 0) };
}

/**
 * What to do about the nodes the given nodes know of that are not given.
 * @internal
 */
export interface Strangers {
    readonly refusals: readonly Refusal[];
    readonly waiting: readonly string[];
    /** Ids of departed members, to FORGET once every given node is met. */
    readonly forgettable: readonly string[];
}

/**
 * A node the given nodes know of that is not given is another cluster's, or a member that is gone.
 * Whether a node without slots is alive cannot be told from one view (right after a restart every
 * link looks alike), so: one known to a fresh group is another cluster's; one known to a cluster that
 * serves slots is a departed member, forgotten once the cluster marks it failed.
 * @internal
 */
export function findStrangers({ members, byId }: Membership, { root, claimants }: Groups): Strangers {
    const servesSlots = (m: Member) => claimants.some((c) => root[c.index] === root[m.index]);
    const refusals: Refusal[] = [];
    const waiting: string[] = [];
    const forgettable: string[] = [];
    const foreign = new Map<string, Member[]>();
    for (const m of members) {
        for (const e of m.cluster.nodes) {
            if (!e.myself && !e.handshake && !byId.has(e.id)) foreign.set(e.id, [...(foreign.get(e.id) ?? []), m]);
        }
    }
    // CLUSTER NODES lists nodes in hash order: report them by their slots, then by id.
    const firstSlot = (id: string) => Math.min(...(foreign.get(id) ?? []).map((m) => entryFor(m, id)?.slots[0]?.start ?? SLOT_COUNT));
    const foreignIds = [...foreign.keys()].sort((a, b) => firstSlot(a) - firstSlot(b) || a.localeCompare(b));
    for (const id of foreignIds) {
        const seenBy = foreign.get(id) as Member[];
        const views = seenBy.map((m) => entryFor(m, id) as ClusterNodeEntry);
        const withSlots = views.find((e) => e.slots.length > 0);
        const fresh = seenBy.filter((m) => !servesSlots(m));
        if (withSlots || fresh.length > 0) {
            const detail = withSlots ? ` and serves slots ${formatRanges(withSlots.slots)}` : "";
            for (const m of withSlots ? seenBy : fresh) {
                refusals.push({
                    node: m.name,
                    reason: `belongs to another cluster: it knows node ${id} at ${entryAddress(withSlots ?? views[0])}, which is not among the given nodes${detail}`,
                });
            }
        } else if (views.every((e) => e.failing === "fail" || e.noaddr)) {
            forgettable.push(id);
        } else {
            waiting.push(
                `${seenBy[0].name}: node ${shortId(id)} at ${entryAddress(views[0])} is not among the given nodes; it is forgotten once the cluster marks it failed`,
            );
        }
    }
    return { refusals, waiting, forgettable };
}

/**
 * The nodes on each side of a slot left open by an interrupted move.
 * @internal
 */
export type OpenSlots = Map<number, { migrating: { node: string; to: string }[]; importing: { node: string; from: string }[] }>;

/**
 * Slots left open by an interrupted move, closed before anything else (valkey-cli fix semantics, ./rebalance).
 * @internal
 */
export function findOpenSlots({ members, byId }: Membership): { readonly openSlots: OpenSlots; readonly refusals: readonly Refusal[] } {
    const refusals: Refusal[] = [];
    const openSlots: OpenSlots = new Map();
    for (const m of members) {
        for (const open of m.me.openSlots) {
            const peer = byId.get(open.peerId);
            if (!peer) {
                refusals.push({
                    node: m.name,
                    reason: `slot ${open.slot} is ${open.state} ${open.state === "migrating" ? "to" : "from"} node ${open.peerId}, which is not among the given nodes`,
                });
                continue;
            }
            const entry = openSlots.get(open.slot) ?? { migrating: [], importing: [] };
            if (open.state === "migrating") entry.migrating.push({ node: m.name, to: peer.name });
            else entry.importing.push({ node: m.name, from: peer.name });
            openSlots.set(open.slot, entry);
        }
    }
    return { openSlots, refusals };
}

/**
 * Slot claims. Several groups serving different slots are what an interrupted bootstrap leaves
 * behind and are merged; a group that serves slots another group serves, or that holds keys, is
 * another cluster. A node holding keys that is in no accepted group and replicates no given node is
 * refused too: converge never adds a node that holds data.
 * @internal
 */
export function acceptClaims(
    { members, byId }: Membership,
    { root, claimants }: Groups,
): { readonly accepted: readonly Member[]; readonly refusals: readonly Refusal[] } {
    const refusals: Refusal[] = [];
    const claimedBy = new Map<number, number>(); // group root -> slots claimed
    for (const c of claimants) claimedBy.set(root[c.index], (claimedBy.get(root[c.index]) ?? 0) + countSlots(c.me.slots));
    let mainRoot: number | undefined;
    for (const c of claimants) {
        const r = root[c.index];
        if (mainRoot === undefined || (claimedBy.get(r) ?? 0) > (claimedBy.get(mainRoot) ?? 0)) mainRoot = r;
    }
    const accepted = claimants.filter((c) => root[c.index] === mainRoot);
    const holdsKeys = (r: number) => members.some((m) => root[m.index] === r && m.node.keys > 0);
    for (const c of claimants) {
        if (root[c.index] === mainRoot) continue;
        const claimed = slotSet(c.me.slots);
        const sharing = accepted.filter((a) => a.me.slots.some((r) => claimed.subarray(r.start, r.end + 1).includes(1)));
        if (sharing.length > 0) {
            const shared = slotSet(sharing.flatMap((a) => a.me.slots));
            refusals.push({
                node: c.name,
                reason: `belongs to another cluster: it serves slots ${formatRanges(rangesWhere((s) => claimed[s] === 1 && shared[s] === 1))}, also served by ${sharing.map((a) => a.name).join(", ")}`,
            });
        } else if (holdsKeys(root[c.index])) {
            refusals.push({
                node: c.name,
                reason: `belongs to another cluster: it serves slots ${formatRanges(c.me.slots)} with keys but does not know ${accepted.map((a) => a.name).join(", ")}`,
            });
        } else {
            accepted.push(c);
        }
    }

    const isReplicaOfGiven = (m: Member) => m.me.replica && m.me.primaryId !== undefined && byId.has(m.me.primaryId);
    for (const m of members) {
        // Keys in a slot being imported are what an interrupted move leaves: repaired, not refused.
        if (m.node.keys > 0 && !accepted.includes(m) && !isReplicaOfGiven(m) && !m.me.openSlots.some((o) => o.state === "importing" && byId.has(o.peerId))) {
            refusals.push({
                node: m.name,
                reason: `holds ${m.node.keys} keys but serves no slots and replicates no given node; converge never adds a node that holds data`,
            });
        }
    }
    return { accepted, refusals };
}

/**
 * What the user asked for, as the parts of planCluster read it.
 * @internal
 */
export interface ClusterRequest {
    readonly masters: number;
    readonly replicasPerMaster: number;
    readonly surplus: "replicas" | "release";
}

/** In release mode the given nodes beyond masters x (1 + replicasPerMaster) leave the cluster. */
function isSurplus(request: ClusterRequest, m: Member): boolean {
    return request.surplus === "release" && m.index >= request.masters * (request.replicasPerMaster + 1);
}

/**
 * Who serves which slot among the accepted claimants.
 * @internal
 */
export interface Ownership {
    /** By slot number. */
    readonly owner: readonly (Member | undefined)[];
    readonly owned: ReadonlyMap<Member, SlotRange[]>;
    /** The claimants that own slots, in the given order. */
    readonly owners: readonly Member[];
    /** Claims lost to another claimant, until Valkey settles them. */
    readonly waiting: readonly string[];
}

/**
 * Within one cluster Valkey settles conflicting claims by config epoch: so does the plan.
 * @internal
 */
export function settleOwnership(accepted: readonly Member[]): Ownership {
    const owner: (Member | undefined)[] = new Array(SLOT_COUNT).fill(undefined);
    for (const c of accepted) {
        for (const r of c.me.slots) {
            for (let s = r.start; s <= r.end; s++) {
                const current = owner[s];
                if (!current || c.me.configEpoch > current.me.configEpoch) owner[s] = c;
            }
        }
    }
    const owned = new Map<Member, SlotRange[]>(accepted.map((c) => [c, rangesWhere((s) => owner[s] === c)]));
    const waiting: string[] = [];
    for (const c of accepted) {
        const claimed = slotSet(c.me.slots);
        const lost = rangesWhere((s) => owner[s] !== c && claimed[s] === 1);
        if (lost.length > 0) waiting.push(`${c.name}: also claims slots ${formatRanges(lost)}; Valkey settles this by config epoch`);
    }
    const owners = accepted.filter((c) => (owned.get(c) ?? []).length > 0).sort((a, b) => a.index - b.index);
    return { owner, owned, owners, waiting };
}

/**
 * One repair-slot action per open slot, lowest slot first (carried out by provider/reshard).
 * @internal
 */
export function planRepairs(openSlots: OpenSlots, { owner }: Ownership): Action[] {
    return [...openSlots]
        .sort(([a], [b]) => a - b)
        .map(([slot, o]) => ({
            kind: "repair-slot",
            node: (o.migrating[0]?.node ?? o.importing[0]?.node) as string,
            slot,
            ...(owner[slot] ? { owner: (owner[slot] as Member).name } : {}),
            migrating: o.migrating,
            importing: o.importing,
        }));
}

/**
 * A primary of the layout, and the slots no node serves that it gets by ADDSLOTS.
 * @internal
 */
export interface PrimaryRole {
    readonly member: Member;
    readonly add: readonly SlotRange[];
}

/** @internal */
export interface PrimaryRoles {
    /** By their first desired slot. */
    readonly primaries: readonly PrimaryRole[];
    /** Slots that go with their keys from one primary to another. */
    readonly moves: readonly SlotMove[];
    readonly desiredSlots: ReadonlyMap<Member, SlotRange[]>;
}

/**
 * The primaries of the layout and the slots each serves once this round's moves and ADDSLOTS are
 * done. Owners that stay are the ones not surplus, lowest position first, at most `masters`; the
 * others are drained.
 * @internal
 */
export function choosePrimaryRoles(members: readonly Member[], accepted: readonly Member[], ownership: Ownership, request: ClusterRequest): Step<PrimaryRoles> {
    const { owner, owned, owners } = ownership;
    const keepers = owners.filter((o) => !isSurplus(request, o)).slice(0, request.masters);
    const leavers = owners.filter((o) => !keepers.includes(o));
    const missing = rangesWhere((s) => owner[s] === undefined);
    if (missing.length > 0 && leavers.length > 0) {
        return {
            stop: refused([
                {
                    reason: `slots ${formatRanges(missing)} are served by no node while ${leavers.map((o) => o.name).join(", ")} must be drained to reach ${request.masters} primaries; converge drains primaries only once every slot is served`,
                },
            ]),
        };
    }
    const chosen =
        missing.length === 0 ? rescale(members, accepted, ownership, keepers, leavers, request) : fillMissing(members, accepted, ownership, missing, request);
    if (chosen.stop) return chosen;
    const afterMoves = new Map(
        applyMoves(
            owners.map((o) => ({ node: o.name, slots: owned.get(o) ?? [] })),
            chosen.moves,
        ).map((o) => [o.node, o.slots]),
    );
    const desiredSlots = new Map<Member, SlotRange[]>(
        chosen.primaries.map((p) => [p.member, normalizeRanges([...(afterMoves.get(p.member.name) ?? []), ...p.add])]),
    );
    const primaries = [...chosen.primaries].sort((a, b) => (desiredSlots.get(a.member)?.[0]?.start ?? 0) - (desiredSlots.get(b.member)?.[0]?.start ?? 0));
    return { primaries, moves: chosen.moves, desiredSlots };
}

/** Every slot is served: new primaries join, leavers are drained, and the slots are rebalanced. */
function rescale(
    members: readonly Member[],
    accepted: readonly Member[],
    { owned, owners }: Ownership,
    keepers: readonly Member[],
    leavers: readonly Member[],
    request: ClusterRequest,
): Step<{ primaries: PrimaryRole[]; moves: SlotMove[] }> {
    const need = request.masters - keepers.length;
    const candidates = members.filter((m) => m.me.primary && !accepted.includes(m) && !isSurplus(request, m) && m.me.slots.length === 0);
    const chosen = need > 0 ? choosePrimaries(need, candidates, keepers) : [];
    if (chosen.length < need) {
        // Roles swap (failovers, rolling restarts): a staying replica of a leaving primary
        // takes over that primary's slots, keys in place, instead of an empty primary joining.
        const takeOvers: Action[] = [];
        for (const leaver of leavers) {
            if (takeOvers.length >= need - chosen.length) break;
            const heir = members.find((m) => !isSurplus(request, m) && m.me.replica && m.me.primaryId === leaver.me.id && m.node.replication.linkUp);
            if (heir !== undefined) takeOvers.push({ kind: "take-over", node: heir.name, primary: leaver.name });
        }
        if (takeOvers.length > 0) return { stop: { actions: takeOvers, waiting: [], refusals: [], layout: EMPTY_LAYOUT } };
        return {
            stop: refused([
                {
                    reason: `growing to ${request.masters} primaries needs ${need} more given nodes that are empty primaries (not replicas), but only ${chosen.length} are`,
                },
            ]),
        };
    }
    const primaries = [...keepers, ...chosen].map((member) => ({ member, add: [] }));
    const moves = planRebalance(
        owners.map((o) => ({ node: o.name, slots: owned.get(o) ?? [] })),
        primaries.map((p) => p.member.name),
    );
    return { primaries, moves };
}

/**
 * Some slots are served by no node (a bootstrap, or one killed half way): valkey-cli's split, each
 * range kept by the owner with most of it and the rest given to new primaries. Slots are not moved.
 */
function fillMissing(
    members: readonly Member[],
    accepted: readonly Member[],
    { owned, owners }: Ownership,
    missing: readonly SlotRange[],
    { masters }: ClusterRequest,
): Step<{ primaries: PrimaryRole[]; moves: SlotMove[] }> {
    const split = splitSlots(masters);
    const rangeOwner: (Member | undefined)[] = split.map(() => undefined);
    const matched = new Set<Member>();
    split.forEach((range, i) => {
        let best: Member | undefined;
        let bestCount = 0;
        for (const o of owners) {
            if (matched.has(o)) continue;
            const inside = countSlots(intersectRanges(owned.get(o) ?? [], [range]));
            if (inside > bestCount) {
                best = o;
                bestCount = inside;
            }
        }
        if (best) {
            rangeOwner[i] = best;
            matched.add(best);
        }
    });
    const unmatched = owners.filter((o) => !matched.has(o));
    if (unmatched.length > 0) {
        return {
            stop: refused(
                unmatched.map((o) => ({
                    node: o.name,
                    reason: `serves slots ${formatRanges(owned.get(o) ?? [])} in a layout that does not fit ${masters} primaries; converge does not move slots`,
                })),
            ),
        };
    }
    const open = split.flatMap((_, i) => (rangeOwner[i] ? [] : [i]));
    const candidates = members.filter((m) => !matched.has(m) && m.me.primary && !accepted.includes(m));
    const chosen = choosePrimaries(open.length, candidates, owners);
    if (chosen.length < open.length) {
        return {
            stop: refused([
                {
                    reason: `slots ${formatRanges(missing)} need ${open.length} more primaries, but only ${chosen.length} given nodes are empty primaries`,
                },
            ]),
        };
    }
    open.forEach((rangeIndex, j) => (rangeOwner[rangeIndex] = chosen[j]));
    return { primaries: split.map((range, i) => ({ member: rangeOwner[i] as Member, add: intersectRanges(missing, [range]) })), moves: [] };
}

/** The replicas of `p` in `replicaOf`, in its order. */
function followersOf(replicaOf: ReadonlyMap<Member, Member>, p: Member): Member[] {
    return [...replicaOf].filter(([, q]) => q === p).map(([r]) => r);
}

/**
 * The primary each non-primary follows: replicas that follow a primary stay with it; the rest are
 * placed (./placement). Nodes beyond the topology's needs become extra replicas, where they are
 * fewest and best placed; surplus nodes in release mode get no primary.
 * @internal
 */
export function assignReplicaRoles(members: readonly Member[], primaries: readonly PrimaryRole[], request: ClusterRequest): ReadonlyMap<Member, Member> {
    const { replicasPerMaster } = request;
    const primaryOf = new Map<string, Member>(primaries.map((p) => [p.member.me.id, p.member]));
    const kept = new Map<Member, Member[]>(primaries.map((p) => [p.member, []]));
    const pool: Member[] = [];
    for (const m of members) {
        // A node that lost a slot conflict keeps its claim until Valkey settles it (see settleOwnership).
        if (primaryOf.has(m.me.id) || m.me.slots.length > 0 || isSurplus(request, m)) continue;
        const following = m.me.replica && m.me.primaryId ? primaryOf.get(m.me.primaryId) : undefined;
        if (following) (kept.get(following) as Member[]).push(m);
        else pool.push(m);
    }
    const deficit = () => primaries.reduce((sum, p) => sum + Math.max(0, replicasPerMaster - (kept.get(p.member) as Member[]).length), 0);
    // A primary with more replicas than asked lends its worst-placed ones to primaries with too few.
    for (const p of primaries) {
        const replicas = kept.get(p.member) as Member[];
        while (replicas.length > replicasPerMaster && pool.length < deficit()) {
            const ranked = [...replicas].sort(
                (a, b) =>
                    placementCost(
                        b,
                        p.member,
                        replicas.filter((r) => r !== b),
                    ) -
                        placementCost(
                            a,
                            p.member,
                            replicas.filter((r) => r !== a),
                        ) || b.index - a.index,
            );
            replicas.splice(replicas.indexOf(ranked[0]), 1);
            pool.push(ranked[0]);
        }
    }
    const demands: ReplicaDemand<Member>[] = primaries.map((p) => ({
        primary: p.member,
        current: kept.get(p.member) as Member[],
        need: Math.max(0, replicasPerMaster - (kept.get(p.member) as Member[]).length),
    }));
    const replicaOf = new Map<Member, Member>();
    for (const [p, rs] of kept) for (const r of rs) replicaOf.set(r, p);
    for (const { replica, primary } of assignReplicas(demands, pool)) replicaOf.set(replica, primary);
    for (const extra of pool.filter((m) => !replicaOf.has(m))) {
        const betterThan = (b: Member, a: Member) => {
            const [countA, countB] = [followersOf(replicaOf, a).length, followersOf(replicaOf, b).length];
            return (
                countB < countA ||
                (countB === countA && placementCost(extra, b, followersOf(replicaOf, b)) < placementCost(extra, a, followersOf(replicaOf, a)))
            );
        };
        const best = primaries.map((p) => p.member).reduce((a, b) => (betterThan(b, a) ? b : a));
        replicaOf.set(extra, best);
    }
    return replicaOf;
}

/**
 * The roles the plan converges to, primaries by their first slot and replicas in the given order.
 * @internal
 */
export function layoutOf(members: readonly Member[], { primaries, desiredSlots }: PrimaryRoles, replicaOf: ReadonlyMap<Member, Member>): Layout {
    return {
        primaries: primaries.map((p) => ({ node: p.member.name, slots: desiredSlots.get(p.member) as SlotRange[] })),
        replicas: members.filter((m) => replicaOf.has(m)).map((m) => ({ node: m.name, primary: (replicaOf.get(m) as Member).name })),
    };
}

function linked(r: Member, p: Member): boolean {
    return r.me.replica && r.me.primaryId === p.me.id && r.node.replication.linkUp;
}

/**
 * Before any MEET: the bootstrap settings (see ./settings), distinct config epochs on fresh nodes
 * (SET-CONFIG-EPOCH only works on a node that knows nobody), and the slots no node serves.
 * @internal
 */
export function planBootstrap(
    members: readonly Member[],
    { primaries, moves }: PrimaryRoles,
    { owned }: Ownership,
    replicaOf: ReadonlyMap<Member, Member>,
    request: ClusterRequest,
): Action[] {
    const actions: Action[] = [];
    for (const p of primaries) {
        // A primary getting its first slots (by ADDSLOTS or by moves) reports cluster_state:ok sooner.
        const gets = p.add.length > 0 || moves.some((m) => m.to === p.member.name);
        if (gets && (owned.get(p.member) ?? []).length === 0) actions.push(...lowerForBootstrap(p.member.node, CLUSTER_NODE_TIMEOUT));
        if (followersOf(replicaOf, p.member).some((r) => !linked(r, p.member))) actions.push(...lowerForBootstrap(p.member.node, DISKLESS_SYNC_DELAY));
    }
    if (members.length > 1) {
        let epoch = Math.max(0, ...members.flatMap((m) => [m.cluster.currentEpoch, m.cluster.myEpoch, ...m.cluster.nodes.map((e) => e.configEpoch)]));
        for (const m of members) {
            if (m.cluster.knownNodes <= 1 && m.me.configEpoch === 0 && !isSurplus(request, m)) {
                actions.push({ kind: "set-config-epoch", node: m.name, epoch: ++epoch });
            }
        }
    }
    for (const p of primaries) if (p.add.length > 0) actions.push({ kind: "add-slots", node: p.member.name, ranges: p.add });
    return actions;
}

/** @internal */
export interface Introductions {
    /** MEETs, then CLUSTER REPLICATEs. */
    readonly actions: readonly Action[];
    /** Handshakes in progress: no MEET is repeated meanwhile. */
    readonly meetWaits: readonly string[];
    /** Replicas that do not know their primary yet: REPLICATE needs its id in their view. */
    readonly replicateWaits: readonly string[];
}

/**
 * Every staying node knows every other at its current address (after a restart on new addresses,
 * MEET updates the known ids); replicas follow their primary.
 * @internal
 */
export function planIntroductions(staying: readonly Member[], replicaOf: ReadonlyMap<Member, Member>): Introductions {
    const actions: Action[] = [];
    const meetWaits: string[] = [];
    for (const i of staying) {
        for (const j of staying) {
            if (i === j) continue;
            const entry = entryFor(i, j.me.id);
            if (entry && matchesAddress(entry, j.node.announce)) continue;
            if (handshakePending(i, j.node.announce) || handshakePending(j, i.node.announce)) {
                meetWaits.push(`${i.name}: handshake with ${j.name} in progress`);
                continue;
            }
            const reverse = entryFor(j, i.me.id);
            const meet =
                entry !== undefined || // knows the id at an old address: MEET updates it
                (reverse !== undefined && matchesAddress(reverse, i.node.announce)) || // a node only learns of a peer through MEET or gossip
                (reverse === undefined && i.index < j.index); // neither knows the other: one MEET introduces both
            if (meet) actions.push({ kind: "meet", node: i.name, peer: j.name, address: j.node.announce, busPort: j.me.busPort });
        }
    }
    const replicateWaits: string[] = [];
    for (const [r, p] of replicaOf) {
        if (r.me.replica && r.me.primaryId === p.me.id) continue;
        const entry = entryFor(r, p.me.id);
        if (entry && entry.primary) actions.push({ kind: "replicate", node: r.name, primary: p.name, primaryId: p.me.id });
        else replicateWaits.push(`${r.name}: waits to learn ${p.name} (${shortId(p.me.id)}) through the cluster bus`);
    }
    return { actions, meetWaits, replicateWaits };
}

/**
 * Slots go with their keys to the new primaries, from the leaving ones (composite actions, see
 * provider/reshard), once nothing is `pending`, every staying node knows every other and no slot is
 * claimed twice.
 * @internal
 */
export function planMoves(
    staying: readonly Member[],
    moves: readonly SlotMove[],
    pending: readonly string[],
): { readonly actions: readonly Action[]; readonly waiting: readonly string[] } {
    const failing = staying.flatMap((i) =>
        staying.filter((j) => j !== i && (entryFor(i, j.me.id)?.failing ?? "no") !== "no").map((j) => `${i.name} sees ${j.name} as failing`),
    );
    // A node that does not report cluster_state:ok yet refuses the keys MIGRATE sends (CLUSTERDOWN).
    const notOk = staying.filter((m) => m.cluster.state !== "ok").map((m) => `${m.name}: cluster_state:${m.cluster.state}`);
    if (pending.length > 0 || failing.length > 0 || notOk.length > 0) {
        return { actions: [], waiting: [...pending, ...failing, ...notOk, "slot moves wait for the nodes to know each other"] };
    }
    return { actions: moves.map((m) => ({ kind: "move-slots", node: m.from, to: m.to, ranges: m.slots })), waiting: [] };
}

/**
 * Forgets members that are gone on every node that knows them, and releases surplus nodes that
 * serve no slot: FORGET on every staying node, then RESET SOFT on the node itself. A surplus node
 * that still has followers stays until they follow another primary.
 * @internal
 */
export function planRelease(
    members: readonly Member[],
    staying: readonly Member[],
    forgettable: readonly string[],
    request: ClusterRequest,
): { readonly actions: readonly Action[]; readonly waiting: readonly string[] } {
    const actions: Action[] = [];
    const waiting: string[] = [];
    for (const id of forgettable) {
        for (const m of members) if (entryFor(m, id)) actions.push({ kind: "forget", node: m.name, nodeId: id });
    }
    for (const x of members.filter((m) => isSurplus(request, m) && m.me.slots.length === 0)) {
        const followers = staying.filter((m) => m.me.replica && m.me.primaryId === x.me.id);
        if (followers.length > 0) {
            waiting.push(`${x.name} leaves once ${followers.map((f) => f.name).join(", ")} follow another primary`);
            continue;
        }
        for (const m of staying) if (entryFor(m, x.me.id)) actions.push({ kind: "forget", node: m.name, nodeId: x.me.id });
        if (x.cluster.knownNodes > 1) actions.push({ kind: "reset", node: x.name });
    }
    return { actions, waiting };
}

/**
 * With nothing left to send: what the cluster has yet to settle before the layout is ready.
 * @internal
 */
export function readinessWaits(staying: readonly Member[], { primaries, desiredSlots }: PrimaryRoles, replicaOf: ReadonlyMap<Member, Member>): string[] {
    const waiting: string[] = [];
    for (const i of staying) {
        for (const j of staying) {
            const entry = i === j ? undefined : entryFor(i, j.me.id);
            if (entry && entry.failing !== "no") waiting.push(`${i.name} sees ${j.name} as failing (${entry.failing === "fail" ? "fail" : "fail?"})`);
        }
        if (i.cluster.state !== "ok" || i.cluster.slotsOk !== SLOT_COUNT) {
            waiting.push(`${i.name}: cluster_state:${i.cluster.state}, ${i.cluster.slotsOk} of ${SLOT_COUNT} slots ok`);
        }
        for (const p of primaries) {
            const view = p.member === i ? i.me : entryFor(i, p.member.me.id);
            const want = formatRanges(desiredSlots.get(p.member) as SlotRange[]);
            if (view && formatRanges(normalizeRanges(view.slots)) !== want) waiting.push(`${i.name} does not yet see ${p.member.name} serving ${want}`);
        }
    }
    for (const [r, p] of replicaOf) {
        if (r.me.replica && r.me.primaryId === p.me.id && !r.node.replication.linkUp) waiting.push(`${r.name}: replication link to ${p.name} is down`);
        // Valkey 8.0.1 cannot load a nodes.conf in which a replica's shard differs from its primary's
        // ("corrupted cluster config file" on restart): ready means every node agrees.
        for (const i of staying) {
            const [replicaView, primaryView] = [r, p].map((m) => (m === i ? i.me : entryFor(i, m.me.id)));
            if (replicaView?.shardId !== undefined && primaryView?.shardId !== undefined && replicaView.shardId !== primaryView.shardId) {
                waiting.push(`${i.name} does not yet see ${r.name} in the shard of ${p.name}`);
            }
        }
    }
    return waiting;
}

/**
 * Plans one round for a cluster of `masters` primaries with `replicasPerMaster` replicas each; once
 * everything is ready, the tuned settings are brought back to `steady`. Each part either ends the
 * round (refusals, or actions to apply first) or hands its decision to the next.
 */
export function planCluster(
    nodes: readonly ObservedNode[],
    masters: number,
    replicasPerMaster: number,
    steady: Settings = {},
    surplusMode: "replicas" | "release" = "replicas",
): Plan {
    const request: ClusterRequest = { masters, replicasPerMaster, surplus: surplusMode };
    const admitted = admitMembers(nodes);
    if (admitted.stop) return admitted.stop;
    const { members } = admitted;
    const groups = groupsOf(admitted);
    const strangers = findStrangers(admitted, groups);
    const { openSlots, refusals: openRefusals } = findOpenSlots(admitted);
    const { accepted, refusals: claimRefusals } = acceptClaims(admitted, groups);
    const refusals = [...strangers.refusals, ...openRefusals, ...claimRefusals];
    if (refusals.length > 0) return refused(refusals);

    const ownership = settleOwnership(accepted);
    if (openSlots.size > 0) return { actions: planRepairs(openSlots, ownership), waiting: [], refusals: [], layout: EMPTY_LAYOUT };
    const roles = choosePrimaryRoles(members, accepted, ownership, request);
    if (roles.stop) return roles.stop;
    const replicaOf = assignReplicaRoles(members, roles.primaries, request);
    const layout = layoutOf(members, roles, replicaOf);
    const act = (actions: readonly Action[]): Plan => ({ actions, waiting: [], refusals: [], layout });

    const bootstrap = planBootstrap(members, roles, ownership, replicaOf, request);
    if (bootstrap.length > 0) return act(bootstrap);
    const staying = members.filter((m) => !isSurplus(request, m));
    const introductions = planIntroductions(staying, replicaOf);
    if (introductions.actions.length > 0) return act(introductions.actions);
    const settling = [...strangers.waiting, ...ownership.waiting];
    if (roles.moves.length > 0) {
        const moves = planMoves(staying, roles.moves, [...settling, ...introductions.meetWaits]);
        return { ...moves, refusals: [], layout };
    }
    // Healing comes first (docs/converge.md): nothing is forgotten or released while a handshake with
    // a given node is still in progress.
    const release = introductions.meetWaits.length === 0 ? planRelease(members, staying, strangers.forgettable, request) : { actions: [], waiting: [] };
    if (release.actions.length > 0) return act(release.actions);

    const waiting = [
        ...settling,
        ...release.waiting,
        ...introductions.meetWaits,
        ...introductions.replicateWaits,
        ...readinessWaits(staying, roles, replicaOf),
    ];
    // Once ready, the settings lowered for the bootstrap go back to their steady values.
    const restore = waiting.length === 0 ? restoreSettings(nodes, steady, [DISKLESS_SYNC_DELAY, CLUSTER_NODE_TIMEOUT]) : [];
    return { actions: restore, waiting, refusals: [], layout };
}
