import { expect } from "chai";
import { Action, planCluster, planConvergence } from "../../../provider/reconcile";
import { allKnow, converged3x1, freshNodes, idOf, observe, SimNode } from "./fixtures";
import { formatRanges, SlotRange } from "../../../provider/reconcile";

const S0 = { start: 0, end: 5460 };
const S1 = { start: 5461, end: 10922 };
const S2 = { start: 10923, end: 16383 };

/** 3x1 after the first round: epochs, slots and delays set, nobody met yet. */
function afterFirstRound(): SimNode[] {
    const split = [[S0], [S1], [S2]];
    return freshNodes(6, (i) => ({ epoch: i + 1, ...(i < 3 ? { slots: split[i], delay: 0, nodeTimeout: 500 } : {}) }));
}

const set = (
    node: string,
    parameter: string,
    value: string,
    purpose: "bootstrap" | "steady" = value === "0" || value === "500" ? "bootstrap" : "steady",
): Action => ({
    kind: "config-set",
    node,
    parameter,
    value,
    purpose,
});
const fastBootstrap = (node: string): Action[] => [set(node, "cluster-node-timeout", "500"), set(node, "repl-diskless-sync-delay", "0")];

const meet = (node: string, peer: string, port: number): Action => ({
    kind: "meet",
    node,
    peer,
    address: { host: "127.0.0.1", port },
    busPort: port + 10000,
});

describe("reconcile: planCluster", () => {
    it("bootstraps fresh nodes: bootstrap settings, distinct epochs and valkey-cli's slot split first", () => {
        const plan = planCluster(observe(freshNodes(6)), 3, 1);
        expect(plan.refusals).to.deep.equal([]);
        expect(plan.actions).to.deep.equal([
            ...fastBootstrap("n0"),
            ...fastBootstrap("n1"),
            ...fastBootstrap("n2"),
            { kind: "set-config-epoch", node: "n0", epoch: 1 },
            { kind: "set-config-epoch", node: "n1", epoch: 2 },
            { kind: "set-config-epoch", node: "n2", epoch: 3 },
            { kind: "set-config-epoch", node: "n3", epoch: 4 },
            { kind: "set-config-epoch", node: "n4", epoch: 5 },
            { kind: "set-config-epoch", node: "n5", epoch: 6 },
            { kind: "add-slots", node: "n0", ranges: [S0] },
            { kind: "add-slots", node: "n1", ranges: [S1] },
            { kind: "add-slots", node: "n2", ranges: [S2] },
        ]);
        expect(plan.layout).to.deep.equal({
            primaries: [
                { node: "n0", slots: [S0] },
                { node: "n1", slots: [S1] },
                { node: "n2", slots: [S2] },
            ],
            replicas: [
                { node: "n3", primary: "n0" },
                { node: "n4", primary: "n1" },
                { node: "n5", primary: "n2" },
            ],
        });
    });

    it("then introduces every pair with one MEET to the peer's announce address and bus port", () => {
        const plan = planCluster(observe(afterFirstRound()), 3, 1);
        const pairs: Action[] = [];
        for (let i = 0; i < 6; i++) for (let j = i + 1; j < 6; j++) pairs.push(meet(`n${i}`, `n${j}`, 7000 + j));
        expect(plan.actions).to.deep.equal(pairs);
        expect(plan.waiting).to.deep.equal([]);
    });

    it("waits while a MEET handshake is in progress instead of sending it again", () => {
        const nodes = freshNodes(2, (i) => ({ epoch: i + 1, slots: [i === 0 ? { start: 0, end: 8191 } : { start: 8192, end: 16383 }] }));
        nodes[0].extraLines = ["1111111111111111111111111111111111111111 127.0.0.1:7001@17001 handshake - 0 0 0 disconnected"];
        const plan = planCluster(observe(nodes), 2, 0);
        expect(plan.actions).to.deep.equal([]);
        expect(plan.waiting).to.deep.equal([
            "n0: handshake with n1 in progress",
            "n1: handshake with n0 in progress",
            "n0: cluster_state:fail, 8192 of 16384 slots ok",
            "n1: cluster_state:fail, 8192 of 16384 slots ok",
        ]);
    });

    it("makes each replica follow its primary as soon as it knows the primary", () => {
        const plan = planCluster(observe(allKnow(afterFirstRound())), 3, 1);
        expect(plan.actions).to.deep.equal([
            { kind: "replicate", node: "n3", primary: "n0", primaryId: idOf("n0") },
            { kind: "replicate", node: "n4", primary: "n1", primaryId: idOf("n1") },
            { kind: "replicate", node: "n5", primary: "n2", primaryId: idOf("n2") },
        ]);
    });

    it("waits for replication links, then reports a converged cluster with nothing to do", () => {
        const linking = converged3x1().map((n) => (n.name === "n4" ? { ...n, linkUp: false } : n.name === "n1" ? { ...n, delay: 0 } : n));
        const waitingPlan = planCluster(observe(linking), 3, 1);
        expect(waitingPlan.actions).to.deep.equal([]);
        expect(waitingPlan.waiting).to.deep.equal(["n4: replication link to n1 is down"]);

        const done = planCluster(observe(converged3x1()), 3, 1);
        expect(done).to.deep.equal({
            actions: [],
            waiting: [],
            refusals: [],
            layout: {
                primaries: [
                    { node: "n0", slots: [S0] },
                    { node: "n1", slots: [S1] },
                    { node: "n2", slots: [S2] },
                ],
                replicas: [
                    { node: "n3", primary: "n0" },
                    { node: "n4", primary: "n1" },
                    { node: "n5", primary: "n2" },
                ],
            },
        });
    });

    it("restores the bootstrap settings to their steady values once everything is ready, and only then", () => {
        const tuned = converged3x1().map((n) => (["n0", "n1", "n2"].includes(n.name) ? { ...n, delay: 0, nodeTimeout: 500 } : n));
        const steady = { "repl-diskless-sync-delay": 5, "cluster-node-timeout": 15000 };
        expect(planCluster(observe(tuned), 3, 1, steady).actions).to.deep.equal(
            ["n0", "n1", "n2"].flatMap((n) => [set(n, "repl-diskless-sync-delay", "5"), set(n, "cluster-node-timeout", "15000")]),
        );
        const notReady = tuned.map((n) => (n.name === "n5" ? { ...n, linkUp: false } : n));
        expect(planCluster(observe(notReady), 3, 1, steady)).to.deep.include({ actions: [], waiting: ["n5: replication link to n2 is down"] });
    });

    it("waits while a node sees another as failing or the cluster state is not ok", () => {
        const nodes = converged3x1().map((n) => (n.name === "n2" ? { ...n, flagsOf: { n0: "fail?" }, state: "fail" as const } : n));
        const plan = planCluster(observe(nodes), 3, 1);
        expect(plan.actions).to.deep.equal([]);
        expect(plan.waiting).to.deep.equal(["n2 sees n0 as failing (fail?)", "n2: cluster_state:fail, 16384 of 16384 slots ok"]);
    });

    it("waits until every node sees each replica in its primary's shard (Valkey 8.0.1 cannot reload it otherwise)", () => {
        const shards = ["s0", "s1", "s2", "s0", "s1", "stale"];
        const nodes = converged3x1().map((n, i) => ({ ...n, shard: shards[i] }));
        const plan = planCluster(observe(nodes), 3, 1);
        expect(plan.actions).to.deep.equal([]);
        expect(plan.waiting).to.deep.equal(["n0", "n1", "n2", "n3", "n4", "n5"].map((n) => `${n} does not yet see n5 in the shard of n2`));
        nodes[5].shard = "s2";
        expect(planCluster(observe(nodes), 3, 1).waiting).to.deep.equal([]);
    });

    it("waits while a node does not yet see a primary's slots", () => {
        const nodes = converged3x1();
        // n5 learnt of n0 before n0's slots reached it: its view has n0 without slots.
        nodes[5] = { ...nodes[5], knows: ["n1", "n2", "n3", "n4"], extraLines: [`${idOf("n0")} 127.0.0.1:7000@17000 master - 0 0 1 connected`], state: "fail" };
        const plan = planCluster(observe(nodes), 3, 1);
        expect(plan.actions).to.deep.equal([]);
        expect(plan.waiting).to.deep.equal(["n5: cluster_state:fail, 10923 of 16384 slots ok", "n5 does not yet see n0 serving 0-5460"]);
    });

    it("resumes a bootstrap killed after part of the slots were added", () => {
        const nodes = freshNodes(6, (i) => (i === 0 ? { epoch: 1, slots: [{ start: 0, end: 1000 }], nodeTimeout: 500 } : {}));
        const plan = planCluster(observe(nodes), 3, 1);
        expect(plan.actions).to.deep.equal([
            set("n0", "repl-diskless-sync-delay", "0"),
            ...fastBootstrap("n1"),
            ...fastBootstrap("n2"),
            { kind: "set-config-epoch", node: "n1", epoch: 2 },
            { kind: "set-config-epoch", node: "n2", epoch: 3 },
            { kind: "set-config-epoch", node: "n3", epoch: 4 },
            { kind: "set-config-epoch", node: "n4", epoch: 5 },
            { kind: "set-config-epoch", node: "n5", epoch: 6 },
            { kind: "add-slots", node: "n0", ranges: [{ start: 1001, end: 5460 }] },
            { kind: "add-slots", node: "n1", ranges: [S1] },
            { kind: "add-slots", node: "n2", ranges: [S2] },
        ]);
    });

    it("merges the groups an interrupted MEET round leaves behind: MEETs across groups only", () => {
        const nodes = afterFirstRound().map((n): SimNode => {
            const group = ["n0", "n1", "n3"].includes(n.name) ? ["n0", "n1", "n3"] : ["n2", "n4", "n5"];
            return { ...n, knows: group.filter((g) => g !== n.name) };
        });
        const plan = planCluster(observe(nodes), 3, 1);
        expect(plan.refusals).to.deep.equal([]);
        const summary = plan.actions.map((a) =>
            a.kind === "meet" ? `${a.node} meets ${a.peer}` : a.kind === "replicate" ? `${a.node} follows ${a.primary}` : a.kind,
        );
        expect(summary).to.deep.equal([
            ...["n0 meets n2", "n0 meets n4", "n0 meets n5", "n1 meets n2", "n1 meets n4", "n1 meets n5", "n2 meets n3", "n3 meets n4", "n3 meets n5"],
            // Replicas that already know their primary do not wait for the other MEETs.
            ...["n3 follows n0", "n5 follows n2"],
        ]);
    });

    it("keeps the slots a node already serves and gives a later range's missing slots to a new primary", () => {
        // Killed after n1 got its range and before n0 and n2 did; n0 was picked first last time too.
        const nodes = freshNodes(6, (i) => ({ epoch: i + 1, delay: 0, nodeTimeout: 500, ...(i === 1 ? { slots: [S1] } : {}) }));
        const plan = planCluster(observe(nodes), 3, 1);
        expect(plan.actions).to.deep.equal([
            { kind: "add-slots", node: "n0", ranges: [S0] },
            { kind: "add-slots", node: "n2", ranges: [S2] },
        ]);
        expect(plan.layout.primaries.map((p) => p.node)).to.deep.equal(["n0", "n1", "n2"]);
    });

    it("spreads primaries over hosts and keeps every replica off its primary's host", () => {
        const hosts = ["a", "a", "b", "b", "c", "c"];
        const plan = planCluster(observe(freshNodes(6, (i) => ({ host: hosts[i] }))), 3, 1);
        expect(plan.layout).to.deep.equal({
            primaries: [
                { node: "n0", slots: [S0] },
                { node: "n2", slots: [S1] },
                { node: "n4", slots: [S2] },
            ],
            replicas: [
                { node: "n1", primary: "n2" },
                { node: "n3", primary: "n4" },
                { node: "n5", primary: "n0" },
            ],
        });
    });

    it("keeps a replica out of its primary's zone when the hosts differ anyway", () => {
        const zones = ["z1", "z2", "z3", "z1", "z2", "z3"];
        const plan = planCluster(observe(freshNodes(6, (i) => ({ host: `h${i}`, zone: zones[i] }))), 3, 1);
        expect(plan.layout.replicas).to.deep.equal([
            { node: "n3", primary: "n1" },
            { node: "n4", primary: "n2" },
            { node: "n5", primary: "n0" },
        ]);
    });

    it("makes nodes beyond M x (R+1) extra replicas of the primaries with the fewest", () => {
        const plan = planCluster(observe(freshNodes(7)), 3, 1);
        expect(plan.layout.replicas).to.deep.equal([
            { node: "n3", primary: "n0" },
            { node: "n4", primary: "n1" },
            { node: "n5", primary: "n2" },
            { node: "n6", primary: "n0" },
        ]);
    });

    it("moves a surplus replica to a primary that has none", () => {
        const nodes = converged3x1().map((n) => (n.name === "n4" ? { ...n, replicaOf: "n0" } : n));
        expect(planCluster(observe(nodes), 3, 1).actions).to.deep.equal([
            { kind: "config-set", node: "n1", parameter: "repl-diskless-sync-delay", value: "0", purpose: "bootstrap" },
        ]);
        const fast = nodes.map((n) => (n.name === "n1" ? { ...n, delay: 0 } : n));
        expect(planCluster(observe(fast), 3, 1).actions).to.deep.equal([{ kind: "replicate", node: "n4", primary: "n1", primaryId: idOf("n1") }]);
    });

    it("adds fresh nodes as replicas to a converged cluster: epochs above every known one first", () => {
        const nodes = [...converged3x1(), ...freshNodes(3, (i) => ({ name: `n${6 + i}`, port: 7006 + i }))];
        const plan = planCluster(observe(nodes), 3, 2);
        expect(plan.actions).to.deep.equal([
            // Primaries that already serve slots keep their node timeout.
            set("n0", "repl-diskless-sync-delay", "0"),
            set("n1", "repl-diskless-sync-delay", "0"),
            set("n2", "repl-diskless-sync-delay", "0"),
            { kind: "set-config-epoch", node: "n6", epoch: 7 },
            { kind: "set-config-epoch", node: "n7", epoch: 8 },
            { kind: "set-config-epoch", node: "n8", epoch: 9 },
        ]);
        expect(plan.layout.replicas.slice(3)).to.deep.equal([
            { node: "n6", primary: "n0" },
            { node: "n7", primary: "n1" },
            { node: "n8", primary: "n2" },
        ]);
    });

    describe("healing after every node restarted on a new address", () => {
        it("MEETs every known node id at its new address from every node", () => {
            const nodes = converged3x1().map((n) => ({ ...n, staleView: true }));
            const plan = planCluster(observe(nodes), 3, 1);
            const expected: Action[] = [];
            for (let i = 0; i < 6; i++) for (let j = 0; j < 6; j++) if (i !== j) expected.push(meet(`n${i}`, `n${j}`, 7000 + j));
            expect(plan.actions).to.deep.equal(expected);
        });

        it("forgets a departed member only once no MEET is left, on every node that knows it", () => {
            const departed = "dddddddddddddddddddddddddddddddddddddddd";
            const gone = `${departed} 127.0.0.1:7999@17999 slave,fail ${idOf("n0")} 0 0 0 disconnected`;
            const stale = converged3x1().map((n) => ({ ...n, staleView: true, extraLines: n.name === "n5" ? [] : [gone] }));
            const healing = planCluster(observe(stale), 3, 1);
            expect(healing.actions.every((a) => a.kind === "meet")).to.equal(true);
            expect(healing.actions).to.have.length(30);

            const healed = converged3x1().map((n) => ({ ...n, extraLines: n.name === "n5" ? [] : [gone] }));
            const plan = planCluster(observe(healed), 3, 1);
            expect(plan.actions).to.deep.equal(["n0", "n1", "n2", "n3", "n4"].map((node) => ({ kind: "forget", node, nodeId: departed })));
        });

        it("waits for the cluster to mark a departed member failed before forgetting it", () => {
            const departed = "dddddddddddddddddddddddddddddddddddddddd";
            const nodes = converged3x1().map((n) =>
                n.name === "n1" ? { ...n, extraLines: [`${departed} 127.0.0.1:7999@17999 slave ${idOf("n0")} 0 0 0 disconnected`] } : n,
            );
            const plan = planCluster(observe(nodes), 3, 1);
            expect(plan.actions).to.deep.equal([]);
            expect(plan.waiting).to.deep.equal([
                "n1: node dddddddd at 127.0.0.1:7999 is not among the given nodes; it is forgotten once the cluster marks it failed",
            ]);
        });
    });

    describe("refusals", () => {
        it("refuses a node that holds keys outside the cluster", () => {
            const nodes = freshNodes(6, (i) => (i === 3 ? { keys: 5 } : {}));
            const plan = planCluster(observe(nodes), 3, 1);
            expect(plan.actions).to.deep.equal([]);
            expect(plan.refusals).to.deep.equal([
                { node: "n3", reason: "holds 5 keys but serves no slots and replicates no given node; converge never adds a node that holds data" },
            ]);
        });

        it("refuses a node that knows a node of another cluster serving slots", () => {
            const foreign = "ffffffffffffffffffffffffffffffffffffffff";
            const nodes = freshNodes(6, (i) => (i === 2 ? { extraLines: [`${foreign} 127.0.0.1:9000@19000 master - 0 0 3 connected 0-100`] } : {}));
            expect(planCluster(observe(nodes), 3, 1).refusals).to.deep.equal([
                {
                    node: "n2",
                    reason: `belongs to another cluster: it knows node ${foreign} at 127.0.0.1:9000, which is not among the given nodes and serves slots 0-100`,
                },
            ]);
        });

        it("refuses a fresh node that knows a node that was not given", () => {
            const foreign = "ffffffffffffffffffffffffffffffffffffffff";
            const nodes = freshNodes(6, (i) => (i === 0 ? { extraLines: [`${foreign} 127.0.0.1:9000@19000 master - 0 0 0 connected`] } : {}));
            expect(planCluster(observe(nodes), 3, 1).refusals).to.deep.equal([
                { node: "n0", reason: `belongs to another cluster: it knows node ${foreign} at 127.0.0.1:9000, which is not among the given nodes` },
            ]);
        });

        it("refuses given nodes that form two clusters serving the same slots", () => {
            const half = [{ start: 0, end: 8191 }];
            const other = [{ start: 8192, end: 16383 }];
            const nodes: SimNode[] = [
                { name: "n0", port: 7000, epoch: 1, slots: half, knows: ["n1"] },
                { name: "n1", port: 7001, epoch: 2, slots: other, knows: ["n0"] },
                { name: "n2", port: 7002, epoch: 1, slots: half, knows: ["n3"] },
                { name: "n3", port: 7003, epoch: 2, slots: other, knows: ["n2"] },
            ];
            expect(planCluster(observe(nodes), 4, 0).refusals).to.deep.equal([
                { node: "n2", reason: "belongs to another cluster: it serves slots 0-8191, also served by n0" },
                { node: "n3", reason: "belongs to another cluster: it serves slots 8192-16383, also served by n1" },
            ]);
            const withKeys = nodes.map((n) => (n.name === "n2" ? { ...n, slots: [], keys: 3 } : n.name === "n3" ? { ...n, slots: [{ start: 0, end: 0 }] } : n));
            withKeys[0] = { ...withKeys[0], slots: [{ start: 1, end: 8191 }] };
            expect(planCluster(observe(withKeys), 4, 0).refusals).to.deep.equal([
                { node: "n3", reason: "belongs to another cluster: it serves slots 0 with keys but does not know n0, n1" },
                { node: "n2", reason: "holds 3 keys but serves no slots and replicates no given node; converge never adds a node that holds data" },
            ]);
        });

        it("refuses to grow the primaries of a full cluster when no given node is an empty primary", () => {
            expect(planCluster(observe(converged3x1()), 4, 0).refusals).to.deep.equal([
                { reason: "growing to 4 primaries needs 1 more given nodes that are empty primaries (not replicas), but only 0 are" },
            ]);
        });

        it("plans the repair of an interrupted slot move instead of refusing it", () => {
            const nodes = converged3x1().map((n) => (n.name === "n0" ? { ...n, myselfExtra: `[5461->-${idOf("n1")}]` } : n));
            const plan = planCluster(observe(nodes), 3, 1);
            expect(plan.refusals).to.deep.equal([]);
            expect(plan.actions).to.deep.equal([
                { kind: "repair-slot", node: "n0", slot: 5461, owner: "n1", migrating: [{ node: "n0", to: "n1" }], importing: [] },
            ]);
        });
        it("refuses nodes with cluster mode off or without CLUSTER replies, and the same server given twice", () => {
            const off = freshNodes(3, (i) => (i === 1 ? { clusterEnabled: false } : i === 2 ? { noClusterReplies: true } : {}));
            expect(planCluster(observe(off), 3, 0).refusals).to.deep.equal([
                { node: "n1", reason: "cluster mode is off (cluster-enabled no); a cluster topology needs cluster-enabled yes" },
                { node: "n2", reason: "did not answer CLUSTER INFO and CLUSTER NODES (may this user run CLUSTER commands?)" },
            ]);
            const twice = freshNodes(3, (i) => (i === 2 ? { id: idOf("n0") } : {}));
            expect(planCluster(observe(twice), 3, 0).refusals).to.deep.equal([{ node: "n2", reason: `is the same server as n0 (node id ${idOf("n0")})` }]);
        });

        it("refuses too few nodes before looking at them", () => {
            const plan = planConvergence(observe(freshNodes(5)), { kind: "cluster", masters: 3, replicasPerMaster: 1 });
            expect(plan.refusals).to.deep.equal([{ reason: "the topology needs at least 6 nodes (3 primaries x (1 + 1 replicas)), but 5 were given" }]);
        });
    });

    it("waits while a node loads its dataset", () => {
        const nodes = converged3x1().map((n) => (n.name === "n1" ? { ...n, loading: true } : n));
        const plan = planCluster(observe(nodes), 3, 1);
        expect(plan).to.deep.equal({ actions: [], waiting: ["n1: loading its dataset"], refusals: [], layout: { primaries: [], replicas: [] } });
    });
});

describe("reconcile: planCluster rescales a full cluster", () => {
    const split = [
        { start: 0, end: 5460 },
        { start: 5461, end: 10922 },
        { start: 10923, end: 16383 },
    ];
    const three = (extra: number, slots: (i: number) => SlotRange[] | undefined = (i) => (i < 3 ? [split[i]] : undefined)): SimNode[] =>
        allKnow(freshNodes(3 + extra, (i) => ({ epoch: i + 1, ...(slots(i) ? { slots: slots(i) } : {}) })));

    it("scale out: the new primary first gets the short node timeout, then every old primary sends it slots with their keys", () => {
        expect(planCluster(observe(three(1)), 4, 0).actions).to.deep.equal([set("n3", "cluster-node-timeout", "500")]);
        const plan = planCluster(observe(three(1).map((n) => (n.name === "n3" ? { ...n, nodeTimeout: 500 } : n))), 4, 0);
        expect(plan.refusals).to.deep.equal([]);
        expect(plan.actions).to.deep.equal([
            { kind: "move-slots", node: "n0", to: "n3", ranges: [{ start: 0, end: 1364 }] },
            { kind: "move-slots", node: "n1", to: "n3", ranges: [{ start: 5461, end: 6826 }] },
            { kind: "move-slots", node: "n2", to: "n3", ranges: [{ start: 10923, end: 12287 }] },
        ]);
        expect(plan.layout.primaries.map((p) => [p.node, formatRanges(p.slots)])).to.deep.equal([
            ["n3", "0-1364,5461-6826,10923-12287"],
            ["n0", "1365-5460"],
            ["n1", "6827-10922"],
            ["n2", "12288-16383"],
        ]);
    });

    it("scale in: the highest-positioned owner is drained into every remaining primary", () => {
        const plan = planCluster(observe(three(0)), 2, 0);
        expect(plan.refusals).to.deep.equal([]);
        expect(plan.actions).to.deep.equal([
            { kind: "move-slots", node: "n2", to: "n0", ranges: [{ start: 10923, end: 13653 }] },
            { kind: "move-slots", node: "n2", to: "n1", ranges: [{ start: 13654, end: 16383 }] },
        ]);
    });

    const drained = (i: number): SlotRange[] | undefined =>
        i === 0 ? [split[0], { start: 10923, end: 13653 }] : i === 1 ? [split[1], { start: 13654, end: 16383 }] : undefined;

    it("release: a drained surplus node is forgotten by every staying node and reset", () => {
        const plan = planCluster(observe(three(0, drained)), 2, 0, {}, "release");
        expect(plan.actions).to.deep.equal([
            { kind: "forget", node: "n0", nodeId: idOf("n2") },
            { kind: "forget", node: "n1", nodeId: idOf("n2") },
            { kind: "reset", node: "n2" },
        ]);
    });

    it("release: a reset surplus node is left alone, and still forgotten where it is known", () => {
        const nodes = three(0, drained).map((n) => (n.name === "n2" ? { ...n, knows: [] } : n.name === "n0" ? { ...n, knows: ["n1"] } : n));
        const plan = planCluster(observe(nodes), 2, 0, {}, "release");
        expect(plan.actions).to.deep.equal([{ kind: "forget", node: "n1", nodeId: idOf("n2") }]);
    });

    it("replicas (the default): a drained node becomes an extra replica", () => {
        const plan = planCluster(observe(three(0, drained)), 2, 0);
        // Its new primary first lowers the full-sync delay (see ./settings), then n2 follows it.
        expect(plan.actions).to.deep.equal([set("n0", "repl-diskless-sync-delay", "0")]);
        expect(plan.layout.replicas).to.deep.equal([{ node: "n2", primary: "n0" }]);
    });
});
