import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import { CONFIG_HASH_ANNOTATION } from "../../../sdk/manifests/pod";
import { TLS_CERT_HASH_ANNOTATION, buildSentinelManifests, buildSentinelStatefulSet } from "../../../sdk/manifests/sentinel";
import { validateManifest } from "../../../sdk/manifests/validate";
import { freePort, tempDir } from "../../helpers/valkey";
import { MINIMAL_SPEC, SEED_000_SPEC, valkeyModel } from "./fixtures";

const SENTINEL_SELECTOR = { "app.kubernetes.io/name": "valkey-sentinel", "app.kubernetes.io/instance": "my-valkey" };
const OPTIONS = { sentinelConf: "port 26379\nsentinel resolve-hostnames yes\n", configHash: "5e471" };

describe("manifests/sentinel", () => {
    let child: ChildProcess | undefined;
    after(() => child?.kill("SIGKILL"));

    it("has no Sentinels for 1-node plans", () => {
        expect(buildSentinelManifests(valkeyModel(SEED_000_SPEC), OPTIONS)).to.equal(undefined);
        expect(buildSentinelManifests(valkeyModel({ ...MINIMAL_SPEC, plan: "free" }), OPTIONS)).to.equal(undefined);
    });

    it("builds three Sentinels for business, premium and pro plans, every object valid", () => {
        for (const plan of ["business-4", "premium-8", "pro"]) {
            const manifests = buildSentinelManifests(valkeyModel({ ...SEED_000_SPEC, plan }), OPTIONS)!;
            const objects = Object.values(manifests);
            objects.forEach(validateManifest);
            expect(objects.map((o) => `${o.kind}/${o.metadata!.name}`)).to.deep.equal([
                "ConfigMap/my-valkey-sentinel-config",
                "StatefulSet/my-valkey-sentinel",
                "Service/my-valkey-sentinel",
                "Service/my-valkey-sentinel-headless",
                "PodDisruptionBudget/my-valkey-sentinel",
                "NetworkPolicy/my-valkey-sentinel",
            ]);
        }
    });

    it("serves Sentinel on 26379 to clients and peers, and filters clients by ip_filter", () => {
        const m = buildSentinelManifests(valkeyModel({ ...SEED_000_SPEC, plan: "business-4" }), OPTIONS)!;
        expect(m.configMap.data).to.deep.equal({ "sentinel.conf": OPTIONS.sentinelConf });
        const port = [{ name: "sentinel", port: 26379, targetPort: "sentinel", protocol: "TCP" }];
        expect(m.clientService.spec).to.deep.equal({ type: "ClusterIP", selector: SENTINEL_SELECTOR, ports: port });
        expect(m.headlessService.spec).to.deep.equal({
            type: "ClusterIP",
            clusterIP: "None",
            publishNotReadyAddresses: true,
            selector: SENTINEL_SELECTOR,
            ports: port,
        });
        expect(m.podDisruptionBudget.spec!.selector).to.deep.equal({ matchLabels: SENTINEL_SELECTOR });
        expect(m.networkPolicy.spec!.podSelector).to.deep.equal({ matchLabels: SENTINEL_SELECTOR });
        expect(m.networkPolicy.spec!.ingress![0]).to.deep.equal({
            ports: [{ protocol: "TCP", port: 26379 }],
            from: [{ ipBlock: { cidr: "0.0.0.0/32" } }, { ipBlock: { cidr: "10.20.0.0/16" } }],
        });
    });

    it("rolls the Sentinels when their TLS certificate changes (hash annotation), and only with TLS", () => {
        const model = valkeyModel({ ...MINIMAL_SPEC, plan: "business-4", userConfig: { valkey_ssl: true } });
        const annotations = (o: { configHash: string; tlsCertHash?: string }) => buildSentinelStatefulSet(model, o).spec!.template.metadata!.annotations;
        expect(annotations({ configHash: "5e471", tlsCertHash: "c3r7" })).to.deep.equal({
            [CONFIG_HASH_ANNOTATION]: "5e471",
            [TLS_CERT_HASH_ANNOTATION]: "c3r7",
            "kubectl.kubernetes.io/default-container": "sentinel",
        });
        expect(TLS_CERT_HASH_ANNOTATION).to.equal("pulumi-valkey/tls-cert-hash");
        expect(annotations({ configHash: "5e471" })).to.deep.equal({
            [CONFIG_HASH_ANNOTATION]: "5e471",
            "kubectl.kubernetes.io/default-container": "sentinel",
        });
        expect(
            buildSentinelManifests(model, { ...OPTIONS, tlsCertHash: "c3r7" })!.statefulSet.spec!.template.metadata!.annotations![TLS_CERT_HASH_ANNOTATION],
        ).to.equal("c3r7");
    });

    it("runs the pod contract's Sentinel container", () => {
        const sts = buildSentinelStatefulSet(valkeyModel({ ...MINIMAL_SPEC, plan: "premium-8" }), { configHash: "5e471" });
        const spec = sts.spec!;
        const pod = spec.template.spec!;
        const [container] = pod.containers;
        expect(spec.replicas).to.equal(3);
        expect(spec.serviceName).to.equal("my-valkey-sentinel-headless");
        expect(spec.selector).to.deep.equal({ matchLabels: SENTINEL_SELECTOR });
        expect(spec.podManagementPolicy).to.equal("Parallel");
        expect(spec.volumeClaimTemplates).to.equal(undefined);
        expect(spec.template.metadata!.labels!["app.kubernetes.io/component"]).to.equal("sentinel");
        expect(spec.template.metadata!.annotations!["pulumi-valkey/config-hash"]).to.equal("5e471");
        expect(container.name).to.equal("sentinel");
        expect(container.command).to.deep.equal([
            "sh",
            "-c",
            "cp /etc/sentinel/sentinel.conf /sentinel-data/sentinel.conf && " +
                'echo "sentinel announce-ip $POD_NAME.my-valkey-sentinel-headless.my-aiven-project.svc.cluster.local" >> /sentinel-data/sentinel.conf && ' +
                "exec valkey-sentinel /sentinel-data/sentinel.conf",
        ]);
        expect(container.ports).to.deep.equal([{ name: "sentinel", containerPort: 26379, protocol: "TCP" }]);
        expect(container.volumeMounts).to.deep.equal([
            { name: "config", mountPath: "/etc/sentinel", readOnly: true },
            { name: "sentinel-data", mountPath: "/sentinel-data" },
            { name: "auth", mountPath: "/etc/valkey-auth", readOnly: true },
        ]);
        expect(pod.volumes).to.deep.equal([
            { name: "config", configMap: { name: "my-valkey-sentinel-config" } },
            { name: "sentinel-data", emptyDir: {} },
            { name: "auth", secret: { secretName: "my-valkey-auth", defaultMode: 0o440 } },
        ]);
        expect(container.resources).to.deep.equal({ requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "100m", memory: "64Mi" } });
        expect(container.securityContext!.readOnlyRootFilesystem).to.equal(true);
        expect(pod.securityContext!.runAsUser).to.equal(999);
        expect(pod.affinity!.podAntiAffinity!.preferredDuringSchedulingIgnoredDuringExecution![0].podAffinityTerm.labelSelector).to.deep.equal({
            matchLabels: SENTINEL_SELECTOR,
        });
    });

    // The container command and the readiness probe, run for real with the paths moved into a
    // temporary directory: Sentinel starts from its writable copy and the probe sees it ready.
    it("starts a real Sentinel with the container command and probes it", async () => {
        const dir = tempDir();
        const port = await freePort();
        for (const sub of ["etc-sentinel", "sentinel-data", "auth"]) fs.mkdirSync(path.join(dir, sub));
        fs.writeFileSync(path.join(dir, "etc-sentinel", "sentinel.conf"), `port ${port}\nbind 127.0.0.1\n`);
        fs.writeFileSync(path.join(dir, "auth", "password"), "pw");
        const relocate = (script: string) =>
            script
                .replace(/\/etc\/sentinel/g, path.join(dir, "etc-sentinel"))
                .replace(/\/sentinel-data/g, path.join(dir, "sentinel-data"))
                .replace("/etc/valkey-auth", path.join(dir, "auth"))
                .replace("-p 26379", `-p ${port}`);
        const [container] = buildSentinelStatefulSet(valkeyModel({ ...MINIMAL_SPEC, plan: "pro" }), { configHash: "x" }).spec!.template.spec!.containers;
        child = spawn("sh", ["-c", relocate(container.command![2])], { stdio: "ignore", env: { ...process.env, POD_NAME: "my-valkey-sentinel-1" } });
        const probe = relocate(container.readinessProbe!.exec!.command![2]);
        let status: number | null = 1;
        for (let i = 0; i < 100 && status !== 0; i++) {
            status = spawnSync("sh", ["-c", probe], { timeout: 3000 }).status;
            if (status !== 0) await new Promise((r) => setTimeout(r, 50));
        }
        expect(status).to.equal(0);
        // Sentinel owns its copy (it rewrites it); the mounted original stays as rendered.
        const copy = fs.readFileSync(path.join(dir, "sentinel-data", "sentinel.conf"), "utf8");
        expect(copy).to.contain(`port ${port}`);
        // Each Sentinel announces its own stable name, appended to its copy.
        expect(copy).to.match(/^sentinel announce-ip "?my-valkey-sentinel-1\.my-valkey-sentinel-headless\.my-aiven-project\.svc\.cluster\.local"?$/m);
        expect(fs.readFileSync(path.join(dir, "etc-sentinel", "sentinel.conf"), "utf8")).to.equal(`port ${port}\nbind 127.0.0.1\n`);
    });
});
