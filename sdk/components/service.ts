// The factory behind `Valkey` and `Redis`: validates the spec, builds the service model and
// creates the Kubernetes objects, the password and the verifying topology resource. The classes
// only copy its results into their readonly fields.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { renderValkeyConf, valkeyDirectives } from "../config";
import { renderSentinelConf } from "../config/sentinel";
import { createPassword } from "../credentials/password";
import { sentinelPassword } from "../credentials/sentinel-password";
import { Certificates, createCertificates, sentinelDnsNames, serverDnsNames } from "../credentials/tls";
import {
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
    DATA_VOLUME,
    objectMeta,
    objectNames,
    sentinelConfOptions,
    sentinelGroup,
    sentinelHosts,
} from "../manifests";
import { RedisSpec, ValkeySpec, redisSpecSchema, valkeySpecSchema } from "../spec/aiven";
import { Engine, ServiceModel, TlsModel, buildModel } from "../spec/model";
import { ioThreadsWarning } from "../spec/limits";
import { restartLosesData } from "../spec/persistence";
import { getPlan, hasPlan } from "../spec/plans";
import { SpecError, SpecIssue, parseSpec } from "../spec/validate";
import { ValkeyGuard } from "../resources/guard";
import { ValkeyTopology } from "../resources/topology";
import type { NodeOutput, PendingRestartOutput } from "../types/topology";
import { knownPart } from "./inputs";
import { clusterAccess } from "./kubeconfig";
import { kubernetesArgs } from "./objects";
import { configRollout, rolloutArgs } from "./rollout";
import { SENTINEL_REPLICAS } from "../manifests/ha";
import { SENTINEL_PORT } from "../manifests/names";
import { shortHash } from "../manifests/pod";

export const VALKEY_PORT = 6379;
export const DEFAULT_USER = "default";

/** Fields that decide which objects exist: they must be plain values, not Outputs. */
const STRUCTURAL = (engine: Engine) => [
    "plan",
    "connInfoSecretTargetDisabled",
    "terminationProtection",
    "userConfig.public_access",
    "userConfig.private_access",
    `userConfig.${engine}_ssl`,
];

export interface ServiceResult {
    readonly serviceHost: pulumi.Output<string>;
    readonly servicePort: pulumi.Output<number>;
    readonly serviceUsername: pulumi.Output<string>;
    readonly servicePassword: pulumi.Output<string>;
    readonly serviceUri: pulumi.Output<string>;
    readonly state: pulumi.Output<string>;
    readonly connectionSecretName: pulumi.Output<string | undefined>;
    readonly namespace: pulumi.Output<string>;
    readonly topology: pulumi.Output<NodeOutput[]>;
    /** The CA certificate clients trust (PEM); undefined without TLS. */
    readonly caCertificate: pulumi.Output<string | undefined>;
    /** Sentinel plans: `["<name>-sentinel.<ns>.svc.<domain>:26379"]`; undefined otherwise. */
    readonly sentinelHosts: pulumi.Output<string[] | undefined>;
    /** Sentinel plans: the group Sentinel-aware clients ask for (the resource name); undefined otherwise. */
    readonly sentinelMasterName: pulumi.Output<string | undefined>;
    /** Sentinel plans: the Sentinels' own password (secret); undefined otherwise. */
    readonly sentinelPassword: pulumi.Output<string | undefined>;
    /** Restarts waiting for the maintenance window (revision, nodes, reason, notBefore); undefined when none. */
    readonly pendingRestart: pulumi.Output<PendingRestartOutput | undefined>;
}

function subjectOf(engine: Engine, name: string): string {
    return `${engine === "valkey" ? "Valkey" : "Redis"} ${JSON.stringify(name)}`;
}

function schemaOf(engine: Engine): z.ZodType<ValkeySpec | RedisSpec> {
    return engine === "valkey" ? valkeySpecSchema : redisSpecSchema;
}

/**
 * Checks everything known at construction time and throws a SpecError listing every problem, so
 * that `pulumi preview` fails before anything is created. Returns the model when every value is
 * already known (the usual case), undefined when some are Outputs.
 */
export function checkAtConstruction(engine: Engine, name: string, args: unknown): ServiceModel | undefined {
    const subject = subjectOf(engine, name);
    const { known, deferred } = knownPart(args);
    const structural = STRUCTURAL(engine).filter((path) => deferred.some((d) => path === d || path.startsWith(d + ".")));
    const issues: SpecIssue[] = structural.map((path) => ({
        path,
        message: "must be a plain value, not an Output or a Promise: it decides which Kubernetes objects are created",
    }));
    try {
        parseSpec(schemaOf(engine), known, subject, deferred);
    } catch (e) {
        if (!(e instanceof SpecError)) throw e;
        issues.push(...e.issues);
    }
    if (issues.length > 0) throw new SpecError(subject, issues);
    if (deferred.length > 0) {
        const plan = (known as { plan?: string }).plan;
        if (plan !== undefined && !hasPlan(plan)) getPlan(plan); // throws the list of valid plans
        return undefined;
    }
    return buildModel(engine, name, parseSpec(schemaOf(engine), known, subject));
}

/** What this version does not deploy yet. */
function refuseUnsupported(model: ServiceModel): void {
    const issues: SpecIssue[] = [];
    if (model.nodes > 1 && model.topology.kind === "cluster") {
        issues.push({
            path: "plan",
            message: `plan ${model.sizing.plan} runs ${model.nodes} nodes with topology cluster, which Valkey and Redis do not deploy; choose a 1-node or a Sentinel plan (business-N, premium-N, pro), or use ValkeyCluster`,
        });
    }
    if (issues.length > 0) throw new SpecError(subjectOf(model.engine, model.name), issues);
}

export function createService(engine: Engine, name: string, args: unknown, parent: pulumi.ComponentResource): ServiceResult {
    const subject = subjectOf(engine, name);
    const plainModel = checkAtConstruction(engine, name, args);
    // Values known only at deploy time are validated again when they resolve.
    const model: pulumi.Output<ServiceModel> = plainModel
        ? pulumi.output(plainModel)
        : pulumi
              .output(args as pulumi.Input<Record<string, unknown>>)
              .apply((resolved) => buildModel(engine, name, parseSpec(schemaOf(engine), resolved, subject)));
    // Structure comes from the plain fields (checked above to be plain).
    const structure = plainModel ?? buildModel(engine, name, parseSpec(schemaOf(engine), structuralView(engine, args), subject));
    refuseUnsupported(structure);
    if (structure.tls !== undefined && !plainModel) {
        throw new SpecError(subject, [
            {
                path: `userConfig.${engine}_ssl`,
                message: "TLS needs every field known at preview, since the certificate names derive from the namespace; pass plain values instead of Outputs",
            },
        ]);
    }
    const warnUnmapped = (m: ServiceModel) => {
        for (const field of m.unmapped) {
            pulumi.log.warn(
                `${subject}: ${field.path} has no meaning on Kubernetes; it is recorded as the annotation pulumi-valkey/${field.path} and otherwise ignored`,
                parent,
            );
        }
    };
    if (plainModel) warnUnmapped(plainModel);
    else model.apply(warnUnmapped);
    // The seeds accept a service without a disk; it must never be a surprise that it empties.
    const warnMemoryOnly = (m: ServiceModel) => {
        if (restartLosesData(m)) pulumi.log.warn(memoryOnlyWarning(m, subject), parent);
    };
    if (plainModel) warnMemoryOnly(plainModel);
    else model.apply(warnMemoryOnly);
    const warnIoThreads = (m: ServiceModel) => {
        const warning = ioThreadsWarning(engine, m.options.ioThreads, subject);
        if (warning !== undefined) pulumi.log.warn(warning, parent);
    };
    if (plainModel) warnIoThreads(plainModel);
    else model.apply(warnIoThreads);

    const { known, deferred } = knownPart(args);
    const hasKubeconfig =
        (known as { kubernetes?: { kubeconfig?: string } }).kubernetes?.kubeconfig !== undefined ||
        deferred.some((d) => d === "kubernetes" || d === "kubernetes.kubeconfig");
    // One kubeconfig for the objects and the dynamic resources (sdk/components/kubeconfig.ts).
    const { provider: k8sProvider, kubeconfig } = clusterAccess(
        parent,
        name,
        subject,
        { path: "kubernetes.kubeconfig", example: "`kubernetes: { ...args.kubernetes, kubeconfig }`" },
        hasKubeconfig ? model.apply((m) => m.kubeconfig!) : undefined,
    );
    // Refuses a change of an immutable field (project, the namespace, the connection Secret's
    // name, the fork fields) at preview, with the old and the new value. Every Kubernetes object
    // depends on it, so nothing moves when it refuses, also without a preview (Automation API).
    const immutable = new ValkeyGuard(
        "ValkeyServiceGuard",
        `${name}-immutable`,
        { subject, immutable: model.apply((m) => ({ subject, fields: m.immutable })) },
        { parent },
    );
    const childOpts: pulumi.CustomResourceOptions = { parent, dependsOn: [immutable], ...(k8sProvider ? { provider: k8sProvider } : {}) };
    const protect = structure.terminationProtection;

    const password = createPassword(name, parent);
    const certificates = plainModel?.tls !== undefined ? createTls(plainModel, plainModel.tls, parent, childOpts) : undefined;
    const conf = model.apply((m) => renderValkeyConf(m));
    // Runtime-settable directives change live; the others roll the pods (docs/day2.md).
    const configPlan = model.apply((m) => configRollout(valkeyDirectives(m)));

    const authSecretObject = pulumi.all([model, password.result]).apply(([m, pw]) => buildAuthSecret(m, pw));
    const authSecret = new k8s.core.v1.Secret(
        `${name}-auth`,
        { metadata: authSecretObject.apply((s) => s.metadata!), stringData: pulumi.secret(authSecretObject.apply((s) => s.stringData!)) },
        childOpts,
    );
    const configMapObject = pulumi.all([model, conf]).apply(([m, c]) => buildConfigMap(m, c));
    const configMap = new k8s.core.v1.ConfigMap(`${name}-config`, kubernetesArgs(configMapObject, ["metadata", "data"]), childOpts);
    const headlessObject = model.apply(buildHeadlessService);
    const headless = new k8s.core.v1.Service(`${name}-headless`, kubernetesArgs(headlessObject, ["metadata", "spec"]), childOpts);
    const statefulSetObject = pulumi.all([model, configPlan]).apply(([m, p]) => buildStatefulSet(m, { configHash: p.restartHash }));
    const statefulSet = new k8s.apps.v1.StatefulSet(name, kubernetesArgs(statefulSetObject, ["metadata", "spec"]), {
        ...childOpts,
        protect,
        dependsOn: [authSecret, configMap, headless, ...(certificates ? [certificates.secret] : [])],
        // The claim templates cannot change in place, and replacing the StatefulSet would
        // delete its PVCs: the guard below grows the PVCs themselves and refuses any other
        // disk change.
        ignoreChanges: ["spec.volumeClaimTemplates"],
    });
    const clientObject = model.apply(buildClientService);
    const client = new k8s.core.v1.Service(name, kubernetesArgs(clientObject, ["metadata", "spec"]), { ...childOpts, dependsOn: [statefulSet] });
    for (const external of buildExternalServices(structure)) {
        const object = model.apply((m) => buildExternalServices(m).find((s) => s.metadata!.name === external.metadata!.name)!);
        new k8s.core.v1.Service(external.metadata!.name!, kubernetesArgs(object, ["metadata", "spec"]), { ...childOpts, dependsOn: [statefulSet] });
    }
    const pdbObject = model.apply(buildPodDisruptionBudget);
    new k8s.policy.v1.PodDisruptionBudget(name, kubernetesArgs(pdbObject, ["metadata", "spec"]), childOpts);
    const policyObject = model.apply(buildNetworkPolicy);
    new k8s.networking.v1.NetworkPolicy(name, kubernetesArgs(policyObject, ["metadata", "spec"]), childOpts);

    const sentinel =
        structure.topology.kind === "sentinel"
            ? createSentinels(
                  name,
                  model,
                  structure,
                  childOpts,
                  [authSecret, ...(certificates ? [certificates.secret] : [])],
                  certificates?.issued.server.certPem,
              )
            : undefined;

    // `pulumi up` ends with a verified service: the dynamic resource reaches the pods through the
    // Kubernetes API (port-forward) and runs the readiness checks and the smoke test. With
    // Sentinel it also checks that the replicas are linked to the primary.
    const topology = new ValkeyTopology(
        `${name}-topology`,
        {
            topology: structure.topology.kind === "sentinel" ? { kind: "replicated", replicas: structure.topology.replicas } : { kind: "standalone" },
            timeoutSeconds: model.apply((m) => m.timeouts.convergeSeconds),
            transport: {
                kind: "kubernetes",
                // Only an explicit kubeconfig travels (as a secret); otherwise the provider uses the
                // ambient one, as @pulumi/kubernetes does.
                ...(kubeconfig !== undefined ? { kubeconfig } : {}),
                namespace: model.apply((m) => m.namespace),
                statefulSet: statefulSet.metadata.name,
                replicas: structure.nodes,
                port: VALKEY_PORT,
                // Pulumi does not wait for the pods (skipAwait): the provider does, image pulls included.
                podTimeoutMs: model.apply((m) => m.timeouts.podSeconds * 1000),
                // Sentinel plans' replicas follow the primary by its DNS name (docs/pod-contract.md).
                ...(structure.topology.kind === "sentinel"
                    ? { announceHostnames: { serviceName: `${name}-headless`, clusterDomain: model.apply((m) => m.clusterDomain) } }
                    : {}),
            },
            username: DEFAULT_USER,
            password: password.result,
            // The provider reaches the nodes through a port-forward and verifies them against the
            // CA: the server certificate carries localhost and the loopback addresses for that.
            // A renewed server certificate is loaded by the running data pods (no restart) once
            // kubelet has synced the Secret volume; the Sentinels roll instead (createSentinels).
            ...(certificates ? { tls: { ca: certificates.issued.caCertPem }, tlsReload: { certPem: certificates.issued.server.certPem } } : {}),
            config: configPlan.apply((p) => p.live),
            // A new pod template (image, restart-only directives, resources) is rolled out by the
            // provider inside the maintenance window; with Sentinel, a Sentinel hands over the primary.
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
        { parent, dependsOn: [statefulSet, authSecret, ...(sentinel ? [sentinel] : [])] },
    );

    // Refuses a smaller disk or another StorageClass at preview; grows the PVCs once the pods are
    // verified (sdk/resources/guard.ts).
    new ValkeyGuard(
        "ValkeyServiceGuard",
        `${name}-guard`,
        {
            subject,
            pvc: model.apply(claimRequest),
            fields: { storageSize: "disk_space", storageClassName: "kubernetes.storageClassName" },
            volumes: {
                ...(kubeconfig !== undefined ? { kubeconfig } : {}),
                namespace: model.apply((m) => m.namespace),
                statefulSet: statefulSet.metadata.name,
                claimTemplate: DATA_VOLUME,
                replicas: structure.nodes,
            },
        },
        { parent, dependsOn: [topology] },
    );

    const serviceHost = pulumi.all([client.metadata.name, model]).apply(([svc, m]) => `${svc}.${m.namespace}.svc.${m.clusterDomain}`);
    const ssl = structure.tls !== undefined;
    const serviceUri = pulumi.secret(
        pulumi.all([serviceHost, password.result]).apply(([host, pw]) => connectionUri({ host, port: VALKEY_PORT, user: DEFAULT_USER, password: pw, ssl })),
    );

    let connectionSecretName: pulumi.Output<string | undefined> = pulumi.output(undefined);
    if (structure.connInfo !== undefined) {
        const connObject = pulumi
            .all([model, serviceHost, password.result])
            .apply(([m, host, pw]) => buildConnectionSecret(m, { host, port: VALKEY_PORT, user: DEFAULT_USER, password: pw, ssl })!);
        const connection = new k8s.core.v1.Secret(
            `${name}-connection`,
            { metadata: connObject.apply((s) => s.metadata!), stringData: pulumi.secret(connObject.apply((s) => s.stringData!)) },
            { ...childOpts, dependsOn: [topology] },
        );
        connectionSecretName = connection.metadata.name;
    }

    return {
        serviceHost,
        servicePort: pulumi.output(VALKEY_PORT),
        serviceUsername: pulumi.output(DEFAULT_USER),
        servicePassword: pulumi.secret(password.result),
        serviceUri,
        state: topology.state,
        connectionSecretName,
        namespace: model.apply((m) => m.namespace),
        topology: topology.nodes,
        caCertificate: certificates ? certificates.issued.caCertPem : pulumi.output(undefined),
        sentinelHosts: sentinel ? model.apply(sentinelHosts) : pulumi.output(undefined),
        sentinelMasterName: sentinel ? model.apply(sentinelGroup) : pulumi.output(undefined),
        sentinelPassword: sentinel ? pulumi.secret(password.result.apply(sentinelPassword)) : pulumi.output(undefined),
        pendingRestart: topology.pendingRestart,
    };
}

/**
 * The Sentinels of a Sentinel plan (sdk/manifests/sentinel.ts, ha.ts): their ConfigMap,
 * StatefulSet, client and headless Services, PodDisruptionBudget and NetworkPolicy. Returns the
 * StatefulSet, which the topology resource waits for. With TLS, `serverCertPem` is the certificate
 * they present: its hash in the pod template rolls them when it is renewed, since Sentinel cannot
 * reload TLS files live.
 */
function createSentinels(
    name: string,
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
    const configMap = new k8s.core.v1.ConfigMap(
        names.sentinelConfigMap,
        kubernetesArgs(
            objects.apply((o) => o.configMap),
            ["metadata", "data"],
        ),
        childOpts,
    );
    const headless = new k8s.core.v1.Service(
        names.sentinelHeadlessService,
        kubernetesArgs(
            objects.apply((o) => o.headlessService),
            ["metadata", "spec"],
        ),
        childOpts,
    );
    const statefulSet = new k8s.apps.v1.StatefulSet(
        names.sentinel,
        kubernetesArgs(
            objects.apply((o) => o.statefulSet),
            ["metadata", "spec"],
        ),
        { ...childOpts, dependsOn: [...dependsOn, configMap, headless] },
    );
    new k8s.core.v1.Service(
        names.sentinel,
        kubernetesArgs(
            objects.apply((o) => o.clientService),
            ["metadata", "spec"],
        ),
        childOpts,
    );
    new k8s.policy.v1.PodDisruptionBudget(
        names.sentinel,
        kubernetesArgs(
            objects.apply((o) => o.podDisruptionBudget),
            ["metadata", "spec"],
        ),
        childOpts,
    );
    new k8s.networking.v1.NetworkPolicy(
        names.sentinel,
        kubernetesArgs(
            objects.apply((o) => o.networkPolicy),
            ["metadata", "spec"],
        ),
        childOpts,
    );
    return statefulSet;
}

/** The preview warning of a service whose pods have no disk. */
export function memoryOnlyWarning(m: ServiceModel, subject: string): string {
    const why = m.options.persistence !== "off" && m.sizing.plan !== undefined ? `plan ${m.sizing.plan}` : `userConfig.${m.engine}_persistence "off"`;
    return (
        `${subject}: no disk (${why}): every key is in memory only, and a pod that restarts (a crash, an eviction, a node drain, a new pod template) comes back empty. ` +
        (m.maintenance.allowDataLoss === true
            ? "kubernetes.allowDataLossOnRestart is true: the provider restarts these pods for a new pod template too."
            : "The provider does not restart these pods for a new pod template (pendingRestart says why) unless kubernetes.allowDataLossOnRestart is true. " +
              `To keep the keys, create the service with a disk (userConfig.${m.engine}_persistence "rdb"; a disk cannot be added to running pods).`)
    );
}

/** The structural fields plus stand-ins for deferred required ones, to decide the structure. */
function structuralView(engine: Engine, args: unknown): Record<string, unknown> {
    const { known } = knownPart(args);
    const view = { ...(known as Record<string, unknown>) };
    // Deferred required fields get neutral stand-ins; their real values are checked on resolve.
    view.project = typeof view.project === "string" ? view.project : "deferred";
    const userConfig = (view.userConfig ?? {}) as Record<string, unknown>;
    view.userConfig = Object.fromEntries(Object.entries(userConfig).filter(([k]) => STRUCTURAL(engine).includes(`userConfig.${k}`)));
    return Object.fromEntries(Object.entries(view).filter(([k]) => ["project", "plan", "userConfig", ...STRUCTURAL(engine)].includes(k)));
}

/**
 * The CA and server certificate (@pulumi/tls) and the `<name>-tls` Secret the pods mount. With a
 * Sentinel plan the Sentinels present the same certificate, so it names them too.
 */
function createTls(
    model: ServiceModel,
    tls: TlsModel,
    parent: pulumi.ComponentResource,
    childOpts: pulumi.CustomResourceOptions,
): { issued: Certificates; secret: k8s.core.v1.Secret } {
    const issued = tls.certificates;
    // Valkey and Redis have no field for a Secret of the user's: their certificates are always issued here.
    if (issued.kind !== "internal") throw new Error(`${subjectOf(model.engine, model.name)}: TLS from an existing Secret is not supported here`);
    const certificates = createCertificates(model.name, parent, {
        dnsNames: [
            ...serverDnsNames(model.name, model.namespace, model.clusterDomain),
            ...(model.topology.kind === "sentinel" ? sentinelDnsNames(model.name, model.namespace, model.clusterDomain) : []),
        ],
        validityHours: issued.validityHours,
        ...(issued.caValidityHours !== undefined ? { caValidityHours: issued.caValidityHours } : {}),
        rotateBeforePercent: issued.rotateBeforePercent,
        ...(tls.mutual ? { clientCerts: true } : {}),
    });
    const secretName = objectNames(model).tlsSecret;
    const secret = new k8s.core.v1.Secret(
        secretName,
        {
            metadata: objectMeta(model, secretName, "server"),
            stringData: pulumi.secret(
                pulumi.all([certificates.server.certPem, certificates.server.privateKeyPem, certificates.caCertPem]).apply(([crt, key, ca]) => ({
                    "tls.crt": crt,
                    "tls.key": key,
                    "ca.crt": ca,
                })),
            ),
        },
        childOpts,
    );
    return { issued: certificates, secret };
}
