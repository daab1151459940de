// Issue 11, finding 2: the exporter user may do what the redis_exporter sidecar does on a scrape
// and nothing else. As the user of seeds/002's rules it read the replication password
// (`CONFIG GET masterauth`) and could stop every client (`CLIENT PAUSE 1000 WRITE`). Checked on
// real cluster-mode servers in both ways a node gets its users: started from the rendered
// auth.conf (a restarted pod) and applied live by the provider (applyAcl).
import { expect } from "chai";
import { ChildProcess, spawn } from "child_process";
import * as http from "http";
import { NodeClient } from "../../provider/nodes/client";
import { applyAclEverywhere } from "../../provider/security/acl-apply";
import { AclPlanInput, resolveAclUsers } from "../../sdk/acl/users";
import { buildAuthSecret, buildStatefulSet } from "../../sdk/manifests";
import { valkeyClusterSpecSchema } from "../../sdk/spec/cluster";
import { buildClusterModel } from "../../sdk/spec/cluster-model";
import { ServiceModel, buildModel } from "../../sdk/spec/model";
import { valkeySpecSchema } from "../../sdk/spec/aiven";
import { exporterPassword } from "../../sdk/credentials/probe-password";
import { parseSpec } from "../../sdk/spec/validate";
import { exporterBinary, sidecarEnvironment } from "../helpers/exporter";
import { freePort, startValkey, stopAllValkeys, tempDir, ValkeyProcess } from "../helpers/valkey";
import { nodeTarget, connectAs, outcome } from "../helpers/nodes";

// Test-only passwords.
const DEFAULT_PW = "default-pw-0123456789";
const PW = { admin: "admin-pw-0123456789", repl: "repl-pw-0123456789", exporter: "exporter-pw-0123456789" };
const EXPORTER = "exporter-user";

/**
 * What redis_exporter v1.67.0 (DEFAULT_EXPORTER_IMAGE) sends on each scrape with the sidecar's
 * settings (exporter/exporter.go scrapeRedisHost: no check-keys, no client list, CONFIG skipped):
 * CLIENT SETNAME, INFO ALL, CLUSTER INFO on a cluster node, LATENCY LATEST and HISTOGRAM, SLOWLOG
 * LEN and GET 1. PING is its ping-on-connect option.
 */
const SCRAPE: readonly string[][] = [
    ["PING"],
    ["CLIENT", "SETNAME", "redis_exporter"],
    ["INFO", "ALL"],
    ["INFO"],
    ["CLUSTER", "INFO"],
    ["LATENCY", "LATEST"],
    ["LATENCY", "HISTOGRAM"],
    ["SLOWLOG", "LEN"],
    ["SLOWLOG", "GET", "1"],
];

/** Secrets, replication, pausing or killing clients, keys, resets: each with the command name valkey reports. */
const REFUSED: readonly [string[], string][] = [
    [["CONFIG", "GET", "masterauth"], "config|get"],
    [["CONFIG", "GET", "requirepass"], "config|get"],
    [["CONFIG", "GET", "*"], "config|get"],
    [["CONFIG", "SET", "maxmemory", "1"], "config|set"],
    [["CLIENT", "PAUSE", "1000", "WRITE"], "client|pause"],
    [["CLIENT", "KILL", "ID", "1"], "client|kill"],
    [["CLIENT", "LIST"], "client|list"],
    [["SYNC"], "sync"],
    [["PSYNC", "?", "-1"], "psync"],
    [["REPLCONF", "listening-port", "6380"], "replconf"],
    [["GET", "k"], "get"],
    [["SCAN", "0"], "scan"],
    [["KEYS", "*"], "keys"],
    [["EVAL", "return redis.call('get','k')", "0"], "eval"],
    [["MEMORY", "USAGE", "k"], "memory|usage"],
    [["SELECT", "1"], "select"],
    [["LATENCY", "RESET"], "latency|reset"],
    [["SLOWLOG", "RESET"], "slowlog|reset"],
    [["ACL", "GETUSER", "valkey-admin"], "acl|getuser"],
    [["CLUSTER", "NODES"], "cluster|nodes"],
];

function httpGet(url: string): Promise<string> {
    return new Promise((resolve, reject) => {
        http.get(url, (res) => {
            let body = "";
            res.on("data", (chunk) => (body += chunk));
            res.on("end", () => resolve(body));
        }).on("error", reject);
    });
}

describe("the exporter user on real servers: what a scrape needs, no secrets, no keys, no pausing clients", function () {
    this.timeout(30000);
    let cm: ServiceModel;
    let input: AclPlanInput;
    const servers: Record<"started from auth.conf" | "applied live", ValkeyProcess | undefined> = {
        "started from auth.conf": undefined,
        "applied live": undefined,
    };

    before(async () => {
        cm = buildClusterModel(
            "poc",
            parseSpec(
                valkeyClusterSpecSchema,
                {
                    exporter: { enabled: true },
                    acl: { admin: { passwords: [PW.admin] }, replication: { passwords: [PW.repl] }, exporter: { passwords: [PW.exporter] } },
                },
                "ValkeyCluster",
            ),
        );
        input = resolveAclUsers(cm.acl!, DEFAULT_PW);
        const authConf = buildAuthSecret(cm, DEFAULT_PW, input).stringData!["auth.conf"];
        servers["started from auth.conf"] = await startValkey({ config: authConf, password: DEFAULT_PW, cluster: true });

        const live = await startValkey({ password: DEFAULT_PW, args: ["--requirepass", DEFAULT_PW], cluster: true });
        const client = new NodeClient(nodeTarget(live), { credentials: { password: DEFAULT_PW } });
        const statuses = await applyAclEverywhere([client], input);
        client.close();
        expect(statuses.map((s) => s.status)).to.deep.equal(["Applied"]);
        servers["applied live"] = live;
    });
    after(stopAllValkeys);

    for (const kind of ["started from auth.conf", "applied live"] as const) {
        it(`${kind}: every command of a scrape succeeds as ${EXPORTER}, and the node logs no refused command`, async () => {
            const server = servers[kind]!;
            const admin = await connectAs(server, "valkey-admin", PW.admin);
            const exporter = await connectAs(server, EXPORTER, PW.exporter);
            try {
                await admin.call("ACL", "LOG", "RESET");
                for (const [command, ...args] of SCRAPE) {
                    const reply = await outcome(exporter.call(command, ...args) as Promise<unknown>);
                    expect(reply, `${command} ${args.join(" ")}`).not.to.match(/^(NOPERM|ERR)/);
                }
                expect(await outcome(exporter.call("INFO", "replication") as Promise<unknown>)).to.match(/^# Replication\r\nrole:master/);
                expect(await outcome(exporter.call("CLUSTER", "INFO") as Promise<unknown>)).to.match(/^cluster_state:/);
                expect(await admin.call("ACL", "LOG")).to.deep.equal([]);
            } finally {
                admin.disconnect();
                exporter.disconnect();
            }
        });

        it(`${kind}: CONFIG GET masterauth, CLIENT PAUSE, SYNC, GET and the other commands outside a scrape are refused with NOPERM`, async () => {
            const server = servers[kind]!;
            const exporter = await connectAs(server, EXPORTER, PW.exporter);
            try {
                const replies: string[] = [];
                for (const [[command, ...args]] of REFUSED) replies.push(await outcome(exporter.call(command, ...args) as Promise<unknown>));
                expect(replies).to.deep.equal(REFUSED.map(([, name]) => `NOPERM User ${EXPORTER} has no permissions to run the '${name}' command`));
                // Still connected and not paused: the refusals did nothing.
                expect(await exporter.ping()).to.equal("PONG");
            } finally {
                exporter.disconnect();
            }
        });
    }

    it("the real redis_exporter with the rendered sidecar's environment scrapes redis_up 1, and the node logs no refused command", async function () {
        const binary = exporterBinary();
        // Only where a redis_exporter binary is at hand; the command list above runs everywhere.
        if (binary === undefined) {
            // .ci/run builds one (scripts/redis-exporter.sh): under CI this test must run.
            if (process.env.CI === "true") throw new Error("no redis_exporter: set REDIS_EXPORTER_BIN (scripts/redis-exporter.sh builds one)");
            this.skip();
        }
        const server = servers["started from auth.conf"]!;
        const secret = buildAuthSecret(cm, DEFAULT_PW, input).stringData!;
        const sts = buildStatefulSet(cm, { configHash: "0123456789abcdef", exporterUser: EXPORTER });
        // The sidecar's rendered environment and password file, pointed at the local node.
        const { env, renderedAddr } = sidecarEnvironment(sts, secret, tempDir(), `redis://${server.host}:${server.port}`);
        expect(renderedAddr).to.equal("redis://localhost:6379");
        const metricsPort = await freePort();
        const admin = await connectAs(server, "valkey-admin", PW.admin);
        let child: ChildProcess | undefined;
        try {
            await admin.call("ACL", "LOG", "RESET");
            child = spawn(binary!, [], {
                stdio: "ignore",
                env: { ...env, REDIS_EXPORTER_WEB_LISTEN_ADDRESS: `127.0.0.1:${metricsPort}` },
            });
            let metrics = "";
            for (let attempt = 0; attempt < 100 && metrics === ""; attempt++) {
                metrics = await httpGet(`http://127.0.0.1:${metricsPort}/metrics`).catch(() => "");
                if (metrics === "") await new Promise((r) => setTimeout(r, 50));
            }
            expect(metrics).to.match(/^redis_up 1$/m);
            expect(metrics).to.match(/^redis_cluster_state 1$|^redis_cluster_state 0$/m);
            expect(metrics).to.match(/^redis_slowlog_length 0$/m);
            expect(await admin.call("ACL", "LOG")).to.deep.equal([]);
        } finally {
            if (child !== undefined && child.exitCode === null) {
                const exited = new Promise((r) => child!.once("exit", r));
                child.kill("SIGTERM");
                await exited;
            }
            admin.disconnect();
        }
    });
});

// The exporter on a Valkey plan (kubernetes.exporter, no ACL users): the sidecar still scrapes as a
// user of its own, with the same rules, whose password derives from the default user's.
describe("the exporter of a Valkey plan (kubernetes.exporter) on a real server", function () {
    this.timeout(30000);
    const model = buildModel(
        "valkey",
        "cache",
        parseSpec(valkeySpecSchema, { project: "p", plan: "startup-4", kubernetes: { exporter: { enabled: true } } }, "Valkey"),
    );
    let server: ValkeyProcess;
    let secret: Record<string, string>;

    before(async () => {
        secret = buildAuthSecret(model, DEFAULT_PW).stringData!;
        server = await startValkey({ config: secret["auth.conf"], password: DEFAULT_PW });
    });
    after(stopAllValkeys);

    it(`scrapes as ${EXPORTER} with the rendered password, and is refused CONFIG GET masterauth and CLIENT PAUSE`, async () => {
        const exporter = await connectAs(server, EXPORTER, exporterPassword(DEFAULT_PW));
        try {
            for (const [command, ...args] of SCRAPE.filter(([c]) => c !== "CLUSTER")) {
                expect(await outcome(exporter.call(command, ...args) as Promise<unknown>), `${command} ${args.join(" ")}`).not.to.match(/^(NOPERM|ERR)/);
            }
            expect(await outcome(exporter.call("CONFIG", "GET", "masterauth") as Promise<unknown>)).to.equal(
                `NOPERM User ${EXPORTER} has no permissions to run the 'config|get' command`,
            );
            expect(await outcome(exporter.call("CLIENT", "PAUSE", "1000", "WRITE") as Promise<unknown>)).to.equal(
                `NOPERM User ${EXPORTER} has no permissions to run the 'client|pause' command`,
            );
        } finally {
            exporter.disconnect();
        }
    });

    it("the real redis_exporter with the rendered sidecar's environment scrapes redis_up 1", async function () {
        const binary = exporterBinary();
        if (binary === undefined) {
            if (process.env.CI === "true") throw new Error("no redis_exporter: set REDIS_EXPORTER_BIN (scripts/redis-exporter.sh builds one)");
            this.skip();
        }
        const sts = buildStatefulSet(model, { configHash: "0123456789abcdef" });
        const { env } = sidecarEnvironment(sts, secret, tempDir(), `redis://${server.host}:${server.port}`);
        const metricsPort = await freePort();
        const child = spawn(binary!, [], { stdio: "ignore", env: { ...env, REDIS_EXPORTER_WEB_LISTEN_ADDRESS: `127.0.0.1:${metricsPort}` } });
        try {
            let metrics = "";
            for (let attempt = 0; attempt < 100 && !/^redis_up /m.test(metrics); attempt++) {
                metrics = await httpGet(`http://127.0.0.1:${metricsPort}/metrics`).catch(() => "");
                if (!/^redis_up /m.test(metrics)) await new Promise((r) => setTimeout(r, 50));
            }
            expect(metrics).to.match(/^redis_up 1$/m);
        } finally {
            if (child.exitCode === null) {
                const exited = new Promise((r) => child.once("exit", r));
                child.kill("SIGTERM");
                await exited;
            }
        }
    });
});
