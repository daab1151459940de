// The provider's waits as fields of each front door (a dynamic provider never sees customTimeouts):
// Valkey/Redis `kubernetes.timeoutSeconds` / `kubernetes.podTimeoutSeconds`, ValkeyCluster
// `timeoutSeconds` / `podTimeoutSeconds`, reaching every ValkeyTopology of the component; defaults
// 300 s and 600 s; out of range refused with the field and the rule.
import { expect } from "chai";
import { Redis, Valkey, ValkeyCluster } from "../../../sdk";
import { installMocks, one, reset, settle } from "../../helpers/mocks";

const TOPOLOGY = "pulumi-nodejs:dynamic/valkey:ValkeyTopology";

function waits(name: string): [unknown, unknown] {
    const inputs = one(TOPOLOGY, name).inputs as { timeoutSeconds?: unknown; transport: { podTimeoutMs?: unknown } };
    return [inputs.timeoutSeconds, inputs.transport.podTimeoutMs];
}

function thrown(build: () => unknown): string {
    try {
        build();
    } catch (e) {
        return (e as Error).message;
    }
    return "nothing thrown";
}

describe("components: the provider's timeouts", () => {
    before(installMocks);
    beforeEach(reset);

    it("Valkey and Redis: 300 s and 600 s by default, kubernetes.timeoutSeconds and podTimeoutSeconds when given", async () => {
        await settle(new Valkey("a", { project: "p", plan: "startup-4" }).serviceUri);
        expect(waits("a-topology")).to.deep.equal([300, 600000]);
        await settle(new Redis("b", { project: "p", plan: "business-4", kubernetes: { timeoutSeconds: 900, podTimeoutSeconds: 1800 } }).serviceUri);
        expect(waits("b-topology")).to.deep.equal([900, 1800000]);
    });

    it("ValkeyCluster: both topology resources (scale-in and topology) get timeoutSeconds and podTimeoutSeconds", async () => {
        await settle(new ValkeyCluster("c", { timeoutSeconds: 1200, podTimeoutSeconds: 60 }).phase);
        expect(waits("c-topology")).to.deep.equal([1200, 60000]);
        expect(waits("c-scale-in")).to.deep.equal([1200, 60000]);
        reset();
        await settle(new ValkeyCluster("d", {}).phase);
        expect(waits("d-topology")).to.deep.equal([300, 600000]);
    });

    it("refuses a timeout out of 10..86400 naming the field", () => {
        expect(thrown(() => new Valkey("e", { project: "p", plan: "startup-4", kubernetes: { timeoutSeconds: 5 } }))).to.equal(
            'Valkey "e" is invalid (1 problem):\n  - kubernetes.timeoutSeconds: must be at least 10 (got 5)',
        );
        expect(thrown(() => new ValkeyCluster("f", { podTimeoutSeconds: 86401 }))).to.equal(
            'ValkeyCluster "f" is invalid (1 problem):\n  - podTimeoutSeconds: must be at most 86400 (got 86401)',
        );
    });
});
