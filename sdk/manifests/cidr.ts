// CIDR blocks in the canonical form the Kubernetes API server expects. ip_filter accepts
// "10.20.0.1/16" (host bits set) and any IPv6 spelling; Kubernetes 1.33+ warns about (and, with
// strict IP validation, rejects) such values in NetworkPolicy ipBlocks and loadBalancerSourceRanges.
// Masking the host bits keeps the same set of addresses, so "exactly the ip_filter CIDRs" holds.
import * as net from "net";

function ipv4ToBytes(address: string): number[] {
    return address.split(".").map(Number);
}

function ipv6ToBytes(address: string): number[] {
    let text = address.toLowerCase();
    // An embedded IPv4 tail (::ffff:10.0.0.1) becomes two 16-bit groups.
    const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
    if (v4) {
        const [a, b, c, d] = ipv4ToBytes(v4[1]);
        text = text.slice(0, v4.index) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
    }
    const [head, tail] = text.includes("::") ? text.split("::") : [text, undefined];
    const headGroups = head === "" ? [] : head.split(":");
    const tailGroups = tail === undefined || tail === "" ? [] : tail.split(":");
    const zeros = tail === undefined ? [] : new Array<string>(8 - headGroups.length - tailGroups.length).fill("0");
    return [...headGroups, ...zeros, ...tailGroups].flatMap((g) => {
        const n = parseInt(g, 16);
        return [n >> 8, n & 0xff];
    });
}

// RFC 5952, as Go's netip (and so the API server) prints it: lowercase, no leading zeros, the
// longest run of 2+ zero groups as "::" (the first on ties), IPv4-mapped addresses dotted.
function formatIpv6(bytes: number[]): string {
    if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
        return `::ffff:${bytes.slice(12).join(".")}`;
    }
    const groups: number[] = [];
    for (let i = 0; i < 16; i += 2) groups.push((bytes[i] << 8) | bytes[i + 1]);
    let bestStart = -1;
    let bestLength = 1;
    for (let i = 0; i < 8;) {
        if (groups[i] !== 0) {
            i++;
            continue;
        }
        let j = i;
        while (j < 8 && groups[j] === 0) j++;
        if (j - i > bestLength) {
            bestStart = i;
            bestLength = j - i;
        }
        i = j;
    }
    const hex = (gs: number[]) => gs.map((g) => g.toString(16)).join(":");
    if (bestStart < 0) return hex(groups);
    return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLength))}`;
}

/**
 * `cidr` with its host bits cleared and its address in canonical form, e.g. "10.20.0.1/16" ->
 * "10.20.0.0/16", "2001:DB8:0:0::1/32" -> "2001:db8::/32". Throws on anything that is not a CIDR
 * (the spec schema has already refused those).
 */
export function canonicalCidr(cidr: string): string {
    const [address, prefixText] = cidr.split("/");
    const family = net.isIP(address);
    const prefix = Number(prefixText);
    if (family === 0 || !/^\d{1,3}$/.test(prefixText ?? "") || prefix > (family === 4 ? 32 : 128)) {
        throw new Error(`${JSON.stringify(cidr)} is not a CIDR block like 10.20.0.0/16`);
    }
    const bytes = family === 4 ? ipv4ToBytes(address) : ipv6ToBytes(address);
    const masked = bytes.map((byte, i) => {
        const keep = Math.max(0, Math.min(8, prefix - i * 8));
        return byte & ((0xff << (8 - keep)) & 0xff);
    });
    return `${family === 4 ? masked.join(".") : formatIpv6(masked)}/${prefix}`;
}

/** The canonical form of each CIDR, in the given order, each block once. */
export function canonicalCidrs(cidrs: readonly string[]): string[] {
    return [...new Set(cidrs.map(canonicalCidr))];
}
