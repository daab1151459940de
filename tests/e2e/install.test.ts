// The package as a newcomer installs it today (it is not on the npm registry yet): `npm pack` of
// this repository (its `prepare` script builds bin/), the tarball installed into an empty project
// outside the repository next to @pulumi/pulumi and @pulumi/kubernetes, then the `pulumi-valkey`
// CLI runs from node_modules/.bin and a plain JavaScript program that `require`s the package
// deploys a Valkey with the real `pulumi up` on the local control plane, ends RUNNING, and
// `pulumi destroy` removes it. Nothing here resolves into the repository: the program and the
// dynamic provider load the installed copy.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { expect } from "chai";
import { ControlPlane, controlPlaneDown, controlPlaneUp, e2eSkipReason, printDiagnosticsIfFailed, pulumiOfflineEnv, repoRoot } from "./harness";

function sh(cmd: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): { status: number; out: string; stdout: string } {
    const r = spawnSync(cmd, args, {
        cwd: opts.cwd,
        env: opts.env ?? process.env,
        encoding: "utf8",
        timeout: opts.timeoutMs ?? 10 * 60 * 1000,
        maxBuffer: 64 * 1024 * 1024,
    });
    return { status: r.status ?? 1, out: `${r.stdout ?? ""}${r.stderr ?? ""}`, stdout: r.stdout ?? "" };
}

const PROGRAM = `"use strict";
const k8s = require("@pulumi/kubernetes");
const { Valkey } = require("pulumi-valkey");

const ns = new k8s.core.v1.Namespace("ns", { metadata: { name: "installed-valkey" } });
const cache = new Valkey("cache", { project: "installed-valkey", plan: "hobbyist" }, { dependsOn: [ns] });
exports.state = cache.state;
exports.serviceHost = cache.serviceHost;
exports.serviceUri = cache.serviceUri;
`;

describe("installed from an npm pack tarball into a fresh project", function () {
    this.timeout(20 * 60 * 1000);
    let cp: ControlPlane | undefined;
    let offline: ReturnType<typeof pulumiOfflineEnv> | undefined;
    let work: string | undefined;
    let env: NodeJS.ProcessEnv = {};

    before(function () {
        const reason = e2eSkipReason();
        if (reason) {
            console.log(`      skipped: ${reason}`);
            this.skip();
        }
        if (spawnSync("bash", [path.join(repoRoot, "scripts/control-plane.sh"), "status"]).status !== 3) {
            console.log("      skipped: a control plane is already running here; not touching it");
            this.skip();
        }
        work = fs.mkdtempSync(path.join(os.tmpdir(), "pvk-install-"));
        cp = controlPlaneUp();
        offline = pulumiOfflineEnv(cp);
        env = { ...process.env, ...offline.env, KUBECONFIG: cp.kubeconfig };
    });

    afterEach(function () {
        printDiagnosticsIfFailed(this);
    });

    after(function () {
        try {
            if (work && fs.existsSync(path.join(work, "app", "Pulumi.yaml"))) {
                sh("pulumi", ["destroy", "--yes", "--stack", "installed", "--non-interactive"], { cwd: path.join(work, "app"), env });
            }
        } finally {
            offline?.cleanup();
            if (work) fs.rmSync(work, { recursive: true, force: true });
            if (cp) controlPlaneDown();
        }
    });

    it("npm pack, npm install of the tarball, the CLI runs, `pulumi up` of a program requiring it ends RUNNING, destroy", function () {
        const dir = work!;
        const pack = sh("npm", ["pack", "--pack-destination", dir, "--json"], { cwd: repoRoot });
        expect(pack.status, pack.out).to.equal(0);
        // stdout holds the prepare script's output, then the JSON; npm's warnings go to stderr.
        const tarball = path.join(dir, JSON.parse(pack.stdout.slice(pack.stdout.indexOf("\n[") + 1)).at(0).filename as string);
        // What the tarball holds: the compiled package, not the tests or the sources.
        const listing = sh("tar", ["-tzf", tarball], { cwd: dir }).out.split("\n");
        expect(listing).to.include.members([
            "package/bin/sdk/index.js",
            "package/bin/provider/index.js",
            "package/bin/provider/cli.js",
            "package/package.json",
        ]);
        expect(listing.filter((f) => f.startsWith("package/bin/tests/"))).to.deep.equal([]);

        const app = path.join(dir, "app");
        fs.mkdirSync(app);
        const devPins = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")).devDependencies as Record<string, string>;
        fs.writeFileSync(
            path.join(app, "package.json"),
            JSON.stringify({
                name: "installed-app",
                private: true,
                dependencies: {
                    "pulumi-valkey": `file:${tarball}`,
                    "@pulumi/pulumi": devPins["@pulumi/pulumi"],
                    "@pulumi/kubernetes": devPins["@pulumi/kubernetes"],
                },
            }),
        );
        fs.writeFileSync(path.join(app, "Pulumi.yaml"), "name: installed-app\nruntime: nodejs\nmain: index.js\n");
        fs.writeFileSync(path.join(app, "index.js"), PROGRAM);
        const install = sh("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline"], { cwd: app });
        expect(install.status, install.out).to.equal(0);
        expect(fs.realpathSync(path.join(app, "node_modules", "pulumi-valkey"))).to.equal(path.join(app, "node_modules", "pulumi-valkey"));

        const help = sh(path.join(app, "node_modules", ".bin", "pulumi-valkey"), ["--help"], { cwd: app });
        expect(help.status, help.out).to.equal(0);
        expect(help.out).to.contain("pulumi-valkey converge");

        expect(sh("pulumi", ["stack", "init", "installed", "--non-interactive"], { cwd: app, env }).status).to.equal(0);
        const up = sh("pulumi", ["up", "--yes", "--skip-preview", "--stack", "installed", "--non-interactive"], { cwd: app, env });
        expect(up.status, up.out).to.equal(0);
        const state = sh("pulumi", ["stack", "output", "state", "--stack", "installed"], { cwd: app, env });
        expect(state.out.trim()).to.equal("RUNNING");
        expect(sh("pulumi", ["stack", "output", "serviceHost", "--stack", "installed"], { cwd: app, env }).out.trim()).to.equal(
            "cache.installed-valkey.svc.cluster.local",
        );
        // The dynamic provider's progress, as the engine shows it during `pulumi up`.
        expect(up.out, up.out).to.match(/valkey installed-valkey\/cache: smoke test passed: PING on 1 nodes; SET\/GET\/DEL of /);

        // `pulumi refresh` reads the live nodes (the topology's read): one healthy node, RUNNING.
        const refresh = sh("pulumi", ["refresh", "--yes", "--skip-preview", "--stack", "installed", "--non-interactive"], { cwd: app, env });
        expect(refresh.status, refresh.out).to.equal(0);
        const exported = JSON.parse(sh("pulumi", ["stack", "export", "--stack", "installed"], { cwd: app, env }).stdout) as {
            deployment: { resources: { type: string; outputs?: Record<string, unknown> }[] };
        };
        const topology = exported.deployment.resources.find((r) => r.type === "pulumi-nodejs:dynamic/valkey:ValkeyTopology");
        expect(topology?.outputs?.state).to.equal("RUNNING");
        expect(topology?.outputs?.problems).to.equal(undefined);
        expect((topology?.outputs?.nodes as { role: string }[]).map((n) => n.role)).to.deep.equal(["primary"]);

        const down = sh("pulumi", ["destroy", "--yes", "--stack", "installed", "--non-interactive"], { cwd: app, env });
        expect(down.status, down.out).to.equal(0);
        // The namespace is deleted in the background: wait for it (at most a minute).
        let gone = "";
        for (let i = 0; i < 60 && !gone.includes("NotFound"); i++) {
            gone = sh("kubectl", ["get", "namespace", "installed-valkey"], { cwd: app, env }).out;
            if (!gone.includes("NotFound")) spawnSync("sleep", ["1"]);
        }
        expect(gone).to.contain("NotFound");
    });
});
