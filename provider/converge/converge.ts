// The convergence loop: observe every node -> plan -> apply -> observe again, until the plan has
// nothing to do and nothing to wait for; then replica offsets and a smoke test. Every decision is made
// by the pure planner from the latest observation, which is what makes a killed run resumable.
import { AbortedError, RefusedError, RequestError, TimeoutError } from "../errors";
import { ConnectOptions, Credentials, NodeClient, TlsOptions } from "../nodes/client";
import { Transport } from "../nodes/transport";
import { describeAction, describeRefusal } from "../reconcile/commands";
import { planConvergence } from "../reconcile/plan";
import { healthProblems, NodeReport, reportNodes } from "../reconcile/report";
import { Settings, steadySettings } from "../reconcile/settings";
import { topologyProblems } from "../reconcile/topology";
import { Layout, ObservedNode, Plan, Topology } from "../reconcile/types";
import { MutationCounter, Session } from "./session";
import { Deadline, sleep, smokeTest, SmokeReport, waitForReplicaOffsets } from "./verify";

export interface ConvergeRequest {
    readonly topology: Topology;
    readonly transport: Transport;
    readonly credentials?: Credentials;
    /** TLS for the connections of this process to the nodes. @default plain TCP */
    readonly tls?: TlsOptions;
    /**
     * The values of the settings converge lowers while bootstrapping (repl-diskless-sync-delay in s,
     * cluster-node-timeout in ms) once converged. @default the highest value among the given nodes
     */
    readonly settings?: Settings;
}

export interface ConvergeOptions {
    /** Receives one line per action and per change of what is waited for. @default silent */
    readonly log?: (line: string) => void;
    /** @default 120000 ms */
    readonly timeoutMs?: number;
    /** How long a node may stay unreachable (e.g. still starting) before the run fails. @default 10000 ms */
    readonly reachableTimeoutMs?: number;
    /** Between observation rounds while waiting. @default 10 ms */
    readonly pollIntervalMs?: number;
    /** @default 2000 ms */
    readonly connectTimeoutMs?: number;
    /** @default 5000 ms */
    readonly commandTimeoutMs?: number;
    readonly signal?: AbortSignal;
    /**
     * Stop with an AbortedError instead of sending mutating command number `maxMutations + 1`: a run
     * killed at that point, for tests. @default no limit
     */
    readonly maxMutations?: number;
    /** @default true */
    readonly smokeTest?: boolean;
    /**
     * Runs once the nodes are converged and verified, over the same connections (one per node, in
     * the transport's order), before they and the transport close; its failure fails the run. The
     * dynamic provider applies ACL users and reloads TLS certificates here. @default nothing
     */
    readonly afterVerify?: (clients: readonly NodeClient[]) => Promise<void>;
}

export const DEFAULT_TIMEOUT_MS = 120_000;
export const DEFAULT_REACHABLE_TIMEOUT_MS = 10_000;
export const DEFAULT_POLL_INTERVAL_MS = 10;

export interface ConvergeResult {
    readonly topology: Topology;
    /** Every node as it reports itself once converged. */
    readonly nodes: readonly NodeReport[];
    /** The roles converged to. */
    readonly layout: Layout;
    /** One line per command that changed a node, in the order sent. */
    readonly actions: readonly string[];
    /** Commands that changed topology or configuration (the smoke test's temporary key is apart). */
    readonly mutations: number;
    /** Observation rounds. */
    readonly rounds: number;
    readonly elapsedMs: number;
    /** Absent when the smoke test was switched off. */
    readonly smokeTest?: SmokeReport;
}

function connectOptions(request: { credentials?: Credentials; tls?: TlsOptions }, options: ConvergeOptions): ConnectOptions {
    return {
        ...(request.credentials ? { credentials: request.credentials } : {}),
        ...(request.tls ? { tls: request.tls } : {}),
        ...(options.connectTimeoutMs !== undefined ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
        ...(options.commandTimeoutMs !== undefined ? { commandTimeoutMs: options.commandTimeoutMs } : {}),
    };
}

/** Opens the transport and a session, runs `body`, and always closes both. */
async function withSession<T>(
    request: { transport: Transport; credentials?: Credentials; tls?: TlsOptions },
    options: ConvergeOptions,
    body: (session: Session, nodeCount: number) => Promise<T>,
): Promise<T> {
    const targets = await request.transport.open();
    const session = new Session(targets, connectOptions(request, options), options.reachableTimeoutMs ?? DEFAULT_REACHABLE_TIMEOUT_MS);
    try {
        return await body(session, targets.length);
    } finally {
        session.close();
        await request.transport.close();
    }
}

/**
 * Converges the nodes to the topology and verifies them. Resolves only when every node reports
 * cluster_state:ok with all 16384 slots (cluster mode), every replica is linked and caught up, and the
 * smoke test passed; rejects with a typed error (see ../errors) otherwise.
 */
export async function converge(request: ConvergeRequest, options: ConvergeOptions = {}): Promise<ConvergeResult> {
    const started = Date.now();
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const log = options.log ?? (() => undefined);
    return withSession(request, options, async (session, nodeCount) => {
        // The deadline counts from here: opening the transport waits for the pods to run, and has
        // its own bound and message (a pod that is late to start is reported as such, not as
        // "every node to answer" before any node was asked).
        const deadline: Deadline = {
            at: Date.now() + timeoutMs,
            seconds: Math.round(timeoutMs / 100) / 10,
            pollMs: options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS,
            ...(options.signal ? { signal: options.signal } : {}),
        };
        const problems = topologyProblems(request.topology, nodeCount);
        if (problems.length > 0) throw new RequestError(problems);
        const counter = new MutationCounter(options.maxMutations, options.signal);
        const actions: string[] = [];
        // Read before this run lowers anything (see ../reconcile/settings).
        let steady: Settings | undefined;
        let rounds = 0;
        let waitingFor: readonly string[] = ["every node to answer"];
        let observed: ObservedNode[] | undefined;
        let plan: Plan | undefined;
        for (;;) {
            if (options.signal?.aborted) throw new AbortedError("the run was aborted");
            if (Date.now() > deadline.at) throw session.unreachable[0] ?? new TimeoutError(deadline.seconds, waitingFor);
            observed = await session.observeAll();
            rounds++;
            if (!observed) {
                await sleep(deadline.pollMs);
                continue;
            }
            steady ??= steadySettings(observed, request.settings);
            plan = planConvergence(observed, request.topology, steady);
            if (plan.refusals.length > 0) throw new RefusedError(plan.refusals);
            if (plan.actions.length > 0) {
                await session.apply(plan.actions, counter, (line) => {
                    actions.push(line);
                    log(line);
                });
                continue;
            }
            if (plan.waiting.length === 0) break;
            if (plan.waiting.join("\n") !== waitingFor.join("\n")) log(`waiting for: ${plan.waiting.join("; ")}`);
            waitingFor = plan.waiting;
            await sleep(deadline.pollMs);
        }
        await waitForReplicaOffsets(session, observed, plan.layout, deadline);
        const smoke = options.smokeTest === false ? undefined : await smokeTest(session, plan.layout);
        if (smoke) log(`smoke test passed: PING on ${nodeCount} nodes; SET/GET/DEL of ${smoke.keys.join(", ")}`);
        if (options.afterVerify) await options.afterVerify(session.clients);
        return {
            topology: request.topology,
            nodes: reportNodes(observed),
            layout: plan.layout,
            actions,
            mutations: counter.count,
            rounds,
            elapsedMs: Date.now() - started,
            ...(smoke ? { smokeTest: smoke } : {}),
        };
    });
}

export interface StatusRequest {
    readonly transport: Transport;
    readonly credentials?: Credentials;
    readonly tls?: TlsOptions;
    /** When given, the report also says what converge would do next. */
    readonly topology?: Topology;
}

export interface StatusResult {
    readonly nodes: readonly NodeReport[];
    /** Empty when healthy. */
    readonly problems: readonly string[];
    /** With a topology: the next actions (as lines), what converge would wait for, or why it would refuse. */
    readonly pending?: { readonly actions: readonly string[]; readonly waiting: readonly string[]; readonly refusals: readonly string[] };
}

/** Observes every node once, without changing anything. */
export async function status(request: StatusRequest, options: ConvergeOptions = {}): Promise<StatusResult> {
    // Nothing waits for a node to come up here: one round, with the connection timeout.
    return withSession(request, { ...options, reachableTimeoutMs: 0 }, async (session) => {
        const observed = (await session.observeAll()) as ObservedNode[];
        const result: StatusResult = { nodes: reportNodes(observed), problems: healthProblems(observed) };
        if (!request.topology) return result;
        const plan = planConvergence(observed, request.topology);
        return {
            ...result,
            pending: {
                actions: plan.actions.map(describeAction),
                waiting: [...plan.waiting],
                refusals: plan.refusals.map(describeRefusal),
            },
        };
    });
}
