// Fields that cannot change after creation: those the seeds document as immutable, and those whose
// change would move the data away (the namespace). Changing one would mean a new service (another
// namespace, another Secret name, another fork source), so a change is refused rather than applied
// by replacing the StatefulSet and its PVCs. The components record these values on a guard
// resource; sdk/spec/changes.ts compares them with the recorded ones in the provider's `check`.
import type { RedisSpec, ValkeySpec } from "./aiven";
import { IMMUTABLE_FIELDS } from "./aiven";
import type { ImmutableField } from "./changes";
import type { ValkeyClusterSpec } from "./cluster";
import { DEFAULT_NAMESPACE } from "./cluster";
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

/** Why each field of a Valkey or Redis spec cannot change (one sentence each). */
const SERVICE_WHY: Readonly<Record<(typeof IMMUTABLE_FIELDS)[number], string>> = {
    project:
        "the seeds make it immutable, and it names the namespace of every object (unless kubernetes.namespace is set): the StatefulSet would be replaced in another namespace and its PVCs deleted with the old one.",
    connInfoSecretTargetDisabled: "the seeds make it immutable: it decides whether the connection Secret that applications read exists at all.",
    "connInfoSecretTarget.name":
        "the seeds make it immutable: applications load the connection Secret by this name, and a new name deletes the Secret they read.",
    serviceIntegrations: "the seeds make it immutable: an integration is applied only when the service is created.",
    "userConfig.project_to_fork_from": "the seeds make it immutable: a service is forked only when it is created.",
    "userConfig.service_to_fork_from": "the seeds make it immutable: a service is forked only when it is created.",
};

const NAMESPACE_WHY = "every object would be re-created in the other namespace, and the StatefulSet's PVCs (the data) deleted with the old one.";

/**
 * The immutable fields of a validated Valkey or Redis spec with the values in effect (defaults
 * applied: the connection Secret is named after the resource, it exists unless disabled), plus the
 * namespace the objects live in (kubernetes.namespace, by default from the project).
 */
export function serviceImmutables(name: string, spec: ValkeySpec | RedisSpec, namespace: string): Record<string, ImmutableField> {
    const effective: Record<(typeof IMMUTABLE_FIELDS)[number], unknown> = {
        project: spec.project,
        connInfoSecretTargetDisabled: spec.connInfoSecretTargetDisabled ?? false,
        "connInfoSecretTarget.name": spec.connInfoSecretTarget?.name ?? name,
        serviceIntegrations: spec.serviceIntegrations,
        "userConfig.project_to_fork_from": at(spec, "userConfig.project_to_fork_from"),
        "userConfig.service_to_fork_from": at(spec, "userConfig.service_to_fork_from"),
    };
    const fields: Record<string, ImmutableField> = {};
    for (const path of IMMUTABLE_FIELDS) {
        const value = effective[path];
        fields[path] = value === undefined ? { why: SERVICE_WHY[path] } : { value, why: SERVICE_WHY[path] };
    }
    fields["kubernetes.namespace"] = { value: namespace, why: `it is the namespace of every object (by default from the project): ${NAMESPACE_WHY}` };
    return fields;
}

/**
 * The immutable fields of a validated ValkeyCluster spec with the values in effect: the namespace
 * (pvc.storageClassName and pvc.storageSize have their own rules in the guard).
 */
export function clusterImmutables(spec: ValkeyClusterSpec): Record<string, ImmutableField> {
    return { namespace: { value: spec.namespace ?? DEFAULT_NAMESPACE, why: `it is the namespace of every object: ${NAMESPACE_WHY}` } };
}
