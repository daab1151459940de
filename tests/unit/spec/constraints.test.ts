// One case per constraint the Aiven Valkey (seeds/000) and Redis (seeds/001) documents state: a
// value at the limit is accepted, a value past it is refused with the exact message.
import { expect } from "chai";
import { z } from "zod";
import { redisSpecSchema, valkeySpecSchema } from "../../../sdk/spec/aiven";
import { SpecError, parseSpec } from "../../../sdk/spec/validate";
import { SEED_000_SPEC, SEED_001_SPEC } from "../../helpers/seeds";

type Row = {
    /** Dotted path; `[n]` segments index arrays. */
    path: string;
    valid: unknown;
    invalid: unknown;
    /** Message after "<path>: ". */
    message: string;
    /** Where the message points when not at `path` (e.g. an unknown key). */
    at?: string;
};

const BASE = { project: "my-aiven-project", plan: "startup-4" };

function withValue(path: string, value: unknown): Record<string, unknown> {
    const spec: Record<string, unknown> = structuredClone(BASE);
    const keys = path.split(".");
    let current = spec;
    for (const key of keys.slice(0, -1)) {
        current[key] = (current[key] as Record<string, unknown>) ?? {};
        current = current[key] as Record<string, unknown>;
    }
    const last = keys[keys.length - 1];
    if (value === undefined) delete current[last];
    else current[last] = value;
    return spec;
}

function issuesOf(schema: z.ZodType, spec: unknown): string[] {
    try {
        parseSpec(schema, spec, "spec");
        return [];
    } catch (e) {
        expect(e).to.be.instanceOf(SpecError);
        return (e as SpecError).issues.map((i) => `${i.path}: ${i.message}`);
    }
}

const s = (n: number, c = "a") => c.repeat(n);

// Constraints both documents state identically.
const COMMON: Row[] = [
    { path: "plan", valid: s(128), invalid: s(129), message: "must be at most 128 characters long (got 129)" },
    { path: "plan", valid: "startup-4", invalid: undefined, message: "is required" },
    { path: "project", valid: s(63), invalid: s(64), message: "must be at most 63 characters long (got 64)" },
    { path: "project", valid: "my_Project-1", invalid: "my project", message: 'must match ^[a-zA-Z0-9_-]+$ (got "my project")' },
    { path: "project", valid: "p", invalid: undefined, message: "is required" },
    { path: "authSecretRef", valid: { name: "n", key: "token" }, invalid: { name: "n", key: "" }, message: "must not be empty", at: "authSecretRef.key" },
    {
        path: "authSecretRef",
        valid: { name: "aiven-token", key: "k" },
        invalid: { name: "", key: "k" },
        message: "must not be empty",
        at: "authSecretRef.name",
    },
    { path: "authSecretRef", valid: { name: "aiven-token", key: "token" }, invalid: { name: "aiven-token" }, message: "is required", at: "authSecretRef.key" },
    { path: "cloudName", valid: s(256), invalid: s(257), message: "must be at most 256 characters long (got 257)" },
    { path: "connInfoSecretTarget", valid: { name: "my-secret" }, invalid: { prefix: "X_" }, message: "is required", at: "connInfoSecretTarget.name" },
    {
        path: "connInfoSecretTarget",
        valid: { name: "s", annotations: { foo: "bar" } },
        invalid: { name: "s", annotations: { foo: 1 } },
        message: "must be a string (got 1)",
        at: "connInfoSecretTarget.annotations.foo",
    },
    {
        path: "connInfoSecretTarget",
        valid: { name: "s", labels: { baz: "egg" } },
        invalid: { name: "s", labels: { baz: true } },
        message: "must be a string (got true)",
        at: "connInfoSecretTarget.labels.baz",
    },
    {
        path: "connInfoSecretTarget",
        valid: { name: "s", prefix: "MY.SECRET-PREFIX_" },
        invalid: { name: "s", prefix: "MY PREFIX " },
        message: 'must match ^[-._a-zA-Z0-9]*$ (got "MY PREFIX ")',
        at: "connInfoSecretTarget.prefix",
    },
    {
        path: "connInfoSecretTarget",
        valid: { name: "s", prefix: "MY_SECRET_PREFIX_" },
        invalid: { name: "s", prefix: 5 },
        message: "must be a string (got 5)",
        at: "connInfoSecretTarget.prefix",
    },
    { path: "connInfoSecretTargetDisabled", valid: true, invalid: "yes", message: 'must be a boolean (got "yes")' },
    { path: "disk_space", valid: "80GiB", invalid: "0GiB", message: 'must match (?i)^[1-9][0-9]*(GiB|G)?$ (got "0GiB")' },
    { path: "disk_space", valid: "90g", invalid: "90 GB", message: 'must match (?i)^[1-9][0-9]*(GiB|G)?$ (got "90 GB")' },
    {
        path: "maintenanceWindowDow",
        valid: "sunday",
        invalid: "funday",
        message: 'must be one of monday, tuesday, wednesday, thursday, friday, saturday, sunday (got "funday")',
    },
    { path: "maintenanceWindowTime", valid: "23:59:59", invalid: "11:00:000", message: "must be at most 8 characters long (got 9)" },
    { path: "maintenanceWindowTime", valid: "00:00:00", invalid: "24:00:00", message: 'must be a UTC time in HH:mm:ss format (got "24:00:00")' },
    { path: "projectVPCRef.name", valid: "vpc", invalid: "", message: "must not be empty" },
    {
        path: "projectVPCRef",
        valid: { name: "v", namespace: "default" },
        invalid: { name: "v", namespace: "" },
        message: "must not be empty",
        at: "projectVPCRef.namespace",
    },
    { path: "projectVPCRef", valid: { name: "vpc" }, invalid: { namespace: "default" }, message: "is required", at: "projectVPCRef.name" },
    { path: "projectVpcId", valid: s(36), invalid: s(37), message: "must be at most 36 characters long (got 37)" },
    {
        path: "serviceIntegrations",
        valid: [{ integrationType: "read_replica", sourceServiceName: "src" }],
        invalid: [
            { integrationType: "read_replica", sourceServiceName: "a" },
            { integrationType: "read_replica", sourceServiceName: "b" },
        ],
        message: "must have at most 1 item (got 2)",
    },
    {
        path: "serviceIntegrations",
        valid: [{ integrationType: "read_replica", sourceServiceName: "src" }],
        invalid: [{ integrationType: "mirror", sourceServiceName: "src" }],
        message: 'must be "read_replica" (got "mirror")',
        at: "serviceIntegrations[0].integrationType",
    },
    {
        path: "serviceIntegrations",
        valid: [{ integrationType: "read_replica", sourceServiceName: s(64) }],
        invalid: [{ integrationType: "read_replica", sourceServiceName: s(65) }],
        message: "must be at most 64 characters long (got 65)",
        at: "serviceIntegrations[0].sourceServiceName",
    },
    {
        path: "serviceIntegrations",
        valid: [{ integrationType: "read_replica", sourceServiceName: "s" }],
        invalid: [{ integrationType: "read_replica", sourceServiceName: "" }],
        message: "must not be empty",
        at: "serviceIntegrations[0].sourceServiceName",
    },
    {
        path: "serviceIntegrations",
        valid: [{ integrationType: "read_replica", sourceServiceName: "s" }],
        invalid: [{ sourceServiceName: "s" }],
        message: "is required",
        at: "serviceIntegrations[0].integrationType",
    },
    { path: "tags", valid: { env: "test", instance: "foo" }, invalid: { env: 1 }, message: "must be a string (got 1)", at: "tags.env" },
    {
        path: "technicalEmails",
        valid: Array.from({ length: 10 }, (_, i) => ({ email: `ops${i}@example.com` })),
        invalid: Array.from({ length: 11 }, (_, i) => ({ email: `ops${i}@example.com` })),
        message: "must have at most 10 items (got 11)",
    },
    { path: "technicalEmails", valid: [{ email: "ops@example.com" }], invalid: [{}], message: "is required", at: "technicalEmails[0].email" },
    {
        path: "technicalEmails",
        valid: [{ email: "ops@example.com" }],
        invalid: [{ email: "ops" }],
        message: 'must be an email address (got "ops")',
        at: "technicalEmails[0].email",
    },
    { path: "terminationProtection", valid: false, invalid: 1, message: "must be a boolean (got 1)" },
    { path: "userConfig.additional_backup_regions", valid: ["aws-eu-west-1"], invalid: ["a", "b"], message: "must have at most 1 item (got 2)" },
    {
        path: "userConfig.ip_filter",
        valid: ["10.20.0.0/16"],
        invalid: ["10.20.0.0"],
        message: 'must be a CIDR block like 10.20.0.0/16 (got "10.20.0.0")',
        at: "userConfig.ip_filter[0]",
    },
    {
        path: "userConfig.ip_filter",
        valid: [{ network: "0.0.0.0/32", description: "bar" }],
        invalid: [{ description: "bar" }],
        message: "is required",
        at: "userConfig.ip_filter[0].network",
    },
    {
        path: "userConfig.ip_filter",
        valid: [{ network: "2001:0db8:0000:0000:0000:0000:0000:0000/128" }],
        invalid: [{ network: "2001:0db8:0000:0000:0000:0000:0000:0000/1280" }],
        message: "must be at most 43 characters long (got 44)",
        at: "userConfig.ip_filter[0].network",
    },
    {
        path: "userConfig.ip_filter",
        valid: [{ network: "10.0.0.0/8", description: s(1024) }],
        invalid: [{ network: "10.0.0.0/8", description: s(1025) }],
        message: "must be at most 1024 characters long (got 1025)",
        at: "userConfig.ip_filter[0].description",
    },
    {
        path: "userConfig.ip_filter",
        valid: [{ network: "10.0.0.0/8" }],
        invalid: [42],
        message: "must be a CIDR string or an object {network, description} (got 42)",
        at: "userConfig.ip_filter[0]",
    },
    { path: "userConfig.migration", valid: { host: "old", port: 6379 }, invalid: { port: 6379 }, message: "is required", at: "userConfig.migration.host" },
    { path: "userConfig.migration", valid: { host: "old", port: 6379 }, invalid: { host: "old" }, message: "is required", at: "userConfig.migration.port" },
    {
        path: "userConfig.migration",
        valid: { host: s(255), port: 1 },
        invalid: { host: s(256), port: 1 },
        message: "must be at most 255 characters long (got 256)",
        at: "userConfig.migration.host",
    },
    {
        path: "userConfig.migration",
        valid: { host: "h", port: 65535 },
        invalid: { host: "h", port: 65536 },
        message: "must be at most 65535 (got 65536)",
        at: "userConfig.migration.port",
    },
    {
        path: "userConfig.migration",
        valid: { host: "h", port: 1 },
        invalid: { host: "h", port: 0 },
        message: "must be at least 1 (got 0)",
        at: "userConfig.migration.port",
    },
    {
        path: "userConfig.migration",
        valid: { host: "h", port: 1, dbname: s(63) },
        invalid: { host: "h", port: 1, dbname: s(64) },
        message: "must be at most 63 characters long (got 64)",
        at: "userConfig.migration.dbname",
    },
    {
        path: "userConfig.migration",
        valid: { host: "h", port: 1, ignore_dbs: s(2048) },
        invalid: { host: "h", port: 1, ignore_dbs: s(2049) },
        message: "must be at most 2048 characters long (got 2049)",
        at: "userConfig.migration.ignore_dbs",
    },
    {
        path: "userConfig.migration",
        valid: { host: "h", port: 1, method: "replication" },
        invalid: { host: "h", port: 1, method: "copy" },
        message: 'must be one of dump, replication (got "copy")',
        at: "userConfig.migration.method",
    },
    // Credentials are never echoed: only their length is.
    {
        path: "userConfig.migration",
        valid: { host: "h", port: 1, password: s(256) },
        invalid: { host: "h", port: 1, password: s(257) },
        message: "must be at most 256 characters long (got 257)",
        at: "userConfig.migration.password",
    },
    {
        path: "userConfig.migration",
        valid: { host: "h", port: 1, ssl: true },
        invalid: { host: "h", port: 1, ssl: "true" },
        message: 'must be a boolean (got "true")',
        at: "userConfig.migration.ssl",
    },
    {
        path: "userConfig.migration",
        valid: { host: "h", port: 1, username: s(256) },
        invalid: { host: "h", port: 1, username: s(257) },
        message: "must be at most 256 characters long (got 257)",
        at: "userConfig.migration.username",
    },
    { path: "userConfig.private_access.prometheus", valid: true, invalid: "no", message: 'must be a boolean (got "no")' },
    { path: "userConfig.privatelink_access.prometheus", valid: false, invalid: 0, message: "must be a boolean (got 0)" },
    { path: "userConfig.public_access.prometheus", valid: false, invalid: null, message: "must be a boolean (got null)" },
    { path: "userConfig.project_to_fork_from", valid: "", invalid: "Other", message: 'must match ^[a-z][-a-z0-9]{0,63}$|^$ (got "Other")' },
    { path: "userConfig.project_to_fork_from", valid: "p" + s(62), invalid: "p" + s(63), message: "must be at most 63 characters long (got 64)" },
    {
        path: "userConfig.recovery_basebackup_name",
        valid: "backup-2024:01.x_y",
        invalid: "backup 1",
        message: 'must match ^[a-zA-Z0-9-_:.]+$ (got "backup 1")',
    },
    { path: "userConfig.recovery_basebackup_name", valid: s(128), invalid: s(129), message: "must be at most 128 characters long (got 129)" },
    { path: "userConfig.service_log", valid: true, invalid: "on", message: 'must be a boolean (got "on")' },
    { path: "userConfig.service_to_fork_from", valid: "s" + s(63), invalid: "s" + s(64), message: "must be at most 64 characters long (got 65)" },
    { path: "userConfig.service_to_fork_from", valid: "my-svc", invalid: "my_svc", message: 'must match ^[a-z][-a-z0-9]{0,63}$|^$ (got "my_svc")' },
    { path: "userConfig.static_ips", valid: false, invalid: "false", message: 'must be a boolean (got "false")' },
];

// Constraints on the engine-prefixed options; `e` is valkey or redis.
const engineRows = (e: string, timeoutMax: number): Row[] => [
    { path: `userConfig.${e}_acl_channels_default`, valid: "resetchannels", invalid: "all", message: 'must be one of allchannels, resetchannels (got "all")' },
    { path: `userConfig.${e}_io_threads`, valid: 32, invalid: 33, message: "must be at most 32 (got 33)" },
    { path: `userConfig.${e}_io_threads`, valid: 1, invalid: 0, message: "must be at least 1 (got 0)" },
    { path: `userConfig.${e}_io_threads`, valid: 4, invalid: 2.5, message: "must be an integer (got 2.5)" },
    { path: `userConfig.${e}_lfu_decay_time`, valid: 120, invalid: 121, message: "must be at most 120 (got 121)" },
    { path: `userConfig.${e}_lfu_decay_time`, valid: 1, invalid: 0, message: "must be at least 1 (got 0)" },
    { path: `userConfig.${e}_lfu_log_factor`, valid: 100, invalid: 101, message: "must be at most 100 (got 101)" },
    { path: `userConfig.${e}_lfu_log_factor`, valid: 0, invalid: -1, message: "must be at least 0 (got -1)" },
    {
        path: `userConfig.${e}_maxmemory_policy`,
        valid: "volatile-ttl",
        invalid: "lru",
        message: 'must be one of allkeys-lfu, allkeys-lru, allkeys-random, noeviction, volatile-lfu, volatile-lru, volatile-random, volatile-ttl (got "lru")',
    },
    { path: `userConfig.${e}_notify_keyspace_events`, valid: "KEg$lshzxentdmA", invalid: "KEq", message: 'must match ^[KEg\\$lshzxentdmA]*$ (got "KEq")' },
    { path: `userConfig.${e}_notify_keyspace_events`, valid: s(32, "K"), invalid: s(33, "K"), message: "must be at most 32 characters long (got 33)" },
    { path: `userConfig.${e}_number_of_databases`, valid: 128, invalid: 129, message: "must be at most 128 (got 129)" },
    { path: `userConfig.${e}_number_of_databases`, valid: 1, invalid: 0, message: "must be at least 1 (got 0)" },
    { path: `userConfig.${e}_persistence`, valid: "off", invalid: "aof", message: 'must be one of off, rdb (got "aof")' },
    { path: `userConfig.${e}_pubsub_client_output_buffer_limit`, valid: 512, invalid: 513, message: "must be at most 512 (got 513)" },
    { path: `userConfig.${e}_pubsub_client_output_buffer_limit`, valid: 32, invalid: 31, message: "must be at least 32 (got 31)" },
    { path: `userConfig.${e}_ssl`, valid: true, invalid: "true", message: 'must be a boolean (got "true")' },
    { path: `userConfig.${e}_timeout`, valid: timeoutMax, invalid: timeoutMax + 1, message: `must be at most ${timeoutMax} (got ${timeoutMax + 1})` },
    { path: `userConfig.${e}_timeout`, valid: 0, invalid: -1, message: "must be at least 0 (got -1)" },
    { path: `userConfig.private_access.${e}`, valid: true, invalid: "yes", message: 'must be a boolean (got "yes")' },
    { path: `userConfig.privatelink_access.${e}`, valid: true, invalid: "yes", message: 'must be a boolean (got "yes")' },
    { path: `userConfig.public_access.${e}`, valid: true, invalid: "yes", message: 'must be a boolean (got "yes")' },
];

const VALKEY_ONLY: Row[] = [
    { path: "userConfig.backup_hour", valid: 23, invalid: 24, message: "must be at most 23 (got 24)" },
    { path: "userConfig.backup_hour", valid: 0, invalid: -1, message: "must be at least 0 (got -1)" },
    { path: "userConfig.backup_minute", valid: 59, invalid: 60, message: "must be at most 59 (got 60)" },
    { path: "userConfig.backup_minute", valid: 0, invalid: -1, message: "must be at least 0 (got -1)" },
    { path: "userConfig.frequent_snapshots", valid: false, invalid: "no", message: 'must be a boolean (got "no")' },
    {
        path: "userConfig.ip_filter",
        valid: Array.from({ length: 2048 }, (_, i) => `10.${i >> 8}.${i & 255}.0/24`),
        invalid: Array.from({ length: 2049 }, () => "10.0.0.0/8"),
        message: "must have at most 2048 items (got 2049)",
    },
    {
        path: "userConfig.migration",
        valid: { host: "h", port: 1, ignore_roles: s(2048) },
        invalid: { host: "h", port: 1, ignore_roles: s(2049) },
        message: "must be at most 2048 characters long (got 2049)",
        at: "userConfig.migration.ignore_roles",
    },
];

const REDIS_ONLY: Row[] = [
    {
        path: "userConfig.ip_filter",
        valid: Array.from({ length: 1024 }, () => "10.0.0.0/8"),
        invalid: Array.from({ length: 1025 }, () => "10.0.0.0/8"),
        message: "must have at most 1024 items (got 1025)",
    },
    { path: "userConfig.redis_version", valid: "7.0", invalid: "6.2", message: 'must be "7.0" (got "6.2")' },
    // Fields only the Valkey spec has are unknown to Redis.
    { path: "userConfig.backup_hour", valid: undefined, invalid: 3, message: "unknown field" },
    {
        path: "userConfig.migration",
        valid: { host: "h", port: 1 },
        invalid: { host: "h", port: 1, ignore_roles: "r" },
        message: "unknown field",
        at: "userConfig.migration.ignore_roles",
    },
];

function suite(kind: string, schema: z.ZodType, rows: Row[]) {
    describe(`${kind} spec constraints`, () => {
        for (const row of rows) {
            const at = row.at ?? row.path;
            it(`${at}: accepts ${JSON.stringify(row.valid)?.slice(0, 40)}, refuses with "${row.message.slice(0, 60)}"`, () => {
                expect(issuesOf(schema, withValue(row.path, row.valid))).to.deep.equal([]);
                expect(issuesOf(schema, withValue(row.path, row.invalid))).to.deep.equal([`${at}: ${row.message}`]);
            });
        }
    });
}

suite("Valkey", valkeySpecSchema, [...COMMON, ...engineRows("valkey", 2073600), ...VALKEY_ONLY]);
suite("Redis", redisSpecSchema, [...COMMON, ...engineRows("redis", 31536000), ...REDIS_ONLY]);

describe("spec validation as a whole", () => {
    it("reports every violation at once, each with its path, in one error message", () => {
        let error: unknown;
        try {
            parseSpec(
                valkeySpecSchema,
                { project: "bad project", plan: "startup-4", userConfig: { valkey_io_threads: 64, valkey_timout: 10 } },
                'Valkey "cache"',
            );
        } catch (e) {
            error = e;
        }
        expect(error).to.be.instanceOf(SpecError);
        expect((error as Error).message).to.equal(
            [
                'Valkey "cache" is invalid (3 problems):',
                '  - project: must match ^[a-zA-Z0-9_-]+$ (got "bad project")',
                "  - userConfig.valkey_io_threads: must be at most 32 (got 64)",
                "  - userConfig.valkey_timout: unknown field (did you mean valkey_timeout?)",
            ].join("\n"),
        );
    });

    it("rejects an unknown top-level field by name", () => {
        expect(issuesOf(valkeySpecSchema, { ...BASE, maintenanceWindowDay: "sunday" })).to.deep.equal([
            "maintenanceWindowDay: unknown field (did you mean maintenanceWindowDow?)",
        ]);
    });

    it("never echoes a credential's value", () => {
        const issues = issuesOf(valkeySpecSchema, { ...BASE, userConfig: { migration: { host: "h", port: 1, password: 12345 } } });
        expect(issues).to.deep.equal(["userConfig.migration.password: must be a string (got number)"]);
    });

    it("accepts the seed 000 Valkey example as written", () => {
        const spec = SEED_000_SPEC;
        expect(parseSpec(valkeySpecSchema, spec, "seed 000")).to.deep.equal(spec);
    });

    it("accepts the seed 001 Redis example as written", () => {
        const spec = SEED_001_SPEC;
        expect(parseSpec(redisSpecSchema, spec, "seed 001")).to.deep.equal(spec);
    });

    it("refuses tags that Kubernetes would reject as labels, naming the tag", () => {
        expect(issuesOf(valkeySpecSchema, { ...BASE, tags: { team: "data platform" } })).to.deep.equal([
            'tags.team: is not a valid Kubernetes label value: must be at most 63 characters of [A-Za-z0-9-_.], starting and ending alphanumeric (got "data platform")',
        ]);
    });

    it("ignores issues under paths whose values are not known yet", () => {
        const spec = { project: "p", userConfig: { valkey_io_threads: 64 } };
        expect(() => parseSpec(valkeySpecSchema, spec, "x", ["plan"])).to.throw(SpecError, "valkey_io_threads");
        expect(() => parseSpec(valkeySpecSchema, spec, "x", ["plan", "userConfig"])).not.to.throw();
    });
});
