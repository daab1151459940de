// The commands that establish ACL users on a live node, and the same users as valkey.conf `user`
// lines for restarts. Pure. Each user is one `ACL SETUSER`, which Valkey applies atomically (to a
// copy of the user, swapped in only when every rule is valid): a user never passes through a state
// with no password or no rules, so clients authenticated as it keep working.
import { createHash } from "crypto";
import { quoteConfigValue } from "../config/render";
import { AclPlanInput, AclUser, RESTRICTED_DEFAULT_RULES } from "./users";

/** SHA-256 hex of a password: how ACL GETUSER and ACL LIST show passwords, and `#<hash>` sets one. */
export function passwordHash(password: string): string {
    return createHash("sha256").update(password, "utf8").digest("hex");
}

function ruleTokens(rules: string): string[] {
    return rules.split(/\s+/).filter((t) => t !== "");
}

/**
 * The password part of a SETUSER: empty when the node already accepts exactly these passwords
 * (`currentHashes` from ACL GETUSER), else `resetpass >p1 >p2 ...`. resetpass and the new list are
 * in the same atomic command, so a password in both the old and the new list never stops working:
 * rotation is [new, old] first, [new] once clients moved.
 */
export function passwordArgs(passwords: readonly string[], currentHashes?: readonly string[]): string[] {
    if (currentHashes !== undefined) {
        const want = new Set(passwords.map(passwordHash));
        if (want.size === currentHashes.length && currentHashes.every((h) => want.has(h))) return [];
    }
    return ["resetpass", ...passwords.map((p) => `>${p}`)];
}

/**
 * `ACL SETUSER <name> on resetkeys resetchannels -@all clearselectors <rules> [resetpass >p...]`:
 * the rules start from nothing every time, so a rule removed from the spec is removed on the node.
 */
export function aclSetUserCommand(user: AclUser, currentHashes?: readonly string[]): string[] {
    return [
        "ACL",
        "SETUSER",
        user.name,
        "on",
        "resetkeys",
        "resetchannels",
        "-@all",
        "clearselectors",
        ...ruleTokens(user.rules),
        ...passwordArgs(user.passwords, currentHashes),
    ];
}

/**
 * What becomes of `default`: restricted to PING (its password, which the probes use, is kept) or
 * switched off. Sent last, once the admin user the provider connects as exists.
 */
export function defaultUserCommand(mode: AclPlanInput["defaultUser"]): string[] {
    return mode === "off"
        ? ["ACL", "SETUSER", "default", "off"]
        : ["ACL", "SETUSER", "default", "resetkeys", "resetchannels", "-@all", "clearselectors", ...ruleTokens(RESTRICTED_DEFAULT_RULES)];
}

/**
 * Replicas authenticate to their primary as the replication user (its current password), since
 * the restricted `default` may no longer replicate. Runtime-settable in 8.0.
 */
export function replicationAuthCommand(user: AclUser): string[] {
    return ["CONFIG", "SET", "primaryuser", user.name, "primaryauth", user.passwords[0]];
}

/** A command as it may be shown in logs and messages: passwords replaced by `***`. */
export function describeCommand(args: readonly string[]): string {
    const out: string[] = [];
    for (let i = 0; i < args.length; i++) {
        const a = args[i];
        const prev = args[i - 1]?.toLowerCase();
        if (prev === "primaryauth" || prev === "masterauth" || prev === "requirepass" || prev === "auth") out.push("***");
        else if (a.startsWith(">") || a.startsWith("<")) out.push(`${a[0]}***`);
        else if (a.startsWith("#")) out.push("#***");
        else out.push(a);
    }
    return out.join(" ");
}

/** One user as a valkey.conf `user` line: every word quoted, passwords only as `#<sha256>` (see aclConfigLines). */
export function aclUserConfigLine(u: Pick<AclUser, "name" | "rules" | "passwords">): string {
    return ["user", u.name, "on", "resetkeys", "resetchannels", "-@all", ...ruleTokens(u.rules), ...u.passwords.map((p) => `#${passwordHash(p)}`)]
        .map(quoteConfigValue)
        .join(" ");
}

/**
 * The users as valkey.conf `user` lines (for the secret include the pods read at start), so a
 * restarted node comes back with the same users before the provider runs again. Passwords appear
 * only as `#<sha256>`. valkey splits a config line like a shell (sdssplitargs: a `"` or `'`
 * anywhere in a bare word opens a quoted part), while ACL SETUSER gets each rule token as it is:
 * every word is written with quoteConfigValue, so the file yields exactly the tokens sent live
 * (a bare `~app"` made valkey-server refuse to start, and `~a" +@all ~"` became one key pattern).
 */
export function aclConfigLines(input: AclPlanInput, defaultPassword: string): string[] {
    const line = (words: readonly string[]) => words.map(quoteConfigValue).join(" ");
    const lines = input.users.map(aclUserConfigLine);
    // A `user default` line replaces what requirepass set, so it carries the password itself.
    const defaultLine =
        input.defaultUser === "off"
            ? ["user", "default", "off", "resetkeys", "resetchannels", "-@all", `#${passwordHash(defaultPassword)}`]
            : ["user", "default", "on", "resetkeys", "resetchannels", "-@all", ...ruleTokens(RESTRICTED_DEFAULT_RULES), `#${passwordHash(defaultPassword)}`];
    return [...lines, line(defaultLine)];
}
