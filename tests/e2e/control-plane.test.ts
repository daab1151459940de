// The local control plane and its pod runner, end to end: scripts/control-plane-smoke.sh brings the
// control plane up, runs a StatefulSet that follows docs/pod-contract.md, checks readiness, PVCs,
// port-forward, pod-to-pod DNS names, restarts and volume release, then brings it down and checks
// that nothing is left. Skipped (with the reason) without root or without the toolchain binaries.
import { spawnSync } from "child_process";
import * as path from "path";
import { expect } from "chai";

const root = path.resolve(__dirname, "..", "..", "..");
const script = (name: string) => path.join(root, "scripts", name);

function skipReason(): string | undefined {
    if (process.platform !== "linux") return "needs Linux network namespaces";
    if (typeof process.getuid === "function" && process.getuid() !== 0) return "needs root (network and mount namespaces)";
    const check = spawnSync("bash", [script("toolchain.sh"), "--check", "--only", "etcd,kube,kwok"], { encoding: "utf8" });
    if (check.status !== 0) {
        return `control-plane binaries not built (${(check.stderr || check.stdout).trim()}); run scripts/toolchain.sh`;
    }
    const status = spawnSync("bash", [script("control-plane.sh"), "status"], { encoding: "utf8" });
    if (status.status !== 3) return "a control plane is already running here; not touching it";
    return undefined;
}

describe("local control plane (scripts/control-plane.sh + pod runner)", function () {
    this.timeout(15 * 60 * 1000);

    it("runs a pod-contract StatefulSet for real and leaves nothing behind", function () {
        const reason = skipReason();
        if (reason) {
            console.log(`      skipped: ${reason}`);
            this.skip();
        }
        // SIGTERM on time-out: the smoke script's trap still brings the control plane down.
        const run = spawnSync("bash", [script("control-plane-smoke.sh")], {
            encoding: "utf8",
            stdio: ["ignore", "pipe", "pipe"],
            timeout: 10 * 60 * 1000,
            killSignal: "SIGTERM",
        });
        const out = `${run.stdout}\n${run.stderr}`;
        if (run.status !== 0) console.log(out);
        expect(run.status, "control-plane-smoke.sh exit code").to.equal(0);
        expect(out).to.contain("all checks passed");
        expect(out).to.contain("down: nothing left");
    });
});
