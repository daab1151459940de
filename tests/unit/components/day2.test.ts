// Day-2 wiring under Pulumi mocks: what changes live (the topology resource's `config`), what rolls
// the pods (the template's config-hash and the `rollout` revision), and the maintenance window.
import { expect } from "chai";
import { installMocks, one, reset, restoreWarn, settle, warnings } from "../../helpers/mocks";
import { Valkey, ValkeyCluster } from "../../../sdk";
import { SEED_000_SPEC } from "../../helpers/seeds";

const TOPOLOGY = "pulumi-nodejs:dynamic/valkey:ValkeyTopology";
const STS = "kubernetes:apps/v1:StatefulSet";

interface Built {
    configHash: string;
    config: Record<string, string>;
    rollout: { revision: string; window?: unknown; force?: boolean; sentinels?: unknown; memoryOnly?: boolean; allowDataLoss?: boolean };
}

async function buildValkey(userConfig: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<Built> {
    reset();
    const v = new Valkey("cache", { ...SEED_000_SPEC, userConfig, ...extra });
    await settle(v.serviceUri);
    const sts = one(STS, "cache").inputs as { spec: { template: { metadata: { annotations: Record<string, string> } } } };
    const topology = one(TOPOLOGY, "cache-topology").inputs as unknown as Built;
    return { configHash: sts.spec.template.metadata.annotations["pulumi-valkey/config-hash"], config: topology.config, rollout: topology.rollout };
}

describe("day 2 wiring (mocks)", () => {
    before(installMocks);
    after(restoreWarn);

    it("hands the runtime-settable directives to the topology resource, and the window of seed 000", async () => {
        const built = await buildValkey({ valkey_maxmemory_policy: "allkeys-lru", valkey_timeout: 120 });
        expect(built.config["maxmemory-policy"]).to.equal("allkeys-lru");
        expect(built.config.timeout).to.equal("120");
        // Never credentials, announce addresses or TLS paths.
        for (const name of ["requirepass", "masterauth", "cluster-announce-ip", "tls-cert-file"]) expect(built.config).not.to.have.property(name);
        expect(built.config).not.to.have.property("io-threads");
        expect(built.rollout.window).to.deep.equal({ dow: "sunday", time: "11:00:00" });
        expect(built.rollout).not.to.have.property("force");
        expect(built.rollout.revision).to.match(/^[0-9a-f]{16}$/);
    });

    it("a live change keeps the pod template (no restart); a restart-only change makes a new revision", async () => {
        const base = await buildValkey({ valkey_maxmemory_policy: "allkeys-lru" });
        const live = await buildValkey({ valkey_maxmemory_policy: "volatile-ttl" });
        const restart = await buildValkey({ valkey_maxmemory_policy: "allkeys-lru", valkey_io_threads: 4 });
        expect(live.config["maxmemory-policy"]).to.equal("volatile-ttl");
        expect([live.configHash, live.rollout.revision]).to.deep.equal([base.configHash, base.rollout.revision]);
        expect(restart.configHash).to.not.equal(base.configHash);
        expect(restart.rollout.revision).to.not.equal(base.rollout.revision);
        expect(restart.config).to.deep.equal(base.config);
    });

    it("pods without a disk (plan free, valkey_persistence off) are marked memoryOnly, restarted only with kubernetes.allowDataLossOnRestart, and warned about", async () => {
        const withDisk = await buildValkey({});
        expect(withDisk.rollout).not.to.have.property("memoryOnly");
        expect(warnings.filter((w) => w.includes("no disk"))).to.deep.equal([]);
        const off = await buildValkey({ valkey_persistence: "off" });
        expect([off.rollout.memoryOnly, off.rollout.allowDataLoss]).to.deep.equal([true, undefined]);
        expect(warnings.filter((w) => w.includes("no disk"))).to.deep.equal([
            'Valkey "cache": no disk (userConfig.valkey_persistence "off"): every key is in memory only, and a pod that restarts (a crash, an eviction, a node drain, a new pod template) comes back empty. The provider does not restart these pods for a new pod template (pendingRestart says why) unless kubernetes.allowDataLossOnRestart is true. To keep the keys, create the service with a disk (userConfig.valkey_persistence "rdb"; a disk cannot be added to running pods).',
        ]);
        const free = await buildValkey({}, { plan: "free", kubernetes: { allowDataLossOnRestart: true } });
        expect([free.rollout.memoryOnly, free.rollout.allowDataLoss]).to.deep.equal([true, true]);
        expect(warnings.filter((w) => w.includes("no disk"))).to.deep.equal([
            'Valkey "cache": no disk (plan free): every key is in memory only, and a pod that restarts (a crash, an eviction, a node drain, a new pod template) comes back empty. kubernetes.allowDataLossOnRestart is true: the provider restarts these pods for a new pod template too.',
        ]);
        // The opt-in means nothing with a disk.
        expect(await buildValkey({}, { kubernetes: { allowDataLossOnRestart: true } }).then((b) => b.rollout)).not.to.have.property("allowDataLoss");
    });

    it("kubernetes.applyDisruptiveChangesNow forces the restart; Sentinel plans hand over through their Sentinels", async () => {
        const forced = await buildValkey({}, { kubernetes: { applyDisruptiveChangesNow: true } });
        expect(forced.rollout.force).to.equal(true);
        const ha = await buildValkey({}, { plan: "business-4" });
        expect(ha.rollout.sentinels).to.deep.equal({ statefulSet: "cache-sentinel", replicas: 3, port: 26379, group: "cache" });
    });

    it("ValkeyCluster: the backup settings change live, an image change rolls the pods inside its window", async () => {
        const build = async (args: Record<string, unknown>) => {
            reset();
            const c = new ValkeyCluster("poc", {
                masterCount: 3,
                replicasPerMaster: 1,
                maintenanceWindowDow: "tuesday",
                maintenanceWindowTime: "02:30:00",
                ...args,
            });
            await settle(c.serviceUri);
            return one(TOPOLOGY, "poc-topology").inputs as unknown as Built;
        };
        const base = await build({ backup: { aof: { enabled: true, appendfsync: "everysec" } } });
        const live = await build({ backup: { aof: { enabled: true, appendfsync: "always" } } });
        const image = await build({
            backup: { aof: { enabled: true, appendfsync: "everysec" } },
            valkeyImage: { name: "valkey/valkey", tag: "8.0.3-bookworm" },
        });
        expect([base.config.appendfsync, live.config.appendfsync]).to.deep.equal(["everysec", "always"]);
        expect(live.rollout.revision).to.equal(base.rollout.revision);
        expect(image.rollout.revision).to.not.equal(base.rollout.revision);
        expect(base.rollout.window).to.deep.equal({ dow: "tuesday", time: "02:30:00" });
        expect((await build({ applyDisruptiveChangesNow: true })).rollout.force).to.equal(true);
    });
});

describe("ValkeyCluster scale-in step (mocks)", () => {
    before(installMocks);
    after(restoreWarn);

    it("a drain resource with the new topology runs before the StatefulSet, as the same user", async () => {
        reset();
        const c = new ValkeyCluster("poc", { masterCount: 3, replicasPerMaster: 1 });
        await settle(c.serviceUri);
        const drain = one(TOPOLOGY, "poc-scale-in");
        const topology = one(TOPOLOGY, "poc-topology");
        expect(drain.inputs.drainBeforeScaleIn).to.equal(true);
        expect(drain.inputs.topology).to.deep.equal({ kind: "cluster", masters: 3, replicasPerMaster: 1 });
        expect((drain.inputs.transport as { statefulSet: string }).statefulSet).to.equal("poc");
        expect(drain.inputs.username).to.equal(topology.inputs.username);
        expect(drain.inputs).not.to.have.property("rollout");
        expect(drain.inputs).not.to.have.property("config");
    });

    it("the leaving pods' claims are retained by default, deleted with pvc.whenScaled Delete", async () => {
        const policy = async (pvc: Record<string, unknown>) => {
            reset();
            const c = new ValkeyCluster("poc", { masterCount: 3, replicasPerMaster: 0, pvc });
            await settle(c.serviceUri);
            return (one(STS, "poc").inputs as { spec: { persistentVolumeClaimRetentionPolicy: unknown } }).spec.persistentVolumeClaimRetentionPolicy;
        };
        expect(await policy({})).to.deep.equal({ whenDeleted: "Delete", whenScaled: "Retain" });
        expect(await policy({ whenScaled: "Delete" })).to.deep.equal({ whenDeleted: "Delete", whenScaled: "Delete" });
    });
});
