// Settings converge changes for speed while a node bootstraps, and restores once everything is ready.
import { Action, ObservedNode } from "./types";

/** A primary waits this long before a full sync, to serve several replicas with one (default 5 s). */
export const DISKLESS_SYNC_DELAY = "repl-diskless-sync-delay";
/**
 * A fresh primary may only report cluster_state:ok min(cluster-node-timeout, 5 s) after it last saw
 * itself in a minority (which it does until it serves slots), and it pings its peers, carrying its
 * slots, every cluster-node-timeout / 2: the default 15 s costs seconds on every bootstrap.
 */
export const CLUSTER_NODE_TIMEOUT = "cluster-node-timeout";

export type TunedSetting = typeof DISKLESS_SYNC_DELAY | typeof CLUSTER_NODE_TIMEOUT;
export const TUNED_SETTINGS: readonly TunedSetting[] = [DISKLESS_SYNC_DELAY, CLUSTER_NODE_TIMEOUT];

/** Values of the tuned settings (seconds for the delay, milliseconds for the timeout). */
export type Settings = Partial<Record<TunedSetting, number>>;

/**
 * While bootstrapping: no diskless-sync delay on a primary whose replicas need their first sync; a
 * 500 ms node timeout (the shortest rejoin delay Valkey allows) on primaries that get their first
 * slots.
 */
export const BOOTSTRAP_VALUES: Readonly<Record<TunedSetting, number>> = { [DISKLESS_SYNC_DELAY]: 0, [CLUSTER_NODE_TIMEOUT]: 500 };

/** Valkey's defaults. */
export const VALKEY_DEFAULTS: Readonly<Record<TunedSetting, number>> = { [DISKLESS_SYNC_DELAY]: 5, [CLUSTER_NODE_TIMEOUT]: 15000 };

/**
 * The values the nodes keep once converged: the requested ones, else the highest value among the given
 * nodes (converge only ever lowers them, and never on replicas, whose values survive a killed run). A
 * node timeout that is the bootstrap value on every node is what a killed run of a cluster without
 * replicas leaves behind: Valkey's default is assumed then.
 */
export function steadySettings(nodes: readonly ObservedNode[], requested: Settings = {}): Settings {
    const steady: Settings = {};
    for (const setting of TUNED_SETTINGS) {
        const values = nodes.flatMap((n) => (n.settings[setting] !== undefined ? [n.settings[setting] as number] : []));
        let value = requested[setting] ?? (values.length > 0 ? Math.max(...values) : undefined);
        if (requested[setting] === undefined && setting === CLUSTER_NODE_TIMEOUT && value === BOOTSTRAP_VALUES[setting]) {
            value = VALKEY_DEFAULTS[setting];
        }
        if (value !== undefined) steady[setting] = value;
    }
    return steady;
}

/** Lowers `setting` on `node` to its bootstrap value, when it is higher. */
export function lowerForBootstrap(node: ObservedNode, setting: TunedSetting): Action[] {
    const value = node.settings[setting];
    const target = BOOTSTRAP_VALUES[setting];
    return value !== undefined && value > target
        ? [{ kind: "config-set", node: node.name, parameter: setting, value: String(target), purpose: "bootstrap" }]
        : [];
}

/** Brings each of `settings` to its steady value on every node that differs. */
export function restoreSettings(nodes: readonly ObservedNode[], steady: Settings, settings: readonly TunedSetting[]): Action[] {
    return nodes.flatMap((n) =>
        settings.flatMap((setting): Action[] => {
            const value = n.settings[setting];
            const target = steady[setting];
            return value !== undefined && target !== undefined && value !== target
                ? [{ kind: "config-set", node: n.name, parameter: setting, value: String(target), purpose: "steady" }]
                : [];
        }),
    );
}
