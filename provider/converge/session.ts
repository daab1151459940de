// The connections of one run: observation rounds over every node in parallel, and the application of
// a plan's actions (in order per node, nodes in parallel) with a count of every mutating command.
import { AbortedError, UnreachableError, VerificationError } from "../errors";

/** How long a replica may take to confirm a CLUSTER FAILOVER it was sent. */
const TAKE_OVER_TIMEOUT_MS = 15_000;
/** How long a node being released waits for the applications' connections to leave it. */
export const RELEASE_CLIENTS_TIMEOUT_MS = 10_000;
/** A connection that sent nothing for this long is not about to refresh its slot map: closed at once. */
const RELEASE_IDLE_SECONDS = 2;
import { ConnectOptions, NodeClient, PROVIDER_CONNECTION_NAME } from "../nodes/client";
import { executeMoves, repairOpenSlots, ReshardNode, ReshardTuning } from "../reshard/migrate";
import { observe } from "../nodes/observe";
import { NodeTarget } from "../nodes/transport";
import { actionCommand, describeAction } from "../reconcile/commands";
import { Action, ObservedNode } from "../reconcile/types";

/** Counts mutating commands; refuses to send more once aborted or past the budget. */
export class MutationCounter {
    count = 0;

    constructor(
        private readonly budget?: number,
        private readonly signal?: AbortSignal,
    ) {}

    /** Throws when stopped; else counts one command about to be sent. */
    take(): void {
        if (this.signal?.aborted) throw new AbortedError("the run was aborted");
        if (this.budget !== undefined && this.count >= this.budget) {
            throw new AbortedError(`the budget of ${this.budget} mutating commands is used up`);
        }
        this.count++;
    }
}

export class Session {
    readonly clients: NodeClient[];
    private readonly byName: Map<string, NodeClient>;
    private readonly unreachableSince = new Map<string, number>();
    /** Why nodes could not be observed in the last round (empty when every node answered). */
    unreachable: UnreachableError[] = [];
    /** The last complete observation: slot moves take node ids and announce addresses from it. */
    private lastObserved?: ObservedNode[];
    /** Tuning of slot moves (tests and the benchmark). @default see ReshardTuning */
    reshardTuning?: ReshardTuning;

    constructor(
        targets: readonly NodeTarget[],
        private readonly connect: ConnectOptions,
        private readonly reachableTimeoutMs: number,
    ) {
        this.clients = targets.map((t) => new NodeClient(t, connect));
        this.byName = new Map(this.clients.map((c) => [c.target.name, c]));
    }

    client(name: string): NodeClient {
        const client = this.byName.get(name);
        if (!client) throw new Error(`no node named ${name}`);
        return client;
    }

    /**
     * Observes every node. Returns undefined while some node is unreachable for less than the
     * reachability timeout (it may be starting); throws once it has been unreachable longer, and at
     * once on a wrong password.
     */
    async observeAll(): Promise<ObservedNode[] | undefined> {
        const results = await Promise.allSettled(this.clients.map((c) => observe(c)));
        const now = Date.now();
        this.unreachable = [];
        results.forEach((r, i) => {
            const name = this.clients[i].target.name;
            if (r.status === "fulfilled") {
                this.unreachableSince.delete(name);
                return;
            }
            const error = r.reason;
            if (!(error instanceof UnreachableError)) throw error;
            const since = this.unreachableSince.get(name) ?? now;
            this.unreachableSince.set(name, since);
            if (now - since >= this.reachableTimeoutMs) throw error;
            this.unreachable.push(error);
        });
        if (this.unreachable.length > 0) return undefined;
        this.lastObserved = results.map((r) => (r as PromiseFulfilledResult<ObservedNode>).value);
        return this.lastObserved;
    }

    /**
     * Applies the actions: in the given order on each node, all nodes at once. Waits for every node's
     * sequence to end before reporting the first failure, so nothing is still being sent afterwards.
     */
    async apply(actions: readonly Action[], counter: MutationCounter, onAction: (line: string) => void): Promise<void> {
        // Slot moves and repairs span several nodes: provider/reshard carries them out.
        const composite = actions.filter((a) => a.kind === "move-slots" || a.kind === "repair-slot");
        if (composite.length > 0) {
            if (composite.length !== actions.length) throw new Error("slot moves are planned alone");
            return this.reshard(composite, counter, onAction);
        }
        const perNode = new Map<string, Action[]>();
        for (const a of actions) perNode.set(a.node, [...(perNode.get(a.node) ?? []), a]);
        const results = await Promise.allSettled(
            [...perNode].map(async ([name, list]) => {
                const client = this.client(name);
                for (const action of list) {
                    counter.take();
                    if (action.kind === "reset") await this.releaseClients(client, onAction);
                    onAction(describeAction(action));
                    await client.call(actionCommand(action));
                    if (action.kind === "take-over") await this.confirmTakeOver(client);
                }
            }),
        );
        const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
        if (failed) throw failed.reason;
    }

    /**
     * Before a node that serves no slot any more leaves the cluster (CLUSTER RESET SOFT): waits until
     * the applications' connections that still send commands have left it, then closes the idle ones.
     * A reset node answers CLUSTER SLOTS with an empty map, and a cluster client that still counts it
     * among its nodes and asks it drops every connection it has (iovalkey and ioredis do; their
     * commands in flight fail). A busy cluster client leaves such a node at its first slot refresh
     * after the node's last slot moved (any MOVED reply triggers one); an idle one is disconnected,
     * and drops the node from its pool.
     */
    private async releaseClients(client: NodeClient, onAction: (line: string) => void): Promise<void> {
        const deadline = Date.now() + RELEASE_CLIENTS_TIMEOUT_MS;
        let told = false;
        for (;;) {
            const clients = await applicationClients(client);
            const busy = clients.filter((c) => c.idleSeconds < RELEASE_IDLE_SECONDS);
            if (busy.length > 0 && Date.now() <= deadline) {
                if (!told) onAction(`${client.target.name}: waiting for ${busy.length} busy application connection(s) to leave before it leaves the cluster`);
                told = true;
                await new Promise((resolve) => setTimeout(resolve, 50));
                continue;
            }
            if (clients.length === 0) return;
            // Busy ones still here at the deadline never follow MOVED (a plain client through the
            // Service, a READONLY reader of a replica): their commands in flight fail; said apart.
            onAction(
                `${client.target.name}: closing ${clients.length} application connection(s) before it leaves the cluster` +
                    (busy.length > 0 ? ` (${busy.length} still busy after ${RELEASE_CLIENTS_TIMEOUT_MS / 1000} s: their commands in flight fail)` : ""),
            );
            const results = await client.callMany(clients.map((c) => ({ args: ["CLIENT", "KILL", "ID", c.id] })));
            // A connection that closed meanwhile answers "No such client": gone either way.
            const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected" && !String(r.reason).includes("No such client"));
            if (failed) throw failed.reason;
            return;
        }
    }

    /** CLUSTER FAILOVER is asynchronous: wait until the node reports the primary role (ROLE). */
    private async confirmTakeOver(client: NodeClient): Promise<void> {
        const deadline = Date.now() + TAKE_OVER_TIMEOUT_MS;
        for (;;) {
            const role = (await client.call(["ROLE"])) as unknown[];
            if (String(role[0]) === "master") return;
            if (Date.now() > deadline) {
                throw new VerificationError(
                    client.target.name,
                    `CLUSTER FAILOVER was not confirmed within ${TAKE_OVER_TIMEOUT_MS / 1000} s (ROLE still ${String(role[0])})`,
                );
            }
            await new Promise((resolve) => setTimeout(resolve, 20));
        }
    }

    /** The primaries of the last observation, for provider/reshard, with `extra` more connections each. */
    private primaries(extra: number): { nodes: Map<string, ReshardNode>; lanes: NodeClient[] } {
        const out = new Map<string, ReshardNode>();
        const lanes: NodeClient[] = [];
        for (const n of this.lastObserved ?? []) {
            const me = n.cluster?.nodes.find((e) => e.myself);
            if (!me || !me.primary) continue;
            const client = this.client(n.name);
            const more = Array.from({ length: extra }, () => new NodeClient(client.target, this.connect));
            lanes.push(...more);
            out.set(n.name, { name: n.name, id: me.id, announce: n.announce, client, lanes: more });
        }
        return { nodes: out, lanes };
    }

    private async reshard(actions: readonly Action[], counter: MutationCounter, onAction: (line: string) => void): Promise<void> {
        // More connections only help where SETSLOT waits for replicas.
        const withReplicas = (this.lastObserved ?? []).some((n) => n.replication.role === "replica");
        const { nodes, lanes } = this.primaries(Math.max(0, (this.reshardTuning?.connectionsPerNode ?? (withReplicas ? 4 : 1)) - 1));
        try {
            await this.runReshard(nodes, actions, counter, onAction);
        } finally {
            for (const l of lanes) l.close();
        }
    }

    private async runReshard(
        primaries: Map<string, ReshardNode>,
        actions: readonly Action[],
        counter: MutationCounter,
        onAction: (line: string) => void,
    ): Promise<void> {
        const ctx = {
            primaries,
            ...(this.connect.credentials ? { credentials: this.connect.credentials } : {}),
            take: () => counter.take(),
            log: onAction,
            ...(this.reshardTuning ? { tuning: this.reshardTuning } : {}),
        };
        const repairs = actions.flatMap((a) => (a.kind === "repair-slot" ? [a] : []));
        if (repairs.length > 0) {
            for (const a of repairs) onAction(describeAction(a));
            await repairOpenSlots(ctx, repairs);
        }
        const moves = actions.flatMap((a) => (a.kind === "move-slots" ? [{ from: a.node, to: a.to, slots: a.ranges }] : []));
        if (moves.length > 0) {
            for (const a of actions) if (a.kind === "move-slots") onAction(describeAction(a));
            const started = Date.now();
            const r = await executeMoves(ctx, moves);
            const seconds = (Date.now() - started) / 1000;
            onAction(
                `moved ${r.slots} slots and ${r.keys} keys in ${seconds.toFixed(2)} s (${Math.round(r.keys / Math.max(seconds, 0.001))} keys/s, ${r.commands} commands)`,
            );
        }
    }

    close(): void {
        for (const c of this.clients) c.close();
    }
}

/** The node's client connections (normal and pub/sub) that are not the provider's own. */
async function applicationClients(client: NodeClient): Promise<{ id: string; idleSeconds: number }[]> {
    const out: { id: string; idleSeconds: number }[] = [];
    for (const type of ["normal", "pubsub"]) {
        const list = String(await client.call(["CLIENT", "LIST", "TYPE", type]));
        for (const line of list.split("\n")) {
            const fields = new Map(
                line
                    .trim()
                    .split(" ")
                    .map((f) => [f.slice(0, f.indexOf("=")), f.slice(f.indexOf("=") + 1)] as const),
            );
            const id = fields.get("id");
            if (id !== undefined && id !== "" && fields.get("name") !== PROVIDER_CONNECTION_NAME)
                out.push({ id, idleSeconds: Number(fields.get("idle") ?? 0) });
        }
    }
    return out;
}
