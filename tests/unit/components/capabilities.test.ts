// The capability table of issue 12 under Pulumi mocks: each capability, given through the front
// door's own field, reaches the objects and the topology resource alike on Valkey (standalone and
// a Sentinel plan), Redis and ValkeyCluster, since all three are built by the one factory
// (sdk/components/deploy.ts) from the one model.
import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import {
    MOCK_PASSWORD,
    dynamicOutputs,
    existingSecrets,
    installMocks,
    mockPem,
    one,
    registered,
    reset,
    restoreWarn,
    secretValue,
    settle,
    unwrap,
} from "../../helpers/mocks";
import { Redis } from "../../../sdk/components/redis";
import { Valkey } from "../../../sdk/components/valkey";
import { ValkeyCluster } from "../../../sdk/components/cluster";
import { SpecError } from "../../../sdk/spec/validate";
import { registerPlan, unregisterPlan } from "../../../sdk/spec/plans";

type Component = Valkey | Redis | ValkeyCluster;
const TOPOLOGY = "pulumi-nodejs:dynamic/valkey:ValkeyTopology";

/** One component per topology and front door, with the same capability given in each one's field. */
interface Door {
    readonly label: string;
    readonly make: (
        name: string,
        capability: { aiven?: Record<string, unknown>; userConfig?: Record<string, unknown>; cluster?: Record<string, unknown> },
    ) => Component;
    /** The namespace its objects land in. */
    readonly namespace: string;
    readonly prefix: string;
}

const DOORS: readonly Door[] = [
    {
        label: "Valkey startup-4 (standalone)",
        make: (name, c) => new Valkey(name, { project: "apps", plan: "startup-4", userConfig: c.userConfig ?? {}, kubernetes: c.aiven ?? {} }),
        namespace: "apps",
        prefix: "VALKEY_",
    },
    {
        label: "Valkey business-4 (Sentinel)",
        make: (name, c) => new Valkey(name, { project: "apps", plan: "business-4", userConfig: c.userConfig ?? {}, kubernetes: c.aiven ?? {} }),
        namespace: "apps",
        prefix: "VALKEY_",
    },
    {
        label: "Redis startup-4",
        make: (name, c) => new Redis(name, { project: "apps", plan: "startup-4", userConfig: renamed(c.userConfig ?? {}), kubernetes: c.aiven ?? {} }),
        namespace: "apps",
        prefix: "REDIS_",
    },
    {
        label: "ValkeyCluster 3x1",
        make: (name, c) => new ValkeyCluster(name, { namespace: "apps", ...(c.cluster ?? {}) }),
        namespace: "apps",
        prefix: "VALKEY_",
    },
];

/** valkey_* userConfig keys as Redis names them. */
function renamed(userConfig: Record<string, unknown>): Record<string, unknown> {
    return Object.fromEntries(Object.entries(userConfig).map(([k, v]) => [k.replace(/^valkey_/, "redis_"), v]));
}

async function settled(component: Component): Promise<void> {
    await settle(component.serviceUri);
    await settle(component.conditions);
}

describe("capabilities on every component (issue 12's table, mocks)", () => {
    before(installMocks);
    after(restoreWarn);
    beforeEach(reset);

    describe("exporter", () => {
        for (const door of DOORS) {
            it(`${door.label}: a redis_exporter sidecar scraping as its own user, 9121 behind the allow-list`, async () => {
                const c = door.make("m", {
                    aiven: { exporter: { enabled: true } },
                    userConfig: { ip_filter: ["10.1.0.0/16"] },
                    cluster: { exporter: { enabled: true }, ipFilter: ["10.1.0.0/16"] },
                });
                await settled(c);
                const pod = one("kubernetes:apps/v1:StatefulSet", "m").inputs.spec.template.spec;
                const exporter = pod.containers.find((x: { name: string }) => x.name === "exporter");
                expect(exporter.image).to.equal("docker.io/oliver006/redis_exporter:v1.67.0");
                expect(exporter.env.find((e: { name: string }) => e.name === "REDIS_USER")).to.deep.equal({ name: "REDIS_USER", value: "exporter-user" });
                expect(exporter.ports).to.deep.equal([{ name: "metrics", containerPort: 9121, protocol: "TCP" }]);
                const policy = one("kubernetes:networking.k8s.io/v1:NetworkPolicy", "m").inputs.spec;
                const metrics = policy.ingress.find((rule: { ports: Array<{ port: number }> }) => rule.ports.some((p) => p.port === 9121));
                expect(metrics.from).to.deep.equal([{ ipBlock: { cidr: "10.1.0.0/16" } }]);
            });
        }

        it("Valkey: an exporter image of the user's replaces the pinned one", async () => {
            const c = new Valkey("m", {
                project: "apps",
                plan: "startup-4",
                kubernetes: { exporter: { enabled: true, image: "registry.local/redis_exporter:v1.70.0" } },
            });
            await settled(c);
            const pod = one("kubernetes:apps/v1:StatefulSet", "m").inputs.spec.template.spec;
            expect(pod.containers.map((x: { name: string; image: string }) => `${x.name} ${x.image}`)).to.deep.equal([
                "valkey docker.io/valkey/valkey:8.0.2-bookworm",
                "exporter registry.local/redis_exporter:v1.70.0",
            ]);
        });
    });

    describe("mTLS client certificates for applications", () => {
        for (const door of DOORS) {
            it(`${door.label}: tls-auth-clients yes, a client certificate for the provider and as outputs, in the connection Secret`, async () => {
                const c = door.make("m", {
                    userConfig: { valkey_ssl: true },
                    aiven: { tls: { tlsAuthClients: true } },
                    cluster: { tls: { tlsAuthClients: true }, connInfoSecretTarget: { name: "m-conn" } },
                });
                await settled(c);
                expect(one("kubernetes:core/v1:ConfigMap", "m-config").inputs.data["valkey.conf"]).to.contain("\ntls-auth-clients yes\n");
                const client = mockPem("CERTIFICATE", "m-client-cert");
                expect(await unwrap(c.clientCertificate)).to.equal(client);
                expect(await unwrap(c.clientKey)).to.equal(mockPem("PRIVATE KEY", "m-client-key"));
                expect(await pulumi.isSecret(c.clientKey)).to.equal(true);
                const topology = secretValue<Record<string, unknown>>(one(TOPOLOGY, "m-topology").inputs.tls);
                expect(topology.cert).to.equal(client);
                const connection = secretValue<Record<string, string>>(one("kubernetes:core/v1:Secret", "m-connection").inputs.stringData);
                expect([connection[`${door.prefix}SSL`], connection[`${door.prefix}CLIENT_CERT`], connection[`${door.prefix}CA_CERT`]]).to.deep.equal([
                    "true",
                    client,
                    mockPem("CERTIFICATE", "m-ca"),
                ]);
                expect((await unwrap(c.conditions)).find((x) => x.type === "TLSConfigured")).to.deep.equal({ type: "TLSConfigured", status: "True" });
            });
        }

        it("without tlsAuthClients there is no client certificate", async () => {
            const c = new Valkey("m", { project: "apps", plan: "startup-4", userConfig: { valkey_ssl: true } });
            await settled(c);
            expect([await unwrap(c.clientCertificate), await unwrap(c.clientKey)]).to.deep.equal([undefined, undefined]);
            expect(one("kubernetes:core/v1:ConfigMap", "m-config").inputs.data["valkey.conf"]).to.contain("\ntls-auth-clients optional\n");
            expect(Object.keys(secretValue<Record<string, string>>(one("kubernetes:core/v1:Secret", "m-connection").inputs.stringData))).to.not.include(
                "VALKEY_CLIENT_CERT",
            );
        });
    });

    describe("TLS from an existing Secret (cert-manager)", () => {
        const CA = mockPem("CERTIFICATE", "cm-ca");
        const CRT = mockPem("CERTIFICATE", "cm-server");
        const b64 = (text: string) => Buffer.from(text).toString("base64");
        beforeEach(() => {
            existingSecrets["apps/cm-certs"] = { "tls.crt": b64(CRT), "tls.key": b64(mockPem("PRIVATE KEY", "cm")), "ca.crt": b64(CA) };
        });

        for (const door of DOORS) {
            it(`${door.label}: mounts the Secret, issues nothing, verifies under the client Service's name and reloads its tls.crt`, async () => {
                const c = door.make("m", {
                    userConfig: { valkey_ssl: true },
                    aiven: { tls: { externalCerts: "cm-certs" } },
                    cluster: { tls: { externalCerts: "cm-certs" } },
                });
                await settled(c);
                expect(registered.filter((r) => r.type.startsWith("tls:")).map((r) => r.name)).to.deep.equal([]);
                const pod = one("kubernetes:apps/v1:StatefulSet", "m").inputs.spec.template.spec;
                expect(pod.volumes.find((v: { name: string }) => v.name === "tls")).to.deep.equal({
                    name: "tls",
                    secret: { secretName: "cm-certs", defaultMode: 0o440 },
                });
                const topology = one(TOPOLOGY, "m-topology").inputs;
                expect(topology.tls).to.deep.equal({ ca: CA, serverName: "m.apps.svc.cluster.local" });
                expect(topology.tlsReload).to.deep.equal({ certPem: CRT });
                expect(await unwrap(c.caCertificate)).to.equal(CA);
            });
        }

        it("Valkey/Redis: kubernetes.tls without userConfig.*_ssl is refused at construction, naming both fields", async () => {
            expect(() => new Redis("m", { project: "apps", plan: "startup-4", kubernetes: { tls: { externalCerts: "cm-certs" } } })).to.throw(
                SpecError,
                'Redis "m" is invalid (1 problem):\n  - kubernetes.tls: configures TLS, which is off: set userConfig.redis_ssl to true, or remove kubernetes.tls',
            );
            expect(
                () => new Valkey("m", { project: "apps", plan: "startup-4", userConfig: { valkey_ssl: true }, kubernetes: { tls: { tlsPort: 6380 } } }),
            ).to.throw(
                SpecError,
                'Valkey "m" is invalid (1 problem):\n  - kubernetes.tls.tlsPort: must be 6379 (or unset) for a Valkey in this version (got 6380)',
            );
            // Registrations reach the mocks asynchronously: checked right after the throw, this could never fail.
            await new Promise((r) => setTimeout(r, 100));
            expect(registered.filter((r) => !r.type.startsWith("valkey:index:"))).to.deep.equal([]);
        });
    });

    describe("connection Secret", () => {
        for (const door of DOORS) {
            it(`${door.label}: VALKEY_*/REDIS_* keys and REDIS_URL under the target's name`, async () => {
                const c = door.make("m", { cluster: { connInfoSecretTarget: { name: "m-conn", labels: { team: "shop" } } } });
                await settled(c);
                const secret = one("kubernetes:core/v1:Secret", "m-connection").inputs;
                const expectedName = door.label.startsWith("ValkeyCluster") ? "m-conn" : "m";
                expect([secret.metadata.name, await unwrap(c.connectionSecretName)]).to.deep.equal([expectedName, expectedName]);
                const data = secretValue<Record<string, string>>(secret.stringData);
                const uri = `redis://default:${MOCK_PASSWORD}@m.apps.svc.cluster.local:6379`;
                expect([data[`${door.prefix}HOST`], data[`${door.prefix}PORT`], data[`${door.prefix}URI`], data.REDIS_URL]).to.deep.equal([
                    "m.apps.svc.cluster.local",
                    "6379",
                    uri,
                    uri,
                ]);
            });
        }

        it("ValkeyCluster without connInfoSecretTarget has none (as before)", async () => {
            const c = new ValkeyCluster("m", { namespace: "apps" });
            await settled(c);
            expect(registered.filter((r) => r.name === "m-connection")).to.deep.equal([]);
            expect(await unwrap(c.connectionSecretName)).to.equal(undefined);
        });

        it("ValkeyCluster with ACL names the admin user in the Secret", async () => {
            const c = new ValkeyCluster("m", { namespace: "apps", acl: {}, connInfoSecretTarget: { name: "m-conn" } });
            await settled(c);
            const data = secretValue<Record<string, string>>(one("kubernetes:core/v1:Secret", "m-connection").inputs.stringData);
            expect(data.VALKEY_USER).to.equal("valkey-admin");
            expect(data.VALKEY_PASSWORD).to.equal(await unwrap(c.servicePassword));
        });
    });

    describe("client Service annotations", () => {
        for (const door of DOORS) {
            it(`${door.label}: on the client Service`, async () => {
                const annotations = { "service.beta.kubernetes.io/aws-load-balancer-internal": "true" };
                const c = door.make("m", { aiven: { serviceAnnotations: annotations }, cluster: { serviceAnnotations: annotations } });
                await settled(c);
                expect(one("kubernetes:core/v1:Service", "m").inputs.metadata.annotations).to.include(annotations);
            });
        }
    });

    describe("ACL users", () => {
        const acl = { defaultUser: "off", users: [{ name: "app", rules: "~app:* +@read +@write" }] };
        for (const door of DOORS) {
            it(`${door.label}: system and application users in auth.conf and applied live, the admin user in the outputs, ACLSynced`, async () => {
                dynamicOutputs["m-topology"] = { aclPhase: "Applied", aclStatus: [{ node: "m-0", status: "Applied" }] };
                const c = door.make("m", { aiven: { acl }, cluster: { acl } });
                await settled(c);
                const sentinel = door.label.includes("Sentinel");
                const users = secretValue<{ users: { name: string; role?: string }[]; defaultUser: string }>(one(TOPOLOGY, "m-topology").inputs.acl);
                expect([users.users.map((u) => u.name), users.defaultUser]).to.deep.equal([
                    ["valkey-admin", "primary-replication-user", "exporter-user", "probe-user", ...(sentinel ? ["sentinel-user"] : []), "app"],
                    "off",
                ]);
                const authConf = secretValue<Record<string, string>>(one("kubernetes:core/v1:Secret", "m-auth").inputs.stringData)["auth.conf"];
                expect(authConf).to.match(/^user app on resetkeys resetchannels -@all ~app:\* \+@read \+@write #[0-9a-f]{64}$/m);
                expect(authConf).to.match(/^user default off resetkeys resetchannels -@all #[0-9a-f]{64}$/m);
                expect(await unwrap(c.serviceUsername)).to.equal("valkey-admin");
                const topology = one(TOPOLOGY, "m-topology").inputs;
                expect(topology.username).to.equal("valkey-admin");
                // A Sentinel plan's handoff authenticates to the Sentinels with their own password, not the admin's.
                expect(topology.sentinelPassword === undefined).to.equal(!sentinel);
                expect((await unwrap(c.conditions)).find((x) => x.type === "ACLSynced")).to.deep.equal({ type: "ACLSynced", status: "True" });
            });
        }

        it("Valkey: an application user's password given as an Output reaches the users, never the model", async () => {
            const c = new Valkey("m", {
                project: "apps",
                plan: "business-4",
                kubernetes: { acl: { users: [{ name: "app", rules: "+@read", passwords: pulumi.secret(["app-password-0123456789"]) }] } },
            });
            await settled(c);
            const users = secretValue<{ users: { name: string; passwords: string[] }[] }>(one(TOPOLOGY, "m-topology").inputs.acl);
            expect(users.users.find((u) => u.name === "app")!.passwords).to.deep.equal(["app-password-0123456789"]);
            expect(JSON.stringify(one("kubernetes:core/v1:ConfigMap", "m-config").inputs)).to.not.contain("app-password");
        });
    });

    describe("scheduling", () => {
        const scheduling = {
            tolerations: [{ key: "dedicated", operator: "Equal", value: "valkey", effect: "NoSchedule" }],
            nodeSelector: { "node-pool": "valkey" },
            priorityClassName: "valkey-critical",
            podAnnotations: { "sidecar.istio.io/inject": "false" },
        };
        for (const door of DOORS) {
            it(`${door.label}: tolerations, nodeSelector, priorityClassName and pod annotations on the data pods`, async () => {
                const c = door.make("m", { aiven: scheduling, cluster: scheduling });
                await settled(c);
                const template = one("kubernetes:apps/v1:StatefulSet", "m").inputs.spec.template;
                expect([template.spec.tolerations, template.spec.nodeSelector, template.spec.priorityClassName]).to.deep.equal([
                    scheduling.tolerations,
                    scheduling.nodeSelector,
                    "valkey-critical",
                ]);
                expect(template.metadata.annotations).to.include(scheduling.podAnnotations);
            });
        }
    });

    describe("status: phase and conditions", () => {
        for (const door of DOORS) {
            it(`${door.label}: Running with Ready, TLSConfigured and ACLSynced`, async () => {
                // What the guard's provider records once the topology resource reports RUNNING.
                dynamicOutputs["m-guard"] = { readySince: "2026-12-04T20:00:00.000Z" };
                const c = door.make("m", {});
                await settled(c);
                expect(await unwrap(c.phase)).to.equal("Running");
                const conditions = await unwrap(c.conditions);
                expect(conditions.map((x) => [x.type, x.status, x.reason])).to.deep.equal([
                    ["Ready", "True", undefined],
                    ["TLSConfigured", "False", "NotConfigured"],
                    ["ACLSynced", "False", "NotConfigured"],
                ]);
                expect(conditions[0].lastTransitionTime).to.equal("2026-12-04T20:00:00.000Z");
            });
        }
    });
});

describe("every topology on the Aiven front door (mocks)", () => {
    before(installMocks);
    after(() => {
        restoreWarn();
        unregisterPlan("team-shards");
    });
    beforeEach(() => {
        reset();
        // Registering the same plan again is a no-op.
        registerPlan({
            name: "team-shards",
            nodes: 6,
            shards: 3,
            memoryMiB: 1024,
            cpuMillis: 500,
            diskGiB: 4,
            persistence: "rdb",
            topology: "cluster",
            description: "3 shards x 2",
        });
    });

    it("Valkey with a registered cluster plan deploys a cluster through the same factory as ValkeyCluster", async () => {
        const c = new Valkey("shards", { project: "apps", plan: "team-shards" });
        await settled(c);
        const topology = one(TOPOLOGY, "shards-topology").inputs;
        expect(topology.topology).to.deep.equal({ kind: "cluster", masters: 3, replicasPerMaster: 1 });
        expect(one(TOPOLOGY, "shards-scale-in").inputs.drainBeforeScaleIn).to.equal(true);
        expect(one("kubernetes:apps/v1:StatefulSet", "shards").inputs.spec.replicas).to.equal(6);
        expect(one("kubernetes:core/v1:ConfigMap", "shards-config").inputs.data["valkey.conf"]).to.contain("\ncluster-enabled yes\n");
        expect(await unwrap(c.phase)).to.equal("Running");
    });

    it("refuses a cluster plan without a disk, naming the field", () => {
        expect(() => new Valkey("shards", { project: "apps", plan: "team-shards", userConfig: { valkey_persistence: "off" } })).to.throw(
            SpecError,
            `Valkey "shards" is invalid (1 problem):\n  - userConfig.valkey_persistence: plan team-shards is a cluster, whose nodes keep their identity and slots in nodes.conf on their disk; a cluster without a disk loses its slots when a pod restarts. Remove "off"`,
        );
    });

    it("refuses public access on a cluster plan, with the reason", () => {
        expect(() => new Valkey("shards", { project: "apps", plan: "team-shards", userConfig: { public_access: { valkey: true } } })).to.throw(
            SpecError,
            `Valkey "shards" is invalid (1 problem):\n  - userConfig.public_access.valkey: plan team-shards is a cluster, whose clients follow MOVED redirects to each node's own address, which one LoadBalancer cannot give; remove it, or choose a 1-node or a Sentinel plan`,
        );
    });
});

// review20: capability combinations the schema accepts, refused at construction with the field and the rule.
describe("combinations refused at construction, naming the field (review20, mocks)", () => {
    before(installMocks);
    after(() => {
        restoreWarn();
        unregisterPlan("r20-shards");
    });
    beforeEach(reset);

    it("a registered cluster plan with number_of_databases > 1: a SpecError naming the field, not an error while serializing", () => {
        registerPlan({
            name: "r20-shards",
            nodes: 6,
            shards: 3,
            memoryMiB: 1024,
            cpuMillis: 500,
            diskGiB: 4,
            persistence: "rdb",
            topology: "cluster",
            description: "3 shards x 2",
        });
        expect(() => new Valkey("dbs", { project: "apps", plan: "r20-shards", userConfig: { valkey_number_of_databases: 4 } })).to.throw(
            SpecError,
            `Valkey "dbs" is invalid (1 problem):\n  - userConfig.valkey_number_of_databases: must be 1 (or unset) on plan r20-shards, a cluster: Valkey has a single database in cluster mode (got 4)`,
        );
        // 1 stays accepted.
        expect(() => new Valkey("one", { project: "apps", plan: "r20-shards", userConfig: { valkey_number_of_databases: 1 } })).not.to.throw();
    });

    it("kubernetes.tls given as an Output with userConfig.valkey_ssl: the message names kubernetes.tls, the field that is an Output", () => {
        expect(
            () =>
                new Valkey("late-tls", {
                    project: "apps",
                    plan: "startup-4",
                    userConfig: { valkey_ssl: true },
                    kubernetes: { tls: pulumi.output({ tlsAuthClients: true }) },
                }),
        ).to.throw(
            SpecError,
            `Valkey "late-tls" is invalid (1 problem):\n  - kubernetes.tls: must be a plain value, not an Output or a Promise: it decides which Kubernetes objects are created`,
        );
        // Another field given as an Output with TLS on is named too, with why TLS needs it.
        expect(
            () =>
                new Valkey("late-tls", {
                    project: "apps",
                    plan: "startup-4",
                    userConfig: { valkey_ssl: true },
                    kubernetes: { exporter: pulumi.output({ enabled: true }) },
                }),
        ).to.throw(
            SpecError,
            `Valkey "late-tls" is invalid (1 problem):\n  - kubernetes.exporter: must be a plain value, not an Output or a Promise, with userConfig.valkey_ssl: TLS needs every field known at preview, since the certificate names derive from the namespace and kubernetes.tls decides which certificates exist`,
        );
    });
});

// review20: the Secrets' metadata is unmarked for readability, but never strips a mark the user put on a tag or annotation.
describe("the auth and connection Secrets' metadata in the state (review20, mocks)", () => {
    before(installMocks);
    after(restoreWarn);
    beforeEach(reset);
    const SIG = "4dabf18193072939515e22adb298388d";

    it("is readable when nothing in it is secret (the credentials' mark does not spread to the names)", async () => {
        const c = new ValkeyCluster("meta", {
            namespace: "apps",
            acl: { users: [{ name: "app", rules: "+GET ~app:*" }] },
            connInfoSecretTarget: { name: "meta-conn" },
        });
        await settled(c);
        for (const name of ["meta-auth", "meta-conn"]) {
            const metadata = registered.find((r) => r.type === "kubernetes:core/v1:Secret" && r.name === (name === "meta-conn" ? "meta-connection" : name))!
                .inputs.metadata;
            expect(metadata[SIG], name).to.equal(undefined);
            expect(metadata.name, name).to.equal(name);
        }
    });

    it("keeps the mark of a tag given as a secret: its value does not reach the state in plaintext through the Secrets' labels", async () => {
        const c = new Valkey("meta", { project: "apps", plan: "startup-4", tags: { owner: pulumi.secret("alice-private") } });
        await settled(c);
        for (const name of ["meta-auth", "meta-connection"]) {
            const metadata = one("kubernetes:core/v1:Secret", name).inputs.metadata;
            expect(secretValue<{ labels: Record<string, string> }>(metadata).labels.owner, name).to.equal("alice-private");
        }
    });
});

// review20: an external TLS Secret without a key is reported under the front door's own field (ValkeyCluster's said tls.externalCerts before the one factory).
describe("an external TLS Secret missing a key (review20, mocks)", () => {
    before(installMocks);
    after(restoreWarn);
    beforeEach(reset);
    const b64 = (text: string) => Buffer.from(text).toString("base64");
    const failure = async (output: pulumi.Output<unknown>): Promise<string> => {
        try {
            await (output as unknown as { promise(): Promise<unknown> }).promise();
            return "resolved";
        } catch (e) {
            return (e as Error).message;
        }
    };

    it("names the field on ValkeyCluster and on Valkey", async () => {
        existingSecrets["apps/half-certs"] = { "tls.crt": b64(mockPem("CERTIFICATE", "x")), "tls.key": b64(mockPem("PRIVATE KEY", "x")) };
        const cluster = new ValkeyCluster("ext", { namespace: "apps", tls: { externalCerts: "half-certs" } });
        expect(await failure(cluster.caCertificate)).to.equal(
            'ValkeyCluster "ext": tls.externalCerts: the Secret apps/half-certs has no ca.crt: it must hold tls.crt, tls.key and ca.crt',
        );
        const valkey = new Valkey("ext", {
            project: "apps",
            plan: "startup-4",
            userConfig: { valkey_ssl: true },
            kubernetes: { tls: { externalCerts: "half-certs" } },
        });
        expect(await failure(valkey.caCertificate)).to.equal(
            'Valkey "ext": kubernetes.tls.externalCerts: the Secret apps/half-certs has no ca.crt: it must hold tls.crt, tls.key and ca.crt',
        );
    });
});

// review20: ValkeyCluster's connInfoSecretTarget given as one Output built no connection Secret, silently.
describe("ValkeyCluster connInfoSecretTarget given as an Output (review20, mocks)", () => {
    before(installMocks);
    after(restoreWarn);
    beforeEach(reset);

    it("refuses the whole object as an Output at construction, naming the field", () => {
        expect(() => new ValkeyCluster("cc", { namespace: "apps", connInfoSecretTarget: pulumi.output({ name: "app-conn" }) })).to.throw(
            SpecError,
            'ValkeyCluster "cc" is invalid (1 problem):\n  - connInfoSecretTarget: must be a plain object, not an Output or a Promise: whether it is set decides whether the connection Secret is created (its fields may be Outputs, e.g. { name: pulumi.output(...) })',
        );
    });

    it("still accepts its fields as Outputs, and creates the Secret", async () => {
        const c = new ValkeyCluster("cc", { namespace: "apps", connInfoSecretTarget: { name: pulumi.output("app-conn") } });
        await settled(c);
        expect(await unwrap(c.connectionSecretName)).to.equal("app-conn");
    });
});
