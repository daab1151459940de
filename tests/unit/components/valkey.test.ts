// The Valkey and Redis components under Pulumi mocks: the seed 000 and 001 examples construct the
// exact set of child resources with the expected names and key fields.
import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { MOCK_PASSWORD, byType, installMocks, one, registered, reset, restoreWarn, secretValue, settle, unwrap, warnings } from "../../helpers/mocks";
import { Redis, Valkey } from "../../../sdk";
import { SpecError } from "../../../sdk/spec/validate";

const SEED_000 = {
    authSecretRef: { name: "aiven-token", key: "token" },
    connInfoSecretTarget: { name: "my-valkey-secret", annotations: { foo: "bar" }, labels: { baz: "egg" } },
    project: "my-aiven-project",
    cloudName: "google-europe-west1",
    plan: "startup-4",
    maintenanceWindowDow: "sunday" as const,
    maintenanceWindowTime: "11:00:00",
    tags: { env: "test", instance: "foo" },
    userConfig: { ip_filter: [{ network: "0.0.0.0/32", description: "bar" }, { network: "10.20.0.0/16" }] },
};

const SEED_001 = {
    authSecretRef: { name: "aiven-token", key: "token" },
    connInfoSecretTarget: { name: "redis-token", prefix: "MY_SECRET_PREFIX_", annotations: { foo: "bar" }, labels: { baz: "egg" } },
    project: "my-aiven-project",
    cloudName: "google-europe-west1",
    plan: "startup-4",
    maintenanceWindowDow: "friday" as const,
    maintenanceWindowTime: "23:00:00",
    userConfig: { redis_maxmemory_policy: "allkeys-random" as const },
};

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
            [
                'Valkey "bad" is invalid (1 problem):',
                "  - userConfig.valkey_io_threads: must be at most 32 (got 64)",
            ].join("\n"),
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
