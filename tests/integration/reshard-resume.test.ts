import { expect } from "chai";
import { spawn } from "child_process";
import * as path from "path";
import { converge, ConvergeRequest } from "../../provider/converge/converge";
import { AbortedError } from "../../provider/errors";
import { countSlots, shareDeviationPercent } from "../../provider/reconcile";
import { address, direct, seededRandom, startNodes, withClient } from "../helpers/nodes";
import { loadDataset, verifyDataset } from "../helpers/dataset";
import { stopAllValkeys, ValkeyProcess } from "../helpers/valkey";

const KEYS = 50_000;

async function openSlots(servers: readonly ValkeyProcess[]): Promise<string[]> {
    const all: string[] = [];
    for (const s of servers) {
        const nodes = await withClient(s, (c) => c.call("CLUSTER", "NODES") as Promise<string>);
        const mine = nodes.split("\n").find((l) => l.includes("myself")) ?? "";
        all.push(
            ...mine
                .split(" ")
                .filter((f) => f.includes("->-") || f.includes("-<-"))
                .map((f) => `${address(s)} ${f}`),
        );
    }
    return all;
}

async function expectRebalancedAndComplete(servers: readonly ValkeyProcess[], request: ConvergeRequest): Promise<void> {
    const result = await converge(request, { timeoutMs: 60000 });
    expect(result.layout.primaries).to.have.length(4);
    for (const p of result.layout.primaries) expect(shareDeviationPercent(countSlots(p.slots), 4), p.node).to.be.at.most(2);
    expect(await openSlots(servers)).to.deep.equal([]);
    const { missing, wrong } = await verifyDataset(servers[0], KEYS, (i) => `v${i}`);
    expect({ missing: missing.length, wrong: wrong.length }).to.deep.equal({ missing: 0, wrong: 0 });
    const sizes = await Promise.all(servers.map((s) => withClient(s, (c) => c.dbsize())));
    expect(sizes.reduce((a, b) => a + b, 0)).to.equal(KEYS);
    expect((await converge(request)).mutations).to.equal(0);
}

describe("reshard: a rebalance stopped at random points is repaired and finished by the next run", function () {
    this.timeout(120000);
    after(stopAllValkeys);

    const seed = Number(process.env.RESHARD_SEED ?? Date.now() % 1_000_000);

    it(`resumes after 10 stops at random mutation counts, no key lost (seed ${seed})`, async () => {
        const random = seededRandom(seed);
        const servers = await startNodes(4, { cluster: true });
        await converge({ topology: { kind: "cluster", masters: 3, replicasPerMaster: 0 }, transport: direct(servers.slice(0, 3)) });
        await loadDataset(servers[0], KEYS, (i) => `v${i}`);
        const request: ConvergeRequest = { topology: { kind: "cluster", masters: 4, replicasPerMaster: 0 }, transport: direct(servers) };
        const stops: string[] = [];
        let leftOpen = 0;
        for (let i = 0; i < 10; i++) {
            // 4096 slots to move cost about 4096 x 7 mutating commands in all: stops land all along.
            const budget = 1 + Math.floor(random() * 3000);
            try {
                await converge(request, { maxMutations: budget, smokeTest: false, timeoutMs: 60000 });
                stops.push(`${budget}:finished`);
            } catch (e) {
                expect(e, `run ${i} with a budget of ${budget}`).to.be.instanceOf(AbortedError);
                const open = await openSlots(servers);
                if (open.length > 0) leftOpen++;
                stops.push(`${budget}:${open.length} open`);
            }
        }
        console.log(`      stops (budget:open slot states left): ${stops.join(", ")}`);
        expect(leftOpen, stops.join(", ")).to.be.greaterThan(0);
        await expectRebalancedAndComplete(servers, request);
    });

    it("resumes after the CLI is killed with SIGKILL in the middle of the moves", async () => {
        const servers = await startNodes(4, { cluster: true });
        await converge({ topology: { kind: "cluster", masters: 3, replicasPerMaster: 0 }, transport: direct(servers.slice(0, 3)) });
        await loadDataset(servers[0], KEYS, (i) => `v${i}`);
        const cli = path.join(__dirname, "..", "..", "provider", "cli.js");
        const child = spawn(process.execPath, [cli, "converge", "--nodes", servers.map(address).join(","), "--masters", "4", "--replicas", "0"], {
            stdio: "ignore",
        });
        const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.once("exit", (code, signal) => resolve(signal ?? code)));
        try {
            // Kill once the new primary holds some keys but far from its share (bounded: 20 s).
            const deadline = Date.now() + 20000;
            let seen = 0;
            while (Date.now() < deadline) {
                seen = await withClient(servers[3], (c) => c.dbsize());
                if (seen > 200) break;
                await new Promise((r) => setTimeout(r, 5));
            }
            expect(seen).to.be.greaterThan(200);
            expect(seen).to.be.lessThan(KEYS / 4);
            child.kill("SIGKILL");
            expect(await exited).to.equal("SIGKILL");
        } finally {
            if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
        }
        await expectRebalancedAndComplete(servers, { topology: { kind: "cluster", masters: 4, replicasPerMaster: 0 }, transport: direct(servers) });
    });
});
