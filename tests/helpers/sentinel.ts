// A Sentinel plan on loopback with real processes, for the integration tests: 3 data nodes started
// by the very start script the manifests render, 3 Sentinels with the rendered sentinel.conf, and
// the rendered readiness probe run on demand. With `tls`, everything is TLS only (plain port 0):
// the nodes and the Sentinels listen with TLS, replicate and monitor over TLS, and the scripts run
// valkey-cli with the CA, as in the pods.
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { tlsDirectives, tlsSettings } from "../../sdk/config/directives";
import { renderDirective } from "../../sdk/config/render";
import { renderSentinelConf } from "../../sdk/config/sentinel";
import { AclPlanInput, AclUser, resolveAclUsers, usersWithoutPasswords } from "../../sdk/acl/users";
import {
    HA_ENV,
    PRIMARY_PROBE_PERIOD_SECONDS,
    SENTINEL_REPLICAS,
    buildAuthSecret,
    primaryReadinessScript,
    sentinelConfOptions,
    sentinelGroup,
    startScript,
} from "../../sdk/manifests";
import { ServiceModel } from "../../sdk/spec/model";
import { TestCertificates } from "./tls";
import { TlsFiles, freePort, startValkey, tempDir } from "./valkey";

export const HOST = "127.0.0.1";
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every 100 ms until it holds; throws after `limitMs`. */
export async function until(what: string, check: () => boolean | Promise<boolean>, limitMs = 20000): Promise<void> {
    const deadline = Date.now() + limitMs;
    while (!(await check())) {
        if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
        await sleep(100);
    }
}

export interface HaNode {
    readonly port: number;
    readonly dir: string;
    /**
     * valkey.conf as the ConfigMap holds it: written again before every start, as a pod restart
     * reads the ConfigMap and never a file a Sentinel's CONFIG REWRITE changed (with ACL users such
     * a rewrite copies the included `user` lines, and a restart would refuse them as duplicates).
     */
    readonly config: string;
    child?: ChildProcess;
}

export interface SentinelPlanOptions {
    /** A model of a Sentinel plan (its node count is not used: always 3 nodes). */
    readonly model: ServiceModel;
    readonly downAfterMs: number;
    /** @default 5000 */
    readonly failoverTimeoutMs?: number;
    /** TLS only, with these certificates (the server certificate must name 127.0.0.1). @default plaintext */
    readonly tls?: TestCertificates;
    /** Data nodes (node 0 the first primary, the others its replicas). @default 3 */
    readonly nodes?: number;
}

export interface SentinelPlan {
    readonly group: string;
    /** The default user's password (a test secret; only ever passed through the environment). */
    readonly password: string;
    /** The Sentinels' own password (from the rendered auth Secret). */
    readonly sentinelPassword: string;
    /**
     * With the model's `acl`: its users as resolveAclUsers gives them (generated passwords for those
     * the spec leaves without), rendered into the auth Secret; `cli` then authenticates as the admin user.
     */
    readonly acl?: AclPlanInput;
    /** The rendered auth Secret's files, as the pods' `auth` volume. */
    readonly authDir: string;
    readonly nodes: HaNode[];
    readonly sentinelPorts: number[];
    /** With `tls`: the directory holding tls.crt, tls.key and ca.crt, as the pods' `tls` volume. */
    readonly tlsFiles?: TlsFiles;
    /** Runs the rendered start script for `node`; extra arguments keep it on loopback and in its dir. */
    start(node: HaNode): void;
    /** The rendered readiness probe on `node`: true when it exits 0. */
    probe(node: HaNode): Promise<boolean>;
    /** valkey-cli against a data node, authenticated through the environment (never argv). */
    cli(port: number, ...args: string[]): string;
    /** valkey-cli against a Sentinel, authenticated with the Sentinels' password through the environment. */
    sentinel(port: number, ...args: string[]): string;
    /** The Sentinels' failover events (no secrets), to explain a failure. */
    failoverEvents(): string;
    /** The node the first Sentinel names as the primary now. */
    currentPrimary(): HaNode | undefined;
    /** `+switch-master` events the first Sentinel logged. */
    switches(): number;
    /** Kills the data nodes (the Sentinels go with stopAllValkeys). */
    killNodes(): void;
}

/**
 * Starts the plan and resolves once the replicas are linked and every Sentinel knows every replica
 * and its 2 peers. Node 0 is the first primary. On a failure to settle, the data nodes are killed.
 */
export async function startSentinelPlan(options: SentinelPlanOptions): Promise<SentinelPlan> {
    const { model } = options;
    const group = sentinelGroup(model);
    const password = crypto.randomBytes(16).toString("hex");
    const nodeCount = options.nodes ?? 3;
    const acl =
        model.acl !== undefined
            ? resolveAclUsers(
                  model.acl,
                  password,
                  Object.fromEntries(usersWithoutPasswords(model.acl).map((u) => [u, [crypto.randomBytes(16).toString("hex")]])),
                  { sentinel: model.topology.kind === "sentinel" },
              )
            : undefined;
    const admin: AclUser | undefined = acl?.users.find((u) => u.role === "admin");
    // The data nodes' credentials for `cli`: the admin user with ACL, else the default user.
    const cliUser = admin !== undefined ? ["--user", admin.name] : [];
    const cliPassword = admin !== undefined ? admin.passwords[0] : password;
    const auth = buildAuthSecret(model, password, acl).stringData!;
    const authDir = tempDir();
    const nodes: HaNode[] = [];
    const sentinelPorts: number[] = [];
    const sentinelDirs: string[] = [];
    const sentinelPids: string[] = [];
    const tlsFiles = options.tls ? installTls(options.tls) : undefined;
    const tlsDir = tlsFiles ? path.dirname(tlsFiles.certFile) : undefined;
    const cliTls = tlsFiles ? ["--tls", "--cacert", tlsFiles.caFile, "--cert", tlsFiles.certFile, "--key", tlsFiles.keyFile] : [];

    const env = (node: HaNode): NodeJS.ProcessEnv => ({
        ...process.env,
        [HA_ENV.self]: HOST,
        [HA_ENV.port]: String(node.port),
        [HA_ENV.seed]: HOST,
        [HA_ENV.seedPort]: String(nodes[0].port),
        [HA_ENV.sentinel]: HOST,
        [HA_ENV.sentinelPort]: String(sentinelPorts[0]),
        // The local INFO of the readiness script: as the probe user with ACL (its file), else `default`.
        [HA_ENV.passwordFile]: path.join(authDir, acl !== undefined ? "probe-password" : "password"),
        [HA_ENV.sentinelPasswordFile]: path.join(authDir, "sentinel-password"),
        [HA_ENV.conf]: path.join(node.dir, "valkey.conf"),
        [HA_ENV.attempts]: "3",
        ...(tlsDir ? { [HA_ENV.tlsDir]: tlsDir } : {}),
    });
    // The TLS directives as the data pods' valkey.conf renders them, with this node's port and files.
    const tlsLines = (port: number): string[] =>
        tlsFiles ? tlsDirectives(tlsSettings(model, { ...model.tls?.render, ...tlsFiles, port }, port)!, true, undefined).map(renderDirective) : [];

    fs.writeFileSync(path.join(authDir, "password"), auth.password);
    fs.writeFileSync(path.join(authDir, "auth.conf"), auth["auth.conf"]);
    fs.writeFileSync(path.join(authDir, "sentinel-auth.conf"), auth["sentinel-auth.conf"]);
    fs.writeFileSync(path.join(authDir, "sentinel-password"), auth["sentinel-password"]);
    if (auth["probe-password"] !== undefined) fs.writeFileSync(path.join(authDir, "probe-password"), auth["probe-password"]);
    for (let i = 0; i < nodeCount; i++) {
        const dir = tempDir();
        const port = await freePort();
        const config =
            [`save ""`, "appendonly no", "repl-diskless-sync-delay 0", ...tlsLines(port), `include ${path.join(authDir, "auth.conf")}`].join("\n") + "\n";
        nodes.push({ port, dir, config });
    }
    // As many Sentinels as the manifests run, whatever the node count.
    for (let i = 0; i < SENTINEL_REPLICAS; i++) sentinelPorts.push(await freePort());

    const plan: SentinelPlan = {
        group,
        password,
        sentinelPassword: auth["sentinel-password"],
        ...(acl !== undefined ? { acl } : {}),
        authDir,
        nodes,
        sentinelPorts,
        ...(tlsFiles ? { tlsFiles } : {}),
        start(node) {
            fs.writeFileSync(path.join(node.dir, "valkey.conf"), node.config);
            const listen = tlsFiles ? ["--port", "0", "--tls-port", String(node.port)] : ["--port", String(node.port)];
            const args = [...listen, "--bind", HOST, "--dir", node.dir, "--logfile", path.join(node.dir, "valkey.log"), "--daemonize", "no"];
            node.child = spawn("sh", ["-c", startScript(model), "sh", ...args], { env: env(node), stdio: "ignore" });
        },
        probe(node) {
            return new Promise((resolve) => {
                const child = spawn("sh", ["-c", primaryReadinessScript(model)], { env: env(node), stdio: "ignore" });
                const timer = setTimeout(() => child.kill("SIGKILL"), PRIMARY_PROBE_PERIOD_SECONDS * 1000);
                child.on("exit", (code) => {
                    clearTimeout(timer);
                    resolve(code === 0);
                });
            });
        },
        cli(port, ...args) {
            const r = spawnSync("valkey-cli", [...cliTls, ...cliUser, "-h", HOST, "-p", String(port), ...args], {
                encoding: "utf8",
                timeout: 2000,
                env: { ...process.env, REDISCLI_AUTH: cliPassword },
            });
            return r.stdout ?? "";
        },
        sentinel(port, ...args) {
            return (
                spawnSync("valkey-cli", [...cliTls, "-h", HOST, "-p", String(port), ...args], {
                    encoding: "utf8",
                    timeout: 2000,
                    env: { ...process.env, REDISCLI_AUTH: auth["sentinel-password"] },
                }).stdout ?? ""
            );
        },
        failoverEvents() {
            const events = sentinelDirs.flatMap((dir) =>
                fs
                    .readdirSync(dir)
                    .filter((f) => f.endsWith(".log"))
                    .flatMap((f) => fs.readFileSync(path.join(dir, f), "utf8").split("\n"))
                    .filter((line) => /[+-](switch-master|failover|odown|elected-leader|promoted-slave|try-failover)/.test(line)),
            );
            return `data ports ${nodes.map((n) => n.port).join(", ")}; Sentinel events:\n${events.join("\n")}`;
        },
        currentPrimary() {
            const [, port] = plan.sentinel(sentinelPorts[0], "SENTINEL", "get-master-addr-by-name", group).trim().split("\n");
            return nodes.find((n) => String(n.port) === port);
        },
        switches() {
            return plan
                .failoverEvents()
                .split("\n")
                .filter((l) => l.includes("+switch-master") && l.startsWith(sentinelPids[0])).length;
        },
        killNodes() {
            for (const node of nodes) node.child?.kill("SIGKILL");
        },
    };

    for (const port of sentinelPorts) {
        const dir = tempDir();
        sentinelDirs.push(dir);
        const conf = renderSentinelConf(model, {
            ...sentinelConfOptions(model),
            primaryHost: HOST,
            primaryPort: nodes[0].port,
            downAfterMs: options.downAfterMs,
            failoverTimeoutMs: options.failoverTimeoutMs ?? 5000,
            port,
            dataDir: dir,
            authInclude: path.join(authDir, "sentinel-auth.conf"),
            ...(tlsFiles ? { tls: { ...model.tls?.render, ...tlsFiles, port } } : {}),
        });
        // The readiness check presents the pod's certificate, as everything in a pod does (mTLS plans).
        const started = await startValkey({
            binary: "valkey-sentinel",
            config: conf,
            port,
            dir,
            ...(tlsFiles ? { tls: { ...tlsFiles, clientCertFile: tlsFiles.certFile, clientKeyFile: tlsFiles.keyFile } } : {}),
        });
        sentinelPids.push(`${started.pid}:`);
    }
    for (const node of nodes) plan.start(node);
    try {
        await waitSettled();
    } catch (e) {
        // Nobody else holds the data nodes yet (the caller gets no plan): stop them here.
        plan.killNodes();
        throw e;
    }
    return plan;

    async function waitSettled(): Promise<void> {
        await until("the replicas are linked", () => nodes.slice(1).every((n) => plan.cli(n.port, "INFO", "replication").includes("master_link_status:up")));
        await until(`every Sentinel knows ${nodeCount - 1} replicas and 2 peers`, () =>
            sentinelPorts.every((p) => {
                const master = plan.sentinel(p, "SENTINEL", "master", group).split("\n");
                const field = (name: string) => master[master.indexOf(name) + 1];
                return field("num-slaves") === String(nodeCount - 1) && field("num-other-sentinels") === "2";
            }),
        );
    }
}

/** The test certificates under the pod contract's file names (tls.crt, tls.key, ca.crt) in a directory of their own. */
function installTls(certs: TestCertificates): TlsFiles {
    const dir = tempDir("pulumi-valkey-ha-tls-");
    const files = { certFile: path.join(dir, "tls.crt"), keyFile: path.join(dir, "tls.key"), caFile: path.join(dir, "ca.crt") };
    fs.copyFileSync(certs.serverCert, files.certFile);
    fs.copyFileSync(certs.serverKey, files.keyFile);
    fs.copyFileSync(certs.caFile, files.caFile);
    return files;
}
