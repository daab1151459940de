// A Sentinel plan with mTLS (Valkey `kubernetes.tls.tlsAuthClients`, new with the one service
// model) on loopback with real processes: the package's rendered valkey.conf, sentinel.conf and
// scripts. Every port then refuses a TLS client without a certificate of the CA, while the
// replicas, the Sentinels and the probes (which present the pod's certificate) keep working, a
// client with the certificate issued for applications reads and writes, and a failover completes.
import * as fs from "fs";
import * as tls from "tls";
import { expect } from "chai";
import Valkey from "iovalkey";
import { HOST, SentinelPlan, startSentinelPlan, until } from "../helpers/sentinel";
import { TestCertificates, makeCertificates } from "../helpers/tls";
import { stopAllValkeys } from "../helpers/valkey";
import { valkeyModel } from "../unit/manifests/fixtures";

const DOWN_AFTER_MS = 2000;

/** What a TLS client (with `cert`, or without a certificate) gets from `port`: the server's answer to PING, or how the connection ended. */
function tlsPing(port: number, ca: string, cert?: { cert: string; key: string }): Promise<string> {
    return new Promise((resolve) => {
        const socket = tls.connect({ host: HOST, port, ca, ...(cert ?? {}) });
        const timer = setTimeout(() => {
            socket.destroy();
            resolve("no answer");
        }, 3000);
        let data = "";
        socket.on("secureConnect", () => socket.write("PING\r\n"));
        socket.on("data", (chunk) => {
            data += chunk.toString();
            if (data.includes("\r\n")) socket.destroy();
        });
        const done = (how: string) => {
            clearTimeout(timer);
            resolve(data !== "" ? `answered ${data.trim()}` : how);
        };
        socket.on("error", () => done("refused"));
        socket.on("close", () => done("closed"));
    });
}

describe("Sentinel plan with mTLS (real processes on loopback)", function () {
    this.timeout(90000);
    const model = valkeyModel({ project: "p", plan: "business-4", userConfig: { valkey_ssl: true }, kubernetes: { tls: { tlsAuthClients: true } } }, "mtls");
    let certs: TestCertificates;
    let plan: SentinelPlan;
    const clients: Valkey[] = [];

    before(async () => {
        certs = makeCertificates();
        plan = await startSentinelPlan({ model, downAfterMs: DOWN_AFTER_MS, tls: certs });
    });

    after(async () => {
        for (const client of clients) client.disconnect();
        plan?.killNodes();
        await stopAllValkeys();
    });

    it("renders tls-auth-clients yes for the data nodes and the Sentinels", () => {
        expect(model.tls?.mutual).to.equal(true);
        for (const node of plan.nodes)
            expect(plan.cli(node.port, "CONFIG", "GET", "tls-auth-clients").trim().split("\n")).to.deep.equal(["tls-auth-clients", "yes"]);
    });

    it("refuses a TLS client without a certificate on every data node and Sentinel", async () => {
        const ca = fs.readFileSync(certs.caFile, "utf8");
        const ports = [...plan.nodes.map((n) => n.port), ...plan.sentinelPorts];
        const without = await Promise.all(ports.map((port) => tlsPing(port, ca)));
        expect(without.filter((a) => a.startsWith("answered"))).to.deep.equal([]);
        // The same client with the application certificate gets through TLS, to the password check.
        const cert = { cert: fs.readFileSync(certs.clientCert, "utf8"), key: fs.readFileSync(certs.clientKey, "utf8") };
        const withCert = await Promise.all(ports.map((port) => tlsPing(port, ca, cert)));
        expect(withCert.map((a) => a.split(" ").slice(0, 2).join(" "))).to.deep.equal(ports.map(() => "answered -NOAUTH"));
    });

    it("replicates, monitors and probes with the pods' certificate", async () => {
        const { nodes, sentinelPorts, group, cli, sentinel } = plan;
        for (const n of nodes.slice(1)) {
            await until(`replica ${n.port} links`, () => cli(n.port, "INFO", "replication").includes("master_link_status:up"));
        }
        for (const port of sentinelPorts) {
            const master = sentinel(port, "SENTINEL", "master", group).split("\n");
            const field = (name: string) => master[master.indexOf(name) + 1];
            expect([field("flags"), field("num-slaves"), field("num-other-sentinels")]).to.deep.equal(["master", "2", "2"]);
        }
        expect(await Promise.all(nodes.map(plan.probe))).to.deep.equal([true, false, false]);
    });

    it("serves an application presenting the client certificate, also after a failover", async () => {
        const { nodes, sentinelPorts, group, password, sentinelPassword, currentPrimary, failoverEvents } = plan;
        const clientTls = {
            ca: fs.readFileSync(certs.caFile, "utf8"),
            cert: fs.readFileSync(certs.clientCert, "utf8"),
            key: fs.readFileSync(certs.clientKey, "utf8"),
        };
        const aware = new Valkey({
            sentinels: sentinelPorts.map((port) => ({ host: HOST, port })),
            name: group,
            password,
            sentinelPassword,
            enableTLSForSentinelMode: true,
            sentinelTLS: clientTls,
            tls: clientTls,
            commandTimeout: 1000,
            maxRetriesPerRequest: 1,
            retryStrategy: () => 100,
            sentinelRetryStrategy: () => 100,
        });
        aware.on("error", () => undefined); // the writes below say whether it works
        clients.push(aware);
        await aware.set("before", "1");
        expect(await aware.get("before")).to.equal("1");

        nodes[0].child!.kill("SIGKILL");
        await until("the Sentinels name a replica as primary", () => [nodes[1], nodes[2]].includes(currentPrimary()!), 30000).catch((e: Error) => {
            throw new Error(`${e.message}\n${failoverEvents()}`);
        });
        await until("the application writes to the new primary", () =>
            aware.set("after", "2").then(
                () => true,
                () => false,
            ),
        );
        expect(plan.cli(currentPrimary()!.port, "MGET", "before", "after").trim().split("\n")).to.deep.equal(["1", "2"]);
    });
});
