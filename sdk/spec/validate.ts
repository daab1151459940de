// The validation boundary: turns zod issues into messages a user can act on, each with the field
// path and the rule, and reports all of them at once.
import { z } from "zod";

/** One violated rule: the dotted field path and what is wrong, e.g. `plan: is required`. */
export interface SpecIssue {
    readonly path: string;
    readonly message: string;
}

/** Thrown when a spec breaks one or more rules; the message lists every issue. */
export class SpecError extends Error {
    constructor(
        readonly subject: string,
        readonly issues: readonly SpecIssue[],
    ) {
        super(
            `${subject} is invalid (${issues.length} ${issues.length === 1 ? "problem" : "problems"}):\n` +
                issues.map((i) => `  - ${formatIssue(i)}`).join("\n"),
        );
        this.name = "SpecError";
    }
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

function closest(candidate: string, known: readonly string[]): string | undefined {
    const prefixed = known.find((k) => k.startsWith(candidate) || candidate.startsWith(k));
    if (prefixed) return prefixed;
    let best: string | undefined;
    let bestDistance = Infinity;
    for (const k of known) {
        const d = editDistance(candidate.toLowerCase(), k.toLowerCase());
        if (d < bestDistance) {
            bestDistance = d;
            best = k;
        }
    }
    return bestDistance <= Math.max(2, Math.floor(candidate.length / 4)) ? best : undefined;
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

/** Converts zod issues into SpecIssues (one per violated rule, unknown keys one per key). */
export function toSpecIssues(error: z.ZodError, schema: z.ZodType, prefix: readonly PropertyKey[] = []): SpecIssue[] {
    const out: SpecIssue[] = [];
    for (const issue of error.issues) {
        const path = [...prefix, ...issue.path];
        const secret = isSecretPath(path);
        const input = (issue as { input?: unknown }).input;
        const got = secret ? "" : ` (got ${describe(input)})`;
        switch (issue.code) {
            case "unrecognized_keys": {
                const known = knownKeys(schema, path);
                for (const key of issue.keys) {
                    const hint = closest(key, known);
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
                    out.push(...toSpecIssues(new z.ZodError(matched[0]), schema, path));
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

/**
 * Parses `value` with `schema` and returns the typed result, or throws a SpecError listing every
 * issue. `ignore` drops issues at or below the given paths (values not known yet).
 */
export function parseSpec<S extends z.ZodType>(schema: S, value: unknown, subject: string, ignore: readonly string[] = []): z.output<S> {
    const result = schema.safeParse(value, { reportInput: true });
    if (result.success) return result.data;
    const issues = toSpecIssues(result.error, schema).filter(
        (issue) => !ignore.some((p) => issue.path === p || issue.path.startsWith(p + ".") || issue.path.startsWith(p + "[")),
    );
    if (issues.length === 0) return value as z.output<S>;
    throw new SpecError(subject, issues);
}
