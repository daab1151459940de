// `pulumi refresh` and `pulumi up` output of the ValkeyTopology dynamic resource, on real servers:
// `read` observes the nodes (a node down shows as DEGRADED with the reason instead of the last
// recorded RUNNING, and the next `up` converges again), and the steps print what they do, with
// the password masked.
import { expect } from "chai";
import { progressLog, topologyHandlers } from "../../provider/dynamic/handlers";
import { TopologyInputs } from "../../provider/dynamic/inputs";
import { address, startNodes } from "../helpers/nodes";
import { stopAllValkeys } from "../helpers/valkey";

const PASSWORD = "refresh-test-password-5d1c";

describe("refresh and progress of the dynamic provider (real servers)", function () {
    this.timeout(60000);
    after(stopAllValkeys);

    it("read reports a node down as DEGRADED with the reason, the next update converges, read says RUNNING again", async () => {
        const servers = await startNodes(3, { cluster: true, password: PASSWORD, args: ["--requirepass", PASSWORD] });
        const inputs: TopologyInputs = {
            providerVersion: "1.0.0",
            topology: { kind: "cluster", masters: 3, replicasPerMaster: 0 },
            transport: { kind: "direct", nodes: servers.map((s) => ({ dial: address(s) })) },
            password: PASSWORD,
        };
        const printed: string[] = [];
        const log = console.log;
        console.log = (...args: unknown[]) => printed.push(args.join(" "));
        let created;
        try {
            created = await topologyHandlers.create(inputs);
        } finally {
            console.log = log;
        }
        // What `pulumi up` shows: one line per command sent, as in lastActions, what it waits for
        // whenever that changes, and the smoke test last.
        const prefix = "valkey 3 nodes: ";
        const waits = printed.filter((l) => l.startsWith(`${prefix}waiting for: `));
        expect(printed.filter((l) => !waits.includes(l)).slice(0, -1)).to.deep.equal(created.outs.lastActions.map((l) => `${prefix}${l}`));
        expect(created.outs.lastActions.length).to.be.greaterThan(3);
        expect(waits.length).to.be.greaterThan(0);
        expect(printed.at(-1)).to.match(/^valkey 3 nodes: smoke test passed: PING on 3 nodes; SET\/GET\/DEL of /);
        expect(printed.filter((l) => l.includes(PASSWORD))).to.deep.equal([]);

        const fresh = await topologyHandlers.read("x", created.outs);
        expect(fresh.props.state).to.equal("RUNNING");
        expect(fresh.props.problems).to.equal(undefined);
        expect(fresh.props.nodes).to.deep.equal(created.outs.nodes);
        expect(fresh.props.primaryEndpoints).to.deep.equal(created.outs.primaryEndpoints);
        // Given in another order (as pods are once roles swapped), the primaries stay in slot order.
        const t = created.outs.transport as Extract<TopologyInputs["transport"], { kind: "direct" }>;
        const reordered = await topologyHandlers.read("x", { ...created.outs, transport: { ...t, nodes: [...t.nodes].reverse() } });
        expect(reordered.props.nodes.map((n) => n.address)).to.deep.equal(servers.map(address).reverse());
        expect(reordered.props.primaryEndpoints).to.deep.equal(created.outs.primaryEndpoints);
        expect(
            (await topologyHandlers.diff("x", fresh.props as unknown as Record<string, unknown>, inputs as unknown as Record<string, unknown>)).changes,
        ).to.equal(false);

        await servers[1].kill9();
        const down = await topologyHandlers.read("x", created.outs);
        expect(down.props.state).to.equal("DEGRADED");
        expect(down.props.problems).to.deep.equal([`node ${address(servers[1])} is unreachable: connect ECONNREFUSED ${address(servers[1])}`]);
        expect(down.props.nodes).to.deep.equal(created.outs.nodes);
        // The inputs did not change, but the nodes did: the next `pulumi up` converges.
        expect(
            (await topologyHandlers.diff("x", down.props as unknown as Record<string, unknown>, inputs as unknown as Record<string, unknown>)).changes,
        ).to.equal(true);

        servers[1] = await servers[1].restart();
        const healed = await topologyHandlers.update("x", down.props, inputs);
        expect(healed.outs.state).to.equal("RUNNING");
        expect((healed.outs as { problems?: unknown }).problems).to.equal(undefined);
        const after = await topologyHandlers.read("x", healed.outs);
        expect(after.props.state).to.equal("RUNNING");
        expect(after.props.nodes.map((n) => n.slots).sort()).to.deep.equal(created.outs.nodes.map((n) => n.slots).sort());
    });

    it("masks every secret of the inputs in the lines it prints", () => {
        const lines: string[] = [];
        const log = progressLog(
            {
                providerVersion: "1",
                topology: { kind: "standalone" },
                transport: { kind: "kubernetes", namespace: "ns", statefulSet: "cache", replicas: 1, kubeconfig: "apiVersion: v1 kubeconfig-secret" },
                password: "pw-1",
                acl: { users: [{ name: "app", role: "application", rules: "+@all", passwords: ["pw-app"] }] } as unknown as TopologyInputs["acl"],
                tls: { key: "KEY-PEM" },
            },
            (l) => lines.push(l),
        );
        log("AUTH pw-1; app pw-app; key KEY-PEM; apiVersion: v1 kubeconfig-secret");
        expect(lines).to.deep.equal(["valkey ns/cache: AUTH ***; app ***; key ***; ***"]);
    });
});
