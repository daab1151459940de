// The real Pulumi engine against the local control plane, without this package's components: an
// Automation API inline program (file backend) deploys a pod-contract StatefulSet with
// @pulumi/kubernetes; the pod answers SET/GET with the generated password; the stack export holds
// neither the password nor the private key in plaintext; `pulumi destroy` leaves nothing. It proves
// the toolchain (CLI, plugins) and the control plane that the component e2e tests build on.
// Skipped, with the reason, when the toolchain is incomplete or not root.
import { spawnSync } from "child_process";
import * as fs from "fs";
import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { ControlPlane, controlPlaneDown, controlPlaneUp, e2eSkipReason, printDiagnosticsIfFailed, pulumiOfflineEnv } from "./harness";

function kubectl(cp: ControlPlane, ...args: string[]): { status: number; out: string } {
    const r = spawnSync("kubectl", args, { encoding: "utf8", env: { ...process.env, ...cp.env } });
    return { status: r.status ?? 1, out: `${r.stdout}${r.stderr}` };
}

describe("Pulumi engine on the local control plane (toolchain smoke)", function () {
    this.timeout(20 * 60 * 1000);
    let cp: ControlPlane | undefined;
    let stack: Stack | undefined;
    let offline: ReturnType<typeof pulumiOfflineEnv> | undefined;
    const savedEnv = { ...process.env };
    const namespace = `engine-${Date.now().toString(36)}`;

    before(function () {
        const reason = e2eSkipReason();
        if (reason) {
            console.log(`      skipped: ${reason}`);
            this.skip();
        }
        const status = spawnSync("bash", [`${__dirname}/../../../scripts/control-plane.sh`, "status"]);
        if (status.status !== 3) {
            console.log("      skipped: a control plane is already running here; not touching it");
            this.skip();
        }
        cp = controlPlaneUp();
        offline = pulumiOfflineEnv(cp);
        Object.assign(process.env, offline.env); // the Automation API runs `pulumi` from PATH
    });

    afterEach(function () {
        printDiagnosticsIfFailed(this);
    });

    after(async function () {
        try {
            if (stack) await stack.workspace.removeStack(stack.name, { force: true }).catch(() => undefined);
        } finally {
            offline?.cleanup();
            for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k];
            Object.assign(process.env, savedEnv);
            if (cp) controlPlaneDown();
        }
    });

    it("up, SET/GET through the pod, no plaintext secret in the export, destroy leaves nothing", async function () {
        const kubeconfig = fs.readFileSync(cp!.kubeconfig, "utf8");
        const program = async () => {
            const k8s = await import("@pulumi/kubernetes");
            const random = await import("@pulumi/random");
            const tls = await import("@pulumi/tls");
            const provider = new k8s.Provider("local", { kubeconfig });
            const opts = { provider };
            const password = new random.RandomPassword("password", { length: 24, special: false });
            const key = new tls.PrivateKey("key", { algorithm: "ECDSA", ecdsaCurve: "P256" });
            const ns = new k8s.core.v1.Namespace("ns", { metadata: { name: namespace } }, opts);
            const config = new k8s.core.v1.ConfigMap(
                "config",
                {
                    metadata: { name: "engine-config", namespace: ns.metadata.name },
                    data: { "valkey.conf": "port 6379\nbind 0.0.0.0\nprotected-mode no\ndir /data\ninclude /etc/valkey-auth/auth.conf\n" },
                },
                opts,
            );
            const auth = new k8s.core.v1.Secret(
                "auth",
                {
                    metadata: { name: "engine-auth", namespace: ns.metadata.name },
                    stringData: {
                        password: password.result,
                        "auth.conf": pulumi.interpolate`requirepass ${password.result}\nmasterauth ${password.result}\n`,
                        "tls.key": key.privateKeyPem,
                    },
                },
                opts,
            );
            const headless = new k8s.core.v1.Service(
                "headless",
                {
                    metadata: { name: "engine-headless", namespace: ns.metadata.name },
                    spec: { clusterIP: "None", selector: { app: "engine" }, ports: [{ name: "valkey", port: 6379 }] },
                },
                opts,
            );
            new k8s.apps.v1.StatefulSet(
                "sts",
                {
                    metadata: { name: "engine", namespace: ns.metadata.name },
                    spec: {
                        serviceName: headless.metadata.name,
                        replicas: 1,
                        selector: { matchLabels: { app: "engine" } },
                        template: {
                            metadata: { labels: { app: "engine" } },
                            spec: {
                                containers: [
                                    {
                                        name: "valkey",
                                        image: "valkey/valkey:8.0",
                                        command: ["valkey-server", "/etc/valkey/valkey.conf"],
                                        ports: [{ name: "valkey", containerPort: 6379 }],
                                        readinessProbe: {
                                            exec: {
                                                command: [
                                                    "sh",
                                                    "-c",
                                                    'REDISCLI_AUTH="$(cat /etc/valkey-auth/password)" valkey-cli -p 6379 ping | grep -q PONG',
                                                ],
                                            },
                                            periodSeconds: 2,
                                        },
                                        volumeMounts: [
                                            { name: "config", mountPath: "/etc/valkey", readOnly: true },
                                            { name: "auth", mountPath: "/etc/valkey-auth", readOnly: true },
                                            { name: "data", mountPath: "/data" },
                                        ],
                                    },
                                ],
                                volumes: [
                                    { name: "config", configMap: { name: config.metadata.name } },
                                    { name: "auth", secret: { secretName: auth.metadata.name } },
                                ],
                            },
                        },
                        volumeClaimTemplates: [
                            { metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } },
                        ],
                    },
                },
                opts,
            );
            return { namespace: ns.metadata.name, password: password.result };
        };

        stack = await LocalWorkspace.createOrSelectStack(
            { stackName: "engine", projectName: "pvk-engine-e2e", program },
            {
                pulumiHome: cp!.env.PULUMI_HOME,
                envVars: offline!.env,
                projectSettings: { name: "pvk-engine-e2e", runtime: "nodejs", backend: { url: offline!.env.PULUMI_BACKEND_URL } },
            },
        );
        const up = await stack.up({ onOutput: () => undefined });
        expect(up.summary.result).to.equal("succeeded");
        const password = up.outputs.password.value as string;
        expect(up.outputs.password.secret).to.equal(true);

        const podIP = kubectl(cp!, "-n", namespace, "get", "pod", "engine-0", "-o", "jsonpath={.status.podIP}").out.trim();
        expect(podIP).to.match(/^10\.244\.0\.\d+$/);
        const cli = (...args: string[]) =>
            spawnSync("valkey-cli", ["--no-auth-warning", "-a", password, "-h", podIP, ...args], { encoding: "utf8", timeout: 10000 }).stdout.trim();
        expect(cli("SET", "engine:key", "hello")).to.equal("OK");
        expect(cli("GET", "engine:key")).to.equal("hello");

        // Not stack.exportStack(): the Automation API exports with --show-secrets (plaintext).
        const exportRun = spawnSync("pulumi", ["stack", "export", "--stack", "engine", "--non-interactive"], {
            cwd: stack.workspace.workDir,
            encoding: "utf8",
            env: process.env,
            maxBuffer: 64 * 1024 * 1024,
        });
        expect(exportRun.status, exportRun.stderr).to.equal(0);
        const exported = exportRun.stdout;
        expect(JSON.parse(exported).deployment.resources.length).to.be.greaterThan(5);
        if (exported.includes(password) || exported.includes("PRIVATE KEY")) {
            const where: string[] = [];
            const walk = (v: unknown, at: string): void => {
                if (typeof v === "string") {
                    if (v.includes(password) || v.includes("PRIVATE KEY")) where.push(at);
                } else if (v && typeof v === "object") {
                    for (const [k, x] of Object.entries(v)) walk(x, `${at}.${k}`);
                }
            };
            walk(JSON.parse(exported), "$");
            console.log(`      plaintext secret in the stack export at:\n        ${where.join("\n        ")}`);
        }
        expect(exported).to.not.contain(password);
        expect(exported).to.not.contain("PRIVATE KEY");

        const down = await stack.destroy({ onOutput: () => undefined });
        expect(down.summary.result).to.equal("succeeded");
        for (let i = 0; i < 60 && kubectl(cp!, "get", "namespace", namespace).status === 0; i++) await new Promise((r) => setTimeout(r, 500));
        expect(kubectl(cp!, "get", "namespace", namespace).out).to.contain("NotFound");
        for (let i = 0; i < 60 && kubectl(cp!, "get", "pv", "--no-headers").out.trim() !== "No resources found"; i++)
            await new Promise((r) => setTimeout(r, 500));
        expect(kubectl(cp!, "get", "pv", "--no-headers").out.trim()).to.equal("No resources found");
    });
});
