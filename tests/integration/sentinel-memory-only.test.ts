// Issue 11, finding 4: a Sentinel plan without a disk (business-4 with valkey_persistence off).
// Its primary restarts (SIGTERM, as for an eviction) within down-after, in a new empty data
// directory (a new emptyDir). Started as the primary again, it would hand its replicas the empty
// dataset in a full sync (the finding: 200 keys -> 0 on both). The rendered start script instead
// waits for the Sentinels to promote a replica, which holds the keys, and starts as its replica.
// Real processes on loopback: 3 data nodes run the rendered start script, 3 Sentinels the rendered
// sentinel.conf.
import * as fs from "fs";
import { expect } from "chai";
import { HaNode, SentinelPlan, startSentinelPlan, until } from "../helpers/sentinel";
import { stopAllValkeys } from "../helpers/valkey";
import { valkeyModel } from "../unit/manifests/fixtures";

const KEYS = 200;
/** Longer than the restart takes, so the Sentinels still name the old primary when it is back. */
const DOWN_AFTER_MS = 3000;

function dbsizes(plan: SentinelPlan): number[] {
    return plan.nodes.map((n) => Number(plan.cli(n.port, "DBSIZE").trim()));
}

async function exited(node: HaNode): Promise<void> {
    const child = node.child!;
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise((resolve) => child.once("exit", resolve));
}

describe("a Sentinel plan without a disk: the primary restarts within down-after (real processes)", function () {
    this.timeout(120000);
    const model = valkeyModel({ project: "p", plan: "business-4", userConfig: { valkey_persistence: "off" } }, "ha");
    let plan: SentinelPlan;

    before(async () => {
        plan = await startSentinelPlan({ model, downAfterMs: DOWN_AFTER_MS });
    });
    after(async () => {
        plan?.killNodes();
        await stopAllValkeys();
    });

    it("comes back as a replica of the promoted one, and no node loses a key", async () => {
        const [first] = plan.nodes;
        expect(plan.currentPrimary()).to.equal(first);
        for (let i = 0; i < KEYS; i++) plan.cli(first.port, "SET", `k:${i}`, `v${i}`);
        await until("both replicas hold every key", () => dbsizes(plan).every((n) => n === KEYS));

        first.child!.kill("SIGTERM");
        await exited(first);
        // A new pod: an empty data directory (its emptyDir), the same address.
        for (const f of fs.readdirSync(first.dir)) if (f !== "valkey.conf") fs.rmSync(`${first.dir}/${f}`, { force: true });
        plan.start(first);

        await until(
            "the Sentinels name another primary and the restarted node replicates it",
            () => {
                const primary = plan.currentPrimary();
                return primary !== undefined && primary !== first && /master_link_status:up/.test(plan.cli(first.port, "INFO", "replication"));
            },
            60000,
        ).catch((e: Error) => {
            throw new Error(`${e.message}; DBSIZE ${dbsizes(plan).join(", ")}\n${plan.failoverEvents()}`);
        });
        await until("every node holds every key", () => dbsizes(plan).every((n) => n === KEYS), 20000).catch((e: Error) => {
            throw new Error(`${e.message}; DBSIZE ${dbsizes(plan).join(", ")}\n${plan.failoverEvents()}`);
        });
        expect(dbsizes(plan)).to.deep.equal([KEYS, KEYS, KEYS]);
        expect(plan.cli(plan.currentPrimary()!.port, "GET", "k:199").trim()).to.equal("v199");
    });
});
