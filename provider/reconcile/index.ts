// Pure planning: observed state + desired topology -> the next commands. No I/O.
export * from "./types";
export * from "./slots";
export * from "./parse";
export * from "./placement";
export * from "./topology";
export * from "./commands";
export { planCluster, DISKLESS_SYNC_DELAY, addressText } from "./cluster";
export { planReplicated, planStandalone } from "./replication";
export { planConvergence } from "./plan";
