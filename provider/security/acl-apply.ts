// ACL users applied live on every node (one ACL SETUSER per user; never ACL LOAD, which is all or
// nothing and needs an aclfile), with a status per node and per user in seeds/002's vocabulary:
// a rule the server refuses (e.g. `+nosuchcommand`) is reported with the node's own message, and
// every other user is still applied. Passwords never reach a message: the replies are redacted
// with every password of the plan, and commands are only shown through describeCommand.
//
// Persistence: users set live are lost when a node restarts unless something reloads them. With an
// `aclfile` configured, `ACL SAVE` writes them there (done here when CONFIG GET aclfile is set).
// The pods of this package have no aclfile (its mount would be a read-only Secret): their users
// come back from the `user` lines of the auth include (sdk/acl aclConfigLines) at start.
import { aclSetUserCommand, defaultUserCommand, replicationAuthCommand } from "../../sdk/acl/commands";
import { planPasswordRotation, RotationStep } from "../../sdk/acl/rotation";
import { AclPlanInput, AclUser } from "../../sdk/acl/users";
import { CommandError, redact } from "../errors";
import { NodeClient } from "../nodes/client";

export interface AclUserStatus {
    readonly user: string;
    readonly status: "Applied" | "Error";
    /** The node's reply when status is Error (passwords removed). */
    readonly message?: string;
}

export type AclNodeStatus =
    | { readonly node: string; readonly status: "Applied"; readonly users: readonly AclUserStatus[] }
    | { readonly node: string; readonly status: "Error"; readonly message: string; readonly users: readonly AclUserStatus[] };

function allPasswords(users: readonly AclUser[]): string[] {
    return users.flatMap((u) => u.passwords);
}

/**
 * The server's reply inside an error of NodeClient.call (`node N: <command> failed: <reply>`): the
 * command part holds passwords, so only the reply is kept, and redacted anyway.
 */
function replyText(e: unknown, secrets: readonly string[]): string {
    const message = e instanceof Error ? e.message : String(e);
    const marker = " failed: ";
    const at = message.lastIndexOf(marker);
    const reply = at >= 0 && e instanceof CommandError ? message.slice(at + marker.length) : message;
    return redact(reply, secrets);
}

/** The SHA-256 hashes of the passwords a user has on the node, or undefined when it does not exist. */
export async function currentPasswordHashes(client: NodeClient, user: string): Promise<string[] | undefined> {
    const reply = await client.call(["ACL", "GETUSER", user]);
    if (!Array.isArray(reply)) return undefined;
    const at = reply.indexOf("passwords");
    return at >= 0 && Array.isArray(reply[at + 1]) ? (reply[at + 1] as unknown[]).map(String) : [];
}

/**
 * What the pods' probes do (sdk/manifests/pod.ts), over a connection of its own: authenticate as
 * the probe user with its current password and PING. The reason when that does not answer PONG,
 * else undefined: a pod whose probe fails is never Ready, and the client Service has no endpoint
 * for it although every other check passes (issue 11, finding 7).
 */
export async function probeCredentialProblem(client: NodeClient, probe: AclUser): Promise<string | undefined> {
    const own = client.as({ username: probe.name, password: probe.passwords[0] });
    try {
        // NodeClient's connect sends PING too, and reports any refusal of it as unreachable or
        // failed authentication: keep the node's own reply only (the node is named by the caller).
        const reply = await own.call(["PING"]);
        return reply === "PONG" ? undefined : `answered ${JSON.stringify(reply)}`;
    } catch (e) {
        return replyText(e, probe.passwords).replace(/^node \S+(?: \([^)]*\))?(?: is unreachable|: authentication failed): /, "");
    } finally {
        own.close();
    }
}

/**
 * Establishes the users on one node: each user (its passwords reset only when they differ from the
 * node's), then the replication credentials (when the replication user applied), then the default
 * user's restriction (only when the admin user applied: the provider must keep a way in), and
 * ACL SAVE when the node has an aclfile (before the restriction when connected as `default`, whose
 * connection can do nothing after it: the next run, as the admin user, saves the rest). Last, with
 * `default` as acl.defaultUser leaves it, the probes' credential (probeCredentialProblem). Connect
 * as the admin user once it exists. Never throws.
 */
export async function applyAcl(client: NodeClient, input: AclPlanInput): Promise<AclNodeStatus> {
    const node = client.target.name;
    const secrets = allPasswords(input.users);
    const users: AclUserStatus[] = [];
    const problems: string[] = [];
    try {
        for (const user of input.users) {
            try {
                const hashes = await currentPasswordHashes(client, user.name);
                await client.call(aclSetUserCommand(user, hashes));
                users.push({ user: user.name, status: "Applied" });
            } catch (e) {
                // A lost connection ends the node's run (below); a refusal is this user's alone.
                if (!(e instanceof CommandError)) throw e;
                const message = replyText(e, secrets);
                users.push({ user: user.name, status: "Error", message });
                problems.push(`user ${user.name}: ${message}`);
            }
        }
        const applied = (role: AclUser["role"]) => {
            const user = input.users.find((u) => u.role === role);
            return user !== undefined && users.some((s) => s.user === user.name && s.status === "Applied") ? user : undefined;
        };
        const replication = applied("replication");
        if (replication) await client.call(replicationAuthCommand(replication));
        const aclfile = ((await client.call(["CONFIG", "GET", "aclfile"])) as string[])[1] !== "";
        // Restricting `default` takes every command from a connection authenticated as it (the
        // first run, before the admin user exists): anything else is sent before.
        const asDefault = (await client.call(["ACL", "WHOAMI"])) === "default";
        if (aclfile && asDefault) await client.call(["ACL", "SAVE"]);
        if (applied("admin")) await client.call(defaultUserCommand(input.defaultUser));
        else problems.push("the default user was left as it is: the admin user could not be applied");
        if (aclfile && !asDefault) await client.call(["ACL", "SAVE"]);
        const probe = applied("probe");
        if (probe) {
            const problem = await probeCredentialProblem(client, probe);
            if (problem !== undefined)
                problems.push(
                    `the probe user ${probe.name} cannot PING (${problem}): the pod's readiness probe fails, so it is never Ready and the client Service has no endpoint for it`,
                );
        }
    } catch (e) {
        return { node, status: "Error", message: replyText(e, secrets), users };
    }
    return problems.length === 0 ? { node, status: "Applied", users } : { node, status: "Error", message: problems.join("; "), users };
}

/** The phase of seeds/002's ValkeyClusterAcl status: Applied when every node is, else Error. */
export function aclPhase(statuses: readonly AclNodeStatus[]): "Applied" | "Error" {
    return statuses.length > 0 && statuses.every((s) => s.status === "Applied") ? "Applied" : "Error";
}

/**
 * Whether a node's Error is only application users it refused (e.g. a rule naming a command the
 * server does not know): every user was tried, the system users (admin, replication, exporter, probe)
 * were applied, and nothing after the users failed, so `default` is restricted and the node is
 * secured. Such a node is reported (aclStatus, aclPhase Error), not a failed run; anything else
 * (a lost connection, a refused system user, the restriction not applied) is.
 */
export function onlyUsersRefused(status: AclNodeStatus, input: AclPlanInput): boolean {
    if (status.status !== "Error" || status.users.length !== input.users.length) return false;
    const refused = status.users.filter((u) => u.status === "Error");
    const system = new Set(input.users.filter((u) => u.role !== undefined).map((u) => u.name));
    if (refused.length === 0 || refused.some((u) => system.has(u.user))) return false;
    // applyAcl's message is exactly these refusals when nothing after the users failed.
    return status.message === refused.map((u) => `user ${u.user}: ${u.message}`).join("; ");
}

/** applyAcl on every node at once; one status per node, in the order given. */
export function applyAclEverywhere(clients: readonly NodeClient[], input: AclPlanInput): Promise<AclNodeStatus[]> {
    return Promise.all(clients.map((c) => applyAcl(c, input)));
}

/** Thrown when a rotation step fails on some node; names the step and the nodes, never a password. */
export class RotationError extends Error {
    constructor(
        readonly step: RotationStep["kind"],
        readonly failures: readonly string[],
    ) {
        super(`password rotation stopped at step "${step}": ${failures.join("; ")}`);
        this.name = "RotationError";
    }
}

/**
 * Rotates `user` from `oldPasswords` to `newPassword` on every node: step 1 (`>new`) everywhere,
 * then `switchClients` (the callers move to the new password), then step 3 (`<old`) everywhere. A
 * step that fails on any node stops the rotation before the next one, so the old password is never
 * removed while a node does not yet accept the new one.
 */
export async function rotatePassword(
    clients: readonly NodeClient[],
    user: string,
    oldPasswords: readonly string[],
    newPassword: string,
    switchClients: () => Promise<void>,
    log: (line: string) => void = () => undefined,
): Promise<void> {
    const secrets = [...oldPasswords, newPassword];
    for (const step of planPasswordRotation(user, oldPasswords, newPassword)) {
        if (step.kind === "switch") {
            log(`${user}: step 2, clients switch to the new password`);
            await switchClients();
            continue;
        }
        const results = await Promise.allSettled(clients.map((c) => c.call(step.command)));
        const failures = results.flatMap((r, i) => (r.status === "rejected" ? [`${clients[i].target.name}: ${replyText(r.reason, secrets)}`] : []));
        if (failures.length > 0) throw new RotationError(step.kind, failures);
        log(`${user}: step ${step.kind === "add" ? "1, new password accepted" : "3, old passwords removed"} on ${clients.length} nodes`);
    }
}
