// Issue 11, finding 1: the Sentinels of a Sentinel plan take no command from a client that has not
// authenticated with their own password, so nobody can SENTINEL REMOVE / MONITOR the group and
// redirect Sentinel-aware clients. Real processes on loopback: 3 data nodes started by the rendered
// start script, 3 Sentinels with the rendered sentinel.conf and auth Secret, the rendered probes.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import Valkey from "iovalkey";
import { buildSentinelStatefulSet } from "../../sdk/manifests";
import { HOST, SentinelPlan, startSentinelPlan } from "../helpers/sentinel";
import { stopAllValkeys, tempDir } from "../helpers/valkey";
import { valkeyModel } from "../unit/manifests/fixtures";

/** valkey-cli with no credentials at all (REDISCLI_AUTH removed from the environment). */
function anonymous(port: number, ...args: string[]): string {
    const env = { ...process.env };
    delete env.REDISCLI_AUTH;
    const r = spawnSync("valkey-cli", ["-h", HOST, "-p", String(port), ...args], { encoding: "utf8", timeout: 3000, env });
    return `${r.stdout ?? ""}${r.stderr ?? ""}`.trim();
}

/** valkey-cli authenticated with `password` through the environment (never argv). */
function withPassword(password: string, port: number, ...args: string[]): string {
    const r = spawnSync("valkey-cli", ["-h", HOST, "-p", String(port), ...args], {
        encoding: "utf8",
        timeout: 3000,
        env: { ...process.env, REDISCLI_AUTH: password },
    });
    return `${r.stdout ?? ""}${r.stderr ?? ""}`.trim();
}

describe("Sentinel authentication (real processes on loopback)", function () {
    this.timeout(120000);
    const model = valkeyModel({ project: "p", plan: "business-4" }, "auth");
    let plan: SentinelPlan;

    before(async () => {
        plan = await startSentinelPlan({ model, downAfterMs: 2000 });
    });

    after(async () => {
        plan?.killNodes();
        await stopAllValkeys();
    });

    it("refuses every command without the Sentinels' password on every Sentinel and data port, and the attack of the review", () => {
        const { group, nodes, sentinelPorts } = plan;
        const noauth = "NOAUTH Authentication required.";
        for (const port of sentinelPorts) {
            expect(anonymous(port, "PING"), `Sentinel ${port}`).to.equal(noauth);
            expect(anonymous(port, "SENTINEL", "get-master-addr-by-name", group)).to.equal(noauth);
            // The review's attack: forget the group, then monitor the attacker's server.
            expect(anonymous(port, "SENTINEL", "REMOVE", group)).to.equal(noauth);
            expect(anonymous(port, "SENTINEL", "MONITOR", group, HOST, "1", "1")).to.equal(noauth);
            expect(anonymous(port, "SENTINEL", "SET", group, "down-after-milliseconds", "1")).to.equal(noauth);
        }
        for (const node of nodes) expect(anonymous(node.port, "PING"), `data node ${node.port}`).to.equal(noauth);
        // The Sentinels' password is their own: the data password is refused, and vice versa.
        expect(withPassword(plan.password, sentinelPorts[0], "PING")).to.match(/WRONGPASS|invalid password/);
        expect(withPassword(plan.sentinelPassword, nodes[0].port, "PING")).to.match(/WRONGPASS|invalid password/);
        expect(plan.sentinelPassword).to.match(/^[0-9a-f]{32}$/);
        expect(plan.sentinelPassword).not.to.equal(plan.password);
        // Nothing changed: every Sentinel still names node 0, and monitors the group as rendered.
        for (const port of sentinelPorts) {
            expect(plan.sentinel(port, "SENTINEL", "get-master-addr-by-name", group).trim().split("\n")).to.deep.equal([HOST, String(nodes[0].port)]);
            const master = plan.sentinel(port, "SENTINEL", "master", group).split("\n");
            expect(master[master.indexOf("down-after-milliseconds") + 1]).to.equal("2000");
        }
    });

    it("authenticates the Sentinels to each other (they see their 2 peers) and answers Sentinel-aware clients given sentinelPassword", async () => {
        for (const port of plan.sentinelPorts) {
            const peers = plan.sentinel(port, "SENTINEL", "sentinels", plan.group);
            // Each peer entry is a flat field/value list; a peer that refused our AUTH would show
            // up with last-ok-ping-reply growing and flags s_down.
            expect(peers.split("\n").filter((l) => l === "name")).to.have.length(2);
            expect(peers).not.to.contain("s_down");
        }
        const aware = new Valkey({
            sentinels: plan.sentinelPorts.map((port) => ({ host: HOST, port })),
            name: plan.group,
            password: plan.password,
            sentinelPassword: plan.sentinelPassword,
            maxRetriesPerRequest: 1,
            commandTimeout: 2000,
        });
        try {
            expect(await aware.set("via-sentinel", "1")).to.equal("OK");
            expect(plan.cli(plan.nodes[0].port, "GET", "via-sentinel").trim()).to.equal("1");
        } finally {
            aware.disconnect();
        }
        const refused = new Valkey({
            sentinels: plan.sentinelPorts.map((port) => ({ host: HOST, port })),
            name: plan.group,
            password: plan.password,
            maxRetriesPerRequest: 0,
            sentinelRetryStrategy: () => null,
            lazyConnect: true,
        });
        refused.on("error", () => undefined);
        try {
            let error = "";
            await refused.connect().catch((e: Error) => (error = e.message));
            expect(error).to.match(/NOAUTH|All sentinels are unreachable/);
        } finally {
            refused.disconnect();
        }
    });

    it("the rendered Sentinel probes pass with the Secret's sentinel-password and fail without it", () => {
        const [container] = buildSentinelStatefulSet(model, { configHash: "x" }).spec!.template.spec!.containers;
        const auth = tempDir();
        const relocate = (script: string, port: number) => script.replace("/etc/valkey-auth", auth).replace("-p 26379", `-p ${port}`);
        const readiness = container.readinessProbe!.exec!.command![2];
        const liveness = container.livenessProbe!.exec!.command![2];
        expect(readiness).to.contain("/etc/valkey-auth/sentinel-password");
        for (const port of plan.sentinelPorts) {
            fs.writeFileSync(path.join(auth, "sentinel-password"), plan.sentinelPassword);
            expect(spawnSync("sh", ["-c", relocate(readiness, port)], { timeout: 3000 }).status, `readiness ${port}`).to.equal(0);
            expect(spawnSync("sh", ["-c", relocate(liveness, port)], { timeout: 3000 }).status, `liveness ${port}`).to.equal(0);
            // With the data password instead: not ready (it must not serve), but alive (no restart loop).
            fs.writeFileSync(path.join(auth, "sentinel-password"), plan.password);
            expect(spawnSync("sh", ["-c", relocate(readiness, port)], { timeout: 3000 }).status).to.equal(1);
            expect(spawnSync("sh", ["-c", relocate(liveness, port)], { timeout: 3000 }).status).to.equal(0);
        }
    });
});
