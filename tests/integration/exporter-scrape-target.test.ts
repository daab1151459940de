// The exporter sidecar's password goes to the pod's own Valkey and nowhere else. redis_exporter's
// `/scrape?target=redis://<any host>` makes it connect wherever a caller of 9121 asks; with
// REDIS_PASSWORD (the rendering before exporter-passwords.json) it sent `AUTH [user] <password>`
// there, so a listener of the caller's own took the exporter user's password, or without ACL the
// default user's. Real redis_exporter with the sidecar's rendered environment and password file,
// real valkey-server with the rendered auth.conf, and a Node TCP listener as the foreign target.
import { expect } from "chai";
import { ChildProcess, spawn } from "child_process";
import * as http from "http";
import Valkey from "iovalkey";
import * as net from "net";
import { resolveAclUsers } from "../../sdk/acl/users";
import { exporterPassword } from "../../sdk/credentials/probe-password";
import { buildAuthSecret, buildStatefulSet } from "../../sdk/manifests";
import { valkeyClusterSpecSchema } from "../../sdk/spec/cluster";
import { buildClusterModel } from "../../sdk/spec/cluster-model";
import { parseSpec } from "../../sdk/spec/validate";
import { exporterBinary, sidecarEnvironment } from "../helpers/exporter";
import { freePort, startValkey, stopAllValkeys, tempDir } from "../helpers/valkey";

const HOST = "127.0.0.1";

// Test-only passwords.
const DEFAULT_PW = "default-pw-0123456789abcdef";
const PW = { admin: "admin-pw-0123456789abcdef", repl: "repl-pw-0123456789abcdef", exporter: "exporter-pw-0123456789abcdef" };
const EXPORTER = "exporter-user";

function httpGet(url: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
        http.get(url, (res) => {
            let body = "";
            res.on("data", (chunk) => (body += chunk));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        }).on("error", reject);
    });
}

/** RESP commands (arrays of bulk strings) complete in `buf`, and the bytes they took. */
function parseCommands(buf: Buffer): { commands: string[][]; used: number } {
    const commands: string[][] = [];
    let at = 0;
    const line = (from: number) => {
        const end = buf.indexOf("\r\n", from);
        return end < 0 ? undefined : { text: buf.subarray(from, end).toString(), next: end + 2 };
    };
    for (;;) {
        const head = line(at);
        if (head === undefined || !head.text.startsWith("*")) return { commands, used: at };
        let pos = head.next;
        const args: string[] = [];
        for (let i = 0; i < Number(head.text.slice(1)); i++) {
            const len = line(pos);
            if (len === undefined) return { commands, used: at };
            const n = Number(len.text.slice(1));
            if (buf.length < len.next + n + 2) return { commands, used: at };
            args.push(buf.subarray(len.next, len.next + n).toString());
            pos = len.next + n + 2;
        }
        commands.push(args);
        at = pos;
    }
}

/**
 * A TCP listener that records every byte each connection sends and answers every command with an
 * error, so redis_exporter goes through as much of its scrape as it does against a server that
 * refuses it (an AUTH refused ends the connection).
 */
async function startRecorder(): Promise<{ port: number; bytes: () => Buffer; commands: () => string[][]; close: () => Promise<void> }> {
    const received: Buffer[] = [];
    const commands: string[][] = [];
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => {
        sockets.add(socket);
        let pending = Buffer.alloc(0);
        socket.on("data", (chunk) => {
            received.push(chunk);
            pending = Buffer.concat([pending, chunk]);
            const parsed = parseCommands(pending);
            pending = pending.subarray(parsed.used);
            for (const c of parsed.commands) {
                commands.push(c);
                socket.write("-ERR this is not Valkey\r\n");
            }
        });
        socket.on("error", () => undefined);
        socket.on("close", () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
    return {
        port: (server.address() as net.AddressInfo).port,
        bytes: () => Buffer.concat(received),
        commands: () => commands.map((c) => [...c]),
        close: () => {
            for (const s of sockets) s.destroy();
            return new Promise((resolve) => server.close(() => resolve()));
        },
    };
}

interface Variant {
    readonly name: string;
    readonly spec: Record<string, unknown>;
    readonly acl: boolean;
    /** The password the sidecar authenticates with. */
    readonly password: string;
    /**
     * What the listener receives with the password file: the scrape's commands with no AUTH before
     * them (REDIS_USER alone makes redis_exporter send no AUTH), each refused, so it stops after
     * INFO. No CONFIG GET: the sidecar runs REDIS_EXPORTER_CONFIG_COMMAND=- (its user may not).
     */
    readonly received: string[][];
}

const VARIANTS: readonly Variant[] = [
    {
        // Without ACL too the sidecar scrapes as exporter-user (EXPORTER_RULES), never as default.
        name: "without ACL (exporter-user, its password derived from the default user's)",
        spec: { exporter: { enabled: true } },
        acl: false,
        password: exporterPassword(DEFAULT_PW),
        received: [["CLIENT", "SETNAME", "redis_exporter"], ["INFO", "ALL"], ["INFO"]],
    },
    {
        name: "with ACL (the exporter user's password)",
        spec: {
            exporter: { enabled: true },
            acl: { admin: { passwords: [PW.admin] }, replication: { passwords: [PW.repl] }, exporter: { passwords: [PW.exporter] } },
        },
        acl: true,
        password: PW.exporter,
        received: [["CLIENT", "SETNAME", "redis_exporter"], ["INFO", "ALL"], ["INFO"]],
    },
];

describe("the exporter sidecar's password reaches only its own node, never a /scrape target (real redis_exporter and valkey-server)", function () {
    this.timeout(60000);
    const children: ChildProcess[] = [];
    after(async () => {
        for (const child of children) {
            if (child.exitCode !== null || child.signalCode !== null) continue;
            const exited = new Promise((r) => child.once("exit", r));
            child.kill("SIGTERM");
            await exited;
        }
        await stopAllValkeys();
    });

    for (const variant of VARIANTS) {
        describe(variant.name, () => {
            let metricsPort = 0;
            let logs = "";
            let ownTarget = "";
            let admin: Valkey | undefined;
            after(() => admin?.disconnect());
            before(async function () {
                const binary = exporterBinary();
                if (binary === undefined) {
                    // .ci/run builds one (scripts/redis-exporter.sh): under CI this test must run.
                    if (process.env.CI === "true") throw new Error("no redis_exporter: set REDIS_EXPORTER_BIN (scripts/redis-exporter.sh builds one)");
                    this.skip();
                }
                const cm = buildClusterModel("poc", parseSpec(valkeyClusterSpecSchema, variant.spec, "ValkeyCluster"));
                const secret = buildAuthSecret(cm, DEFAULT_PW, variant.acl ? resolveAclUsers(cm.acl!, DEFAULT_PW) : undefined).stringData!;
                const server = await startValkey({ config: secret["auth.conf"], password: DEFAULT_PW, cluster: true });
                const sts = buildStatefulSet(cm, { configHash: "0123456789abcdef", ...(variant.acl ? { exporterUser: EXPORTER } : {}) });
                ownTarget = `redis://${server.host}:${server.port}`;
                admin = new Valkey({
                    host: server.host,
                    port: server.port,
                    ...(variant.acl ? { username: "valkey-admin", password: PW.admin } : { password: DEFAULT_PW }),
                    lazyConnect: true,
                });
                await admin.connect();
                // A lone cluster node serving every slot, holding a key a scrape must not reveal.
                await admin.call("CLUSTER", "ADDSLOTSRANGE", "0", "16383");
                for (let i = 0; i < 100 && !String(await admin.call("CLUSTER", "INFO")).includes("cluster_state:ok"); i++)
                    await new Promise((r) => setTimeout(r, 50));
                await admin.set("session:alice", "s3cr3t-token");
                const { env, renderedAddr } = sidecarEnvironment(sts, secret, tempDir(), ownTarget);
                expect(renderedAddr).to.equal("redis://localhost:6379");
                metricsPort = await freePort();
                const child = spawn(binary!, [], {
                    stdio: ["ignore", "pipe", "pipe"],
                    env: { ...env, REDIS_EXPORTER_WEB_LISTEN_ADDRESS: `${HOST}:${metricsPort}` },
                });
                children.push(child);
                child.stdout!.on("data", (c) => (logs += c));
                child.stderr!.on("data", (c) => (logs += c));
                for (let attempt = 0; attempt < 100; attempt++) {
                    if ((await httpGet(`http://${HOST}:${metricsPort}/health`).catch(() => undefined))?.status === 200) return;
                    await new Promise((r) => setTimeout(r, 50));
                }
                throw new Error(`redis_exporter did not start: ${logs}`);
            });

            it("/metrics: redis_up 1 on its own node", async () => {
                const { status, body } = await httpGet(`http://${HOST}:${metricsPort}/metrics`);
                expect(status).to.equal(200);
                expect(body.split("\n").filter((l) => l.startsWith("redis_up "))).to.deep.equal(["redis_up 1"]);
            });

            it("/scrape?target=redis://127.0.0.1:<a listener>: the listener receives the scrape's commands and no password", async () => {
                const recorder = await startRecorder();
                try {
                    const { status, body } = await httpGet(
                        `http://${HOST}:${metricsPort}/scrape?target=${encodeURIComponent(`redis://${HOST}:${recorder.port}`)}`,
                    );
                    expect(status).to.equal(200);
                    expect(body.split("\n").filter((l) => l.startsWith("redis_up "))).to.deep.equal(["redis_up 0"]);
                    const bytes = recorder.bytes();
                    // Every password the Secret holds, not only the sidecar's own.
                    for (const pw of [variant.password, DEFAULT_PW, PW.admin, PW.repl, PW.exporter]) {
                        expect(bytes.includes(pw), `the listener received ${JSON.stringify(bytes.toString())}`).to.equal(false);
                    }
                    expect(recorder.commands()).to.deep.equal(variant.received);
                    expect(bytes.length).to.be.greaterThan(0);
                } finally {
                    await recorder.close();
                }
            });

            it("/scrape of its own node with check-keys, check-single-keys and count-keys: no key name or value in the metrics", async () => {
                const query = `target=${encodeURIComponent(ownTarget)}&check-keys=${encodeURIComponent("db0=*")}&check-single-keys=${encodeURIComponent("db0=session:alice")}&count-keys=${encodeURIComponent("db0=session*")}`;
                const { status, body } = await httpGet(`http://${HOST}:${metricsPort}/scrape?${query}`);
                expect(status).to.equal(200);
                expect(body.split("\n").filter((l) => l.startsWith("redis_up "))).to.deep.equal(["redis_up 1"]);
                // As default (full rights) redis_exporter exported redis_key_value_as_string{key="session:alice",val="s3cr3t-token"}.
                expect(body.split("\n").filter((l) => l.includes("session") || l.includes("s3cr3t"))).to.deep.equal([]);
            });

            it("logs no password", () => {
                for (const pw of [DEFAULT_PW, PW.admin, PW.repl, PW.exporter]) expect(logs).not.to.include(pw);
            });
        });
    }
});
