import { expect } from "chai";
import { planConvergence, steadySettings } from "../../../provider/reconcile";
import { freshNodes, observe } from "./fixtures";

describe("reconcile: tuned settings", () => {
    it("keeps the highest value among the nodes as the steady one, unless a value is requested", () => {
        const nodes = observe(freshNodes(3, (i) => (i === 0 ? { delay: 0, nodeTimeout: 500 } : { nodeTimeout: 2000 })));
        expect(steadySettings(nodes)).to.deep.equal({ "repl-diskless-sync-delay": 5, "cluster-node-timeout": 2000 });
        expect(steadySettings(nodes, { "cluster-node-timeout": 5000 })).to.deep.equal({ "repl-diskless-sync-delay": 5, "cluster-node-timeout": 5000 });
    });

    it("assumes Valkey's default node timeout when every node still has the bootstrap value", () => {
        const leftovers = observe(freshNodes(3, () => ({ nodeTimeout: 500, delay: 0 })));
        expect(steadySettings(leftovers)).to.deep.equal({ "repl-diskless-sync-delay": 0, "cluster-node-timeout": 15000 });
        expect(steadySettings(leftovers, { "cluster-node-timeout": 500 })).to.deep.equal({ "repl-diskless-sync-delay": 0, "cluster-node-timeout": 500 });
    });

    it("restores the diskless delay of a replicated primary once its replicas are linked", () => {
        const ready = observe(freshNodes(3, (i) => ({ clusterEnabled: false, ...(i === 0 ? { delay: 0 } : { replicaOf: "n0", linkUp: true }) })));
        expect(planConvergence(ready, { kind: "replicated", replicas: 2 }, steadySettings(ready)).actions).to.deep.equal([
            { kind: "config-set", node: "n0", parameter: "repl-diskless-sync-delay", value: "5", purpose: "steady" },
        ]);
    });
});
