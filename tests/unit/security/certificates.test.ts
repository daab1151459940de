// Certificates from @pulumi/tls under mocks: the exact child resources, the SANs, the CA as an
// output, secret keys; and renewal: an injected clock past the rotation threshold changes the leaf
// certificate requests (which forces their replacement) and leaves the CA untouched.
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { createCertificates, rotationEpoch, rotationEpochStartMs, rotationPeriodMs, sentinelDnsNames, serverDnsNames } from "../../../sdk/credentials/tls";
import { installMocks, mockPem, one, registered, reset, settle, unwrap } from "../../helpers/mocks";

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 1);

class Holder extends pulumi.ComponentResource {
    constructor(name: string) {
        super("test:index:Holder", name);
    }
}

/** Builds the certificates under a fresh registry and returns what was registered. */
async function build(now: number, options: { clientCerts?: boolean } = {}) {
    reset();
    const certs = createCertificates("cache", new Holder("cache"), {
        dnsNames: serverDnsNames("cache", "apps", "cluster.local"),
        validityHours: 100,
        rotateBeforePercent: 70,
        now: () => now,
        ...options,
    });
    await settle(certs.server.certPem);
    return {
        certs,
        resources: registered
            .filter((r) => r.type.startsWith("tls:"))
            .map((r) => `${r.type} ${r.name}`)
            .sort(),
    };
}

const csrSubject = () => one("tls:index/certRequest:CertRequest", "cache-server-csr").inputs.subject;
const caInputs = () => ({ ...one("tls:index/selfSignedCert:SelfSignedCert", "cache-ca").inputs });

describe("certificates: renewal arithmetic", () => {
    it("renews once rotateBeforePercent of the lifetime has passed", () => {
        const rows: [number, boolean][] = [
            [0, false],
            [69.99 * HOUR, false],
            [70 * HOUR, true],
            [99 * HOUR, true],
        ];
        // A certificate issued at the start of a rotation period is due when the next one begins.
        const issued = rotationEpochStartMs(rotationEpoch(T0, 100, 70), 100, 70);
        for (const [age, due] of rows) expect([age, rotationEpoch(issued + age, 100, 70) > rotationEpoch(issued, 100, 70)]).to.deep.equal([age, due]);
        expect(rotationPeriodMs(2160, 66)).to.equal(1425.6 * HOUR);
    });

    it("numbers the rotation periods from the anchor; every period starts where the previous one is due", () => {
        expect(rotationEpoch(0, 100, 70)).to.equal(0);
        expect(rotationEpoch(70 * HOUR - 1, 100, 70)).to.equal(0);
        expect(rotationEpoch(70 * HOUR, 100, 70)).to.equal(1);
        expect(rotationEpoch(T0, 100, 70, T0 - 1)).to.equal(0);
        const e = rotationEpoch(T0, 100, 70);
        const start = rotationEpochStartMs(e, 100, 70);
        expect(start <= T0 && T0 < rotationEpochStartMs(e + 1, 100, 70)).to.equal(true);
        expect(rotationEpochStartMs(e + 1, 100, 70) - start).to.equal(rotationPeriodMs(100, 70));
    });

    it("names the Sentinels' Services and every Sentinel pod", () => {
        expect(sentinelDnsNames("cache", "apps", "cluster.local")).to.deep.equal([
            "cache-sentinel",
            "cache-sentinel.apps",
            "cache-sentinel.apps.svc",
            "cache-sentinel.apps.svc.cluster.local",
            "cache-sentinel-headless",
            "cache-sentinel-headless.apps",
            "cache-sentinel-headless.apps.svc",
            "cache-sentinel-headless.apps.svc.cluster.local",
            "*.cache-sentinel-headless.apps.svc",
            "*.cache-sentinel-headless.apps.svc.cluster.local",
        ]);
    });

    it("names the Services, the headless Service, every pod behind it and localhost", () => {
        expect(serverDnsNames("cache", "apps", "cluster.local")).to.deep.equal([
            "cache",
            "cache.apps",
            "cache.apps.svc",
            "cache.apps.svc.cluster.local",
            "cache-headless",
            "cache-headless.apps",
            "cache-headless.apps.svc",
            "cache-headless.apps.svc.cluster.local",
            "*.cache-headless.apps.svc",
            "*.cache-headless.apps.svc.cluster.local",
            "localhost",
        ]);
    });
});

describe("certificates: @pulumi/tls resources (mocks)", () => {
    before(installMocks);

    it("creates a CA and a server certificate signed by it; the CA certificate is an output, the keys are secret", async () => {
        const { certs, resources } = await build(T0);
        expect(resources).to.deep.equal([
            "tls:index/certRequest:CertRequest cache-server-csr",
            "tls:index/locallySignedCert:LocallySignedCert cache-server-cert",
            "tls:index/privateKey:PrivateKey cache-ca-key",
            "tls:index/privateKey:PrivateKey cache-server-key",
            "tls:index/selfSignedCert:SelfSignedCert cache-ca",
        ]);
        expect(one("tls:index/privateKey:PrivateKey", "cache-ca-key").inputs).to.deep.equal({ algorithm: "ECDSA", ecdsaCurve: "P256" });
        expect(caInputs()).to.deep.include({
            isCaCertificate: true,
            validityPeriodHours: 87600,
            subject: { commonName: "cache CA", organization: "pulumi-valkey" },
        });
        const csr = one("tls:index/certRequest:CertRequest", "cache-server-csr").inputs;
        expect(csr.dnsNames).to.deep.equal(serverDnsNames("cache", "apps", "cluster.local"));
        expect(csr.ipAddresses).to.deep.equal(["127.0.0.1", "::1"]);
        const signed = one("tls:index/locallySignedCert:LocallySignedCert", "cache-server-cert").inputs;
        expect([signed.caCertPem, signed.certRequestPem, signed.validityPeriodHours]).to.deep.equal([
            mockPem("CERTIFICATE", "cache-ca"),
            mockPem("CERTIFICATE REQUEST", "cache-server-csr"),
            100,
        ]);
        expect(signed.allowedUses).to.deep.equal(["digital_signature", "key_encipherment", "server_auth", "client_auth"]);
        expect(await unwrap(certs.caCertPem)).to.equal(mockPem("CERTIFICATE", "cache-ca"));
        expect(await unwrap(certs.server.certPem)).to.equal(mockPem("CERTIFICATE", "cache-server-cert"));
        expect(await pulumi.isSecret(certs.server.privateKeyPem)).to.equal(true);
        expect(await pulumi.isSecret(certs.caCertPem)).to.equal(false);
        expect(certs.client).to.equal(undefined);
    });

    it("issues a client certificate for mTLS, signed by the same CA", async () => {
        const { certs, resources } = await build(T0, { clientCerts: true });
        expect(resources.filter((r) => r.includes("cache-client"))).to.deep.equal([
            "tls:index/certRequest:CertRequest cache-client-csr",
            "tls:index/locallySignedCert:LocallySignedCert cache-client-cert",
            "tls:index/privateKey:PrivateKey cache-client-key",
        ]);
        const signed = one("tls:index/locallySignedCert:LocallySignedCert", "cache-client-cert").inputs;
        expect([signed.caCertPem, signed.allowedUses]).to.deep.equal([
            mockPem("CERTIFICATE", "cache-ca"),
            ["digital_signature", "key_encipherment", "client_auth"],
        ]);
        expect(await pulumi.isSecret(certs.client!.privateKeyPem)).to.equal(true);
    });

    it("keeps the leaf certificate requests while not due, and changes them (forcing new certificates) once due; the CA stays", async () => {
        const epoch = rotationEpoch(T0, 100, 70);
        const issued = rotationEpochStartMs(epoch, 100, 70);
        const first = await build(issued);
        const subject = csrSubject();
        const ca = caInputs();
        expect(subject).to.deep.equal({ commonName: "cache", organization: "pulumi-valkey", serialNumber: `rotation-${epoch}` });
        expect(first.certs.renewAfter).to.equal(new Date(issued + 70 * HOUR).toISOString());

        // 69 h later (not yet 70 % of 100 h): the same inputs, so nothing is replaced.
        await build(issued + 69 * HOUR);
        expect(csrSubject()).to.deep.equal(subject);

        // 70 h later: due, and the request's subject changes.
        const later = await build(issued + 70 * HOUR);
        expect(csrSubject()).to.deep.equal({ ...subject, serialNumber: `rotation-${epoch + 1}` });
        expect(later.certs.rotationEpoch).to.equal(epoch + 1);
        expect(caInputs()).to.deep.equal(ca);
    });

    it("refuses a validity that is not whole hours", () => {
        expect(() => createCertificates("x", new Holder("x"), { dnsNames: [], validityHours: 0.5, rotateBeforePercent: 70 })).to.throw(
            "x: certificate validity must be a whole number of hours, at least 1 (got 0.5)",
        );
    });
});
