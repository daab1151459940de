// Generated ACL passwords under mocks: one RandomPassword per user without given passwords, and the
// resolved users as a secret.
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { createAclUsers } from "../../../sdk/credentials/acl-passwords";
import { aclSpecSchema } from "../../../sdk/spec/security";
import { parseSpec } from "../../../sdk/spec/validate";
import { installMocks, MOCK_PASSWORD, registered, reset, settle } from "../../helpers/mocks";

class Holder extends pulumi.ComponentResource {
    constructor(name: string) {
        super("test:index:Holder", name);
    }
}

describe("ACL passwords from @pulumi/random (mocks)", () => {
    before(installMocks);

    it("generates a password only for the users without given ones; the users come back as a secret", async () => {
        reset();
        const spec = parseSpec(aclSpecSchema, { admin: { passwords: ["given-admin-pw"] }, users: [{ name: "app", rules: "+GET ~app:*" }] }, "acl");
        const users = createAclUsers("cache", new Holder("cache"), spec, "default-pw");
        const resolved = await settle(users);
        expect(
            registered
                .filter((r) => r.type === "random:index/randomPassword:RandomPassword")
                .map((r) => r.name)
                .sort(),
        ).to.deep.equal(["cache-acl-app-password", "cache-acl-exporter-user-password", "cache-acl-primary-replication-user-password"]);
        expect(resolved.users.map((u) => [u.name, u.passwords])).to.deep.equal([
            ["valkey-admin", ["given-admin-pw"]],
            ["primary-replication-user", [MOCK_PASSWORD]],
            ["exporter-user", [MOCK_PASSWORD]],
            // Derived from the default password, no RandomPassword of its own (sdk/credentials/probe-password.ts).
            ["probe-user", ["d72ee468a16a99b651808f16272fda25"]],
            ["app", [MOCK_PASSWORD]],
        ]);
        expect(await pulumi.isSecret(users)).to.equal(true);
    });
});
