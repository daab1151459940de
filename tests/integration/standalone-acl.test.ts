// A 1-node plan (startup-4) with kubernetes.acl (defaultUser off) on a real valkey-server started as
// its pod starts: the rendered valkey.conf including the rendered auth Secret's auth.conf. The pod's
// probes pass as the probe user, the application user has its rules, `default` is refused and no
// command is answered without authentication.
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import { resolveAclUsers, usersWithoutPasswords } from "../../sdk/acl/users";
import { renderValkeyConf } from "../../sdk/config/render";
import { buildAuthSecret, buildStatefulSet } from "../../sdk/manifests";
import { connectAs, connectRaw, outcome } from "../helpers/nodes";
import { freePort, startValkey, stopAllValkeys, tempDir, ValkeyProcess } from "../helpers/valkey";
import { valkeyModel } from "../unit/manifests/fixtures";

describe("a 1-node plan with kubernetes.acl and defaultUser off (a real server started from the rendered files)", function () {
    this.timeout(30000);
    const model = valkeyModel(
        { project: "p", plan: "startup-4", kubernetes: { acl: { defaultUser: "off", users: [{ name: "app", rules: "~app:* +@read +@write" }] } } },
        "solo",
    );
    const password = crypto.randomBytes(16).toString("hex");
    const generated = Object.fromEntries(usersWithoutPasswords(model.acl!).map((u) => [u, [crypto.randomBytes(16).toString("hex")]]));
    const acl = resolveAclUsers(model.acl!, password, generated, { sentinel: model.topology.kind === "sentinel" });
    const app = acl.users.find((u) => u.name === "app")!;
    let server: ValkeyProcess;
    let authDir: string;

    before(async () => {
        expect(model.topology).to.deep.equal({ kind: "standalone" });
        authDir = tempDir("pulumi-valkey-auth-");
        for (const [key, value] of Object.entries(buildAuthSecret(model, password, acl).stringData!)) fs.writeFileSync(path.join(authDir, key), value);
        const dir = tempDir();
        const port = await freePort();
        server = await startValkey({ config: renderValkeyConf(model, { dataDir: dir, port, authInclude: path.join(authDir, "auth.conf") }), dir, port });
    });
    after(stopAllValkeys);

    it("has no Sentinel user and a PING-only probe user on a 1-node plan", () => {
        expect(acl.users.map((u) => [u.name, u.role])).to.deep.equal([
            ["valkey-admin", "admin"],
            ["primary-replication-user", "replication"],
            ["exporter-user", "exporter"],
            ["probe-user", "probe"],
            ["app", undefined],
        ]);
        expect(acl.users.find((u) => u.role === "probe")!.rules).to.equal("+ping");
    });

    it("the pod's readiness and liveness command lines pass as the probe user", () => {
        const [container] = buildStatefulSet(model, { configHash: "x" }).spec!.template.spec!.containers;
        for (const probe of [container.readinessProbe!, container.livenessProbe!]) {
            const script = probe.exec!.command![2].replace(/\/etc\/valkey-auth\//g, `${authDir}/`).replace(" -p 6379 ", ` -p ${server.port} `);
            expect(script).to.contain(`valkey-cli --user probe-user -p ${server.port} ping`);
            expect(spawnSync("sh", ["-c", script], { timeout: 5000 }).status).to.equal(0);
        }
    });

    it("the application user has its rules; `default` and unauthenticated commands are refused", async () => {
        const c = await connectAs(server, app.name, app.passwords[0]);
        try {
            expect(await outcome(c.set("app:x", "1"))).to.equal("OK");
            expect(await outcome(c.set("other:x", "1"))).to.equal("NOPERM No permissions to access a key");
            expect(await outcome(c.call("CONFIG", "GET", "maxmemory") as Promise<unknown>)).to.equal(
                "NOPERM User app has no permissions to run the 'config|get' command",
            );
        } finally {
            c.disconnect();
        }
        const raw = await connectRaw(server);
        try {
            expect(await outcome(raw.call("PING") as Promise<unknown>)).to.equal("NOAUTH Authentication required.");
            expect(await outcome(raw.call("AUTH", "default", password) as Promise<unknown>)).to.equal(
                "WRONGPASS invalid username-password pair or user is disabled.",
            );
        } finally {
            raw.disconnect();
        }
    });
});
