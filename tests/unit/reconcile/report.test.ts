import { expect } from "chai";
import { healthProblems, reportNodes } from "../../../provider/reconcile";
import { converged3x1, freshNodes, idOf, observe } from "./fixtures";

describe("reconcile: node reports and health", () => {
    it("reports each node's own view: id, role, primary and slots", () => {
        const [n0, , , n3] = reportNodes(observe(converged3x1()));
        expect(n0).to.deep.equal({ name: "n0", address: "127.0.0.1:7000", id: idOf("n0"), role: "primary", slots: [{ start: 0, end: 5460 }] });
        expect(n3).to.deep.equal({ name: "n3", address: "127.0.0.1:7003", id: idOf("n3"), role: "replica", primary: "n0", primaryId: idOf("n0"), slots: [] });
    });

    it("reports replicas of non-cluster nodes by the name of the given primary, else its address", () => {
        const nodes = observe(
            freshNodes(3, (i) => ({
                clusterEnabled: false,
                ...(i === 1 ? { replicaOf: "n0", linkUp: true } : i === 2 ? { replicaOfAddress: "10.0.0.9:6379" } : {}),
            })),
        );
        expect(reportNodes(nodes).map((n) => [n.name, n.role, n.primary ?? "-"])).to.deep.equal([
            ["n0", "primary", "-"],
            ["n1", "replica", "n0"],
            ["n2", "replica", "10.0.0.9:6379"],
        ]);
    });

    it("finds nothing wrong with a converged cluster, and names what is wrong otherwise", () => {
        expect(healthProblems(observe(converged3x1()))).to.deep.equal([]);
        const broken = converged3x1().map((n) =>
            n.name === "n4" ? { ...n, linkUp: false } : n.name === "n1" ? { ...n, state: "fail" as const, flagsOf: { n2: "fail" } } : n,
        );
        expect(healthProblems(observe(broken))).to.deep.equal([
            "n1: cluster_state:fail, 16384 of 16384 slots ok",
            `n1 sees ${idOf("n2").slice(0, 8)} at 127.0.0.1:7002 as failing`,
            "n4: replication link is down",
        ]);
    });
});
