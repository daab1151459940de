// The plan catalog: what a plan name means on Kubernetes. Aiven's names (hobbyist, startup-N,
// business-N, premium-N with N = memory in GB) and the add-on plans of seeds/003 (free, standard,
// pro). Users can register their own plans.
import { z } from "zod";
import { MAX_DISK_GIB, MAX_MEMORY_MIB, MIN_MEMORY_MIB } from "./limits";
import { parseSpec } from "./validate";

/** How the data survives a restart. */
export type PersistenceMode = "none" | "rdb" | "rdb_daily" | "rdb_aof";

/** How a plan's nodes are arranged. */
export type PlanTopology = "standalone" | "sentinel" | "cluster";

export interface Plan {
    readonly name: string;
    /** Valkey data nodes (1: standalone; 2+: a primary and replicas, or cluster nodes). */
    readonly nodes: number;
    /** Memory per node in MiB: the container limit and request. */
    readonly memoryMiB: number;
    /** CPU per node in millicores. */
    readonly cpuMillis: number;
    /** Disk per node in GiB; 0 means no PVC (an emptyDir). */
    readonly diskGiB: number;
    /** Persistence the plan gives unless userConfig says otherwise. */
    readonly persistence: PersistenceMode;
    /** standalone for 1 node; sentinel (primary + replicas with Sentinel) for more. */
    readonly topology: PlanTopology;
    /** For cluster plans: the number of shards (primaries). */
    readonly shards?: number;
    readonly description: string;
}

const planSchema = z.strictObject({
    name: z
        .string()
        .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/)
        .max(128),
    nodes: z.number().int().min(1).max(100),
    // The container memory and the PVC size are `<n>Mi` / `<n>Gi` quantities, and maxmemory a
    // share of the memory: past these no quantity holds them (sdk/spec/limits.ts).
    memoryMiB: z.number().int().min(MIN_MEMORY_MIB).max(MAX_MEMORY_MIB),
    cpuMillis: z.number().int().min(10),
    diskGiB: z.number().int().min(0).max(MAX_DISK_GIB),
    persistence: z.enum(["none", "rdb", "rdb_daily", "rdb_aof"]),
    topology: z.enum(["standalone", "sentinel", "cluster"]),
    shards: z.number().int().min(3).optional(),
    description: z.string(),
});

const GiB = 1024;

// Aiven sizes its plans by memory; CPU grows with it. Disk leaves room for an RDB snapshot and an
// AOF rewrite of a full dataset side by side (2x memory), rounded up to whole GiB.
const AIVEN_SIZES: ReadonlyArray<{ gb: number; cpuMillis: number }> = [
    { gb: 1, cpuMillis: 1000 },
    { gb: 4, cpuMillis: 1000 },
    { gb: 8, cpuMillis: 2000 },
    { gb: 14, cpuMillis: 2000 },
    { gb: 16, cpuMillis: 2000 },
    { gb: 28, cpuMillis: 4000 },
    { gb: 56, cpuMillis: 8000 },
    { gb: 100, cpuMillis: 16000 },
    { gb: 200, cpuMillis: 32000 },
];

const AIVEN_TIERS: ReadonlyArray<{ tier: string; nodes: number; what: string }> = [
    { tier: "startup", nodes: 1, what: "1 node, no failover" },
    { tier: "business", nodes: 2, what: "a primary and 1 replica with Sentinel failover" },
    { tier: "premium", nodes: 3, what: "a primary and 2 replicas with Sentinel failover" },
];

function builtInPlans(): Plan[] {
    const plans: Plan[] = [
        {
            name: "hobbyist",
            nodes: 1,
            memoryMiB: 1 * GiB,
            cpuMillis: 500,
            diskGiB: 2,
            persistence: "rdb",
            topology: "standalone",
            description: "1 node, 1 GiB, for experiments",
        },
    ];
    for (const { tier, nodes, what } of AIVEN_TIERS) {
        for (const { gb, cpuMillis } of AIVEN_SIZES) {
            plans.push({
                name: `${tier}-${gb}`,
                nodes,
                memoryMiB: gb * GiB,
                cpuMillis,
                diskGiB: gb * 2,
                persistence: "rdb",
                topology: nodes === 1 ? "standalone" : "sentinel",
                description: `${what}, ${gb} GiB memory per node`,
            });
        }
    }
    // seeds/003: the platform add-on plans.
    plans.push(
        {
            name: "free",
            nodes: 1,
            memoryMiB: 64,
            cpuMillis: 100,
            diskGiB: 0,
            persistence: "none",
            topology: "standalone",
            description: "1 node, 64 MiB, no persistence",
        },
        {
            name: "standard",
            nodes: 1,
            memoryMiB: 256,
            cpuMillis: 250,
            diskGiB: 1,
            persistence: "rdb_daily",
            topology: "standalone",
            description: "1 node, 256 MiB, a daily RDB snapshot",
        },
        {
            name: "pro",
            nodes: 3,
            memoryMiB: 1 * GiB,
            cpuMillis: 1000,
            diskGiB: 4,
            persistence: "rdb_aof",
            topology: "sentinel",
            description: "a primary and 2 replicas with Sentinel failover, 1 GiB, RDB and AOF",
        },
    );
    return plans;
}

const BUILT_IN: ReadonlyMap<string, Plan> = new Map(builtInPlans().map((p) => [p.name, Object.freeze(p)]));
const registered = new Map<string, Plan>();

/** Every plan name known now, built-in first, in catalog order. */
export function planNames(): string[] {
    return [...BUILT_IN.keys(), ...registered.keys()];
}

/** The plan called `name`; an error that lists the valid names when there is none. */
export function getPlan(name: string): Plan {
    const plan = BUILT_IN.get(name) ?? registered.get(name);
    if (!plan) {
        throw new Error(`unknown plan ${JSON.stringify(name)}; valid plans: ${planNames().join(", ")}`);
    }
    return plan;
}

/** Whether `name` is a known plan. */
export function hasPlan(name: string): boolean {
    return BUILT_IN.has(name) || registered.has(name);
}

/**
 * Adds a plan of your own, e.g. `registerPlan({ name: "team-cache", nodes: 3, memoryMiB: 2048,
 * cpuMillis: 1000, diskGiB: 8, persistence: "rdb", topology: "sentinel", description: "..." })`.
 * Built-in names cannot be redefined; registering the same plan again is a no-op.
 */
export function registerPlan(plan: Plan): Plan {
    const parsed = parseSpec(planSchema, plan, `plan ${JSON.stringify((plan as { name?: unknown }).name)}`) as Plan;
    if (BUILT_IN.has(parsed.name)) {
        throw new Error(`plan ${JSON.stringify(parsed.name)} is built in and cannot be redefined; choose another name`);
    }
    if (parsed.topology === "standalone" && parsed.nodes !== 1) {
        throw new Error(`plan ${JSON.stringify(parsed.name)}: a standalone plan has exactly 1 node (got ${parsed.nodes})`);
    }
    if (parsed.topology === "sentinel" && parsed.nodes < 2) {
        throw new Error(`plan ${JSON.stringify(parsed.name)}: a sentinel plan needs at least 2 nodes (got ${parsed.nodes})`);
    }
    if (parsed.topology === "cluster") {
        const shards = parsed.shards ?? 0;
        if (shards < 3 || parsed.nodes % shards !== 0) {
            throw new Error(
                `plan ${JSON.stringify(parsed.name)}: a cluster plan needs shards >= 3 dividing nodes evenly (got ${parsed.nodes} nodes, ${parsed.shards ?? "no"} shards)`,
            );
        }
    }
    const existing = registered.get(parsed.name);
    if (existing && JSON.stringify(existing) !== JSON.stringify(parsed)) {
        throw new Error(`plan ${JSON.stringify(parsed.name)} is already registered with other values`);
    }
    const frozen = Object.freeze({ ...parsed });
    registered.set(parsed.name, frozen);
    return frozen;
}

/** Removes a plan registered with registerPlan (for tests and long-lived programs). */
export function unregisterPlan(name: string): boolean {
    return registered.delete(name);
}
