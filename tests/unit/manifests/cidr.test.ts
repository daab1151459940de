import { expect } from "chai";
import { canonicalCidr, canonicalCidrs } from "../../../sdk/manifests/cidr";

describe("manifests/cidr", () => {
    const cases: Array<[string, string]> = [
        ["10.20.0.0/16", "10.20.0.0/16"],
        ["10.20.0.1/16", "10.20.0.0/16"],
        ["192.168.1.77/30", "192.168.1.76/30"],
        ["0.0.0.0/32", "0.0.0.0/32"],
        ["203.0.113.9/0", "0.0.0.0/0"],
        ["2001:DB8:0:0::1/32", "2001:db8::/32"],
        ["2001:db8:0:0:1:0:0:1/128", "2001:db8::1:0:0:1/128"],
        ["2001:0db8:0000:0000:0000:0000:0000:0001/64", "2001:db8::/64"],
        ["fe80::1234:5678/10", "fe80::/10"],
        ["::/0", "::/0"],
        ["::1/128", "::1/128"],
        ["::ffff:10.1.2.3/120", "::ffff:10.1.2.0/120"],
        ["::ffff:a01:203/128", "::ffff:10.1.2.3/128"],
        ["2001:db8:1:2:3:4:5:6/128", "2001:db8:1:2:3:4:5:6/128"],
    ];
    for (const [input, expected] of cases) {
        it(`${input} -> ${expected}`, () => expect(canonicalCidr(input)).to.equal(expected));
    }

    it("refuses what is not a CIDR block", () => {
        for (const bad of ["10.0.0.0", "10.0.0.0/33", "::/129", "10.0.0/8", "x/8", "10.0.0.0/a"]) {
            expect(() => canonicalCidr(bad), bad).to.throw(`"${bad}" is not a CIDR block like 10.20.0.0/16`);
        }
    });

    it("keeps each block once, in the given order", () => {
        expect(canonicalCidrs(["10.20.0.1/16", "192.168.0.0/24", "10.20.5.5/16"])).to.deep.equal(["10.20.0.0/16", "192.168.0.0/24"]);
    });
});
