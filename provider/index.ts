// `pulumi-valkey/provider`: the engine that works on live nodes, without Pulumi. The dynamic
// provider's methods require() this module by name; the CLI and tests use it directly.
export { converge, status, ConvergeRequest, ConvergeOptions, ConvergeResult, StatusRequest, StatusResult } from "./converge/converge";
export * from "./errors";
export { directTransport, parseEndpoint, DirectNode, NodeTarget, Transport } from "./nodes/transport";
export { kubernetesTransport, KubernetesTarget } from "./nodes/kubernetes";
export { Credentials, TlsOptions } from "./nodes/client";
export { topologyHandlers } from "./dynamic/handlers";
export { expandVolumes, ExpansionError, VolumeTarget } from "./storage/expand";
export * from "./dynamic/inputs";
export * as reconcile from "./reconcile";
