// Issue 11, finding 7: with `acl.defaultUser: "off"` the probes authenticated as `default`, so every
// pod stayed unready (the client Service had no endpoint) while the cluster reported Running. The
// probes now authenticate as the probe user. Checked on a real cluster-mode valkey-server started
// from the rendered valkey.conf and auth.conf (a pod as it starts), and on one whose users the
// provider applied live (applyAcl): the rendered probe commands, run as the kubelet runs them
// (`sh -c`, the auth Secret's files), exit 0; the probe user may PING and nothing else.
import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { NodeClient } from "../../provider/nodes/client";
import { applyAcl } from "../../provider/security/acl-apply";
import { AclPlanInput, resolveAclUsers } from "../../sdk/acl/users";
import { renderValkeyConf } from "../../sdk/config/render";
import { buildAuthSecret, buildStatefulSet } from "../../sdk/manifests";
import { livenessProbe, readinessProbe } from "../../sdk/manifests/pod";
import { valkeyClusterSpecSchema } from "../../sdk/spec/cluster";
import { buildClusterModel } from "../../sdk/spec/cluster-model";
import { ServiceModel } from "../../sdk/spec/model";
import { parseSpec } from "../../sdk/spec/validate";
import { freePort, rawCommand, startValkey, stopAllValkeys, tempDir, ValkeyProcess } from "../helpers/valkey";
import { nodeTarget, connectAs, outcome } from "../helpers/nodes";

// Test-only passwords.
const DEFAULT_PW = "default-pw-0123456789";
const PW = { admin: "admin-pw-0123456789", repl: "repl-pw-0123456789", exporter: "exporter-pw-0123456789" };
const PROBE = "probe-user";

/** The auth Secret as the kubelet mounts it: one file per key. */
function mountSecret(stringData: Record<string, string>): string {
    const dir = tempDir("pulumi-valkey-auth-");
    for (const [key, value] of Object.entries(stringData)) fs.writeFileSync(path.join(dir, key), value, { mode: 0o440 });
    return dir;
}

/**
 * A probe command as the kubelet runs it (`sh -c <command[2]>`), with the pod's mount of the auth
 * Secret at `authDir` and the node on `port` instead of 6379: nothing else of the text changes.
 */
function runProbe(command: readonly string[], authDir: string, port: number): { status: number | null; output: string } {
    expect(command.slice(0, 2)).to.deep.equal(["sh", "-c"]);
    const script = command[2].replace(/\/etc\/valkey-auth\//g, `${authDir}/`).replace(" -p 6379 ", ` -p ${port} `);
    const r = spawnSync("sh", ["-c", script], { timeout: 5000, encoding: "utf8" });
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** Commands the probe user must not run, with the command name valkey reports. */
const REFUSED: readonly [string[], string][] = [
    [["GET", "k"], "get"],
    [["SET", "k", "v"], "set"],
    [["CONFIG", "GET", "requirepass"], "config|get"],
    [["CONFIG", "SET", "maxmemory", "1"], "config|set"],
    [["INFO"], "info"],
    [["KEYS", "*"], "keys"],
    [["ACL", "WHOAMI"], "acl|whoami"],
    [["CLUSTER", "NODES"], "cluster|nodes"],
    [["SHUTDOWN", "NOSAVE"], "shutdown"],
];

describe("the probes with acl.defaultUser off (issue 11, finding 7): they authenticate as probe-user, which may PING and nothing else", function () {
    this.timeout(30000);
    let cm: ServiceModel;
    let input: AclPlanInput;
    let secret: Record<string, string>;
    let authDir: string;
    let probes: { readiness: string[]; liveness: string[] };
    const servers: Record<"started from auth.conf" | "applied live", ValkeyProcess | undefined> = {
        "started from auth.conf": undefined,
        "applied live": undefined,
    };

    before(async () => {
        cm = buildClusterModel(
            "poc",
            parseSpec(
                valkeyClusterSpecSchema,
                {
                    exporter: { enabled: true },
                    acl: {
                        defaultUser: "off",
                        admin: { passwords: [PW.admin] },
                        replication: { passwords: [PW.repl] },
                        exporter: { passwords: [PW.exporter] },
                    },
                },
                "ValkeyCluster",
            ),
        );
        input = resolveAclUsers(cm.acl!, DEFAULT_PW);
        secret = buildAuthSecret(cm, DEFAULT_PW, input).stringData!;
        authDir = mountSecret(secret);
        const [valkey] = buildStatefulSet(cm, { configHash: "0123456789abcdef" }).spec!.template.spec!.containers;
        probes = { readiness: valkey.readinessProbe!.exec!.command!, liveness: valkey.livenessProbe!.exec!.command! };

        // A pod as it starts: the rendered valkey.conf, which includes the mounted auth.conf.
        const dir = tempDir();
        const port = await freePort();
        const conf = renderValkeyConf(cm, { dataDir: dir, port, authInclude: path.join(authDir, "auth.conf") });
        servers["started from auth.conf"] = await startValkey({ config: conf, dir, port });

        // A pod started before the provider ran (requirepass only), then the provider's applyAcl.
        const live = await startValkey({ password: DEFAULT_PW, args: ["--requirepass", DEFAULT_PW], cluster: true });
        const client = new NodeClient(nodeTarget(live), { credentials: { password: DEFAULT_PW } });
        const status = await applyAcl(client, input);
        client.close();
        expect(status).to.deep.equal({
            node: nodeTarget(live).name,
            status: "Applied",
            users: ["valkey-admin", "primary-replication-user", "exporter-user", PROBE].map((user) => ({ user, status: "Applied" })),
        });
        servers["applied live"] = live;
    });
    after(stopAllValkeys);

    it("renders the probes as probe-user with the Secret's probe-password, never a password on the command line", () => {
        expect(probes.readiness[2]).to.equal(
            `[ "$(REDISCLI_AUTH="$(cat /etc/valkey-auth/probe-password)" valkey-cli --user probe-user -p 6379 ping)" = "PONG" ]`,
        );
        expect(probes.liveness[2]).to.match(
            /^r="\$\(REDISCLI_AUTH="\$\(cat \/etc\/valkey-auth\/probe-password\)" valkey-cli --user probe-user -p 6379 ping 2>&1\)"; /,
        );
        for (const password of [DEFAULT_PW, ...Object.values(PW), secret["probe-password"]]) expect(JSON.stringify(probes)).not.to.include(password);
    });

    for (const kind of ["started from auth.conf", "applied live"] as const) {
        it(`${kind}: the default user is off, and the rendered readiness and liveness probes exit 0`, async () => {
            const server = servers[kind]!;
            expect(await rawCommand(server.port, `AUTH default ${DEFAULT_PW}`)).to.equal("-WRONGPASS invalid username-password pair or user is disabled.");
            const readiness = runProbe(probes.readiness, authDir, server.port);
            expect(readiness, "readiness").to.deep.equal({ status: 0, output: "" });
            const liveness = runProbe(probes.liveness, authDir, server.port);
            expect(liveness, "liveness").to.deep.equal({ status: 0, output: "" });
        });

        it(`${kind}: the probe user is refused GET, SET, CONFIG and every other command but PING with NOPERM`, async () => {
            const server = servers[kind]!;
            const probe = await connectAs(server, PROBE, secret["probe-password"]);
            try {
                expect(await probe.ping()).to.equal("PONG");
                const replies: string[] = [];
                for (const [[command, ...args]] of REFUSED) replies.push(await outcome(probe.call(command, ...args) as Promise<unknown>));
                expect(replies).to.deep.equal(REFUSED.map(([, cmd]) => `NOPERM User ${PROBE} has no permissions to run the '${cmd}' command`));
                // Still connected: the refusals did nothing (SHUTDOWN among them).
                expect(await probe.ping()).to.equal("PONG");
            } finally {
                probe.disconnect();
            }
        });
    }

    it("the probes as they were (as the default user) fail on such a node: not ready, while still alive", () => {
        const server = servers["started from auth.conf"]!;
        // readinessProbe/livenessProbe without a credential: the default user's `password`.
        const old = runProbe(readinessProbe(cm, 6379).exec!.command!, authDir, server.port);
        expect(old.status).to.equal(1);
        const alive = runProbe(livenessProbe(cm, 6379).exec!.command!, authDir, server.port);
        expect(alive.status).to.equal(0);
    });

    it("the provider checks the probes' own credential: a probe user that cannot PING fails the node's ACL status, naming it", async () => {
        const server = servers["applied live"]!;
        const broken: AclPlanInput = { ...input, users: input.users.map((u) => (u.role === "probe" ? { ...u, rules: "+info" } : u)) };
        const client = new NodeClient(nodeTarget(server), { credentials: { username: "valkey-admin", password: PW.admin } });
        try {
            const status = await applyAcl(client, broken);
            expect(status.status).to.equal("Error");
            expect(status.status === "Error" ? status.message : "").to.equal(
                `the probe user ${PROBE} cannot PING (NOPERM User ${PROBE} has no permissions to run the 'ping' command): the pod's readiness probe fails, so it is never Ready and the client Service has no endpoint for it`,
            );
            // Put back: the probes pass again.
            expect((await applyAcl(client, input)).status).to.equal("Applied");
            expect(runProbe(probes.readiness, authDir, server.port).status).to.equal(0);
        } finally {
            client.close();
        }
    });
});
