// Renewed certificates load into a running TLS-only server without a restart (same run_id), the old
// chain stops working, and mTLS refuses clients without a certificate. Real valkey-server 8.0.
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { UnreachableError } from "../../provider/errors";
import { NodeClient, TlsOptions } from "../../provider/nodes/client";
import { NodeTarget } from "../../provider/nodes/transport";
import { certificateFingerprint, presentedFingerprint, reloadTls } from "../../provider/security/tls-reload";
import { makeCertificates, TestCertificates } from "../helpers/tls";
import { rawCommand, startValkey, stopAllValkeys, tempDir, ValkeyProcess } from "../helpers/valkey";

const read = (file: string) => fs.readFileSync(file, "utf8");

function target(server: ValkeyProcess): NodeTarget {
    const endpoint = { host: server.host, port: server.port };
    return { name: `${server.host}:${server.port}`, dial: endpoint, announce: endpoint, placement: { host: server.host } };
}

/** Connects, runs one command, closes. */
async function call(server: ValkeyProcess, tls: TlsOptions, args: string[]): Promise<unknown> {
    const client = new NodeClient(target(server), { tls, connectTimeoutMs: 2000 });
    try {
        return await client.call(args);
    } finally {
        client.close();
    }
}

const runId = async (server: ValkeyProcess, tls: TlsOptions) => /run_id:(\w+)/.exec(String(await call(server, tls, ["INFO", "server"])))![1];
const trusting = (certs: TestCertificates): TlsOptions => ({ ca: read(certs.caFile) });

/** Puts a server certificate, its key and its CA where the node reads them (same paths every time). */
function install(dir: string, certs: TestCertificates) {
    const files = { certFile: path.join(dir, "tls.crt"), keyFile: path.join(dir, "tls.key"), caFile: path.join(dir, "ca.crt") };
    fs.copyFileSync(certs.serverCert, files.certFile);
    fs.copyFileSync(certs.serverKey, files.keyFile);
    fs.copyFileSync(certs.caFile, files.caFile);
    return files;
}

describe("TLS reload on a real server", function () {
    this.timeout(30000);
    after(stopAllValkeys);

    it("rotates to a certificate of a new CA without a restart: the new chain connects, the old one fails, run_id unchanged, no plaintext listener", async () => {
        const [oldCa, newCa] = [makeCertificates(), makeCertificates()];
        const live = tempDir("pulumi-valkey-tls-live-");
        const files = install(live, oldCa);
        const server = await startValkey({ tls: files, args: ["--tls-auth-clients", "optional"] });
        const before = await runId(server, trusting(oldCa));
        expect(await presentedFingerprint({ host: server.host, port: server.port })).to.equal(certificateFingerprint(read(oldCa.serverCert)));

        install(live, newCa);
        const admin = new NodeClient(target(server), { tls: trusting(oldCa) });
        await admin.connect();
        const started = Date.now();
        const status = await reloadTls(admin, read(newCa.serverCert), { paths: files, timeoutMs: 5000, retryIntervalMs: 100 });
        admin.close();
        console.log(`      reload + verifying handshake: ${Date.now() - started} ms`);

        expect(status).to.deep.equal({
            node: target(server).name,
            status: "Reloaded",
            fingerprint: certificateFingerprint(read(newCa.serverCert)),
            attempts: 1,
        });
        expect(await call(server, trusting(newCa), ["PING"])).to.equal("PONG");
        expect(await runId(server, trusting(newCa))).to.equal(before);
        const old = await call(server, trusting(oldCa), ["PING"]).then(
            () => "connected",
            (e: Error) => e,
        );
        expect(old).to.be.instanceOf(UnreachableError);
        expect((old as Error).message).to.match(/certificate/i);
        // No plaintext listener: `port 0`, and a plaintext PING on the TLS port gets no RESP reply.
        expect(await call(server, trusting(newCa), ["CONFIG", "GET", "port"])).to.deep.equal(["port", "0"]);
        const plain = await rawCommand(server.port, "PING", server.host, 500).then(
            (reply) => `replied ${reply}`,
            () => "no reply",
        );
        expect(plain).to.equal("no reply");
    });

    it("reports the node's refusal when the new key does not match the certificate, and keeps serving the old one", async () => {
        const [oldCa, newCa] = [makeCertificates(), makeCertificates()];
        const live = tempDir("pulumi-valkey-tls-live-");
        const files = install(live, oldCa);
        const server = await startValkey({ tls: files, args: ["--tls-auth-clients", "optional"] });
        fs.copyFileSync(newCa.serverCert, files.certFile); // the key stays the old one
        const admin = new NodeClient(target(server), { tls: trusting(oldCa) });
        const status = await reloadTls(admin, read(newCa.serverCert), { paths: files, timeoutMs: 1000, retryIntervalMs: 100 });
        admin.close();
        expect(status.status).to.equal("Error");
        expect(status.status === "Error" && status.message).to.match(
            new RegExp(
                `^node ${target(server).name.replace(/\./g, "\\.")}: CONFIG SET tls-cert-file .* failed: ERR CONFIG SET failed \\(possibly related to argument 'tls-cert-file'\\) - Unable to update TLS configuration`,
            ),
        );
        expect(await presentedFingerprint({ host: server.host, port: server.port })).to.equal(certificateFingerprint(read(oldCa.serverCert)));
    });

    it("reports a node that keeps presenting another certificate (files not updated) as Error after the timeout", async () => {
        const [current, expected] = [makeCertificates(), makeCertificates()];
        const files = install(tempDir("pulumi-valkey-tls-live-"), current);
        const server = await startValkey({ tls: files, args: ["--tls-auth-clients", "optional"] });
        const admin = new NodeClient(target(server), { tls: trusting(current) });
        const status = await reloadTls(admin, read(expected.serverCert), { paths: files, timeoutMs: 300, retryIntervalMs: 100 });
        admin.close();
        expect(status).to.deep.equal({
            node: target(server).name,
            status: "Error",
            message: `node ${target(server).name} still presents certificate ${certificateFingerprint(read(current.serverCert))} instead of ${certificateFingerprint(read(expected.serverCert))} after 0.3 s: its TLS files at ${files.certFile} have not been updated (is the Secret volume synced?)`,
        });
    });

    it("mTLS (tls-auth-clients yes) refuses a client without a certificate and accepts one signed by the CA", async () => {
        const certs = makeCertificates();
        const files = install(tempDir("pulumi-valkey-tls-live-"), certs);
        const server = await startValkey({
            tls: { ...files, clientCertFile: certs.clientCert, clientKeyFile: certs.clientKey },
            args: ["--tls-auth-clients", "yes"],
        });
        const without = await call(server, trusting(certs), ["PING"]).then(
            () => "connected",
            (e: Error) => e,
        );
        expect(without).to.be.instanceOf(UnreachableError);
        const withCert = { ...trusting(certs), cert: read(certs.clientCert), key: read(certs.clientKey) };
        expect(await call(server, withCert, ["PING"])).to.equal("PONG");
        expect(await call(server, withCert, ["CONFIG", "GET", "tls-auth-clients"])).to.deep.equal(["tls-auth-clients", "yes"]);
    });
});
