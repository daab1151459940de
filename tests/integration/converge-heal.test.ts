import { expect } from "chai";
import { converge } from "../../provider/converge/converge";
import { address, clusterClient, clusterInfo, direct, startNodes } from "../helpers/nodes";
import { freePort, stopAllValkeys, ValkeyProcess } from "../helpers/valkey";

const KEYS = 300;

describe("converge: healing a cluster whose nodes all restarted on new addresses", function () {
    this.timeout(60000);
    after(stopAllValkeys);

    it("MEETs every known node id at its new address before forgetting a departed node; every key survives", async () => {
        // The reference operator's node timeout, so the departed node is marked failed within seconds.
        const options = { cluster: true, args: ["--appendonly", "yes", "--cluster-node-timeout", "2000"] };
        const servers = await startNodes(7, options);
        const topology = { kind: "cluster" as const, masters: 3, replicasPerMaster: 1 };
        const first = await converge({ topology, transport: direct(servers) });
        // The seventh node became an extra replica; it departs for good below.
        const departed = first.nodes[6];
        expect(departed.role).to.equal("replica");

        const writer = clusterClient(servers);
        for (let i = 0; i < KEYS; i++) await writer.set(`key:${i}`, `value:${i}`);
        writer.disconnect();

        await servers[6].kill9();
        const survivors = servers.slice(0, 6);
        await Promise.all(survivors.map((s) => s.stop()));
        const ports = await Promise.all(survivors.map(() => freePort()));
        const restarted: ValkeyProcess[] = await Promise.all(survivors.map((s, i) => s.restart({ port: ports[i] })));

        const healed = await converge({ topology, transport: direct(restarted) });
        const kinds = healed.actions.map((line) => (line.includes("CLUSTER MEET") ? "meet" : line.includes("CLUSTER FORGET") ? "forget" : "other"));
        const lastMeet = kinds.lastIndexOf("meet");
        const firstForget = kinds.indexOf("forget");
        expect(lastMeet, healed.actions.join("\n")).to.be.greaterThan(-1);
        expect(firstForget, healed.actions.join("\n")).to.be.greaterThan(lastMeet);
        // Every node that knew the departed node forgets it; nothing else is forgotten.
        expect(healed.actions.filter((l) => l.includes("CLUSTER FORGET")).map((l) => l.split(": ")[1].split(" ")[2])).to.deep.equal(
            restarted.map(() => departed.id),
        );
        // Node ids and roles are those from before the restart.
        expect(healed.nodes.map((n) => [n.id, n.role])).to.deep.equal(first.nodes.slice(0, 6).map((n) => [n.id, n.role]));

        for (const s of restarted) {
            const info = await clusterInfo(s);
            expect([address(s), info.cluster_state, info.cluster_known_nodes]).to.deep.equal([address(s), "ok", "6"]);
        }
        const reader = clusterClient(restarted);
        try {
            const values = await Promise.all(Array.from({ length: KEYS }, (_, i) => reader.get(`key:${i}`)));
            expect(values).to.deep.equal(Array.from({ length: KEYS }, (_, i) => `value:${i}`));
        } finally {
            reader.disconnect();
        }
        expect((await converge({ topology, transport: direct(restarted) })).mutations).to.equal(0);
    });
});
