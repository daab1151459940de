// Grows the data PVCs of a StatefulSet to a new size. A StatefulSet's claim templates cannot
// change, so each existing PVC's spec.resources.requests.storage is patched instead, and the
// storage driver (through the StorageClass's allowVolumeExpansion) grows the volume. Called by the
// guard's dynamic provider (sdk/resources/guard.ts) on every create and update, after the pods
// were verified, so it also reaches PVCs that a scale-out created from the stale template. It
// never shrinks a PVC and does nothing to one that is already large enough.
import type * as K8s from "@kubernetes/client-node";
import { TransportError, ValkeyProviderError } from "../errors";
import { apiDeadline, ApiTimeoutError, describeApiError, loadKubeConfig, withinDeadline } from "../nodes/kubernetes";
import { compareQuantities, parseQuantity } from "../../sdk/spec/quantity";

export interface VolumeTarget {
    /** Kubeconfig text. @default the default loading rules ($KUBECONFIG, ~/.kube/config, in-cluster) */
    readonly kubeconfig?: string | null;
    /** @default the kubeconfig's current context */
    readonly context?: string;
    readonly namespace: string;
    readonly statefulSet: string;
    /** The claim template's name (`data`): PVCs are `<claimTemplate>-<statefulSet>-<ordinal>`. */
    readonly claimTemplate: string;
    /** Ordinals 0..replicas-1. */
    readonly replicas: number;
    /** How long to wait for the storage driver; every API call of the expansion ends by then too. @default 300000 ms */
    readonly timeoutMs?: number;
}

export const DEFAULT_EXPANSION_TIMEOUT_MS = 300000;
const POLL_MS = 500;
const FIELD_MANAGER = "pulumi-valkey";

/** What a PVC says about its size. */
export interface ClaimState {
    readonly name: string;
    /** spec.resources.requests.storage */
    readonly request?: string;
    /** status.capacity.storage */
    readonly capacity?: string;
    /** Types of the conditions that are True, e.g. Resizing, FileSystemResizePending. */
    readonly conditions: readonly string[];
    /** status.allocatedResourceStatuses.storage, e.g. ControllerResizeFailed. */
    readonly resizeStatus?: string;
}

/**
 * The next step for one PVC towards `size`: patch its request, wait for the driver, done, or
 * failed (the driver reported a terminal error). Done once the capacity reached the size, or once
 * the volume grew and only the node's filesystem resize is pending (FileSystemResizePending: the
 * kubelet finishes it while the pod runs, or when it restarts for drivers that resize offline).
 */
export function claimStep(claim: ClaimState, size: string): "patch" | "wait" | "done" | "failed" {
    if (claim.request === undefined || compareQuantities(claim.request, size) === -1) return "patch";
    if (claim.capacity !== undefined && compareQuantities(claim.capacity, size) !== -1) return "done";
    if (claim.resizeStatus === "ControllerResizeFailed" || claim.resizeStatus === "NodeResizeFailed") return "failed";
    return claim.conditions.includes("FileSystemResizePending") ? "done" : "wait";
}

/** The PVC names of ordinals 0..replicas-1. */
export function claimNames(target: Pick<VolumeTarget, "claimTemplate" | "statefulSet" | "replicas">): string[] {
    return Array.from({ length: target.replicas }, (_, i) => `${target.claimTemplate}-${target.statefulSet}-${i}`);
}

function stateOf(pvc: K8s.V1PersistentVolumeClaim): ClaimState {
    return {
        name: pvc.metadata?.name ?? "",
        request: pvc.spec?.resources?.requests?.storage,
        capacity: pvc.status?.capacity?.storage,
        conditions: (pvc.status?.conditions ?? []).filter((c) => c.status === "True").map((c) => c.type),
        resizeStatus: pvc.status?.allocatedResourceStatuses?.storage,
    };
}

function describe(claim: ClaimState): string {
    const conditions = claim.conditions.length > 0 ? `, conditions ${claim.conditions.join(", ")}` : "";
    return `requests ${claim.request ?? "nothing"}, capacity ${claim.capacity ?? "unknown"}${claim.resizeStatus !== undefined ? `, resize ${claim.resizeStatus}` : ""}${conditions}`;
}

export class ExpansionError extends ValkeyProviderError {
    constructor(message: string) {
        super("command-failed", message);
    }
}

/**
 * Patches every PVC of the StatefulSet whose request is below `size`, then waits until each one
 * reached it, all within `timeoutMs`. Returns each PVC's capacity at the end. Throws an
 * ExpansionError naming the PVC when the API refuses the patch (e.g. a StorageClass without
 * allowVolumeExpansion), when the driver reports a failed resize, or when the timeout passes while
 * the driver resizes; a TransportError when the API does not answer a read or the patch in time.
 */
export async function expandVolumes(target: VolumeTarget, size: string): Promise<Record<string, string | undefined>> {
    if (parseQuantity(size) === undefined) throw new ExpansionError(`${JSON.stringify(size)} is not a Kubernetes quantity`);
    const { k8s, kc } = loadKubeConfig(target);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const namespace = target.namespace;
    // Every call, as the wait for the driver, ends by the expansion's deadline.
    const deadline = apiDeadline(target.timeoutMs ?? DEFAULT_EXPANSION_TIMEOUT_MS);
    const read = async (name: string): Promise<ClaimState> => {
        const what = `read PVC ${namespace}/${name}`;
        try {
            return stateOf(await withinDeadline(what, deadline, (options) => core.readNamespacedPersistentVolumeClaim({ name, namespace }, options)));
        } catch (e) {
            if (e instanceof TransportError) throw e;
            throw new TransportError(`cannot ${what}: ${describeApiError(e)}`);
        }
    };
    const result: Record<string, string | undefined> = {};
    for (const name of claimNames(target)) {
        let claim = await read(name);
        for (;;) {
            const step = claimStep(claim, size);
            if (step === "done") break;
            if (step === "failed")
                throw new ExpansionError(
                    `PVC ${namespace}/${name} could not grow to ${size}: ${describe(claim)}; see \`kubectl describe pvc -n ${namespace} ${name}\``,
                );
            if (step === "patch") {
                // The test operation refuses the patch if the request changed since it was read.
                const body = [
                    ...(claim.request !== undefined ? [{ op: "test", path: "/spec/resources/requests/storage", value: claim.request }] : []),
                    { op: claim.request !== undefined ? "replace" : "add", path: "/spec/resources/requests/storage", value: size },
                ];
                try {
                    claim = stateOf(
                        await withinDeadline(`patch PVC ${namespace}/${name}`, deadline, (options) =>
                            core.patchNamespacedPersistentVolumeClaim({ name, namespace, body, fieldManager: FIELD_MANAGER }, options),
                        ),
                    );
                } catch (e) {
                    if (e instanceof TransportError) throw e;
                    throw new ExpansionError(
                        `PVC ${namespace}/${name} could not grow from ${claim.request ?? "nothing"} to ${size}: ${describeApiError(e)} (its StorageClass must set allowVolumeExpansion: true)`,
                    );
                }
                continue;
            }
            const waited = claim;
            const notGrown = () =>
                new ExpansionError(
                    `PVC ${namespace}/${name} has not grown to ${size} after ${deadline.seconds} s (${describe(waited)}); the storage driver may still be resizing it: check \`kubectl describe pvc -n ${namespace} ${name}\`, then run \`pulumi up\` again`,
                );
            if (Date.now() > deadline.at) throw notGrown();
            await new Promise((resolve) => setTimeout(resolve, POLL_MS));
            // A poll cut off by the deadline: the API did answer before, the driver is what is late.
            claim = await read(name).catch((e: unknown) => {
                throw e instanceof ApiTimeoutError ? notGrown() : e;
            });
        }
        result[name] = claim.capacity;
    }
    return result;
}
