// Passwords of the ACL users that the spec leaves without one, from @pulumi/random (like the default
// user's, see password.ts), and the resolved users as one secret Output for the provider.
import * as pulumi from "@pulumi/pulumi";
import { AclPlanInput, resolveAclUsers, usersWithoutPasswords } from "../acl/users";
import { AclSpec } from "../spec/security";
import { createPassword } from "./password";

/**
 * One RandomPassword child per user without given passwords, named `<name>-acl-<user>-password`
 * (stable across updates until the user is renamed), and every user resolved with its passwords
 * (the probe user's derived from `defaultPassword`, see resolveAclUsers).
 * The result is a secret: it holds every password.
 */
export function createAclUsers(name: string, parent: pulumi.Resource, spec: AclSpec, defaultPassword: pulumi.Input<string>): pulumi.Output<AclPlanInput> {
    const generated = usersWithoutPasswords(spec).map((user) => ({ user, password: createPassword(`${name}-acl-${user}`, parent).result }));
    return pulumi.secret(
        pulumi
            .all([defaultPassword, pulumi.all(generated.map((g) => g.password))])
            .apply(([pw, passwords]) => resolveAclUsers(spec, pw, Object.fromEntries(generated.map((g, i) => [g.user, [passwords[i]]])))),
    );
}
