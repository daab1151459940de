// What each front door records for the change rules (sdk/spec/changes.ts): the values in effect,
// defaults applied, by the path the user writes. A change is then judged on what the deployment
// does, not on how the spec spells it: an explicit default is no change (the connection Secret is
// named after the resource either way), and a plan whose disk differs is a change of disk_space.
// The components record these on their `<name>-immutable` guard; the disk and the StorageClass go
// on `<name>-guard`, which grows the PVCs (sdk/resources/guard.ts).
import { DEFAULT_DATABASES } from "../config/directives";
import type { RedisSpec, ValkeySpec } from "./aiven";
import { IMMUTABLE_FIELDS } from "./aiven";
import type { ImmutableField } from "./changes";
import type { ValkeyClusterSpec } from "./cluster";
import { DEFAULT_NAMESPACE } from "./cluster";

function at(value: unknown, path: string): unknown {
    let current = value;
    for (const key of path.split(".")) {
        if (current === null || typeof current !== "object") return undefined;
        current = (current as Record<string, unknown>)[key];
    }
    return current;
}

function fieldsOf(values: Readonly<Record<string, unknown>>): Record<string, ImmutableField> {
    return Object.fromEntries(Object.entries(values).map(([path, value]) => [path, value === undefined ? {} : { value }]));
}

/**
 * The recorded fields of a validated Valkey or Redis spec: the seeds' immutable fields
 * (IMMUTABLE_FIELDS), the namespace the objects live in (kubernetes.namespace, by default from the
 * project), TLS (`userConfig.<engine>_ssl`, default off) and the number of databases (default 16).
 */
export function serviceImmutables(
    engine: "valkey" | "redis",
    name: string,
    spec: ValkeySpec | RedisSpec,
    namespace: string,
    /** The plan's topology kind ("standalone", "sentinel", "cluster"), recorded as `plan` when given. */
    topology?: string,
): Record<string, ImmutableField> {
    const seeds: Record<(typeof IMMUTABLE_FIELDS)[number], unknown> = {
        project: spec.project,
        connInfoSecretTargetDisabled: spec.connInfoSecretTargetDisabled ?? false,
        "connInfoSecretTarget.name": spec.connInfoSecretTarget?.name ?? name,
        serviceIntegrations: spec.serviceIntegrations,
        "userConfig.project_to_fork_from": at(spec, "userConfig.project_to_fork_from"),
        "userConfig.service_to_fork_from": at(spec, "userConfig.service_to_fork_from"),
    };
    return fieldsOf({
        ...seeds,
        "kubernetes.namespace": namespace,
        [`userConfig.${engine}_ssl`]: at(spec, `userConfig.${engine}_ssl`) ?? false,
        // Only while TLS is on: turning it on with external certificates is one change, not two.
        ...(at(spec, `userConfig.${engine}_ssl`) === true ? { "kubernetes.tls.externalCerts": spec.kubernetes?.tls?.externalCerts } : {}),
        [`userConfig.${engine}_number_of_databases`]: at(spec, `userConfig.${engine}_number_of_databases`) ?? DEFAULT_DATABASES,
        // The plan may change, but not into or out of a cluster (a registered cluster plan).
        ...(topology !== undefined ? { plan: topology } : {}),
    });
}

/** The recorded fields of a validated ValkeyCluster spec: the namespace, TLS and, with TLS, where its certificates come from. */
export function clusterImmutables(spec: ValkeyClusterSpec): Record<string, ImmutableField> {
    return fieldsOf({
        namespace: spec.namespace ?? DEFAULT_NAMESPACE,
        tls: spec.tls !== undefined ? true : undefined,
        // Only while TLS is on: turning it on with external certificates is one change, not two.
        ...(spec.tls !== undefined ? { "tls.externalCerts": spec.tls.externalCerts } : {}),
        // Applications load the connection Secret by its name; recorded while there is one.
        ...(spec.connInfoSecretTarget !== undefined ? { "connInfoSecretTarget.name": spec.connInfoSecretTarget.name } : {}),
    });
}
