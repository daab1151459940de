import * as pulumi from "@pulumi/pulumi";

/**
 * The given top-level fields of a built object as resource args. The builders are typed with
 * kubernetes-models and the resources with @pulumi/kubernetes' input types; both describe the same
 * API objects (and validateManifest checked them), so the fields pass through untyped.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function kubernetesArgs(object: pulumi.Output<object>, fields: readonly string[]): Record<string, pulumi.Output<any>> {
    return Object.fromEntries(fields.map((f) => [f, object.apply((o) => (o as Record<string, unknown>)[f])]));
}
