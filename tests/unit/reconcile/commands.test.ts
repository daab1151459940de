import { expect } from "chai";
import { Action, actionCommand, describeAction, describeTopology, nodesNeeded, topologyProblems } from "../../../provider/reconcile";

describe("reconcile: commands and topology checks", () => {
    const cases: [Action, string][] = [
        [{ kind: "set-config-epoch", node: "n0", epoch: 3 }, "n0: CLUSTER SET-CONFIG-EPOCH 3 (config epoch 3)"],
        [
            {
                kind: "add-slots",
                node: "n0",
                ranges: [
                    { start: 0, end: 10 },
                    { start: 12, end: 12 },
                ],
            },
            "n0: CLUSTER ADDSLOTSRANGE 0 10 12 12 (serve slots 0-10,12)",
        ],
        [
            { kind: "config-set", node: "n0", parameter: "repl-diskless-sync-delay", value: "0", purpose: "bootstrap" },
            "n0: CONFIG SET repl-diskless-sync-delay 0 (for a fast bootstrap)",
        ],
        [
            { kind: "config-set", node: "n0", parameter: "cluster-node-timeout", value: "2000", purpose: "steady" },
            "n0: CONFIG SET cluster-node-timeout 2000 (back to its steady value)",
        ],
        [{ kind: "meet", node: "n0", peer: "n1", address: { host: "10.0.0.2", port: 6379 }, busPort: 16379 }, "n0: CLUSTER MEET 10.0.0.2 6379 16379 (meet n1)"],
        [{ kind: "replicate", node: "n3", primary: "n0", primaryId: "abc" }, "n3: CLUSTER REPLICATE abc (replica of n0)"],
        [{ kind: "forget", node: "n1", nodeId: "0123456789abcdef" }, "n1: CLUSTER FORGET 0123456789abcdef (forget the departed node 01234567)"],
        [{ kind: "replicaof", node: "n1", primary: "n0", address: { host: "10.0.0.1", port: 6379 } }, "n1: REPLICAOF 10.0.0.1 6379 (replica of n0)"],
        [{ kind: "promote", node: "n0" }, "n0: REPLICAOF NO ONE (become a primary)"],
    ];
    for (const [action, line] of cases) {
        it(`sends and reports ${action.kind}`, () => {
            expect(describeAction(action)).to.equal(line);
            expect(actionCommand(action).join(" ")).to.equal(line.slice(line.indexOf(": ") + 2, line.lastIndexOf(" (")));
        });
    }

    it("checks topologies before contacting any node", () => {
        expect(nodesNeeded({ kind: "cluster", masters: 5, replicasPerMaster: 2 })).to.equal(15);
        expect(describeTopology({ kind: "cluster", masters: 5, replicasPerMaster: 2 })).to.equal("cluster (5 primaries x 2 replicas)");
        expect(topologyProblems({ kind: "cluster", masters: 3, replicasPerMaster: 1 }, 7)).to.deep.equal([]);
        expect(topologyProblems({ kind: "cluster", masters: 0, replicasPerMaster: -1 }, 7)).to.deep.equal([
            "masters must be a whole number from 1 to 16384 (got 0)",
            "replicasPerMaster must be a whole number >= 0 (got -1)",
        ]);
        expect(topologyProblems({ kind: "standalone" }, 2)).to.deep.equal(["a standalone topology takes exactly 1 node, but 2 were given"]);
        expect(topologyProblems({ kind: "replicated", replicas: 2.5 }, 4)).to.deep.equal(["replicas must be a whole number >= 0 (got 2.5)"]);
        expect(topologyProblems({ kind: "sharded" } as never, 4)).to.deep.equal([
            'unknown topology kind "sharded" (expected standalone, replicated or cluster)',
        ]);
    });
});
