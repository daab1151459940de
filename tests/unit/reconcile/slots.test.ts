import { expect } from "chai";
import { countSlots, formatRanges, intersectRanges, keySlot, normalizeRanges, splitSlots } from "../../../provider/reconcile";

const text = (primaries: number) => formatRanges(splitSlots(primaries));

describe("reconcile: slots", () => {
    // Expected values printed by `valkey-cli --cluster create` 8.0.1 on this machine for the same counts.
    const cases: [number, string][] = [
        [1, "0-16383"],
        [2, "0-8191,8192-16383"],
        [3, "0-5460,5461-10922,10923-16383"],
        [5, "0-3276,3277-6553,6554-9829,9830-13106,13107-16383"],
        [7, "0-2340,2341-4680,4681-7021,7022-9361,9362-11702,11703-14042,14043-16383"],
        [
            20,
            "0-818,819-1637,1638-2457,2458-3276,3277-4095,4096-4914,4915-5733,5734-6553,6554-7372,7373-8191," +
                "8192-9010,9011-9829,9830-10649,10650-11468,11469-12287,12288-13106,13107-13925,13926-14745,14746-15564,15565-16383",
        ],
    ];
    for (const [primaries, expected] of cases) {
        it(`splits the slots over ${primaries} primaries like valkey-cli`, () => {
            expect(text(primaries)).to.equal(expected);
        });
    }

    it("rejects a primary count that is not a whole number from 1 to 16384", () => {
        expect(() => splitSlots(0)).to.throw(RangeError, "the number of primaries must be an integer from 1 to 16384 (got 0)");
        expect(() => splitSlots(1.5)).to.throw(RangeError, "the number of primaries must be an integer from 1 to 16384 (got 1.5)");
    });

    // Expected values from `CLUSTER KEYSLOT` of valkey-server 8.0.1.
    const keys: [string, number][] = [
        ["foo", 12182],
        ["bar", 5061],
        ["123456789", 12739],
        ["{user1000}.following", 3443],
        ["{user1000}.followers", 3443],
        ["foo{}{bar}", 8363],
        ["foo{{bar}}zap", 4015],
        ["foo{bar}{zap}", 5061],
        ["", 0],
        ["{}", 15257],
        ["ü", 9552],
    ];
    for (const [key, slot] of keys) {
        it(`computes the slot of ${JSON.stringify(key)} as ${slot}`, () => {
            expect(keySlot(key)).to.equal(slot);
        });
    }

    it("normalises, intersects, counts and formats ranges", () => {
        const ranges = normalizeRanges([
            { start: 10, end: 20 },
            { start: 0, end: 5 },
            { start: 15, end: 30 },
            { start: 6, end: 6 },
        ]);
        expect(ranges).to.deep.equal([
            { start: 0, end: 6 },
            { start: 10, end: 30 },
        ]);
        expect(intersectRanges(ranges, [{ start: 5, end: 12 }])).to.deep.equal([
            { start: 5, end: 6 },
            { start: 10, end: 12 },
        ]);
        expect(countSlots(ranges)).to.equal(28);
        expect(
            formatRanges([
                { start: 7, end: 7 },
                { start: 9, end: 16383 },
            ]),
        ).to.equal("7,9-16383");
        expect(formatRanges([])).to.equal("none");
    });
});
