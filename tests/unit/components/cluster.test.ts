// The ValkeyCluster component under Pulumi mocks: a 3x1 cluster constructs the exact child
// resources with exact names and key fields; invalid specs fail at construction with exact
// messages; the guard refuses a pvc change (its provider called as the engine calls it).
import { expect } from "chai";
import { createHash } from "crypto";
import * as pulumi from "@pulumi/pulumi";
import {
    MOCK_PASSWORD,
    byType,
    dynamicOutputs,
    existingSecrets,
    installMocks,
    installPreviewMocks,
    mockPem,
    one,
    registered,
    reset,
    restoreWarn,
    secretValue,
    settle,
    unwrap,
    warnings,
} from "../../helpers/mocks";
import { ValkeyCluster, ValkeyClusterArgs, aclCondition } from "../../../sdk/components/cluster";
import { guardProvider, guardFailures, readySince } from "../../../sdk/resources/guard";
import { SpecError } from "../../../sdk/spec/validate";
import { ADMIN_RULES, EXPORTER_RULES, PROBE_RULES, REPLICATION_RULES } from "../../../sdk/acl/users";
import { probePassword } from "../../../sdk/credentials/probe-password";

/** The probe user's password for MOCK_PASSWORD: HMAC-SHA256(key MOCK_PASSWORD, "pulumi-valkey probe password v1"), first 32 hex (openssl dgst -hmac). */
const PROBE_PASSWORD = "b7dc30d4a160146be96c7f3a6311871c";

function children(): string[] {
    return registered
        .filter((r) => !r.type.startsWith("valkey:index:"))
        .map((r) => `${r.type} ${r.name}`)
        .sort();
}

const SEED_POC = {
    masterCount: 3,
    replicasPerMaster: 1,
    namespace: "valkey",
    labels: { myLabel: "myValue" },
    pvc: { storageSize: "30Gi", storageClassName: "my-storage-class" },
    backup: {
        database: { enabled: true, save: "60 100" },
        aof: { enabled: true, appendfsync: "everysec" as const, autoAofRewritePercentage: 100, autoAofRewriteMinSize: "64mb" },
    },
};

describe("ValkeyCluster component (mocks)", () => {
    before(installMocks);
    after(restoreWarn);
    beforeEach(reset);

    it("constructs a 3x1 cluster with exactly the expected child resources", async () => {
        const cluster = new ValkeyCluster("poc", SEED_POC);
        await settle(cluster.serviceUri);
        await settle(cluster.conditions);
        expect(children()).to.deep.equal([
            "kubernetes:apps/v1:StatefulSet poc",
            "kubernetes:core/v1:ConfigMap poc-config",
            "kubernetes:core/v1:Secret poc-auth",
            "kubernetes:core/v1:Service poc",
            "kubernetes:core/v1:Service poc-headless",
            "kubernetes:networking.k8s.io/v1:NetworkPolicy poc",
            "kubernetes:policy/v1:PodDisruptionBudget poc",
            "pulumi-nodejs:dynamic/valkey:ValkeyClusterGuard poc-guard",
            "pulumi-nodejs:dynamic/valkey:ValkeyClusterGuard poc-immutable",
            "pulumi-nodejs:dynamic/valkey:ValkeyTopology poc-scale-in",
            "pulumi-nodejs:dynamic/valkey:ValkeyTopology poc-topology",
            "random:index/randomPassword:RandomPassword poc-password",
        ]);
        expect(byType("valkey:index:ValkeyCluster").map((r) => r.name)).to.deep.equal(["poc"]);
    });

    it("runs 6 pods with the cluster bus, announce-ip args, the PVC size and preferred host spreading", async () => {
        const cluster = new ValkeyCluster("poc", SEED_POC);
        await settle(cluster.serviceUri);
        const sts = one("kubernetes:apps/v1:StatefulSet", "poc").inputs;
        expect(sts.metadata.namespace).to.equal("valkey");
        expect(sts.spec.replicas).to.equal(6);
        const pod = sts.spec.template.spec;
        expect(pod.containers.map((c: { name: string }) => c.name)).to.deep.equal(["valkey"]);
        expect(pod.containers[0].args).to.deep.equal(["--cluster-announce-ip", "$(POD_IP)"]);
        expect(pod.containers[0].ports.map((p: { containerPort: number }) => p.containerPort)).to.deep.equal([6379, 16379]);
        expect(sts.spec.template.metadata.labels).to.include({ myLabel: "myValue" });
        expect(pod.affinity).to.deep.equal({
            podAntiAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: [
                    {
                        weight: 100,
                        podAffinityTerm: {
                            topologyKey: "kubernetes.io/hostname",
                            labelSelector: { matchLabels: { "app.kubernetes.io/name": "valkey", "app.kubernetes.io/instance": "poc" } },
                        },
                    },
                ],
            },
        });
        expect(sts.spec.volumeClaimTemplates[0].spec).to.deep.equal({
            accessModes: ["ReadWriteOnce"],
            storageClassName: "my-storage-class",
            resources: { requests: { storage: "30Gi" } },
        });
        const headless = one("kubernetes:core/v1:Service", "poc-headless").inputs;
        expect(headless.spec.ports.map((p: { name: string; port: number }) => `${p.name}:${p.port}`)).to.deep.equal(["valkey:6379", "cluster-bus:16379"]);
        const policy = one("kubernetes:networking.k8s.io/v1:NetworkPolicy", "poc").inputs;
        expect(policy.spec.ingress.map((r: { ports: Array<{ port: number }> }) => r.ports.map((p) => p.port))).to.deep.equal([[6379], [6379, 16379]]);
        expect(one("kubernetes:policy/v1:PodDisruptionBudget", "poc").inputs.spec.maxUnavailable).to.equal(1);
    });

    it("admits ipFilter (also as an Output) on 6379 and on the exporter's 9121 in the NetworkPolicy", async () => {
        const cluster = new ValkeyCluster("poc", { ...SEED_POC, exporter: { enabled: true }, ipFilter: pulumi.output(["10.20.0.0/16"]) });
        await settle(cluster.serviceUri);
        const policy = one("kubernetes:networking.k8s.io/v1:NetworkPolicy", "poc").inputs;
        const from = [{ ipBlock: { cidr: "10.20.0.0/16" } }];
        expect(policy.spec.ingress[0]).to.deep.equal({ ports: [{ protocol: "TCP", port: 6379 }], from });
        expect(policy.spec.ingress[2]).to.deep.equal({ ports: [{ protocol: "TCP", port: 9121 }], from });
    });

    it("renders cluster mode and the backup directives into valkey.conf", async () => {
        const cluster = new ValkeyCluster("poc", SEED_POC);
        await settle(cluster.serviceUri);
        const conf: string = one("kubernetes:core/v1:ConfigMap", "poc-config").inputs.data["valkey.conf"];
        const lines = conf.split("\n");
        for (const line of [
            "cluster-enabled yes",
            "cluster-config-file /data/nodes.conf",
            "save 60 100",
            "appendonly yes",
            "appendfsync everysec",
            "auto-aof-rewrite-percentage 100",
            "auto-aof-rewrite-min-size 64mb",
            "databases 1",
            "include /etc/valkey-auth/auth.conf",
        ]) {
            expect(lines).to.include(line);
        }
    });

    it("gives the topology resource the cluster shape over the kubernetes transport", async () => {
        const cluster = new ValkeyCluster("poc", SEED_POC);
        await settle(cluster.serviceUri);
        const topology = one("pulumi-nodejs:dynamic/valkey:ValkeyTopology", "poc-topology").inputs;
        expect(topology.topology).to.deep.equal({ kind: "cluster", masters: 3, replicasPerMaster: 1 });
        expect(topology.transport).to.deep.equal({
            kind: "kubernetes",
            namespace: "valkey",
            statefulSet: "poc",
            replicas: 6,
            port: 6379,
            podTimeoutMs: 600000,
        });
        expect(topology.username).to.equal("default");
        expect(secretValue(topology.password)).to.equal(MOCK_PASSWORD);
        // Neither ACL users nor a TLS reload without acl and tls.
        expect(Object.keys(topology).filter((k) => k === "acl" || k === "tlsReload" || k === "tls")).to.deep.equal([]);
        const guard = one("pulumi-nodejs:dynamic/valkey:ValkeyClusterGuard", "poc-guard").inputs;
        expect([guard.subject, guard.pvc, guard.ready]).to.deep.equal([
            'ValkeyCluster "poc"',
            { storageSize: "30Gi", storageClassName: "my-storage-class" },
            "RUNNING",
        ]);
        // It grows data-poc-0 .. data-poc-5, with the ambient kubeconfig (none given).
        expect(guard.volumes).to.deep.equal({ namespace: "valkey", statefulSet: "poc", claimTemplate: "data", replicas: 6 });
        expect(guard.fields).to.equal(undefined);
    });

    it("reports the seeds' status vocabulary and the connection outputs", async () => {
        const cluster = new ValkeyCluster("poc", SEED_POC);
        const uri = await settle(cluster.serviceUri);
        expect(uri).to.equal(`redis://default:${MOCK_PASSWORD}@poc.valkey.svc.cluster.local:6379`);
        expect(await unwrap(cluster.phase)).to.equal("Running");
        expect(await unwrap(cluster.clusterType)).to.equal("cluster");
        expect(await unwrap(cluster.masterCount)).to.equal(3);
        expect(await unwrap(cluster.replicasPerMaster)).to.equal(1);
        // The mock engine does not run the guard's create, so Ready has no lastTransitionTime here
        // (readySince is tested directly below).
        expect(await unwrap(cluster.conditions)).to.deep.equal([
            { type: "Ready", status: "True" },
            { type: "TLSConfigured", status: "False", reason: "NotConfigured" },
            { type: "ACLSynced", status: "False", reason: "NotConfigured" },
        ]);
        expect(await unwrap(cluster.nodes)).to.deep.equal([{ id: "0".repeat(40), role: "primary", address: "10.244.0.10:6379" }]);
        expect(await unwrap(cluster.serviceHost)).to.equal("poc.valkey.svc.cluster.local");
        expect(await unwrap(cluster.servicePort)).to.equal(6379);
        expect(await unwrap(cluster.serviceUsername)).to.equal("default");
        expect(await unwrap(cluster.caCertificate)).to.equal(undefined);
        expect(await pulumi.isSecret(cluster.servicePassword)).to.equal(true);
        expect(await pulumi.isSecret(cluster.serviceUri)).to.equal(true);
    });

    it("with TLS and ACL: certificates, the tls Secret, ACL users in auth.conf, admin outputs, exporter sidecar", async () => {
        const cluster = new ValkeyCluster("sec", {
            tls: { tlsAuthClients: true },
            acl: { users: [{ name: "app", rules: "+GET +SET ~app:*" }] },
            exporter: { enabled: true },
        });
        const uri = await settle(cluster.serviceUri);
        await settle(cluster.conditions);
        expect(children()).to.include.members([
            "kubernetes:core/v1:Secret sec-tls",
            "tls:index/selfSignedCert:SelfSignedCert sec-ca",
            "tls:index/locallySignedCert:LocallySignedCert sec-server-cert",
            "tls:index/locallySignedCert:LocallySignedCert sec-client-cert",
            "random:index/randomPassword:RandomPassword sec-acl-valkey-admin-password",
            "random:index/randomPassword:RandomPassword sec-acl-app-password",
        ]);
        expect(uri).to.equal(`rediss://valkey-admin:${MOCK_PASSWORD}@sec.default.svc.cluster.local:6379`);
        expect(await unwrap(cluster.caCertificate)).to.equal(mockPem("CERTIFICATE", "sec-ca"));
        expect(await unwrap(cluster.conditions)).to.deep.equal([
            { type: "Ready", status: "True" },
            { type: "TLSConfigured", status: "True" },
            { type: "ACLSynced", status: "True" },
        ]);
        const auth = secretValue<Record<string, string>>(one("kubernetes:core/v1:Secret", "sec-auth").inputs.stringData);
        expect(Object.keys(auth).sort()).to.deep.equal(["auth.conf", "exporter-password", "exporter-passwords.json", "password", "probe-password"]);
        expect(auth["probe-password"]).to.equal(PROBE_PASSWORD);
        // The exporter's password file (secretValue: a secret in the inputs), keyed on the pod's own Valkey over TLS.
        expect(auth["exporter-passwords.json"]).to.equal(`{"rediss://localhost:6379":"${MOCK_PASSWORD}"}`);
        const authLines = auth["auth.conf"].split("\n").map((l) => l.split(" ").slice(0, 3).join(" "));
        expect(authLines).to.deep.equal([
            "user valkey-admin on",
            "user primary-replication-user on",
            "user exporter-user on",
            "user probe-user on",
            "user app on",
            "user default on",
            "masteruser primary-replication-user",
            `masterauth ${MOCK_PASSWORD}`,
            "",
        ]);
        const topology = one("pulumi-nodejs:dynamic/valkey:ValkeyTopology", "sec-topology").inputs;
        expect(topology.username).to.equal("valkey-admin");
        expect(secretValue<Record<string, string>>(topology.tls).ca).to.equal(mockPem("CERTIFICATE", "sec-ca"));
        // The server certificate the nodes must present once reloaded, and the users applied live.
        expect(topology.tlsReload).to.deep.equal({ certPem: mockPem("CERTIFICATE", "sec-server-cert") });
        expect(secretValue(topology.acl)).to.deep.equal({
            users: [
                { name: "valkey-admin", passwords: [MOCK_PASSWORD], rules: ADMIN_RULES, role: "admin" },
                { name: "primary-replication-user", passwords: [MOCK_PASSWORD], rules: REPLICATION_RULES, role: "replication" },
                { name: "exporter-user", passwords: [MOCK_PASSWORD], rules: EXPORTER_RULES, role: "exporter" },
                { name: "probe-user", passwords: [PROBE_PASSWORD], rules: "+ping", role: "probe" },
                { name: "app", passwords: [MOCK_PASSWORD], rules: "+GET +SET ~app:*" },
            ],
            defaultUser: "restricted",
        });
        const sts = one("kubernetes:apps/v1:StatefulSet", "sec").inputs;
        const pod = sts.spec.template.spec;
        expect(pod.containers.map((c: { name: string }) => c.name)).to.deep.equal(["valkey", "exporter"]);
        expect(pod.volumes.map((v: { name: string }) => v.name)).to.include("tls");
        expect(pod.containers[1].env.find((e: { name: string }) => e.name === "REDIS_USER").value).to.equal("exporter-user");
        // The pods roll for the exporter's credentials only, never for the ACL users.
        expect(Object.keys(sts.spec.template.metadata.annotations).sort()).to.deep.equal([
            "kubectl.kubernetes.io/default-container",
            "pulumi-valkey/config-hash",
            "pulumi-valkey/exporter-auth",
        ]);
        const conf: string = one("kubernetes:core/v1:ConfigMap", "sec-config").inputs.data["valkey.conf"];
        expect(conf.split("\n")).to.include.members(["port 0", "tls-port 6379", "tls-cluster yes", "tls-auth-clients yes"]);
    });

    describe("an ACL user-list change or a password rotation", () => {
        const secured = (acl: ValkeyClusterArgs["acl"]): ValkeyClusterArgs => ({ tls: {}, acl, exporter: { enabled: true } });
        const EXPORTER = { name: "metrics", passwords: ["exporter-pw-0123456789"] };
        const BEFORE = {
            exporter: EXPORTER,
            admin: { passwords: ["admin-pw-0123456789"] },
            users: [{ name: "app", passwords: ["app-pw-0123456789"], rules: "+GET ~app:*" }],
        };

        async function deploy(args: ValkeyClusterArgs): Promise<{ template: string; auth: string; acl: unknown }> {
            reset();
            const cluster = new ValkeyCluster("rot", args);
            await settle(cluster.serviceUri);
            return {
                template: JSON.stringify(one("kubernetes:apps/v1:StatefulSet", "rot").inputs.spec.template),
                auth: secretValue<Record<string, string>>(one("kubernetes:core/v1:Secret", "rot-auth").inputs.stringData)["auth.conf"],
                acl: secretValue(one("pulumi-nodejs:dynamic/valkey:ValkeyTopology", "rot-topology").inputs.acl),
            };
        }

        it("leaves the pod template byte-identical (the users go to the auth Secret and are applied live)", async () => {
            const before = await deploy(secured(BEFORE));
            // Rotation step 1 (new password first, the old one still accepted), a new user, a changed rule.
            const after = await deploy(
                secured({
                    ...BEFORE,
                    admin: { passwords: ["admin-pw-new-0123456789", "admin-pw-0123456789"] },
                    users: [
                        { name: "app", passwords: ["app-pw-new-0123456789", "app-pw-0123456789"], rules: "+GET +SET ~app:*" },
                        { name: "reports", passwords: ["reports-pw-0123456789"], rules: "+GET ~reports:*" },
                    ],
                }),
            );
            expect(after.template).to.equal(before.template);
            // What did change: the auth Secret a restarted pod reads, and the users the provider applies.
            expect(after.auth).not.to.equal(before.auth);
            expect(after.auth.split("\n").map((l) => l.split(" ").slice(0, 2).join(" "))).to.include("user reports");
            expect(after.acl).not.to.deep.equal(before.acl);
        });

        it("rolls the pods when the exporter's own password changes (it reads it at start), through the annotation only", async () => {
            const before = await deploy(secured(BEFORE));
            const after = await deploy(
                secured({ ...BEFORE, exporter: { name: "metrics", passwords: ["exporter-pw-new-0123456789", "exporter-pw-0123456789"] } }),
            );
            const annotations = (t: string) => JSON.parse(t).metadata.annotations;
            expect(annotations(after.template)["pulumi-valkey/exporter-auth"]).not.to.equal(annotations(before.template)["pulumi-valkey/exporter-auth"]);
            expect({ ...JSON.parse(after.template), metadata: undefined }).to.deep.equal({ ...JSON.parse(before.template), metadata: undefined });
            // A keyed hash: neither the password nor its plain SHA-256 appears in the template.
            for (const text of [before.template, after.template]) {
                expect(text).not.to.include("exporter-pw");
                expect(text).not.to.include(createHash("sha256").update("exporter-pw-0123456789").digest("hex").slice(0, 16));
            }
        });

        it("has no exporter-auth annotation without the exporter", async () => {
            const { template } = await deploy({ acl: BEFORE });
            expect(Object.keys(JSON.parse(template).metadata.annotations).sort()).to.deep.equal([
                "kubectl.kubernetes.io/default-container",
                "pulumi-valkey/config-hash",
            ]);
        });
    });

    describe("ACLSynced follows the nodes' ACL outcome", () => {
        it("is False with reason ApplyFailed and every failed node's message when a node refused a user, and warns", async () => {
            const refusal = "user app: ERR Error in ACL SETUSER modifier '+nosuchcommand': Unknown command or category name in ACL";
            dynamicOutputs["bad-topology"] = {
                aclPhase: "Error",
                aclStatus: [
                    { node: "bad-0", status: "Applied" },
                    { node: "bad-1", status: "Error", message: refusal },
                    { node: "bad-2", status: "Error", message: refusal },
                ],
            };
            const cluster = new ValkeyCluster("bad", { acl: { users: [{ name: "app", rules: "+GET ~app:*" }] } });
            const conditions = await settle(cluster.conditions);
            expect(conditions[2]).to.deep.equal({
                type: "ACLSynced",
                status: "False",
                reason: "ApplyFailed",
                message: `node bad-1: ${refusal}; node bad-2: ${refusal}`,
            });
            expect(conditions[0]).to.deep.equal({ type: "Ready", status: "True" });
            expect(warnings).to.deep.equal([
                `ValkeyCluster "bad": ACL users not applied: node bad-1: ${refusal}; node bad-2: ${refusal}. Fix the rules: a pod that restarts reads them from bad-auth and does not start with a rule the server refuses`,
            ]);
        });

        it("maps every phase", () => {
            expect([
                aclCondition(false, undefined, undefined),
                aclCondition(true, "Applied", [{ node: "a", status: "Applied" }]),
                aclCondition(true, "Error", [{ node: "a", status: "Error", message: "user x: ERR" }]),
                aclCondition(true, "Error", undefined),
                aclCondition(true, undefined, undefined),
            ]).to.deep.equal([
                { type: "ACLSynced", status: "False", reason: "NotConfigured" },
                { type: "ACLSynced", status: "True" },
                { type: "ACLSynced", status: "False", reason: "ApplyFailed", message: "node a: user x: ERR" },
                { type: "ACLSynced", status: "False", reason: "ApplyFailed", message: "a node did not apply the users" },
                { type: "ACLSynced", status: "False", reason: "NotApplied" },
            ]);
        });
    });

    describe("tls.externalCerts", () => {
        const CA = mockPem("CERTIFICATE", "cert-manager-ca");
        const CRT = mockPem("CERTIFICATE", "cert-manager-server");
        const KEY = mockPem("PRIVATE KEY", "cert-manager-server");
        const b64 = (text: string) => Buffer.from(text).toString("base64");
        const ARGS: ValkeyClusterArgs = { namespace: "apps", tls: { externalCerts: "ext-certs", tlsAuthClients: true }, acl: {}, exporter: { enabled: true } };

        beforeEach(() => {
            existingSecrets["apps/ext-certs"] = { "tls.crt": b64(CRT), "tls.key": b64(KEY), "ca.crt": b64(CA) };
        });

        it("reads the user's Secret instead of issuing certificates, and creates no tls Secret", async () => {
            const cluster = new ValkeyCluster("ext", ARGS);
            await settle(cluster.serviceUri);
            await settle(cluster.conditions);
            expect(children().filter((c) => c.startsWith("tls:") || c.startsWith("kubernetes:core/v1:Secret"))).to.deep.equal([
                "kubernetes:core/v1:Secret ext-auth",
                "kubernetes:core/v1:Secret ext-tls-external",
            ]);
            expect(registered.filter((r) => r.id !== undefined).map((r) => `${r.type} ${r.name} ${r.id}`)).to.deep.equal([
                "kubernetes:core/v1:Secret ext-tls-external apps/ext-certs",
            ]);
        });

        it("mounts the user's Secret at the pod contract's path, in the valkey and exporter containers", async () => {
            const cluster = new ValkeyCluster("ext", ARGS);
            await settle(cluster.serviceUri);
            const pod = one("kubernetes:apps/v1:StatefulSet", "ext").inputs.spec.template.spec;
            expect(pod.volumes).to.deep.equal([
                { name: "config", configMap: { name: "ext-config" } },
                { name: "auth", secret: { secretName: "ext-auth", defaultMode: 0o440 } },
                { name: "tls", secret: { secretName: "ext-certs", defaultMode: 0o440 } },
                { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
                {
                    name: "exporter-auth",
                    secret: { secretName: "ext-auth", items: [{ key: "exporter-passwords.json", path: "passwords.json" }], defaultMode: 0o440 },
                },
            ]);
            const tlsMounts = pod.containers.map((c: { name: string; volumeMounts: Array<{ name: string }> }) => [
                c.name,
                c.volumeMounts.filter((m) => m.name === "tls"),
            ]);
            expect(tlsMounts).to.deep.equal([
                ["valkey", [{ name: "tls", mountPath: "/etc/valkey-tls", readOnly: true }]],
                ["exporter", [{ name: "tls", mountPath: "/etc/valkey-tls", readOnly: true }]],
            ]);
        });

        it("verifies the nodes with the Secret's CA under the client Service's name, presents its certificate for mTLS, and reloads its tls.crt live", async () => {
            const cluster = new ValkeyCluster("ext", ARGS);
            await settle(cluster.serviceUri);
            const topology = one("pulumi-nodejs:dynamic/valkey:ValkeyTopology", "ext-topology").inputs;
            expect(secretValue(topology.tls)).to.deep.equal({ ca: CA, serverName: "ext.apps.svc.cluster.local", cert: CRT, key: KEY });
            expect(topology.tlsReload).to.deep.equal({ certPem: CRT });
            expect(await unwrap(cluster.caCertificate)).to.equal(CA);
            expect(await pulumi.isSecret(cluster.caCertificate)).to.equal(false);
            expect((await unwrap(cluster.conditions))[1]).to.deep.equal({ type: "TLSConfigured", status: "True" });
        });

        it("presents no client certificate without tlsAuthClients", async () => {
            const cluster = new ValkeyCluster("ext", { namespace: "apps", tls: { externalCerts: "ext-certs" } });
            await settle(cluster.serviceUri);
            // Nothing secret in it: the key stays out (the resource's tls output is secret anyway).
            expect(one("pulumi-nodejs:dynamic/valkey:ValkeyTopology", "ext-topology").inputs.tls).to.deep.equal({
                ca: CA,
                serverName: "ext.apps.svc.cluster.local",
            });
        });

        it("a renewed certificate in the Secret changes only the topology resource's tlsReload input, not the pods", async () => {
            const deploy = async () => {
                reset();
                existingSecrets["apps/ext-certs"] = { "tls.crt": b64(crt), "tls.key": b64(KEY), "ca.crt": b64(CA) };
                const cluster = new ValkeyCluster("ext", ARGS);
                await settle(cluster.serviceUri);
                return {
                    template: JSON.stringify(one("kubernetes:apps/v1:StatefulSet", "ext").inputs.spec.template),
                    reload: one("pulumi-nodejs:dynamic/valkey:ValkeyTopology", "ext-topology").inputs.tlsReload,
                };
            };
            let crt = CRT;
            const before = await deploy();
            crt = mockPem("CERTIFICATE", "cert-manager-server-renewed");
            const after = await deploy();
            expect(after.template).to.equal(before.template);
            expect([before.reload, after.reload]).to.deep.equal([{ certPem: CRT }, { certPem: crt }]);
        });

        it("refuses an empty Secret name at construction (preview), naming the field and the rule", () => {
            expect(() => new ValkeyCluster("ext", { tls: { externalCerts: "" } })).to.throw(
                'ValkeyCluster "ext" is invalid (1 problem):\n  - tls.externalCerts: must name an existing Secret in the namespace holding tls.crt, tls.key and ca.crt (got ""); leave externalCerts unset for certificates from @pulumi/tls',
            );
            expect(children()).to.deep.equal([]);
        });
    });

    it("refuses masterCount 2 and a bad appendfsync at construction, listing both, creating nothing", () => {
        let error: unknown;
        try {
            new ValkeyCluster("bad", { masterCount: 2, backup: { aof: { appendfsync: "sometimes" as never } } });
        } catch (e) {
            error = e;
        }
        expect(error).to.be.instanceOf(SpecError);
        expect((error as Error).message).to.equal(
            [
                'ValkeyCluster "bad" is invalid (2 problems):',
                "  - masterCount: must be at least 3 (got 2)",
                '  - backup.aof.appendfsync: must be one of always, everysec, no (got "sometimes")',
            ].join("\n"),
        );
        expect(children()).to.deep.equal([]);
    });

    it("refuses an ACL user named probe-user at construction (preview), naming each field: the probes authenticate as it", () => {
        let error: unknown;
        try {
            new ValkeyCluster("probe", {
                acl: { exporter: { name: "probe-user" }, users: [{ name: "probe-user", rules: "+GET ~app:*" }], defaultUser: "off" },
            });
        } catch (e) {
            error = e;
        }
        expect(error).to.be.instanceOf(SpecError);
        const reason = `must not be "probe-user": that name is reserved for the system user the pods' probes authenticate as (PING only); choose another name`;
        expect((error as Error).message).to.equal(
            ['ValkeyCluster "probe" is invalid (2 problems):', `  - acl.exporter.name: ${reason}`, `  - acl.users[0].name: ${reason}`].join("\n"),
        );
        expect(children()).to.deep.equal([]);
    });

    it("refuses Outputs for structural fields", () => {
        expect(() => new ValkeyCluster("late", { masterCount: pulumi.output(3) })).to.throw(
            'ValkeyCluster "late" is invalid (1 problem):\n  - masterCount: must be a plain value, not an Output or a Promise: it decides which resources are created (ACL passwords may be Outputs, e.g. from config.requireSecret)',
        );
    });

    it("accepts an Output namespace and validates it once known", async () => {
        const cluster = new ValkeyCluster("late", { namespace: pulumi.output("apps") });
        await settle(cluster.serviceUri);
        expect(one("kubernetes:apps/v1:StatefulSet", "late").inputs.metadata.namespace).to.equal("apps");
    });
});

describe("ValkeyCluster ACL passwords from Outputs, e.g. config.requireSecret (mocks)", () => {
    before(installMocks);
    after(restoreWarn);
    beforeEach(reset);

    const ADMIN_PW = "admin-from-config-0123";
    const REPLICATION_PW = "replication-from-config-0123";
    const APP_NEW_PW = "app-new-from-config-0123";
    const APP_OLD_PW = "app-old-from-config-0123";
    const RULES = "+GET +SET ~app:*";
    const sha = (pw: string) => createHash("sha256").update(pw, "utf8").digest("hex");
    /** The acl spec with each password either plain or as a secret Output (one as a whole list, the others one by one). */
    const aclArgs = (wrap: boolean): ValkeyClusterArgs["acl"] => {
        const s = <T>(v: T) => (wrap ? pulumi.secret(v) : v);
        return {
            admin: { passwords: [s(ADMIN_PW)] },
            replication: { name: "repl", passwords: [s(REPLICATION_PW)] },
            users: [{ name: "app", passwords: s([APP_NEW_PW, APP_OLD_PW]), rules: RULES }],
        };
    };

    async function deploy(wrap: boolean) {
        reset();
        const cluster = new ValkeyCluster("sec", { acl: aclArgs(wrap), exporter: { enabled: true } });
        await settle(cluster.serviceUri);
        return {
            cluster,
            auth: one("kubernetes:core/v1:Secret", "sec-auth").inputs,
            topology: one("pulumi-nodejs:dynamic/valkey:ValkeyTopology", "sec-topology").inputs,
            scaleIn: one("pulumi-nodejs:dynamic/valkey:ValkeyTopology", "sec-scale-in").inputs,
            children: children(),
            registered: registered.map((r) => ({ type: r.type, name: r.name, inputs: r.inputs })),
        };
    }

    /** Every string in `value` outside secret-marked values (how the engine stores a secret: encrypted). */
    function plainStrings(value: unknown, out: string[] = []): string[] {
        if (typeof value === "string") out.push(value);
        else if (Array.isArray(value)) value.forEach((v) => plainStrings(v, out));
        else if (value !== null && typeof value === "object") {
            try {
                secretValue(value);
                return out;
            } catch {
                Object.values(value).forEach((v) => plainStrings(v, out));
            }
        }
        return out;
    }

    it("carries a secret Output password as a secret into the auth Secret, the provider's inputs and the outputs", async () => {
        const { cluster, auth, topology, scaleIn, registered: resources } = await deploy(true);
        // The auth Secret: the hashed `user` lines of the given passwords, the replication user's as masterauth.
        const data = secretValue<Record<string, string>>(auth.stringData);
        expect(data["auth.conf"].split("\n")).to.deep.equal([
            `user valkey-admin on resetkeys resetchannels -@all ${ADMIN_RULES} #${sha(ADMIN_PW)}`,
            `user repl on resetkeys resetchannels -@all ${REPLICATION_RULES} #${sha(REPLICATION_PW)}`,
            `user exporter-user on resetkeys resetchannels -@all ${EXPORTER_RULES} #${sha(MOCK_PASSWORD)}`,
            `user probe-user on resetkeys resetchannels -@all ${PROBE_RULES} #${sha(probePassword(MOCK_PASSWORD))}`,
            `user app on resetkeys resetchannels -@all ${RULES} #${sha(APP_NEW_PW)} #${sha(APP_OLD_PW)}`,
            `user default on resetkeys resetchannels -@all +ping #${sha(MOCK_PASSWORD)}`,
            "masteruser repl",
            `masterauth ${REPLICATION_PW}`,
            "",
        ]);
        // The provider's inputs: the users with their passwords and the admin password, all secret.
        const users = {
            users: [
                { name: "valkey-admin", passwords: [ADMIN_PW], rules: ADMIN_RULES, role: "admin" },
                { name: "repl", passwords: [REPLICATION_PW], rules: REPLICATION_RULES, role: "replication" },
                { name: "exporter-user", passwords: [MOCK_PASSWORD], rules: EXPORTER_RULES, role: "exporter" },
                { name: "probe-user", passwords: [probePassword(MOCK_PASSWORD)], rules: PROBE_RULES, role: "probe" },
                { name: "app", passwords: [APP_NEW_PW, APP_OLD_PW], rules: RULES },
            ],
            defaultUser: "restricted",
        };
        for (const inputs of [topology, scaleIn]) {
            expect(secretValue(inputs.acl)).to.deep.equal(users);
            expect(secretValue(inputs.password)).to.equal(ADMIN_PW);
            expect(inputs.username).to.equal("valkey-admin");
        }
        // Generated passwords only for the users given none.
        expect(children().filter((c) => c.startsWith("random:"))).to.deep.equal([
            "random:index/randomPassword:RandomPassword sec-acl-exporter-user-password",
            "random:index/randomPassword:RandomPassword sec-password",
        ]);
        expect(await pulumi.isSecret(cluster.servicePassword)).to.equal(true);
        expect(await unwrap(cluster.servicePassword)).to.equal(ADMIN_PW);
        expect(await pulumi.isSecret(cluster.serviceUri)).to.equal(true);
        expect(await unwrap(cluster.serviceUri)).to.equal(`redis://valkey-admin:${ADMIN_PW}@sec.default.svc.cluster.local:6379`);
        expect(await pulumi.isSecret(cluster.serviceUsername)).to.equal(false);
        // No password (nor its plain SHA-256) in any input outside a secret.
        const plain = resources.flatMap((r) => plainStrings(r.inputs));
        for (const pw of [ADMIN_PW, REPLICATION_PW, APP_NEW_PW, APP_OLD_PW]) {
            expect(
                plain.filter((s) => s.includes(pw) || s.includes(sha(pw))),
                pw,
            ).to.deep.equal([]);
        }
    });

    it("gives the same children, users, auth Secret and pod template as the same passwords given plainly", async () => {
        const fromOutputs = await deploy(true);
        const plainly = await deploy(false);
        expect(fromOutputs.children).to.deep.equal(plainly.children);
        expect(secretValue(fromOutputs.auth.stringData)).to.deep.equal(secretValue(plainly.auth.stringData));
        expect(secretValue(fromOutputs.topology.acl)).to.deep.equal(secretValue(plainly.topology.acl));
        const template = (r: typeof plainly) => r.registered.find((x) => x.name === "sec" && x.type === "kubernetes:apps/v1:StatefulSet")!.inputs.spec.template;
        expect(template(fromOutputs)).to.deep.equal(template(plainly));
    });

    it("keeps the passwords out of the model: with an Output namespace too, the objects built from it are not secret", async () => {
        const cluster = new ValkeyCluster("mix", { namespace: pulumi.output("apps"), acl: { admin: { passwords: [pulumi.secret(ADMIN_PW)] } } });
        await settle(cluster.serviceUri);
        expect(await pulumi.isSecret(cluster.namespace)).to.equal(false);
        expect(await unwrap(cluster.namespace)).to.equal("apps");
        const config = one("kubernetes:core/v1:ConfigMap", "mix-config").inputs;
        expect(Object.keys(config.data)).to.deep.equal(["valkey.conf"]);
        expect(one("kubernetes:apps/v1:StatefulSet", "mix").inputs.metadata.namespace).to.equal("apps");
        expect(secretValue(one("pulumi-nodejs:dynamic/valkey:ValkeyTopology", "mix-topology").inputs.password)).to.equal(ADMIN_PW);
    });

    it("fails with a SpecError naming each field, never the value, when a password from an Output breaks a rule", async () => {
        const cluster = new ValkeyCluster("bad", {
            acl: {
                admin: { passwords: [pulumi.secret("short1")] },
                users: [{ name: "app", passwords: pulumi.secret(["same-password-1", "same-password-1"]), rules: RULES }],
            },
        });
        const expected = [
            'ValkeyCluster "bad" is invalid (2 problems):',
            "  - acl.admin.passwords[0]: must be at least 8 characters long (got 6)",
            "  - acl.users[0].passwords: must not repeat a password",
        ].join("\n");
        let error: unknown;
        try {
            await (cluster.servicePassword as unknown as { promise(): Promise<string> }).promise();
        } catch (e) {
            error = e;
        }
        expect(error).to.be.instanceOf(SpecError);
        expect((error as SpecError).issues).to.deep.equal([
            { path: "acl.admin.passwords[0]", message: "must be at least 8 characters long (got 6)" },
            { path: "acl.users[0].passwords", message: "must not repeat a password" },
        ]);
        // Pulumi prefixes the property it was serializing when the error surfaced.
        expect((error as Error).message.endsWith(expected), (error as Error).message).to.equal(true);
        expect((error as Error).message).not.to.include("short1");
        expect((error as Error).message).not.to.include("same-password-1");
        // Nothing that would carry a password is created.
        await settle(cluster.namespace);
        expect(children().filter((c) => c.includes("bad-auth") || c.includes("Topology"))).to.deep.equal([]);
    });

    it("still checks every other acl field at construction, with the messages of plain passwords", () => {
        const late = pulumi.secret("late-password-0123");
        const args = (pw: pulumi.Input<string>): ValkeyClusterArgs => ({
            acl: {
                admin: { name: "bad name", passwords: [pw] },
                users: [
                    { name: "app", passwords: [pw], rules: "+GET >secret" },
                    { name: "app", rules: "+GET" },
                ],
            },
        });
        const expected = [
            'ValkeyCluster "chk" is invalid (3 problems):',
            '  - acl.admin.name: must be 1-128 characters of [A-Za-z0-9._@-], starting alphanumeric (got "bad name")',
            "  - acl.users[0].rules: must not set passwords or switch the user on/off (>, <, #, !, nopass, resetpass, reset, on, off): passwords go in `passwords`, and users are always on",
            '  - acl.users[1].name: user "app" is already defined at users[0]; user names must be unique',
        ].join("\n");
        expect(() => new ValkeyCluster("chk", args("plain-password-0123"))).to.throw(expected);
        expect(() => new ValkeyCluster("chk", args(late))).to.throw(expected);
        expect(children()).to.deep.equal([]);
    });

    it("still refuses an Output for the rest of acl: a user, the user list, a name", () => {
        const refused = (path: string) =>
            `  - ${path}: must be a plain value, not an Output or a Promise: it decides which resources are created (ACL passwords may be Outputs, e.g. from config.requireSecret)`;
        expect(() => new ValkeyCluster("late", { acl: { users: [pulumi.output({ name: "app", rules: "+GET" })] } })).to.throw(
            `ValkeyCluster "late" is invalid (1 problem):\n${refused("acl.users")}`,
        );
        expect(() => new ValkeyCluster("late", { acl: { admin: { name: pulumi.output("root"), passwords: [pulumi.secret("late-password-0123")] } } })).to.throw(
            `ValkeyCluster "late" is invalid (1 problem):\n${refused("acl.admin.name")}`,
        );
        expect(() => new ValkeyCluster("late", { acl: pulumi.output({}) })).to.throw(`ValkeyCluster "late" is invalid (1 problem):\n${refused("acl")}`);
    });
});

describe("ValkeyCluster ACL passwords unknown during a preview (mocks, preview)", () => {
    before(installPreviewMocks);
    after(() => {
        restoreWarn();
        installMocks();
    });
    beforeEach(reset);

    it("constructs with a password still unknown: the same resources, the users and the password unknown and secret", async () => {
        expect(pulumi.runtime.isDryRun()).to.equal(true);
        const unknown = pulumi.secret(pulumi.output(pulumi.unknown as unknown as string));
        const cluster = new ValkeyCluster("pre", { acl: { admin: { passwords: [unknown] }, users: [{ name: "app", rules: "+GET ~app:*" }] } });
        // The topology resource's nodes: known in a preview (the mock's), registered before the guard.
        await settle(cluster.nodes);
        expect(children()).to.deep.equal([
            "kubernetes:apps/v1:StatefulSet pre",
            "kubernetes:core/v1:ConfigMap pre-config",
            "kubernetes:core/v1:Secret pre-auth",
            "kubernetes:core/v1:Service pre",
            "kubernetes:core/v1:Service pre-headless",
            "kubernetes:networking.k8s.io/v1:NetworkPolicy pre",
            "kubernetes:policy/v1:PodDisruptionBudget pre",
            "pulumi-nodejs:dynamic/valkey:ValkeyClusterGuard pre-guard",
            "pulumi-nodejs:dynamic/valkey:ValkeyClusterGuard pre-immutable",
            "pulumi-nodejs:dynamic/valkey:ValkeyTopology pre-scale-in",
            "pulumi-nodejs:dynamic/valkey:ValkeyTopology pre-topology",
            "random:index/randomPassword:RandomPassword pre-acl-app-password",
            "random:index/randomPassword:RandomPassword pre-acl-exporter-user-password",
            "random:index/randomPassword:RandomPassword pre-acl-primary-replication-user-password",
            "random:index/randomPassword:RandomPassword pre-password",
        ]);
        const UNKNOWN = { __pulumiUnknown: true };
        expect(one("kubernetes:core/v1:Secret", "pre-auth").inputs.stringData).to.deep.equal(UNKNOWN);
        expect(one("pulumi-nodejs:dynamic/valkey:ValkeyTopology", "pre-topology").inputs.acl).to.deep.equal(UNKNOWN);
        const password = cluster.servicePassword as unknown as { isKnown: Promise<boolean>; isSecret: Promise<boolean> };
        expect(await password.isKnown).to.equal(false);
        expect(await password.isSecret).to.equal(true);
        expect(await unwrap(cluster.serviceUsername)).to.equal("valkey-admin");
        expect(warnings).to.deep.equal([]);
    });
});

describe("examples/cluster (mocks)", () => {
    before(installMocks);
    after(restoreWarn);
    beforeEach(reset);

    it("constructs a 3x1 cluster with TLS and ACL whose outputs use the admin user over TLS", async () => {
        const example = await import("../../../examples/cluster");
        const uri = await settle(example.serviceUri);
        expect(uri).to.equal(`rediss://valkey-admin:${MOCK_PASSWORD}@valkey-poc.valkey-cluster.svc.cluster.local:6379`);
        expect(one("pulumi-nodejs:dynamic/valkey:ValkeyTopology", "valkey-poc-topology").inputs.topology).to.deep.equal({
            kind: "cluster",
            masters: 3,
            replicasPerMaster: 1,
        });
        expect(one("kubernetes:apps/v1:StatefulSet", "valkey-poc").inputs.spec.replicas).to.equal(6);
    });
});

describe("the guard (ValkeyClusterGuard, ValkeyServiceGuard)", () => {
    const olds = {
        subject: 'ValkeyCluster "poc"',
        pvc: { storageSize: "30Gi", storageClassName: "fast" },
        ready: "RUNNING",
        readySince: "2025-09-02T17:00:00.000Z",
    };

    it("refuses a smaller storageSize and another storageClassName with the field, the old and the new value and the rule", async () => {
        const news = { subject: 'ValkeyCluster "poc"', pvc: { storageSize: "20Gi" }, ready: "RUNNING" };
        expect(await guardProvider.check!(olds, news)).to.deep.equal({
            inputs: news,
            failures: [
                {
                    property: "pvc.storageSize",
                    reason: 'ValkeyCluster "poc": pvc.storageSize cannot shrink (was "30Gi", now "20Gi"): a PersistentVolumeClaim can grow but never shrink. Keep it at "30Gi" or more, or create a new resource and move the data.',
                },
                {
                    property: "pvc.storageClassName",
                    reason: 'ValkeyCluster "poc": pvc.storageClassName cannot change after creation (was "fast", now unset): the PVCs of a StatefulSet cannot be re-templated, and replacing them would delete the data. Keep "fast", or create a new resource and move the data.',
                },
            ],
        });
    });

    it("compares sizes as quantities: growth in any unit passes, a smaller value in another unit does not", () => {
        const pvc = (storageSize: string) => ({ subject: 'ValkeyCluster "poc"', pvc: { storageSize, storageClassName: "fast" } });
        for (const bigger of ["40Gi", "31Gi", "30721Mi", "1Ti", "32212254721"]) expect(guardFailures(olds, pvc(bigger)), bigger).to.deep.equal([]);
        for (const same of ["30Gi", "30720Mi", "32212254720"]) expect(guardFailures(olds, pvc(same)), same).to.deep.equal([]);
        for (const smaller of ["30719Mi", "32G", "32212254719"]) {
            expect(
                guardFailures(olds, pvc(smaller)).map((f) => f.property),
                smaller,
            ).to.deep.equal(["pvc.storageSize"]);
        }
    });

    it("names the Valkey fields and refuses a PVC that would appear or disappear", () => {
        const service = {
            subject: 'Valkey "cache"',
            pvc: { storageSize: "8Gi" },
            fields: { storageSize: "disk_space", storageClassName: "kubernetes.storageClassName" },
        };
        expect(guardFailures(service, { ...service, pvc: { storageSize: "4Gi", storageClassName: "ssd" } })).to.deep.equal([
            {
                property: "disk_space",
                reason: 'Valkey "cache": disk_space cannot shrink (was "8Gi", now "4Gi"): a PersistentVolumeClaim can grow but never shrink. Keep it at "8Gi" or more, or create a new resource and move the data.',
            },
            {
                property: "kubernetes.storageClassName",
                reason: 'Valkey "cache": kubernetes.storageClassName cannot change after creation (was unset, now "ssd"): the PVCs of a StatefulSet cannot be re-templated, and replacing them would delete the data. Leave it unset, or create a new resource and move the data.',
            },
        ]);
        expect(guardFailures(service, { ...service, pvc: {} })).to.deep.equal([
            {
                property: "disk_space",
                reason: 'Valkey "cache": disk_space cannot change after creation (was "8Gi", now unset: no disk, as with plan free or userConfig.*_persistence "off"): the PVCs of a StatefulSet cannot be re-templated, and replacing them would delete the data. Keep "8Gi", or create a new resource and move the data.',
            },
        ]);
    });

    it("accepts creation, unchanged values and values unknown during preview", () => {
        expect(guardFailures({}, { pvc: { storageSize: "1Gi" } })).to.deep.equal([]);
        expect(guardFailures(olds, { pvc: { storageSize: "30Gi", storageClassName: "fast" } })).to.deep.equal([]);
        expect(guardFailures(olds, { pvc: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" })).to.deep.equal([]);
        expect(guardFailures(olds, { pvc: { storageSize: "04da6b54-80e4-46f7-96ec-b56ff0331ba9", storageClassName: "fast" } })).to.deep.equal([]);
    });

    it("never replaces, and updates when an input changed, the replica count included, but not for a new kubeconfig alone", async () => {
        const volumes = { kubeconfig: "a", namespace: "valkey", statefulSet: "poc", claimTemplate: "data", replicas: 6 };
        const withVolumes = { ...olds, volumes };
        expect(await guardProvider.diff!("id", olds, { ...olds })).to.deep.equal({ changes: false, replaces: [], deleteBeforeReplace: false });
        expect(await guardProvider.diff!("id", olds, { ...olds, ready: "PENDING" })).to.deep.equal({ changes: true, replaces: [], deleteBeforeReplace: false });
        expect(await guardProvider.diff!("id", olds, { ...olds, pvc: { ...olds.pvc, storageSize: "40Gi" } })).to.deep.equal({
            changes: true,
            replaces: [],
            deleteBeforeReplace: false,
        });
        expect(await guardProvider.diff!("id", withVolumes, { ...olds, volumes: { ...volumes, replicas: 8 } })).to.deep.equal({
            changes: true,
            replaces: [],
            deleteBeforeReplace: false,
        });
        expect(await guardProvider.diff!("id", withVolumes, { ...olds, volumes: { ...volumes, kubeconfig: "b" } })).to.deep.equal({
            changes: false,
            replaces: [],
            deleteBeforeReplace: false,
        });
    });

    it("records no kubeconfig in its outputs and expands nothing without volumes", async () => {
        const created = await guardProvider.create!({
            subject: 'Valkey "cache"',
            pvc: {},
            volumes: { kubeconfig: "secret-kubeconfig", namespace: "ns", statefulSet: "cache", claimTemplate: "data", replicas: 1 },
        });
        // No readySince key at all without `ready`: the engine cannot encode an undefined value.
        expect(created.outs).to.deep.equal({
            subject: 'Valkey "cache"',
            pvc: {},
            volumes: { namespace: "ns", statefulSet: "cache", claimTemplate: "data", replicas: 1 },
        });
        // What Pulumi's dynamic-provider process does with the outputs.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { Struct } = require("google-protobuf/google/protobuf/struct_pb");
        expect(Struct.fromJavaScript(created.outs).toJavaScript()).to.deep.equal(created.outs);
    });

    it("keeps the Ready transition time while the cluster stays ready", () => {
        const now = "2025-09-03T00:00:00.000Z";
        expect(readySince(olds, { ready: "RUNNING" }, now)).to.equal("2025-09-02T17:00:00.000Z");
        expect(readySince({}, { ready: "RUNNING" }, now)).to.equal(now);
        expect(readySince(olds, { ready: undefined }, now)).to.equal(undefined);
    });

    it("serializes to text whose check refuses a shrink in a fresh process, and that requires only this package", async function () {
        this.timeout(20000);
        const serialized = await pulumi.runtime.serializeFunction(() => guardProvider, { isFactoryFunction: true });
        expect(serialized.text.match(/require\([^)]*\)/g)).to.deep.equal(['require("pulumi-valkey/provider")']);
        const { execFileSync } = await import("child_process");
        const script = `${serialized.text}\nconst p = exports.${serialized.exportName};\np.check(${JSON.stringify(olds)}, ${JSON.stringify({ ...olds, pvc: { storageSize: "30719Mi", storageClassName: "fast" } })}).then(r => console.log(JSON.stringify(r.failures.map(f => f.property))));`;
        expect(execFileSync(process.execPath, ["-e", script]).toString().trim()).to.equal('["pvc.storageSize"]');
    });
});
