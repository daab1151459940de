// Issue 11, finding 11: every number and size the specs accept yields a config valkey-server 8.0
// starts with and reads back unchanged. For each bounded field, the config rendered at the bound
// is started with a real valkey-server and the directive read back with CONFIG GET (the expected
// values are written as the server reports them); one past the bound is refused at validation
// with a message naming the field and the bound (sdk/spec/limits.ts says how each was found).
import { expect } from "chai";
import Valkey from "iovalkey";
import { renderValkeyConf } from "../../sdk/config/render";
import { buildStatefulSet } from "../../sdk/manifests/statefulset";
import { redisSpecSchema, valkeySpecSchema } from "../../sdk/spec/aiven";
import { valkeyClusterSpecSchema } from "../../sdk/spec/cluster";
import { buildClusterModel } from "../../sdk/spec/cluster-model";
import { KUBERNETES_QUANTITY_MAX, MAX_DISK_GIB, MAX_MEMORY_MIB } from "../../sdk/spec/limits";
import { Engine, ServiceModel, buildModel } from "../../sdk/spec/model";
import { Plan, registerPlan, unregisterPlan } from "../../sdk/spec/plans";
import { parseQuantity } from "../../sdk/spec/quantity";
import { SpecError, parseSpec } from "../../sdk/spec/validate";
import { startValkey, stopAllValkeys, tempDir } from "../helpers/valkey";

const MiB = 1024n * 1024n;

type Spec = Record<string, unknown>;

interface Bound {
    /** The field, as the message names it. */
    readonly field: string;
    readonly front: "valkey" | "redis" | "cluster";
    /** Specs at the bound (both ends where there are two). */
    readonly atLimit: readonly Spec[];
    /** CONFIG GET name -> value of each atLimit spec, as valkey-server reports it. */
    readonly readBack: readonly Record<string, string>[];
    /** One past the bound, and the exact issue (`<path>: <message>`). */
    readonly past: readonly [Spec, string][];
}

const AIVEN = { project: "limits", plan: "hobbyist" };
const uc = (userConfig: Spec) => ({ ...AIVEN, userConfig });
const aof = (fields: Spec) => ({ backup: { aof: { enabled: true, ...fields } } });
const KEPT = `(8589934591gb and 1073741823 bytes), the most valkey-server takes`;

/** The Aiven ranges (seeds/000 and 001), all inside what valkey-server takes; checked at both ends. */
function aivenRange(
    engine: Engine,
    option: string,
    directive: string,
    min: number,
    max: number,
    shown: (n: number) => string = String,
    readMax: string = shown(max),
): Bound {
    const key = `${engine}_${option}`;
    return {
        field: `userConfig.${key}`,
        front: engine,
        atLimit: [uc({ [key]: min }), uc({ [key]: max })],
        readBack: [{ [directive]: shown(min) }, { [directive]: readMax }],
        past: [
            [uc({ [key]: min - 1 }), `userConfig.${key}: must be at least ${min} (got ${min - 1})`],
            [uc({ [key]: max + 1 }), `userConfig.${key}: must be at most ${max} (got ${max + 1})`],
        ],
    };
}

const pubsub = (mb: number) => `normal 0 0 0 slave 268435456 67108864 60 pubsub ${BigInt(mb) * MiB} ${(BigInt(mb) * MiB) / 4n} 60`;

// Aiven documents io_threads up to 32 and valkey-server 8.0 starts with any value up to 128, but
// it runs at most 16 I/O threads and reports a larger setting as 16 (IO_THREADS_MAX_NUM). The
// schema keeps Aiven's contract, the renderer writes io-threads 16 for anything above (the
// component warns at preview), and this row reads back the top end.
const IO_THREADS_READ_BACK = "16";

const BOUNDS: Bound[] = [
    aivenRange("valkey", "io_threads", "io-threads", 1, 32, String, IO_THREADS_READ_BACK),
    aivenRange("valkey", "lfu_decay_time", "lfu-decay-time", 1, 120),
    aivenRange("valkey", "lfu_log_factor", "lfu-log-factor", 0, 100),
    aivenRange("valkey", "number_of_databases", "databases", 1, 128),
    aivenRange("valkey", "pubsub_client_output_buffer_limit", "client-output-buffer-limit", 32, 512, pubsub),
    aivenRange("valkey", "timeout", "timeout", 0, 2073600),
    aivenRange("redis", "io_threads", "io-threads", 1, 32, String, IO_THREADS_READ_BACK),
    aivenRange("redis", "lfu_decay_time", "lfu-decay-time", 1, 120),
    aivenRange("redis", "lfu_log_factor", "lfu-log-factor", 0, 100),
    aivenRange("redis", "number_of_databases", "databases", 1, 128),
    aivenRange("redis", "pubsub_client_output_buffer_limit", "client-output-buffer-limit", 32, 512, pubsub),
    aivenRange("redis", "timeout", "timeout", 0, 31536000),
    {
        field: "backup.aof.autoAofRewritePercentage",
        front: "cluster",
        atLimit: [aof({ autoAofRewritePercentage: 0 }), aof({ autoAofRewritePercentage: 2147483647 })],
        readBack: [{ "auto-aof-rewrite-percentage": "0" }, { "auto-aof-rewrite-percentage": "2147483647" }],
        past: [
            [aof({ autoAofRewritePercentage: 2147483648 }), "backup.aof.autoAofRewritePercentage: must be at most 2147483647 (got 2147483648)"],
            [aof({ autoAofRewritePercentage: 2 ** 40 }), "backup.aof.autoAofRewritePercentage: must be at most 2147483647 (got 1099511627776)"],
        ],
    },
    {
        field: "backup.aof.autoAofRewriteMinSize",
        front: "cluster",
        atLimit: [aof({ autoAofRewriteMinSize: "9223372036854775807" }), aof({ autoAofRewriteMinSize: "8589934591GB" })],
        readBack: [{ "auto-aof-rewrite-min-size": "9223372036854775807" }, { "auto-aof-rewrite-min-size": "9223372035781033984" }],
        past: [
            [
                aof({ autoAofRewriteMinSize: "9223372036854775808" }),
                `backup.aof.autoAofRewriteMinSize: must be at most 9223372036854775807 bytes ${KEPT} (got "9223372036854775808", 9223372036854775808 bytes)`,
            ],
            [
                aof({ autoAofRewriteMinSize: "8589934592gb" }),
                `backup.aof.autoAofRewriteMinSize: must be at most 9223372036854775807 bytes ${KEPT} (got "8589934592gb", 9223372036854775808 bytes)`,
            ],
            // valkey-server reads this one as 0 without an error (2^64 bytes wraps around).
            [
                aof({ autoAofRewriteMinSize: "17179869184gb" }),
                `backup.aof.autoAofRewriteMinSize: must be at most 9223372036854775807 bytes ${KEPT} (got "17179869184gb", 18446744073709551616 bytes)`,
            ],
            [
                aof({ autoAofRewriteMinSize: "99999999999999999999999gb" }),
                `backup.aof.autoAofRewriteMinSize: must be at most 9223372036854775807 bytes ${KEPT} (got "99999999999999999999999gb", 107374182399999999999998926258176 bytes)`,
            ],
        ],
    },
    {
        field: "backup.database.save",
        front: "cluster",
        atLimit: [{ backup: { database: { save: "9223372036854775807 2147483647 1 1" } } }],
        readBack: [{ save: "9223372036854775807 2147483647 1 1" }],
        past: [
            [
                { backup: { database: { save: "9223372036854775808 1" } } },
                'backup.database.save: must have at most 9223372036854775807 seconds and at most 2147483647 changes in each rule, what valkey-server reads back unchanged (got "9223372036854775808 1")',
            ],
            [
                { backup: { database: { save: "60 100 1 2147483648" } } },
                'backup.database.save: must have at most 9223372036854775807 seconds and at most 2147483647 changes in each rule, what valkey-server reads back unchanged (got "60 100 1 2147483648")',
            ],
        ],
    },
    {
        // maxmemory: 3/4 of floor(2^63 / 2^20) MiB (the memory as a JavaScript number rounds up to 2^63).
        field: "resources.limits.memory",
        front: "cluster",
        atLimit: [{ resources: { limits: { memory: "9223372036854775807" } } }],
        readBack: [{ maxmemory: String(6597069766656n * MiB) }],
        past: [
            [
                { resources: { limits: { memory: "9223372036854775808" } } },
                'resources.limits.memory: must be at most 9223372036854775807 bytes (8Ei less one byte), the largest Kubernetes quantity (got "9223372036854775808")',
            ],
            [
                { resources: { limits: { memory: "1e30" } } },
                'resources.limits.memory: must be at most 9223372036854775807 bytes (8Ei less one byte), the largest Kubernetes quantity (got "1e30")',
            ],
        ],
    },
    {
        field: "resources.requests.memory",
        front: "cluster",
        atLimit: [{ resources: { requests: { memory: "9223372036854775807" } } }, { resources: { requests: { memory: "8191Pi" } } }],
        readBack: [{ maxmemory: String(6597069766656n * MiB) }, { maxmemory: String(((8191n * 1024n ** 3n * 3n) / 4n) * MiB) }],
        past: [
            [
                { resources: { requests: { memory: "8Ei" } } },
                'resources.requests.memory: must be at most 9223372036854775807 bytes (8Ei less one byte), the largest Kubernetes quantity (got "8Ei")',
            ],
        ],
    },
];

/** Sizes that become Kubernetes quantities only (PVCs): the rendered size is exact and at most 2^63-1 bytes. */
const PVC_BOUNDS: { field: string; front: "valkey" | "cluster"; atLimit: Spec; storage: string; past: [Spec, string] }[] = [
    {
        field: "disk_space",
        front: "valkey",
        atLimit: { ...AIVEN, disk_space: "8589934591GiB" },
        storage: "8589934591Gi",
        past: [
            { ...AIVEN, disk_space: "9".repeat(30) },
            `disk_space: must be at most 8589934591 GiB (8 EiB less 1 GiB), the largest PVC size a Kubernetes quantity holds (got "${"9".repeat(30)}")`,
        ],
    },
    {
        field: "pvc.storageSize",
        front: "cluster",
        atLimit: { pvc: { storageSize: "9223372036854775807" } },
        storage: "9223372036854775807",
        past: [
            { pvc: { storageSize: "8Ei" } },
            'pvc.storageSize: must be at most 9223372036854775807 bytes (8Ei less one byte), the largest Kubernetes quantity (got "8Ei")',
        ],
    },
];

function issuesOf(front: Bound["front"], spec: Spec): string[] {
    const schema = front === "cluster" ? valkeyClusterSpecSchema : front === "valkey" ? valkeySpecSchema : redisSpecSchema;
    try {
        parseSpec(schema, spec, "spec");
        return [];
    } catch (e) {
        expect(e).to.be.instanceOf(SpecError);
        return (e as SpecError).issues.map((i) => `${i.path}: ${i.message}`);
    }
}

/** valkey.conf of `spec` through the real path (schema, model, renderer), in `dir`, without the auth include. */
function render(front: Bound["front"], spec: Spec, dir: string): string {
    if (front === "cluster") {
        const cm = buildClusterModel("limits", parseSpec(valkeyClusterSpecSchema, spec, "spec"));
        return renderValkeyConf(cm, { dataDir: dir, authInclude: null });
    }
    const schema = front === "valkey" ? valkeySpecSchema : redisSpecSchema;
    return renderValkeyConf(buildModel(front, "limits", parseSpec(schema, spec, "spec")), { dataDir: dir, authInclude: null });
}

async function readBack(config: string, dir: string, names: readonly string[]): Promise<Record<string, string>> {
    const node = await startValkey({ config, dir });
    const client = new Valkey({ host: node.host, port: node.port, lazyConnect: true, enableReadyCheck: false, maxRetriesPerRequest: 0 });
    try {
        await client.connect();
        const out: Record<string, string> = {};
        for (const name of names) out[name] = ((await client.call("CONFIG", "GET", name)) as string[])[1];
        return out;
    } finally {
        client.disconnect();
        await node.stop();
    }
}

describe("integration: every accepted number starts valkey-server 8.0 (issue 11, finding 11)", function () {
    this.timeout(60000);
    after(stopAllValkeys);

    for (const bound of BOUNDS) {
        it(`${bound.front} ${bound.field}: starts at the bound, refused one past it`, async () => {
            for (const [i, spec] of bound.atLimit.entries()) {
                expect(issuesOf(bound.front, spec), JSON.stringify(spec)).to.deep.equal([]);
                const dir = tempDir("pulumi-valkey-limits-");
                expect(await readBack(render(bound.front, spec, dir), dir, Object.keys(bound.readBack[i]))).to.deep.equal(bound.readBack[i]);
            }
            for (const [spec, issue] of bound.past) expect(issuesOf(bound.front, spec)).to.deep.equal([issue]);
        });
    }

    for (const bound of PVC_BOUNDS) {
        it(`${bound.front} ${bound.field}: renders the PVC size exactly at the bound (at most 2^63-1 bytes), refused one past it`, async () => {
            expect(issuesOf(bound.front, bound.atLimit)).to.deep.equal([]);
            const sts =
                bound.front === "cluster"
                    ? buildStatefulSet(buildClusterModel("limits", parseSpec(valkeyClusterSpecSchema, bound.atLimit, "spec")), { configHash: "h" })
                    : buildStatefulSet(buildModel("valkey", "limits", parseSpec(valkeySpecSchema, bound.atLimit, "spec")), { configHash: "h" });
            const storage = String(sts.spec!.volumeClaimTemplates![0].spec!.resources!.requests!.storage);
            expect(storage).to.equal(bound.storage);
            const q = parseQuantity(storage)!;
            expect(q.numerator <= KUBERNETES_QUANTITY_MAX * q.denominator).to.equal(true);
            // The node itself still starts with the config of that spec.
            const dir = tempDir("pulumi-valkey-limits-");
            expect(await readBack(render(bound.front, bound.atLimit, dir), dir, ["appendonly"])).to.have.property("appendonly");
            expect(issuesOf(bound.front, bound.past[0])).to.deep.equal([bound.past[1]]);
        });
    }

    it("registerPlan memoryMiB and diskGiB: starts at the bound (maxmemory 3/4 of it), refused one past it", async () => {
        const plan: Plan = {
            name: "limits-plan",
            nodes: 1,
            memoryMiB: MAX_MEMORY_MIB,
            cpuMillis: 500,
            diskGiB: MAX_DISK_GIB,
            persistence: "rdb",
            topology: "standalone",
            description: "the largest plan",
        };
        expect([MAX_MEMORY_MIB, MAX_DISK_GIB]).to.deep.equal([8796093022207, 8589934591]);
        registerPlan(plan);
        try {
            const model: ServiceModel = buildModel("valkey", "limits", parseSpec(valkeySpecSchema, { ...AIVEN, plan: plan.name }, "spec"));
            const dir = tempDir("pulumi-valkey-limits-");
            const config = renderValkeyConf(model, { dataDir: dir, authInclude: null });
            expect(await readBack(config, dir, ["maxmemory"])).to.deep.equal({ maxmemory: String(6597069766655n * MiB) });
            const sts = buildStatefulSet(model, { configHash: "h" });
            expect(sts.spec!.volumeClaimTemplates![0].spec!.resources!.requests!.storage).to.equal("8589934591Gi");
            expect(sts.spec!.template.spec!.containers[0].resources!.limits!.memory).to.equal("8796093022207Mi");
        } finally {
            unregisterPlan(plan.name);
        }
        expect(() => registerPlan({ ...plan, name: "past-memory", memoryMiB: MAX_MEMORY_MIB + 1 })).to.throw(
            SpecError,
            'plan "past-memory" is invalid (1 problem):\n  - memoryMiB: must be at most 8796093022207 (got 8796093022208)',
        );
        expect(() => registerPlan({ ...plan, name: "past-disk", diskGiB: MAX_DISK_GIB + 1 })).to.throw(
            SpecError,
            'plan "past-disk" is invalid (1 problem):\n  - diskGiB: must be at most 8589934591 (got 8589934592)',
        );
    });
});
