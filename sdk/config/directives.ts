// The service model turned into valkey.conf directives: the single source for the rendered file
// (render.ts) and for what a live server must be told (runtime.ts). Pure: no I/O, no Pulumi.
//
// Every directive below was checked against a real valkey-server 8.0 (tests/integration/
// config-real-server.test.ts): the names are the ones 8.0 accepts and the values read back with
// CONFIG GET as the tests expect.
import * as path from "path";
import { PATHS, VALKEY_PORT } from "../spec/contract";
import { ServiceModel } from "../spec/service-model";
import { SERVER_MAX_IO_THREADS } from "../spec/limits";
import { restartLosesData } from "../spec/persistence";
import { PersistenceMode } from "../spec/plans";

/** One valkey.conf line: the directive and its value as `CONFIG SET <name> <value>` takes it. */
export interface Directive {
    readonly name: string;
    /**
     * The value in CONFIG SET form. Directives that take several arguments (`save`, `bind`,
     * `client-output-buffer-limit`) hold them space-separated, e.g. `"600 1"`; `""` is empty.
     */
    readonly value: string;
}

export interface ClusterRenderOptions {
    /**
     * Announced with `cluster-announce-hostname`, and `cluster-preferred-endpoint-type hostname`
     * makes redirects (MOVED, CLUSTER SLOTS) carry it, so clients and TLS hostname checks see a
     * stable DNS name instead of a pod IP that changes on restart.
     * @default unset: nodes announce their IP
     */
    readonly announceHostname?: string;
}

export interface TlsRenderOptions {
    /**
     * `tls-port`. Must differ from `port` when `disablePlain` is false.
     * @default the plain `port` (TLS only on the usual port, as the pod contract says)
     */
    readonly port?: number;
    /** @default DEFAULT_TLS_CERT_FILE (the pod contract's `tls` volume) */
    readonly certFile?: string;
    /** @default DEFAULT_TLS_KEY_FILE */
    readonly keyFile?: string;
    /** @default DEFAULT_TLS_CA_FILE */
    readonly caFile?: string;
    /** `tls-auth-clients`. @default DEFAULT_TLS_AUTH_CLIENTS ("optional") */
    readonly authClients?: "yes" | "no" | "optional";
    /** `tls-replication`: replicas sync from their primary over TLS. @default true */
    readonly replication?: boolean;
    /** `tls-cluster`: the cluster bus uses TLS; rendered only in cluster mode. @default true */
    readonly cluster?: boolean;
    /** `tls-protocols`. @default DEFAULT_TLS_PROTOCOLS ("TLSv1.2 TLSv1.3") */
    readonly protocols?: string;
    /** `tls-ciphers` (TLS 1.2 and below). @default unset: OpenSSL's defaults */
    readonly ciphers?: string;
    /** `tls-ciphersuites` (TLS 1.3). @default unset: OpenSSL's defaults */
    readonly ciphersuites?: string;
    /** `port 0`: no plaintext listener at all. @default true (valkey_ssl means "require SSL") */
    readonly disablePlain?: boolean;
}

export interface RenderOptions {
    /** `dir`: where dump.rdb, the AOF directory and nodes.conf live. @default DEFAULT_DATA_DIR */
    readonly dataDir?: string;
    /** `port` of the plaintext listener. @default DEFAULT_PORT */
    readonly port?: number;
    /**
     * The file included last, holding `requirepass` / `masterauth` (the rendered file holds no
     * secret). `null` renders no include line (tests that run without a password).
     * @default DEFAULT_AUTH_INCLUDE
     */
    readonly authInclude?: string | null;
    /** Cluster mode. @default cluster mode with no options when the model's topology is "cluster", else off */
    readonly cluster?: ClusterRenderOptions;
    /** TLS listener settings. @default the model's `tls.render` (else the defaults of TlsRenderOptions) when the model has `tls`, else no TLS */
    readonly tls?: TlsRenderOptions;
    /**
     * Explicit persistence directives, replacing what the model's persistence mode implies.
     * @default `model.persistence.directives` (ValkeyCluster's `backup`), else derived from
     * `model.persistence.mode` and frequent_snapshots
     */
    readonly persistence?: PersistenceRenderOptions;
}

export interface PersistenceRenderOptions {
    /** `save` rules, "<seconds> <changes>" pairs; "" for none. */
    readonly save: string;
    /** `appendonly`. */
    readonly appendonly: boolean;
    readonly appendfsync: "always" | "everysec" | "no";
    /** `auto-aof-rewrite-percentage`. */
    readonly autoAofRewritePercentage: number;
    /** `auto-aof-rewrite-min-size`, e.g. "64mb". */
    readonly autoAofRewriteMinSize: string;
}

/** The pod contract mounts the data volume here. */
export const DEFAULT_DATA_DIR = PATHS.data;
export const DEFAULT_PORT = VALKEY_PORT;
/** The pod contract's auth Secret, key `auth.conf`. */
export const DEFAULT_AUTH_INCLUDE = `${PATHS.auth}/auth.conf`;
/** The pod contract's TLS Secret mount (`tls.crt`, `tls.key`, `ca.crt`). */
export const DEFAULT_TLS_CERT_FILE = `${PATHS.tls}/tls.crt`;
export const DEFAULT_TLS_KEY_FILE = `${PATHS.tls}/tls.key`;
export const DEFAULT_TLS_CA_FILE = `${PATHS.tls}/ca.crt`;
/**
 * Aiven's clients connect with a password and no client certificate; "optional" accepts exactly
 * those clients too, and still verifies a certificate when one is presented (node-to-node links).
 */
export const DEFAULT_TLS_AUTH_CLIENTS = "optional";
/** TLS 1.0 and 1.1 are deprecated (RFC 8996). */
export const DEFAULT_TLS_PROTOCOLS = "TLSv1.2 TLSv1.3";

// Aiven's documented defaults (seeds/000 and reference/peers.md), applied when userConfig is unset.
/** Aiven: noeviction. Writes fail when memory is full rather than silently dropping keys. */
export const DEFAULT_MAXMEMORY_POLICY = "noeviction";
export const DEFAULT_LFU_LOG_FACTOR = 10;
/** Minutes. */
export const DEFAULT_LFU_DECAY_TIME = 1;
/** Seconds; Aiven closes idle connections after 5 minutes (Valkey's own default is 0, never). */
export const DEFAULT_TIMEOUT = 300;
/** Valkey's default: the main thread does all I/O. */
export const DEFAULT_IO_THREADS = 1;
export const DEFAULT_DATABASES = 16;
/** No keyspace notifications: they cost CPU on every write. */
export const DEFAULT_NOTIFY_KEYSPACE_EVENTS = "";
/**
 * Hard limit in MB for pub/sub clients. Aiven's minimum, and with the soft limit at a quarter it
 * is exactly Valkey's own default (`pubsub 32mb 8mb 60`).
 */
export const DEFAULT_PUBSUB_OUTPUT_BUFFER_LIMIT_MB = 32;
/** Seconds a pub/sub client may stay above the soft limit before it is disconnected. */
export const PUBSUB_SOFT_LIMIT_SECONDS = 60;
/**
 * Aiven: "When this option is not defined, allchannels is assumed to keep backward compatibility"
 * (Valkey's own default is resetchannels).
 */
export const DEFAULT_ACL_CHANNELS = "allchannels";

// Memory. The container limit is the plan's memoryMiB; the dataset must stay well below it or the
// kernel OOM-kills the pod (losing everything since the last snapshot). What lives outside
// `maxmemory`:
//  - fork copy-on-write: BGSAVE, AOF rewrite and full syncs to replicas (diskless sync forks too)
//    duplicate every page written while the child runs;
//  - replication and client output buffers, the replication backlog;
//  - allocator fragmentation (jemalloc, typically 5-15 %);
//  - the process itself: an empty 8.0 server has ~12 MiB resident.
/** maxmemory as a share of the plan's memory for a node that forks (persistence or replicas). */
export const MAXMEMORY_FRACTION_FORKING = 0.75;
/** A single node without persistence never forks, so copy-on-write needs no room. */
export const MAXMEMORY_FRACTION_NO_FORK = 0.85;
/** At least this much stays outside maxmemory: the process's own ~12 MiB plus slack. */
export const MIN_HEADROOM_MIB = 16;
/**
 * maxmemory is never set below this (registerPlan refuses plans under 32 MiB, so only hand-built
 * models reach it): a smaller dataset limit makes the service useless rather than safe.
 */
export const MIN_MAXMEMORY_MIB = 16;

// Persistence.
/** Aiven's `rdb`: "RDB dumps each 10 minutes if any key is changed". */
export const RDB_SAVE_RULE = "600 1";
/** The `standard` add-on plan's `rdb_daily`: one snapshot a day if anything changed. */
export const RDB_DAILY_SAVE_RULE = "86400 1";
/** `save ""`: no automatic snapshots (backups still take one with BGSAVE). */
export const NO_SAVE_RULE = "";
/** shutdown-on-sigterm / -sigint of a node with a disk: always snapshot before exiting. */
export const SHUTDOWN_WITH_DISK = "save";
/**
 * ... and of a node without one (an emptyDir, gone with the pod): Valkey's default, which saves
 * only when save rules exist (never, for these nodes: their `save` is "").
 */
export const SHUTDOWN_WITHOUT_DISK = "default";

/**
 * Seconds a diskless full sync waits for more replicas before it forks. Valkey's default of 5 s
 * is most of the time a new replica needs to come up (reference/valkey-operations.md: 6.6 s for
 * 6 nodes); 1 s still lets replicas of a StatefulSet that start together share one transfer.
 */
export const REPL_DISKLESS_SYNC_DELAY_SECONDS = 1;

/** Milliseconds; the reference operator's value: failover within seconds, not Valkey's 15 s. */
export const CLUSTER_NODE_TIMEOUT_MS = 2000;

/**
 * maxmemory in MiB for a plan with `memoryMiB` per node: see the constants above for why the
 * headroom is what it is.
 */
export function maxmemoryMiB(memoryMiB: number, forks: boolean): number {
    const fraction = forks ? MAXMEMORY_FRACTION_FORKING : MAXMEMORY_FRACTION_NO_FORK;
    const limit = Math.min(Math.floor(memoryMiB * fraction), memoryMiB - MIN_HEADROOM_MIB);
    return Math.max(limit, MIN_MAXMEMORY_MIB);
}

/**
 * Whether a node of this model ever forks: for snapshots or AOF rewrites (any persistence) and
 * for full syncs to replicas (every plan with more than one node).
 */
export function nodeForks(model: ServiceModel): boolean {
    return model.persistence.mode !== "none" || model.nodes > 1;
}

/**
 * The `save` rule. `frequent_snapshots: false` (Aiven: "only take RDB snapshots when a backup is
 * created") drops the 10-minute rule of rdb and rdb_aof; the daily rule of rdb_daily is not
 * frequent and is that plan's only persistence, so it stays.
 */
export function saveRule(persistence: PersistenceMode, frequentSnapshots: boolean | undefined): string {
    switch (persistence) {
        case "none":
            return NO_SAVE_RULE;
        case "rdb_daily":
            return RDB_DAILY_SAVE_RULE;
        case "rdb":
        case "rdb_aof":
            return frequentSnapshots === false ? NO_SAVE_RULE : RDB_SAVE_RULE;
    }
}

/** `pubsub <hard> <hard/4> 60`: Aiven's rule, soft = a quarter of hard, exact in bytes. */
export function pubsubOutputBufferLimit(hardMB: number): string {
    // A quarter of an MB is 256 kb; use kb only when the quarter is not whole MB.
    const soft = hardMB % 4 === 0 ? `${hardMB / 4}mb` : `${hardMB * 256}kb`;
    return `pubsub ${hardMB}mb ${soft} ${PUBSUB_SOFT_LIMIT_SECONDS}`;
}

function yesNo(value: boolean): string {
    return value ? "yes" : "no";
}

/**
 * `databases`. Valkey 8 has only database 0 in cluster mode (it logs "Changing databases number
 * from 16 to 1" and ignores the setting), so a cluster renders 1 and refuses a larger userConfig
 * value instead of silently dropping it.
 */
function databases(model: ServiceModel, cluster: boolean): number {
    const requested = model.options.numberOfDatabases;
    if (!cluster) return requested ?? DEFAULT_DATABASES;
    if (requested !== undefined && requested > 1) {
        throw new Error(
            `${model.name}: userConfig.${model.engine}_number_of_databases is ${requested}, but a cluster has a single database (Valkey 8); remove it or set it to 1`,
        );
    }
    return 1;
}

/** Whether the model's config runs in cluster mode, and with which options. */
function clusterOptions(model: ServiceModel, options: RenderOptions): ClusterRenderOptions | undefined {
    if (options.cluster !== undefined) return options.cluster;
    return model.topology.kind === "cluster" ? {} : undefined;
}

/**
 * TLS settings with their defaults applied, or undefined when TLS is off (no options and no
 * valkey_ssl). Throws on contradictory settings. Internal: shared with sentinel.ts.
 * @internal
 */
export function tlsSettings(model: ServiceModel, options: TlsRenderOptions | undefined, plainPort: number) {
    if (options === undefined && model.tls === undefined) return undefined;
    const tls = options ?? model.tls?.render ?? {};
    const disablePlain = tls.disablePlain ?? true;
    const port = tls.port ?? plainPort;
    if (!disablePlain && port === plainPort) {
        throw new Error(
            `${model.name}: the TLS port and the plaintext port are both ${port}; set tls.port to another port (e.g. ${plainPort + 1}) or tls.disablePlain to true`,
        );
    }
    const replication = tls.replication ?? true;
    if (disablePlain && !replication) {
        throw new Error(
            `${model.name}: tls.replication is false but the plaintext port is disabled, so replicas could not reach their primary; set tls.replication to true or tls.disablePlain to false`,
        );
    }
    return {
        port,
        disablePlain,
        certFile: tls.certFile ?? DEFAULT_TLS_CERT_FILE,
        keyFile: tls.keyFile ?? DEFAULT_TLS_KEY_FILE,
        caFile: tls.caFile ?? DEFAULT_TLS_CA_FILE,
        authClients: tls.authClients ?? DEFAULT_TLS_AUTH_CLIENTS,
        replication,
        cluster: tls.cluster ?? true,
        protocols: tls.protocols ?? DEFAULT_TLS_PROTOCOLS,
        ciphers: tls.ciphers,
        ciphersuites: tls.ciphersuites,
    };
}

/** TLS settings with every default applied. */
export type TlsSettings = NonNullable<ReturnType<typeof tlsSettings>>;

/**
 * The tls-* directives. `cluster` undefined leaves tls-cluster out (not in cluster mode).
 * Internal: shared with sentinel.ts.
 * @internal
 */
export function tlsDirectives(tls: TlsSettings, replication: boolean, cluster: boolean | undefined): Directive[] {
    const d: Directive[] = [
        { name: "tls-port", value: String(tls.port) },
        { name: "tls-cert-file", value: tls.certFile },
        { name: "tls-key-file", value: tls.keyFile },
        { name: "tls-ca-cert-file", value: tls.caFile },
        { name: "tls-auth-clients", value: tls.authClients },
        { name: "tls-replication", value: yesNo(replication) },
    ];
    if (cluster !== undefined) d.push({ name: "tls-cluster", value: yesNo(cluster) });
    d.push({ name: "tls-protocols", value: tls.protocols });
    if (tls.ciphers !== undefined) d.push({ name: "tls-ciphers", value: tls.ciphers });
    if (tls.ciphersuites !== undefined) d.push({ name: "tls-ciphersuites", value: tls.ciphersuites });
    return d;
}

/**
 * The directives of a node's valkey.conf, in file order, each name once. Every userConfig option
 * is always rendered (with Aiven's default when unset), so the same service always has the same
 * directive names and a changed option shows up as a changed value, never as a removal.
 *
 * userConfig (`valkey_*` / `redis_*`)      directive
 *   maxmemory_policy                      maxmemory-policy (noeviction)
 *   lfu_log_factor / lfu_decay_time       lfu-log-factor (10) / lfu-decay-time (1)
 *   timeout                               timeout (300)
 *   io_threads                            io-threads (1)
 *   number_of_databases                   databases (16; 1 in cluster mode)
 *   notify_keyspace_events                notify-keyspace-events ("")
 *   pubsub_client_output_buffer_limit     client-output-buffer-limit pubsub <hard>mb <hard/4> 60 (32)
 *   acl_channels_default                  acl-pubsub-default (allchannels)
 *   persistence, frequent_snapshots       save, appendonly (+ appendfsync, aof-use-rdb-preamble,
 *                                         shutdown-on-sigterm/-sigint save with a disk)
 *   ssl                                   tls-* and `port 0`
 * and the plan's memoryMiB gives maxmemory.
 */
export function valkeyDirectives(model: ServiceModel, options: RenderOptions = {}): Directive[] {
    const o = model.options;
    const dataDir = options.dataDir ?? DEFAULT_DATA_DIR;
    const plainPort = options.port ?? DEFAULT_PORT;
    // `??` would turn an explicit null (no include) into the default.
    const authInclude = options.authInclude === undefined ? DEFAULT_AUTH_INCLUDE : options.authInclude;
    const cluster = clusterOptions(model, options);
    const tls = tlsSettings(model, options.tls, plainPort);
    const aof = model.persistence.mode === "rdb_aof";

    const d: Directive[] = [];
    const add = (name: string, value: string | number) => d.push({ name, value: String(value) });

    // Network. Pods are reached through Services on every interface; `-::*` skips IPv6 quietly on
    // nodes without it. protected-mode only matters without a password, and auth is always on
    // (the include below), so it would only refuse legitimate non-loopback clients.
    add("bind", "* -::*");
    add("protected-mode", "no");
    add("port", tls?.disablePlain ? 0 : plainPort);
    // The container's main process: it must stay in the foreground.
    add("daemonize", "no");
    add("dir", dataDir);

    add("databases", databases(model, cluster !== undefined));
    add("timeout", o.timeout ?? DEFAULT_TIMEOUT);
    // Rendered as the server runs it, so the file and CONFIG GET agree (a warning says so at preview).
    add("io-threads", Math.min(o.ioThreads ?? DEFAULT_IO_THREADS, SERVER_MAX_IO_THREADS));

    add("maxmemory", `${maxmemoryMiB(model.sizing.memoryMiB, nodeForks(model))}mb`);
    add("maxmemory-policy", o.maxmemoryPolicy ?? DEFAULT_MAXMEMORY_POLICY);
    add("lfu-log-factor", o.lfuLogFactor ?? DEFAULT_LFU_LOG_FACTOR);
    add("lfu-decay-time", o.lfuDecayTime ?? DEFAULT_LFU_DECAY_TIME);

    // Only the pubsub class: normal and replica clients keep Valkey's defaults.
    add("client-output-buffer-limit", pubsubOutputBufferLimit(o.pubsubClientOutputBufferLimitMB ?? DEFAULT_PUBSUB_OUTPUT_BUFFER_LIMIT_MB));
    add("notify-keyspace-events", o.notifyKeyspaceEvents ?? DEFAULT_NOTIFY_KEYSPACE_EVENTS);
    // Aiven applies acl_channels_default in its user API and leaves the directive alone; here users
    // are created on the server with ACL SETUSER, where acl-pubsub-default is exactly the rule
    // "channels of a new user whose ACL names none".
    add("acl-pubsub-default", o.aclChannelsDefault ?? DEFAULT_ACL_CHANNELS);

    const persistence = options.persistence ?? model.persistence.directives;
    add("save", persistence ? persistence.save : saveRule(model.persistence.mode, o.frequentSnapshots));
    add("appendonly", yesNo(persistence ? persistence.appendonly : aof));
    // Rendered for every mode so switching persistence changes values, never the set of names.
    // everysec loses at most ~1-2 s of writes without an fsync per write; the RDB preamble makes
    // AOF rewrites and restarts fast.
    add("appendfsync", persistence ? persistence.appendfsync : "everysec");
    add("aof-use-rdb-preamble", "yes");
    if (persistence) {
        add("auto-aof-rewrite-percentage", persistence.autoAofRewritePercentage);
        add("auto-aof-rewrite-min-size", persistence.autoAofRewriteMinSize);
    }
    // A node with a disk snapshots when it is stopped (SIGTERM from the kubelet: a rollout, a
    // drain, a `kubectl delete pod`), whatever its save rules: `default` saves only with a save
    // point, so `save ""` (frequent_snapshots false, backup.database off) lost every write since
    // the last backup on each restart. A failed save keeps the server running until the grace
    // period ends, rather than exiting as if it had saved.
    const shutdown = restartLosesData(model) ? SHUTDOWN_WITHOUT_DISK : SHUTDOWN_WITH_DISK;
    add("shutdown-on-sigterm", shutdown);
    add("shutdown-on-sigint", shutdown);

    // Full syncs stream the snapshot straight to replicas: no disk write, no stale dump.rdb on a
    // node that has persistence off.
    add("repl-diskless-sync", "yes");
    add("repl-diskless-sync-delay", REPL_DISKLESS_SYNC_DELAY_SECONDS);

    if (tls) d.push(...tlsDirectives(tls, tls.replication, cluster ? tls.cluster : undefined));

    if (cluster) {
        add("cluster-enabled", "yes");
        // On the data volume: a node that loses nodes.conf forgets its identity and slots.
        add("cluster-config-file", path.posix.join(dataDir, "nodes.conf"));
        add("cluster-node-timeout", CLUSTER_NODE_TIMEOUT_MS);
        // Replicas stay where the reconciler placed them (spread across hosts); Valkey moving
        // them on its own would undo the placement.
        add("cluster-allow-replica-migration", "no");
        // 0: a replica may always fail over, however long it was disconnected. A pod that was
        // down a while is still better than a shard without a primary; the data loss window is
        // the same as with a lagging replica.
        add("cluster-replica-validity-factor", 0);
        // no: one shard without a primary makes only its own slots fail; the other shards keep
        // serving (yes would stop every write and read in the cluster).
        add("cluster-require-full-coverage", "no");
        if (cluster.announceHostname !== undefined) {
            add("cluster-announce-hostname", cluster.announceHostname);
            add("cluster-preferred-endpoint-type", "hostname");
        }
    }

    // Last, so nothing in this file can override the credentials it sets.
    if (authInclude !== null) add("include", authInclude);
    return d;
}
