import { expect } from "chai";
import Redis from "iovalkey";
import { converge } from "../../provider/converge/converge";
import { countSlots, shareDeviationPercent } from "../../provider/reconcile";
import { clusterInfo, clusterClient, direct, startNodes, withClient } from "../helpers/nodes";
import { expectCleanTraffic, loadDataset, startTraffic, verifyDataset } from "../helpers/dataset";
import { stopAllValkeys, ValkeyProcess } from "../helpers/valkey";

const KEYS = 200_000;

async function dbsize(s: ValkeyProcess): Promise<number> {
    return withClient(s, (c) => c.dbsize());
}

async function openSlots(s: ValkeyProcess): Promise<string[]> {
    const nodes = await withClient(s, (c) => c.call("CLUSTER", "NODES") as Promise<string>);
    return nodes.split("\n").flatMap((l) => l.split(" ").filter((f) => f.includes("->-") || f.includes("-<-")));
}

describe("rescale: replicasPerMaster 0 -> 1 -> 0", function () {
    this.timeout(60000);
    after(stopAllValkeys);

    it("adds a replica to each primary, then releases them: forgotten everywhere and reset", async () => {
        const servers = await startNodes(6, { cluster: true });
        const primaries = servers.slice(0, 3);
        await converge({ topology: { kind: "cluster", masters: 3, replicasPerMaster: 0 }, transport: direct(primaries) });
        await loadDataset(servers[0], 20_000, (i) => `v${i}`);
        const up = await converge({ topology: { kind: "cluster", masters: 3, replicasPerMaster: 1 }, transport: direct(servers) });
        expect(up.layout.replicas.map((r) => r.node).sort()).to.deep.equal(
            servers
                .slice(3)
                .map((s) => `${s.host}:${s.port}`)
                .sort(),
        );
        for (const s of servers.slice(3)) expect(await dbsize(s)).to.be.greaterThan(5000);

        const down = { topology: { kind: "cluster" as const, masters: 3, replicasPerMaster: 0, surplus: "release" as const }, transport: direct(servers) };
        const lines: string[] = [];
        const result = await converge(down, { log: (l) => lines.push(l) });
        expect(result.layout.replicas).to.deep.equal([]);
        // Every staying node forgets every released replica, and each released replica is reset (the
        // set of what was sent: a round repeated after an error sends the same again).
        const replicaAddresses = servers.slice(3).map((s) => `${s.host}:${s.port}`);
        expect([...new Set(lines.filter((l) => l.includes("CLUSTER FORGET")).map((l) => l.split(" (")[0]))]).to.have.length(9);
        expect(lines.filter((l) => l.includes("CLUSTER FORGET")).every((l) => primaries.some((p) => l.startsWith(`${p.host}:${p.port}: `)))).to.equal(true);
        expect([...new Set(lines.filter((l) => l.includes("CLUSTER RESET SOFT")).map((l) => l.split(": ")[0]))].sort()).to.deep.equal(replicaAddresses.sort());
        for (const s of primaries) expect((await clusterInfo(s)).cluster_known_nodes).to.equal("3");
        for (const s of servers.slice(3)) {
            expect((await clusterInfo(s)).cluster_known_nodes).to.equal("1");
            expect(await dbsize(s)).to.equal(0);
        }
        const { missing } = await verifyDataset(servers[0], 20_000, (i) => `v${i}`);
        expect(missing).to.deep.equal([]);
        expect((await converge(down)).mutations).to.equal(0);
    });
});

describe("rescale: 3 x 1 -> 4 x 1 -> 3 x 1 (primaries with replicas)", function () {
    this.timeout(60000);
    after(stopAllValkeys);

    it("a new shard joins with its replica, then leaves: drained, both released, no key lost", async () => {
        const servers = await startNodes(8, { cluster: true });
        await converge({ topology: { kind: "cluster", masters: 3, replicasPerMaster: 1 }, transport: direct(servers.slice(0, 6)) });
        await loadDataset(servers[0], 30_000, (i) => `v${i}`);
        const out = await converge({ topology: { kind: "cluster", masters: 4, replicasPerMaster: 1 }, transport: direct(servers) }, { timeoutMs: 45000 });
        expect(out.layout.primaries).to.have.length(4);
        expect(out.layout.replicas).to.have.length(4);
        for (const p of out.layout.primaries) expect(shareDeviationPercent(countSlots(p.slots), 4), p.node).to.be.at.most(2);

        const down = { topology: { kind: "cluster" as const, masters: 3, replicasPerMaster: 1, surplus: "release" as const }, transport: direct(servers) };
        const back = await converge(down, { timeoutMs: 45000 });
        expect(back.layout.primaries.map((p) => p.node).sort()).to.deep.equal(
            servers
                .slice(0, 3)
                .map((s) => `${s.host}:${s.port}`)
                .sort(),
        );
        expect(back.layout.replicas).to.have.length(3);
        for (const s of servers.slice(0, 6)) expect((await clusterInfo(s)).cluster_known_nodes).to.equal("6");
        for (const s of servers.slice(6)) expect([(await clusterInfo(s)).cluster_known_nodes, await dbsize(s)]).to.deep.equal(["1", 0]);
        const { missing, wrong } = await verifyDataset(servers[0], 30_000, (i) => `v${i}`);
        expect({ missing: missing.length, wrong: wrong.length }).to.deep.equal({ missing: 0, wrong: 0 });
        expect((await converge(down)).mutations).to.equal(0);
    });
});

describe("rescale: 3 -> 5 -> 3 primaries moving keys under client traffic", function () {
    this.timeout(120000);
    after(stopAllValkeys);

    it(`keeps all ${KEYS} keys and every client request succeeds`, async () => {
        const servers = await startNodes(5, { cluster: true });
        const first = servers.slice(0, 3);
        await converge({ topology: { kind: "cluster", masters: 3, replicasPerMaster: 0 }, transport: direct(first) });
        let t = Date.now();
        await loadDataset(servers[0], KEYS, (i) => `v${i}`);
        const loadMs = Date.now() - t;

        const client = clusterClient(first);
        const traffic = startTraffic(client, KEYS, 4);
        try {
            t = Date.now();
            const out = await converge({ topology: { kind: "cluster", masters: 5, replicasPerMaster: 0 }, transport: direct(servers) }, { timeoutMs: 60000 });
            const outMs = Date.now() - t;
            expect(out.layout.primaries).to.have.length(5);
            for (const p of out.layout.primaries) expect(shareDeviationPercent(countSlots(p.slots), 5), p.node).to.be.at.most(2);
            const sizes5 = await Promise.all(servers.map(dbsize));
            for (const n of sizes5) expect(n).to.be.greaterThan(KEYS / 5 - 2000);

            t = Date.now();
            const lines: string[] = [];
            const back = await converge(
                { topology: { kind: "cluster", masters: 3, replicasPerMaster: 0, surplus: "release" }, transport: direct(servers) },
                { timeoutMs: 60000, log: (l) => lines.push(l) },
            );
            const inMs = Date.now() - t;
            expect(back.layout.primaries.map((p) => p.node)).to.have.members(first.map((s) => `${s.host}:${s.port}`));
            for (const p of back.layout.primaries) expect(shareDeviationPercent(countSlots(p.slots), 3), p.node).to.be.at.most(2);
            // The leavers were drained into both... every remaining primary, then forgotten and reset.
            const drainLines = lines.filter((l) => / -> /.test(l) && l.includes("moved slots"));
            expect(new Set(drainLines.map((l) => l.split(" -> ")[1].split(":")[0] + ":" + l.split(" -> ")[1].split(":")[1])).size).to.equal(3);
            expect([...new Set(lines.filter((l) => l.includes("CLUSTER RESET SOFT")).map((l) => l.split(": ")[0]))].sort()).to.deep.equal(
                servers
                    .slice(3)
                    .map((s) => `${s.host}:${s.port}`)
                    .sort(),
            );

            const report = await traffic.stop();
            console.log(
                `      load ${KEYS} keys ${loadMs} ms; 3 -> 5 ${outMs} ms; 5 -> 3 ${inMs} ms; client ops ${report.ops}, errors ${report.errors}, stale reads ${report.stale}`,
            );
            expectCleanTraffic(report);

            const { missing, wrong } = await verifyDataset(servers[0], KEYS, (i) => traffic.latest.get(i) ?? `v${i}`);
            expect({ missing: missing.length, wrong: wrong.length }).to.deep.equal({ missing: 0, wrong: 0 });
            expect((await Promise.all(first.map(dbsize))).reduce((a, b) => a + b, 0)).to.equal(KEYS);
            for (const s of servers.slice(3)) {
                expect(await dbsize(s)).to.equal(0);
                expect((await clusterInfo(s)).cluster_known_nodes).to.equal("1");
            }
            for (const s of first) {
                expect((await clusterInfo(s)).cluster_known_nodes).to.equal("3");
                expect(await openSlots(s)).to.deep.equal([]);
            }
        } finally {
            await traffic.stop();
            client.disconnect();
        }
    });
});

describe("rescale: a released primary's application connections", function () {
    this.timeout(60000);
    after(stopAllValkeys);

    it("4 -> 3 under traffic: busy cluster clients leave by themselves, an idle connection is closed before CLUSTER RESET SOFT", async () => {
        const servers = await startNodes(4, { cluster: true });
        await converge({ topology: { kind: "cluster", masters: 4, replicasPerMaster: 0 }, transport: direct(servers) });
        await loadDataset(servers[0], 20_000, (i) => `v${i}`);
        const leaver = servers[3];
        // Started from the leaver too, so the client has it in its pool when its last slot moves.
        const client = clusterClient(servers);
        const idle = new Redis({ host: leaver.host, port: leaver.port, lazyConnect: true, retryStrategy: () => null });
        idle.on("error", () => undefined);
        await idle.connect();
        await idle.ping();
        const idleClosed = new Promise<void>((resolve) => idle.once("close", () => resolve()));
        const traffic = startTraffic(client, 20_000, 4);
        try {
            const lines: string[] = [];
            await converge(
                { topology: { kind: "cluster", masters: 3, replicasPerMaster: 0, surplus: "release" }, transport: direct(servers) },
                { timeoutMs: 45000, log: (l) => lines.push(l) },
            );
            const released = lines.filter((l) => l.startsWith(`${leaver.host}:${leaver.port}: `) && !l.includes("moved slots"));
            // Closed: the idle connection only. The cluster client's connections left by themselves (its slot
            // refresh after a MOVED); the provider's own are not counted.
            expect(released.filter((l) => l.includes("closing"))).to.deep.equal([
                `${leaver.host}:${leaver.port}: closing 1 application connection(s) before it leaves the cluster`,
            ]);
            expect(lines.indexOf(released.find((l) => l.includes("closing")) as string)).to.be.lessThan(
                lines.findIndex((l) => l.includes("CLUSTER RESET SOFT")),
            );
            await idleClosed;
            const report = await traffic.stop();
            expectCleanTraffic(report);
            expect(client.status).to.equal("ready");
            expect(
                client
                    .nodes("master")
                    .map((n) => n.options.port)
                    .sort(),
            ).to.deep.equal(
                servers
                    .slice(0, 3)
                    .map((s) => s.port)
                    .sort(),
            );
            const { missing, wrong } = await verifyDataset(servers[0], 20_000, (i) => traffic.latest.get(i) ?? `v${i}`);
            expect({ missing: missing.length, wrong: wrong.length }).to.deep.equal({ missing: 0, wrong: 0 });
        } finally {
            await traffic.stop();
            client.disconnect();
            idle.disconnect();
        }
    });
});
