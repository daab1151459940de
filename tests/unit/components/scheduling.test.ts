// The scheduling fields through the components (mocks): Valkey's `kubernetes` group and
// ValkeyCluster's top-level fields reach the StatefulSets Pulumi registers, Outputs included, and
// a bad value fails at construction naming the field.
import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { IToleration } from "kubernetes-models/v1/Toleration";
import { installMocks, one, reset, restoreWarn, settle } from "../../helpers/mocks";
import { Valkey, ValkeyCluster } from "../../../sdk";

const TOLERATIONS: IToleration[] = [{ key: "dedicated", operator: "Equal", value: "valkey", effect: "NoSchedule" }];
const SCHEDULING = {
    tolerations: TOLERATIONS,
    nodeSelector: { "node-pool": "valkey" },
    priorityClassName: "valkey-critical",
    podAnnotations: { "sidecar.istio.io/inject": "false" },
};

describe("scheduling through the components (mocks)", () => {
    before(installMocks);
    after(restoreWarn);
    beforeEach(reset);

    it("Valkey business-4: kubernetes.* reach the data and the Sentinel StatefulSets, an Output too", async () => {
        const cache = new Valkey("cache", {
            project: "shop",
            plan: "business-4",
            kubernetes: { ...SCHEDULING, nodeSelector: pulumi.output({ "node-pool": "valkey" }), resources: { limits: { memory: "2Gi" } } },
        });
        await settle(cache.serviceUri);
        for (const name of ["cache", "cache-sentinel"]) {
            const template = one("kubernetes:apps/v1:StatefulSet", name).inputs.spec.template;
            expect([
                template.spec.tolerations,
                template.spec.nodeSelector,
                template.spec.priorityClassName,
                template.metadata.annotations["sidecar.istio.io/inject"],
            ]).to.deep.equal([TOLERATIONS, { "node-pool": "valkey" }, "valkey-critical", "false"]);
        }
        const data = one("kubernetes:apps/v1:StatefulSet", "cache").inputs.spec.template.spec;
        expect(data.containers[0].resources).to.deep.equal({ requests: { cpu: "1000m", memory: "2Gi" }, limits: { cpu: "2000m", memory: "2Gi" } });
        expect(one("kubernetes:core/v1:ConfigMap", "cache-config").inputs.data["valkey.conf"].split("\n")).to.include("maxmemory 1536mb");
    });

    it("ValkeyCluster: the top-level fields reach its StatefulSet", async () => {
        const cluster = new ValkeyCluster("poc", {
            ...SCHEDULING,
            topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "DoNotSchedule" }],
        });
        await settle(cluster.serviceUri);
        const template = one("kubernetes:apps/v1:StatefulSet", "poc").inputs.spec.template;
        expect([
            template.spec.tolerations,
            template.spec.nodeSelector,
            template.spec.priorityClassName,
            template.metadata.annotations["sidecar.istio.io/inject"],
        ]).to.deep.equal([TOLERATIONS, { "node-pool": "valkey" }, "valkey-critical", "false"]);
        expect(template.spec.topologySpreadConstraints).to.deep.equal([
            {
                maxSkew: 1,
                topologyKey: "topology.kubernetes.io/zone",
                whenUnsatisfiable: "DoNotSchedule",
                labelSelector: { matchLabels: { "app.kubernetes.io/name": "valkey", "app.kubernetes.io/instance": "poc" } },
            },
        ]);
    });

    it("fails at construction naming the field", () => {
        expect(() => new Valkey("bad", { project: "shop", plan: "startup-4", kubernetes: { podAnnotations: { "pulumi-valkey/config-hash": "x" } } })).to.throw(
            "kubernetes.podAnnotations.pulumi-valkey/config-hash: is reserved: the prefix pulumi-valkey/ holds the package's own pod annotations (the configuration hash that rolls the pods); use another prefix",
        );
        expect(() => new ValkeyCluster("bad", { priorityClassName: "Critical" })).to.throw(
            `priorityClassName: must be a DNS subdomain (RFC 1123): dot-separated labels of 1-63 lowercase letters, digits and '-', each starting and ending with a letter or digit, at most 253 characters in all; it has characters other than lowercase letters, digits, '-' and '.' (got "Critical")`,
        );
    });
});
