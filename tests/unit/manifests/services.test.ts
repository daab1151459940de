import { expect } from "chai";
import { buildClientService, buildExternalServices, buildHeadlessService } from "../../../sdk/manifests/services";
import { validateManifest } from "../../../sdk/manifests/validate";
import { MINIMAL_SPEC, SEED_000_SPEC, valkeyModel } from "./fixtures";

const SELECTOR = { "app.kubernetes.io/name": "valkey", "app.kubernetes.io/instance": "my-valkey" };
const PORTS = [{ name: "valkey", port: 6379, targetPort: "valkey", protocol: "TCP" }];
const INTERNAL = {
    "service.beta.kubernetes.io/aws-load-balancer-internal": "true",
    "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
    "networking.gke.io/load-balancer-type": "Internal",
    "service.beta.kubernetes.io/azure-load-balancer-internal": "true",
};

describe("manifests/services", () => {
    const seed = valkeyModel(SEED_000_SPEC);

    it("exposes the pods to clients as the ClusterIP Service <name> on 6379", () => {
        const svc = buildClientService(seed);
        validateManifest(svc);
        expect(svc.metadata!.name).to.equal("my-valkey");
        expect(svc.metadata!.namespace).to.equal("my-aiven-project");
        expect(svc.metadata!.labels!["app.kubernetes.io/component"]).to.equal("server");
        expect(svc.spec).to.deep.equal({ type: "ClusterIP", selector: SELECTOR, ports: PORTS });
    });

    it("puts serviceAnnotations on the client Service", () => {
        const svc = buildClientService(valkeyModel({ ...MINIMAL_SPEC, kubernetes: { serviceAnnotations: { "example.com/team": "cache" } } }));
        expect(svc.metadata!.annotations).to.deep.equal({ "example.com/team": "cache" });
    });

    it("does not have Pulumi await the client Service of a Sentinel plan (its replicas are never Ready), only that one", () => {
        const model = valkeyModel({ ...MINIMAL_SPEC, plan: "business-4", kubernetes: { serviceAnnotations: { "example.com/team": "cache" } } });
        expect(buildClientService(model).metadata!.annotations).to.deep.equal({ "example.com/team": "cache", "pulumi.com/skipAwait": "true" });
        expect(buildClientService(model, "sentinel").metadata!.annotations).to.deep.equal({});
        expect(buildClientService(seed).metadata!.annotations).not.to.have.property("pulumi.com/skipAwait");
    });

    it("gives each pod a DNS name through the headless Service <name>-headless", () => {
        const svc = buildHeadlessService(seed);
        validateManifest(svc);
        expect(svc.metadata!.name).to.equal("my-valkey-headless");
        expect(svc.spec).to.deep.equal({
            type: "ClusterIP",
            clusterIP: "None",
            publishNotReadyAddresses: true,
            selector: SELECTOR,
            ports: PORTS,
        });
    });

    it("has no LoadBalancer without public_access or private_access", () => {
        expect(buildExternalServices(seed)).to.deep.equal([]);
        expect(buildExternalServices(valkeyModel({ ...MINIMAL_SPEC, userConfig: { public_access: { prometheus: true } } }))).to.deep.equal([]);
    });

    it("exposes public_access.valkey as the LoadBalancer <name>-public, limited to ip_filter", () => {
        const model = valkeyModel({ ...SEED_000_SPEC, userConfig: { ...SEED_000_SPEC.userConfig, public_access: { valkey: true } } });
        const services = buildExternalServices(model);
        expect(services.map((s) => s.metadata!.name)).to.deep.equal(["my-valkey-public"]);
        const [svc] = services;
        validateManifest(svc);
        expect(svc.metadata!.annotations).to.deep.equal({
            "pulumi-valkey/authSecretRef": '{"key":"token","name":"aiven-token"}',
            "pulumi-valkey/maintenance-window-dow": "sunday",
            "pulumi-valkey/maintenance-window-time": "11:00:00",
            "pulumi.com/skipAwait": "true",
        });
        expect(svc.spec).to.deep.equal({
            type: "LoadBalancer",
            selector: SELECTOR,
            ports: PORTS,
            externalTrafficPolicy: "Local",
            loadBalancerSourceRanges: ["0.0.0.0/32", "10.20.0.0/16"],
        });
    });

    it("exposes private_access.valkey as an internal LoadBalancer <name>-private; serviceAnnotations win", () => {
        const model = valkeyModel({
            ...MINIMAL_SPEC,
            userConfig: { public_access: { valkey: true }, private_access: { valkey: true } },
            kubernetes: { serviceAnnotations: { "networking.gke.io/load-balancer-type": "External", "example.com/x": "y" } },
        });
        const services = buildExternalServices(model);
        expect(services.map((s) => s.metadata!.name)).to.deep.equal(["my-valkey-public", "my-valkey-private"]);
        services.forEach(validateManifest);
        expect(services[1].metadata!.annotations).to.deep.equal({
            "pulumi.com/skipAwait": "true",
            ...INTERNAL,
            "networking.gke.io/load-balancer-type": "External",
            "example.com/x": "y",
        });
        // No ip_filter: open to every source, as Aiven's default.
        expect(services[1].spec!.loadBalancerSourceRanges).to.equal(undefined);
        expect(services[0].metadata!.annotations).to.deep.equal({
            "pulumi.com/skipAwait": "true",
            "networking.gke.io/load-balancer-type": "External",
            "example.com/x": "y",
        });
    });
});
