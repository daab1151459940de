// The npm entry point: after `npm run build`, require() of the repository root gives the public
// exports, as it will for users of the published package.
import { expect } from "chai";
import * as path from "path";

describe("package entry point", () => {
    it("exports the components and the plan API from the package root", () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const pkg = require(path.resolve(__dirname, "../../.."));
        expect(typeof pkg.Valkey).to.equal("function");
        expect(typeof pkg.Redis).to.equal("function");
        expect(typeof pkg.registerPlan).to.equal("function");
        expect(pkg.Valkey.name).to.equal("Valkey");
    });

    it("names the pulumi-valkey CLI as the package's bin", () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const manifest = require(path.resolve(__dirname, "../../../package.json"));
        expect(manifest.name).to.equal("pulumi-valkey");
        expect(manifest.bin).to.deep.equal({ "pulumi-valkey": "bin/provider/cli.js" });
    });
});
