// The validation boundary: turns zod issues into messages a user can act on, each with the field
// path and the rule, and reports all of them at once.
import { z } from "zod";

/** One violated rule: the dotted field path and what is wrong, e.g. `plan: is required`. */
export interface SpecIssue {
    readonly path: string;
    readonly message: string;
}

/**
 * The message lists this many issues, then says how many more there are (`issues` keeps them
 * all): far more than a spec has fields, and a bound on what 5,000 unknown keys print.
 */
export const MAX_LISTED_ISSUES = 100;
/** Longer lines of the message (a huge unknown key or value echoed back) are cut here. */
export const MAX_ISSUE_LINE_LENGTH = 1000;

/** Thrown when a spec breaks one or more rules; the message lists every issue. */
export class SpecError extends Error {
    constructor(
        readonly subject: string,
        readonly issues: readonly SpecIssue[],
    ) {
        const listed = issues.slice(0, MAX_LISTED_ISSUES).map((i) => `  - ${shorten(formatIssue(i))}`);
        if (issues.length > MAX_LISTED_ISSUES) listed.push(`  - ... and ${issues.length - MAX_LISTED_ISSUES} more`);
        super(`${subject} is invalid (${issues.length} ${issues.length === 1 ? "problem" : "problems"}):\n` + listed.join("\n"));
        this.name = "SpecError";
    }
}

function shorten(line: string): string {
    return line.length <= MAX_ISSUE_LINE_LENGTH ? line : `${line.slice(0, MAX_ISSUE_LINE_LENGTH)}... (${line.length} characters)`;
}

export function formatIssue(issue: SpecIssue): string {
    return issue.path === "" ? issue.message : `${issue.path}: ${issue.message}`;
}

// Values of these fields are never echoed back in a message: they are credentials.
const SECRET_FIELD = /pass(word)?s?$|secret$|token$|kubeconfig$/i;

export function pathToString(path: readonly PropertyKey[]): string {
    let out = "";
    for (const segment of path) {
        if (typeof segment === "number") out += `[${segment}]`;
        else out += out === "" ? String(segment) : `.${String(segment)}`;
    }
    return out;
}

function isSecretPath(path: readonly PropertyKey[]): boolean {
    return path.some((segment) => typeof segment === "string" && SECRET_FIELD.test(segment));
}

function describe(value: unknown): string {
    if (value === null) return "null";
    if (Array.isArray(value)) return "an array";
    if (typeof value === "string") return JSON.stringify(value);
    if (typeof value === "object") return "an object";
    // String() of a function is its source.
    if (typeof value === "function") return "a function";
    return String(value);
}

function typeName(value: unknown): string {
    if (value === null) return "null";
    if (Array.isArray(value)) return "array";
    return typeof value;
}

const ARTICLE: Record<string, string> = {
    string: "a string",
    number: "a number",
    int: "an integer",
    boolean: "a boolean",
    object: "an object",
    array: "an array",
    record: "an object",
};

function plural(n: number | bigint, word: string): string {
    return `${n} ${word}${Number(n) === 1 ? "" : "s"}`;
}

/**
 * "did you mean" hints are computed for this many unknown keys of a spec, and only for keys up to
 * this long (no field name is longer than 64 characters). Each hint costs an edit distance to
 * every known key: 5,000 unknown keys of 1,000 characters took 7.8 s before these bounds.
 */
export const MAX_HINTED_KEYS = 20;
export const MAX_HINTED_KEY_LENGTH = 64;

function closest(candidate: string, known: readonly string[]): string | undefined {
    if (candidate.length > MAX_HINTED_KEY_LENGTH) return undefined;
    const prefixed = known.find((k) => k.startsWith(candidate) || candidate.startsWith(k));
    if (prefixed) return prefixed;
    const allowed = Math.max(2, Math.floor(candidate.length / 4));
    let best: string | undefined;
    let bestDistance = Infinity;
    for (const k of known) {
        // The distance is at least the difference in length: no need to compute it.
        if (Math.abs(k.length - candidate.length) > allowed) continue;
        const d = editDistance(candidate.toLowerCase(), k.toLowerCase());
        if (d < bestDistance) {
            bestDistance = d;
            best = k;
        }
    }
    return bestDistance <= allowed ? best : undefined;
}

function editDistance(a: string, b: string): number {
    const row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        let prev = row[0];
        row[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const tmp = row[j];
            row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
            prev = tmp;
        }
    }
    return row[b.length];
}

/** The keys an object schema accepts at `path` inside `schema`, for "did you mean" hints. */
function knownKeys(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
    let current: z.ZodType | undefined = schema;
    for (const segment of path) {
        current = objectOption(unwrapSchema(current));
        if (current instanceof z.ZodObject) {
            current = (current.shape as Record<string, z.ZodType>)[String(segment)];
        } else if (current instanceof z.ZodArray) {
            current = current.element as z.ZodType;
        } else {
            return [];
        }
    }
    current = objectOption(unwrapSchema(current));
    return current instanceof z.ZodObject ? Object.keys(current.shape) : [];
}

/** For a union, its object member (the only one that can have unknown keys). */
function objectOption(schema: z.ZodType | undefined): z.ZodType | undefined {
    if (!(schema instanceof z.ZodUnion)) return schema;
    return (schema.options as z.ZodType[]).map(unwrapSchema).find((o) => o instanceof z.ZodObject);
}

function unwrapSchema(schema: z.ZodType | undefined): z.ZodType | undefined {
    let s = schema;
    while (s instanceof z.ZodOptional || s instanceof z.ZodNullable || s instanceof z.ZodDefault) {
        s = s.unwrap() as z.ZodType;
    }
    return s;
}

/** The value at `path` in the plain tree `root` (what plainInput made), undefined when there is none. */
function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
    let current = root;
    for (const segment of path) {
        if (current === null || typeof current !== "object" || !Object.prototype.hasOwnProperty.call(current, segment)) return undefined;
        current = (current as Record<PropertyKey, unknown>)[segment];
    }
    return current;
}

/**
 * Converts zod issues into SpecIssues (one per violated rule, unknown keys one per key). The value
 * an issue is about is looked up at its path in `root`, the parsed input: zod's `reportInput`
 * would put the input into every issue, and a ZodError JSON-encodes all of them (2,000 unknown
 * keys made a string longer than V8 allows; a cycle made it throw a TypeError).
 */
export function toSpecIssues(
    error: { readonly issues: readonly z.core.$ZodIssue[] },
    schema: z.ZodType,
    root: unknown,
    prefix: readonly PropertyKey[] = [],
    hints = { left: MAX_HINTED_KEYS },
): SpecIssue[] {
    const out: SpecIssue[] = [];
    const numericBounds = new Map<string, { index: number; bound: number }>();
    for (const issue of error.issues) {
        const path = [...prefix, ...issue.path];
        const secret = isSecretPath(path);
        const input = valueAt(root, path);
        const got = secret ? "" : ` (got ${describe(input)})`;
        switch (issue.code) {
            case "unrecognized_keys": {
                const known = knownKeys(schema, path);
                for (const key of issue.keys) {
                    const hint = hints.left > 0 ? closest(key, known) : undefined;
                    hints.left--;
                    out.push({
                        path: pathToString([...path, key]),
                        message: `unknown field${hint ? ` (did you mean ${hint}?)` : ""}`,
                    });
                }
                break;
            }
            case "invalid_type":
                out.push({
                    path: pathToString(path),
                    message:
                        input === undefined
                            ? "is required"
                            : `must be ${ARTICLE[issue.expected] ?? issue.expected} (got ${secret ? typeName(input) : describe(input)})`,
                });
                break;
            case "too_big":
            case "too_small": {
                const bound = issue.code === "too_big" ? (issue.maximum as number) : (issue.minimum as number);
                const word = issue.code === "too_big" ? "at most" : "at least";
                let message: string;
                if (issue.origin === "string") {
                    const length = typeof input === "string" ? input.length : 0;
                    message =
                        issue.code === "too_small" && bound === 1 ? "must not be empty" : `must be ${word} ${plural(bound, "character")} long (got ${length})`;
                } else if (issue.origin === "array" || issue.origin === "set") {
                    const length = Array.isArray(input) ? input.length : 0;
                    message = `must have ${word} ${plural(bound, "item")} (got ${length})`;
                } else {
                    message = `must be ${word} ${bound}${got}`;
                    // int() adds the safe-integer range as a second bound: 1e308 would break both,
                    // and only the field's own (the stricter) says anything.
                    const key = `${issue.code} ${pathToString(path)}`;
                    const earlier = numericBounds.get(key);
                    if (earlier !== undefined) {
                        const stricter = issue.code === "too_big" ? bound < earlier.bound : bound > earlier.bound;
                        if (stricter) {
                            out[earlier.index] = { path: pathToString(path), message };
                            earlier.bound = bound;
                        }
                        break;
                    }
                    numericBounds.set(key, { index: out.length, bound });
                }
                out.push({ path: pathToString(path), message });
                break;
            }
            case "invalid_format":
                out.push({
                    path: pathToString(path),
                    message:
                        issue.format === "regex" && issue.pattern
                            ? `must match ${issue.pattern}${got}`
                            : `must be ${issue.format === "email" ? "an email address" : `a valid ${issue.format}`}${got}`,
                });
                break;
            case "invalid_value":
                out.push({
                    path: pathToString(path),
                    message:
                        input === undefined
                            ? "is required"
                            : issue.values.length === 1
                              ? `must be ${describe(issue.values[0])}${got}`
                              : `must be one of ${issue.values.map((v) => String(v)).join(", ")}${got}`,
                });
                break;
            case "invalid_union": {
                // Report the issues of the branch whose type matched the input; when none did, the
                // union's own message says which forms are accepted.
                const matched = issue.errors.filter((branch) => branch.length > 0 && !branch.some((i) => i.code === "invalid_type" && i.path.length === 0));
                if (matched.length > 0) {
                    out.push(...toSpecIssues({ issues: matched[0] }, schema, root, path, hints));
                } else {
                    out.push({ path: pathToString(path), message: `${issue.message}${got}` });
                }
                break;
            }
            default:
                // Custom refinements carry their own full message.
                out.push({ path: pathToString(path), message: issue.message });
        }
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// What reaches the schemas: a tree of plain values, whatever the caller passed

/** Deeper than any spec nests (a Kubernetes affinity term is about 10 levels deep). */
export const MAX_INPUT_DEPTH = 64;
/**
 * More values than any spec holds: the largest (2,048 ip_filter entries with descriptions, 256 ACL
 * users with 5 passwords each) has about 9,000.
 */
export const MAX_INPUT_VALUES = 20_000;
/**
 * Never field names. As keys they change what an object inherits: `obj[key] = v` with `__proto__`
 * sets the prototype, so a JSON-loaded spec would pass fields through it unseen; and an own
 * `constructor` makes zod take a map for a class instance.
 */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

function isUnder(path: string, parent: string): boolean {
    return path === parent || path.startsWith(parent + ".") || path.startsWith(parent + "[");
}

/**
 * A copy of `input` that the schemas can walk without overflowing the stack, looping or reading a
 * prototype: own enumerable string keys only, and nothing past MAX_INPUT_DEPTH levels, a cycle,
 * a forbidden key, a value that throws when read or MAX_INPUT_VALUES values (each reported as an
 * issue at its path instead). `exhausted` says the walk stopped at MAX_INPUT_VALUES.
 */
export function plainInput(input: unknown): { value: unknown; issues: SpecIssue[]; exhausted: boolean } {
    const issues: SpecIssue[] = [];
    const ancestors = new Map<object, readonly PropertyKey[]>();
    let count = 0;
    let exhausted = false;
    const walk = (value: unknown, path: readonly PropertyKey[]): unknown => {
        if (++count > MAX_INPUT_VALUES) {
            if (!exhausted) issues.push({ path: pathToString(path), message: `is past the ${MAX_INPUT_VALUES}th value of the spec; no spec holds that many` });
            exhausted = true;
            return undefined;
        }
        if (value === null || typeof value !== "object") return value;
        const first = ancestors.get(value);
        if (first !== undefined) {
            const at = pathToString(first);
            issues.push({
                path: pathToString(path),
                message: `refers back to ${at === "" ? "the spec itself" : at}: a spec is a tree of plain values, without cycles`,
            });
            return undefined;
        }
        if (path.length >= MAX_INPUT_DEPTH) {
            issues.push({ path: pathToString(path), message: `nests deeper than ${MAX_INPUT_DEPTH} levels; no field of a spec nests that deep` });
            return undefined;
        }
        const unreadable = (at: readonly PropertyKey[], e: unknown) =>
            issues.push({ path: pathToString(at), message: `could not be read (${e instanceof Error ? e.name : typeof e} thrown)` });
        ancestors.set(value, path);
        try {
            if (Array.isArray(value)) {
                const out: unknown[] = [];
                for (let i = 0; i < value.length && !exhausted; i++) {
                    try {
                        out.push(walk(value[i], [...path, i]));
                    } catch (e) {
                        unreadable([...path, i], e);
                        out.push(undefined);
                    }
                }
                return out;
            }
            const out: Record<string, unknown> = {};
            for (const key of Object.keys(value)) {
                if (exhausted) break;
                if (FORBIDDEN_KEYS.has(key)) {
                    issues.push({
                        path: pathToString([...path, key]),
                        message: `is not allowed as a key: ${[...FORBIDDEN_KEYS].join(", ")} are never field names, and as keys they change what an object inherits`,
                    });
                    continue;
                }
                try {
                    out[key] = walk((value as Record<string, unknown>)[key], [...path, key]);
                } catch (e) {
                    unreadable([...path, key], e);
                }
            }
            return out;
        } catch (e) {
            // Object.keys itself threw (a Proxy).
            unreadable(path, e);
            return undefined;
        } finally {
            ancestors.delete(value);
        }
    };
    const value = walk(input, []);
    return { value, issues, exhausted };
}

/**
 * Parses `value` with `schema` and returns the typed result, or throws a SpecError listing every
 * issue. `ignore` drops issues at or below the given paths (values not known yet). Whatever
 * `value` is (cyclic, 20,000 levels deep, a Proxy, a JSON object with a `__proto__` key), the
 * only error this throws is a SpecError.
 */
export function parseSpec<S extends z.ZodType>(schema: S, value: unknown, subject: string, ignore: readonly string[] = []): z.output<S> {
    const plain = plainInput(value);
    const kept = (issues: SpecIssue[]) => issues.filter((issue) => !ignore.some((p) => isUnder(issue.path, p)));
    // A spec with 100,000 values is not worth parsing for more problems.
    if (plain.exhausted) throw new SpecError(subject, plain.issues);
    const result = schema.safeParse(plain.value);
    // What the walk left out would only come back as "is required" or the like at the same place.
    const schemaIssues = result.success
        ? []
        : toSpecIssues(result.error, schema, plain.value).filter((i) => !plain.issues.some((p) => isUnder(i.path, p.path)));
    const issues = kept([...plain.issues, ...schemaIssues]);
    if (issues.length > 0) throw new SpecError(subject, issues);
    return (result.success ? result.data : plain.value) as z.output<S>;
}

/**
 * The issues of `value`, the part of a spec at `path` (e.g. `acl.users[0].passwords`), under the
 * schema of that part, with their full paths and the same messages parseSpec gives for the part
 * inside the whole spec. For a part validated on its own because it resolves later than the rest
 * (an Output). The schema should hold no objects: "did you mean" hints are not computed here.
 */
export function specIssuesAt(schema: z.ZodType, value: unknown, path: readonly PropertyKey[]): SpecIssue[] {
    const plain = plainInput(value);
    const under = (relative: string) =>
        relative === "" ? pathToString(path) : relative.startsWith("[") ? pathToString(path) + relative : `${pathToString(path)}.${relative}`;
    const walkIssues = plain.issues.map((i) => ({ ...i, path: under(i.path) }));
    if (plain.exhausted) return walkIssues;
    const result = schema.safeParse(plain.value);
    if (result.success) return walkIssues;
    // toSpecIssues looks the offending values up at their full paths: the part, placed there.
    let root: unknown = plain.value;
    for (let i = path.length - 1; i >= 0; i--) {
        const holder: object = typeof path[i] === "number" ? [] : {};
        Object.defineProperty(holder, path[i], { value: root, enumerable: true, writable: true, configurable: true });
        root = holder;
    }
    const schemaIssues = toSpecIssues(result.error, schema, root, path).filter((i) => !walkIssues.some((p) => isUnder(i.path, p.path)));
    return [...walkIssues, ...schemaIssues];
}
