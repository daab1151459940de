// RenderOptions.persistence (ValkeyCluster's `backup`): the given directives replace what the
// model's persistence mode implies; without the option the output is unchanged.
import { expect } from "chai";
import { valkeyDirectives } from "../../../sdk/config";
import { valkeyModel } from "./fixtures";

const names = ["save", "appendonly", "appendfsync", "aof-use-rdb-preamble", "auto-aof-rewrite-percentage", "auto-aof-rewrite-min-size"];
const pick = (options: Parameters<typeof valkeyDirectives>[1]) =>
    valkeyDirectives(valkeyModel("startup-4"), options)
        .filter((d) => names.includes(d.name))
        .map((d) => `${d.name} ${d.value}`);

describe("config: explicit persistence directives", () => {
    it("renders the given save, appendonly, appendfsync and auto-aof-rewrite settings", () => {
        expect(
            pick({ persistence: { save: "60 100", appendonly: true, appendfsync: "always", autoAofRewritePercentage: 50, autoAofRewriteMinSize: "128mb" } }),
        ).to.deep.equal([
            "save 60 100",
            "appendonly yes",
            "appendfsync always",
            "aof-use-rdb-preamble yes",
            "auto-aof-rewrite-percentage 50",
            "auto-aof-rewrite-min-size 128mb",
        ]);
    });

    it("keeps the plan-derived directives without the option", () => {
        expect(pick({})).to.deep.equal(["save 600 1", "appendonly no", "appendfsync everysec", "aof-use-rdb-preamble yes"]);
    });
});
