import { expect } from "chai";
import Redis, { Cluster } from "iovalkey";
import { converge } from "../../provider/converge/converge";
import { NodeClient } from "../../provider/nodes/client";
import { rollingRestart } from "../../provider/rollout/rollout";
import { directTransport } from "../../provider/nodes/transport";
import { keySlot } from "../../provider/reconcile/slots";
import { expectCleanTraffic, loadDataset, slotOwners, startTraffic, verifyDataset } from "../helpers/dataset";
import { address, clusterClient, direct, processRestarter, replicationInfo, runId, startNodes, withClient } from "../helpers/nodes";
import { stopAllValkeys, ValkeyProcess } from "../helpers/valkey";

const KEYS = 20_000;

/** rollingRestart over fresh connections to `servers`, restarting with processRestarter. */
async function roll(servers: ValkeyProcess[], outdated: readonly string[], kind: "cluster" | "replicated") {
    const targets = await directTransport(servers.map((s) => ({ dial: address(s) }))).open();
    const clients = targets.map((t) => new NodeClient(t));
    const restarter = processRestarter(servers);
    try {
        const result = await rollingRestart({ clients, outdated, restarter, handoff: { kind }, deadline: { at: Date.now() + 90000, seconds: 90, pollMs: 10 } });
        return { ...result, order: restarter.order };
    } finally {
        for (const c of clients) c.close();
    }
}

/** Error replies by which a node refuses a write it did not apply (not acknowledged, not lost). */
const REFUSAL = /^(MOVED|ASK|READONLY|CLUSTERDOWN|TRYAGAIN|LOADING|MASTERDOWN)\b/;

/**
 * A client of a Kubernetes Service in front of a cluster: a plain connection to the pod the Service
 * picked, which it drops and opens again after any error, as client libraries do.
 */
function serviceConnection(pod: ValkeyProcess) {
    const open = () => {
        const r = new Redis({ host: pod.host, port: pod.port, connectTimeout: 1000, commandTimeout: 1000, maxRetriesPerRequest: 1, retryStrategy: () => 100 });
        r.on("error", () => undefined);
        return r;
    };
    let current = open();
    return {
        set: (key: string, value: string) => current.set(key, value),
        reconnect() {
            current.disconnect();
            current = open();
        },
        disconnect: () => current.disconnect(),
    };
}

/**
 * Writes unique keys `name:i` (value `v<i>`, only the keys `accept` takes) one at a time until
 * `stopped()`. A key counts as acknowledged only on OK; an error reply of REFUSAL counts as refused;
 * any other error (connection closed, timeout: the outcome is unknown) as failed. The stall is the
 * longest time between two consecutive acknowledgements.
 */
function ackedWriter(
    name: string,
    client: { set(key: string, value: string): Promise<unknown>; reconnect?(): void },
    stopped: () => boolean,
    accept: (key: string) => boolean = () => true,
) {
    const acked = new Map<string, string>();
    const refusals = new Map<string, number>();
    let refused = 0;
    let failed = 0;
    let stall = 0;
    const done = (async () => {
        let last: number | undefined;
        for (let i = 0; !stopped(); i++) {
            const key = `${name}:${i}`;
            if (!accept(key)) continue;
            try {
                if ((await client.set(key, `v${i}`)) === "OK") {
                    acked.set(key, `v${i}`);
                    const now = Date.now();
                    if (last !== undefined) stall = Math.max(stall, now - last);
                    last = now;
                }
            } catch (e) {
                const refusal = REFUSAL.exec((e as Error).message)?.[1];
                if (refusal !== undefined) {
                    refused++;
                    refusals.set(refusal, (refusals.get(refusal) ?? 0) + 1);
                } else {
                    failed++;
                }
                client.reconnect?.();
                await new Promise((r) => setTimeout(r, 20));
            }
        }
    })();
    return {
        acked,
        done,
        refused: () => refused,
        refusals: () => [...refusals].map(([k, n]) => `${k} ${n}`).join(", "),
        failed: () => failed,
        stall: () => stall,
    };
}

/** The acknowledged keys that the cluster does not hold with their value: one MGET per slot, sent to its primary. */
async function missingAcked(servers: readonly ValkeyProcess[], acked: ReadonlyMap<string, string>): Promise<string[]> {
    const bySlot = new Map<number, string[]>();
    for (const key of acked.keys()) {
        const slot = keySlot(key);
        const list = bySlot.get(slot);
        if (list) list.push(key);
        else bySlot.set(slot, [key]);
    }
    const reader: Cluster = clusterClient(servers);
    const missing: string[] = [];
    try {
        const groups = [...bySlot.values()];
        for (let i = 0; i < groups.length; i += 500) {
            const replies = await Promise.all(groups.slice(i, i + 500).map((keys) => reader.mget(...keys)));
            groups.slice(i, i + 500).forEach((keys, g) => keys.forEach((key, j) => replies[g][j] !== acked.get(key) && missing.push(key)));
        }
    } finally {
        reader.disconnect();
    }
    return missing;
}

describe("rolling restart with primary handoff (cluster, real servers)", function () {
    this.timeout(120000);
    after(stopAllValkeys);

    it("restarts replicas first, hands every primary off with CLUSTER FAILOVER before its restart, and the client sees no error", async () => {
        const servers = await startNodes(6, { cluster: true });
        const converged = await converge({ topology: { kind: "cluster", masters: 3, replicasPerMaster: 1 }, transport: direct(servers) });
        const primaries = converged.layout.primaries.map((p) => p.node).sort();
        const replicas = converged.layout.replicas.map((r) => r.node).sort();
        await loadDataset(servers[0], KEYS, (i) => `v${i}`);
        const before = await Promise.all(servers.map(runId));

        const client = clusterClient(servers);
        const traffic = startTraffic(client, KEYS, 4);
        const result = await roll(servers, servers.map(address), "cluster");
        const report = await traffic.stop();
        client.disconnect();
        console.log(
            `      handoffs: ${result.handoffs.map((h) => `${h.ms} ms`).join(", ")}; client ops ${report.ops}, errors ${report.errors}, stale reads ${report.stale}`,
        );

        // Replicas first, then the primaries, each after its handoff.
        expect(result.order.slice(0, 3).sort()).to.deep.equal(replicas);
        expect(result.order.slice(3).sort()).to.deep.equal(primaries);
        expect(result.restarted).to.deep.equal(result.order);
        expect(result.handoffs.map((h) => h.from).sort()).to.deep.equal(primaries);
        expect(result.handoffs.map((h) => h.to).sort()).to.deep.equal(replicas);
        expect(result.actions.filter((l) => l.includes("CLUSTER FAILOVER"))).to.have.length(3);
        // Every node runs a new process; the roles are swapped, every replica is linked.
        const after = await Promise.all(servers.map(runId));
        after.forEach((id, i) => expect(id).to.not.equal(before[i]));
        for (const s of servers) {
            const info = await replicationInfo(s);
            const name = address(s);
            expect(info.role, name).to.equal(replicas.includes(name) ? "master" : "slave");
            if (info.role === "slave") expect(info.master_link_status, name).to.equal("up");
        }
        expectCleanTraffic(report);
        const { missing, wrong } = await verifyDataset(servers[0], KEYS, (i) => traffic.latest.get(i) ?? `v${i}`);
        expect({ missing: missing.length, wrong: wrong.length }).to.deep.equal({ missing: 0, wrong: 0 });
        // Nothing left for converge to do: swapped roles are a valid layout.
        expect((await converge({ topology: { kind: "cluster", masters: 3, replicasPerMaster: 1 }, transport: direct(servers) })).mutations).to.equal(0);
    });

    it("loses no acknowledged write, through cluster discovery and through a Service connection to a primary (acked, refused, lost, longest stall)", async () => {
        const servers = await startNodes(6, { cluster: true });
        const converged = await converge({ topology: { kind: "cluster", masters: 3, replicasPerMaster: 1 }, transport: direct(servers) });
        // The pod a Service picked for one client: a primary, with keys of the slots it serves.
        const picked = servers.find((s) => address(s) === converged.layout.primaries[0].node)!;
        const ownersBefore = await slotOwners(servers[0]);
        const discovery = clusterClient(servers);
        const service = serviceConnection(picked);
        let stopped = false;
        const writers = [
            ackedWriter("discovery", discovery, () => stopped),
            ackedWriter(
                "service",
                service,
                () => stopped,
                (key) => ownersBefore[keySlot(key)] === address(picked),
            ),
        ];
        let result;
        try {
            result = await roll(servers, servers.map(address), "cluster");
        } finally {
            stopped = true;
            await Promise.all(writers.map((w) => w.done));
            discovery.disconnect();
            service.disconnect();
        }
        // Every acknowledged key, read back from the primary that serves its slot now.
        const lost = await Promise.all(writers.map((w) => missingAcked(servers, w.acked)));
        console.log(
            `      rolling restart with CLUSTER FAILOVER (3 x 1): handoffs ${result.handoffs.map((h) => `${h.ms} ms`).join(", ")}; ` +
                writers
                    .map(
                        (w, i) =>
                            `${["cluster discovery", `Service connection to ${address(picked)}`][i]}: ${w.acked.size} acknowledged, ${w.refused()} refused (${w.refusals()}), ` +
                            `${w.failed()} failed, ${lost[i].length} lost, longest stall ${w.stall()} ms`,
                    )
                    .join("; "),
        );
        expect(lost.map((l) => l.slice(0, 5))).to.deep.equal([[], []]);
        expect(result.handoffs.map((h) => h.from)).to.include(address(picked));
        // Both writers wrote through the whole restart: the Service connection was refused only
        // once its pod had handed its slots over, and the discovery client kept being acknowledged.
        expect(writers[0].acked.size).to.be.greaterThan(100);
        expect(writers[1].acked.size).to.be.greaterThan(100);
        expect(writers[1].refused()).to.be.greaterThan(0);
        expect(writers[1].refusals()).to.match(/^(MOVED|READONLY)/);
    });

    it("restarts a primary without replicas in place and says its shard was unavailable", async () => {
        const servers = await startNodes(3, { cluster: true });
        await converge({ topology: { kind: "cluster", masters: 3, replicasPerMaster: 0 }, transport: direct(servers) });
        const result = await roll(servers, [address(servers[1])], "cluster");
        expect(result.restarted).to.deep.equal([address(servers[1])]);
        expect(result.handoffs).to.deep.equal([]);
        expect(result.actions[0]).to.equal(
            `${address(servers[1])}: no replica to hand the primary role to: restarting it as primary (its slots are unavailable until it is back, and without persistence its data is lost)`,
        );
        expect(result.actions[1]).to.match(
            new RegExp(`^${address(servers[1]).replace(/\./g, "\\.")}: restarted as primary in \\d+\\.\\d s \\(run_id \\w{8} -> \\w{8}\\)$`),
        );
    });
});

describe("rolling restart with primary handoff (replication without Sentinel, real servers)", function () {
    this.timeout(60000);
    after(stopAllValkeys);

    it("restarts the replicas, then hands the primary role over with FAILOVER TO before restarting the old primary", async () => {
        const servers = await startNodes(3);
        const converged = await converge({ topology: { kind: "replicated", replicas: 2 }, transport: direct(servers) });
        const primary = converged.layout.primaries[0].node;
        await withClient(
            servers.find((s) => address(s) === primary)!,
            (c) => c.set("k", "v1"),
        );
        const result = await roll(servers, servers.map(address), "replicated");
        expect(result.order[2]).to.equal(primary);
        expect(result.handoffs).to.have.length(1);
        expect(result.handoffs[0].from).to.equal(primary);
        const newPrimary = servers.find((s) => address(s) === result.handoffs[0].to)!;
        expect((await replicationInfo(newPrimary)).role).to.equal("master");
        expect(await withClient(newPrimary, (c) => c.get("k"))).to.equal("v1");
        for (const s of servers.filter((s) => s !== newPrimary)) {
            const info = await replicationInfo(s);
            expect([info.role, info.master_link_status, info.master_port]).to.deep.equal(["slave", "up", String(newPrimary.port)]);
        }
    });
});

describe("scale-in after roles swapped (real servers)", function () {
    this.timeout(180000);
    after(stopAllValkeys);

    it("4 x 1 -> 3 x 1 when the leaving pods are primaries: a staying replica takes over, the rest is drained, no key lost", async () => {
        const servers = await startNodes(8, { cluster: true });
        const first = await converge({ topology: { kind: "cluster", masters: 4, replicasPerMaster: 1 }, transport: direct(servers) });
        await loadDataset(servers[0], KEYS, (i) => `v${i}`);
        // A rolling restart hands every primary role to its replica.
        const rolled = await roll(
            servers,
            first.layout.primaries.map((p) => p.node),
            "cluster",
        );
        expect(rolled.handoffs).to.have.length(4);
        const lines: string[] = [];
        const down = { topology: { kind: "cluster" as const, masters: 3, replicasPerMaster: 1, surplus: "release" as const }, transport: direct(servers) };
        const out = await converge(down, { timeoutMs: 120000, log: (l) => lines.push(l) });
        const staying = servers.slice(0, 6).map(address);
        expect([...out.layout.primaries.map((p) => p.node), ...out.layout.replicas.map((r) => r.node)].sort()).to.deep.equal([...staying].sort());
        const takeOvers = lines.filter((l) => l.includes("CLUSTER FAILOVER (take over the slots of"));
        expect(takeOvers.length).to.be.within(1, 2);
        for (const l of takeOvers) expect(staying).to.include(l.split(":").slice(0, 2).join(":"));
        expect(lines.filter((l) => l.includes("CLUSTER RESET SOFT"))).to.have.length(2);
        const { missing, wrong } = await verifyDataset(servers[0], KEYS, (i) => `v${i}`);
        expect({ missing: missing.length, wrong: wrong.length }).to.deep.equal({ missing: 0, wrong: 0 });
        expect((await converge(down)).mutations).to.equal(0);
    });
});
