// Readiness beyond what the planner waits for: replicas caught up with their primary's offset, and a
// smoke test (PING every node; SET/GET/DEL of a key on every shard, sent to its primary).
import { randomBytes } from "crypto";
import { AbortedError, CommandError, TimeoutError, VerificationError } from "../errors";
import { parseInfo, parseReplication } from "../reconcile/parse";
import { keyInRanges } from "../reconcile/slots";
import { Layout, ObservedNode } from "../reconcile/types";
import { Session } from "./session";

export const SMOKE_KEY_PREFIX = "pulumi-valkey:smoke:";

export interface Deadline {
    readonly at: number;
    readonly seconds: number;
    readonly pollMs: number;
    readonly signal?: AbortSignal;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls every replica until it reports `master_link_status:up` and an offset at least its primary's
 * offset at the time everything else was ready.
 */
export async function waitForReplicaOffsets(session: Session, observed: readonly ObservedNode[], layout: Layout, deadline: Deadline): Promise<void> {
    const offsetOf = new Map(observed.map((n) => [n.name, n.replication.offset]));
    let pending = layout.replicas.map((r) => ({ ...r, target: offsetOf.get(r.primary) ?? 0, seen: -1 }));
    while (pending.length > 0) {
        if (deadline.signal?.aborted) throw new AbortedError("the run was aborted");
        const replies = await Promise.all(pending.map((p) => session.client(p.node).call(["INFO", "replication"])));
        pending = pending.filter((p, i) => {
            const replication = parseReplication(parseInfo(String(replies[i])));
            p.seen = replication.offset;
            return !(replication.linkUp && replication.offset >= p.target);
        });
        if (pending.length === 0) return;
        if (Date.now() > deadline.at) {
            throw new TimeoutError(
                deadline.seconds,
                pending.map((p) => `${p.node}: offset ${p.seen} behind ${p.primary}'s ${p.target}`),
            );
        }
        await sleep(deadline.pollMs);
    }
}

export interface SmokeReport {
    /** The keys written and deleted, one per primary. */
    readonly keys: readonly string[];
    /** Commands sent (PING, SET, GET, DEL); none changes the topology, the key is deleted again. */
    readonly commands: number;
}

/** PING on every node; SET/GET/DEL of a temporary key on every primary, in a slot it serves. */
export async function smokeTest(session: Session, layout: Layout): Promise<SmokeReport> {
    let commands = 0;
    const check = async (node: string, args: string[], expected: unknown) => {
        commands++;
        let reply: unknown;
        try {
            reply = await session.client(node).call(args);
        } catch (e) {
            if (e instanceof CommandError) throw new VerificationError(node, `${args[0]} was refused: ${e.message}`);
            throw e;
        }
        if (reply !== expected) throw new VerificationError(node, `${args[0]} answered ${JSON.stringify(reply)}, expected ${JSON.stringify(expected)}`);
    };
    await Promise.all(session.clients.map((c) => check(c.target.name, ["PING"], "PONG")));
    const keys = await Promise.all(
        layout.primaries.map(async (p) => {
            const key = keyInRanges(SMOKE_KEY_PREFIX, p.slots);
            const value = randomBytes(8).toString("hex");
            await check(p.node, ["SET", key, value, "PX", "60000"], "OK");
            await check(p.node, ["GET", key], value);
            await check(p.node, ["DEL", key], 1);
            return key;
        }),
    );
    return { keys, commands };
}
