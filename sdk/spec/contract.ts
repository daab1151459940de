// The pod contract's fixed numbers and places (docs/pod-contract.md), one copy each: the ports the
// pods open and where they mount their volumes. The renderer, the builders, the scripts and the
// engine all read them from here.

/** The data port of every node: plaintext, or TLS when TLS is on (no other listener then). */
export const VALKEY_PORT = 6379;
/** The Sentinels' port. */
export const SENTINEL_PORT = 26379;
/** redis_exporter's port (the exporter sidecar). */
export const METRICS_PORT = 9121;

/** Where the pod contract mounts each volume. */
export const PATHS = {
    config: "/etc/valkey",
    auth: "/etc/valkey-auth",
    data: "/data",
    tls: "/etc/valkey-tls",
    /** The exporter sidecar's password file (the exporter on), and nothing else of the auth Secret. */
    exporterAuth: "/etc/redis-exporter",
    tmp: "/tmp",
    sentinelConfig: "/etc/sentinel",
    sentinelData: "/sentinel-data",
} as const;
