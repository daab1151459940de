import { expect } from "chai";
import { shardIds } from "../../../provider/rollout/rollout";

describe("shardIds (CLUSTER SHARDS reply)", () => {
    it("maps every node id to the index of its shard", () => {
        const reply = [
            [
                "slots",
                [0, 5460],
                "nodes",
                [
                    ["id", "a1", "port", 7000, "role", "master"],
                    ["id", "b1", "port", 7003, "role", "replica"],
                ],
            ],
            ["slots", [5461, 16383], "nodes", [["id", "a2", "port", 7001, "role", "master"]]],
            ["slots", [], "nodes", [["id", "b2", "port", 7004, "role", "replica"]]],
        ];
        expect([...shardIds(reply)]).to.deep.equal([
            ["a1", 0],
            ["b1", 0],
            ["a2", 1],
            ["b2", 2],
        ]);
    });

    it("is empty for anything but a list of shards", () => {
        expect(shardIds("ERR")).to.deep.equal(new Map());
        expect(shardIds([["slots", []]])).to.deep.equal(new Map());
    });
});
