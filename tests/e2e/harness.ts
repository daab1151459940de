// Helpers for the end-to-end tests: is the toolchain there, bring the local control plane up and
// down, and the environment that runs the real Pulumi CLI offline (Automation API, file backend).
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export const repoRoot = path.resolve(__dirname, "..", "..", "..");
const script = (name: string) => path.join(repoRoot, "scripts", name);

function run(args: string[], opts: { allowFail?: boolean } = {}): { status: number; out: string } {
    const r = spawnSync("bash", args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    const out = `${r.stdout ?? ""}${r.stderr ?? ""}`;
    if (r.status !== 0 && !opts.allowFail) throw new Error(`${args.join(" ")} failed (${r.status}):\n${out}`);
    return { status: r.status ?? 1, out };
}

/**
 * Why the end-to-end tier cannot run here (undefined when it can). Under CI (CI=true) there is no
 * reason to skip: .ci/run builds the whole toolchain, so a missing part fails the test instead.
 */
export function e2eSkipReason(components = "etcd,kube,kwok,pulumi,language-nodejs,plugin-kubernetes,plugin-random,plugin-tls"): string | undefined {
    const reason = skipReason(components);
    if (reason && process.env.CI === "true") throw new Error(`the end-to-end tier cannot run under CI: ${reason}`);
    return reason;
}

function skipReason(components: string): string | undefined {
    if (process.platform !== "linux") return "needs Linux network namespaces";
    if (typeof process.getuid === "function" && process.getuid() !== 0) return "needs root (network and mount namespaces)";
    const check = run([script("toolchain.sh"), "--check", "--only", components], { allowFail: true });
    if (check.status !== 0) return `toolchain incomplete: ${check.out.trim()} (build it with scripts/toolchain.sh)`;
    return undefined;
}

/** `export NAME="value"` lines -> object (PATH references to $PATH are resolved). */
function parseExports(text: string): Record<string, string> {
    const env: Record<string, string> = {};
    for (const line of text.split("\n")) {
        const m = /^export ([A-Z_][A-Z0-9_]*)="?(.*?)"?$/.exec(line.trim());
        if (m) env[m[1]] = m[2].replace("$PATH", process.env.PATH ?? "");
    }
    return env;
}

export interface ControlPlane {
    kubeconfig: string;
    /** Environment for kubectl and the Pulumi CLI: KUBECONFIG, PATH, PULUMI_HOME, offline settings. */
    env: Record<string, string>;
}

/** Starts the local control plane (idempotent) and returns its kubeconfig and environment. */
export function controlPlaneUp(): ControlPlane {
    run([script("control-plane.sh"), "up"]);
    const cp = parseExports(run([script("control-plane.sh"), "env"]).out);
    const tools = parseExports(run([script("toolchain.sh"), "--print-env"]).out);
    return { kubeconfig: cp.KUBECONFIG, env: { ...tools, ...cp, PATH: cp.PATH } };
}

/**
 * Prints what the control plane looked like (pods, PVCs, events, each component's last log lines)
 * when the test that just ran failed: `down` removes all of it, and a failure that does not come
 * back when the test runs alone can then only be understood from this.
 */
export function printDiagnosticsIfFailed(ctx: Mocha.Context): void {
    if (ctx.currentTest?.state !== "failed") return;
    const r = run([script("control-plane.sh"), "diagnose"], { allowFail: true });
    console.log(`      control plane after the failure of "${ctx.currentTest.title}":\n${r.out}`);
}

export function controlPlaneDown(): void {
    run([script("control-plane.sh"), "down"]);
}

/** A fresh file backend and the settings that keep the Pulumi CLI offline. */
export function pulumiOfflineEnv(cp: ControlPlane): { env: Record<string, string>; stateDir: string; cleanup: () => void } {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "pvk-e2e-state-"));
    return {
        stateDir,
        env: {
            ...cp.env,
            PULUMI_BACKEND_URL: `file://${stateDir}`,
            PULUMI_CONFIG_PASSPHRASE: "e2e-passphrase",
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        },
        cleanup: () => fs.rmSync(stateDir, { recursive: true, force: true }),
    };
}
