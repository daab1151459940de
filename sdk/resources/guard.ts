// The guard: a small dynamic resource of the ValkeyCluster, Valkey and Redis components that
// remembers what a component itself cannot see, the values of the previous deployment.
// 1. Its `check` applies the data volumes' rules, so `pulumi preview` fails with a message naming
//    the field, the old and the new value and the rule: the size may grow and never shrink, the
//    StorageClass never changes, a PVC neither appears nor disappears. The StatefulSet keeps
//    `spec.volumeClaimTemplates` under ignoreChanges (they cannot change in place, and replacing
//    the StatefulSet would delete the PVCs with the data).
// 2. Its create and update expand the PVCs of the StatefulSet to the size (provider/storage), after
//    the topology resource verified the pods, hence also the PVCs of pods added by a scale-out,
//    which the stale claim template creates at the first size.
// 3. For ValkeyCluster, it records since when the cluster is Ready (the `lastTransitionTime` of the
//    Ready condition), kept across deployments as long as the cluster stays ready.
// 4. With `immutable` (the component's `<name>-immutable` guard, on which every Kubernetes object of
//    the component depends), its `check` refuses a change of an immutable field (project, the
//    namespace, the connection Secret's name, ...; sdk/spec/changes.ts) with the field, the old and
//    the new value. That guard runs before anything else of the component, so the refusal also
//    stops `pulumi up --skip-preview` and the Automation API's `up` before an object moves.
// Pulumi serializes the provider below into the state and runs it in another process. `check` and
// `diff` use nothing outside this file, sdk/spec/quantity.ts and sdk/spec/changes.ts (no imports at run time); the
// expansion require()s `pulumi-valkey/provider` by name when it runs, as ValkeyTopology does.
// `diff` never asks for a replacement.
import * as pulumi from "@pulumi/pulumi";
import { ImmutableInput, immutableFailures, sameValue } from "../spec/changes";
import { compareQuantities } from "../spec/quantity";

/** What Pulumi passes for a value not known yet (during preview). */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export interface GuardPvc {
    /** The size of each PVC, a Kubernetes quantity; unset when the pods have no PVC. */
    readonly storageSize?: string;
    readonly storageClassName?: string;
}

/** Where the PVCs are: `<claimTemplate>-<statefulSet>-<ordinal>` for ordinals 0..replicas-1. */
export interface GuardVolumes {
    /** The Kubernetes provider's kubeconfig (a secret). @default the default loading rules */
    readonly kubeconfig?: string;
    readonly namespace: string;
    readonly statefulSet: string;
    readonly claimTemplate: string;
    readonly replicas: number;
}

export interface GuardInputs {
    /** Who the messages name, e.g. `ValkeyCluster "poc"`. */
    readonly subject: string;
    /** The data volumes' values. @default none: no PVC rule applies */
    readonly pvc?: GuardPvc;
    /** The user's field of each pvc value, for the messages. @default `pvc.storageSize`, `pvc.storageClassName` */
    readonly fields?: { readonly storageSize: string; readonly storageClassName: string };
    /** The PVCs to expand. @default none is expanded */
    readonly volumes?: GuardVolumes;
    /** The topology resource's state ("RUNNING" once verified); ValkeyCluster only. */
    readonly ready?: string;
    /** The fields that cannot change after creation, with their values. @default none is checked */
    readonly immutable?: ImmutableInput;
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
 * The pvc rules broken between the recorded inputs and the new ones; nothing on create (no
 * recorded inputs) and nothing for values not known yet.
 */
export function guardFailures(olds: Record<string, unknown>, news: Record<string, unknown>): GuardFailure[] {
    const before = olds.pvc as Record<string, unknown> | undefined;
    const after = (news.pvc ?? {}) as Record<string, unknown>;
    if (before === undefined || news.pvc === UNKNOWN) return [];
    const fields = (news.fields ?? { storageSize: "pvc.storageSize", storageClassName: "pvc.storageClassName" }) as Record<string, string>;
    const failures: GuardFailure[] = [];
    for (const key of ["storageSize", "storageClassName"]) {
        const was = before[key];
        const now = after[key];
        if (was === UNKNOWN || now === UNKNOWN || was === now) continue;
        const field = fields[key];
        const at = `${String(news.subject)}: ${field}`;
        const values = `(was ${show(was)}, now ${show(now)})`;
        if (key === "storageSize" && typeof was === "string" && typeof now === "string") {
            const order = compareQuantities(now, was);
            if (order === undefined || order >= 0) continue;
            failures.push({
                property: field,
                reason: `${at} cannot shrink ${values}: a PersistentVolumeClaim can grow but never shrink. Keep it at ${show(was)} or more, or create a new resource and move the data.`,
            });
            continue;
        }
        failures.push({
            property: field,
            reason: `${at} cannot change after creation ${values}: the PVCs of a StatefulSet cannot be re-templated, and replacing them would delete the data. Restore the previous value, or create a new resource and move the data.`,
        });
    }
    return failures;
}

/** Since when the cluster is ready after an update from `olds` to `news`, at time `now`. */
export function readySince(olds: Record<string, unknown>, news: Record<string, unknown>, now: string): string | undefined {
    if (news.ready !== "RUNNING") return undefined;
    return olds.ready === "RUNNING" && typeof olds.readySince === "string" ? olds.readySince : now;
}

/**
 * The recorded outputs: the inputs without the kubeconfig (it stays a secret input only), and
 * readySince when set (the engine cannot encode an undefined value).
 */
function record(olds: Record<string, unknown>, news: Record<string, unknown>): Record<string, unknown> {
    const volumes = news.volumes as Record<string, unknown> | undefined;
    const { kubeconfig: _kubeconfig, ...where } = volumes ?? {};
    const since = readySince(olds, news, new Date().toISOString());
    return { ...news, ...(volumes !== undefined ? { volumes: where } : {}), ...(since !== undefined ? { readySince: since } : {}) };
}

/* eslint-disable @typescript-eslint/no-require-imports */
async function expand(news: Record<string, unknown>): Promise<void> {
    const size = (news.pvc as GuardPvc | undefined)?.storageSize;
    if (news.volumes === undefined || size === undefined) return;
    await require("pulumi-valkey/provider").expandVolumes(news.volumes, size);
}
/* eslint-enable @typescript-eslint/no-require-imports */

export const guardProvider: pulumi.dynamic.ResourceProvider = {
    async check(olds, news) {
        return { inputs: news, failures: [...immutableFailures(olds, news), ...guardFailures(olds, news)] };
    },
    async diff(_id, olds, news) {
        const where = (v: unknown) => {
            const { kubeconfig: _kubeconfig, ...rest } = (v ?? {}) as Record<string, unknown>;
            return rest;
        };
        const changes =
            ["subject", "pvc", "fields", "ready", "immutable"].some((k) => !sameValue(olds[k], news[k])) ||
            !sameValue(where(olds.volumes), where(news.volumes));
        return { changes, replaces: [], deleteBeforeReplace: false };
    },
    async create(inputs) {
        await expand(inputs);
        return { id: String(inputs.subject), outs: record({}, inputs) };
    },
    async update(_id, olds, news) {
        await expand(news);
        return { outs: record(olds, news) };
    },
};

type Inputs<T> = { [K in keyof T]: pulumi.Input<T[K]> };
type Args = Inputs<Omit<GuardInputs, "volumes">> & { volumes?: pulumi.Input<Inputs<GuardVolumes>> };

/**
 * See the top of this file. Type token `pulumi-nodejs:dynamic/valkey:<type>`: ValkeyClusterGuard
 * for ValkeyCluster, ValkeyServiceGuard for Valkey and Redis.
 */
export class ValkeyGuard extends pulumi.dynamic.Resource {
    public readonly pvc!: pulumi.Output<GuardPvc | undefined>;
    public readonly ready!: pulumi.Output<string | undefined>;
    public readonly readySince!: pulumi.Output<string | undefined>;

    constructor(type: "ValkeyClusterGuard" | "ValkeyServiceGuard", name: string, args: Args, opts: pulumi.CustomResourceOptions = {}) {
        super(guardProvider, name, { readySince: undefined, ...args }, opts, "valkey", type);
    }
}
