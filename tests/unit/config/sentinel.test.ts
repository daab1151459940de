import { expect } from "chai";
import { renderSentinelAuthConf, renderSentinelConf, sentinelDirectives } from "../../../sdk/config/sentinel";
import { valkeyModel } from "./fixtures";

const HEADER = [
    '# sentinel.conf of valkey service "cache", plan premium-4.',
    "# Rendered by pulumi-valkey; Sentinel rewrites its running copy as it learns the topology.",
    "# No secrets here: they come from the include at the end.",
];
const PRIMARY = "cache-0.cache-headless.config-test.svc.cluster.local";

describe("config: renderSentinelConf", () => {
    it("renders the defaults for a primary + replicas group", () => {
        expect(renderSentinelConf(valkeyModel("premium-4"), { primaryHost: PRIMARY })).to.equal(
            [
                ...HEADER,
                "bind * -::*",
                "protected-mode no",
                "port 26379",
                "daemonize no",
                "dir /sentinel-data",
                "sentinel resolve-hostnames yes",
                "sentinel announce-hostnames yes",
                `sentinel monitor cache ${PRIMARY} 6379 2`,
                "sentinel down-after-milliseconds cache 5000",
                "sentinel failover-timeout cache 60000",
                "sentinel parallel-syncs cache 1",
                "include /etc/valkey-auth/sentinel-auth.conf",
                "",
            ].join("\n"),
        );
    });

    it("renders every option", () => {
        expect(
            renderSentinelConf(valkeyModel("premium-4"), {
                primaryHost: "10.0.0.5",
                primaryPort: 7000,
                group: "main",
                quorum: 3,
                downAfterMs: 10000,
                failoverTimeoutMs: 180000,
                parallelSyncs: 2,
                port: 27000,
                dataDir: "/var/sentinel",
                authInclude: null,
            }),
        ).to.equal(
            [
                ...HEADER,
                "bind * -::*",
                "protected-mode no",
                "port 27000",
                "daemonize no",
                "dir /var/sentinel",
                "sentinel resolve-hostnames yes",
                "sentinel announce-hostnames yes",
                "sentinel monitor main 10.0.0.5 7000 3",
                "sentinel down-after-milliseconds main 10000",
                "sentinel failover-timeout main 180000",
                "sentinel parallel-syncs main 2",
                "",
            ].join("\n"),
        );
    });

    it("valkey_ssl: a TLS-only Sentinel that reaches the data nodes over TLS", () => {
        const directives = sentinelDirectives(valkeyModel("premium-4", { valkey_ssl: true }), { primaryHost: PRIMARY });
        expect(directives).to.deep.equal([
            { name: "bind", value: "* -::*" },
            { name: "protected-mode", value: "no" },
            { name: "port", value: "0" },
            { name: "daemonize", value: "no" },
            { name: "dir", value: "/sentinel-data" },
            { name: "tls-port", value: "26379" },
            { name: "tls-cert-file", value: "/etc/valkey-tls/tls.crt" },
            { name: "tls-key-file", value: "/etc/valkey-tls/tls.key" },
            { name: "tls-ca-cert-file", value: "/etc/valkey-tls/ca.crt" },
            { name: "tls-auth-clients", value: "optional" },
            { name: "tls-replication", value: "yes" },
            { name: "tls-protocols", value: "TLSv1.2 TLSv1.3" },
            { name: "sentinel", value: "resolve-hostnames yes" },
            { name: "sentinel", value: "announce-hostnames yes" },
            { name: "sentinel", value: `monitor cache ${PRIMARY} 6379 2` },
            { name: "sentinel", value: "down-after-milliseconds cache 5000" },
            { name: "sentinel", value: "failover-timeout cache 60000" },
            { name: "sentinel", value: "parallel-syncs cache 1" },
            { name: "include", value: "/etc/valkey-auth/sentinel-auth.conf" },
        ]);
    });

    it("refuses a quorum below 1 and a group name Sentinel cannot parse", () => {
        expect(() => sentinelDirectives(valkeyModel("premium-4"), { primaryHost: PRIMARY, quorum: 0 })).to.throw(
            "cache: the Sentinel quorum must be a whole number of at least 1 (got 0)",
        );
        expect(() => sentinelDirectives(valkeyModel("premium-4"), { primaryHost: PRIMARY, group: "my group" })).to.throw(
            `cache: the Sentinel group name "my group" may only hold letters, digits, '.', '_' and '-'`,
        );
    });

    it("renderSentinelAuthConf quotes the password and refuses an empty one", () => {
        expect(renderSentinelAuthConf("cache", "p4ss")).to.equal("sentinel auth-pass cache p4ss\n");
        expect(renderSentinelAuthConf("cache", 'a b"c')).to.equal('sentinel auth-pass cache "a b\\"c"\n');
        expect(() => renderSentinelAuthConf("cache", "")).to.throw('Sentinel group "cache": the password must not be empty');
    });
});
