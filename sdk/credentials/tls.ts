// The CA, the server certificate and the mTLS client certificate, from @pulumi/tls; and how they
// are renewed, which @pulumi/tls does not do by itself (pulumi-tls #39: `earlyRenewalHours` only
// sets `readyForRenewal`, nothing replaces the certificate).
//
// Renewal: time is cut into rotation periods of `validity x rotateBeforePercent / 100`, counted
// from a fixed anchor (the Unix epoch unless given). The number of the current period, the
// rotation epoch, is written into the leaf certificate requests' `subject.serialNumber`. Every
// CertRequest input forces a replacement, so the first `pulumi up` (or preview) in a new period
// replaces the requests and with them the LocallySignedCerts: a certificate is never older than
// one period (at most rotateBeforePercent % of its lifetime) plus the time until the next
// `pulumi up`. The CA and the private keys are not touched: clients keep trusting the same CA,
// and the nodes load the new files without a restart (provider/security/tls-reload.ts). The first
// certificate may be renewed sooner than a full period, because it was issued mid-period.
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";

const HOUR_MS = 3_600_000;

/** ECDSA P-256: small keys and fast handshakes, supported by Valkey's OpenSSL and every client. */
export const KEY_ALGORITHM = "ECDSA";
export const KEY_CURVE = "P256";
/** The rotation periods are counted from here unless an anchor is given. */
export const DEFAULT_ROTATION_ANCHOR_MS = 0;

/** Milliseconds after which a certificate is due: `validity x rotateBeforePercent / 100`. */
export function rotationPeriodMs(validityHours: number, rotateBeforePercent: number): number {
    return (validityHours * HOUR_MS * rotateBeforePercent) / 100;
}

/** The rotation period `nowMs` falls in (see the top of this file). */
export function rotationEpoch(nowMs: number, validityHours: number, rotateBeforePercent: number, anchorMs = DEFAULT_ROTATION_ANCHOR_MS): number {
    return Math.floor((nowMs - anchorMs) / rotationPeriodMs(validityHours, rotateBeforePercent));
}

/** When rotation epoch `epoch` begins, in ms since the Unix epoch. */
export function rotationEpochStartMs(epoch: number, validityHours: number, rotateBeforePercent: number, anchorMs = DEFAULT_ROTATION_ANCHOR_MS): number {
    return anchorMs + epoch * rotationPeriodMs(validityHours, rotateBeforePercent);
}

/**
 * The DNS names a node's certificate must carry: the client Service in every form a client may
 * write, the headless Service, and every pod behind it (`<pod>.<name>-headless...`, a wildcard),
 * plus `localhost` for port-forwarded connections.
 */
export function serverDnsNames(name: string, namespace: string, clusterDomain: string): string[] {
    return [...serviceDnsNames(name, namespace, clusterDomain), "localhost"];
}

/**
 * The DNS names the Sentinels of a Sentinel plan answer to, which share the data nodes'
 * certificate: the Service `<name>-sentinel`, its headless Service, and every Sentinel pod
 * (`<pod>.<name>-sentinel-headless...`, the names they announce to each other and to clients).
 */
export function sentinelDnsNames(name: string, namespace: string, clusterDomain: string): string[] {
    return serviceDnsNames(`${name}-sentinel`, namespace, clusterDomain);
}

/** The Service `<service>` and `<service>-headless` in every form a client may write, and every pod behind the latter. */
function serviceDnsNames(service: string, namespace: string, clusterDomain: string): string[] {
    const forms = (svc: string) => [svc, `${svc}.${namespace}`, `${svc}.${namespace}.svc`, `${svc}.${namespace}.svc.${clusterDomain}`];
    const headless = `${service}-headless`;
    return [...forms(service), ...forms(headless), `*.${headless}.${namespace}.svc`, `*.${headless}.${namespace}.svc.${clusterDomain}`];
}

/** Loopback addresses, for connections through a port-forward that check the address. */
export const SERVER_IP_ADDRESSES = ["127.0.0.1", "::1"];

export interface CertificateOptions {
    /** Subject alternative names of the server certificate (see serverDnsNames). */
    readonly dnsNames: readonly string[];
    /** @default SERVER_IP_ADDRESSES */
    readonly ipAddresses?: readonly string[];
    /** Lifetime of the server and client certificates, in hours. */
    readonly validityHours: number;
    /** Lifetime of the CA, in hours. @default 87600 (ten years) */
    readonly caValidityHours?: number;
    /** 66-80: the share of the lifetime after which a certificate is replaced. */
    readonly rotateBeforePercent: number;
    /** Also issue a client certificate (mTLS, `tls-auth-clients yes`). @default false */
    readonly clientCerts?: boolean;
    /** The clock, in ms since the Unix epoch; tests inject one. @default Date.now */
    readonly now?: () => number;
    /** Start of the rotation periods. @default DEFAULT_ROTATION_ANCHOR_MS */
    readonly anchorMs?: number;
}

export const DEFAULT_CA_VALIDITY_HOURS = 87_600;

/** A certificate and its key, as the pod contract's Secret holds them (tls.crt, tls.key). */
export interface IssuedCertificate {
    readonly certPem: pulumi.Output<string>;
    /** Secret. */
    readonly privateKeyPem: pulumi.Output<string>;
}

export interface Certificates {
    /** The CA certificate (ca.crt): what clients trust. Not secret. */
    readonly caCertPem: pulumi.Output<string>;
    readonly server: IssuedCertificate;
    /** Present when clientCerts was set. */
    readonly client?: IssuedCertificate;
    /** The rotation period the leaf certificates belong to. */
    readonly rotationEpoch: number;
    /** ISO time from which the next `pulumi up` renews the leaf certificates. */
    readonly renewAfter: string;
}

const SERVER_USES = ["digital_signature", "key_encipherment", "server_auth", "client_auth"];
const CLIENT_USES = ["digital_signature", "key_encipherment", "client_auth"];

function issue(
    name: string,
    parent: pulumi.Resource,
    ca: { certPem: pulumi.Output<string>; keyPem: pulumi.Output<string> },
    leaf: { commonName: string; dnsNames?: readonly string[]; ipAddresses?: readonly string[]; uses: string[]; epoch: number; validityHours: number },
): IssuedCertificate {
    const key = new tls.PrivateKey(`${name}-key`, { algorithm: KEY_ALGORITHM, ecdsaCurve: KEY_CURVE }, { parent });
    const request = new tls.CertRequest(
        `${name}-csr`,
        {
            privateKeyPem: key.privateKeyPem,
            subject: { commonName: leaf.commonName, organization: "pulumi-valkey", serialNumber: `rotation-${leaf.epoch}` },
            ...(leaf.dnsNames ? { dnsNames: [...leaf.dnsNames] } : {}),
            ...(leaf.ipAddresses ? { ipAddresses: [...leaf.ipAddresses] } : {}),
        },
        { parent },
    );
    const cert = new tls.LocallySignedCert(
        `${name}-cert`,
        {
            certRequestPem: request.certRequestPem,
            caPrivateKeyPem: ca.keyPem,
            caCertPem: ca.certPem,
            validityPeriodHours: leaf.validityHours,
            allowedUses: leaf.uses,
        },
        { parent },
    );
    return { certPem: cert.certPem, privateKeyPem: pulumi.secret(key.privateKeyPem) };
}

/**
 * A CA (`<name>-ca-key`, `<name>-ca`), a server certificate (`<name>-server-key`, `-server-csr`,
 * `-server-cert`) and, with clientCerts, a client certificate (`<name>-client-*`), all children of
 * `parent`. The leaf certificates are renewed as the top of this file describes.
 */
export function createCertificates(name: string, parent: pulumi.Resource, options: CertificateOptions): Certificates {
    if (!(options.validityHours >= 1 && Number.isInteger(options.validityHours))) {
        throw new Error(`${name}: certificate validity must be a whole number of hours, at least 1 (got ${options.validityHours})`);
    }
    if (!(options.rotateBeforePercent > 0 && options.rotateBeforePercent < 100)) {
        throw new Error(`${name}: rotateBeforePercent must be between 0 and 100 (got ${options.rotateBeforePercent})`);
    }
    const now = (options.now ?? Date.now)();
    const anchor = options.anchorMs ?? DEFAULT_ROTATION_ANCHOR_MS;
    const epoch = rotationEpoch(now, options.validityHours, options.rotateBeforePercent, anchor);
    const renewAfter = new Date(rotationEpochStartMs(epoch + 1, options.validityHours, options.rotateBeforePercent, anchor)).toISOString();

    const caKey = new tls.PrivateKey(`${name}-ca-key`, { algorithm: KEY_ALGORITHM, ecdsaCurve: KEY_CURVE }, { parent });
    const caCert = new tls.SelfSignedCert(
        `${name}-ca`,
        {
            privateKeyPem: caKey.privateKeyPem,
            isCaCertificate: true,
            subject: { commonName: `${name} CA`, organization: "pulumi-valkey" },
            validityPeriodHours: options.caValidityHours ?? DEFAULT_CA_VALIDITY_HOURS,
            allowedUses: ["cert_signing", "crl_signing", "digital_signature"],
        },
        { parent },
    );
    const ca = { certPem: caCert.certPem, keyPem: caKey.privateKeyPem };
    const server = issue(`${name}-server`, parent, ca, {
        commonName: name,
        dnsNames: options.dnsNames,
        ipAddresses: options.ipAddresses ?? SERVER_IP_ADDRESSES,
        uses: SERVER_USES,
        epoch,
        validityHours: options.validityHours,
    });
    const client = options.clientCerts
        ? issue(`${name}-client`, parent, ca, { commonName: `${name}-client`, uses: CLIENT_USES, epoch, validityHours: options.validityHours })
        : undefined;
    return { caCertPem: caCert.certPem, server, ...(client ? { client } : {}), rotationEpoch: epoch, renewAfter };
}
