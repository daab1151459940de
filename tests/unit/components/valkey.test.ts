// The Valkey and Redis components under Pulumi mocks: the seed 000 and 001 examples construct the
// exact set of child resources with the expected names and key fields.
import * as crypto from "crypto";
import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { MOCK_PASSWORD, byType, installMocks, one, registered, reset, restoreWarn, secretValue, settle, unwrap, warnings } from "../../helpers/mocks";
import { Redis, Valkey } from "../../../sdk";
import { SpecError } from "../../../sdk/spec/validate";
import { SEED_000_SPEC, SEED_001_SPEC } from "../../helpers/seeds";

const SEED_000 = SEED_000_SPEC;
const SEED_001 = SEED_001_SPEC;

function children(): string[] {
    return registered
        .filter((r) => !r.type.startsWith("valkey:index:"))
        .map((r) => `${r.type} ${r.name}`)
        .sort();
}

describe("Valkey component (mocks)", () => {
    before(installMocks);
    after(restoreWarn);
    beforeEach(reset);

    it("constructs the seed 000 example with exactly the expected child resources", async () => {
        const cache = new Valkey("my-valkey", SEED_000);
        await settle(cache.serviceUri);
        expect(children()).to.deep.equal([
            "kubernetes:apps/v1:StatefulSet my-valkey",
            "kubernetes:core/v1:ConfigMap my-valkey-config",
            "kubernetes:core/v1:Secret my-valkey-auth",
            "kubernetes:core/v1:Secret my-valkey-connection",
            "kubernetes:core/v1:Service my-valkey",
            "kubernetes:core/v1:Service my-valkey-headless",
            "kubernetes:networking.k8s.io/v1:NetworkPolicy my-valkey",
            "kubernetes:policy/v1:PodDisruptionBudget my-valkey",
            "pulumi-nodejs:dynamic/valkey:ValkeyServiceGuard my-valkey-guard",
            "pulumi-nodejs:dynamic/valkey:ValkeyServiceGuard my-valkey-immutable",
            "pulumi-nodejs:dynamic/valkey:ValkeyTopology my-valkey-topology",
            "random:index/randomPassword:RandomPassword my-valkey-password",
        ]);
        expect(byType("valkey:index:Valkey").map((r) => r.name)).to.deep.equal(["my-valkey"]);
    });

    it("gives the seed 000 objects their namespace, plan resources, labels and ip_filter", async () => {
        const cache = new Valkey("my-valkey", SEED_000);
        await settle(cache.serviceUri);
        const sts = one("kubernetes:apps/v1:StatefulSet", "my-valkey").inputs;
        expect(sts.metadata.namespace).to.equal("my-aiven-project");
        expect(sts.metadata.labels).to.include({ env: "test", instance: "foo", "app.kubernetes.io/instance": "my-valkey" });
        expect(sts.spec.replicas).to.equal(1);
        const container = sts.spec.template.spec.containers[0];
        expect(container.resources.limits.memory).to.equal("4096Mi");
        expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).to.equal("8Gi");
        const policy = one("kubernetes:networking.k8s.io/v1:NetworkPolicy", "my-valkey").inputs;
        const cidrs = policy.spec.ingress[0].from.map((f: { ipBlock: { cidr: string } }) => f.ipBlock.cidr);
        expect(cidrs).to.deep.equal(["0.0.0.0/32", "10.20.0.0/16"]);
        const config = one("kubernetes:core/v1:ConfigMap", "my-valkey-config").inputs;
        expect(config.data["valkey.conf"]).to.contain("maxmemory-policy noeviction");
    });

    it("publishes the connection Secret per connInfoSecretTarget and the Aiven-style outputs", async () => {
        const cache = new Valkey("my-valkey", SEED_000);
        const uri = await settle(cache.serviceUri);
        expect(uri).to.equal(`redis://default:${MOCK_PASSWORD}@my-valkey.my-aiven-project.svc.cluster.local:6379`);
        expect(await unwrap(cache.serviceHost)).to.equal("my-valkey.my-aiven-project.svc.cluster.local");
        expect(await unwrap(cache.servicePort)).to.equal(6379);
        expect(await unwrap(cache.serviceUsername)).to.equal("default");
        expect(await unwrap(cache.servicePassword)).to.equal(MOCK_PASSWORD);
        expect(await unwrap(cache.state)).to.equal("RUNNING");
        expect(await unwrap(cache.connectionSecretName)).to.equal("my-valkey-secret");
        const secret = one("kubernetes:core/v1:Secret", "my-valkey-connection").inputs;
        expect(secret.metadata.name).to.equal("my-valkey-secret");
        expect(secret.metadata.annotations).to.include({ foo: "bar" });
        expect(secret.metadata.labels).to.include({ baz: "egg" });
        expect(secretValue(secret.stringData)).to.deep.equal({
            VALKEY_HOST: "my-valkey.my-aiven-project.svc.cluster.local",
            VALKEY_PORT: "6379",
            VALKEY_USER: "default",
            VALKEY_PASSWORD: MOCK_PASSWORD,
            VALKEY_SSL: "false",
            VALKEY_URI: uri,
            REDIS_URL: uri,
        });
    });

    it("marks the password, the URI and the Secrets' data as secrets", async () => {
        const cache = new Valkey("my-valkey", SEED_000);
        await settle(cache.serviceUri);
        expect(secretValue<Record<string, string>>(one("kubernetes:core/v1:Secret", "my-valkey-auth").inputs.stringData).password).to.equal(MOCK_PASSWORD);
        expect(await pulumi.isSecret(cache.servicePassword)).to.equal(true);
        expect(await pulumi.isSecret(cache.serviceUri)).to.equal(true);
    });

    it("warns once for each field without a Kubernetes meaning and records it as an annotation", async () => {
        const cache = new Valkey("my-valkey", SEED_000);
        await settle(cache.serviceUri);
        expect(warnings).to.deep.equal([
            'Valkey "my-valkey": authSecretRef has no meaning on Kubernetes; it is recorded as the annotation pulumi-valkey/authSecretRef and otherwise ignored',
        ]);
        const sts = one("kubernetes:apps/v1:StatefulSet", "my-valkey").inputs;
        expect(sts.metadata.annotations).to.include({ "pulumi-valkey/authSecretRef": '{"key":"token","name":"aiven-token"}' });
    });

    it("warns that valkey-server 8 runs at most 16 I/O threads and renders io-threads 16 for Aiven's 32", async () => {
        const cache = new Valkey("threads", { project: "p", plan: "startup-4", userConfig: { valkey_io_threads: 32 } });
        await settle(cache.serviceUri);
        expect(warnings).to.deep.equal([
            'Valkey "threads": userConfig.valkey_io_threads 32: valkey-server 8 runs at most 16 I/O threads; the pods run with io-threads 16',
        ]);
        const conf = String(one("kubernetes:core/v1:ConfigMap", "threads-config").inputs.data["valkey.conf"]);
        expect(conf.split("\n").filter((l) => l.startsWith("io-threads "))).to.deep.equal(["io-threads 16"]);
    });

    it("skips the connection Secret when connInfoSecretTargetDisabled", async () => {
        const cache = new Valkey("quiet", { project: "p", plan: "free", connInfoSecretTargetDisabled: true });
        await settle(cache.serviceUri);
        expect(byType("kubernetes:core/v1:Secret").map((r) => r.name)).to.deep.equal(["quiet-auth"]);
        expect(await unwrap(cache.connectionSecretName)).to.equal(undefined);
    });

    it("adds a LoadBalancer Service for public_access.valkey", async () => {
        const cache = new Valkey("public", { project: "p", plan: "startup-4", userConfig: { public_access: { valkey: true } } });
        await settle(cache.serviceUri);
        const lb = one("kubernetes:core/v1:Service", "public-public").inputs;
        expect(lb.spec.type).to.equal("LoadBalancer");
    });

    it("deploys TLS with userConfig.valkey_ssl: certificates, the tls Secret, rediss:// and the CA output", async () => {
        const cache = new Valkey("secure", { project: "p", plan: "startup-4", userConfig: { valkey_ssl: true } });
        const uri = await settle(cache.serviceUri);
        expect(uri).to.equal(`rediss://default:${MOCK_PASSWORD}@secure.p.svc.cluster.local:6379`);
        expect(children().filter((c) => c.startsWith("tls:"))).to.deep.equal([
            "tls:index/certRequest:CertRequest secure-server-csr",
            "tls:index/locallySignedCert:LocallySignedCert secure-server-cert",
            "tls:index/privateKey:PrivateKey secure-ca-key",
            "tls:index/privateKey:PrivateKey secure-server-key",
            "tls:index/selfSignedCert:SelfSignedCert secure-ca",
        ]);
        const tlsSecret = secretValue<Record<string, string>>(one("kubernetes:core/v1:Secret", "secure-tls").inputs.stringData);
        expect(Object.keys(tlsSecret).sort()).to.deep.equal(["ca.crt", "tls.crt", "tls.key"]);
        expect(await unwrap(cache.caCertificate)).to.equal(tlsSecret["ca.crt"]);
        const csr = one("tls:index/certRequest:CertRequest", "secure-server-csr").inputs;
        expect(csr.dnsNames).to.include.members(["secure.p.svc.cluster.local", "*.secure-headless.p.svc.cluster.local", "localhost"]);
        const conf: string = one("kubernetes:core/v1:ConfigMap", "secure-config").inputs.data["valkey.conf"];
        expect(conf).to.match(/^tls-port 6379$/m);
        expect(conf).to.match(/^port 0$/m);
        const topology = registered.find((r) => r.name === "secure-topology")!.inputs;
        expect(topology.tls.ca).to.equal(tlsSecret["ca.crt"]);
        // The certificate of the Secret's tls.crt: what the pods must present once reloaded.
        expect(topology.tlsReload).to.deep.equal({ certPem: tlsSecret["tls.crt"] });
        expect(tlsSecret["tls.crt"]).to.include("secure-server-cert");
    });

    it("passes an explicit kubeconfig to its Kubernetes provider and the verifying resource, as a secret", async () => {
        const cache = new Valkey("remote", { project: "p", plan: "startup-4", kubernetes: { kubeconfig: "apiVersion: v1\nkind: Config\n" } });
        await settle(cache.serviceUri);
        expect(secretValue(one("pulumi:providers:kubernetes", "remote-k8s").inputs.kubeconfig)).to.equal("apiVersion: v1\nkind: Config\n");
        const transport = secretValue<Record<string, unknown>>(one("pulumi-nodejs:dynamic/valkey:ValkeyTopology", "remote-topology").inputs.transport);
        expect(transport.kubeconfig).to.equal("apiVersion: v1\nkind: Config\n");
        const volumes = secretValue<Record<string, unknown>>(one("pulumi-nodejs:dynamic/valkey:ValkeyServiceGuard", "remote-guard").inputs.volumes);
        expect(volumes.kubeconfig).to.equal("apiVersion: v1\nkind: Config\n");
    });

    it("has a guard that grows data-<name>-0 to disk_space, else the plan's disk, and has no size without persistence", async () => {
        const cache = new Valkey("my-valkey", { ...SEED_000, disk_space: "20GiB", kubernetes: { storageClassName: "ssd" } });
        await settle(cache.serviceUri);
        const { __provider: _serialized, ...guard } = one("pulumi-nodejs:dynamic/valkey:ValkeyServiceGuard", "my-valkey-guard").inputs;
        expect(guard).to.deep.equal({
            subject: 'Valkey "my-valkey"',
            pvc: { storageSize: "20Gi", storageClassName: "ssd" },
            fields: { storageSize: "disk_space", storageClassName: "kubernetes.storageClassName" },
            volumes: { namespace: "my-aiven-project", statefulSet: "my-valkey", claimTemplate: "data", replicas: 1 },
            // The Ready condition's lastTransitionTime is kept by the guard (readySince).
            ready: "RUNNING",
        });
        reset();
        const plain = new Valkey("plain", { project: "p", plan: "business-4" });
        await settle(plain.serviceUri);
        const planGuard = one("pulumi-nodejs:dynamic/valkey:ValkeyServiceGuard", "plain-guard").inputs;
        expect([planGuard.pvc, planGuard.volumes.replicas]).to.deep.equal([{ storageSize: "8Gi" }, 2]);
        reset();
        const memoryOnly = new Valkey("memory", { project: "p", plan: "free" });
        await settle(memoryOnly.serviceUri);
        expect(one("pulumi-nodejs:dynamic/valkey:ValkeyServiceGuard", "memory-guard").inputs.pvc).to.deep.equal({});
    });

    it("protects the StatefulSet with terminationProtection", async () => {
        const cache = new Valkey("kept", { project: "p", plan: "startup-4", terminationProtection: true });
        await settle(cache.serviceUri);
        const sts = one("kubernetes:apps/v1:StatefulSet", "kept").inputs;
        expect(sts.spec.persistentVolumeClaimRetentionPolicy).to.deep.equal({ whenDeleted: "Retain", whenScaled: "Retain" });
    });

    it("fails at construction with every problem and its path, creating nothing", () => {
        reset();
        let error: unknown;
        try {
            new Valkey("bad", { project: "p", plan: "startup-5", userConfig: { valkey_io_threads: 64 } });
        } catch (e) {
            error = e;
        }
        expect(error).to.be.instanceOf(SpecError);
        expect((error as Error).message).to.equal(
            ['Valkey "bad" is invalid (1 problem):', "  - userConfig.valkey_io_threads: must be at most 32 (got 64)"].join("\n"),
        );
        expect(children()).to.deep.equal([]);
    });

    it("lists the valid plans when the plan is unknown", () => {
        expect(() => new Valkey("bad", { project: "p", plan: "startup-5" })).to.throw(/plan: unknown plan "startup-5"; valid plans: hobbyist, startup-1,/);
    });

    it("accepts Outputs for non-structural fields and refuses them for structural ones", async () => {
        const cache = new Valkey("late", { project: pulumi.output("p"), plan: "startup-4", tags: pulumi.output({ env: "x" }) });
        await settle(cache.serviceUri);
        expect(one("kubernetes:apps/v1:StatefulSet", "late").inputs.metadata.labels).to.include({ env: "x" });
        expect(() => new Valkey("late2", { project: "p", plan: pulumi.output("startup-4") })).to.throw(
            "plan: must be a plain value, not an Output or a Promise: it decides which Kubernetes objects are created",
        );
    });
});

describe("Redis component (mocks)", () => {
    before(installMocks);
    after(restoreWarn);
    beforeEach(reset);

    it("constructs the seed 001 example with REDIS-prefixed keys under the custom prefix", async () => {
        const redis = new Redis("k8s-redis", SEED_001);
        const uri = await settle(redis.serviceUri);
        expect(children()).to.deep.equal([
            "kubernetes:apps/v1:StatefulSet k8s-redis",
            "kubernetes:core/v1:ConfigMap k8s-redis-config",
            "kubernetes:core/v1:Secret k8s-redis-auth",
            "kubernetes:core/v1:Secret k8s-redis-connection",
            "kubernetes:core/v1:Service k8s-redis",
            "kubernetes:core/v1:Service k8s-redis-headless",
            "kubernetes:networking.k8s.io/v1:NetworkPolicy k8s-redis",
            "kubernetes:policy/v1:PodDisruptionBudget k8s-redis",
            "pulumi-nodejs:dynamic/valkey:ValkeyServiceGuard k8s-redis-guard",
            "pulumi-nodejs:dynamic/valkey:ValkeyServiceGuard k8s-redis-immutable",
            "pulumi-nodejs:dynamic/valkey:ValkeyTopology k8s-redis-topology",
            "random:index/randomPassword:RandomPassword k8s-redis-password",
        ]);
        expect(byType("valkey:index:Redis").map((r) => r.name)).to.deep.equal(["k8s-redis"]);
        const secret = one("kubernetes:core/v1:Secret", "k8s-redis-connection").inputs;
        expect(secret.metadata.name).to.equal("redis-token");
        const data = secretValue<Record<string, string>>(secret.stringData);
        expect(Object.keys(data).sort()).to.deep.equal([
            "MY_SECRET_PREFIX_HOST",
            "MY_SECRET_PREFIX_PASSWORD",
            "MY_SECRET_PREFIX_PORT",
            "MY_SECRET_PREFIX_SSL",
            "MY_SECRET_PREFIX_URI",
            "MY_SECRET_PREFIX_USER",
            "REDIS_URL",
        ]);
        expect(data.REDIS_URL).to.equal(uri);
        const config = one("kubernetes:core/v1:ConfigMap", "k8s-redis-config").inputs;
        expect(config.data["valkey.conf"]).to.contain("maxmemory-policy allkeys-random");
    });
});

// Sentinel plans: the data StatefulSet, the Sentinels' objects, the verifying topology and the
// outputs for Sentinel-aware clients.
describe("Valkey and Redis with a Sentinel plan (mocks)", () => {
    before(installMocks);
    after(restoreWarn);
    beforeEach(reset);

    const SENTINEL_CHILDREN = (n: string) => [
        `kubernetes:apps/v1:StatefulSet ${n}`,
        `kubernetes:apps/v1:StatefulSet ${n}-sentinel`,
        `kubernetes:core/v1:ConfigMap ${n}-config`,
        `kubernetes:core/v1:ConfigMap ${n}-sentinel-config`,
        `kubernetes:core/v1:Secret ${n}-auth`,
        `kubernetes:core/v1:Secret ${n}-connection`,
        `kubernetes:core/v1:Service ${n}`,
        `kubernetes:core/v1:Service ${n}-headless`,
        `kubernetes:core/v1:Service ${n}-sentinel`,
        `kubernetes:core/v1:Service ${n}-sentinel-headless`,
        `kubernetes:networking.k8s.io/v1:NetworkPolicy ${n}`,
        `kubernetes:networking.k8s.io/v1:NetworkPolicy ${n}-sentinel`,
        `kubernetes:policy/v1:PodDisruptionBudget ${n}`,
        `kubernetes:policy/v1:PodDisruptionBudget ${n}-sentinel`,
        `pulumi-nodejs:dynamic/valkey:ValkeyServiceGuard ${n}-guard`,
        `pulumi-nodejs:dynamic/valkey:ValkeyServiceGuard ${n}-immutable`,
        `pulumi-nodejs:dynamic/valkey:ValkeyTopology ${n}-topology`,
        `random:index/randomPassword:RandomPassword ${n}-password`,
    ];

    it("deploys business-4 as a primary, a replica and three Sentinels, verified as replicated", async () => {
        const cache = new Valkey("my-valkey", { ...SEED_000, plan: "business-4" });
        await settle(cache.serviceUri);
        expect(children()).to.deep.equal(SENTINEL_CHILDREN("my-valkey"));
        const sts = one("kubernetes:apps/v1:StatefulSet", "my-valkey").inputs;
        expect(sts.spec.replicas).to.equal(2);
        expect(sts.spec.updateStrategy).to.deep.equal({ type: "OnDelete" });
        expect(sts.metadata.annotations["pulumi.com/skipAwait"]).to.equal("true");
        expect(sts.spec.template.spec.containers[0].command.slice(0, 2)).to.deep.equal(["sh", "-c"]);
        const sentinels = one("kubernetes:apps/v1:StatefulSet", "my-valkey-sentinel").inputs;
        expect(sentinels.spec.replicas).to.equal(3);
        expect(sentinels.metadata.namespace).to.equal("my-aiven-project");
        const conf: string = one("kubernetes:core/v1:ConfigMap", "my-valkey-sentinel-config").inputs.data["sentinel.conf"];
        expect(conf).to.match(/^sentinel monitor my-valkey my-valkey-0\.my-valkey-headless\.my-aiven-project\.svc\.cluster\.local 6379 2$/m);
        expect(conf).to.match(/^sentinel down-after-milliseconds my-valkey 5000$/m);
        expect(conf).to.match(/^sentinel parallel-syncs my-valkey 1$/m);
        expect(conf).to.match(/^include \/etc\/valkey-auth\/sentinel-auth\.conf$/m);
        expect(conf).not.to.contain(MOCK_PASSWORD);
        const auth = secretValue<Record<string, string>>(one("kubernetes:core/v1:Secret", "my-valkey-auth").inputs.stringData);
        // echo -n "pulumi-valkey sentinel password v1" | openssl dgst -sha256 -hmac "$MOCK_PASSWORD", first 32 characters
        const sentinelPassword = "4237d99420675ae1cf897ed9ad6ee8d9";
        expect(auth["sentinel-auth.conf"]).to.equal(
            `sentinel auth-pass my-valkey ${MOCK_PASSWORD}\nrequirepass ${sentinelPassword}\nsentinel sentinel-pass ${sentinelPassword}\n`,
        );
        expect(auth["sentinel-password"]).to.equal(sentinelPassword);
        // Only the primary is ever Ready: Pulumi would wait forever for the replicas' endpoints.
        expect(one("kubernetes:core/v1:Service", "my-valkey").inputs.metadata.annotations["pulumi.com/skipAwait"]).to.equal("true");
        expect(one("kubernetes:core/v1:Service", "my-valkey-sentinel").inputs.spec.ports).to.deep.equal([
            { name: "sentinel", port: 26379, targetPort: "sentinel", protocol: "TCP" },
        ]);
        expect(one("kubernetes:policy/v1:PodDisruptionBudget", "my-valkey-sentinel").inputs.spec.maxUnavailable).to.equal(1);
        expect(one("kubernetes:networking.k8s.io/v1:NetworkPolicy", "my-valkey-sentinel").inputs.spec.ingress[0].ports).to.deep.equal([
            { protocol: "TCP", port: 26379 },
        ]);
        const topology = one("pulumi-nodejs:dynamic/valkey:ValkeyTopology", "my-valkey-topology").inputs;
        expect(topology.topology).to.deep.equal({ kind: "replicated", replicas: 1 });
        // Without an explicit kubeconfig none travels: the provider uses the ambient one.
        expect(topology.transport).to.not.have.property("kubeconfig");
        expect(topology.transport).to.deep.include({
            kind: "kubernetes",
            namespace: "my-aiven-project",
            statefulSet: "my-valkey",
            replicas: 2,
            port: 6379,
            announceHostnames: { serviceName: "my-valkey-headless", clusterDomain: "cluster.local" },
        });
        expect(await unwrap(cache.serviceHost)).to.equal("my-valkey.my-aiven-project.svc.cluster.local");
        expect(await unwrap(cache.sentinelHosts)).to.deep.equal(["my-valkey-sentinel.my-aiven-project.svc.cluster.local:26379"]);
        expect(await unwrap(cache.sentinelMasterName)).to.equal("my-valkey");
        const conn = secretValue<Record<string, string>>(one("kubernetes:core/v1:Secret", "my-valkey-connection").inputs.stringData);
        expect(conn.VALKEY_SENTINEL_HOSTS).to.equal("my-valkey-sentinel.my-aiven-project.svc.cluster.local:26379");
        expect(conn.VALKEY_SENTINEL_MASTER).to.equal("my-valkey");
    });

    it("deploys the pro add-on plan (seeds/003) as a primary and two replicas for Redis", async () => {
        const redis = new Redis("app-cache", { project: "p", plan: "pro", connInfoSecretTarget: { name: "app-cache" } });
        await settle(redis.serviceUri);
        expect(children()).to.deep.equal(SENTINEL_CHILDREN("app-cache"));
        expect(one("kubernetes:apps/v1:StatefulSet", "app-cache").inputs.spec.replicas).to.equal(3);
        expect(one("pulumi-nodejs:dynamic/valkey:ValkeyTopology", "app-cache-topology").inputs.topology).to.deep.equal({ kind: "replicated", replicas: 2 });
        expect(await unwrap(redis.sentinelHosts)).to.deep.equal(["app-cache-sentinel.p.svc.cluster.local:26379"]);
        expect(await unwrap(redis.sentinelMasterName)).to.equal("app-cache");
        const conn = secretValue<Record<string, string>>(one("kubernetes:core/v1:Secret", "app-cache-connection").inputs.stringData);
        expect(conn.REDIS_SENTINEL_HOSTS).to.equal("app-cache-sentinel.p.svc.cluster.local:26379");
        expect(conn.REDIS_SENTINEL_MASTER).to.equal("app-cache");
    });

    it("has no Sentinel outputs on 1-node plans", async () => {
        const cache = new Valkey("single", { project: "p", plan: "startup-4" });
        await settle(cache.serviceUri);
        expect(await unwrap(cache.sentinelHosts)).to.equal(undefined);
        expect(await unwrap(cache.sentinelMasterName)).to.equal(undefined);
        expect(one("pulumi-nodejs:dynamic/valkey:ValkeyTopology", "single-topology").inputs.topology).to.deep.equal({ kind: "standalone" });
    });

    it("deploys business-4 with valkey_ssl: TLS-only nodes and Sentinels, one certificate naming both, TLS-aware scripts", async () => {
        const cache = new Valkey("tls-ha", { project: "p", plan: "business-4", userConfig: { valkey_ssl: true } });
        const uri = await settle(cache.serviceUri);
        expect(uri).to.equal(`rediss://default:${MOCK_PASSWORD}@tls-ha.p.svc.cluster.local:6379`);
        expect(children()).to.deep.equal(
            [
                ...SENTINEL_CHILDREN("tls-ha"),
                "kubernetes:core/v1:Secret tls-ha-tls",
                "tls:index/certRequest:CertRequest tls-ha-server-csr",
                "tls:index/locallySignedCert:LocallySignedCert tls-ha-server-cert",
                "tls:index/privateKey:PrivateKey tls-ha-ca-key",
                "tls:index/privateKey:PrivateKey tls-ha-server-key",
                "tls:index/selfSignedCert:SelfSignedCert tls-ha-ca",
            ].sort(),
        );
        // One server certificate for the data pods and the Sentinels: every Service form, every pod.
        const forms = (svc: string) => [svc, `${svc}.p`, `${svc}.p.svc`, `${svc}.p.svc.cluster.local`];
        expect(one("tls:index/certRequest:CertRequest", "tls-ha-server-csr").inputs.dnsNames).to.deep.equal([
            ...forms("tls-ha"),
            ...forms("tls-ha-headless"),
            "*.tls-ha-headless.p.svc",
            "*.tls-ha-headless.p.svc.cluster.local",
            "localhost",
            ...forms("tls-ha-sentinel"),
            ...forms("tls-ha-sentinel-headless"),
            "*.tls-ha-sentinel-headless.p.svc",
            "*.tls-ha-sentinel-headless.p.svc.cluster.local",
        ]);
        const tlsSecret = secretValue<Record<string, string>>(one("kubernetes:core/v1:Secret", "tls-ha-tls").inputs.stringData);
        expect(await unwrap(cache.caCertificate)).to.equal(tlsSecret["ca.crt"]);

        const tlsLines = (port: number) => [
            `tls-port ${port}`,
            "tls-cert-file /etc/valkey-tls/tls.crt",
            "tls-key-file /etc/valkey-tls/tls.key",
            "tls-ca-cert-file /etc/valkey-tls/ca.crt",
            "tls-auth-clients optional",
            "tls-replication yes",
            'tls-protocols "TLSv1.2 TLSv1.3"',
        ];
        const dataConf: string = one("kubernetes:core/v1:ConfigMap", "tls-ha-config").inputs.data["valkey.conf"];
        expect(dataConf.split("\n").filter((l) => /^(port|tls-)/.test(l))).to.deep.equal(["port 0", ...tlsLines(6379)]);
        const sentinelConf: string = one("kubernetes:core/v1:ConfigMap", "tls-ha-sentinel-config").inputs.data["sentinel.conf"];
        expect(sentinelConf.split("\n").filter((l) => /^(port|tls-|sentinel monitor)/.test(l))).to.deep.equal([
            "port 0",
            ...tlsLines(26379),
            "sentinel monitor tls-ha tls-ha-0.tls-ha-headless.p.svc.cluster.local 6379 2",
        ]);

        // Both StatefulSets mount the tls Secret at /etc/valkey-tls (mode 0440), next to the auth Secret.
        const tlsVolume = { name: "tls", secret: { secretName: "tls-ha-tls", defaultMode: 0o440 } };
        const tlsMount = { name: "tls", mountPath: "/etc/valkey-tls", readOnly: true };
        const cli = 'valkey-cli --tls --cacert "$tls_dir/ca.crt" --cert "$tls_dir/tls.crt" --key "$tls_dir/tls.key"';
        const data = one("kubernetes:apps/v1:StatefulSet", "tls-ha").inputs.spec.template;
        const [valkey] = data.spec.containers;
        expect(data.spec.volumes).to.deep.include(tlsVolume);
        expect(valkey.volumeMounts).to.deep.include(tlsMount);
        const start: string = valkey.command[2];
        const probe: string = valkey.readinessProbe.exec.command[2];
        for (const script of [start, probe]) {
            expect(script.split("\n")[0]).to.equal('tls_dir="${VALKEY_HA_TLS_DIR:-/etc/valkey-tls}"');
            expect(script).to.contain(
                `primary() { set -- $(REDISCLI_AUTH="$(cat "\${VALKEY_HA_SENTINEL_PASSWORD_FILE:-/etc/valkey-auth/sentinel-password}")" ${cli} -t 1 -h "$sentinel" -p "$sentinel_port" SENTINEL get-master-addr-by-name tls-ha 2>/dev/null)`,
            );
            expect(script).not.to.match(/valkey-cli -t/);
        }
        expect(probe).to.contain(`${cli} -t 1 -p "$port" INFO replication`);
        expect(valkey.livenessProbe.exec.command[2]).to.contain(
            "valkey-cli --tls --cacert /etc/valkey-tls/ca.crt --cert /etc/valkey-tls/tls.crt --key /etc/valkey-tls/tls.key -p 6379 ping",
        );
        // The data pods reload renewed certificates live: no certificate hash in their template.
        expect(data.metadata.annotations).not.to.have.property("pulumi-valkey/tls-cert-hash");

        const sentinels = one("kubernetes:apps/v1:StatefulSet", "tls-ha-sentinel").inputs.spec.template;
        const [sentinel] = sentinels.spec.containers;
        expect(sentinels.spec.volumes).to.deep.include(tlsVolume);
        expect(sentinel.volumeMounts).to.deep.include(tlsMount);
        expect(sentinel.readinessProbe.exec.command[2]).to.contain(
            "valkey-cli --tls --cacert /etc/valkey-tls/ca.crt --cert /etc/valkey-tls/tls.crt --key /etc/valkey-tls/tls.key -p 26379 ping",
        );
        // Sentinels cannot reload TLS files live: a renewed certificate changes this hash and rolls them.
        const certHash = crypto.createHash("sha256").update(tlsSecret["tls.crt"]).digest("hex").slice(0, 16);
        expect(sentinels.metadata.annotations["pulumi-valkey/tls-cert-hash"]).to.equal(certHash);

        // The ports stay: TLS on 6379 and 26379.
        expect(one("kubernetes:core/v1:Service", "tls-ha-sentinel").inputs.spec.ports).to.deep.equal([
            { name: "sentinel", port: 26379, targetPort: "sentinel", protocol: "TCP" },
        ]);
        expect(await unwrap(cache.sentinelHosts)).to.deep.equal(["tls-ha-sentinel.p.svc.cluster.local:26379"]);
        expect(await unwrap(cache.sentinelMasterName)).to.equal("tls-ha");

        // Verified as replicated over TLS against the CA; the data nodes reload the certificate.
        const topology = one("pulumi-nodejs:dynamic/valkey:ValkeyTopology", "tls-ha-topology").inputs;
        expect(topology.topology).to.deep.equal({ kind: "replicated", replicas: 1 });
        expect(topology.transport).to.deep.include({
            port: 6379,
            replicas: 2,
            announceHostnames: { serviceName: "tls-ha-headless", clusterDomain: "cluster.local" },
        });
        expect(topology.tls).to.deep.equal({ ca: tlsSecret["ca.crt"] });
        expect(topology.tlsReload).to.deep.equal({ certPem: tlsSecret["tls.crt"] });
    });
});
