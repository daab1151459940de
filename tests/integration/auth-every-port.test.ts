// Issue 11: unauthenticated commands are refused on every port the pods open, for every topology.
// The ports come from the rendered StatefulSets (every containerPort of every container), so a port
// added later must be given a process and an expected refusal here, or this test fails. Each port
// is served by the real process started from the package's rendered files on loopback: valkey.conf
// with the auth Secret's auth.conf, sentinel.conf with sentinel-auth.conf, and the exporter with
// the sidecar's rendered environment. Each gets a PING and a GET in RESP, as a client sends them,
// from a connection that never authenticated.
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { ChildProcess, spawn } from "child_process";
import { expect } from "chai";
import { resolveAclUsers } from "../../sdk/acl/users";
import { IStatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import { renderValkeyConf } from "../../sdk/config/render";
import { renderSentinelConf } from "../../sdk/config/sentinel";
import {
    CLUSTER_BUS_PORT,
    SENTINEL_PORT,
    VALKEY_PORT,
    buildAuthSecret,
    buildSentinelManifests,
    buildStatefulSet,
    sentinelConfOptions,
} from "../../sdk/manifests";
import { METRICS_PORT } from "../../sdk/manifests";
import { valkeyClusterSpecSchema } from "../../sdk/spec/cluster";
import { buildClusterModel } from "../../sdk/spec/cluster-model";
import { ServiceModel } from "../../sdk/spec/model";
import { parseSpec } from "../../sdk/spec/validate";
import { valkeyModel } from "../unit/manifests/fixtures";
import { exporterBinary, sidecarEnvironment } from "../helpers/exporter";
import { freePort, startValkey, stopAllValkeys, tempDir } from "../helpers/valkey";

const HOST = "127.0.0.1";
// A test-only password.
const PASSWORD = "auth-every-port-0123456789";
const NOAUTH = "-NOAUTH Authentication required.";
/** What the cluster bus does with bytes that are not a bus message: it drops the link. */
const CLOSED = "(closed without a reply)";
/** redis_exporter's port speaks HTTP: a RESP command is not a request (and never reaches Valkey). */
const HTTP_400 = "HTTP/1.1 400 Bad Request";
const CONFIG_HASH = "0123456789abcdef";

const COMMANDS = { PING: ["PING"], GET: ["GET", "k"] } as const;

/** A command as RESP, the way client libraries send it. */
const resp = (args: readonly string[]) => `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join("")}`;

/**
 * Sends `args` on a fresh connection and says what came back: the first line of the reply, CLOSED
 * when the peer closed (or reset) the connection without sending a byte, silence, or the socket
 * error (ECONNREFUSED: nothing listens).
 */
function probe(port: number, args: readonly string[], timeoutMs = 3000): Promise<string> {
    return new Promise((resolve) => {
        const socket = net.connect({ host: HOST, port });
        let data = "";
        let settled = false;
        const settle = (outcome: string) => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            socket.destroy();
            resolve(outcome);
        };
        const timer = setTimeout(() => settle(data === "" ? `(no reply within ${timeoutMs} ms)` : data), timeoutMs);
        socket.on("connect", () => socket.write(resp(args)));
        socket.on("data", (chunk) => {
            data += chunk.toString("latin1");
            if (data.includes("\r\n")) settle(data.split("\r\n")[0]);
        });
        socket.on("end", () => settle(data === "" ? CLOSED : data));
        socket.on("close", () => settle(data === "" ? CLOSED : data));
        // A reset is a close too: whether it comes as FIN or RST depends on whether the peer had
        // read all of the command yet.
        socket.on("error", (e: NodeJS.ErrnoException) => settle(e.code === "ECONNRESET" && data === "" ? CLOSED : `(${e.code ?? e.message})`));
    });
}

interface DeclaredPort {
    readonly workload: string;
    readonly container: string;
    readonly name: string;
    readonly containerPort: number;
}

/** Every containerPort of every container of the StatefulSets. */
function declaredPorts(statefulSets: readonly IStatefulSet[]): DeclaredPort[] {
    return statefulSets.flatMap((sts) =>
        sts.spec!.template.spec!.containers.flatMap((c) =>
            (c.ports ?? []).map((p) => ({ workload: sts.metadata!.name!, container: c.name, name: p.name ?? "", containerPort: p.containerPort })),
        ),
    );
}

/** Where this test serves a declared containerPort, and the exact first reply line expected for each command. */
interface Listener {
    readonly port: number;
    readonly expected: Readonly<Record<keyof typeof COMMANDS, string>>;
}

interface Row {
    readonly topology: string;
    readonly port: string;
    readonly command: string;
    readonly reply: string;
}
const rows: Row[] = [];

/** Probes every declared port of `statefulSets` through `listeners` (by containerPort) and asserts the refusals. */
async function expectRefusedEverywhere(topology: string, statefulSets: readonly IStatefulSet[], listeners: ReadonlyMap<number, Listener>): Promise<void> {
    const declared = declaredPorts(statefulSets);
    expect(declared.length, `${topology}: the StatefulSets declare no port`).to.be.greaterThan(0);
    const actual: Record<string, string> = {};
    const expected: Record<string, string> = {};
    for (const d of declared) {
        const listener = listeners.get(d.containerPort);
        const where = `${d.workload}/${d.container} containerPort ${d.containerPort} (${d.name})`;
        if (listener === undefined) {
            throw new Error(
                `${topology}: ${where} is opened by the pods, but this test starts nothing on it: serve it here and check that it refuses clients without credentials`,
            );
        }
        for (const [command, args] of Object.entries(COMMANDS) as [keyof typeof COMMANDS, readonly string[]][]) {
            const reply = await probe(listener.port, args);
            rows.push({ topology, port: `${d.containerPort} (${d.container}/${d.name})`, command, reply });
            actual[`${where} ${command}`] = reply;
            expected[`${where} ${command}`] = listener.expected[command];
        }
    }
    expect(actual).to.deep.equal(expected);
}

/** The data node's listener: every command refused until AUTH. */
const dataNode = (port: number): Listener => ({ port, expected: { PING: NOAUTH, GET: NOAUTH } });

/** Starts a data node from the rendered valkey.conf and the auth Secret's auth.conf. */
async function startDataNode(conf: (local: { dataDir: string; port: number; authInclude: string }) => string, authConf: string): Promise<number> {
    const dir = tempDir();
    const port = await freePort();
    const authInclude = path.join(dir, "auth.conf");
    fs.writeFileSync(authInclude, authConf);
    await startValkey({ config: conf({ dataDir: dir, port, authInclude }), dir, port, password: PASSWORD });
    return port;
}

describe("unauthenticated commands are refused on every port the pods open (real processes on loopback)", function () {
    this.timeout(60000);
    const exporters: ChildProcess[] = [];

    after(async () => {
        for (const child of exporters) if (child.exitCode === null) child.kill("SIGKILL");
        await stopAllValkeys();
        if (rows.length > 0) {
            const width = (k: keyof Row) => Math.max(k.length, ...rows.map((r) => r[k].length));
            const line = (r: Row) => `      ${(["topology", "port", "command", "reply"] as const).map((k) => r[k].padEnd(width(k))).join("  ")}`;
            console.log([line({ topology: "topology", port: "port", command: "command", reply: "reply" }), ...rows.map(line)].join("\n"));
        }
    });

    for (const plan of ["hobbyist", "startup-4"]) {
        it(`standalone (Valkey ${plan}): the data port`, async () => {
            const model = valkeyModel({ project: "p", plan }, "solo");
            expect(model.topology.kind).to.equal("standalone");
            const auth = buildAuthSecret(model, PASSWORD).stringData!;
            const port = await startDataNode((local) => renderValkeyConf(model, local), auth["auth.conf"]);
            await expectRefusedEverywhere(
                `standalone ${plan}`,
                [buildStatefulSet(model, { configHash: CONFIG_HASH })],
                new Map([[VALKEY_PORT, dataNode(port)]]),
            );
        });
    }

    it("Sentinel plan (Valkey business-4): the data port and the Sentinel port", async () => {
        const model: ServiceModel = valkeyModel({ project: "p", plan: "business-4" }, "ha");
        expect(model.topology.kind).to.equal("sentinel");
        const auth = buildAuthSecret(model, PASSWORD).stringData!;
        const dataPort = await startDataNode((local) => renderValkeyConf(model, local), auth["auth.conf"]);
        // One Sentinel with the rendered sentinel.conf and sentinel-auth.conf, watching that node.
        const dir = tempDir();
        const sentinelPort = await freePort();
        const authInclude = path.join(dir, "sentinel-auth.conf");
        fs.writeFileSync(authInclude, auth["sentinel-auth.conf"]);
        const sentinelConf = renderSentinelConf(model, {
            ...sentinelConfOptions(model),
            primaryHost: HOST,
            primaryPort: dataPort,
            port: sentinelPort,
            dataDir: dir,
            authInclude,
        });
        await startValkey({ binary: "valkey-sentinel", config: sentinelConf, port: sentinelPort, dir, password: auth["sentinel-password"] });
        const sentinel = buildSentinelManifests(model, { sentinelConf: renderSentinelConf(model, sentinelConfOptions(model)), configHash: CONFIG_HASH })!;
        await expectRefusedEverywhere(
            "Sentinel business-4",
            [buildStatefulSet(model, { configHash: CONFIG_HASH }), sentinel.statefulSet],
            new Map([
                [VALKEY_PORT, dataNode(dataPort)],
                // GET is no Sentinel command: refused as unknown, which it checks before auth.
                [SENTINEL_PORT, { port: sentinelPort, expected: { PING: NOAUTH, GET: "-ERR unknown command 'GET', with args beginning with: 'k' " } }],
            ]),
        );
    });

    /** What the component's RandomPasswords give the system users. */
    const GENERATED_ACL_PASSWORDS = {
        "valkey-admin": ["admin-password-0123456789"],
        "primary-replication-user": ["repl-password-0123456789"],
        "exporter-user": ["exporter-password-0123456789"],
    };

    /** A ValkeyCluster node from the rendered cluster valkey.conf; its bus listens at the port + 10000, as in the pods. */
    async function clusterNode(spec: object) {
        const cm = buildClusterModel("vc", parseSpec(valkeyClusterSpecSchema, spec, "ValkeyCluster"));
        const auth = buildAuthSecret(cm, PASSWORD, cm.acl !== undefined ? resolveAclUsers(cm.acl, PASSWORD, GENERATED_ACL_PASSWORDS) : undefined).stringData!;
        const port = await startDataNode((local) => renderValkeyConf(cm, local), auth["auth.conf"]);
        const listeners = new Map<number, Listener>([
            [VALKEY_PORT, dataNode(port)],
            [CLUSTER_BUS_PORT, { port: port + (CLUSTER_BUS_PORT - VALKEY_PORT), expected: { PING: CLOSED, GET: CLOSED } }],
        ]);
        return { cm, auth, port, listeners };
    }

    it("cluster (ValkeyCluster 3 x 1): the data port and the cluster bus", async () => {
        const { cm, listeners } = await clusterNode({ masterCount: 3, replicasPerMaster: 1 });
        expect(cm.exporter).to.equal(undefined);
        await expectRefusedEverywhere("cluster", [buildStatefulSet(cm, { configHash: CONFIG_HASH })], listeners);
    });

    it("cluster with ACL users and the default user off (the probe user among them): the data port and the cluster bus", async () => {
        const { cm, listeners } = await clusterNode({ masterCount: 3, replicasPerMaster: 1, acl: { defaultUser: "off" } });
        expect(cm.acl?.defaultUser).to.equal("off");
        await expectRefusedEverywhere("cluster + ACL", [buildStatefulSet(cm, { configHash: CONFIG_HASH, exporterUser: "exporter-user" })], listeners);
    });

    it("cluster with the exporter (ValkeyCluster exporter.enabled): the data port, the cluster bus and the exporter's port", async function () {
        const binary = exporterBinary();
        if (binary === undefined) {
            // .ci/run builds one (scripts/redis-exporter.sh): under CI this test must run.
            if (process.env.CI === "true") throw new Error("no redis_exporter: set REDIS_EXPORTER_BIN (scripts/redis-exporter.sh builds one)");
            this.skip();
        }
        const { cm, auth, port, listeners } = await clusterNode({ masterCount: 3, replicasPerMaster: 1, exporter: { enabled: true } });
        const sts = buildStatefulSet(cm, { configHash: CONFIG_HASH });
        // The sidecar's rendered environment and password file, with the Secret's values, pointed at the local node.
        const { env, renderedAddr } = sidecarEnvironment(sts, auth, tempDir(), `redis://${HOST}:${port}`);
        expect(renderedAddr).to.equal(`redis://localhost:${VALKEY_PORT}`);
        const metricsPort = await freePort();
        const child = spawn(binary!, [], { stdio: "ignore", env: { ...env, REDIS_EXPORTER_WEB_LISTEN_ADDRESS: `${HOST}:${metricsPort}` } });
        exporters.push(child);
        for (let attempt = 0; attempt < 100 && (await probe(metricsPort, COMMANDS.PING, 500)).startsWith("("); attempt++) {
            await new Promise((r) => setTimeout(r, 50));
        }
        listeners.set(METRICS_PORT, { port: metricsPort, expected: { PING: HTTP_400, GET: HTTP_400 } });
        await expectRefusedEverywhere("cluster + exporter", [sts], listeners);
    });
});
