// Public exports of pulumi-valkey.
export { Valkey } from "./components/valkey";
export { Redis } from "./components/redis";
export { ValkeyCluster, ValkeyClusterArgs, ClusterCondition } from "./components/cluster";
export type { ServiceCondition } from "./components/deploy";
export * from "./spec/args";
export { Plan, PersistenceMode, PlanTopology, getPlan, planNames, registerPlan, unregisterPlan } from "./spec/plans";
export { SpecError, SpecIssue } from "./spec/validate";
export { DEFAULT_IMAGE } from "./spec/model";
// The types of the components' outputs (topology, nodes, pendingRestart) and of the topology
// resource's per-node outcomes.
export type { AclStatusOutput, ConfigStatusOutput, NodeOutput, PendingRestartOutput, TlsStatusOutput } from "./types/topology";
