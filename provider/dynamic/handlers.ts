// The dynamic provider's methods, as plain functions over plain data. `./topology` (the
// pulumi.dynamic.ResourceProvider) only forwards to these after require()-ing this package inside
// each method, so the closure Pulumi serializes into the state stays a few lines long.
import { defaultUserCommand, describeCommand } from "../../sdk/acl/commands";
import { sentinelPassword } from "../../sdk/credentials/sentinel-password";
import { converge, ConvergeResult, status, StatusResult } from "../converge/converge";
import { AuthenticationError, redact, ValkeyProviderError, VerificationError } from "../errors";
import { Credentials, NodeClient, TlsOptions } from "../nodes/client";
import { currentReplicas, kubernetesRestarter, kubernetesTransport, waitPodsReady } from "../nodes/kubernetes";
import { nodesNeeded } from "../reconcile/topology";
import { applyConfigEverywhere, changedDirectives, describeConfigSet } from "../rollout/config";
import { memoryOnlyRefusal } from "../rollout/memory-only";
import { HandoffKind, rollingRestart } from "../rollout/rollout";
import { decideDisruptive } from "../schedule/window";
import { directTransport, Transport } from "../nodes/transport";
import { aclPhase, applyAclEverywhere, onlyUsersRefused } from "../security/acl-apply";
import { reloadTlsEverywhere, tlsReloadCommand } from "../security/tls-reload";
import {
    AclStatusOutput,
    checkChange,
    checkInputs,
    ConfigStatusOutput,
    PendingRestartOutput,
    CheckFailure,
    DEFAULT_TIMEOUT_SECONDS,
    DEFAULT_TLS_RELOAD_TIMEOUT_SECONDS,
    diffInputs,
    nodeOutputs,
    resourceId,
    settingsOf,
    TlsStatusOutput,
    TopologyInputs,
    TopologyOutputs,
} from "./inputs";

function transportOf(inputs: TopologyInputs): Transport {
    const t = inputs.transport;
    if (t.kind === "direct") return directTransport(t.nodes);
    const { kind: _kind, ...target } = t;
    return kubernetesTransport(target);
}

/** Every secret the inputs carry, for redacting what is printed. */
function secretsOf(inputs: TopologyInputs): string[] {
    const t = inputs.transport;
    return [
        inputs.password,
        inputs.sentinelPassword,
        ...(inputs.acl?.users.flatMap((u) => u.passwords) ?? []),
        inputs.tls?.key,
        t.kind === "kubernetes" ? t.kubeconfig : undefined,
    ].filter((s): s is string => typeof s === "string" && s.length > 0);
}

/**
 * What the provider prints while it works: Pulumi shows a dynamic provider's console output during
 * `pulumi up` (pulumi #18253), so a long bootstrap, reshard or rollout says what it does and what
 * it waits for instead of a row of dots. Each line names the StatefulSet (or the nodes), with
 * every secret of the inputs masked.
 */
export function progressLog(inputs: TopologyInputs, print: (line: string) => void = (line) => console.log(line)): (line: string) => void {
    const t = inputs.transport;
    const where = t.kind === "kubernetes" ? `${t.namespace}/${t.statefulSet}` : `${t.nodes.length} nodes`;
    const secrets = secretsOf(inputs);
    return (line) => print(`valkey ${where}: ${redact(line, secrets)}`);
}

/**
 * The credentials to try, in order. With `acl`, the admin user first (with each password it may
 * still have on the nodes: the current one, then those a rotation keeps), then the given ones (the
 * first run of nodes started without the ACL users: `default` with its requirepass). Without `acl`,
 * the given ones only. With the `previous` run's state, its admin user comes after this run's and
 * its given credentials last:
 * after an update that changed the admin password in one step or renamed the admin user, or one
 * that failed half way, the nodes still hold those (issue 11, finding 8), and the provider must
 * get in to apply the new ones.
 */
export function credentialCandidates(inputs: TopologyInputs, previous?: Pick<TopologyInputs, "acl" | "username" | "password">): Credentials[] {
    const same = (a: Credentials, b: Credentials) => (a.username ?? "default") === (b.username ?? "default") && a.password === b.password;
    const candidates: Credentials[] = [];
    const add = (c: Credentials) => {
        if (!candidates.some((x) => same(x, c))) candidates.push(c);
    };
    const sources = previous !== undefined ? [inputs, previous] : [inputs];
    // Every admin user first: a restricted `default` accepts its password but may only PING.
    for (const source of sources) {
        const admin = source.acl?.users.find((u) => u.role === "admin");
        for (const password of admin?.passwords ?? []) add({ username: admin!.name, password });
    }
    for (const source of sources) {
        add({
            ...(source.username !== undefined ? { username: source.username } : {}),
            ...(source.password !== undefined ? { password: source.password } : {}),
        });
    }
    return candidates;
}

/** "valkey-admin with 2 passwords, then default": which users were tried, never a password. */
function triedText(candidates: readonly Credentials[]): string {
    const counts = new Map<string, number>();
    for (const c of candidates) counts.set(c.username ?? "default", (counts.get(c.username ?? "default") ?? 0) + 1);
    return [...counts].map(([user, n]) => `${user} with ${n} password${n === 1 ? "" : "s"}`).join(", then ");
}

/**
 * TLS for this run's connections: during a certificate change the nodes still present the previous
 * certificate until they reload, so the previous CA is trusted besides the new one.
 */
function connectionTls(inputs: TopologyInputs, previous: TopologyOutputs | undefined): TlsOptions | undefined {
    const tls = inputs.tls;
    if (tls === undefined) return undefined;
    const oldCa = previous?.tls?.ca;
    return oldCa !== undefined && tls.ca !== undefined && oldCa.trim() !== tls.ca.trim() ? { ...tls, ca: `${tls.ca.trim()}\n${oldCa.trim()}\n` } : tls;
}

/** Whether this run must make the nodes reload their TLS files: on create, and when the certificate changed. */
export function tlsReloadDue(inputs: TopologyInputs, previous: TopologyOutputs | undefined): boolean {
    return inputs.tlsReload !== undefined && (previous === undefined || previous.tlsReload?.certPem !== inputs.tlsReload.certPem);
}

interface SecurityResult {
    actions: string[];
    configStatus?: ConfigStatusOutput[];
    aclStatus?: AclStatusOutput[];
    aclPhase?: "Applied" | "Error";
    tlsStatus?: TlsStatusOutput[];
}

/**
 * After converge, over its connections: the TLS reload first, then the ACL users, whose last
 * command restricts `default` (a connection authenticated as `default` can do nothing after it).
 * Throws, naming every failed node with its message (never a password), when a node fails.
 */
async function secure(
    clients: readonly NodeClient[],
    inputs: TopologyInputs,
    reloadTls: boolean,
    config: readonly [string, string][],
    out: SecurityResult,
): Promise<void> {
    let configFailure: Error | undefined;
    if (config.length > 0) {
        const statuses = await applyConfigEverywhere(clients, config);
        out.configStatus = statuses.map((s) => ({ ...s }));
        for (const s of statuses) if (s.status === "Applied") out.actions.push(`${s.node}: ${describeConfigSet(config)} (live: no restart)`);
        const failed = statuses.flatMap((s) => (s.status === "Error" ? [`node ${s.node}: ${s.message}`] : []));
        if (failed.length > 0) {
            // Reported once the TLS reload and the ACL users are done: a bad value holds nothing else back.
            configFailure = new ValkeyProviderError(
                "command-failed",
                `${describeConfigSet(config)} refused on ${failed.length} of ${statuses.length} nodes (nothing of it applied there): ${failed.join("; ")}`,
            );
        }
    }
    if (reloadTls && inputs.tlsReload !== undefined) {
        const paths = inputs.tlsReload.paths ?? {};
        const statuses = await reloadTlsEverywhere(clients, inputs.tlsReload.certPem, {
            paths,
            ...(inputs.tls !== undefined ? { tls: inputs.tls } : {}),
            timeoutMs: (inputs.tlsReload.timeoutSeconds ?? DEFAULT_TLS_RELOAD_TIMEOUT_SECONDS) * 1000,
        });
        const command = tlsReloadCommand(paths).join(" ");
        out.tlsStatus = statuses.map((s) =>
            s.status === "Reloaded" ? { node: s.node, status: s.status, fingerprint: s.fingerprint } : { node: s.node, status: s.status, message: s.message },
        );
        for (const s of statuses) {
            if (s.status === "Reloaded")
                out.actions.push(
                    `${s.node}: ${command} (reload the TLS files: presents ${s.fingerprint} after ${s.attempts} attempt${s.attempts === 1 ? "" : "s"})`,
                );
        }
        const failed = statuses.flatMap((s) => (s.status === "Error" ? [s.message] : []));
        if (failed.length > 0) {
            throw new VerificationError(
                failed.length === 1 ? statuses.find((s) => s.status === "Error")!.node : `${failed.length} nodes`,
                `TLS reload failed: ${failed.join("; ")}`,
            );
        }
    }
    if (inputs.acl !== undefined) {
        const acl = inputs.acl;
        const statuses = await applyAclEverywhere(clients, acl);
        out.aclStatus = statuses.map((s) =>
            s.status === "Applied" ? { node: s.node, status: s.status } : { node: s.node, status: s.status, message: s.message },
        );
        out.aclPhase = aclPhase(statuses);
        const restrict = describeCommand(defaultUserCommand(acl.defaultUser));
        for (const s of statuses) {
            for (const u of s.users) {
                out.actions.push(`${s.node}: ACL SETUSER ${u.user} ... (${u.status === "Applied" ? "user applied" : `refused: ${u.message}`})`);
            }
            if (s.status === "Applied" || onlyUsersRefused(s, acl)) out.actions.push(`${s.node}: ${restrict} (the default user: ${acl.defaultUser})`);
        }
        const failed = statuses.flatMap((s) => (s.status === "Error" ? [`node ${s.node}: ${s.message}`] : []));
        // Application users a node refused are reported (aclPhase Error, aclStatus with the node's
        // message), as seeds/002's ValkeyClusterAcl status does: the nodes are secured and keep the
        // user's previous rules. Anything else fails the run.
        if (failed.length > 0 && !statuses.every((s) => s.status === "Applied" || onlyUsersRefused(s, acl))) {
            // applyAcl redacts already; the whole message once more, with every password of the inputs.
            throw new ValkeyProviderError(
                "command-failed",
                redact(`ACL users not applied on ${failed.length} of ${statuses.length} nodes: ${failed.join("; ")}`, secretsOf(inputs)),
            );
        }
    }
    if (configFailure !== undefined) throw configFailure;
}

/**
 * Converges the nodes to the inputs, then (over the same connections) reloads TLS and applies the
 * ACL users, and returns the outputs (the inputs, plus what was verified). A dynamic provider has no
 * log the user sees: what it did is in the `lastActions` output. `previous`: the outputs of the last
 * create or update (none on create).
 */
/**
 * Restarts the pods that do not run the StatefulSet's current template, when the maintenance window
 * allows (or the user forces it); else reports them as pending. Kubernetes transport only.
 */
/** "users app, audit refused on cache-0" for a pending restart's reason. */
function refusedUsers(security: SecurityResult): string {
    const nodes = (security.aclStatus ?? []).filter((s) => s.status === "Error").map((s) => s.node);
    return `ACL users were refused on ${nodes.join(", ")}, and a node does not start with a user line it refuses: fix the rules first`;
}

/**
 * What the provider authenticates to the Sentinels with: their own password (the `default` user of
 * each Sentinel), `sentinelPassword` when given, else derived from `password` the way the auth
 * Secret's `sentinel-password` is, which holds only while `password` is the default user's. With
 * `username` an ACL user (ACL on: the admin user's password) deriving would give a password no
 * Sentinel has, so that is refused, as check() does.
 */
export function sentinelCredentials(inputs: Pick<TopologyInputs, "username" | "password" | "sentinelPassword">): Credentials | undefined {
    if (inputs.sentinelPassword !== undefined) return { password: inputs.sentinelPassword };
    if (inputs.username !== undefined && inputs.username !== "default") {
        throw new ValkeyProviderError(
            "invalid-request",
            `sentinelPassword must be given with rollout.sentinels when username is an ACL user (${JSON.stringify(inputs.username)}): the Sentinels' password derives from the default user's, not from this user's`,
        );
    }
    return inputs.password !== undefined ? { password: sentinelPassword(inputs.password) } : undefined;
}

/** `{ credentials }` for a converge or status request, or nothing for the unauthenticated default user. */
function credentialsOption(c: Credentials): { credentials?: Credentials } {
    return c.username !== undefined || c.password !== undefined ? { credentials: c } : {};
}

/**
 * Runs `attempt` with each candidate in turn, moving on only when the nodes refused the credentials
 * (e.g. the admin user does not exist yet); the last refusal names every candidate tried.
 */
async function withCredentials<T>(
    candidates: readonly Credentials[],
    attempt: (c: Credentials) => Promise<T>,
): Promise<{ value: T; credentials: Credentials }> {
    for (let i = 0; ; i++) {
        try {
            return { value: await attempt(candidates[i]), credentials: candidates[i] };
        } catch (e) {
            if (!(e instanceof AuthenticationError)) throw e;
            if (i + 1 >= candidates.length)
                throw candidates.length > 1 ? new ValkeyProviderError("authentication", `${e.message} (tried: ${triedText(candidates)})`, e.node) : e;
        }
    }
}

async function rollOut(
    inputs: TopologyInputs,
    connect: { credentials?: Credentials; tls?: TlsOptions },
    actions: string[],
    /** Why no pod may restart now, whatever the window says. */
    blocked?: string,
): Promise<{ pending?: PendingRestartOutput; restarted: boolean }> {
    const r = inputs.rollout;
    if (r === undefined || inputs.transport.kind !== "kubernetes") return { restarted: false };
    const { kind: _kind, ...target } = inputs.transport;
    const restarter = kubernetesRestarter(target);
    const outdated = await restarter.outdated();
    if (outdated.length === 0) return { restarted: false };
    blocked ??= memoryOnlyRefusal(r);
    if (blocked !== undefined) {
        actions.push(`${outdated.join(", ")}: restart pending, ${blocked}`);
        return { pending: { revision: r.revision, nodes: outdated, reason: blocked, notBefore: new Date().toISOString() }, restarted: false };
    }
    const decision = decideDisruptive(r.window ?? {}, new Date(), r.force === true);
    if (!decision.apply) {
        actions.push(`${outdated.join(", ")}: restart pending, ${decision.reason}`);
        return {
            pending: { revision: r.revision, nodes: outdated, reason: decision.reason, notBefore: decision.pendingUntil.toISOString() },
            restarted: false,
        };
    }
    actions.push(`${outdated.join(", ")}: rolling restart, ${decision.reason}`);
    const transports = [transportOf(inputs)];
    const sentinels = r.sentinels;
    if (sentinels !== undefined)
        transports.push(
            kubernetesTransport({
                ...target,
                statefulSet: sentinels.statefulSet,
                replicas: sentinels.replicas,
                port: sentinels.port,
                announceHostnames: undefined,
            }),
        );
    const own = sentinelCredentials(inputs);
    const sentinelConnect = { ...(own !== undefined ? { credentials: own } : {}), ...(connect.tls ? { tls: connect.tls } : {}) };
    const opened: NodeClient[][] = [];
    try {
        for (const t of transports) opened.push((await t.open()).map((target) => new NodeClient(target, t === transports[0] ? connect : sentinelConnect)));
        const handoff: HandoffKind =
            inputs.topology.kind === "cluster"
                ? { kind: "cluster" }
                : sentinels !== undefined
                  ? { kind: "sentinel", sentinels: opened[1], group: sentinels.group }
                  : { kind: "replicated" };
        // Every restart may take the whole timeout (termination, image pull, load, sync).
        const timeoutMs = (inputs.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000 * outdated.length;
        const result = await rollingRestart({
            clients: opened[0],
            outdated,
            restarter,
            handoff,
            deadline: { at: Date.now() + timeoutMs, seconds: timeoutMs / 1000, pollMs: 50 },
            log: progressLog(inputs),
            ...(r.handoffTimeoutSeconds !== undefined ? { handoffTimeoutMs: r.handoffTimeoutSeconds * 1000 } : {}),
        });
        actions.push(...result.actions);
    } finally {
        for (const c of opened.flat()) c.close();
        await Promise.all(transports.map((t) => t.close()));
    }
    return { restarted: true };
}

/**
 * For `drainBeforeScaleIn`: the inputs that drain the StatefulSet's surplus pods (all its current
 * pods, surplus released, nothing else applied), or undefined when there is nothing to drain.
 */
async function drainInputs(inputs: TopologyInputs): Promise<{ drain?: TopologyInputs; note: string }> {
    const t = inputs.transport;
    if (t.kind !== "kubernetes" || inputs.topology.kind !== "cluster") return { note: "not a cluster on Kubernetes: nothing to drain" };
    const count = await currentReplicas(t);
    const needed = nodesNeeded(inputs.topology);
    if (count <= needed) return { note: count === 0 ? "no StatefulSet yet: nothing to drain" : `${count} pods, ${needed} needed: nothing to drain` };
    // acl stays: its admin user is whom the provider connects as (run() does not apply it here).
    const { config: _config, rollout: _rollout, tlsReload: _reload, ...rest } = inputs;
    return {
        drain: { ...rest, transport: { ...t, replicas: count }, topology: { ...inputs.topology, surplus: "release" } },
        note: `${count} pods, ${needed} needed: draining ${Array.from({ length: count - needed }, (_, i) => `${t.statefulSet}-${needed + i}`).join(", ")} before the StatefulSet scales in`,
    };
}

/** Pulumi's own properties (the serialized provider) stay out of the outputs; it adds them back. */
function echo(inputs: TopologyInputs): TopologyInputs {
    return Object.fromEntries(Object.entries(inputs).filter(([key]) => !key.startsWith("__"))) as unknown as TopologyInputs;
}

async function run(inputs: TopologyInputs, previous?: TopologyOutputs, options: { applyAcl: boolean } = { applyAcl: true }): Promise<TopologyOutputs> {
    if (inputs.drainBeforeScaleIn === true) {
        const { drain, note } = await drainInputs(inputs);
        if (drain === undefined) return { ...echo(inputs), state: "RUNNING", nodes: [], primaryEndpoints: [], lastActions: [note] };
        // `previous`: during a CA change the nodes still present the old certificate (only the
        // topology resource after the StatefulSet reloads them), so the previous CA stays trusted.
        const drained = await run({ ...drain, drainBeforeScaleIn: false }, previous, { applyAcl: false });
        return {
            ...echo(inputs),
            state: "RUNNING",
            nodes: drained.nodes,
            primaryEndpoints: drained.primaryEndpoints,
            lastActions: [note, ...drained.lastActions],
        };
    }
    const settings = settingsOf(inputs);
    const config = changedDirectives(inputs.config, previous?.config, previous === undefined);
    const reloadTls = tlsReloadDue(inputs, previous);
    const tls = connectionTls(inputs, previous);
    const candidates = credentialCandidates(inputs, previous);
    let security: SecurityResult = { actions: [] };
    const convergeWith = (c: Credentials, afterVerify?: (clients: readonly NodeClient[]) => Promise<void>) =>
        converge(
            {
                topology: inputs.topology,
                transport: transportOf(inputs),
                ...credentialsOption(c),
                ...(tls !== undefined ? { tls } : {}),
                ...(Object.keys(settings).length > 0 ? { settings } : {}),
            },
            { timeoutMs: (inputs.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000, log: progressLog(inputs), ...(afterVerify ? { afterVerify } : {}) },
        );
    const first = await withCredentials(candidates, (c) => {
        security = { actions: [] };
        return convergeWith(
            c,
            reloadTls || (inputs.acl !== undefined && options.applyAcl) || config.length > 0
                ? (clients) => secure(clients, options.applyAcl ? inputs : { ...inputs, acl: undefined }, reloadTls, config, security)
                : undefined,
        );
    });
    let result: ConvergeResult = first.value;
    const credentials = first.credentials;
    // Restarts come after the live changes, with the credentials that worked; a restart is
    // verified by converging once more (the nodes come back with new addresses).
    const firstActions = result.actions;
    const rollout = await rollOut(
        inputs,
        { credentials, ...(tls !== undefined ? { tls } : {}) },
        security.actions,
        security.aclPhase === "Error" ? refusedUsers(security) : undefined,
    );
    if (rollout.restarted) {
        const again = await convergeWith(credentials);
        security.actions.push(...again.actions);
        result = again;
    }
    // RUNNING only once the pods that should serve are Ready: what the client Service routes by.
    // With Sentinel (announceHostnames) only the primary is ever Ready (sdk/manifests/ha.ts).
    if (inputs.transport.kind === "kubernetes") {
        const { kind: _kind, ...target } = inputs.transport;
        const serving = target.announceHostnames !== undefined ? result.layout.primaries.map((p) => p.node) : result.nodes.map((n) => n.name);
        await waitPodsReady(target, serving);
        security.actions.push(`${serving.join(", ")}: Ready (the readiness probe passes)`);
    }
    const primaries = result.layout.primaries.map((p) => result.nodes.find((n) => n.name === p.node)?.address ?? p.node);
    const echoed = echo(inputs);
    const tlsStatus = security.tlsStatus ?? (inputs.tlsReload !== undefined ? previous?.tlsStatus : undefined);
    const configStatus = security.configStatus ?? (inputs.config !== undefined ? previous?.configStatus : undefined);
    return {
        ...echoed,
        state: "RUNNING",
        nodes: nodeOutputs(result.nodes),
        primaryEndpoints: primaries,
        lastActions: [...firstActions, ...security.actions],
        ...(security.aclStatus !== undefined ? { aclStatus: security.aclStatus, aclPhase: security.aclPhase! } : {}),
        ...(tlsStatus !== undefined ? { tlsStatus: [...tlsStatus] } : {}),
        ...(configStatus !== undefined ? { configStatus: [...configStatus] } : {}),
        ...(rollout.pending !== undefined ? { pendingRestart: rollout.pending } : {}),
    };
}

/** How long `pulumi refresh` waits for a pod to run: it reports a pod that does not, it does not wait it out. */
export const REFRESH_POD_TIMEOUT_MS = 15000;

/**
 * `pulumi refresh`: observes every node once, changing nothing, and returns the recorded outputs
 * with what the nodes report now: `nodes` and `primaryEndpoints` as observed, `state` RUNNING when
 * every node answers and is healthy and converge would do nothing, else DEGRADED with `problems`
 * (a node down or loading, a replica unlinked, slots not served, what converge would change). The
 * next `pulumi up` converges a DEGRADED topology again (see `diff`).
 */
async function observe(props: TopologyOutputs): Promise<TopologyOutputs> {
    const t = props.transport;
    const inputs: TopologyInputs =
        t.kind === "kubernetes"
            ? { ...props, transport: { ...t, podTimeoutMs: Math.min(t.podTimeoutMs ?? REFRESH_POD_TIMEOUT_MS, REFRESH_POD_TIMEOUT_MS) } }
            : props;
    const tls = connectionTls(inputs, undefined);
    const candidates = credentialCandidates(inputs);
    let result: StatusResult | undefined;
    let problems: string[];
    try {
        result = (
            await withCredentials(candidates, (c) =>
                status({ transport: transportOf(inputs), ...credentialsOption(c), ...(tls !== undefined ? { tls } : {}), topology: inputs.topology }),
            )
        ).value;
        const pending = result.pending!;
        problems = [
            ...result.problems,
            ...pending.refusals,
            ...(pending.actions.length > 0 ? [`converge would send: ${pending.actions.join("; ")}`] : []),
            ...pending.waiting.map((w) => `waiting for: ${w}`),
        ];
    } catch (e) {
        if (!(e instanceof ValkeyProviderError)) throw e;
        problems = [redact(e.message, secretsOf(inputs))];
    }
    const nodes = result !== undefined ? nodeOutputs(result.nodes) : props.nodes;
    // In slot order, as create and update record them (the pods' order differs once roles swapped).
    const primaries = result?.nodes.filter((n) => n.role === "primary") ?? [];
    const firstSlot = (n: (typeof primaries)[number]) => Math.min(...n.slots.map((r) => r.start));
    const serving = primaries.filter((n) => n.slots.length > 0).sort((a, b) => firstSlot(a) - firstSlot(b));
    const primaryEndpoints = result !== undefined ? (serving.length > 0 ? serving : primaries).map((n) => n.address) : props.primaryEndpoints;
    const { problems: _previous, ...rest } = props;
    // `problems` is not a secret output: masked once more, whatever produced a line.
    const secrets = secretsOf(inputs);
    return {
        ...rest,
        nodes,
        primaryEndpoints,
        ...(problems.length === 0 ? { state: "RUNNING" } : { state: "DEGRADED", problems: problems.map((p) => redact(p, secrets)) }),
    };
}

export const topologyHandlers = {
    async check(olds: Record<string, unknown>, news: Record<string, unknown>): Promise<{ inputs: Record<string, unknown>; failures: CheckFailure[] }> {
        return { inputs: news, failures: [...checkInputs(news), ...checkChange(olds, news)] };
    },
    async diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
        const d = diffInputs(olds, news);
        // A refresh that found the nodes DEGRADED: the next `pulumi up` converges them again.
        if (olds.state !== undefined && olds.state !== "RUNNING") return { changes: true, replaces: [], stables: d.stables, deleteBeforeReplace: false };
        return { ...d, deleteBeforeReplace: false };
    },
    async read(id: string, props: TopologyOutputs): Promise<{ id: string; props: TopologyOutputs }> {
        return { id, props: await observe(props) };
    },
    async create(inputs: TopologyInputs): Promise<{ id: string; outs: TopologyOutputs }> {
        return { id: resourceId(inputs), outs: await run(inputs) };
    },
    async update(_id: string, olds: TopologyOutputs, news: TopologyInputs): Promise<{ outs: TopologyOutputs }> {
        return { outs: await run(news, olds) };
    },
    /**
     * Deleting the resource changes nothing on the nodes: the pods, their data and the cluster belong
     * to the Kubernetes objects (or to whoever runs the servers). It only stops managing the topology.
     */
    async delete(): Promise<void> {
        return;
    },
};
