import { expect } from "chai";
import { applyMoves, Ownership, planRebalance, planSlotRepair, shareDeviationPercent } from "../../../provider/reconcile/rebalance";
import { countSlots, formatRanges, splitSlots } from "../../../provider/reconcile/slots";

const three: Ownership[] = splitSlots(3).map((r, i) => ({ node: `n${i}`, slots: [r] }));
const describe_ = (moves: ReturnType<typeof planRebalance>) => moves.map((m) => `${m.from}->${m.to} ${formatRanges(m.slots)}`);
const counts = (o: Ownership[]) => Object.fromEntries(o.map((x) => [x.node, countSlots(x.slots)]));

describe("reconcile: planRebalance", () => {
    it("moves nothing when every primary is within 2 % of 16384/P", () => {
        expect(planRebalance(three, ["n0", "n1", "n2"])).to.deep.equal([]);
        // 5461 + 110 is 3.0 % above 5461.3; 5461 + 100 is 1.8 %.
        const skewed = [
            { node: "a", slots: [{ start: 0, end: 5560 }] },
            { node: "b", slots: [{ start: 5561, end: 10922 }] },
            { node: "c", slots: [{ start: 10923, end: 16383 }] },
        ];
        expect(planRebalance(skewed, ["a", "b", "c"])).to.deep.equal([]);
        const more = [
            { node: "a", slots: [{ start: 0, end: 5570 }] },
            { node: "b", slots: [{ start: 5571, end: 10922 }] },
            { node: "c", slots: [{ start: 10923, end: 16383 }] },
        ];
        expect(describe_(planRebalance(more, ["a", "b", "c"]))).to.deep.equal(["a->b 0-108"]);
    });

    it("scale out 3 -> 4: every old primary gives to the new one, which ends with an exact share", () => {
        const moves = planRebalance(three, ["n0", "n1", "n2", "n3"]);
        expect(describe_(moves)).to.deep.equal(["n0->n3 0-1364", "n1->n3 5461-6826", "n2->n3 10923-12287"]);
        expect(counts(applyMoves(three, moves))).to.deep.equal({ n0: 4096, n1: 4096, n2: 4096, n3: 4096 });
    });

    it("scale out 3 -> 5: both new primaries receive from every old one; all within 2 %", () => {
        const moves = planRebalance(three, ["n0", "n1", "n2", "n3", "n4"]);
        expect(moves.map((m) => `${m.from}->${m.to}`)).to.deep.equal(["n0->n3", "n0->n4", "n1->n3", "n1->n4", "n2->n3", "n2->n4"]);
        const after = applyMoves(three, moves);
        expect(Object.values(counts(after)).reduce((a, b) => a + b, 0)).to.equal(16384);
        for (const o of after) expect(shareDeviationPercent(countSlots(o.slots), 5), o.node).to.be.at.most(0.1);
    });

    it("scale in 5 -> 3: each leaver's slots spread over every remaining primary, none left on the leavers", () => {
        const five = applyMoves(three, planRebalance(three, ["n0", "n1", "n2", "n3", "n4"]));
        const moves = planRebalance(five, ["n0", "n1", "n2"]);
        expect(moves.map((m) => `${m.from}->${m.to}`)).to.deep.equal(["n3->n0", "n3->n1", "n3->n2", "n4->n0", "n4->n1", "n4->n2"]);
        const after = counts(applyMoves(five, moves));
        expect(after).to.deep.equal({ n0: 5462, n1: 5461, n2: 5461, n3: 0, n4: 0 });
    });

    it("a leaver is drained even when the rest is balanced, and a remaining primary with too much also gives", () => {
        const own: Ownership[] = [
            { node: "a", slots: [{ start: 0, end: 9999 }] },
            { node: "b", slots: [{ start: 10000, end: 16000 }] },
            { node: "x", slots: [{ start: 16001, end: 16383 }] },
        ];
        const moves = planRebalance(own, ["a", "b"]);
        expect(describe_(moves)).to.deep.equal(["x->b 16001-16383", "a->b 0-1807"]);
        expect(counts(applyMoves(own, moves))).to.deep.equal({ a: 8192, b: 8192, x: 0 });
    });

    it("rejects an empty or duplicated set of primaries", () => {
        expect(() => planRebalance(three, [])).to.throw(RangeError, "at least one primary must remain");
        expect(() => planRebalance(three, ["n0", "n0"])).to.throw(RangeError, "duplicate primaries in n0, n0");
    });
});

describe("reconcile: planSlotRepair (valkey-cli fix semantics)", () => {
    it("finishes a move that is open on both sides", () => {
        expect(
            planSlotRepair({ slot: 7, owner: "a", migrating: [{ node: "a", to: "b" }], importing: [{ node: "b", from: "a" }], keys: { a: 3, b: 2 } }),
        ).to.deep.equal({
            kind: "finish",
            slot: 7,
            from: "a",
            to: "b",
            close: [],
        });
    });

    it("finishes when the target already serves the slot (stopped between the two SETSLOT NODE)", () => {
        expect(planSlotRepair({ slot: 7, owner: "b", migrating: [{ node: "a", to: "b" }], importing: [], keys: {} })).to.deep.equal({
            kind: "finish",
            slot: 7,
            from: "a",
            to: "b",
            close: [],
        });
    });

    it("migrating alone: closes it when the source has no key left of the slot, else finishes", () => {
        expect(planSlotRepair({ slot: 7, owner: "a", migrating: [{ node: "a", to: "b" }], importing: [], keys: { a: 0 } })).to.deep.equal({
            kind: "undo",
            slot: 7,
            owner: "a",
            returnKeysFrom: [],
            close: ["a"],
        });
        expect(planSlotRepair({ slot: 7, owner: "a", migrating: [{ node: "a", to: "b" }], importing: [], keys: { a: 4 } }).kind).to.equal("finish");
    });

    it("importing alone: the keys go back to the owner and the slot is closed", () => {
        expect(
            planSlotRepair({
                slot: 9,
                owner: "a",
                migrating: [],
                importing: [
                    { node: "b", from: "a" },
                    { node: "c", from: "a" },
                ],
                keys: { b: 5, c: 0 },
            }),
        ).to.deep.equal({
            kind: "undo",
            slot: 9,
            owner: "a",
            returnKeysFrom: ["b"],
            close: ["b", "c"],
        });
    });

    it("refuses what valkey-cli refuses: several migrating nodes, or no owner", () => {
        expect(
            planSlotRepair({
                slot: 1,
                owner: "a",
                migrating: [
                    { node: "a", to: "b" },
                    { node: "c", to: "b" },
                ],
                importing: [],
                keys: {},
            }),
        ).to.deep.equal({
            kind: "refuse",
            slot: 1,
            reason: "slot 1 is migrating on several nodes (a, c)",
        });
        expect(planSlotRepair({ slot: 1, migrating: [], importing: [{ node: "b", from: "a" }], keys: {} })).to.deep.equal({
            kind: "refuse",
            slot: 1,
            reason: "slot 1 is open but no node serves it",
        });
    });
});
