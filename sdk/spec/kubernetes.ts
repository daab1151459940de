// The Kubernetes rules both front doors share: names, label and annotation maps, Kubernetes-shaped
// objects checked with their kubernetes-models class, and the scheduling and resources fields
// (ValkeyCluster at the top level, Valkey/Redis under `kubernetes`). One copy of each rule, so
// that the two front doors refuse the same value with the same words; the API server would
// otherwise refuse the whole apply for one bad field, after `pulumi preview` said nothing.
import { z } from "zod";
import { INodeAffinity, NodeAffinity } from "kubernetes-models/v1/NodeAffinity";
import { IPodAffinity, PodAffinity } from "kubernetes-models/v1/PodAffinity";
import { IPodAntiAffinity, PodAntiAffinity } from "kubernetes-models/v1/PodAntiAffinity";
import { IPodSecurityContext, PodSecurityContext } from "kubernetes-models/v1/PodSecurityContext";
import { IResourceRequirements, ResourceRequirements } from "kubernetes-models/v1/ResourceRequirements";
import { IToleration, Toleration } from "kubernetes-models/v1/Toleration";
import { ITopologySpreadConstraint, TopologySpreadConstraint } from "kubernetes-models/v1/TopologySpreadConstraint";
import { KUBERNETES_QUANTITY_MAX, MIN_MEMORY_MIB, quantityExceeds } from "./limits";
import { compareQuantities, quantityValue } from "./quantity";
import { ANNOTATION_PREFIX } from "./service-model";

// ---------------------------------------------------------------------------------------------
// Names, labels, annotations

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
/** A DNS subdomain (RFC 1123) without its length bound (253): Secret, StorageClass and label-prefix names. */
export const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The rule a DNS subdomain (RFC 1123) follows, as messages state it. */
export const DNS_SUBDOMAIN_RULE =
    "a DNS subdomain (RFC 1123): dot-separated labels of 1-63 lowercase letters, digits and '-', each starting and ending with a letter or digit, at most 253 characters in all";

/**
 * Why `value` is not a DNS subdomain (RFC 1123), or undefined when it is. The cluster domain
 * is written into the pods' shell scripts and sentinel.conf: this rule is what keeps a value
 * like `cluster.local}"; id; : "${x` from running as a command there.
 */
export function dnsSubdomainProblem(value: string): string | undefined {
    if (value.length === 0) return "is empty";
    if (value.length > 253) return `is ${value.length} characters long`;
    if (!/^[a-z0-9.-]*$/.test(value)) return "has characters other than lowercase letters, digits, '-' and '.'";
    const labels = value.split(".");
    if (labels.some((l) => l.length === 0)) return "has an empty label (a leading, trailing or doubled '.')";
    const long = labels.find((l) => l.length > 63);
    if (long !== undefined) return `has a label of ${long.length} characters`;
    if (labels.some((l) => l.startsWith("-") || l.endsWith("-"))) return "has a label starting or ending with '-'";
    return undefined;
}

/** A string that must be a DNS subdomain (RFC 1123); the message says which part breaks the rule. */
export const dnsSubdomainSchema = z.string().superRefine((value, ctx) => {
    const problem = dnsSubdomainProblem(value);
    if (problem !== undefined) ctx.addIssue({ code: "custom", message: `must be ${DNS_SUBDOMAIN_RULE}; it ${problem} (got ${JSON.stringify(value)})` });
});

/** Why `key` is not a valid Kubernetes label key, or undefined when it is. */
export function labelKeyProblem(key: string): string | undefined {
    const parts = key.split("/");
    if (parts.length > 2) return "has more than one '/'";
    const [prefix, name] = parts.length === 2 ? parts : [undefined, parts[0]];
    if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
        return "has a prefix that is not a DNS subdomain";
    }
    if (name.length === 0 || name.length > 63 || !LABEL_NAME.test(name)) {
        return "must be 1-63 characters of [A-Za-z0-9-_.], starting and ending alphanumeric (optionally prefixed by a DNS subdomain and '/')";
    }
    return undefined;
}

/** Whether `value` is a Kubernetes label value (at most 63 of [A-Za-z0-9-_.], alphanumeric at both ends, or empty). */
export function isLabelValueOrEmpty(value: string): boolean {
    return value.length <= 63 && LABEL_VALUE.test(value);
}

/** A map that becomes Kubernetes labels (tags, labels) or selects on them (nodeSelector). */
export const labelMap = () =>
    z.record(z.string(), z.string()).superRefine((labels, ctx) => {
        for (const [key, value] of Object.entries(labels)) {
            const keyProblem = labelKeyProblem(key);
            if (keyProblem) {
                ctx.addIssue({ code: "custom", path: [key], message: `is not a valid Kubernetes label key: ${keyProblem}` });
            }
            if (!isLabelValueOrEmpty(value)) {
                ctx.addIssue({
                    code: "custom",
                    path: [key],
                    message: `is not a valid Kubernetes label value: must be at most 63 characters of [A-Za-z0-9-_.], starting and ending alphanumeric (got ${JSON.stringify(value)})`,
                });
            }
        }
    });

/** A map that becomes Kubernetes annotations (keys follow label-key rules). */
export const annotationMap = () =>
    z.record(z.string(), z.string()).superRefine((annotations, ctx) => {
        for (const key of Object.keys(annotations)) {
            const problem = labelKeyProblem(key);
            if (problem) ctx.addIssue({ code: "custom", path: [key], message: `is not a valid Kubernetes annotation key: ${problem}` });
        }
    });

// ---------------------------------------------------------------------------------------------
// Kubernetes objects

/**
 * A Kubernetes object checked with its kubernetes-models class. ajv reports a bad quantity three
 * times (as number, as format, as oneOf); one message per field path is kept, the most specific.
 */
export function kubernetesObject<T>(Model: new (data: T) => { validate(): void }, kind: string) {
    return z
        .custom<T>((v) => v !== null && typeof v === "object" && !Array.isArray(v), { message: `must be a Kubernetes ${kind} object` })
        .superRefine((value, ctx) => {
            try {
                new Model(value).validate();
            } catch (e) {
                const errors = (e as { errors?: Array<{ instancePath: string; keyword: string; message?: string; params?: Record<string, unknown> }> }).errors;
                if (!Array.isArray(errors)) throw e;
                const byPath = new Map<string, string>();
                for (const err of errors) {
                    const allowed = Array.isArray(err.params?.allowedValues) ? ` (${(err.params.allowedValues as unknown[]).join(", ")})` : "";
                    const text = `${err.message ?? "is invalid"}${allowed}`;
                    const missing = typeof err.params?.missingProperty === "string" ? err.params.missingProperty : undefined;
                    const path = [
                        ...err.instancePath
                            .split("/")
                            .slice(1)
                            .map((s) => (/^\d+$/.test(s) ? Number(s) : s)),
                        ...(missing ? [missing] : []),
                    ];
                    const key = JSON.stringify(path);
                    const preferred = err.keyword === "format" || !byPath.has(key);
                    if (err.keyword !== "oneOf" && preferred) byPath.set(key, missing ? "is required" : text);
                }
                for (const [key, message] of byPath) ctx.addIssue({ code: "custom", path: JSON.parse(key), message });
            }
        });
}

// ---------------------------------------------------------------------------------------------
// Scheduling: where the pods may run, and as whom

export const tolerationsSchema = z.array(kubernetesObject<IToleration>(Toleration, "Toleration"));
/** nodeSelector is matched against node labels: a key or value that no label can have would leave the pods Pending forever. */
export const nodeSelectorSchema = labelMap();
export const nodeAffinitySchema = kubernetesObject<INodeAffinity>(NodeAffinity, "NodeAffinity");
export const podAffinitySchema = kubernetesObject<IPodAffinity>(PodAffinity, "PodAffinity");
export const podAntiAffinitySchema = kubernetesObject<IPodAntiAffinity>(PodAntiAffinity, "PodAntiAffinity");
export const topologySpreadConstraintsSchema = z.array(kubernetesObject<ITopologySpreadConstraint>(TopologySpreadConstraint, "TopologySpreadConstraint"));
/** A PriorityClass is a cluster-scoped object: its name is a DNS subdomain. */
export const priorityClassNameSchema = dnsSubdomainSchema;
export const securityContextSchema = kubernetesObject<IPodSecurityContext>(PodSecurityContext, "PodSecurityContext");
export const resourcesSchema = kubernetesObject<IResourceRequirements>(ResourceRequirements, "ResourceRequirements");

/** The pod annotations the package writes itself start with this; the user's may not. */
export const RESERVED_ANNOTATION_PREFIX = `${ANNOTATION_PREFIX}/`;
/** The one pod annotation the package writes outside its prefix: which container kubectl picks. */
export const DEFAULT_CONTAINER_ANNOTATION = "kubectl.kubernetes.io/default-container";

/**
 * The user's pod template annotations. Keys under `pulumi-valkey/` are refused: the package keeps
 * its own there (`pulumi-valkey/config-hash`, `tls-cert-hash`, `exporter-auth`), and a user value
 * over one would hide a configuration change from the rollout. So is DEFAULT_CONTAINER_ANNOTATION,
 * which the package sets on every pod: a value of the user's would otherwise be dropped unseen.
 */
export const podAnnotationsSchema = annotationMap().superRefine((annotations, ctx) => {
    for (const key of Object.keys(annotations)) {
        if (key.startsWith(RESERVED_ANNOTATION_PREFIX)) {
            ctx.addIssue({
                code: "custom",
                path: [key],
                message: `is reserved: the prefix ${RESERVED_ANNOTATION_PREFIX} holds the package's own pod annotations (the configuration hash that rolls the pods); use another prefix`,
            });
        } else if (key === DEFAULT_CONTAINER_ANNOTATION) {
            ctx.addIssue({
                code: "custom",
                path: [key],
                message: "is set by the package (the valkey container, or sentinel on the Sentinel pods); remove it",
            });
        }
    }
});

// ---------------------------------------------------------------------------------------------
// Resources

/** One broken resources rule, with its path relative to the resources object. */
export interface ResourcesProblem {
    readonly path: readonly string[];
    readonly message: string;
}

/** What a quantity past KUBERNETES_QUANTITY_MAX is told. */
export const QUANTITY_BOUND = `must be at most ${KUBERNETES_QUANTITY_MAX} bytes (8Ei less one byte), the largest Kubernetes quantity`;

/**
 * A quantity as text, or undefined for anything else. The resources rules run on values whose
 * schema may have failed (zod runs the object's refinements all the same), which can be a bigint,
 * an object or a cycle: those are reported by the schema, and skipped here.
 */
function quantityText(value: unknown): string | undefined {
    if (typeof value === "string") return value;
    return typeof value === "number" && Number.isFinite(value) ? String(value) : undefined;
}

function quantities(map: unknown): Record<string, string> {
    if (map === null || typeof map !== "object" || Array.isArray(map)) return {};
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(map as Record<string, unknown>)) {
        const text = quantityText(value);
        if (text !== undefined) out[name] = text;
    }
    return out;
}

/** The memory quantity maxmemory derives from: the limit (what the kernel enforces), else the request. */
export function memoryBound(resources: IResourceRequirements): { kind: "limits" | "requests"; value: string } | undefined {
    const limit = quantities(resources.limits).memory;
    if (limit !== undefined) return { kind: "limits", value: limit };
    const request = quantities(resources.requests).memory;
    return request !== undefined ? { kind: "requests", value: request } : undefined;
}

/**
 * What is wrong with the valkey container's resources in effect (`effective`), of which the user
 * gave `given` (the rest is `defaultsName`, e.g. "plan startup-4's"): a memory past the largest
 * quantity (maxmemory would print as 7e+23mb, which valkey-server refuses, or wrap around to no
 * limit); a memory bound below MIN_MEMORY_MIB (maxmemory keeps 16 MiB of headroom for the server
 * itself, so less leaves no room for data: the pod is OOM-killed or refuses every write); and a
 * request above its limit, which the API server refuses at the apply. Each problem is reported on
 * a field the user gave, and says how to fix it.
 */
export function resourcesProblems(effective: IResourceRequirements, given: IResourceRequirements, defaultsName = "the default"): ResourcesProblem[] {
    const problems: ResourcesProblem[] = [];
    const yours = { requests: quantities(given.requests), limits: quantities(given.limits) };
    const inEffect = { requests: quantities(effective.requests), limits: quantities(effective.limits) };
    const gave = (kind: "requests" | "limits", name: string) => yours[kind][name] !== undefined;
    for (const kind of ["limits", "requests"] as const) {
        const memory = yours[kind].memory;
        if (memory !== undefined && quantityExceeds(memory, KUBERNETES_QUANTITY_MAX)) {
            problems.push({ path: [kind, "memory"], message: `${QUANTITY_BOUND} (got ${JSON.stringify(memory)})` });
        }
    }
    const bound = memoryBound(effective);
    // Reported where the user wrote it: with the Aiven front door a memory given as a request only
    // is the limit too.
    const wrote = bound === undefined ? undefined : gave(bound.kind, "memory") ? bound.kind : gave("requests", "memory") ? "requests" : undefined;
    if (bound !== undefined && wrote !== undefined) {
        const bytes = quantityValue(bound.value);
        if (bytes !== undefined && bytes < MIN_MEMORY_MIB * 2 ** 20) {
            problems.push({
                path: [wrote, "memory"],
                message: `must be at least ${MIN_MEMORY_MIB}Mi: maxmemory derives from it and keeps 16 MiB for the server itself, so less leaves no room for data (got ${JSON.stringify(yours[wrote].memory)})`,
            });
        }
    }
    for (const [name, request] of Object.entries(inEffect.requests)) {
        const limit = inEffect.limits[name];
        if (limit === undefined || compareQuantities(request, limit) !== 1) continue;
        const shown = (kind: "requests" | "limits", value: string) => (gave(kind, name) ? JSON.stringify(value) : `${JSON.stringify(value)}, ${defaultsName}`);
        if (gave("requests", name)) {
            problems.push({
                path: ["requests", name],
                message: `must not be more than limits.${name} (${shown("limits", limit)}): the API server refuses a request above its limit (got ${JSON.stringify(request)})${gave("limits", name) ? "" : `; set limits.${name} too`}`,
            });
        } else {
            problems.push({
                path: ["limits", name],
                message: `must not be less than requests.${name} (${shown("requests", request)}): the API server refuses a request above its limit (got ${JSON.stringify(limit)}); set requests.${name} too`,
            });
        }
    }
    return problems;
}
