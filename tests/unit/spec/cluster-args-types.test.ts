// Type-level agreement between ValkeyClusterArgs (sdk/spec/cluster-args.ts) and the zod schema
// (sdk/spec/cluster.ts): this file does not compile when a field is added, removed or retyped on
// one side only. The runtime test only keeps mocha aware of the file.
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { z } from "zod";
import { valkeyClusterSpecSchema } from "../../../sdk/spec/cluster";
import { ValkeyClusterArgs } from "../../../sdk/spec/cluster-args";
import { Equal, Expect, Plain } from "../../helpers/type-equality";

type FromArgs = Plain<pulumi.Unwrap<ValkeyClusterArgs>>;
type FromSchema = Plain<z.input<typeof valkeyClusterSpecSchema>>;

export type Checks = [
    Expect<Equal<FromArgs, FromSchema>>,
    // The check itself must be able to fail: a schema with one more field is not equal.
    Expect<Equal<Equal<FromArgs, Plain<z.input<ReturnType<typeof valkeyClusterSpecSchema.extend<{ extra: z.ZodOptional<z.ZodString> }>>>>>, false>>,
];

describe("ValkeyClusterArgs and the cluster schema", () => {
    it("agree field for field (checked by the compiler)", () => {
        expect(Object.keys(valkeyClusterSpecSchema.shape)).to.include.members(["masterCount", "replicasPerMaster", "pvc", "backup"]);
    });
});
