import { expect } from "chai";
import { spawn } from "child_process";
import * as path from "path";
import { address, clusterInfo, replicationInfo, seededRandom, startNodes } from "../helpers/nodes";
import { makeCertificates } from "../helpers/tls";
import { freePort, startValkey, stopAllValkeys, ValkeyProcess } from "../helpers/valkey";

const CLI = path.join(__dirname, "..", "..", "provider", "cli.js");

interface Run {
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
}

/** Runs the compiled CLI; `killWhen` may SIGKILL it once its output so far satisfies it. */
function cli(args: string[], env: NodeJS.ProcessEnv = {}, killWhen?: (stdout: string) => boolean): Promise<Run> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        const guard = setTimeout(() => child.kill("SIGKILL"), 60000);
        child.stdout.on("data", (chunk) => {
            stdout += chunk;
            if (killWhen?.(stdout)) child.kill("SIGKILL");
        });
        child.stderr.on("data", (chunk) => (stderr += chunk));
        child.on("error", reject);
        child.on("close", (code, signal) => {
            clearTimeout(guard);
            resolve({ code, signal, stdout, stderr });
        });
    });
}

const nodesArg = (servers: ValkeyProcess[]) => servers.map(address).join(",");

describe("pulumi-valkey CLI", function () {
    this.timeout(60000);
    after(stopAllValkeys);

    it("converges a 3x1 cluster, prints what it did, and reports nothing to do the second time; status shows it", async () => {
        const servers = await startNodes(6, { cluster: true });
        const before = await cli(["status", "--nodes", nodesArg(servers), "--masters", "3", "--replicas", "1"]);
        expect(before.code).to.equal(1);
        const pending = before.stdout.split("\n");
        expect(pending).to.include("unhealthy:");
        expect(pending).to.include(`  ${address(servers[0])}: cluster_state:fail, 0 of 16384 slots ok`);
        expect(pending).to.include("converge would next send:");
        expect(pending).to.include(`  ${address(servers[2])}: CLUSTER ADDSLOTSRANGE 10923 16383 (serve slots 10923-16383)`);

        const args = ["converge", "--nodes", nodesArg(servers), "--masters", "3", "--replicas", "1"];
        const first = await cli(args);
        expect(first.stderr).to.equal("");
        expect(first.code).to.equal(0);
        const lines = first.stdout.trimEnd().split("\n");
        const actions = lines.filter((l) => / \((config epoch|serve slots|meet|replica of|for a fast bootstrap|back to its steady value)/.test(l));
        expect(actions).to.include(`${address(servers[0])}: CLUSTER ADDSLOTSRANGE 0 5460 (serve slots 0-5460)`);
        const summary = lines.find((l) => l.startsWith("converged:"));
        expect(summary).to.match(
            new RegExp(`^converged: cluster \\(3 primaries x 1 replica\\) in \\d+\\.\\d\\d s; ${actions.length} commands changed the nodes$`),
        );
        expect(lines.slice(-6).map((l) => l.trim().split(/\s+/).slice(2).join(" "))).to.deep.equal([
            "primary slots 0-5460",
            "primary slots 5461-10922",
            "primary slots 10923-16383",
            `replica of ${address(servers[0])}`,
            `replica of ${address(servers[1])}`,
            `replica of ${address(servers[2])}`,
        ]);

        const second = await cli(args);
        expect(second.code).to.equal(0);
        expect(second.stdout.split("\n")[1]).to.match(/^already converged: cluster \(3 primaries x 1 replica\); nothing changed \(verified in \d+\.\d\d s\)$/);

        const status = await cli(["status", "--nodes", nodesArg(servers), "--json"]);
        expect(status.code).to.equal(0);
        const report = JSON.parse(status.stdout) as { nodes: { name: string; role: string; primary?: string }[]; problems: string[] };
        expect(report.problems).to.deep.equal([]);
        expect(report.nodes.map((n) => [n.name, n.role, n.primary ?? "-"])).to.deep.equal([
            [address(servers[0]), "primary", "-"],
            [address(servers[1]), "primary", "-"],
            [address(servers[2]), "primary", "-"],
            [address(servers[3]), "replica", address(servers[0])],
            [address(servers[4]), "replica", address(servers[1])],
            [address(servers[5]), "replica", address(servers[2])],
        ]);
    });

    it("finishes a bootstrap after the CLI was killed with SIGKILL mid-run", async () => {
        const seed = Number(process.env.CONVERGE_SEED ?? Date.now() % 1_000_000);
        const random = seededRandom(seed);
        const servers = await startNodes(6, { cluster: true });
        const args = ["converge", "--nodes", nodesArg(servers), "--masters", "3", "--replicas", "1"];
        const killedAfter: number[] = [];
        for (let i = 0; i < 3; i++) {
            const after = 1 + Math.floor(random() * 25);
            const run = await cli(args, {}, (out) => out.split("\n").filter((l) => l.includes(": CLUSTER ") || l.includes(": CONFIG ")).length >= after);
            if (run.signal === "SIGKILL") killedAfter.push(after);
        }
        expect(killedAfter.length, `seed ${seed}`).to.be.greaterThan(0);
        const final = await cli(args);
        expect(final.code, final.stderr).to.equal(0);
        for (const s of servers) expect((await clusterInfo(s)).cluster_state).to.equal("ok");
    });

    it("converges a primary and a replica over TLS with a client certificate", async () => {
        const certs = makeCertificates();
        const tlsPorts = [await freePort(), await freePort()];
        const servers = await Promise.all(
            tlsPorts.map((tlsPort) =>
                startValkey({
                    args: [
                        ...["--tls-port", String(tlsPort), "--tls-cert-file", certs.serverCert, "--tls-key-file", certs.serverKey],
                        ...["--tls-ca-cert-file", certs.caFile, "--tls-auth-clients", "yes", "--tls-replication", "yes"],
                    ],
                }),
            ),
        );
        const tls = ["--tls-ca", certs.caFile, "--tls-cert", certs.clientCert, "--tls-key", certs.clientKey];
        const nodes = tlsPorts.map((p) => `127.0.0.1:${p}`).join(",");
        const run = await cli(["converge", "--nodes", nodes, "--mode", "replicated", "--replicas", "1", ...tls]);
        expect(run.stderr).to.equal("");
        expect(run.code).to.equal(0);
        expect(run.stdout).to.include(`127.0.0.1:${tlsPorts[1]}: REPLICAOF 127.0.0.1 ${tlsPorts[0]} (replica of 127.0.0.1:${tlsPorts[0]})`);
        expect((await replicationInfo(servers[1])).master_link_status).to.equal("up");

        const withoutCert = await cli(["status", "--nodes", nodes, "--tls-ca", certs.caFile, "--timeout", "2"]);
        expect(withoutCert.code).to.equal(1);
        expect(withoutCert.stderr).to.match(new RegExp(`^pulumi-valkey: node 127\\.0\\.0\\.1:${tlsPorts[0]} is unreachable: `));
    });

    describe("failures: a clear message on stderr and a non-zero exit", () => {
        it("an impossible request exits 2", async () => {
            const run = await cli(["converge", "--nodes", "127.0.0.1:7001,127.0.0.1:7002", "--masters", "3", "--replicas", "1"]);
            expect([run.code, run.stdout, run.stderr]).to.deep.equal([
                2,
                "",
                "pulumi-valkey: invalid request: the topology needs at least 6 nodes (3 primaries x (1 + 1 replicas)), but 2 were given\n",
            ]);
        });

        it("bad usage exits 2 and points at --help", async () => {
            const run = await cli(["converge", "--nodes", "127.0.0.1:7001", "--replicas", "1"]);
            expect([run.code, run.stderr]).to.deep.equal([
                2,
                "pulumi-valkey: a cluster needs --masters M (and --replicas R, default 0); or choose --mode replicated or standalone\nRun pulumi-valkey --help for the usage.\n",
            ]);
        });

        it("an unreachable node exits 1, naming it", async () => {
            const port = await freePort();
            const run = await cli(["converge", "--nodes", `127.0.0.1:${port}`, "--mode", "standalone", "--timeout", "1"]);
            expect([run.code, run.stderr]).to.deep.equal([1, `pulumi-valkey: node 127.0.0.1:${port} is unreachable: connect ECONNREFUSED 127.0.0.1:${port}\n`]);
        });

        it("a wrong password exits 1 without showing it; a missing password variable is a usage error", async () => {
            const secret = "cli-Secret-42";
            const server = await startValkey({ password: secret, args: ["--requirepass", secret] });
            const run = await cli(["status", "--nodes", address(server), "--password-env", "VALKEY_PW"], { VALKEY_PW: "not-the-password" });
            expect([run.code, run.stderr]).to.deep.equal([
                1,
                `pulumi-valkey: node ${address(server)}: authentication failed: user default: WRONGPASS invalid username-password pair or user is disabled.\n`,
            ]);
            expect(run.stdout + run.stderr).not.to.include("not-the-password");
            const unset = await cli(["status", "--nodes", address(server), "--password-env", "PULUMI_VALKEY_UNSET_VARIABLE"]);
            expect([unset.code, unset.stderr.split("\n")[0]]).to.deep.equal([
                2,
                "pulumi-valkey: --password-env: the environment variable PULUMI_VALKEY_UNSET_VARIABLE is not set",
            ]);
            const right = await cli(["status", "--nodes", address(server), "--password-env", "VALKEY_PW"], { VALKEY_PW: secret });
            expect(right.code).to.equal(0);
            expect(right.stdout).not.to.include(secret);
        });
    });
});
