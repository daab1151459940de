// Issue 11, finding 5: the rules a node gets live (ACL SETUSER, through the provider's applyAcl)
// and the rules a restarted node loads from the rendered auth.conf (`user` lines, which valkey
// splits like a shell: sdssplitargs) must be the same rights, for every rule the schema accepts.
// A bare `~app"` in the file made valkey-server refuse to start ("Unbalanced quotes"), and
// `~a" +@all ~"` became one key pattern `a +@all ~` after a restart while it was +@all live.
import { expect } from "chai";
import { NodeClient } from "../../provider/nodes/client";
import { applyAclEverywhere } from "../../provider/security/acl-apply";
import { resolveAclUsers } from "../../sdk/acl/users";
import { buildAuthSecret } from "../../sdk/manifests";
import { valkeyClusterSpecSchema } from "../../sdk/spec/cluster";
import { buildClusterModel } from "../../sdk/spec/cluster-model";
import { parseSpec, SpecError } from "../../sdk/spec/validate";
import { startValkey, stopAllValkeys } from "../helpers/valkey";
import { nodeTarget } from "../helpers/nodes";

// Test-only passwords.
const DEFAULT_PW = "default-pw-0123456789";
const PW = { admin: "admin-pw-0123456789", repl: "repl-pw-0123456789", exporter: "exporter-pw-0123456789" };

/** Rules the schema accepts, each with a character a bare config word would misread. */
const ACCEPTED_RULES = [
    '+get ~app"',
    '+get ~a" +@all ~"',
    "+get ~it's ~'quoted'",
    '+get ~back\\slash ~trail\\ ~\\"esc ~\\\\',
    '+get ~"double" &"chan\' %R~r"o %W~w\'o',
    "+get \t  +set   ~many   ~spaces:*",
    "+get ~clé:* ~#not-a-comment ~a\u0001b ~del\u007f",
    "+get (~sel'x') (~\"y\")",
];

function clusterSpec(rules: readonly string[]) {
    return {
        acl: {
            admin: { passwords: [PW.admin] },
            replication: { passwords: [PW.repl] },
            exporter: { passwords: [PW.exporter] },
            users: rules.map((r, i) => ({ name: `u${i}`, passwords: [`user-${i}-pw-0123456789`], rules: r })),
        },
    };
}

/** ACL LIST and ACL GETUSER of every user, as the admin user sees them. */
async function rights(client: NodeClient, users: readonly string[]): Promise<{ list: unknown; getuser: Record<string, unknown> }> {
    const getuser: Record<string, unknown> = {};
    for (const user of users) getuser[user] = await client.call(["ACL", "GETUSER", user]);
    return { list: await client.call(["ACL", "LIST"]), getuser };
}

describe("ACL rules: the rights applied live are the rights a restarted node loads from auth.conf", function () {
    this.timeout(30000);
    after(stopAllValkeys);

    it("for every accepted rule (quotes, backslashes, runs of spaces, tabs, control characters): ACL LIST and GETUSER after a fresh start from the rendered auth.conf equal those applied live", async () => {
        const cm = buildClusterModel("poc", parseSpec(valkeyClusterSpecSchema, clusterSpec(ACCEPTED_RULES), "ValkeyCluster"));
        const input = resolveAclUsers(cm.acl!, DEFAULT_PW);
        const names = [...input.users.map((u) => u.name), "default"];

        // Live: a node started as a pod starts before the provider ran (requirepass only), then applyAcl.
        const live = await startValkey({ password: DEFAULT_PW, args: ["--requirepass", DEFAULT_PW] });
        const first = new NodeClient(nodeTarget(live), { credentials: { password: DEFAULT_PW } });
        const statuses = await applyAclEverywhere([first], input);
        first.close();
        expect(statuses.map((s) => s.status)).to.deep.equal(["Applied"]);
        const liveAdmin = new NodeClient(nodeTarget(live), { credentials: { username: "valkey-admin", password: PW.admin } });
        const applied = await rights(liveAdmin, names);

        // Restarted: a fresh server reading only the auth.conf of the rendered Secret.
        const authConf = buildAuthSecret(cm, DEFAULT_PW, input).stringData!["auth.conf"];
        const restarted = await startValkey({ config: authConf, password: DEFAULT_PW });
        const restartedAdmin = new NodeClient(nodeTarget(restarted), { credentials: { username: "valkey-admin", password: PW.admin } });
        const loaded = await rights(restartedAdmin, names);

        try {
            expect(loaded.getuser).to.deep.equal(applied.getuser);
            expect(loaded.list).to.deep.equal(applied.list);
            // What the issue saw: `~a" +@all ~"` is +@all (and the key patterns a" and ") on both,
            // and `~app"` matches the key app" only.
            for (const admin of [liveAdmin, restartedAdmin]) {
                expect(await admin.call(["ACL", "DRYRUN", "u1", "SET", 'a"', "v"])).to.equal("OK");
                expect(await admin.call(["ACL", "DRYRUN", "u1", "DBSIZE"])).to.equal("OK");
                expect(await admin.call(["ACL", "DRYRUN", "u0", "GET", 'app"'])).to.equal("OK");
                expect(await admin.call(["ACL", "DRYRUN", "u0", "GET", "app"])).to.equal("User u0 has no permissions to access the 'app' key");
                expect(await admin.call(["ACL", "DRYRUN", "u3", "GET", "trail\\"])).to.equal("OK");
            }
        } finally {
            liveAdmin.close();
            restartedAdmin.close();
        }
    });

    it("refuses a rule with a NUL character (never what the rule says on valkey) with the field and the rule in the message", () => {
        const spec = clusterSpec(["+get ~ok:*", "+get ~a\u0000b"]);
        let error: unknown;
        try {
            parseSpec(valkeyClusterSpecSchema, spec, "ValkeyCluster");
        } catch (e) {
            error = e;
        }
        expect(error).to.be.instanceOf(SpecError);
        expect((error as SpecError).message).to.equal(
            "ValkeyCluster is invalid (1 problem):\n" +
                '  - acl.users[1].rules: has "~a\\u0000b", which holds a NUL character: valkey refuses it in patterns and ignores what follows it in command names and selectors',
        );
    });
});
