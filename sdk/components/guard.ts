// `ValkeyClusterGuard`: a small dynamic resource of the ValkeyCluster component that remembers what
// the component itself cannot see, the values of the previous deployment.
// 1. It refuses a change of the immutable `pvc` fields in `check`, so `pulumi preview` fails with
//    a message naming the field. The StatefulSet keeps `spec.volumeClaimTemplates` under
//    ignoreChanges, so without this guard a new size would be silently ignored (and replacing the
//    StatefulSet would delete the PVCs with the data).
// 2. It records since when the cluster is Ready (the `lastTransitionTime` of the Ready condition),
//    kept across deployments as long as the cluster stays ready.
// Pulumi serializes the provider below into the state and runs it in another process: it uses
// nothing outside this file (no imports at run time), so the serialized text stays small and
// self-contained. `diff` never asks for a replacement.
import * as pulumi from "@pulumi/pulumi";

/** What Pulumi passes for a value not known yet (during preview). */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

// Not exported itself: the provider's functions must not reach the module's `exports` (the
// serializer would then capture the whole module, Pulumi SDK included).
const PVC_FIELDS = ["storageSize", "storageClassName"] as const;
/** The fields of `pvc` that cannot change after creation. */
export const GUARDED_PVC_FIELDS: readonly string[] = PVC_FIELDS;

export interface GuardInputs {
    /** Who the messages name, e.g. `ValkeyCluster "poc"`. */
    readonly subject: string;
    readonly pvc: { readonly storageSize?: string; readonly storageClassName?: string };
    /** The topology resource's state ("RUNNING" once verified). */
    readonly ready?: string;
}

export interface GuardOutputs extends GuardInputs {
    /** ISO time since which `ready` is "RUNNING"; unset while it is not. */
    readonly readySince?: string;
}

export interface GuardFailure {
    readonly property: string;
    readonly reason: string;
}

function show(value: unknown): string {
    return value === undefined ? "unset" : JSON.stringify(value);
}

/**
 * The immutable pvc fields that differ between the recorded inputs and the new ones; nothing on
 * create (no recorded inputs) and nothing for values not known yet.
 */
export function guardFailures(olds: Record<string, unknown>, news: Record<string, unknown>): GuardFailure[] {
    const before = olds.pvc as Record<string, unknown> | undefined;
    const after = (news.pvc ?? {}) as Record<string, unknown>;
    if (before === undefined || news.pvc === UNKNOWN) return [];
    const failures: GuardFailure[] = [];
    for (const field of PVC_FIELDS) {
        const was = before[field];
        const now = after[field];
        if (was === UNKNOWN || now === UNKNOWN || was === now) continue;
        failures.push({
            property: `pvc.${field}`,
            reason: `${String(news.subject)}: pvc.${field} is immutable after creation (was ${show(was)}, now ${show(now)}): the PVCs of a StatefulSet cannot be re-templated, and replacing them would delete the data. Restore the previous value, or create a new ValkeyCluster and move the data.`,
        });
    }
    return failures;
}

/** Since when the cluster is ready after an update from `olds` to `news`, at time `now`. */
export function readySince(olds: Record<string, unknown>, news: Record<string, unknown>, now: string): string | undefined {
    if (news.ready !== "RUNNING") return undefined;
    return olds.ready === "RUNNING" && typeof olds.readySince === "string" ? olds.readySince : now;
}

export const clusterGuardProvider: pulumi.dynamic.ResourceProvider = {
    async check(olds, news) {
        return { inputs: news, failures: guardFailures(olds, news) };
    },
    async diff(_id, olds, news) {
        const changes = ["subject", "pvc", "ready"].some((k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k]));
        return { changes, replaces: [], deleteBeforeReplace: false };
    },
    async create(inputs) {
        return { id: String(inputs.subject), outs: { ...inputs, readySince: readySince({}, inputs, new Date().toISOString()) } };
    },
    async update(_id, olds, news) {
        return { outs: { ...news, readySince: readySince(olds, news, new Date().toISOString()) } };
    },
};

/** See the top of this file. Type token `pulumi-nodejs:dynamic/valkey:ValkeyClusterGuard`. */
export class ValkeyClusterGuard extends pulumi.dynamic.Resource {
    public readonly pvc!: pulumi.Output<GuardInputs["pvc"]>;
    public readonly ready!: pulumi.Output<string | undefined>;
    public readonly readySince!: pulumi.Output<string | undefined>;

    constructor(
        name: string,
        args: { subject: pulumi.Input<string>; pvc: pulumi.Input<GuardInputs["pvc"]>; ready: pulumi.Input<string | undefined> },
        opts: pulumi.CustomResourceOptions = {},
    ) {
        super(clusterGuardProvider, name, { readySince: undefined, ...args }, opts, "valkey", "ValkeyClusterGuard");
    }
}
