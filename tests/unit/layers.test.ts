// The layers of docs/architecture.md as Node loads them: what a module pulls in at run time,
// transitively, in a fresh process (lint checks each import; this checks the compiled whole).
import { expect } from "chai";
import { execFileSync } from "child_process";
import * as path from "path";

const BIN = path.resolve(__dirname, "../..");

/** The modules under bin/ and the packages that requiring `modules` loads, relative to bin/. */
function loaded(...modules: string[]): { files: string[]; packages: string[] } {
    const script = `
        for (const m of ${JSON.stringify(modules.map((m) => path.join(BIN, m)))}) require(m);
        process.stdout.write(JSON.stringify(Object.keys(require.cache)));
    `;
    const paths = JSON.parse(execFileSync(process.execPath, ["-e", script], { encoding: "utf8" })) as string[];
    const files = paths.filter((p) => p.startsWith(BIN + path.sep) && !p.includes(`${path.sep}node_modules${path.sep}`)).map((p) => path.relative(BIN, p));
    const packages = [...new Set(paths.map((p) => /node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/.exec(p)?.[1]).filter((p): p is string => p !== undefined))];
    return { files, packages: packages.map((p) => p.replace(/\\/g, "/")) };
}

describe("layers at run time", () => {
    it("the package root loads nothing of provider/ (the dynamic resources require it by name inside their methods)", () => {
        const { files, packages } = loaded("sdk/index.js");
        expect(files.filter((f) => !f.startsWith(`sdk${path.sep}`))).to.deep.equal([]);
        expect(packages.filter((p) => p === "iovalkey" || p === "@kubernetes/client-node")).to.deep.equal([]);
    });

    it("the pure layer loads no Pulumi package and none of the live-node engine", () => {
        const { files, packages } = loaded(
            "sdk/spec/aiven.js",
            "sdk/spec/args.js",
            "sdk/spec/cluster-args.js",
            "sdk/spec/security-args.js",
            "sdk/spec/cluster.js",
            "sdk/spec/model.js",
            "sdk/spec/cluster-model.js",
            "sdk/spec/changes.js",
            "sdk/config/index.js",
            "sdk/manifests/index.js",
            "sdk/acl/index.js",
            "sdk/types/topology.js",
            "provider/reconcile/index.js",
            "provider/schedule/window.js",
        );
        expect(packages.filter((p) => p.startsWith("@pulumi/") || p === "iovalkey" || p === "@kubernetes/client-node")).to.deep.equal([]);
        const pure = ["spec", "config", "manifests", "acl", "types"].map((d) => path.join("sdk", d) + path.sep);
        const pureCredentials = ["probe-password.js", "sentinel-password.js"].map((f) => path.join("sdk", "credentials", f));
        const provider = ["reconcile", "schedule"].map((d) => path.join("provider", d) + path.sep);
        expect(files.filter((f) => ![...pure, ...provider].some((d) => f.startsWith(d)) && !pureCredentials.includes(f))).to.deep.equal([]);
    });

    it("the engine's entry point loads no Pulumi package and nothing of the sdk's Pulumi side", () => {
        const { files, packages } = loaded("provider/index.js");
        expect(packages.filter((p) => p.startsWith("@pulumi/"))).to.deep.equal([]);
        const pulumiSide = ["components", "resources", "credentials"].map((d) => path.join("sdk", d) + path.sep);
        const pureCredentials = ["probe-password.js", "sentinel-password.js"].map((f) => path.join("sdk", "credentials", f));
        expect(files.filter((f) => pulumiSide.some((d) => f.startsWith(d)) && !pureCredentials.includes(f))).to.deep.equal([]);
    });
});
