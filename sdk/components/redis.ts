import * as pulumi from "@pulumi/pulumi";
import { RedisArgs } from "../spec/args";
import { ServiceComponent } from "./base";

/**
 * A Redis-compatible service from the Aiven `Redis` spec (same field names and rules, `REDIS_`
 * keys); the engine is Valkey, which speaks the same protocol.
 *
 * @example
 * const cache = new Redis("cache", { project: "my-project", plan: "startup-4" });
 */
export class Redis extends ServiceComponent {
    constructor(name: string, args: RedisArgs, opts?: pulumi.ComponentResourceOptions) {
        super("valkey:index:Redis", "redis", name, args, opts);
    }
}
