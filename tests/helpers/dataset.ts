// A known dataset in a cluster: loaded with pipelined SETs straight to each slot's primary, read back
// the same way, and a bounded cluster-aware client that keeps reading and writing while slots move.
import { expect } from "chai";
import Redis, { Cluster } from "iovalkey";
import { keySlot } from "../../provider/reconcile/slots";
import { ValkeyProcess } from "./valkey";

export const datasetKey = (i: number): string => `key:${i}`;

function connect(host: string, port: number): Redis {
    const r = new Redis({ host, port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 2000, commandTimeout: 30000 });
    r.on("error", () => undefined);
    return r;
}

/** Slot -> "host:port" of the primary serving it, from CLUSTER SLOTS of `server`. */
export async function slotOwners(server: ValkeyProcess): Promise<string[]> {
    const r = connect(server.host, server.port);
    try {
        await r.connect();
        const slots = (await r.call("CLUSTER", "SLOTS")) as [number, number, [string, number]][];
        const owner = new Array<string>(16384).fill("");
        for (const [start, end, [host, port]] of slots) for (let s = start; s <= end; s++) owner[s] = `${host}:${port}`;
        return owner;
    } finally {
        r.disconnect();
    }
}

/** Runs `body` on one connection per primary, with the keys of `count` grouped by the primary serving them. */
async function perPrimary(server: ValkeyProcess, keys: readonly string[], body: (r: Redis, keys: string[]) => Promise<void>): Promise<void> {
    const owner = await slotOwners(server);
    const groups = new Map<string, string[]>();
    for (const k of keys) {
        const o = owner[keySlot(k)];
        if (o === "") throw new Error(`slot of ${k} is served by nobody`);
        const list = groups.get(o);
        if (list) list.push(k);
        else groups.set(o, [k]);
    }
    await Promise.all(
        [...groups].map(async ([address, list]) => {
            const [host, port] = address.split(":");
            const r = connect(host, Number(port));
            try {
                await r.connect();
                await body(r, list);
            } finally {
                r.disconnect();
            }
        }),
    );
}

/** Writes `key:0..count-1` with `value(i)`, pipelined in batches of 5000 per primary. */
export async function loadDataset(server: ValkeyProcess, count: number, value: (i: number) => string): Promise<void> {
    const keys = Array.from({ length: count }, (_, i) => datasetKey(i));
    await perPrimary(server, keys, async (r, list) => {
        for (let i = 0; i < list.length; i += 5000) {
            const p = r.pipeline();
            for (const k of list.slice(i, i + 5000)) p.set(k, value(Number(k.slice(4))));
            const results = (await p.exec()) ?? [];
            const failed = results.find(([e]) => e);
            if (failed) throw failed[0];
        }
    });
}

/** Reads every key of the dataset from the primary serving it; returns the keys whose value differs from `expected(i)`. */
export async function verifyDataset(server: ValkeyProcess, count: number, expected: (i: number) => string): Promise<{ missing: string[]; wrong: string[] }> {
    const keys = Array.from({ length: count }, (_, i) => datasetKey(i));
    const missing: string[] = [];
    const wrong: string[] = [];
    await perPrimary(server, keys, async (r, list) => {
        for (let i = 0; i < list.length; i += 5000) {
            const chunk = list.slice(i, i + 5000);
            const values = await r.mget(...chunk).catch(async () => Promise.all(chunk.map((k) => r.get(k))));
            chunk.forEach((k, j) => {
                const v = values[j];
                if (v === null) missing.push(k);
                else if (v !== expected(Number(k.slice(4)))) wrong.push(k);
            });
        }
    });
    return { missing, wrong };
}

export interface TrafficReport {
    readonly ops: number;
    readonly errors: number;
    /** GETs that returned something else than the last value written (or loaded). */
    readonly stale: number;
    readonly firstErrors: string[];
}

/** The client saw no error and no stale read, and did some work. */
export function expectCleanTraffic(report: TrafficReport): void {
    expect(report.firstErrors).to.deep.equal([]);
    expect(report.errors).to.equal(0);
    expect(report.stale).to.equal(0);
    expect(report.ops).to.be.greaterThan(100);
}

/**
 * Keeps `workers` loops of GET then SET (a new value) on known keys through a cluster client, until
 * `stop()` or `maxOps`; MOVED and ASK are followed by the client. Each worker owns the keys i with
 * i % workers == its number, so it knows each key's last value.
 */
export function startTraffic(client: Cluster, count: number, workers = 4, maxOps = 2_000_000) {
    const latest = new Map<number, string>();
    let ops = 0;
    let errors = 0;
    let stale = 0;
    let stopped = false;
    const firstErrors: string[] = [];
    const loops = Array.from({ length: workers }, async (_, w) => {
        for (let n = 0; !stopped && ops < maxOps; n++) {
            const i = ((n * 7919 + w * 104729) % Math.floor(count / workers)) * workers + w;
            const key = datasetKey(i);
            try {
                const v = await client.get(key);
                const want = latest.get(i) ?? `v${i}`;
                if (v !== want) stale++;
                const next = `w${i}:${n}`;
                await client.set(key, next);
                latest.set(i, next);
                ops += 2;
            } catch (e) {
                errors++;
                if (firstErrors.length < 5) firstErrors.push((e as Error).message);
                await new Promise((r) => setTimeout(r, 10));
            }
        }
    });
    return {
        latest,
        async stop(): Promise<TrafficReport> {
            stopped = true;
            await Promise.all(loops);
            return { ops, errors, stale, firstErrors };
        },
    };
}
