// Kubernetes resource quantities ("30Gi", "500M", "1.5Ti", "1e9", "1073741824") compared exactly.
// A PVC may grow and never shrink, so "is the new size smaller?" must not depend on floating
// point: 1Ti and 1099511627776 are equal, 1000Mi is smaller than 1Gi, 1G is smaller than 1Gi.
// @kubernetes/client-node's quantityToScalar refuses fractions ("1.5Gi") and mixes number and
// bigint results, hence this small parser. Pure and import-free: the guard's dynamic provider
// (sdk/resources/guard.ts) is serialized with it.

/** An exact value: numerator / denominator (both positive BigInts once parsed). */
export interface Quantity {
    readonly numerator: bigint;
    readonly denominator: bigint;
}

const FORMAT = /^([+-]?)([0-9]+\.?[0-9]*|\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$/;

/** Powers of 1024 and of 1000 (negative: 1/1000^n) of each suffix. */
const BINARY: Readonly<Record<string, number>> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const DECIMAL: Readonly<Record<string, number>> = { n: -3, u: -2, m: -1, "": 0, k: 1, M: 2, G: 3, T: 4, P: 5, E: 6 };

/** The exact value of a Kubernetes quantity, or undefined when the text is not one. */
export function parseQuantity(text: string): Quantity | undefined {
    const match = FORMAT.exec(text);
    if (!match) return undefined;
    const [, sign, number, suffix = ""] = match;
    const [whole, fraction = ""] = number.split(".");
    let numerator = BigInt((whole === "" ? "0" : whole) + fraction) * (sign === "-" ? -1n : 1n);
    let denominator = 10n ** BigInt(fraction.length);
    if (suffix in BINARY) {
        numerator *= 1024n ** BigInt(BINARY[suffix]);
    } else {
        const exponent = suffix in DECIMAL ? 3 * DECIMAL[suffix] : Number(suffix.slice(1));
        if (exponent >= 0) numerator *= 10n ** BigInt(exponent);
        else denominator *= 10n ** BigInt(-exponent);
    }
    return { numerator, denominator };
}

/** -1, 0 or 1 as `a` is smaller than, equal to or larger than `b`; undefined when either is not a quantity. */
export function compareQuantities(a: string, b: string): -1 | 0 | 1 | undefined {
    const x = parseQuantity(a);
    const y = parseQuantity(b);
    if (x === undefined || y === undefined) return undefined;
    const left = x.numerator * y.denominator;
    const right = y.numerator * x.denominator;
    return left < right ? -1 : left > right ? 1 : 0;
}

/** The value as a number (exact up to 2^53; for sizes, not for comparisons). */
export function quantityValue(text: string): number | undefined {
    const q = parseQuantity(text);
    return q === undefined ? undefined : Number(q.numerator) / Number(q.denominator);
}
