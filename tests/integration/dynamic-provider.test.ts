import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { clusterInfo, startNodes, address } from "../helpers/nodes";
import { packageVersion, runSerialized, serializedInputs } from "../helpers/serialized-provider";
import { stopAllValkeys } from "../helpers/valkey";

const PASSWORD = "dyn-Pa55word-for-test";

describe("dynamic provider: serialized as Pulumi does, run in a fresh process against real servers", function () {
    this.timeout(90000);
    let serialized = "";
    let captured: Record<string, unknown> = {};
    after(stopAllValkeys);

    before(async () => {
        captured = await serializedInputs("cache", {
            topology: { kind: "cluster", masters: 3, replicasPerMaster: 0 },
            transport: { kind: "direct", nodes: [{ dial: "127.0.0.1:1" }] },
            password: pulumi.secret(PASSWORD),
        });
        serialized = captured.__provider as string;
    });

    it("serializes to a few lines that require the package by name and hold no secret", () => {
        expect(serialized.startsWith("exports.handler = __f0;")).to.equal(true);
        expect(serialized.split('require("pulumi-valkey/provider")').length - 1).to.equal(6); // check, diff, create, update, read, delete
        expect(serialized.length).to.be.lessThan(4000);
        expect(serialized).not.to.include(PASSWORD);
        expect(captured.providerVersion).to.equal(packageVersion());
    });

    it("creates a 3-primary cluster, then updates it to 3x1, from the serialized text in a fresh node process", async () => {
        const servers = await startNodes(6, { cluster: true, password: PASSWORD, args: ["--requirepass", PASSWORD, "--masterauth", PASSWORD] });
        const inputs = (nodes: typeof servers, replicasPerMaster: number) => ({
            providerVersion: "1.0.0",
            topology: { kind: "cluster", masters: 3, replicasPerMaster },
            transport: { kind: "direct", nodes: nodes.map((s) => ({ dial: address(s) })) },
            password: PASSWORD,
            timeoutSeconds: 60,
        });
        const run = await runSerialized(serialized, { create: inputs(servers.slice(0, 3), 0), update: inputs(servers, 1) });
        expect(run.code, `stderr: ${run.stderr}`).to.equal(0);
        expect(run.stderr).to.equal("");
        const result = JSON.parse(run.json);
        const [n0, n1, n2, n3, n4, n5] = servers.map(address);

        expect(result.check.failures).to.deep.equal([]);
        expect(result.create.id).to.equal(n0);
        expect(result.create.outs.state).to.equal("RUNNING");
        expect(result.create.outs.nodes.map((n: { name: string; role: string; slots: string }) => [n.name, n.role, n.slots])).to.deep.equal([
            [n0, "primary", "0-5460"],
            [n1, "primary", "5461-10922"],
            [n2, "primary", "10923-16383"],
        ]);
        expect(result.create.outs.primaryEndpoints).to.deep.equal([n0, n1, n2]);
        expect(result.create.outs.password).to.equal(PASSWORD);

        expect(result.diff).to.deep.equal({
            changes: true,
            replaces: [],
            stables: [
                "providerVersion",
                "username",
                "password",
                "sentinelPassword",
                "tls",
                "settings",
                "acl",
                "tlsReload",
                "config",
                "rollout",
                "drainBeforeScaleIn",
            ],
            deleteBeforeReplace: false,
        });
        const updated = result.update.outs;
        expect(updated.topology).to.deep.equal({ kind: "cluster", masters: 3, replicasPerMaster: 1 });
        expect(updated.nodes.map((n: { name: string; role: string; primary?: string }) => [n.name, n.role, n.primary ?? "-"])).to.deep.equal([
            [n0, "primary", "-"],
            [n1, "primary", "-"],
            [n2, "primary", "-"],
            [n3, "replica", n0],
            [n4, "replica", n1],
            [n5, "replica", n2],
        ]);
        expect(updated.lastActions.filter((l: string) => l.includes("CLUSTER REPLICATE"))).to.have.length(3);
        for (const s of servers) expect((await clusterInfo(s)).cluster_state).to.equal("ok");
    });
});
