// Sentinel failover of a Sentinel plan, on loopback with real processes: a primary and 2 replicas
// started by the very start script the manifests render, 3 Sentinels with the rendered
// sentinel.conf (down-after 1000 ms here), and a client writing in a loop while the primary is
// killed with SIGKILL. Measures how long writes take to resume through a Sentinel-aware client and
// through the stable endpoint's mechanism (the rendered readiness probe run on every node every
// probe period, as the kubelet would; the Service then holds the single Ready pod).
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import Valkey from "iovalkey";
import { renderSentinelConf } from "../../sdk/config/sentinel";
import {
    HA_ENV,
    PRIMARY_PROBE_PERIOD_SECONDS,
    buildAuthSecret,
    primaryReadinessScript,
    sentinelConfOptions,
    sentinelGroup,
    startScript,
} from "../../sdk/manifests";
import { freePort, startValkey, stopAllValkeys, tempDir } from "../helpers/valkey";
import { valkeyModel } from "../unit/manifests/fixtures";

const HOST = "127.0.0.1";
const DOWN_AFTER_MS = 1000;
const LOOP_LIMIT_MS = 15000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Node {
    readonly port: number;
    readonly dir: string;
    child?: ChildProcess;
}

describe("Sentinel failover (real processes on loopback)", function () {
    this.timeout(90000);
    const model = valkeyModel({ project: "p", plan: "premium-4" }, "ha");
    const group = sentinelGroup(model);
    const password = crypto.randomBytes(16).toString("hex");
    const auth = buildAuthSecret(model, password).stringData!;
    const authDir = tempDir();
    const nodes: Node[] = [];
    const sentinelPorts: number[] = [];
    const clients: Valkey[] = [];
    const sentinelDirs: string[] = [];
    const sentinelPids: string[] = [];

    const env = (node: Node): NodeJS.ProcessEnv => ({
        ...process.env,
        [HA_ENV.self]: HOST,
        [HA_ENV.port]: String(node.port),
        [HA_ENV.seed]: HOST,
        [HA_ENV.seedPort]: String(nodes[0].port),
        [HA_ENV.sentinel]: HOST,
        [HA_ENV.sentinelPort]: String(sentinelPorts[0]),
        [HA_ENV.passwordFile]: path.join(authDir, "password"),
        [HA_ENV.conf]: path.join(node.dir, "valkey.conf"),
        [HA_ENV.attempts]: "3",
    });

    /** Runs the rendered start script for `node`; extra arguments keep it on loopback and in its dir. */
    function start(node: Node): void {
        const args = ["--port", String(node.port), "--bind", HOST, "--dir", node.dir, "--logfile", path.join(node.dir, "valkey.log"), "--daemonize", "no"];
        node.child = spawn("sh", ["-c", startScript(model), "sh", ...args], { env: env(node), stdio: "ignore" });
    }

    /** The rendered readiness probe on `node`: true when it exits 0. */
    function probe(node: Node): Promise<boolean> {
        return new Promise((resolve) => {
            const child = spawn("sh", ["-c", primaryReadinessScript(model)], { env: env(node), stdio: "ignore" });
            const timer = setTimeout(() => child.kill("SIGKILL"), PRIMARY_PROBE_PERIOD_SECONDS * 1000);
            child.on("exit", (code) => {
                clearTimeout(timer);
                resolve(code === 0);
            });
        });
    }

    /** valkey-cli against a data node, authenticated through the environment (never argv). */
    function cli(port: number, ...args: string[]): string {
        const r = spawnSync("valkey-cli", ["-h", HOST, "-p", String(port), ...args], {
            encoding: "utf8",
            timeout: 2000,
            env: { ...process.env, REDISCLI_AUTH: password },
        });
        return r.stdout ?? "";
    }

    function sentinel(port: number, ...args: string[]): string {
        return spawnSync("valkey-cli", ["-h", HOST, "-p", String(port), ...args], { encoding: "utf8", timeout: 2000 }).stdout ?? "";
    }

    /** The Sentinels' failover events (no secrets), to explain a failure. */
    function failoverEvents(): string {
        const events = sentinelDirs.flatMap((dir) =>
            fs
                .readdirSync(dir)
                .filter((f) => f.endsWith(".log"))
                .flatMap((f) => fs.readFileSync(path.join(dir, f), "utf8").split("\n"))
                .filter((line) => /[+-](switch-master|failover|odown|elected-leader|promoted-slave|try-failover)/.test(line)),
        );
        return `data ports ${nodes.map((n) => n.port).join(", ")}; Sentinel events:\n${events.join("\n")}`;
    }

    /** The node the Sentinels name as the primary now. */
    function currentPrimary(): Node | undefined {
        const [, port] = sentinel(sentinelPorts[0], "SENTINEL", "get-master-addr-by-name", group).trim().split("\n");
        return nodes.find((n) => String(n.port) === port);
    }

    async function until(what: string, check: () => boolean | Promise<boolean>, limitMs = 20000): Promise<void> {
        const deadline = Date.now() + limitMs;
        while (!(await check())) {
            if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
            await sleep(100);
        }
    }

    before(async () => {
        fs.writeFileSync(path.join(authDir, "password"), auth.password);
        fs.writeFileSync(path.join(authDir, "auth.conf"), auth["auth.conf"]);
        fs.writeFileSync(path.join(authDir, "sentinel-auth.conf"), auth["sentinel-auth.conf"]);
        for (let i = 0; i < 3; i++) {
            const dir = tempDir();
            fs.writeFileSync(
                path.join(dir, "valkey.conf"),
                `save ""\nappendonly no\nrepl-diskless-sync-delay 0\ninclude ${path.join(authDir, "auth.conf")}\n`,
            );
            nodes.push({ port: await freePort(), dir });
            sentinelPorts.push(await freePort());
        }
        for (const port of sentinelPorts) {
            const dir = tempDir();
            sentinelDirs.push(dir);
            const conf = renderSentinelConf(model, {
                ...sentinelConfOptions(model),
                primaryHost: HOST,
                primaryPort: nodes[0].port,
                downAfterMs: DOWN_AFTER_MS,
                failoverTimeoutMs: 5000,
                port,
                dataDir: dir,
                authInclude: path.join(authDir, "sentinel-auth.conf"),
            });
            const started = await startValkey({ binary: "valkey-sentinel", config: conf, port, dir });
            sentinelPids.push(`${started.pid}:`);
        }
        for (const node of nodes) start(node);
        await until("the replicas are linked", () =>
            nodes.slice(1).every((n) => cli(n.port, "INFO", "replication").includes("master_link_status:up")),
        );
        await until("every Sentinel knows 2 replicas and 2 peers", () =>
            sentinelPorts.every((p) => {
                const master = sentinel(p, "SENTINEL", "master", group).split("\n");
                const field = (name: string) => master[master.indexOf(name) + 1];
                return field("num-slaves") === "2" && field("num-other-sentinels") === "2";
            }),
        );
    });

    after(async () => {
        for (const client of clients) client.disconnect();
        for (const node of nodes) node.child?.kill("SIGKILL");
        await stopAllValkeys();
    });

    it("moves writes to a new primary, through Sentinel-aware clients and through the only Ready node", async () => {
        // Before: the start script made pod-0 the primary and the others its replicas; only it is Ready.
        expect(cli(nodes[0].port, "INFO", "replication")).to.match(/^role:master\r?$/m);
        for (const n of nodes.slice(1)) expect(cli(n.port, "INFO", "replication")).to.contain(`master_port:${nodes[0].port}`);
        expect(await Promise.all(nodes.map(probe))).to.deep.equal([true, false, false]);

        const aware = new Valkey({
            sentinels: sentinelPorts.map((port) => ({ host: HOST, port })),
            name: group,
            password,
            commandTimeout: 500,
            maxRetriesPerRequest: 1,
            retryStrategy: () => 100,
            sentinelRetryStrategy: () => 100,
        });
        aware.on("error", () => undefined); // counted below, per write
        clients.push(aware);
        await aware.set("before", "1");

        let killedAt = 0;
        let awareResumedMs: number | undefined;
        let stableResumedMs: number | undefined;
        let awareErrors = 0;
        let stableErrors = 0;
        let stableRounds = 0;
        let newPrimary: Node | undefined;
        const done = () => awareResumedMs !== undefined && stableResumedMs !== undefined;
        const deadline = () => killedAt > 0 && Date.now() - killedAt > LOOP_LIMIT_MS;

        const awareLoop = (async () => {
            for (let i = 0; !done() && !deadline(); i++) {
                try {
                    await aware.set("aware", String(i));
                    if (killedAt > 0 && awareResumedMs === undefined) awareResumedMs = Date.now() - killedAt;
                } catch {
                    awareErrors++;
                }
                await sleep(50);
            }
        })();
        // The kubelet's view, every probe period: the Service's endpoints are the Ready pods.
        const stableLoop = (async () => {
            while (!done() && !deadline()) {
                await sleep(PRIMARY_PROBE_PERIOD_SECONDS * 1000);
                if (killedAt === 0) continue;
                stableRounds++;
                const ready = nodes.filter((_, i) => i > 0 || nodes[0].child!.exitCode === null);
                const results = await Promise.all(nodes.map(probe));
                const endpoints = nodes.filter((_, i) => results[i]);
                expect(endpoints).not.to.include(nodes[0]); // the killed primary is never an endpoint
                expect(ready.length).to.be.at.least(2);
                if (endpoints.length !== 1) continue;
                if (cli(endpoints[0].port, "SET", "stable", String(stableRounds)).trim() === "OK") {
                    stableResumedMs = Date.now() - killedAt;
                    newPrimary = endpoints[0];
                } else {
                    stableErrors++;
                }
            }
        })();

        await sleep(300);
        killedAt = Date.now();
        nodes[0].child!.kill("SIGKILL");
        await Promise.all([awareLoop, stableLoop]);

        // With down-after as small as 1000 ms, a loaded machine sometimes makes the Sentinels see
        // the just-promoted primary as down too and fail over once more; the count says so.
        const switches = () => failoverEvents().split("\n").filter((l) => l.includes("+switch-master") && l.startsWith(sentinelPids[0])).length;
        console.log(
            `      failover (down-after ${DOWN_AFTER_MS} ms, probe period ${PRIMARY_PROBE_PERIOD_SECONDS} s): ` +
                `sentinel-aware writes resumed after ${awareResumedMs} ms (${awareErrors} failed writes); ` +
                `stable endpoint after ${stableResumedMs} ms (${stableErrors} failed writes, ${stableRounds} probe rounds)`,
        );
        expect(awareResumedMs, "sentinel-aware writes resumed").to.be.a("number").within(DOWN_AFTER_MS, LOOP_LIMIT_MS);
        expect(stableResumedMs, "stable endpoint writes resumed").to.be.a("number").within(DOWN_AFTER_MS, LOOP_LIMIT_MS);
        expect(newPrimary).to.be.oneOf([nodes[1], nodes[2]]);
        expect(await aware.get("aware")).to.be.a("string");

        // The old primary comes back: the start script makes it a replica of the primary the
        // Sentinels name (its first replication step says so, before any Sentinel could
        // reconfigure it), and its probe never reports Ready, neither while it starts nor once linked.
        const old = nodes[0];
        const told = currentPrimary();
        expect(told, failoverEvents()).to.be.oneOf([nodes[1], nodes[2]]);
        const logFile = path.join(old.dir, "valkey.log");
        const logBefore = fs.readFileSync(logFile, "utf8").length;
        start(old);
        const sawReady: boolean[] = [];
        await until("the old primary answers", async () => {
            sawReady.push(await probe(old));
            return cli(old.port, "PING").trim() === "PONG";
        });
        // Its first replication step is the start script's --replicaof, not a Sentinel's REPLICAOF.
        const firstStep = fs.readFileSync(logFile, "utf8").slice(logBefore).match(/Connecting to PRIMARY \S+|REPLICAOF \S+ enabled/);
        expect(firstStep?.[0], failoverEvents()).to.equal(`Connecting to PRIMARY ${HOST}:${told!.port}`);
        expect(cli(old.port, "INFO", "replication")).to.match(/^role:slave\r?$/m);
        await until("the old primary is linked to the new one", () => cli(old.port, "INFO", "replication").includes("master_link_status:up"));
        for (let i = 0; i < 3; i++) {
            sawReady.push(await probe(old));
            await sleep(200);
        }
        expect(sawReady.filter((r) => r)).to.deep.equal([]);
        // Exactly one Ready node, the Sentinels' primary, which holds the stable endpoint's last write.
        const primaryNow = currentPrimary();
        expect(primaryNow).not.to.equal(old);
        expect(await Promise.all(nodes.map(probe)), failoverEvents()).to.deep.equal(nodes.map((n) => n === primaryNow));
        expect(cli(primaryNow!.port, "GET", "stable").trim()).to.equal(String(stableRounds));
        await until("the old primary has the last write", () => cli(old.port, "GET", "stable").trim() === String(stableRounds), 5000);
        console.log(`      Sentinel switch-master events after the kill: ${switches()}`);
    });
});
