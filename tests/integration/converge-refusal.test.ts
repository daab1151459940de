import { expect } from "chai";
import { converge } from "../../provider/converge/converge";
import { RefusedError } from "../../provider/errors";
import { address, clusterClient, direct, mutatingCalls, startNodes, withClient } from "../helpers/nodes";
import { stopAllValkeys, ValkeyProcess } from "../helpers/valkey";

const cluster3x1 = { kind: "cluster" as const, masters: 3, replicasPerMaster: 1 };

/** Runs converge, expecting a refusal; checks that no given node ran a mutating command. */
async function expectRefusal(servers: ValkeyProcess[]): Promise<RefusedError> {
    const before = await Promise.all(servers.map(mutatingCalls));
    let error: unknown;
    try {
        await converge({ topology: cluster3x1, transport: direct(servers) });
    } catch (e) {
        error = e;
    }
    expect(error).to.be.instanceOf(RefusedError);
    expect(await Promise.all(servers.map(mutatingCalls))).to.deep.equal(before);
    return error as RefusedError;
}

describe("converge: refusing nodes that hold data or belong to another cluster", function () {
    this.timeout(60000);
    after(stopAllValkeys);

    it("refuses a node of another cluster, naming it and the foreign nodes it knows", async () => {
        const other = await startNodes(3, { cluster: true });
        const otherResult = await converge({ topology: { kind: "cluster", masters: 3, replicasPerMaster: 0 }, transport: direct(other) });
        const writer = clusterClient(other);
        for (let i = 0; i < 20; i++) await writer.set(`theirs:${i}`, "data");
        writer.disconnect();
        const fresh = await startNodes(5, { cluster: true });

        const error = await expectRefusal([other[0], ...fresh]);
        const [, second, third] = otherResult.nodes;
        expect(error.refusals).to.deep.equal([
            {
                node: address(other[0]),
                reason: `belongs to another cluster: it knows node ${second.id} at ${second.address}, which is not among the given nodes and serves slots 5461-10922`,
            },
            {
                node: address(other[0]),
                reason: `belongs to another cluster: it knows node ${third.id} at ${third.address}, which is not among the given nodes and serves slots 10923-16383`,
            },
        ]);
        expect(error.message).to.equal(`refusing to converge: ${error.refusals.map((r) => `node ${r.node} ${r.reason}`).join("; ")}`);
    });

    it("refuses a node that holds keys outside any cluster", async () => {
        const servers = await startNodes(6, { cluster: true, args: ["--enable-debug-command", "yes"] });
        // A cluster node without slots refuses writes; DEBUG POPULATE puts keys there all the same.
        await withClient(servers[4], (c) => c.call("DEBUG", "POPULATE", "3"));
        const error = await expectRefusal(servers);
        expect(error.refusals).to.deep.equal([
            {
                node: address(servers[4]),
                reason: "holds 3 keys but serves no slots and replicates no given node; converge never adds a node that holds data",
            },
        ]);
    });
});
