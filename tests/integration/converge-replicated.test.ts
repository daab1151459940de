import { expect } from "chai";
import { converge, ConvergeRequest } from "../../provider/converge/converge";
import { AuthenticationError, RefusedError, UnreachableError } from "../../provider/errors";
import { directTransport } from "../../provider/nodes/transport";
import { address, configValue, direct, failure, mutatingCalls, replicationInfo, startNodes, withClient } from "../helpers/nodes";
import { freePort, stopAllValkeys } from "../helpers/valkey";

// A test secret: it must appear in no message.
const PASSWORD = "s3cret-Test-Pa55";

describe("converge: standalone and replicated (cluster mode off)", function () {
    this.timeout(60000);
    after(stopAllValkeys);

    it("makes the node with data the primary of two replicas, with a password; the second run does nothing", async () => {
        const servers = await startNodes(3, { password: PASSWORD, args: ["--requirepass", PASSWORD, "--masterauth", PASSWORD] });
        await withClient(servers[1], (c) => c.set("existing", "kept"));
        const request: ConvergeRequest = {
            topology: { kind: "replicated", replicas: 2 },
            transport: direct(servers),
            credentials: { password: PASSWORD },
        };
        const result = await converge(request);
        const [n0, n1, n2] = servers.map(address);
        expect(result.layout).to.deep.equal({
            primaries: [{ node: n1, slots: [] }],
            replicas: [
                { node: n0, primary: n1 },
                { node: n2, primary: n1 },
            ],
        });
        expect(result.actions).to.deep.equal([
            `${n1}: CONFIG SET repl-diskless-sync-delay 0 (for a fast bootstrap)`,
            `${n0}: REPLICAOF 127.0.0.1 ${servers[1].port} (replica of ${n1})`,
            `${n2}: REPLICAOF 127.0.0.1 ${servers[1].port} (replica of ${n1})`,
            `${n1}: CONFIG SET repl-diskless-sync-delay 5 (back to its steady value)`,
        ]);
        for (const replica of [servers[0], servers[2]]) {
            expect((await replicationInfo(replica)).master_link_status).to.equal("up");
            expect(await withClient(replica, (c) => c.get("existing"))).to.equal("kept");
        }
        expect(await configValue(servers[1], "repl-diskless-sync-delay")).to.equal("5");

        const before = await Promise.all(servers.map(mutatingCalls));
        const again = await converge(request);
        expect([again.mutations, again.actions]).to.deep.equal([0, []]);
        expect(await Promise.all(servers.map(mutatingCalls))).to.deep.equal(before);
    });

    it("refuses to make a node holding keys a replica of another node with keys", async () => {
        const servers = await startNodes(2);
        await withClient(servers[0], (c) => c.set("a", "1"));
        await withClient(servers[1], (c) => c.set("b", "2"));
        const error = await failure(converge({ topology: { kind: "replicated", replicas: 1 }, transport: direct(servers) }));
        expect(error).to.be.instanceOf(RefusedError);
        expect(error.message).to.equal(
            `refusing to converge: node ${address(servers[0])} holds 1 keys, as does ${address(servers[1])}; converge does not choose between two datasets; ` +
                `node ${address(servers[1])} holds 1 keys, as does ${address(servers[0])}; converge does not choose between two datasets`,
        );
    });

    it("promotes a standalone node that was a replica, keeping its data", async () => {
        const [primary, node] = await startNodes(2, { args: ["--repl-diskless-sync-delay", "0"] });
        await withClient(primary, (c) => c.set("k", "v"));
        await withClient(node, (c) => c.call("REPLICAOF", primary.host, String(primary.port)));
        for (let i = 0; i < 500 && (await replicationInfo(node)).master_link_status !== "up"; i++) await new Promise((r) => setTimeout(r, 20));
        const result = await converge({ topology: { kind: "standalone" }, transport: direct([node]) });
        expect(result.actions).to.deep.equal([`${address(node)}: REPLICAOF NO ONE (become a primary)`]);
        expect((await replicationInfo(node)).role).to.equal("master");
        expect(await withClient(node, (c) => c.get("k"))).to.equal("v");
    });

    it("names the node on a wrong password and never shows the password", async () => {
        const [server] = await startNodes(1, { password: PASSWORD, args: ["--requirepass", PASSWORD] });
        const wrong = `${PASSWORD}-wrong`;
        const error = await failure(converge({ topology: { kind: "standalone" }, transport: direct([server]), credentials: { password: wrong } }));
        expect(error).to.be.instanceOf(AuthenticationError);
        expect(error.message).to.equal(
            `node ${address(server)}: authentication failed: user default: WRONGPASS invalid username-password pair or user is disabled.`,
        );
        const missing = await failure(converge({ topology: { kind: "standalone" }, transport: direct([server]) }));
        expect(missing.message).to.equal(`node ${address(server)}: authentication failed: user default: NOAUTH Authentication required.`);
        expect(`${error.stack}${missing.stack}`).not.to.include(PASSWORD);
    });

    it("names an unreachable node", async () => {
        const port = await freePort();
        const transport = directTransport([{ dial: `127.0.0.1:${port}` }]);
        const error = await failure(converge({ topology: { kind: "standalone" }, transport }, { reachableTimeoutMs: 100 }));
        expect(error).to.be.instanceOf(UnreachableError);
        expect(error.message).to.equal(`node 127.0.0.1:${port} is unreachable: connect ECONNREFUSED 127.0.0.1:${port}`);
    });
});
