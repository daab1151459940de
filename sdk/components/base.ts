import * as pulumi from "@pulumi/pulumi";
import type { NodeOutput, PendingRestartOutput } from "../types/topology";
import type { ServiceCondition } from "./deploy";
import { Engine } from "../spec/model";
import { createService } from "./service";

/** What Valkey and Redis share: the Aiven-style outputs over one factory. */
export abstract class ServiceComponent extends pulumi.ComponentResource {
    /** In-cluster DNS name of the client Service, `<name>.<namespace>.svc.<clusterDomain>`. */
    public readonly serviceHost!: pulumi.Output<string>;
    /** 6379. */
    public readonly servicePort!: pulumi.Output<number>;
    /** "default" (Valkey and Redis have no ACL users in this version). */
    public readonly serviceUsername!: pulumi.Output<string>;
    /** The default user's password (secret), from @pulumi/random. */
    public readonly servicePassword!: pulumi.Output<string>;
    /** `redis://default:<password>@<host>:6379` (`rediss://` with TLS) (secret). */
    public readonly serviceUri!: pulumi.Output<string>;
    /** "RUNNING" once the service is verified; "DEGRADED" after a `pulumi refresh` that found a node down or a replica unlinked. */
    public readonly state!: pulumi.Output<string>;
    /** seeds/002 phase: "Running", "Updating" while a restart waits for the maintenance window, "Failed" when refresh found it DEGRADED, "Pending" before. */
    public readonly phase!: pulumi.Output<string>;
    /** Ready (with lastTransitionTime; reason Degraded and the problems after a refresh that found some), TLSConfigured and ACLSynced. */
    public readonly conditions!: pulumi.Output<ServiceCondition[]>;
    /** Name of the connection Secret; undefined when connInfoSecretTargetDisabled. */
    public readonly connectionSecretName!: pulumi.Output<string | undefined>;
    /** Namespace of every object. */
    public readonly namespace!: pulumi.Output<string>;
    /** The verified nodes: name, address, role, the primary a replica follows. */
    public readonly topology!: pulumi.Output<NodeOutput[]>;
    /** The CA certificate (PEM) clients trust with userConfig.*_ssl (with kubernetes.tls.externalCerts: the Secret's ca.crt); undefined otherwise. */
    public readonly caCertificate!: pulumi.Output<string | undefined>;
    /** With `kubernetes.tls.tlsAuthClients` and issued certificates: a client certificate (PEM) for applications (also in the connection Secret); undefined otherwise. */
    public readonly clientCertificate!: pulumi.Output<string | undefined>;
    /** Its private key (secret); undefined otherwise. */
    public readonly clientKey!: pulumi.Output<string | undefined>;
    /**
     * Sentinel plans (business-N, premium-N, pro): `["<name>-sentinel.<namespace>.svc.<clusterDomain>:26379"]`,
     * for Sentinel-aware clients; undefined for 1-node plans.
     */
    public readonly sentinelHosts!: pulumi.Output<string[] | undefined>;
    /** Sentinel plans: the group name Sentinel-aware clients ask for (the resource name); undefined otherwise. */
    public readonly sentinelMasterName!: pulumi.Output<string | undefined>;
    /**
     * Sentinel plans: the password the Sentinels require (secret): Sentinel-aware clients
     * authenticate to the Sentinels with it (e.g. iovalkey's `sentinelPassword`) and to the
     * primary with servicePassword. Undefined otherwise.
     */
    public readonly sentinelPassword!: pulumi.Output<string | undefined>;
    /**
     * Pods still to restart for a change that needs it (image, io-threads, databases, resources),
     * waiting for the maintenance window (maintenanceWindowDow/Time, UTC): revision, nodes, reason,
     * notBefore (ISO time). Undefined when none; `kubernetes.applyDisruptiveChangesNow` skips the wait.
     */
    public readonly pendingRestart!: pulumi.Output<PendingRestartOutput | undefined>;

    protected constructor(type: string, engine: Engine, name: string, args: unknown, opts?: pulumi.ComponentResourceOptions) {
        super(type, name, {}, opts);
        const result = createService(engine, name, args, this);
        Object.assign(this, result);
        this.registerOutputs(result);
    }
}
