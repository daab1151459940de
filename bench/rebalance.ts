// Benchmark: rebalance 3 loaded shards onto one more, empty primary, by `converge` (masters 3 -> 4)
// and by `valkey-cli --cluster rebalance <node> --cluster-use-empty-masters`, from the same start
// state: 4 nodes in one cluster, 3 primaries holding BENCH_KEYS keys of 100 B (default 1M) and one
// empty primary. The state is loaded once, saved (SAVE), and restored from the RDB files and
// nodes.conf before the second run. A cluster client keeps reading and writing during both runs;
// its errors are counted (MOVED/ASK are followed by the client, not errors).
// Run with `npm run bench:rebalance` (on demand only: several minutes, ~1 GB of memory).
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { converge } from "../provider/converge/converge";
import { directTransport } from "../provider/nodes/transport";
import { countSlots } from "../provider/reconcile/slots";
import { loadDataset, startTraffic, TrafficReport, verifyDataset } from "../tests/helpers/dataset";
import { clusterClient, withClient } from "../tests/helpers/nodes";
import { startValkey, stopAllValkeys, ValkeyProcess } from "../tests/helpers/valkey";

const KEYS = Number(process.env.BENCH_KEYS ?? 1_000_000);
/** BENCH_TRAFFIC=0 runs both without the client (the client shares this process's CPU with converge). */
const TRAFFIC = process.env.BENCH_TRAFFIC !== "0";
const VALUE = "x".repeat(100);
const POLL_MS = 10;
const transport = (servers: readonly ValkeyProcess[]) => directTransport(servers.map((s) => ({ dial: `${s.host}:${s.port}` })));

async function waitClusterOk(servers: readonly ValkeyProcess[], known: number): Promise<void> {
    const deadline = Date.now() + 60000;
    for (;;) {
        const infos = await Promise.all(servers.map((s) => withClient(s, (c) => c.call("CLUSTER", "INFO") as Promise<string>).catch(() => "")));
        if (infos.every((i) => i.includes("cluster_state:ok") && i.includes(`cluster_known_nodes:${known}`))) return;
        if (Date.now() > deadline) throw new Error(`cluster not ok within 60 s: ${infos.map((i) => i.split("\r\n")[0]).join("; ")}`);
        await new Promise((r) => setTimeout(r, POLL_MS));
    }
}

/** Every node agrees on the slot map (same CLUSTER SLOTS), as after a finished rebalance. */
async function waitAgreement(servers: readonly ValkeyProcess[]): Promise<void> {
    const deadline = Date.now() + 60000;
    for (;;) {
        const maps = await Promise.all(
            servers.map((s) =>
                withClient(s, async (c) =>
                    JSON.stringify(((await c.call("CLUSTER", "SLOTS")) as unknown[][]).map((r) => [r[0], r[1], (r[2] as unknown[])[1]]).sort()),
                ),
            ),
        );
        if (maps.every((m) => m === maps[0])) return;
        if (Date.now() > deadline) throw new Error("nodes do not agree on the slot map within 60 s");
        await new Promise((r) => setTimeout(r, POLL_MS));
    }
}

function run(cmd: string, args: string[]): Promise<string> {
    return new Promise((resolve, reject) =>
        execFile(cmd, args, { maxBuffer: 64 * 1024 * 1024 }, (e, stdout, stderr) =>
            e ? reject(new Error(`${cmd} failed: ${stderr || e.message}`)) : resolve(stdout),
        ),
    );
}

async function slotsOf(s: ValkeyProcess): Promise<number> {
    return withClient(s, async (c) => {
        const me = ((await c.call("CLUSTER", "NODES")) as string).split("\n").find((l) => l.includes("myself")) ?? "";
        return countSlots(
            me
                .split(" ")
                .slice(8)
                .filter((f) => /^\d+(-\d+)?$/.test(f))
                .map((f) => {
                    const [a, b] = f.split("-").map(Number);
                    return { start: a, end: b ?? a };
                }),
        );
    });
}

interface Outcome {
    readonly seconds: number;
    readonly keysMoved: number;
    readonly traffic: TrafficReport;
    readonly detail: string;
}

async function measure(servers: ValkeyProcess[], body: () => Promise<string>): Promise<Outcome> {
    const client = clusterClient(servers);
    const traffic = startTraffic(client, KEYS, 2, TRAFFIC ? 2_000_000 : 0);
    const before = await withClient(servers[3], (c) => c.dbsize());
    const started = Date.now();
    let detail: string;
    let report: TrafficReport;
    let seconds: number;
    try {
        detail = await body();
        await waitAgreement(servers);
        seconds = (Date.now() - started) / 1000;
    } finally {
        report = await traffic.stop();
        client.disconnect();
    }
    const keysMoved = (await withClient(servers[3], (c) => c.dbsize())) - before;
    const { missing } = await verifyDataset(servers[0], KEYS, (i) => traffic.latest.get(i) ?? VALUE);
    if (missing.length > 0) throw new Error(`${missing.length} keys missing after the rebalance`);
    return { seconds, keysMoved, traffic: report, detail };
}

async function main(): Promise<void> {
    const servers = await Promise.all(Array.from({ length: 4 }, () => startValkey({ cluster: true })));
    try {
        await converge({ topology: { kind: "cluster", masters: 3, replicasPerMaster: 0 }, transport: transport(servers.slice(0, 3)) });
        let t = Date.now();
        await loadDataset(servers[0], KEYS, () => VALUE);
        console.log(`loaded ${KEYS} keys of ${VALUE.length} B in ${((Date.now() - t) / 1000).toFixed(1)} s`);
        // The fourth node joins as an empty primary (what both tools start from).
        await withClient(servers[3], (c) => c.call("CLUSTER", "MEET", servers[0].host, String(servers[0].port)));
        await waitClusterOk(servers, 4);
        await Promise.all(servers.map((s) => withClient(s, (c) => c.call("SAVE"))));
        const snapshot = servers.map((s) => {
            const dir = fs.mkdtempSync(path.join(path.dirname(s.dir), "bench-snapshot-"));
            for (const f of ["dump.rdb", "nodes.conf"]) fs.copyFileSync(path.join(s.dir, f), path.join(dir, f));
            return dir;
        });

        const ours = await measure(servers, async () => {
            const lines: string[] = [];
            await converge(
                { topology: { kind: "cluster", masters: 4, replicasPerMaster: 0 }, transport: transport(servers) },
                { timeoutMs: 600000, log: (l) => lines.push(l), smokeTest: false },
            );
            return lines.filter((l) => l.startsWith("moved ")).join("; ");
        });
        const ourSlots = await slotsOf(servers[3]);

        // Restore the loaded start state on the same ports, for valkey-cli.
        await Promise.all(servers.map((s) => s.stop()));
        servers.forEach((s, i) => {
            for (const f of ["dump.rdb", "nodes.conf"]) fs.copyFileSync(path.join(snapshot[i], f), path.join(s.dir, f));
        });
        const restored = await Promise.all(servers.map((s) => s.restart()));
        t = Date.now();
        await waitClusterOk(restored, 4);
        const sizes = await Promise.all(restored.map((s) => withClient(s, (c) => c.dbsize())));
        if (sizes.reduce((a, b) => a + b, 0) !== KEYS || sizes[3] !== 0) throw new Error(`restored state differs: ${sizes.join(", ")}`);
        const theirs = await measure(restored, () =>
            run("valkey-cli", ["--cluster", "rebalance", `${restored[0].host}:${restored[0].port}`, "--cluster-use-empty-masters"]).then(() => ""),
        );
        const theirSlots = await slotsOf(restored[3]);

        const rate = (o: Outcome) => Math.round(o.keysMoved / o.seconds);
        const row = (name: string, o: Outcome, slots: number) =>
            `${name.padEnd(48)} ${o.seconds.toFixed(2).padStart(7)} s  ${String(o.keysMoved).padStart(8)} keys  ${String(slots).padStart(5)} slots  ${String(rate(o)).padStart(8)} keys/s  client ops ${o.traffic.ops}, errors ${o.traffic.errors}`;
        console.log(
            `rebalance 3 shards x ${(KEYS / 3) | 0} keys of 100 B onto one more empty primary, ${TRAFFIC ? "under client traffic (2 workers)" : "without client traffic"}`,
        );
        console.log(row("pulumi-valkey converge (masters 3 -> 4)", ours, ourSlots));
        console.log(row("valkey-cli --cluster rebalance --use-empty-masters", theirs, theirSlots));
        console.log(`ratio (keys/s, ours / valkey-cli): ${(rate(ours) / rate(theirs)).toFixed(2)}x; time ratio ${(theirs.seconds / ours.seconds).toFixed(2)}x`);
        console.log(`our move phase: ${ours.detail}`);
        if (ours.traffic.firstErrors.length + theirs.traffic.firstErrors.length > 0)
            console.log(`client errors: ${[...ours.traffic.firstErrors, ...theirs.traffic.firstErrors].join("; ")}`);
        for (const d of snapshot) fs.rmSync(d, { recursive: true, force: true });
    } finally {
        await stopAllValkeys();
    }
}

main().catch((e) => {
    console.error(e);
    process.exitCode = 1;
});
