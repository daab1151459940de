// Hostile specs for the validation boundary (issue 11, finding 12), from a seeded generator so a
// failure names a spec that can be made again: deep nesting, cycles, shared subtrees that double
// at every level, huge strings and keys, many unknown keys, numbers like NaN and 1e308, wrong
// types, prototype keys (as JSON.parse leaves them), getters and Proxies that throw, sparse arrays
// claiming 2^32-1 elements. Each is a valid spec with one or a few places replaced, or a whole
// hostile value. Used by tests/unit/spec/hostile.test.ts and bench/hostile-specs.ts.
import { SEED_000_SPEC, SEED_001_SPEC } from "./seeds";

/** A ValkeyCluster spec using most fields (the seed's, plus TLS and ACL). */
export const CLUSTER_SPEC = {
    valkeyImage: { name: "valkey/valkey", tag: "8.0.2", imagePullSecrets: ["regcred"] },
    masterCount: 3,
    replicasPerMaster: 1,
    tls: { internalCerts: { validity: "90d" }, tlsProtocols: "TLSv1.3" },
    acl: { users: [{ name: "app", rules: "+get +set ~app:*" }] },
    resources: { requests: { memory: "2Gi", cpu: "500m" }, limits: { memory: "3Gi", cpu: "1" } },
    tolerations: [{ key: "dedicated", operator: "Equal", value: "valkey", effect: "NoSchedule" }],
    nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: "pool", operator: "In", values: ["cache"] }] }],
        },
    },
    labels: { team: "cache" },
    pvc: { storageSize: "30Gi", storageClassName: "fast" },
    backup: { database: { save: "3600 1" }, aof: { enabled: true, autoAofRewriteMinSize: "64mb" } },
    exporter: { enabled: true },
    namespace: "cache",
};

export type Front = "valkey" | "redis" | "cluster";

export interface HostileSpec {
    readonly front: Front;
    /** What was made hostile, for failure messages. */
    readonly what: string;
    readonly spec: unknown;
}

/** mulberry32: small, seeded, good enough to spread cases. */
export function rng(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

const NUMBERS = [NaN, Infinity, -Infinity, -0, 0, 1e308, -1e308, Number.MAX_VALUE, Number.MIN_VALUE, 2 ** 53 + 1, 2 ** 63, 0.5, -1, 1e-308, 2 ** 31, 2 ** 40];
const STRINGS = ["", " ", "\u0000", "\ud800", "a\nb", '"; id; "', "$(id)", "`id`", "${x}", "__proto__", "constructor", "9".repeat(30), "1e+30Gi", "-1", "NaN"];

function pick<T>(r: () => number, xs: readonly T[]): T {
    return xs[Math.floor(r() * xs.length)];
}

function deep(levels: number, array: boolean): unknown {
    const root: Record<string, unknown> | unknown[] = array ? [] : {};
    let current = root;
    for (let i = 0; i < levels; i++) {
        const next: Record<string, unknown> | unknown[] = array ? [] : {};
        if (Array.isArray(current)) current.push(next);
        else current.a = next;
        current = next;
    }
    return root;
}

/** Shared subtrees: `levels` levels of [x, x], 2^levels leaves if walked as a tree. */
function doubling(levels: number): unknown {
    let node: unknown = { a: 1 };
    for (let i = 0; i < levels; i++) node = [node, node];
    return node;
}

function manyKeys(r: () => number, count: number, length: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < count; i++) out[`${i}${"k".repeat(Math.max(0, length - String(i).length))}`] = pick(r, [1, "x", null, {}]);
    return out;
}

/** One hostile value. */
function hostileValue(r: () => number): [string, unknown] {
    const kind = Math.floor(r() * 22);
    switch (kind) {
        case 0:
            return ["a number", pick(r, NUMBERS)];
        case 1:
            return ["a string", pick(r, STRINGS)];
        case 2:
            return ["a huge string", "x".repeat(1 + Math.floor(r() * 1_000_000))];
        case 3: {
            const levels = 50 + Math.floor(r() * 20_000);
            return [`${levels}-deep objects`, deep(levels, false)];
        }
        case 4: {
            const levels = 50 + Math.floor(r() * 20_000);
            return [`${levels}-deep arrays`, deep(levels, true)];
        }
        case 5: {
            const o: Record<string, unknown> = { a: 1 };
            o.self = o;
            return ["a cyclic object", o];
        }
        case 6: {
            const a: unknown[] = [1];
            a.push({ inner: a });
            return ["a cyclic array", a];
        }
        case 7:
            return ["shared subtrees doubling 40 times", doubling(40)];
        case 8: {
            const count = 1 + Math.floor(r() * 5000);
            const length = 1 + Math.floor(r() * 1000);
            return [`${count} unknown keys of ${length} characters`, manyKeys(r, count, length)];
        }
        case 9:
            return ["a __proto__ key", JSON.parse(`{"__proto__": {"plan": "startup-4", "disk_space": "10", "x": 1}, "a": 1}`)];
        case 10:
            return ["constructor and prototype keys", JSON.parse(`{"constructor": "x", "prototype": {"a": 1}}`)];
        case 11:
            return ["a null-prototype object", Object.assign(Object.create(null), { a: 1 })];
        case 12:
            return [
                "a getter that throws",
                Object.defineProperty({}, "a", {
                    enumerable: true,
                    get: () => {
                        throw new TypeError("boom");
                    },
                }),
            ];
        case 13:
            return [
                "a Proxy that throws",
                new Proxy(
                    {},
                    {
                        ownKeys: () => {
                            throw new TypeError("trap");
                        },
                        get: () => {
                            throw new TypeError("trap");
                        },
                    },
                ),
            ];
        case 14: {
            const a: unknown[] = [];
            a.length = 2 ** 32 - 1;
            return ["a sparse array of 2^32-1 elements", a];
        }
        case 15:
            return ["a function", () => 1];
        case 16:
            return ["a symbol", Symbol("s")];
        case 17:
            return ["a bigint", 10n ** 30n];
        case 18:
            return ["a Date", new Date(0)];
        case 19:
            return ["a Map", new Map([["a", 1]])];
        case 20:
            return ["a Buffer", Buffer.alloc(1 + Math.floor(r() * 200_000))];
        default:
            return ["a wrong type", pick(r, [true, null, undefined, [], {}, [[]], [{}], { a: [] }])];
    }
}

const BASES: Record<Front, unknown> = { valkey: SEED_000_SPEC, redis: SEED_001_SPEC, cluster: CLUSTER_SPEC };

type Path = readonly (string | number)[];

/** Every path in a plain (valid) spec, and the paths of its objects (where a new key can go). */
function paths(value: unknown, at: Path = [], out = { all: [] as Path[], objects: [] as Path[] }) {
    out.all.push(at);
    if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...at, i], out));
    else if (value !== null && typeof value === "object") {
        out.objects.push(at);
        for (const [k, v] of Object.entries(value)) paths(v, [...at, k], out);
    }
    return out;
}

/** A copy of the plain `base` with the values at `replaced` paths swapped in as they are (never copied or walked). */
function withReplacements(base: unknown, replaced: ReadonlyMap<string, unknown>, at: Path = []): unknown {
    const key = JSON.stringify(at);
    if (replaced.has(key)) return replaced.get(key);
    if (Array.isArray(base)) return base.map((v, i) => withReplacements(v, replaced, [...at, i]));
    if (base === null || typeof base !== "object") return base;
    const out: Record<string, unknown> = {};
    const keys = new Set(Object.keys(base));
    // New keys under this object.
    for (const k of replaced.keys()) {
        const p = JSON.parse(k) as Path;
        if (p.length === at.length + 1 && JSON.stringify(p.slice(0, -1)) === key) keys.add(String(p[p.length - 1]));
    }
    // defineProperty: a `__proto__` key stays an own key, as JSON.parse leaves it.
    for (const k of keys) {
        const value = withReplacements((base as Record<string, unknown>)[k], replaced, [...at, k]);
        Object.defineProperty(out, k, { value, enumerable: true, writable: true, configurable: true });
    }
    return out;
}

/** The `i`th hostile spec of the run seeded `seed`. */
export function hostileSpec(seed: number, i: number): HostileSpec {
    const r = rng(seed * 1_000_003 + i);
    const front = pick(r, ["valkey", "redis", "cluster"] as const);
    const base = BASES[front];
    const { all, objects } = paths(base);
    const replaced = new Map<string, unknown>();
    const what: string[] = [];
    const places = 1 + Math.floor(r() * 3);
    for (let n = 0; n < places; n++) {
        const [kind, value] = hostileValue(r);
        // The whole spec, a field (or an item), or a new key in an object.
        const roll = r();
        const path: Path =
            roll < 0.05 ? [] : roll < 0.7 ? pick(r, all.slice(1)) : [...pick(r, objects), pick(r, ["extra", "__proto__", "userConfig", "plan", "kubernetes"])];
        what.push(`${kind} at ${path.join(".") || "the root"}`);
        replaced.set(JSON.stringify(path), value);
        if (path.length === 0) break;
    }
    return { front, what: what.join("; "), spec: withReplacements(base, replaced) };
}
