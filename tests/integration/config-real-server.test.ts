// Every rendered valkey.conf is started with a real valkey-server 8.0 and read back with
// CONFIG GET: the directive names are ones 8.0 accepts, the values parse, and each took effect.
// The expected values are written as the server reports them (bytes, normalised flags, all
// client-output-buffer classes), not derived from the renderer.
import { expect } from "chai";
import { execFileSync } from "child_process";
import * as fs from "fs";
import Valkey from "iovalkey";
import * as path from "path";
import { RenderOptions, valkeyDirectives } from "../../sdk/config/directives";
import { renderValkeyConf } from "../../sdk/config/render";
import { RUNTIME_SETTABLE } from "../../sdk/config/runtime";
import { renderSentinelAuthConf, renderSentinelConf } from "../../sdk/config/sentinel";
import { ServiceModel } from "../../sdk/spec/model";
import { ValkeyProcess, freePort, startValkey, stopAllValkeys, tempDir } from "../helpers/valkey";
import { redisModel, valkeyModel } from "../unit/config/fixtures";

const HOST = "127.0.0.1";
const MiB = 1024 * 1024;

/** Valkey's own classes for normal and replica clients: rendering the pubsub class keeps them. */
const OTHER_OUTPUT_BUFFER_CLASSES = "normal 0 0 0 slave 268435456 67108864 60";

interface Certs {
    readonly dir: string;
    readonly caFile: string;
    readonly certFile: string;
    readonly keyFile: string;
}

/** A CA and a server certificate for 127.0.0.1, made with the openssl CLI. */
function makeCerts(): Certs {
    const dir = tempDir("pulumi-valkey-config-tls-");
    const file = (name: string) => path.join(dir, name);
    const openssl = (...args: string[]) => {
        try {
            execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
        } catch (e) {
            throw new Error(`openssl ${args[0]} failed (the TLS rows need the openssl CLI: apt-get install openssl): ${String(e)}`, { cause: e });
        }
    };
    const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    openssl("req", "-x509", ...ec, "-keyout", file("ca.key"), "-out", file("ca.crt"), "-days", "2", "-subj", "/CN=pulumi-valkey test CA");
    openssl("req", ...ec, "-keyout", file("server.key"), "-out", file("server.csr"), "-subj", "/CN=127.0.0.1");
    fs.writeFileSync(file("ext.cnf"), "subjectAltName=IP:127.0.0.1\n");
    openssl(
        "x509",
        "-req",
        "-in",
        file("server.csr"),
        "-CA",
        file("ca.crt"),
        "-CAkey",
        file("ca.key"),
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        file("ext.cnf"),
        "-out",
        file("server.crt"),
    );
    return { dir, caFile: file("ca.crt"), certFile: file("server.crt"), keyFile: file("server.key") };
}

function connect(port: number, extra: Record<string, unknown> = {}): Valkey {
    // No ready check: it would fail on a server that wants a password before the test can see why.
    return new Valkey({ host: HOST, port, lazyConnect: true, enableReadyCheck: false, retryStrategy: () => null, maxRetriesPerRequest: 0, ...extra });
}

async function configGet(client: Valkey, name: string): Promise<string> {
    const reply = (await client.call("CONFIG", "GET", name)) as string[];
    expect(reply, `CONFIG GET ${name}`).to.have.length(2);
    return reply[1];
}

async function errorOf(promise: Promise<unknown>): Promise<string> {
    try {
        await promise;
    } catch (e) {
        return (e as Error).message;
    }
    return "no error";
}

interface Row {
    readonly what: string;
    readonly engine: "valkey" | "redis";
    readonly plan: string;
    readonly userConfig: Record<string, unknown>;
    /** Render options besides dataDir, port and authInclude (set per row by the test). */
    readonly options?: (certs: Certs, tlsPort: number) => RenderOptions;
    /** A data directory with a space in its name, to prove quoting. */
    readonly spaceInDir?: boolean;
    /** CONFIG GET name -> value, exactly as the server reports it, over the defaults below. */
    readonly expected: (ctx: { dir: string; port: number; tlsPort: number; certs: Certs }) => Record<string, string>;
    /** Rendered directives the test cannot read back (overridden by the helper's command line). */
    readonly notReadBack?: readonly string[];
}

/** What the server reports for a startup-4 Valkey with an empty userConfig. */
function serverDefaults(dir: string, port: number): Record<string, string> {
    return {
        "protected-mode": "no",
        port: String(port),
        daemonize: "no",
        dir,
        databases: "16",
        timeout: "300",
        "io-threads": "1",
        maxmemory: String(3072 * MiB),
        "maxmemory-policy": "noeviction",
        "lfu-log-factor": "10",
        "lfu-decay-time": "1",
        "client-output-buffer-limit": `${OTHER_OUTPUT_BUFFER_CLASSES} pubsub 33554432 8388608 60`,
        "notify-keyspace-events": "",
        "acl-pubsub-default": "allchannels",
        save: "600 1",
        appendonly: "no",
        appendfsync: "everysec",
        "aof-use-rdb-preamble": "yes",
        "shutdown-on-sigterm": "save",
        "shutdown-on-sigint": "save",
        "repl-diskless-sync": "yes",
        "repl-diskless-sync-delay": "1",
    };
}

// The helper starts every server with `--bind 127.0.0.1` (tests stay on loopback), which
// overrides the rendered `bind * -::*`; the file's bind line is still parsed at start.
const ALWAYS_OVERRIDDEN = ["bind"];

const ROWS: Row[] = [
    {
        what: "Aiven plan startup-4, empty userConfig: Aiven's defaults",
        engine: "valkey",
        plan: "startup-4",
        userConfig: {},
        expected: ({ dir, port }) => serverDefaults(dir, port),
    },
    {
        what: "Aiven plan hobbyist, every Valkey tuning option, a data dir with a space",
        engine: "valkey",
        plan: "hobbyist",
        userConfig: {
            valkey_maxmemory_policy: "allkeys-lfu",
            valkey_lfu_log_factor: 20,
            valkey_lfu_decay_time: 5,
            valkey_timeout: 0,
            valkey_io_threads: 2,
            valkey_number_of_databases: 32,
            valkey_notify_keyspace_events: "KEA",
            valkey_pubsub_client_output_buffer_limit: 64,
            valkey_acl_channels_default: "resetchannels",
            valkey_persistence: "rdb",
            frequent_snapshots: false,
            valkey_ssl: false,
        },
        spaceInDir: true,
        expected: ({ dir, port }) => ({
            ...serverDefaults(dir, port),
            "maxmemory-policy": "allkeys-lfu",
            "lfu-log-factor": "20",
            "lfu-decay-time": "5",
            timeout: "0",
            "io-threads": "2",
            databases: "32",
            "notify-keyspace-events": "AKE",
            "client-output-buffer-limit": `${OTHER_OUTPUT_BUFFER_CLASSES} pubsub 67108864 16777216 60`,
            "acl-pubsub-default": "resetchannels",
            maxmemory: String(768 * MiB),
            save: "",
        }),
    },
    {
        what: "add-on plan free: no persistence, 48 MiB",
        engine: "valkey",
        plan: "free",
        userConfig: { valkey_maxmemory_policy: "allkeys-lru", valkey_notify_keyspace_events: "Ex$" },
        expected: ({ dir, port }) => ({
            ...serverDefaults(dir, port),
            maxmemory: String(48 * MiB),
            "maxmemory-policy": "allkeys-lru",
            "notify-keyspace-events": "$xE",
            save: "",
            // No disk (an emptyDir): nothing to save for.
            "shutdown-on-sigterm": "default",
            "shutdown-on-sigint": "default",
        }),
    },
    {
        what: "add-on plan standard: a daily RDB snapshot",
        engine: "valkey",
        plan: "standard",
        userConfig: { valkey_persistence: "rdb", frequent_snapshots: true },
        expected: ({ dir, port }) => ({ ...serverDefaults(dir, port), maxmemory: String(192 * MiB), save: "86400 1" }),
    },
    {
        what: "add-on plan pro: RDB + AOF, TLS only (valkey_ssl)",
        engine: "valkey",
        plan: "pro",
        userConfig: { valkey_ssl: true, valkey_pubsub_client_output_buffer_limit: 512 },
        options: (certs, tlsPort) => ({ tls: { port: tlsPort, certFile: certs.certFile, keyFile: certs.keyFile, caFile: certs.caFile } }),
        // The file says `port 0`; the helper's `--port` keeps a plaintext port for its readiness probe.
        notReadBack: ["port"],
        expected: ({ dir, port, tlsPort, certs }) => {
            const { port: _plain, ...rest } = serverDefaults(dir, port);
            return {
                ...rest,
                maxmemory: String(768 * MiB),
                "client-output-buffer-limit": `${OTHER_OUTPUT_BUFFER_CLASSES} pubsub 536870912 134217728 60`,
                appendonly: "yes",
                "tls-port": String(tlsPort),
                "tls-cert-file": certs.certFile,
                "tls-key-file": certs.keyFile,
                "tls-ca-cert-file": certs.caFile,
                "tls-auth-clients": "optional",
                "tls-replication": "yes",
                "tls-protocols": "TLSv1.2 TLSv1.3",
            };
        },
    },
    {
        what: "Redis spec, Aiven plan business-4: every redis_* option",
        engine: "redis",
        plan: "business-4",
        userConfig: {
            redis_maxmemory_policy: "volatile-lfu",
            redis_lfu_log_factor: 0,
            redis_lfu_decay_time: 120,
            redis_timeout: 31536000,
            redis_io_threads: 3,
            redis_number_of_databases: 1,
            redis_notify_keyspace_events: "Kg$lshzxentdm",
            redis_pubsub_client_output_buffer_limit: 33,
            redis_acl_channels_default: "allchannels",
            redis_persistence: "off",
            redis_ssl: false,
        },
        expected: ({ dir, port }) => ({
            ...serverDefaults(dir, port),
            "maxmemory-policy": "volatile-lfu",
            "lfu-log-factor": "0",
            "lfu-decay-time": "120",
            timeout: "31536000",
            "io-threads": "3",
            databases: "1",
            // 8.0 leaves n out of the reply when A is set; the flag itself is kept (new-key events fire).
            "notify-keyspace-events": "AKm",
            "client-output-buffer-limit": `${OTHER_OUTPUT_BUFFER_CLASSES} pubsub 34603008 8650752 60`,
            // 2 nodes: full syncs to the replica fork even without persistence.
            maxmemory: String(3072 * MiB),
            save: "",
            "shutdown-on-sigterm": "default",
            "shutdown-on-sigint": "default",
        }),
    },
    {
        what: "cluster mode with an announced hostname, TLS beside a plaintext port, every TLS option",
        engine: "valkey",
        plan: "premium-1",
        userConfig: {},
        options: (certs, tlsPort) => ({
            cluster: { announceHostname: "cache-0.cache-headless.config-test.svc.cluster.local" },
            tls: {
                port: tlsPort,
                certFile: certs.certFile,
                keyFile: certs.keyFile,
                caFile: certs.caFile,
                authClients: "no",
                replication: true,
                cluster: true,
                protocols: "TLSv1.3",
                ciphers: "ECDHE-ECDSA-AES256-GCM-SHA384",
                ciphersuites: "TLS_AES_256_GCM_SHA384",
                disablePlain: false,
            },
        }),
        expected: ({ dir, port, tlsPort, certs }) => ({
            ...serverDefaults(dir, port),
            maxmemory: String(768 * MiB),
            "tls-port": String(tlsPort),
            "tls-cert-file": certs.certFile,
            "tls-key-file": certs.keyFile,
            "tls-ca-cert-file": certs.caFile,
            "tls-auth-clients": "no",
            "tls-replication": "yes",
            "tls-cluster": "yes",
            "tls-protocols": "TLSv1.3",
            "tls-ciphers": "ECDHE-ECDSA-AES256-GCM-SHA384",
            "tls-ciphersuites": "TLS_AES_256_GCM_SHA384",
            databases: "1",
            "cluster-enabled": "yes",
            "cluster-config-file": path.join(dir, "nodes.conf"),
            "cluster-node-timeout": "2000",
            "cluster-allow-replica-migration": "no",
            "cluster-replica-validity-factor": "0",
            "cluster-require-full-coverage": "no",
            "cluster-announce-hostname": "cache-0.cache-headless.config-test.svc.cluster.local",
            "cluster-preferred-endpoint-type": "hostname",
        }),
    },
];

/** The userConfig options (prefix stripped) that map to a directive: the rows must cover all. */
const MAPPED_OPTIONS = [
    "acl_channels_default",
    "io_threads",
    "lfu_decay_time",
    "lfu_log_factor",
    "maxmemory_policy",
    "notify_keyspace_events",
    "number_of_databases",
    "persistence",
    "pubsub_client_output_buffer_limit",
    "ssl",
    "timeout",
    "frequent_snapshots",
];

function modelOf(row: Row): ServiceModel {
    return row.engine === "valkey" ? valkeyModel(row.plan, row.userConfig) : redisModel(row.plan, row.userConfig);
}

describe("config on a real valkey-server 8.0", function () {
    this.timeout(30000);
    let certs: Certs;

    before(() => {
        certs = makeCerts();
    });
    after(stopAllValkeys);

    it("the rows cover every userConfig option that maps to a directive, for both engines", () => {
        const used = (engine: string) =>
            new Set(ROWS.filter((r) => r.engine === engine).flatMap((r) => Object.keys(r.userConfig).map((k) => k.replace(/^(valkey|redis)_/, ""))));
        expect(MAPPED_OPTIONS.filter((o) => !used("valkey").has(o))).to.deep.equal([]);
        // The Redis spec has no frequent_snapshots (seeds/001).
        expect(MAPPED_OPTIONS.filter((o) => o !== "frequent_snapshots" && !used("redis").has(o))).to.deep.equal([]);
        expect([...new Set(ROWS.map((r) => r.plan))]).to.include.members(["free", "standard", "pro", "startup-4"]);
    });

    for (const row of ROWS) {
        it(row.what, async () => {
            let dir = tempDir("pulumi-valkey-config-");
            if (row.spaceInDir) {
                dir = path.join(dir, "data dir");
                fs.mkdirSync(dir);
            }
            const port = await freePort();
            const tlsPort = await freePort();
            const options: RenderOptions = { ...(row.options?.(certs, tlsPort) ?? {}), dataDir: dir, port, authInclude: null };
            const model = modelOf(row);
            const server = await startValkey({ config: renderValkeyConf(model, options), dir, port });
            const client = connect(server.port);
            try {
                await client.connect();
                const expected = row.expected({ dir, port, tlsPort, certs });
                // The table names every directive the file has, so none goes unchecked.
                const rendered = valkeyDirectives(model, options)
                    .map((d) => d.name)
                    .filter((name) => !ALWAYS_OVERRIDDEN.includes(name) && !(row.notReadBack ?? []).includes(name));
                expect(Object.keys(expected).sort()).to.deep.equal([...rendered].sort());
                const actual: Record<string, string> = {};
                for (const name of Object.keys(expected)) actual[name] = await configGet(client, name);
                expect(actual, server.log()).to.deep.equal(expected);

                if (expected["tls-port"] !== undefined) {
                    const tlsClient = connect(tlsPort, { tls: { ca: fs.readFileSync(certs.caFile) } });
                    try {
                        await tlsClient.connect();
                        expect(await tlsClient.ping()).to.equal("PONG");
                    } finally {
                        tlsClient.disconnect();
                    }
                }
            } finally {
                client.disconnect();
                await server.stop();
            }
        });
    }

    it("the auth include sets requirepass and masterauth; clients without the password are refused", async () => {
        const dir = tempDir("pulumi-valkey-config-");
        const authFile = path.join(dir, "auth.conf");
        fs.writeFileSync(authFile, "requirepass s3cret-include\nmasterauth s3cret-include\n");
        const port = await freePort();
        const conf = renderValkeyConf(valkeyModel("startup-4"), { dataDir: dir, port, authInclude: authFile });
        expect(conf.trimEnd().split("\n").pop()).to.equal(`include ${authFile}`);
        const server = await startValkey({ config: conf, dir, port, password: "s3cret-include" });
        const anonymous = connect(server.port);
        const authed = connect(server.port, { password: "s3cret-include" });
        try {
            await anonymous.connect();
            expect(await errorOf(anonymous.ping())).to.equal("NOAUTH Authentication required.");
            await authed.connect();
            expect(await configGet(authed, "requirepass")).to.equal("s3cret-include");
            expect(await configGet(authed, "primaryauth")).to.equal("s3cret-include");
            // The rest of the file still took effect.
            expect(await configGet(authed, "timeout")).to.equal("300");
        } finally {
            anonymous.disconnect();
            authed.disconnect();
            await server.stop();
        }
    });

    describe("runtime settability", () => {
        let server: ValkeyProcess;
        let client: Valkey;

        before(async () => {
            const dir = tempDir("pulumi-valkey-config-");
            const port = await freePort();
            const tlsPort = await freePort();
            // TLS configured, so tls-replication and tls-cluster can be switched on.
            const conf = renderValkeyConf(valkeyModel("startup-4"), {
                dataDir: dir,
                port,
                authInclude: null,
                tls: { port: tlsPort, certFile: certs.certFile, keyFile: certs.keyFile, caFile: certs.caFile, disablePlain: false },
            });
            server = await startValkey({ config: conf, dir, port });
            client = connect(server.port);
            await client.connect();
        });
        after(async () => {
            client?.disconnect();
            // SIGKILL: after `CONFIG SET appendonly yes` 8.0 refuses a SIGTERM that arrives during the
            // initial AOF rewrite ("Writing initial AOF, can't exit.") and keeps running.
            await server?.kill9();
        });

        // name -> [CONFIG SET value, CONFIG GET reply]; each value differs from what the file set,
        // except the certificate paths.
        const samples = (c: Certs): Record<string, [string, string]> => ({
            maxmemory: ["100mb", String(100 * MiB)],
            "maxmemory-policy": ["allkeys-lru", "allkeys-lru"],
            "lfu-log-factor": ["30", "30"],
            "lfu-decay-time": ["7", "7"],
            timeout: ["60", "60"],
            "notify-keyspace-events": ["Ex", "xE"],
            "client-output-buffer-limit": ["pubsub 128mb 32mb 60", `${OTHER_OUTPUT_BUFFER_CLASSES} pubsub 134217728 33554432 60`],
            "acl-pubsub-default": ["resetchannels", "resetchannels"],
            "protected-mode": ["yes", "yes"],
            save: ["", ""],
            appendonly: ["yes", "yes"],
            appendfsync: ["always", "always"],
            "aof-use-rdb-preamble": ["no", "no"],
            "auto-aof-rewrite-percentage": ["50", "50"],
            "auto-aof-rewrite-min-size": ["32mb", String(32 * MiB)],
            "shutdown-on-sigterm": ["default", "default"],
            "shutdown-on-sigint": ["nosave", "nosave"],
            "repl-diskless-sync": ["no", "no"],
            "repl-diskless-sync-delay": ["0", "0"],
            "cluster-node-timeout": ["3000", "3000"],
            "cluster-allow-replica-migration": ["yes", "yes"],
            "cluster-replica-validity-factor": ["10", "10"],
            "cluster-require-full-coverage": ["yes", "yes"],
            "cluster-announce-hostname": ["node-1.example", "node-1.example"],
            "cluster-announce-ip": ["10.1.2.3", "10.1.2.3"],
            "cluster-preferred-endpoint-type": ["hostname", "hostname"],
            primaryauth: ["replication-password-1", "replication-password-1"],
            primaryuser: ["replicator", "replicator"],
            masterauth: ["replication-password-2", "replication-password-2"],
            masteruser: ["replicator-2", "replicator-2"],
            requirepass: ["new-password", "new-password"],
            // The same paths again: this is how renewed certificates are loaded.
            "tls-cert-file": [c.certFile, c.certFile],
            "tls-key-file": [c.keyFile, c.keyFile],
            "tls-ca-cert-file": [c.caFile, c.caFile],
            "tls-auth-clients": ["no", "no"],
            "tls-replication": ["yes", "yes"],
            "tls-cluster": ["yes", "yes"],
            "tls-protocols": ["TLSv1.3", "TLSv1.3"],
            "tls-ciphers": ["HIGH:!aNULL", "HIGH:!aNULL"],
            "tls-ciphersuites": ["TLS_CHACHA20_POLY1305_SHA256", "TLS_CHACHA20_POLY1305_SHA256"],
        });

        it("has a sample for exactly the names in RUNTIME_SETTABLE", () => {
            expect(Object.keys(samples(certs)).sort()).to.deep.equal([...RUNTIME_SETTABLE].sort());
        });

        it("every name in RUNTIME_SETTABLE is taken by CONFIG SET on a running server", async () => {
            const actual: Record<string, string> = {};
            const expected: Record<string, string> = {};
            // The connection stays authenticated when requirepass changes, so order does not matter.
            for (const [name, [value, reply]] of Object.entries(samples(certs))) {
                expect(await client.call("CONFIG", "SET", name, value), `CONFIG SET ${name}`).to.equal("OK");
                actual[name] = await configGet(client, name);
                expected[name] = reply;
            }
            expect(actual, server.log()).to.deep.equal(expected);
        });

        it("every rendered directive outside RUNTIME_SETTABLE is refused by CONFIG SET, except the listener ports", async () => {
            // A rich render: cluster, TLS with every option, an include.
            const everything = valkeyDirectives(valkeyModel("pro", { valkey_ssl: true }), {
                cluster: { announceHostname: "h" },
                tls: { ciphers: "HIGH", ciphersuites: "TLS_AES_256_GCM_SHA384" },
            });
            const restartOnly = everything.filter((d) => !RUNTIME_SETTABLE.has(d.name) && d.name !== "include");
            const DELIBERATE = ["bind", "port", "tls-port"];
            const refusals: Record<string, string> = {};
            for (const d of restartOnly.filter((d) => !DELIBERATE.includes(d.name))) {
                refusals[d.name] = await errorOf(client.call("CONFIG", "SET", d.name, d.value));
            }
            const refused = (name: string, why: "immutable" | "protected") =>
                `ERR CONFIG SET failed (possibly related to argument '${name}') - can't set ${why} config`;
            expect(refusals).to.deep.equal({
                daemonize: refused("daemonize", "immutable"),
                dir: refused("dir", "protected"),
                databases: refused("databases", "immutable"),
                "io-threads": refused("io-threads", "immutable"),
                "cluster-enabled": refused("cluster-enabled", "immutable"),
                "cluster-config-file": refused("cluster-config-file", "immutable"),
            });
            expect(restartOnly.map((d) => d.name).filter((n) => DELIBERATE.includes(n))).to.deep.equal(["bind", "port", "tls-port"]);
        });
    });

    describe("sentinel.conf on a real valkey-sentinel", () => {
        const PASSWORD = "sentinel-test-password";

        /** SENTINEL MASTER <group> as a map. */
        async function primaryAsSeen(client: Valkey, group: string): Promise<Record<string, string>> {
            const flat = (await client.call("SENTINEL", "MASTER", group)) as string[];
            const out: Record<string, string> = {};
            for (let i = 0; i < flat.length; i += 2) out[flat[i]] = flat[i + 1];
            return out;
        }

        /** Polls until Sentinel has an INFO reply from the primary (`info-refresh` is 0 until then). */
        async function waitForInfo(client: Valkey, group: string, timeoutMs = 5000): Promise<Record<string, string>> {
            const deadline = Date.now() + timeoutMs;
            for (;;) {
                const seen = await primaryAsSeen(client, group);
                if (seen["info-refresh"] !== "0") return seen;
                if (Date.now() > deadline) throw new Error(`Sentinel had no INFO reply from the primary: ${JSON.stringify(seen)}`);
                await new Promise((r) => setTimeout(r, 50));
            }
        }

        /** A data node with the rendered valkey.conf and an auth include holding PASSWORD. */
        async function startDataNode(extra: RenderOptions = {}, args: string[] = []): Promise<{ server: ValkeyProcess; authFile: string }> {
            const dir = tempDir("pulumi-valkey-config-");
            const authFile = path.join(dir, "auth.conf");
            fs.writeFileSync(authFile, `requirepass ${PASSWORD}\nmasterauth ${PASSWORD}\n`);
            const port = await freePort();
            const conf = renderValkeyConf(valkeyModel("premium-1"), { ...extra, dataDir: dir, port, authInclude: authFile });
            // Also ::1 (when the host has it), so "localhost" reaches the node however it resolves.
            const server = await startValkey({ config: conf, dir, port, password: PASSWORD, args: ["--bind", HOST, "-::1", ...args] });
            return { server, authFile };
        }

        async function startSentinel(primaryPort: number, withAuth: boolean, tls?: RenderOptions["tls"]): Promise<ValkeyProcess> {
            const dir = tempDir("pulumi-valkey-sentinel-");
            const authFile = path.join(dir, "sentinel-auth.conf");
            fs.writeFileSync(authFile, renderSentinelAuthConf("cache", PASSWORD));
            const port = await freePort();
            const conf = renderSentinelConf(valkeyModel("premium-1"), {
                // A DNS name, not an IP: only accepted with resolve-hostnames, which must come first.
                primaryHost: "localhost",
                primaryPort,
                quorum: 1,
                port,
                dataDir: dir,
                authInclude: withAuth ? authFile : null,
                tls,
            });
            return startValkey({ binary: "valkey-sentinel", config: conf, dir, port });
        }

        it("monitors the primary by name with the rendered settings and authenticates with the included auth-pass", async () => {
            const primary = await startDataNode();
            // A replica first, so the Sentinel's first INFO of the primary already lists it.
            const replica = await startDataNode({}, ["--replicaof", "localhost", String(primary.server.port)]);
            const primaryClient = connect(primary.server.port, { password: PASSWORD });
            let sentinel: ValkeyProcess | undefined;
            try {
                // The replica authenticates with masterauth from the same include.
                await primaryClient.connect();
                for (let i = 0; !(await primaryClient.info("replication")).includes("connected_slaves:1"); i++) {
                    if (i > 100) throw new Error(`the replica did not connect to the primary:\n${replica.server.log()}`);
                    await new Promise((r) => setTimeout(r, 50));
                }

                sentinel = await startSentinel(primary.server.port, true);
                const sentinelClient = connect(sentinel.port);
                await sentinelClient.connect();
                try {
                    const seen = await waitForInfo(sentinelClient, "cache");
                    expect(
                        {
                            name: seen.name,
                            ip: seen.ip,
                            port: seen.port,
                            flags: seen.flags,
                            quorum: seen.quorum,
                            "down-after-milliseconds": seen["down-after-milliseconds"],
                            "failover-timeout": seen["failover-timeout"],
                            "parallel-syncs": seen["parallel-syncs"],
                            "role-reported": seen["role-reported"],
                            "num-slaves": seen["num-slaves"],
                        },
                        sentinel.log(),
                    ).to.deep.equal({
                        name: "cache",
                        ip: "localhost",
                        port: String(primary.server.port),
                        flags: "master",
                        quorum: "1",
                        "down-after-milliseconds": "5000",
                        "failover-timeout": "60000",
                        "parallel-syncs": "1",
                        "role-reported": "master",
                        "num-slaves": "1",
                    });
                    expect(await sentinelClient.call("SENTINEL", "CONFIG", "GET", "*-hostnames")).to.deep.equal([
                        "resolve-hostnames",
                        "yes",
                        "announce-hostnames",
                        "yes",
                    ]);
                } finally {
                    sentinelClient.disconnect();
                }
            } finally {
                primaryClient.disconnect();
                await sentinel?.stop();
                await replica.server.stop();
                await primary.server.stop();
            }
        });

        it("without the auth include it gets no INFO from a primary with a password (the include is what works)", async () => {
            const primary = await startDataNode();
            const sentinel = await startSentinel(primary.server.port, false);
            const sentinelClient = connect(sentinel.port);
            try {
                await sentinelClient.connect();
                await new Promise((r) => setTimeout(r, 1500));
                expect((await primaryAsSeen(sentinelClient, "cache"))["info-refresh"]).to.equal("0");
            } finally {
                sentinelClient.disconnect();
                await sentinel.stop();
                await primary.server.stop();
            }
        });

        it("a TLS Sentinel reaches a TLS primary over TLS", async () => {
            const tlsPort = await freePort();
            const tls = { port: tlsPort, certFile: certs.certFile, keyFile: certs.keyFile, caFile: certs.caFile };
            const primary = await startDataNode({ tls });
            // Sentinel is told the TLS port: only tls-replication makes it speak TLS there.
            const sentinel = await startSentinel(tlsPort, true, {
                certFile: certs.certFile,
                keyFile: certs.keyFile,
                caFile: certs.caFile,
                port: await freePort(),
            });
            const sentinelClient = connect(sentinel.port);
            try {
                await sentinelClient.connect();
                const seen = await waitForInfo(sentinelClient, "cache");
                expect({ port: seen.port, flags: seen.flags }, sentinel.log()).to.deep.equal({ port: String(tlsPort), flags: "master" });
            } finally {
                sentinelClient.disconnect();
                await sentinel.stop();
                await primary.server.stop();
            }
        });
    });
});
