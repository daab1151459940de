// Pure planning of slot moves: rebalancing the 16384 slots over the desired primaries (scale out and
// scale in), and the repair of slots left open (MIGRATING/IMPORTING) by an interrupted move.
import { countSlots, normalizeRanges, rangesWhere, SLOT_COUNT, slotSet, splitSlots } from "./slots";
import { SlotRange } from "./types";

/** Move these slots, with their keys, from one primary to another. Names are node names. */
export interface SlotMove {
    readonly from: string;
    readonly to: string;
    readonly slots: readonly SlotRange[];
}

/** valkey-cli's rebalance threshold: a primary within 2 % of its expected share is left alone. */
export const REBALANCE_THRESHOLD_PERCENT = 2;

export interface Ownership {
    readonly node: string;
    readonly slots: readonly SlotRange[];
}

/** How far `count` is from the expected share of `primaries` primaries, in percent (valkey-cli's rule). */
export function shareDeviationPercent(count: number, primaries: number): number {
    const expected = SLOT_COUNT / primaries;
    return (Math.abs(count - expected) / expected) * 100;
}

/**
 * The moves that spread every slot over `desired` (node names, in order of preference for ties).
 * Owners not in `desired` leave: all their slots go, spread over every remaining primary in
 * proportion to what each lacks (never all to one: OT #1334). With no one leaving, nothing moves when
 * every desired primary is within `threshold` % of 16384/P (valkey-cli's expected-slots rule); else
 * every primary is brought to an exact share (the sizes of valkey-cli's split, larger shares to the
 * nodes that hold more), so all end within the threshold. Slots nobody owns are not planned here.
 */
export function planRebalance(current: readonly Ownership[], desired: readonly string[], threshold = REBALANCE_THRESHOLD_PERCENT): SlotMove[] {
    if (desired.length === 0) throw new RangeError("at least one primary must remain");
    if (new Set(desired).size !== desired.length) throw new RangeError(`duplicate primaries in ${desired.join(", ")}`);
    const owned = new Map<string, SlotRange[]>();
    for (const o of current) owned.set(o.node, normalizeRanges([...(owned.get(o.node) ?? []), ...o.slots]));
    const count = (node: string) => countSlots(owned.get(node) ?? []);
    const leavers = [...owned.keys()].filter((n) => !desired.includes(n) && count(n) > 0);
    const P = desired.length;
    if (leavers.length === 0 && desired.every((n) => shareDeviationPercent(count(n), P) <= threshold)) return [];

    // Exact targets: valkey-cli's split sizes, the larger ones to the nodes holding more (fewer moves).
    const sizes = splitSlots(P)
        .map((r) => r.end - r.start + 1)
        .sort((a, b) => b - a);
    const byHolding = desired.map((n, i) => ({ n, i })).sort((a, b) => count(b.n) - count(a.n) || a.i - b.i);
    const target = new Map<string, number>(byHolding.map(({ n }, k) => [n, sizes[k]]));

    const donors = [...leavers, ...desired.filter((n) => count(n) > (target.get(n) as number))];
    const deficit = new Map<string, number>(desired.map((n) => [n, Math.max(0, (target.get(n) as number) - count(n))]));
    const receivers = desired.filter((n) => (deficit.get(n) as number) > 0);
    const moves: SlotMove[] = [];
    for (const donor of donors) {
        const surplus = count(donor) - (target.get(donor) ?? 0);
        // Largest remainder: each receiver's share of this donor's surplus is proportional to its deficit.
        const totalDeficit = receivers.reduce((s, r) => s + (deficit.get(r) as number), 0);
        const exact = receivers.map((r) => (surplus * (deficit.get(r) as number)) / totalDeficit);
        const shares = exact.map(Math.floor);
        let rest = surplus - shares.reduce((a, b) => a + b, 0);
        const order = exact.map((x, k) => ({ frac: x - Math.floor(x), k })).sort((a, b) => b.frac - a.frac || a.k - b.k);
        for (const { k } of order) {
            if (rest === 0) break;
            if (shares[k] < (deficit.get(receivers[k]) as number)) {
                shares[k]++;
                rest--;
            }
        }
        // The donor gives its lowest slots first, one contiguous run per receiver where it can.
        const slots = slotList(owned.get(donor) ?? []);
        let cursor = 0;
        receivers.forEach((r, k) => {
            const n = Math.min(shares[k], deficit.get(r) as number);
            if (n <= 0) return;
            const given = slots.slice(cursor, cursor + n);
            cursor += n;
            deficit.set(r, (deficit.get(r) as number) - n);
            moves.push({ from: donor, to: r, slots: rangesOf(given) });
        });
    }
    return moves;
}

/** The ownership after the moves. */
export function applyMoves(current: readonly Ownership[], moves: readonly SlotMove[]): Ownership[] {
    const owner = new Map<number, string>();
    for (const o of current) for (const r of o.slots) for (let s = r.start; s <= r.end; s++) owner.set(s, o.node);
    for (const m of moves) for (const r of m.slots) for (let s = r.start; s <= r.end; s++) owner.set(s, m.to);
    const names = [...new Set([...current.map((o) => o.node), ...moves.map((m) => m.to)])];
    return names.map((node) => ({ node, slots: rangesWhere((s) => owner.get(s) === node) }));
}

function slotList(ranges: readonly SlotRange[]): number[] {
    const out: number[] = [];
    for (const r of normalizeRanges(ranges)) for (let s = r.start; s <= r.end; s++) out.push(s);
    return out;
}

function rangesOf(slots: readonly number[]): SlotRange[] {
    const set = slotSet(slots.map((s) => ({ start: s, end: s })));
    return rangesWhere((s) => set[s] === 1);
}

/** What the nodes report about one open slot, and how many keys of it each involved node holds. */
export interface OpenSlotView {
    readonly slot: number;
    /** The node serving the slot in its own view (the highest config epoch when several claim it). */
    readonly owner?: string;
    readonly migrating: readonly { readonly node: string; readonly to: string }[];
    readonly importing: readonly { readonly node: string; readonly from: string }[];
    /** `CLUSTER COUNTKEYSINSLOT` on the nodes named above (absent means 0). */
    readonly keys: Readonly<Record<string, number>>;
}

/** How to close one open slot. */
export type SlotRepair =
    /** Finish the move: IMPORTING/MIGRATING where missing, the remaining keys to `to`, then `SETSLOT NODE to` everywhere. */
    | { readonly kind: "finish"; readonly slot: number; readonly from: string; readonly to: string; readonly close: readonly string[] }
    /** Undo: the keys an importing node holds go back to the owner (no ASK state needed), then `SETSLOT STABLE` on `close`. */
    | { readonly kind: "undo"; readonly slot: number; readonly owner: string; readonly returnKeysFrom: readonly string[]; readonly close: readonly string[] }
    | { readonly kind: "refuse"; readonly slot: number; readonly reason: string };

/**
 * The repair of an open slot, after valkey-cli's `--cluster fix` (clusterManagerFixOpenSlot):
 * 1. one node migrating to D and D importing from it (or D already the owner): finish the move; other
 *    importing nodes are closed (valkey-cli cases 1 and 3);
 * 2. one node migrating to D, D neither importing nor owner: finish when the migrating node still
 *    holds keys of the slot (D is a live primary, finishing loses nothing), else close it (case 4:
 *    a move stopped before its first key);
 * 3. nobody migrating, nodes importing: their keys go back to the owner, then they are closed (case 2:
 *    the configuration's owner wins);
 * 4. several migrating nodes, or no owner: refused, as valkey-cli refuses.
 */
export function planSlotRepair(view: OpenSlotView): SlotRepair {
    const { slot, owner, migrating, importing } = view;
    const keys = (n: string) => view.keys[n] ?? 0;
    if (owner === undefined) return { kind: "refuse", slot, reason: `slot ${slot} is open but no node serves it` };
    if (migrating.length > 1) {
        return { kind: "refuse", slot, reason: `slot ${slot} is migrating on several nodes (${migrating.map((m) => m.node).join(", ")})` };
    }
    if (migrating.length === 1) {
        const { node: from, to } = migrating[0];
        const others = importing.filter((i) => i.node !== to).map((i) => i.node);
        const toImports = importing.some((i) => i.node === to);
        if (toImports || owner === to || keys(from) > 0) return { kind: "finish", slot, from, to, close: others };
        return { kind: "undo", slot, owner, returnKeysFrom: others.filter((n) => keys(n) > 0), close: [from, ...others] };
    }
    const open = importing.map((i) => i.node);
    return { kind: "undo", slot, owner, returnKeysFrom: open.filter((n) => n !== owner && keys(n) > 0), close: open };
}
