// The dynamic resource's inputs and outputs as plain data, and the pure parts of its provider: check
// (validation that copes with values unknown during preview) and diff. No Pulumi import: this module
// is loaded inside the dynamic provider's process.
import { Settings } from "../reconcile/settings";
import { formatRanges } from "../reconcile/slots";
import { nodesNeeded, topologyProblems } from "../reconcile/topology";
import { Topology } from "../reconcile/types";
import { NodeReport } from "../reconcile/report";
import { KubernetesTarget } from "../nodes/kubernetes";
import { parseEndpoint } from "../nodes/transport";

/** What Pulumi passes for a value not known yet (during preview). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export interface DirectNodeInput {
    /** Where the provider connects, `host:port`. */
    readonly dial: string;
    /** What the nodes use among themselves. @default the dial address */
    readonly announce?: string;
    /** @default the dial address */
    readonly name?: string;
    /** For replica placement. @default the announce host */
    readonly host?: string;
    /** For replica placement. @default unknown */
    readonly zone?: string;
}

export type TransportInput =
    /** Nodes reached over TCP (the provider runs inside the cluster network, or tests). */
    | { readonly kind: "direct"; readonly nodes: readonly DirectNodeInput[] }
    /** The pods `<statefulSet>-0..N-1`, through the Kubernetes API (port-forward). */
    | ({ readonly kind: "kubernetes" } & KubernetesTarget);

export interface TlsInput {
    readonly ca?: string;
    readonly cert?: string;
    readonly key?: string;
    readonly serverName?: string;
}

export interface SettingsInput {
    /** cluster-node-timeout to keep once converged. @default the highest value among the nodes */
    readonly clusterNodeTimeoutMs?: number;
    /** repl-diskless-sync-delay to keep once converged. @default the highest value among the nodes */
    readonly replDisklessSyncDelaySeconds?: number;
}

export interface TopologyInputs {
    /** Changing it re-runs converge (a change of the provider's code is not detected by itself). */
    readonly providerVersion: string;
    readonly topology: Topology;
    readonly transport: TransportInput;
    /** @default the default user */
    readonly username?: string;
    readonly password?: string;
    readonly tls?: TlsInput;
    readonly settings?: SettingsInput;
    /** @default 300 */
    readonly timeoutSeconds?: number;
}

export const DEFAULT_TIMEOUT_SECONDS = 300;

/** A node as the outputs report it: slots as text, e.g. "0-5460" (empty when it serves none). */
export type NodeOutput = Omit<NodeReport, "slots"> & { readonly slots: string };

export interface TopologyOutputs extends TopologyInputs {
    /** "RUNNING" once converged and verified (the word Aiven uses). */
    readonly state: "RUNNING";
    readonly nodes: readonly NodeOutput[];
    /** Announce addresses (`host:port`) of the primaries, in slot order. */
    readonly primaryEndpoints: readonly string[];
    /** Commands the last create or update sent (one line each). */
    readonly lastActions: readonly string[];
}

/** Outputs holding secrets (the password, a kubeconfig, a TLS key). */
export const SECRET_OUTPUTS = ["password", "transport", "tls"];

export interface CheckFailure {
    readonly property: string;
    readonly reason: string;
}

const isUnknown = (v: unknown): boolean => v === UNKNOWN;

function isObject(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

function wholeNumber(v: unknown, min: number): boolean {
    return isUnknown(v) || (typeof v === "number" && Number.isInteger(v) && v >= min);
}

/** Every problem of the inputs, each with its property path; unknown values are not judged. */
export function checkInputs(news: Record<string, unknown>): CheckFailure[] {
    const failures: CheckFailure[] = [];
    const fail = (property: string, reason: string) => failures.push({ property, reason });
    const { topology, transport } = news;
    if (!isUnknown(news.providerVersion) && (typeof news.providerVersion !== "string" || news.providerVersion === "")) {
        fail("providerVersion", "must be a non-empty string");
    }
    let nodeCount: number | undefined;
    if (isObject(transport)) {
        if (transport.kind === "direct") {
            if (Array.isArray(transport.nodes)) {
                nodeCount = transport.nodes.length;
                transport.nodes.forEach((n: unknown, i) => {
                    if (isUnknown(n)) return;
                    if (!isObject(n)) {
                        fail(`transport.nodes[${i}]`, "must be an object with a dial address");
                        return;
                    }
                    for (const key of ["dial", "announce"]) {
                        const value = n[key];
                        if (value === undefined && key === "announce") continue;
                        if (isUnknown(value)) continue;
                        if (typeof value !== "string") {
                            fail(`transport.nodes[${i}].${key}`, "must be a host:port string");
                            continue;
                        }
                        try {
                            parseEndpoint(value);
                        } catch {
                            fail(`transport.nodes[${i}].${key}`, `"${value}" is not a host:port address`);
                        }
                    }
                });
            } else if (!isUnknown(transport.nodes)) {
                fail("transport.nodes", "must be a list of nodes");
            }
        } else if (transport.kind === "kubernetes") {
            for (const key of ["namespace", "statefulSet"]) {
                if (!isUnknown(transport[key]) && (typeof transport[key] !== "string" || transport[key] === "")) fail(`transport.${key}`, "must be a non-empty string");
            }
            if (!wholeNumber(transport.replicas, 1)) fail("transport.replicas", "must be a whole number >= 1");
            else if (typeof transport.replicas === "number") nodeCount = transport.replicas;
            if (transport.port !== undefined && !wholeNumber(transport.port, 1)) fail("transport.port", "must be a port number");
        } else if (!isUnknown(transport.kind)) {
            fail("transport.kind", `must be "direct" or "kubernetes" (got ${JSON.stringify(transport.kind)})`);
        }
    } else if (!isUnknown(transport)) {
        fail("transport", 'must be { kind: "direct", nodes } or { kind: "kubernetes", namespace, statefulSet, replicas }');
    }
    if (isObject(topology)) {
        const known = Object.values(topology).every((v) => !isUnknown(v));
        if (known) {
            // The shape is judged now; the node count only once it is known.
            const shape = topology as unknown as Topology;
            const problems = topologyProblems(shape, nodeCount ?? (nodesNeeded(shape) || 1));
            for (const reason of problems) fail("topology", reason);
        }
    } else if (!isUnknown(topology)) {
        fail("topology", 'must be { kind: "standalone" }, { kind: "replicated", replicas } or { kind: "cluster", masters, replicasPerMaster }');
    }
    const tls = news.tls;
    if (isObject(tls) && !isUnknown(tls.cert) && !isUnknown(tls.key) && (tls.cert === undefined) !== (tls.key === undefined)) {
        fail("tls", "cert and key go together: they are the client certificate this provider presents and its private key");
    }
    if (news.timeoutSeconds !== undefined && !isUnknown(news.timeoutSeconds) && !(typeof news.timeoutSeconds === "number" && news.timeoutSeconds > 0)) {
        fail("timeoutSeconds", "must be a number of seconds > 0");
    }
    return failures;
}

/** Inputs that decide what the nodes become; a change re-runs converge (an update, never a replace). */
const CONVERGED_INPUTS = ["providerVersion", "topology", "username", "password", "tls", "settings"] as const;

function containsUnknown(v: unknown): boolean {
    if (isUnknown(v)) return true;
    if (Array.isArray(v)) return v.some(containsUnknown);
    if (isObject(v)) return Object.values(v).some(containsUnknown);
    return false;
}

/** Stable JSON: objects with sorted keys, undefined fields dropped. */
function canonical(v: unknown): string {
    if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
    if (isObject(v)) {
        return `{${Object.keys(v)
            .filter((k) => v[k] !== undefined)
            .sort()
            .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
            .join(",")}}`;
    }
    return JSON.stringify(v) ?? "null";
}

/** The transport without what only says how to reach the nodes today (kubeconfig, context). */
function transportTarget(t: unknown): unknown {
    if (!isObject(t)) return t;
    const { kubeconfig: _kubeconfig, context: _context, ...target } = t;
    return target;
}

/**
 * What changed between the last outputs and the new inputs. Nothing is ever replaced: the nodes belong
 * to the Kubernetes objects (or to whoever runs them), and a new topology is reached by converging.
 * A new kubeconfig or timeout alone changes nothing on the nodes and triggers no update.
 */
export function diffInputs(olds: Record<string, unknown>, news: Record<string, unknown>): { changes: boolean; replaces: string[]; stables: string[] } {
    const changed: string[] = [];
    for (const key of CONVERGED_INPUTS) {
        if (containsUnknown(news[key]) || canonical(olds[key]) !== canonical(news[key])) changed.push(key);
    }
    if (containsUnknown(transportTarget(news.transport)) || canonical(transportTarget(olds.transport)) !== canonical(transportTarget(news.transport))) {
        changed.push("transport");
    }
    const all = [...CONVERGED_INPUTS, "transport"];
    return { changes: changed.length > 0, replaces: [], stables: all.filter((k) => !changed.includes(k)) };
}

/** The steady settings the inputs ask for. */
export function settingsOf(inputs: TopologyInputs): Settings {
    const s = inputs.settings;
    return {
        ...(s?.clusterNodeTimeoutMs !== undefined ? { "cluster-node-timeout": s.clusterNodeTimeoutMs } : {}),
        ...(s?.replDisklessSyncDelaySeconds !== undefined ? { "repl-diskless-sync-delay": s.replDisklessSyncDelaySeconds } : {}),
    };
}

/** The nodes as outputs report them. */
export function nodeOutputs(nodes: readonly NodeReport[]): NodeOutput[] {
    return nodes.map((n) => ({
        name: n.name,
        address: n.address,
        ...(n.id !== undefined ? { id: n.id } : {}),
        role: n.role,
        ...(n.primary !== undefined ? { primary: n.primary } : {}),
        ...(n.primaryId !== undefined ? { primaryId: n.primaryId } : {}),
        slots: n.slots.length > 0 ? formatRanges(n.slots) : "",
    }));
}

/** A stable id for the resource: the StatefulSet, or the first node. */
export function resourceId(inputs: TopologyInputs): string {
    const t = inputs.transport;
    return t.kind === "kubernetes" ? `${t.namespace}/${t.statefulSet}` : (t.nodes[0]?.announce ?? t.nodes[0]?.dial ?? "none");
}
