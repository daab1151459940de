// Table tests of the parts planCluster is composed of, each fed the observation of a few small sets of
// nodes (./fixtures) and what the earlier parts decide from it.
import { expect } from "chai";
import {
    acceptClaims,
    admitMembers,
    assignReplicaRoles,
    choosePrimaryRoles,
    ClusterRequest,
    findOpenSlots,
    findStrangers,
    groupsOf,
    Member,
    Membership,
    planBootstrap,
    planIntroductions,
    planMoves,
    planRelease,
    planRepairs,
    PrimaryRoles,
    readinessWaits,
    settleOwnership,
} from "../../../provider/reconcile/cluster";
import { formatRanges, SlotRange } from "../../../provider/reconcile";
import { allKnow, converged3x1, freshNodes, idOf, observe, SimNode } from "./fixtures";

const S0 = { start: 0, end: 5460 };
const S1 = { start: 5461, end: 10922 };
const S2 = { start: 10923, end: 16383 };
const FOREIGN = "ffffffffffffffffffffffffffffffffffffffff";
const DEPARTED = "dddddddddddddddddddddddddddddddddddddddd";

const request = (masters: number, replicasPerMaster: number, surplus: "replicas" | "release" = "replicas"): ClusterRequest => ({
    masters,
    replicasPerMaster,
    surplus,
});

function admit(nodes: SimNode[]): Membership {
    const admitted = admitMembers(observe(nodes));
    if (admitted.stop) throw new Error(`not admitted: ${JSON.stringify(admitted.stop)}`);
    return admitted;
}

/** What the parts before the rounds decide for `nodes`. */
function decide(nodes: SimNode[], r: ClusterRequest) {
    const membership = admit(nodes);
    const { accepted } = acceptClaims(membership, groupsOf(membership));
    const ownership = settleOwnership(accepted);
    const roles = choosePrimaryRoles(membership.members, accepted, ownership, r);
    if (roles.stop) throw new Error(`stopped: ${JSON.stringify(roles.stop)}`);
    const replicaOf = assignReplicaRoles(membership.members, roles.primaries, r);
    return { members: membership.members, ownership, roles: roles as PrimaryRoles, replicaOf };
}

const names = (ms: readonly Member[]) => ms.map((m) => m.name);
const roleSummary = (roles: PrimaryRoles) => ({
    primaries: roles.primaries.map((p) => `${p.member.name} ${formatRanges(roles.desiredSlots.get(p.member) as SlotRange[])} +${formatRanges(p.add)}`),
    moves: roles.moves.map((m) => `${m.from}->${m.to} ${formatRanges(m.slots)}`),
});
const followers = (replicaOf: ReadonlyMap<Member, Member>) => [...replicaOf].map(([r, p]) => `${r.name}->${p.name}`);

describe("reconcile: planCluster's parts", () => {
    describe("admitMembers", () => {
        const cases: { name: string; nodes: SimNode[]; waiting?: string[]; refusals?: { node?: string; reason: string }[]; members?: string[] }[] = [
            { name: "admits every node in the given order", nodes: freshNodes(3), members: ["n0", "n1", "n2"] },
            { name: "waits for a loading node", nodes: freshNodes(2, (i) => (i === 1 ? { loading: true } : {})), waiting: ["n1: loading its dataset"] },
            {
                name: "a loading node is waited for before any refusal (edge)",
                nodes: freshNodes(2, (i) => (i === 0 ? { loading: true } : { clusterEnabled: false })),
                waiting: ["n0: loading its dataset"],
            },
            {
                name: "refuses cluster mode off",
                nodes: freshNodes(2, (i) => (i === 0 ? { clusterEnabled: false } : {})),
                refusals: [{ node: "n0", reason: "cluster mode is off (cluster-enabled no); a cluster topology needs cluster-enabled yes" }],
            },
            {
                name: "refuses the same server given twice",
                nodes: freshNodes(2, () => ({ id: idOf("n0") })),
                refusals: [{ node: "n1", reason: `is the same server as n0 (node id ${idOf("n0")})` }],
            },
        ];
        for (const c of cases) {
            it(c.name, () => {
                const admitted = admitMembers(observe(c.nodes));
                if (admitted.stop) {
                    expect(admitted.stop).to.deep.equal({
                        actions: [],
                        waiting: c.waiting ?? [],
                        refusals: c.refusals ?? [],
                        layout: { primaries: [], replicas: [] },
                    });
                    expect(c.members).to.equal(undefined);
                } else {
                    expect(names(admitted.members)).to.deep.equal(c.members);
                    expect([...admitted.byId.keys()]).to.deep.equal(c.nodes.map((n) => idOf(n.name)));
                }
            });
        }
    });

    describe("groupsOf", () => {
        const cases: { name: string; nodes: SimNode[]; groups: string[][]; claimants: string[] }[] = [
            { name: "fresh nodes are each their own group", nodes: freshNodes(3), groups: [["n0"], ["n1"], ["n2"]], claimants: [] },
            {
                name: "nodes that know each other form one group; slot owners claim",
                nodes: [...allKnow(freshNodes(2, (i) => ({ slots: [i === 0 ? S0 : S1] }))), { name: "n2", port: 7002, slots: [S2] }],
                groups: [["n0", "n1"], ["n2"]],
                claimants: ["n0", "n1", "n2"],
            },
            {
                name: "a handshake in progress joins the groups (edge)",
                nodes: freshNodes(2, (i) =>
                    i === 0 ? { extraLines: ["1111111111111111111111111111111111111111 127.0.0.1:7001@17001 handshake - 0 0 0 disconnected"] } : {},
                ),
                groups: [["n0", "n1"]],
                claimants: [],
            },
        ];
        for (const c of cases) {
            it(c.name, () => {
                const membership = admit(c.nodes);
                const { root, claimants } = groupsOf(membership);
                const byRoot = new Map<number, string[]>();
                for (const m of membership.members) byRoot.set(root[m.index], [...(byRoot.get(root[m.index]) ?? []), m.name]);
                expect([...byRoot.values()]).to.deep.equal(c.groups);
                expect(names(claimants)).to.deep.equal(c.claimants);
            });
        }
    });

    describe("findStrangers", () => {
        const gone = (flags: string) => `${DEPARTED} 127.0.0.1:7999@17999 ${flags} ${idOf("n0")} 0 0 0 disconnected`;
        const cases: { name: string; nodes: SimNode[]; refusals?: { node: string; reason: string }[]; waiting?: string[]; forgettable?: string[] }[] = [
            { name: "nothing about a converged cluster", nodes: converged3x1() },
            {
                name: "a node of another cluster serving slots is refused on every node that knows it",
                nodes: converged3x1().map((n) =>
                    n.name === "n1" || n.name === "n4" ? { ...n, extraLines: [`${FOREIGN} 127.0.0.1:9000@19000 master - 0 0 3 connected 0-100`] } : n,
                ),
                refusals: ["n1", "n4"].map((node) => ({
                    node,
                    reason: `belongs to another cluster: it knows node ${FOREIGN} at 127.0.0.1:9000, which is not among the given nodes and serves slots 0-100`,
                })),
            },
            {
                name: "a node without slots known to a fresh node is another cluster's",
                nodes: freshNodes(2, (i) => (i === 1 ? { extraLines: [`${FOREIGN} 127.0.0.1:9000@19000 master - 0 0 0 connected`] } : {})),
                refusals: [
                    { node: "n1", reason: `belongs to another cluster: it knows node ${FOREIGN} at 127.0.0.1:9000, which is not among the given nodes` },
                ],
            },
            {
                name: "a departed member marked failed is forgettable",
                nodes: converged3x1().map((n) => (n.name === "n2" ? { ...n, extraLines: [gone("slave,fail")] } : n)),
                forgettable: [DEPARTED],
            },
            {
                name: "a departed member not marked failed yet is waited for (edge: one view still sees it alive)",
                nodes: converged3x1().map((n) =>
                    n.name === "n2" ? { ...n, extraLines: [gone("slave,fail")] } : n.name === "n3" ? { ...n, extraLines: [gone("slave")] } : n,
                ),
                waiting: ["n2: node dddddddd at 127.0.0.1:7999 is not among the given nodes; it is forgotten once the cluster marks it failed"],
            },
            {
                name: "strangers are reported by their first slot, then by id",
                nodes: freshNodes(1, () => ({
                    extraLines: [
                        `${"b".repeat(40)} 127.0.0.1:9001@19001 master - 0 0 0 connected`,
                        `${"a".repeat(40)} 127.0.0.1:9002@19002 master - 0 0 0 connected`,
                        `${"c".repeat(40)} 127.0.0.1:9003@19003 master - 0 0 1 connected 200-300`,
                    ],
                })),
                refusals: [
                    {
                        node: "n0",
                        reason: `belongs to another cluster: it knows node ${"c".repeat(40)} at 127.0.0.1:9003, which is not among the given nodes and serves slots 200-300`,
                    },
                    { node: "n0", reason: `belongs to another cluster: it knows node ${"a".repeat(40)} at 127.0.0.1:9002, which is not among the given nodes` },
                    { node: "n0", reason: `belongs to another cluster: it knows node ${"b".repeat(40)} at 127.0.0.1:9001, which is not among the given nodes` },
                ],
            },
        ];
        for (const c of cases) {
            it(c.name, () => {
                const membership = admit(c.nodes);
                expect(findStrangers(membership, groupsOf(membership))).to.deep.equal({
                    refusals: c.refusals ?? [],
                    waiting: c.waiting ?? [],
                    forgettable: c.forgettable ?? [],
                });
            });
        }
    });

    describe("findOpenSlots", () => {
        const withExtra = (extra: Record<string, string>) => converged3x1().map((n) => (extra[n.name] ? { ...n, myselfExtra: extra[n.name] } : n));
        const cases: { name: string; nodes: SimNode[]; open: [number, unknown][]; refusals?: { node: string; reason: string }[] }[] = [
            { name: "no open slot in a converged cluster", nodes: converged3x1(), open: [] },
            {
                name: "both sides of one interrupted move are one entry",
                nodes: withExtra({ n0: `[100->-${idOf("n1")}]`, n1: `[100-<-${idOf("n0")}]` }),
                open: [[100, { migrating: [{ node: "n0", to: "n1" }], importing: [{ node: "n1", from: "n0" }] }]],
            },
            {
                name: "a slot open towards a node that is not given is refused (edge)",
                nodes: withExtra({ n2: `[16000->-${FOREIGN}]` }),
                open: [],
                refusals: [{ node: "n2", reason: `slot 16000 is migrating to node ${FOREIGN}, which is not among the given nodes` }],
            },
        ];
        for (const c of cases) {
            it(c.name, () => {
                const { openSlots, refusals } = findOpenSlots(admit(c.nodes));
                expect([...openSlots]).to.deep.equal(c.open);
                expect(refusals).to.deep.equal(c.refusals ?? []);
            });
        }
    });

    describe("acceptClaims", () => {
        const half = [{ start: 0, end: 8191 }];
        const other = [{ start: 8192, end: 16383 }];
        const cases: { name: string; nodes: SimNode[]; accepted: string[]; refusals?: { node: string; reason: string }[] }[] = [
            { name: "every primary of one cluster", nodes: converged3x1(), accepted: ["n0", "n1", "n2"] },
            {
                name: "groups serving different slots are merged, the largest first",
                nodes: [
                    { name: "n0", port: 7000, slots: [S0] },
                    ...allKnow([
                        { name: "n1", port: 7001, slots: [S1] },
                        { name: "n2", port: 7002, slots: [S2] },
                    ]),
                ],
                accepted: ["n1", "n2", "n0"],
            },
            {
                name: "a group serving slots another serves is another cluster",
                nodes: [
                    { name: "n0", port: 7000, slots: half },
                    { name: "n1", port: 7001, slots: [{ start: 8000, end: 8300 }] },
                ],
                accepted: ["n0"],
                refusals: [{ node: "n1", reason: "belongs to another cluster: it serves slots 8000-8191, also served by n0" }],
            },
            {
                name: "a group with keys is another cluster; a node with keys outside the cluster is refused",
                nodes: [
                    { name: "n0", port: 7000, slots: half },
                    { name: "n1", port: 7001, slots: other, keys: 2 },
                    { name: "n2", port: 7002, keys: 1 },
                ],
                accepted: ["n0"],
                refusals: [
                    { node: "n1", reason: "belongs to another cluster: it serves slots 8192-16383 with keys but does not know n0" },
                    { node: "n1", reason: "holds 2 keys but serves no slots and replicates no given node; converge never adds a node that holds data" },
                    { node: "n2", reason: "holds 1 keys but serves no slots and replicates no given node; converge never adds a node that holds data" },
                ],
            },
            {
                name: "keys on a node importing a slot from a given node are an interrupted move, not refused (edge)",
                nodes: allKnow([
                    { name: "n0", port: 7000, slots: [{ start: 0, end: 16383 }], myselfExtra: `[5->-${idOf("n1")}]` },
                    { name: "n1", port: 7001, keys: 3, myselfExtra: `[5-<-${idOf("n0")}]` },
                ]),
                accepted: ["n0"],
            },
        ];
        for (const c of cases) {
            it(c.name, () => {
                const membership = admit(c.nodes);
                const { accepted, refusals } = acceptClaims(membership, groupsOf(membership));
                expect(names(accepted)).to.deep.equal(c.accepted);
                expect(refusals).to.deep.equal(c.refusals ?? []);
            });
        }
    });

    describe("settleOwnership and planRepairs", () => {
        it("a claim with a higher config epoch wins; the loser is waited for; owners in the given order", () => {
            const nodes = allKnow([
                { name: "n0", port: 7000, epoch: 2, slots: [{ start: 0, end: 9000 }] },
                { name: "n1", port: 7001, epoch: 3, slots: [{ start: 8000, end: 16383 }] },
                { name: "n2", port: 7002, epoch: 1, slots: [{ start: 8500, end: 8600 }] },
            ]);
            const { members } = admit(nodes);
            const ownership = settleOwnership([members[1], members[0], members[2]]);
            expect(names(ownership.owners)).to.deep.equal(["n0", "n1"]);
            expect([...ownership.owned].map(([m, slots]) => `${m.name} ${formatRanges(slots)}`)).to.deep.equal(["n1 8000-16383", "n0 0-7999", "n2 none"]);
            expect(ownership.waiting).to.deep.equal([
                "n0: also claims slots 8000-9000; Valkey settles this by config epoch",
                "n2: also claims slots 8500-8600; Valkey settles this by config epoch",
            ]);
        });

        const cases: { name: string; nodes: SimNode[]; repairs: unknown[] }[] = [
            {
                name: "repairs open slots lowest first, naming the owner",
                nodes: converged3x1().map((n) =>
                    n.name === "n1" ? { ...n, myselfExtra: `[12000-<-${idOf("n2")}]` } : n.name === "n0" ? { ...n, myselfExtra: `[5461->-${idOf("n1")}]` } : n,
                ),
                repairs: [
                    { kind: "repair-slot", node: "n0", slot: 5461, owner: "n1", migrating: [{ node: "n0", to: "n1" }], importing: [] },
                    { kind: "repair-slot", node: "n1", slot: 12000, owner: "n2", migrating: [], importing: [{ node: "n1", from: "n2" }] },
                ],
            },
            {
                name: "a slot nobody owns has no owner in its repair (edge)",
                nodes: allKnow([
                    { name: "n0", port: 7000, slots: [{ start: 0, end: 99 }], myselfExtra: `[100->-${idOf("n1")}]` },
                    { name: "n1", port: 7001 },
                ]),
                repairs: [{ kind: "repair-slot", node: "n0", slot: 100, migrating: [{ node: "n0", to: "n1" }], importing: [] }],
            },
        ];
        for (const c of cases) {
            it(c.name, () => {
                const membership = admit(c.nodes);
                const { accepted } = acceptClaims(membership, groupsOf(membership));
                expect(planRepairs(findOpenSlots(membership).openSlots, settleOwnership(accepted))).to.deep.equal(c.repairs);
            });
        }
    });

    describe("choosePrimaryRoles", () => {
        const full3 = (extra: number) => allKnow(freshNodes(3 + extra, (i) => ({ epoch: i + 1, ...(i < 3 ? { slots: [[S0, S1, S2][i]] } : {}) })));
        const cases: { name: string; nodes: SimNode[]; request: ClusterRequest; roles?: ReturnType<typeof roleSummary>; stop?: unknown }[] = [
            {
                name: "fresh nodes: valkey-cli's split, added by ADDSLOTS",
                nodes: freshNodes(4),
                request: request(3, 0),
                roles: { primaries: ["n0 0-5460 +0-5460", "n1 5461-10922 +5461-10922", "n2 10923-16383 +10923-16383"], moves: [] },
            },
            {
                name: "a served range is kept by its owner, the missing ones go to new primaries",
                nodes: freshNodes(3, (i) => (i === 2 ? { slots: [{ start: 0, end: 100 }] } : {})),
                request: request(2, 0),
                roles: { primaries: ["n2 0-8191 +101-8191", "n0 8192-16383 +8192-16383"], moves: [] },
            },
            {
                name: "scale out: a new empty primary gets slots by moves",
                nodes: full3(1),
                request: request(4, 0),
                roles: {
                    primaries: ["n3 0-1364,5461-6826,10923-12287 +none", "n0 1365-5460 +none", "n1 6827-10922 +none", "n2 12288-16383 +none"],
                    moves: ["n0->n3 0-1364", "n1->n3 5461-6826", "n2->n3 10923-12287"],
                },
            },
            {
                name: "release: the surplus owner is drained into the staying ones",
                nodes: full3(0),
                request: request(2, 0, "release"),
                roles: { primaries: ["n0 0-5460,10923-13653 +none", "n1 5461-10922,13654-16383 +none"], moves: ["n2->n0 10923-13653", "n2->n1 13654-16383"] },
            },
            {
                name: "a linked replica of a leaving primary takes it over instead of an empty primary joining",
                nodes: allKnow([
                    { name: "n0", port: 7000, epoch: 1, replicaOf: "n3", linkUp: true },
                    { name: "n1", port: 7001, epoch: 2, slots: [S1] },
                    { name: "n2", port: 7002, epoch: 3, slots: [S2] },
                    { name: "n3", port: 7003, epoch: 4, slots: [S0] },
                ]),
                request: request(3, 0, "release"),
                stop: { actions: [{ kind: "take-over", node: "n0", primary: "n3" }], waiting: [], refusals: [], layout: { primaries: [], replicas: [] } },
            },
            {
                name: "refuses to grow without empty primaries",
                nodes: converged3x1(),
                request: request(4, 0),
                stop: {
                    actions: [],
                    waiting: [],
                    refusals: [{ reason: "growing to 4 primaries needs 1 more given nodes that are empty primaries (not replicas), but only 0 are" }],
                    layout: { primaries: [], replicas: [] },
                },
            },
            {
                name: "refuses to drain while slots are served by no node (edge)",
                nodes: allKnow(freshNodes(3, (i) => (i < 2 ? { slots: [[S0, S1][i]] } : {}))),
                request: request(1, 0),
                stop: {
                    actions: [],
                    waiting: [],
                    refusals: [
                        {
                            reason: "slots 10923-16383 are served by no node while n1 must be drained to reach 1 primaries; converge drains primaries only once every slot is served",
                        },
                    ],
                    layout: { primaries: [], replicas: [] },
                },
            },
            {
                name: "refuses owners whose slots do not fit the split",
                nodes: allKnow(freshNodes(3, (i) => (i < 2 ? { slots: [[{ start: 0, end: 10 }], [{ start: 20, end: 30 }]][i] } : {}))),
                request: request(3, 0),
                stop: {
                    actions: [],
                    waiting: [],
                    refusals: [{ node: "n1", reason: "serves slots 20-30 in a layout that does not fit 3 primaries; converge does not move slots" }],
                    layout: { primaries: [], replicas: [] },
                },
            },
        ];
        for (const c of cases) {
            it(c.name, () => {
                const membership = admit(c.nodes);
                const { accepted } = acceptClaims(membership, groupsOf(membership));
                const roles = choosePrimaryRoles(membership.members, accepted, settleOwnership(accepted), c.request);
                if (roles.stop) expect({ stop: roles.stop }).to.deep.equal({ stop: c.stop });
                else expect(roleSummary(roles)).to.deep.equal(c.roles);
            });
        }
    });

    describe("assignReplicaRoles", () => {
        const cases: { name: string; nodes: SimNode[]; request: ClusterRequest; followers: string[] }[] = [
            { name: "fresh 3x1: one replica each, in order", nodes: freshNodes(6), request: request(3, 1), followers: ["n3->n0", "n4->n1", "n5->n2"] },
            {
                name: "replicas that follow a primary stay; a surplus one is lent to a primary with none",
                nodes: converged3x1().map((n) => (n.name === "n4" ? { ...n, replicaOf: "n0" } : n)),
                request: request(3, 1),
                followers: ["n3->n0", "n5->n2", "n4->n1"],
            },
            {
                name: "nodes beyond the need become extra replicas where fewest",
                nodes: freshNodes(5),
                request: request(2, 1),
                followers: ["n2->n0", "n3->n1", "n4->n0"],
            },
            {
                name: "surplus nodes in release mode follow nobody (edge)",
                nodes: freshNodes(5),
                request: request(2, 1, "release"),
                followers: ["n2->n0", "n3->n1"],
            },
        ];
        for (const c of cases) {
            it(c.name, () => {
                expect(followers(decide(c.nodes, c.request).replicaOf)).to.deep.equal(c.followers);
            });
        }
    });

    describe("planBootstrap", () => {
        const set = (node: string, parameter: string, value: string) => ({ kind: "config-set", node, parameter, value, purpose: "bootstrap" });
        const cases: { name: string; nodes: SimNode[]; request: ClusterRequest; actions: unknown[] }[] = [
            {
                name: "fresh 2x0: short node timeout, epochs, slots",
                nodes: freshNodes(2),
                request: request(2, 0),
                actions: [
                    set("n0", "cluster-node-timeout", "500"),
                    set("n1", "cluster-node-timeout", "500"),
                    { kind: "set-config-epoch", node: "n0", epoch: 1 },
                    { kind: "set-config-epoch", node: "n1", epoch: 2 },
                    { kind: "add-slots", node: "n0", ranges: [{ start: 0, end: 8191 }] },
                    { kind: "add-slots", node: "n1", ranges: [{ start: 8192, end: 16383 }] },
                ],
            },
            { name: "nothing for a converged cluster", nodes: converged3x1(), request: request(3, 1), actions: [] },
            {
                name: "a primary with an unlinked replica lowers its full-sync delay",
                nodes: converged3x1().map((n) => (n.name === "n4" ? { ...n, linkUp: false } : n)),
                request: request(3, 1),
                actions: [set("n1", "repl-diskless-sync-delay", "0")],
            },
            {
                name: "a lone fresh node gets no config epoch (edge)",
                nodes: freshNodes(1, () => ({ nodeTimeout: 500 })),
                request: request(1, 0),
                actions: [{ kind: "add-slots", node: "n0", ranges: [{ start: 0, end: 16383 }] }],
            },
            {
                name: "fresh surplus nodes in release mode get no config epoch",
                nodes: [
                    ...converged3x1()
                        .slice(0, 3)
                        .map((n) => ({ ...n, knows: ["n0", "n1", "n2"].filter((k) => k !== n.name) })),
                    { name: "n3", port: 7003 },
                ],
                request: request(3, 0, "release"),
                actions: [],
            },
        ];
        for (const c of cases) {
            it(c.name, () => {
                const { members, roles, ownership, replicaOf } = decide(c.nodes, c.request);
                expect(planBootstrap(members, roles, ownership, replicaOf, c.request)).to.deep.equal(c.actions);
            });
        }
    });

    describe("planIntroductions", () => {
        const meet = (node: string, peer: string, port: number) => ({ kind: "meet", node, peer, address: { host: "127.0.0.1", port }, busPort: port + 10000 });
        const cases: { name: string; nodes: SimNode[]; request: ClusterRequest; actions: unknown[]; meetWaits?: string[]; replicateWaits?: string[] }[] = [
            {
                name: "strangers: one MEET per pair; replicas wait to learn their primary",
                nodes: freshNodes(3, (i) => ({ epoch: i + 1, ...(i < 2 ? { slots: [[{ start: 0, end: 8191 }], [{ start: 8192, end: 16383 }]][i] } : {}) })),
                request: request(2, 0),
                actions: [meet("n0", "n1", 7001), meet("n0", "n2", 7002), meet("n1", "n2", 7002)],
                replicateWaits: [`n2: waits to learn n0 (${idOf("n0").slice(0, 8)}) through the cluster bus`],
            },
            {
                name: "a replica that knows its primary follows it",
                nodes: converged3x1().map((n) => (n.name === "n3" ? { ...n, replicaOf: undefined } : n)),
                request: request(3, 1),
                actions: [{ kind: "replicate", node: "n3", primary: "n0", primaryId: idOf("n0") }],
            },
            {
                name: "a node known at an old address is met again from the node that has it wrong",
                nodes: converged3x1().map((n) => (n.name === "n5" ? { ...n, staleView: true } : n)),
                request: request(3, 1),
                actions: [0, 1, 2, 3, 4].map((j) => meet("n5", `n${j}`, 7000 + j)),
            },
            {
                name: "no MEET is repeated while its handshake is in progress (edge)",
                nodes: freshNodes(2, (i) => ({
                    ...(i === 1 ? { extraLines: ["1111111111111111111111111111111111111111 127.0.0.1:7000@17000 handshake - 0 0 0 disconnected"] } : {}),
                })),
                request: request(2, 0),
                actions: [],
                meetWaits: ["n0: handshake with n1 in progress", "n1: handshake with n0 in progress"],
            },
        ];
        for (const c of cases) {
            it(c.name, () => {
                const { members, replicaOf } = decide(c.nodes, c.request);
                expect(planIntroductions(members, replicaOf)).to.deep.equal({
                    actions: c.actions,
                    meetWaits: c.meetWaits ?? [],
                    replicateWaits: c.replicateWaits ?? [],
                });
            });
        }
    });

    describe("planMoves", () => {
        const full = (change: (n: SimNode) => SimNode = (n) => n) =>
            allKnow(freshNodes(4, (i) => ({ epoch: i + 1, ...(i < 3 ? { slots: [[S0, S1, S2][i]] } : {}) }))).map(change);
        const cases: { name: string; nodes: SimNode[]; pending?: string[]; actions: unknown[]; waiting?: string[] }[] = [
            {
                name: "moves once every node is ready",
                nodes: full(),
                actions: [
                    { kind: "move-slots", node: "n0", to: "n3", ranges: [{ start: 0, end: 1364 }] },
                    { kind: "move-slots", node: "n1", to: "n3", ranges: [{ start: 5461, end: 6826 }] },
                    { kind: "move-slots", node: "n2", to: "n3", ranges: [{ start: 10923, end: 12287 }] },
                ],
            },
            {
                name: "waits for what is pending first",
                nodes: full(),
                pending: ["n0: handshake with n3 in progress"],
                actions: [],
                waiting: ["n0: handshake with n3 in progress", "slot moves wait for the nodes to know each other"],
            },
            {
                name: "waits while a node sees another failing or is not ok (edge: MIGRATE would get CLUSTERDOWN)",
                nodes: full((n) => (n.name === "n3" ? { ...n, flagsOf: { n0: "fail?" }, state: "fail" } : n)),
                actions: [],
                waiting: ["n3 sees n0 as failing", "n3: cluster_state:fail", "slot moves wait for the nodes to know each other"],
            },
        ];
        for (const c of cases) {
            it(c.name, () => {
                const { members, roles } = decide(c.nodes, request(4, 0));
                expect(planMoves(members, roles.moves, c.pending ?? [])).to.deep.equal({ actions: c.actions, waiting: c.waiting ?? [] });
            });
        }
    });

    describe("planRelease", () => {
        const gone = `${DEPARTED} 127.0.0.1:7999@17999 master,fail - 0 0 0 disconnected`;
        // n0 and n1 serve every slot; n2 is drained.
        const drained = (change: (n: SimNode) => SimNode = (n) => n) =>
            allKnow(freshNodes(3, (i) => ({ epoch: i + 1, ...(i < 2 ? { slots: [[{ start: 0, end: 8191 }], [{ start: 8192, end: 16383 }]][i] } : {}) }))).map(
                change,
            );
        const cases: { name: string; nodes: SimNode[]; request: ClusterRequest; forgettable?: string[]; actions: unknown[]; waiting?: string[] }[] = [
            {
                name: "a drained surplus node is forgotten by every staying node, then reset",
                nodes: drained(),
                request: request(2, 0, "release"),
                actions: [
                    { kind: "forget", node: "n0", nodeId: idOf("n2") },
                    { kind: "forget", node: "n1", nodeId: idOf("n2") },
                    { kind: "reset", node: "n2" },
                ],
            },
            {
                name: "a departed member is forgotten on every node that knows it; a reset surplus node is not reset again",
                nodes: drained((n) => (n.name === "n2" ? { ...n, knows: [] } : n.name === "n1" ? { ...n, knows: ["n0"], extraLines: [gone] } : n)),
                request: request(2, 0, "release"),
                forgettable: [DEPARTED],
                actions: [
                    { kind: "forget", node: "n1", nodeId: DEPARTED },
                    { kind: "forget", node: "n0", nodeId: idOf("n2") },
                ],
            },
            {
                name: "nothing is released in replicas mode",
                nodes: drained(),
                request: request(2, 0),
                actions: [],
            },
            {
                name: "a surplus node leaves only once its followers follow another primary (edge)",
                nodes: allKnow([
                    { name: "n0", port: 7000, epoch: 1, slots: [{ start: 0, end: 16383 }] },
                    { name: "n1", port: 7001, epoch: 2, replicaOf: "n2", linkUp: true },
                    { name: "n2", port: 7002, epoch: 3 },
                ]),
                request: request(1, 1, "release"),
                actions: [],
                waiting: ["n2 leaves once n1 follow another primary"],
            },
        ];
        for (const c of cases) {
            it(c.name, () => {
                const { members } = decide(c.nodes, c.request);
                const stay = members.filter((m) => c.request.surplus === "replicas" || m.index < c.request.masters * (c.request.replicasPerMaster + 1));
                expect(planRelease(members, stay, c.forgettable ?? [], c.request)).to.deep.equal({ actions: c.actions, waiting: c.waiting ?? [] });
            });
        }
    });

    describe("readinessWaits", () => {
        const cases: { name: string; nodes: SimNode[]; waiting: string[] }[] = [
            { name: "nothing once converged", nodes: converged3x1(), waiting: [] },
            {
                name: "a replication link down",
                nodes: converged3x1().map((n) => (n.name === "n3" ? { ...n, linkUp: false } : n)),
                waiting: ["n3: replication link to n0 is down"],
            },
            {
                name: "a failing view, a cluster state not ok, a primary's slots not seen yet",
                nodes: converged3x1().map((n) =>
                    n.name === "n4"
                        ? {
                              ...n,
                              flagsOf: { n2: "fail" },
                              knows: ["n0", "n2", "n3", "n5"],
                              extraLines: [`${idOf("n1")} 127.0.0.1:7001@17001 master - 0 0 2 connected`],
                          }
                        : n,
                ),
                waiting: ["n4 sees n2 as failing (fail)", "n4: cluster_state:fail, 10922 of 16384 slots ok", "n4 does not yet see n1 serving 5461-10922"],
            },
            {
                name: "a replica in another shard than its primary in some view (edge: Valkey 8.0.1 cannot reload it)",
                nodes: converged3x1()
                    .map((n, i) => ({ ...n, shard: ["a", "b", "c", "a", "b", "c"][i] }))
                    .map((n) => (n.name === "n1" ? { ...n, shard: "x" } : n)),
                waiting: ["n0", "n1", "n2", "n3", "n4", "n5"].map((i) => `${i} does not yet see n4 in the shard of n1`),
            },
        ];
        for (const c of cases) {
            it(c.name, () => {
                const { members, roles, replicaOf } = decide(c.nodes, request(3, 1));
                expect(readinessWaits(members, roles, replicaOf)).to.deep.equal(c.waiting);
            });
        }
    });
});
