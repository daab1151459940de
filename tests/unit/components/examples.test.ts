// The runnable examples construct under mocks with the objects their comments promise.
import { expect } from "chai";
import { MOCK_PASSWORD, installMocks, one, registered, reset, restoreWarn, settle } from "../../helpers/mocks";

describe("examples (mocks)", () => {
    before(installMocks);
    after(restoreWarn);
    beforeEach(reset);

    it("examples/quickstart: a hobbyist Valkey in its own namespace, verified as standalone", async () => {
        const example = await import("../../../examples/quickstart");
        const uri = await settle(example.serviceUri);
        expect(uri).to.equal(`redis://default:${MOCK_PASSWORD}@quickstart.valkey-quickstart.svc.cluster.local:6379`);
        expect(one("kubernetes:apps/v1:StatefulSet", "quickstart").inputs.metadata.namespace).to.equal("valkey-quickstart");
        expect(one("pulumi-nodejs:dynamic/valkey:ValkeyTopology", "quickstart-topology").inputs.topology).to.deep.equal({ kind: "standalone" });
    });

    it("examples/ha: a business plan with a primary, a replica and three Sentinels", async () => {
        const example = await import("../../../examples/ha");
        await settle(example.serviceUri);
        expect(await settle(example.sentinelHosts)).to.deep.equal(["sessions-sentinel.valkey-ha.svc.cluster.local:26379"]);
        expect(one("kubernetes:apps/v1:StatefulSet", "sessions").inputs.spec.replicas).to.equal(2);
        expect(one("kubernetes:apps/v1:StatefulSet", "sessions-sentinel").inputs.spec.replicas).to.equal(3);
        expect(one("pulumi-nodejs:dynamic/valkey:ValkeyTopology", "sessions-topology").inputs.topology).to.deep.equal({ kind: "replicated", replicas: 1 });
        expect(registered.filter((r) => r.type === "valkey:index:Valkey").map((r) => r.name)).to.deep.equal(["sessions"]);
    });
});
