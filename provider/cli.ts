#!/usr/bin/env node
// pulumi-valkey: the ops CLI over the same convergence engine as the dynamic provider.
import * as fs from "fs";
import { parseArgs } from "util";
import { converge, ConvergeRequest, status } from "./converge/converge";
import { ValkeyProviderError } from "./errors";
import { Credentials, TlsOptions } from "./nodes/client";
import { kubernetesTransport } from "./nodes/kubernetes";
import { directTransport, Transport } from "./nodes/transport";
import { describeTopology, formatRanges, NodeReport, Settings, Topology } from "./reconcile";

const USAGE = `Usage:
  pulumi-valkey converge <nodes> <topology> [options]   converge the nodes and verify them
  pulumi-valkey status   <nodes> [<topology>] [options] show the nodes (and what converge would do)

Nodes, one of:
  --nodes host:port,...        nodes reached over TCP, in order (ties go to earlier nodes)
  --announce host:port,...     what the nodes use among themselves, when it differs from --nodes
  --statefulset NAME --namespace NS --pods N [--kubeconfig FILE] [--context CTX] [--port 6379]
                               pods NAME-0..NAME-(N-1) through Kubernetes port-forwards

Topology (converge needs one; status shows the pending changes when given):
  --masters M --replicas R     cluster of M primaries with R replicas each (the default mode)
                               [--release-surplus]: nodes beyond M x (1+R) are drained, forgotten
                               and reset (scale in), instead of becoming extra replicas
  --mode replicated --replicas N   one primary and N replicas (cluster mode off)
  --mode standalone            one primary

Options:
  --user U                     ACL user (default: the default user)
  --password-env VAR           read the password from the environment variable VAR
  --tls-ca FILE --tls-cert FILE --tls-key FILE [--tls-server-name NAME]   connect with TLS
  --timeout SECONDS            give up after this long (default 120)
  --cluster-node-timeout MS    steady cluster-node-timeout to keep after a bootstrap
                               (default: the highest value among the nodes)
  --json                       print the result as JSON
  --verbose                    also print what converge waits for
  --help, --version

Exit codes: 0 converged and verified (status: every node answered and is healthy); 1 failed or
refused (status: unhealthy); 2 bad usage or an impossible request.`;

class UsageError extends Error {}

const options = {
    nodes: { type: "string" },
    announce: { type: "string" },
    statefulset: { type: "string" },
    namespace: { type: "string" },
    pods: { type: "string" },
    kubeconfig: { type: "string" },
    context: { type: "string" },
    port: { type: "string" },
    masters: { type: "string" },
    replicas: { type: "string" },
    "release-surplus": { type: "boolean" },
    mode: { type: "string" },
    user: { type: "string" },
    "password-env": { type: "string" },
    "tls-ca": { type: "string" },
    "tls-cert": { type: "string" },
    "tls-key": { type: "string" },
    "tls-server-name": { type: "string" },
    timeout: { type: "string" },
    "cluster-node-timeout": { type: "string" },
    json: { type: "boolean" },
    verbose: { type: "boolean" },
    help: { type: "boolean" },
    version: { type: "boolean" },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true }>>["values"];

function count(flag: string, text: string | undefined, min: number): number | undefined {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!/^\d+$/.test(text) || n < min) throw new UsageError(`--${flag} must be a whole number >= ${min} (got "${text}")`);
    return n;
}

function readFile(flag: string, file: string | undefined): string | undefined {
    if (file === undefined) return undefined;
    try {
        return fs.readFileSync(file, "utf8");
    } catch (e) {
        throw new UsageError(`--${flag}: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
}

function topologyOf(v: Values, required: boolean): Topology | undefined {
    const mode = v.mode ?? "cluster";
    const replicas = count("replicas", v.replicas, 0);
    switch (mode) {
        case "standalone":
            return { kind: "standalone" };
        case "replicated":
            if (replicas === undefined) throw new UsageError("--mode replicated needs --replicas N");
            return { kind: "replicated", replicas };
        case "cluster": {
            const masters = count("masters", v.masters, 1);
            if (masters === undefined) {
                if (!required && v.replicas === undefined) return undefined;
                throw new UsageError("a cluster needs --masters M (and --replicas R, default 0); or choose --mode replicated or standalone");
            }
            return { kind: "cluster", masters, replicasPerMaster: replicas ?? 0, ...(v["release-surplus"] ? { surplus: "release" as const } : {}) };
        }
        default:
            throw new UsageError(`--mode must be cluster, replicated or standalone (got "${mode}")`);
    }
}

function transportOf(v: Values, log: (line: string) => void): Transport {
    if (v.nodes !== undefined && v.statefulset !== undefined) {
        throw new UsageError("--nodes and --statefulset are mutually exclusive: choose one way to reach the nodes");
    }
    if (v.nodes !== undefined) {
        const dial = v.nodes.split(",").filter((s) => s !== "");
        const announce = v.announce?.split(",").filter((s) => s !== "");
        if (announce && announce.length !== dial.length) {
            throw new UsageError(`--announce lists ${announce.length} addresses but --nodes lists ${dial.length}; give one per node, in the same order`);
        }
        return directTransport(dial.map((d, i) => ({ dial: d, ...(announce ? { announce: announce[i] } : {}) })));
    }
    if (v.statefulset !== undefined) {
        const pods = count("pods", v.pods, 1);
        if (v.namespace === undefined || pods === undefined) throw new UsageError("--statefulset needs --namespace NS and --pods N");
        const kubeconfig = readFile("kubeconfig", v.kubeconfig);
        const port = count("port", v.port, 1);
        return kubernetesTransport(
            {
                namespace: v.namespace,
                statefulSet: v.statefulset,
                replicas: pods,
                ...(kubeconfig !== undefined ? { kubeconfig } : {}),
                ...(v.context !== undefined ? { context: v.context } : {}),
                ...(port !== undefined ? { port } : {}),
            },
            log,
        );
    }
    throw new UsageError("say which nodes: --nodes host:port,... or --statefulset NAME --namespace NS --pods N");
}

function credentialsOf(v: Values): Credentials | undefined {
    let password: string | undefined;
    if (v["password-env"] !== undefined) {
        password = process.env[v["password-env"]];
        if (password === undefined || password === "") throw new UsageError(`--password-env: the environment variable ${v["password-env"]} is not set`);
    }
    if (v.user === undefined && password === undefined) return undefined;
    return { ...(v.user !== undefined ? { username: v.user } : {}), ...(password !== undefined ? { password } : {}) };
}

function tlsOf(v: Values): TlsOptions | undefined {
    if (v["tls-ca"] === undefined && v["tls-cert"] === undefined && v["tls-key"] === undefined) return undefined;
    if ((v["tls-cert"] === undefined) !== (v["tls-key"] === undefined)) throw new UsageError("--tls-cert and --tls-key go together");
    const ca = readFile("tls-ca", v["tls-ca"]);
    const cert = readFile("tls-cert", v["tls-cert"]);
    const key = readFile("tls-key", v["tls-key"]);
    return {
        ...(ca !== undefined ? { ca } : {}),
        ...(cert !== undefined ? { cert } : {}),
        ...(key !== undefined ? { key } : {}),
        ...(v["tls-server-name"] !== undefined ? { serverName: v["tls-server-name"] } : {}),
    };
}

function nodeTable(nodes: readonly NodeReport[]): string {
    const rows = nodes.map((n) => [
        n.name === n.address ? n.name : `${n.name} ${n.address}`,
        n.id?.slice(0, 8) ?? "-",
        n.role,
        n.role === "replica" ? `of ${n.primary ?? "?"}` : n.slots.length > 0 ? `slots ${formatRanges(n.slots)}` : "",
    ]);
    const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => r[c].length))) ?? [];
    return rows
        .map(
            (r) =>
                "  " +
                r
                    .map((cell, c) => cell.padEnd(widths[c]))
                    .join("  ")
                    .trimEnd(),
        )
        .join("\n");
}

async function main(argv: string[]): Promise<number> {
    const { values: v, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    if (v.help) {
        console.log(USAGE);
        return 0;
    }
    if (v.version) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        console.log(require("../../package.json").version);
        return 0;
    }
    const [command, ...extra] = positionals;
    if (command !== "converge" && command !== "status")
        throw new UsageError(command === undefined ? "say what to do: converge or status" : `unknown command "${command}"`);
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    const print = (line: string) => console.log(line);
    const logLine = v.json ? () => undefined : print;
    const topology = topologyOf(v, command === "converge");
    const credentials = credentialsOf(v);
    const tls = tlsOf(v);
    const transport = transportOf(v, (line) => console.error(line));
    const timeoutSeconds = v.timeout !== undefined ? Number(v.timeout) : 120;
    if (!(timeoutSeconds > 0)) throw new UsageError(`--timeout must be a number of seconds > 0 (got "${v.timeout}")`);
    const nodeTimeout = count("cluster-node-timeout", v["cluster-node-timeout"], 1);
    const settings: Settings = nodeTimeout !== undefined ? { "cluster-node-timeout": nodeTimeout } : {};
    const base = { transport, ...(credentials ? { credentials } : {}), ...(tls ? { tls } : {}) };
    const runOptions = {
        timeoutMs: timeoutSeconds * 1000,
        // A node that is down now is reported at once, unless the run is given longer to wait.
        reachableTimeoutMs: Math.min(timeoutSeconds * 1000, 10000),
        log: (line: string) => {
            if (!line.startsWith("waiting for:") || v.verbose) logLine(line);
        },
    };

    if (command === "status") {
        const result = await status({ ...base, ...(topology ? { topology } : {}) }, runOptions);
        if (v.json) print(JSON.stringify(result, null, 2));
        else {
            print(`${result.nodes.length} nodes:`);
            print(nodeTable(result.nodes));
            print(result.problems.length === 0 ? "healthy" : `unhealthy:\n${result.problems.map((p) => `  ${p}`).join("\n")}`);
            if (result.pending) {
                const { actions, waiting, refusals } = result.pending;
                if (refusals.length > 0) print(`converge would refuse:\n${refusals.map((r) => `  ${r}`).join("\n")}`);
                else if (actions.length > 0) print(`converge would next send:\n${actions.map((a) => `  ${a}`).join("\n")}`);
                else if (waiting.length > 0) print(`converge would wait for:\n${waiting.map((w) => `  ${w}`).join("\n")}`);
                else print(`converged: ${describeTopology(topology as Topology)}`);
            }
        }
        return result.problems.length === 0 ? 0 : 1;
    }

    const request: ConvergeRequest = { ...base, topology: topology as Topology, ...(nodeTimeout !== undefined ? { settings } : {}) };
    const result = await converge(request, runOptions);
    if (v.json) {
        print(JSON.stringify(result, null, 2));
        return 0;
    }
    const seconds = (result.elapsedMs / 1000).toFixed(2);
    print(
        result.mutations === 0
            ? `already converged: ${describeTopology(result.topology)}; nothing changed (verified in ${seconds} s)`
            : `converged: ${describeTopology(result.topology)} in ${seconds} s; ${result.mutations} commands changed the nodes`,
    );
    print(nodeTable(result.nodes));
    return 0;
}

/** Exits once stdout and stderr are flushed (timers of closed connections may otherwise linger). */
function exit(code: number): void {
    let pending = 2;
    const done = () => {
        if (--pending === 0) process.exit(code);
    };
    process.stdout.write("", done);
    process.stderr.write("", done);
}

main(process.argv.slice(2)).then(exit, (e: unknown) => {
    const usage = e instanceof UsageError || (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS");
    const impossible = e instanceof ValkeyProviderError && e.code === "invalid-request";
    console.error(`pulumi-valkey: ${e instanceof Error ? e.message : String(e)}`);
    if (usage) console.error("Run pulumi-valkey --help for the usage.");
    exit(usage || impossible ? 2 : 1);
});
