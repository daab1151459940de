// The pure parts of the TLS reload and of the ACL status: the command, fingerprints, the phase.
import { expect } from "chai";
import { execFileSync } from "child_process";
import * as fs from "fs";
import { aclPhase, onlyUsersRefused } from "../../../provider/security/acl-apply";
import { certificateFingerprint, tlsReloadCommand } from "../../../provider/security/tls-reload";
import { makeCertificates } from "../../helpers/tls";

describe("TLS reload command", () => {
    it("sets the three files in one CONFIG SET, at the pod contract's paths unless told otherwise", () => {
        expect(tlsReloadCommand()).to.deep.equal([
            "CONFIG",
            "SET",
            "tls-cert-file",
            "/etc/valkey-tls/tls.crt",
            "tls-key-file",
            "/etc/valkey-tls/tls.key",
            "tls-ca-cert-file",
            "/etc/valkey-tls/ca.crt",
        ]);
        expect(tlsReloadCommand({ certFile: "/c", keyFile: "/k", caFile: "/a" })).to.deep.equal([
            "CONFIG",
            "SET",
            "tls-cert-file",
            "/c",
            "tls-key-file",
            "/k",
            "tls-ca-cert-file",
            "/a",
        ]);
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

    it("tells application users a node refused (reported) from a node left unsecured (a failed run)", () => {
        const input = {
            users: [
                { name: "valkey-admin", passwords: ["p"], rules: "+@all", role: "admin" as const },
                { name: "app", passwords: ["p"], rules: "+nosuch" },
            ],
            defaultUser: "restricted" as const,
        };
        const applied = (user: string) => ({ user, status: "Applied" as const });
        const refused = (user: string) => ({ user, status: "Error" as const, message: "ERR unknown" });
        const node = (message: string, users: Array<{ user: string; status: "Applied" | "Error"; message?: string }>) => ({
            node: "n",
            status: "Error" as const,
            message,
            users,
        });
        expect([
            onlyUsersRefused(node("user app: ERR unknown", [applied("valkey-admin"), refused("app")]), input),
            // The admin user refused: `default` was left as it is.
            onlyUsersRefused(
                node("user valkey-admin: ERR unknown; the default user was left as it is: the admin user could not be applied", [
                    refused("valkey-admin"),
                    applied("app"),
                ]),
                input,
            ),
            // The connection was lost after the users: the restriction may not be in place.
            onlyUsersRefused(node("Connection is closed.", [applied("valkey-admin"), refused("app")]), input),
            // The run ended before every user was tried.
            onlyUsersRefused(node("Connection is closed.", [applied("valkey-admin")]), input),
            onlyUsersRefused({ node: "n", status: "Applied", users: [applied("valkey-admin"), applied("app")] }, input),
        ]).to.deep.equal([true, false, false, false, false]);
    });
});
