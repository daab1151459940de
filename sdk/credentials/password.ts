// Passwords come from @pulumi/random: generated once, kept in state as secrets, stable across
// updates until the resource is replaced.
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";

/** 32 characters of [A-Za-z0-9]: ~190 bits, and safe in URIs and valkey.conf without escaping. */
export const PASSWORD_LENGTH = 32;

/** A new random password child named `<name>-password`; `result` is a secret. */
export function createPassword(name: string, parent: pulumi.Resource): random.RandomPassword {
    return new random.RandomPassword(`${name}-password`, { length: PASSWORD_LENGTH, special: false, minLower: 1, minUpper: 1, minNumeric: 1 }, { parent });
}
