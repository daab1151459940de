import { expect } from "chai";
import { commonAnnotations, commonLabels, isLabelValue, objectMeta, selectorLabels } from "../../../sdk/manifests/labels";
import { MINIMAL_SPEC, SEED_000_SPEC, valkeyModel } from "./fixtures";

describe("manifests/labels", () => {
    const seed = valkeyModel(SEED_000_SPEC);

    it("selects the data pods by name and instance, Sentinel pods by another name", () => {
        expect(selectorLabels(seed)).to.deep.equal({ "app.kubernetes.io/name": "valkey", "app.kubernetes.io/instance": "my-valkey" });
        expect(selectorLabels(seed, "sentinel")).to.deep.equal({
            "app.kubernetes.io/name": "valkey-sentinel",
            "app.kubernetes.io/instance": "my-valkey",
        });
    });

    it("labels seeds/000 with the recommended labels, project, cloud and tags", () => {
        expect(commonLabels(seed, "server")).to.deep.equal({
            "app.kubernetes.io/name": "valkey",
            "app.kubernetes.io/instance": "my-valkey",
            "app.kubernetes.io/managed-by": "pulumi-valkey",
            "app.kubernetes.io/component": "server",
            "app.kubernetes.io/part-of": "my-aiven-project",
            "pulumi-valkey/project": "my-aiven-project",
            "pulumi-valkey/cloud": "google-europe-west1",
            env: "test",
            instance: "foo",
        });
    });

    it("never lets a tag replace a selector or ownership label, but lets it name part-of", () => {
        const model = valkeyModel({
            ...MINIMAL_SPEC,
            tags: {
                "app.kubernetes.io/name": "redis",
                "app.kubernetes.io/instance": "other",
                "app.kubernetes.io/managed-by": "helm",
                "app.kubernetes.io/component": "cache",
                "pulumi-valkey/project": "elsewhere",
                "app.kubernetes.io/part-of": "checkout",
            },
        });
        expect(commonLabels(model, "server")).to.deep.equal({
            "app.kubernetes.io/name": "valkey",
            "app.kubernetes.io/instance": "my-valkey",
            "app.kubernetes.io/managed-by": "pulumi-valkey",
            "app.kubernetes.io/component": "server",
            "app.kubernetes.io/part-of": "checkout",
            "pulumi-valkey/project": "my-aiven-project",
        });
    });

    it("puts per-object labels after the tags and before ours", () => {
        const model = valkeyModel({ ...MINIMAL_SPEC, tags: { env: "test", team: "a" } });
        const labels = commonLabels(model, "connection", { team: "b", "app.kubernetes.io/instance": "x" });
        expect(labels.team).to.equal("b");
        expect(labels.env).to.equal("test");
        expect(labels["app.kubernetes.io/instance"]).to.equal("my-valkey");
        expect(labels["app.kubernetes.io/component"]).to.equal("connection");
    });

    it("leaves out project and cloud labels whose values are not label values", () => {
        const model = valkeyModel({ project: "_internal", plan: "startup-4", cloudName: "my cloud", kubernetes: { namespace: "cache" } });
        expect(commonLabels(model, "server")).to.deep.equal({
            "app.kubernetes.io/name": "valkey",
            "app.kubernetes.io/instance": "my-valkey",
            "app.kubernetes.io/managed-by": "pulumi-valkey",
            "app.kubernetes.io/component": "server",
        });
    });

    it("recognises label values", () => {
        expect(["a", "a.b_c-d", "A9", "x".repeat(63)].map(isLabelValue)).to.deep.equal([true, true, true, true]);
        expect(["", "-a", "a-", "a b", "x".repeat(64), "a/b"].map(isLabelValue)).to.deep.equal([false, false, false, false, false, false]);
    });

    it("records unmapped fields, technical emails and the maintenance window as annotations", () => {
        const model = valkeyModel({
            ...SEED_000_SPEC,
            technicalEmails: [{ email: "ops@example.com" }, { email: "oncall@example.com" }],
            userConfig: { backup_hour: 3, migration: { host: "old.example.com", port: 6379, password: "hunter2" } },
        });
        expect(commonAnnotations(model)).to.deep.equal({
            "pulumi-valkey/authSecretRef": '{"key":"token","name":"aiven-token"}',
            "pulumi-valkey/userConfig.backup_hour": "3",
            "pulumi-valkey/userConfig.migration": '{"host":"old.example.com","port":6379}',
            "pulumi-valkey/technical-emails": "ops@example.com, oncall@example.com",
            "pulumi-valkey/maintenance-window-dow": "sunday",
            "pulumi-valkey/maintenance-window-time": "11:00:00",
        });
    });

    it("has no annotations for a spec without such fields", () => {
        expect(commonAnnotations(valkeyModel(MINIMAL_SPEC))).to.deep.equal({});
    });

    it("builds object metadata in the service's namespace", () => {
        const meta = objectMeta(seed, "my-valkey-config", "server");
        expect(meta.name).to.equal("my-valkey-config");
        expect(meta.namespace).to.equal("my-aiven-project");
        expect(meta.labels).to.deep.equal(commonLabels(seed, "server"));
        expect(meta.annotations).to.deep.equal(commonAnnotations(seed));
    });
});
