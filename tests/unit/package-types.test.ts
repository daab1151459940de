// The public output types come from the package root, and the components' outputs carry them:
// this file does not compile when an output falls back to unknown or its type is not exported.
// The runtime test below only keeps mocha aware of the file.
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import * as path from "path";
import type { ClusterCondition, NodeOutput, PendingRestartOutput, Redis, Valkey, ValkeyCluster } from "../../sdk";
import { Equal, Expect } from "../helpers/type-equality";

export type Checks = [
    Expect<Equal<Valkey["topology"], pulumi.Output<NodeOutput[]>>>,
    Expect<Equal<Redis["topology"], pulumi.Output<NodeOutput[]>>>,
    Expect<Equal<ValkeyCluster["nodes"], pulumi.Output<NodeOutput[]>>>,
    Expect<Equal<Valkey["pendingRestart"], pulumi.Output<PendingRestartOutput | undefined>>>,
    Expect<Equal<ValkeyCluster["pendingRestart"], pulumi.Output<PendingRestartOutput | undefined>>>,
    Expect<Equal<ValkeyCluster["conditions"], pulumi.Output<ClusterCondition[]>>>,
    // The check itself must be able to fail: an untyped output is not equal.
    Expect<Equal<Equal<pulumi.Output<unknown>, pulumi.Output<NodeOutput[]>>, false>>,
];

describe("package entry point types", () => {
    it("types the components' node, restart and condition outputs (checked by the compiler)", () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const pkg = require(path.resolve(__dirname, "../../.."));
        expect([pkg.Valkey, pkg.Redis, pkg.ValkeyCluster].map((c) => c.name)).to.deep.equal(["Valkey", "Redis", "ValkeyCluster"]);
    });
});
