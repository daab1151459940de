// Hash slots: valkey-cli's split of the 16384 slots, range arithmetic, and the slot of a key.
import { SlotRange } from "./types";

export const SLOT_COUNT = 16384;

/** C's lround for the non-negative values used here (halves round away from zero). */
function lround(x: number): number {
    return Math.floor(x + 0.5);
}

/**
 * The slot ranges of `primaries` primaries, exactly as `valkey-cli --cluster create` computes them
 * (src/valkey-cli.c, clusterManagerCommandCreate): single-precision `slots_per_node` and `cursor`,
 * `last = lround(cursor + slots_per_node - 1)`, the last primary ends at 16383. 3 primaries:
 * 0-5460, 5461-10922, 10923-16383. Matching it keeps clusters made here and by valkey-cli alike.
 */
export function splitSlots(primaries: number): SlotRange[] {
    if (!Number.isInteger(primaries) || primaries < 1 || primaries > SLOT_COUNT) {
        throw new RangeError(`the number of primaries must be an integer from 1 to ${SLOT_COUNT} (got ${primaries})`);
    }
    const perNode = Math.fround(SLOT_COUNT / primaries);
    let cursor = Math.fround(0);
    let first = 0;
    const ranges: SlotRange[] = [];
    for (let i = 0; i < primaries; i++) {
        let last = lround(Math.fround(Math.fround(cursor + perNode) - 1));
        if (last > SLOT_COUNT || i === primaries - 1) last = SLOT_COUNT - 1;
        if (last < first) last = first;
        ranges.push({ start: first, end: last });
        first = last + 1;
        cursor = Math.fround(cursor + perNode);
    }
    return ranges;
}

/** A set of slots as a bitmap. */
export function slotSet(ranges: readonly SlotRange[]): Uint8Array {
    const set = new Uint8Array(SLOT_COUNT);
    for (const r of ranges) set.fill(1, r.start, r.end + 1);
    return set;
}

/** The ranges of the slots for which `member(slot)` holds, in order. */
export function rangesWhere(member: (slot: number) => boolean): SlotRange[] {
    const ranges: SlotRange[] = [];
    let start = -1;
    for (let slot = 0; slot <= SLOT_COUNT; slot++) {
        const inside = slot < SLOT_COUNT && member(slot);
        if (inside && start < 0) start = slot;
        if (!inside && start >= 0) {
            ranges.push({ start, end: slot - 1 });
            start = -1;
        }
    }
    return ranges;
}

/** Normalises ranges: sorted, merged, without overlaps. */
export function normalizeRanges(ranges: readonly SlotRange[]): SlotRange[] {
    const set = slotSet(ranges);
    return rangesWhere((s) => set[s] === 1);
}

/** The slots of `a` that are also in `b`. */
export function intersectRanges(a: readonly SlotRange[], b: readonly SlotRange[]): SlotRange[] {
    const sa = slotSet(a);
    const sb = slotSet(b);
    return rangesWhere((s) => sa[s] === 1 && sb[s] === 1);
}

/** How many slots the ranges hold. */
export function countSlots(ranges: readonly SlotRange[]): number {
    return normalizeRanges(ranges).reduce((sum, r) => sum + r.end - r.start + 1, 0);
}

/** `0-5460,5461-10922`; a single slot prints as one number; no slots print as "none". */
export function formatRanges(ranges: readonly SlotRange[]): string {
    if (ranges.length === 0) return "none";
    return ranges.map((r) => (r.start === r.end ? `${r.start}` : `${r.start}-${r.end}`)).join(",");
}

/** CRC16-CCITT (XMODEM), the checksum of the Valkey key slot. */
function crc16(data: Buffer): number {
    let crc = 0;
    for (const byte of data) {
        crc ^= byte << 8;
        for (let bit = 0; bit < 8; bit++) {
            crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
        }
    }
    return crc;
}

/** The hash slot of a key: CRC16 of the key, or of its first non-empty `{hashtag}`, mod 16384. */
export function keySlot(key: string): number {
    const bytes = Buffer.from(key, "utf8");
    const open = bytes.indexOf(0x7b); // {
    if (open >= 0) {
        const close = bytes.indexOf(0x7d, open + 1); // }
        if (close > open + 1) return crc16(bytes.subarray(open + 1, close)) % SLOT_COUNT;
    }
    return crc16(bytes) % SLOT_COUNT;
}

/**
 * A key `<prefix>{<n>}` whose slot lies in `ranges` (the smallest such n), so a command on it goes to
 * the primary serving those slots without a redirect.
 */
export function keyInRanges(prefix: string, ranges: readonly SlotRange[]): string {
    if (ranges.length === 0) return prefix;
    const set = slotSet(ranges);
    // 16384 slots: well under a million tags finds every slot.
    for (let n = 0; n < 1_000_000; n++) {
        const key = `${prefix}{${n}}`;
        if (set[keySlot(key)] === 1) return key;
    }
    throw new Error(`no key found for slots ${formatRanges(ranges)}`);
}
