import * as pulumi from "@pulumi/pulumi";
import { ValkeyArgs } from "../spec/args";
import { ServiceComponent } from "./base";

/**
 * A Valkey service on Kubernetes from the Aiven `Valkey` spec (same field names and rules).
 * `pulumi up` ends once the nodes answer and a SET/GET/DEL round trip succeeded.
 *
 * @example
 * const cache = new Valkey("cache", { project: "my-project", plan: "startup-4" });
 * export const uri = cache.serviceUri; // secret
 */
export class Valkey extends ServiceComponent {
    constructor(name: string, args: ValkeyArgs, opts?: pulumi.ComponentResourceOptions) {
        super("valkey:index:Valkey", "valkey", name, args, opts);
    }
}
