// The shared builders on a ValkeyCluster model (cluster topology): every object passes validateManifest, and
// each cluster-only setting lands where the pod contract and the spec say.
import { expect } from "chai";
import { createHash } from "crypto";
import { resolveAclUsers } from "../../../sdk/acl/users";
import { buildAuthSecret, buildHeadlessService, buildNetworkPolicy, buildStatefulSet, exporterAuthHash } from "../../../sdk/manifests";
import { renderValkeyConf } from "../../../sdk/config/render";
import { buildClientService, buildConfigMap, buildPodDisruptionBudget, validateManifest } from "../../../sdk/manifests";
import { valkeyClusterSpecSchema } from "../../../sdk/spec/cluster";
import { buildClusterModel } from "../../../sdk/spec/cluster-model";
import { ServiceModel } from "../../../sdk/spec/model";
import { parseSpec } from "../../../sdk/spec/validate";

const model = (spec: Record<string, unknown> = {}): ServiceModel => buildClusterModel("poc", parseSpec(valkeyClusterSpecSchema, spec, "ValkeyCluster"));
const PASSWORD = "Passw0rdPassw0rdPassw0rdPassw0rd";

describe("manifests: ValkeyCluster", () => {
    it("builds objects that all pass validateManifest, with TLS, ACL and the exporter on", () => {
        const m = model({ tls: {}, acl: {}, exporter: { enabled: true }, tolerations: [{ key: "infra", operator: "Exists", effect: "NoSchedule" }] });
        const acl = resolveAclUsers(m.acl!, PASSWORD, {
            "valkey-admin": ["a".repeat(32)],
            "primary-replication-user": ["r".repeat(32)],
            "exporter-user": ["e".repeat(32)],
        });
        const objects = [
            buildConfigMap(m, renderValkeyConf(m)),
            buildAuthSecret(m, PASSWORD, acl),
            buildHeadlessService(m),
            buildClientService(m),
            buildStatefulSet(m, { configHash: "0123456789abcdef", exporterAuthHash: "fedcba9876543210", exporterUser: "exporter-user" }),
            buildPodDisruptionBudget(m),
            buildNetworkPolicy(m),
        ];
        for (const object of objects) expect(() => validateManifest(object)).not.to.throw();
        expect(objects.map((o) => `${o.kind} ${o.metadata!.name}`)).to.deep.equal([
            "ConfigMap poc-config",
            "Secret poc-auth",
            "Service poc-headless",
            "Service poc",
            "StatefulSet poc",
            "PodDisruptionBudget poc",
            "NetworkPolicy poc",
        ]);
    });

    it("uses the user's podAntiAffinity, podAffinity, nodeAffinity and tolerations instead of the default spreading", () => {
        const required = {
            requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: "poc" } }, topologyKey: "kubernetes.io/hostname" }],
        };
        const nodeAffinity = {
            requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [{ matchExpressions: [{ key: "disktype", operator: "In", values: ["ssd"] }] }],
            },
        };
        const podAffinity = {
            preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { topologyKey: "topology.kubernetes.io/zone" } }],
        };
        const tolerations = [{ key: "node-role.kubernetes.io/infra", operator: "Exists", effect: "NoSchedule" }];
        const pod = buildStatefulSet(model({ podAntiAffinity: required, nodeAffinity, podAffinity, tolerations }), { configHash: "h" }).spec!.template.spec!;
        expect(pod.affinity).to.deep.equal({ nodeAffinity, podAffinity, podAntiAffinity: required });
        expect(pod.tolerations).to.deep.equal(tolerations);
    });

    it("merges the user's securityContext over the restricted default, into the containers too", () => {
        const sts = buildStatefulSet(model({ securityContext: { runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 }, exporter: { enabled: true } }), {
            configHash: "h",
        });
        const pod = sts.spec!.template.spec!;
        expect(pod.securityContext).to.deep.equal({
            runAsNonRoot: true,
            runAsUser: 1000,
            runAsGroup: 1000,
            fsGroup: 1000,
            fsGroupChangePolicy: "OnRootMismatch",
            seccompProfile: { type: "RuntimeDefault" },
        });
        expect(pod.containers.map((c) => [c.securityContext!.runAsUser, c.securityContext!.runAsGroup])).to.deep.equal([
            [1000, 1000],
            [1000, 1000],
        ]);
    });

    it("applies the user's resources to the valkey container and derives maxmemory from the memory limit", () => {
        const resources = { requests: { memory: "2Gi", cpu: "1" }, limits: { memory: "2Gi", cpu: "2" } };
        const m = model({ resources });
        expect(buildStatefulSet(m, { configHash: "h" }).spec!.template.spec!.containers[0].resources).to.deep.equal(resources);
        expect(renderValkeyConf(m).split("\n")).to.include("maxmemory 1536mb");
    });

    it("runs the exporter sidecar on 9121 with the auth Secret's password file, and publishes the metrics port", () => {
        const m = model({ exporter: { enabled: true, image: { name: "quay.io/oliver006/redis_exporter", tag: "v1.67.0", imagePullSecrets: ["regcred"] } } });
        const pod = buildStatefulSet(m, { configHash: "h" }).spec!.template.spec!;
        const exporter = pod.containers[1];
        expect([exporter.name, exporter.image, exporter.ports]).to.deep.equal([
            "exporter",
            "quay.io/oliver006/redis_exporter:v1.67.0",
            [{ name: "metrics", containerPort: 9121, protocol: "TCP" }],
        ]);
        // Without ACL as well: a user of its own, never default (see the auth Secret's exporter-user line).
        expect(exporter.env).to.deep.equal([
            { name: "REDIS_ADDR", value: "redis://localhost:6379" },
            { name: "REDIS_USER", value: "exporter-user" },
            { name: "REDIS_EXPORTER_CONFIG_COMMAND", value: "-" },
            { name: "REDIS_PASSWORD_FILE", value: "/etc/redis-exporter/passwords.json" },
        ]);
        expect(exporter.volumeMounts).to.deep.equal([{ name: "exporter-auth", mountPath: "/etc/redis-exporter", readOnly: true }]);
        // Of the auth Secret the sidecar sees only its password file (auth.conf and password are not mounted).
        expect(pod.volumes!.find((v) => v.name === "exporter-auth")).to.deep.equal({
            name: "exporter-auth",
            secret: { secretName: "poc-auth", items: [{ key: "exporter-passwords.json", path: "passwords.json" }], defaultMode: 0o440 },
        });
        expect(pod.imagePullSecrets).to.deep.equal([{ name: "regcred" }]);
        expect(buildHeadlessService(m).spec!.ports!.map((p) => p.port)).to.deep.equal([6379, 16379, 9121]);
        expect(buildNetworkPolicy(m).spec!.ingress!.map((r) => r.ports!.map((p) => p.port))).to.deep.equal([[6379], [6379, 16379], [9121]]);
    });

    it("with ACL, runs the exporter as the exporter user with its own password and without CONFIG (the user may not run it)", () => {
        const m = model({ acl: {}, exporter: { enabled: true } });
        const pod = buildStatefulSet(m, { configHash: "h", exporterUser: "exporter-user" }).spec!.template.spec!;
        expect(pod.containers[1].env).to.deep.equal([
            { name: "REDIS_ADDR", value: "redis://localhost:6379" },
            { name: "REDIS_USER", value: "exporter-user" },
            { name: "REDIS_EXPORTER_CONFIG_COMMAND", value: "-" },
            { name: "REDIS_PASSWORD_FILE", value: "/etc/redis-exporter/passwords.json" },
        ]);
    });

    it("probes as probe-user with the Secret's probe-password when ACL is on (whatever acl.defaultUser says), as default without ACL", () => {
        const probes = (spec: Record<string, unknown>) => {
            const [valkey] = buildStatefulSet(model(spec), { configHash: "h" }).spec!.template.spec!.containers;
            return [valkey.readinessProbe!.exec!.command, valkey.livenessProbe!.exec!.command];
        };
        const alive = `case "$r" in PONG|LOADING*|MASTERDOWN*|BUSY*|NOAUTH*|WRONGPASS*|"AUTH failed"*) exit 0;; esac; echo "$r"; exit 1`;
        const asProbe = `REDISCLI_AUTH="$(cat /etc/valkey-auth/probe-password)" valkey-cli --user probe-user -p 6379 ping`;
        for (const defaultUser of ["off", "restricted"]) {
            expect(probes({ acl: { defaultUser } }), defaultUser).to.deep.equal([
                ["sh", "-c", `[ "$(${asProbe})" = "PONG" ]`],
                ["sh", "-c", `r="$(${asProbe} 2>&1)"; ${alive}`],
            ]);
        }
        const tls = "--tls --cacert /etc/valkey-tls/ca.crt --cert /etc/valkey-tls/tls.crt --key /etc/valkey-tls/tls.key";
        expect(probes({ acl: { defaultUser: "off" }, tls: {} })[0]).to.deep.equal([
            "sh",
            "-c",
            `[ "$(REDISCLI_AUTH="$(cat /etc/valkey-auth/probe-password)" valkey-cli ${tls} --user probe-user -p 6379 ping)" = "PONG" ]`,
        ]);
        expect(probes({})[0]).to.deep.equal(["sh", "-c", `[ "$(REDISCLI_AUTH="$(cat /etc/valkey-auth/password)" valkey-cli -p 6379 ping)" = "PONG" ]`]);
    });

    it("without ACL, adds an exporter-user line with the exporter's rules to auth.conf when the exporter is on, and nothing when it is off", () => {
        const sha = (p: string) => createHash("sha256").update(p).digest("hex");
        const quoted = `"${PASSWORD}"`;
        expect(buildAuthSecret(model({ exporter: { enabled: true } }), PASSWORD).stringData!["auth.conf"].split("\n")).to.deep.equal([
            `requirepass ${quoted}`,
            `masterauth ${quoted}`,
            `user exporter-user on resetkeys resetchannels -@all -@all +ping +info +client|setname +cluster|info +latency|latest +latency|histogram +slowlog|len +slowlog|get #${sha("8e8c4850436ec8fe4a399a07d28275c8")}`,
            "",
        ]);
        expect(buildAuthSecret(model({}), PASSWORD).stringData!["auth.conf"]).to.equal(`requirepass ${quoted}\nmasterauth ${quoted}\n`);
    });

    it("with ACL, keeps the probe user's password in the auth Secret and its user line in auth.conf", () => {
        const m = model({ acl: { defaultUser: "off" } });
        const acl = resolveAclUsers(m.acl!, PASSWORD, {
            "valkey-admin": ["a".repeat(32)],
            "primary-replication-user": ["r".repeat(32)],
            "exporter-user": ["e".repeat(32)],
        });
        const data = buildAuthSecret(m, PASSWORD, acl).stringData!;
        // printf 'pulumi-valkey probe password v1' | openssl dgst -sha256 -hmac Passw0rdPassw0rdPassw0rdPassw0rd, first 32 hex.
        expect(data["probe-password"]).to.equal("c330abf6218d8ef9fa8164e04d76488d");
        const sha = createHash("sha256").update("c330abf6218d8ef9fa8164e04d76488d").digest("hex");
        expect(data["auth.conf"].split("\n").filter((l) => l.startsWith("user probe-user ") || l.startsWith("user default "))).to.deep.equal([
            `user probe-user on resetkeys resetchannels -@all +ping #${sha}`,
            `user default off resetkeys resetchannels -@all #${createHash("sha256").update(PASSWORD).digest("hex")}`,
        ]);
    });

    it("puts the exporter's password in the auth Secret as a password file keyed exactly on the sidecar's REDIS_ADDR, and nowhere in its environment", () => {
        const users = { "valkey-admin": ["a".repeat(32)], "primary-replication-user": ["r".repeat(32)], "exporter-user": ["e".repeat(32), "o".repeat(32)] };
        const cases: [string, Record<string, unknown>, boolean, string | undefined][] = [
            // [case, spec, ACL on, the file's exact contents (undefined: no such key)]
            // Without ACL the exporter-user's, derived from the default password: printf 'pulumi-valkey
            // exporter password v1' | openssl dgst -sha256 -hmac Passw0rdPassw0rdPassw0rdPassw0rd, first 32 hex.
            ["no ACL, no TLS", { exporter: { enabled: true } }, false, `{"redis://localhost:6379":"8e8c4850436ec8fe4a399a07d28275c8"}`],
            ["no ACL, TLS", { exporter: { enabled: true }, tls: {} }, false, `{"rediss://localhost:6379":"8e8c4850436ec8fe4a399a07d28275c8"}`],
            // With ACL the exporter user's current password (the first), never the default user's.
            ["ACL, no TLS", { exporter: { enabled: true }, acl: {} }, true, `{"redis://localhost:6379":"${"e".repeat(32)}"}`],
            ["ACL, TLS", { exporter: { enabled: true }, acl: {}, tls: {} }, true, `{"rediss://localhost:6379":"${"e".repeat(32)}"}`],
            ["no exporter", { acl: {} }, true, undefined],
        ];
        const rows = cases.map(([name, spec, acl]) => {
            const m = model(spec);
            const data = buildAuthSecret(m, PASSWORD, acl ? resolveAclUsers(m.acl!, PASSWORD, users) : undefined).stringData!;
            const pod = buildStatefulSet(m, { configHash: "h", ...(acl ? { exporterUser: "exporter-user" } : {}) }).spec!.template.spec!;
            const env = pod.containers.find((c) => c.name === "exporter")?.env ?? [];
            return [
                name,
                data["exporter-passwords.json"],
                env.find((e) => e.name === "REDIS_ADDR")?.value,
                env.filter((e) => e.name === "REDIS_PASSWORD").length,
            ];
        });
        expect(rows).to.deep.equal([
            ["no ACL, no TLS", cases[0][3], "redis://localhost:6379", 0],
            ["no ACL, TLS", cases[1][3], "rediss://localhost:6379", 0],
            ["ACL, no TLS", cases[2][3], "redis://localhost:6379", 0],
            ["ACL, TLS", cases[3][3], "rediss://localhost:6379", 0],
            ["no exporter", undefined, undefined, 0],
        ]);
        // A password with JSON's special characters reads back exactly.
        const tricky = 'p"w\\x\n{}';
        const withAcl = model({ exporter: { enabled: true }, acl: {} });
        const file = buildAuthSecret(withAcl, PASSWORD, resolveAclUsers(withAcl.acl!, PASSWORD, { ...users, "exporter-user": [tricky] })).stringData![
            "exporter-passwords.json"
        ];
        expect(JSON.parse(file)).to.deep.equal({ "redis://localhost:6379": tricky });
    });

    it("admits on the exporter's 9121 exactly the sources of the client port 6379: the allow-list's CIDRs, or every source without one", () => {
        const open = model({ exporter: { enabled: true } });
        const restricted = model({
            exporter: { enabled: true },
            ipFilter: ["10.20.0.0/16", "192.168.7.1/24", { network: "2001:DB8::/48", description: "v6" }],
        });
        const policy = buildNetworkPolicy(restricted);
        validateManifest(policy);
        const cidrs = [{ ipBlock: { cidr: "10.20.0.0/16" } }, { ipBlock: { cidr: "192.168.7.0/24" } }, { ipBlock: { cidr: "2001:db8::/48" } }];
        const own = [{ podSelector: { matchLabels: { "app.kubernetes.io/instance": "poc", "app.kubernetes.io/managed-by": "pulumi-valkey" } } }];
        expect(policy.spec!.ingress).to.deep.equal([
            { ports: [{ protocol: "TCP", port: 6379 }], from: cidrs },
            {
                ports: [
                    { protocol: "TCP", port: 6379 },
                    { protocol: "TCP", port: 16379 },
                ],
                from: own,
            },
            { ports: [{ protocol: "TCP", port: 9121 }], from: cidrs },
        ]);
        // No allow-list: both open to every source (no `from`), as 6379 always was.
        expect(
            buildNetworkPolicy(open)
                .spec!.ingress!.filter((r) => r.from === undefined)
                .map((r) => r.ports),
        ).to.deep.equal([[{ protocol: "TCP", port: 6379 }], [{ protocol: "TCP", port: 9121 }]]);
        // Without the exporter, no 9121 at all.
        expect(buildNetworkPolicy({ ...restricted, exporter: undefined }).spec!.ingress!.length).to.equal(2);
    });

    it("mounts tls.externalCerts' Secret as the tls volume, and `<name>-tls` otherwise", () => {
        const tlsVolume = (spec: Record<string, unknown>) =>
            buildStatefulSet(model(spec), { configHash: "h" }).spec!.template.spec!.volumes!.find((v) => v.name === "tls");
        expect(tlsVolume({ tls: { externalCerts: "cert-manager-certs" } })).to.deep.equal({
            name: "tls",
            secret: { secretName: "cert-manager-certs", defaultMode: 0o440 },
        });
        expect(tlsVolume({ tls: {} })).to.deep.equal({ name: "tls", secret: { secretName: "poc-tls", defaultMode: 0o440 } });
        expect(tlsVolume({})).to.equal(undefined);
    });

    it("keys the exporter-auth annotation on the exporter's name and current password only, and sets it only with the exporter", () => {
        const m = model({ acl: { users: [{ name: "app", rules: "+GET ~app:*" }] } });
        const plan = (exporter: string[], app: string[]) =>
            resolveAclUsers(m.acl!, PASSWORD, {
                "valkey-admin": ["a".repeat(32)],
                "primary-replication-user": ["r".repeat(32)],
                "exporter-user": exporter,
                app,
            });
        const base = exporterAuthHash(plan(["e".repeat(32)], ["p".repeat(32)]), PASSWORD);
        expect(base).to.match(/^[0-9a-f]{16}$/);
        // Another application password, or an old exporter password kept during a rotation: unchanged.
        expect(exporterAuthHash(plan(["e".repeat(32), "o".repeat(32)], ["q".repeat(32)]), PASSWORD)).to.equal(base);
        expect(exporterAuthHash(plan(["f".repeat(32)], ["p".repeat(32)]), PASSWORD)).not.to.equal(base);
        expect(exporterAuthHash(undefined, PASSWORD)).to.equal(undefined);
        const annotations = (spec: Record<string, unknown>) =>
            buildStatefulSet(model(spec), { configHash: "h", exporterAuthHash: base! }).spec!.template.metadata!.annotations!;
        expect(annotations({ exporter: { enabled: true } })["pulumi-valkey/exporter-auth"]).to.equal(base);
        expect(annotations({})["pulumi-valkey/exporter-auth"]).to.equal(undefined);
    });

    it("keeps the plain auth Secret without ACL", () => {
        expect(buildAuthSecret(model(), PASSWORD).stringData).to.deep.equal({
            password: PASSWORD,
            "auth.conf": `requirepass "${PASSWORD}"\nmasterauth "${PASSWORD}"\n`,
        });
    });
});
