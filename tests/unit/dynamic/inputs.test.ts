import { expect } from "chai";
import { checkChange, checkInputs, diffInputs, nodeOutputs, resourceId, settingsOf, UNKNOWN } from "../../../provider/dynamic/inputs";
import { topologyResourceOptions } from "../../../sdk/resources/topology";

const valid = {
    providerVersion: "0.1.0",
    topology: { kind: "cluster", masters: 3, replicasPerMaster: 1 },
    transport: { kind: "kubernetes", kubeconfig: "apiVersion: v1", namespace: "apps", statefulSet: "cache", replicas: 6, port: 6379 },
    password: "secret",
};

describe("dynamic provider: check and diff", () => {
    it("accepts valid inputs, and values unknown during preview", () => {
        expect(checkInputs(valid)).to.deep.equal([]);
        expect(
            checkInputs({
                providerVersion: UNKNOWN,
                topology: { kind: "cluster", masters: UNKNOWN, replicasPerMaster: 1 },
                transport: { kind: "kubernetes", namespace: UNKNOWN, statefulSet: UNKNOWN, replicas: UNKNOWN },
                password: UNKNOWN,
            }),
        ).to.deep.equal([]);
        expect(checkInputs({ providerVersion: "1", topology: UNKNOWN, transport: UNKNOWN })).to.deep.equal([]);
    });

    it("reports every problem with its property path", () => {
        expect(
            checkInputs({
                providerVersion: "",
                topology: { kind: "cluster", masters: 3, replicasPerMaster: 1 },
                transport: { kind: "direct", nodes: [{ dial: "127.0.0.1:7000" }, { dial: "nonsense", announce: 5 }, "x"] },
                timeoutSeconds: 0,
            }),
        ).to.deep.equal([
            { property: "providerVersion", reason: "must be a non-empty string" },
            { property: "transport.nodes[1].dial", reason: '"nonsense" is not a host:port address' },
            { property: "transport.nodes[1].announce", reason: "must be a host:port string" },
            { property: "transport.nodes[2]", reason: "must be an object with a dial address" },
            { property: "topology", reason: "the topology needs at least 6 nodes (3 primaries x (1 + 1 replicas)), but 3 were given" },
            { property: "timeoutSeconds", reason: "must be a number of seconds > 0" },
        ]);
        expect(checkInputs({ ...valid, tls: { ca: "PEM", cert: "PEM" } })).to.deep.equal([
            { property: "tls", reason: "cert and key go together: they are the client certificate this provider presents and its private key" },
        ]);
        expect(checkInputs({ ...valid, tls: { ca: "PEM", cert: UNKNOWN } })).to.deep.equal([]);
        expect(checkInputs({ providerVersion: "1", topology: { kind: "ring" }, transport: { kind: "ssh" } })).to.deep.equal([
            { property: "transport.kind", reason: 'must be "direct" or "kubernetes" (got "ssh")' },
            { property: "topology", reason: 'unknown topology kind "ring" (expected standalone, replicated or cluster)' },
        ]);
        expect(checkInputs({ ...valid, transport: { kind: "kubernetes", namespace: "", statefulSet: "cache", replicas: 0 } })).to.deep.equal([
            { property: "transport.namespace", reason: "must be a non-empty string" },
            { property: "transport.replicas", reason: "must be a whole number >= 1" },
        ]);
    });

    it("never replaces: a topology change is an update; a new kubeconfig alone changes nothing", () => {
        const outs = { ...valid, state: "RUNNING", nodes: [] };
        expect(diffInputs(outs, valid)).to.deep.equal({
            changes: false,
            replaces: [],
            stables: [
                "providerVersion",
                "topology",
                "username",
                "password",
                "sentinelPassword",
                "tls",
                "settings",
                "acl",
                "tlsReload",
                "config",
                "rollout",
                "drainBeforeScaleIn",
                "transport",
            ],
        });
        expect(diffInputs(outs, { ...valid, transport: { ...valid.transport, kubeconfig: "another" } }).changes).to.equal(false);
        expect(diffInputs(outs, { ...valid, topology: { kind: "cluster", masters: 3, replicasPerMaster: 2 } })).to.deep.equal({
            changes: true,
            replaces: [],
            stables: [
                "providerVersion",
                "username",
                "password",
                "sentinelPassword",
                "tls",
                "settings",
                "acl",
                "tlsReload",
                "config",
                "rollout",
                "drainBeforeScaleIn",
                "transport",
            ],
        });
        expect(diffInputs(outs, { ...valid, transport: { ...valid.transport, replicas: 9 } }).stables).not.to.include("transport");
        // During preview an unknown value may change anything.
        expect(diffInputs(outs, { ...valid, password: UNKNOWN }).changes).to.equal(true);
    });

    it("reports nodes, ids and settings for the outputs", () => {
        expect(
            nodeOutputs([
                { name: "a", address: "10.0.0.1:6379", id: "abc", role: "primary", slots: [{ start: 0, end: 5460 }] },
                { name: "b", address: "10.0.0.2:6379", role: "replica", primary: "a", slots: [] },
            ]),
        ).to.deep.equal([
            { name: "a", address: "10.0.0.1:6379", id: "abc", role: "primary", slots: "0-5460" },
            { name: "b", address: "10.0.0.2:6379", role: "replica", primary: "a", slots: "" },
        ]);
        expect(resourceId(valid as never)).to.equal("apps/cache");
        expect(resourceId({ ...valid, transport: { kind: "direct", nodes: [{ dial: "127.0.0.1:1", announce: "10.0.0.1:6379" }] } } as never)).to.equal(
            "10.0.0.1:6379",
        );
        expect(settingsOf({ ...valid, settings: { clusterNodeTimeoutMs: 2000 } } as never)).to.deep.equal({ "cluster-node-timeout": 2000 });
    });

    it("marks the password, the transport (kubeconfig), the TLS material and the ACL users as secret outputs", () => {
        expect(topologyResourceOptions({ additionalSecretOutputs: ["x"], protect: true })).to.deep.equal({
            protect: true,
            additionalSecretOutputs: ["x", "password", "sentinelPassword", "transport", "tls", "acl"],
        });
    });
});

describe("checkInputs and diffInputs: config and rollout", () => {
    const base = {
        providerVersion: "1.0.0",
        topology: { kind: "cluster", masters: 3, replicasPerMaster: 1 },
        transport: { kind: "kubernetes", namespace: "ns", statefulSet: "cache", replicas: 6 },
    };

    it("names every bad config and rollout field with its rule", () => {
        expect(
            checkInputs({
                ...base,
                config: { "Max Memory": "1", timeout: 5 },
                rollout: { revision: "", window: { dow: "funday", time: "25:00" }, force: "yes" },
            }),
        ).to.deep.equal([
            { property: "config.Max Memory", reason: "is not a directive name (lower-case letters, digits and dashes)" },
            { property: "config.timeout", reason: "must be a string (the CONFIG SET argument)" },
            { property: "rollout.revision", reason: "must be a non-empty string" },
            { property: "rollout.window.dow", reason: 'must be one of monday, tuesday, wednesday, thursday, friday, saturday, sunday (got "funday")' },
            { property: "rollout.window.time", reason: 'must be HH:mm:ss (UTC) (got "25:00")' },
            { property: "rollout.force", reason: "must be true or false" },
        ]);
    });

    it("refuses rolling restarts over the direct transport", () => {
        expect(
            checkInputs({
                ...base,
                transport: { kind: "direct", nodes: [{ dial: "127.0.0.1:7000" }] },
                topology: { kind: "standalone" },
                rollout: { revision: "r1" },
            }),
        ).to.deep.equal([{ property: "rollout", reason: "needs the kubernetes transport: a node is restarted by deleting its pod" }]);
    });

    it("a pending restart makes the first diff inside the maintenance window an update, not one before", () => {
        const rollout = { revision: "r2", window: { dow: "sunday", time: "03:00:00" } };
        const olds = { ...base, rollout, pendingRestart: { revision: "r2", nodes: ["cache-0"], reason: "waiting", notBefore: "2026-11-22T03:00:00.000Z" } };
        const news = { ...base, rollout };
        // Saturday 2026-11-21 12:00 UTC: the window opens on Sunday 03:00.
        expect(diffInputs(olds, news, new Date("2026-11-21T12:00:00Z")).changes).to.equal(false);
        expect(diffInputs(olds, news, new Date("2026-11-22T03:30:00Z")).changes).to.equal(true);
        expect(diffInputs(olds, { ...news, rollout: { ...rollout, force: true } }, new Date("2026-11-21T12:00:00Z")).changes).to.equal(true);
        // Without a pending restart, the same inputs are no change at any time.
        const { pendingRestart: _p, ...settled } = olds;
        expect(diffInputs(settled, news, new Date("2026-11-22T03:30:00Z")).changes).to.equal(false);
    });

    it("a new revision or config is an update", () => {
        expect(diffInputs({ ...base, rollout: { revision: "r1" } }, { ...base, rollout: { revision: "r2" } }).changes).to.equal(true);
        expect(diffInputs({ ...base, config: { timeout: "0" } }, { ...base, config: { timeout: "60" } }).changes).to.equal(true);
        expect(diffInputs({ ...base, config: { timeout: "0" } }, { ...base, config: { timeout: "0" } }).changes).to.equal(false);
    });
});

describe("checkChange and credential directives", () => {
    const base = {
        providerVersion: "1.0.0",
        topology: { kind: "standalone" },
        transport: { kind: "kubernetes", namespace: "ns", statefulSet: "cache", replicas: 1 },
    };
    const running = { ...base, state: "RUNNING" };

    it("refuses turning TLS on or off on running nodes, naming the rule", () => {
        expect(checkChange(running, { ...base, tls: { ca: "pem" } })).to.deep.equal([
            {
                property: "tls",
                reason: "tls cannot be turned on after creation (was unset, now true): clients connect over one protocol on port 6379, and turning TLS on or off would cut every client that speaks the other one; the pods would also have to restart before the provider could reach them over the new protocol. Leave it unset, or create a new resource and move the data.",
            },
        ]);
        expect(checkChange({ ...running, tls: { ca: "pem" } }, base)[0].reason).to.equal(
            "tls cannot be turned off after creation (was true, now unset): clients connect over one protocol on port 6379, and turning TLS on or off would cut every client that speaks the other one; the pods would also have to restart before the provider could reach them over the new protocol. Keep true, or create a new resource and move the data.",
        );
    });

    it("refuses it with the olds Pulumi really passes to check: the recorded inputs, without the state output", () => {
        // A dynamic provider's check receives the previous inputs (checked with the Pulumi CLI 3.248.0).
        expect(checkChange({ ...base, __provider: "exports.handler = ..." }, { ...base, tls: { ca: "pem" } }).map((f) => f.property)).to.deep.equal(["tls"]);
        expect(checkChange({ ...base, tls: { ca: "pem" } }, base)[0].reason).to.equal(
            "tls cannot be turned off after creation (was true, now unset): clients connect over one protocol on port 6379, and turning TLS on or off would cut every client that speaks the other one; the pods would also have to restart before the provider could reach them over the new protocol. Keep true, or create a new resource and move the data.",
        );
    });

    it("allows it on create, for values not known yet, with TLS unchanged, and for the scale-in step", () => {
        expect(checkChange({}, { ...base, tls: { ca: "pem" } })).to.deep.equal([]);
        expect(checkChange(running, { ...base, tls: UNKNOWN })).to.deep.equal([]);
        expect(checkChange({ ...running, tls: { ca: "a" } }, { ...base, tls: { ca: "b" } })).to.deep.equal([]);
        expect(checkChange(running, { ...base, tls: { ca: "pem" }, drainBeforeScaleIn: true })).to.deep.equal([]);
    });

    it("refuses a change into or out of a cluster topology on running nodes, as a Valkey plan change to a registered cluster plan records it (review20)", () => {
        const cluster = { kind: "cluster", masters: 3, replicasPerMaster: 1 };
        expect(checkChange(running, { ...base, topology: cluster }).map((f) => f.property)).to.deep.equal(["topology.kind"]);
        expect(checkChange({ ...base, topology: { kind: "replicated", replicas: 1 } }, { ...base, topology: cluster }).map((f) => f.property)).to.deep.equal([
            "topology.kind",
        ]);
        expect(checkChange({ ...base, topology: cluster }, { ...base, topology: { kind: "standalone" } }).map((f) => f.property)).to.deep.equal([
            "topology.kind",
        ]);
        // standalone and replicated may change into each other; unknown kinds are judged later.
        expect(checkChange(running, { ...base, topology: { kind: "replicated", replicas: 2 } })).to.deep.equal([]);
        expect(checkChange(running, { ...base, topology: { kind: UNKNOWN } })).to.deep.equal([]);
    });

    it("reports turning TLS on with external certificates once, under tls", () => {
        expect(checkChange(running, { ...base, tls: { ca: "pem", serverName: "c.ns.svc.cluster.local" } }).map((f) => f.property)).to.deep.equal(["tls"]);
    });

    it("refuses switching between internal and external certificates on running nodes", () => {
        expect(checkChange({ ...running, tls: { ca: "a" } }, { ...base, tls: { ca: "b", serverName: "c.ns.svc.cluster.local" } })[0].reason).to.equal(
            'tls.serverName cannot be set after creation (was unset, now "c.ns.svc.cluster.local"): the certificates cannot switch between internal and external (ValkeyCluster tls.externalCerts) on running nodes: the pods would mount the other Secret only after a restart, which the provider needs them to present the new certificate for. Leave it unset, or create a new resource and move the data.',
        );
        // Never the certificates themselves: a new CA is no change of the rules' values.
        expect(checkChange({ ...running, tls: { ca: "a" } }, { ...base, tls: { ca: "b" } })).to.deep.equal([]);
        expect(checkChange({ ...running, tls: { ca: "a", serverName: "s" } }, { ...base, tls: { ca: "b", serverName: "t" } })).to.deep.equal([]);
        expect(checkChange({ ...running, tls: { ca: "a", serverName: "s" } }, { ...base, tls: { ca: "b", serverName: "s" } })).to.deep.equal([]);
    });

    it("keeps credentials out of config (its values appear in lastActions)", () => {
        expect(checkInputs({ ...base, config: { requirepass: "x", timeout: "0" } })).to.deep.equal([
            {
                property: "config.requirepass",
                reason: "carries a credential: set it through the auth include (and the password input), not config, whose values appear in lastActions",
            },
        ]);
    });
});
