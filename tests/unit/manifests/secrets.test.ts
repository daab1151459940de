import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import { commonLabels } from "../../../sdk/manifests/labels";
import { ConnectionInfo, buildAuthSecret, buildConnectionSecret, connectionUri } from "../../../sdk/manifests/secrets";
import { validateManifest } from "../../../sdk/manifests/validate";
import { startValkey, stopAllValkeys, tempDir } from "../../helpers/valkey";
import { MINIMAL_SPEC, SEED_000_SPEC, SEED_001_SPEC, redisModel, valkeyModel } from "./fixtures";

const CONN: ConnectionInfo = {
    host: "my-valkey.my-aiven-project.svc.cluster.local",
    port: 6379,
    user: "default",
    password: "p@ss:w/rd",
    ssl: false,
};

describe("manifests/secrets", () => {
    after(stopAllValkeys);

    describe("connectionUri", () => {
        it("percent-encodes the credentials and picks the scheme from ssl", () => {
            expect(connectionUri(CONN)).to.equal("redis://default:p%40ss%3Aw%2Frd@my-valkey.my-aiven-project.svc.cluster.local:6379");
            expect(connectionUri({ ...CONN, ssl: true, password: "plain" })).to.equal(
                "rediss://default:plain@my-valkey.my-aiven-project.svc.cluster.local:6379",
            );
        });

        it("brackets an IPv6 host", () => {
            expect(connectionUri({ ...CONN, host: "fd00::1", password: "x" })).to.equal("redis://default:x@[fd00::1]:6379");
        });

        it("round-trips any password through URL parsing", () => {
            const password = ` "'\\#?&%=+@:/[]!$`;
            expect(decodeURIComponent(new URL(connectionUri({ ...CONN, password })).password)).to.equal(password);
        });
    });

    describe("buildAuthSecret", () => {
        it("holds the password and auth.conf as <name>-auth", () => {
            const secret = buildAuthSecret(valkeyModel(SEED_000_SPEC), "Zx9-abc");
            validateManifest(secret);
            expect(secret.metadata!.name).to.equal("my-valkey-auth");
            expect(secret.metadata!.namespace).to.equal("my-aiven-project");
            expect(secret.type).to.equal("Opaque");
            expect(secret.stringData).to.deep.equal({ password: "Zx9-abc", "auth.conf": 'requirepass "Zx9-abc"\nmasterauth "Zx9-abc"\n' });
        });

        it("escapes quotes, backslashes and control characters", () => {
            const secret = buildAuthSecret(valkeyModel(MINIMAL_SPEC), 'a"b\\c\nrequirepass x\td');
            expect(secret.stringData!["auth.conf"]).to.equal(
                'requirepass "a\\"b\\\\c\\x0arequirepass x\\x09d"\nmasterauth "a\\"b\\\\c\\x0arequirepass x\\x09d"\n',
            );
        });

        it("refuses an empty password without echoing anything secret", () => {
            expect(() => buildAuthSecret(valkeyModel(MINIMAL_SPEC), "")).to.throw(
                "Secret my-valkey-auth: the password of the default user must not be empty (it would disable authentication)",
            );
        });

        // auth.conf is parsed by a real valkey-server: the escaped password is the one it requires.
        it("yields an auth.conf a real server loads with exactly that password", async () => {
            const password = `q"u\\o te#$ 'x`;
            const dir = tempDir();
            fs.writeFileSync(path.join(dir, "auth.conf"), buildAuthSecret(valkeyModel(MINIMAL_SPEC), password).stringData!["auth.conf"]);
            const server = await startValkey({ config: `include ${path.join(dir, "auth.conf")}\n` });
            const ping = (pw: string) =>
                execFileSync("valkey-cli", ["-p", String(server.port), "ping"], {
                    encoding: "utf8",
                    env: { ...process.env, REDISCLI_AUTH: pw },
                    stdio: ["ignore", "pipe", "ignore"],
                }).trim();
            expect(ping(password)).to.equal("PONG");
            expect(ping("q")).to.equal("NOAUTH Authentication required.");
            expect(
                execFileSync("valkey-cli", ["-p", String(server.port), "--user", "default", "--pass", password, "config", "get", "masterauth"], {
                    encoding: "utf8",
                    stdio: ["ignore", "pipe", "ignore"],
                }),
            ).to.equal(`masterauth\n${password}\n`);
        });
    });

    describe("buildConnectionSecret", () => {
        it("follows seeds/000: its target name, VALKEY_ keys, a URI and REDIS_URL", () => {
            const model = valkeyModel(SEED_000_SPEC);
            const secret = buildConnectionSecret(model, CONN)!;
            validateManifest(secret);
            expect(secret.metadata!.name).to.equal("my-valkey-secret");
            expect(secret.metadata!.namespace).to.equal("my-aiven-project");
            expect(secret.metadata!.labels).to.deep.equal({ ...commonLabels(model, "connection"), baz: "egg" });
            expect(secret.metadata!.labels!["app.kubernetes.io/component"]).to.equal("connection");
            expect(secret.metadata!.annotations).to.deep.equal({
                "pulumi-valkey/authSecretRef": '{"key":"token","name":"aiven-token"}',
                "pulumi-valkey/maintenance-window-dow": "sunday",
                "pulumi-valkey/maintenance-window-time": "11:00:00",
                foo: "bar",
            });
            const uri = "redis://default:p%40ss%3Aw%2Frd@my-valkey.my-aiven-project.svc.cluster.local:6379";
            expect(secret.stringData).to.deep.equal({
                VALKEY_HOST: "my-valkey.my-aiven-project.svc.cluster.local",
                VALKEY_PORT: "6379",
                VALKEY_USER: "default",
                VALKEY_PASSWORD: "p@ss:w/rd",
                VALKEY_SSL: "false",
                VALKEY_URI: uri,
                REDIS_URL: uri,
            });
        });

        it("uses seeds/001's custom prefix for a Redis resource, and rediss:// with ssl", () => {
            const secret = buildConnectionSecret(redisModel(SEED_001_SPEC), { ...CONN, host: "k8s-redis.my-aiven-project.svc", password: "pw", ssl: true })!;
            validateManifest(secret);
            expect(secret.metadata!.name).to.equal("redis-token");
            const uri = "rediss://default:pw@k8s-redis.my-aiven-project.svc:6379";
            expect(secret.stringData).to.deep.equal({
                MY_SECRET_PREFIX_HOST: "k8s-redis.my-aiven-project.svc",
                MY_SECRET_PREFIX_PORT: "6379",
                MY_SECRET_PREFIX_USER: "default",
                MY_SECRET_PREFIX_PASSWORD: "pw",
                MY_SECRET_PREFIX_SSL: "true",
                MY_SECRET_PREFIX_URI: uri,
                REDIS_URL: uri,
            });
        });

        it("defaults to the resource name and the engine's prefix", () => {
            const valkey = buildConnectionSecret(valkeyModel(MINIMAL_SPEC), CONN)!;
            expect(valkey.metadata!.name).to.equal("my-valkey");
            expect(Object.keys(valkey.stringData!)).to.deep.equal([
                "VALKEY_HOST",
                "VALKEY_PORT",
                "VALKEY_USER",
                "VALKEY_PASSWORD",
                "VALKEY_SSL",
                "VALKEY_URI",
                "REDIS_URL",
            ]);
            const redis = buildConnectionSecret(redisModel(MINIMAL_SPEC), CONN)!;
            expect(redis.metadata!.name).to.equal("k8s-redis");
            expect(Object.keys(redis.stringData!)).to.deep.equal([
                "REDIS_HOST",
                "REDIS_PORT",
                "REDIS_USER",
                "REDIS_PASSWORD",
                "REDIS_SSL",
                "REDIS_URI",
                "REDIS_URL",
            ]);
        });

        it("is not built when connInfoSecretTargetDisabled", () => {
            expect(buildConnectionSecret(valkeyModel({ ...SEED_000_SPEC, connInfoSecretTargetDisabled: true }), CONN)).to.equal(undefined);
        });
    });
});
