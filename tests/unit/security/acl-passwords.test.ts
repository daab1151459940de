// Generated ACL passwords under mocks: one RandomPassword per user without given passwords, and the
// resolved users as a secret.
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { createAclUsers } from "../../../sdk/credentials/acl-passwords";
import { aclSpecSchema } from "../../../sdk/spec/security";
import { SpecError, parseSpec } from "../../../sdk/spec/validate";
import { installMocks, MOCK_PASSWORD, registered, reset, settle } from "../../helpers/mocks";
import { failure } from "../../helpers/nodes";

const passwordNames = () =>
    registered
        .filter((r) => r.type === "random:index/randomPassword:RandomPassword")
        .map((r) => r.name)
        .sort();

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

    it("takes late passwords (Outputs) for their users, generates none for them, and keeps the result secret", async () => {
        reset();
        const spec = parseSpec(aclSpecSchema, { users: [{ name: "app", rules: "+GET ~app:*" }] }, "acl");
        const users = createAclUsers("cache", new Holder("cache"), spec, "default-pw", {
            subject: 'ValkeyCluster "cache"',
            passwords: [
                { path: ["acl", "admin", "passwords"], user: { role: "admin" }, passwords: [pulumi.secret("late-admin-pw")] },
                { path: ["acl", "users", 0, "passwords"], user: { index: 0 }, passwords: pulumi.secret(["late-app-new-pw", "late-app-old-pw"]) },
            ],
        });
        const resolved = await settle(users);
        expect(passwordNames()).to.deep.equal(["cache-acl-exporter-user-password", "cache-acl-primary-replication-user-password"]);
        expect(resolved.users.map((u) => [u.name, u.passwords])).to.deep.equal([
            ["valkey-admin", ["late-admin-pw"]],
            ["primary-replication-user", [MOCK_PASSWORD]],
            ["exporter-user", [MOCK_PASSWORD]],
            ["probe-user", ["d72ee468a16a99b651808f16272fda25"]],
            ["app", ["late-app-new-pw", "late-app-old-pw"]],
        ]);
        expect(await pulumi.isSecret(users)).to.equal(true);
    });

    it("fails the result with one SpecError listing every late password that breaks a rule, without the passwords", async () => {
        reset();
        const spec = parseSpec(aclSpecSchema, {}, "acl");
        const users = createAclUsers("cache", new Holder("cache"), spec, "default-pw", {
            subject: 'ValkeyCluster "cache"',
            passwords: [
                { path: ["acl", "admin", "passwords"], user: { role: "admin" }, passwords: [pulumi.secret("tiny"), "long-enough-pw"] },
                { path: ["acl", "exporter", "passwords"], user: { role: "exporter" }, passwords: pulumi.secret([] as string[]) },
                { path: ["acl", "replication", "passwords"], user: { role: "replication" }, passwords: pulumi.secret(["fine-password"]) },
            ],
        });
        const error = await failure((users as unknown as { promise(): Promise<unknown> }).promise());
        expect(error).to.be.instanceOf(SpecError);
        expect(error.message).to.equal(
            [
                'ValkeyCluster "cache" is invalid (2 problems):',
                "  - acl.admin.passwords[0]: must be at least 8 characters long (got 4)",
                "  - acl.exporter.passwords: must have at least 1 item (got 0)",
            ].join("\n"),
        );
    });

    it("refuses a late password that is one string instead of a list with that alone, never describing the string", async () => {
        reset();
        const spec = parseSpec(aclSpecSchema, {}, "acl");
        const users = createAclUsers("cache", new Holder("cache"), spec, "default-pw", {
            subject: 'ValkeyCluster "cache"',
            passwords: [{ path: ["acl", "admin", "passwords"], user: { role: "admin" }, passwords: pulumi.secret("notalist-secretvalue") as never }],
        });
        const error = await failure((users as unknown as { promise(): Promise<unknown> }).promise());
        expect(error.message).to.equal(
            ['ValkeyCluster "cache" is invalid (1 problem):', "  - acl.admin.passwords: must be a list of passwords (got string); write [password]"].join("\n"),
        );
    });
});
