import { expect } from "chai";
import { buildPodDisruptionBudget } from "../../../sdk/manifests/pdb";
import { validateManifest } from "../../../sdk/manifests/validate";
import { MINIMAL_SPEC, valkeyModel } from "./fixtures";

describe("manifests/pdb", () => {
    it("lets one data pod at a time be evicted, so a 1-node plan can still be drained", () => {
        for (const plan of ["startup-4", "premium-8"]) {
            const pdb = buildPodDisruptionBudget(valkeyModel({ ...MINIMAL_SPEC, plan }));
            validateManifest(pdb);
            expect(pdb.metadata!.name).to.equal("my-valkey");
            expect(pdb.spec).to.deep.equal({
                maxUnavailable: 1,
                selector: { matchLabels: { "app.kubernetes.io/name": "valkey", "app.kubernetes.io/instance": "my-valkey" } },
                unhealthyPodEvictionPolicy: "AlwaysAllow",
            });
        }
    });
});
