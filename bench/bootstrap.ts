// Benchmark: bootstrap of 3x1 and 6x1 clusters of local nodes until fully ready (every node reports
// cluster_state:ok with 16384 slots ok, every replica master_link_status:up), by `converge` and by
// `valkey-cli --cluster create ... --cluster-replicas 1 --cluster-yes` followed by waiting for the same
// readiness. Both start from the same state: fresh empty servers, started before the timer and left to
// settle (see SETTLE_MS). Run with `npm run bench`; BENCH_RUNS and BENCH_SETTLE_MS override the defaults.
import { spawn } from "child_process";
import Redis from "iovalkey";
import { converge } from "../provider/converge/converge";
import { directTransport } from "../provider/nodes/transport";
import { startValkey, stopAllValkeys, ValkeyProcess } from "../tests/helpers/valkey";

/**
 * Time between the servers answering PING and the timer's start. A master refuses to report
 * cluster_state:ok for 2 s after it starts (CLUSTER_WRITABLE_DELAY); on Kubernetes the StatefulSet
 * is ready long before the provider runs, so both tools are measured from settled servers.
 */
const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS ?? 2500);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const POLL_MS = 10;
const TIMEOUT_MS = 60000;

interface Scenario {
    readonly name: string;
    readonly masters: number;
}

const SCENARIOS: Scenario[] = [
    { name: "3x1 (6 nodes)", masters: 3 },
    { name: "6x1 (12 nodes)", masters: 6 },
];

function connect(s: ValkeyProcess): Redis {
    const client = new Redis({ host: s.host, port: s.port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on("error", () => undefined);
    return client;
}

function field(text: string, key: string): string | undefined {
    return new RegExp(`^${key}:(.*)$`, "m").exec(text)?.[1]?.trim();
}

/** Polls every POLL_MS until every node is ok with all slots and `replicas` replicas are linked. */
async function waitReady(servers: ValkeyProcess[], replicas: number): Promise<void> {
    const clients = servers.map(connect);
    await Promise.all(clients.map((c) => c.connect()));
    const deadline = Date.now() + TIMEOUT_MS;
    try {
        for (;;) {
            const replies = await Promise.all(clients.map(async (c) => [String(await c.call("CLUSTER", "INFO")), String(await c.call("INFO", "replication"))]));
            const clusterOk = replies.every(([info]) => field(info, "cluster_state") === "ok" && field(info, "cluster_slots_ok") === "16384");
            const linked = replies.filter(([, repl]) => field(repl, "role") === "slave" && field(repl, "master_link_status") === "up").length;
            if (clusterOk && linked === replicas) return;
            if (Date.now() > deadline) throw new Error(`not ready after ${TIMEOUT_MS} ms`);
            await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        }
    } finally {
        for (const c of clients) c.disconnect();
    }
}

async function freshServers(count: number): Promise<ValkeyProcess[]> {
    const servers = await Promise.all(Array.from({ length: count }, () => startValkey({ cluster: true })));
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    return servers;
}

async function timeConverge(scenario: Scenario): Promise<number> {
    const servers = await freshServers(scenario.masters * 2);
    const started = Date.now();
    await converge({
        topology: { kind: "cluster", masters: scenario.masters, replicasPerMaster: 1 },
        transport: directTransport(servers.map((s) => ({ dial: `${s.host}:${s.port}` }))),
    });
    await waitReady(servers, scenario.masters);
    const elapsed = Date.now() - started;
    await stopAllValkeys();
    return elapsed;
}

function valkeyCliCreate(servers: ValkeyProcess[]): Promise<void> {
    return new Promise((resolve, reject) => {
        const args = ["--cluster", "create", ...servers.map((s) => `${s.host}:${s.port}`), "--cluster-replicas", "1", "--cluster-yes"];
        const child = spawn("valkey-cli", args, { stdio: ["ignore", "ignore", "pipe"] });
        let stderr = "";
        child.stderr.on("data", (c) => (stderr += c));
        child.on("error", reject);
        child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`valkey-cli exited with ${code}: ${stderr}`))));
    });
}

async function timeValkeyCli(scenario: Scenario): Promise<number> {
    const servers = await freshServers(scenario.masters * 2);
    const started = Date.now();
    await valkeyCliCreate(servers);
    await waitReady(servers, scenario.masters);
    const elapsed = Date.now() - started;
    await stopAllValkeys();
    return elapsed;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const seconds = (ms: number) => (ms / 1000).toFixed(2);

async function main(): Promise<void> {
    console.log(`bootstrap until fully ready; servers settled ${SETTLE_MS} ms before each timer; ${RUNS} runs each, median shown`);
    const rows: string[][] = [["cluster", "pulumi-valkey converge", "valkey-cli create + wait", "ratio"]];
    for (const scenario of SCENARIOS) {
        const ours: number[] = [];
        const theirs: number[] = [];
        for (let run = 0; run < RUNS; run++) {
            ours.push(await timeConverge(scenario));
            theirs.push(await timeValkeyCli(scenario));
        }
        const ratio = median(ours) / median(theirs);
        rows.push([scenario.name, `${seconds(median(ours))} s`, `${seconds(median(theirs))} s`, ratio.toFixed(3)]);
        console.log(`${scenario.name}: converge ${ours.map(seconds).join(", ")} s; valkey-cli ${theirs.map(seconds).join(", ")} s`);
    }
    const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
    for (const r of rows) console.log(r.map((cell, c) => cell.padEnd(widths[c])).join("  "));
}

main().then(
    () => process.exit(0),
    async (e: unknown) => {
        console.error(e instanceof Error ? e.message : String(e));
        await stopAllValkeys();
        process.exit(1);
    },
);
