import { expect } from "chai";
import { assignReplicas, choosePrimaries, placementCost } from "../../../provider/reconcile";

const node = (name: string, host?: string, zone?: string) => ({ name, placement: { ...(host ? { host } : {}), ...(zone ? { zone } : {}) } });

describe("reconcile: placement", () => {
    it("costs a shared host most, then a shared zone, then a host shared with a sibling; unknown never matches", () => {
        expect(placementCost(node("r", "a", "z"), node("p", "a", "z"), [])).to.equal(10100);
        expect(placementCost(node("r", "b", "z"), node("p", "a", "z"), [node("s", "b")])).to.equal(101);
        expect(placementCost(node("r"), node("p"), [node("s")])).to.equal(0);
    });

    it("chooses primaries on the hosts with the fewest primaries, then zones, then in order", () => {
        const candidates = [node("a1", "a", "z1"), node("a2", "a", "z1"), node("b1", "b", "z1"), node("c1", "c", "z2")];
        expect(choosePrimaries(3, candidates, []).map((n) => n.name)).to.deep.equal(["a1", "c1", "b1"]);
        expect(choosePrimaries(2, candidates, [node("x", "c", "z2")]).map((n) => n.name)).to.deep.equal(["a1", "b1"]);
        expect(choosePrimaries(9, candidates, [])).to.have.length(4);
    });

    it("fixes a greedy choice that would put a replica on its primary's host by swapping", () => {
        // Greedy: p0 takes rb, p1 takes ra, p2 is left with rc on its own host; swapping p0's and
        // p2's replicas brings the cost to 0.
        const p0 = node("p0", "a");
        const p1 = node("p1", "b");
        const p2 = node("p2", "c");
        const pool = [node("rb", "b"), node("ra", "a"), node("rc", "c")];
        const pairs = assignReplicas(
            [p0, p1, p2].map((primary) => ({ primary, current: [], need: 1 })),
            pool,
        ).map(({ replica, primary }) => `${replica.name}->${primary.name}`);
        expect(pairs).to.deep.equal(["rc->p0", "ra->p1", "rb->p2"]);
    });

    it("keeps two replicas of one primary on different hosts when it can", () => {
        const p = node("p", "a");
        const pairs = assignReplicas([{ primary: p, current: [node("kept", "b")], need: 1 }], [node("r1", "b"), node("r2", "c")]);
        expect(pairs.map(({ replica }) => replica.name)).to.deep.equal(["r2"]);
    });

    it("swaps in an unused pool node when it is better placed", () => {
        const pairs = assignReplicas([{ primary: node("p", "a"), current: [], need: 1 }], [node("r1", "a"), node("r2", "b")]);
        expect(pairs.map(({ replica }) => replica.name)).to.deep.equal(["r2"]);
    });
});
