// The contract of TLS (seeds/002 `ValkeyClusterTls`) and ACL users (seeds/002 `ValkeyClusterAcl`):
// zod schemas with their defaults as named constants, the duration syntax of certificate validity,
// and the mapping of the TLS spec onto the renderer's TLS options. Pure: no Pulumi, no I/O.
import { z } from "zod";
import type { TlsRenderOptions } from "../config/directives";
import { VALKEY_PORT } from "./contract";
import { pathToString } from "./validate";

// ---------------------------------------------------------------------------------------------
// Durations ("90d", "1h", "30m", "1mo", "1y": seeds/002 writes `1m, 1h, 1d, 1mo, 1y`)

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/**
 * Length of each duration unit. `m` is minutes (the seed's list puts it before `h`; months are
 * `mo`). A month is 30 days and a year 365 days: certificate lifetimes are counted in hours, so a
 * calendar-exact month would make the same spec mean different lifetimes on different dates.
 */
export const DURATION_UNITS_MS: Readonly<Record<string, number>> = {
    m: MINUTE_MS,
    h: HOUR_MS,
    d: DAY_MS,
    mo: 30 * DAY_MS,
    y: 365 * DAY_MS,
};

const DURATION = /^([1-9][0-9]{0,5})(mo|m|h|d|y)$/;

/** Milliseconds of a duration like "90d", or undefined when the text is not one. */
export function parseDurationMs(text: string): number | undefined {
    const match = DURATION.exec(text);
    if (!match) return undefined;
    return Number(match[1]) * DURATION_UNITS_MS[match[2]];
}

/**
 * Whole hours of a duration (what @pulumi/tls's `validityPeriodHours` takes), or undefined when
 * the text is not a duration or not a whole number of hours ("90m" is not; "120m" is 2).
 */
export function durationHours(text: string): number | undefined {
    const ms = parseDurationMs(text);
    return ms !== undefined && ms % HOUR_MS === 0 ? ms / HOUR_MS : undefined;
}

// ---------------------------------------------------------------------------------------------
// TLS

/** seeds/002's example: a 90-day certificate. */
export const DEFAULT_CERT_VALIDITY = "90d";
/** The seed's example and lower bound: renew once two thirds of the lifetime have passed. */
export const DEFAULT_ROTATE_BEFORE_PERCENT = 66;
export const MIN_ROTATE_BEFORE_PERCENT = 66;
export const MAX_ROTATE_BEFORE_PERCENT = 80;
/**
 * The CA outlives many leaf renewals: clients trust the CA, so replacing it would break every
 * client that pinned it. Ten years, like seeds/002's `ValkeyCA validForDays: 3650`.
 */
export const DEFAULT_CA_VALIDITY = "3650d";
/** The pod contract's port; TLS-only deployments serve TLS on it. */
export const DEFAULT_TLS_PORT = VALKEY_PORT;
/** The plaintext port (the pod contract's), which `tlsPort` must differ from when both listen. */
export const PLAIN_PORT = VALKEY_PORT;
export const TLS_PROTOCOLS = ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"] as const;

const durationSchema = (what: string) =>
    z.string().superRefine((value, ctx) => {
        const hours = durationHours(value);
        if (hours === undefined || hours < 1) {
            ctx.addIssue({
                code: "custom",
                message:
                    parseDurationMs(value) === undefined
                        ? `must be a duration like 90d, 12h, 120m, 3mo or 1y (got ${JSON.stringify(value)})`
                        : `must be a whole number of hours, at least 1h: ${what} are issued in hours (got ${JSON.stringify(value)})`,
            });
        }
    });

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const secretName = z
    .string()
    .max(253)
    .superRefine((value, ctx) => {
        if (value === "") {
            ctx.addIssue({
                code: "custom",
                message:
                    'must name an existing Secret in the namespace holding tls.crt, tls.key and ca.crt (got ""); leave externalCerts unset for certificates from @pulumi/tls',
            });
        } else if (value.length <= 253 && !DNS_SUBDOMAIN.test(value)) {
            ctx.addIssue({ code: "custom", message: `must be a Kubernetes Secret name (lowercase DNS subdomain) (got ${JSON.stringify(value)})` });
        }
    });

export const internalCertsSchema = z.strictObject({
    /** Lifetime of the server and client certificates. @default DEFAULT_CERT_VALIDITY ("90d") */
    validity: durationSchema("certificates").optional(),
    /** Lifetime of the CA. @default DEFAULT_CA_VALIDITY ("3650d") */
    caValidity: durationSchema("certificates").optional(),
    /**
     * Renew a certificate on the first `pulumi up` after this share of its lifetime has passed.
     * @default DEFAULT_ROTATE_BEFORE_PERCENT (66)
     */
    rotateBeforePercent: z.number().int().min(MIN_ROTATE_BEFORE_PERCENT).max(MAX_ROTATE_BEFORE_PERCENT).optional(),
});

export const tlsSpecSchema = z
    .strictObject({
        /**
         * A Secret (keys tls.crt, tls.key, ca.crt) made and renewed by someone else, e.g.
         * cert-manager. Exclusive with internalCerts. @default certificates from @pulumi/tls
         */
        externalCerts: secretName.optional(),
        /** Certificates from @pulumi/tls. @default internal certificates with the defaults above */
        internalCerts: internalCertsSchema.optional(),
        /** `port 0`: no plaintext listener. @default true */
        disableNonTlsPort: z.boolean().optional(),
        /** `tls-port`. @default DEFAULT_TLS_PORT (6379) */
        tlsPort: z.number().int().min(1).max(65535).optional(),
        /**
         * true: `tls-auth-clients yes` (mTLS: clients need a certificate of the CA; one is issued
         * for the provider and for applications). false: `optional`, a certificate is checked
         * only when presented. @default false
         */
        tlsAuthClients: z.boolean().optional(),
        /** `tls-cluster`: the cluster bus uses TLS (cluster mode only). @default true */
        tlsCluster: z.boolean().optional(),
        /** `tls-replication`: replicas sync over TLS. @default true */
        tlsReplication: z.boolean().optional(),
        /** `tls-ciphers` (TLS 1.2 and below), OpenSSL cipher list syntax. @default OpenSSL's */
        tlsCiphers: z
            .string()
            .min(1)
            .max(1024)
            .superRefine((value, ctx) => {
                // OpenSSL's cipher list syntax needs no other character; this keeps quotes and
                // control characters (a newline ends a valkey.conf line) out of the config file.
                if (!/^[A-Za-z0-9_.:,+!@= -]*$/.test(value)) {
                    ctx.addIssue({
                        code: "custom",
                        message: `must be an OpenSSL cipher list: cipher names and the operators '!', '+', '-', '@', '=' separated by ':', ',' or spaces (got ${JSON.stringify(value)})`,
                    });
                }
            })
            .optional(),
        /** `tls-protocols`, space-separated. @default "TLSv1.2 TLSv1.3" */
        tlsProtocols: z
            .string()
            .superRefine((value, ctx) => {
                const words = value.split(" ").filter((w) => w !== "");
                const unknown = words.filter((w) => !(TLS_PROTOCOLS as readonly string[]).includes(w));
                if (words.length === 0 || unknown.length > 0) {
                    ctx.addIssue({
                        code: "custom",
                        message: `must be space-separated protocols among ${TLS_PROTOCOLS.join(", ")} (got ${JSON.stringify(value)})`,
                    });
                }
            })
            .optional(),
    })
    .superRefine((tls, ctx) => {
        if (tls.externalCerts !== undefined && tls.internalCerts !== undefined) {
            ctx.addIssue({
                code: "custom",
                path: ["internalCerts"],
                message: "externalCerts and internalCerts are mutually exclusive: certificates come from one place. Choose a single approach.",
            });
        }
        const disablePlain = tls.disableNonTlsPort ?? true;
        if (!disablePlain && (tls.tlsPort ?? DEFAULT_TLS_PORT) === PLAIN_PORT) {
            ctx.addIssue({
                code: "custom",
                path: ["tlsPort"],
                message: `must differ from the plaintext port ${PLAIN_PORT} when disableNonTlsPort is false (e.g. ${PLAIN_PORT + 1})`,
            });
        }
        if (disablePlain && tls.tlsReplication === false) {
            ctx.addIssue({
                code: "custom",
                path: ["tlsReplication"],
                message: "must be true when disableNonTlsPort is true: replicas could not reach their primary without a plaintext port",
            });
        }
    });

export type TlsSpec = z.output<typeof tlsSpecSchema>;

/**
 * What the pods of every topology serve with TLS in this version: TLS on port 6379 only (their
 * probes, Services and NetworkPolicy use that port). Issues with paths relative to the tls object.
 */
export function tlsListenerIssues(tls: TlsSpec, component: string): { path: string[]; message: string }[] {
    const issues: { path: string[]; message: string }[] = [];
    if (tls.disableNonTlsPort === false) {
        issues.push({
            path: ["disableNonTlsPort"],
            message: `must be true (or unset) for a ${component} in this version: its probes, Services and NetworkPolicy serve TLS on port ${DEFAULT_TLS_PORT} only`,
        });
    }
    if (tls.tlsPort !== undefined && tls.tlsPort !== DEFAULT_TLS_PORT) {
        issues.push({ path: ["tlsPort"], message: `must be ${DEFAULT_TLS_PORT} (or unset) for a ${component} in this version (got ${tls.tlsPort})` });
    }
    return issues;
}

/** The internal-certificate settings with every default applied, in the units @pulumi/tls takes. */
export interface CertificatePolicy {
    readonly validityHours: number;
    readonly caValidityHours: number;
    readonly rotateBeforePercent: number;
}

/** The certificate policy of a validated TLS spec, or undefined when certificates are external. */
export function certificatePolicy(tls: TlsSpec): CertificatePolicy | undefined {
    if (tls.externalCerts !== undefined) return undefined;
    const internal = tls.internalCerts ?? {};
    return {
        // The schema admits only whole-hour durations, so these are defined.
        validityHours: durationHours(internal.validity ?? DEFAULT_CERT_VALIDITY)!,
        caValidityHours: durationHours(internal.caValidity ?? DEFAULT_CA_VALIDITY)!,
        rotateBeforePercent: internal.rotateBeforePercent ?? DEFAULT_ROTATE_BEFORE_PERCENT,
    };
}

/** The renderer's TLS options (sdk/config) for a validated TLS spec; files at the pod contract's paths. */
export function tlsRenderOptions(tls: TlsSpec): TlsRenderOptions {
    return {
        port: tls.tlsPort ?? DEFAULT_TLS_PORT,
        disablePlain: tls.disableNonTlsPort ?? true,
        authClients: tls.tlsAuthClients === true ? "yes" : "optional",
        replication: tls.tlsReplication ?? true,
        cluster: tls.tlsCluster ?? true,
        ...(tls.tlsProtocols !== undefined
            ? {
                  protocols: tls.tlsProtocols
                      .split(" ")
                      .filter((w) => w !== "")
                      .join(" "),
              }
            : {}),
        ...(tls.tlsCiphers !== undefined ? { ciphers: tls.tlsCiphers } : {}),
    };
}

// ---------------------------------------------------------------------------------------------
// ACL

/** seeds/002's names for the three system users. */
export const DEFAULT_ADMIN_USER = "valkey-admin";
export const DEFAULT_REPLICATION_USER = "primary-replication-user";
export const DEFAULT_EXPORTER_USER = "exporter-user";
/**
 * The pods' probes authenticate as this system user (sdk/acl PROBE_RULES: PING only, no keys), so
 * they pass whatever acl.defaultUser says. Its name is fixed: the probe commands in the pod spec
 * name it, and the ACL users of the spec may not take it.
 */
export const PROBE_USER = "probe-user";
/**
 * On Sentinel plans the Sentinels authenticate to the data nodes as this system user (sdk/acl
 * SENTINEL_RULES: what Sentinel sends to monitor and fail over, no keys), so they keep working
 * whatever acl.defaultUser says. Fixed like PROBE_USER: sentinel.conf names it, and the ACL users
 * of the spec may not take it.
 */
export const SENTINEL_USER = "sentinel-user";
/** The system user names no user of the spec may take, with what each is for. */
export const RESERVED_USERS: Readonly<Record<string, string>> = {
    [PROBE_USER]: "the system user the pods' probes authenticate as (PING only)",
    [SENTINEL_USER]: "the system user the Sentinels authenticate to the data nodes as",
};
/** Aiven's bounds for user passwords (reference/peers.md). */
export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 256;
/** At most this many application users (MAX_INPUT_VALUES in validate.ts is sized for them). */
export const MAX_ACL_USERS = 256;
/** More would only be forgotten passwords: rotation needs the new one and the old ones still in use. */
export const MAX_PASSWORDS = 5;
/**
 * What happens to the `default` user when ACL users are on: "restricted" keeps it (and its
 * password) but allows it nothing except PING; "off" disables it. The probes do not depend on it:
 * they authenticate as PROBE_USER.
 */
export const DEFAULT_DEFAULT_USER = "restricted";

/** Valkey takes any byte but space in a user name; these keep names safe in config lines and logs. */
export const USER_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/;

const userName = z.string().superRefine((value, ctx) => {
    if (!USER_NAME.test(value)) {
        ctx.addIssue({
            code: "custom",
            message: `must be 1-128 characters of [A-Za-z0-9._@-], starting alphanumeric (got ${JSON.stringify(value)})`,
        });
    } else if (value === "default") {
        ctx.addIssue({ code: "custom", message: 'must not be "default": the default user is governed by acl.defaultUser' });
    }
});

/**
 * The accepted passwords of one user. Exported for the passwords given as Outputs: the component
 * validates them with this schema once they resolve (sdk/credentials/acl-passwords.ts).
 */
export const aclPasswordsSchema = z
    .array(z.string().min(MIN_PASSWORD_LENGTH).max(MAX_PASSWORD_LENGTH))
    .min(1)
    .max(MAX_PASSWORDS)
    .superRefine((list, ctx) => {
        if (new Set(list).size !== list.length) ctx.addIssue({ code: "custom", message: "must not repeat a password" });
    });

/** Rule tokens that hold or change credentials or the on/off switch: set elsewhere in the spec. */
const CREDENTIAL_TOKEN = /^([><#!]|nopass$|resetpass$|reset$|on$|off$)/;
/** The forms an ACL rule token can take (Valkey ACL SETUSER); names after them only the server knows. */
const RULE_TOKEN =
    /^([+-][@]?[a-z0-9_|-]+|[~%&]\S*|%R~\S*|%W~\S*|%RW~\S*|allkeys|allchannels|allcommands|nocommands|resetkeys|resetchannels|clearselectors|\(.*\))$/i;

/**
 * Why an ACL rule string cannot work, or undefined. Catches what the text alone shows; unknown
 * command or category names are only known to the server and come back as the node's error.
 */
export function aclRuleProblem(rules: string): string | undefined {
    const tokens = rules.split(/\s+/).filter((t) => t !== "");
    if (tokens.length === 0) return 'must name at least one rule, e.g. "+GET +SET ~app:*"';
    for (const token of tokens) {
        if (CREDENTIAL_TOKEN.test(token)) {
            // The token is not echoed: it may be a password.
            return "must not set passwords or switch the user on/off (>, <, #, !, nopass, resetpass, reset, on, off): passwords go in `passwords`, and users are always on";
        }
        // Valkey refuses NUL in key and channel patterns (ACLStringHasSpaces), and reads a command
        // name or selector only up to it (`+get\0x` is +get): never what the rule says. Every other
        // character round-trips, since auth.conf quotes it (sdk/acl aclConfigLines).
        if (token.includes("\u0000")) {
            return `has ${JSON.stringify(token)}, which holds a NUL character: valkey refuses it in patterns and ignores what follows it in command names and selectors`;
        }
        if (!RULE_TOKEN.test(token)) {
            return `has ${JSON.stringify(token)}, which is not an ACL rule (+cmd, -cmd, +@category, ~pattern, %R~pattern, &channel, allkeys, allchannels, allcommands, nocommands, resetkeys, resetchannels)`;
        }
    }
    return undefined;
}

export const aclUserSchema = z.strictObject({
    name: userName,
    /**
     * Accepted passwords: the first is current (handed to clients), the others stay valid while
     * clients move to the first. @default one from @pulumi/random
     */
    passwords: aclPasswordsSchema.optional(),
    /** ACL rules, e.g. "+GET +SET ~app:*". The user starts from nothing: no keys, channels or commands. */
    rules: z.string().superRefine((value, ctx) => {
        const problem = aclRuleProblem(value);
        if (problem) ctx.addIssue({ code: "custom", message: problem });
    }),
});

const systemUserSchema = z.strictObject({
    /** @default the DEFAULT_*_USER constant of the user */
    name: userName.optional(),
    /** As for users: the first is current. @default one from @pulumi/random */
    passwords: aclPasswordsSchema.optional(),
});

export const aclSpecSchema = z
    .strictObject({
        /** The user the provider connects as: every command, key and channel. */
        admin: systemUserSchema.optional(),
        /** The user replicas authenticate as (`primaryuser`): PSYNC, SYNC, REPLCONF, PING only. */
        replication: systemUserSchema.optional(),
        /** The metrics exporter's user: only what a redis_exporter scrape sends (sdk/acl EXPORTER_RULES); no CONFIG, no keys. */
        exporter: systemUserSchema.optional(),
        /** Application users. @default none */
        users: z.array(aclUserSchema).max(MAX_ACL_USERS).optional(),
        /** @default DEFAULT_DEFAULT_USER ("restricted") */
        defaultUser: z.enum(["restricted", "off"]).optional(),
    })
    .superRefine((acl, ctx) => {
        const seen = new Map<string, string>();
        const claim = (name: string, path: (string | number)[]) => {
            const first = seen.get(name);
            if (Object.prototype.hasOwnProperty.call(RESERVED_USERS, name)) {
                // A user of that name would replace the system user's rules (or they its): the pods
                // would never be Ready, or the Sentinels could no longer fail over.
                ctx.addIssue({
                    code: "custom",
                    path: [...path, "name"],
                    message: `must not be ${JSON.stringify(name)}: that name is reserved for ${RESERVED_USERS[name]}; choose another name`,
                });
            } else if (first !== undefined) {
                ctx.addIssue({
                    code: "custom",
                    path: [...path, "name"],
                    message: `user ${JSON.stringify(name)} is already defined at ${first}; user names must be unique`,
                });
            } else {
                seen.set(name, pathToString(path));
            }
        };
        claim(acl.admin?.name ?? DEFAULT_ADMIN_USER, ["admin"]);
        claim(acl.replication?.name ?? DEFAULT_REPLICATION_USER, ["replication"]);
        claim(acl.exporter?.name ?? DEFAULT_EXPORTER_USER, ["exporter"]);
        (acl.users ?? []).forEach((user, i) => claim(user.name, ["users", i]));
    });

export type AclSpec = z.output<typeof aclSpecSchema>;
export type AclUserSpec = z.output<typeof aclUserSchema>;
