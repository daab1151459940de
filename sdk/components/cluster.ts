// `ValkeyCluster` (seeds/002): a Valkey cluster of masterCount primaries with replicasPerMaster
// replicas each, on one StatefulSet, bootstrapped and verified by the ValkeyTopology dynamic
// resource. The class is thin; createValkeyCluster validates the spec, builds the model and wires
// the shared pure builders (sdk/manifests) into resources.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AclPlanInput, systemUserNames } from "../acl/users";
import { LatePasswords, createAclUsers } from "../credentials/acl-passwords";
import { createPassword } from "../credentials/password";
import { createCertificates, serverDnsNames } from "../credentials/tls";
import { renderValkeyConf, valkeyDirectives } from "../config";
import {
    DATA_VOLUME,
    buildAuthSecret,
    buildClientService,
    buildConfigMap,
    buildHeadlessService,
    buildNetworkPolicy,
    buildPodDisruptionBudget,
    buildStatefulSet,
    claimRequest,
    connectionUri,
    exporterAuthHash,
    validateManifest,
} from "../manifests";
import { Manifest } from "../manifests/validate";
import { ValkeyClusterArgs } from "../spec/cluster-args";
import { ValkeyClusterSpec, valkeyClusterSpecSchema } from "../spec/cluster";
import { buildClusterModel } from "../spec/cluster-model";
import { ServiceModel } from "../spec/service-model";
import { SpecError, SpecIssue, parseSpec } from "../spec/validate";
import { ValkeyGuard } from "../resources/guard";
import { ValkeyTopology } from "../resources/topology";
import type { AclStatusOutput, NodeOutput, PendingRestartOutput } from "../types/topology";
import { splitLatePasswords } from "./acl-inputs";
import { knownPart } from "./inputs";
import { clusterAccess } from "./kubeconfig";
import { kubernetesArgs } from "./objects";
import { configRollout, rolloutArgs } from "./rollout";

export type { ValkeyClusterArgs } from "../spec/cluster-args";

export const CLUSTER_PORT = 6379;
const DEFAULT_USER = "default";

/**
 * Fields that decide which resources exist or feed plain-valued children (certificate names,
 * generated ACL passwords, the replica count of the topology): they must be plain values. The
 * ACL users' `passwords` are the exception (splitLatePasswords): they may be Outputs.
 */
const STRUCTURAL = ["masterCount", "replicasPerMaster", "tls", "acl", "exporter"];

/** A condition in the seeds' status vocabulary (Kubernetes condition shape). */
export interface ClusterCondition {
    readonly type: "Ready" | "TLSConfigured" | "ACLSynced";
    readonly status: "True" | "False";
    /** Ready only: since when the cluster is verified. */
    readonly lastTransitionTime?: string;
    readonly reason?: string;
    /** ACLSynced with reason ApplyFailed: every failed node with the node's own message (never a password). */
    readonly message?: string;
}

/**
 * ACLSynced from the topology resource's ACL outputs: True when every node applied every user
 * (aclPhase Applied); False with reason ApplyFailed and each failed node's message (aclStatus) when
 * a node refused something; False with NotApplied while no outcome is reported; NotConfigured without ACL.
 */
export function aclCondition(aclOn: boolean, phase: string | undefined, status: readonly AclStatusOutput[] | undefined): ClusterCondition {
    if (!aclOn) return { type: "ACLSynced", status: "False", reason: "NotConfigured" };
    if (phase === "Applied") return { type: "ACLSynced", status: "True" };
    if (phase === "Error") {
        const failed = (status ?? []).filter((s) => s.status === "Error").map((s) => `node ${s.node}: ${s.message ?? "not applied"}`);
        return { type: "ACLSynced", status: "False", reason: "ApplyFailed", message: failed.length > 0 ? failed.join("; ") : "a node did not apply the users" };
    }
    return { type: "ACLSynced", status: "False", reason: "NotApplied" };
}

/** The certificates of tls.externalCerts, read from the user's Secret at every preview and update. */
interface ExternalCerts {
    readonly ca: pulumi.Output<string>;
    readonly cert: pulumi.Output<string>;
    /** Secret. */
    readonly key: pulumi.Output<string>;
}

/**
 * Reads the Secret `namespace/secretName` (tls.crt, tls.key, ca.crt) with Secret.get, so each
 * `pulumi up` sees the certificate as it is now: one renewed by cert-manager becomes the topology
 * resource's tlsReload input, and the nodes load it without a restart. The Secret's data stays
 * secret; the two certificates are public and are unmarked.
 */
function readExternalCerts(name: string, subject: string, secretName: string, namespace: string, opts: pulumi.CustomResourceOptions): ExternalCerts {
    const secret = k8s.core.v1.Secret.get(`${name}-tls-external`, `${namespace}/${secretName}`, opts);
    const field = (key: string) =>
        secret.data.apply((data) => {
            const value = data?.[key];
            if (value === undefined || value === "") {
                throw new Error(`${subject}: tls.externalCerts: the Secret ${namespace}/${secretName} has no ${key}: it must hold tls.crt, tls.key and ca.crt`);
            }
            return Buffer.from(value, "base64").toString("utf8");
        });
    return { ca: pulumi.unsecret(field("ca.crt")), cert: pulumi.unsecret(field("tls.crt")), key: pulumi.secret(field("tls.key")) };
}

export interface ClusterResult {
    readonly phase: pulumi.Output<string>;
    readonly clusterType: pulumi.Output<string>;
    readonly masterCount: pulumi.Output<number>;
    readonly replicasPerMaster: pulumi.Output<number>;
    readonly conditions: pulumi.Output<ClusterCondition[]>;
    readonly nodes: pulumi.Output<NodeOutput[]>;
    readonly serviceHost: pulumi.Output<string>;
    readonly servicePort: pulumi.Output<number>;
    readonly serviceUsername: pulumi.Output<string>;
    readonly servicePassword: pulumi.Output<string>;
    readonly serviceUri: pulumi.Output<string>;
    readonly caCertificate: pulumi.Output<string | undefined>;
    readonly namespace: pulumi.Output<string>;
    readonly pendingRestart: pulumi.Output<PendingRestartOutput | undefined>;
}

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

/** Validates the built object (the API server's rules) before Pulumi sends it. */
function checked<T extends Manifest>(object: T): T {
    validateManifest(object);
    return object;
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
    const namespace = model.apply((m) => m.namespace);

    // One kubeconfig for the objects and the dynamic resources (sdk/components/kubeconfig.ts).
    const { provider: k8sProvider, kubeconfig: clusterKubeconfig } = clusterAccess(
        parent,
        name,
        subject,
        { path: "kubeconfig", example: "`{ ...args, kubeconfig }`" },
        kubeconfig !== undefined ? pulumi.output(kubeconfig) : undefined,
    );
    // Refuses a change of the namespace at preview, with the old and the new value. Every
    // Kubernetes object depends on it, so nothing moves when it refuses, also without a preview.
    const immutable = new ValkeyGuard(
        "ValkeyClusterGuard",
        `${name}-immutable`,
        { subject, immutable: model.apply((m) => ({ subject, fields: m.immutable })) },
        { parent },
    );
    const childOpts: pulumi.CustomResourceOptions = { parent, dependsOn: [immutable], ...(k8sProvider ? { provider: k8sProvider } : {}) };

    // Credentials: the default user's password (the probes authenticate with it without ACL; with
    // ACL as the probe user, whose password is derived from it), the ACL users.
    const password = createPassword(name, parent);
    const acl = structure.acl;
    const aclUsers: pulumi.Output<AclPlanInput | undefined> =
        acl !== undefined ? createAclUsers(name, parent, acl, password.result, { subject, passwords: latePasswords }) : pulumi.output(undefined);
    const userNames = acl !== undefined ? systemUserNames(acl) : undefined;
    // The pods roll for the exporter's own credentials only (a keyed hash: the annotation need not
    // be secret); a change of the ACL users is applied live by the topology resource.
    const exporterAuth = pulumi.unsecret(pulumi.all([aclUsers, password.result]).apply(([a, pw]) => exporterAuthHash(a, pw)));

    const authObject = pulumi.all([model, password.result, aclUsers]).apply(([m, pw, a]) => checked(buildAuthSecret(m, pw, a)));
    const authSecret = new k8s.core.v1.Secret(
        `${name}-auth`,
        { metadata: authObject.apply((s) => s.metadata!), stringData: pulumi.secret(authObject.apply((s) => s.stringData!)) },
        childOpts,
    );

    // TLS: a CA and a server certificate (and a client certificate for mTLS) from @pulumi/tls, in
    // the Secret `<name>-tls` of the pod contract.
    const tls = structure.tls;
    const issued = tls?.certificates.kind === "internal" ? tls.certificates : undefined;
    const certificates =
        issued !== undefined
            ? createCertificates(name, parent, {
                  dnsNames: serverDnsNames(name, structure.namespace, structure.clusterDomain),
                  validityHours: issued.validityHours,
                  caValidityHours: issued.caValidityHours,
                  rotateBeforePercent: issued.rotateBeforePercent,
                  clientCerts: tls!.mutual,
              })
            : undefined;
    // tls.externalCerts: the user's Secret, mounted by the pods in place of `<name>-tls`.
    const external =
        tls?.certificates.kind === "external" ? readExternalCerts(name, subject, tls.certificates.secretName, structure.namespace, childOpts) : undefined;
    const tlsSecret =
        certificates !== undefined
            ? new k8s.core.v1.Secret(
                  `${name}-tls`,
                  {
                      metadata: model.apply((m) => ({
                          name: `${name}-tls`,
                          namespace: m.namespace,
                          labels: buildConfigMap(m, "").metadata!.labels,
                      })),
                      type: "kubernetes.io/tls",
                      stringData: pulumi.secret(
                          pulumi
                              .all([certificates.server.certPem, certificates.server.privateKeyPem, certificates.caCertPem])
                              .apply(([crt, key, ca]) => ({ "tls.crt": crt, "tls.key": key, "ca.crt": ca })),
                      ),
                  },
                  childOpts,
              )
            : undefined;

    const conf = model.apply((m) => renderValkeyConf(m));
    // Runtime-settable directives (the backup settings) change live; the others roll the pods.
    const configPlan = model.apply((m) => configRollout(valkeyDirectives(m)));
    const configMapObject = pulumi.all([model, conf]).apply(([m, c]) => checked(buildConfigMap(m, c)));
    const configMap = new k8s.core.v1.ConfigMap(`${name}-config`, kubernetesArgs(configMapObject, ["metadata", "data"]), childOpts);

    const headlessObject = model.apply((m) => checked(buildHeadlessService(m)));
    const headless = new k8s.core.v1.Service(`${name}-headless`, kubernetesArgs(headlessObject, ["metadata", "spec"]), childOpts);

    const statefulSetObject = pulumi.all([model, configPlan, exporterAuth]).apply(([m, p, h]) =>
        checked(
            buildStatefulSet(m, {
                configHash: p.restartHash,
                ...(h !== undefined ? { exporterAuthHash: h } : {}),
                ...(userNames !== undefined ? { exporterUser: userNames.exporter } : {}),
            }),
        ),
    );
    // The users the provider and the outputs connect as: the ACL admin user, else the default user.
    const username = userNames?.admin ?? DEFAULT_USER;
    const userPassword: pulumi.Output<string> = pulumi.secret(
        acl !== undefined ? aclUsers.apply((a) => a!.users.find((u) => u.role === "admin")!.passwords[0]) : password.result,
    );

    // How the provider reaches the nodes, for both topology resources below.
    const transport = {
        kind: "kubernetes" as const,
        ...(clusterKubeconfig !== undefined ? { kubeconfig: clusterKubeconfig } : {}),
        namespace,
        replicas: structure.nodes,
        port: CLUSTER_PORT,
        // Pulumi does not wait for the pods (skipAwait): the provider does, image pulls included.
        podTimeoutMs: model.apply((m) => m.timeouts.podSeconds * 1000),
    };
    const access = {
        timeoutSeconds: model.apply((m) => m.timeouts.convergeSeconds),
        username,
        password: userPassword,
        ...(certificates !== undefined
            ? {
                  tls: {
                      ca: certificates.caCertPem,
                      ...(certificates.client !== undefined ? { cert: certificates.client.certPem, key: certificates.client.privateKeyPem } : {}),
                  },
              }
            : {}),
        ...(external !== undefined
            ? {
                  tls: {
                      ca: external.ca,
                      // The user's certificate need not name localhost: it is verified under the
                      // client Service's name, which clients use too.
                      serverName: `${name}.${structure.namespace}.svc.${structure.clusterDomain}`,
                      // With mTLS the nodes present tls.crt to each other (tls-cluster,
                      // tls-replication), so it allows client authentication: the provider presents it too.
                      ...(tls!.mutual ? { cert: external.cert, key: external.key } : {}),
                  },
              }
            : {}),
        ...(acl !== undefined ? { acl: pulumi.secret(aclUsers.apply((a) => a!)) } : {}),
    };
    if (structure.topology.kind !== "cluster") throw new Error(`${subject}: not a cluster topology`);
    const { masterCount, replicasPerMaster } = structure.topology;
    const clusterTopology = { kind: "cluster" as const, masters: masterCount, replicasPerMaster };

    // Before the StatefulSet shrinks (fewer masters or replicas), the pods it is about to remove
    // hand their slots, with the keys, to the staying primaries and leave the cluster. It does
    // nothing on create or when nothing shrinks (provider/dynamic: drainBeforeScaleIn).
    const drain = new ValkeyTopology(
        `${name}-scale-in`,
        { topology: clusterTopology, transport: { ...transport, statefulSet: name }, ...access, drainBeforeScaleIn: true },
        { parent, dependsOn: [authSecret, ...(tlsSecret ? [tlsSecret] : [])] },
    );

    const statefulSet = new k8s.apps.v1.StatefulSet(name, kubernetesArgs(statefulSetObject, ["metadata", "spec"]), {
        ...childOpts,
        dependsOn: [authSecret, configMap, headless, drain, ...(tlsSecret ? [tlsSecret] : [])],
        // The claim templates cannot change in place, and replacing the StatefulSet would delete
        // its PVCs: the guard below grows the PVCs themselves and refuses any other pvc change.
        ignoreChanges: ["spec.volumeClaimTemplates"],
    });

    const clientObject = model.apply((m) => checked(buildClientService(m)));
    const client = new k8s.core.v1.Service(name, kubernetesArgs(clientObject, ["metadata", "spec"]), { ...childOpts, dependsOn: [statefulSet] });
    const pdbObject = model.apply((m) => checked(buildPodDisruptionBudget(m)));
    new k8s.policy.v1.PodDisruptionBudget(name, kubernetesArgs(pdbObject, ["metadata", "spec"]), childOpts);
    const policyObject = model.apply((m) => checked(buildNetworkPolicy(m)));
    new k8s.networking.v1.NetworkPolicy(name, kubernetesArgs(policyObject, ["metadata", "spec"]), childOpts);

    // `pulumi up` ends with a verified cluster: every slot served, replicas linked, a smoke test
    // on every shard (sdk/resources/topology.ts), through the Kubernetes API.
    const topology = new ValkeyTopology(
        `${name}-topology`,
        {
            topology: clusterTopology,
            transport: { ...transport, statefulSet: statefulSet.metadata.name },
            // The ACL users are applied live on every node (the auth.conf `user` lines bring them back on a restart).
            ...access,
            // A renewed server certificate (internal, or the external Secret's as it is now) is
            // loaded by the running nodes (no restart) once kubelet has synced the Secret volume.
            ...(certificates !== undefined ? { tlsReload: { certPem: certificates.server.certPem } } : {}),
            ...(external !== undefined ? { tlsReload: { certPem: external.cert } } : {}),
            config: configPlan.apply((p) => p.live),
            // A new pod template (image, resources, restart-only directives) is rolled out by the
            // provider: replicas first, each primary after a CLUSTER FAILOVER to its replica.
            rollout: pulumi.all([statefulSetObject, model]).apply(([sts, m]) => rolloutArgs(sts, m.maintenance)),
        },
        { parent, dependsOn: [statefulSet, authSecret, ...(tlsSecret ? [tlsSecret] : [])] },
    );

    // Refuses a smaller storageSize or another StorageClass at preview; grows the PVCs of every
    // pod (also of pods a scale-out added, which the stale claim template creates at the first size).
    const guard = new ValkeyGuard(
        "ValkeyClusterGuard",
        `${name}-guard`,
        {
            subject,
            pvc: model.apply(claimRequest),
            volumes: {
                ...(clusterKubeconfig !== undefined ? { kubeconfig: clusterKubeconfig } : {}),
                namespace,
                statefulSet: statefulSet.metadata.name,
                claimTemplate: DATA_VOLUME,
                replicas: structure.nodes,
            },
            ready: topology.state,
        },
        { parent },
    );

    const running = topology.state.apply((s) => s === "RUNNING");
    const aclSynced = pulumi.all([topology.aclPhase, topology.aclStatus]).apply(([phase, status]) => {
        const condition = aclCondition(acl !== undefined, phase, status);
        if (condition.reason === "ApplyFailed")
            void pulumi.log.warn(
                `${subject}: ACL users not applied: ${condition.message}. Fix the rules: a pod that restarts reads them from ${name}-auth and does not start with a rule the server refuses`,
                parent,
            );
        return condition;
    });
    const conditions = pulumi.all([running, guard.readySince, aclSynced]).apply(([ok, since, aclSync]): ClusterCondition[] => [
        { type: "Ready", status: ok ? "True" : "False", ...(since !== undefined ? { lastTransitionTime: since } : {}) },
        // The provider verified the nodes over TLS (with the CA) before reporting RUNNING.
        tls !== undefined ? { type: "TLSConfigured", status: ok ? "True" : "False" } : { type: "TLSConfigured", status: "False", reason: "NotConfigured" },
        // The outcome of applying the users on every node (provider/security/acl-apply.ts).
        aclSync,
    ]);

    const serviceHost = pulumi.all([client.metadata.name, model]).apply(([svc, m]) => `${svc}.${m.namespace}.svc.${m.clusterDomain}`);
    const ssl = tls !== undefined;
    return {
        // A failed convergence fails `pulumi up` itself, so a deployed cluster is Running; during
        // a preview that changes the topology the phase is unknown.
        // Updating: a change that restarts pods waits for the maintenance window (pendingRestart).
        phase: pulumi.all([running, topology.pendingRestart]).apply(([ok, pending]) => (!ok ? "Pending" : pending !== undefined ? "Updating" : "Running")),
        clusterType: pulumi.output("cluster"),
        masterCount: pulumi.output(masterCount),
        replicasPerMaster: pulumi.output(replicasPerMaster),
        conditions,
        nodes: topology.nodes,
        serviceHost,
        servicePort: pulumi.output(CLUSTER_PORT),
        serviceUsername: pulumi.output(username),
        servicePassword: pulumi.secret(userPassword),
        serviceUri: pulumi.secret(
            pulumi.all([serviceHost, userPassword]).apply(([host, pw]) => connectionUri({ host, port: CLUSTER_PORT, user: username, password: pw, ssl })),
        ),
        caCertificate: certificates !== undefined ? certificates.caCertPem : external !== undefined ? external.ca : pulumi.output(undefined),
        namespace,
        pendingRestart: topology.pendingRestart,
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
