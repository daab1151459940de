import { expect } from "chai";
import { planConvergence } from "../../../provider/reconcile";
import { freshNodes, observe, SimNode } from "./fixtures";

const replicated = (replicas: number) => ({ kind: "replicated" as const, replicas });
const plain = (count: number, overrides: (i: number) => Partial<SimNode> = () => ({})) =>
    freshNodes(count, (i) => ({ clusterEnabled: false, ...overrides(i) }));

describe("reconcile: replicated and standalone", () => {
    it("bootstraps a primary and two replicas: no diskless delay on the primary, then REPLICAOF its announce address", () => {
        const first = planConvergence(observe(plain(3)), replicated(2));
        expect(first.actions).to.deep.equal([{ kind: "config-set", node: "n0", parameter: "repl-diskless-sync-delay", value: "0", purpose: "bootstrap" }]);
        expect(first.layout).to.deep.equal({
            primaries: [{ node: "n0", slots: [] }],
            replicas: [
                { node: "n1", primary: "n0" },
                { node: "n2", primary: "n0" },
            ],
        });
        const second = planConvergence(observe(plain(3, (i) => (i === 0 ? { delay: 0 } : {}))), replicated(2));
        expect(second.actions).to.deep.equal([
            { kind: "replicaof", node: "n1", primary: "n0", address: { host: "127.0.0.1", port: 7000 } },
            { kind: "replicaof", node: "n2", primary: "n0", address: { host: "127.0.0.1", port: 7000 } },
        ]);
    });

    it("waits for links, then has nothing to do", () => {
        const linking = plain(3, (i) => (i === 0 ? { delay: 0 } : { replicaOf: "n0", linkUp: i === 1 }));
        expect(planConvergence(observe(linking), replicated(2))).to.deep.include({ actions: [], waiting: ["n2: replication link to n0 is down"] });
        const done = plain(3, (i) => (i === 0 ? {} : { replicaOf: "n0", linkUp: true }));
        expect(planConvergence(observe(done), replicated(2))).to.deep.include({ actions: [], waiting: [], refusals: [] });
    });

    it("keeps the primary the others follow, and the only node holding keys as primary", () => {
        const failedOver = plain(3, (i) => (i === 1 ? { delay: 0 } : i === 2 ? { replicaOf: "n1", linkUp: true } : {}));
        expect(planConvergence(observe(failedOver), replicated(2)).actions).to.deep.equal([
            { kind: "replicaof", node: "n0", primary: "n1", address: { host: "127.0.0.1", port: 7001 } },
        ]);
        const withData = plain(3, (i) => (i === 2 ? { keys: 10, delay: 0 } : {}));
        expect(planConvergence(observe(withData), replicated(2)).layout.primaries).to.deep.equal([{ node: "n2", slots: [] }]);
    });

    it("promotes the first node when every node is a replica of another given node", () => {
        const ring = plain(2, (i) => ({ replicaOf: i === 0 ? "n1" : "n0", linkUp: false }));
        expect(planConvergence(observe(ring), replicated(1)).actions).to.deep.equal([
            { kind: "promote", node: "n0" },
            { kind: "config-set", node: "n0", parameter: "repl-diskless-sync-delay", value: "0", purpose: "bootstrap" },
        ]);
    });

    it("refuses two datasets, a replica of a foreign primary and a node with keys that would become a replica", () => {
        const two = plain(3, (i) => (i > 0 ? { keys: i } : {}));
        expect(planConvergence(observe(two), replicated(2)).refusals).to.deep.equal([
            { node: "n1", reason: "holds 1 keys, as does n2; converge does not choose between two datasets" },
            { node: "n2", reason: "holds 2 keys, as does n1; converge does not choose between two datasets" },
        ]);
        const foreign = plain(3, (i) => (i === 2 ? { replicaOfAddress: "127.0.0.1:9000" } : {}));
        expect(planConvergence(observe(foreign), replicated(2)).refusals).to.deep.equal([
            { node: "n2", reason: "replicates 127.0.0.1:9000, which is not among the given nodes; it holds that primary's data" },
        ]);
        const led = plain(3, (i) => (i === 1 ? { replicaOf: "n0", linkUp: true } : i === 2 ? { keys: 4 } : {}));
        expect(planConvergence(observe(led), replicated(2)).refusals).to.deep.equal([
            { node: "n2", reason: "holds 4 keys; making it a replica of n0 would drop them" },
        ]);
    });

    it("refuses cluster-mode nodes and too few nodes", () => {
        expect(planConvergence(observe(freshNodes(3)), replicated(2)).refusals).to.deep.equal(
            ["n0", "n1", "n2"].map((node) => ({ node, reason: "cluster mode is on (cluster-enabled yes); a replicated topology needs cluster-enabled no" })),
        );
        expect(planConvergence(observe(plain(2)), replicated(2)).refusals).to.deep.equal([
            { reason: "the topology needs at least 3 nodes (1 primary + 2 replicas), but 2 were given" },
        ]);
    });

    it("standalone: nothing to do for a primary with data; a replica is promoted; cluster mode is refused", () => {
        expect(planConvergence(observe(plain(1, () => ({ keys: 3 }))), { kind: "standalone" })).to.deep.equal({
            actions: [],
            waiting: [],
            refusals: [],
            layout: { primaries: [{ node: "n0", slots: [] }], replicas: [] },
        });
        expect(planConvergence(observe(plain(1, () => ({ replicaOfAddress: "127.0.0.1:9000" }))), { kind: "standalone" }).actions).to.deep.equal([
            { kind: "promote", node: "n0" },
        ]);
        expect(planConvergence(observe(freshNodes(1)), { kind: "standalone" }).refusals).to.deep.equal([
            { node: "n0", reason: "cluster mode is on (cluster-enabled yes); a standalone topology needs cluster-enabled no" },
        ]);
    });
});
