// The two Secrets with credentials: `<name>-auth`, read by the pods (docs/pod-contract.md), and the
// connection Secret for applications (connInfoSecretTarget; seeds/000, 001, 003). The builders take
// the secret strings as parameters so that the component can call them inside an `apply` on a
// secret Output; they never log them and never put them in an error message.
import { ISecret } from "kubernetes-models/v1/Secret";
import { aclConfigLines, aclUserConfigLine } from "../acl/commands";
import { AclPlanInput, EXPORTER_RULES } from "../acl/users";
import { quoteConfigValue } from "../config/render";
import { renderSentinelAuthConf } from "../config/sentinel";
import { exporterPassword } from "../credentials/probe-password";
import { sentinelPassword } from "../credentials/sentinel-password";
import { ServiceModel } from "../spec/service-model";
import { DEFAULT_EXPORTER_USER } from "../spec/security";
import { EXPORTER_PASSWORD_FILE_KEY, EXPORTER_PASSWORD_KEY, exporterPasswordFile } from "./exporter";
import { sentinelGroup, sentinelHosts } from "./ha";
import { commonAnnotations, commonLabels, objectMeta } from "./labels";
import { objectNames } from "./names";
import { PROBE_PASSWORD_KEY } from "./pod";

/** Where a client connects, with which credentials. */
export interface ConnectionInfo {
    /** DNS name or IP address (an IPv6 address is bracketed in the URI). */
    readonly host: string;
    readonly port: number;
    /** The ACL user, "default" for the default user. */
    readonly user: string;
    readonly password: string;
    /** Whether the server requires TLS. */
    readonly ssl: boolean;
    /**
     * Sentinel plans: the Sentinels' own password for `<PREFIX>SENTINEL_PASSWORD`. @default derived
     * from `password` (sentinelPassword), right only while `user` is "default": it must be given
     * when `user` is an ACL user (the Sentinels' password derives from the default user's)
     */
    readonly sentinelPassword?: string;
}

/** The app-facing URI key added next to the prefixed keys (seeds/003's `REDIS_URL`). */
export const REDIS_URL_KEY = "REDIS_URL";

/**
 * `redis://user:password@host:port`, `rediss://` when `conn.ssl`; user and password are
 * percent-encoded, so any password yields a URI clients parse back to the same password.
 */
export function connectionUri(conn: ConnectionInfo): string {
    const host = conn.host.includes(":") ? `[${conn.host}]` : conn.host;
    const credentials = `${encodeURIComponent(conn.user)}:${encodeURIComponent(conn.password)}`;
    return `${conn.ssl ? "rediss" : "redis"}://${credentials}@${host}:${conn.port}`;
}

/**
 * `value` as a double-quoted valkey.conf argument. Valkey's parser (sdssplitargs) reads `\\`,
 * `\"` and `\xHH` inside double quotes; every control character is written as `\xHH` so that no
 * password can end the line or the string early and inject a directive.
 */
function quoteConfigString(value: string): string {
    const escaped = value.replace(/[\\"\x00-\x1f\x7f]/g, (c) => (c === "\\" || c === '"' ? `\\${c}` : `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`));
    return `"${escaped}"`;
}

/**
 * The Secret `<name>-auth` mounted at /etc/valkey-auth: `password` (the default user's password,
 * read by the probes) and `auth.conf` (`requirepass` and `masterauth`, included by valkey.conf, so
 * replicas authenticate to their primary with the same password), and for Sentinel plans
 * `sentinel-auth.conf` (`sentinel auth-pass <group> <password>`, and the Sentinels' own
 * `requirepass` and `sentinel sentinel-pass`, see renderSentinelAuthConf) with
 * `sentinel-password` (that password, derived by sentinelPassword, read by the probes and scripts).
 *
 * With `acl` (the model's ACL users with their passwords): `password` (the default user's),
 * `exporter-password`, `probe-password` (the probe user's, which the probes use whatever
 * acl.defaultUser says), and an `auth.conf` holding the users as `user` lines (passwords only as
 * hashes; see aclConfigLines) plus `masteruser`/`masterauth` of the replication user, because the
 * restricted default user may not PSYNC. With the exporter: `exporter-passwords.json`, the
 * sidecar's password file (exporterPasswordFile) with the exporter user's password; without ACL,
 * auth.conf also gets an `exporter-user` line with EXPORTER_RULES and a password derived from the
 * default user's, so the exporter never scrapes with the default user's full rights.
 *
 * Throws when `password` is empty, because `requirepass ""` would turn authentication off.
 */
export function buildAuthSecret(model: ServiceModel, password: string, acl?: AclPlanInput): ISecret {
    const names = objectNames(model);
    if (password.length === 0) {
        throw new Error(`Secret ${names.authSecret}: the password of the default user must not be empty (it would disable authentication)`);
    }
    const quoted = quoteConfigString(password);
    // Included by the Sentinels' sentinel.conf: they authenticate to the data nodes and to each
    // other, and require their own password from every client.
    const sentinelFiles = model.topology.kind === "sentinel" ? sentinelAuthFiles(model, password, acl) : {};
    const secret = (stringData: Record<string, string>): ISecret => ({
        apiVersion: "v1",
        kind: "Secret",
        metadata: objectMeta(model, names.authSecret, "server"),
        type: "Opaque",
        stringData,
    });
    const auth = `requirepass ${quoted}\nmasterauth ${quoted}\n`;
    if (acl === undefined) {
        if (model.exporter === undefined) return secret({ password, "auth.conf": auth, ...sentinelFiles });
        // No ACL, yet the exporter scrapes as a user of its own with EXPORTER_RULES, not as default.
        const own = { name: DEFAULT_EXPORTER_USER, rules: EXPORTER_RULES, passwords: [exporterPassword(password)] };
        return secret({
            password,
            "auth.conf": `${auth}${aclUserConfigLine(own)}\n`,
            ...sentinelFiles,
            [EXPORTER_PASSWORD_FILE_KEY]: exporterPasswordFile(model, own.passwords[0]),
        });
    }
    const exporter = acl.users.find((u) => u.role === "exporter")!;
    const replication = acl.users.find((u) => u.role === "replication")!;
    const probe = acl.users.find((u) => u.role === "probe")!;
    const lines = [
        ...aclConfigLines(acl, password),
        `masteruser ${quoteConfigValue(replication.name)}`,
        `masterauth ${quoteConfigValue(replication.passwords[0])}`,
    ];
    return secret({
        password,
        [EXPORTER_PASSWORD_KEY]: exporter.passwords[0],
        [PROBE_PASSWORD_KEY]: probe.passwords[0],
        "auth.conf": lines.join("\n") + "\n",
        ...sentinelFiles,
        ...(model.exporter !== undefined ? { [EXPORTER_PASSWORD_FILE_KEY]: exporterPasswordFile(model, exporter.passwords[0]) } : {}),
    });
}

/**
 * The auth Secret's keys for the Sentinels: their own password, and the file they include. With
 * ACL users the Sentinels reach the data nodes as the Sentinel user (role "sentinel", which
 * resolveAclUsers adds with `sentinel: true`), never as `default`, which acl.defaultUser may turn
 * off or restrict to PING.
 */
function sentinelAuthFiles(model: ServiceModel, password: string, acl: AclPlanInput | undefined): Record<string, string> {
    const own = sentinelPassword(password);
    const group = sentinelGroup(model);
    if (acl === undefined) return { "sentinel-password": own, "sentinel-auth.conf": renderSentinelAuthConf(group, password, own) };
    const user = acl.users.find((u) => u.role === "sentinel");
    if (user === undefined) {
        throw new Error(
            `Secret ${objectNames(model).authSecret}: a Sentinel plan with ACL users needs the Sentinel user (role sentinel; resolveAclUsers(..., { sentinel: true })): without it the Sentinels could not authenticate to the data nodes`,
        );
    }
    return { "sentinel-password": own, "sentinel-auth.conf": renderSentinelAuthConf(group, user.passwords[0], own, user.name) };
}

/** The Sentinels' own password for Sentinel-aware clients (see ConnectionInfo.sentinelPassword). */
function sentinelPasswordOf(model: ServiceModel, conn: ConnectionInfo): string {
    if (conn.sentinelPassword !== undefined) return conn.sentinelPassword;
    if (conn.user !== "default") {
        throw new Error(
            `connection Secret of ${JSON.stringify(model.name)}: give sentinelPassword for user ${JSON.stringify(conn.user)}: the Sentinels' password derives from the default user's password, not from this user's`,
        );
    }
    return sentinelPassword(conn.password);
}

/** What a connection Secret carries beyond the connection itself. */
export interface ConnectionExtras {
    /** With TLS, the CA certificate (PEM) clients verify the server with. */
    readonly caCert?: string;
    /** With mTLS and issued certificates, the client certificate (PEM) and its key applications present. */
    readonly clientCert?: string;
    readonly clientKey?: string;
}

/**
 * The connection Secret per connInfoSecretTarget, or undefined when the model has no `connInfo`
 * (connInfoSecretTargetDisabled). Name `model.connInfo.secretName` (default: the resource
 * name); keys `<prefix>HOST`, `<prefix>PORT`, `<prefix>USER`, `<prefix>PASSWORD`, `<prefix>SSL`
 * ("true"/"false"), `<prefix>URI` and `REDIS_URL` (both from connectionUri), for Sentinel plans
 * `<prefix>SENTINEL_HOSTS` (comma-separated `host:port`, see sentinelHosts) and
 * `<prefix>SENTINEL_MASTER` (the group, see sentinelGroup) and `<prefix>SENTINEL_PASSWORD` (what
 * Sentinel-aware clients authenticate to the Sentinels with, see sentinelPassword); prefix
 * `model.connInfo.prefix` (default "VALKEY_" / "REDIS_"); with TLS `<prefix>CA_CERT`, with mTLS and
 * issued certificates `<prefix>CLIENT_CERT` and `<prefix>CLIENT_KEY` (from `extra`). The target's labels come after the tags
 * (ours still win, see commonLabels); its annotations after ours.
 */
export function buildConnectionSecret(model: ServiceModel, conn: ConnectionInfo, extra: ConnectionExtras = {}): ISecret | undefined {
    const target = model.connInfo;
    if (target === undefined) return undefined;
    const p = target.prefix;
    return {
        apiVersion: "v1",
        kind: "Secret",
        metadata: {
            ...objectMeta(model, target.secretName, "connection"),
            labels: commonLabels(model, "connection", target.labels),
            annotations: { ...commonAnnotations(model), ...target.annotations },
        },
        type: "Opaque",
        stringData: {
            [`${p}HOST`]: conn.host,
            [`${p}PORT`]: String(conn.port),
            [`${p}USER`]: conn.user,
            [`${p}PASSWORD`]: conn.password,
            [`${p}SSL`]: String(conn.ssl),
            [`${p}URI`]: connectionUri(conn),
            [REDIS_URL_KEY]: connectionUri(conn),
            ...(model.topology.kind === "sentinel"
                ? {
                      [`${p}SENTINEL_HOSTS`]: sentinelHosts(model).join(","),
                      [`${p}SENTINEL_MASTER`]: sentinelGroup(model),
                      [`${p}SENTINEL_PASSWORD`]: sentinelPasswordOf(model, conn),
                  }
                : {}),
            ...(extra.caCert !== undefined ? { [`${p}CA_CERT`]: extra.caCert } : {}),
            ...(extra.clientCert !== undefined ? { [`${p}CLIENT_CERT`]: extra.clientCert } : {}),
            ...(extra.clientKey !== undefined ? { [`${p}CLIENT_KEY`]: extra.clientKey } : {}),
        },
    };
}
