// The dynamic resource's inputs and outputs as plain data, and the pure parts of its provider: check
// (validation that copes with values unknown during preview) and diff. No Pulumi import: this module
// is loaded inside the dynamic provider's process.
import { X509Certificate } from "crypto";
import { SYSTEM_ROLES } from "../../sdk/acl/users";
import { CREDENTIAL_DIRECTIVES } from "../../sdk/config/runtime";
import { DAYS_OF_WEEK, maintenanceWindowTimeSchema } from "../../sdk/spec/aiven";
import { canonical, ChangeRecord, changeIssues, containsUnknown, ImmutableField, UNKNOWN } from "../../sdk/spec/changes";
import { aclRuleProblem, USER_NAME } from "../../sdk/spec/security";
import { Settings } from "../reconcile/settings";
import { formatRanges } from "../reconcile/slots";
import { nodesNeeded, topologyProblems } from "../reconcile/topology";
import { Topology } from "../reconcile/types";
import { NodeReport } from "../reconcile/report";
import { parseEndpoint } from "../nodes/transport";
import { decideDisruptive } from "../schedule/window";
import type { NodeOutput, RolloutInput, TopologyInputs } from "../../sdk/types/topology";

/** What Pulumi passes for a value not known yet (during preview). */
export { UNKNOWN };

export type {
    DirectNodeInput,
    TransportInput,
    TlsInput,
    AclInput,
    TlsReloadInput,
    SettingsInput,
    TopologyInputs,
    ConfigInput,
    RolloutInput,
    PendingRestartOutput,
    ConfigStatusOutput,
    AclStatusOutput,
    TlsStatusOutput,
    NodeOutput,
    TopologyOutputs,
} from "../../sdk/types/topology";
export { SECRET_OUTPUTS } from "../../sdk/types/topology";

export const DEFAULT_TLS_RELOAD_TIMEOUT_SECONDS = 120;
export const DEFAULT_TIMEOUT_SECONDS = 300;

export interface CheckFailure {
    readonly property: string;
    readonly reason: string;
}

const isUnknown = (v: unknown): boolean => v === UNKNOWN;

function isObject(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

function wholeNumber(v: unknown, min: number): boolean {
    return isUnknown(v) || (typeof v === "number" && Number.isInteger(v) && v >= min);
}

/** Every problem of the inputs, each with its property path; unknown values are not judged. */
export function checkInputs(news: Record<string, unknown>): CheckFailure[] {
    const failures: CheckFailure[] = [];
    const fail = (property: string, reason: string) => failures.push({ property, reason });
    const { topology, transport } = news;
    if (!isUnknown(news.providerVersion) && (typeof news.providerVersion !== "string" || news.providerVersion === "")) {
        fail("providerVersion", "must be a non-empty string");
    }
    let nodeCount: number | undefined;
    if (isObject(transport)) {
        if (transport.kind === "direct") {
            if (Array.isArray(transport.nodes)) {
                nodeCount = transport.nodes.length;
                transport.nodes.forEach((n: unknown, i) => {
                    if (isUnknown(n)) return;
                    if (!isObject(n)) {
                        fail(`transport.nodes[${i}]`, "must be an object with a dial address");
                        return;
                    }
                    for (const key of ["dial", "announce"]) {
                        const value = n[key];
                        if (value === undefined && key === "announce") continue;
                        if (isUnknown(value)) continue;
                        if (typeof value !== "string") {
                            fail(`transport.nodes[${i}].${key}`, "must be a host:port string");
                            continue;
                        }
                        try {
                            parseEndpoint(value);
                        } catch {
                            fail(`transport.nodes[${i}].${key}`, `"${value}" is not a host:port address`);
                        }
                    }
                });
            } else if (!isUnknown(transport.nodes)) {
                fail("transport.nodes", "must be a list of nodes");
            }
        } else if (transport.kind === "kubernetes") {
            for (const key of ["namespace", "statefulSet"]) {
                if (!isUnknown(transport[key]) && (typeof transport[key] !== "string" || transport[key] === ""))
                    fail(`transport.${key}`, "must be a non-empty string");
            }
            if (!wholeNumber(transport.replicas, 1)) fail("transport.replicas", "must be a whole number >= 1");
            else if (typeof transport.replicas === "number") nodeCount = transport.replicas;
            if (transport.port !== undefined && !wholeNumber(transport.port, 1)) fail("transport.port", "must be a port number");
        } else if (!isUnknown(transport.kind)) {
            fail("transport.kind", `must be "direct" or "kubernetes" (got ${JSON.stringify(transport.kind)})`);
        }
    } else if (!isUnknown(transport)) {
        fail("transport", 'must be { kind: "direct", nodes } or { kind: "kubernetes", namespace, statefulSet, replicas }');
    }
    if (isObject(topology)) {
        const known = Object.values(topology).every((v) => !isUnknown(v));
        if (known) {
            // The shape is judged now; the node count only once it is known.
            const shape = topology as unknown as Topology;
            const problems = topologyProblems(shape, nodeCount ?? (nodesNeeded(shape) || 1));
            for (const reason of problems) fail("topology", reason);
        }
    } else if (!isUnknown(topology)) {
        fail("topology", 'must be { kind: "standalone" }, { kind: "replicated", replicas } or { kind: "cluster", masters, replicasPerMaster }');
    }
    const tls = news.tls;
    if (isObject(tls) && !isUnknown(tls.cert) && !isUnknown(tls.key) && (tls.cert === undefined) !== (tls.key === undefined)) {
        fail("tls", "cert and key go together: they are the client certificate this provider presents and its private key");
    }
    if (news.timeoutSeconds !== undefined && !isUnknown(news.timeoutSeconds) && !(typeof news.timeoutSeconds === "number" && news.timeoutSeconds > 0)) {
        fail("timeoutSeconds", "must be a number of seconds > 0");
    }
    if (news.acl !== undefined) checkAcl(news.acl, fail);
    if (news.config !== undefined) checkConfig(news.config, fail);
    if (news.rollout !== undefined) checkRollout(news.rollout, fail);
    if (news.sentinelPassword !== undefined && !isUnknown(news.sentinelPassword) && (typeof news.sentinelPassword !== "string" || news.sentinelPassword === ""))
        fail("sentinelPassword", "must be a non-empty string");
    // The Sentinels' password is derived from the default user's: from `password` only while that
    // is the default user's (issue 12: with ACL the component connects as the admin user).
    if (
        isObject(news.rollout) &&
        news.rollout.sentinels !== undefined &&
        news.sentinelPassword === undefined &&
        typeof news.username === "string" &&
        news.username !== "default"
    ) {
        fail(
            "sentinelPassword",
            `must be given with rollout.sentinels when username is an ACL user (${JSON.stringify(news.username)}): the Sentinels' password derives from the default user's, not from this user's`,
        );
    }
    if (
        news.drainBeforeScaleIn === true &&
        ((isObject(transport) && transport.kind === "direct") || (isObject(topology) && topology.kind !== "cluster" && !isUnknown(topology.kind)))
    ) {
        fail("drainBeforeScaleIn", "needs a cluster topology and the kubernetes transport: it drains the pods a StatefulSet is about to remove");
    }
    if (news.rollout !== undefined && !isUnknown(news.rollout) && isObject(transport) && transport.kind === "direct") {
        fail("rollout", "needs the kubernetes transport: a node is restarted by deleting its pod");
    }
    if (news.tlsReload !== undefined) checkTlsReload(news.tlsReload, fail);
    if (news.tlsReload !== undefined && !isUnknown(news.tlsReload) && news.tls === undefined) {
        fail("tlsReload", "needs tls: the nodes are verified over a TLS handshake on the port the provider dials");
    }
    return failures;
}

/** Directive names as valkey.conf spells them; values are single CONFIG SET arguments. */
const DIRECTIVE = /^[a-z][a-z0-9-]*$/;

function checkConfig(config: unknown, fail: (property: string, reason: string) => void): void {
    if (isUnknown(config)) return;
    if (!isObject(config)) {
        fail("config", "must be an object of directive names to values");
        return;
    }
    for (const [name, value] of Object.entries(config)) {
        if (!DIRECTIVE.test(name)) fail(`config.${name}`, "is not a directive name (lower-case letters, digits and dashes)");
        else if (CREDENTIAL_DIRECTIVES.includes(name))
            fail(
                `config.${name}`,
                "carries a credential: set it through the auth include (and the password input), not config, whose values appear in lastActions",
            );
        else if (!isUnknown(value) && typeof value !== "string") fail(`config.${name}`, "must be a string (the CONFIG SET argument)");
    }
}

function checkRollout(rollout: unknown, fail: (property: string, reason: string) => void): void {
    if (isUnknown(rollout)) return;
    if (!isObject(rollout)) {
        fail("rollout", "must be { revision, window?, force?, sentinels? }");
        return;
    }
    if (!isUnknown(rollout.revision) && (typeof rollout.revision !== "string" || rollout.revision === ""))
        fail("rollout.revision", "must be a non-empty string");
    const w = rollout.window;
    if (w !== undefined && !isUnknown(w)) {
        if (!isObject(w)) fail("rollout.window", "must be { dow?, time? }");
        else {
            if (w.dow !== undefined && !isUnknown(w.dow) && !(DAYS_OF_WEEK as readonly unknown[]).includes(w.dow))
                fail("rollout.window.dow", `must be one of ${DAYS_OF_WEEK.join(", ")} (got ${JSON.stringify(w.dow)})`);
            if (w.time !== undefined && !isUnknown(w.time) && !maintenanceWindowTimeSchema.safeParse(w.time).success) {
                fail("rollout.window.time", `must be HH:mm:ss (UTC) (got ${JSON.stringify(w.time)})`);
            }
        }
    }
    for (const key of ["force", "memoryOnly", "allowDataLoss"]) {
        if (rollout[key] !== undefined && !isUnknown(rollout[key]) && typeof rollout[key] !== "boolean") fail(`rollout.${key}`, "must be true or false");
    }
}

/**
 * The change rules (sdk/spec/changes.ts) over this resource's own inputs: TLS cannot be turned on
 * or off, nor switch between internal and external certificates (`tls.serverName`), on running
 * nodes. The components refuse such a change earlier, under the user's field (their
 * `<name>-immutable` guard); this covers a ValkeyTopology used directly. Never the certificates
 * themselves (secrets): only whether they are set.
 */
export function checkChange(olds: Record<string, unknown>, news: Record<string, unknown>): CheckFailure[] {
    // Pulumi passes the recorded *inputs* as `olds` (no `state`, an output): `{}` on create.
    const created = olds.providerVersion !== undefined || olds.state !== undefined;
    if (!created || isUnknown(news.tls) || news.drainBeforeScaleIn === true) return [];
    const record = (inputs: Record<string, unknown>): ChangeRecord => {
        const tls = inputs.tls;
        // Where the certificates come from is judged only while TLS stays on (one message per change).
        const source: Record<string, ImmutableField> = isObject(tls) ? { "tls.serverName": tls.serverName === undefined ? {} : { value: tls.serverName } } : {};
        // Into or out of a cluster is refused (noResharding); standalone and replicated may change.
        const kind: Record<string, ImmutableField> =
            isObject(inputs.topology) && typeof inputs.topology.kind === "string" ? { "topology.kind": { value: inputs.topology.kind } } : {};
        return { fields: { tls: tls === undefined ? {} : { value: true }, ...source, ...kind } };
    };
    return changeIssues(record(olds), record(news)).map((i) => ({ property: i.field, reason: i.message }));
}

const ROLES: readonly string[] = SYSTEM_ROLES;

/** The shape applyAclEverywhere takes. Never echoes a password. */
function checkAcl(acl: unknown, fail: (property: string, reason: string) => void): void {
    if (isUnknown(acl)) return;
    if (!isObject(acl)) {
        fail("acl", 'must be { users: [{ name, passwords, rules, role? }], defaultUser: "restricted" | "off" }');
        return;
    }
    if (!isUnknown(acl.defaultUser) && acl.defaultUser !== "restricted" && acl.defaultUser !== "off") {
        fail("acl.defaultUser", `must be "restricted" or "off" (got ${JSON.stringify(acl.defaultUser)})`);
    }
    if (isUnknown(acl.users)) return;
    if (!Array.isArray(acl.users)) {
        fail("acl.users", "must be a list of users");
        return;
    }
    const names = new Map<string, number>();
    const roles = new Map<string, number>();
    acl.users.forEach((u: unknown, i) => {
        const at = `acl.users[${i}]`;
        if (isUnknown(u)) return;
        if (!isObject(u)) {
            fail(at, "must be an object { name, passwords, rules, role? }");
            return;
        }
        if (!isUnknown(u.name)) {
            if (typeof u.name !== "string" || !USER_NAME.test(u.name)) fail(`${at}.name`, "must be 1-128 characters of [A-Za-z0-9._@-], starting alphanumeric");
            else if (u.name === "default") fail(`${at}.name`, 'must not be "default": the default user is governed by acl.defaultUser');
            else if (names.has(u.name)) fail(`${at}.name`, `user ${u.name} is already defined at acl.users[${names.get(u.name)}]`);
            else names.set(u.name, i);
        }
        if (!isUnknown(u.passwords)) {
            if (!Array.isArray(u.passwords) || u.passwords.length === 0)
                fail(`${at}.passwords`, "must be a non-empty list of passwords, the current one first");
            else if (u.passwords.some((p) => !isUnknown(p) && (typeof p !== "string" || p === ""))) fail(`${at}.passwords`, "must be non-empty strings");
        }
        if (!isUnknown(u.rules)) {
            const problem = typeof u.rules === "string" ? aclRuleProblem(u.rules) : "must be a string of ACL rules";
            if (problem !== undefined) fail(`${at}.rules`, problem);
        }
        if (u.role !== undefined && !isUnknown(u.role)) {
            if (typeof u.role !== "string" || !ROLES.includes(u.role)) fail(`${at}.role`, `must be one of ${ROLES.join(", ")} (got ${JSON.stringify(u.role)})`);
            else if (roles.has(u.role)) fail(`${at}.role`, `the ${u.role} user is already acl.users[${roles.get(u.role)}]`);
            else roles.set(u.role, i);
        }
    });
    const known = acl.users.every((u) => isObject(u) && !isUnknown(u.role));
    if (known && !roles.has("admin")) fail("acl.users", "must include the admin user (role admin): the provider connects as it once `default` is restricted");
}

function checkTlsReload(reload: unknown, fail: (property: string, reason: string) => void): void {
    if (isUnknown(reload)) return;
    if (!isObject(reload)) {
        fail("tlsReload", "must be { certPem, paths?, timeoutSeconds? }");
        return;
    }
    if (!isUnknown(reload.certPem)) {
        let ok = typeof reload.certPem === "string";
        if (ok) {
            try {
                new X509Certificate(reload.certPem as string);
            } catch {
                ok = false;
            }
        }
        if (!ok) fail("tlsReload.certPem", "must be a PEM certificate (the server certificate the nodes must present)");
    }
    const paths = reload.paths;
    if (paths !== undefined && !isUnknown(paths)) {
        if (!isObject(paths)) fail("tlsReload.paths", "must be { certFile?, keyFile?, caFile? }");
        else {
            for (const key of Object.keys(paths)) {
                if (!["certFile", "keyFile", "caFile"].includes(key)) fail(`tlsReload.paths.${key}`, "is not one of certFile, keyFile, caFile");
                else if (paths[key] !== undefined && !isUnknown(paths[key]) && (typeof paths[key] !== "string" || paths[key] === ""))
                    fail(`tlsReload.paths.${key}`, "must be a file path");
            }
        }
    }
    if (reload.timeoutSeconds !== undefined && !isUnknown(reload.timeoutSeconds) && !(typeof reload.timeoutSeconds === "number" && reload.timeoutSeconds > 0)) {
        fail("tlsReload.timeoutSeconds", "must be a number of seconds > 0");
    }
}

/** Inputs that decide what the nodes become; a change re-runs converge (an update, never a replace). */
const CONVERGED_INPUTS = [
    "providerVersion",
    "topology",
    "username",
    "password",
    "sentinelPassword",
    "tls",
    "settings",
    "acl",
    "tlsReload",
    "config",
    "rollout",
    "drainBeforeScaleIn",
] as const;

/** The transport without what only says how to reach the nodes today (kubeconfig, context). */
function transportTarget(t: unknown): unknown {
    if (!isObject(t)) return t;
    const { kubeconfig: _kubeconfig, context: _context, ...target } = t;
    return target;
}

/**
 * What changed between the last outputs and the new inputs. Nothing is ever replaced: the nodes belong
 * to the Kubernetes objects (or to whoever runs them), and a new topology is reached by converging.
 * A new kubeconfig or timeout alone changes nothing on the nodes and triggers no update.
 */
export function diffInputs(
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
    now: Date = new Date(),
): { changes: boolean; replaces: string[]; stables: string[] } {
    const changed: string[] = [];
    // Restarts left for the maintenance window: the first update once it is open carries them out.
    if (isObject(olds.pendingRestart) && isObject(news.rollout) && !containsUnknown(news.rollout)) {
        const r = news.rollout as unknown as RolloutInput;
        if (decideDisruptive(r.window ?? {}, now, r.force === true).apply) changed.push("pendingRestart");
    }
    for (const key of CONVERGED_INPUTS) {
        if (containsUnknown(news[key]) || canonical(olds[key]) !== canonical(news[key])) changed.push(key);
    }
    if (containsUnknown(transportTarget(news.transport)) || canonical(transportTarget(olds.transport)) !== canonical(transportTarget(news.transport))) {
        changed.push("transport");
    }
    const all = [...CONVERGED_INPUTS, "transport"];
    return { changes: changed.length > 0, replaces: [], stables: all.filter((k) => !changed.includes(k)) };
}

/** The steady settings the inputs ask for. */
export function settingsOf(inputs: TopologyInputs): Settings {
    const s = inputs.settings;
    return {
        ...(s?.clusterNodeTimeoutMs !== undefined ? { "cluster-node-timeout": s.clusterNodeTimeoutMs } : {}),
        ...(s?.replDisklessSyncDelaySeconds !== undefined ? { "repl-diskless-sync-delay": s.replDisklessSyncDelaySeconds } : {}),
    };
}

/** The nodes as outputs report them. */
export function nodeOutputs(nodes: readonly NodeReport[]): NodeOutput[] {
    return nodes.map((n) => ({
        name: n.name,
        address: n.address,
        ...(n.id !== undefined ? { id: n.id } : {}),
        role: n.role,
        ...(n.primary !== undefined ? { primary: n.primary } : {}),
        ...(n.primaryId !== undefined ? { primaryId: n.primaryId } : {}),
        slots: n.slots.length > 0 ? formatRanges(n.slots) : "",
    }));
}

/** A stable id for the resource: the StatefulSet, or the first node. */
export function resourceId(inputs: TopologyInputs): string {
    const t = inputs.transport;
    return t.kind === "kubernetes" ? `${t.namespace}/${t.statefulSet}` : (t.nodes[0]?.announce ?? t.nodes[0]?.dial ?? "none");
}
