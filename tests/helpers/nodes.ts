// Helpers for tests that converge real servers: start several, read them back independently of the
// code under test (plain iovalkey connections), and count the mutating commands each server ran.
import Redis, { Cluster } from "iovalkey";
import type { TlsOptions } from "../../provider/nodes/client";
import { directTransport, NodeTarget, Transport } from "../../provider/nodes/transport";
import { Restarter } from "../../provider/rollout/rollout";
import { StartOptions, startValkey, ValkeyProcess } from "./valkey";

/** A server as the provider's NodeTarget: dialled and announced at its address, placed on its host. */
export function nodeTarget(s: ValkeyProcess): NodeTarget {
    const endpoint = { host: s.host, port: s.port };
    return { name: `${s.host}:${s.port}`, dial: endpoint, announce: endpoint, placement: { host: s.host } };
}

/** A connection as `username` (no retries: a failure must show); over TLS with `tls.ca` when given. */
export function connectAs(server: ValkeyProcess, username: string, password: string, tls?: TlsOptions): Promise<Redis> {
    return connectRaw(server, { username, password, ...(tls ? { tls } : {}) });
}

/** A connection without retries; without credentials it is the default user's, unauthenticated (to AUTH by hand). */
export async function connectRaw(server: ValkeyProcess, options: { username?: string; password?: string; tls?: TlsOptions } = {}): Promise<Redis> {
    const { username, password, tls } = options;
    const client = new Redis({
        host: server.host,
        port: server.port,
        ...(username !== undefined ? { username } : {}),
        ...(password !== undefined ? { password } : {}),
        ...(tls ? { tls: { ca: tls.ca } } : {}),
        lazyConnect: true,
        enableReadyCheck: false,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
        connectTimeout: 2000,
    });
    client.on("error", () => undefined);
    await client.connect();
    return client;
}

/** The reply as a string, or the error message. */
export const outcome = (p: Promise<unknown>): Promise<string> => p.then(String, (e: Error) => e.message);

/** Starts `count` servers at once. */
export function startNodes(count: number, options: StartOptions = {}): Promise<ValkeyProcess[]> {
    return Promise.all(Array.from({ length: count }, () => startValkey(options)));
}

export const address = (s: ValkeyProcess): string => `${s.host}:${s.port}`;

/** The servers over TCP, named by their address, in order. */
export function direct(servers: readonly ValkeyProcess[]): Transport {
    return directTransport(servers.map((s) => ({ dial: address(s) })));
}

/** Runs `body` with a plain connection to one server. */
export async function withClient<T>(server: ValkeyProcess, body: (client: Redis) => Promise<T>, password = server.options.password): Promise<T> {
    const client = new Redis({
        host: server.host,
        port: server.port,
        ...(password !== undefined ? { password } : {}),
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
        connectTimeout: 2000,
        commandTimeout: 5000,
    });
    client.on("error", () => undefined);
    await client.connect();
    try {
        return await body(client);
    } finally {
        client.disconnect();
    }
}

/** `key:value` fields of an INFO-style reply. */
export function fields(text: string): Record<string, string> {
    return Object.fromEntries(
        text
            .split("\r\n")
            .filter((l) => l.includes(":") && !l.startsWith("#"))
            .map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 1)]),
    );
}

export async function clusterInfo(server: ValkeyProcess): Promise<Record<string, string>> {
    return fields(String(await withClient(server, (c) => c.call("CLUSTER", "INFO"))));
}

export async function replicationInfo(server: ValkeyProcess): Promise<Record<string, string>> {
    return fields(String(await withClient(server, (c) => c.call("INFO", "replication"))));
}

export async function configValue(server: ValkeyProcess, name: string): Promise<string> {
    const reply = (await withClient(server, (c) => c.call("CONFIG", "GET", name))) as string[];
    return reply[1];
}

/** Every command that changes topology or configuration. */
export const MUTATING_COMMANDS = [
    "cluster|meet",
    "cluster|addslots",
    "cluster|addslotsrange",
    "cluster|delslots",
    "cluster|delslotsrange",
    "cluster|replicate",
    "cluster|set-config-epoch",
    "cluster|forget",
    "cluster|reset",
    "cluster|setslot",
    "cluster|failover",
    "config|set",
    "replicaof",
    "slaveof",
];

/** How often the server ran each mutating command since it started (INFO commandstats). */
export async function mutatingCalls(server: ValkeyProcess): Promise<Record<string, number>> {
    const stats = fields(String(await withClient(server, (c) => c.call("INFO", "commandstats"))));
    return Object.fromEntries(
        MUTATING_COMMANDS.map((name) => {
            const match = /calls=(\d+)/.exec(stats[`cmdstat_${name}`] ?? "");
            return [name, match ? Number(match[1]) : 0];
        }),
    );
}

/** A cluster client over the given servers (for writing and reading keys like an application). */
export function clusterClient(servers: readonly ValkeyProcess[], password?: string): Cluster {
    const cluster = new Cluster(
        servers.map((s) => ({ host: s.host, port: s.port })),
        { redisOptions: { ...(password !== undefined ? { password } : {}), connectTimeout: 2000, maxRetriesPerRequest: 3 }, clusterRetryStrategy: () => null },
    );
    cluster.on("error", () => undefined);
    return cluster;
}

/** A small deterministic random generator, so a failing run can be repeated from its seed. */
export function seededRandom(seed: number): () => number {
    let state = seed >>> 0 || 1;
    return () => {
        state ^= state << 13;
        state >>>= 0;
        state ^= state >>> 17;
        state ^= state << 5;
        state >>>= 0;
        return state / 0x100000000;
    };
}

/** Restarts test servers the way a kubelet restarts a deleted pod: same directory, same port. */
export function processRestarter(servers: ValkeyProcess[]): Restarter & { order: string[] } {
    const order: string[] = [];
    return {
        order,
        async restart(node: string) {
            const i = servers.findIndex((s) => address(s) === node);
            if (i < 0) throw new Error(`no server ${node}`);
            order.push(node);
            servers[i] = await servers[i].restart();
        },
    };
}

/** The server's run_id: a new one means the process restarted. */
export async function runId(s: ValkeyProcess): Promise<string> {
    return withClient(s, async (c) => /run_id:(\w+)/.exec(String(await c.info("server")))![1]);
}

/** The error a promise rejects with; throws when it resolves. */
export async function failure(run: Promise<unknown>): Promise<Error> {
    try {
        await run;
    } catch (e) {
        return e as Error;
    }
    throw new Error("expected a failure");
}
