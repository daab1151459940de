// This package's components with the real Pulumi engine (Automation API, file backend) on the
// local control plane: an invalid spec fails `pulumi preview` with its field path; a Valkey with TLS
// comes up verified and answers SET/GET; a Valkey business-4 with TLS comes up with its replica
// linked and its Sentinels naming the primary; a Valkey business-4 with ACL users (default off) is
// verified as the admin user and hands its primary over through the Sentinels on a forced restart; a ValkeyCluster comes up with cluster_state ok, keeps
// every key when masterCount changes, and its PVCs (the new pod's too) grow in the same update, then
// takes day-2 changes (live config, a restart waiting for its window, then forced with handoffs, a
// scale-in); a Valkey's PVC grows with disk_space and a shrink fails preview; a change of a Valkey's
// `project` fails preview with the field, old and new value (sdk/spec/changes.ts); a ValkeyCluster with
// tls.externalCerts and ACL users changes users without restarting a pod; the stack export holds no
// plaintext password or private key; `pulumi destroy` leaves nothing. Skipped, with the reason,
// when the toolchain is incomplete or not root.
import { execFileSync, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { expect } from "chai";
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { ControlPlane, controlPlaneDown, controlPlaneUp, e2eSkipReason, printDiagnosticsIfFailed, pulumiOfflineEnv } from "./harness";

const REPO = path.resolve(__dirname, "../../..");

function kubectl(cp: ControlPlane, ...args: string[]): { status: number; out: string } {
    const r = spawnSync("kubectl", args, { encoding: "utf8", env: { ...process.env, ...cp.env } });
    return { status: r.status ?? 1, out: `${r.stdout}${r.stderr}` };
}

function podIPs(cp: ControlPlane, namespace: string, selector: string): string[] {
    return kubectl(cp, "-n", namespace, "get", "pods", "-l", selector, "-o", "jsonpath={.items[*].status.podIP}").out.trim().split(/\s+/);
}

/** valkey-cli; `auth`, when given, goes through the environment (REDISCLI_AUTH), never argv. */
function cli(args: string[], auth?: string): string {
    const env = { ...process.env, ...(auth !== undefined ? { REDISCLI_AUTH: auth } : {}) };
    const r = spawnSync("valkey-cli", ["--no-auth-warning", ...args], { encoding: "utf8", timeout: 15000, env });
    return r.stdout.trim();
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

    afterEach(function () {
        printDiagnosticsIfFailed(this);
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
            return {
                state: cache.state,
                password: cache.servicePassword,
                ca: cache.caCertificate,
                sentinelHosts: cache.sentinelHosts,
                sentinelMasterName: cache.sentinelMasterName,
                sentinelPassword: cache.sentinelPassword,
            };
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
        const forward = spawn("kubectl", ["-n", "e2e-ha", "port-forward", "pod/ha-0", ":6379"], {
            env: { ...process.env, ...cp!.env },
            stdio: ["ignore", "pipe", "pipe"],
        });
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
        const sentinelPassword = up.outputs.sentinelPassword.value as string;
        expect(up.outputs.sentinelPassword.secret).to.equal(true);
        for (const ip of sentinelIps) {
            // No command without the Sentinels' own password (issue 11, finding 1).
            expect(cli([...tls, "-h", ip, "-p", "26379", "SENTINEL", "REMOVE", "ha"])).to.equal("NOAUTH Authentication required.");
            let answer = "";
            for (let i = 0; i < 60 && answer !== "ha-0.ha-headless.e2e-ha.svc.cluster.local\n6379"; i++) {
                answer = cli([...tls, "-h", ip, "-p", "26379", "SENTINEL", "get-master-addr-by-name", "ha"], sentinelPassword);
                if (answer !== "ha-0.ha-headless.e2e-ha.svc.cluster.local\n6379") await new Promise((r) => setTimeout(r, 1000));
            }
            expect(answer, `Sentinel ${ip}`).to.equal("ha-0.ha-headless.e2e-ha.svc.cluster.local\n6379");
        }

        const exported = exportedState(stack);
        expect(exported).to.not.contain(password);
        expect(exported).to.not.contain(sentinelPassword);
        expect(exported).to.not.contain("PRIVATE KEY");

        await destroyLeavesNothing(stack, "e2e-ha");
    });

    it("a Valkey business-4 with kubernetes.acl (default user off): up verified as the admin user; the app user's rules hold, default is refused; a forced restart hands the primary over through the Sentinels (as sentinel-user) and keeps the keys", async () => {
        const appPassword = "e2e-app-pw-0123456789";
        let userConfig: Record<string, unknown> = {};
        const stack = await stackFor("acl", async () => {
            const k8s = await import("@pulumi/kubernetes");
            const { Valkey } = await import("../../sdk");
            const ns = new k8s.core.v1.Namespace("ns", { metadata: { name: "e2e-acl" } });
            const cache = new Valkey(
                "acl",
                {
                    project: "e2e-acl",
                    plan: "business-4",
                    userConfig,
                    kubernetes: {
                        applyDisruptiveChangesNow: true,
                        acl: { defaultUser: "off", users: [{ name: "app", passwords: [appPassword], rules: "~app:* +@read +@write" }] },
                    },
                },
                { dependsOn: [ns] },
            );
            return { state: cache.state, phase: cache.phase, username: cache.serviceUsername, password: cache.servicePassword, pending: cache.pendingRestart };
        });
        const up = await stack.up({ onOutput: () => undefined });
        expect(up.summary.result).to.equal("succeeded");
        expect([up.outputs.state.value, up.outputs.phase.value, up.outputs.username.value]).to.deep.equal(["RUNNING", "Running", "valkey-admin"]);
        const adminPassword = up.outputs.password.value as string;
        const ips = () => ["acl-0", "acl-1"].map((pod) => kubectl(cp!, "-n", "e2e-acl", "get", "pod", pod, "-o", "jsonpath={.status.podIP}").out.trim());
        const [primaryIp, replicaIp] = ips();
        const asApp = (ip: string, ...args: string[]) => cli(["--user", "app", "-h", ip, "-p", "6379", ...args], appPassword);
        expect(asApp(primaryIp, "SET", "app:1", "one")).to.equal("OK");
        expect(asApp(primaryIp, "SET", "other:1", "x")).to.match(/^NOPERM /);
        expect(asApp(primaryIp, "CONFIG", "GET", "maxmemory")).to.match(/^NOPERM /);
        // The default user is off: its password (there is none to give) and no password are refused.
        expect(cli(["-h", primaryIp, "-p", "6379", "PING"])).to.match(/^NOAUTH /);
        // AUTH as default fails (valkey-cli reports WRONGPASS on stderr), so the command after it is refused.
        expect(cli(["--user", "default", "-h", primaryIp, "-p", "6379", "PING"], adminPassword)).to.match(/^NOAUTH /);
        let linked = "";
        for (let i = 0; i < 60 && !/^master_link_status:up\r?$/m.test(linked); i++) {
            linked = cli(["--user", "valkey-admin", "-h", replicaIp, "-p", "6379", "INFO", "replication"], adminPassword);
            if (!/^master_link_status:up\r?$/m.test(linked)) await new Promise((r) => setTimeout(r, 1000));
        }
        expect(linked).to.match(/^master_link_status:up\r?$/m);

        // A restart-only directive, forced now: the provider restarts the replica, hands the primary
        // over through the Sentinels (their own password, not the admin's), and restarts the old primary.
        const uids = () => kubectl(cp!, "-n", "e2e-acl", "get", "pods", "acl-0", "acl-1", "-o", "jsonpath={.items[*].metadata.uid}").out.trim();
        const before = uids();
        userConfig = { valkey_io_threads: 2 };
        const changed = await stack.up({ onOutput: () => undefined });
        expect(changed.summary.result).to.equal("succeeded");
        expect([changed.outputs.state.value, changed.outputs.pending?.value]).to.deep.equal(["RUNNING", undefined]);
        const after = uids();
        expect(after.split(" ").filter((uid) => before.split(" ").includes(uid))).to.deep.equal([]);
        const roles = ips().map(
            (ip) => /^role:(\w+)\r?$/m.exec(cli(["--user", "valkey-admin", "-h", ip, "-p", "6379", "INFO", "replication"], adminPassword))?.[1],
        );
        expect([...roles].sort()).to.deep.equal(["master", "slave"]);
        const primaryNow = ips()[roles.indexOf("master")];
        expect(asApp(primaryNow, "GET", "app:1")).to.equal("one");
        expect(cli(["--user", "valkey-admin", "-h", primaryNow, "-p", "6379", "CONFIG", "GET", "io-threads"], adminPassword).split("\n")).to.deep.equal([
            "io-threads",
            "2",
        ]);

        const exported = exportedState(stack);
        expect(exported).to.not.contain(adminPassword);
        await destroyLeavesNothing(stack, "e2e-acl");
    });

    it("a ValkeyCluster: cluster_state ok; masterCount 3 -> 4 keeps every key and storageSize 1Gi -> 2Gi grows every PVC; day 2: live config, a restart waiting for its window, then forced with handoffs; 4 x 1 -> 3 x 1 keeps every key", async () => {
        let masterCount = 3;
        let storageSize = "1Gi";
        let replicasPerMaster = 0;
        let appendfsync: "everysec" | "always" = "everysec";
        let cpu = "100m";
        let force = false;
        // A window that is not open now: three days ahead, at midnight UTC.
        const days = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"] as const;
        const closedDay = days[(new Date().getUTCDay() + 3) % 7];
        const stack = await stackFor("cluster", async () => {
            const k8s = await import("@pulumi/kubernetes");
            const { ValkeyCluster } = await import("../../sdk");
            const ns = new k8s.core.v1.Namespace("ns", { metadata: { name: "e2e-cluster" } });
            const cluster = new ValkeyCluster(
                "shards",
                {
                    namespace: "e2e-cluster",
                    masterCount,
                    replicasPerMaster,
                    pvc: { storageSize },
                    resources: { requests: { memory: "256Mi", cpu }, limits: { memory: "256Mi" } },
                    backup: { aof: { enabled: true, appendfsync } },
                    maintenanceWindowDow: closedDay,
                    maintenanceWindowTime: "00:00:00",
                    applyDisruptiveChangesNow: force,
                },
                { dependsOn: [ns] },
            );
            return { phase: cluster.phase, password: cluster.servicePassword, nodes: cluster.nodes, pendingRestart: cluster.pendingRestart };
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
        const load = spawnSync("valkey-cli", ["--no-auth-warning", "-a", password, "-h", ips[0], "-c"], {
            input: pipe,
            encoding: "utf8",
            maxBuffer: 16 * 1024 * 1024,
        });
        expect(
            load.stdout
                .trim()
                .split("\n")
                .filter((l) => l === "OK"),
        ).to.have.length(keys);

        masterCount = 4;
        storageSize = "2Gi";
        const again = await stack.up({ onOutput: () => undefined });
        expect(again.summary.result).to.equal("succeeded");
        expect(again.outputs.phase.value).to.equal("Running");
        const after = podIPs(cp!, "e2e-cluster", "app.kubernetes.io/instance=shards");
        expect(after).to.have.length(4);
        // The new pod's PVC came from the stale claim template (1Gi); the guard grew it with the others.
        const pvcs = kubectl(
            cp!,
            "-n",
            "e2e-cluster",
            "get",
            "pvc",
            "-o",
            "jsonpath={range .items[*]}{.metadata.name}={.status.capacity.storage} {end}",
        ).out.trim();
        expect(pvcs.split(" ").sort()).to.deep.equal(["data-shards-0=2Gi", "data-shards-1=2Gi", "data-shards-2=2Gi", "data-shards-3=2Gi"]);
        const masters = cli(["-a", password, "-h", after[0], "CLUSTER", "NODES"])
            .split("\n")
            .filter((l) => l.includes("master"));
        expect(masters).to.have.length(4);
        const read = spawnSync("valkey-cli", ["--no-auth-warning", "-a", password, "-h", after[3], "-c"], {
            input: Array.from({ length: keys }, (_, i) => `GET key:${i}`).join("\n") + "\n",
            encoding: "utf8",
            maxBuffer: 16 * 1024 * 1024,
        });
        const values = read.stdout
            .trim()
            .split("\n")
            .filter((l) => !l.startsWith("-> Redirected"));
        expect(values).to.deep.equal(Array.from({ length: keys }, (_, i) => `value:${i}`));
        let total = 0;
        for (const ip of after) total += Number(cli(["-a", password, "-h", ip, "DBSIZE"]));
        expect(total).to.equal(keys);

        // Day 2. A replica per primary, a live change (appendfsync) and a restart-only change (the
        // CPU request) while the maintenance window is closed: the new replicas start from the new
        // template, the live change reaches every node, the four primaries wait for the window.
        const pod = (i: number) => `shards-${i}`;
        const ipOf = (i: number) => kubectl(cp!, "-n", "e2e-cluster", "get", "pod", pod(i), "-o", "jsonpath={.status.podIP}").out.trim();
        const runIdOf = (i: number) => /run_id:(\w+)/.exec(cli(["-a", password, "-h", ipOf(i), "INFO", "server"]))?.[1];
        const before = [0, 1, 2, 3].map(runIdOf);
        replicasPerMaster = 1;
        appendfsync = "always";
        cpu = "150m";
        const pending = await stack.up({ onOutput: () => undefined });
        expect(pending.summary.result).to.equal("succeeded");
        expect(pending.outputs.phase.value).to.equal("Updating");
        const waiting = pending.outputs.pendingRestart.value as { nodes: string[]; reason: string; notBefore: string };
        expect(waiting.nodes).to.deep.equal([0, 1, 2, 3].map(pod));
        expect(waiting.reason).to.equal(`waiting for the maintenance window at ${waiting.notBefore}`);
        expect(new Date(waiting.notBefore).getUTCDay()).to.equal(days.indexOf(closedDay));
        expect([0, 1, 2, 3].map(runIdOf)).to.deep.equal(before);
        for (let i = 0; i < 8; i++) expect(cli(["-a", password, "-h", ipOf(i), "CONFIG", "GET", "appendfsync"]).split("\n")[1], pod(i)).to.equal("always");

        // Forced: the four old pods restart one at a time, each primary after a CLUSTER FAILOVER.
        force = true;
        const rolled = await stack.up({ onOutput: () => undefined });
        expect(rolled.summary.result).to.equal("succeeded");
        expect(rolled.outputs.phase.value).to.equal("Running");
        expect(rolled.outputs.pendingRestart?.value).to.equal(undefined);
        const afterRoll = [0, 1, 2, 3].map(runIdOf);
        afterRoll.forEach((id, i) => expect(id, pod(i)).to.not.equal(before[i]));
        const state = JSON.stringify((await stack.exportStack()).deployment);
        const lastActions = (name: string) =>
            (JSON.parse(state).resources as { urn: string; outputs?: { lastActions?: string[] } }[]).find((r) => r.urn.endsWith(`ValkeyTopology::${name}`))!
                .outputs!.lastActions!;
        const actions = lastActions("shards-topology");
        expect(actions.filter((l) => /handed the primary role to shards-[4-7] in \d+ ms/.test(l))).to.have.length(4);
        expect(actions.filter((l) => / restarted as replica in /.test(l))).to.have.length(4);
        const reread = spawnSync("valkey-cli", ["--no-auth-warning", "-a", password, "-h", ipOf(0), "-c"], {
            input: Array.from({ length: keys }, (_, i) => `GET key:${i}`).join("\n") + "\n",
            encoding: "utf8",
            maxBuffer: 16 * 1024 * 1024,
        });
        expect(
            reread.stdout
                .trim()
                .split("\n")
                .filter((l) => !l.startsWith("-> Redirected")),
        ).to.deep.equal(Array.from({ length: keys }, (_, i) => `value:${i}`));

        // Scale in, 4 x 1 -> 3 x 1, with the roles swapped by the restarts: shards-6 and shards-7
        // (primaries now) are drained by the scale-in step before the StatefulSet removes them.
        masterCount = 3;
        const shrunk = await stack.up({ onOutput: () => undefined });
        expect(shrunk.summary.result).to.equal("succeeded");
        expect(shrunk.outputs.phase.value).to.equal("Running");
        const remaining = podIPs(cp!, "e2e-cluster", "app.kubernetes.io/instance=shards");
        expect(remaining).to.have.length(6);
        const exported = JSON.stringify((await stack.exportStack()).deployment);
        const drainLines = (JSON.parse(exported).resources as { urn: string; outputs?: { lastActions?: string[] } }[]).find((r) =>
            r.urn.endsWith("ValkeyTopology::shards-scale-in"),
        )!.outputs!.lastActions!;
        expect(drainLines[0]).to.equal("8 pods, 6 needed: draining shards-6, shards-7 before the StatefulSet scales in");
        expect(drainLines.filter((l) => l.includes("CLUSTER RESET SOFT"))).to.have.length(2);
        const afterShrink = spawnSync("valkey-cli", ["--no-auth-warning", "-a", password, "-h", remaining[0], "-c"], {
            input: Array.from({ length: keys }, (_, i) => `GET key:${i}`).join("\n") + "\n",
            encoding: "utf8",
            maxBuffer: 16 * 1024 * 1024,
        });
        expect(
            afterShrink.stdout
                .trim()
                .split("\n")
                .filter((l) => !l.startsWith("-> Redirected")),
        ).to.deep.equal(Array.from({ length: keys }, (_, i) => `value:${i}`));
        expect(cli(["-a", password, "-h", remaining[0], "CLUSTER", "INFO"])).to.contain("cluster_known_nodes:6");
        // The leaving pods' claims are kept (pvc.whenScaled defaults to Retain).
        expect(kubectl(cp!, "-n", "e2e-cluster", "get", "pvc", "data-shards-6", "data-shards-7", "-o", "name").out.trim().split("\n")).to.deep.equal([
            "persistentvolumeclaim/data-shards-6",
            "persistentvolumeclaim/data-shards-7",
        ]);

        const down = await stack.destroy({ onOutput: () => undefined });
        expect(down.summary.result).to.equal("succeeded");
        expect(await waitGone(cp!, "namespace", "e2e-cluster")).to.contain("NotFound");
    });

    it("a Valkey's disk: disk_space 3GiB over the plan's 2 GiB grows the PVC in place, keeps the data; a smaller disk_space fails preview", async () => {
        let diskSpace: string | undefined;
        const stack = await stackFor("disk", async () => {
            const k8s = await import("@pulumi/kubernetes");
            const { Valkey } = await import("../../sdk");
            const ns = new k8s.core.v1.Namespace("ns", { metadata: { name: "e2e-disk" } });
            const cache = new Valkey(
                "disk",
                { project: "e2e-disk", plan: "hobbyist", ...(diskSpace !== undefined ? { disk_space: diskSpace } : {}) },
                { dependsOn: [ns] },
            );
            return { state: cache.state, password: cache.servicePassword };
        });
        const capacity = () =>
            kubectl(cp!, "-n", "e2e-disk", "get", "pvc", "data-disk-0", "-o", "jsonpath={.spec.resources.requests.storage} {.status.capacity.storage}").out;
        const podUid = () => kubectl(cp!, "-n", "e2e-disk", "get", "pod", "disk-0", "-o", "jsonpath={.metadata.uid}").out;

        const up = await stack.up({ onOutput: () => undefined });
        expect(up.summary.result).to.equal("succeeded");
        expect(capacity()).to.equal("2Gi 2Gi");
        const password = up.outputs.password.value as string;
        const [ip] = podIPs(cp!, "e2e-disk", "app.kubernetes.io/instance=disk");
        expect(cli(["-a", password, "-h", ip, "SET", "e2e:disk", "kept"])).to.equal("OK");
        const uid = podUid();

        diskSpace = "3GiB";
        const updated: string[] = [];
        const grown = await stack.up({
            onOutput: () => undefined,
            onEvent: (event) => {
                const step = event.resOutputsEvent?.metadata;
                if (step?.op === "update") updated.push(`${step.type} ${step.urn.split("::").pop()}`);
            },
        });
        expect(grown.summary.result).to.equal("succeeded");
        // Only the guard grows the disk: the StatefulSet is neither updated nor replaced. (The two
        // Secrets written with stringData report an update too; they are not about the disk.)
        expect(updated.filter((u) => !u.startsWith("kubernetes:core/v1:Secret")).sort()).to.deep.equal([
            "pulumi-nodejs:dynamic/valkey:ValkeyServiceGuard disk-guard",
        ]);
        expect(grown.summary.resourceChanges?.replace).to.equal(undefined);
        expect(capacity()).to.equal("3Gi 3Gi");
        // The same pod (no restart) still holds the key.
        expect(podUid()).to.equal(uid);
        expect(cli(["-a", password, "-h", ip, "GET", "e2e:disk"])).to.equal("kept");

        diskSpace = "2";
        let error: unknown;
        try {
            await stack.preview({ onOutput: () => undefined });
        } catch (e) {
            error = e;
        }
        expect(String(error)).to.contain(
            'Valkey "disk": disk_space cannot shrink (was "3Gi", now "2Gi"): a PersistentVolumeClaim can grow but never shrink. Keep it at "3Gi" or more, or create a new resource and move the data.',
        );
        expect(capacity()).to.equal("3Gi 3Gi");

        const down = await stack.destroy({ onOutput: () => undefined });
        expect(down.summary.result).to.equal("succeeded");
        expect(await waitGone(cp!, "namespace", "e2e-disk")).to.contain("NotFound");
    });

    it("changing `project` of a deployed Valkey fails `pulumi preview` naming the field, the old and the new value; nothing moves", async () => {
        let project = "e2e-project";
        const stack = await stackFor("project", async () => {
            const k8s = await import("@pulumi/kubernetes");
            const { Valkey } = await import("../../sdk");
            const ns = new k8s.core.v1.Namespace("ns", { metadata: { name: "e2e-project" } });
            const cache = new Valkey("moved", { project, plan: "hobbyist" }, { dependsOn: [ns] });
            return { state: cache.state };
        });
        const up = await stack.up({ onOutput: () => undefined });
        expect(up.summary.result).to.equal("succeeded");
        const podUid = () => kubectl(cp!, "-n", "e2e-project", "get", "pod", "moved-0", "-o", "jsonpath={.metadata.uid}").out;
        const uid = podUid();

        project = "e2e-project-2";
        let error: unknown;
        try {
            await stack.preview({ onOutput: () => undefined });
        } catch (e) {
            error = e;
        }
        // Both rules at once: the project, and the namespace it names.
        expect(String(error)).to.contain(
            'Valkey "moved": project cannot change after creation (was "e2e-project", now "e2e-project-2"): the seeds make it immutable, and it names the namespace of every object (unless kubernetes.namespace is set): the StatefulSet would be replaced in another namespace and its PVCs deleted with the old one. Keep "e2e-project", or create a new resource and move the data.',
        );
        expect(String(error)).to.contain('Valkey "moved": kubernetes.namespace cannot change after creation (was "e2e-project", now "e2e-project-2")');
        expect(podUid()).to.equal(uid);
        expect(kubectl(cp!, "get", "namespace", "e2e-project-2").out).to.contain("NotFound");

        project = "e2e-project";
        await destroyLeavesNothing(stack, "e2e-project");
    });

    it("a Valkey given a Kubernetes provider in opts: refused at preview without kubernetes.kubeconfig; with it, the objects, the verification and the disk growth reach that cluster while the ambient kubeconfig points nowhere; no plaintext kubeconfig in the export", async () => {
        const kubeconfig = fs.readFileSync(cp!.kubeconfig, "utf8");
        // The engine's processes (the Kubernetes plugin, the dynamic provider) get an ambient
        // kubeconfig whose server nothing listens on: whatever falls back to it fails.
        fs.mkdirSync(workDir, { recursive: true });
        const nowhere = path.join(workDir, "nowhere.kubeconfig");
        fs.writeFileSync(nowhere, kubeconfig.replace(/server: \S+/g, "server: https://127.0.0.1:9"));
        // What the next run of the program declares.
        const next: { withKubeconfig: boolean; diskSpace?: string } = { withKubeconfig: false };
        const stack = await stackFor("opts-provider", async () => {
            const k8s = await import("@pulumi/kubernetes");
            const pulumi = await import("@pulumi/pulumi");
            const { Valkey } = await import("../../sdk");
            const provider = new k8s.Provider("explicit", { kubeconfig: pulumi.secret(kubeconfig) });
            const ns = new k8s.core.v1.Namespace("ns", { metadata: { name: "e2e-opts" } }, { provider });
            const cache = new Valkey(
                "opts",
                {
                    project: "e2e-opts",
                    plan: "hobbyist",
                    ...(next.withKubeconfig ? { kubernetes: { kubeconfig } } : {}),
                    ...(next.diskSpace !== undefined ? { disk_space: next.diskSpace } : {}),
                },
                { provider, dependsOn: [ns] },
            );
            return { state: cache.state, password: cache.servicePassword };
        });
        stack.workspace.envVars.KUBECONFIG = nowhere;

        let error: unknown;
        try {
            await stack.preview({ onOutput: () => undefined });
        } catch (e) {
            error = e;
        }
        expect(String(error)).to.contain("kubernetes.kubeconfig: must be set when a Kubernetes provider is given in opts");

        next.withKubeconfig = true;
        const up = await stack.up({ onOutput: () => undefined });
        expect(up.summary.result).to.equal("succeeded");
        expect(up.outputs.state.value).to.equal("RUNNING");
        const password = up.outputs.password.value as string;
        const [ip] = podIPs(cp!, "e2e-opts", "app.kubernetes.io/instance=opts");
        expect(cli(["-a", password, "-h", ip, "SET", "e2e:opts", "kept"])).to.equal("OK");

        // The guard grows the PVC through the same kubeconfig.
        next.diskSpace = "3GiB";
        const grown = await stack.up({ onOutput: () => undefined });
        expect(grown.summary.result).to.equal("succeeded");
        expect(
            kubectl(cp!, "-n", "e2e-opts", "get", "pvc", "data-opts-0", "-o", "jsonpath={.spec.resources.requests.storage} {.status.capacity.storage}").out,
        ).to.equal("3Gi 3Gi");
        expect(cli(["-a", password, "-h", ip, "GET", "e2e:opts"])).to.equal("kept");

        const exported = exportedState(stack);
        // No object went through the default provider (the ambient kubeconfig).
        expect(exported).to.not.contain("pulumi:providers:kubernetes::default");
        expect(exported).to.contain("pulumi:providers:kubernetes::opts-k8s");
        const credential = /(?:client-key-data|token): (\S+)/.exec(kubeconfig)![1];
        expect(exported).to.not.contain(credential);
        expect(exported).to.not.contain(password);

        await destroyLeavesNothing(stack, "e2e-opts");
    });

    it("a ValkeyCluster with tls.externalCerts and ACL: verified with the Secret's CA; rotating a password and adding a user restarts no pod", async () => {
        // The Secret exists before the stack, as cert-manager would make it: a CA and a server
        // certificate naming the client Service (what the provider verifies) and every pod.
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pvk-e2e-ext-"));
        const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
        openssl(
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.crt",
            "-days",
            "2",
            "-subj",
            "/CN=e2e external CA",
        );
        fs.writeFileSync(
            path.join(dir, "server.ext"),
            "subjectAltName=DNS:sec.e2e-sec.svc.cluster.local,DNS:*.sec-headless.e2e-sec.svc.cluster.local,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n",
        );
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "tls.key", "-out", "tls.csr", "-subj", "/CN=sec");
        openssl(
            "x509",
            "-req",
            "-in",
            "tls.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "tls.crt",
            "-days",
            "2",
            "-extfile",
            "server.ext",
        );
        expect(kubectl(cp!, "create", "namespace", "e2e-sec").status).to.equal(0);
        const files = ["tls.crt", "tls.key", "ca.crt"].map((f) => `--from-file=${f}=${path.join(dir, f)}`);
        expect(kubectl(cp!, "-n", "e2e-sec", "create", "secret", "generic", "ext-certs", ...files).status).to.equal(0);

        let users = [{ name: "app", passwords: ["e2e-app-pw-0123456789"], rules: "+GET +SET +PING ~app:*" }];
        const stack = await stackFor("sec", async () => {
            const { ValkeyCluster } = await import("../../sdk");
            const cluster = new ValkeyCluster("sec", {
                namespace: "e2e-sec",
                masterCount: 3,
                replicasPerMaster: 0,
                tls: { externalCerts: "ext-certs" },
                acl: { users },
                pvc: { storageSize: "1Gi" },
                resources: { requests: { memory: "256Mi", cpu: "100m" }, limits: { memory: "256Mi" } },
            });
            return { phase: cluster.phase, conditions: cluster.conditions, password: cluster.servicePassword, ca: cluster.caCertificate };
        });
        const up = await stack.up({ onOutput: () => undefined });
        expect(up.summary.result).to.equal("succeeded");
        expect(up.outputs.phase.value).to.equal("Running");
        expect((up.outputs.conditions.value as Array<{ type: string; status: string }>).map((c) => `${c.type}=${c.status}`)).to.deep.equal([
            "Ready=True",
            "TLSConfigured=True",
            "ACLSynced=True",
        ]);
        expect(up.outputs.ca.value).to.equal(fs.readFileSync(path.join(dir, "ca.crt"), "utf8"));
        const admin = up.outputs.password.value as string;
        const tlsCli = (ip: string, user: string, pw: string, ...command: string[]) =>
            cli(["--tls", "--cacert", path.join(dir, "ca.crt"), "-h", ip, "--user", user, "--pass", pw, ...command]);
        const ips = podIPs(cp!, "e2e-sec", "app.kubernetes.io/instance=sec");
        expect(ips).to.have.length(3);
        for (const ip of ips) expect(tlsCli(ip, "valkey-admin", admin, "CLUSTER", "INFO")).to.contain("cluster_state:ok");
        const pods = () =>
            kubectl(
                cp!,
                "-n",
                "e2e-sec",
                "get",
                "pods",
                "-l",
                "app.kubernetes.io/instance=sec",
                "-o",
                "jsonpath={range .items[*]}{.metadata.uid} {.status.containerStatuses[0].restartCount}{'\\n'}{end}",
            ).out.trim();
        const generation = () => kubectl(cp!, "-n", "e2e-sec", "get", "statefulset", "sec", "-o", "jsonpath={.metadata.generation}").out.trim();
        const runIds = () => ips.map((ip) => /run_id:(\w+)/.exec(tlsCli(ip, "valkey-admin", admin, "INFO", "server"))?.[1]);
        const [podsBefore, generationBefore, runIdsBefore] = [pods(), generation(), runIds()];

        // Rotation step 1 of the app user, and a new user: applied live, no pod restarted.
        users = [
            { name: "app", passwords: ["e2e-app-pw-new-0123456789", "e2e-app-pw-0123456789"], rules: "+GET +SET +PING ~app:*" },
            { name: "reports", passwords: ["e2e-reports-pw-0123456789"], rules: "+GET +PING ~reports:*" },
        ];
        const again = await stack.up({ onOutput: () => undefined });
        expect(again.summary.result).to.equal("succeeded");
        expect((again.outputs.conditions.value as Array<{ type: string; status: string }>).map((c) => `${c.type}=${c.status}`)).to.deep.equal([
            "Ready=True",
            "TLSConfigured=True",
            "ACLSynced=True",
        ]);
        expect([pods(), generation(), runIds()]).to.deep.equal([podsBefore, generationBefore, runIdsBefore]);
        for (const ip of ips) {
            expect(tlsCli(ip, "reports", "e2e-reports-pw-0123456789", "PING")).to.equal("PONG");
            expect(tlsCli(ip, "app", "e2e-app-pw-new-0123456789", "PING")).to.equal("PONG");
            expect(tlsCli(ip, "app", "e2e-app-pw-0123456789", "PING")).to.equal("PONG");
        }
        const state = exportedState(stack);
        for (const secret of [
            admin,
            "e2e-app-pw-new-0123456789",
            "e2e-reports-pw-0123456789",
            fs.readFileSync(path.join(dir, "tls.key"), "utf8").split("\n")[1],
        ]) {
            expect(state).not.to.include(secret);
        }

        const down = await stack.destroy({ onOutput: () => undefined });
        expect(down.summary.result).to.equal("succeeded");
        kubectl(cp!, "delete", "namespace", "e2e-sec", "--wait=false");
        expect(await waitGone(cp!, "namespace", "e2e-sec")).to.contain("NotFound");
        fs.rmSync(dir, { recursive: true, force: true });
    });
});
