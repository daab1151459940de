import { expect } from "chai";
import { ManifestError, validateManifest } from "../../../sdk/manifests/validate";

function errorOf(fn: () => void): ManifestError {
    try {
        fn();
    } catch (e) {
        expect(e).to.be.instanceOf(ManifestError);
        return e as ManifestError;
    }
    throw new Error("expected a ManifestError");
}

describe("manifests/validate", () => {
    it("accepts a valid object", () => {
        expect(
            validateManifest({
                apiVersion: "v1",
                kind: "ConfigMap",
                metadata: { name: "my-valkey-config", labels: { a: "b" } },
                data: { "valkey.conf": "" },
            } as never),
        ).to.equal(undefined);
    });

    it("rejects a schema violation, naming the object and every field", () => {
        const error = errorOf(() =>
            validateManifest({
                apiVersion: "v1",
                kind: "Service",
                metadata: { name: "my-valkey" },
                spec: { type: "Internal", ports: [{ port: "6379" }] },
            } as never),
        );
        expect(error.message).to.equal(
            'Service "my-valkey" is not a valid Kubernetes object:\n' +
                "  - spec.ports[0].port: must be integer\n" +
                "  - spec.type: must be equal to one of the allowed values (ClusterIP, ExternalName, LoadBalancer, NodePort)",
        );
    });

    it("rejects a StatefulSet without selector and template", () => {
        const error = errorOf(() => validateManifest({ apiVersion: "apps/v1", kind: "StatefulSet", metadata: { name: "my-valkey" }, spec: {} } as never));
        expect(error.problems).to.deep.equal(["spec: must have required property selector", "spec: must have required property template"]);
    });

    it("rejects names, labels and data keys the API server would refuse, without echoing Secret values", () => {
        const error = errorOf(() =>
            validateManifest({
                apiVersion: "v1",
                kind: "Secret",
                metadata: { name: "My_Secret", labels: { "bad key!": "ok", good: "-bad value" } },
                stringData: { "VALKEY HOST": "s3cret-value" },
            } as never),
        );
        expect(error.problems).to.deep.equal([
            `metadata.name: must be a DNS subdomain of at most 253 lowercase alphanumerics and '-' (got "My_Secret")`,
            `metadata.labels["bad key!"]: the key must be 1-63 characters of [A-Za-z0-9-_.], starting and ending alphanumeric (optionally prefixed by a DNS subdomain and '/')`,
            `metadata.labels["good"]: "-bad value" is not a label value (at most 63 of [A-Za-z0-9-_.], alphanumeric at both ends)`,
            `stringData["VALKEY HOST"]: a key must consist of alphanumerics, '-', '_' or '.'`,
        ]);
        expect(error.message).to.not.contain("s3cret-value");
    });

    it("requires Service names to be DNS labels", () => {
        const error = errorOf(() =>
            validateManifest({ apiVersion: "v1", kind: "Service", metadata: { name: "my.valkey" }, spec: { ports: [{ port: 6379 }] } } as never),
        );
        expect(error.problems).to.deep.equal([`metadata.name: must be a DNS label of at most 63 lowercase alphanumerics and '-' (got "my.valkey")`]);
    });

    it("refuses a kind it has no schema for", () => {
        const error = errorOf(() => validateManifest({ apiVersion: "v1", kind: "Pod", metadata: { name: "p" } }));
        expect(error.message).to.match(
            /^Pod "p" is not a valid Kubernetes object:\n {2}- no schema for apiVersion "v1" kind "Pod"; known: apps\/v1\/StatefulSet, /,
        );
    });
});
