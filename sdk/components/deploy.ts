// The one factory behind Valkey, Redis and ValkeyCluster: from a ServiceModel (whichever front door
// built it) to the Kubernetes objects, the credentials, the verifying topology resource and the
// status. It decides by `topology.kind` and by the model's capability fields, never by front door;
// what differs per front door (its subject, field paths in messages, the guard's resource type) is
// the FrontDoor description the caller passes.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AclPlanInput, systemUserNames } from "../acl/users";
import { renderValkeyConf, valkeyDirectives } from "../config";
import { renderSentinelConf } from "../config/sentinel";
import { LatePasswords, createAclUsers } from "../credentials/acl-passwords";
import { createPassword } from "../credentials/password";
import { sentinelPassword } from "../credentials/sentinel-password";
import { Certificates, createCertificates, sentinelDnsNames, serverDnsNames } from "../credentials/tls";
import {
    DATA_VOLUME,
    buildAuthSecret,
    buildClientService,
    buildConfigMap,
    buildConnectionSecret,
    buildExternalServices,
    buildHeadlessService,
    buildNetworkPolicy,
    buildPodDisruptionBudget,
    buildSentinelManifests,
    buildStatefulSet,
    claimRequest,
    connectionUri,
    exporterAuthHash,
    exporterCertificateProblem,
    objectMeta,
    objectNames,
    sentinelConfOptions,
    sentinelGroup,
    sentinelHosts,
    validateManifest,
} from "../manifests";
import { SENTINEL_REPLICAS } from "../manifests/ha";
import { SENTINEL_PORT, VALKEY_PORT } from "../manifests/names";
import { shortHash } from "../manifests/pod";
import { Manifest } from "../manifests/validate";
import { restartLosesData } from "../spec/persistence";
import { ServiceModel } from "../spec/service-model";
import { ValkeyGuard } from "../resources/guard";
import { ValkeyTopology } from "../resources/topology";
import type { AclStatusOutput, NodeOutput, PendingRestartOutput, Topology } from "../types/topology";
import { clusterAccess } from "./kubeconfig";
import { kubernetesArgs } from "./objects";
import { configRollout, rolloutArgs } from "./rollout";

export const DEFAULT_USER = "default";

/** What differs per front door: names in messages and the types of its guard resources. */
export interface FrontDoor {
    /** Whom messages name, e.g. `Valkey "cache"`. */
    readonly subject: string;
    /** The guards' resource type (kept per component: a new type would replace them in existing stacks). */
    readonly guardType: "ValkeyServiceGuard" | "ValkeyClusterGuard";
    /** The spec paths of the disk fields, for the guard's messages. */
    readonly diskFields?: { readonly storageSize: string; readonly storageClassName: string };
    /** The spec path of the kubeconfig and how to pass it, for the refusal of a provider in opts without it. */
    readonly kubeconfigField: { readonly path: string; readonly example: string };
    /** The kubeconfig contents when given (kept out of the model, which would make every object secret). */
    readonly kubeconfig?: pulumi.Output<string>;
    /** ACL passwords given as Outputs, validated when they resolve. */
    readonly latePasswords: readonly LatePasswords[];
    /** The spec path of the external TLS Secret's name, for the message when the Secret lacks a key. */
    readonly externalCertsField: string;
    /** The type of the `<name>-tls` Secret (immutable on a Secret: changing it would replace the Secret). */
    readonly tlsSecretType?: "kubernetes.io/tls";
}

/** A condition in the seeds' status vocabulary (Kubernetes condition shape). */
export interface ServiceCondition {
    readonly type: "Ready" | "TLSConfigured" | "ACLSynced";
    readonly status: "True" | "False";
    /** Ready only: since when the service is verified. */
    readonly lastTransitionTime?: string;
    readonly reason?: string;
    /** Ready with reason Degraded: what `pulumi refresh` found; ACLSynced with ApplyFailed: each failed node's message (never a password). */
    readonly message?: string;
}

/**
 * ACLSynced from the topology resource's ACL outputs: True when every node applied every user
 * (aclPhase Applied); False with reason ApplyFailed and each failed node's message (aclStatus) when
 * a node refused something; False with NotApplied while no outcome is reported; NotConfigured without ACL.
 */
export function aclCondition(aclOn: boolean, phase: string | undefined, status: readonly AclStatusOutput[] | undefined): ServiceCondition {
    if (!aclOn) return { type: "ACLSynced", status: "False", reason: "NotConfigured" };
    if (phase === "Applied") return { type: "ACLSynced", status: "True" };
    if (phase === "Error") {
        const failed = (status ?? []).filter((s) => s.status === "Error").map((s) => `node ${s.node}: ${s.message ?? "not applied"}`);
        return { type: "ACLSynced", status: "False", reason: "ApplyFailed", message: failed.length > 0 ? failed.join("; ") : "a node did not apply the users" };
    }
    return { type: "ACLSynced", status: "False", reason: "NotApplied" };
}

/**
 * The phase in the seeds/002 vocabulary: Running once verified, Updating while a restart waits for
 * the maintenance window, Failed when `pulumi refresh` found the service DEGRADED, Pending before
 * (and during a preview that changes it).
 */
export function servicePhase(state: string | undefined, pending: PendingRestartOutput | undefined): string {
    if (state === "DEGRADED") return "Failed";
    if (state !== "RUNNING") return "Pending";
    return pending !== undefined ? "Updating" : "Running";
}

/** The conditions of a service from its topology resource's outputs. */
export function serviceConditions(
    state: string | undefined,
    problems: readonly string[] | undefined,
    since: string | undefined,
    tlsOn: boolean,
    acl: ServiceCondition,
): ServiceCondition[] {
    const ok = state === "RUNNING";
    return [
        {
            type: "Ready",
            status: ok ? "True" : "False",
            ...(since !== undefined ? { lastTransitionTime: since } : {}),
            ...(state === "DEGRADED" ? { reason: "Degraded", message: (problems ?? []).join("; ") || "the nodes did not pass verification" } : {}),
        },
        // The provider verified the nodes over TLS (with the CA) before reporting RUNNING.
        tlsOn ? { type: "TLSConfigured", status: ok ? "True" : "False" } : { type: "TLSConfigured", status: "False", reason: "NotConfigured" },
        // The outcome of applying the users on every node (provider/security/acl-apply.ts).
        acl,
    ];
}

/** What every component exposes (each picks its outputs from it). */
export interface Deployment {
    readonly serviceHost: pulumi.Output<string>;
    readonly servicePort: pulumi.Output<number>;
    readonly serviceUsername: pulumi.Output<string>;
    readonly servicePassword: pulumi.Output<string>;
    readonly serviceUri: pulumi.Output<string>;
    /** The topology resource's state: RUNNING, or DEGRADED after a `pulumi refresh` that found a problem. */
    readonly state: pulumi.Output<string>;
    readonly phase: pulumi.Output<string>;
    readonly conditions: pulumi.Output<ServiceCondition[]>;
    readonly connectionSecretName: pulumi.Output<string | undefined>;
    readonly namespace: pulumi.Output<string>;
    readonly nodes: pulumi.Output<NodeOutput[]>;
    /** The CA certificate clients trust (PEM); undefined without TLS. */
    readonly caCertificate: pulumi.Output<string | undefined>;
    /** mTLS with issued certificates: a client certificate (PEM) for applications; undefined otherwise. */
    readonly clientCertificate: pulumi.Output<string | undefined>;
    /** Its private key (secret); undefined otherwise. */
    readonly clientKey: pulumi.Output<string | undefined>;
    readonly sentinelHosts: pulumi.Output<string[] | undefined>;
    readonly sentinelMasterName: pulumi.Output<string | undefined>;
    readonly sentinelPassword: pulumi.Output<string | undefined>;
    readonly pendingRestart: pulumi.Output<PendingRestartOutput | undefined>;
}

/** The certificates of an external TLS Secret, read at every preview and update. */
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
function readExternalCerts(
    name: string,
    subject: string,
    field: string,
    secretName: string,
    namespace: string,
    exporter: boolean,
    opts: pulumi.CustomResourceOptions,
): ExternalCerts {
    const secret = k8s.core.v1.Secret.get(`${name}-tls-external`, `${namespace}/${secretName}`, opts);
    const entry = (key: string) =>
        secret.data.apply((data) => {
            const value = data?.[key];
            if (value === undefined || value === "") {
                throw new Error(`${subject}: ${field}: the Secret ${namespace}/${secretName} has no ${key}: it must hold tls.crt, tls.key and ca.crt`);
            }
            return Buffer.from(value, "base64").toString("utf8");
        });
    const cert = entry("tls.crt").apply((pem) => {
        const problem = exporter ? exporterCertificateProblem(pem) : undefined;
        if (problem !== undefined) throw new Error(`${subject}: ${field}: the certificate in the Secret ${namespace}/${secretName} ${problem}`);
        return pem;
    });
    return { ca: pulumi.unsecret(entry("ca.crt")), cert: pulumi.unsecret(cert), key: pulumi.secret(entry("tls.key")) };
}

/**
 * A Secret's metadata, built from the model alone (names, labels, annotations), without the mark the
 * credentials put on the whole object: readable in the state, unless the model itself is secret
 * (a tag, label or annotation the user gave as a secret, or a secret kubeconfig in the Aiven model),
 * whose mark it keeps.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function metadataOf(model: pulumi.Output<ServiceModel>, object: pulumi.Output<{ metadata?: unknown }>): pulumi.Output<any> {
    return pulumi.all([model.apply(() => 0), pulumi.unsecret(object.apply((s) => s.metadata!))]).apply(([, metadata]) => metadata);
}

/** Validates the built object (the API server's rules) before Pulumi sends it. */
function checked<T extends Manifest>(object: T): T {
    validateManifest(object);
    return object;
}

/** The topology resource's shape for a model's topology. */
function topologyInput(model: ServiceModel): Topology {
    switch (model.topology.kind) {
        case "standalone":
            return { kind: "standalone" };
        case "sentinel":
            return { kind: "replicated", replicas: model.topology.replicas };
        case "cluster":
            return { kind: "cluster", masters: model.topology.masterCount, replicasPerMaster: model.topology.replicasPerMaster };
    }
}

/**
 * Creates every object of a service. `model` is the whole model (an Output when some fields
 * resolve late); `structure`, known at construction, decides which resources exist.
 */
export function deployService(
    parent: pulumi.ComponentResource,
    name: string,
    model: pulumi.Output<ServiceModel>,
    structure: ServiceModel,
    door: FrontDoor,
): Deployment {
    const { subject } = door;
    const namespace = model.apply((m) => m.namespace);
    // One kubeconfig for the objects and the dynamic resources (sdk/components/kubeconfig.ts).
    const { provider: k8sProvider, kubeconfig } = clusterAccess(parent, name, subject, door.kubeconfigField, door.kubeconfig);
    // Refuses a change of an immutable field (sdk/spec/changes.ts) at preview, with the old and the
    // new value. Every Kubernetes object depends on it, so nothing moves when it refuses, also
    // without a preview (Automation API).
    const immutable = new ValkeyGuard(
        door.guardType,
        `${name}-immutable`,
        { subject, immutable: model.apply((m) => ({ subject, fields: m.immutable })) },
        { parent },
    );
    const childOpts: pulumi.CustomResourceOptions = { parent, dependsOn: [immutable], ...(k8sProvider ? { provider: k8sProvider } : {}) };

    // Credentials: the default user's password (the probes authenticate with it without ACL; with
    // ACL as the probe user, whose password derives from it), the ACL users.
    const password = createPassword(name, parent);
    const acl = structure.acl;
    const aclUsers: pulumi.Output<AclPlanInput | undefined> =
        acl !== undefined
            ? createAclUsers(
                  name,
                  parent,
                  acl,
                  password.result,
                  { subject, passwords: [...door.latePasswords] },
                  // A Sentinel plan has a user of its own for the Sentinels (sdk/acl/users.ts).
                  { sentinel: structure.topology.kind === "sentinel" },
              )
            : pulumi.output(undefined);
    const userNames = acl !== undefined ? systemUserNames(acl) : undefined;
    // The pods roll for the exporter's own credentials only (a keyed hash: the annotation need not
    // be secret); a change of the ACL users is applied live by the topology resource.
    const exporterAuth = pulumi.unsecret(pulumi.all([aclUsers, password.result]).apply(([a, pw]) => exporterAuthHash(a, pw)));

    const authObject = pulumi.all([model, password.result, aclUsers]).apply(([m, pw, a]) => checked(buildAuthSecret(m, pw, a)));
    const authSecret = new k8s.core.v1.Secret(
        `${name}-auth`,
        { metadata: metadataOf(model, authObject), stringData: pulumi.secret(authObject.apply((s) => s.stringData!)) },
        childOpts,
    );

    // TLS: issued here (a CA, a server certificate naming every Service and the loopback addresses
    // the provider's port-forward dials, and a client certificate with mTLS), or the user's Secret.
    const tls = structure.tls;
    const issued = tls?.certificates.kind === "internal" ? tls.certificates : undefined;
    const certificates: Certificates | undefined =
        issued !== undefined
            ? createCertificates(name, parent, {
                  dnsNames: [
                      ...serverDnsNames(name, structure.namespace, structure.clusterDomain),
                      ...(structure.topology.kind === "sentinel" ? sentinelDnsNames(name, structure.namespace, structure.clusterDomain) : []),
                  ],
                  validityHours: issued.validityHours,
                  ...(issued.caValidityHours !== undefined ? { caValidityHours: issued.caValidityHours } : {}),
                  rotateBeforePercent: issued.rotateBeforePercent,
                  ...(tls!.mutual ? { clientCerts: true } : {}),
              })
            : undefined;
    const external =
        tls?.certificates.kind === "external"
            ? readExternalCerts(
                  name,
                  subject,
                  door.externalCertsField,
                  tls.certificates.secretName,
                  structure.namespace,
                  structure.exporter !== undefined,
                  childOpts,
              )
            : undefined;
    const tlsSecretName = objectNames(structure).tlsSecret;
    const tlsSecret =
        certificates !== undefined
            ? new k8s.core.v1.Secret(
                  tlsSecretName,
                  {
                      metadata: model.apply((m) => objectMeta(m, tlsSecretName, "server")),
                      ...(door.tlsSecretType !== undefined ? { type: door.tlsSecretType } : {}),
                      stringData: pulumi.secret(
                          pulumi
                              .all([certificates.server.certPem, certificates.server.privateKeyPem, certificates.caCertPem])
                              .apply(([crt, key, ca]) => ({ "tls.crt": crt, "tls.key": key, "ca.crt": ca })),
                      ),
                  },
                  childOpts,
              )
            : undefined;
    const credentialObjects = [authSecret, ...(tlsSecret ? [tlsSecret] : [])];
    // What the pods present: a new value makes the running nodes reload it (no restart) once
    // kubelet has synced the Secret volume, and rolls the Sentinels (they cannot reload TLS).
    const serverCertPem = certificates?.server.certPem ?? external?.cert;

    const conf = model.apply((m) => renderValkeyConf(m));
    // Runtime-settable directives change live; the others roll the pods (docs/day2.md).
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

    // The user the provider and the outputs connect as: the ACL admin user, else the default user.
    const username = userNames?.admin ?? DEFAULT_USER;
    const userPassword: pulumi.Output<string> = pulumi.secret(
        acl !== undefined ? aclUsers.apply((a) => a!.users.find((u) => u.role === "admin")!.passwords[0]) : password.result,
    );
    // The Sentinels' own password derives from the default user's, which `userPassword` is not with
    // ACL: the handoffs, the connection Secret and the output all take it from here.
    const sentinelSecret = pulumi.secret(password.result.apply(sentinelPassword));
    const transport = {
        kind: "kubernetes" as const,
        // Only an explicit kubeconfig travels (as a secret); otherwise the provider uses the
        // ambient one, as @pulumi/kubernetes does.
        ...(kubeconfig !== undefined ? { kubeconfig } : {}),
        namespace,
        replicas: structure.nodes,
        port: VALKEY_PORT,
        // Pulumi does not wait for the pods (skipAwait): the provider does, image pulls included.
        podTimeoutMs: model.apply((m) => m.timeouts.podSeconds * 1000),
        // Sentinel plans' replicas follow the primary by its DNS name (docs/pod-contract.md).
        ...(structure.topology.kind === "sentinel"
            ? { announceHostnames: { serviceName: objectNames(structure).headlessService, clusterDomain: model.apply((m) => m.clusterDomain) } }
            : {}),
    };
    const clientServiceHost = `${name}.${structure.namespace}.svc.${structure.clusterDomain}`;
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
                      serverName: clientServiceHost,
                      // With mTLS the nodes present tls.crt to each other (tls-cluster,
                      // tls-replication), so it allows client authentication: the provider presents it too.
                      ...(tls!.mutual ? { cert: external.cert, key: external.key } : {}),
                  },
              }
            : {}),
        ...(acl !== undefined ? { acl: pulumi.secret(aclUsers.apply((a) => a!)) } : {}),
        ...(structure.topology.kind === "sentinel" ? { sentinelPassword: sentinelSecret } : {}),
    };
    const topologyShape = topologyInput(structure);

    // Before a cluster's StatefulSet shrinks (fewer masters or replicas), the pods it is about to
    // remove hand their slots, with the keys, to the staying primaries and leave the cluster. It
    // does nothing on create or when nothing shrinks (provider/dynamic: drainBeforeScaleIn).
    const drain =
        structure.topology.kind === "cluster"
            ? new ValkeyTopology(
                  `${name}-scale-in`,
                  { topology: topologyShape, transport: { ...transport, statefulSet: name }, ...access, drainBeforeScaleIn: true },
                  { parent, dependsOn: credentialObjects },
              )
            : undefined;

    const statefulSet = new k8s.apps.v1.StatefulSet(name, kubernetesArgs(statefulSetObject, ["metadata", "spec"]), {
        ...childOpts,
        protect: structure.terminationProtection,
        dependsOn: [...credentialObjects, configMap, headless, ...(drain ? [drain] : [])],
        // The claim templates cannot change in place, and replacing the StatefulSet would delete
        // its PVCs: the guard below grows the PVCs themselves and refuses any other disk change.
        ignoreChanges: ["spec.volumeClaimTemplates"],
    });
    const clientObject = model.apply((m) => checked(buildClientService(m)));
    const client = new k8s.core.v1.Service(name, kubernetesArgs(clientObject, ["metadata", "spec"]), { ...childOpts, dependsOn: [statefulSet] });
    // public_access / private_access: LoadBalancer Services `<name>-public` / `<name>-private`.
    for (const externalService of buildExternalServices(structure)) {
        const object = model.apply((m) => checked(buildExternalServices(m).find((s) => s.metadata!.name === externalService.metadata!.name)!));
        new k8s.core.v1.Service(externalService.metadata!.name!, kubernetesArgs(object, ["metadata", "spec"]), { ...childOpts, dependsOn: [statefulSet] });
    }
    const pdbObject = model.apply((m) => checked(buildPodDisruptionBudget(m)));
    new k8s.policy.v1.PodDisruptionBudget(name, kubernetesArgs(pdbObject, ["metadata", "spec"]), childOpts);
    const policyObject = model.apply((m) => checked(buildNetworkPolicy(m)));
    new k8s.networking.v1.NetworkPolicy(name, kubernetesArgs(policyObject, ["metadata", "spec"]), childOpts);

    const sentinel = structure.topology.kind === "sentinel" ? createSentinels(model, structure, childOpts, credentialObjects, serverCertPem) : undefined;

    // `pulumi up` ends with a verified service: the dynamic resource reaches the pods through the
    // Kubernetes API (port-forward) and runs the readiness checks and the smoke test on every
    // primary; replicas must be linked, and a cluster must serve every slot.
    const topology = new ValkeyTopology(
        `${name}-topology`,
        {
            topology: topologyShape,
            transport: { ...transport, statefulSet: statefulSet.metadata.name },
            // The ACL users are applied live on every node (the auth.conf `user` lines bring them back on a restart).
            ...access,
            ...(serverCertPem !== undefined ? { tlsReload: { certPem: serverCertPem } } : {}),
            config: configPlan.apply((p) => p.live),
            // A new pod template (image, restart-only directives, resources) is rolled out by the
            // provider inside the maintenance window: replicas first, each primary after a handoff
            // (CLUSTER FAILOVER, or through the Sentinels).
            rollout: pulumi
                .all([statefulSetObject, model])
                .apply(([sts, m]) =>
                    rolloutArgs(
                        sts,
                        m.maintenance,
                        sentinel
                            ? { statefulSet: objectNames(m).sentinel, replicas: SENTINEL_REPLICAS, port: SENTINEL_PORT, group: sentinelGroup(m) }
                            : undefined,
                        restartLosesData(m),
                    ),
                ),
        },
        { parent, dependsOn: [statefulSet, ...credentialObjects, ...(sentinel ? [sentinel] : [])] },
    );

    // Refuses a smaller disk or another StorageClass at preview; grows the PVCs of every pod (also
    // of pods a scale-out added, which the stale claim template creates at the first size).
    const guard = new ValkeyGuard(
        door.guardType,
        `${name}-guard`,
        {
            subject,
            pvc: model.apply(claimRequest),
            ...(door.diskFields !== undefined ? { fields: door.diskFields } : {}),
            volumes: {
                ...(kubeconfig !== undefined ? { kubeconfig } : {}),
                namespace,
                statefulSet: statefulSet.metadata.name,
                claimTemplate: DATA_VOLUME,
                replicas: structure.nodes,
            },
            ready: topology.state,
        },
        { parent, dependsOn: [topology] },
    );

    const aclSynced = pulumi.all([topology.aclPhase, topology.aclStatus]).apply(([phase, status]) => {
        const condition = aclCondition(acl !== undefined, phase, status);
        if (condition.reason === "ApplyFailed")
            void pulumi.log.warn(
                `${subject}: ACL users not applied: ${condition.message}. Fix the rules: a pod that restarts reads them from ${name}-auth and does not start with a rule the server refuses`,
                parent,
            );
        return condition;
    });
    const conditions = pulumi
        .all([topology.state, topology.problems, guard.readySince, aclSynced])
        .apply(([state, problems, since, aclSync]) => serviceConditions(state, problems, since, tls !== undefined, aclSync));

    const serviceHost = pulumi.all([client.metadata.name, model]).apply(([svc, m]) => `${svc}.${m.namespace}.svc.${m.clusterDomain}`);
    const ssl = tls !== undefined;
    const connection = (host: string, pw: string) => ({ host, port: VALKEY_PORT, user: username, password: pw, ssl });
    const serviceUri = pulumi.secret(pulumi.all([serviceHost, userPassword]).apply(([host, pw]) => connectionUri(connection(host, pw))));

    let connectionSecretName: pulumi.Output<string | undefined> = pulumi.output(undefined);
    if (structure.connInfo !== undefined) {
        const caCert = certificates?.caCertPem ?? external?.ca;
        const connObject = pulumi
            .all([model, serviceHost, userPassword, sentinelSecret, caCert, certificates?.client?.certPem, certificates?.client?.privateKeyPem])
            .apply(([m, host, pw, sentinelPw, ca, clientCert, clientKey]) =>
                buildConnectionSecret(
                    m,
                    { ...connection(host, pw), sentinelPassword: sentinelPw },
                    {
                        ...(ca !== undefined ? { caCert: ca } : {}),
                        ...(clientCert !== undefined && clientKey !== undefined ? { clientCert, clientKey } : {}),
                    },
                )!,
            );
        const secret = new k8s.core.v1.Secret(
            `${name}-connection`,
            { metadata: metadataOf(model, connObject), stringData: pulumi.secret(connObject.apply((s) => s.stringData!)) },
            { ...childOpts, dependsOn: [topology] },
        );
        connectionSecretName = secret.metadata.name;
    }

    const client_ = certificates?.client;
    return {
        serviceHost,
        servicePort: pulumi.output(VALKEY_PORT),
        serviceUsername: pulumi.output(username),
        servicePassword: pulumi.secret(userPassword),
        serviceUri,
        state: topology.state,
        phase: pulumi.all([topology.state, topology.pendingRestart]).apply(([state, pending]) => servicePhase(state, pending)),
        conditions,
        connectionSecretName,
        namespace,
        nodes: topology.nodes,
        caCertificate: certificates !== undefined ? certificates.caCertPem : external !== undefined ? external.ca : pulumi.output(undefined),
        clientCertificate: client_ !== undefined ? client_.certPem : pulumi.output(undefined),
        clientKey: client_ !== undefined ? pulumi.secret(client_.privateKeyPem) : pulumi.output(undefined),
        sentinelHosts: sentinel ? model.apply(sentinelHosts) : pulumi.output(undefined),
        sentinelMasterName: sentinel ? model.apply(sentinelGroup) : pulumi.output(undefined),
        sentinelPassword: sentinel ? sentinelSecret : pulumi.output(undefined),
        pendingRestart: topology.pendingRestart,
    };
}

/**
 * The Sentinels of a Sentinel topology (sdk/manifests/sentinel.ts, ha.ts): their ConfigMap,
 * StatefulSet, client and headless Services, PodDisruptionBudget and NetworkPolicy. Returns the
 * StatefulSet, which the topology resource waits for. With TLS, `serverCertPem` is the certificate
 * they present: its hash in the pod template rolls them when it is renewed, since Sentinel cannot
 * reload TLS files live.
 */
function createSentinels(
    model: pulumi.Output<ServiceModel>,
    structure: ServiceModel,
    childOpts: pulumi.CustomResourceOptions,
    dependsOn: pulumi.Resource[],
    serverCertPem: pulumi.Output<string> | undefined,
): k8s.apps.v1.StatefulSet {
    const objects = pulumi.all([model, serverCertPem]).apply(([m, cert]) => {
        const sentinelConf = renderSentinelConf(m, sentinelConfOptions(m));
        return buildSentinelManifests(m, {
            sentinelConf,
            configHash: shortHash(sentinelConf),
            ...(cert !== undefined ? { tlsCertHash: shortHash(cert) } : {}),
        })!;
    });
    const names = objectNames(structure);
    type Objects = NonNullable<ReturnType<typeof buildSentinelManifests>>;
    const args = (key: keyof Objects, fields: readonly string[]) =>
        kubernetesArgs(
            objects.apply((o) => checked(o[key] as Manifest)),
            fields,
        );
    const configMap = new k8s.core.v1.ConfigMap(names.sentinelConfigMap, args("configMap", ["metadata", "data"]), childOpts);
    const headless = new k8s.core.v1.Service(names.sentinelHeadlessService, args("headlessService", ["metadata", "spec"]), childOpts);
    const statefulSet = new k8s.apps.v1.StatefulSet(names.sentinel, args("statefulSet", ["metadata", "spec"]), {
        ...childOpts,
        dependsOn: [...dependsOn, configMap, headless],
    });
    new k8s.core.v1.Service(names.sentinel, args("clientService", ["metadata", "spec"]), childOpts);
    new k8s.policy.v1.PodDisruptionBudget(names.sentinel, args("podDisruptionBudget", ["metadata", "spec"]), childOpts);
    new k8s.networking.v1.NetworkPolicy(names.sentinel, args("networkPolicy", ["metadata", "spec"]), childOpts);
    return statefulSet;
}
