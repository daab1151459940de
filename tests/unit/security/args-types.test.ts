// Type-level agreement between the TLS/ACL args interfaces (sdk/spec/security-args.ts) and the zod
// schemas (sdk/spec/security.ts): this file does not compile when a field is added, removed or
// retyped on one side only.
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { z } from "zod";
import { aclSpecSchema, tlsSpecSchema } from "../../../sdk/spec/security";
import { ValkeyClusterAclArgs, ValkeyClusterTlsArgs } from "../../../sdk/spec/security-args";

type Equal<X, Y> = (<T>() => T extends X ? 1 : 2) extends <T>() => T extends Y ? 1 : 2 ? true : false;
type Expect<T extends true> = T;
type Plain<T> = T extends string | number | boolean
    ? T
    : T extends readonly (infer E)[]
      ? Plain<E>[]
      : T extends object
        ? { -readonly [K in keyof T]-?: Plain<Exclude<T[K], undefined>> } & { __optional: OptionalKeys<T> }
        : T;
type OptionalKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? K : never }[keyof T];

export type Checks = [
    Expect<Equal<Plain<pulumi.Unwrap<ValkeyClusterTlsArgs>>, Plain<z.input<typeof tlsSpecSchema>>>>,
    Expect<Equal<Plain<pulumi.Unwrap<ValkeyClusterAclArgs>>, Plain<z.input<typeof aclSpecSchema>>>>,
    // The check can fail: an args interface missing a field is not equal.
    Expect<Equal<Equal<Plain<pulumi.Unwrap<Omit<ValkeyClusterTlsArgs, "tlsPort">>>, Plain<z.input<typeof tlsSpecSchema>>>, false>>,
];

describe("security args interfaces and schemas", () => {
    it("agree field for field (checked by the compiler)", () => {
        expect(Object.keys(aclSpecSchema.shape).sort()).to.deep.equal(["admin", "defaultUser", "exporter", "replication", "users"]);
    });
});
