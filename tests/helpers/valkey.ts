// Starts real valkey-server (or valkey-sentinel) processes on loopback for tests, and cleans them
// up. Every process started here is killed when the test process exits, even on failure.
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import * as tls from "tls";

export interface StartOptions {
    /** Text of a valkey.conf to start with; written into the working directory. */
    config?: string;
    /** Extra command-line directives, e.g. ["--cluster-enabled", "yes"]. */
    args?: string[];
    /** Cluster mode with a nodes.conf in the working directory. @default false */
    cluster?: boolean;
    /** Working directory (kept across restarts). @default a new temporary directory */
    dir?: string;
    /** Port. @default a free port whose +10000 bus port is also free */
    port?: number;
    /** Loopback address to bind (127.0.0.0/8), e.g. to give nodes distinct IPs. @default 127.0.0.1 */
    host?: string;
    /** @default "valkey-server" */
    binary?: "valkey-server" | "valkey-sentinel";
    /** Password of the default user, used by the readiness probe. */
    password?: string;
    /** How long to wait for the server to answer. @default 10000 ms */
    startTimeoutMs?: number;
    /**
     * TLS only: the server listens with TLS on `port` and has no plaintext listener
     * (`--port 0 --tls-port <port>` and the three files); the readiness probe does a TLS handshake.
     * @default plaintext on `port`
     */
    tls?: TlsFiles;
}

/** PEM files of a TLS-only test server, and the client certificate its readiness probe presents. */
export interface TlsFiles {
    readonly certFile: string;
    readonly keyFile: string;
    readonly caFile: string;
    /** Presented by the readiness probe (needed with `tls-auth-clients yes`). @default none */
    readonly clientCertFile?: string;
    readonly clientKeyFile?: string;
}

export interface ValkeyProcess {
    readonly host: string;
    readonly port: number;
    readonly dir: string;
    readonly pid: number;
    readonly options: StartOptions;
    /** SIGTERM and wait for exit. */
    stop(): Promise<void>;
    /** SIGKILL and wait for exit. */
    kill9(): Promise<void>;
    /** Start again in the same directory (with its nodes.conf), optionally on another port. */
    restart(overrides?: Partial<StartOptions>): Promise<ValkeyProcess>;
    /** The server's log so far (for failure messages). */
    log(): string;
}

const HOST = "127.0.0.1";
const live = new Set<ChildProcess>();
const tempDirs = new Set<string>();

process.on("exit", () => {
    for (const child of live) {
        try {
            child.kill("SIGKILL");
        } catch {
            // already gone
        }
    }
    for (const dir of tempDirs) {
        fs.rmSync(dir, { recursive: true, force: true });
    }
});

function canListen(port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const server = net.createServer();
        server.once("error", () => resolve(false));
        server.listen(port, HOST, () => server.close(() => resolve(true)));
    });
}

const handedOut = new Set<number>();

/** The first port the kernel hands out to outgoing connections (ip_local_port_range). */
function ephemeralLow(): number {
    try {
        return Number(fs.readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]) || 32768;
    } catch {
        return 32768;
    }
}
const PORT_MIN = 10000;
/**
 * Data ports and their cluster bus ports (+10000) stay below the ephemeral range: a port checked
 * free there could be taken by one of the tests' own outgoing connections before the server binds
 * it ("Address already in use", seen in CI).
 */
const PORT_SPAN = Math.max(1000, Math.min(ephemeralLow(), 32768) - 10000 - PORT_MIN);

/** A free loopback port whose cluster bus port (+10000) is free too, both below the ephemeral range. */
export async function freePort(): Promise<number> {
    for (let attempt = 0; attempt < 200; attempt++) {
        const port = PORT_MIN + Math.floor(Math.random() * PORT_SPAN);
        if (handedOut.has(port)) continue;
        if ((await canListen(port)) && (await canListen(port + 10000))) {
            handedOut.add(port);
            return port;
        }
    }
    throw new Error(`no free port pair found in ${PORT_MIN}-${PORT_MIN + PORT_SPAN}`);
}

/** A new temporary directory removed at exit. */
export function tempDir(prefix = "pulumi-valkey-test-"): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    tempDirs.add(dir);
    return dir;
}

/**
 * Sends one inline command over a raw socket and returns the first reply line. With `tlsFiles`, over
 * TLS (the server certificate is not verified: this only asks whether the server answers).
 */
export function rawCommand(port: number, command: string, host = HOST, timeoutMs = 1000, tlsFiles?: TlsFiles): Promise<string> {
    return new Promise((resolve, reject) => {
        const connectEvent = tlsFiles ? "secureConnect" : "connect";
        const socket = tlsFiles
            ? tls.connect({
                  host,
                  port,
                  rejectUnauthorized: false,
                  ...(tlsFiles.clientCertFile !== undefined ? { cert: fs.readFileSync(tlsFiles.clientCertFile) } : {}),
                  ...(tlsFiles.clientKeyFile !== undefined ? { key: fs.readFileSync(tlsFiles.clientKeyFile) } : {}),
              })
            : net.connect({ host, port });
        let data = "";
        const timer = setTimeout(() => {
            socket.destroy();
            reject(new Error(`no reply from ${host}:${port} within ${timeoutMs} ms`));
        }, timeoutMs);
        socket.on(connectEvent, () => socket.write(command + "\r\n"));
        socket.on("data", (chunk) => {
            data += chunk.toString();
            if (data.includes("\r\n")) {
                clearTimeout(timer);
                socket.destroy();
                resolve(data.split("\r\n")[0]);
            }
        });
        socket.on("error", (err) => {
            clearTimeout(timer);
            reject(err);
        });
    });
}

async function waitReady(port: number, child: ChildProcess, logFile: string, options: StartOptions): Promise<void> {
    const host = options.host ?? HOST;
    const deadline = Date.now() + (options.startTimeoutMs ?? 10000);
    const probe = options.password ? `AUTH ${options.password}` : "PING";
    for (;;) {
        if (child.exitCode !== null) {
            throw new Error(`${options.binary ?? "valkey-server"} exited with ${child.exitCode}:\n${readLog(logFile)}`);
        }
        try {
            const reply = await rawCommand(port, probe, host, 500, options.tls);
            // LOADING means the port is up but the dataset is not; keep waiting.
            if (!reply.startsWith("-LOADING")) return;
        } catch {
            // not listening yet
        }
        if (Date.now() > deadline) {
            throw new Error(`valkey on port ${port} not ready in time:\n${readLog(logFile)}`);
        }
        await new Promise((r) => setTimeout(r, 10));
    }
}

function readLog(file: string): string {
    try {
        return fs.readFileSync(file, "utf8");
    } catch {
        return "";
    }
}

function waitExit(child: ChildProcess): Promise<void> {
    return new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
    });
}

/**
 * Starts a server and resolves once it answers. On a port it chose itself, a server that finds the
 * port taken after all (another process on the machine) is started again on another one.
 */
export async function startValkey(options: StartOptions = {}): Promise<ValkeyProcess> {
    for (let attempt = 1; ; attempt++) {
        try {
            return await startOnce({ ...options, port: options.port ?? (await freePort()) });
        } catch (e) {
            if (options.port !== undefined || attempt >= 3 || !/Address already in use/.test((e as Error).message)) throw e;
        }
    }
}

async function startOnce(options: StartOptions & { port: number }): Promise<ValkeyProcess> {
    const dir = options.dir ?? tempDir();
    const port = options.port;
    const host = options.host ?? HOST;
    if (!host.startsWith("127.")) throw new Error(`tests bind loopback addresses only (got ${host})`);
    const binary = options.binary ?? "valkey-server";
    const logFile = path.join(dir, `${binary}-${port}.log`);
    const args: string[] = [];
    if (options.config !== undefined) {
        const confFile = path.join(dir, binary === "valkey-sentinel" ? "sentinel.conf" : "valkey.conf");
        fs.writeFileSync(confFile, options.config);
        args.push(confFile);
    }
    // Command-line directives override the file; these keep tests on loopback and in their dir.
    args.push("--port", options.tls ? "0" : String(port), "--bind", host, "--dir", dir, "--logfile", logFile);
    if (options.tls) {
        const t = options.tls;
        args.push("--tls-port", String(port), "--tls-cert-file", t.certFile, "--tls-key-file", t.keyFile, "--tls-ca-cert-file", t.caFile);
    }
    if (binary === "valkey-server") {
        args.push("--daemonize", "no");
        // Without a config of its own, a test server keeps nothing on disk.
        if (options.config === undefined) args.push("--save", "", "--appendonly", "no");
    }
    if (options.cluster) {
        args.push("--cluster-enabled", "yes", "--cluster-config-file", path.join(dir, "nodes.conf"));
    }
    args.push(...(options.args ?? []));
    const child = spawn(binary, args, { stdio: "ignore", cwd: dir });
    live.add(child);
    child.once("exit", () => live.delete(child));
    await waitReady(port, child, logFile, { ...options, binary });

    const proc: ValkeyProcess = {
        host,
        port,
        dir,
        pid: child.pid!,
        options: { ...options, dir, port },
        async stop() {
            child.kill("SIGTERM");
            await waitExit(child);
        },
        async kill9() {
            child.kill("SIGKILL");
            await waitExit(child);
        },
        async restart(overrides: Partial<StartOptions> = {}) {
            if (child.exitCode === null && child.signalCode === null) {
                child.kill("SIGTERM");
                await waitExit(child);
            }
            return startValkey({ ...options, dir, port, ...overrides });
        },
        log: () => readLog(logFile),
    };
    return proc;
}

/** Stops every process started by this module (for `after` hooks). */
export async function stopAllValkeys(): Promise<void> {
    const children = [...live];
    for (const child of children) child.kill("SIGKILL");
    await Promise.all(children.map(waitExit));
}
