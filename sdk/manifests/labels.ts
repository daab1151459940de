// Labels and annotations shared by every object of one service. Labels are what selectors and
// `kubectl get -l` work on; annotations record what has no other place on Kubernetes (spec fields
// without a Kubernetes meaning, contacts, the maintenance window).
import { ANNOTATION_PREFIX, ServiceModel } from "../spec/service-model";

/** The value of `app.kubernetes.io/managed-by` on everything this package renders. */
export const MANAGED_BY = "pulumi-valkey";

/**
 * Which part of a service an object belongs to: `server` for the Valkey data pods and everything
 * that serves them, `sentinel` for the Sentinel pods, `connection` for the app-facing Secret.
 */
export type Component = "server" | "sentinel" | "connection";

/** The components that run pods. */
export type PodComponent = Exclude<Component, "connection">;

// Label values must be at most 63 characters of [A-Za-z0-9-_.], alphanumeric at both ends.
const LABEL_VALUE = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** Whether `value` can be used as a Kubernetes label value (empty strings excluded). */
export function isLabelValue(value: string): boolean {
    return LABEL_VALUE.test(value);
}

/**
 * The labels a Service, PodDisruptionBudget or NetworkPolicy selects pods with. A StatefulSet's
 * selector is immutable, so these never include anything a user can change after creation.
 * Sentinel pods get another `app.kubernetes.io/name` so that the data Services never route
 * clients to a Sentinel.
 * @param component @default "server"
 */
export function selectorLabels(model: ServiceModel, component: Component = "server"): Record<string, string> {
    return {
        "app.kubernetes.io/name": component === "sentinel" ? "valkey-sentinel" : "valkey",
        "app.kubernetes.io/instance": model.name,
    };
}

/**
 * Labels of every object (and pod) of `component`, in increasing precedence:
 * 1. `app.kubernetes.io/part-of`: the project, when it is a valid label value. A tag with this key
 *    replaces it, since the higher-level application is the user's to name.
 * 2. `model.tags`, then `extra` (labels the user set for this one object).
 * 3. Ours, which no tag can replace, because selectors, NetworkPolicies and the provider rely on
 *    them: `app.kubernetes.io/managed-by` = "pulumi-valkey", `app.kubernetes.io/component`,
 *    `pulumi-valkey/project` and `pulumi-valkey/cloud` (each only when a valid label value),
 *    and the selector labels.
 */
export function commonLabels(model: ServiceModel, component: Component, extra: Readonly<Record<string, string>> = {}): Record<string, string> {
    const defaults: Record<string, string> = {};
    const ours: Record<string, string> = {
        "app.kubernetes.io/managed-by": MANAGED_BY,
        "app.kubernetes.io/component": component,
    };
    if (isLabelValue(model.project)) {
        defaults["app.kubernetes.io/part-of"] = model.project;
        ours[`${ANNOTATION_PREFIX}/project`] = model.project;
    }
    if (model.cloudName !== undefined && isLabelValue(model.cloudName)) {
        ours[`${ANNOTATION_PREFIX}/cloud`] = model.cloudName;
    }
    return { ...defaults, ...model.tags, ...extra, ...ours, ...selectorLabels(model, component) };
}

/**
 * Annotations of every top-level object (never of pod templates, so that changing them restarts
 * nothing):
 * - `pulumi-valkey/<path>` = the JSON value of each spec field without a Kubernetes meaning
 *   (`model.unmapped`, credentials already removed), e.g. `pulumi-valkey/userConfig.backup_hour`;
 * - `pulumi-valkey/technical-emails`: the addresses joined by ", " (unset when there are none);
 * - `pulumi-valkey/maintenance-window-dow` and `-time` (each unset when the spec leaves it unset).
 */
export function commonAnnotations(model: ServiceModel): Record<string, string> {
    const annotations: Record<string, string> = {};
    for (const field of model.unmapped) annotations[`${ANNOTATION_PREFIX}/${field.path}`] = field.value;
    if (model.technicalEmails.length > 0) {
        annotations[`${ANNOTATION_PREFIX}/technical-emails`] = model.technicalEmails.join(", ");
    }
    if (model.maintenance.dow !== undefined) annotations[`${ANNOTATION_PREFIX}/maintenance-window-dow`] = model.maintenance.dow;
    if (model.maintenance.time !== undefined) annotations[`${ANNOTATION_PREFIX}/maintenance-window-time`] = model.maintenance.time;
    return annotations;
}

/** The metadata of a top-level object of `component` called `name`. */
export function objectMeta(
    model: ServiceModel,
    name: string,
    component: Component,
): { name: string; namespace: string; labels: Record<string, string>; annotations: Record<string, string> } {
    return { name, namespace: model.namespace, labels: commonLabels(model, component), annotations: commonAnnotations(model) };
}
