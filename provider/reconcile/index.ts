// Pure planning: observed state + desired topology -> the next commands. No I/O.
export * from "./types";
export * from "./slots";
export * from "./parse";
export * from "./placement";
export * from "./topology";
export * from "./commands";
export { planCluster } from "./cluster";
export { addressText } from "./address";
export * from "./settings";
export { planReplicated, planStandalone } from "./replication";
export { planConvergence } from "./plan";
export * from "./report";
export * from "./rebalance";
