// Issue 11, finding 4: does a node keep its keys across a restart? For every plan kind (the
// standalone hobbyist and startup plans, a Sentinel plan's data node, the add-on plans, a
// ValkeyCluster node) and every persistence setting the schemas accept, the rendered valkey.conf is
// started with a real valkey-server, N keys are written, the server gets SIGTERM (what the kubelet
// sends when the provider's rollout deletes a pod), and it is started again with the same config
// and data directory (the PVC). A node with a disk must come back with every key. A node without
// one (plan free, valkey_persistence off: an emptyDir, new for every pod) loses them: those rows
// must be the ones the rollout will not restart without the user's opt-in.
import { expect } from "chai";
import Valkey from "iovalkey";
import { renderValkeyConf } from "../../sdk/config/render";
import { valkeyClusterSpecSchema } from "../../sdk/spec/cluster";
import { buildClusterModel } from "../../sdk/spec/cluster-model";
import { ServiceModel } from "../../sdk/spec/model";
import { parseSpec } from "../../sdk/spec/validate";
import { restartLosesData } from "../../sdk/spec/persistence";
import { freePort, startValkey, stopAllValkeys, tempDir } from "../helpers/valkey";
import { redisModel, valkeyModel } from "../unit/config/fixtures";

const KEYS = 200;

interface Case {
    readonly what: string;
    readonly model: ServiceModel;
    /** The config for a node whose files live in `dir` and which listens on `port`. */
    readonly conf: (dir: string, port: number) => string;
    readonly cluster?: boolean;
}

/** valkey_persistence x frequent_snapshots as the Valkey schema accepts them (unset included). */
const VALKEY_SETTINGS: Record<string, unknown>[] = [];
for (const persistence of [undefined, "rdb", "off"]) {
    for (const frequent of [undefined, true, false]) {
        VALKEY_SETTINGS.push({
            ...(persistence !== undefined ? { valkey_persistence: persistence } : {}),
            ...(frequent !== undefined ? { frequent_snapshots: frequent } : {}),
        });
    }
}
/** The Redis spec has redis_persistence and no frequent_snapshots (seeds/001). */
const REDIS_SETTINGS: Record<string, unknown>[] = [{}, { redis_persistence: "rdb" }, { redis_persistence: "off" }];

function serviceCase(engine: "valkey" | "redis", plan: string, userConfig: Record<string, unknown>): Case {
    const model = engine === "valkey" ? valkeyModel(plan, userConfig) : redisModel(plan, userConfig);
    return {
        what: `${engine === "valkey" ? "Valkey" : "Redis"} ${plan} ${JSON.stringify(userConfig)}`,
        model,
        conf: (dir, port) => renderValkeyConf(model, { dataDir: dir, port, authInclude: null }),
    };
}

const CASES: Case[] = [
    ...["hobbyist", "startup-4", "business-4", "free", "standard", "pro"].flatMap((plan) => VALKEY_SETTINGS.map((uc) => serviceCase("valkey", plan, uc))),
    ...["startup-4", "business-4"].flatMap((plan) => REDIS_SETTINGS.map((uc) => serviceCase("redis", plan, uc))),
    // ValkeyCluster: backup.database (RDB) and backup.aof on and off; the PVC is always there.
    ...[
        {},
        { database: { enabled: false } },
        { database: { save: "" } },
        { aof: { enabled: true } },
        { database: { enabled: false }, aof: { enabled: true } },
    ].map((backup): Case => {
        const cm = buildClusterModel("kv", parseSpec(valkeyClusterSpecSchema, { masterCount: 3, replicasPerMaster: 0, backup }, "ValkeyCluster kv"));
        return {
            what: `ValkeyCluster backup ${JSON.stringify(backup)}`,
            model: cm,
            conf: (dir, port) => renderValkeyConf(cm, { dataDir: dir, port, authInclude: null }),
            cluster: true,
        };
    }),
];

function connect(port: number): Valkey {
    return new Valkey({ host: "127.0.0.1", port, lazyConnect: true, enableReadyCheck: false, retryStrategy: () => null, maxRetriesPerRequest: 0 });
}

async function untilClusterOk(client: Valkey): Promise<void> {
    for (let i = 0; i < 100; i++) {
        if (/cluster_state:ok/.test((await client.call("CLUSTER", "INFO")) as string)) return;
        await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error("cluster_state never became ok");
}

async function dbsize(port: number, cluster: boolean): Promise<number> {
    const client = connect(port);
    try {
        await client.connect();
        if (cluster) await untilClusterOk(client);
        return await client.dbsize();
    } finally {
        client.disconnect();
    }
}

describe("keys across a SIGTERM restart, every plan kind x every persistence setting (real valkey-server)", function () {
    this.timeout(120000);
    const table: string[] = [];

    after(async () => {
        await stopAllValkeys();
        // The table the issue asks for: printed once, whatever failed.
        console.log(["", "plan / settings | disk | keys before | keys after", ...table].join("\n"));
    });

    for (const c of CASES) {
        const disk = c.model.persistence.diskGiB > 0;
        it(`${c.what}: ${disk ? "keeps every key (disk)" : "no disk: loses the keys, and a restart by the provider needs the opt-in"}`, async () => {
            const dir = tempDir("pulumi-valkey-durability-");
            const port = await freePort();
            const conf = c.conf(dir, port);
            const server = await startValkey({ config: conf, dir, port });
            const client = connect(port);
            let before: number;
            try {
                await client.connect();
                if (c.cluster) {
                    await client.call("CLUSTER", "ADDSLOTSRANGE", "0", "16383");
                    await untilClusterOk(client);
                }
                const pipeline = client.pipeline();
                for (let i = 0; i < KEYS; i++) pipeline.set(`{k}:${i}`, `v${i}`);
                await pipeline.exec();
                before = await client.dbsize();
            } finally {
                client.disconnect();
            }
            expect(before).to.equal(KEYS);
            await server.stop();
            const again = await startValkey({ config: conf, dir, port });
            let after: number;
            try {
                after = await dbsize(port, c.cluster === true);
            } finally {
                await again.stop();
            }
            table.push(`${c.what} | ${disk ? `${c.model.persistence.diskGiB}Gi` : "none (emptyDir)"} | ${before} | ${after}`);
            if (disk) {
                expect(after, `${c.what}: keys after a SIGTERM restart (log: ${again.log()})`).to.equal(before);
                expect(restartLosesData(c.model), c.what).to.equal(false);
            } else {
                expect(after, c.what).to.equal(0);
                expect(restartLosesData(c.model), c.what).to.equal(true);
            }
        });
    }
});
