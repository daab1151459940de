// The ValkeyTopology provider as Pulumi serializes it, run as Pulumi's dynamic-provider process does
// (see @pulumi/pulumi/cmd/dynamic-provider): requireFromString(text).handler(), then the CRUD calls,
// in a fresh node process whose program directory holds only this package in node_modules.
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import type { ValkeyTopologyArgs } from "../../sdk/resources/topology";
import { tempDir } from "./valkey";

const REPO = path.resolve(__dirname, "..", "..", "..");
const TYPE = "pulumi-nodejs:dynamic/valkey:ValkeyTopology";

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
    fs.writeFileSync(process.argv[4], JSON.stringify(result));
})().catch((e) => {
    process.stderr.write(String(e && e.stack || e));
    process.exit(1);
});
`;

/** The inputs Pulumi receives for a ValkeyTopology built with `args` under mocks (`__provider` is the serialized provider). */
export async function serializedInputs(name: string, args: ValkeyTopologyArgs): Promise<Record<string, unknown>> {
    let captured: Record<string, unknown> = {};
    pulumi.runtime.setMocks(
        {
            newResource(mock: pulumi.runtime.MockResourceArgs) {
                if (mock.type !== TYPE) throw new Error(`unexpected resource ${mock.type}`);
                captured = mock.inputs;
                return { id: `${mock.name}-id`, state: mock.inputs };
            },
            call(mock: pulumi.runtime.MockCallArgs) {
                throw new Error(`unexpected call to ${mock.token}`);
            },
        },
        "project",
        "stack",
        false,
    );
    // Loaded after the mocks, as the Pulumi docs ask.
    const { ValkeyTopology } = await import("../../sdk/resources/topology");
    const resource = new ValkeyTopology(name, args);
    await new Promise((resolve) => resource.urn.apply(resolve));
    return captured;
}

export interface StepResults {
    readonly code: number | null;
    /** What the provider printed (its progress lines, as `pulumi up` shows them). */
    readonly stdout: string;
    readonly stderr: string;
    /** The results of the steps as JSON (empty when the process failed before the end). */
    readonly json: string;
}

/** check + create with `steps.create`, diff + check + update with `steps.update`, then delete; the results as JSON. */
export function runSerialized(serialized: string, steps: { create: unknown; update: unknown }): Promise<StepResults> {
    const program = tempDir("pulumi-valkey-program-");
    fs.mkdirSync(path.join(program, "node_modules"));
    fs.symlinkSync(REPO, path.join(program, "node_modules", "pulumi-valkey"), "dir");
    const files = {
        provider: path.join(program, "provider.js"),
        child: path.join(program, "child.js"),
        steps: path.join(program, "steps.json"),
        results: path.join(program, "results.json"),
    };
    fs.writeFileSync(files.provider, serialized);
    fs.writeFileSync(files.child, CHILD);
    fs.writeFileSync(files.steps, JSON.stringify(steps));
    const requireFromString = require.resolve("require-from-string", { paths: [path.dirname(require.resolve("@pulumi/pulumi"))] });
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [files.child, files.provider, files.steps, files.results], {
            cwd: program,
            env: { ...process.env, REQUIRE_FROM_STRING: requireFromString },
            stdio: ["ignore", "pipe", "pipe"],
        });
        let stdout = "";
        let stderr = "";
        const guard = setTimeout(() => child.kill("SIGKILL"), 90000);
        child.stdout.on("data", (c) => (stdout += c));
        child.stderr.on("data", (c) => (stderr += c));
        child.on("error", reject);
        child.on("close", (code) => {
            clearTimeout(guard);
            resolve({ code, stdout, stderr, json: fs.existsSync(files.results) ? fs.readFileSync(files.results, "utf8") : "" });
        });
    });
}

/** The package.json version (what providerVersion defaults to). */
export const packageVersion = (): string => JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8")).version;
