import { expect } from "chai";
import { buildNetworkPolicy } from "../../../sdk/manifests/networkpolicy";
import { validateManifest } from "../../../sdk/manifests/validate";
import { MINIMAL_SPEC, SEED_000_SPEC, valkeyModel } from "./fixtures";

const PEERS = {
    ports: [
        { protocol: "TCP", port: 6379 },
        { protocol: "TCP", port: 16379 },
        { protocol: "TCP", port: 26379 },
    ],
    from: [{ podSelector: { matchLabels: { "app.kubernetes.io/instance": "my-valkey", "app.kubernetes.io/managed-by": "pulumi-valkey" } } }],
};

describe("manifests/networkpolicy", () => {
    it("admits exactly the ip_filter CIDRs of seeds/000 on 6379, and the service's own pods", () => {
        const policy = buildNetworkPolicy(valkeyModel(SEED_000_SPEC));
        validateManifest(policy);
        expect(policy.metadata!.name).to.equal("my-valkey");
        expect(policy.spec).to.deep.equal({
            podSelector: { matchLabels: { "app.kubernetes.io/name": "valkey", "app.kubernetes.io/instance": "my-valkey" } },
            policyTypes: ["Ingress"],
            ingress: [{ ports: [{ protocol: "TCP", port: 6379 }], from: [{ ipBlock: { cidr: "0.0.0.0/32" } }, { ipBlock: { cidr: "10.20.0.0/16" } }] }, PEERS],
        });
    });

    it("writes string entries and IPv6 blocks in canonical form, each once", () => {
        const policy = buildNetworkPolicy(
            valkeyModel({ ...MINIMAL_SPEC, userConfig: { ip_filter: ["192.168.7.1/24", { network: "2001:DB8::/48" }, "192.168.7.0/24"] } }),
        );
        validateManifest(policy);
        expect(policy.spec!.ingress![0].from).to.deep.equal([{ ipBlock: { cidr: "192.168.7.0/24" } }, { ipBlock: { cidr: "2001:db8::/48" } }]);
    });

    it("admits every source on 6379 without an ip_filter (Aiven's default 0.0.0.0/0)", () => {
        const policy = buildNetworkPolicy(valkeyModel(MINIMAL_SPEC));
        validateManifest(policy);
        expect(policy.spec!.ingress).to.deep.equal([{ ports: [{ protocol: "TCP", port: 6379 }] }, PEERS]);
    });
});
