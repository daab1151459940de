import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import { IContainer } from "kubernetes-models/v1/Container";
import { buildStatefulSet } from "../../../sdk/manifests/statefulset";
import { validateManifest } from "../../../sdk/manifests/validate";
import { DEFAULT_IMAGE, ServiceModel } from "../../../sdk/spec/model";
import { startValkey, stopAllValkeys, tempDir } from "../../helpers/valkey";
import { MINIMAL_SPEC, SEED_000_SPEC, valkeyModel } from "./fixtures";

const READINESS = `[ "$(REDISCLI_AUTH="$(cat /etc/valkey-auth/password)" valkey-cli -p 6379 ping)" = "PONG" ]`;
const LIVENESS =
    `r="$(REDISCLI_AUTH="$(cat /etc/valkey-auth/password)" valkey-cli -p 6379 ping 2>&1)"; ` +
    `case "$r" in PONG|LOADING*|MASTERDOWN*|BUSY*|NOAUTH*|WRONGPASS*|"AUTH failed"*) exit 0;; esac; echo "$r"; exit 1`;

function build(model: ServiceModel) {
    const sts = buildStatefulSet(model, { configHash: "c0ffee" });
    validateManifest(sts);
    return { sts, spec: sts.spec!, pod: sts.spec!.template.spec!, container: sts.spec!.template.spec!.containers[0] };
}

describe("manifests/statefulset", () => {
    after(stopAllValkeys);

    describe("for seeds/000 (startup-4: 1 node, 4 GiB, 1 CPU, 8 GiB disk)", () => {
        const { sts, spec, pod, container } = build(valkeyModel(SEED_000_SPEC));

        it("is named after the resource and served by the headless Service", () => {
            expect(sts.metadata!.name).to.equal("my-valkey");
            expect(sts.metadata!.namespace).to.equal("my-aiven-project");
            expect(spec.serviceName).to.equal("my-valkey-headless");
            expect(spec.replicas).to.equal(1);
            expect(spec.selector).to.deep.equal({
                matchLabels: { "app.kubernetes.io/name": "valkey", "app.kubernetes.io/instance": "my-valkey" },
            });
            expect(spec.podManagementPolicy).to.equal("Parallel");
            // Restarts are the provider's (rolling, with handoff, inside the maintenance window).
            expect(spec.updateStrategy).to.deep.equal({ type: "OnDelete" });
            expect(sts.metadata!.annotations!["pulumi.com/skipAwait"]).to.equal("true");
        });

        it("labels pods with the common labels and rolls them on a config change", () => {
            expect(spec.template.metadata!.labels).to.deep.equal(sts.metadata!.labels);
            expect(spec.template.metadata!.labels!.env).to.equal("test");
            expect(spec.template.metadata!.annotations).to.deep.equal({
                "pulumi-valkey/config-hash": "c0ffee",
                "kubectl.kubernetes.io/default-container": "valkey",
            });
            expect(sts.metadata!.annotations!["pulumi-valkey/maintenance-window-dow"]).to.equal("sunday");
        });

        it("runs valkey-server on the pod contract's config, port and environment", () => {
            const expected: IContainer = {
                name: "valkey",
                image: DEFAULT_IMAGE,
                imagePullPolicy: "IfNotPresent",
                command: ["valkey-server", "/etc/valkey/valkey.conf"],
                env: [
                    { name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
                    { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
                ],
                ports: [{ name: "valkey", containerPort: 6379, protocol: "TCP" }],
                volumeMounts: [
                    { name: "config", mountPath: "/etc/valkey", readOnly: true },
                    { name: "auth", mountPath: "/etc/valkey-auth", readOnly: true },
                    { name: "data", mountPath: "/data" },
                    { name: "tmp", mountPath: "/tmp" },
                ],
            };
            expect(Object.fromEntries(Object.entries(container).filter(([k]) => k in expected))).to.deep.equal(expected);
        });

        it("sizes the container from the plan: memory request = limit, CPU limit twice the request", () => {
            expect(container.resources).to.deep.equal({
                requests: { cpu: "1000m", memory: "4096Mi" },
                limits: { cpu: "2000m", memory: "4096Mi" },
            });
        });

        it("meets the restricted Pod Security Standard", () => {
            expect(pod.securityContext).to.deep.equal({
                runAsNonRoot: true,
                runAsUser: 999,
                runAsGroup: 999,
                fsGroup: 999,
                fsGroupChangePolicy: "OnRootMismatch",
                seccompProfile: { type: "RuntimeDefault" },
            });
            expect(container.securityContext).to.deep.equal({
                runAsNonRoot: true,
                runAsUser: 999,
                runAsGroup: 999,
                readOnlyRootFilesystem: true,
                allowPrivilegeEscalation: false,
                privileged: false,
                capabilities: { drop: ["ALL"] },
                seccompProfile: { type: "RuntimeDefault" },
            });
            expect(pod.automountServiceAccountToken).to.equal(false);
            expect(pod.enableServiceLinks).to.equal(false);
            expect(pod.terminationGracePeriodSeconds).to.equal(60);
        });

        it("probes with an authenticated PING", () => {
            expect(container.readinessProbe).to.deep.equal({
                exec: { command: ["sh", "-c", READINESS] },
                initialDelaySeconds: 5,
                periodSeconds: 5,
                timeoutSeconds: 3,
                successThreshold: 1,
                failureThreshold: 3,
            });
            expect(container.livenessProbe).to.deep.equal({
                exec: { command: ["sh", "-c", LIVENESS] },
                initialDelaySeconds: 20,
                periodSeconds: 10,
                timeoutSeconds: 5,
                successThreshold: 1,
                failureThreshold: 6,
            });
        });

        it("mounts the ConfigMap, the auth Secret (0440), a bounded /tmp, and claims 8Gi for /data", () => {
            expect(pod.volumes).to.deep.equal([
                { name: "config", configMap: { name: "my-valkey-config" } },
                { name: "auth", secret: { secretName: "my-valkey-auth", defaultMode: 0o440 } },
                { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
            ]);
            expect(spec.volumeClaimTemplates).to.deep.equal([
                {
                    metadata: { name: "data", labels: { "app.kubernetes.io/name": "valkey", "app.kubernetes.io/instance": "my-valkey" } },
                    spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "8Gi" } } },
                },
            ]);
            expect(spec.persistentVolumeClaimRetentionPolicy).to.deep.equal({ whenDeleted: "Delete", whenScaled: "Retain" });
        });

        it("prefers the cloudName's region without requiring it, and no anti-affinity for 1 node", () => {
            expect(pod.affinity).to.deep.equal({
                nodeAffinity: {
                    preferredDuringSchedulingIgnoredDuringExecution: [
                        {
                            weight: 50,
                            preference: {
                                matchExpressions: [{ key: "topology.kubernetes.io/region", operator: "In", values: ["google-europe-west1", "europe-west1"] }],
                            },
                        },
                    ],
                },
            });
            expect(pod.imagePullSecrets).to.equal(undefined);
        });
    });

    it("sizes the PVC from disk_space and uses the StorageClass, image and pull secrets given", () => {
        const { spec, pod, container } = build(
            valkeyModel({
                ...MINIMAL_SPEC,
                disk_space: "20GiB",
                kubernetes: { storageClassName: "fast-ssd", image: "registry.example.com/valkey:8.0.2", imagePullSecrets: ["regcred"] },
            }),
        );
        expect(spec.volumeClaimTemplates![0].spec).to.deep.equal({
            accessModes: ["ReadWriteOnce"],
            storageClassName: "fast-ssd",
            resources: { requests: { storage: "20Gi" } },
        });
        expect(container.image).to.equal("registry.example.com/valkey:8.0.2");
        expect(pod.imagePullSecrets).to.deep.equal([{ name: "regcred" }]);
        expect(pod.affinity).to.equal(undefined);
    });

    it("retains the PVCs on deletion under terminationProtection", () => {
        const { spec } = build(valkeyModel({ ...MINIMAL_SPEC, terminationProtection: true }));
        expect(spec.persistentVolumeClaimRetentionPolicy).to.deep.equal({ whenDeleted: "Retain", whenScaled: "Retain" });
    });

    it("uses an emptyDir and no claim for the free plan", () => {
        const { spec, pod, container } = build(valkeyModel({ ...MINIMAL_SPEC, plan: "free" }));
        expect(spec.volumeClaimTemplates).to.equal(undefined);
        expect(spec.persistentVolumeClaimRetentionPolicy).to.equal(undefined);
        expect(pod.volumes!.find((v) => v.name === "data")).to.deep.equal({ name: "data", emptyDir: {} });
        expect(container.resources).to.deep.equal({ requests: { cpu: "100m", memory: "64Mi" }, limits: { cpu: "200m", memory: "64Mi" } });
    });

    it("spreads the pods of a multi-node plan over hosts", () => {
        const { spec, pod } = build(valkeyModel({ ...MINIMAL_SPEC, plan: "business-4" }));
        expect(spec.replicas).to.equal(2);
        expect(pod.affinity).to.deep.equal({
            podAntiAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: [
                    {
                        weight: 100,
                        podAffinityTerm: {
                            topologyKey: "kubernetes.io/hostname",
                            labelSelector: { matchLabels: { "app.kubernetes.io/name": "valkey", "app.kubernetes.io/instance": "my-valkey" } },
                        },
                    },
                ],
            },
        });
    });

    it("mounts the TLS Secret and probes over TLS when valkey_ssl is on", () => {
        const { pod, container } = build(valkeyModel({ ...MINIMAL_SPEC, userConfig: { valkey_ssl: true } }));
        expect(pod.volumes!.map((v) => v.name)).to.deep.equal(["config", "auth", "tls", "tmp"]);
        expect(pod.volumes![2]).to.deep.equal({ name: "tls", secret: { secretName: "my-valkey-tls", defaultMode: 0o440 } });
        expect(container.volumeMounts![2]).to.deep.equal({ name: "tls", mountPath: "/etc/valkey-tls", readOnly: true });
        expect(container.readinessProbe!.exec!.command![2]).to.equal(
            `[ "$(REDISCLI_AUTH="$(cat /etc/valkey-auth/password)" valkey-cli --tls --cacert /etc/valkey-tls/ca.crt ` +
                `--cert /etc/valkey-tls/tls.crt --key /etc/valkey-tls/tls.key -p 6379 ping)" = "PONG" ]`,
        );
    });

    // The probe commands run for real: a real valkey-server, the real valkey-cli and sh, with only
    // the password path and the port pointed at the test's.
    it("probes behave as intended against a real server", async () => {
        const dir = tempDir();
        const server = await startValkey({ config: `requirepass "s3cret pw"\n` });
        const { container } = build(valkeyModel(MINIMAL_SPEC));
        const run = (probe: string, password: string) => {
            fs.writeFileSync(path.join(dir, "password"), password);
            const script = probe.replace("/etc/valkey-auth/password", path.join(dir, "password")).replace("-p 6379", `-p ${server.port}`);
            return spawnSync("sh", ["-c", script], { encoding: "utf8", timeout: 5000 }).status;
        };
        const readiness = container.readinessProbe!.exec!.command![2];
        const liveness = container.livenessProbe!.exec!.command![2];
        expect(run(readiness, "s3cret pw")).to.equal(0);
        expect(run(readiness, "wrong")).to.equal(1);
        expect(run(liveness, "s3cret pw")).to.equal(0);
        // A password being rotated must not restart the pod.
        expect(run(liveness, "wrong")).to.equal(0);
        await server.stop();
        expect(run(liveness, "s3cret pw")).to.equal(1);
        expect(run(readiness, "s3cret pw")).to.equal(1);
    });
});
