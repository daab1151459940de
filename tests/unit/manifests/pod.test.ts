import { expect } from "chai";
import { affinity, credentialVolumes, livenessProbe, podSpecBase, readinessProbe, regionCandidates } from "../../../sdk/manifests/pod";
import { MINIMAL_SPEC, SEED_000_SPEC, valkeyModel } from "./fixtures";

describe("manifests/pod", () => {
    it("derives region candidates from cloud names", () => {
        expect(regionCandidates("google-europe-west1")).to.deep.equal(["google-europe-west1", "europe-west1"]);
        expect(regionCandidates("aws-eu-west-1")).to.deep.equal(["aws-eu-west-1", "eu-west-1"]);
        expect(regionCandidates("westeurope")).to.deep.equal(["westeurope"]);
        expect(regionCandidates("my cloud")).to.deep.equal([]);
    });

    it("probes the given port", () => {
        const model = valkeyModel(MINIMAL_SPEC);
        expect(readinessProbe(model, 26379).exec!.command![2]).to.equal(
            `[ "$(REDISCLI_AUTH="$(cat /etc/valkey-auth/password)" valkey-cli -p 26379 ping)" = "PONG" ]`,
        );
        expect(livenessProbe(model, 26379).exec!.command![2]).to.contain(`valkey-cli -p 26379 ping 2>&1)"`);
    });

    it("spreads the pods of a component over hosts only when there is more than one", () => {
        const model = valkeyModel(MINIMAL_SPEC);
        expect(affinity(model, "sentinel", 1)).to.equal(undefined);
        expect(
            affinity(model, "sentinel", 3)!.podAntiAffinity!.preferredDuringSchedulingIgnoredDuringExecution![0].podAffinityTerm.labelSelector,
        ).to.deep.equal({
            matchLabels: { "app.kubernetes.io/name": "valkey-sentinel", "app.kubernetes.io/instance": "my-valkey" },
        });
    });

    it("mounts the auth Secret, and the TLS Secret only with TLS", () => {
        expect(credentialVolumes(valkeyModel(MINIMAL_SPEC)).mounts.map((m) => m.mountPath)).to.deep.equal(["/etc/valkey-auth"]);
        expect(credentialVolumes(valkeyModel({ ...MINIMAL_SPEC, userConfig: { valkey_ssl: true } })).mounts.map((m) => m.mountPath)).to.deep.equal([
            "/etc/valkey-auth",
            "/etc/valkey-tls",
        ]);
    });

    it("shares the pod-level settings", () => {
        const base = podSpecBase(valkeyModel({ ...SEED_000_SPEC, kubernetes: { imagePullSecrets: ["a", "b"] } }), "server", 1);
        expect(Object.keys(base)).to.deep.equal(["automountServiceAccountToken", "enableServiceLinks", "securityContext", "imagePullSecrets", "affinity"]);
        expect(base.imagePullSecrets).to.deep.equal([{ name: "a" }, { name: "b" }]);
    });
});
