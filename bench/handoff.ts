// Benchmark: the write stall a client sees when a primary restarts, two ways, in one run.
//  - handoff: what a rolling restart does (provider/rollout): CLUSTER FAILOVER to the caught-up
//    replica, confirmed with ROLE, then the old primary restarts as a replica;
//  - kill: the primary is killed (SIGKILL) and its replica takes over by automatic failover.
// A 3 x 1 cluster on loopback with the cluster-node-timeout our pods run (2000 ms); one writer
// sends SET to keys of the shard concerned, back to back, and retries 10 ms after an error. The
// stall is the longest gap between two successful writes from the event until the end of the
// round; errors are counted. Every write goes to a key of its own, and every acknowledged one is
// looked for afterwards: "lost" counts acknowledged writes missing from the cluster (a handoff must
// lose none; a kill -9 may lose the last ones before the failover, replication being
// asynchronous). BENCH_ROUNDS rounds (default 3) of each; medians are printed.
// Run with `npm run bench:handoff` (on demand only).
import { Cluster } from "iovalkey";
import { converge } from "../provider/converge/converge";
import { NodeClient } from "../provider/nodes/client";
import { directTransport } from "../provider/nodes/transport";
import { rollingRestart } from "../provider/rollout/rollout";
import { CLUSTER_NODE_TIMEOUT_MS } from "../sdk/config/directives";
import { address, clusterClient, processRestarter, replicationInfo, startNodes, withClient } from "../tests/helpers/nodes";
import { stopAllValkeys, ValkeyProcess } from "../tests/helpers/valkey";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Writer {
    /** Longest gap between two successful writes since `mark()`, and errors since then. */
    stop(): Promise<{ stallMs: number; errors: number; writes: number }>;
    mark(): void;
    /** The keys of every acknowledged write, each with the value written. */
    readonly acked: Map<string, string>;
}

function startWriter(client: Cluster, tag: string): Writer {
    let stopped = false;
    let last = Date.now();
    let marked = false;
    let stall = 0;
    let errors = 0;
    let writes = 0;
    const acked = new Map<string, string>();
    const loop = (async () => {
        for (let n = 0; !stopped; n++) {
            try {
                const key = `{${tag}}:k${n}`;
                if ((await client.set(key, String(n))) === "OK") acked.set(key, String(n));
                const now = Date.now();
                if (marked) {
                    stall = Math.max(stall, now - last);
                    writes++;
                }
                last = now;
            } catch {
                if (marked) errors++;
                await sleep(10);
            }
        }
    })();
    return {
        acked,
        mark() {
            marked = true;
            last = Date.now();
        },
        async stop() {
            stopped = true;
            await loop;
            return { stallMs: stall, errors, writes };
        },
    };
}

/** A hash tag whose slot `primary` serves. */
async function tagServedBy(primary: ValkeyProcess): Promise<string> {
    for (let i = 0; ; i++) {
        const slot = Number(await withClient(primary, (c) => c.call("CLUSTER", "KEYSLOT", `t${i}`)));
        const slots = (await withClient(primary, (c) => c.call("CLUSTER", "SLOTS"))) as [number, number, [string, number]][];
        if (slots.some(([a, b, [, port]]) => slot >= a && slot <= b && port === primary.port)) return `t${i}`;
    }
}

async function primaryOf(servers: readonly ValkeyProcess[]): Promise<ValkeyProcess[]> {
    const roles = await Promise.all(servers.map(async (s) => (await replicationInfo(s)).role));
    return servers.filter((_, i) => roles[i] === "master");
}

async function waitLinked(servers: readonly ValkeyProcess[]): Promise<void> {
    const deadline = Date.now() + 60000;
    for (;;) {
        const infos = await Promise.all(servers.map((s) => replicationInfo(s).catch(() => undefined)));
        const ok = infos.every((i) => i !== undefined && (i.role === "master" || i.master_link_status === "up"));
        const clusterOk = await Promise.all(servers.map((s) => withClient(s, (c) => c.call("CLUSTER", "INFO") as Promise<string>).catch(() => "")));
        if (ok && clusterOk.every((c) => c.includes("cluster_state:ok"))) return;
        if (Date.now() > deadline) throw new Error("the cluster did not settle within 60 s");
        await sleep(50);
    }
}

/** Acknowledged writes whose key is missing or holds another value now; the keys are deleted after. */
async function lostWrites(client: Cluster, acked: Map<string, string>): Promise<number> {
    const keys = [...acked.keys()];
    let lost = 0;
    for (let i = 0; i < keys.length; i += 500) {
        const chunk = keys.slice(i, i + 500);
        const values = await client.mget(...chunk);
        chunk.forEach((k, j) => {
            if (values[j] !== acked.get(k)) lost++;
        });
        await client.del(...chunk);
    }
    return lost;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
    const servers = await startNodes(6, { cluster: true, args: ["--cluster-node-timeout", String(CLUSTER_NODE_TIMEOUT_MS)] });
    await converge({
        topology: { kind: "cluster", masters: 3, replicasPerMaster: 1 },
        transport: directTransport(servers.map((s) => ({ dial: address(s) }))),
        settings: { "cluster-node-timeout": CLUSTER_NODE_TIMEOUT_MS },
    });
    const restarter = processRestarter(servers);
    const handoff: { stallMs: number; errors: number; acked: number; lost: number }[] = [];
    const kill: { stallMs: number; errors: number; acked: number; lost: number }[] = [];
    const client = clusterClient(servers);
    try {
        for (let round = 0; round < ROUNDS; round++) {
            // Handoff: the rolling restart of one primary.
            let primary = (await primaryOf(servers))[0];
            let writer = startWriter(client, await tagServedBy(primary));
            await sleep(300);
            writer.mark();
            const targets = await directTransport(servers.map((s) => ({ dial: address(s) }))).open();
            const clients = targets.map((t) => new NodeClient(t));
            try {
                const r = await rollingRestart({
                    clients,
                    outdated: [address(primary)],
                    restarter,
                    handoff: { kind: "cluster" },
                    deadline: { at: Date.now() + 60000, seconds: 60, pollMs: 10 },
                });
                if (r.handoffs.length !== 1) throw new Error(`expected one handoff, got ${JSON.stringify(r.actions)}`);
            } finally {
                for (const c of clients) c.close();
            }
            await sleep(300);
            handoff.push({ ...(await writer.stop()), acked: writer.acked.size, lost: 0 });
            await waitLinked(servers);
            handoff[round].lost = await lostWrites(client, writer.acked);

            // Kill: SIGKILL of a primary, automatic failover, then it restarts and rejoins as a replica.
            primary = (await primaryOf(servers))[1];
            writer = startWriter(client, await tagServedBy(primary));
            await sleep(300);
            writer.mark();
            const i = servers.indexOf(primary);
            await primary.kill9();
            const started = Date.now();
            for (;;) {
                const roles = await Promise.all(
                    servers
                        .filter((s) => s !== primary)
                        .map((s) =>
                            replicationInfo(s)
                                .then((x) => x.role)
                                .catch(() => ""),
                        ),
                );
                if (roles.filter((r) => r === "master").length === 3) break;
                if (Date.now() - started > 60000) throw new Error("no automatic failover within 60 s");
                await sleep(10);
            }
            await sleep(1000);
            kill.push({ ...(await writer.stop()), acked: writer.acked.size, lost: 0 });
            servers[i] = await primary.restart();
            await waitLinked(servers);
            kill[round].lost = await lostWrites(client, writer.acked);
            console.log(
                `round ${round + 1}: handoff stall ${handoff[round].stallMs} ms (${handoff[round].errors} errors, ${handoff[round].lost} of ${handoff[round].acked} acknowledged writes lost); ` +
                    `kill stall ${kill[round].stallMs} ms (${kill[round].errors} errors, ${kill[round].lost} of ${kill[round].acked} acknowledged writes lost)`,
            );
        }
    } finally {
        client.disconnect();
    }
    const h = median(handoff.map((x) => x.stallMs));
    const k = median(kill.map((x) => x.stallMs));
    console.log(
        `write stall, median of ${ROUNDS}: handoff ${h} ms (errors ${handoff.map((x) => x.errors).join("/")}, acknowledged writes lost ${handoff.map((x) => x.lost).join("/")}), ` +
            `kill -9 + automatic failover ${k} ms (errors ${kill.map((x) => x.errors).join("/")}, acknowledged writes lost ${kill.map((x) => x.lost).join("/")}), ratio ${(h / k).toFixed(3)}`,
    );
}

main()
    .then(stopAllValkeys)
    .then(() => process.exit(0))
    .catch(async (e) => {
        console.error(e);
        await stopAllValkeys();
        process.exit(1);
    });
