// splitLatePasswords: which ACL passwords are set apart as late (Outputs, Promises, lists holding
// one), what the args keep, and that anything else (a deferred acl, user or list, unreadable args)
// is left for the plain-value check and parseSpec.
import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { splitLatePasswords } from "../../../sdk/components/acl-inputs";

describe("splitLatePasswords", () => {
    it("sets apart Output, Promise and mixed password lists of the system and application users, and nothing else", () => {
        const admin = [pulumi.secret("admin-pw-0123")];
        const exporter = Promise.resolve(["exporter-pw-0123"]);
        const app = pulumi.secret(["app-pw-0123"]);
        const mixed = ["plain-new-pw-0123", pulumi.secret("old-pw-0123")];
        const args = {
            masterCount: 3,
            acl: {
                admin: { name: "root", passwords: admin },
                replication: { passwords: ["plain-repl-pw-0123"] },
                exporter: { passwords: exporter },
                users: [
                    { name: "app", passwords: app, rules: "+GET" },
                    { name: "plain", passwords: ["plain-pw-0123"], rules: "+GET" },
                    { name: "mixed", passwords: mixed, rules: "+SET" },
                ],
                defaultUser: "off",
            },
        };
        const { args: rest, late } = splitLatePasswords(args);
        expect(rest).to.deep.equal({
            masterCount: 3,
            acl: {
                admin: { name: "root" },
                replication: { passwords: ["plain-repl-pw-0123"] },
                exporter: {},
                users: [
                    { name: "app", rules: "+GET" },
                    { name: "plain", passwords: ["plain-pw-0123"], rules: "+GET" },
                    { name: "mixed", rules: "+SET" },
                ],
                defaultUser: "off",
            },
        });
        expect(late.map((l) => [l.path, l.user])).to.deep.equal([
            [["acl", "admin", "passwords"], { role: "admin" }],
            [["acl", "exporter", "passwords"], { role: "exporter" }],
            [["acl", "users", 0, "passwords"], { index: 0 }],
            [["acl", "users", 2, "passwords"], { index: 2 }],
        ]);
        // The very values given, and the caller's args untouched.
        [admin, exporter, app, mixed].forEach((given, i) => expect(late[i].passwords).to.equal(given));
        expect(args.acl.admin.passwords).to.equal(admin);
        expect(args.acl.users[0].passwords).to.equal(app);
    });

    it("returns the args as they are without late passwords, with a deferred acl, user or list, and for unreadable args", () => {
        const cases: unknown[] = [
            undefined,
            {},
            { acl: { users: [{ name: "app", passwords: ["plain-pw-0123"], rules: "+GET" }] } },
            { acl: pulumi.output({ admin: { passwords: ["plain-pw-0123"] } }) },
            { acl: { admin: pulumi.output({ passwords: [pulumi.secret("pw-0123-0123")] }) } },
            { acl: { users: pulumi.output([{ name: "app", passwords: [pulumi.secret("pw-0123-0123")], rules: "+GET" }]) } },
            {
                acl: new Proxy(
                    {},
                    {
                        get() {
                            throw new TypeError("hostile");
                        },
                    },
                ),
            },
        ];
        for (const args of cases) {
            const split = splitLatePasswords(args);
            expect(split.args).to.equal(args);
            expect(split.late).to.deep.equal([]);
        }
    });

    it("does not walk a user list longer than the schema allows (a sparse one may claim 2^32-1 users)", () => {
        const users: unknown[] = [];
        users.length = 2 ** 32 - 1;
        users[0] = { name: "app", passwords: [pulumi.secret("pw-0123-0123")], rules: "+GET" };
        const args = { acl: { users } };
        const started = Date.now();
        const split = splitLatePasswords(args);
        expect(Date.now() - started).to.be.below(1000);
        expect(split.args).to.equal(args);
        expect(split.late).to.deep.equal([]);
    });
    it("finds the acl under kubernetes for the Aiven front door, and copies the objects above it instead of changing them", () => {
        const app = pulumi.secret(["app-pw-0123"]);
        const kubernetes = { namespace: "apps", acl: { users: [{ name: "app", passwords: app, rules: "+GET" }] } };
        const args = { project: "p", plan: "business-4", kubernetes };
        const { args: rest, late } = splitLatePasswords(args, ["kubernetes", "acl"]);
        expect(rest).to.deep.equal({ project: "p", plan: "business-4", kubernetes: { namespace: "apps", acl: { users: [{ name: "app", rules: "+GET" }] } } });
        expect(late.map((l) => [l.path, l.user, l.passwords === app])).to.deep.equal([[["kubernetes", "acl", "users", 0, "passwords"], { index: 0 }, true]]);
        expect(kubernetes.acl.users[0].passwords).to.equal(app);
        // Nothing under the path, or a deferred object on it: the args as they are.
        expect(splitLatePasswords({ project: "p" }, ["kubernetes", "acl"]).args).to.deep.equal({ project: "p" });
        const deferred = { project: "p", kubernetes: pulumi.output({ acl: {} }) };
        expect(splitLatePasswords(deferred, ["kubernetes", "acl"]).args).to.equal(deferred);
    });
});
