// sentinel.conf for the Sentinels that watch a primary and its replicas (plans with topology
// "sentinel"). Pure, like valkey.conf: the password comes from an include, never this file.
import { Directive, TlsRenderOptions, tlsDirectives, tlsSettings } from "./directives";
import { quoteConfigValue, renderDirective, sizedBy } from "./render";
import { PATHS, SENTINEL_PORT, VALKEY_PORT } from "../spec/contract";
import { USER_NAME } from "../spec/security";
import { ServiceModel } from "../spec/service-model";

export interface SentinelRenderOptions {
    /** Where the primary is at first start, e.g. `<name>-0.<name>-headless.<ns>.svc.cluster.local`. */
    readonly primaryHost: string;
    /** @default DEFAULT_PRIMARY_PORT (6379; the TLS port when the service is TLS only) */
    readonly primaryPort?: number;
    /** The monitored group: what Sentinel-aware clients ask for. @default the service name */
    readonly group?: string;
    /** Sentinels that must agree the primary is down before a failover. @default DEFAULT_SENTINEL_QUORUM */
    readonly quorum?: number;
    /** @default DEFAULT_DOWN_AFTER_MS */
    readonly downAfterMs?: number;
    /** @default DEFAULT_FAILOVER_TIMEOUT_MS */
    readonly failoverTimeoutMs?: number;
    /** @default DEFAULT_PARALLEL_SYNCS */
    readonly parallelSyncs?: number;
    /** The Sentinel's own port. @default DEFAULT_SENTINEL_PORT */
    readonly port?: number;
    /** `dir`: the writable directory the config copy lives in. @default DEFAULT_SENTINEL_DATA_DIR */
    readonly dataDir?: string;
    /**
     * Included last; holds `sentinel auth-pass <group> <password>` (see renderSentinelAuthConf).
     * `null` renders no include (a primary without a password).
     * @default DEFAULT_SENTINEL_AUTH_INCLUDE
     */
    readonly authInclude?: string | null;
    /**
     * TLS for the Sentinel's listener and for its links to the data nodes (`tls-replication`).
     * @default the defaults of TlsRenderOptions when the model has `tls` (valkey_ssl), else no TLS
     */
    readonly tls?: TlsRenderOptions;
}

/** The pod contract's Sentinel port. */
export const DEFAULT_SENTINEL_PORT = SENTINEL_PORT;
export const DEFAULT_PRIMARY_PORT = VALKEY_PORT;
/** The pod contract's writable emptyDir: Sentinel rewrites its config file as it learns. */
export const DEFAULT_SENTINEL_DATA_DIR = "/sentinel-data";
/**
 * In the auth Secret's mount next to auth.conf. The Secret needs this key for Sentinels to
 * authenticate to a primary that has requirepass.
 */
export const DEFAULT_SENTINEL_AUTH_INCLUDE = `${PATHS.auth}/sentinel-auth.conf`;
/** A majority of the 3 Sentinels sdk/manifests runs: one may be away, two still agree. */
export const DEFAULT_SENTINEL_QUORUM = 2;
/**
 * Valkey's default is 30 s of writes failing before a failover starts. Planned restarts hand the
 * primary over first (the provider runs FAILOVER), so this only covers crashes and lost nodes,
 * where 5 s is long enough to ride out a network blip and short enough to matter to clients.
 */
export const DEFAULT_DOWN_AFTER_MS = 5000;
/**
 * Valkey's default is 180 s, which is also the wait before retrying a failed failover (twice
 * this). 60 s still covers a full resync of a plan-sized dataset inside the cluster network.
 */
export const DEFAULT_FAILOVER_TIMEOUT_MS = 60000;
/** One replica resyncs with a new primary at a time; the others keep serving reads. */
export const DEFAULT_PARALLEL_SYNCS = 1;

/**
 * The directives of sentinel.conf, in file order. `sentinel <sub> ...` lines are directives named
 * "sentinel" whose value is the rest of the line, so a name can repeat here (these are not for
 * classifyChanges: Sentinel rewrites its own file and is changed with SENTINEL SET).
 */
export function sentinelDirectives(model: ServiceModel, options: SentinelRenderOptions): Directive[] {
    const group = options.group ?? model.name;
    const quorum = options.quorum ?? DEFAULT_SENTINEL_QUORUM;
    if (!Number.isInteger(quorum) || quorum < 1) {
        throw new Error(`${model.name}: the Sentinel quorum must be a whole number of at least 1 (got ${quorum})`);
    }
    if (!/^[A-Za-z0-9._-]+$/.test(group)) {
        throw new Error(`${model.name}: the Sentinel group name ${JSON.stringify(group)} may only hold letters, digits, '.', '_' and '-'`);
    }
    const port = options.port ?? DEFAULT_SENTINEL_PORT;
    const tls = tlsSettings(model, options.tls, port);
    const authInclude = options.authInclude === undefined ? DEFAULT_SENTINEL_AUTH_INCLUDE : options.authInclude;

    const d: Directive[] = [];
    const add = (name: string, value: string | number) => d.push({ name, value: String(value) });
    const sentinel = (...words: Array<string | number>) => add("sentinel", words.join(" "));

    // As for the data pods: reached through Services; every client authenticates (requirepass in
    // the include), and the NetworkPolicy decides who reaches it.
    add("bind", "* -::*");
    add("protected-mode", "no");
    add("port", tls?.disablePlain ? 0 : port);
    add("daemonize", "no");
    add("dir", options.dataDir ?? DEFAULT_SENTINEL_DATA_DIR);
    // tls-replication yes: in Sentinel it makes the links to the primary, the replicas and the
    // other Sentinels TLS, whatever tls.replication says for the data nodes.
    if (tls) d.push(...tlsDirectives(tls, true, undefined));
    // Before `monitor`: pod IPs change on every restart, so instances are known by DNS name, and
    // Sentinel must resolve the name given to `monitor` (without this it refuses it).
    sentinel("resolve-hostnames", "yes");
    sentinel("announce-hostnames", "yes");
    sentinel("monitor", group, options.primaryHost, options.primaryPort ?? DEFAULT_PRIMARY_PORT, quorum);
    sentinel("down-after-milliseconds", group, options.downAfterMs ?? DEFAULT_DOWN_AFTER_MS);
    sentinel("failover-timeout", group, options.failoverTimeoutMs ?? DEFAULT_FAILOVER_TIMEOUT_MS);
    sentinel("parallel-syncs", group, options.parallelSyncs ?? DEFAULT_PARALLEL_SYNCS);
    // After `monitor`: `auth-pass` names a group that must exist by then.
    if (authInclude !== null) add("include", authInclude);
    return d;
}

/** The text of sentinel.conf (see sentinelDirectives). */
export function renderSentinelConf(model: ServiceModel, options: SentinelRenderOptions): string {
    const header = [
        `# sentinel.conf of ${model.engine} service ${JSON.stringify(model.name)}, ${sizedBy(model)}.`,
        "# Rendered by pulumi-valkey; Sentinel rewrites its running copy as it learns the topology.",
        "# No secrets here: they come from the include at the end.",
    ];
    return [...header, ...sentinelDirectives(model, options).map(renderDirective)].join("\n") + "\n";
}

/**
 * The included file with the secrets (put it in the auth Secret, not the ConfigMap): the primary's
 * password (`auth-pass`, for the links to the data nodes), with `authUser` (the data nodes have
 * ACL users: SENTINEL_USER) preceded by `sentinel auth-user`, so `password` is that user's; and,
 * given `sentinelPassword`, the Sentinel's own: `requirepass` (no command without AUTH, from
 * clients or probes) and `sentinel sentinel-pass` (what each Sentinel presents to its peers).
 * `group` must be the group of sentinel.conf (default: the service name).
 */
export function renderSentinelAuthConf(group: string, password: string, sentinelPassword?: string, authUser?: string): string {
    if (password.length === 0) {
        throw new Error(`Sentinel group ${JSON.stringify(group)}: the password must not be empty`);
    }
    if (authUser !== undefined && (!USER_NAME.test(authUser) || authUser === "default")) {
        // The name is not a secret, but a bad one is shown JSON-quoted so no byte of it breaks the message.
        throw new Error(
            `Sentinel group ${JSON.stringify(group)}: the Sentinels' user ${JSON.stringify(authUser)} must be an ACL user name other than "default"`,
        );
    }
    if (sentinelPassword !== undefined && sentinelPassword.length === 0) {
        throw new Error(`Sentinel group ${JSON.stringify(group)}: the Sentinel password must not be empty (it would disable authentication)`);
    }
    const lines = [
        // auth-user before auth-pass: Sentinel sends `AUTH <user> <pass>` once both are set.
        ...(authUser !== undefined ? [`sentinel auth-user ${quoteConfigValue(group)} ${quoteConfigValue(authUser)}`] : []),
        `sentinel auth-pass ${quoteConfigValue(group)} ${quoteConfigValue(password)}`,
    ];
    if (sentinelPassword !== undefined) {
        lines.push(`requirepass ${quoteConfigValue(sentinelPassword)}`, `sentinel sentinel-pass ${quoteConfigValue(sentinelPassword)}`);
    }
    return lines.join("\n") + "\n";
}
