import { expect } from "chai";
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { clusterInfo, startNodes, address } from "../helpers/nodes";
import { stopAllValkeys, tempDir } from "../helpers/valkey";

const REPO = path.resolve(__dirname, "..", "..", "..");
const TYPE = "pulumi-nodejs:dynamic/valkey:ValkeyTopology";
const PASSWORD = "dyn-Pa55word-for-test";

/**
 * What Pulumi's dynamic-provider process does with the serialized provider (see
 * @pulumi/pulumi/cmd/dynamic-provider): requireFromString(text).handler(), then the CRUD calls.
 */
const CHILD = `
const fs = require("fs");
const requireFromString = require(process.env.REQUIRE_FROM_STRING);
(async () => {
    const text = fs.readFileSync(process.argv[2], "utf8");
    const steps = JSON.parse(fs.readFileSync(process.argv[3], "utf8"));
    const provider = requireFromString(text).handler();
    const result = {};
    result.check = await provider.check({}, steps.create);
    result.create = await provider.create(result.check.inputs);
    result.diff = await provider.diff(result.create.id, result.create.outs, steps.update);
    const checked = await provider.check(result.create.outs, steps.update);
    result.update = await provider.update(result.create.id, result.create.outs, checked.inputs);
    await provider.delete(result.create.id, result.update.outs);
    process.stdout.write(JSON.stringify(result));
})().catch((e) => {
    process.stderr.write(String(e && e.stack || e));
    process.exit(1);
});
`;

function runNode(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        const guard = setTimeout(() => child.kill("SIGKILL"), 90000);
        child.stdout.on("data", (c) => (stdout += c));
        child.stderr.on("data", (c) => (stderr += c));
        child.on("error", reject);
        child.on("close", (code) => {
            clearTimeout(guard);
            resolve({ code, stdout, stderr });
        });
    });
}

describe("dynamic provider: serialized as Pulumi does, run in a fresh process against real servers", function () {
    this.timeout(90000);
    let serialized = "";
    let captured: Record<string, unknown> = {};
    after(stopAllValkeys);

    before(async () => {
        pulumi.runtime.setMocks(
            {
                newResource(args: pulumi.runtime.MockResourceArgs) {
                    if (args.type !== TYPE) throw new Error(`unexpected resource ${args.type}`);
                    captured = args.inputs;
                    return { id: `${args.name}-id`, state: args.inputs };
                },
                call(args: pulumi.runtime.MockCallArgs) {
                    throw new Error(`unexpected call to ${args.token}`);
                },
            },
            "project",
            "stack",
            false,
        );
        // Loaded after the mocks, as the Pulumi docs ask.
        const { ValkeyTopology } = await import("../../provider/dynamic/topology");
        const resource = new ValkeyTopology("cache", {
            topology: { kind: "cluster", masters: 3, replicasPerMaster: 0 },
            transport: { kind: "direct", nodes: [{ dial: "127.0.0.1:1" }] },
            password: pulumi.secret(PASSWORD),
        });
        await new Promise((resolve) => resource.urn.apply(resolve));
        serialized = captured.__provider as string;
    });

    it("serializes to a few lines that require the package by name and hold no secret", () => {
        expect(serialized.startsWith("exports.handler = __f0;")).to.equal(true);
        expect(serialized.split('require("pulumi-valkey/provider")').length - 1).to.equal(5);
        expect(serialized.length).to.be.lessThan(4000);
        expect(serialized).not.to.include(PASSWORD);
        expect(captured.providerVersion).to.equal(JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8")).version);
    });

    it("creates a 3-primary cluster, then updates it to 3x1, from the serialized text in a fresh node process", async () => {
        const servers = await startNodes(6, { cluster: true, password: PASSWORD, args: ["--requirepass", PASSWORD, "--masterauth", PASSWORD] });
        // A Pulumi program's directory: the package installed in node_modules, nothing else.
        const program = tempDir("pulumi-valkey-program-");
        fs.mkdirSync(path.join(program, "node_modules"));
        fs.symlinkSync(REPO, path.join(program, "node_modules", "pulumi-valkey"), "dir");
        const providerFile = path.join(program, "provider.js");
        fs.writeFileSync(providerFile, serialized);
        const childFile = path.join(program, "child.js");
        fs.writeFileSync(childFile, CHILD);
        const inputs = (nodes: typeof servers, replicasPerMaster: number) => ({
            providerVersion: "1.0.0",
            topology: { kind: "cluster", masters: 3, replicasPerMaster },
            transport: { kind: "direct", nodes: nodes.map((s) => ({ dial: address(s) })) },
            password: PASSWORD,
            timeoutSeconds: 60,
        });
        const stepsFile = path.join(program, "steps.json");
        fs.writeFileSync(stepsFile, JSON.stringify({ create: inputs(servers.slice(0, 3), 0), update: inputs(servers, 1) }));
        const requireFromString = require.resolve("require-from-string", { paths: [path.dirname(require.resolve("@pulumi/pulumi"))] });

        const run = await runNode([childFile, providerFile, stepsFile], program, { REQUIRE_FROM_STRING: requireFromString });
        expect(run.code, `stderr: ${run.stderr}`).to.equal(0);
        expect(run.stderr).to.equal("");
        const result = JSON.parse(run.stdout);
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
            stables: ["providerVersion", "username", "password", "tls", "settings"],
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
