// Issue 11, finding 9, against a real valkey-server 8.0: ACL rules the schema admits whose key and
// channel patterns hold quotes and backslashes are written into auth.conf so that the server
// starts and holds exactly those patterns, and nothing but the users of the spec. Unquoted, the
// first `"` made the server refuse the whole file ("Unbalanced quotes in configuration line").
import { expect } from "chai";
import Valkey from "iovalkey";
import { buildAuthSecret } from "../../sdk/manifests";
import { resolveAclUsers } from "../../sdk/acl/users";
import { buildClusterModel } from "../../sdk/spec/cluster-model";
import { valkeyClusterSpecSchema } from "../../sdk/spec/cluster";
import { parseSpec } from "../../sdk/spec/validate";
import { startValkey, stopAllValkeys } from "../helpers/valkey";

describe("integration: hostile ACL patterns in auth.conf (issue 11, finding 9)", function () {
    this.timeout(20000);
    after(stopAllValkeys);

    it("starts valkey-server with patterns holding quotes and backslashes, each read back exactly", async () => {
        const rules = `+get ~a"b ~c'd ~e\\f &g"h ~"x" ~plain:* ~a\\"b\\ ~tab\u0001`;
        const spec = parseSpec(
            valkeyClusterSpecSchema,
            { acl: { admin: { passwords: ["admin-password"] }, users: [{ name: "app", passwords: ["app-password"], rules }] } },
            "ValkeyCluster",
        );
        const cm = buildClusterModel("c", spec);
        const acl = resolveAclUsers(spec.acl!, "default-password", { "primary-replication-user": ["repl-password"], "exporter-user": ["exp-password"] });
        const authConf = buildAuthSecret(cm, "default-password", acl).stringData!["auth.conf"];
        // The auth include as the pods read it; cluster mode is not needed to parse the users.
        const node = await startValkey({ config: authConf, args: ["--save", "", "--appendonly", "no"] });
        const admin = new Valkey({ host: node.host, port: node.port, username: "valkey-admin", password: "admin-password", lazyConnect: true });
        try {
            await admin.connect();
            const users = (await admin.call("ACL", "USERS")) as string[];
            expect([...users].sort()).to.deep.equal(["app", "default", "exporter-user", "primary-replication-user", "probe-user", "valkey-admin"]);
            const getuser = (await admin.call("ACL", "GETUSER", "app")) as unknown[];
            const field = (name: string) => String(getuser[getuser.indexOf(name) + 1]);
            expect(field("keys")).to.equal(`~a"b ~c'd ~e\\f ~"x" ~plain:* ~a\\"b\\ ~tab\u0001`);
            expect(field("channels")).to.equal(`&g"h`);
            const app = new Valkey({ host: node.host, port: node.port, username: "app", password: "app-password", lazyConnect: true, enableReadyCheck: false });
            try {
                await app.connect();
                expect(await app.get('a"b')).to.equal(null);
            } finally {
                app.disconnect();
            }
        } finally {
            admin.disconnect();
        }
    });
});
