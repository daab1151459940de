// The StatefulSet of the Valkey data pods, exactly as docs/pod-contract.md describes them: the pod
// runner (scripts/) and the provider (provider/) rely on every name and path below.
import { IStatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import { IContainer } from "kubernetes-models/v1/Container";
import { IResourceRequirements } from "kubernetes-models/v1/ResourceRequirements";
import { IVolume } from "kubernetes-models/v1/Volume";
import { IVolumeMount } from "kubernetes-models/v1/VolumeMount";
import { ServiceModel } from "../spec/model";
import { primaryReadinessProbe, startScript } from "./ha";
import { commonLabels, objectMeta, selectorLabels } from "./labels";
import { VALKEY_PORT, objectNames } from "./names";
import {
    CONFIG_HASH_ANNOTATION,
    DEFAULT_PROBE_CREDENTIAL,
    PATHS,
    ProbeCredential,
    containerSecurityContext,
    credentialVolumes,
    livenessProbe,
    podSpecBase,
    readinessProbe,
} from "./pod";

// CPU limit = request x this. Valkey's main thread is latency-sensitive and CFS throttling at the
// request would stall it during the bursts that matter (loading the dataset at start-up, the RDB
// fork, an AOF rewrite). No limit at all would let one service starve its neighbours and is
// refused by namespaces whose LimitRange or ResourceQuota requires limits. Twice the request
// absorbs the bursts and still bounds the neighbour impact.
const CPU_LIMIT_FACTOR = 2;

// On SIGTERM Valkey waits for replicas to catch up (shutdown-timeout, 10 s) and writes a final RDB
// (every node with a disk: shutdown-on-sigterm save, sdk/config/directives.ts). 60 s leaves room for both on the plans' dataset sizes; a kill
// after that keeps the previous dump.rdb intact (it is replaced by rename), so only the writes
// since the last save are lost, never the file.
const TERMINATION_GRACE_PERIOD_SECONDS = 60;

// The root filesystem is read-only; /tmp gets a small writable scratch space, bounded so that a
// runaway writer cannot fill the node's disk.
const TMP_SIZE_LIMIT = "64Mi";

/**
 * The data volume: the claim template's name when the model has a disk, so the PVCs are
 * `data-<statefulset>-<ordinal>`; an emptyDir of that name otherwise.
 */
export const DATA_VOLUME = "data";

/** Tells Pulumi's Kubernetes provider not to wait for the object to become ready. */
export const SKIP_AWAIT_ANNOTATION = "pulumi.com/skipAwait";

export interface StatefulSetOptions {
    /**
     * A hash of what the pods read only at start-up (the directives of valkey.conf that CONFIG SET
     * cannot change: restartHash). Stored as the pod template annotation
     * `pulumi-valkey/config-hash`, so a change makes a new template revision the provider rolls out.
     */
    readonly configHash: string;
    /**
     * Whom the probes authenticate as. With ACL users the probe user (PROBE_PASSWORD_KEY), so they
     * pass whatever becomes of `default`. @default DEFAULT_PROBE_CREDENTIAL (the default user)
     */
    readonly probe?: ProbeCredential;
}

/** Memory request = limit = the plan's memory; CPU request = the plan's, limit twice that. */
export function resources(model: ServiceModel): IResourceRequirements {
    const memory = `${model.plan.memoryMiB}Mi`;
    return {
        requests: { cpu: `${model.plan.cpuMillis}m`, memory },
        limits: { cpu: `${model.plan.cpuMillis * CPU_LIMIT_FACTOR}m`, memory },
    };
}

function volumes(model: ServiceModel): { volumes: IVolume[]; mounts: IVolumeMount[] } {
    const credentials = credentialVolumes(model);
    return {
        volumes: [
            { name: "config", configMap: { name: objectNames(model).configMap } },
            ...credentials.volumes,
            { name: "tmp", emptyDir: { sizeLimit: TMP_SIZE_LIMIT } },
            ...(model.diskGiB === 0 ? [{ name: DATA_VOLUME, emptyDir: {} }] : []),
        ],
        mounts: [
            { name: "config", mountPath: PATHS.config, readOnly: true },
            ...credentials.mounts,
            { name: DATA_VOLUME, mountPath: PATHS.data },
            { name: "tmp", mountPath: PATHS.tmp },
        ],
    };
}

function valkeyContainer(model: ServiceModel, mounts: IVolumeMount[], probe: ProbeCredential): IContainer {
    const sentinel = model.plan.topology === "sentinel";
    return {
        name: "valkey",
        image: model.image,
        imagePullPolicy: "IfNotPresent",
        // With Sentinel, a pod asks the Sentinels whom to replicate before it starts (sdk/manifests/ha.ts).
        command: sentinel ? ["sh", "-c", startScript(model)] : ["valkey-server", `${PATHS.config}/valkey.conf`],
        env: [
            { name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
            { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
        ],
        ports: [{ name: "valkey", containerPort: VALKEY_PORT, protocol: "TCP" }],
        volumeMounts: mounts,
        resources: resources(model),
        securityContext: containerSecurityContext(),
        // With Sentinel, only the primary is Ready, so the client Service reaches only the primary.
        readinessProbe: sentinel ? primaryReadinessProbe(model) : readinessProbe(model, VALKEY_PORT, probe),
        livenessProbe: livenessProbe(model, VALKEY_PORT, probe),
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
 * Delete retention policy a replacement deletes the PVCs with it. The claim template therefore
 * keeps the size of the first deployment; a larger disk_space or plan disk is applied to the PVCs
 * themselves (the guard, sdk/resources/guard.ts).
 */
export function buildStatefulSet(model: ServiceModel, options: StatefulSetOptions): IStatefulSet {
    const { volumes: vols, mounts } = volumes(model);
    const names = objectNames(model);
    const persistent = model.diskGiB > 0;
    const metadata = objectMeta(model, names.statefulSet, "server");
    return {
        apiVersion: "apps/v1",
        kind: "StatefulSet",
        // Pulumi's own wait cannot work here: with OnDelete (below) a template change is not rolled
        // out by the controller, and with Sentinel only the primary is ever Ready. The topology
        // resource waits for the pods and verifies the nodes instead.
        metadata: { ...metadata, annotations: { ...metadata.annotations, [SKIP_AWAIT_ANNOTATION]: "true" } },
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
            // The controller does not restart pods for a new template: the topology resource does
            // (provider/rollout), one at a time, replicas first, every primary after a handoff to
            // a caught-up replica, and only inside the maintenance window (docs/day2.md).
            updateStrategy: { type: "OnDelete" },
            ...(persistent
                ? {
                      persistentVolumeClaimRetentionPolicy: model.terminationProtection
                          ? { whenDeleted: "Retain", whenScaled: "Retain" }
                          : { whenDeleted: "Delete", whenScaled: "Retain" },
                      volumeClaimTemplates: [
                          {
                              // Only the selector labels: the template is immutable, so nothing a
                              // user may change later (tags) can live here.
                              metadata: { name: DATA_VOLUME, labels: selectorLabels(model) },
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
                    ...podSpecBase(model, "server", model.plan.nodes),
                    terminationGracePeriodSeconds: TERMINATION_GRACE_PERIOD_SECONDS,
                    containers: [valkeyContainer(model, mounts, options.probe ?? DEFAULT_PROBE_CREDENTIAL)],
                    volumes: vols,
                },
            },
        },
    };
}
