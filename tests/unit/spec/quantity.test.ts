// Kubernetes quantities compared exactly: binary and decimal suffixes, exponents, fractions and
// plain bytes, including values past 2^53 where floating point would call different sizes equal.
import { expect } from "chai";
import { compareQuantities, parseQuantity, quantityValue } from "../../../sdk/spec/quantity";

describe("parseQuantity", () => {
    const table: Array<[string, bigint, bigint]> = [
        ["1073741824", 1073741824n, 1n],
        ["1Ki", 1024n, 1n],
        ["1Mi", 1048576n, 1n],
        ["30Gi", 32212254720n, 1n],
        ["2Ti", 2199023255552n, 1n],
        ["1Pi", 1125899906842624n, 1n],
        ["1Ei", 1152921504606846976n, 1n],
        ["1k", 1000n, 1n],
        ["500M", 500000000n, 1n],
        ["20G", 20000000000n, 1n],
        ["1T", 1000000000000n, 1n],
        ["3E", 3000000000000000000n, 1n],
        ["1.5Gi", 16106127360n, 10n],
        ["0.5", 5n, 10n],
        [".5", 5n, 10n],
        ["5.", 5n, 1n],
        ["500m", 500n, 1000n],
        ["7u", 7n, 1000000n],
        ["7n", 7n, 1000000000n],
        ["1e9", 1000000000n, 1n],
        ["1E3", 1000n, 1n],
        ["1e-3", 1n, 1000n],
        ["+2Gi", 2147483648n, 1n],
        ["-1Gi", -1073741824n, 1n],
    ];
    for (const [text, numerator, denominator] of table) {
        it(`${text} = ${numerator}/${denominator}`, () => {
            expect(parseQuantity(text)).to.deep.equal({ numerator, denominator });
        });
    }

    it("refuses what is not a quantity", () => {
        for (const text of ["", "Gi", "1 Gi", "1gi", "1GiB", "1Kb", "1.2.3", "1e", "ten", "1Gi "]) {
            expect(parseQuantity(text), text).to.equal(undefined);
        }
    });
});

describe("compareQuantities", () => {
    const table: Array<[string, string, -1 | 0 | 1]> = [
        ["10Gi", "20Gi", -1],
        ["20Gi", "10Gi", 1],
        ["1Gi", "1073741824", 0],
        ["1Gi", "1024Mi", 0],
        ["1Ti", "1024Gi", 0],
        ["1000Mi", "1Gi", -1],
        ["1G", "1Gi", -1],
        ["1G", "1000M", 0],
        ["1.5Gi", "1536Mi", 0],
        ["1.5Gi", "1Gi", 1],
        ["1e9", "1G", 0],
        ["500m", "1", -1],
        // Past 2^53: one byte apart.
        ["9007199254740993", "9007199254740992", 1],
        ["8Ei", "9223372036854775807", 1],
    ];
    for (const [a, b, expected] of table) {
        it(`${a} vs ${b}: ${expected}`, () => {
            expect(compareQuantities(a, b)).to.equal(expected);
        });
    }

    it("is undefined when either side is not a quantity", () => {
        expect(compareQuantities("10Gi", "10GB")).to.equal(undefined);
        expect(compareQuantities("x", "1")).to.equal(undefined);
    });
});

describe("quantityValue", () => {
    it("gives the value as a number", () => {
        expect(["1Gi", "512M", "500m", "1e3", "1.5Ki", "1 Gi"].map(quantityValue)).to.deep.equal([2 ** 30, 512e6, 0.5, 1000, 1536, undefined]);
    });
});
