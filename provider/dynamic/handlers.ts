// The dynamic provider's methods, as plain functions over plain data. `./topology` (the
// pulumi.dynamic.ResourceProvider) only forwards to these after require()-ing this package inside
// each method, so the closure Pulumi serializes into the state stays a few lines long.
import { defaultUserCommand, describeCommand } from "../../sdk/acl/commands";
import { converge, ConvergeResult } from "../converge/converge";
import { AuthenticationError, redact, ValkeyProviderError, VerificationError } from "../errors";
import { Credentials, NodeClient, TlsOptions } from "../nodes/client";
import { kubernetesTransport } from "../nodes/kubernetes";
import { directTransport, Transport } from "../nodes/transport";
import { aclPhase, applyAclEverywhere, onlyUsersRefused } from "../security/acl-apply";
import { reloadTlsEverywhere, tlsReloadCommand } from "../security/tls-reload";
import {
    AclStatusOutput,
    checkInputs,
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

/**
 * The credentials to try, in order. With `acl`, the admin user first (with each password it may
 * still have on the nodes: the current one, then those a rotation keeps), then the given ones (the
 * first run of nodes started without the ACL users: `default` with its requirepass). Without `acl`,
 * the given ones only.
 */
export function credentialCandidates(inputs: TopologyInputs): Credentials[] {
    const given: Credentials = { ...(inputs.username !== undefined ? { username: inputs.username } : {}), ...(inputs.password !== undefined ? { password: inputs.password } : {}) };
    const admin = inputs.acl?.users.find((u) => u.role === "admin");
    const candidates: Credentials[] = admin ? admin.passwords.map((password) => ({ username: admin.name, password })) : [];
    const same = (a: Credentials, b: Credentials) => (a.username ?? "default") === (b.username ?? "default") && a.password === b.password;
    if (!candidates.some((c) => same(c, given))) candidates.push(given);
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
    aclStatus?: AclStatusOutput[];
    aclPhase?: "Applied" | "Error";
    tlsStatus?: TlsStatusOutput[];
}

/**
 * After converge, over its connections: the TLS reload first, then the ACL users, whose last
 * command restricts `default` (a connection authenticated as `default` can do nothing after it).
 * Throws, naming every failed node with its message (never a password), when a node fails.
 */
async function secure(clients: readonly NodeClient[], inputs: TopologyInputs, reloadTls: boolean, out: SecurityResult): Promise<void> {
    if (reloadTls && inputs.tlsReload !== undefined) {
        const paths = inputs.tlsReload.paths ?? {};
        const statuses = await reloadTlsEverywhere(clients, inputs.tlsReload.certPem, {
            paths,
            ...(inputs.tls !== undefined ? { tls: inputs.tls } : {}),
            timeoutMs: (inputs.tlsReload.timeoutSeconds ?? DEFAULT_TLS_RELOAD_TIMEOUT_SECONDS) * 1000,
        });
        const command = tlsReloadCommand(paths).join(" ");
        out.tlsStatus = statuses.map((s) => (s.status === "Reloaded" ? { node: s.node, status: s.status, fingerprint: s.fingerprint } : { node: s.node, status: s.status, message: s.message }));
        for (const s of statuses) {
            if (s.status === "Reloaded") out.actions.push(`${s.node}: ${command} (reload the TLS files: presents ${s.fingerprint} after ${s.attempts} attempt${s.attempts === 1 ? "" : "s"})`);
        }
        const failed = statuses.flatMap((s) => (s.status === "Error" ? [s.message] : []));
        if (failed.length > 0) {
            throw new VerificationError(failed.length === 1 ? statuses.find((s) => s.status === "Error")!.node : `${failed.length} nodes`, `TLS reload failed: ${failed.join("; ")}`);
        }
    }
    if (inputs.acl !== undefined) {
        const acl = inputs.acl;
        const statuses = await applyAclEverywhere(clients, acl);
        out.aclStatus = statuses.map((s) => (s.status === "Applied" ? { node: s.node, status: s.status } : { node: s.node, status: s.status, message: s.message }));
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
            const secrets = [...acl.users.flatMap((u) => u.passwords), inputs.password];
            throw new ValkeyProviderError("command-failed", redact(`ACL users not applied on ${failed.length} of ${statuses.length} nodes: ${failed.join("; ")}`, secrets));
        }
    }
}

/**
 * Converges the nodes to the inputs, then (over the same connections) reloads TLS and applies the
 * ACL users, and returns the outputs (the inputs, plus what was verified). A dynamic provider has no
 * log the user sees: what it did is in the `lastActions` output. `previous`: the outputs of the last
 * create or update (none on create).
 */
async function run(inputs: TopologyInputs, previous?: TopologyOutputs): Promise<TopologyOutputs> {
    const settings = settingsOf(inputs);
    const reloadTls = tlsReloadDue(inputs, previous);
    const tls = connectionTls(inputs, previous);
    const candidates = credentialCandidates(inputs);
    let result: ConvergeResult | undefined;
    let security: SecurityResult = { actions: [] };
    for (let i = 0; result === undefined; i++) {
        const credentials = candidates[i];
        security = { actions: [] };
        try {
            result = await converge(
                {
                    topology: inputs.topology,
                    transport: transportOf(inputs),
                    ...(credentials.username !== undefined || credentials.password !== undefined ? { credentials } : {}),
                    ...(tls !== undefined ? { tls } : {}),
                    ...(Object.keys(settings).length > 0 ? { settings } : {}),
                },
                {
                    timeoutMs: (inputs.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000,
                    ...(reloadTls || inputs.acl !== undefined ? { afterVerify: (clients: readonly NodeClient[]) => secure(clients, inputs, reloadTls, security) } : {}),
                },
            );
        } catch (e) {
            // The next credentials only when these were refused (e.g. the admin user does not exist yet).
            if (!(e instanceof AuthenticationError)) throw e;
            if (i + 1 >= candidates.length) throw candidates.length > 1 ? new ValkeyProviderError("authentication", `${e.message} (tried: ${triedText(candidates)})`, e.node) : e;
        }
    }
    const primaries = result.layout.primaries.map((p) => result!.nodes.find((n) => n.name === p.node)?.address ?? p.node);
    // Pulumi's own properties (the serialized provider) stay out of the outputs; it adds them back.
    const echoed = Object.fromEntries(Object.entries(inputs).filter(([key]) => !key.startsWith("__"))) as unknown as TopologyInputs;
    const tlsStatus = security.tlsStatus ?? (inputs.tlsReload !== undefined ? previous?.tlsStatus : undefined);
    return {
        ...echoed,
        state: "RUNNING",
        nodes: nodeOutputs(result.nodes),
        primaryEndpoints: primaries,
        lastActions: [...result.actions, ...security.actions],
        ...(security.aclStatus !== undefined ? { aclStatus: security.aclStatus, aclPhase: security.aclPhase! } : {}),
        ...(tlsStatus !== undefined ? { tlsStatus: [...tlsStatus] } : {}),
    };
}

export const topologyHandlers = {
    async check(_olds: Record<string, unknown>, news: Record<string, unknown>): Promise<{ inputs: Record<string, unknown>; failures: CheckFailure[] }> {
        return { inputs: news, failures: checkInputs(news) };
    },
    async diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
        return { ...diffInputs(olds, news), deleteBeforeReplace: false };
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
