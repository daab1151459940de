// Issue 12, "ACL users", item 4: the provider converges a replicated topology (cluster mode off)
// whose nodes have ACL users and `default` off, authenticating as the admin user as a component
// with ACL on passes it (username = admin, password = the admin's, acl = the resolved users), and
// applies the ACL live. The nodes start as the pods do: valkey.conf includes the auth Secret's
// auth.conf rendered from a business-4 model with kubernetes.acl.
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import { topologyHandlers } from "../../provider/dynamic/handlers";
import { TopologyInputs } from "../../provider/dynamic/inputs";
import { AclPlanInput, resolveAclUsers, usersWithoutPasswords } from "../../sdk/acl/users";
import { buildAuthSecret } from "../../sdk/manifests/secrets";
import { address, connectAs, connectRaw, outcome } from "../helpers/nodes";
import { startValkey, stopAllValkeys, tempDir, ValkeyProcess } from "../helpers/valkey";
import { valkeyModel } from "../unit/manifests/fixtures";

const DEFAULT_PW = crypto.randomBytes(16).toString("hex");

describe("converge: a replicated topology with ACL users and defaultUser off, as the admin user (real servers)", function () {
    this.timeout(90000);
    const model = valkeyModel(
        { project: "p", plan: "business-4", kubernetes: { acl: { defaultUser: "off", users: [{ name: "app", rules: "~app:* +@read +@write" }] } } },
        "repl",
    );
    const generated = Object.fromEntries(usersWithoutPasswords(model.acl!).map((u) => [u, [crypto.randomBytes(16).toString("hex")]]));
    const acl: AclPlanInput = resolveAclUsers(model.acl!, DEFAULT_PW, generated, { sentinel: true });
    const admin = acl.users.find((u) => u.role === "admin")!;
    const replication = acl.users.find((u) => u.role === "replication")!;
    const app = acl.users.find((u) => u.name === "app")!;
    const secrets = () => [DEFAULT_PW, ...acl.users.flatMap((u) => u.passwords), ...(later?.users.flatMap((u) => u.passwords) ?? [])];
    let later: AclPlanInput | undefined;
    let servers: ValkeyProcess[] = [];

    const inputs = (users: AclPlanInput): TopologyInputs => ({
        providerVersion: "1.0.0",
        topology: { kind: "replicated", replicas: 1 },
        transport: { kind: "direct", nodes: servers.map((s) => ({ dial: address(s) })) },
        username: admin.name,
        password: admin.passwords[0],
        acl: users,
        timeoutSeconds: 60,
    });
    const as = async (server: ValkeyProcess, user: { name: string; passwords: readonly string[] }, ...command: string[]) => {
        const c = await connectAs(server, user.name, user.passwords[0]);
        try {
            return await outcome(c.call(command[0], ...command.slice(1)) as Promise<unknown>);
        } finally {
            c.disconnect();
        }
    };
    const noPassword = (text: string) => {
        for (const pw of secrets()) expect(text, "a password leaked").not.to.include(pw);
    };

    before(async () => {
        const auth = buildAuthSecret(model, DEFAULT_PW, acl).stringData!;
        const authDir = tempDir();
        fs.writeFileSync(path.join(authDir, "auth.conf"), auth["auth.conf"]);
        const config = ['save ""', "appendonly no", `include ${path.join(authDir, "auth.conf")}`].join("\n") + "\n";
        servers = await Promise.all([0, 1].map(() => startValkey({ config })));
    });
    after(stopAllValkeys);

    it("create: only the admin user gets in; REPLICAOF, every user applied, `default` off; the replica links as the replication user", async () => {
        // Nothing answers `default`: the nodes started with it off.
        const raw = await connectRaw(servers[0]);
        try {
            expect(await outcome(raw.call("AUTH", "default", DEFAULT_PW) as Promise<unknown>)).to.match(/^WRONGPASS/);
        } finally {
            raw.disconnect();
        }
        const { outs } = await topologyHandlers.create(inputs(acl));
        expect(outs.state).to.equal("RUNNING");
        expect(outs.aclPhase).to.equal("Applied");
        expect(outs.aclStatus).to.deep.equal(servers.map((s) => ({ node: address(s), status: "Applied" })));
        const [n0, n1] = servers.map(address);
        expect(outs.lastActions.filter((l) => l.includes("REPLICAOF"))).to.deep.equal([`${n1}: REPLICAOF 127.0.0.1 ${servers[0].port} (replica of ${n0})`]);
        expect(outs.lastActions.filter((l) => l.includes("ACL SETUSER default"))).to.deep.equal([
            `${n0}: ACL SETUSER default off (the default user: off)`,
            `${n1}: ACL SETUSER default off (the default user: off)`,
        ]);
        noPassword(JSON.stringify({ ...outs, acl: undefined, password: undefined }));

        expect(await as(servers[1], admin, "INFO", "replication")).to.contain("master_link_status:up");
        expect(await as(servers[0], admin, "CLIENT", "LIST", "TYPE", "replica")).to.contain(`user=${replication.name}`);
        // Live on the replica as the acl-apply step set it: the replication user, its current password.
        expect(await as(servers[1], admin, "CONFIG", "GET", "primaryuser")).to.equal(`primaryuser,${replication.name}`);
        expect(await as(servers[0], app, "SET", "app:x", "1")).to.equal("OK");
        expect(await as(servers[0], app, "SET", "other:x", "1")).to.equal("NOPERM No permissions to access a key");
        expect(await as(servers[0], app, "CONFIG", "GET", "maxmemory")).to.equal("NOPERM User app has no permissions to run the 'config|get' command");
        for (let i = 0; i < 100 && (await as(servers[1], app, "GET", "app:x")) !== "1"; i++) await new Promise((r) => setTimeout(r, 20));
        expect(await as(servers[1], app, "GET", "app:x")).to.equal("1");
    });

    it("update: a new application user and a rotated app password are applied live on both nodes, still as the admin user; no REPLICAOF the second time", async () => {
        const newPw = crypto.randomBytes(16).toString("hex");
        later = {
            ...acl,
            users: [
                ...acl.users.map((u) => (u.name === "app" ? { ...u, passwords: [newPw, ...u.passwords] } : u)),
                { name: "reader", passwords: [crypto.randomBytes(16).toString("hex")], rules: "~app:* +get" },
            ],
        };
        // A second create over the converged nodes: what an update starts from.
        const previous = (await topologyHandlers.create(inputs(acl))).outs;
        expect(previous.lastActions.filter((l) => l.includes("REPLICAOF"))).to.deep.equal([]);
        const { outs } = await topologyHandlers.update("id", previous, inputs(later));
        expect(outs.aclPhase).to.equal("Applied");
        expect(outs.lastActions.filter((l) => l.includes("REPLICAOF"))).to.deep.equal([]);
        const reader = later.users.find((u) => u.name === "reader")!;
        for (const server of servers) {
            expect(await as(server, reader, "GET", "app:x")).to.equal("1");
            expect(await as(server, reader, "SET", "app:x", "2")).to.match(/^NOPERM/);
            expect(await as(server, { name: "app", passwords: [newPw] }, "GET", "app:x")).to.equal("1");
            expect(await as(server, app, "GET", "app:x")).to.equal("1");
        }
        expect(await as(servers[1], admin, "INFO", "replication")).to.contain("master_link_status:up");
        noPassword(JSON.stringify({ ...outs, acl: undefined, password: undefined }));
    });
});
