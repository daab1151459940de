// review20: the exporter sidecar with TLS from the user's Secret (Valkey `kubernetes.tls.externalCerts`,
// ValkeyCluster `tls.externalCerts`) on a real server and the real redis_exporter. The sidecar dials
// `rediss://localhost:6379` and verifies the server certificate under `localhost`; the README asks an
// external certificate to name `<name>.<namespace>.svc.<clusterDomain>` only (the provider verifies
// it under that name). A certificate that names localhost scrapes (the control); one that does not
// scrapes redis_up 0, so the component refuses it when the exporter is on.
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import { expect } from "chai";
import { buildAuthSecret, buildStatefulSet, exporterCertificateProblem } from "../../sdk/manifests";
import { buildModel } from "../../sdk/spec/model";
import { valkeySpecSchema } from "../../sdk/spec/aiven";
import { parseSpec } from "../../sdk/spec/validate";
import { exporterBinary, sidecarEnvironment } from "../helpers/exporter";
import { issueServerCertificate, makeCertificates } from "../helpers/tls";
import { freePort, startValkey, stopAllValkeys, tempDir } from "../helpers/valkey";

const DEFAULT_PW = "default-password-0123456789abcdef";

function httpGet(url: string): Promise<string> {
    return new Promise((resolve, reject) => {
        http.get(url, (res) => {
            let body = "";
            res.on("data", (chunk) => (body += chunk));
            res.on("end", () => resolve(body));
        }).on("error", reject);
    });
}

/** A server certificate of the test CA with these subjectAltNames (e.g. what cert-manager issues for the Service). */
function serverCert(dir: string, name: string, san: string): { cert: string; key: string } {
    return issueServerCertificate(dir, name, san, "/CN=cache");
}

describe("the exporter with kubernetes.tls.externalCerts on a real server (review20)", function () {
    this.timeout(60000);
    const model = buildModel(
        "valkey",
        "cache",
        parseSpec(
            valkeySpecSchema,
            {
                project: "apps",
                plan: "startup-4",
                userConfig: { valkey_ssl: true },
                kubernetes: { tls: { externalCerts: "cache-certs" }, exporter: { enabled: true } },
            },
            "Valkey",
        ),
    );
    after(stopAllValkeys);

    async function scrape(san: string): Promise<string> {
        const binary = exporterBinary();
        if (binary === undefined) return "skip";
        const certs = makeCertificates();
        const server = serverCert(certs.dir, `server-${Math.random().toString(16).slice(2, 8)}`, san);
        const secret = buildAuthSecret(model, DEFAULT_PW).stringData!;
        const valkey = await startValkey({
            config: secret["auth.conf"],
            password: DEFAULT_PW,
            tls: { certFile: server.cert, keyFile: server.key, caFile: certs.caFile, clientCertFile: server.cert, clientKeyFile: server.key },
        });
        const sts = buildStatefulSet(model, { configHash: "0123456789abcdef" });
        // The pod's own address as the sidecar dials it: localhost, with the port of the local node.
        const { env, renderedAddr } = sidecarEnvironment(sts, secret, tempDir(), `rediss://localhost:${valkey.port}`);
        expect(renderedAddr).to.equal("rediss://localhost:6379");
        // The TLS files are the mounted Secret's (the user's): the local copies.
        expect(env.REDIS_EXPORTER_TLS_CA_CERT_FILE).to.equal("/etc/valkey-tls/ca.crt");
        const local = {
            ...env,
            REDIS_EXPORTER_TLS_CA_CERT_FILE: certs.caFile,
            REDIS_EXPORTER_TLS_CLIENT_CERT_FILE: server.cert,
            REDIS_EXPORTER_TLS_CLIENT_KEY_FILE: server.key,
        };
        const metricsPort = await freePort();
        const child: ChildProcess = spawn(binary, [], { stdio: "ignore", env: { ...local, REDIS_EXPORTER_WEB_LISTEN_ADDRESS: `127.0.0.1:${metricsPort}` } });
        try {
            let metrics = "";
            for (let attempt = 0; attempt < 100 && !/^redis_up /m.test(metrics); attempt++) {
                metrics = await httpGet(`http://127.0.0.1:${metricsPort}/metrics`).catch(() => "");
                if (!/^redis_up /m.test(metrics)) await new Promise((r) => setTimeout(r, 50));
            }
            return /^redis_up (\d)$/m.exec(metrics)?.[1] ?? "no redis_up";
        } finally {
            if (child.exitCode === null) {
                const exited = new Promise((r) => child.once("exit", r));
                child.kill("SIGTERM");
                await exited;
            }
            await valkey.stop();
        }
    }

    it("control: a certificate that names localhost scrapes redis_up 1", async function () {
        const up = await scrape("DNS:localhost,IP:127.0.0.1");
        if (up === "skip") this.skip();
        expect(up).to.equal("1");
    });

    it("a certificate without localhost scrapes redis_up 0, and the component refuses it with the exporter on (exporterCertificateProblem)", async function () {
        const san = "DNS:cache.apps.svc.cluster.local,DNS:cache.apps.svc,IP:127.0.0.1";
        const up = await scrape(san);
        if (up === "skip") this.skip();
        expect(up).to.equal("0");
        const dir = makeCertificates().dir;
        const { cert } = serverCert(dir, "refused", san);
        expect(exporterCertificateProblem(fs.readFileSync(cert, "utf8"))).to.match(
            /^does not name localhost \(DNS:localhost\), which the exporter sidecar verifies it under/,
        );
        const { cert: accepted } = serverCert(dir, "accepted", `DNS:localhost,${san}`);
        expect(exporterCertificateProblem(fs.readFileSync(accepted, "utf8"))).to.equal(undefined);
    });
});
