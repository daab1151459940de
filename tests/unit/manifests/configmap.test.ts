import { expect } from "chai";
import { buildConfigMap } from "../../../sdk/manifests/configmap";
import { commonLabels } from "../../../sdk/manifests/labels";
import { validateManifest } from "../../../sdk/manifests/validate";
import { SEED_000_SPEC, valkeyModel } from "./fixtures";

describe("manifests/configmap", () => {
    it("holds valkey.conf as <name>-config", () => {
        const model = valkeyModel(SEED_000_SPEC);
        const conf = "port 6379\ndir /data\ninclude /etc/valkey-auth/auth.conf\n";
        const cm = buildConfigMap(model, conf);
        validateManifest(cm);
        expect(cm.metadata!.name).to.equal("my-valkey-config");
        expect(cm.metadata!.namespace).to.equal("my-aiven-project");
        expect(cm.metadata!.labels).to.deep.equal(commonLabels(model, "server"));
        expect(cm.data).to.deep.equal({ "valkey.conf": conf });
    });
});
