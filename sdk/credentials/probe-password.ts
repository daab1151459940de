// The password of the probe user (issue 11, finding 7): the pods' readiness and liveness probes
// authenticate as PROBE_USER (sdk/spec/security.ts), never as `default`, so `acl.defaultUser: "off"`
// leaves them working. Derived from the default user's password like the Sentinels' own
// (sentinel-password.ts), with another context: no resource of its own, it changes when that
// password changes, and knowing it reveals nothing about the data password or the Sentinels'.
import * as crypto from "crypto";

/** 32 hex characters (HMAC-SHA256 of `context` keyed with the default password); safe in files, shells and auth.conf without escaping. */
function derived(what: string, context: string, defaultPassword: string): string {
    if (defaultPassword.length === 0) throw new Error(`the ${what} password is derived from the default user's password, which must not be empty`);
    return crypto.createHmac("sha256", defaultPassword).update(context).digest("hex").slice(0, 32);
}

export function probePassword(defaultPassword: string): string {
    return derived("probe", "pulumi-valkey probe password v1", defaultPassword);
}

/**
 * The exporter user's password when ValkeyCluster has no `acl`: the exporter still scrapes as a
 * user of its own with EXPORTER_RULES, never as `default` (whose full rights redis_exporter's
 * `/scrape?check-keys=...` would turn into key names and values for anyone reaching 9121).
 */
export function exporterPassword(defaultPassword: string): string {
    return derived("exporter", "pulumi-valkey exporter password v1", defaultPassword);
}

/**
 * The password of the Sentinels' user on the data nodes (SENTINEL_USER, Sentinel plans with ACL):
 * `sentinel auth-pass` in sentinel-auth.conf, in the auth Secret. Not the Sentinels' own password
 * (sentinel-password.ts), which Sentinel-aware clients are given: this one lets its holder run
 * SLAVEOF on the data nodes, so it goes to the Sentinels only.
 */
export function sentinelUserPassword(defaultPassword: string): string {
    return derived("Sentinel user", "pulumi-valkey sentinel user password v1", defaultPassword);
}
