// This package's components with the real Pulumi engine (Automation API, file backend) on the
// local control plane: an invalid spec fails `pulumi preview` with its field path; a Valkey with TLS
// comes up verified and answers SET/GET; a Valkey business-4 with TLS comes up with its replica
// linked and its Sentinels naming the primary; a ValkeyCluster comes up with cluster_state ok, keeps
// every key when masterCount changes; the stack export holds no plaintext password or private key;
// `pulumi destroy` leaves nothing. Skipped, with the reason, when the toolchain is incomplete or
// not root.
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { ControlPlane, controlPlaneDown, controlPlaneUp, e2eSkipReason, pulumiOfflineEnv } from "./harness";

const REPO = path.resolve(__dirname, "../../..");

function kubectl(cp: ControlPlane, ...args: string[]): { status: number; out: string } {
    const r = spawnSync("kubectl", args, { encoding: "utf8", env: { ...process.env, ...cp.env } });
    return { status: r.status ?? 1, out: `${r.stdout}${r.stderr}` };
}

function podIPs(cp: ControlPlane, namespace: string, selector: string): string[] {
    return kubectl(cp, "-n", namespace, "get", "pods", "-l", selector, "-o", "jsonpath={.items[*].status.podIP}").out.trim().split(/\s+/);
}

function cli(args: string[]): string {
    return spawnSync("valkey-cli", ["--no-auth-warning", ...args], { encoding: "utf8", timeout: 15000 }).stdout.trim();
}

async function waitGone(cp: ControlPlane, ...what: string[]): Promise<string> {
    let out = "";
    for (let i = 0; i < 120; i++) {
        out = kubectl(cp, "get", ...what).out;
        if (out.includes("NotFound") || out.includes("No resources found")) return out;
        await new Promise((r) => setTimeout(r, 500));
    }
    return out;
}

describe("components with the real Pulumi engine on the local control plane", function () {
    this.timeout(30 * 60 * 1000);
    let cp: ControlPlane | undefined;
    let offline: ReturnType<typeof pulumiOfflineEnv> | undefined;
    const stacks: Stack[] = [];
    const savedEnv = { ...process.env };
    // Inside the repository, so the engine's Node processes (the program, the dynamic provider)
    // resolve @pulumi/pulumi and pulumi-valkey from its node_modules.
    const workDir = path.join(REPO, ".e2e-work", Date.now().toString(36));

    async function stackFor(name: string, program: () => Promise<Record<string, unknown>>): Promise<Stack> {
        const dir = path.join(workDir, name);
        fs.mkdirSync(dir, { recursive: true });
        const stack = await LocalWorkspace.createOrSelectStack(
            { stackName: name, projectName: `pvk-${name}`, program },
            {
                workDir: dir,
                pulumiHome: cp!.env.PULUMI_HOME,
                envVars: offline!.env,
                projectSettings: { name: `pvk-${name}`, runtime: "nodejs", backend: { url: offline!.env.PULUMI_BACKEND_URL } },
            },
        );
        stacks.push(stack);
        return stack;
    }

    function exportedState(stack: Stack): string {
        // Not stack.exportStack(): the Automation API exports with --show-secrets (plaintext).
        const run = spawnSync("pulumi", ["stack", "export", "--stack", stack.name, "--non-interactive"], {
            cwd: stack.workspace.workDir,
            encoding: "utf8",
            env: process.env,
            maxBuffer: 64 * 1024 * 1024,
        });
        expect(run.status, run.stderr).to.equal(0);
        return run.stdout;
    }

    /** `pulumi destroy` succeeds, and the namespace and every PersistentVolume are gone. */
    async function destroyLeavesNothing(stack: Stack, namespace: string): Promise<void> {
        const down = await stack.destroy({ onOutput: () => undefined });
        expect(down.summary.result).to.equal("succeeded");
        expect(await waitGone(cp!, "namespace", namespace)).to.contain("NotFound");
        expect(await waitGone(cp!, "pv", "--no-headers")).to.contain("No resources found");
    }

    before(function () {
        const reason = e2eSkipReason();
        if (reason) {
            console.log(`      skipped: ${reason}`);
            this.skip();
        }
        const status = spawnSync("bash", [path.join(REPO, "scripts/control-plane.sh"), "status"]);
        if (status.status !== 3) {
            console.log("      skipped: a control plane is already running here; not touching it");
            this.skip();
        }
        // The serialized dynamic provider requires `pulumi-valkey/provider` by name, as it would
        // from an installed package.
        const link = path.join(REPO, "node_modules", "pulumi-valkey");
        if (!fs.existsSync(link)) fs.symlinkSync("..", link);
        cp = controlPlaneUp();
        offline = pulumiOfflineEnv(cp);
        Object.assign(process.env, offline.env); // the Automation API runs `pulumi` from PATH
    });

    after(async function () {
        try {
            for (const stack of stacks) {
                await stack.destroy({ onOutput: () => undefined }).catch(() => undefined);
                await stack.workspace.removeStack(stack.name, { force: true }).catch(() => undefined);
            }
        } finally {
            offline?.cleanup();
            fs.rmSync(path.join(REPO, ".e2e-work"), { recursive: true, force: true });
            for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k];
            Object.assign(process.env, savedEnv);
            if (cp) controlPlaneDown();
        }
    });

    it("`pulumi preview` of an invalid spec fails with the field path and the rule", async () => {
        const stack = await stackFor("invalid", async () => {
            const { Valkey } = await import("../../sdk");
            new Valkey("bad", { project: "e2e", plan: "startup-4", userConfig: { valkey_io_threads: 64 } });
            return {};
        });
        let error: unknown;
        try {
            await stack.preview({ onOutput: () => undefined });
        } catch (e) {
            error = e;
        }
        expect(String(error)).to.contain("userConfig.valkey_io_threads: must be at most 32 (got 64)");
    });

    it("a Valkey with TLS: up verified, SET/GET with its password and CA, no plaintext secret in the export, destroy leaves nothing", async () => {
        const stack = await stackFor("valkey", async () => {
            const k8s = await import("@pulumi/kubernetes");
            const { Valkey } = await import("../../sdk");
            const ns = new k8s.core.v1.Namespace("ns", { metadata: { name: "e2e-valkey" } });
            const cache = new Valkey(
                "cache",
                { project: "e2e-valkey", plan: "hobbyist", userConfig: { valkey_ssl: true, valkey_maxmemory_policy: "allkeys-lru" } },
                { dependsOn: [ns] },
            );
            return { state: cache.state, password: cache.servicePassword, uri: cache.serviceUri, ca: cache.caCertificate };
        });
        const up = await stack.up({ onOutput: () => undefined });
        expect(up.summary.result).to.equal("succeeded");
        expect(up.outputs.state.value).to.equal("RUNNING");
        expect(up.outputs.password.secret).to.equal(true);
        expect(up.outputs.uri.value).to.match(/^rediss:\/\/default:/);
        const password = up.outputs.password.value as string;
        const caFile = path.join(workDir, "ca.crt");
        fs.writeFileSync(caFile, up.outputs.ca.value as string);

        const [ip] = podIPs(cp!, "e2e-valkey", "app.kubernetes.io/instance=cache");
        const tls = ["--tls", "--cacert", caFile, "-a", password, "-h", ip, "-p", "6379"];
        expect(cli([...tls, "SET", "e2e:key", "hello"])).to.equal("OK");
        expect(cli([...tls, "GET", "e2e:key"])).to.equal("hello");
        // TLS only: the plain protocol gets no answer.
        expect(cli(["-a", password, "-h", ip, "-p", "6379", "PING"])).to.not.equal("PONG");

        const exported = exportedState(stack);
        expect(JSON.parse(exported).deployment.resources.length).to.be.greaterThan(10);
        expect(exported).to.not.contain(password);
        expect(exported).to.not.contain("PRIVATE KEY");

        await destroyLeavesNothing(stack, "e2e-valkey");
    });

    it("a Valkey business-4 with TLS: up verified, the primary answers SET/GET through a port-forward, the replica is linked, the Sentinels name the primary, destroy leaves nothing", async () => {
        const stack = await stackFor("ha", async () => {
            const k8s = await import("@pulumi/kubernetes");
            const { Valkey } = await import("../../sdk");
            const ns = new k8s.core.v1.Namespace("ns", { metadata: { name: "e2e-ha" } });
            const cache = new Valkey("ha", { project: "e2e-ha", plan: "business-4", userConfig: { valkey_ssl: true } }, { dependsOn: [ns] });
            return { state: cache.state, password: cache.servicePassword, ca: cache.caCertificate, sentinelHosts: cache.sentinelHosts, sentinelMasterName: cache.sentinelMasterName };
        });
        const up = await stack.up({ onOutput: () => undefined });
        expect(up.summary.result).to.equal("succeeded");
        expect(up.outputs.state.value).to.equal("RUNNING");
        expect(up.outputs.sentinelHosts.value).to.deep.equal(["ha-sentinel.e2e-ha.svc.cluster.local:26379"]);
        expect(up.outputs.sentinelMasterName.value).to.equal("ha");
        const password = up.outputs.password.value as string;
        const caFile = path.join(workDir, "ha-ca.crt");
        fs.writeFileSync(caFile, up.outputs.ca.value as string);
        const tls = ["--tls", "--cacert", caFile];

        // The first primary is pod-0 (docs/pod-contract.md); reach it as the provider does.
        const forward = spawn("kubectl", ["-n", "e2e-ha", "port-forward", "pod/ha-0", ":6379"], { env: { ...process.env, ...cp!.env }, stdio: ["ignore", "pipe", "pipe"] });
        try {
            const localPort = await new Promise<string>((resolve, reject) => {
                let out = "";
                const timer = setTimeout(() => reject(new Error(`no port-forward: ${out}`)), 30000);
                forward.stdout!.on("data", (chunk) => {
                    out += chunk;
                    const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(out);
                    if (m) {
                        clearTimeout(timer);
                        resolve(m[1]);
                    }
                });
            });
            const primary = [...tls, "-a", password, "-h", "127.0.0.1", "-p", localPort];
            expect(cli([...primary, "SET", "e2e:ha", "hello"])).to.equal("OK");
            expect(cli([...primary, "GET", "e2e:ha"])).to.equal("hello");
            expect(cli([...primary, "INFO", "replication"])).to.match(/^role:master\r?$/m);
        } finally {
            forward.kill();
        }

        const [replicaIp] = kubectl(cp!, "-n", "e2e-ha", "get", "pod", "ha-1", "-o", "jsonpath={.status.podIP}").out.trim().split(/\s+/);
        const replication = cli([...tls, "-a", password, "-h", replicaIp, "-p", "6379", "INFO", "replication"]);
        expect(replication).to.match(/^master_host:ha-0\.ha-headless\.e2e-ha\.svc\.cluster\.local\r?$/m);
        expect(replication).to.match(/^master_link_status:up\r?$/m);
        expect(cli([...tls, "-a", password, "-h", replicaIp, "-p", "6379", "GET", "e2e:ha"])).to.equal("hello");
        // TLS only: the plain protocol gets no answer.
        expect(cli(["-a", password, "-h", replicaIp, "-p", "6379", "PING"])).to.not.equal("PONG");

        const sentinelIps = podIPs(cp!, "e2e-ha", "app.kubernetes.io/instance=ha,app.kubernetes.io/name=valkey-sentinel");
        expect(sentinelIps).to.have.length(3);
        for (const ip of sentinelIps) {
            let answer = "";
            for (let i = 0; i < 60 && answer !== "ha-0.ha-headless.e2e-ha.svc.cluster.local\n6379"; i++) {
                answer = cli([...tls, "-h", ip, "-p", "26379", "SENTINEL", "get-master-addr-by-name", "ha"]);
                if (answer !== "ha-0.ha-headless.e2e-ha.svc.cluster.local\n6379") await new Promise((r) => setTimeout(r, 1000));
            }
            expect(answer, `Sentinel ${ip}`).to.equal("ha-0.ha-headless.e2e-ha.svc.cluster.local\n6379");
        }

        const exported = exportedState(stack);
        expect(exported).to.not.contain(password);
        expect(exported).to.not.contain("PRIVATE KEY");

        await destroyLeavesNothing(stack, "e2e-ha");
    });

    it("a ValkeyCluster: cluster_state ok; masterCount 3 -> 4 keeps every key", async () => {
        let masterCount = 3;
        const stack = await stackFor("cluster", async () => {
            const k8s = await import("@pulumi/kubernetes");
            const { ValkeyCluster } = await import("../../sdk");
            const ns = new k8s.core.v1.Namespace("ns", { metadata: { name: "e2e-cluster" } });
            const cluster = new ValkeyCluster(
                "shards",
                { namespace: "e2e-cluster", masterCount, replicasPerMaster: 0, pvc: { storageSize: "1Gi" }, resources: { requests: { memory: "256Mi", cpu: "100m" }, limits: { memory: "256Mi" } } },
                { dependsOn: [ns] },
            );
            return { phase: cluster.phase, password: cluster.servicePassword, nodes: cluster.nodes };
        });
        const up = await stack.up({ onOutput: () => undefined });
        expect(up.summary.result).to.equal("succeeded");
        expect(up.outputs.phase.value).to.equal("Running");
        const password = up.outputs.password.value as string;
        const ips = podIPs(cp!, "e2e-cluster", "app.kubernetes.io/instance=shards");
        expect(ips).to.have.length(3);
        for (const ip of ips) expect(cli(["-a", password, "-h", ip, "CLUSTER", "INFO"])).to.contain("cluster_state:ok");

        // 2000 keys through one cluster-aware valkey-cli (-c follows MOVED for each line).
        const keys = 2000;
        const pipe = Array.from({ length: keys }, (_, i) => `SET key:${i} value:${i}`).join("\n") + "\n";
        const load = spawnSync("valkey-cli", ["--no-auth-warning", "-a", password, "-h", ips[0], "-c"], { input: pipe, encoding: "utf8", maxBuffer: 16 * 1024 * 1024 });
        expect(load.stdout.trim().split("\n").filter((l) => l === "OK")).to.have.length(keys);

        masterCount = 4;
        const again = await stack.up({ onOutput: () => undefined });
        expect(again.summary.result).to.equal("succeeded");
        expect(again.outputs.phase.value).to.equal("Running");
        const after = podIPs(cp!, "e2e-cluster", "app.kubernetes.io/instance=shards");
        expect(after).to.have.length(4);
        const masters = cli(["-a", password, "-h", after[0], "CLUSTER", "NODES"]).split("\n").filter((l) => l.includes("master"));
        expect(masters).to.have.length(4);
        const read = spawnSync("valkey-cli", ["--no-auth-warning", "-a", password, "-h", after[3], "-c"], {
            input: Array.from({ length: keys }, (_, i) => `GET key:${i}`).join("\n") + "\n",
            encoding: "utf8",
            maxBuffer: 16 * 1024 * 1024,
        });
        const values = read.stdout.trim().split("\n").filter((l) => !l.startsWith("-> Redirected"));
        expect(values).to.deep.equal(Array.from({ length: keys }, (_, i) => `value:${i}`));
        let total = 0;
        for (const ip of after) total += Number(cli(["-a", password, "-h", ip, "DBSIZE"]));
        expect(total).to.equal(keys);

        const down = await stack.destroy({ onOutput: () => undefined });
        expect(down.summary.result).to.equal("succeeded");
        expect(await waitGone(cp!, "namespace", "e2e-cluster")).to.contain("NotFound");
    });
});
