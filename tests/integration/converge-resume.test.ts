import { expect } from "chai";
import { converge, ConvergeRequest } from "../../provider/converge/converge";
import { AbortedError } from "../../provider/errors";
import { formatRanges } from "../../provider/reconcile";
import { address, clusterInfo, configValue, direct, seededRandom, startNodes } from "../helpers/nodes";
import { stopAllValkeys } from "../helpers/valkey";

describe("converge: a bootstrap stopped at random points is completed by the next run", function () {
    this.timeout(60000);
    after(stopAllValkeys);

    // Printed on failure, so a failing sequence can be replayed with CONVERGE_SEED=<seed>.
    const seed = Number(process.env.CONVERGE_SEED ?? Date.now() % 1_000_000);

    it(`resumes after 12 stops at random mutation counts and 3 at random times (seed ${seed})`, async () => {
        const random = seededRandom(seed);
        const servers = await startNodes(6, { cluster: true });
        const request: ConvergeRequest = { topology: { kind: "cluster", masters: 3, replicasPerMaster: 1 }, transport: direct(servers) };
        const stoppedAfter: number[] = [];
        // A small budget per run: each run gets a few commands further, so the stops land in every phase.
        for (let i = 0; i < 12; i++) {
            const budget = 1 + Math.floor(random() * 6);
            try {
                await converge(request, { maxMutations: budget, smokeTest: false });
            } catch (e) {
                expect(e, `run ${i} with a budget of ${budget}`).to.be.instanceOf(AbortedError);
                expect((e as Error).message).to.equal(`stopped: the budget of ${budget} mutating commands is used up`);
                stoppedAfter.push(budget);
            }
        }
        for (let i = 0; i < 3; i++) {
            try {
                await converge(request, { signal: AbortSignal.timeout(5 + Math.floor(random() * 40)) });
            } catch (e) {
                expect(e).to.be.instanceOf(AbortedError);
            }
        }
        expect(stoppedAfter.length, `stops: ${stoppedAfter.join(",")}`).to.be.greaterThan(5);

        const result = await converge(request);
        expect(result.layout.primaries.map((p) => formatRanges(p.slots))).to.deep.equal(["0-5460", "5461-10922", "10923-16383"]);
        expect(result.layout.replicas).to.have.length(3);
        for (const s of servers) {
            const info = await clusterInfo(s);
            expect([address(s), info.cluster_state, info.cluster_known_nodes]).to.deep.equal([address(s), "ok", "6"]);
            // Settings lowered by a stopped run are back: the replicas kept the steady values.
            expect([await configValue(s, "cluster-node-timeout"), await configValue(s, "repl-diskless-sync-delay")]).to.deep.equal(["15000", "5"]);
        }
        expect((await converge(request)).mutations).to.equal(0);
    });
});
