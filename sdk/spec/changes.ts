// The change rule for immutable fields, over the values recorded at the last deployment. A
// component only sees the new spec; the dynamic provider's `check` sees the recorded inputs too
// (Pulumi passes the previous inputs as `olds`), so this runs there and a failure fails `pulumi
// preview` (and `pulumi up`, Automation API included, before any Kubernetes object changes: the
// component's objects depend on the resource that runs it). Pure and import-free: the guard's
// dynamic provider (sdk/components/guard.ts) is serialized with it.

/** What Pulumi passes for a value not known yet (during preview). */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** One immutable field as the component records it. */
export interface ImmutableField {
    /** The value in effect (defaults applied); unset when the field is unset and has no default. */
    readonly value?: unknown;
    /** Why it cannot change, one sentence ending with a period, e.g. what a change would delete. */
    readonly why: string;
}

/** The immutable fields of one component: who the messages name, and each field by its spec path. */
export interface ImmutableInput {
    /** E.g. `Valkey "cache"`. */
    readonly subject: string;
    /** By the path the user writes, e.g. `connInfoSecretTarget.name`. */
    readonly fields: Readonly<Record<string, ImmutableField>>;
}

export interface ImmutableFailure {
    /** The field's path. */
    readonly property: string;
    readonly reason: string;
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

/**
 * Every immutable field whose value differs between the recorded inputs (`olds.immutable`) and
 * the new ones (`news.immutable`), e.g. `Valkey "cache": project cannot change after creation (was
 * "shop", now "shop2"): ...`. Nothing on create (nothing recorded), for a resource recorded before
 * its component passed `immutable` (the first update records them), and for values not known yet
 * (they are judged when they are, still before the Kubernetes objects).
 */
export function immutableFailures(olds: Record<string, unknown>, news: Record<string, unknown>): ImmutableFailure[] {
    const before = olds.immutable;
    const after = news.immutable;
    if (!isObject(before) || !isObject(before.fields) || !isObject(after) || containsUnknown(after.subject)) return [];
    if (!isObject(after.fields)) return [];
    const subject = typeof after.subject === "string" ? after.subject : "this resource";
    const failures: ImmutableFailure[] = [];
    // Sorted: Pulumi hands property maps over with their keys sorted anyway.
    const paths = [...new Set([...Object.keys(before.fields), ...Object.keys(after.fields)])].sort();
    for (const path of paths) {
        const was = before.fields[path];
        const now = after.fields[path];
        // A field a later version records for the first time has no recorded value to compare.
        if (!isObject(was)) continue;
        if (now !== undefined && (!isObject(now) || containsUnknown(now.value))) continue;
        const oldValue = was.value;
        const newValue = isObject(now) ? now.value : undefined;
        if (sameValue(oldValue, newValue)) continue;
        const why = isObject(now) && typeof now.why === "string" ? now.why : typeof was.why === "string" ? was.why : "";
        failures.push({
            property: path,
            reason: `${subject}: ${path} cannot change after creation (was ${show(oldValue)}, now ${show(newValue)}): ${why}${why === "" ? "" : " "}${oldValue === undefined ? "Leave it unset" : `Keep ${show(oldValue)}`}, or create a new resource and move the data.`,
        });
    }
    return failures;
}
