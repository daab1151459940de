// The change rules: one list of what may not change, or only one way, between the values recorded
// at the last deployment and the new ones (cloudnative-pg's validateClusterChanges). A component
// only sees the new spec; a dynamic provider's `check` sees the recorded inputs too (Pulumi passes
// them as `olds`), so the rules run there and a broken one fails `pulumi preview` (and `pulumi up`,
// Automation API included, before any Kubernetes object changes: the objects depend on the guard
// that runs them). Each front door records its values by the path the user writes
// (sdk/spec/immutable.ts); a rule applies to a field that both deployments recorded.
// Pure and import-free but for sdk/spec/quantity.ts: the guard's dynamic provider
// (sdk/resources/guard.ts) is serialized with it.
import { compareQuantities } from "./quantity";

/** What Pulumi passes for a value not known yet (during preview). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** One recorded field: its value in effect (defaults applied), absent when unset. */
export interface ImmutableField {
    readonly value?: unknown;
}

/** What one deployment of a component records for the change rules. */
export interface ChangeRecord {
    /** Who the messages name, e.g. `Valkey "cache"`. */
    readonly subject?: string;
    /** By the path the user writes, e.g. `connInfoSecretTarget.name`; a rule applies to a field recorded in both. */
    readonly fields: Readonly<Record<string, ImmutableField>>;
}

/** A broken rule: the field and a message naming the subject, the field, the old and the new value. */
export interface ChangeIssue {
    readonly field: string;
    readonly message: string;
}

/** @internal One rule; see CHANGE_RULES. */
export interface ChangeRule {
    /** The path the user writes, e.g. `disk_space`. */
    readonly field: string;
    /** Whether a change from `was` to `now` (both known; undefined: unset) breaks the rule. */
    readonly breaks: (was: unknown, now: unknown) => boolean;
    /** The message after `<subject>: `, naming the field, the old and the new value (as `show` gives them). */
    readonly message: (was: unknown, now: unknown, show: (v: unknown) => string) => string;
    /** The values are credentials (a kubeconfig, a password): messages name the field, never the values. */
    readonly secret?: boolean;
}

function isObject(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Whether `v` is, or holds anywhere inside it, a value Pulumi does not know yet. */
export function containsUnknown(v: unknown): boolean {
    if (v === UNKNOWN) return true;
    if (Array.isArray(v)) return v.some(containsUnknown);
    if (isObject(v)) return Object.values(v).some(containsUnknown);
    return false;
}

/** Stable JSON: objects with sorted keys, undefined fields dropped (Pulumi drops them from inputs too). */
export function canonical(v: unknown): string {
    if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
    if (isObject(v)) {
        return `{${Object.keys(v)
            .filter((k) => v[k] !== undefined)
            .sort()
            .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
            .join(",")}}`;
    }
    return JSON.stringify(v) ?? "null";
}

/** Whether two property values are equal, whatever the order of their keys. */
export function sameValue(a: unknown, b: unknown): boolean {
    return canonical(a) === canonical(b);
}

function show(value: unknown): string {
    return value === undefined ? "unset" : JSON.stringify(value);
}

const MOVE = "or create a new resource and move the data.";
const keep = (was: unknown, s: (v: unknown) => string) => (was === undefined ? `Leave it unset, ${MOVE}` : `Keep ${s(was)}, ${MOVE}`);

/** @internal The field must keep the value it had at creation. `why`: one sentence ending with a period. */
export function immutable(field: string, why: string, options: { secret?: boolean } = {}): ChangeRule {
    return {
        field,
        ...options,
        breaks: (was, now) => !sameValue(was, now),
        message: (was, now, s) => `${field} cannot change after creation (was ${s(was)}, now ${s(now)}): ${why} ${keep(was, s)}`,
    };
}

/** @internal A switch that cannot be turned on or off after creation (unset and false: off). */
export function noSwitch(field: string, why: string): ChangeRule {
    const on = (v: unknown) => v !== undefined && v !== false;
    return {
        field,
        breaks: (was, now) => on(was) !== on(now),
        message: (was, now, s) => `${field} cannot be turned ${on(now) ? "on" : "off"} after creation (was ${s(was)}, now ${s(now)}): ${why} ${keep(was, s)}`,
    };
}

/** @internal A field that cannot go from unset to set or back (a new value is fine). */
export function noAppearing(field: string, why: string): ChangeRule {
    return {
        field,
        breaks: (was, now) => (was === undefined) !== (now === undefined),
        message: (was, now, s) =>
            `${field} cannot be ${now === undefined ? "removed" : "set"} after creation (was ${s(was)}, now ${s(now)}): ${why} ${keep(was, s)}`,
    };
}

/**
 * @internal A topology (`cluster`, `sentinel`/`replicated`, `standalone`) that may change, but not
 * into or out of a cluster: `what` names the values in the message (e.g. "plan").
 */
export function noResharding(field: string, what: string, why: string): ChangeRule {
    const cluster = (v: unknown) => v === "cluster";
    return {
        field,
        breaks: (was, now) => was !== undefined && now !== undefined && cluster(was) !== cluster(now),
        message: (was, now, s) =>
            `${field} cannot change between a cluster ${what} and a 1-node or Sentinel ${what} after creation (was ${s(was)}, now ${s(now)}): ${why} Keep a ${cluster(was) ? "cluster" : "1-node or Sentinel"} ${what}, ${MOVE}`,
    };
}

/** @internal A number that may grow and never decrease. */
export function noDecrease(field: string, why: string): ChangeRule {
    return {
        field,
        breaks: (was, now) => typeof was === "number" && typeof now === "number" && now < was,
        message: (was, now, s) => `${field} cannot decrease (was ${s(was)}, now ${s(now)}): ${why} Keep it at ${s(was)} or more, ${MOVE}`,
    };
}

const PVC_WHY = "the PVCs of a StatefulSet cannot be re-templated, and replacing them would delete the data.";

/**
 * @internal A PVC size (a Kubernetes quantity, compared exactly: `30Gi` is `30720Mi`): it may grow,
 * never shrink, and the PVC neither appears nor disappears (unset: no PVC, which `unset` explains).
 */
export function growOnly(field: string, unset?: string): ChangeRule {
    const shrinks = (was: unknown, now: unknown) => typeof was === "string" && typeof now === "string" && (compareQuantities(now, was) ?? 0) < 0;
    const shown = (v: unknown, s: (v: unknown) => string) => (v === undefined && unset !== undefined ? `unset: ${unset}` : s(v));
    return {
        field,
        breaks: (was, now) => (was === undefined) !== (now === undefined) || shrinks(was, now),
        message: (was, now, s) =>
            shrinks(was, now)
                ? `${field} cannot shrink (was ${s(was)}, now ${s(now)}): a PersistentVolumeClaim can grow but never shrink. Keep it at ${s(was)} or more, ${MOVE}`
                : `${field} cannot change after creation (was ${shown(was, s)}, now ${shown(now, s)}): ${PVC_WHY} ${keep(was, s)}`,
    };
}

const SEEDS = "the seeds make it immutable";
const NAMESPACE_WHY = "every object would be re-created in the other namespace, and the StatefulSet's PVCs (the data) deleted with the old one.";
const FORK_WHY = `${SEEDS}: a service is forked only when it is created.`;
const TLS_WHY =
    "clients connect over one protocol on port 6379, and turning TLS on or off would cut every client that speaks the other one; the pods would also have to restart before the provider could reach them over the new protocol.";

const RESHARD_WHY =
    "a cluster spreads the keys over several primaries by slot, a 1-node or Sentinel plan keeps them all on one: the nodes would restart in the other mode with the keys where they are, and the keys of every shard but one would be lost or unreachable.";

/**
 * Every change rule, by field. Valkey and Redis (the Aiven front door, seeds 000/001): the seeds'
 * immutable fields, the namespace, the disk, the StorageClass, TLS, the number of databases.
 * ValkeyCluster (the operator front door, seeds/002: `pvc` "immutable after creation"): the
 * namespace, the disk, the StorageClass, TLS and where its certificates come from. ValkeyTopology
 * (its own inputs): TLS and where its certificates come from. A field nobody records is mutable.
 */
export const CHANGE_RULES: readonly ChangeRule[] = [
    // Valkey and Redis
    immutable(
        "project",
        `${SEEDS}, and it names the namespace of every object (unless kubernetes.namespace is set): the StatefulSet would be replaced in another namespace and its PVCs deleted with the old one.`,
    ),
    immutable("kubernetes.namespace", `it is the namespace of every object (by default from the project): ${NAMESPACE_WHY}`),
    immutable("connInfoSecretTargetDisabled", `${SEEDS}: it decides whether the connection Secret that applications read exists at all.`),
    immutable("connInfoSecretTarget.name", `${SEEDS}: applications load the connection Secret by this name, and a new name deletes the Secret they read.`),
    immutable("serviceIntegrations", `${SEEDS}: an integration is applied only when the service is created.`),
    immutable("userConfig.project_to_fork_from", FORK_WHY),
    immutable("userConfig.service_to_fork_from", FORK_WHY),
    // The plan's disk when disk_space is unset; unset: no PVC.
    growOnly("disk_space", 'no disk, as with plan free or userConfig.*_persistence "off"'),
    immutable("kubernetes.storageClassName", PVC_WHY),
    noSwitch("userConfig.valkey_ssl", TLS_WHY),
    noSwitch("userConfig.redis_ssl", TLS_WHY),
    // The topology of the plan (recorded as "standalone", "sentinel" or "cluster"), and ValkeyTopology's own `topology.kind`.
    noResharding("plan", "plan", RESHARD_WHY),
    noResharding("topology.kind", "topology", RESHARD_WHY),
    noDecrease(
        "userConfig.valkey_number_of_databases",
        "a node restarted with fewer databases refuses to load a dump that holds keys of a higher one, and does not start.",
    ),
    noDecrease(
        "userConfig.redis_number_of_databases",
        "a node restarted with fewer databases refuses to load a dump that holds keys of a higher one, and does not start.",
    ),
    // ValkeyCluster
    immutable("namespace", `it is the namespace of every object: ${NAMESPACE_WHY}`),
    growOnly("pvc.storageSize"),
    immutable("pvc.storageClassName", PVC_WHY),
    // ValkeyCluster, and ValkeyTopology's own `tls` input.
    noSwitch("tls", TLS_WHY),
    noAppearing(
        "tls.externalCerts",
        "the pods would mount the other certificates only after a restart, which the provider needs them to present the new certificate for.",
    ),
    noAppearing(
        "kubernetes.tls.externalCerts",
        "the pods would mount the other certificates only after a restart, which the provider needs them to present the new certificate for.",
    ),
    // ValkeyTopology: internal certificates name localhost, external ones are verified under the Service name.
    noAppearing(
        "tls.serverName",
        "the certificates cannot switch between internal and external (ValkeyCluster tls.externalCerts) on running nodes: the pods would mount the other Secret only after a restart, which the provider needs them to present the new certificate for.",
    ),
];

/**
 * Every rule of `rules` that the change from the recorded `olds` to `news` breaks, in the list's
 * order, e.g. `Valkey "cache": project cannot change after creation (was "shop", now "shop2"):
 * ...`. Nothing on create (nothing recorded), for a field one of them does not record (a resource
 * recorded by an older version: the next deployment records it), and for values not known yet
 * (they are judged when they are, still before the Kubernetes objects). Secret values are never
 * shown.
 */
export function changeIssues(olds: ChangeRecord | undefined, news: ChangeRecord, rules: readonly ChangeRule[] = CHANGE_RULES): ChangeIssue[] {
    if (olds === undefined || !isObject(olds.fields) || !isObject(news.fields)) return [];
    const prefix = typeof news.subject === "string" && news.subject !== UNKNOWN ? `${news.subject}: ` : "";
    const issues: ChangeIssue[] = [];
    for (const rule of rules) {
        const was = olds.fields[rule.field];
        const now = news.fields[rule.field];
        if (!isObject(was) || !isObject(now) || containsUnknown(was.value) || containsUnknown(now.value)) continue;
        if (!rule.breaks(was.value, now.value)) continue;
        const s = rule.secret === true ? (v: unknown) => (v === undefined ? "unset" : "a secret, not shown") : show;
        issues.push({ field: rule.field, message: `${prefix}${rule.message(was.value, now.value, s)}` });
    }
    return issues;
}

/** The ChangeRecord in a guard's inputs (`immutable`), or undefined when there is none (or it is not known yet). */
export function recordOf(inputs: Record<string, unknown>): ChangeRecord | undefined {
    const record = inputs.immutable;
    if (!isObject(record) || !isObject(record.fields) || containsUnknown(record.subject)) return undefined;
    return record as unknown as ChangeRecord;
}
