// `ValkeyCluster` (seeds/002): a Valkey cluster of masterCount primaries with replicasPerMaster
// replicas each, on one StatefulSet, bootstrapped and verified by the ValkeyTopology dynamic
// resource. The operator front door: createValkeyCluster validates the spec, builds the service
// model and hands it to the one factory (deploy.ts); the class only copies the results.
import * as pulumi from "@pulumi/pulumi";
import { LatePasswords } from "../credentials/acl-passwords";
import { ValkeyClusterArgs } from "../spec/cluster-args";
import { ValkeyClusterSpec, valkeyClusterSpecSchema } from "../spec/cluster";
import { buildClusterModel } from "../spec/cluster-model";
import { ServiceModel } from "../spec/service-model";
import { SpecError, SpecIssue, parseSpec } from "../spec/validate";
import type { NodeOutput, PendingRestartOutput } from "../types/topology";
import { splitLatePasswords } from "./acl-inputs";
import { Deployment, ServiceCondition, aclCondition, deployService } from "./deploy";
import { knownPart } from "./inputs";

export type { ValkeyClusterArgs } from "../spec/cluster-args";

/**
 * Fields that decide which resources exist or feed plain-valued children (certificate names,
 * generated ACL passwords, the replica count of the topology): they must be plain values. The
 * ACL users' `passwords` are the exception (splitLatePasswords): they may be Outputs.
 */
const STRUCTURAL = ["masterCount", "replicasPerMaster", "tls", "acl", "exporter"];

/** A condition of ValkeyCluster (the same as every component's). */
export type ClusterCondition = ServiceCondition;
export { aclCondition };

/** What ValkeyCluster exposes: the deployment's outputs and the seeds/002 status fields. */
export type ClusterResult = Omit<Deployment, "sentinelHosts" | "sentinelMasterName" | "sentinelPassword"> & {
    readonly clusterType: pulumi.Output<string>;
    readonly masterCount: pulumi.Output<number>;
    readonly replicasPerMaster: pulumi.Output<number>;
};

/** What checkClusterArgs found. */
export interface CheckedClusterArgs {
    /** The model of the known part, which decides the structure. */
    readonly structure: ServiceModel;
    readonly spec: ValkeyClusterSpec;
    /** Paths of the values not known yet (late ACL passwords not among them). */
    readonly deferred: readonly string[];
    /** The args without the late ACL passwords: what the model is built from once everything resolved. */
    readonly args: unknown;
    /** ACL passwords given as Outputs or Promises, validated when they resolve (createAclUsers). */
    readonly latePasswords: readonly LatePasswords[];
}

/**
 * Checks everything known at construction (so `pulumi preview` fails before anything is created)
 * and throws a SpecError listing every problem. Values still unknown are validated again when
 * they resolve. ACL passwords given as Outputs are set apart first: they never reach the model,
 * which would otherwise hold them, and make every object built from it secret.
 */
export function checkClusterArgs(name: string, args: unknown): CheckedClusterArgs {
    const subject = `ValkeyCluster ${JSON.stringify(name)}`;
    const split = splitLatePasswords(args ?? {});
    const { known, deferred } = knownPart(split.args);
    let tlsGiven = false;
    try {
        tlsGiven = (known as { tls?: unknown } | null)?.tls !== undefined;
    } catch {
        // Unreadable args (a Proxy): parseSpec reports them.
    }
    const tlsOn = tlsGiven || deferred.some((d) => d === "tls" || d.startsWith("tls."));
    // With TLS, the server certificate names the namespace, and certificates are plain children.
    const mustBePlain = [...STRUCTURAL, ...(tlsOn ? ["namespace"] : [])];
    const issues: SpecIssue[] = deferred
        .filter((d) => mustBePlain.some((p) => d === p || d.startsWith(p + ".") || d.startsWith(p + "[")))
        .map((path) => ({
            path,
            message:
                "must be a plain value, not an Output or a Promise: it decides which resources are created (ACL passwords may be Outputs, e.g. from config.requireSecret)",
        }));
    // Whether it is set decides whether the connection Secret exists; its fields may be Outputs.
    if (deferred.includes("connInfoSecretTarget")) {
        issues.push({
            path: "connInfoSecretTarget",
            message:
                "must be a plain object, not an Output or a Promise: whether it is set decides whether the connection Secret is created (its fields may be Outputs, e.g. { name: pulumi.output(...) })",
        });
    }
    let spec: ValkeyClusterSpec | undefined;
    try {
        spec = parseSpec(valkeyClusterSpecSchema, known, subject, deferred);
    } catch (e) {
        if (!(e instanceof SpecError)) throw e;
        issues.push(...e.issues);
    }
    if (issues.length > 0) throw new SpecError(subject, issues);
    return { structure: buildClusterModel(name, spec!), spec: spec!, deferred, args: split.args, latePasswords: split.late };
}

export function createValkeyCluster(name: string, args: ValkeyClusterArgs, parent: pulumi.ComponentResource): ClusterResult {
    const subject = `ValkeyCluster ${JSON.stringify(name)}`;
    const { structure, deferred, args: structural, latePasswords } = checkClusterArgs(name, args);
    // The kubeconfig (and the late ACL passwords) stay out of the model: resolving them with the
    // rest would mark every object built from the model as secret in the state.
    const { kubeconfig } = args ?? {};
    const { kubeconfig: _kubeconfig, ...rest } = structural as ValkeyClusterArgs;
    const model: pulumi.Output<ServiceModel> =
        deferred.filter((d) => d !== "kubeconfig").length === 0
            ? pulumi.output(structure)
            : pulumi
                  .output(rest as pulumi.Input<Record<string, unknown>>)
                  .apply((resolved) => buildClusterModel(name, parseSpec(valkeyClusterSpecSchema, resolved, subject)));
    if (structure.topology.kind !== "cluster") throw new Error(`${subject}: not a cluster topology`);
    const { masterCount, replicasPerMaster } = structure.topology;
    const deployment = deployService(parent, name, model, structure, {
        subject,
        guardType: "ValkeyClusterGuard",
        kubeconfigField: { path: "kubeconfig", example: "`{ ...args, kubeconfig }`" },
        ...(kubeconfig !== undefined ? { kubeconfig: pulumi.output(kubeconfig) } : {}),
        latePasswords,
        externalCertsField: "tls.externalCerts",
        tlsSecretType: "kubernetes.io/tls",
    });
    const { sentinelHosts: _hosts, sentinelMasterName: _group, sentinelPassword: _sentinelPassword, ...outputs } = deployment;
    return {
        ...outputs,
        clusterType: pulumi.output("cluster"),
        masterCount: pulumi.output(masterCount),
        replicasPerMaster: pulumi.output(replicasPerMaster),
    };
}

/**
 * A Valkey cluster on Kubernetes (seeds/002 `ValkeyCluster`): masterCount primaries with
 * replicasPerMaster replicas each, spread across hosts by default, optionally with TLS, ACL users
 * and a metrics exporter. `pulumi up` ends once every slot is served and every shard passed a
 * SET/GET/DEL round trip.
 *
 * @example
 * const cache = new ValkeyCluster("cache", { masterCount: 3, replicasPerMaster: 1 });
 * export const uri = cache.serviceUri; // secret
 */
export class ValkeyCluster extends pulumi.ComponentResource {
    /** "Running" once the topology resource verified the cluster and every pod is Ready (its probe passes: the client Service has every endpoint), "Updating" while a restart waits for the maintenance window; unknown during a preview that changes it. */
    public readonly phase!: pulumi.Output<string>;
    /** "cluster". */
    public readonly clusterType!: pulumi.Output<string>;
    public readonly masterCount!: pulumi.Output<number>;
    public readonly replicasPerMaster!: pulumi.Output<number>;
    /** Ready (with lastTransitionTime), TLSConfigured and ACLSynced (from the nodes' ACL outcome; "False", reason NotConfigured, when off). */
    public readonly conditions!: pulumi.Output<ClusterCondition[]>;
    /** The verified nodes: name, address, node id, role, primary, slots. */
    public readonly nodes!: pulumi.Output<NodeOutput[]>;
    /** In-cluster DNS name of the client Service, `<name>.<namespace>.svc.cluster.local`. */
    public readonly serviceHost!: pulumi.Output<string>;
    /** 6379. */
    public readonly servicePort!: pulumi.Output<number>;
    /** The ACL admin user with ACL, else "default". */
    public readonly serviceUsername!: pulumi.Output<string>;
    /** Its password (secret). */
    public readonly servicePassword!: pulumi.Output<string>;
    /** `redis://user:password@host:6379` (`rediss://` with TLS) (secret). */
    public readonly serviceUri!: pulumi.Output<string>;
    /** The CA certificate (PEM) clients trust with TLS (with externalCerts: the Secret's ca.crt); undefined without TLS. */
    public readonly caCertificate!: pulumi.Output<string | undefined>;
    /** Namespace of every object. */
    public readonly namespace!: pulumi.Output<string>;
    /** "RUNNING" once verified; "DEGRADED" after a `pulumi refresh` that found a node down, a replica unlinked or a slot unserved. */
    public readonly state!: pulumi.Output<string>;
    /** Name of the connection Secret (connInfoSecretTarget); undefined without one. */
    public readonly connectionSecretName!: pulumi.Output<string | undefined>;
    /** With `tls.tlsAuthClients` and issued certificates: a client certificate (PEM) for applications (also in the connection Secret); undefined otherwise. */
    public readonly clientCertificate!: pulumi.Output<string | undefined>;
    /** Its private key (secret); undefined otherwise. */
    public readonly clientKey!: pulumi.Output<string | undefined>;
    /**
     * Pods still to restart for a change (new image, resources, restart-only settings), waiting for
     * the maintenance window: revision, nodes, reason, notBefore (ISO time). Unset when none.
     */
    public readonly pendingRestart!: pulumi.Output<PendingRestartOutput | undefined>;

    constructor(name: string, args: ValkeyClusterArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        super("valkey:index:ValkeyCluster", name, {}, opts);
        const result = createValkeyCluster(name, args, this);
        Object.assign(this, result);
        this.registerOutputs(result);
    }
}
