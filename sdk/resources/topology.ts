// The `ValkeyTopology` dynamic resource: `pulumi up` converges the nodes and ends with a verified
// service. The provider object below is what Pulumi serializes into the state: each method require()s
// this package by name when it runs (in Pulumi's dynamic-provider process) and forwards to the plain
// handlers (provider/dynamic/handlers.ts), so the serialized text holds no module, client or secret,
// only these few lines. The class lives on the sdk side and imports nothing of provider/: the
// require() by name at run time is the only way in (docs/architecture.md).
import * as pulumi from "@pulumi/pulumi";
import type { DayOfWeek } from "../spec/args";
import {
    AclInput,
    AclStatusOutput,
    ConfigStatusOutput,
    DirectNodeInput,
    NodeOutput,
    PendingRestartOutput,
    SECRET_OUTPUTS,
    SettingsInput,
    Topology,
    TlsInput,
    TlsReloadInput,
    TlsStatusOutput,
} from "../types/topology";

/* eslint-disable @typescript-eslint/no-require-imports */
export const valkeyTopologyProvider: pulumi.dynamic.ResourceProvider = {
    async check(olds, news) {
        return require("pulumi-valkey/provider").topologyHandlers.check(olds, news);
    },
    async diff(id, olds, news) {
        return require("pulumi-valkey/provider").topologyHandlers.diff(id, olds, news);
    },
    async create(inputs) {
        return require("pulumi-valkey/provider").topologyHandlers.create(inputs);
    },
    async update(id, olds, news) {
        return require("pulumi-valkey/provider").topologyHandlers.update(id, olds, news);
    },
    async read(id, props) {
        return require("pulumi-valkey/provider").topologyHandlers.read(id, props);
    },
    async delete(id, props) {
        return require("pulumi-valkey/provider").topologyHandlers.delete(id, props);
    },
};
/* eslint-enable @typescript-eslint/no-require-imports */

/** The version of this package: the default `providerVersion`, so an upgrade re-runs converge. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const PACKAGE_VERSION: string = require("../../../package.json").version;

export type TopologyArg =
    | { kind: pulumi.Input<"standalone"> }
    | { kind: pulumi.Input<"replicated">; replicas: pulumi.Input<number> }
    | { kind: pulumi.Input<"cluster">; masters: pulumi.Input<number>; replicasPerMaster: pulumi.Input<number> };

export type TransportArg =
    | { kind: pulumi.Input<"direct">; nodes: pulumi.Input<pulumi.Input<DirectNodeInput>[]> }
    | {
          kind: pulumi.Input<"kubernetes">;
          /** The Kubernetes provider's kubeconfig (a secret). @default the default loading rules */
          kubeconfig?: pulumi.Input<string | undefined>;
          context?: pulumi.Input<string | undefined>;
          namespace: pulumi.Input<string>;
          statefulSet: pulumi.Input<string>;
          replicas: pulumi.Input<number>;
          /** @default 6379 */
          port?: pulumi.Input<number>;
          /** How long to wait for every pod to run (also a restarted one). @default 60000 */
          podTimeoutMs?: pulumi.Input<number>;
          /** Announce pods by DNS name (Sentinel plans). @default pod IPs */
          announceHostnames?: pulumi.Input<{ serviceName: pulumi.Input<string>; clusterDomain?: pulumi.Input<string> }>;
      };

export interface ValkeyTopologyArgs {
    /** @default this package's version; a new value re-runs converge */
    providerVersion?: pulumi.Input<string>;
    /** standalone, replicated (primary + N replicas) or cluster (M primaries x R replicas). */
    topology: pulumi.Input<TopologyArg>;
    /** How the provider reaches the nodes: over TCP, or through the Kubernetes API. */
    transport: pulumi.Input<TransportArg>;
    /** @default the default user */
    username?: pulumi.Input<string>;
    /** @default no password */
    password?: pulumi.Input<string>;
    /**
     * The Sentinels' own password (secret), for `rollout.sentinels`. Required there when `username`
     * is an ACL user. @default derived from `password` (right only while it is the default user's)
     */
    sentinelPassword?: pulumi.Input<string>;
    /** PEM material for TLS connections. @default plain TCP */
    tls?: pulumi.Input<{ [K in keyof TlsInput]: pulumi.Input<TlsInput[K]> }>;
    /** Values the tuned settings keep once converged. @default the highest value among the nodes */
    settings?: pulumi.Input<{ [K in keyof SettingsInput]: pulumi.Input<SettingsInput[K]> }>;
    /** @default 300 */
    timeoutSeconds?: pulumi.Input<number>;
    /**
     * ACL users applied live on every node once converged (secret: passwords), in sdk/acl's
     * resolveAclUsers shape; must include the admin user, which the provider then connects as.
     * @default users are left as they are
     */
    acl?: pulumi.Input<AclInput>;
    /** The server certificate the nodes must present: reloaded live (no restart) on create and whenever it changes. */
    tlsReload?: pulumi.Input<{
        certPem: pulumi.Input<string>;
        paths?: pulumi.Input<{ [K in keyof NonNullable<TlsReloadInput["paths"]>]: pulumi.Input<NonNullable<TlsReloadInput["paths"]>[K]> }>;
        timeoutSeconds?: pulumi.Input<number>;
    }>;
    /**
     * Run as the step before the StatefulSet shrinks: drain the pods it is about to remove (see
     * TopologyInputs.drainBeforeScaleIn). @default false
     */
    drainBeforeScaleIn?: pulumi.Input<boolean>;
    /** Runtime-settable directives (valkey.conf names) applied live with CONFIG SET when they change. */
    config?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** Rolling restarts with primary handoff when the pod template changes, inside the maintenance window. */
    rollout?: pulumi.Input<{
        revision: pulumi.Input<string>;
        window?: pulumi.Input<{ dow?: pulumi.Input<DayOfWeek>; time?: pulumi.Input<string> }>;
        force?: pulumi.Input<boolean>;
        sentinels?: pulumi.Input<{
            statefulSet: pulumi.Input<string>;
            replicas: pulumi.Input<number>;
            port: pulumi.Input<number>;
            group: pulumi.Input<string>;
        }>;
        handoffTimeoutSeconds?: pulumi.Input<number>;
    }>;
}

/** The options of the resource: the caller's, plus the outputs that hold secrets. */
export function topologyResourceOptions(opts: pulumi.CustomResourceOptions): pulumi.CustomResourceOptions {
    return { ...opts, additionalSecretOutputs: [...(opts.additionalSecretOutputs ?? []), ...SECRET_OUTPUTS] };
}

/**
 * Converges Valkey nodes to a topology on create and update, then verifies them (cluster_state ok with
 * every slot, replicas linked and caught up, a SET/GET/DEL smoke test on every shard). Deleting it leaves
 * the nodes and their data as they are. Type token `pulumi-nodejs:dynamic/valkey:ValkeyTopology`.
 */
export class ValkeyTopology extends pulumi.dynamic.Resource {
    /** "RUNNING" once converged and verified; "DEGRADED" after a `pulumi refresh` that found problems. */
    public readonly state!: pulumi.Output<string>;
    /** After a refresh that found the topology DEGRADED: what is wrong, one line each. */
    public readonly problems!: pulumi.Output<string[] | undefined>;
    /** Every node: name, announce address, cluster node id, role, primary, slots. */
    public readonly nodes!: pulumi.Output<NodeOutput[]>;
    /** The primaries' announce addresses (`host:port`), in slot order. */
    public readonly primaryEndpoints!: pulumi.Output<string[]>;
    /** The commands the last create or update sent. */
    public readonly lastActions!: pulumi.Output<string[]>;
    public readonly topology!: pulumi.Output<Topology>;
    public readonly username!: pulumi.Output<string | undefined>;
    /** Secret. */
    public readonly password!: pulumi.Output<string | undefined>;
    /** Secret. */
    public readonly sentinelPassword!: pulumi.Output<string | undefined>;
    /** With `acl`: the outcome on every node (node, status Applied | Error, message). */
    public readonly aclStatus!: pulumi.Output<AclStatusOutput[] | undefined>;
    /** With `acl`: "Applied" when every node is. */
    public readonly aclPhase!: pulumi.Output<"Applied" | "Error" | undefined>;
    /** With `tlsReload`: the outcome of the last reload on every node (node, status, fingerprint). */
    public readonly tlsStatus!: pulumi.Output<TlsStatusOutput[] | undefined>;
    /** With `config`: the outcome of the last CONFIG SET on every node. */
    public readonly configStatus!: pulumi.Output<ConfigStatusOutput[] | undefined>;
    /** With `rollout`: restarts waiting for the maintenance window (revision, nodes, reason, notBefore); unset when none. */
    public readonly pendingRestart!: pulumi.Output<PendingRestartOutput | undefined>;

    constructor(name: string, args: ValkeyTopologyArgs, opts: pulumi.CustomResourceOptions = {}) {
        super(
            valkeyTopologyProvider,
            name,
            {
                state: undefined,
                problems: undefined,
                nodes: undefined,
                primaryEndpoints: undefined,
                lastActions: undefined,
                aclStatus: undefined,
                aclPhase: undefined,
                tlsStatus: undefined,
                configStatus: undefined,
                pendingRestart: undefined,
                ...args,
                providerVersion: args.providerVersion ?? PACKAGE_VERSION,
            },
            topologyResourceOptions(opts),
            "valkey",
            "ValkeyTopology",
        );
    }
}
