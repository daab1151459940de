// Issue 11, finding 9: user-given strings that reach the pods' shell scripts, the config files or
// the ACL lines. Each such field is either refused at validation (so `pulumi preview` fails) or
// written quoted; a model built by hand with a hostile value never renders a script; and the
// scripts rendered from the extreme values the schema admits parse and run with nothing injected.
//
// The fields written into a pod script (sdk/manifests/ha.ts, the Sentinel command in
// sdk/manifests/sentinel.ts), all unquoted inside double-quoted `${VAR:-default}` defaults:
//   the resource name          (object names, the Sentinel group)   DNS label, buildModel
//   project -> the namespace    (when kubernetes.namespace is unset)  buildModel
//   kubernetes.namespace                                              the schema
//   kubernetes.clusterDomain                                          the schema (this finding)
// Into config files: every valkey.conf / sentinel.conf value goes through quoteConfigValue
// (sdk/config/render.ts); ACL `user` lines quote each word (sdk/acl/commands.ts, this finding);
// tls-ciphers is held to OpenSSL's cipher-list characters.
import { spawnSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import { aclConfigLines } from "../../../sdk/acl/commands";
import { resolveAclUsers } from "../../../sdk/acl/users";
import { checkAtConstruction } from "../../../sdk/components/service";
import { renderSentinelConf } from "../../../sdk/config/sentinel";
import { HA_ENV, primaryReadinessScript, sentinelConfOptions, startScript } from "../../../sdk/manifests/ha";
import { livenessProbe, readinessProbe } from "../../../sdk/manifests/pod";
import { buildSentinelStatefulSet } from "../../../sdk/manifests/sentinel";
import { ServiceModel } from "../../../sdk/spec/model";
import { aclSpecSchema, tlsSpecSchema } from "../../../sdk/spec/security";
import { SpecError, parseSpec } from "../../../sdk/spec/validate";
import { freePort, tempDir } from "../../helpers/valkey";
import { valkeyModel } from "../manifests/fixtures";

const RULE =
    "a DNS subdomain (RFC 1123): dot-separated labels of 1-63 lowercase letters, digits and '-', each starting and ending with a letter or digit, at most 253 characters in all";
const LABEL = "a DNS label (RFC 1123): 1-63 lowercase letters, digits and '-', starting and ending with a letter or digit";

/** Payloads that would run `touch CANARY` (or break the script) if written into it unquoted. */
const HOSTILE = [
    'cluster.local}"; id > /tmp/x; : "${x',
    'cluster.local}"; touch CANARY; : "${x',
    "$(touch CANARY)",
    "`touch CANARY`",
    "a'; touch CANARY; '",
    "a\ntouch CANARY",
    "a;touch CANARY",
    "a b",
    "a|touch CANARY",
    "a&&touch CANARY",
    "*",
    "a\\",
    "${IFS}",
    "a\u0000b",
];

function specIssues(name: string, spec: Record<string, unknown>): string[] {
    try {
        checkAtConstruction("valkey", name, spec);
    } catch (e) {
        expect(e).to.be.instanceOf(SpecError);
        return (e as SpecError).issues.map((i) => `${i.path}: ${i.message}`);
    }
    return [];
}

const BUSINESS = { project: "my-aiven-project", plan: "business-4" };

describe("security: kubernetes.clusterDomain is a DNS subdomain (issue 11, finding 9)", () => {
    const withDomain = (clusterDomain: string) => ({ ...BUSINESS, kubernetes: { clusterDomain } });
    const refused: [string, string][] = [
        ['cluster.local}"; id > /tmp/x; : "${x', "has characters other than lowercase letters, digits, '-' and '.'"],
        ["Cluster.Local", "has characters other than lowercase letters, digits, '-' and '.'"],
        ["cluster local", "has characters other than lowercase letters, digits, '-' and '.'"],
        ["", "is empty"],
        ["cluster.local.", "has an empty label (a leading, trailing or doubled '.')"],
        [".cluster.local", "has an empty label (a leading, trailing or doubled '.')"],
        ["cluster..local", "has an empty label (a leading, trailing or doubled '.')"],
        ["-cluster.local", "has a label starting or ending with '-'"],
        ["cluster-.local", "has a label starting or ending with '-'"],
        [`${"a".repeat(64)}.local`, "has a label of 64 characters"],
        [`${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(62)}`, "is 254 characters long"],
    ];
    for (const [value, problem] of refused) {
        it(`refuses ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)} at preview: ${problem}`, () => {
            expect(specIssues("my-valkey", withDomain(value))).to.deep.equal([
                `kubernetes.clusterDomain: must be ${RULE}; it ${problem} (got ${JSON.stringify(value)})`,
            ]);
        });
    }

    const accepted = ["cluster.local", "a", "0", "my-corp.example", "1.2.3", `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(61)}`];
    for (const value of accepted) {
        it(`accepts ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)} (${value.length} characters)`, () => {
            expect(specIssues("my-valkey", withDomain(value))).to.deep.equal([]);
            expect(checkAtConstruction("valkey", "my-valkey", withDomain(value))!.clusterDomain).to.equal(value);
        });
    }
});

describe("security: no user string reaches a pod script unvalidated (issue 11, finding 9)", () => {
    const fields: { field: string; path: string; spec: (v: string) => [string, Record<string, unknown>] }[] = [
        { field: "the resource name", path: "name", spec: (v) => [v, BUSINESS] },
        { field: "project (the namespace when kubernetes.namespace is unset)", path: "project", spec: (v) => ["my-valkey", { ...BUSINESS, project: v }] },
        { field: "kubernetes.namespace", path: "kubernetes.namespace", spec: (v) => ["my-valkey", { ...BUSINESS, kubernetes: { namespace: v } }] },
        { field: "kubernetes.clusterDomain", path: "kubernetes.clusterDomain", spec: (v) => ["my-valkey", { ...BUSINESS, kubernetes: { clusterDomain: v } }] },
    ];
    for (const { field, path: at, spec } of fields) {
        it(`refuses every hostile value of ${field} at preview, before anything is rendered`, () => {
            for (const payload of HOSTILE) {
                const [name, s] = spec(payload);
                const paths = specIssues(name, s).map((i) => i.slice(0, i.indexOf(": ")));
                expect(paths, JSON.stringify(payload)).to.include(at);
            }
        });
    }

    // A model can be built without the schema (ValkeyCluster builds its own; tests do). The
    // builders still refuse to write a hostile value into a script, naming the field.
    const business = valkeyModel(BUSINESS);
    const renderers: [string, (m: ServiceModel) => unknown][] = [
        ["startScript", startScript],
        ["primaryReadinessScript", primaryReadinessScript],
        ["the Sentinel StatefulSet", (m) => buildSentinelStatefulSet(m, { configHash: "h" })],
        ["sentinel.conf", (m) => renderSentinelConf(m, sentinelConfOptions(m))],
    ];
    const models: [string, (v: string) => ServiceModel, string][] = [
        ["kubernetes.clusterDomain", (v) => ({ ...business, clusterDomain: v }), RULE],
        ["the namespace", (v) => ({ ...business, namespace: v }), LABEL],
        ["the resource name", (v) => ({ ...business, name: v }), LABEL],
    ];
    for (const [field, model, rule] of models) {
        it(`does not render a script from a hand-built model with a hostile value of ${field}`, () => {
            for (const payload of HOSTILE) {
                const m = model(payload);
                for (const [what, render] of renderers) {
                    expect(() => render(m), `${what} with ${JSON.stringify(payload)}`).to.throw(
                        `${JSON.stringify(m.name)}: ${field} must be ${rule} before it is written into a pod script (got ${JSON.stringify(payload)})`,
                    );
                }
            }
        });
    }

    // The longest name, namespace and domain the schema admits, with and without TLS: every
    // script of the pods parses in dash (the image's sh) and bash, and the start script runs in a
    // scratch directory with stand-in binaries, printing exactly the expected arguments and
    // creating nothing.
    const name = `v${"1".repeat(38)}z`;
    const namespace = `n${"-".repeat(61)}9`;
    const clusterDomain = `${"a".repeat(63)}.${"0".repeat(63)}.${"c-d".repeat(21)}.${"e".repeat(61)}`;
    const extreme = (ssl: boolean) =>
        checkAtConstruction("valkey", name, { ...BUSINESS, kubernetes: { namespace, clusterDomain }, userConfig: { valkey_ssl: ssl } })!;

    it("admits the extremes of the rules (40-character name, 63-character namespace, 253-character domain)", () => {
        expect([name.length, namespace.length, clusterDomain.length]).to.deep.equal([40, 63, 253]);
        expect(extreme(false).clusterDomain).to.equal(clusterDomain);
    });

    for (const ssl of [false, true]) {
        it(`renders scripts that dash and bash parse from the extremes${ssl ? ", with TLS" : ""}`, () => {
            const m = extreme(ssl);
            const sentinel = buildSentinelStatefulSet(m, { configHash: "h" }).spec!.template.spec!.containers[0].command!;
            const scripts = [
                startScript(m),
                primaryReadinessScript(m),
                sentinel[2],
                readinessProbe(m, 6379).exec!.command![2],
                livenessProbe(m, 6379).exec!.command![2],
            ];
            for (const script of scripts) {
                for (const shell of ["dash", "bash"]) {
                    const r = spawnSync(shell, ["-n", "-c", script], { encoding: "utf8" });
                    expect([r.status, r.stderr], `${shell} -n ${script}`).to.deep.equal([0, ""]);
                }
            }
        });
    }

    it("runs the start script of the extremes with nothing but valkey-server started", async function () {
        this.timeout(10000);
        const bin = tempDir();
        const work = tempDir();
        fs.writeFileSync(path.join(bin, "valkey-server"), '#!/bin/sh\necho "$@"\n', { mode: 0o755 });
        const nobody = await freePort();
        const headless = `${name}-headless.${namespace}.svc.${clusterDomain}`;
        const r = spawnSync("sh", ["-c", startScript(extreme(false)), "sh", "--port", "7000"], {
            cwd: work,
            encoding: "utf8",
            timeout: 10000,
            env: {
                ...process.env,
                PATH: `${bin}:${process.env.PATH}`,
                POD_NAME: `${name}-1`,
                [HA_ENV.sentinel]: "127.0.0.1",
                [HA_ENV.sentinelPort]: String(nobody),
                [HA_ENV.attempts]: "1",
            },
        });
        expect(r.stdout).to.equal(`/etc/valkey/valkey.conf --replica-announce-ip ${name}-1.${headless} --replicaof ${name}-0.${headless} 6379 --port 7000\n`);
        expect(fs.readdirSync(work)).to.deep.equal([]);
    });
});

describe("security: ACL lines and tls-ciphers in the config files (issue 11, finding 9)", () => {
    it("quotes the key and channel patterns of an ACL user line that valkey.conf would read as quotes", () => {
        const spec = parseSpec(aclSpecSchema, { users: [{ name: "app", passwords: ["app-password"], rules: `+get ~a"b ~c'd ~e\\f &g"h ~plain:*` }] }, "acl");
        const input = resolveAclUsers(spec, "default-password", {
            "valkey-admin": ["admin-password"],
            "primary-replication-user": ["repl-password"],
            "exporter-user": ["exp-password"],
        });
        const app = aclConfigLines(input, "default-pw").find((l) => l.startsWith("user app "));
        const hash = createHash("sha256").update("app-password").digest("hex");
        expect(app).to.equal(`user app on resetkeys resetchannels -@all +get "~a\\"b" "~c'd" "~e\\\\f" "&g\\"h" ~plain:* #${hash}`);
    });

    it("refuses tls-ciphers with characters no OpenSSL cipher list has (quotes, newlines)", () => {
        const message = (v: string) =>
            `tlsCiphers: must be an OpenSSL cipher list: cipher names and the operators '!', '+', '-', '@', '=' separated by ':', ',' or spaces (got ${JSON.stringify(v)})`;
        for (const bad of ['HIGH"', "HIGH\nport 7000", "HIGH'", "HIGH;id", "HIGH$(id)"]) {
            expect(() => parseSpec(tlsSpecSchema, { tlsCiphers: bad }, "tls")).to.throw(SpecError, message(bad));
        }
        for (const good of ["HIGH:!aNULL:!MD5", "ECDHE-ECDSA-AES256-GCM-SHA384", "DEFAULT:@SECLEVEL=2", "kEECDH+ECDSA, -ALL +RSA"]) {
            expect(parseSpec(tlsSpecSchema, { tlsCiphers: good }, "tls").tlsCiphers).to.equal(good);
        }
    });
});
