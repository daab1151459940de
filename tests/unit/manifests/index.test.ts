import { expect } from "chai";
import { buildAuthSecret, buildConnectionSecret, buildManifests, manifestList, validateManifest } from "../../../sdk/manifests";
import { MINIMAL_SPEC, SEED_000_SPEC, SEED_001_SPEC, redisModel, valkeyModel } from "./fixtures";

const OPTIONS = { valkeyConf: "port 6379\ninclude /etc/valkey-auth/auth.conf\n", configHash: "abc123" };
const CONN = { host: "h.example", port: 6379, user: "default", password: "pw", ssl: false };

describe("manifests/index", () => {
    it("builds every non-secret object of seeds/000 with its name", () => {
        const manifests = buildManifests(valkeyModel(SEED_000_SPEC), OPTIONS);
        expect(manifestList(manifests).map((o) => `${o.kind}/${o.metadata!.name}`)).to.deep.equal([
            "ConfigMap/my-valkey-config",
            "Service/my-valkey",
            "Service/my-valkey-headless",
            "NetworkPolicy/my-valkey",
            "PodDisruptionBudget/my-valkey",
            "StatefulSet/my-valkey",
        ]);
        expect(manifests.configMap.data).to.deep.equal({ "valkey.conf": OPTIONS.valkeyConf });
        expect(manifests.statefulSet.spec!.template.metadata!.annotations!["pulumi-valkey/config-hash"]).to.equal("abc123");
    });

    // Every object for a spread of specs, Secrets included, passes the Kubernetes schema.
    const specs: Array<[string, () => ReturnType<typeof valkeyModel>]> = [
        ["seeds/000", () => valkeyModel(SEED_000_SPEC)],
        ["seeds/001 (Redis)", () => redisModel(SEED_001_SPEC)],
        ["free plan", () => valkeyModel({ ...MINIMAL_SPEC, plan: "free" })],
        [
            "premium-8 with TLS, public and private access",
            () =>
                valkeyModel({
                    ...MINIMAL_SPEC,
                    plan: "premium-8",
                    disk_space: "40G",
                    terminationProtection: true,
                    userConfig: { valkey_ssl: true, public_access: { valkey: true }, private_access: { valkey: true }, ip_filter: ["2001:db8::/32"] },
                }),
        ],
    ];
    for (const [what, model] of specs) {
        it(`validates every object for ${what}`, () => {
            const m = model();
            const objects = [...manifestList(buildManifests(m, OPTIONS)), buildAuthSecret(m, "pw"), buildConnectionSecret(m, CONN)!];
            for (const object of objects) validateManifest(object);
            expect(objects.length).to.equal(8 + buildManifests(m, OPTIONS).externalServices.length);
        });
    }
});
