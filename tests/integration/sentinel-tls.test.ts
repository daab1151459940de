// A TLS-only Sentinel plan (valkey_ssl) on loopback with real processes: 3 data nodes started by
// the rendered start script with the rendered TLS directives, 3 Sentinels with the rendered TLS
// sentinel.conf, no plaintext listener anywhere. Proves that the Sentinels monitor over TLS, that
// the provider verifies the replicated topology over TLS and reloads the certificate live, that a
// SIGKILLed primary is replaced by a replica, and that TLS clients (Sentinel-aware and direct)
// reach the new primary. Also records why Sentinels roll on a renewal instead of reloading.
import * as fs from "fs";
import { expect } from "chai";
import Valkey from "iovalkey";
import { topologyHandlers } from "../../provider/dynamic/handlers";
import { TopologyInputs } from "../../provider/dynamic/inputs";
import { certificateFingerprint, tlsReloadCommand } from "../../provider/security/tls-reload";
import { HOST, SentinelPlan, startSentinelPlan, until } from "../helpers/sentinel";
import { TestCertificates, makeCertificates } from "../helpers/tls";
import { rawCommand, stopAllValkeys } from "../helpers/valkey";
import { valkeyModel } from "../unit/manifests/fixtures";

// Not 1000: a Sentinel pings every min(down-after, 1 s), so at 1000 ms the first PING to a just
// promoted primary answered a little late on a loaded machine marked it down, and the Sentinels
// failed over a second time (measured: +odown of the new primary 1.06 s after +switch-master).
const DOWN_AFTER_MS = 2000;

describe("Sentinel plan with TLS only (real processes on loopback)", function () {
    this.timeout(90000);
    const model = valkeyModel({ project: "p", plan: "premium-4", userConfig: { valkey_ssl: true } }, "ha");
    const clients: Valkey[] = [];
    let certs: TestCertificates;
    let plan: SentinelPlan;
    const ca = () => fs.readFileSync(certs.caFile, "utf8");
    const field = (reply: string, name: string) => {
        const lines = reply.split("\n");
        return lines[lines.indexOf(name) + 1];
    };

    before(async () => {
        certs = makeCertificates();
        plan = await startSentinelPlan({ model, downAfterMs: DOWN_AFTER_MS, tls: certs });
    });

    after(async () => {
        for (const client of clients) client.disconnect();
        plan?.killNodes();
        await stopAllValkeys();
    });

    it("listens with TLS only, replicates and monitors over TLS", async () => {
        const { nodes, sentinelPorts, group, cli, sentinel } = plan;
        for (const node of nodes) {
            expect(cli(node.port, "CONFIG", "GET", "port").trim().split("\n")).to.deep.equal(["port", "0"]);
            expect(cli(node.port, "CONFIG", "GET", "tls-replication").trim().split("\n")).to.deep.equal(["tls-replication", "yes"]);
        }
        // A plaintext client gets nothing from a TLS port, data node or Sentinel.
        for (const port of [nodes[0].port, sentinelPorts[0]]) {
            expect(
                await rawCommand(port, "PING").then(
                    (r) => `answered ${r}`,
                    () => "no answer",
                ),
            ).to.equal("no answer");
        }
        for (const n of nodes.slice(1)) expect(cli(n.port, "INFO", "replication")).to.contain(`master_port:${nodes[0].port}`);
        // With no plaintext port, the Sentinels can only know this through TLS links.
        for (const port of sentinelPorts) {
            const master = sentinel(port, "SENTINEL", "master", group);
            expect([field(master, "port"), field(master, "flags"), field(master, "num-slaves"), field(master, "num-other-sentinels")]).to.deep.equal([
                String(nodes[0].port),
                "master",
                "2",
                "2",
            ]);
        }
        expect(await Promise.all(nodes.map(plan.probe))).to.deep.equal([true, false, false]);
    });

    it("is verified as replicated by the provider over TLS, which reloads the certificate on every node", async () => {
        const { nodes, password } = plan;
        const files = plan.tlsFiles!;
        const inputs: TopologyInputs = {
            providerVersion: "1.0.0",
            topology: { kind: "replicated", replicas: 2 },
            transport: { kind: "direct", nodes: nodes.map((n) => ({ dial: `${HOST}:${n.port}` })) },
            password,
            tls: { ca: ca() },
            tlsReload: { certPem: fs.readFileSync(files.certFile, "utf8"), paths: files, timeoutSeconds: 10 },
            timeoutSeconds: 30,
        };
        const runIds = nodes.map((n) => plan.cli(n.port, "INFO", "server").match(/^run_id:(\w+)/m)![1]);
        const created = await topologyHandlers.create(inputs);
        const fingerprint = certificateFingerprint(fs.readFileSync(files.certFile, "utf8"));
        const names = nodes.map((n) => `${HOST}:${n.port}`);
        expect(created.outs.state).to.equal("RUNNING");
        expect(created.outs.nodes.map((n) => [n.name, n.role])).to.deep.equal([
            [names[0], "primary"],
            [names[1], "replica"],
            [names[2], "replica"],
        ]);
        // Already converged by the start script: the only actions are the reloads.
        const command = tlsReloadCommand(files).join(" ");
        expect(created.outs.lastActions).to.deep.equal(names.map((n) => `${n}: ${command} (reload the TLS files: presents ${fingerprint} after 1 attempt)`));
        expect(created.outs.tlsStatus).to.deep.equal(names.map((node) => ({ node, status: "Reloaded", fingerprint })));
        expect(nodes.map((n) => plan.cli(n.port, "INFO", "server").match(/^run_id:(\w+)/m)![1])).to.deep.equal(runIds);
    });

    it("cannot reload a Sentinel's TLS files live: no CONFIG, and SENTINEL CONFIG SET refuses them", () => {
        const port = plan.sentinelPorts[0];
        expect(plan.sentinel(port, "CONFIG", "SET", "tls-cert-file", plan.tlsFiles!.certFile).trim()).to.equal(
            `ERR unknown command 'CONFIG', with args beginning with: 'SET' 'tls-cert-file' '${plan.tlsFiles!.certFile}'`,
        );
        expect(plan.sentinel(port, "SENTINEL", "CONFIG", "SET", "tls-cert-file", plan.tlsFiles!.certFile).trim()).to.equal(
            "ERR Invalid argument 'tls-cert-file' to SENTINEL CONFIG SET",
        );
    });

    it("fails over when the primary is killed, and TLS clients reach the new primary", async () => {
        const { nodes, sentinelPorts, group, password, sentinelPassword, cli, probe, failoverEvents, currentPrimary } = plan;
        const aware = new Valkey({
            sentinels: sentinelPorts.map((port) => ({ host: HOST, port })),
            name: group,
            password,
            sentinelPassword,
            enableTLSForSentinelMode: true,
            sentinelTLS: { ca: ca() },
            tls: { ca: ca() },
            commandTimeout: 1000,
            maxRetriesPerRequest: 1,
            retryStrategy: () => 100,
            sentinelRetryStrategy: () => 100,
        });
        aware.on("error", () => undefined); // the writes below say whether it works
        clients.push(aware);
        await aware.set("before", "1");

        nodes[0].child!.kill("SIGKILL");
        await until("the Sentinels name a new primary", () => [nodes[1], nodes[2]].includes(currentPrimary()!), 30000).catch((e: Error) => {
            throw new Error(`${e.message}\n${failoverEvents()}`);
        });
        const primary = currentPrimary()!;
        const other = nodes.find((n) => n !== nodes[0] && n !== primary)!;
        await until("the new primary says role:master", () => /^role:master\r?$/m.test(cli(primary.port, "INFO", "replication")));
        await until("the other replica follows it over TLS", () => {
            const info = cli(other.port, "INFO", "replication");
            return info.includes(`master_port:${primary.port}`) && info.includes("master_link_status:up");
        });
        // The readiness probe (valkey-cli over TLS to the Sentinels and the node) puts only it in the Service.
        await until("only the new primary is Ready", async () => (await Promise.all([primary, other].map(probe))).join() === "true,false");

        // A Sentinel-aware TLS client writes to the new primary.
        await until("the Sentinel-aware client writes again", () =>
            aware.set("after", "2").then(
                () => true,
                () => false,
            ),
        );
        expect(cli(primary.port, "GET", "after").trim()).to.equal("2");
        // A direct TLS client that verifies the chain (and the 127.0.0.1 SAN) reaches it too.
        const direct = new Valkey({
            host: HOST,
            port: primary.port,
            password,
            tls: { ca: ca() },
            lazyConnect: true,
            maxRetriesPerRequest: 0,
            retryStrategy: () => null,
        });
        clients.push(direct);
        await direct.connect();
        expect(await direct.get("before")).to.equal("1");
        expect(await direct.set("direct", "3")).to.equal("OK");
        await until("the other replica has the write", () => cli(other.port, "GET", "direct").trim() === "3", 5000);

        // The old primary comes back through the start script, over TLS, as a replica of the new one.
        plan.start(nodes[0]);
        await until("the old primary is linked to the new one over TLS", () => {
            const info = cli(nodes[0].port, "INFO", "replication");
            return /^role:slave\r?$/m.test(info) && info.includes(`master_port:${primary.port}`) && info.includes("master_link_status:up");
        });
        expect(await probe(nodes[0])).to.equal(false);
    });
});
