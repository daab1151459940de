// The planner's entry point: one round of planning for any topology.
import { planCluster } from "./cluster";
import { planReplicated, planStandalone } from "./replication";
import { Settings } from "./settings";
import { topologyProblems } from "./topology";
import { ObservedNode, Plan, Topology } from "./types";

/**
 * Plans the next round towards `topology` from one observation of every node, in the order the nodes
 * were given (the order decides ties, e.g. which fresh nodes become primaries). `steady` are the values
 * the tuned settings return to once everything is ready (see ./settings).
 */
export function planConvergence(nodes: readonly ObservedNode[], topology: Topology, steady: Settings = {}): Plan {
    const problems = topologyProblems(topology, nodes.length);
    if (problems.length > 0) {
        return { actions: [], waiting: [], refusals: problems.map((reason) => ({ reason })), layout: { primaries: [], replicas: [] } };
    }
    switch (topology.kind) {
        case "standalone":
            return planStandalone(nodes);
        case "replicated":
            return planReplicated(nodes, steady);
        case "cluster":
            return planCluster(nodes, topology.masters, topology.replicasPerMaster, steady, topology.surplus ?? "replicas");
    }
}
