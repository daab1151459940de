// Checks a rendered object against the Kubernetes OpenAPI schema (kubernetes-models' compiled
// validators), plus the name, label and key rules the schema does not carry but the API server
// enforces, so that a bad object fails a unit test or `pulumi preview`, not the apply.
import { StatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Secret } from "kubernetes-models/v1/Secret";
import { Service } from "kubernetes-models/v1/Service";
import { labelKeyProblem } from "../spec/kubernetes";
import { isLabelValue } from "./labels";

/** The fields validateManifest needs to pick a schema and name the object. */
export interface Manifest {
    readonly apiVersion: string;
    readonly kind: string;
    readonly metadata?: { readonly name?: string; readonly labels?: Readonly<Record<string, string>> };
}

interface Validatable {
    validate(): void;
}

// The kinds sdk/manifests renders, by apiVersion/kind.
const MODELS: Readonly<Record<string, new (data: never) => Validatable>> = {
    "apps/v1/StatefulSet": StatefulSet,
    "v1/Service": Service,
    "v1/ConfigMap": ConfigMap,
    "v1/Secret": Secret,
    "policy/v1/PodDisruptionBudget": PodDisruptionBudget,
    "networking.k8s.io/v1/NetworkPolicy": NetworkPolicy,
};

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DATA_KEY = /^[-._a-zA-Z0-9]+$/;

/** Thrown by validateManifest; the message names the object and every violation. */
export class ManifestError extends Error {
    constructor(
        readonly object: string,
        readonly problems: readonly string[],
    ) {
        super(`${object} is not a valid Kubernetes object:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "ManifestError";
    }
}

// "/spec/ports/0/port" -> "spec.ports[0].port"
function jsonPointerToPath(pointer: string): string {
    return pointer
        .split("/")
        .slice(1)
        .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
        .reduce((out, s) => (/^\d+$/.test(s) ? `${out}[${s}]` : out === "" ? s : `${out}.${s}`), "");
}

function schemaProblems(model: Validatable): string[] {
    try {
        model.validate();
        return [];
    } catch (e) {
        const errors = (e as { errors?: Array<{ instancePath: string; message?: string; params?: Record<string, unknown> }> }).errors;
        if (!Array.isArray(errors)) throw e;
        // ajv's messages name the rule, never the value, so no secret can leak through them.
        return errors.map((err) => {
            const allowed = Array.isArray(err.params?.allowedValues) ? ` (${(err.params.allowedValues as unknown[]).join(", ")})` : "";
            const path = jsonPointerToPath(err.instancePath);
            return `${path === "" ? "(root)" : path}: ${err.message ?? "is invalid"}${allowed}`;
        });
    }
}

function nameProblems(obj: Manifest): string[] {
    const name = obj.metadata?.name;
    if (name === undefined || name === "") return ["metadata.name: is required"];
    // Service names become DNS labels; every other kind here allows a DNS subdomain.
    const [rule, max, what] = obj.kind === "Service" ? [DNS_LABEL, 63, "a DNS label"] : [DNS_SUBDOMAIN, 253, "a DNS subdomain"];
    return name.length > max || !rule.test(name)
        ? [`metadata.name: must be ${what} of at most ${max} lowercase alphanumerics and '-' (got ${JSON.stringify(name)})`]
        : [];
}

function labelProblems(labels: Readonly<Record<string, string>> | undefined, path: string): string[] {
    const problems: string[] = [];
    for (const [key, value] of Object.entries(labels ?? {})) {
        const keyProblem = labelKeyProblem(key);
        if (keyProblem) problems.push(`${path}[${JSON.stringify(key)}]: the key ${keyProblem}`);
        if (value !== "" && !isLabelValue(value)) {
            problems.push(
                `${path}[${JSON.stringify(key)}]: ${JSON.stringify(value)} is not a label value (at most 63 of [A-Za-z0-9-_.], alphanumeric at both ends)`,
            );
        }
    }
    return problems;
}

// Secret and ConfigMap keys become file names and environment variable names.
function keyProblems(obj: Manifest): string[] {
    const problems: string[] = [];
    for (const field of ["data", "stringData", "binaryData"]) {
        const map = (obj as unknown as Record<string, Record<string, unknown> | undefined>)[field];
        for (const key of Object.keys(map ?? {})) {
            if (key.length > 253 || !DATA_KEY.test(key)) {
                problems.push(`${field}[${JSON.stringify(key)}]: a key must consist of alphanumerics, '-', '_' or '.'`);
            }
        }
    }
    return problems;
}

/**
 * Validates `obj` (a StatefulSet, Service, ConfigMap, Secret, PodDisruptionBudget or
 * NetworkPolicy) against the Kubernetes OpenAPI schema and the API server's rules for names,
 * labels and data keys. Throws a ManifestError naming the object (`<Kind> "<name>"`) and every
 * violation with its field path; returns nothing when the object is valid. Values are never
 * echoed for Secrets' data, so the message is safe to log.
 */
export function validateManifest(obj: Manifest): void {
    const subject = `${obj.kind} ${JSON.stringify(obj.metadata?.name ?? "(unnamed)")}`;
    const Model = MODELS[`${obj.apiVersion}/${obj.kind}`];
    if (Model === undefined) {
        throw new ManifestError(subject, [
            `no schema for apiVersion ${JSON.stringify(obj.apiVersion)} kind ${JSON.stringify(obj.kind)}; known: ${Object.keys(MODELS).join(", ")}`,
        ]);
    }
    const template = (obj as { spec?: { template?: { metadata?: { labels?: Record<string, string> } } } }).spec?.template;
    const problems = [
        ...schemaProblems(new Model(obj as never)),
        ...nameProblems(obj),
        ...labelProblems(obj.metadata?.labels, "metadata.labels"),
        ...labelProblems(template?.metadata?.labels, "spec.template.metadata.labels"),
        ...keyProblems(obj),
    ];
    if (problems.length > 0) throw new ManifestError(subject, problems);
}
