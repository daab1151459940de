// Type-level agreement between the TLS/ACL args interfaces (sdk/spec/security-args.ts) and the zod
// schemas (sdk/spec/security.ts): this file does not compile when a field is added, removed or
// retyped on one side only.
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { z } from "zod";
import { aclSpecSchema, tlsSpecSchema } from "../../../sdk/spec/security";
import { ValkeyClusterAclArgs, ValkeyClusterTlsArgs } from "../../../sdk/spec/security-args";
import { Equal, Expect, Plain } from "../../helpers/type-equality";

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
