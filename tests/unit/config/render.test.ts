import { expect } from "chai";
import { quoteConfigValue, renderDirective, renderValkeyConf } from "../../../sdk/config/render";
import { redisModel, valkeyModel } from "./fixtures";

describe("config: renderValkeyConf", () => {
    it("renders the whole file for Aiven's defaults", () => {
        expect(renderValkeyConf(valkeyModel("startup-4"))).to.equal(
            [
                '# valkey.conf of valkey service "cache", plan startup-4.',
                "# Rendered by pulumi-valkey from the spec: change the spec, not this file.",
                "# No secrets here: they come from the include at the end.",
                "bind * -::*",
                "protected-mode no",
                "port 6379",
                "daemonize no",
                "dir /data",
                "databases 16",
                "timeout 300",
                "io-threads 1",
                "maxmemory 3072mb",
                "maxmemory-policy noeviction",
                "lfu-log-factor 10",
                "lfu-decay-time 1",
                "client-output-buffer-limit pubsub 32mb 8mb 60",
                'notify-keyspace-events ""',
                "acl-pubsub-default allchannels",
                "save 600 1",
                "appendonly no",
                "appendfsync everysec",
                "aof-use-rdb-preamble yes",
                "shutdown-on-sigterm save",
                "shutdown-on-sigint save",
                "repl-diskless-sync yes",
                "repl-diskless-sync-delay 1",
                "include /etc/valkey-auth/auth.conf",
                "",
            ].join("\n"),
        );
    });

    it("renders a TLS cluster node of a Redis service on the free plan", () => {
        const model = redisModel("free", { redis_ssl: true, redis_notify_keyspace_events: "Ex", redis_timeout: 0 }, "sessions");
        expect(
            renderValkeyConf(model, { dataDir: "/var/lib/my data", authInclude: null, cluster: { announceHostname: "sessions-0.sessions-headless" } }),
        ).to.equal(
            [
                '# valkey.conf of redis service "sessions", plan free.',
                "# Rendered by pulumi-valkey from the spec: change the spec, not this file.",
                "# No secrets here: they come from the include at the end.",
                "bind * -::*",
                "protected-mode no",
                "port 0",
                "daemonize no",
                'dir "/var/lib/my data"',
                "databases 1",
                "timeout 0",
                "io-threads 1",
                "maxmemory 48mb",
                "maxmemory-policy noeviction",
                "lfu-log-factor 10",
                "lfu-decay-time 1",
                "client-output-buffer-limit pubsub 32mb 8mb 60",
                "notify-keyspace-events Ex",
                "acl-pubsub-default allchannels",
                'save ""',
                "appendonly no",
                "appendfsync everysec",
                "aof-use-rdb-preamble yes",
                "shutdown-on-sigterm default",
                "shutdown-on-sigint default",
                "repl-diskless-sync yes",
                "repl-diskless-sync-delay 1",
                "tls-port 6379",
                "tls-cert-file /etc/valkey-tls/tls.crt",
                "tls-key-file /etc/valkey-tls/tls.key",
                "tls-ca-cert-file /etc/valkey-tls/ca.crt",
                "tls-auth-clients optional",
                "tls-replication yes",
                "tls-cluster yes",
                'tls-protocols "TLSv1.2 TLSv1.3"',
                "cluster-enabled yes",
                'cluster-config-file "/var/lib/my data/nodes.conf"',
                "cluster-node-timeout 2000",
                "cluster-allow-replica-migration no",
                "cluster-replica-validity-factor 0",
                "cluster-require-full-coverage no",
                "cluster-announce-hostname sessions-0.sessions-headless",
                "cluster-preferred-endpoint-type hostname",
                "",
            ].join("\n"),
        );
    });

    describe("quoteConfigValue", () => {
        const rows: Array<[string, string]> = [
            ["noeviction", "noeviction"],
            ["K$", "K$"],
            ["/data", "/data"],
            ["", '""'],
            ["TLSv1.2 TLSv1.3", '"TLSv1.2 TLSv1.3"'],
            ["a\tb", '"a\\tb"'],
            ["it's", '"it\'s"'],
            ['say "hi"', '"say \\"hi\\""'],
            ["C:\\dir", '"C:\\\\dir"'],
            ["line\nbreak\r", '"line\\nbreak\\r"'],
            ["bell\u0007", '"bell\\x07"'],
        ];
        for (const [value, expected] of rows) {
            it(`${JSON.stringify(value)} -> ${expected}`, () => {
                expect(quoteConfigValue(value)).to.equal(expected);
            });
        }
    });

    describe("renderDirective", () => {
        const rows: Array<[string, string, string]> = [
            ["save", "", 'save ""'],
            ["save", "600 1", "save 600 1"],
            ["save", "3600 1 300 100", "save 3600 1 300 100"],
            ["bind", "* -::*", "bind * -::*"],
            ["client-output-buffer-limit", "pubsub 64mb 16mb 60", "client-output-buffer-limit pubsub 64mb 16mb 60"],
            ["notify-keyspace-events", "", 'notify-keyspace-events ""'],
            ["tls-protocols", "TLSv1.2 TLSv1.3", 'tls-protocols "TLSv1.2 TLSv1.3"'],
            ["maxmemory", "48mb", "maxmemory 48mb"],
        ];
        for (const [name, value, expected] of rows) {
            it(`{${name}, ${JSON.stringify(value)}} -> ${expected}`, () => {
                expect(renderDirective({ name, value })).to.equal(expected);
            });
        }
    });
});
