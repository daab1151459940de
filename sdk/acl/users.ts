// Which users a service with ACL on has: the four system users with fixed minimal rules
// (reference/valkey-operations.md), the application users of the spec, and what becomes of the
// `default` user. Pure: passwords are passed in (from the spec or @pulumi/random).
import { probePassword, sentinelUserPassword } from "../credentials/probe-password";
import {
    AclSpec,
    DEFAULT_ADMIN_USER,
    DEFAULT_DEFAULT_USER,
    DEFAULT_EXPORTER_USER,
    DEFAULT_REPLICATION_USER,
    PROBE_USER,
    SENTINEL_USER,
} from "../spec/security";

/**
 * The provider's own user: it converges topology (CLUSTER *, REPLICAOF, CONFIG SET), manages users
 * (ACL SETUSER) and runs the smoke test on any key, so nothing less than everything works.
 */
export const ADMIN_RULES = "~* &* +@all";
/** What a replica sends its primary: PSYNC/SYNC, REPLCONF and PING; no keys. */
export const REPLICATION_RULES = "-@all +psync +sync +replconf +ping";
/**
 * What the exporter sidecar's redis_exporter (the pinned image, default flags) sends each scrape,
 * and nothing else: PING, INFO, CLIENT SETNAME, CLUSTER INFO, LATENCY LATEST/HISTOGRAM, SLOWLOG
 * LEN/GET; no keys, no channels. Narrower than redis_exporter's documented user on purpose (issue
 * 11): `+config|get` returned `masterauth` and `requirepass` (the container skips CONFIG with
 * REDIS_EXPORTER_CONFIG_COMMAND=-), `+client` and `+latency` allowed CLIENT PAUSE/KILL and LATENCY
 * RESET, and the key commands (GET, SCAN, EVAL, ...) serve only check-keys options the sidecar
 * does not set, while anyone reaching port 9121 can ask for them in a /scrape query.
 */
export const EXPORTER_RULES = "-@all +ping +info +client|setname +cluster|info +latency|latest +latency|histogram +slowlog|len +slowlog|get";
/**
 * What the pods' readiness and liveness probes send (sdk/manifests/pod.ts: `valkey-cli --user
 * probe-user ... ping`): PING and nothing else; no keys, no channels. AUTH and HELLO are always
 * allowed. Sentinel plans need SENTINEL_PLAN_PROBE_RULES instead.
 */
export const PROBE_RULES = "+ping";
/**
 * The probe user of a Sentinel plan: its primary-only readiness script (sdk/manifests/ha.ts
 * primaryReadinessScript) also runs `INFO replication` on the local node to read its role. INFO
 * holds no password (CONFIG GET does) and the exporter has it too.
 */
export const SENTINEL_PLAN_PROBE_RULES = "+ping +info";
/**
 * What a Sentinel sends to the data nodes it monitors (valkey src/sentinel.c, 8.0): PING and INFO
 * every period, CLIENT SETNAME on connecting, SUBSCRIBE and PUBLISH on the hello channel (how the
 * Sentinels find each other), SCRIPT KILL when a node answers BUSY, and to promote or re-point a
 * node one transaction of MULTI, SLAVEOF, CONFIG REWRITE, CLIENT KILL TYPE normal / pubsub, EXEC.
 * A command of the transaction that ACL refuses makes EXEC fail as a whole (EXECABORT), so
 * CONFIG|REWRITE and CLIENT|KILL must be allowed for SLAVEOF to happen at all (a REWRITE of a
 * read-only config file fails inside EXEC without undoing the others). The channel is the hello
 * channel only, not `allchannels` as Valkey's documentation example has; no keys.
 */
export const SENTINEL_RULES =
    "-@all +ping +info +client|setname +client|kill +subscribe +publish +multi +exec +slaveof +config|rewrite +script|kill &__sentinel__:hello";
/**
 * The `default` user when restricted: PING only, with its password (requirepass) kept, so clients
 * that still send it can connect; the probes no longer depend on it (they authenticate as the
 * probe user). AUTH and HELLO are always allowed.
 */
export const RESTRICTED_DEFAULT_RULES = "+ping";

/** The system users' roles, the admin first. */
export const SYSTEM_ROLES = ["admin", "replication", "exporter", "probe", "sentinel"] as const;
export type SystemRole = (typeof SYSTEM_ROLES)[number];

/** A user as it must exist on every node. */
export interface AclUser {
    readonly name: string;
    /** Accepted passwords, the current one first; never empty. */
    readonly passwords: readonly string[];
    /** ACL rules (no passwords, no on/off). */
    readonly rules: string;
    /** Set for the system users. */
    readonly role?: SystemRole;
}

/** Everything ACL SETUSER has to establish on a node. */
export interface AclPlanInput {
    readonly users: readonly AclUser[];
    readonly defaultUser: "restricted" | "off";
}

/**
 * The passwords of each user by name, for the users whose validated spec holds none: generated
 * ones (@pulumi/random), and those given as Outputs (resolved and validated by the component).
 */
export type GeneratedPasswords = Readonly<Record<string, readonly string[]>>;

/** The names of the system users of a validated spec. */
export function systemUserNames(spec: AclSpec): Record<SystemRole, string> {
    return {
        admin: spec.admin?.name ?? DEFAULT_ADMIN_USER,
        replication: spec.replication?.name ?? DEFAULT_REPLICATION_USER,
        exporter: spec.exporter?.name ?? DEFAULT_EXPORTER_USER,
        probe: PROBE_USER,
        sentinel: SENTINEL_USER,
    };
}

/** What resolveAclUsers needs to know of the topology. */
export interface AclTopologyOptions {
    /**
     * A Sentinel plan (the model's topology kind "sentinel"): adds the Sentinels' user
     * (SENTINEL_RULES) and lets the probe user run INFO (SENTINEL_PLAN_PROBE_RULES). @default false
     */
    readonly sentinel?: boolean;
}

/**
 * Every user name of a validated spec whose passwords are not given (they need generated ones).
 * `givenLater` names the users whose passwords are given as Outputs, which the spec does not hold.
 */
export function usersWithoutPasswords(spec: AclSpec, givenLater: ReadonlySet<string> = new Set()): string[] {
    const names = systemUserNames(spec);
    const system = (["admin", "replication", "exporter"] as const).filter((r) => spec[r]?.passwords === undefined).map((r) => names[r]);
    return [...system, ...(spec.users ?? []).filter((u) => u.passwords === undefined).map((u) => u.name)].filter((n) => !givenLater.has(n));
}

/**
 * The users of a validated spec with their passwords: given ones, else `generated[name]`; the
 * probe user's is derived from `defaultPassword` (probePassword), the one credential the auth
 * Secret always has, and so is the Sentinel user's (sentinelUserPassword; with
 * `options.sentinel` only). Throws (naming the user, never a password) when a user has neither.
 */
export function resolveAclUsers(spec: AclSpec, defaultPassword: string, generated: GeneratedPasswords = {}, options: AclTopologyOptions = {}): AclPlanInput {
    const passwordsOf = (name: string, given: readonly string[] | undefined): readonly string[] => {
        const list = given ?? generated[name];
        if (list === undefined || list.length === 0) throw new Error(`ACL user ${name} has no password: give acl passwords or a generated one`);
        return list;
    };
    const names = systemUserNames(spec);
    const system: AclUser[] = [
        { name: names.admin, passwords: passwordsOf(names.admin, spec.admin?.passwords), rules: ADMIN_RULES, role: "admin" },
        { name: names.replication, passwords: passwordsOf(names.replication, spec.replication?.passwords), rules: REPLICATION_RULES, role: "replication" },
        { name: names.exporter, passwords: passwordsOf(names.exporter, spec.exporter?.passwords), rules: EXPORTER_RULES, role: "exporter" },
        {
            name: names.probe,
            passwords: [probePassword(defaultPassword)],
            rules: options.sentinel === true ? SENTINEL_PLAN_PROBE_RULES : PROBE_RULES,
            role: "probe",
        },
        ...(options.sentinel === true
            ? [{ name: names.sentinel, passwords: [sentinelUserPassword(defaultPassword)], rules: SENTINEL_RULES, role: "sentinel" as const }]
            : []),
    ];
    const users = (spec.users ?? []).map((u): AclUser => ({ name: u.name, passwords: passwordsOf(u.name, u.passwords), rules: u.rules }));
    return { users: [...system, ...users], defaultUser: spec.defaultUser ?? DEFAULT_DEFAULT_USER };
}
