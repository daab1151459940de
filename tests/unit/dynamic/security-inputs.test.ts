// check and diff of the dynamic resource's `acl` and `tlsReload` inputs, and the credentials and
// reload decisions of its handlers. Pure (openssl only makes the certificates).
import { expect } from "chai";
import * as fs from "fs";
import { credentialCandidates, tlsReloadDue } from "../../../provider/dynamic/handlers";
import { checkInputs, diffInputs, TopologyInputs, TopologyOutputs, UNKNOWN } from "../../../provider/dynamic/inputs";
import { makeCertificates } from "../../helpers/tls";

const base = {
    providerVersion: "0.1.0",
    topology: { kind: "cluster", masters: 3, replicasPerMaster: 0 },
    transport: { kind: "direct", nodes: [{ dial: "127.0.0.1:7000" }, { dial: "127.0.0.1:7001" }, { dial: "127.0.0.1:7002" }] },
    password: "default-pw-0123",
};
const ADMIN_PW = "admin-pw-0123456789";
const acl = {
    users: [
        { name: "valkey-admin", passwords: [ADMIN_PW], rules: "~* &* +@all", role: "admin" },
        { name: "app", passwords: ["app-pw-0123456789"], rules: "+GET +SET ~app:*" },
    ],
    defaultUser: "restricted",
};

describe("dynamic provider: acl and tlsReload inputs", () => {
    let certPem = "";
    let otherPem = "";
    before(() => {
        certPem = fs.readFileSync(makeCertificates().serverCert, "utf8");
        otherPem = fs.readFileSync(makeCertificates().serverCert, "utf8");
    });

    it("accepts valid acl and tlsReload inputs, and values unknown during preview", () => {
        const tls = { ca: certPem };
        expect(checkInputs({ ...base, acl, tls, tlsReload: { certPem, paths: { certFile: "/tls/tls.crt" }, timeoutSeconds: 60 } })).to.deep.equal([]);
        expect(checkInputs({ ...base, acl: UNKNOWN, tlsReload: UNKNOWN })).to.deep.equal([]);
        expect(checkInputs({ ...base, acl: { users: UNKNOWN, defaultUser: UNKNOWN }, tls: UNKNOWN, tlsReload: { certPem: UNKNOWN } })).to.deep.equal([]);
        // An unknown role may be the admin's: not judged yet.
        expect(
            checkInputs({ ...base, acl: { users: [{ name: "valkey-admin", passwords: [UNKNOWN], rules: UNKNOWN, role: UNKNOWN }], defaultUser: "off" } }),
        ).to.deep.equal([]);
    });

    it("reports every acl problem with its path, never a password", () => {
        const failures = checkInputs({
            ...base,
            acl: {
                users: [
                    { name: "default", passwords: [], rules: "+GET >leaked-pw-123", role: "admin" },
                    { name: "app", passwords: ["secret-pw-1", ""], rules: "", role: "root" },
                    { name: "app", passwords: "x", rules: 5 },
                    "user",
                ],
                defaultUser: "on",
            },
        });
        expect(failures).to.deep.equal([
            { property: "acl.defaultUser", reason: 'must be "restricted" or "off" (got "on")' },
            { property: "acl.users[0].name", reason: 'must not be "default": the default user is governed by acl.defaultUser' },
            { property: "acl.users[0].passwords", reason: "must be a non-empty list of passwords, the current one first" },
            {
                property: "acl.users[0].rules",
                reason: "must not set passwords or switch the user on/off (>, <, #, !, nopass, resetpass, reset, on, off): passwords go in `passwords`, and users are always on",
            },
            { property: "acl.users[1].passwords", reason: "must be non-empty strings" },
            { property: "acl.users[1].rules", reason: 'must name at least one rule, e.g. "+GET +SET ~app:*"' },
            { property: "acl.users[1].role", reason: 'must be one of admin, replication, exporter, probe, sentinel (got "root")' },
            { property: "acl.users[2].name", reason: "user app is already defined at acl.users[1]" },
            { property: "acl.users[2].passwords", reason: "must be a non-empty list of passwords, the current one first" },
            { property: "acl.users[2].rules", reason: "must be a string of ACL rules" },
            { property: "acl.users[3]", reason: "must be an object { name, passwords, rules, role? }" },
        ]);
        expect(JSON.stringify(failures)).not.to.include("leaked-pw-123");
        expect(JSON.stringify(failures)).not.to.include("secret-pw-1");
        expect(checkInputs({ ...base, acl: { users: [acl.users[1]], defaultUser: "restricted" } })).to.deep.equal([
            { property: "acl.users", reason: "must include the admin user (role admin): the provider connects as it once `default` is restricted" },
        ]);
        expect(checkInputs({ ...base, acl: { users: [acl.users[0], { ...acl.users[0], name: "root2" }], defaultUser: "off" } })).to.deep.equal([
            { property: "acl.users[1].role", reason: "the admin user is already acl.users[0]" },
        ]);
        expect(checkInputs({ ...base, acl: [] })).to.deep.equal([
            { property: "acl", reason: 'must be { users: [{ name, passwords, rules, role? }], defaultUser: "restricted" | "off" }' },
        ]);
    });

    it("reports tlsReload problems with their paths", () => {
        expect(
            checkInputs({
                ...base,
                tls: { ca: certPem },
                tlsReload: { certPem: "not a certificate", paths: { certFile: "", keyPath: "/x" }, timeoutSeconds: 0 },
            }),
        ).to.deep.equal([
            { property: "tlsReload.certPem", reason: "must be a PEM certificate (the server certificate the nodes must present)" },
            { property: "tlsReload.paths.certFile", reason: "must be a file path" },
            { property: "tlsReload.paths.keyPath", reason: "is not one of certFile, keyFile, caFile" },
            { property: "tlsReload.timeoutSeconds", reason: "must be a number of seconds > 0" },
        ]);
        expect(checkInputs({ ...base, tls: { ca: certPem }, tlsReload: "pem" })).to.deep.equal([
            { property: "tlsReload", reason: "must be { certPem, paths?, timeoutSeconds? }" },
        ]);
        expect(checkInputs({ ...base, tlsReload: { certPem } })).to.deep.equal([
            { property: "tlsReload", reason: "needs tls: the nodes are verified over a TLS handshake on the port the provider dials" },
        ]);
    });

    it("a change of acl or of the certificate is an update, never a replace; unchanged ones are stable", () => {
        const outs = { ...base, acl, tlsReload: { certPem }, state: "RUNNING", nodes: [] };
        const all = [
            "providerVersion",
            "topology",
            "username",
            "password",
            "sentinelPassword",
            "tls",
            "settings",
            "acl",
            "tlsReload",
            "config",
            "rollout",
            "drainBeforeScaleIn",
            "transport",
        ];
        expect(diffInputs(outs, { ...base, acl, tlsReload: { certPem } })).to.deep.equal({ changes: false, replaces: [], stables: all });
        const rotated = { ...acl, users: [acl.users[0], { ...acl.users[1], passwords: ["app-pw-new-0123456", "app-pw-0123456789"] }] };
        expect(diffInputs(outs, { ...base, acl: rotated, tlsReload: { certPem } })).to.deep.equal({
            changes: true,
            replaces: [],
            stables: all.filter((k) => k !== "acl"),
        });
        expect(diffInputs(outs, { ...base, acl, tlsReload: { certPem: otherPem } })).to.deep.equal({
            changes: true,
            replaces: [],
            stables: all.filter((k) => k !== "tlsReload"),
        });
        expect(diffInputs(outs, { ...base, acl: { ...acl, defaultUser: "off" }, tlsReload: { certPem } }).replaces).to.deep.equal([]);
        // Unknown during preview: may change.
        expect(diffInputs(outs, { ...base, acl: UNKNOWN, tlsReload: { certPem: UNKNOWN } })).to.deep.equal({
            changes: true,
            replaces: [],
            stables: all.filter((k) => k !== "acl" && k !== "tlsReload"),
        });
        // Adding acl to a resource that had none is an update.
        expect(diffInputs({ ...base }, { ...base, acl }).stables).to.deep.equal(all.filter((k) => k !== "acl"));
    });

    it("connects as the admin user with each of its passwords, then as given; reloads on create and on a new certificate only", () => {
        const inputs = {
            ...base,
            acl: { ...acl, users: [{ ...acl.users[0], passwords: ["new-admin-pw-01", ADMIN_PW] }, acl.users[1]] },
        } as unknown as TopologyInputs;
        expect(credentialCandidates(inputs)).to.deep.equal([
            { username: "valkey-admin", password: "new-admin-pw-01" },
            { username: "valkey-admin", password: ADMIN_PW },
            { password: "default-pw-0123" },
        ]);
        // The components already connect as the admin user: not tried twice.
        expect(credentialCandidates({ ...inputs, username: "valkey-admin", password: ADMIN_PW })).to.deep.equal([
            { username: "valkey-admin", password: "new-admin-pw-01" },
            { username: "valkey-admin", password: ADMIN_PW },
        ]);
        expect(credentialCandidates({ ...base } as unknown as TopologyInputs)).to.deep.equal([{ password: "default-pw-0123" }]);
        // With the previous state: its admin user after this run's, its given credentials last.
        const renamed = {
            ...inputs,
            acl: { ...acl, users: [{ ...acl.users[0], name: "ops-admin", passwords: ["third-admin-pw"] }, acl.users[1]] },
        } as unknown as TopologyInputs;
        expect(credentialCandidates(renamed, { ...inputs, password: "old-default-pw" })).to.deep.equal([
            { username: "ops-admin", password: "third-admin-pw" },
            { username: "valkey-admin", password: "new-admin-pw-01" },
            { username: "valkey-admin", password: ADMIN_PW },
            { password: "default-pw-0123" },
            { password: "old-default-pw" },
        ]);

        const withCert = { ...base, tlsReload: { certPem } } as unknown as TopologyInputs;
        const previous = (pem?: string) => ({ ...base, ...(pem !== undefined ? { tlsReload: { certPem: pem } } : {}) }) as unknown as TopologyOutputs;
        expect(tlsReloadDue(withCert, undefined)).to.equal(true);
        expect(tlsReloadDue(withCert, previous(certPem))).to.equal(false);
        expect(tlsReloadDue(withCert, previous(otherPem))).to.equal(true);
        expect(tlsReloadDue(withCert, previous())).to.equal(true);
        expect(tlsReloadDue(base as unknown as TopologyInputs, undefined)).to.equal(false);
    });
});
