// Issue 11, finding 12: validation of any input throws only a SpecError. 10,000 hostile specs
// (tests/helpers/hostile-specs.ts, seeded) go through every front door's validation, as a
// component and as the schema; then the reported cases with their exact messages. Timing is
// measured by bench/hostile-specs.ts, not asserted here.
import { expect } from "chai";
import { checkClusterArgs } from "../../../sdk/components/cluster";
import { checkAtConstruction } from "../../../sdk/components/service";
import { redisSpecSchema, valkeySpecSchema } from "../../../sdk/spec/aiven";
import { valkeyClusterSpecSchema } from "../../../sdk/spec/cluster";
import { MAX_HINTED_KEYS, MAX_INPUT_DEPTH, MAX_LISTED_ISSUES, SpecError, parseSpec } from "../../../sdk/spec/validate";
import { Front, hostileSpec } from "../../helpers/hostile-specs";

const SCHEMAS = { valkey: valkeySpecSchema, redis: redisSpecSchema, cluster: valkeyClusterSpecSchema } as const;

/** Every validation entry point of a front door: the component's construction-time check and the schema. */
function validations(front: Front, spec: unknown): [string, () => unknown][] {
    return [
        [
            front === "cluster" ? "checkClusterArgs" : "checkAtConstruction",
            () => (front === "cluster" ? checkClusterArgs("c", spec) : checkAtConstruction(front, "v", spec)),
        ],
        ["parseSpec", () => parseSpec(SCHEMAS[front], spec, "spec")],
    ];
}

function thrown(f: () => unknown): unknown {
    try {
        f();
    } catch (e) {
        return e;
    }
    return undefined;
}

function issuesOf(f: () => unknown): string[] {
    const e = thrown(f);
    expect(e).to.be.instanceOf(SpecError);
    return (e as SpecError).issues.map((i) => `${i.path}: ${i.message}`);
}

const BASE = { project: "p", plan: "startup-4" };
const FORBIDDEN = "is not allowed as a key: __proto__, constructor, prototype are never field names, and as keys they change what an object inherits";

describe("spec: hostile input throws only SpecError (issue 11, finding 12)", function () {
    this.timeout(600000);

    it("validates 10,000 generated hostile specs with no error but SpecError", () => {
        const others: string[] = [];
        const counts = { specError: 0, accepted: 0 };
        for (let i = 0; i < 10_000; i++) {
            const { front, what, spec } = hostileSpec(11, i);
            for (const [entry, validate] of validations(front, spec)) {
                const e = thrown(validate);
                if (e === undefined) counts.accepted++;
                else if (e instanceof SpecError) counts.specError++;
                else others.push(`#${i} ${front} ${entry} (${what}): ${e instanceof Error ? `${e.name}: ${e.message.slice(0, 200)}` : String(e)}`);
            }
        }
        expect(others).to.deep.equal([]);
        // The generator makes most specs invalid; a run that accepts them all generated nothing hostile.
        expect(counts.specError).to.be.greaterThan(15_000);
    });

    it("refuses 20,000 levels of nesting at the depth bound, not with a RangeError", () => {
        let deep: Record<string, unknown> = {};
        const root = deep;
        for (let i = 0; i < 20_000; i++) deep = (deep.a = {}) as Record<string, unknown>;
        const at = ["tags", ...Array<string>(MAX_INPUT_DEPTH - 1).fill("a")].join(".");
        const expected = [`${at}: nests deeper than 64 levels; no field of a spec nests that deep`, "tags.a: must be a string (got an object)"];
        expect(issuesOf(() => checkAtConstruction("valkey", "v", { ...BASE, tags: root }))).to.deep.equal(expected);
        expect(issuesOf(() => parseSpec(valkeySpecSchema, { ...BASE, tags: root }, "spec"))).to.deep.equal(expected);
    });

    it("refuses cyclic objects and arrays, naming where the cycle closes", () => {
        const spec: Record<string, unknown> = { ...BASE, tags: {} };
        (spec.tags as Record<string, unknown>).loop = spec.tags;
        expect(issuesOf(() => checkAtConstruction("valkey", "v", spec))).to.deep.equal([
            "tags.loop: refers back to tags: a spec is a tree of plain values, without cycles",
        ]);
        const self: Record<string, unknown> = { ...BASE };
        self.self = self;
        expect(issuesOf(() => parseSpec(valkeySpecSchema, self, "spec"))).to.deep.equal([
            "self: refers back to the spec itself: a spec is a tree of plain values, without cycles",
        ]);
        const tolerations: unknown[] = [];
        tolerations.push(tolerations);
        expect(issuesOf(() => checkClusterArgs("c", { tolerations }))).to.deep.equal([
            "tolerations[0]: refers back to tolerations: a spec is a tree of plain values, without cycles",
        ]);
    });

    it("refuses __proto__ in a JSON-loaded spec instead of passing its fields through", () => {
        const spec = JSON.parse('{"project": "p", "__proto__": {"plan": "startup-4", "disk_space": "10"}}');
        const issues = [`__proto__: ${FORBIDDEN}`, "plan: is required"];
        expect(issuesOf(() => checkAtConstruction("valkey", "v", spec))).to.deep.equal(issues);
        expect(issuesOf(() => parseSpec(valkeySpecSchema, spec, "spec"))).to.deep.equal(issues);
        const nested = JSON.parse('{"project": "p", "plan": "startup-4", "kubernetes": {"__proto__": {"clusterDomain": "evil.example"}}}');
        expect(issuesOf(() => checkAtConstruction("valkey", "v", nested))).to.deep.equal([`kubernetes.__proto__: ${FORBIDDEN}`]);
        // With a value known only later beside it, the copy made for the known part keeps __proto__ as a key.
        const withOutput = JSON.parse('{"project": "p", "plan": "startup-4", "tags": {"__proto__": {"a": "b"}}}');
        withOutput.cloudName = Promise.resolve("later");
        expect(issuesOf(() => checkAtConstruction("valkey", "v", withOutput))).to.deep.equal([`tags.__proto__: ${FORBIDDEN}`]);
    });

    it("refuses constructor and prototype keys (an own constructor made zod say 'must be an object (got an object)')", () => {
        const spec = JSON.parse('{"project": "p", "plan": "startup-4", "tags": {"constructor": "x", "prototype": "y", "env": "test"}}');
        expect(issuesOf(() => parseSpec(valkeySpecSchema, spec, "spec"))).to.deep.equal([`tags.constructor: ${FORBIDDEN}`, `tags.prototype: ${FORBIDDEN}`]);
    });

    it("reports 5,000 unknown keys of 1,000 characters, with hints for the first 20 and 100 listed in the message", () => {
        const spec: Record<string, unknown> = { ...BASE, plann: "x" };
        for (let i = 0; i < 5000; i++) spec[`${i}`.padEnd(1000, "x")] = 1;
        const e = thrown(() => parseSpec(valkeySpecSchema, spec, "spec")) as SpecError;
        expect(e).to.be.instanceOf(SpecError);
        expect(e.issues).to.have.length(5001);
        expect(e.issues[0]).to.deep.equal({ path: "plann", message: "unknown field (did you mean plan?)" });
        expect(e.issues.slice(1).every((i) => i.message === "unknown field")).to.equal(true);
        const lines = e.message.split("\n");
        expect(lines).to.have.length(1 + MAX_LISTED_ISSUES + 1);
        expect(lines[lines.length - 1]).to.equal("  - ... and 4901 more");
        expect(lines[2]).to.equal(`  - ${"0".padEnd(1000, "x")}... (1015 characters)`);
        expect(MAX_HINTED_KEYS).to.equal(20);
    });

    it("gives no hint past the first 20 unknown keys, and none for a key longer than 64 characters", () => {
        const spec: Record<string, unknown> = { ...BASE };
        for (let i = 0; i < 25; i++) spec[`plan${i}`] = 1;
        const hinted = (thrown(() => parseSpec(valkeySpecSchema, spec, "spec")) as SpecError).issues.filter((i) => i.message.includes("did you mean"));
        expect(hinted).to.have.length(20);
        expect(issuesOf(() => parseSpec(valkeySpecSchema, { ...BASE, ["plan".padEnd(65, "x")]: 1 }, "spec"))).to.deep.equal([
            `${"plan".padEnd(65, "x")}: unknown field`,
        ]);
    });

    it("refuses values that throw when read, and Proxies, as unreadable", () => {
        const getter = Object.defineProperty({ ...BASE }, "tags", {
            enumerable: true,
            get: () => {
                throw new TypeError("boom");
            },
        });
        expect(issuesOf(() => checkAtConstruction("valkey", "v", getter))).to.deep.equal(["tags: could not be read (TypeError thrown)"]);
        const proxy = new Proxy(
            {},
            {
                ownKeys: () => {
                    throw new TypeError("trap");
                },
                get: () => {
                    throw new TypeError("trap");
                },
            },
        );
        expect(issuesOf(() => checkClusterArgs("c", { labels: proxy }))).to.deep.equal(["labels: could not be read (TypeError thrown)"]);
    });

    it("stops at 20,000 values (a sparse array of 2^32-1 elements, subtrees shared 40 levels deep)", () => {
        const sparse: unknown[] = [];
        sparse.length = 2 ** 32 - 1;
        expect(issuesOf(() => checkAtConstruction("valkey", "v", { ...BASE, userConfig: { ip_filter: sparse } }))).to.deep.equal([
            "userConfig.ip_filter[19995]: is past the 20000th value of the spec; no spec holds that many",
        ]);
        let shared: unknown = "10.0.0.0/8";
        for (let i = 0; i < 40; i++) shared = [shared, shared];
        expect(issuesOf(() => parseSpec(valkeySpecSchema, { ...BASE, userConfig: { ip_filter: shared } }, "spec"))).to.have.length(1);
    });

    it("refuses NaN, Infinity and 1e308 by the field's rule, and takes -0 as 0", () => {
        const uc = (valkey_timeout: unknown) => ({ ...BASE, userConfig: { valkey_timeout } });
        expect(issuesOf(() => parseSpec(valkeySpecSchema, uc(NaN), "spec"))).to.deep.equal(["userConfig.valkey_timeout: must be a number (got NaN)"]);
        expect(issuesOf(() => parseSpec(valkeySpecSchema, uc(Infinity), "spec"))).to.deep.equal(["userConfig.valkey_timeout: must be a number (got Infinity)"]);
        expect(issuesOf(() => parseSpec(valkeySpecSchema, uc(1e308), "spec"))).to.deep.equal([
            "userConfig.valkey_timeout: must be at most 2073600 (got 1e+308)",
        ]);
        expect(checkAtConstruction("valkey", "v", uc(-0))!.options.timeout).to.equal(0);
    });
});
