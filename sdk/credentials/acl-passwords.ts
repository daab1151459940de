// Passwords of the ACL users: generated (@pulumi/random, like the default user's, see password.ts)
// for the users the spec leaves without one, resolved and validated for those given as Outputs
// (e.g. `config.requireSecret`), and every user resolved as one secret Output for the provider.
import * as pulumi from "@pulumi/pulumi";
import { AclPlanInput, AclTopologyOptions, SystemRole, resolveAclUsers, systemUserNames, usersWithoutPasswords } from "../acl/users";
import { AclSpec, aclPasswordsSchema } from "../spec/security";
import { SpecError, pathToString, specIssuesAt } from "../spec/validate";
import { createPassword } from "./password";

/**
 * One user's `passwords` given as an Output or a Promise, or as a list with one among them. The
 * validated spec holds the rest of the user; these are validated once they resolve.
 */
export interface LatePasswords {
    /** The field path, e.g. `["acl", "users", 0, "passwords"]`. */
    readonly path: readonly (string | number)[];
    /** The user: a system user's role, or its index in `acl.users`. */
    readonly user: { readonly role: SystemRole } | { readonly index: number };
    readonly passwords: pulumi.Input<pulumi.Input<string>[]>;
}

/** The late passwords of a spec, and whom a SpecError about them names (e.g. `ValkeyCluster "cache"`). */
export interface LateAclPasswords {
    readonly subject: string;
    readonly passwords: readonly LatePasswords[];
}

function userName(spec: AclSpec, user: LatePasswords["user"]): string {
    return "role" in user ? systemUserNames(spec)[user.role] : spec.users![user.index].name;
}

/**
 * One RandomPassword child per user without passwords, given or late, named
 * `<name>-acl-<user>-password` (stable across updates until the user is renamed), and every user
 * resolved with its passwords. Late passwords are checked with the spec's rules when they resolve
 * (during a preview too, once known): a violation fails the Output, and with it the update, with a
 * SpecError naming each field and never a password. Unknown during a preview, they check nothing
 * and the result is unknown. The probe user's password derives from `defaultPassword`, and on a
 * Sentinel plan (`topology.sentinel`: pass it for every model whose topology kind is "sentinel")
 * the Sentinel user's too (see resolveAclUsers). The result is a secret: it holds every password.
 */
export function createAclUsers(
    name: string,
    parent: pulumi.Resource,
    spec: AclSpec,
    defaultPassword: pulumi.Input<string>,
    { subject, passwords: late }: LateAclPasswords = { subject: name, passwords: [] },
    topology: AclTopologyOptions = {},
): pulumi.Output<AclPlanInput> {
    const lateNames = late.map((l) => userName(spec, l.user));
    const generated = usersWithoutPasswords(spec, new Set(lateNames)).map((user) => ({ user, password: createPassword(`${name}-acl-${user}`, parent).result }));
    const lateLists = pulumi.all(late.map((l) => pulumi.output(l.passwords))).apply((lists) => {
        // Not a list (e.g. config.requireSecret("pw") without the brackets): that alone, since the
        // schema's other messages would describe the string, its length included.
        const issues = lists.flatMap((list, i) =>
            Array.isArray(list)
                ? specIssuesAt(aclPasswordsSchema, list, late[i].path)
                : [{ path: pathToString(late[i].path), message: `must be a list of passwords (got ${typeof list}); write [password]` }],
        );
        if (issues.length > 0) throw new SpecError(subject, issues);
        return lists as string[][];
    });
    return pulumi.secret(
        pulumi.all([defaultPassword, pulumi.all(generated.map((g) => g.password)), lateLists]).apply(([pw, passwords, lists]) =>
            resolveAclUsers(
                spec,
                pw,
                {
                    ...Object.fromEntries(generated.map((g, i) => [g.user, [passwords[i]]])),
                    ...Object.fromEntries(lateNames.map((user, i) => [user, lists[i]])),
                },
                topology,
            ),
        ),
    );
}
