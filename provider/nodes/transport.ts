// How this process reaches the nodes. Each node has a dial address (where this process connects:
// loopback in tests, a local port-forward for Kubernetes) and an announce address (what the nodes use
// among themselves, e.g. the pod IP): MEET and REPLICAOF always use the announce address.
import { RequestError } from "../errors";
import { Endpoint, Placement } from "../reconcile/types";

export interface NodeTarget {
    /** Unique; used in messages and actions (a pod name, or the dial address). */
    readonly name: string;
    readonly dial: Endpoint;
    readonly announce: Endpoint;
    readonly placement: Placement;
    /** The transport's last error for this node (e.g. a failed port-forward), to explain a failed dial. */
    readonly diagnose?: () => string | undefined;
}

export interface Transport {
    /** Finds the nodes and opens what dialing them needs (port-forwards). */
    open(): Promise<NodeTarget[]>;
    /** Releases what `open` opened. Safe to call more than once. */
    close(): Promise<void>;
    /** A short description for messages, e.g. "3 nodes over TCP". */
    describe(): string;
}

/** Parses `host:port` or `[ipv6]:port`. */
export function parseEndpoint(text: string): Endpoint {
    const match = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:\s]+):(\d+)$/.exec(text);
    const port = match ? Number(match[2]) : NaN;
    if (!match || !Number.isInteger(port) || port < 1 || port > 65535) {
        throw new RequestError([`"${text}" is not a host:port address`]);
    }
    return { host: match[1], port };
}

/** A node reached directly over TCP. */
export interface DirectNode {
    /** Where this process connects, `host:port`. */
    readonly dial: string;
    /** What the nodes use among themselves. @default the dial address */
    readonly announce?: string;
    /** The name in messages. @default the dial address */
    readonly name?: string;
    /** The machine it runs on, for replica placement. @default the announce host */
    readonly host?: string;
    /** The failure zone, for replica placement. @default unknown */
    readonly zone?: string;
}

/** Nodes reached directly over TCP: tests, or a process running inside the cluster network. */
export function directTransport(nodes: readonly DirectNode[]): Transport {
    return {
        async open() {
            const targets = nodes.map((n): NodeTarget => {
                const dial = parseEndpoint(n.dial);
                const announce = n.announce !== undefined ? parseEndpoint(n.announce) : dial;
                return {
                    name: n.name ?? n.dial,
                    dial,
                    announce,
                    placement: { host: n.host ?? announce.host, ...(n.zone !== undefined ? { zone: n.zone } : {}) },
                };
            });
            const names = targets.map((t) => t.name);
            const twice = names.filter((name, i) => names.indexOf(name) !== i);
            if (twice.length > 0) throw new RequestError([`node ${twice[0]} is given more than once`]);
            return targets;
        },
        async close() {},
        describe: () => `${nodes.length} nodes over TCP`,
    };
}
