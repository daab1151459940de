// Benchmark: how long validation takes on hostile specs (issue 11, finding 12). The generated
// specs of tests/helpers/hostile-specs.ts (seeded, BENCH_SPECS of them, default 10,000) go through
// each front door's construction-time check and its schema; then the reported worst cases one by
// one. Prints p50, p99 and the maximum per entry point. Timing is measured here, never asserted in
// tests. Run with `npm run build && node bin/bench/hostile-specs.js`.
import { checkClusterArgs } from "../sdk/components/cluster";
import { checkAtConstruction } from "../sdk/components/service";
import { redisSpecSchema, valkeySpecSchema } from "../sdk/spec/aiven";
import { valkeyClusterSpecSchema } from "../sdk/spec/cluster";
import { SpecError, parseSpec } from "../sdk/spec/validate";
import { hostileSpec } from "../tests/helpers/hostile-specs";

const SCHEMAS = { valkey: valkeySpecSchema, redis: redisSpecSchema, cluster: valkeyClusterSpecSchema } as const;
const COUNT = Number(process.env.BENCH_SPECS ?? 10_000);
const SEED = Number(process.env.BENCH_SEED ?? 11);

/** Milliseconds `f` takes, and whether it threw something other than a SpecError. */
function time(f: () => unknown): { ms: number; foreign?: unknown } {
    const start = process.hrtime.bigint();
    let foreign: unknown;
    try {
        f();
    } catch (e) {
        if (!(e instanceof SpecError)) foreign = e;
    }
    return { ms: Number(process.hrtime.bigint() - start) / 1e6, foreign };
}

function percentile(sorted: readonly number[], p: number): number {
    return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function report(label: string, samples: number[]): void {
    const sorted = [...samples].sort((a, b) => a - b);
    const f = (n: number) => n.toFixed(3).padStart(9);
    console.log(
        `${label.padEnd(34)} n=${String(sorted.length).padStart(6)}  p50 ${f(percentile(sorted, 50))} ms  p99 ${f(percentile(sorted, 99))} ms  max ${f(sorted[sorted.length - 1])} ms`,
    );
}

function main(): void {
    const component: number[] = [];
    const schema: number[] = [];
    let foreign = 0;
    for (let i = 0; i < COUNT; i++) {
        const { front, spec, what } = hostileSpec(SEED, i);
        const a = time(() => (front === "cluster" ? checkClusterArgs("c", spec) : checkAtConstruction(front, "v", spec)));
        const b = time(() => parseSpec(SCHEMAS[front], spec, "spec"));
        component.push(a.ms);
        schema.push(b.ms);
        for (const r of [a, b]) {
            if (r.foreign !== undefined) {
                foreign++;
                console.log(`#${i} (${what}) threw ${r.foreign instanceof Error ? r.foreign.name : typeof r.foreign}, not a SpecError`);
            }
        }
    }
    console.log(`${COUNT} hostile specs (seed ${SEED}); errors other than SpecError: ${foreign}`);
    report("construction-time check", component);
    report("schema (parseSpec)", schema);
    report("both", [...component, ...schema]);

    // The cases issue 11 reported, each the median of 5 runs.
    const BASE = { project: "p", plan: "startup-4" };
    const unknownKeys: Record<string, unknown> = { ...BASE };
    for (let i = 0; i < 5000; i++) unknownKeys[`${i}`.padEnd(1000, "x")] = 1;
    let deep: Record<string, unknown> = {};
    const deepRoot = deep;
    for (let i = 0; i < 20_000; i++) deep = (deep.a = {}) as Record<string, unknown>;
    const cyclic: Record<string, unknown> = { ...BASE };
    cyclic.self = cyclic;
    const cases: [string, unknown][] = [
        ["5,000 unknown keys of 1,000 chars", unknownKeys],
        ["20,000-deep nesting", { ...BASE, tags: deepRoot }],
        ["a cycle", cyclic],
        ["__proto__ from JSON", JSON.parse('{"project": "p", "__proto__": {"plan": "startup-4"}}')],
    ];
    for (const [label, spec] of cases) {
        report(
            label,
            [0, 1, 2, 3, 4].map(() => time(() => checkAtConstruction("valkey", "v", spec)).ms),
        );
    }
    if (foreign > 0) process.exitCode = 1;
}

main();
