// Type-level agreement between the Pulumi args interfaces (sdk/spec/args.ts) and the zod schemas
// (sdk/spec/aiven.ts): this file does not compile when a field is added, removed or retyped on
// one side only. The runtime test below only keeps mocha aware of the file.
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { z } from "zod";
import { redisSpecSchema, valkeySpecSchema } from "../../../sdk/spec/aiven";
import { RedisArgs, ValkeyArgs } from "../../../sdk/spec/args";

// Exact type equality (not mere assignability: an extra optional field must fail too).
type Equal<X, Y> = (<T>() => T extends X ? 1 : 2) extends <T>() => T extends Y ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

// Normalises what both sides legitimately differ in: readonly-ness and `| undefined` on optionals.
type Plain<T> = T extends string | number | boolean
    ? T
    : T extends readonly (infer E)[]
      ? Plain<E>[]
      : T extends object
        ? { -readonly [K in keyof T]-?: Plain<Exclude<T[K], undefined>> } & { __optional: OptionalKeys<T> }
        : T;
type OptionalKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? K : never }[keyof T];

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
