// The dynamic resource applies ACL users and reloads TLS certificates live on real servers
// (valkey-server on loopback): through its handlers, and once through the provider serialized as
// Pulumi does, in a fresh node process. No restart: run_id is unchanged.
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import Redis from "iovalkey";
import { topologyHandlers } from "../../provider/dynamic/handlers";
import { TopologyInputs, TopologyOutputs } from "../../provider/dynamic/inputs";
import { NodeClient, TlsOptions } from "../../provider/nodes/client";
import { certificateFingerprint } from "../../provider/security/tls-reload";
import { ADMIN_RULES, EXPORTER_RULES, REPLICATION_RULES } from "../../sdk/acl/users";
import { address, connectAs, connectRaw, outcome, startNodes } from "../helpers/nodes";
import { runSerialized, serializedInputs } from "../helpers/serialized-provider";
import { makeCertificates, renewServerCertificate, TestCertificates } from "../helpers/tls";
import { startValkey, stopAllValkeys, tempDir, ValkeyProcess } from "../helpers/valkey";

// Test-only passwords; none may appear in an output message or an error.
const DEFAULT_PW = "dynsec-default-pw-0123";
const PW = {
    admin: "dynsec-admin-pw-0123",
    admin2: "dynsec-admin-pw-NEW-4567",
    repl: "dynsec-repl-pw-0123",
    exporter: "dynsec-exporter-pw-0123",
    app: "dynsec-app-pw-0123",
    app2: "dynsec-app-pw-NEW-4567",
};
const ALL_PASSWORDS = [DEFAULT_PW, ...Object.values(PW)];
const read = (file: string) => fs.readFileSync(file, "utf8");

function acl(passwords: { admin: string[]; app: string[] }, appRules = "+GET +SET ~app:*") {
    return {
        users: [
            { name: "valkey-admin", passwords: passwords.admin, rules: ADMIN_RULES, role: "admin" as const },
            { name: "primary-replication-user", passwords: [PW.repl], rules: REPLICATION_RULES, role: "replication" as const },
            { name: "exporter-user", passwords: [PW.exporter], rules: EXPORTER_RULES, role: "exporter" as const },
            { name: "app", passwords: passwords.app, rules: appRules },
        ],
        defaultUser: "restricted" as const,
    };
}

function clusterInputs(servers: readonly ValkeyProcess[], extra: Partial<TopologyInputs>): TopologyInputs {
    return {
        providerVersion: "1.0.0",
        topology: { kind: "cluster", masters: 3, replicasPerMaster: 0 },
        transport: { kind: "direct", nodes: servers.map((s) => ({ dial: address(s) })) },
        password: DEFAULT_PW,
        timeoutSeconds: 60,
        ...extra,
    };
}

async function asUser<T>(server: ValkeyProcess, username: string, password: string, body: (c: Redis) => Promise<T>, tls?: TlsOptions): Promise<T> {
    const c = await connectAs(server, username, password, tls);
    try {
        return await body(c);
    } finally {
        c.disconnect();
    }
}

/** "OK" when the node accepts the password, else its refusal (an explicit AUTH: iovalkey's connect does not reject on a wrong password). */
async function authenticates(server: ValkeyProcess, username: string, password: string): Promise<string> {
    const client = await connectRaw(server);
    try {
        return await outcome(client.call("AUTH", username, password) as Promise<unknown>);
    } finally {
        client.disconnect();
    }
}

const runIdOf = (info: string) => /run_id:(\w+)/.exec(info)![1];

function expectNoPassword(text: string): void {
    for (const pw of ALL_PASSWORDS) expect(text, "a password leaked").not.to.include(pw);
}

describe("dynamic provider: ACL users and TLS reload, live on real servers", function () {
    this.timeout(120000);
    after(stopAllValkeys);

    describe("ACL (3 cluster nodes with requirepass, handlers called directly)", () => {
        let servers: ValkeyProcess[] = [];
        let outs: TopologyOutputs;
        let runIds: string[] = [];
        const names = () => servers.map(address);
        const runIds$ = () => Promise.all(servers.map((s) => asUser(s, "valkey-admin", PW.admin2, async (c) => runIdOf(await c.info("server")))));

        before(async () => {
            servers = await startNodes(3, { cluster: true, password: DEFAULT_PW, args: ["--requirepass", DEFAULT_PW] });
        });

        it("create: converges as `default`, applies every user on every node, restricts `default` last; a +GET +SET ~app:* user is denied elsewhere", async () => {
            const created = await topologyHandlers.create(clusterInputs(servers, { acl: acl({ admin: [PW.admin], app: [PW.app] }) }));
            outs = created.outs;
            expect(outs.aclStatus).to.deep.equal(names().map((node) => ({ node, status: "Applied" })));
            expect(outs.aclPhase).to.equal("Applied");
            expect(outs.state).to.equal("RUNNING");
            const aclLines = outs.lastActions.filter((l) => l.includes("ACL SETUSER"));
            expect(aclLines).to.deep.equal(
                names().flatMap((n) => [
                    ...["valkey-admin", "primary-replication-user", "exporter-user", "app"].map((u) => `${n}: ACL SETUSER ${u} ... (user applied)`),
                    `${n}: ACL SETUSER default resetkeys resetchannels -@all clearselectors +ping (the default user: restricted)`,
                ]),
            );
            // Converge's commands come first, the ACL lines last.
            expect(outs.lastActions.slice(-aclLines.length)).to.deep.equal(aclLines);
            expect(outs.lastActions.some((l) => l.includes("CLUSTER ADDSLOTSRANGE"))).to.equal(true);
            expectNoPassword(JSON.stringify({ ...outs, acl: undefined, password: undefined }));

            for (const server of servers) {
                await asUser(server, "app", PW.app, async (app) => {
                    const key = "app:{x}";
                    const reply = await outcome(app.set(key, "1"));
                    // A cluster node answers MOVED for a slot it does not serve: the ACL check passed.
                    expect(reply === "OK" || reply.startsWith("MOVED ")).to.equal(true, reply);
                    expect(await outcome(app.set("other", "1"))).to.equal("NOPERM No permissions to access a key");
                    expect(await outcome(app.del(key))).to.equal("NOPERM User app has no permissions to run the 'del' command");
                });
                await asUser(server, "default", DEFAULT_PW, async (def) => {
                    expect(await outcome(def.ping())).to.equal("PONG");
                    expect(await outcome(def.info("server"))).to.equal("NOPERM User default has no permissions to run the 'info' command");
                });
            }
            runIds = await Promise.all(servers.map((s) => asUser(s, "valkey-admin", PW.admin, async (c) => runIdOf(await c.info("server")))));
        });

        it("update with a rule the nodes refuse: reported per node with the node's message (aclPhase Error), without a password; the old rules stay", async () => {
            const news = clusterInputs(servers, { acl: acl({ admin: [PW.admin], app: [PW.app] }, "+GET +nosuchcommand ~app:*") });
            const { outs: refused } = await topologyHandlers.update(outs.nodes[0].name, outs, news);
            const refusal = "ERR Error in ACL SETUSER modifier '+nosuchcommand': Unknown command or category name in ACL";
            expect(refused.aclPhase).to.equal("Error");
            expect(refused.aclStatus).to.deep.equal(names().map((node) => ({ node, status: "Error", message: `user app: ${refusal}` })));
            expect(refused.state).to.equal("RUNNING");
            // The system users are applied and `default` restricted; the refusal is in lastActions.
            expect(refused.lastActions.filter((l) => l.includes("ACL SETUSER"))).to.deep.equal(
                names().flatMap((n) => [
                    ...["valkey-admin", "primary-replication-user", "exporter-user"].map((u) => `${n}: ACL SETUSER ${u} ... (user applied)`),
                    `${n}: ACL SETUSER app ... (refused: ${refusal})`,
                    `${n}: ACL SETUSER default resetkeys resetchannels -@all clearselectors +ping (the default user: restricted)`,
                ]),
            );
            expectNoPassword(JSON.stringify({ ...refused, acl: undefined, password: undefined }));
            // ACL SETUSER is atomic: the user keeps its previous rules.
            await asUser(servers[0], "app", PW.app, async (app) =>
                expect(await outcome(app.set("other", "1"))).to.equal("NOPERM No permissions to access a key"),
            );
        });

        it("update rotating passwords (admin and app: two passwords, then one): both work in between, then the old ones are refused; run_id unchanged", async () => {
            // Step 1: [new, old]. The provider's first try (admin, new password) is refused: it connects with the old one.
            const both = await topologyHandlers.update(
                outs.nodes[0].name,
                outs,
                clusterInputs(servers, { acl: acl({ admin: [PW.admin2, PW.admin], app: [PW.app2, PW.app] }) }),
            );
            expect(both.outs.aclStatus).to.deep.equal(names().map((node) => ({ node, status: "Applied" })));
            for (const server of servers) {
                for (const [user, pw] of [
                    ["app", PW.app],
                    ["app", PW.app2],
                    ["valkey-admin", PW.admin],
                    ["valkey-admin", PW.admin2],
                ]) {
                    expect(await authenticates(server, user, pw)).to.equal("OK");
                }
            }
            // Step 2: [new] only.
            const one = await topologyHandlers.update(
                outs.nodes[0].name,
                both.outs,
                clusterInputs(servers, { acl: acl({ admin: [PW.admin2], app: [PW.app2] }) }),
            );
            expect(one.outs.aclStatus).to.deep.equal(names().map((node) => ({ node, status: "Applied" })));
            expect(one.outs.aclPhase).to.equal("Applied");
            // Nothing to converge: only the ACL lines.
            expect(one.outs.lastActions.every((l) => l.includes("ACL SETUSER"))).to.equal(true);
            for (const server of servers) {
                expect(await authenticates(server, "app", PW.app)).to.equal("WRONGPASS invalid username-password pair or user is disabled.");
                expect(await authenticates(server, "valkey-admin", PW.admin)).to.equal("WRONGPASS invalid username-password pair or user is disabled.");
                expect(await authenticates(server, "app", PW.app2)).to.equal("OK");
                expect(await authenticates(server, "valkey-admin", PW.admin2)).to.equal("OK");
            }
            expect(await runIds$()).to.deep.equal(runIds);
            expectNoPassword(JSON.stringify({ ...one.outs, acl: undefined, password: undefined }));
            outs = one.outs;
        });

        it("update changing the admin password in one step, then renaming the admin user: gets in with the previous state's credentials and converges (issue 11, finding 8)", async () => {
            // One step: the nodes know only PW.admin2, the inputs only the new password.
            const admin3 = "dynsec-admin-pw-THIRD-890";
            const stepped = await topologyHandlers.update(outs.nodes[0].name, outs, clusterInputs(servers, { acl: acl({ admin: [admin3], app: [PW.app2] }) }));
            expect(stepped.outs.aclPhase).to.equal("Applied");
            for (const server of servers) {
                expect(await authenticates(server, "valkey-admin", admin3)).to.equal("OK");
                expect(await authenticates(server, "valkey-admin", PW.admin2)).to.equal("WRONGPASS invalid username-password pair or user is disabled.");
            }
            // Renamed: the nodes have no user "ops-admin" yet; the previous state's valkey-admin gets in.
            const renamed = acl({ admin: [admin3], app: [PW.app2] });
            const renamedAcl = { ...renamed, users: renamed.users.map((u) => (u.role === "admin" ? { ...u, name: "ops-admin" } : u)) };
            const moved = await topologyHandlers.update(outs.nodes[0].name, stepped.outs, clusterInputs(servers, { acl: renamedAcl }));
            expect(moved.outs.aclPhase).to.equal("Applied");
            for (const server of servers) expect(await authenticates(server, "ops-admin", admin3)).to.equal("OK");
            // And the next run connects as the new admin user first.
            const again = await topologyHandlers.update(outs.nodes[0].name, moved.outs, clusterInputs(servers, { acl: renamedAcl }));
            expect(again.outs.aclPhase).to.equal("Applied");
            expectNoPassword(JSON.stringify({ ...again.outs, acl: undefined, password: undefined }).replace(admin3, ""));
            expect(JSON.stringify({ ...again.outs, acl: undefined, password: undefined })).not.to.contain(admin3);
            outs = again.outs;
        });

        it("when no credentials are accepted: names the node and the users tried, never a password", async () => {
            const wrong = clusterInputs(servers, {
                password: "dynsec-not-the-default-pw",
                acl: acl({ admin: ["dynsec-not-admin-1", "dynsec-not-admin-2"], app: [PW.app2] }),
            });
            // The previous state's credentials are tried too: make them wrong as well.
            const error = await topologyHandlers.update(outs.nodes[0].name, { ...outs, password: wrong.password, acl: wrong.acl }, wrong).then(
                () => undefined,
                (e: Error) => e,
            );
            expect(error?.message).to.match(
                new RegExp(
                    `^node (${names().join("|").replace(/\./g, "\\.")}): authentication failed: user default: WRONGPASS invalid username-password pair or user is disabled\\. \\(tried: valkey-admin with 2 passwords, then default with 1 password\\)$`,
                ),
            );
            for (const pw of ["dynsec-not-the-default-pw", "dynsec-not-admin-1", "dynsec-not-admin-2"]) expect(error?.message).not.to.include(pw);
        });
    });

    describe("TLS reload (a TLS-only standalone node, handlers called directly)", () => {
        /** Puts a certificate, its key and a CA where the node reads them (the same paths every time). */
        function install(dir: string, cert: string, key: string, ca: string) {
            const files = { certFile: path.join(dir, "tls.crt"), keyFile: path.join(dir, "tls.key"), caFile: path.join(dir, "ca.crt") };
            fs.copyFileSync(cert, files.certFile);
            fs.copyFileSync(key, files.keyFile);
            fs.copyFileSync(ca, files.caFile);
            return files;
        }
        const tlsOf = (certs: TestCertificates): TlsOptions => ({ ca: read(certs.caFile) });
        type Files = ReturnType<typeof install>;
        /** One TLS-only node as a standalone topology, trusting `certs`' CA, that must present `certFile`. */
        const standalone = (server: ValkeyProcess, certs: TestCertificates, certFile: string, files: Files, reloadSeconds = 10): TopologyInputs => ({
            providerVersion: "1.0.0",
            topology: { kind: "standalone" },
            transport: { kind: "direct", nodes: [{ dial: address(server) }] },
            password: DEFAULT_PW,
            tls: tlsOf(certs),
            tlsReload: { certPem: read(certFile), paths: files, timeoutSeconds: reloadSeconds },
            timeoutSeconds: 30,
        });
        async function runId(server: ValkeyProcess, tls: TlsOptions): Promise<string> {
            const client = new NodeClient(
                {
                    name: address(server),
                    dial: { host: server.host, port: server.port },
                    announce: { host: server.host, port: server.port },
                    placement: { host: server.host },
                },
                { tls, credentials: { password: DEFAULT_PW } },
            );
            try {
                return runIdOf(String(await client.call(["INFO", "server"])));
            } finally {
                client.close();
            }
        }

        it("create over TLS, then a certificate of a new CA, then a renewal from the same CA at the same paths: the node presents each, run_id unchanged", async () => {
            const [oldCa, newCa] = [makeCertificates(), makeCertificates()];
            const live = tempDir("pulumi-valkey-dynsec-tls-");
            const files = install(live, oldCa.serverCert, oldCa.serverKey, oldCa.caFile);
            const server = await startValkey({ tls: files, password: DEFAULT_PW, args: ["--requirepass", DEFAULT_PW, "--tls-auth-clients", "optional"] });
            const node = address(server);
            const inputs = (certs: TestCertificates, certFile: string) => standalone(server, certs, certFile, files);
            const command = `CONFIG SET tls-cert-file ${files.certFile} tls-key-file ${files.keyFile} tls-ca-cert-file ${files.caFile}`;

            const created = await topologyHandlers.create(inputs(oldCa, oldCa.serverCert));
            const oldFp = certificateFingerprint(read(oldCa.serverCert));
            expect(created.outs.tlsStatus).to.deep.equal([{ node, status: "Reloaded", fingerprint: oldFp }]);
            expect(created.outs.lastActions).to.deep.equal([`${node}: ${command} (reload the TLS files: presents ${oldFp} after 1 attempt)`]);
            const before = await runId(server, tlsOf(oldCa));

            // A new CA: the files change, then the update with the new certificate and CA.
            install(live, newCa.serverCert, newCa.serverKey, newCa.caFile);
            let started = Date.now();
            const rotated = await topologyHandlers.update(node, created.outs, inputs(newCa, newCa.serverCert));
            const newCaMs = Date.now() - started;
            const newFp = certificateFingerprint(read(newCa.serverCert));
            expect(rotated.outs.tlsStatus).to.deep.equal([{ node, status: "Reloaded", fingerprint: newFp }]);
            expect(rotated.outs.lastActions).to.deep.equal([`${node}: ${command} (reload the TLS files: presents ${newFp} after 1 attempt)`]);
            expect(await runId(server, tlsOf(newCa))).to.equal(before);
            const oldChain = await runId(server, tlsOf(oldCa)).then(
                () => "connected",
                (e: Error) => e.message,
            );
            expect(oldChain).to.match(/certificate/i);

            // A renewal from the same CA (new key too).
            const renewed = renewServerCertificate(newCa, "server-renewed");
            install(live, renewed.cert, renewed.key, newCa.caFile);
            started = Date.now();
            const renewal = await topologyHandlers.update(node, rotated.outs, inputs(newCa, renewed.cert));
            const sameCaMs = Date.now() - started;
            const renewedFp = certificateFingerprint(read(renewed.cert));
            expect(renewedFp).not.to.equal(newFp);
            expect(renewal.outs.tlsStatus).to.deep.equal([{ node, status: "Reloaded", fingerprint: renewedFp }]);
            expect(renewal.outs.lastActions).to.deep.equal([`${node}: ${command} (reload the TLS files: presents ${renewedFp} after 1 attempt)`]);
            expect(await runId(server, tlsOf(newCa))).to.equal(before);
            console.log(`      update with reload (converge check + CONFIG SET + verifying handshake): new CA ${newCaMs} ms, same CA ${sameCaMs} ms`);

            // The same certificate again: no reload, the last status is kept.
            const again = await topologyHandlers.update(node, renewal.outs, { ...inputs(newCa, renewed.cert), timeoutSeconds: 20 });
            expect(again.outs.lastActions).to.deep.equal([]);
            expect(again.outs.tlsStatus).to.deep.equal([{ node, status: "Reloaded", fingerprint: renewedFp }]);
        });

        it("retries until the files appear (kubelet syncs a Secret volume late): reloaded after more than one attempt", async () => {
            const first = makeCertificates();
            const second = renewServerCertificate(first, "late");
            const live = tempDir("pulumi-valkey-dynsec-tls-");
            const files = install(live, first.serverCert, first.serverKey, first.caFile);
            const server = await startValkey({ tls: files, password: DEFAULT_PW, args: ["--requirepass", DEFAULT_PW, "--tls-auth-clients", "optional"] });
            const node = address(server);
            const inputs = (certFile: string) => standalone(server, first, certFile, files);
            const created = await topologyHandlers.create(inputs(first.serverCert));
            const started = Date.now();
            const late = setTimeout(() => install(live, second.cert, second.key, first.caFile), 1500);
            const updated = await topologyHandlers.update(node, created.outs, inputs(second.cert)).finally(() => clearTimeout(late));
            const elapsed = Date.now() - started;
            console.log(`      reload with the files swapped 1.5 s late: ${elapsed} ms`);
            const fp = certificateFingerprint(read(second.cert));
            expect(updated.outs.tlsStatus).to.deep.equal([{ node, status: "Reloaded", fingerprint: fp }]);
            const attempts = Number(/after (\d+) attempts\)$/.exec(updated.outs.lastActions[0] ?? "")?.[1]);
            expect(attempts).to.be.within(2, 4);
            expect(elapsed).to.be.within(1500, 5000);
        });

        it("fails clearly when a node never presents the new certificate (its files were not updated)", async () => {
            const [current, expected] = [makeCertificates(), makeCertificates()];
            const files = install(tempDir("pulumi-valkey-dynsec-tls-"), current.serverCert, current.serverKey, current.caFile);
            const server = await startValkey({ tls: files, password: DEFAULT_PW, args: ["--requirepass", DEFAULT_PW, "--tls-auth-clients", "optional"] });
            const node = address(server);
            const error = await topologyHandlers.create(standalone(server, current, expected.serverCert, files, 0.5)).then(
                () => undefined,
                (e: Error) => e,
            );
            expect(error?.message).to.equal(
                `node ${node}: verification failed: TLS reload failed: node ${node} still presents certificate ${certificateFingerprint(read(current.serverCert))} instead of ${certificateFingerprint(read(expected.serverCert))} after 0.5 s: its TLS files at ${files.certFile} have not been updated (is the Secret volume synced?)`,
            );
        });
    });

    describe("through the provider serialized as Pulumi does, in a fresh node process", () => {
        it("creates with acl, then rotates the app password to [new, old]; the serialized text holds no password", async () => {
            const captured = await serializedInputs("secure", {
                topology: { kind: "cluster", masters: 3, replicasPerMaster: 0 },
                transport: { kind: "direct", nodes: [{ dial: "127.0.0.1:1" }] },
                password: pulumi.secret(DEFAULT_PW),
                acl: pulumi.secret(acl({ admin: [PW.admin], app: [PW.app] })),
            });
            const serialized = captured.__provider as string;
            expectNoPassword(serialized);

            const servers = await startNodes(3, { cluster: true, password: DEFAULT_PW, args: ["--requirepass", DEFAULT_PW] });
            const run = await runSerialized(serialized, {
                create: clusterInputs(servers, { acl: acl({ admin: [PW.admin], app: [PW.app] }) }),
                update: clusterInputs(servers, { acl: acl({ admin: [PW.admin], app: [PW.app2, PW.app] }) }),
            });
            expect(run.code, `stderr: ${run.stderr}`).to.equal(0);
            expect(run.stderr).to.equal("");
            const result = JSON.parse(run.json);
            const names = servers.map(address);
            // What `pulumi up` would show: the provider's progress, every line its own, no password.
            const printed = run.stdout.trim().split("\n");
            expect(printed.filter((l) => !l.startsWith("valkey 3 nodes: "))).to.deep.equal([]);
            expect(printed).to.include(`valkey 3 nodes: ${names[0]}: CLUSTER ADDSLOTSRANGE 0 5460 (serve slots 0-5460)`);
            expectNoPassword(run.stdout);
            expect(result.check.failures).to.deep.equal([]);
            expect(result.create.outs.aclStatus).to.deep.equal(names.map((node) => ({ node, status: "Applied" })));
            expect(result.diff).to.deep.equal({
                changes: true,
                replaces: [],
                stables: [
                    "providerVersion",
                    "topology",
                    "username",
                    "password",
                    "sentinelPassword",
                    "tls",
                    "settings",
                    "tlsReload",
                    "config",
                    "rollout",
                    "drainBeforeScaleIn",
                    "transport",
                ],
                deleteBeforeReplace: false,
            });
            expect(result.update.outs.aclStatus).to.deep.equal(names.map((node) => ({ node, status: "Applied" })));
            expect(result.update.outs.aclPhase).to.equal("Applied");
            for (const server of servers) {
                expect(await authenticates(server, "app", PW.app)).to.equal("OK");
                expect(await authenticates(server, "app", PW.app2)).to.equal("OK");
                expect(await asUser(server, "default", DEFAULT_PW, (c) => outcome(c.info("server")))).to.equal(
                    "NOPERM User default has no permissions to run the 'info' command",
                );
            }
        });
    });
});
