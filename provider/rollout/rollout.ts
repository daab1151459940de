// Rolling restarts that never leave a shard without its primary by accident: one node at a time,
// replicas first, then each primary after its role was handed to a caught-up replica and both
// nodes confirmed the switch with ROLE. A node counts as back once it answers with a new run_id,
// has loaded its dataset, its replica link is up (replicas) and, in cluster mode, it sees
// cluster_state ok. See docs/day2.md.
import { CommandError, TimeoutError, UnreachableError, VerificationError } from "../errors";
import { NodeClient } from "../nodes/client";
import { observe } from "../nodes/observe";
import { parseInfo } from "../reconcile/parse";
import { Deadline, sleep } from "../converge/verify";

/** How a node is restarted: the transport's business (delete the pod, or let a supervisor restart it). */
export interface Restarter {
    /** Restarts the node; resolves once the restart is under way (the old process is going). */
    restart(node: string): Promise<void>;
}

/** How a primary hands its role over before it restarts. */
export type HandoffKind =
    /** `CLUSTER FAILOVER` sent to the replica (cluster mode). */
    | { readonly kind: "cluster" }
    /** `FAILOVER TO <replica> TIMEOUT <ms>` sent to the primary (replication without Sentinel). */
    | { readonly kind: "replicated" }
    /** `SENTINEL FAILOVER <group>` sent to a Sentinel, which promotes the best replica. */
    | { readonly kind: "sentinel"; readonly sentinels: readonly NodeClient[]; readonly group: string };

export interface RolloutRequest {
    /** Every node (the primaries' replicas must be among them). */
    readonly clients: readonly NodeClient[];
    /** The names of the nodes to restart. */
    readonly outdated: readonly string[];
    readonly restarter: Restarter;
    readonly handoff: HandoffKind;
    readonly deadline: Deadline;
    readonly log?: (line: string) => void;
    /** How long one handoff may take before it counts as failed. @default 15000 ms, with Sentinel 45000 ms */
    readonly handoffTimeoutMs?: number;
}

export interface Handoff {
    readonly from: string;
    readonly to: string;
    /** From the failover command to both nodes confirming their new roles. */
    readonly ms: number;
}

export interface RolloutResult {
    /** In the order restarted. */
    readonly restarted: readonly string[];
    readonly handoffs: readonly Handoff[];
    /** One line per command or step, for `lastActions`. */
    readonly actions: readonly string[];
}

export const DEFAULT_HANDOFF_TIMEOUT_MS = 15_000;
export const DEFAULT_SENTINEL_HANDOFF_TIMEOUT_MS = 45_000;
/** Between SENTINEL FAILOVER attempts refused for want of a replica the Sentinel deems good. */
const SENTINEL_RETRY_MS = 500;

/** What one node says about itself. */
interface NodeState {
    readonly name: string;
    readonly runId: string;
    readonly role: "primary" | "replica";
    readonly linkUp: boolean;
    readonly loading: boolean;
    readonly offset: number;
    /** Cluster mode: the node's id and, for a replica, its primary's. */
    readonly id?: string;
    readonly primaryId?: string;
    /** Cluster mode: cluster_state:ok as this node sees it. */
    readonly clusterOk?: boolean;
    /**
     * Cluster mode: in this node's view every replica has its primary's shard-id. valkey-server
     * 8.0.1 writes its view into nodes.conf at shutdown and refuses to start from a file where they
     * differ ("corrupted cluster config file"), which gossip leaves for a moment after a restart.
     */
    readonly shardsConsistent?: boolean;
}

/** Node id -> the index of its shard in a CLUSTER SHARDS reply (flat key/value arrays). */
export function shardIds(reply: unknown): Map<string, number> {
    const out = new Map<string, number>();
    const field = (flat: unknown, key: string): unknown => {
        if (!Array.isArray(flat)) return undefined;
        const i = flat.findIndex((v, j) => j % 2 === 0 && String(v) === key);
        return i >= 0 ? flat[i + 1] : undefined;
    };
    (Array.isArray(reply) ? reply : []).forEach((shard, index) => {
        const nodes = field(shard, "nodes");
        for (const node of Array.isArray(nodes) ? nodes : []) {
            const id = field(node, "id");
            if (id !== undefined) out.set(String(id), index);
        }
    });
    return out;
}

async function readState(client: NodeClient, cluster: boolean): Promise<NodeState> {
    // The planner's observation (INFO, CLUSTER INFO, CLUSTER NODES), plus the run_id and, in
    // cluster mode, CLUSTER SHARDS: CLUSTER NODES does not show shard ids.
    const [node, server, shards] = await Promise.all([
        observe(client),
        client.call(["INFO", "server"]),
        cluster ? client.call(["CLUSTER", "SHARDS"]) : Promise.resolve(undefined),
    ]);
    const state = {
        name: client.target.name,
        runId: parseInfo(String(server)).get("run_id") ?? "",
        role: node.replication.role,
        linkUp: node.replication.linkUp,
        loading: node.loading,
        offset: node.replication.offset,
    };
    if (!cluster) return state;
    const entries = node.cluster?.nodes ?? [];
    const me = entries.find((e) => e.myself);
    const shardOf = shardIds(shards);
    return {
        ...state,
        ...(me !== undefined ? { id: me.id } : {}),
        ...(me?.primaryId !== undefined ? { primaryId: me.primaryId } : {}),
        clusterOk: node.cluster?.state === "ok",
        shardsConsistent: node.cluster !== undefined && entries.every((e) => e.primaryId === undefined || shardOf.get(e.primaryId) === shardOf.get(e.id)),
    };
}

function checkDeadline(deadline: Deadline, waitingFor: string): void {
    if (Date.now() > deadline.at) throw new TimeoutError(deadline.seconds, [waitingFor]);
}

/** Whether a restarted node is back: a new process, data loaded, linked (replica), cluster ok. */
function isBack(state: NodeState, previousRunId: string): boolean {
    return (
        state.runId !== previousRunId &&
        !state.loading &&
        (state.role === "primary" || state.linkUp) &&
        state.clusterOk !== false &&
        state.shardsConsistent !== false
    );
}

/** Polls a node until `ready` holds, treating a lost connection as "not yet". */
async function waitFor(client: NodeClient, cluster: boolean, deadline: Deadline, what: string, ready: (s: NodeState) => boolean): Promise<NodeState> {
    for (;;) {
        checkDeadline(deadline, `${client.target.name} ${what}`);
        try {
            const state = await readState(client, cluster);
            if (ready(state)) return state;
        } catch (e) {
            // Restarting: the connection drops, then the node refuses commands while loading.
            if (!(e instanceof UnreachableError) && !(e instanceof CommandError)) throw e;
        }
        await sleep(Math.max(deadline.pollMs, 20));
    }
}

/** The replicas of `primary` in `states`. */
function replicasOf(primary: NodeState, states: readonly NodeState[], kind: HandoffKind["kind"]): NodeState[] {
    // Without cluster ids a replicated set has one primary: every replica is its replica.
    return states.filter((s) => s.role === "replica" && s.name !== primary.name && (kind !== "cluster" || s.primaryId === primary.id));
}

async function handOff(request: RolloutRequest, client: (n: string) => NodeClient, primary: NodeState, to: NodeState, cluster: boolean): Promise<Handoff> {
    // A Sentinel refreshes what it knows of replicas every 10 s: it may take that long to accept one.
    const timeoutMs = request.handoffTimeoutMs ?? (request.handoff.kind === "sentinel" ? DEFAULT_SENTINEL_HANDOFF_TIMEOUT_MS : DEFAULT_HANDOFF_TIMEOUT_MS);
    const started = Date.now();
    const h = request.handoff;
    let command: string;
    if (h.kind === "cluster") {
        // Coordinated: the primary pauses writes until the replica has its offset, then they switch.
        await client(to.name).call(["CLUSTER", "FAILOVER"]);
        command = `${to.name}: CLUSTER FAILOVER`;
    } else if (h.kind === "replicated") {
        const target = client(to.name).target.announce;
        await client(primary.name).call(["FAILOVER", "TO", target.host, String(target.port), "TIMEOUT", String(timeoutMs)]);
        command = `${primary.name}: FAILOVER TO ${target.host} ${target.port} TIMEOUT ${timeoutMs}`;
    } else {
        return await sentinelHandOff(request, client, primary, to, started, timeoutMs, h);
    }
    const limit: Deadline = { ...request.deadline, at: Math.min(request.deadline.at, started + timeoutMs), seconds: timeoutMs / 1000 };
    try {
        await waitFor(client(primary.name), cluster, limit, "to become a replica after the handoff", (s) => s.role === "replica");
        await waitFor(client(to.name), cluster, limit, "to report the primary role after the handoff", (s) => s.role === "primary");
    } catch (e) {
        if (e instanceof TimeoutError) {
            throw new VerificationError(
                primary.name,
                `handoff of the primary role to ${to.name} was not confirmed within ${timeoutMs / 1000} s (${command}); ${primary.name} was not restarted`,
            );
        }
        throw e;
    }
    return { from: primary.name, to: to.name, ms: Date.now() - started };
}

/**
 * A Sentinel plan's handoff. `SENTINEL FAILOVER` alone is not coordinated with the primary:
 * clients still connected to it (through the Service, which follows readiness) had writes
 * acknowledged for seconds after the command, until Sentinel made it a replica, and those writes
 * were then discarded by its resync (issue 11, finding 3). So, as FAILOVER and CLUSTER FAILOVER
 * do: writes are paused on the primary first (CLIENT PAUSE WRITE: they wait, they are not
 * refused), every linked replica is waited for until it has the primary's offset, and only then
 * is a Sentinel asked to fail over. Once the promoted replica reports the primary role, the old
 * primary is pointed at it (REPLICAOF, what Sentinel would do a few seconds later), every Sentinel
 * is waited for until it names the new primary, and the old one is unpaused:
 * the writes that waited then get READONLY or a closed connection, never an acknowledgement that
 * is lost. If anything fails, the pause is lifted, so a failed handoff costs a stall, not an outage.
 */
async function sentinelHandOff(
    request: RolloutRequest,
    client: (n: string) => NodeClient,
    primary: NodeState,
    to: NodeState,
    started: number,
    timeoutMs: number,
    h: { readonly sentinels: readonly NodeClient[]; readonly group: string },
): Promise<Handoff> {
    const limit: Deadline = { ...request.deadline, at: Math.min(request.deadline.at, started + timeoutMs), seconds: timeoutMs / 1000 };
    const old = client(primary.name);
    const command = `CLIENT PAUSE WRITE on ${primary.name}, SENTINEL FAILOVER ${h.group}`;
    // Before pausing anything: wait until a Sentinel deems a replica good to promote (after a
    // replica's restart it answers NOGOODSLAVE until it has pinged and refreshed it), so the pause
    // below lasts the failover, not that wait.
    for (;;) {
        checkDeadline(limit, `a Sentinel to see a replica of ${primary.name} it can promote`);
        const views = await Promise.all(h.sentinels.map((s) => s.call(["SENTINEL", "REPLICAS", h.group]).catch(() => undefined)));
        if (views.some((v) => promotableReplicas(v) > 0)) break;
        await sleep(SENTINEL_RETRY_MS);
    }
    await old.call(["CLIENT", "PAUSE", String(timeoutMs), "WRITE"]);
    let promoted: string;
    try {
        const pausedAt = await readState(old, false);
        if (pausedAt.role !== "primary")
            throw new VerificationError(primary.name, "is no longer the primary: another failover is under way; it was not restarted");
        // Every linked replica, since the Sentinel picks the one it prefers: with writes paused
        // the offsets stop moving and the replicas reach it in a few milliseconds.
        const linked = (await Promise.all(request.clients.filter((c) => c !== old).map((c) => readState(c, false).catch(() => undefined)))).filter(
            (s): s is NodeState => s !== undefined && s.role === "replica" && s.linkUp,
        );
        for (const r of linked) {
            await waitFor(client(r.name), false, limit, `to reach the paused primary's offset ${pausedAt.offset}`, (s) => s.offset >= pausedAt.offset);
        }
        // A Sentinel promotes only replicas it has seen healthy lately (NOGOODSLAVE until it has
        // refreshed a replica that just restarted): ask again until the handoff deadline.
        let lastError: Error | undefined;
        let sent = false;
        while (!sent) {
            for (const sentinel of h.sentinels) {
                try {
                    await sentinel.call(["SENTINEL", "FAILOVER", h.group]);
                    sent = true;
                    break;
                } catch (e) {
                    lastError = e as Error;
                }
            }
            if (sent) break;
            if (!(lastError instanceof CommandError && /NOGOODSLAVE|INPROG/.test(lastError.reply)) || Date.now() - started > timeoutMs) {
                throw lastError ?? new VerificationError(primary.name, "no Sentinel to ask for a failover");
            }
            await sleep(SENTINEL_RETRY_MS);
        }
        // Sentinel picks the replica itself: find the one that reports the primary role.
        const elected = await waitForAny(
            request.clients.filter((c) => c !== old),
            limit,
            "a replica to report the primary role after SENTINEL FAILOVER",
            (s) => s.role === "primary",
        );
        promoted = elected.name;
        const at = client(promoted).target.announce;
        await old.call(["REPLICAOF", at.host, String(at.port)]);
        await waitFor(old, false, limit, "to become a replica after the handoff", (s) => s.role === "replica");
        // Only once every Sentinel names the new primary may the old one restart: its start script
        // asks them whom to follow, and a Sentinel still in the middle of its failover would name
        // the old primary itself, which would come back as a second primary.
        // A Sentinel that does not answer blocks the restart too: back, it could name the old one.
        let views = "no answer yet";
        for (;;) {
            checkDeadline(limit, `every Sentinel to name ${promoted} as the primary of ${h.group} (${views})`);
            const named = await Promise.all(h.sentinels.map((s) => s.call(["SENTINEL", "GET-MASTER-ADDR-BY-NAME", h.group]).catch(() => undefined)));
            const names = named.map((n) => (Array.isArray(n) ? `${String(n[0])}:${String(n[1])}` : undefined));
            if (names.every((n) => n === `${at.host}:${at.port}`)) break;
            views = h.sentinels.map((s, i) => `${s.target.name} names ${names[i] ?? "nothing (no answer)"}`).join(", ");
            await sleep(Math.max(request.deadline.pollMs, 20));
        }
    } catch (e) {
        await old.call(["CLIENT", "UNPAUSE"]).catch(() => undefined);
        if (e instanceof TimeoutError) {
            throw new VerificationError(
                primary.name,
                `handoff of the primary role to ${to.name} was not confirmed within ${timeoutMs / 1000} s (${command}; still waiting for: ${e.waitingFor.join("; ")}); ${primary.name} was not restarted`,
            );
        }
        throw e;
    }
    await old.call(["CLIENT", "UNPAUSE"]).catch(() => undefined);
    return { from: primary.name, to: promoted, ms: Date.now() - started };
}

/**
 * The replicas in a `SENTINEL REPLICAS <group>` reply (flat field/value arrays) that the Sentinel
 * would promote: flagged only "slave", linked to the primary, answering pings and recently
 * refreshed (Sentinel's own selection rules, with margins).
 */
export function promotableReplicas(reply: unknown): number {
    if (!Array.isArray(reply)) return 0;
    return reply.filter((entry) => {
        if (!Array.isArray(entry)) return false;
        const field = (key: string) => {
            const i = entry.findIndex((v, j) => j % 2 === 0 && String(v) === key);
            return i >= 0 ? String(entry[i + 1]) : undefined;
        };
        return (
            field("flags") === "slave" &&
            field("master-link-status") === "ok" &&
            Number(field("last-ok-ping-reply") ?? Infinity) < 2000 &&
            Number(field("info-refresh") ?? Infinity) < 10000 &&
            field("slave-priority") !== "0"
        );
    }).length;
}

/** Polls every client until one reports a state `ready` accepts. */
async function waitForAny(clients: readonly NodeClient[], deadline: Deadline, what: string, ready: (s: NodeState) => boolean): Promise<NodeState> {
    for (;;) {
        checkDeadline(deadline, what);
        const states = await Promise.all(clients.map((c) => readState(c, false).catch(() => undefined)));
        const found = states.find((s) => s !== undefined && ready(s));
        if (found !== undefined) return found;
        await sleep(Math.max(deadline.pollMs, 20));
    }
}

/**
 * Restarts the outdated nodes one at a time: replicas first, then every primary after a handoff to
 * its most caught-up linked replica. A primary without a linked replica restarts without handoff
 * (its shard is unavailable meanwhile: the actions say so). Roles stay swapped afterwards: nothing
 * needs a particular pod to be primary.
 */
export async function rollingRestart(request: RolloutRequest): Promise<RolloutResult> {
    const cluster = request.handoff.kind === "cluster";
    const byName = new Map(request.clients.map((c) => [c.target.name, c]));
    const client = (name: string): NodeClient => {
        const c = byName.get(name);
        if (!c) throw new Error(`no node named ${name}`);
        return c;
    };
    for (const name of request.outdated) client(name);
    const actions: string[] = [];
    const log = (line: string) => {
        actions.push(line);
        request.log?.(line);
    };
    const restarted: string[] = [];
    const handoffs: Handoff[] = [];
    const snapshot = () => Promise.all(request.clients.map((c) => readState(c, cluster)));

    const restartOne = async (state: NodeState) => {
        const started = Date.now();
        if (cluster)
            await waitFor(
                client(state.name),
                cluster,
                request.deadline,
                "to agree with its peers on shard ids before its restart",
                (s) => s.shardsConsistent === true,
            );
        await request.restarter.restart(state.name);
        client(state.name).close();
        const c = client(state.name);
        if (request.handoff.kind === "replicated" && state.role === "replica") {
            // Without Sentinel nothing tells a restarted replica whom to follow (REPLICAOF is not
            // in its file): point it at the primary again, as converge would.
            const up = await waitFor(c, false, request.deadline, "to come back after its restart", (s) => s.runId !== state.runId && !s.loading);
            if (up.role === "primary") {
                const primary = (await Promise.all(request.clients.filter((o) => o !== c).map((o) => readState(o, false)))).find((s) => s.role === "primary");
                if (primary !== undefined) {
                    const at = client(primary.name).target.announce;
                    await c.call(["REPLICAOF", at.host, String(at.port)]);
                    log(`${state.name}: REPLICAOF ${at.host} ${at.port} (came back without its primary)`);
                }
            }
        }
        const back = await waitFor(c, cluster, request.deadline, "to come back after its restart", (s) => isBack(s, state.runId));
        restarted.push(state.name);
        log(
            `${state.name}: restarted as ${back.role} in ${((Date.now() - started) / 1000).toFixed(1)} s (run_id ${state.runId.slice(0, 8)} -> ${back.runId.slice(0, 8)})`,
        );
    };

    let states = await snapshot();
    const todo = new Set(request.outdated);
    // Replicas first: each restart costs its shard nothing.
    for (const s of states.filter((s) => todo.has(s.name) && s.role === "replica")) {
        await restartOne(s);
        todo.delete(s.name);
    }
    for (const name of [...todo]) {
        states = await snapshot();
        const me = states.find((s) => s.name === name)!;
        if (me.role === "primary") {
            // A replica whose link is down (e.g. it restarted a moment ago) may link again: wait
            // for it rather than restart the primary without a handoff.
            const linked = () => replicasOf(me, states, request.handoff.kind).filter((r) => r.linkUp && !r.loading);
            while (replicasOf(me, states, request.handoff.kind).length > 0 && linked().length === 0) {
                checkDeadline(request.deadline, `a replica of ${name} to link before its restart`);
                await sleep(Math.max(request.deadline.pollMs, 50));
                states = await snapshot();
            }
            const candidates = linked();
            const best = candidates.sort((a, b) => b.offset - a.offset)[0];
            if (best === undefined) {
                log(
                    `${name}: no replica to hand the primary role to: restarting it as primary (its slots are unavailable until it is back, and without persistence its data is lost)`,
                );
            } else {
                const h = await handOff(request, client, me, best, cluster);
                handoffs.push(h);
                log(
                    `${name}: handed the primary role to ${h.to} in ${h.ms} ms (${request.handoff.kind === "cluster" ? `${best.name}: CLUSTER FAILOVER` : request.handoff.kind === "replicated" ? "FAILOVER TO" : "SENTINEL FAILOVER"}), confirmed with ROLE on both`,
                );
                if (request.handoff.kind === "replicated") {
                    // FAILOVER TO moves only the two nodes: the other replicas would keep following the
                    // old primary, through its restart. Point them at the new one.
                    const at = client(h.to).target.announce;
                    for (const r of replicasOf(me, states, "replicated").filter((r) => r.name !== h.to)) {
                        await client(r.name).call(["REPLICAOF", at.host, String(at.port)]);
                        log(`${r.name}: REPLICAOF ${at.host} ${at.port} (follows the new primary)`);
                    }
                }
                const now = await readState(client(name), cluster);
                await restartOne(now);
                todo.delete(name);
                continue;
            }
        }
        await restartOne(me);
        todo.delete(name);
    }
    return { restarted, handoffs, actions };
}
