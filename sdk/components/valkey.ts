import * as pulumi from "@pulumi/pulumi";
import { ValkeyArgs } from "../spec/args";
import { createService } from "./service";

/**
 * A Valkey service on Kubernetes from the Aiven `Valkey` spec (same field names and rules).
 * `pulumi up` ends once the nodes answer and a SET/GET/DEL round trip succeeded.
 *
 * @example
 * const cache = new Valkey("cache", { project: "my-project", plan: "startup-4" });
 * export const uri = cache.serviceUri; // secret
 */
export class Valkey extends pulumi.ComponentResource {
    /** In-cluster DNS name of the client Service, `<name>.<namespace>.svc.<clusterDomain>`. */
    public readonly serviceHost!: pulumi.Output<string>;
    /** 6379. */
    public readonly servicePort!: pulumi.Output<number>;
    /** "default". */
    public readonly serviceUsername!: pulumi.Output<string>;
    /** The default user's password (secret), from @pulumi/random. */
    public readonly servicePassword!: pulumi.Output<string>;
    /** `redis://default:<password>@<host>:6379` (`rediss://` with TLS) (secret). */
    public readonly serviceUri!: pulumi.Output<string>;
    /** "RUNNING" once the service is verified. */
    public readonly state!: pulumi.Output<string>;
    /** Name of the connection Secret; undefined when connInfoSecretTargetDisabled. */
    public readonly connectionSecretName!: pulumi.Output<string | undefined>;
    /** Namespace of every object. */
    public readonly namespace!: pulumi.Output<string>;
    /** The verified nodes: ids, roles, addresses. */
    public readonly topology!: pulumi.Output<unknown>;

    constructor(name: string, args: ValkeyArgs, opts?: pulumi.ComponentResourceOptions) {
        super("valkey:index:Valkey", name, {}, opts);
        const result = createService("valkey", name, args, this, opts);
        Object.assign(this, result);
        this.registerOutputs(result);
    }
}
