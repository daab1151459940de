// Moving slots with their keys between live primaries, the way valkey-cli does it, but pipelined:
// per slot `SETSLOT s IMPORTING src` on the target, `SETSLOT s MIGRATING dst` on the source, then
// `CLUSTER GETKEYSINSLOT` + `MIGRATE ... KEYS` until the slot is empty on the source, then
// `SETSLOT s NODE dst` on the target, the source, and every other primary. A window of slots is in
// flight at once per source/target pair (each step pipelined over the window: one MIGRATE per slot, as
// Valkey refuses keys of several slots in one), and the pairs run in parallel. Every step can be repeated, and a move stopped anywhere leaves open slots that
// `repairOpenSlots` closes (see ../reconcile/rebalance planSlotRepair).
import { CommandError, UnreachableError } from "../errors";
import { Credentials, NodeClient } from "../nodes/client";
import { formatRanges } from "../reconcile/slots";
import { OpenSlotView, planSlotRepair, SlotMove, SlotRepair } from "../reconcile/rebalance";
import { Endpoint, SlotRange } from "../reconcile/types";

/** A primary that takes part: its connection, node id and the address the other nodes use. */
export interface ReshardNode {
    readonly name: string;
    readonly id: string;
    readonly announce: Endpoint;
    readonly client: NodeClient;
    /**
     * More connections to the same node, used in turn with `client`. Valkey 8 blocks the connection
     * that sent a SETSLOT until the node's replicas acknowledge it: several connections wait at once.
     */
    readonly lanes?: readonly NodeClient[];
}

const turns = new WeakMap<ReshardNode, number>();

/** The next of the node's connections, in turn. */
function lane(n: ReshardNode): NodeClient {
    const all = [n.client, ...(n.lanes ?? [])];
    const turn = turns.get(n) ?? 0;
    turns.set(n, turn + 1);
    return all[turn % all.length];
}

export interface ReshardTuning {
    /** Keys asked per `CLUSTER GETKEYSINSLOT`. @default 1000 */
    readonly keysPerSlotFetch?: number;
    /** Keys per MIGRATE command. @default 1000 */
    readonly keysPerMigrate?: number;
    /** Slots of one source/target pair moved together. @default 128 */
    readonly slotsInFlight?: number;
    /** Windows of one pair under way at once. @default 2 */
    readonly windowsInFlight?: number;
    /** Connections per node (see ReshardNode.lanes). @default 4 when the cluster has replicas, else 1 */
    readonly connectionsPerNode?: number;
    /** Source/target pairs moving at once. @default 8 */
    readonly parallelPairs?: number;
    /** MIGRATE's own timeout, ms. @default 10000 */
    readonly migrateTimeoutMs?: number;
}

export interface ReshardContext {
    /** Every primary of the cluster, by name (SETSLOT NODE goes to each of them). */
    readonly primaries: ReadonlyMap<string, ReshardNode>;
    /** Given to MIGRATE (AUTH2 / AUTH) so the source can write on the target. */
    readonly credentials?: Credentials;
    /** Called before each mutating command (SETSLOT, MIGRATE); throws to stop (budget, abort signal). */
    readonly take: () => void;
    readonly log: (line: string) => void;
    readonly tuning?: ReshardTuning;
}

export interface MoveReport {
    readonly slots: number;
    readonly keys: number;
    readonly commands: number;
}

function slotsOf(ranges: readonly SlotRange[]): number[] {
    const out: number[] = [];
    for (const r of ranges) for (let s = r.start; s <= r.end; s++) out.push(s);
    return out;
}

function node(ctx: ReshardContext, name: string): ReshardNode {
    const n = ctx.primaries.get(name);
    if (!n) throw new Error(`no primary named ${name}`);
    return n;
}

/**
 * Sends the mutating commands at once (pipelined on the connection). When `take` refuses one, waits
 * for those already sent and rethrows, so nothing is still in flight once this rejects.
 */
async function sendAll(ctx: ReshardContext, client: NodeClient, commands: readonly { args: string[]; shown?: string }[]): Promise<unknown[]> {
    const allowed: { args: string[]; shown?: string }[] = [];
    let stop: unknown;
    for (const c of commands) {
        try {
            ctx.take();
        } catch (e) {
            stop = e;
            break;
        }
        allowed.push(c);
    }
    // One write for the whole batch: the server then handles it in few event-loop turns (each turn
    // may save nodes.conf after a SETSLOT), about 4x faster than one write per command.
    const results = await client.callMany(allowed);
    if (stop !== undefined) throw stop;
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) throw failed.reason;
    return results.map((r) => (r as PromiseFulfilledResult<unknown>).value);
}

function migrateArgs(ctx: ReshardContext, target: ReshardNode, keys: readonly string[]): { args: string[]; shown: string } {
    const timeout = String(ctx.tuning?.migrateTimeoutMs ?? 10_000);
    const auth: string[] = [];
    const user = ctx.credentials?.username;
    const password = ctx.credentials?.password;
    if (password !== undefined) auth.push(...(user !== undefined ? ["AUTH2", user, password] : ["AUTH", password]));
    return {
        args: ["MIGRATE", target.announce.host, String(target.announce.port), "", "0", timeout, "REPLACE", ...auth, "KEYS", ...keys],
        // Never the password, never thousands of keys.
        shown: `MIGRATE ${target.announce.host} ${target.announce.port} "" 0 ${timeout} REPLACE${auth.length > 0 ? " AUTH ***" : ""} KEYS (${keys.length} keys)`,
    };
}

/**
 * Moves every key of `slots` from `source` to `target` (both already in MIGRATING/IMPORTING state, or
 * with the source only holding keys the target serves), until the source holds none. Returns the keys moved.
 */
async function drainKeys(ctx: ReshardContext, source: ReshardNode, target: ReshardNode, slots: readonly number[]): Promise<{ keys: number; commands: number }> {
    const perFetch = ctx.tuning?.keysPerSlotFetch ?? 1000;
    const perMigrate = ctx.tuning?.keysPerMigrate ?? 1000;
    let pending = [...slots];
    let moved = 0;
    let commands = 0;
    // Bounded: each pass empties a slot of up to `perFetch` keys; a slot with more keys comes back.
    for (let pass = 0; pending.length > 0; pass++) {
        if (pass > 1_000_000) throw new Error(`slots ${pending.slice(0, 5).join(",")} of ${source.name} do not empty`);
        const replies = await source.client.callMany(pending.map((s) => ({ args: ["CLUSTER", "GETKEYSINSLOT", String(s), String(perFetch)] })));
        const failed = replies.find((r): r is PromiseRejectedResult => r.status === "rejected");
        if (failed) throw failed.reason;
        const fetched = replies.map((r) => (r as PromiseFulfilledResult<string[]>).value);
        // MIGRATE refuses keys of different slots in one command (CROSSSLOT): one or more per slot,
        // all of the window pipelined.
        const batches: { args: string[]; shown: string }[] = [];
        for (const keys of fetched) {
            for (let i = 0; i < keys.length; i += perMigrate) batches.push(migrateArgs(ctx, target, keys.slice(i, i + perMigrate)));
            moved += keys.length;
        }
        if (batches.length === 0) break;
        await sendAll(ctx, lane(source), batches);
        commands += batches.length;
        // Slots that returned fewer keys than asked are empty now (new keys go to the target by ASK);
        // the others are fetched again. One last empty fetch confirms the slot before SETSLOT NODE.
        pending = pending.filter((_, i) => fetched[i].length > 0);
    }
    return { keys: moved, commands };
}

/** `SETSLOT s NODE dst` on the target, then the source, then every other primary (valkey-cli's order). */
async function assignSlots(ctx: ReshardContext, slots: readonly number[], target: ReshardNode, source: ReshardNode | undefined): Promise<number> {
    const setNode = (s: number) => ({ args: ["CLUSTER", "SETSLOT", String(s), "NODE", target.id] });
    // A primary that gave away its last slot follows the new owner (Valkey's cluster-allow-replica-
    // migration), possibly already through the target's gossip before it hears from us: it refuses
    // SETSLOT and learns the rest through the cluster bus.
    // Turning into a replica, it also drops the connections blocked on a SETSLOT (waiting for its
    // replicas): the target serves the slots already; the next round observes and repairs the rest.
    const unlessNowReplica = (e: unknown) => {
        if (e instanceof UnreachableError) {
            ctx.log(`${e.message}; the next round checks the slots it was told about`);
            return;
        }
        // Refused (already a replica), or dropped while blocked (became one meanwhile): Valkey 8 says
        // "UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)".
        const nowReplica =
            e instanceof CommandError && (e.message.includes("Please use SETSLOT only with masters") || e.message.includes("(master -> replica?)"));
        if (!nowReplica) throw e;
        ctx.log(`${e.message.split("\n")[0]}: it follows the new owner; the next round checks the slots it was told about`);
    };
    await sendAll(ctx, lane(target), slots.map(setNode));
    if (source) await sendAll(ctx, lane(source), slots.map(setNode)).catch(unlessNowReplica);
    const others = [...ctx.primaries.values()].filter((p) => p !== target && p !== source);
    await Promise.all(others.map((p) => sendAll(ctx, lane(p), slots.map(setNode)).catch(unlessNowReplica)));
    return slots.length * (2 + others.length);
}

/** Moves one window of slots of a pair, every step pipelined over the window. */
async function moveWindow(
    ctx: ReshardContext,
    source: ReshardNode,
    target: ReshardNode,
    slots: readonly number[],
): Promise<{ keys: number; commands: number }> {
    await sendAll(
        ctx,
        lane(target),
        slots.map((s) => ({ args: ["CLUSTER", "SETSLOT", String(s), "IMPORTING", source.id] })),
    );
    await sendAll(
        ctx,
        lane(source),
        slots.map((s) => ({ args: ["CLUSTER", "SETSLOT", String(s), "MIGRATING", target.id] })),
    );
    const drained = await drainKeys(ctx, source, target, slots);
    const assigned = await assignSlots(ctx, slots, target, source);
    return { keys: drained.keys, commands: 2 * slots.length + drained.commands + assigned };
}

/** Moves the slots of one move, window after window. */
export async function moveSlots(ctx: ReshardContext, move: SlotMove): Promise<MoveReport> {
    const source = node(ctx, move.from);
    const target = node(ctx, move.to);
    const all = slotsOf(move.slots);
    const window = ctx.tuning?.slotsInFlight ?? 128;
    const windows: number[][] = [];
    for (let i = 0; i < all.length; i += window) windows.push(all.slice(i, i + window));
    let keys = 0;
    let commands = 0;
    // Two windows at once, so the source migrates one while the others hear of the other's new owner.
    let failure: unknown;
    const worker = async () => {
        for (let w = windows.shift(); w !== undefined && failure === undefined; w = windows.shift()) {
            try {
                const r = await moveWindow(ctx, source, target, w);
                keys += r.keys;
                commands += r.commands;
            } catch (e) {
                failure ??= e;
            }
        }
    };
    await Promise.all(Array.from({ length: Math.max(1, ctx.tuning?.windowsInFlight ?? 2) }, worker));
    if (failure !== undefined) throw failure;
    ctx.log(`${move.from} -> ${move.to}: moved slots ${formatRanges(move.slots)} (${all.length} slots, ${keys} keys)`);
    return { slots: all.length, keys, commands };
}

/**
 * Runs the moves, up to `parallelPairs` at once, each pair's moves in order. Waits for every move
 * under way before reporting the first failure (an abort included), so nothing is left sending.
 */
export async function executeMoves(ctx: ReshardContext, moves: readonly SlotMove[]): Promise<MoveReport> {
    const byPair = new Map<string, SlotMove[]>();
    for (const m of moves) byPair.set(`${m.from}\u0000${m.to}`, [...(byPair.get(`${m.from}\u0000${m.to}`) ?? []), m]);
    const queue = [...byPair.values()];
    const limit = Math.max(1, ctx.tuning?.parallelPairs ?? 8);
    const total = { slots: 0, keys: 0, commands: 0 };
    let failure: unknown;
    const worker = async () => {
        for (let next = queue.shift(); next !== undefined && failure === undefined; next = queue.shift()) {
            for (const m of next) {
                try {
                    const r = await moveSlots(ctx, m);
                    total.slots += r.slots;
                    total.keys += r.keys;
                    total.commands += r.commands;
                } catch (e) {
                    failure ??= e;
                    return;
                }
            }
        }
    };
    await Promise.all(Array.from({ length: Math.min(limit, queue.length) }, worker));
    if (failure !== undefined) throw failure;
    return total;
}

/** Open slots as the primaries report them in their own CLUSTER NODES line. */
export interface OpenSlotState {
    readonly slot: number;
    readonly owner?: string;
    readonly migrating: readonly { readonly node: string; readonly to: string }[];
    readonly importing: readonly { readonly node: string; readonly from: string }[];
}

/**
 * Closes open slots: counts the keys each involved node holds in the slot, plans the repair
 * (planSlotRepair: valkey-cli fix semantics) and carries it out. Returns one line per slot.
 */
export async function repairOpenSlots(ctx: ReshardContext, open: readonly OpenSlotState[]): Promise<string[]> {
    const lines: string[] = [];
    const repairs: SlotRepair[] = [];
    for (const o of open) {
        const involved = [...new Set([...o.migrating.map((m) => m.node), ...o.importing.map((i) => i.node)])];
        const counts = await Promise.all(involved.map((n) => node(ctx, n).client.call(["CLUSTER", "COUNTKEYSINSLOT", String(o.slot)])));
        const view: OpenSlotView = { ...o, keys: Object.fromEntries(involved.map((n, i) => [n, Number(counts[i])])) };
        repairs.push(planSlotRepair(view));
    }
    const refused = repairs.filter((r): r is Extract<SlotRepair, { kind: "refuse" }> => r.kind === "refuse");
    if (refused.length > 0) throw new CommandError(refused.map((r) => String(r.slot)).join(","), "open slot repair", refused.map((r) => r.reason).join("; "));
    // Repairs of different slots are independent; pipelining them by node pair would gain little
    // (an interrupted move leaves at most one window open per pair).
    for (const r of repairs) {
        const stable = (name: string) => sendAll(ctx, node(ctx, name).client, [{ args: ["CLUSTER", "SETSLOT", String(r.slot), "STABLE"] }]);
        if (r.kind === "finish") {
            const source = node(ctx, r.from);
            const target = node(ctx, r.to);
            const o = open.find((x) => x.slot === r.slot) as OpenSlotState;
            for (const other of r.close) await stable(other);
            if (o.owner !== r.to && !o.importing.some((i) => i.node === r.to)) {
                await sendAll(ctx, target.client, [{ args: ["CLUSTER", "SETSLOT", String(r.slot), "IMPORTING", source.id] }]);
            }
            const moved = await drainKeys(ctx, source, target, [r.slot]);
            await assignSlots(ctx, [r.slot], target, source);
            lines.push(`slot ${r.slot}: finished the move ${r.from} -> ${r.to} (${moved.keys} keys left to move)`);
        } else if (r.kind === "undo") {
            const owner = node(ctx, r.owner);
            let keys = 0;
            for (const from of r.returnKeysFrom) keys += (await drainKeys(ctx, node(ctx, from), owner, [r.slot])).keys;
            for (const n of r.close) await stable(n);
            lines.push(`slot ${r.slot}: closed on ${r.close.join(", ")}; ${r.owner} keeps it${keys > 0 ? ` (${keys} keys returned to it)` : ""}`);
        }
    }
    for (const l of lines) ctx.log(l);
    return lines;
}
