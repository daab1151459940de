import { expect } from "chai";
import { converge, ConvergeRequest } from "../../provider/converge/converge";
import { formatRanges } from "../../provider/reconcile";
import { address, clusterInfo, configValue, direct, mutatingCalls, replicationInfo, startNodes } from "../helpers/nodes";
import { stopAllValkeys, ValkeyProcess } from "../helpers/valkey";

/** Every node reports an ok cluster with every slot and the expected number of nodes. */
async function expectHealthyCluster(servers: ValkeyProcess[]): Promise<void> {
    for (const s of servers) {
        const info = await clusterInfo(s);
        expect([address(s), info.cluster_state, info.cluster_slots_ok, info.cluster_known_nodes]).to.deep.equal([
            address(s),
            "ok",
            "16384",
            String(servers.length),
        ]);
    }
}

/** The second run changes nothing: no mutation counted, and none run by any server. */
async function expectSecondRunIdle(servers: ValkeyProcess[], request: ConvergeRequest): Promise<void> {
    const before = await Promise.all(servers.map(mutatingCalls));
    const again = await converge(request);
    expect(again.mutations).to.equal(0);
    expect(again.actions).to.deep.equal([]);
    expect(again.smokeTest?.keys).to.have.length(again.layout.primaries.length);
    expect(await Promise.all(servers.map(mutatingCalls))).to.deep.equal(before);
}

describe("converge: cluster bootstrap on real servers", function () {
    this.timeout(60000);
    after(stopAllValkeys);

    it("bootstraps 3 primaries x 1 replica with valkey-cli's split, verified; the second run does nothing", async () => {
        const servers = await startNodes(6, { cluster: true });
        const request: ConvergeRequest = { topology: { kind: "cluster", masters: 3, replicasPerMaster: 1 }, transport: direct(servers) };
        const lines: string[] = [];
        const result = await converge(request, { log: (line) => lines.push(line) });
        const [n0, n1, n2, n3, n4, n5] = servers.map(address);
        expect(result.layout.primaries.map((p) => [p.node, formatRanges(p.slots)])).to.deep.equal([
            [n0, "0-5460"],
            [n1, "5461-10922"],
            [n2, "10923-16383"],
        ]);
        expect(result.layout.replicas).to.deep.equal([
            { node: n3, primary: n0 },
            { node: n4, primary: n1 },
            { node: n5, primary: n2 },
        ]);
        expect(result.nodes.map((n) => [n.name, n.role, n.primary ?? "-"])).to.deep.equal([
            [n0, "primary", "-"],
            [n1, "primary", "-"],
            [n2, "primary", "-"],
            [n3, "replica", n0],
            [n4, "replica", n1],
            [n5, "replica", n2],
        ]);
        expect(result.mutations).to.equal(result.actions.length);
        expect(lines.filter((l) => !l.startsWith("waiting for:") && !l.startsWith("smoke test"))).to.deep.equal(result.actions);
        expect(lines[lines.length - 1]).to.match(/^smoke test passed: PING on 6 nodes; SET\/GET\/DEL of pulumi-valkey:smoke:\{\d+\}/);

        await expectHealthyCluster(servers);
        for (const replica of servers.slice(3)) expect((await replicationInfo(replica)).master_link_status).to.equal("up");
        // The settings lowered for the bootstrap are back to the servers' own values.
        for (const s of servers) {
            expect([await configValue(s, "repl-diskless-sync-delay"), await configValue(s, "cluster-node-timeout")]).to.deep.equal(["5", "15000"]);
        }
        await expectSecondRunIdle(servers, request);
    });

    it("bootstraps 5 primaries x 2 replicas; the second run does nothing", async () => {
        const servers = await startNodes(15, { cluster: true });
        const request: ConvergeRequest = { topology: { kind: "cluster", masters: 5, replicasPerMaster: 2 }, transport: direct(servers) };
        const result = await converge(request);
        expect(result.layout.primaries.map((p) => formatRanges(p.slots))).to.deep.equal(["0-3276", "3277-6553", "6554-9829", "9830-13106", "13107-16383"]);
        const followers = result.layout.primaries.map((p) => result.layout.replicas.filter((r) => r.primary === p.node).length);
        expect(followers).to.deep.equal([2, 2, 2, 2, 2]);
        await expectHealthyCluster(servers);
        await expectSecondRunIdle(servers, request);
    });
});
