// The connections of one run: observation rounds over every node in parallel, and the application of
// a plan's actions (in order per node, nodes in parallel) with a count of every mutating command.
import { AbortedError, UnreachableError } from "../errors";
import { ConnectOptions, NodeClient } from "../nodes/client";
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

    constructor(
        targets: readonly NodeTarget[],
        connect: ConnectOptions,
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
        return this.unreachable.length > 0 ? undefined : results.map((r) => (r as PromiseFulfilledResult<ObservedNode>).value);
    }

    /**
     * Applies the actions: in the given order on each node, all nodes at once. Waits for every node's
     * sequence to end before reporting the first failure, so nothing is still being sent afterwards.
     */
    async apply(actions: readonly Action[], counter: MutationCounter, onAction: (line: string) => void): Promise<void> {
        const perNode = new Map<string, Action[]>();
        for (const a of actions) perNode.set(a.node, [...(perNode.get(a.node) ?? []), a]);
        const results = await Promise.allSettled(
            [...perNode].map(async ([name, list]) => {
                const client = this.client(name);
                for (const action of list) {
                    counter.take();
                    onAction(describeAction(action));
                    await client.call(actionCommand(action));
                }
            }),
        );
        const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
        if (failed) throw failed.reason;
    }

    close(): void {
        for (const c of this.clients) c.close();
    }
}
