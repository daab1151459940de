import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { SpecError } from "../spec/validate";

/** How a component's objects and its dynamic resources reach Kubernetes: from one kubeconfig. */
export interface ClusterAccess {
    /** The provider of the Kubernetes objects; undefined: the default provider (the ambient kubeconfig). */
    readonly provider?: k8s.Provider;
    /** The same kubeconfig (a secret) for the dynamic resources; undefined: the ambient one. */
    readonly kubeconfig?: pulumi.Output<string>;
}

/**
 * The objects and the dynamic resources (verification, rollout, disk growth) must reach one
 * cluster. A `k8s.Provider` does not expose the kubeconfig it was created with (no output
 * property; pulumi-kubernetes#2486, whose fix #2598 was reverted), so a provider that reaches the
 * component through its options (opts.provider, opts.providers or a parent's) cannot be followed
 * by the dynamic resources: it is refused unless the kubeconfig is given, and with a kubeconfig
 * the component creates its own provider from it (docs/kubeconfig.md). So is a default provider
 * pointed elsewhere by the stack configuration (kubernetes:kubeconfig, :context, :cluster).
 *
 * @internal
 */
export function clusterAccess(
    parent: pulumi.Resource,
    name: string,
    subject: string,
    field: { readonly path: string; readonly example: string },
    kubeconfig: pulumi.Output<string> | undefined,
): ClusterAccess {
    if (kubeconfig !== undefined) {
        const secret = pulumi.secret(kubeconfig);
        return { provider: new k8s.Provider(`${name}-k8s`, { kubeconfig: secret }, { parent }), kubeconfig: secret };
    }
    // Public API (Resource.getProvider): the provider this component's Kubernetes children
    // would inherit from opts.provider, opts.providers or a parent.
    if (parent.getProvider("kubernetes:core/v1:Secret") !== undefined) {
        throw new SpecError(subject, [
            {
                path: field.path,
                message:
                    "must be set when a Kubernetes provider is given in opts (provider, providers, or a parent's): a provider does not expose the kubeconfig it was created with, " +
                    "and the nodes are verified and the disks grown with this kubeconfig, so without it they could reach another cluster than the objects. " +
                    `Pass the kubeconfig contents the provider was created with (e.g. ${field.example}); the component then creates its Kubernetes provider from it, for the objects and the verification alike`,
            },
        ]);
    }
    // The default provider also reads these from the stack configuration; the dynamic resources'
    // default loading rules do not (only KUBECONFIG and ~/.kube/config). The value is never read
    // here (it may be a secret): only whether it is set.
    const configured = DEFAULT_PROVIDER_SETTINGS.filter((key) => pulumi.runtime.getConfig(`kubernetes:${key}`) !== undefined);
    if (configured.length > 0) {
        throw new SpecError(subject, [
            {
                path: field.path,
                message:
                    `must be set when the stack configuration sets ${configured.map((k) => `kubernetes:${k}`).join(", ")}: the default Kubernetes provider reads it, ` +
                    "the dynamic resources that verify the nodes and grow the disks do not, so they could reach another cluster than the objects. " +
                    `Pass the kubeconfig contents here instead (e.g. ${field.example})`,
            },
        ]);
    }
    return {};
}

/** Stack settings of the default Kubernetes provider that choose the cluster. */
const DEFAULT_PROVIDER_SETTINGS = ["kubeconfig", "context", "cluster"] as const;
