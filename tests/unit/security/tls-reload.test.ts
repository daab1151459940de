// The pure parts of the TLS reload and of the ACL status: the command, fingerprints, the phase.
import { expect } from "chai";
import { execFileSync } from "child_process";
import * as fs from "fs";
import { aclPhase } from "../../../provider/security/acl-apply";
import { certificateFingerprint, tlsReloadCommand } from "../../../provider/security/tls-reload";
import { makeCertificates } from "../../helpers/tls";

describe("TLS reload command", () => {
    it("sets the three files in one CONFIG SET, at the pod contract's paths unless told otherwise", () => {
        expect(tlsReloadCommand()).to.deep.equal([
            "CONFIG", "SET",
            "tls-cert-file", "/etc/valkey-tls/tls.crt",
            "tls-key-file", "/etc/valkey-tls/tls.key",
            "tls-ca-cert-file", "/etc/valkey-tls/ca.crt",
        ]);
        expect(tlsReloadCommand({ certFile: "/c", keyFile: "/k", caFile: "/a" })).to.deep.equal(["CONFIG", "SET", "tls-cert-file", "/c", "tls-key-file", "/k", "tls-ca-cert-file", "/a"]);
    });

    it("fingerprints a PEM certificate as openssl does (SHA-256)", () => {
        const certs = makeCertificates();
        const openssl = execFileSync("openssl", ["x509", "-noout", "-fingerprint", "-sha256", "-in", certs.serverCert], { encoding: "utf8" });
        expect(certificateFingerprint(fs.readFileSync(certs.serverCert, "utf8"))).to.equal(openssl.trim().split("=")[1]);
    });
});

describe("ACL phase", () => {
    it("is Applied only when every node is", () => {
        const ok = { node: "a", status: "Applied" as const, users: [] };
        const bad = { node: "b", status: "Error" as const, message: "user x: ERR ...", users: [] };
        expect([aclPhase([ok, ok]), aclPhase([ok, bad]), aclPhase([])]).to.deep.equal(["Applied", "Error", "Error"]);
    });
});
