// Fields the seeds document as immutable. Changing one would mean a new service (another
// namespace, another Secret name, another fork source), so a change is refused rather than
// applied by replacing the data.
import { IMMUTABLE_FIELDS } from "./aiven";
import { SpecIssue } from "./validate";

function at(value: unknown, path: string): unknown {
    let current = value;
    for (const key of path.split(".")) {
        if (current === null || typeof current !== "object") return undefined;
        current = (current as Record<string, unknown>)[key];
    }
    return current;
}

function show(value: unknown): string {
    return value === undefined ? "unset" : JSON.stringify(value);
}

/**
 * The immutable fields whose value differs between the spec recorded at creation and the new one,
 * e.g. `project: is immutable after creation (was "a", now "b"); ...`.
 */
export function immutableViolations(recorded: unknown, next: unknown): SpecIssue[] {
    const issues: SpecIssue[] = [];
    for (const path of IMMUTABLE_FIELDS) {
        const before = at(recorded, path);
        const after = at(next, path);
        if (JSON.stringify(before) !== JSON.stringify(after)) {
            issues.push({
                path,
                message: `is immutable after creation (was ${show(before)}, now ${show(after)}); create a new resource instead`,
            });
        }
    }
    return issues;
}
