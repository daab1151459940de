// The StatefulSet of the Valkey data pods, exactly as docs/pod-contract.md describes them: the pod
// runner (scripts/) and the provider (provider/) rely on every name and path below.
import { IStatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import { IContainer } from "kubernetes-models/v1/Container";
import { IPodSpec } from "kubernetes-models/v1/PodSpec";
import { IResourceRequirements } from "kubernetes-models/v1/ResourceRequirements";
import { IVolume } from "kubernetes-models/v1/Volume";
import { IVolumeMount } from "kubernetes-models/v1/VolumeMount";
import { ServiceModel } from "../spec/service-model";
import { PROBE_USER } from "../spec/security";
import { EXPORTER_AUTH_ANNOTATION, exporterAuthVolume, exporterContainer } from "./exporter";
import { primaryReadinessProbe, startScript } from "./ha";
import { commonLabels, objectMeta, selectorLabels } from "./labels";
import { CLUSTER_BUS_PORT, VALKEY_PORT, objectNames } from "./names";
import {
    CONFIG_HASH_ANNOTATION,
    DEFAULT_PROBE_CREDENTIAL,
    PATHS,
    PROBE_PASSWORD_KEY,
    ProbeCredential,
    containerSecurityContext,
    containerUserIds,
    credentialVolumes,
    livenessProbe,
    podSpecBase,
    podTemplateAnnotations,
    readinessProbe,
} from "./pod";

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
    /** exporterAuthHash, when ACL and the exporter are on (rolls the pods when the exporter's password changes). */
    readonly exporterAuthHash?: string;
    /** The exporter's ACL user, when ACL is on. @default DEFAULT_EXPORTER_USER */
    readonly exporterUser?: string;
}

/**
 * Whom the probes authenticate as: with ACL users the probe user (PROBE_PASSWORD_KEY), so they
 * pass whatever becomes of `default` (acl.defaultUser may be off); else the default user.
 */
export function probeCredential(model: ServiceModel): ProbeCredential {
    return model.acl !== undefined ? { passwordKey: PROBE_PASSWORD_KEY, user: PROBE_USER } : DEFAULT_PROBE_CREDENTIAL;
}

/**
 * What each data pod's PVC asks for: the size (unset without a disk) and the StorageClass (unset:
 * the cluster's default). The guard compares it with the recorded one and grows the PVCs.
 */
export function claimRequest(model: ServiceModel): { storageSize?: string; storageClassName?: string } {
    const { storageSize, storageClassName } = model.persistence;
    return { ...(storageSize !== undefined ? { storageSize } : {}), ...(storageClassName !== undefined ? { storageClassName } : {}) };
}

/** The valkey container's requests and limits (the model's sizing). */
export function resources(model: ServiceModel): IResourceRequirements {
    return model.sizing.resources;
}

function volumes(model: ServiceModel): { volumes: IVolume[]; mounts: IVolumeMount[] } {
    const credentials = credentialVolumes(model);
    return {
        volumes: [
            { name: "config", configMap: { name: objectNames(model).configMap } },
            ...credentials.volumes,
            { name: "tmp", emptyDir: { sizeLimit: TMP_SIZE_LIMIT } },
            ...(model.persistence.diskGiB === 0 ? [{ name: DATA_VOLUME, emptyDir: {} }] : []),
            ...(model.exporter !== undefined ? [exporterAuthVolume(model)] : []),
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
    const sentinel = model.topology.kind === "sentinel";
    const cluster = model.topology.kind === "cluster";
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
        ports: [
            { name: "valkey", containerPort: VALKEY_PORT, protocol: "TCP" },
            ...(cluster ? [{ name: "cluster-bus", containerPort: CLUSTER_BUS_PORT, protocol: "TCP" as const }] : []),
        ],
        volumeMounts: mounts,
        resources: resources(model),
        securityContext: { ...containerSecurityContext(), ...containerUserIds(model) },
        // With Sentinel, only the primary is Ready, so the client Service reaches only the primary.
        readinessProbe: sentinel ? primaryReadinessProbe(model) : readinessProbe(model, VALKEY_PORT, probe),
        livenessProbe: livenessProbe(model, VALKEY_PORT, probe),
        // The cluster bus always announces the pod IP (docs/pod-contract.md). Last: see podSpec.
        ...(cluster ? { args: ["--cluster-announce-ip", "$(POD_IP)"] } : {}),
    };
}

/**
 * The data pods' spec: podSpecBase and `own`. The rollout revision (sdk/components/rollout.ts)
 * hashes the pod template's JSON, so its key order is part of the revision: each topology keeps
 * the order its pods were first created with (a cluster's pull secrets, placement and tolerations
 * after the volumes), or upgrading the package would restart every pod of every service.
 */
function podSpec(model: ServiceModel, own: Pick<IPodSpec, "terminationGracePeriodSeconds" | "containers" | "volumes">): IPodSpec {
    const { imagePullSecrets, affinity, tolerations, nodeSelector, topologySpreadConstraints, priorityClassName, ...rest } = podSpecBase(
        model,
        "server",
        model.nodes,
    );
    // The placement fields added later (each only when set) come last, so they change no revision
    // of a pod template without them.
    const placement = {
        ...(imagePullSecrets !== undefined ? { imagePullSecrets } : {}),
        ...(affinity !== undefined ? { affinity } : {}),
        ...(tolerations !== undefined ? { tolerations } : {}),
        ...(nodeSelector !== undefined ? { nodeSelector } : {}),
        ...(topologySpreadConstraints !== undefined ? { topologySpreadConstraints } : {}),
        ...(priorityClassName !== undefined ? { priorityClassName } : {}),
    };
    return model.topology.kind === "cluster" ? { ...rest, ...own, ...placement } : { ...rest, ...placement, ...own };
}

/**
 * The StatefulSet `<name>` of the Valkey data pods: `model.nodes` replicas of `model.image`
 * behind the headless Service `<name>-headless`, per docs/pod-contract.md. In a cluster topology
 * the container also announces its pod IP on the cluster bus (16379); with `model.exporter` each
 * pod has the exporter sidecar; with `model.acl` the probes authenticate as the probe user.
 *
 * Storage: a volumeClaimTemplate `data` of `model.persistence.storageSize` (in its
 * storageClassName, else the cluster's default StorageClass), or an emptyDir `data` when diskGiB
 * is 0. Its PVCs follow `model.persistence.retention` (whenDeleted Retain with
 * terminationProtection; whenScaled as the front door says, Retain by default).
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
    const persistence = model.persistence;
    const persistent = persistence.diskGiB > 0;
    const probe = probeCredential(model);
    const containers = [valkeyContainer(model, mounts, probe)];
    if (model.exporter !== undefined) containers.push(exporterContainer(model, model.exporter, options.exporterUser));
    const metadata = objectMeta(model, names.statefulSet, "server");
    return {
        apiVersion: "apps/v1",
        kind: "StatefulSet",
        // Pulumi's own wait cannot work here: with OnDelete (below) a template change is not rolled
        // out by the controller, and with Sentinel only the primary is ever Ready. The topology
        // resource waits for the pods and verifies the nodes instead.
        metadata: { ...metadata, annotations: { ...metadata.annotations, [SKIP_AWAIT_ANNOTATION]: "true" } },
        spec: {
            replicas: model.nodes,
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
                      persistentVolumeClaimRetentionPolicy: { ...persistence.retention },
                      volumeClaimTemplates: [
                          {
                              // Only the selector labels: the template is immutable, so nothing a
                              // user may change later (tags) can live here.
                              metadata: { name: DATA_VOLUME, labels: selectorLabels(model) },
                              spec: {
                                  accessModes: ["ReadWriteOnce"],
                                  ...(persistence.storageClassName !== undefined ? { storageClassName: persistence.storageClassName } : {}),
                                  resources: { requests: { storage: persistence.storageSize! } },
                              },
                          },
                      ],
                  }
                : {}),
            template: {
                metadata: {
                    labels: commonLabels(model, "server"),
                    annotations: podTemplateAnnotations(model, {
                        [CONFIG_HASH_ANNOTATION]: options.configHash,
                        "kubectl.kubernetes.io/default-container": "valkey",
                        ...(model.exporter !== undefined && options.exporterAuthHash !== undefined
                            ? { [EXPORTER_AUTH_ANNOTATION]: options.exporterAuthHash }
                            : {}),
                    }),
                },
                spec: podSpec(model, { terminationGracePeriodSeconds: TERMINATION_GRACE_PERIOD_SECONDS, containers, volumes: vols }),
            },
        },
    };
}
