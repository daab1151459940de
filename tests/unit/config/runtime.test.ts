import { expect } from "chai";
import { Directive, valkeyDirectives } from "../../../sdk/config/directives";
import { RUNTIME_SETTABLE, classifyChanges } from "../../../sdk/config/runtime";
import { valkeyModel } from "./fixtures";

const d = (name: string, value: string): Directive => ({ name, value });

describe("config: classifyChanges", () => {
    it("no change: nothing to do", () => {
        const directives = valkeyDirectives(valkeyModel("startup-4"));
        expect(classifyChanges(directives, directives)).to.deep.equal({ live: [], restart: [], removed: [], restartNeeded: false });
    });

    it("runtime-settable changes are live, in `after` order", () => {
        const before = [d("maxmemory", "100mb"), d("timeout", "300"), d("save", "600 1")];
        const after = [d("save", ""), d("maxmemory", "200mb"), d("timeout", "300")];
        expect(classifyChanges(before, after)).to.deep.equal({
            live: [d("save", ""), d("maxmemory", "200mb")],
            restart: [],
            removed: [],
            restartNeeded: false,
        });
    });

    it("a changed restart-only directive needs a restart; live ones still go live", () => {
        const before = [d("databases", "16"), d("io-threads", "1"), d("timeout", "300")];
        const after = [d("databases", "32"), d("io-threads", "1"), d("timeout", "0")];
        expect(classifyChanges(before, after)).to.deep.equal({
            live: [d("timeout", "0")],
            restart: [d("databases", "32")],
            removed: [],
            restartNeeded: true,
        });
    });

    it("an added directive is live or restart by its name", () => {
        const after = [d("tls-cert-file", "/c"), d("tls-port", "6380"), d("cluster-enabled", "yes")];
        expect(classifyChanges([], after)).to.deep.equal({
            live: [d("tls-cert-file", "/c")],
            restart: [d("tls-port", "6380"), d("cluster-enabled", "yes")],
            removed: [],
            restartNeeded: true,
        });
    });

    it("a removed directive needs a restart, even a runtime-settable one", () => {
        const before = [d("timeout", "300"), d("tls-protocols", "TLSv1.3")];
        expect(classifyChanges(before, [d("timeout", "300")])).to.deep.equal({
            live: [],
            restart: [],
            removed: [d("tls-protocols", "TLSv1.3")],
            restartNeeded: true,
        });
    });

    it("refuses a directive listed twice", () => {
        expect(() => classifyChanges([d("save", "600 1"), d("save", "")], [])).to.throw(
            'classifyChanges: before has directive "save" more than once; pass one value per directive',
        );
        expect(() => classifyChanges([], [d("bind", "*"), d("bind", "::")])).to.throw('classifyChanges: after has directive "bind" more than once');
    });

    describe("between rendered configs", () => {
        const rows: Array<{
            what: string;
            from: [string, Record<string, unknown>];
            to: [string, Record<string, unknown>];
            live: Directive[];
            restart: Directive[];
        }> = [
            {
                what: "maxmemory policy and LFU tuning",
                from: ["startup-4", {}],
                to: ["startup-4", { valkey_maxmemory_policy: "allkeys-lfu", valkey_lfu_log_factor: 20, valkey_lfu_decay_time: 5 }],
                live: [d("maxmemory-policy", "allkeys-lfu"), d("lfu-log-factor", "20"), d("lfu-decay-time", "5")],
                restart: [],
            },
            {
                what: "a bigger plan: maxmemory",
                from: ["startup-4", {}],
                to: ["startup-8", {}],
                live: [d("maxmemory", "6144mb")],
                restart: [],
            },
            {
                what: "io threads and databases (Aiven: 'will cause a restart')",
                from: ["startup-4", { valkey_timeout: 10 }],
                to: ["startup-4", { valkey_io_threads: 4, valkey_number_of_databases: 8, valkey_timeout: 20 }],
                live: [d("timeout", "20")],
                restart: [d("databases", "8"), d("io-threads", "4")],
            },
            {
                what: "persistence off: no snapshots, more memory",
                from: ["startup-4", {}],
                to: ["startup-4", { valkey_persistence: "off" }],
                live: [d("maxmemory", "3481mb"), d("save", ""), d("shutdown-on-sigterm", "default"), d("shutdown-on-sigint", "default")],
                restart: [],
            },
            {
                what: "pub/sub limit, notifications, channel default",
                from: ["startup-4", {}],
                to: [
                    "startup-4",
                    { valkey_pubsub_client_output_buffer_limit: 128, valkey_notify_keyspace_events: "Ex", valkey_acl_channels_default: "resetchannels" },
                ],
                live: [d("client-output-buffer-limit", "pubsub 128mb 32mb 60"), d("notify-keyspace-events", "Ex"), d("acl-pubsub-default", "resetchannels")],
                restart: [],
            },
            {
                what: "turning TLS on",
                from: ["startup-4", {}],
                to: ["startup-4", { valkey_ssl: true }],
                live: [
                    d("tls-cert-file", "/etc/valkey-tls/tls.crt"),
                    d("tls-key-file", "/etc/valkey-tls/tls.key"),
                    d("tls-ca-cert-file", "/etc/valkey-tls/ca.crt"),
                    d("tls-auth-clients", "optional"),
                    d("tls-replication", "yes"),
                    d("tls-protocols", "TLSv1.2 TLSv1.3"),
                ],
                restart: [d("port", "0"), d("tls-port", "6379")],
            },
        ];
        for (const { what, from, to, live, restart } of rows) {
            it(what, () => {
                const changes = classifyChanges(valkeyDirectives(valkeyModel(...from)), valkeyDirectives(valkeyModel(...to)));
                expect(changes).to.deep.equal({ live, restart, removed: [], restartNeeded: restart.length > 0 });
            });
        }

        it("switching plans between persistence modes removes nothing", () => {
            for (const [from, to] of [
                ["free", "standard"],
                ["standard", "pro"],
                ["pro", "free"],
            ]) {
                expect(classifyChanges(valkeyDirectives(valkeyModel(from)), valkeyDirectives(valkeyModel(to))).removed, `${from} -> ${to}`).to.deep.equal([]);
            }
        });
    });

    it("RUNTIME_SETTABLE leaves out what 8.0 refuses live and the listener ports", () => {
        for (const name of [
            "io-threads",
            "databases",
            "daemonize",
            "dir",
            "cluster-enabled",
            "cluster-config-file",
            "aclfile",
            "appendfilename",
            "include",
            "port",
            "tls-port",
            "bind",
        ]) {
            expect(RUNTIME_SETTABLE.has(name), name).to.equal(false);
        }
    });
});
