import { expect } from "chai";
import { decideDisruptive, nextWindowStart, openWindowStart } from "../../../provider/schedule/window";

const at = (iso: string) => new Date(iso);

describe("maintenance window scheduling", () => {
    // 2026-11-22 is a Sunday.
    const sunday11 = { dow: "sunday" as const, time: "11:00:00" };

    it("applies at once when no window is set", () => {
        expect(decideDisruptive({}, at("2026-11-21T05:00:00Z"))).to.deep.equal({ apply: true, reason: "no maintenance window is set" });
    });

    it("applies inside the window and only there", () => {
        expect(decideDisruptive(sunday11, at("2026-11-22T11:00:00Z"))).to.deep.equal({
            apply: true,
            reason: "inside the maintenance window that opened at 2026-11-22T11:00:00.000Z",
        });
        expect(decideDisruptive(sunday11, at("2026-11-22T14:59:59Z")).apply).to.equal(true);
        expect(decideDisruptive(sunday11, at("2026-11-22T15:00:00Z"))).to.deep.equal({
            apply: false,
            reason: "waiting for the maintenance window at 2026-11-29T11:00:00.000Z",
            pendingUntil: at("2026-11-29T11:00:00Z"),
        });
        expect(decideDisruptive(sunday11, at("2026-11-22T10:59:59Z"))).to.deep.equal({
            apply: false,
            reason: "waiting for the maintenance window at 2026-11-22T11:00:00.000Z",
            pendingUntil: at("2026-11-22T11:00:00Z"),
        });
    });

    it("keeps a window that opened late on its day open past midnight", () => {
        const friday23 = { dow: "friday" as const, time: "23:00:00" };
        // 2026-11-20 is a Friday; 01:30 on Saturday is still inside its window.
        expect(openWindowStart(friday23, at("2026-11-21T01:30:00Z"))).to.deep.equal(at("2026-11-20T23:00:00Z"));
        expect(openWindowStart(friday23, at("2026-11-21T03:00:00Z"))).to.equal(undefined);
        expect(nextWindowStart(friday23, at("2026-11-21T03:00:00Z"))).to.deep.equal(at("2026-11-27T23:00:00Z"));
    });

    it("treats a time without a day as a daily window and a day without a time as starting at midnight", () => {
        expect(nextWindowStart({ time: "04:00:00" }, at("2026-11-21T05:00:00Z"))).to.deep.equal(at("2026-11-22T04:00:00Z"));
        expect(openWindowStart({ time: "04:00:00" }, at("2026-11-21T05:00:00Z"))).to.deep.equal(at("2026-11-21T04:00:00Z"));
        expect(nextWindowStart({ dow: "monday" }, at("2026-11-21T05:00:00Z"))).to.deep.equal(at("2026-11-23T00:00:00Z"));
    });

    it("runs outside the window when forced", () => {
        expect(decideDisruptive(sunday11, at("2026-11-25T08:00:00Z"), true)).to.deep.equal({ apply: true, reason: "forced by the user" });
    });
});
