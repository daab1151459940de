// ACL users applied live on real servers: a limited user is denied outside its rules, a rule the
// server refuses is reported per node and per user, and a password rotation under load costs no
// failed command.
import { expect } from "chai";
import { NodeClient } from "../../provider/nodes/client";
import { NodeTarget } from "../../provider/nodes/transport";
import { applyAclEverywhere, rotatePassword } from "../../provider/security/acl-apply";
import { aclConfigLines } from "../../sdk/acl/commands";
import { AclPlanInput, resolveAclUsers } from "../../sdk/acl/users";
import { aclSpecSchema } from "../../sdk/spec/security";
import { parseSpec } from "../../sdk/spec/validate";
import { startValkey, stopAllValkeys, ValkeyProcess } from "../helpers/valkey";
import { connectAs, outcome } from "../helpers/nodes";

// Test-only passwords; none of them may appear in any status or message.
const DEFAULT_PW = "default-pw-0123456789";
const PW = { admin: "admin-pw-0123456789", repl: "repl-pw-0123456789", exporter: "exporter-pw-0123456789", app: "app-pw-0123456789" };

const name = (s: ValkeyProcess) => `${s.host}:${s.port}`;
function target(s: ValkeyProcess): NodeTarget {
    const endpoint = { host: s.host, port: s.port };
    return { name: name(s), dial: endpoint, announce: endpoint, placement: { host: s.host } };
}

function plan(users: { name: string; passwords: string[]; rules: string }[]): AclPlanInput {
    const spec = parseSpec(
        aclSpecSchema,
        {
            admin: { passwords: [PW.admin] },
            replication: { passwords: [PW.repl] },
            exporter: { passwords: [PW.exporter] },
            users,
        },
        "acl",
    );
    return resolveAclUsers(spec, DEFAULT_PW);
}

describe("ACL users on real servers", function () {
    this.timeout(30000);
    let servers: ValkeyProcess[] = [];
    let clients: NodeClient[] = [];

    before(async () => {
        servers = await Promise.all([1, 2, 3].map(() => startValkey({ password: DEFAULT_PW, args: ["--requirepass", DEFAULT_PW] })));
        // The first run authenticates as `default` (the admin user does not exist yet).
        clients = servers.map((s) => new NodeClient(target(s), { credentials: { password: DEFAULT_PW } }));
    });
    after(async () => {
        for (const c of clients) c.close();
        await stopAllValkeys();
    });

    it("applies system and application users on every node; the user limited to +GET +SET ~app:* is denied elsewhere", async () => {
        const statuses = await applyAclEverywhere(clients, plan([{ name: "app", passwords: [PW.app], rules: "+GET +SET ~app:*" }]));
        const users = ["valkey-admin", "primary-replication-user", "exporter-user", "probe-user", "app"].map((user) => ({ user, status: "Applied" }));
        expect(statuses).to.deep.equal(servers.map((s) => ({ node: name(s), status: "Applied", users })));

        const app = await connectAs(servers[0], "app", PW.app);
        try {
            expect(await outcome(app.set("app:x", "1"))).to.equal("OK");
            expect(await outcome(app.get("app:x"))).to.equal("1");
            expect(await outcome(app.set("other", "1"))).to.equal("NOPERM No permissions to access a key");
            expect(await outcome(app.del("app:x"))).to.equal("NOPERM User app has no permissions to run the 'del' command");
        } finally {
            app.disconnect();
        }
        // `default` keeps its password (the probes) but may only PING; replicas authenticate as the replication user.
        const def = await connectAs(servers[1], "default", DEFAULT_PW);
        try {
            expect(await outcome(def.ping())).to.equal("PONG");
            expect(await outcome(def.get("app:x"))).to.equal("NOPERM User default has no permissions to run the 'get' command");
        } finally {
            def.disconnect();
        }
        const admin = await connectAs(servers[2], "valkey-admin", PW.admin);
        try {
            expect(await admin.call("CONFIG", "GET", "primaryuser")).to.deep.equal(["primaryuser", "primary-replication-user"]);
            expect(await admin.call("ACL", "DRYRUN", "primary-replication-user", "PSYNC", "?", "-1")).to.equal("OK");
            expect(await admin.call("ACL", "DRYRUN", "exporter-user", "INFO")).to.equal("OK");
            expect(await outcome(admin.call("ACL", "DRYRUN", "exporter-user", "FLUSHALL") as Promise<unknown>)).to.equal(
                "User exporter-user has no permissions to run the 'flushall' command",
            );
        } finally {
            admin.disconnect();
        }
    });

    it("reports a rule the server refuses with the node's message, per node and per user, and applies the other users", async () => {
        // From here on the provider connects as the admin user, as it does once ACL is on.
        for (const c of clients) c.close();
        clients = servers.map((s) => new NodeClient(target(s), { credentials: { username: "valkey-admin", password: PW.admin } }));
        const input = plan([
            { name: "app", passwords: [PW.app], rules: "+GET +SET ~app:*" },
            { name: "broken", passwords: ["broken-pw-0123456789"], rules: "+nosuchcommand ~x:*" },
        ]);
        const statuses = await applyAclEverywhere(clients, input);
        const refusal = "ERR Error in ACL SETUSER modifier '+nosuchcommand': Unknown command or category name in ACL";
        expect(statuses).to.deep.equal(
            servers.map((s) => ({
                node: name(s),
                status: "Error",
                message: `user broken: ${refusal}`,
                users: [
                    ...["valkey-admin", "primary-replication-user", "exporter-user", "probe-user", "app"].map((user) => ({ user, status: "Applied" })),
                    { user: "broken", status: "Error", message: refusal },
                ],
            })),
        );
        const text = JSON.stringify(statuses);
        for (const secret of [...Object.values(PW), DEFAULT_PW, "broken-pw-0123456789"]) expect(text).not.to.include(secret);
        // The refused user was not created.
        expect(await clients[0].call(["ACL", "GETUSER", "broken"])).to.equal(null);
    });

    it("rotates a password while a client runs in a loop as that user: zero failed commands", async () => {
        const server = servers[0];
        const NEW = "app-pw-new-0123456789";
        const RECONNECT_EVERY = 200;
        const DURATION_MS = 3000;
        let password = PW.app;
        let client = await connectAs(server, "app", password);
        let sent = 0;
        let failed = 0;
        let reconnects = 0;
        const failures: string[] = [];
        const started = Date.now();
        // Like a connection pool: fresh connections keep being opened with the password the
        // application currently has, so a password removed too early would show up as failures.
        const loop = (async () => {
            while (Date.now() - started < DURATION_MS) {
                if (sent > 0 && sent % RECONNECT_EVERY === 0) {
                    const next = await connectAs(server, "app", password).catch((e: Error) => e);
                    if (next instanceof Error) {
                        failed++;
                        failures.push(next.message);
                    } else {
                        client.disconnect();
                        client = next;
                        reconnects++;
                    }
                }
                const key = `app:loop:${sent % 100}`;
                try {
                    sent++;
                    if ((await client.set(key, String(sent))) !== "OK") throw new Error("SET did not reply OK");
                    sent++;
                    await client.get(key);
                } catch (e) {
                    failed++;
                    failures.push((e as Error).message);
                }
            }
        })();

        const steps: string[] = [];
        await new Promise((r) => setTimeout(r, 500));
        await rotatePassword(
            clients,
            "app",
            [PW.app],
            NEW,
            async () => {
                // Step 2: the application gets the new password; its next connections use it.
                password = NEW;
                await new Promise((r) => setTimeout(r, 500));
            },
            (line) => steps.push(line),
        );
        await loop;
        const elapsed = Date.now() - started;
        client.disconnect();
        console.log(`      rotation under load: ${sent} commands, ${reconnects} reconnects, ${failed} failed, ${elapsed} ms`);

        expect(failures).to.deep.equal([]);
        expect(failed).to.equal(0);
        expect(sent).to.be.greaterThan(1000);
        expect(reconnects).to.be.greaterThan(2);
        expect(steps).to.deep.equal([
            "app: step 1, new password accepted on 3 nodes",
            "app: step 2, clients switch to the new password",
            "app: step 3, old passwords removed on 3 nodes",
        ]);
        // The rotation really happened on every node: the old password is refused, the new one works.
        for (const s of servers) {
            const fresh = await connectAs(s, "app", NEW);
            try {
                expect(await outcome(fresh.get("app:x"))).to.equal(s === server ? "1" : "null");
                expect(await outcome(fresh.call("AUTH", "app", PW.app) as Promise<unknown>)).to.equal(
                    "WRONGPASS invalid username-password pair or user is disabled.",
                );
            } finally {
                fresh.disconnect();
            }
        }
    });

    it("config lines bring the same users back at start, next to the pods' requirepass (what a restarted node reads)", async () => {
        const input = plan([{ name: "app", passwords: [PW.app], rules: "+GET +SET ~app:*" }]);
        const config = [`requirepass "${DEFAULT_PW}"`, ...aclConfigLines(input, DEFAULT_PW), ""].join("\n");
        const server = await startValkey({ config, password: DEFAULT_PW });
        const app = await connectAs(server, "app", PW.app);
        const def = await connectAs(server, "default", DEFAULT_PW);
        try {
            expect(await outcome(app.set("app:y", "2"))).to.equal("OK");
            expect(await outcome(app.set("other", "2"))).to.equal("NOPERM No permissions to access a key");
            expect(await outcome(def.ping())).to.equal("PONG");
            expect(await outcome(def.get("app:y"))).to.equal("NOPERM User default has no permissions to run the 'get' command");
        } finally {
            app.disconnect();
            def.disconnect();
        }
        const admin = new NodeClient(target(server), { credentials: { username: "valkey-admin", password: PW.admin } });
        const statuses = await applyAclEverywhere([admin], input);
        admin.close();
        expect(statuses.map((s) => s.status)).to.deep.equal(["Applied"]);
    });
});
