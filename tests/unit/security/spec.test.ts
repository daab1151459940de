// Table tests of the TLS and ACL contract: durations, bounds, conflicts, and the exact messages.
import { expect } from "chai";
import { aclRuleProblem, aclSpecSchema, certificatePolicy, durationHours, parseDurationMs, tlsRenderOptions, tlsSpecSchema } from "../../../sdk/spec/security";
import { parseSpec, SpecError } from "../../../sdk/spec/validate";
import { z } from "zod";

function issuesOf(schema: z.ZodType, value: unknown): string[] {
    try {
        parseSpec(schema, value, "spec");
        return [];
    } catch (e) {
        expect(e).to.be.instanceOf(SpecError);
        return (e as SpecError).issues.map((i) => `${i.path}: ${i.message}`);
    }
}

describe("security spec: durations", () => {
    const rows: [string, number | undefined, number | undefined][] = [
        ["1m", 60_000, undefined],
        ["120m", 7_200_000, 2],
        ["1h", 3_600_000, 1],
        ["90d", 90 * 86_400_000, 2160],
        ["1mo", 30 * 86_400_000, 720],
        ["1y", 365 * 86_400_000, 8760],
        ["0d", undefined, undefined],
        ["1w", undefined, undefined],
        ["1.5h", undefined, undefined],
        [" 1h", undefined, undefined],
        ["h", undefined, undefined],
        ["1000000h", undefined, undefined],
    ];
    for (const [text, ms, hours] of rows) {
        it(`${JSON.stringify(text)} is ${ms ?? "not a duration"} ms, ${hours ?? "no whole"} hours`, () => {
            expect([parseDurationMs(text), durationHours(text)]).to.deep.equal([ms, hours]);
        });
    }
});

describe("security spec: tls", () => {
    it("applies the defaults: 90 d certificates renewed at 66 %, a 10-year CA, TLS only on 6379", () => {
        const tls = parseSpec(tlsSpecSchema, {}, "tls");
        expect(certificatePolicy(tls)).to.deep.equal({ validityHours: 2160, caValidityHours: 87600, rotateBeforePercent: 66 });
        expect(tlsRenderOptions(tls)).to.deep.equal({ port: 6379, disablePlain: true, authClients: "optional", replication: true, cluster: true });
    });

    it("maps every field onto the renderer's options", () => {
        const tls = parseSpec(
            tlsSpecSchema,
            {
                internalCerts: { validity: "1y", rotateBeforePercent: 80 },
                disableNonTlsPort: false,
                tlsPort: 6380,
                tlsAuthClients: true,
                tlsCluster: false,
                tlsReplication: false,
                tlsCiphers: "ECDHE-ECDSA-AES256-GCM-SHA384",
                tlsProtocols: "TLSv1.3  TLSv1.2",
            },
            "tls",
        );
        expect(certificatePolicy(tls)).to.deep.equal({ validityHours: 8760, caValidityHours: 87600, rotateBeforePercent: 80 });
        expect(tlsRenderOptions(tls)).to.deep.equal({
            port: 6380,
            disablePlain: false,
            authClients: "yes",
            replication: false,
            cluster: false,
            protocols: "TLSv1.3 TLSv1.2",
            ciphers: "ECDHE-ECDSA-AES256-GCM-SHA384",
        });
    });

    it("has no certificate policy with external certificates", () => {
        expect(certificatePolicy(parseSpec(tlsSpecSchema, { externalCerts: "my-certs" }, "tls"))).to.equal(undefined);
    });

    const refused: [string, unknown, string[]][] = [
        ["rotateBeforePercent below 66", { internalCerts: { rotateBeforePercent: 65 } }, ["internalCerts.rotateBeforePercent: must be at least 66 (got 65)"]],
        ["rotateBeforePercent above 80", { internalCerts: { rotateBeforePercent: 81 } }, ["internalCerts.rotateBeforePercent: must be at most 80 (got 81)"]],
        [
            "a validity that is not a duration",
            { internalCerts: { validity: "90 days" } },
            ['internalCerts.validity: must be a duration like 90d, 12h, 120m, 3mo or 1y (got "90 days")'],
        ],
        [
            "a validity in minutes that is not whole hours",
            { internalCerts: { validity: "90m" } },
            ['internalCerts.validity: must be a whole number of hours, at least 1h: certificates are issued in hours (got "90m")'],
        ],
        [
            "both certificate sources",
            { externalCerts: "x", internalCerts: {} },
            ["internalCerts: externalCerts and internalCerts are mutually exclusive: certificates come from one place. Choose a single approach."],
        ],
        [
            "an external Secret name with capitals",
            { externalCerts: "My-Certs" },
            ['externalCerts: must be a Kubernetes Secret name (lowercase DNS subdomain) (got "My-Certs")'],
        ],
        [
            "both listeners on one port",
            { disableNonTlsPort: false },
            ["tlsPort: must differ from the plaintext port 6379 when disableNonTlsPort is false (e.g. 6380)"],
        ],
        [
            "TLS only without TLS replication",
            { tlsReplication: false },
            ["tlsReplication: must be true when disableNonTlsPort is true: replicas could not reach their primary without a plaintext port"],
        ],
        [
            "an unknown protocol",
            { tlsProtocols: "TLSv1.2 SSLv3" },
            ['tlsProtocols: must be space-separated protocols among TLSv1, TLSv1.1, TLSv1.2, TLSv1.3 (got "TLSv1.2 SSLv3")'],
        ],
        ["port 0", { tlsPort: 0 }, ["tlsPort: must be at least 1 (got 0)"]],
        ["an unknown field", { tlsRefreshRestartWindow: "0 4 * * 6,0" }, ["tlsRefreshRestartWindow: unknown field"]],
    ];
    for (const [what, value, messages] of refused) {
        it(`refuses ${what}`, () => {
            expect(issuesOf(tlsSpecSchema, value)).to.deep.equal(messages);
        });
    }
});

describe("security spec: acl", () => {
    it("accepts seeds/002's user", () => {
        const acl = parseSpec(aclSpecSchema, { users: [{ name: "valkey-user", passwords: ["otherPass"], rules: "+GET +SET ~app:*" }] }, "acl");
        expect(acl.users).to.deep.equal([{ name: "valkey-user", passwords: ["otherPass"], rules: "+GET +SET ~app:*" }]);
    });

    const rules: [string, string | undefined][] = [
        ["+GET +SET ~app:*", undefined],
        ["-@all +@read %R~cache:* &news:* resetchannels", undefined],
        ["+client|setname +@connection allkeys", undefined],
        ["", 'must name at least one rule, e.g. "+GET +SET ~app:*"'],
        [
            "+GET >hunter22",
            "must not set passwords or switch the user on/off (>, <, #, !, nopass, resetpass, reset, on, off): passwords go in `passwords`, and users are always on",
        ],
        [
            "nopass +@all",
            "must not set passwords or switch the user on/off (>, <, #, !, nopass, resetpass, reset, on, off): passwords go in `passwords`, and users are always on",
        ],
        ["+get ~a\" ~it's ~back\\slash", undefined],
        [
            "+get ~a\u0000b",
            'has "~a\\u0000b", which holds a NUL character: valkey refuses it in patterns and ignores what follows it in command names and selectors',
        ],
        [
            "GET",
            'has "GET", which is not an ACL rule (+cmd, -cmd, +@category, ~pattern, %R~pattern, &channel, allkeys, allchannels, allcommands, nocommands, resetkeys, resetchannels)',
        ],
    ];
    for (const [text, problem] of rules) {
        it(`rules ${JSON.stringify(text)}: ${problem ?? "accepted"}`, () => {
            expect(aclRuleProblem(text)).to.equal(problem);
        });
    }

    it("reports every problem with its path, and never echoes a password", () => {
        const issues = issuesOf(aclSpecSchema, {
            admin: { name: "app" },
            users: [
                { name: "app", passwords: ["short"], rules: "+GET" },
                { name: "default", rules: "+GET" },
                { name: "x y", passwords: ["samesame1", "samesame1"], rules: "+GET" },
            ],
            defaultUser: "on",
        });
        expect(issues).to.deep.equal([
            "users[0].passwords[0]: must be at least 8 characters long (got 5)",
            'users[1].name: must not be "default": the default user is governed by acl.defaultUser',
            'users[2].name: must be 1-128 characters of [A-Za-z0-9._@-], starting alphanumeric (got "x y")',
            "users[2].passwords: must not repeat a password",
            'defaultUser: must be one of restricted, off (got "on")',
        ]);
        expect(issues.join("\n")).not.to.include("samesame1");
    });

    it("refuses a user name given twice, naming where it was first", () => {
        expect(issuesOf(aclSpecSchema, { admin: { name: "ops" }, users: [{ name: "ops", rules: "+GET" }] })).to.deep.equal([
            'users[0].name: user "ops" is already defined at admin; user names must be unique',
        ]);
        expect(issuesOf(aclSpecSchema, { users: [{ name: "exporter-user", rules: "+GET" }] })).to.deep.equal([
            'users[0].name: user "exporter-user" is already defined at exporter; user names must be unique',
        ]);
    });
});
