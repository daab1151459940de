// A Sentinel plan with ACL users (kubernetes.acl): the exact lines of what the pods read. The
// Sentinels authenticate to the data nodes as the Sentinel user (sentinel-auth.conf in the auth
// Secret), the probe user may INFO and the primary-only readiness script authenticates as it.
import { createHash } from "crypto";
import { expect } from "chai";
import { PROBE_RULES, SENTINEL_PLAN_PROBE_RULES, SENTINEL_RULES, resolveAclUsers } from "../../../sdk/acl/users";
import { renderSentinelAuthConf } from "../../../sdk/config/sentinel";
import { probePassword, sentinelUserPassword } from "../../../sdk/credentials/probe-password";
import { sentinelPassword } from "../../../sdk/credentials/sentinel-password";
import { primaryReadinessScript, startScript } from "../../../sdk/manifests/ha";
import { buildAuthSecret, buildConnectionSecret } from "../../../sdk/manifests/secrets";
import { buildStatefulSet } from "../../../sdk/manifests/statefulset";
import { SEED_000_SPEC, valkeyModel } from "./fixtures";

const sha = (s: string) => createHash("sha256").update(s).digest("hex");
const PW = "default-pw";
const generated = { "valkey-admin": ["admin-pw-1"], "primary-replication-user": ["repl-pw-1"], "exporter-user": ["exp-pw-1"], app: ["app-pw-1"] };

describe("manifests: Sentinel plan with ACL users", () => {
    const acl = { defaultUser: "off" as const, users: [{ name: "app", rules: "~app:* +@read +@write" }] };
    const model = valkeyModel({ ...SEED_000_SPEC, plan: "business-4", kubernetes: { acl } });
    const users = resolveAclUsers(model.acl!, PW, generated, { sentinel: true });

    it("resolves a Sentinel user with SENTINEL_RULES and a derived password, and lets the probe user INFO; not on other plans", () => {
        expect(users.users.map((u) => [u.name, u.role, u.rules])).to.deep.equal([
            ["valkey-admin", "admin", "~* &* +@all"],
            ["primary-replication-user", "replication", "-@all +psync +sync +replconf +ping"],
            ["exporter-user", "exporter", users.users[2].rules],
            ["probe-user", "probe", "+ping +info"],
            ["sentinel-user", "sentinel", SENTINEL_RULES],
            ["app", undefined, "~app:* +@read +@write"],
        ]);
        expect(SENTINEL_RULES).to.equal(
            "-@all +ping +info +client|setname +client|kill +subscribe +publish +multi +exec +slaveof +config|rewrite +script|kill &__sentinel__:hello",
        );
        expect(SENTINEL_PLAN_PROBE_RULES).to.equal("+ping +info");
        const sentinel = users.users.find((u) => u.role === "sentinel")!;
        expect(sentinel.passwords).to.deep.equal([sentinelUserPassword(PW)]);
        expect(sentinelUserPassword(PW)).to.match(/^[0-9a-f]{32}$/);
        // Not the Sentinels' own password (handed to Sentinel-aware clients), nor the probe user's.
        expect(sentinelUserPassword(PW)).not.to.equal(sentinelPassword(PW));
        expect(sentinelUserPassword(PW)).not.to.equal(probePassword(PW));
        const plain = resolveAclUsers(model.acl!, PW, generated);
        expect(plain.users.map((u) => u.role)).to.deep.equal(["admin", "replication", "exporter", "probe", undefined]);
        expect(plain.users.find((u) => u.role === "probe")!.rules).to.equal(PROBE_RULES);
    });

    it("renders sentinel-auth.conf with auth-user/auth-pass of the Sentinel user, and auth.conf with every user and the replication credentials", () => {
        const data = buildAuthSecret(model, PW, users).stringData!;
        const own = sentinelPassword(PW);
        expect(data["sentinel-auth.conf"]).to.equal(
            [
                "sentinel auth-user my-valkey sentinel-user",
                `sentinel auth-pass my-valkey ${sentinelUserPassword(PW)}`,
                `requirepass ${own}`,
                `sentinel sentinel-pass ${own}`,
                "",
            ].join("\n"),
        );
        expect(data["sentinel-password"]).to.equal(own);
        expect(data["probe-password"]).to.equal(probePassword(PW));
        expect(data["auth.conf"].split("\n")).to.deep.equal([
            `user valkey-admin on resetkeys resetchannels -@all ~* &* +@all #${sha("admin-pw-1")}`,
            `user primary-replication-user on resetkeys resetchannels -@all -@all +psync +sync +replconf +ping #${sha("repl-pw-1")}`,
            `user exporter-user on resetkeys resetchannels -@all ${users.users[2].rules} #${sha("exp-pw-1")}`,
            `user probe-user on resetkeys resetchannels -@all +ping +info #${sha(probePassword(PW))}`,
            `user sentinel-user on resetkeys resetchannels -@all ${SENTINEL_RULES} #${sha(sentinelUserPassword(PW))}`,
            `user app on resetkeys resetchannels -@all ~app:* +@read +@write #${sha("app-pw-1")}`,
            `user default off resetkeys resetchannels -@all #${sha(PW)}`,
            "masteruser primary-replication-user",
            "masterauth repl-pw-1",
            "",
        ]);
        // The ConfigMap side holds no password: sentinel.conf only includes this file.
        expect(JSON.stringify(data["sentinel-auth.conf"])).not.to.contain(PW);
    });

    it("refuses a Sentinel plan's ACL users without the Sentinel user, naming the fix and no password", () => {
        const without = resolveAclUsers(model.acl!, PW, generated);
        expect(() => buildAuthSecret(model, PW, without)).to.throw(
            "Secret my-valkey-auth: a Sentinel plan with ACL users needs the Sentinel user (role sentinel; resolveAclUsers(..., { sentinel: true })): without it the Sentinels could not authenticate to the data nodes",
        );
    });

    it("renderSentinelAuthConf validates and quotes the user like auth.conf's words", () => {
        expect(renderSentinelAuthConf("g", "p4ss w", "own-pw-1", "sentinel-user")).to.equal(
            'sentinel auth-user g sentinel-user\nsentinel auth-pass g "p4ss w"\nrequirepass own-pw-1\nsentinel sentinel-pass own-pw-1\n',
        );
        for (const bad of ["a b", 'x"\nsentinel monitor evil 1.2.3.4 6379 1', "default", ""]) {
            expect(() => renderSentinelAuthConf("g", "pw", undefined, bad)).to.throw(
                `Sentinel group "g": the Sentinels' user ${JSON.stringify(bad)} must be an ACL user name other than "default"`,
            );
        }
    });

    it("the primary-only readiness script runs INFO as the probe user with its password file; the start script is unchanged", () => {
        const lines = primaryReadinessScript(model).split("\n");
        expect(lines[lines.length - 1]).to.equal(
            `REDISCLI_AUTH="$(cat "\${VALKEY_HA_PASSWORD_FILE:-/etc/valkey-auth/probe-password}")" valkey-cli --user probe-user -t 1 -p "$port" INFO replication | grep -q '^role:master'`,
        );
        const without = valkeyModel({ ...SEED_000_SPEC, plan: "business-4" });
        expect(lines.slice(0, -1)).to.deep.equal(primaryReadinessScript(without).split("\n").slice(0, -1));
        expect(startScript(model)).to.equal(startScript(without));
    });

    it("the data pods' liveness probe authenticates as the probe user; readiness is the primary-only script", () => {
        const [container] = buildStatefulSet(model, { configHash: "x" }).spec!.template.spec!.containers;
        expect(container.readinessProbe!.exec!.command).to.deep.equal(["sh", "-c", primaryReadinessScript(model)]);
        expect(container.livenessProbe!.exec!.command![2]).to.match(
            /^r="\$\(REDISCLI_AUTH="\$\(cat \/etc\/valkey-auth\/probe-password\)" valkey-cli --user probe-user -p 6379 ping 2>&1\)"; /,
        );
    });
});

describe("manifests: the connection Secret of a Sentinel plan whose clients use an ACL user", () => {
    const model = valkeyModel({ ...SEED_000_SPEC, plan: "business-4", kubernetes: { acl: { defaultUser: "off" } } });
    const conn = { host: "h", port: 6379, user: "app", password: "app-pw-1", ssl: false };

    it("takes the Sentinels' password as given; never derives it from an ACL user's password", () => {
        expect(buildConnectionSecret(model, { ...conn, sentinelPassword: sentinelPassword(PW) })!.stringData!.VALKEY_SENTINEL_PASSWORD).to.equal(
            sentinelPassword(PW),
        );
        expect(() => buildConnectionSecret(model, conn)).to.throw(
            `connection Secret of "my-valkey": give sentinelPassword for user "app": the Sentinels' password derives from the default user's password, not from this user's`,
        );
        // A 1-node plan has no Sentinel keys, so nothing to give.
        const single = valkeyModel({ ...SEED_000_SPEC, kubernetes: { acl: { defaultUser: "off" } } });
        expect(Object.keys(buildConnectionSecret(single, conn)!.stringData!).filter((k) => k.includes("SENTINEL"))).to.deep.equal([]);
    });
});
