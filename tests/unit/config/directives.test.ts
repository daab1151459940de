import { expect } from "chai";
import { Directive, RenderOptions, maxmemoryMiB, pubsubOutputBufferLimit, saveRule, valkeyDirectives } from "../../../sdk/config/directives";
import { ServiceModel } from "../../../sdk/spec/model";
import { PersistenceMode, Plan, getPlan, registerPlan, unregisterPlan } from "../../../sdk/spec/plans";
import { redisModel, valkeyModel } from "./fixtures";

/** The directives of a startup-4 service with an empty userConfig and default render options. */
const DEFAULTS: Directive[] = [
    { name: "bind", value: "* -::*" },
    { name: "protected-mode", value: "no" },
    { name: "port", value: "6379" },
    { name: "daemonize", value: "no" },
    { name: "dir", value: "/data" },
    { name: "databases", value: "16" },
    { name: "timeout", value: "300" },
    { name: "io-threads", value: "1" },
    { name: "maxmemory", value: "3072mb" },
    { name: "maxmemory-policy", value: "noeviction" },
    { name: "lfu-log-factor", value: "10" },
    { name: "lfu-decay-time", value: "1" },
    { name: "client-output-buffer-limit", value: "pubsub 32mb 8mb 60" },
    { name: "notify-keyspace-events", value: "" },
    { name: "acl-pubsub-default", value: "allchannels" },
    { name: "save", value: "600 1" },
    { name: "appendonly", value: "no" },
    { name: "appendfsync", value: "everysec" },
    { name: "aof-use-rdb-preamble", value: "yes" },
    { name: "shutdown-on-sigterm", value: "save" },
    { name: "shutdown-on-sigint", value: "save" },
    { name: "repl-diskless-sync", value: "yes" },
    { name: "repl-diskless-sync-delay", value: "1" },
    { name: "include", value: "/etc/valkey-auth/auth.conf" },
];

/** DEFAULTS with some values replaced (same names, same order). */
function defaultsWith(values: Record<string, string>): Directive[] {
    for (const name of Object.keys(values)) {
        if (!DEFAULTS.some((d) => d.name === name)) throw new Error(`test bug: ${name} is not a default directive`);
    }
    return DEFAULTS.map((d) => (d.name in values ? { name: d.name, value: values[d.name] } : d));
}

/** DEFAULTS with `extra` inserted before the include line. */
function defaultsPlus(extra: Directive[], values: Record<string, string> = {}): Directive[] {
    const base = defaultsWith(values);
    return [...base.slice(0, -1), ...extra, base[base.length - 1]];
}

function valueOf(directives: Directive[], name: string): string | undefined {
    return directives.find((d) => d.name === name)?.value;
}

describe("config: valkeyDirectives", () => {
    it("renders Aiven's defaults for an empty userConfig", () => {
        expect(valkeyDirectives(valkeyModel("startup-4"))).to.deep.equal(DEFAULTS);
    });

    describe("maps each userConfig option to its directive", () => {
        const rows: Array<{ userConfig: Record<string, unknown>; expected: Record<string, string> }> = [
            { userConfig: { valkey_maxmemory_policy: "allkeys-lfu" }, expected: { "maxmemory-policy": "allkeys-lfu" } },
            { userConfig: { valkey_maxmemory_policy: "volatile-ttl" }, expected: { "maxmemory-policy": "volatile-ttl" } },
            { userConfig: { valkey_lfu_log_factor: 0 }, expected: { "lfu-log-factor": "0" } },
            { userConfig: { valkey_lfu_log_factor: 100 }, expected: { "lfu-log-factor": "100" } },
            { userConfig: { valkey_lfu_decay_time: 120 }, expected: { "lfu-decay-time": "120" } },
            { userConfig: { valkey_timeout: 0 }, expected: { timeout: "0" } },
            { userConfig: { valkey_timeout: 2073600 }, expected: { timeout: "2073600" } },
            // Aiven allows 32; valkey-server 8 runs at most 16 I/O threads, and the file says so.
            { userConfig: { valkey_io_threads: 32 }, expected: { "io-threads": "16" } },
            { userConfig: { valkey_io_threads: 16 }, expected: { "io-threads": "16" } },
            { userConfig: { valkey_io_threads: 3 }, expected: { "io-threads": "3" } },
            { userConfig: { valkey_number_of_databases: 1 }, expected: { databases: "1" } },
            { userConfig: { valkey_number_of_databases: 128 }, expected: { databases: "128" } },
            { userConfig: { valkey_notify_keyspace_events: "KEA" }, expected: { "notify-keyspace-events": "KEA" } },
            { userConfig: { valkey_notify_keyspace_events: "Kg$lshzxentdm" }, expected: { "notify-keyspace-events": "Kg$lshzxentdm" } },
            { userConfig: { valkey_notify_keyspace_events: "" }, expected: { "notify-keyspace-events": "" } },
            { userConfig: { valkey_pubsub_client_output_buffer_limit: 64 }, expected: { "client-output-buffer-limit": "pubsub 64mb 16mb 60" } },
            { userConfig: { valkey_acl_channels_default: "resetchannels" }, expected: { "acl-pubsub-default": "resetchannels" } },
            { userConfig: { valkey_acl_channels_default: "allchannels" }, expected: { "acl-pubsub-default": "allchannels" } },
            {
                userConfig: { valkey_persistence: "off" },
                expected: { save: "", maxmemory: "3481mb", "shutdown-on-sigterm": "default", "shutdown-on-sigint": "default" },
            },
            { userConfig: { valkey_persistence: "rdb" }, expected: {} },
            { userConfig: { frequent_snapshots: false }, expected: { save: "" } },
            { userConfig: { frequent_snapshots: true }, expected: {} },
            // Ignored when persistence is off (seeds/000).
            {
                userConfig: { valkey_persistence: "off", frequent_snapshots: true },
                expected: { save: "", maxmemory: "3481mb", "shutdown-on-sigterm": "default", "shutdown-on-sigint": "default" },
            },
            // Options without a directive change nothing here.
            { userConfig: { backup_hour: 3, backup_minute: 30, ip_filter: ["10.0.0.0/8"], service_log: true }, expected: {} },
        ];
        for (const { userConfig, expected } of rows) {
            it(`${JSON.stringify(userConfig)} -> ${JSON.stringify(expected)}`, () => {
                expect(valkeyDirectives(valkeyModel("startup-4", userConfig))).to.deep.equal(defaultsWith(expected));
            });
        }
    });

    it("maps every option of a Redis spec the same way (redis_* names; the Redis spec has no frequent_snapshots)", () => {
        const model = redisModel("startup-4", {
            redis_maxmemory_policy: "allkeys-random",
            redis_lfu_log_factor: 7,
            redis_lfu_decay_time: 9,
            redis_timeout: 31536000,
            redis_io_threads: 3,
            redis_number_of_databases: 4,
            redis_notify_keyspace_events: "Ex",
            redis_pubsub_client_output_buffer_limit: 100,
            redis_acl_channels_default: "resetchannels",
            redis_persistence: "rdb",
        });
        expect(valkeyDirectives(model)).to.deep.equal(
            defaultsWith({
                "maxmemory-policy": "allkeys-random",
                "lfu-log-factor": "7",
                "lfu-decay-time": "9",
                timeout: "31536000",
                "io-threads": "3",
                databases: "4",
                "notify-keyspace-events": "Ex",
                "client-output-buffer-limit": "pubsub 100mb 25mb 60",
                "acl-pubsub-default": "resetchannels",
            }),
        );
    });

    describe("maxmemory from the plan's memory", () => {
        const rows: Array<{ plan: string; userConfig?: Record<string, unknown>; maxmemory: string; why: string }> = [
            { plan: "free", maxmemory: "48mb", why: "64 MiB, no fork: 85 % is 54, but 16 MiB stay for the process" },
            { plan: "free", userConfig: { valkey_persistence: "rdb" }, maxmemory: "48mb", why: "64 MiB, forks: 75 %" },
            { plan: "standard", maxmemory: "192mb", why: "256 MiB, rdb_daily: 75 %" },
            { plan: "pro", maxmemory: "768mb", why: "1 GiB, rdb_aof: 75 %" },
            { plan: "hobbyist", maxmemory: "768mb", why: "1 GiB, rdb: 75 %" },
            { plan: "startup-1", userConfig: { valkey_persistence: "off" }, maxmemory: "870mb", why: "1 GiB, 1 node, no persistence: 85 %" },
            { plan: "business-1", userConfig: { valkey_persistence: "off" }, maxmemory: "768mb", why: "2 nodes: full syncs fork even without persistence" },
            { plan: "premium-200", maxmemory: "153600mb", why: "200 GiB: 75 %" },
        ];
        for (const { plan, userConfig, maxmemory, why } of rows) {
            it(`${plan} ${JSON.stringify(userConfig ?? {})} -> ${maxmemory} (${why})`, () => {
                expect(valueOf(valkeyDirectives(valkeyModel(plan, userConfig)), "maxmemory")).to.equal(maxmemory);
            });
        }

        it("never goes below 16 MiB, even for a hand-built model with a tiny memory", () => {
            const base = valkeyModel("free");
            const tiny: ServiceModel = { ...base, sizing: { ...base.sizing, memoryMiB: 24 } };
            expect(valueOf(valkeyDirectives(tiny), "maxmemory")).to.equal("16mb");
        });

        const pure: Array<[number, boolean, number]> = [
            [32, true, 16],
            [32, false, 16],
            [64, false, 48],
            [100, false, 84],
            [200, false, 170],
            [200, true, 150],
            [1000, true, 750],
            [20, true, 16],
        ];
        for (const [memory, forks, expected] of pure) {
            it(`maxmemoryMiB(${memory}, forks=${forks}) = ${expected}`, () => {
                expect(maxmemoryMiB(memory, forks)).to.equal(expected);
            });
        }
    });

    describe("persistence", () => {
        const rows: Array<{ mode: PersistenceMode; frequent?: boolean; save: string }> = [
            { mode: "none", save: "" },
            { mode: "none", frequent: true, save: "" },
            { mode: "rdb", save: "600 1" },
            { mode: "rdb", frequent: true, save: "600 1" },
            { mode: "rdb", frequent: false, save: "" },
            { mode: "rdb_daily", save: "86400 1" },
            { mode: "rdb_daily", frequent: false, save: "86400 1" },
            { mode: "rdb_aof", save: "600 1" },
            { mode: "rdb_aof", frequent: false, save: "" },
        ];
        for (const { mode, frequent, save } of rows) {
            it(`saveRule(${mode}, frequent_snapshots=${frequent}) = ${JSON.stringify(save)}`, () => {
                expect(saveRule(mode, frequent)).to.equal(save);
            });
        }

        const plans: Array<{ plan: string; userConfig?: Record<string, unknown>; expected: Record<string, string> }> = [
            { plan: "free", expected: { save: "", appendonly: "no" } },
            { plan: "standard", expected: { save: "86400 1", appendonly: "no" } },
            { plan: "pro", expected: { save: "600 1", appendonly: "yes" } },
            { plan: "pro", userConfig: { frequent_snapshots: false }, expected: { save: "", appendonly: "yes" } },
            { plan: "pro", userConfig: { valkey_persistence: "off" }, expected: { save: "", appendonly: "no" } },
            { plan: "free", userConfig: { valkey_persistence: "rdb" }, expected: { save: "600 1", appendonly: "no" } },
            // The model keeps the plan's richer mode when the user asks for rdb.
            { plan: "standard", userConfig: { valkey_persistence: "rdb" }, expected: { save: "86400 1", appendonly: "no" } },
        ];
        for (const { plan, userConfig, expected } of plans) {
            it(`plan ${plan} ${JSON.stringify(userConfig ?? {})}: save ${JSON.stringify(expected.save)}, appendonly ${expected.appendonly}`, () => {
                const directives = valkeyDirectives(valkeyModel(plan, userConfig));
                expect({ save: valueOf(directives, "save"), appendonly: valueOf(directives, "appendonly") }).to.deep.equal(expected);
                // AOF settings are there in every mode, so switching modes never removes a directive.
                expect(valueOf(directives, "appendfsync")).to.equal("everysec");
                expect(valueOf(directives, "aof-use-rdb-preamble")).to.equal("yes");
            });
        }
    });

    describe("pub/sub output buffer: soft = hard / 4", () => {
        const rows: Array<[number, string]> = [
            [32, "pubsub 32mb 8mb 60"],
            [33, "pubsub 33mb 8448kb 60"],
            [100, "pubsub 100mb 25mb 60"],
            [510, "pubsub 510mb 130560kb 60"],
            [512, "pubsub 512mb 128mb 60"],
        ];
        for (const [hard, expected] of rows) {
            it(`${hard} MB -> ${expected}`, () => {
                expect(pubsubOutputBufferLimit(hard)).to.equal(expected);
            });
        }
    });

    describe("render options", () => {
        it("dataDir, port and a custom include", () => {
            const options: RenderOptions = { dataDir: "/var/lib/valkey", port: 7000, authInclude: "/run/auth.conf" };
            expect(valkeyDirectives(valkeyModel("startup-4"), options)).to.deep.equal(
                defaultsWith({ dir: "/var/lib/valkey", port: "7000", include: "/run/auth.conf" }),
            );
        });

        it("authInclude null renders no include line", () => {
            expect(valkeyDirectives(valkeyModel("startup-4"), { authInclude: null })).to.deep.equal(DEFAULTS.slice(0, -1));
        });
    });

    describe("cluster mode", () => {
        const CLUSTER: Directive[] = [
            { name: "cluster-enabled", value: "yes" },
            { name: "cluster-config-file", value: "/data/nodes.conf" },
            { name: "cluster-node-timeout", value: "2000" },
            { name: "cluster-allow-replica-migration", value: "no" },
            { name: "cluster-replica-validity-factor", value: "0" },
            { name: "cluster-require-full-coverage", value: "no" },
        ];

        it("cluster: {} adds the cluster directives, nodes.conf on the data volume", () => {
            expect(valkeyDirectives(valkeyModel("startup-4"), { cluster: {} })).to.deep.equal(defaultsPlus(CLUSTER, { databases: "1" }));
        });

        it("announceHostname announces it and makes redirects use it", () => {
            expect(
                valkeyDirectives(valkeyModel("startup-4"), { cluster: { announceHostname: "cache-0.cache-headless.p.svc.cluster.local" }, dataDir: "/d/" }),
            ).to.deep.equal(
                defaultsPlus(
                    [
                        ...CLUSTER.map((d) => (d.name === "cluster-config-file" ? { name: d.name, value: "/d/nodes.conf" } : d)),
                        { name: "cluster-announce-hostname", value: "cache-0.cache-headless.p.svc.cluster.local" },
                        { name: "cluster-preferred-endpoint-type", value: "hostname" },
                    ],
                    { dir: "/d/", databases: "1" },
                ),
            );
        });

        describe("a plan with cluster topology", () => {
            const plan: Plan = {
                name: "config-test-cluster",
                nodes: 6,
                memoryMiB: 2048,
                cpuMillis: 1000,
                diskGiB: 4,
                persistence: "rdb",
                topology: "cluster",
                shards: 3,
                description: "test",
            };
            before(() => registerPlan(plan));
            after(() => unregisterPlan(plan.name));

            it("is in cluster mode without a cluster option", () => {
                expect(valkeyDirectives(valkeyModel(plan.name))).to.deep.equal(defaultsPlus(CLUSTER, { maxmemory: "1536mb", databases: "1" }));
            });
        });

        it("has a single database: number_of_databases 1 is accepted, more is refused", () => {
            expect(valueOf(valkeyDirectives(valkeyModel("startup-4", { valkey_number_of_databases: 1 }), { cluster: {} }), "databases")).to.equal("1");
            expect(() => valkeyDirectives(redisModel("startup-4", { redis_number_of_databases: 8 }), { cluster: {} })).to.throw(
                "cache: userConfig.redis_number_of_databases is 8, but a cluster has a single database (Valkey 8); remove it or set it to 1",
            );
        });

        it("a non-cluster plan without the option is not", () => {
            expect(getPlan("premium-4").topology).to.equal("sentinel");
            expect(valkeyDirectives(valkeyModel("premium-4")).filter((d) => d.name.startsWith("cluster-"))).to.deep.equal([]);
        });
    });

    describe("TLS", () => {
        const DEFAULT_TLS: Directive[] = [
            { name: "tls-port", value: "6379" },
            { name: "tls-cert-file", value: "/etc/valkey-tls/tls.crt" },
            { name: "tls-key-file", value: "/etc/valkey-tls/tls.key" },
            { name: "tls-ca-cert-file", value: "/etc/valkey-tls/ca.crt" },
            { name: "tls-auth-clients", value: "optional" },
            { name: "tls-replication", value: "yes" },
            { name: "tls-protocols", value: "TLSv1.2 TLSv1.3" },
        ];
        /** The TLS block goes after repl-diskless-sync-delay, before cluster and include. */
        function withTls(tls: Directive[], values: Record<string, string>, cluster: Directive[] = []): Directive[] {
            return defaultsPlus([...tls, ...cluster], values);
        }

        it("valkey_ssl: TLS only, on the pod contract's port and certificate paths", () => {
            expect(valkeyDirectives(valkeyModel("startup-4", { valkey_ssl: true }))).to.deep.equal(withTls(DEFAULT_TLS, { port: "0" }));
        });

        it("valkey_ssl false renders no TLS", () => {
            expect(valkeyDirectives(valkeyModel("startup-4", { valkey_ssl: false }))).to.deep.equal(DEFAULTS);
        });

        it("every TLS option, with the plaintext port kept", () => {
            const directives = valkeyDirectives(valkeyModel("startup-4"), {
                port: 7000,
                tls: {
                    port: 7001,
                    certFile: "/certs/server.crt",
                    keyFile: "/certs/server.key",
                    caFile: "/certs/ca.crt",
                    authClients: "yes",
                    replication: false,
                    protocols: "TLSv1.3",
                    ciphers: "ECDHE-RSA-AES256-GCM-SHA384",
                    ciphersuites: "TLS_AES_256_GCM_SHA384",
                    disablePlain: false,
                },
            });
            expect(directives).to.deep.equal(
                withTls(
                    [
                        { name: "tls-port", value: "7001" },
                        { name: "tls-cert-file", value: "/certs/server.crt" },
                        { name: "tls-key-file", value: "/certs/server.key" },
                        { name: "tls-ca-cert-file", value: "/certs/ca.crt" },
                        { name: "tls-auth-clients", value: "yes" },
                        { name: "tls-replication", value: "no" },
                        { name: "tls-protocols", value: "TLSv1.3" },
                        { name: "tls-ciphers", value: "ECDHE-RSA-AES256-GCM-SHA384" },
                        { name: "tls-ciphersuites", value: "TLS_AES_256_GCM_SHA384" },
                    ],
                    { port: "7000" },
                ),
            );
        });

        it("in cluster mode, tls-cluster follows tls.cluster", () => {
            const on = valkeyDirectives(valkeyModel("startup-4", { valkey_ssl: true }), { cluster: {} });
            const off = valkeyDirectives(valkeyModel("startup-4", { valkey_ssl: true }), { cluster: {}, tls: { cluster: false } });
            expect(valueOf(on, "tls-cluster")).to.equal("yes");
            expect(valueOf(off, "tls-cluster")).to.equal("no");
            // Right after tls-replication.
            expect(
                on
                    .map((d) => d.name)
                    .slice(
                        on.findIndex((d) => d.name === "tls-replication"),
                        -1,
                    ),
            ).to.deep.equal([
                "tls-replication",
                "tls-cluster",
                "tls-protocols",
                "cluster-enabled",
                "cluster-config-file",
                "cluster-node-timeout",
                "cluster-allow-replica-migration",
                "cluster-replica-validity-factor",
                "cluster-require-full-coverage",
            ]);
        });

        it("refuses a TLS port equal to a kept plaintext port", () => {
            expect(() => valkeyDirectives(valkeyModel("startup-4"), { tls: { disablePlain: false } })).to.throw(
                "cache: the TLS port and the plaintext port are both 6379; set tls.port to another port (e.g. 6380) or tls.disablePlain to true",
            );
        });

        it("refuses plaintext replication without a plaintext port", () => {
            expect(() => valkeyDirectives(valkeyModel("startup-4", { valkey_ssl: true }), { tls: { replication: false } })).to.throw(
                "cache: tls.replication is false but the plaintext port is disabled, so replicas could not reach their primary; set tls.replication to true or tls.disablePlain to false",
            );
        });
    });
});
