// A throwaway CA with a server certificate for 127.0.0.1 and a client certificate, made with openssl.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { tempDir } from "./valkey";

export interface TestCertificates {
    readonly dir: string;
    readonly caFile: string;
    readonly serverCert: string;
    readonly serverKey: string;
    readonly clientCert: string;
    readonly clientKey: string;
}

function openssl(dir: string, args: string[]): void {
    execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
}

function issue(dir: string, name: string, subject: string, extensions: string): void {
    fs.writeFileSync(path.join(dir, `${name}.ext`), extensions);
    openssl(dir, [
        "req",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        `${name}.key`,
        "-out",
        `${name}.csr`,
        "-subj",
        subject,
    ]);
    openssl(dir, [
        "x509",
        "-req",
        "-in",
        `${name}.csr`,
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        `${name}.crt`,
        "-days",
        "2",
        "-extfile",
        `${name}.ext`,
    ]);
}

export function makeCertificates(): TestCertificates {
    const dir = tempDir("pulumi-valkey-tls-");
    openssl(dir, [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
        "-days",
        "2",
        "-subj",
        "/CN=pulumi-valkey test CA",
    ]);
    issue(dir, "server", "/CN=valkey", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n");
    issue(dir, "client", "/CN=client", "extendedKeyUsage=clientAuth\n");
    const file = (name: string) => path.join(dir, name);
    return {
        dir,
        caFile: file("ca.crt"),
        serverCert: file("server.crt"),
        serverKey: file("server.key"),
        clientCert: file("client.crt"),
        clientKey: file("client.key"),
    };
}

/** A new server certificate (new key) for 127.0.0.1 from the same CA, as a renewal issues it: `<name>.crt`, `<name>.key` in the CA's directory. */
export function renewServerCertificate(certs: TestCertificates, name: string): { readonly cert: string; readonly key: string } {
    return issueServerCertificate(certs.dir, name, "IP:127.0.0.1");
}

/** A server certificate of the test CA in `dir` with these subjectAltNames (e.g. what cert-manager issues for a Service); its files. */
export function issueServerCertificate(dir: string, name: string, san: string, subject = "/CN=valkey"): { readonly cert: string; readonly key: string } {
    issue(dir, name, subject, `subjectAltName=${san}\nextendedKeyUsage=serverAuth,clientAuth\n`);
    return { cert: path.join(dir, `${name}.crt`), key: path.join(dir, `${name}.key`) };
}
