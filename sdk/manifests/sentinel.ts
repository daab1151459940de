// The Sentinel pods that watch the primary of a sentinel-topology plan (business-N, premium-N,
// pro) and fail over to a replica, per docs/pod-contract.md.
import { IStatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import { INetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { IPodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { IConfigMap } from "kubernetes-models/v1/ConfigMap";
import { IContainer } from "kubernetes-models/v1/Container";
import { IService } from "kubernetes-models/v1/Service";
import { ANNOTATION_PREFIX, ServiceModel } from "../spec/service-model";
import { SENTINEL_CONF_KEY, buildSentinelConfigMap } from "./configmap";
import { commonLabels, objectMeta, selectorLabels } from "./labels";
import { SENTINEL_PORT, objectNames } from "./names";
import { buildNetworkPolicy } from "./networkpolicy";
import { buildPodDisruptionBudget } from "./pdb";
import {
    CONFIG_HASH_ANNOTATION,
    PATHS,
    containerSecurityContext,
    credentialVolumes,
    livenessProbe,
    podSpecBase,
    podTemplateAnnotations,
    readinessProbe,
} from "./pod";
import { SENTINEL_REPLICAS, sentinelPodHost } from "./ha";
import { buildClientService, buildHeadlessService } from "./services";

// Sentinel keeps a few peers' state in memory and answers a handful of commands a second; these
// fit it on every plan. Memory request = limit, so it is never the pod evicted first.
const SENTINEL_RESOURCES = { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "100m", memory: "64Mi" } } as const;

/**
 * Pod template annotation holding a hash of the server certificate the Sentinels present. Sentinel
 * cannot load renewed TLS files live (valkey-sentinel 8 has no CONFIG command, and SENTINEL CONFIG
 * SET refuses tls-* parameters), so a renewal rolls the Sentinels, one at a time: each restarted
 * pod mounts the current Secret. The data nodes reload theirs without a restart instead.
 */
export const TLS_CERT_HASH_ANNOTATION = `${ANNOTATION_PREFIX}/tls-cert-hash`;

/** Options of buildSentinelStatefulSet. */
export interface SentinelStatefulSetOptions {
    /** A hash of sentinel.conf, as the pod template annotation `pulumi-valkey/config-hash`. */
    readonly configHash: string;
    /** With TLS: a hash of the server certificate, as the annotation TLS_CERT_HASH_ANNOTATION. */
    readonly tlsCertHash?: string;
}

function sentinelContainer(model: ServiceModel): IContainer {
    const credentials = credentialVolumes(model);
    return {
        name: "sentinel",
        image: model.image,
        imagePullPolicy: "IfNotPresent",
        // Sentinel rewrites its own config file, so it runs from a writable copy. Each Sentinel
        // announces its own stable name (the ConfigMap is shared, so it is appended here): peers
        // that knew it by a pod IP would keep a dead entry after every restart.
        command: [
            "sh",
            "-c",
            `cp ${PATHS.sentinelConfig}/${SENTINEL_CONF_KEY} ${PATHS.sentinelData}/${SENTINEL_CONF_KEY} && ` +
                `echo "sentinel announce-ip ${sentinelPodHost(model, "$POD_NAME")}" >> ${PATHS.sentinelData}/${SENTINEL_CONF_KEY} && ` +
                `exec valkey-sentinel ${PATHS.sentinelData}/${SENTINEL_CONF_KEY}`,
        ],
        env: [
            { name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
            { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
        ],
        ports: [{ name: "sentinel", containerPort: SENTINEL_PORT, protocol: "TCP" }],
        volumeMounts: [
            { name: "config", mountPath: PATHS.sentinelConfig, readOnly: true },
            { name: "sentinel-data", mountPath: PATHS.sentinelData },
            ...credentials.mounts,
        ],
        resources: { requests: { ...SENTINEL_RESOURCES.requests }, limits: { ...SENTINEL_RESOURCES.limits } },
        securityContext: containerSecurityContext(),
        // The Sentinels require their own password (sentinel-auth.conf), not the data nodes'.
        readinessProbe: readinessProbe(model, SENTINEL_PORT, { passwordKey: "sentinel-password" }),
        livenessProbe: livenessProbe(model, SENTINEL_PORT, { passwordKey: "sentinel-password" }),
    };
}

/**
 * The StatefulSet `<name>-sentinel`: SENTINEL_REPLICAS Sentinel pods behind the headless Service
 * `<name>-sentinel-headless`, with the restricted security context, their own soft spreading, and
 * the model's tolerations, nodeSelector, priorityClassName and podAnnotations (podSpecBase). Their
 * state lives in an emptyDir: a restarted Sentinel starts from sentinel.conf and relearns the
 * topology from its peers and the provider.
 */
export function buildSentinelStatefulSet(model: ServiceModel, options: SentinelStatefulSetOptions): IStatefulSet {
    const names = objectNames(model);
    return {
        apiVersion: "apps/v1",
        kind: "StatefulSet",
        metadata: objectMeta(model, names.sentinel, "sentinel"),
        spec: {
            replicas: SENTINEL_REPLICAS,
            serviceName: names.sentinelHeadlessService,
            selector: { matchLabels: selectorLabels(model, "sentinel") },
            // Sentinels are peers; none waits for another to be ready.
            podManagementPolicy: "Parallel",
            updateStrategy: { type: "RollingUpdate" },
            template: {
                metadata: {
                    labels: commonLabels(model, "sentinel"),
                    annotations: podTemplateAnnotations(model, {
                        [CONFIG_HASH_ANNOTATION]: options.configHash,
                        ...(options.tlsCertHash !== undefined ? { [TLS_CERT_HASH_ANNOTATION]: options.tlsCertHash } : {}),
                        "kubectl.kubernetes.io/default-container": "sentinel",
                    }),
                },
                spec: {
                    ...podSpecBase(model, "sentinel", SENTINEL_REPLICAS),
                    containers: [sentinelContainer(model)],
                    volumes: [
                        { name: "config", configMap: { name: names.sentinelConfigMap } },
                        { name: "sentinel-data", emptyDir: {} },
                        ...credentialVolumes(model).volumes,
                    ],
                },
            },
        },
    };
}

/** The objects of a service's Sentinels. */
export interface SentinelManifests {
    readonly configMap: IConfigMap;
    readonly statefulSet: IStatefulSet;
    /** `<name>-sentinel` on 26379: where Sentinel-aware clients ask for the primary. */
    readonly clientService: IService;
    readonly headlessService: IService;
    readonly podDisruptionBudget: IPodDisruptionBudget;
    readonly networkPolicy: INetworkPolicy;
}

/**
 * The Sentinel objects of `model`'s service, or undefined when its plan's topology is not
 * "sentinel" (1-node and cluster plans have no Sentinels). `sentinelConf` is rendered by sdk/config
 * and `configHash` is its hash.
 */
export function buildSentinelManifests(
    model: ServiceModel,
    options: { readonly sentinelConf: string; readonly configHash: string; readonly tlsCertHash?: string },
): SentinelManifests | undefined {
    if (model.topology.kind !== "sentinel") return undefined;
    return {
        configMap: buildSentinelConfigMap(model, options.sentinelConf),
        statefulSet: buildSentinelStatefulSet(model, {
            configHash: options.configHash,
            ...(options.tlsCertHash !== undefined ? { tlsCertHash: options.tlsCertHash } : {}),
        }),
        clientService: buildClientService(model, "sentinel"),
        headlessService: buildHeadlessService(model, "sentinel"),
        podDisruptionBudget: buildPodDisruptionBudget(model, "sentinel"),
        networkPolicy: buildNetworkPolicy(model, "sentinel"),
    };
}
