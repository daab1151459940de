// The StatefulSet of the Valkey data pods, exactly as docs/pod-contract.md describes them: the pod
// runner (scripts/) and the provider (provider/) rely on every name and path below.
import { IStatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import { IAffinity } from "kubernetes-models/v1/Affinity";
import { IContainer } from "kubernetes-models/v1/Container";
import { IPodSecurityContext } from "kubernetes-models/v1/PodSecurityContext";
import { IProbe } from "kubernetes-models/v1/Probe";
import { IResourceRequirements } from "kubernetes-models/v1/ResourceRequirements";
import { ISecurityContext } from "kubernetes-models/v1/SecurityContext";
import { IVolume } from "kubernetes-models/v1/Volume";
import { IVolumeMount } from "kubernetes-models/v1/VolumeMount";
import { ANNOTATION_PREFIX, ServiceModel } from "../spec/model";
import { commonLabels, isLabelValue, objectMeta, selectorLabels } from "./labels";
import { VALKEY_PORT, objectNames } from "./names";

/** uid and gid of the valkey user in the official images; also the fsGroup of the volumes. */
export const VALKEY_UID = 999;

/** Where the pod contract mounts each volume. */
export const PATHS = {
    config: "/etc/valkey",
    auth: "/etc/valkey-auth",
    data: "/data",
    tls: "/etc/valkey-tls",
    tmp: "/tmp",
} as const;

/** Pod template annotation holding the hash of the rendered configuration. */
export const CONFIG_HASH_ANNOTATION = `${ANNOTATION_PREFIX}/config-hash`;

// CPU limit = request x this. Valkey's main thread is latency-sensitive and CFS throttling at the
// request would stall it during the bursts that matter (loading the dataset at start-up, the RDB
// fork, an AOF rewrite). No limit at all would let one service starve its neighbours and is
// refused by namespaces whose LimitRange or ResourceQuota requires limits. Twice the request
// absorbs the bursts and still bounds the neighbour impact.
const CPU_LIMIT_FACTOR = 2;

// On SIGTERM Valkey waits for replicas to catch up (shutdown-timeout, 10 s) and writes a final RDB
// when save points are configured. 60 s leaves room for both on the plans' dataset sizes; a kill
// after that keeps the previous dump.rdb intact (it is replaced by rename), so only the writes
// since the last save are lost, never the file.
const TERMINATION_GRACE_PERIOD_SECONDS = 60;

// The root filesystem is read-only; /tmp gets a small writable scratch space, bounded so that a
// runaway writer cannot fill the node's disk.
const TMP_SIZE_LIMIT = "64Mi";

export interface StatefulSetOptions {
    /**
     * A hash of everything the pods read only at start-up (valkey.conf). Stored as the pod template
     * annotation `pulumi-valkey/config-hash`, so a change rolls the pods.
     */
    readonly configHash: string;
}

const AUTH = `REDISCLI_AUTH="$(cat ${PATHS.auth}/password)"`;

function cli(model: ServiceModel): string {
    const tls = model.tls
        ? ` --tls --cacert ${PATHS.tls}/ca.crt --cert ${PATHS.tls}/tls.crt --key ${PATHS.tls}/tls.key`
        : "";
    return `${AUTH} valkey-cli${tls} -p ${VALKEY_PORT} ping`;
}

/**
 * The readiness probe: ready only when an authenticated PING answers PONG. valkey-cli exits 0
 * even on an error reply, so the output is compared, not the exit code.
 */
function readinessProbe(model: ServiceModel): IProbe {
    return {
        exec: { command: ["sh", "-c", `[ "$(${cli(model)})" = "PONG" ]`] },
        initialDelaySeconds: 5,
        periodSeconds: 5,
        timeoutSeconds: 3,
        successThreshold: 1,
        failureThreshold: 3,
    };
}

// Replies that prove the server is alive even though it cannot serve yet or refuses this client.
// A restart would not help any of them and would lose the writes since the last save: LOADING
// (reading a large dataset), MASTERDOWN (a replica whose primary is away), BUSY (a long script),
// and authentication errors (a password being rotated must never restart-loop the pods).
const ALIVE_REPLIES = ["PONG", "LOADING*", "MASTERDOWN*", "BUSY*", "NOAUTH*", "WRONGPASS*", '"AUTH failed"*'];

/**
 * The liveness probe: fails only when the server gives no answer at all (refused or timed out),
 * and only after a minute of that, so a slow start is not killed.
 */
function livenessProbe(model: ServiceModel): IProbe {
    return {
        exec: {
            command: ["sh", "-c", `r="$(${cli(model)} 2>&1)"; case "$r" in ${ALIVE_REPLIES.join("|")}) exit 0;; esac; echo "$r"; exit 1`],
        },
        initialDelaySeconds: 20,
        periodSeconds: 10,
        timeoutSeconds: 5,
        successThreshold: 1,
        failureThreshold: 6,
    };
}

/** Memory request = limit = the plan's memory; CPU request = the plan's, limit twice that. */
export function resources(model: ServiceModel): IResourceRequirements {
    const memory = `${model.plan.memoryMiB}Mi`;
    return {
        requests: { cpu: `${model.plan.cpuMillis}m`, memory },
        limits: { cpu: `${model.plan.cpuMillis * CPU_LIMIT_FACTOR}m`, memory },
    };
}

/** The restricted Pod Security Standard, pod level. */
export function podSecurityContext(): IPodSecurityContext {
    return {
        runAsNonRoot: true,
        runAsUser: VALKEY_UID,
        runAsGroup: VALKEY_UID,
        fsGroup: VALKEY_UID,
        // Only chown the volume when its root is not already ours: a recursive chown of a large
        // dataset on every start would delay the pod by minutes.
        fsGroupChangePolicy: "OnRootMismatch",
        seccompProfile: { type: "RuntimeDefault" },
    };
}

/** The restricted Pod Security Standard, container level. */
export function containerSecurityContext(): ISecurityContext {
    return {
        runAsNonRoot: true,
        runAsUser: VALKEY_UID,
        runAsGroup: VALKEY_UID,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        privileged: false,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
    };
}

/**
 * Region values a node may carry for `cloudName`: the name itself and the name without its
 * provider prefix ("google-europe-west1" -> "europe-west1"), each only when it is a valid label
 * value (nothing else can match a node label).
 */
export function regionCandidates(cloudName: string): string[] {
    const dash = cloudName.indexOf("-");
    const withoutProvider = dash > 0 ? cloudName.slice(dash + 1) : cloudName;
    return [...new Set([cloudName, withoutProvider])].filter(isLabelValue);
}

/**
 * Soft placement only: the region preference never makes a pod unschedulable (DESIGN.md), and
 * spreading replicas over hosts is preferred, not required, so small clusters still run them.
 */
export function affinity(model: ServiceModel): IAffinity | undefined {
    const regions = model.cloudName === undefined ? [] : regionCandidates(model.cloudName);
    const result: IAffinity = {};
    if (regions.length > 0) {
        result.nodeAffinity = {
            preferredDuringSchedulingIgnoredDuringExecution: [
                {
                    weight: 50,
                    preference: { matchExpressions: [{ key: "topology.kubernetes.io/region", operator: "In", values: regions }] },
                },
            ],
        };
    }
    if (model.plan.nodes > 1) {
        result.podAntiAffinity = {
            preferredDuringSchedulingIgnoredDuringExecution: [
                {
                    weight: 100,
                    podAffinityTerm: { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: selectorLabels(model) } },
                },
            ],
        };
    }
    return Object.keys(result).length > 0 ? result : undefined;
}

function volumes(model: ServiceModel): { volumes: IVolume[]; mounts: IVolumeMount[] } {
    const names = objectNames(model);
    const vols: IVolume[] = [
        { name: "config", configMap: { name: names.configMap } },
        // 0440: readable by the fsGroup (the valkey user), by nobody else.
        { name: "auth", secret: { secretName: names.authSecret, defaultMode: 0o440 } },
        { name: "tmp", emptyDir: { sizeLimit: TMP_SIZE_LIMIT } },
    ];
    const mounts: IVolumeMount[] = [
        { name: "config", mountPath: PATHS.config, readOnly: true },
        { name: "auth", mountPath: PATHS.auth, readOnly: true },
        { name: "data", mountPath: PATHS.data },
        { name: "tmp", mountPath: PATHS.tmp },
    ];
    if (model.diskGiB === 0) vols.push({ name: "data", emptyDir: {} });
    if (model.tls) {
        vols.push({ name: "tls", secret: { secretName: names.tlsSecret, defaultMode: 0o440 } });
        mounts.push({ name: "tls", mountPath: PATHS.tls, readOnly: true });
    }
    return { volumes: vols, mounts };
}

function valkeyContainer(model: ServiceModel, mounts: IVolumeMount[]): IContainer {
    return {
        name: "valkey",
        image: model.image,
        imagePullPolicy: "IfNotPresent",
        command: ["valkey-server", `${PATHS.config}/valkey.conf`],
        env: [
            { name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
            { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
        ],
        ports: [{ name: "valkey", containerPort: VALKEY_PORT, protocol: "TCP" }],
        volumeMounts: mounts,
        resources: resources(model),
        securityContext: containerSecurityContext(),
        readinessProbe: readinessProbe(model),
        livenessProbe: livenessProbe(model),
    };
}

/**
 * The StatefulSet `<name>` of the Valkey data pods: `model.plan.nodes` replicas of `model.image`
 * behind the headless Service `<name>-headless`, per docs/pod-contract.md.
 *
 * Storage: a volumeClaimTemplate `data` of `model.diskGiB` GiB (in `model.storageClassName`, else
 * the cluster's default StorageClass), or an emptyDir `data` when diskGiB is 0. Its PVCs are
 * retained when the StatefulSet is deleted if `model.terminationProtection`, deleted with it
 * otherwise, and always retained on scale-in.
 *
 * A StatefulSet's selector, serviceName, podManagementPolicy and volumeClaimTemplates are
 * immutable: the caller must never let a change to them replace the StatefulSet, because with the
 * Delete retention policy a replacement deletes the PVCs with it. A disk_space increase is
 * applied to the PVCs directly.
 */
export function buildStatefulSet(model: ServiceModel, options: StatefulSetOptions): IStatefulSet {
    const { volumes: vols, mounts } = volumes(model);
    const names = objectNames(model);
    const placement = affinity(model);
    const persistent = model.diskGiB > 0;
    return {
        apiVersion: "apps/v1",
        kind: "StatefulSet",
        metadata: objectMeta(model, names.statefulSet, "server"),
        spec: {
            replicas: model.plan.nodes,
            serviceName: names.headlessService,
            selector: { matchLabels: selectorLabels(model) },
            // Replicas and cluster nodes are peers whose roles the provider and Sentinel assign,
            // not their ordinals. OrderedReady would keep pod-1 from starting while pod-0 is not
            // ready (e.g. a replica waiting for a primary that is itself pod-1), and after a full
            // restart it would bring the nodes back one by one. Rolling updates still replace one
            // pod at a time; this setting only governs creation and scaling.
            podManagementPolicy: "Parallel",
            updateStrategy: { type: "RollingUpdate" },
            ...(persistent
                ? {
                      persistentVolumeClaimRetentionPolicy: model.terminationProtection
                          ? { whenDeleted: "Retain", whenScaled: "Retain" }
                          : { whenDeleted: "Delete", whenScaled: "Retain" },
                      volumeClaimTemplates: [
                          {
                              // Only the selector labels: the template is immutable, so nothing a
                              // user may change later (tags) can live here.
                              metadata: { name: "data", labels: selectorLabels(model) },
                              spec: {
                                  accessModes: ["ReadWriteOnce"],
                                  ...(model.storageClassName !== undefined ? { storageClassName: model.storageClassName } : {}),
                                  resources: { requests: { storage: `${model.diskGiB}Gi` } },
                              },
                          },
                      ],
                  }
                : {}),
            template: {
                metadata: {
                    labels: commonLabels(model, "server"),
                    annotations: {
                        [CONFIG_HASH_ANNOTATION]: options.configHash,
                        "kubectl.kubernetes.io/default-container": "valkey",
                    },
                },
                spec: {
                    // Valkey never calls the Kubernetes API: no token in the pod.
                    automountServiceAccountToken: false,
                    // Service links would inject e.g. VALKEY_PORT=tcp://... into the environment
                    // for a Service called "valkey", which some entrypoints misread as a port.
                    enableServiceLinks: false,
                    terminationGracePeriodSeconds: TERMINATION_GRACE_PERIOD_SECONDS,
                    securityContext: podSecurityContext(),
                    ...(model.imagePullSecrets.length > 0 ? { imagePullSecrets: model.imagePullSecrets.map((name) => ({ name })) } : {}),
                    ...(placement ? { affinity: placement } : {}),
                    containers: [valkeyContainer(model, mounts)],
                    volumes: vols,
                },
            },
        },
    };
}
