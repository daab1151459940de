// Table tests of the pure ACL layer: users of a spec, the exact SETUSER arguments, password sets,
// rotation steps, config lines, and that no password is ever shown.
import { expect } from "chai";
import {
    aclConfigLines,
    aclSetUserCommand,
    ADMIN_RULES,
    defaultUserCommand,
    describeCommand,
    describeRotationStep,
    EXPORTER_RULES,
    passwordArgs,
    PROBE_RULES,
    passwordHash,
    planPasswordRotation,
    replicationAuthCommand,
    REPLICATION_RULES,
    resolveAclUsers,
    usersWithoutPasswords,
} from "../../../sdk/acl";
import { probePassword } from "../../../sdk/credentials/probe-password";
import { sentinelPassword } from "../../../sdk/credentials/sentinel-password";
import { aclSpecSchema } from "../../../sdk/spec/security";
import { parseSpec } from "../../../sdk/spec/validate";

/** `printf secret-one | sha256sum`, computed outside the code under test. */
const SECRET_ONE_SHA256 = "ea77193cc4e6f18656f3130e296203880c4b9b3772afc855211b82fdd46e9185";

describe("acl: users of a spec", () => {
    const spec = parseSpec(
        aclSpecSchema,
        { exporter: { name: "metrics", passwords: ["exporter-pass"] }, users: [{ name: "app", rules: "+GET ~app:*" }] },
        "acl",
    );

    it("lists who needs a generated password", () => {
        expect(usersWithoutPasswords(spec)).to.deep.equal(["valkey-admin", "primary-replication-user", "app"]);
    });

    it("resolves the system users with their fixed rules, then the users, with given or generated passwords", () => {
        const input = resolveAclUsers(spec, "default-pw", {
            "valkey-admin": ["gen-admin-pw"],
            "primary-replication-user": ["gen-repl-pw"],
            app: ["gen-app-pw"],
        });
        expect(input).to.deep.equal({
            users: [
                { name: "valkey-admin", passwords: ["gen-admin-pw"], rules: "~* &* +@all", role: "admin" },
                { name: "primary-replication-user", passwords: ["gen-repl-pw"], rules: "-@all +psync +sync +replconf +ping", role: "replication" },
                { name: "metrics", passwords: ["exporter-pass"], rules: EXPORTER_RULES, role: "exporter" },
                // HMAC-SHA256(key "default-pw", "pulumi-valkey probe password v1"), first 32 hex (openssl dgst -hmac).
                { name: "probe-user", passwords: ["d72ee468a16a99b651808f16272fda25"], rules: "+ping", role: "probe" },
                { name: "app", passwords: ["gen-app-pw"], rules: "+GET ~app:*" },
            ],
            defaultUser: "restricted",
        });
        expect([ADMIN_RULES, REPLICATION_RULES]).to.deep.equal(["~* &* +@all", "-@all +psync +sync +replconf +ping"]);
    });

    it("refuses a user without any password, naming the user", () => {
        expect(() => resolveAclUsers(spec, "default-pw", {})).to.throw("ACL user valkey-admin has no password: give acl passwords or a generated one");
    });
});

describe("acl: commands", () => {
    const user = { name: "app", passwords: ["secret-one", "secret-two"], rules: "+GET  +SET ~app:*" };

    it("hashes passwords as ACL GETUSER shows them (SHA-256 hex)", () => {
        expect(passwordHash("secret-one")).to.equal(SECRET_ONE_SHA256);
    });

    it("starts the rules from nothing and sets the passwords atomically in the same command", () => {
        expect(aclSetUserCommand(user)).to.deep.equal([
            "ACL",
            "SETUSER",
            "app",
            "on",
            "resetkeys",
            "resetchannels",
            "-@all",
            "clearselectors",
            "+GET",
            "+SET",
            "~app:*",
            "resetpass",
            ">secret-one",
            ">secret-two",
        ]);
    });

    it("leaves the passwords alone when the node already has exactly them (in any order)", () => {
        const hashes = [passwordHash("secret-two"), passwordHash("secret-one")];
        expect(passwordArgs(user.passwords, hashes)).to.deep.equal([]);
        expect(passwordArgs(user.passwords, hashes.slice(0, 1))).to.deep.equal(["resetpass", ">secret-one", ">secret-two"]);
        expect(passwordArgs(["secret-one"], hashes)).to.deep.equal(["resetpass", ">secret-one"]);
        expect(passwordArgs(["secret-one"], [])).to.deep.equal(["resetpass", ">secret-one"]);
        expect(aclSetUserCommand(user, hashes)).to.deep.equal([
            "ACL",
            "SETUSER",
            "app",
            "on",
            "resetkeys",
            "resetchannels",
            "-@all",
            "clearselectors",
            "+GET",
            "+SET",
            "~app:*",
        ]);
    });

    it("restricts or disables the default user, and points replication at the replication user", () => {
        expect(defaultUserCommand("restricted")).to.deep.equal(["ACL", "SETUSER", "default", "resetkeys", "resetchannels", "-@all", "clearselectors", "+ping"]);
        expect(defaultUserCommand("off")).to.deep.equal(["ACL", "SETUSER", "default", "off"]);
        expect(replicationAuthCommand({ name: "repl", passwords: ["new-repl", "old-repl"], rules: REPLICATION_RULES })).to.deep.equal([
            "CONFIG",
            "SET",
            "primaryuser",
            "repl",
            "primaryauth",
            "new-repl",
        ]);
    });

    it("never shows a password in a described command", () => {
        expect(describeCommand(aclSetUserCommand(user))).to.equal(
            "ACL SETUSER app on resetkeys resetchannels -@all clearselectors +GET +SET ~app:* resetpass >*** >***",
        );
        expect(describeCommand(["CONFIG", "SET", "primaryuser", "repl", "primaryauth", "new-repl"])).to.equal("CONFIG SET primaryuser repl primaryauth ***");
        expect(describeCommand(["ACL", "SETUSER", "u", "<old", "#abc"])).to.equal("ACL SETUSER u <*** #***");
    });

    it("renders config lines with password hashes only; default keeps its password", () => {
        const lines = aclConfigLines({ users: [user], defaultUser: "restricted" }, "default-pw");
        expect(lines).to.deep.equal([
            `user app on resetkeys resetchannels -@all +GET +SET ~app:* #${passwordHash("secret-one")} #${passwordHash("secret-two")}`,
            `user default on resetkeys resetchannels -@all +ping #${passwordHash("default-pw")}`,
        ]);
        expect(aclConfigLines({ users: [], defaultUser: "off" }, "default-pw")).to.deep.equal([
            `user default off resetkeys resetchannels -@all #${passwordHash("default-pw")}`,
        ]);
        expect(lines.join("\n")).not.to.match(/secret-one|secret-two|default-pw/);
    });

    it("quotes the rule words a config line would misread (sdssplitargs), and leaves the others bare", () => {
        const quoted = { name: "app", passwords: ["secret-one"], rules: `+get ~a" +@all ~" ~it's ~back\\slash ~d\u0001 ~clé:*` };
        expect(aclConfigLines({ users: [quoted], defaultUser: "off" }, "default-pw")[0]).to.equal(
            `user app on resetkeys resetchannels -@all +get "~a\\"" +@all "~\\"" "~it's" "~back\\\\slash" "~d\\x01" ~clé:* #${passwordHash("secret-one")}`,
        );
    });
});

describe("acl: the probe user (issue 11, finding 7)", () => {
    const spec = parseSpec(
        aclSpecSchema,
        {
            admin: { passwords: ["admin-password"] },
            replication: { passwords: ["repl-password"] },
            exporter: { passwords: ["exporter-password"] },
            defaultUser: "off",
        },
        "acl",
    );
    const input = resolveAclUsers(spec, "default-pw");
    const probe = input.users.find((u) => u.role === "probe")!;

    it("derives its password from the default user's (HMAC-SHA256, 32 hex), unlike the Sentinels' own", () => {
        // printf 'pulumi-valkey probe password v1' | openssl dgst -sha256 -hmac default-pw, first 32 hex.
        expect(probePassword("default-pw")).to.equal("d72ee468a16a99b651808f16272fda25");
        expect(probe).to.deep.equal({ name: "probe-user", passwords: ["d72ee468a16a99b651808f16272fda25"], rules: PROBE_RULES, role: "probe" });
        expect(PROBE_RULES).to.equal("+ping");
        expect(probePassword("default-pw")).not.to.equal(sentinelPassword("default-pw"));
        expect(() => probePassword("")).to.throw("the probe password is derived from the default user's password, which must not be empty");
    });

    it("is applied live with PING only, no keys, no channels, and is an auth.conf line next to a default user that is off", () => {
        expect(aclSetUserCommand(probe)).to.deep.equal([
            "ACL",
            "SETUSER",
            "probe-user",
            "on",
            "resetkeys",
            "resetchannels",
            "-@all",
            "clearselectors",
            "+ping",
            "resetpass",
            ">d72ee468a16a99b651808f16272fda25",
        ]);
        const lines = aclConfigLines(input, "default-pw");
        expect(lines.slice(3)).to.deep.equal([
            `user probe-user on resetkeys resetchannels -@all +ping #${passwordHash("d72ee468a16a99b651808f16272fda25")}`,
            `user default off resetkeys resetchannels -@all #${passwordHash("default-pw")}`,
        ]);
        expect(defaultUserCommand("off")).to.deep.equal(["ACL", "SETUSER", "default", "off"]);
    });
});

describe("acl: password rotation plan", () => {
    it("adds the new password, lets clients switch, then removes the old ones", () => {
        const steps = planPasswordRotation("app", ["old-1", "old-2"], "new-1");
        expect(steps).to.deep.equal([
            { kind: "add", user: "app", command: ["ACL", "SETUSER", "app", ">new-1"] },
            { kind: "switch", user: "app" },
            { kind: "remove", user: "app", command: ["ACL", "SETUSER", "app", "<old-1", "<old-2"] },
        ]);
        expect(steps.map(describeRotationStep)).to.deep.equal([
            "app: ACL SETUSER app >***",
            "app: clients switch to the new password",
            "app: ACL SETUSER app <*** <***",
        ]);
    });

    it("refuses a new password that is already current, without echoing it", () => {
        expect(() => planPasswordRotation("app", ["same-pw"], "same-pw")).to.throw("rotating the password of app: the new password is one of the current ones");
    });
});
