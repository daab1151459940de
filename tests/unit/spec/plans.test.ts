import { expect } from "chai";
import { getPlan, hasPlan, planNames, registerPlan, unregisterPlan } from "../../../sdk/spec/plans";

describe("plan catalog", () => {
    afterEach(() => unregisterPlan("team-cache"));

    it("has Aiven's tiers with 1, 2 and 3 nodes sized by the number in the name", () => {
        expect(getPlan("startup-4")).to.deep.include({ nodes: 1, memoryMiB: 4096, cpuMillis: 1000, diskGiB: 8, topology: "standalone", persistence: "rdb" });
        expect(getPlan("business-8")).to.deep.include({ nodes: 2, memoryMiB: 8192, cpuMillis: 2000, diskGiB: 16, topology: "sentinel" });
        expect(getPlan("premium-28")).to.deep.include({ nodes: 3, memoryMiB: 28672, cpuMillis: 4000, diskGiB: 56, topology: "sentinel" });
        expect(getPlan("hobbyist")).to.deep.include({ nodes: 1, memoryMiB: 1024, topology: "standalone" });
    });

    it("has the add-on plans of seeds/003", () => {
        expect(getPlan("free")).to.deep.include({ nodes: 1, memoryMiB: 64, diskGiB: 0, persistence: "none", topology: "standalone" });
        expect(getPlan("standard")).to.deep.include({ nodes: 1, memoryMiB: 256, persistence: "rdb_daily", topology: "standalone" });
        expect(getPlan("pro")).to.deep.include({ nodes: 3, memoryMiB: 1024, persistence: "rdb_aof", topology: "sentinel" });
    });

    it("lists every valid plan when the name is unknown", () => {
        expect(() => getPlan("startup-5")).to.throw(`unknown plan "startup-5"; valid plans: ${planNames().join(", ")}`);
        expect(planNames().slice(0, 3)).to.deep.equal(["hobbyist", "startup-1", "startup-4"]);
        expect(planNames()).to.include.members(["free", "standard", "pro", "business-4", "premium-200"]);
        expect(planNames()).to.have.length(1 + 3 * 9 + 3);
    });

    it("registers a plan of the user's own, which then resolves and is listed", () => {
        const plan = registerPlan({
            name: "team-cache",
            nodes: 3,
            memoryMiB: 2048,
            cpuMillis: 500,
            diskGiB: 8,
            persistence: "rdb",
            topology: "sentinel",
            description: "shared team cache",
        });
        expect(getPlan("team-cache")).to.equal(plan);
        expect(hasPlan("team-cache")).to.equal(true);
        expect(planNames()[planNames().length - 1]).to.equal("team-cache");
        // Registering the same definition again is a no-op; a different one is refused.
        expect(registerPlan({ ...plan })).to.deep.equal(plan);
        expect(() => registerPlan({ ...plan, memoryMiB: 4096 })).to.throw('plan "team-cache" is already registered with other values');
    });

    it("refuses to redefine a built-in plan", () => {
        expect(() => registerPlan({ ...getPlan("startup-4") })).to.throw('plan "startup-4" is built in and cannot be redefined; choose another name');
    });

    it("refuses inconsistent or out-of-range plan definitions with the field and the rule", () => {
        const base = {
            name: "team-cache",
            nodes: 1,
            memoryMiB: 256,
            cpuMillis: 100,
            diskGiB: 1,
            persistence: "rdb" as const,
            topology: "standalone" as const,
            description: "",
        };
        expect(() => registerPlan({ ...base, nodes: 2 })).to.throw('plan "team-cache": a standalone plan has exactly 1 node (got 2)');
        expect(() => registerPlan({ ...base, topology: "sentinel" })).to.throw('plan "team-cache": a sentinel plan needs at least 2 nodes (got 1)');
        expect(() => registerPlan({ ...base, nodes: 6, topology: "cluster", shards: 4 })).to.throw(
            'plan "team-cache": a cluster plan needs shards >= 3 dividing nodes evenly (got 6 nodes, 4 shards)',
        );
        expect(() => registerPlan({ ...base, memoryMiB: 16 })).to.throw(
            'plan "team-cache" is invalid (1 problem):\n  - memoryMiB: must be at least 32 (got 16)',
        );
    });
});
