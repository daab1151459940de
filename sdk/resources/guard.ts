// The guard: a small dynamic resource of the ValkeyCluster, Valkey and Redis components that
// remembers what a component itself cannot see, the values of the previous deployment.
// 1. Its `check` runs the change rules (sdk/spec/changes.ts, one list) over the recorded values and
//    the new ones, so `pulumi preview` fails with a message naming the field, the old and the new
//    value and the rule.
//    - `<name>-immutable` records the component's fields (project, the namespace, the connection
//      Secret's name, TLS, ...; sdk/spec/immutable.ts). Every Kubernetes object of the component
//      depends on it, so a refusal also stops `pulumi up --skip-preview` and the Automation API's
//      `up` before an object moves.
//    - `<name>-guard` records the data volumes (`pvc`): the size may grow and never shrink, the
//      StorageClass never changes, a PVC neither appears nor disappears. The StatefulSet keeps
//      `spec.volumeClaimTemplates` under ignoreChanges (they cannot change in place, and replacing
//      the StatefulSet would delete the PVCs with the data), so this guard may run after it.
// 2. Its create and update expand the PVCs of the StatefulSet to the size (provider/storage), after
//    the topology resource verified the pods, hence also the PVCs of pods added by a scale-out,
//    which the stale claim template creates at the first size.
// 3. For ValkeyCluster, it records since when the cluster is Ready (the `lastTransitionTime` of the
//    Ready condition), kept across deployments as long as the cluster stays ready.
// Pulumi serializes the provider below into the state and runs it in another process. `check` and
// `diff` use nothing outside this file, sdk/spec/changes.ts and sdk/spec/quantity.ts (no imports at
// run time); the expansion require()s `pulumi-valkey/provider` by name when it runs, as
// ValkeyTopology does. `diff` never asks for a replacement.
import * as pulumi from "@pulumi/pulumi";
import { ChangeRecord, changeIssues, recordOf, sameValue, UNKNOWN } from "../spec/changes";

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
    /** What the change rules compare (sdk/spec/changes.ts), with the values in effect. @default nothing is compared */
    readonly immutable?: ChangeRecord;
}

export interface GuardOutputs extends GuardInputs {
    /** ISO time since which `ready` is "RUNNING"; unset while it is not. */
    readonly readySince?: string;
}

export interface GuardFailure {
    readonly property: string;
    readonly reason: string;
}

/**
 * The data volumes' values as the change rules take them, under the user's fields; undefined on
 * create (nothing recorded) and while the values are not known.
 */
function pvcRecord(inputs: Record<string, unknown>): ChangeRecord | undefined {
    const pvc = inputs.pvc;
    if (pvc === undefined || pvc === UNKNOWN || typeof pvc !== "object" || pvc === null) return undefined;
    const fields = (inputs.fields ?? { storageSize: "pvc.storageSize", storageClassName: "pvc.storageClassName" }) as Record<string, string>;
    const values = pvc as Record<string, unknown>;
    const field = (key: string) => ({ [fields[key]]: values[key] === undefined ? {} : { value: values[key] } });
    return { subject: String(inputs.subject), fields: { ...field("storageSize"), ...field("storageClassName") } };
}

/**
 * The change rules (sdk/spec/changes.ts) broken between the recorded inputs and the new ones: those
 * of the recorded fields (`immutable`) and of the data volumes (`pvc`, under the user's `fields`).
 */
export function guardFailures(olds: Record<string, unknown>, news: Record<string, unknown>): GuardFailure[] {
    const issues = [...changeIssues(recordOf(olds), recordOf(news) ?? { fields: {} }), ...changeIssues(pvcRecord(olds), pvcRecord(news) ?? { fields: {} })];
    return issues.map((i) => ({ property: i.field, reason: i.message }));
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
        return { inputs: news, failures: guardFailures(olds, news) };
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
