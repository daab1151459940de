// Which directive changes a running node takes with CONFIG SET, and which need a restart. The
// provider applies `live` at once and leaves `restart` to a rollout inside the maintenance window.
import { Directive } from "./directives";

/**
 * Directives we apply live with `CONFIG SET <name> <value>` (several at once are atomic). From
 * reference/valkey-operations.md, each verified against valkey-server 8.0 by
 * tests/integration/config-real-server.test.ts.
 *
 * Deliberately absent although 8.0 would accept them live: `port`, `tls-port` and `bind`. The
 * Services, probes and NetworkPolicy name the port, so a port change is a pod spec change and
 * rolls the pods anyway; moving the listener under connected clients first gains nothing.
 * Refused by 8.0 (immutable or protected): io-threads, databases, daemonize, dir, cluster-enabled,
 * cluster-config-file, aclfile, appendfilename. `include` is read only at start.
 */
export const RUNTIME_SETTABLE: ReadonlySet<string> = new Set([
    "maxmemory",
    "maxmemory-policy",
    "lfu-log-factor",
    "lfu-decay-time",
    "timeout",
    "notify-keyspace-events",
    "client-output-buffer-limit",
    "acl-pubsub-default",
    "protected-mode",
    // `CONFIG SET appendonly yes` starts an AOF rewrite; `no` stops appending. Both are safe live.
    "save",
    "appendonly",
    "appendfsync",
    "aof-use-rdb-preamble",
    "auto-aof-rewrite-percentage",
    "auto-aof-rewrite-min-size",
    // Running nodes of an existing service take the save-on-SIGTERM rule without a restart.
    "shutdown-on-sigterm",
    "shutdown-on-sigint",
    "repl-diskless-sync",
    "repl-diskless-sync-delay",
    "cluster-node-timeout",
    "cluster-allow-replica-migration",
    "cluster-replica-validity-factor",
    "cluster-require-full-coverage",
    "cluster-announce-hostname",
    "cluster-announce-ip",
    "cluster-preferred-endpoint-type",
    // 8.0 names the replication credentials primaryauth/primaryuser and keeps masterauth/
    // masteruser as aliases; the pod contract's auth.conf uses masterauth.
    "primaryauth",
    "primaryuser",
    "masterauth",
    "masteruser",
    "requirepass",
    // Setting tls-cert-file/tls-key-file again with the same paths re-reads the files: renewed
    // certificates load without a restart.
    "tls-cert-file",
    "tls-key-file",
    "tls-ca-cert-file",
    "tls-auth-clients",
    "tls-replication",
    "tls-cluster",
    "tls-protocols",
    "tls-ciphers",
    "tls-ciphersuites",
]);

export interface ConfigChanges {
    /** Added or changed directives that CONFIG SET applies to a running node, in `after` order. */
    readonly live: Directive[];
    /** Added or changed directives that only take effect when the node restarts with the new file. */
    readonly restart: Directive[];
    /**
     * Directives of `before` that `after` no longer has. A running node keeps the old value (there
     * is no CONFIG "unset", and the default is the server's to know), so they take effect only on
     * a restart.
     */
    readonly removed: Directive[];
    /** Whether `restart` or `removed` is non-empty: the new file differs from what runs. */
    readonly restartNeeded: boolean;
}

function byName(directives: readonly Directive[], which: string): Map<string, Directive> {
    const map = new Map<string, Directive>();
    for (const directive of directives) {
        if (map.has(directive.name)) {
            throw new Error(`classifyChanges: ${which} has directive ${JSON.stringify(directive.name)} more than once; pass one value per directive`);
        }
        map.set(directive.name, directive);
    }
    return map;
}

/** What it takes to move a node from the `before` directives to `after` (both as valkeyDirectives returns them). */
export function classifyChanges(before: readonly Directive[], after: readonly Directive[]): ConfigChanges {
    const old = byName(before, "before");
    const next = byName(after, "after");
    const live: Directive[] = [];
    const restart: Directive[] = [];
    for (const directive of next.values()) {
        if (old.get(directive.name)?.value === directive.value) continue;
        (RUNTIME_SETTABLE.has(directive.name) ? live : restart).push(directive);
    }
    const removed = [...old.values()].filter((directive) => !next.has(directive.name));
    return { live, restart, removed, restartNeeded: restart.length > 0 || removed.length > 0 };
}

/** The directives that carry a credential (set through the auth include, never in a config value). */
export const CREDENTIAL_DIRECTIVES: readonly string[] = ["requirepass", "masterauth", "masteruser", "primaryauth", "primaryuser"];

/**
 * Runtime-settable directives the provider does not set from the file: credentials (they come from
 * the auth include), per-pod announce addresses (command-line flags), and the TLS file paths
 * (reloaded on their own when the certificate changes).
 */
const NOT_APPLIED_LIVE: ReadonlySet<string> = new Set([
    ...CREDENTIAL_DIRECTIVES,
    "cluster-announce-ip",
    "cluster-announce-hostname",
    "tls-cert-file",
    "tls-key-file",
    "tls-ca-cert-file",
]);

export interface RolloutSplit {
    /** Applied to running nodes with CONFIG SET when they change (name -> CONFIG SET value). */
    readonly live: Record<string, string>;
    /** The rest: a change needs the nodes to restart with the new file. */
    readonly restart: Directive[];
}

/** Splits the directives the nodes run with into what changes live and what needs a restart. */
export function splitForRollout(directives: readonly Directive[]): RolloutSplit {
    const live: Record<string, string> = {};
    const restart: Directive[] = [];
    for (const d of directives) {
        if (RUNTIME_SETTABLE.has(d.name) && !NOT_APPLIED_LIVE.has(d.name)) live[d.name] = d.value;
        else restart.push(d);
    }
    return { live, restart };
}
