// Type-level agreement between the Pulumi args interfaces (sdk/spec/args.ts) and the zod schemas
// (sdk/spec/aiven.ts): this file does not compile when a field is added, removed or retyped on
// one side only. The runtime test below only keeps mocha aware of the file.
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { z } from "zod";
import { redisSpecSchema, valkeySpecSchema } from "../../../sdk/spec/aiven";
import { RedisArgs, ValkeyArgs } from "../../../sdk/spec/args";
import { Equal, Expect, Plain } from "../../helpers/type-equality";

type ValkeyFromArgs = Plain<pulumi.Unwrap<ValkeyArgs>>;
type ValkeyFromSchema = Plain<z.input<typeof valkeySpecSchema>>;
type RedisFromArgs = Plain<pulumi.Unwrap<RedisArgs>>;
type RedisFromSchema = Plain<z.input<typeof redisSpecSchema>>;

export type Checks = [
    Expect<Equal<ValkeyFromArgs, ValkeyFromSchema>>,
    Expect<Equal<RedisFromArgs, RedisFromSchema>>,
    // The check itself must be able to fail: a schema with one more field is not equal.
    Expect<Equal<Equal<ValkeyFromArgs, Plain<z.input<ReturnType<typeof valkeySpecSchema.extend<{ extra: z.ZodOptional<z.ZodString> }>>>>>, false>>,
];

describe("args interfaces and schemas", () => {
    it("agree field for field (checked by the compiler)", () => {
        const fields = Object.keys(valkeySpecSchema.shape).sort();
        expect(fields).to.include.members(["project", "plan", "userConfig", "kubernetes"]);
    });
});
