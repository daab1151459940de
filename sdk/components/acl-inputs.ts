// ACL passwords given as Outputs or Promises (e.g. `config.requireSecret`), taken out of the args
// before the plain-value check: the rest of `acl` decides which resources exist (a RandomPassword
// per user without passwords, the users of the auth Secret) and must be plain, while a password
// only flows into secret values. They are validated once they resolve (sdk/credentials/acl-passwords.ts).
import * as pulumi from "@pulumi/pulumi";
import { SystemRole } from "../acl/users";
import { LatePasswords } from "../credentials/acl-passwords";
import { MAX_ACL_USERS } from "../spec/security";
import { knownPart } from "./inputs";

const ROLES: readonly SystemRole[] = ["admin", "replication", "exporter"];

/** An object given as it is: not an array, an Output or a Promise (those stay whole for the plain-value check). */
function isPlainObject(value: unknown): value is Record<string, unknown> {
    return (
        typeof value === "object" &&
        value !== null &&
        !Array.isArray(value) &&
        !pulumi.Output.isInstance(value) &&
        typeof (value as { then?: unknown }).then !== "function"
    );
}

/** Whether the user's `passwords` (an own enumerable field, as the schema reads it) is or holds an Output or a Promise. */
function hasLatePasswords(user: Record<string, unknown>): boolean {
    return Object.prototype.propertyIsEnumerable.call(user, "passwords") && knownPart(user.passwords).deferred.length > 0;
}

function withoutPasswords(user: Record<string, unknown>): Record<string, unknown> {
    const { passwords: _passwords, ...rest } = user;
    return rest;
}

/**
 * The args without the ACL passwords that are not plain values, and those passwords with their
 * users. `at` is where the front door keeps its `acl` object: `["acl"]` (ValkeyCluster) or
 * `["kubernetes", "acl"]` (Valkey, Redis). Only users inside a plain `acl` (and a plain
 * `acl.users` list) are looked at: a deferred `acl`, user or list stays in the args, for the
 * plain-value check to refuse. Args this walk cannot read (a Proxy that throws) are returned as
 * they are, for parseSpec to report.
 */
export function splitLatePasswords(args: unknown, at: readonly string[] = ["acl"]): { args: unknown; late: LatePasswords[] } {
    try {
        // The objects from the args down to the one holding `acl`, each plain.
        const chain: Record<string, unknown>[] = [];
        let current: unknown = args;
        for (const key of at) {
            if (!isPlainObject(current)) return { args, late: [] };
            chain.push(current);
            current = current[key];
        }
        if (!isPlainObject(current)) return { args, late: [] };
        const acl = current;
        const late: LatePasswords[] = [];
        const copy: Record<string, unknown> = { ...acl };
        for (const role of ROLES) {
            const user = acl[role];
            if (isPlainObject(user) && hasLatePasswords(user)) {
                late.push({ path: [...at, role, "passwords"], user: { role }, passwords: user.passwords as LatePasswords["passwords"] });
                copy[role] = withoutPasswords(user);
            }
        }
        // A longer list is refused by the schema; a sparse one may claim 2^32-1 elements.
        if (Array.isArray(acl.users) && acl.users.length <= MAX_ACL_USERS) {
            const users: unknown[] = acl.users.slice();
            for (let index = 0; index < users.length; index++) {
                const user = users[index];
                if (isPlainObject(user) && hasLatePasswords(user)) {
                    late.push({ path: [...at, "users", index, "passwords"], user: { index }, passwords: user.passwords as LatePasswords["passwords"] });
                    users[index] = withoutPasswords(user);
                }
            }
            copy.users = users;
        }
        if (late.length === 0) return { args, late };
        // Copy the chain back up: the caller's objects stay as they were.
        let replaced: unknown = copy;
        for (let i = chain.length - 1; i >= 0; i--) replaced = { ...chain[i], [at[i]]: replaced };
        return { args: replaced, late };
    } catch {
        return { args, late: [] };
    }
}
