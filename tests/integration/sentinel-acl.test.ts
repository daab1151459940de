// A Sentinel plan with ACL users on and `default` off (issue 12, "ACL users"): a business-4 model
// with `kubernetes.acl` rendered through the package's own renderers (valkey auth.conf with the
// users, sentinel.conf and sentinel-auth.conf, the start and readiness scripts, the pod's probes),
// started as 1 primary + 1 replica + 3 Sentinels on loopback. Everything that authenticates does
// so as its own system user: replicas as the replication user, Sentinels as the Sentinel user,
// the probes as the probe user; `default` is refused everywhere.
import { spawnSync } from "child_process";
import { expect } from "chai";
import { sentinelCredentials } from "../../provider/dynamic/handlers";
import { NodeClient } from "../../provider/nodes/client";
import { rollingRestart } from "../../provider/rollout/rollout";
import { SENTINEL_RULES, SENTINEL_PLAN_PROBE_RULES } from "../../sdk/acl/users";
import { buildStatefulSet } from "../../sdk/manifests";
import { PROBE_USER, SENTINEL_USER } from "../../sdk/spec/security";
import { HOST, HaNode, SentinelPlan, startSentinelPlan, until } from "../helpers/sentinel";
import { stopAllValkeys } from "../helpers/valkey";
import { valkeyModel } from "../unit/manifests/fixtures";

/** valkey-cli with `user`'s password in the environment (never argv); no user: no credentials at all. */
function cliAs(user: { name: string; password: string } | undefined, port: number, ...args: string[]): string {
    const env = { ...process.env };
    delete env.REDISCLI_AUTH;
    if (user !== undefined) env.REDISCLI_AUTH = user.password;
    const r = spawnSync("valkey-cli", [...(user !== undefined ? ["--user", user.name] : []), "-h", HOST, "-p", String(port), ...args], {
        encoding: "utf8",
        timeout: 3000,
        env,
    });
    return `${r.stdout ?? ""}${r.stderr ?? ""}`.trim();
}

/** `field value` pairs of a flat valkey-cli reply (SENTINEL MASTER, one entry of SENTINEL REPLICAS). */
function fields(lines: string[]): Record<string, string> {
    const out: Record<string, string> = {};
    for (let i = 0; i + 1 < lines.length; i += 2) out[lines[i]] = lines[i + 1];
    return out;
}

describe("Sentinel plan with ACL users and defaultUser off (real processes on loopback)", function () {
    this.timeout(180000);
    const model = valkeyModel(
        { project: "p", plan: "business-4", kubernetes: { acl: { defaultUser: "off", users: [{ name: "app", rules: "~app:* +@read +@write" }] } } },
        "aclsent",
    );
    let plan: SentinelPlan;
    let primary: HaNode;
    let replica: HaNode;
    const user = (role: string) => {
        const u = plan.acl!.users.find((x) => x.role === role || x.name === role)!;
        return { name: u.name, password: u.passwords[0] };
    };
    /** ACL LOG entries on every data node: what some client was refused (the Sentinels, the replicas, the probes). */
    const aclLog = () => plan.nodes.map((n) => plan.cli(n.port, "ACL", "LOG").trim());
    /** After a test's own refused commands: only the Sentinels', replicas' and probes' count after it. */
    const resetAclLog = () => plan.nodes.forEach((n) => plan.cli(n.port, "ACL", "LOG", "RESET"));

    before(async () => {
        expect(model.topology).to.deep.equal({ kind: "sentinel", replicas: 1 });
        plan = await startSentinelPlan({ model, downAfterMs: 2000, nodes: 2 });
        [primary, replica] = plan.nodes;
    });

    after(async () => {
        plan?.killNodes();
        await stopAllValkeys();
    });

    it("renders the Sentinel user and the probe user's INFO into the users the nodes load", () => {
        const sentinel = plan.acl!.users.find((u) => u.role === "sentinel")!;
        expect([sentinel.name, sentinel.rules]).to.deep.equal([SENTINEL_USER, SENTINEL_RULES]);
        expect(plan.acl!.users.find((u) => u.role === "probe")!.rules).to.equal(SENTINEL_PLAN_PROBE_RULES);
        for (const node of plan.nodes) {
            expect(plan.cli(node.port, "ACL", "WHOAMI").trim()).to.equal(user("admin").name);
            const list = plan.cli(node.port, "ACL", "LIST");
            expect(list).to.match(/^user default off /m);
            expect(list).to.match(/^user sentinel-user on .*resetchannels &__sentinel__:hello -@all /m);
        }
    });

    it("replicates as the replication user: the replica's link is up, and the primary sees it authenticated as that user", () => {
        expect(plan.cli(replica.port, "INFO", "replication")).to.match(/master_link_status:up/);
        expect(plan.cli(primary.port, "INFO", "replication")).to.match(/connected_slaves:1/);
        const clients = plan.cli(primary.port, "CLIENT", "LIST", "TYPE", "replica");
        expect(clients).to.contain(`user=${user("replication").name}`);
    });

    it("the Sentinels reach both nodes as the Sentinel user and see the primary, the replica and their 2 peers; nothing was refused", () => {
        for (const port of plan.sentinelPorts) {
            const master = fields(plan.sentinel(port, "SENTINEL", "master", plan.group).trim().split("\n"));
            expect([master.port, master.flags, master["num-slaves"], master["num-other-sentinels"]], `Sentinel ${port}`).to.deep.equal([
                String(primary.port),
                "master",
                "1",
                "2",
            ]);
            const replicas = fields(plan.sentinel(port, "SENTINEL", "replicas", plan.group).trim().split("\n"));
            expect([replicas.port, replicas.flags, replicas["master-link-status"]]).to.deep.equal([String(replica.port), "slave", "ok"]);
            const peers = plan.sentinel(port, "SENTINEL", "sentinels", plan.group);
            expect(peers.split("\n").filter((l) => l === "name")).to.have.length(2);
            expect(peers).not.to.contain("s_down");
        }
        for (const node of plan.nodes) {
            const sentinels = plan
                .cli(node.port, "CLIENT", "LIST")
                .split("\n")
                .filter((l) => / name=sentinel-/.test(l));
            // Each Sentinel keeps a command link and a pub/sub link to each node.
            expect(sentinels, `node ${node.port}`).to.have.length(6);
            for (const line of sentinels) expect(line).to.contain(`user=${SENTINEL_USER}`);
        }
        expect(aclLog()).to.deep.equal(["", ""]);
    });

    it("the pod's probe command lines pass as the probe user on each node; the primary-only readiness on the primary only", async () => {
        const [container] = buildStatefulSet(model, { configHash: "x" }).spec!.template.spec!.containers;
        const liveness = container.livenessProbe!.exec!.command![2];
        const readiness = container.readinessProbe!.exec!.command![2];
        expect(liveness).to.contain(`REDISCLI_AUTH="$(cat /etc/valkey-auth/probe-password)" valkey-cli --user ${PROBE_USER} -p 6379 ping`);
        expect(readiness).to.contain(
            `REDISCLI_AUTH="$(cat "\${VALKEY_HA_PASSWORD_FILE:-/etc/valkey-auth/probe-password}")" valkey-cli --user ${PROBE_USER} -t 1`,
        );
        // The liveness probe takes NOAUTH as alive: run the command it wraps and require PONG.
        const ping = /r="\$\((.*) 2>&1\)"/.exec(liveness)![1];
        for (const node of plan.nodes) {
            const line = ping.replace("/etc/valkey-auth", plan.authDir).replace("-p 6379", `-p ${node.port}`);
            expect(spawnSync("sh", ["-c", line], { encoding: "utf8", timeout: 3000 }).stdout.trim(), `node ${node.port}`).to.equal("PONG");
            const alive = liveness.replace("/etc/valkey-auth", plan.authDir).replace("-p 6379", `-p ${node.port}`);
            expect(spawnSync("sh", ["-c", alive], { timeout: 3000 }).status).to.equal(0);
        }
        expect(await plan.probe(primary), "readiness on the primary").to.equal(true);
        expect(await plan.probe(replica), "readiness on the replica").to.equal(false);
        // The probe user may PING and INFO, nothing else.
        expect(aclLog()).to.deep.equal(["", ""]);
        expect(cliAs(user("probe"), primary.port, "GET", "app:x")).to.match(/^NOPERM/);
        resetAclLog();
    });

    it("the application user has its rules: SET app:x, not other:x, no CONFIG; the Sentinel user reads no key", () => {
        const app = user("app");
        expect(cliAs(app, primary.port, "SET", "app:x", "1")).to.equal("OK");
        expect(cliAs(app, primary.port, "GET", "app:x")).to.equal("1");
        expect(cliAs(app, primary.port, "SET", "other:x", "1")).to.match(/^NOPERM .*key/);
        expect(cliAs(app, primary.port, "CONFIG", "GET", "maxmemory")).to.match(/^NOPERM .*config\|get/);
        expect(cliAs(user("sentinel"), primary.port, "GET", "app:x")).to.match(/^NOPERM/);
        expect(cliAs(user("sentinel"), primary.port, "CONFIG", "GET", "masterauth")).to.match(/^NOPERM/);
        resetAclLog();
    });

    it("refuses `default` and every unauthenticated command on every data and Sentinel port", () => {
        for (const node of plan.nodes) {
            expect(cliAs(undefined, node.port, "PING"), `data node ${node.port}`).to.equal("NOAUTH Authentication required.");
            expect(cliAs(undefined, node.port, "GET", "app:x")).to.equal("NOAUTH Authentication required.");
            // The default user's password is still the Secret's, but the user is off.
            expect(cliAs({ name: "default", password: plan.password }, node.port, "PING")).to.match(/WRONGPASS|AUTH failed/);
        }
        for (const port of plan.sentinelPorts) {
            expect(cliAs(undefined, port, "PING"), `Sentinel ${port}`).to.equal("NOAUTH Authentication required.");
            expect(cliAs(undefined, port, "SENTINEL", "get-master-addr-by-name", plan.group)).to.equal("NOAUTH Authentication required.");
        }
        resetAclLog();
    });

    it("SENTINEL FAILOVER promotes the replica and the old primary follows it as the replication user; the readiness moves", async () => {
        expect(plan.sentinel(plan.sentinelPorts[0], "SENTINEL", "FAILOVER", plan.group).trim()).to.equal("OK");
        await until("the Sentinels name the replica as the primary", () => plan.currentPrimary() === replica, 30000).catch((e) => {
            throw new Error(`${(e as Error).message}\n${plan.failoverEvents()}`);
        });
        await until(
            "the old primary replicates from the new one",
            () => {
                const info = plan.cli(primary.port, "INFO", "replication");
                return info.includes("role:slave") && info.includes(`master_port:${replica.port}`) && info.includes("master_link_status:up");
            },
            30000,
        );
        expect(plan.cli(replica.port, "INFO", "replication")).to.match(/role:master/);
        expect(plan.cli(replica.port, "CLIENT", "LIST", "TYPE", "replica")).to.contain(`user=${user("replication").name}`);
        // The write made before the failover is on the new primary, and the app writes there.
        expect(cliAs(user("app"), replica.port, "GET", "app:x")).to.equal("1");
        expect(cliAs(user("app"), replica.port, "SET", "app:y", "2")).to.equal("OK");
        await until("the write reaches the old primary", () => cliAs(user("app"), primary.port, "GET", "app:y") === "2");
        for (const port of plan.sentinelPorts) {
            await until(`Sentinel ${port} names the new primary and knows the old one as its replica`, () => {
                const master = fields(plan.sentinel(port, "SENTINEL", "master", plan.group).trim().split("\n"));
                const replicas = fields(plan.sentinel(port, "SENTINEL", "replicas", plan.group).trim().split("\n"));
                return (
                    master.port === String(replica.port) && master.flags === "master" && replicas.port === String(primary.port) && replicas.flags === "slave"
                );
            });
        }
        expect(await plan.probe(replica), "readiness on the new primary").to.equal(true);
        expect(await plan.probe(primary), "readiness on the old primary").to.equal(false);
        // MULTI, SLAVEOF, CONFIG REWRITE, CLIENT KILL, EXEC: nothing the Sentinels sent was refused.
        expect(aclLog()).to.deep.equal(["", ""]);
    });

    it("a rolling restart as the admin user hands the primary over through the Sentinels (their password given, not derived from the admin's); `default` stays off", async () => {
        const admin = user("admin");
        const nameOf = (n: HaNode) => `node-${n.port}`;
        const target = (name: string, port: number) => ({ name, dial: { host: HOST, port }, announce: { host: HOST, port }, placement: {} });
        const before = plan.currentPrimary()!;
        const dataClients = plan.nodes.map(
            (n) => new NodeClient(target(nameOf(n), n.port), { credentials: { username: admin.name, password: admin.password } }),
        );
        // As the dynamic provider does with ACL on: `password` is the admin's, the Sentinels' is given.
        const own = sentinelCredentials({ username: admin.name, password: admin.password, sentinelPassword: plan.sentinelPassword })!;
        const sentinelClients = plan.sentinelPorts.map((p) => new NodeClient(target(`sentinel-${p}`, p), { credentials: own }));
        // A restart is what the kubelet does with a deleted pod: stop it, run the start script again.
        const restarter = {
            async restart(name: string) {
                const node = plan.nodes.find((n) => nameOf(n) === name)!;
                const exited = new Promise((resolve) => node.child!.once("exit", resolve));
                node.child!.kill("SIGTERM");
                await exited;
                plan.start(node);
            },
        };
        let result;
        try {
            result = await rollingRestart({
                clients: dataClients,
                outdated: plan.nodes.map(nameOf),
                restarter,
                handoff: { kind: "sentinel", sentinels: sentinelClients, group: plan.group },
                deadline: { at: Date.now() + 80000, seconds: 80, pollMs: 20 },
            });
        } finally {
            for (const c of [...dataClients, ...sentinelClients]) c.close();
        }
        const after = plan.currentPrimary()!;
        expect(result.restarted).to.deep.equal([...plan.nodes.filter((n) => n !== before).map(nameOf), nameOf(before)]);
        expect(result.handoffs.map((h) => [h.from, h.to])).to.deep.equal([[nameOf(before), nameOf(after)]]);
        expect(after).not.to.equal(before);
        await until("the restarted old primary follows the new one", () => {
            const info = plan.cli(before.port, "INFO", "replication");
            return info.includes(`master_port:${after.port}`) && info.includes("master_link_status:up");
        });
        for (const node of plan.nodes) {
            expect(plan.cli(node.port, "ACL", "LIST")).to.match(/^user default off /m);
            expect(cliAs({ name: "default", password: plan.password }, node.port, "PING")).to.match(/WRONGPASS|AUTH failed/);
            expect(cliAs(user("app"), node.port, "GET", "app:y")).to.equal("2");
        }
        expect(await plan.probe(after), "readiness on the new primary").to.equal(true);
        // The test's own refused `default` above; nothing else (Sentinels, replicas, probes) was refused.
        const logs = aclLog().map((l) => l.split("\n").filter((line, i, all) => all[i - 1] === "username"));
        expect(logs).to.deep.equal([["default"], ["default"]]);
    });
});
