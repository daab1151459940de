// Renewed certificates loaded by running nodes, without a restart. Once the new files are at the
// same paths (a Kubernetes Secret volume swaps tls.crt, tls.key and ca.crt together through its
// `..data` symlink), one `CONFIG SET tls-cert-file <p> tls-key-file <p> tls-ca-cert-file <p>`
// with the unchanged paths makes the node read them again: in Valkey (since Redis 7.0) the tls-*
// file directives are "volatile" configs, applied even when the value is the same. Verified on
// valkey-server 8.0.1 by tests/integration/tls-reload.test.ts (same run_id, new chain served).
// The three go in one call because the server builds one new TLS context from all of them and
// keeps the old one when any fails (e.g. a key that does not match the certificate): a node never
// serves a half-rotated pair.
//
// kubelet updates a Secret volume eventually (up to its sync period, ~1 min), so a node may still
// hold the old files when we ask: the reload is repeated until the node presents the expected
// certificate, within a deadline, and verified by a real handshake rather than trusted.
import { X509Certificate } from "crypto";
import * as tls from "tls";
import { DEFAULT_TLS_CA_FILE, DEFAULT_TLS_CERT_FILE, DEFAULT_TLS_KEY_FILE } from "../../sdk/config/directives";
import { CommandError, redact, ValkeyProviderError } from "../errors";
import { NodeClient, TlsOptions } from "../nodes/client";
import { Endpoint } from "../reconcile/types";

/** Where the node reads its TLS material (as valkey.conf names it). */
export interface TlsFilePaths {
    /** @default DEFAULT_TLS_CERT_FILE (/etc/valkey-tls/tls.crt, the pod contract) */
    readonly certFile?: string;
    /** @default DEFAULT_TLS_KEY_FILE */
    readonly keyFile?: string;
    /** @default DEFAULT_TLS_CA_FILE */
    readonly caFile?: string;
}

/** The CONFIG SET that makes a node read its certificate, key and CA files again. */
export function tlsReloadCommand(paths: TlsFilePaths = {}): string[] {
    return [
        "CONFIG",
        "SET",
        "tls-cert-file",
        paths.certFile ?? DEFAULT_TLS_CERT_FILE,
        "tls-key-file",
        paths.keyFile ?? DEFAULT_TLS_KEY_FILE,
        "tls-ca-cert-file",
        paths.caFile ?? DEFAULT_TLS_CA_FILE,
    ];
}

/** SHA-256 fingerprint of a PEM certificate (the first one in the text), as Node prints it: "AB:CD:...". */
export function certificateFingerprint(pem: string): string {
    return new X509Certificate(pem).fingerprint256;
}

/** @default 3000 ms */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 3000;

/**
 * The SHA-256 fingerprint of the certificate the server at `endpoint` presents. The chain is not
 * verified here (the caller compares fingerprints); a client certificate is presented when given,
 * for servers with `tls-auth-clients yes`.
 */
export function presentedFingerprint(endpoint: Endpoint, options: TlsOptions = {}, timeoutMs = DEFAULT_HANDSHAKE_TIMEOUT_MS): Promise<string> {
    return new Promise((resolve, reject) => {
        const socket = tls.connect({
            host: endpoint.host,
            port: endpoint.port,
            servername: options.serverName ?? (/^[\d.:]+$/.test(endpoint.host) ? undefined : endpoint.host),
            rejectUnauthorized: false,
            ...(options.cert !== undefined ? { cert: options.cert } : {}),
            ...(options.key !== undefined ? { key: options.key } : {}),
        });
        const timer = setTimeout(() => {
            socket.destroy();
            reject(new Error(`no TLS handshake with ${endpoint.host}:${endpoint.port} within ${timeoutMs} ms`));
        }, timeoutMs);
        socket.once("secureConnect", () => {
            clearTimeout(timer);
            const fingerprint = socket.getPeerCertificate().fingerprint256;
            socket.destroy();
            resolve(fingerprint);
        });
        socket.once("error", (e) => {
            clearTimeout(timer);
            // The key is never part of a socket error, but the message goes to users: be sure.
            reject(new Error(redact(e.message, [options.key])));
        });
    });
}

export interface TlsReloadOptions {
    readonly paths?: TlsFilePaths;
    /** TLS material for the verifying handshake (a client certificate with mTLS). @default none */
    readonly tls?: TlsOptions;
    /** How long the node may keep presenting another certificate (kubelet's volume sync). @default 90000 ms */
    readonly timeoutMs?: number;
    /** Between attempts. @default 1000 ms */
    readonly retryIntervalMs?: number;
}

export const DEFAULT_RELOAD_TIMEOUT_MS = 90_000;
export const DEFAULT_RELOAD_RETRY_MS = 1000;

/** Per-node outcome, in the status vocabulary of seeds/002. */
export type TlsReloadStatus =
    | { readonly node: string; readonly status: "Reloaded"; readonly fingerprint: string; readonly attempts: number }
    | { readonly node: string; readonly status: "Error"; readonly message: string };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function errorText(e: unknown): string {
    if (e instanceof CommandError) return e.message;
    if (e instanceof ValkeyProviderError) return e.message;
    return e instanceof Error ? e.message : String(e);
}

/**
 * Makes the node read its TLS files again until it presents the certificate `expectedCertPem`
 * (compared by SHA-256 fingerprint over a new handshake). Never throws: a refused CONFIG SET (the
 * node's message), an unreachable node or a timeout come back as status Error.
 */
export async function reloadTls(client: NodeClient, expectedCertPem: string, options: TlsReloadOptions = {}): Promise<TlsReloadStatus> {
    const node = client.target.name;
    let expected: string;
    try {
        expected = certificateFingerprint(expectedCertPem);
    } catch (e) {
        return { node, status: "Error", message: `the expected certificate is not a PEM certificate: ${(e as Error).message}` };
    }
    const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_RELOAD_TIMEOUT_MS);
    const command = tlsReloadCommand(options.paths);
    let presented: string;
    for (let attempt = 1; ; attempt++) {
        try {
            await client.call(command);
            presented = await presentedFingerprint(client.target.dial, options.tls);
        } catch (e) {
            return { node, status: "Error", message: redact(errorText(e), [options.tls?.key]) };
        }
        if (presented === expected) return { node, status: "Reloaded", fingerprint: presented, attempts: attempt };
        if (Date.now() + (options.retryIntervalMs ?? DEFAULT_RELOAD_RETRY_MS) > deadline) break;
        await sleep(options.retryIntervalMs ?? DEFAULT_RELOAD_RETRY_MS);
    }
    const seconds = Math.round((options.timeoutMs ?? DEFAULT_RELOAD_TIMEOUT_MS) / 100) / 10;
    return {
        node,
        status: "Error",
        message: `node ${node} still presents certificate ${presented} instead of ${expected} after ${seconds} s: its TLS files at ${command[3]} have not been updated (is the Secret volume synced?)`,
    };
}

/** reloadTls on every node at once; one status per node, in the order given. */
export function reloadTlsEverywhere(clients: readonly NodeClient[], expectedCertPem: string, options: TlsReloadOptions = {}): Promise<TlsReloadStatus[]> {
    return Promise.all(clients.map((c) => reloadTls(c, expectedCertPem, options)));
}
