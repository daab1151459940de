import { expect } from "chai";
import { topologyHandlers } from "../../provider/dynamic/handlers";
import { TopologyInputs, TopologyOutputs } from "../../provider/dynamic/inputs";
import { address, configValue, runId, startNodes } from "../helpers/nodes";
import { stopAllValkeys } from "../helpers/valkey";

describe("live config through the dynamic provider (real servers)", function () {
    this.timeout(60000);
    after(stopAllValkeys);

    it("applies changed runtime-settable directives with CONFIG SET on every node, without a restart", async () => {
        const servers = await startNodes(3, { cluster: true });
        const inputs = (config: Record<string, string>): TopologyInputs => ({
            providerVersion: "1.0.0",
            topology: { kind: "cluster", masters: 3, replicasPerMaster: 0 },
            transport: { kind: "direct", nodes: servers.map((s) => ({ dial: address(s) })) },
            config,
        });
        // On create the nodes started from the file that holds the config: nothing is set.
        const created = await topologyHandlers.create(inputs({ "maxmemory-policy": "noeviction", timeout: "0" }));
        expect(created.outs.lastActions.filter((l) => l.includes("CONFIG SET maxmemory-policy"))).to.deep.equal([]);
        expect(created.outs.configStatus).to.equal(undefined);
        const before = await Promise.all(servers.map(runId));

        const news = inputs({ "maxmemory-policy": "allkeys-lru", timeout: "0", "lfu-log-factor": "20" });
        expect(
            (await topologyHandlers.diff("x", created.outs as unknown as Record<string, unknown>, news as unknown as Record<string, unknown>)).changes,
        ).to.equal(true);
        const updated = await topologyHandlers.update("x", created.outs, news);
        for (const s of servers) {
            expect(await configValue(s, "maxmemory-policy")).to.equal("allkeys-lru");
            expect(await configValue(s, "lfu-log-factor")).to.equal("20");
        }
        expect(await Promise.all(servers.map(runId))).to.deep.equal(before);
        expect(updated.outs.configStatus).to.deep.equal(servers.map((s) => ({ node: address(s), status: "Applied" })));
        expect(updated.outs.lastActions.filter((l) => l.includes("CONFIG SET"))).to.deep.equal(
            servers.map((s) => `${address(s)}: CONFIG SET maxmemory-policy allkeys-lru lfu-log-factor 20 (live: no restart)`),
        );

        // The same inputs again: nothing to set, the statuses are kept.
        const again = await topologyHandlers.update("x", updated.outs, news);
        expect(again.outs.lastActions.filter((l) => l.includes("CONFIG SET"))).to.deep.equal([]);
        expect(again.outs.configStatus).to.deep.equal(updated.outs.configStatus);
    });

    it("fails the update naming every node that refused a value, and leaves the others' values as they were", async () => {
        const servers = await startNodes(1);
        const inputs = (config: Record<string, string>): TopologyInputs => ({
            providerVersion: "1.0.0",
            topology: { kind: "standalone" },
            transport: { kind: "direct", nodes: servers.map((s) => ({ dial: address(s) })) },
            config,
        });
        const created = await topologyHandlers.create(inputs({ "maxmemory-policy": "noeviction" }));
        let error: Error | undefined;
        try {
            await topologyHandlers.update("x", created.outs as TopologyOutputs, inputs({ "maxmemory-policy": "sometimes", timeout: "30" }));
        } catch (e) {
            error = e as Error;
        }
        expect(error?.message).to.equal(
            `CONFIG SET maxmemory-policy sometimes timeout 30 refused on 1 of 1 nodes (nothing of it applied there): node ${address(servers[0])}: ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy') - argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction`,
        );
        // CONFIG SET with several directives is atomic: timeout did not change either.
        expect(await configValue(servers[0], "timeout")).to.equal("0");
    });
});
