// Nodes in a Kubernetes StatefulSet, reached from outside the cluster: pod addresses and placement
// from the Kubernetes API, and one local TCP port per pod that forwards to it through the API server
// (the same mechanism as `kubectl port-forward`). The nodes announce their pod IPs to each other, so
// MEET and REPLICAOF use the pod IP; only this process goes through the forwards.
import type * as K8s from "@kubernetes/client-node";
import * as net from "net";
import { Writable } from "stream";
import { TransportError } from "../errors";
import { NodeTarget, Transport } from "./transport";
import type { KubernetesTarget } from "../../sdk/types/topology";
import { VALKEY_PORT } from "../../sdk/spec/contract";

export type { KubernetesTarget };

export const DEFAULT_VALKEY_PORT = VALKEY_PORT;
export const DEFAULT_POD_TIMEOUT_MS = 60000;
export const ZONE_LABEL = "topology.kubernetes.io/zone";
export const DEFAULT_CLUSTER_DOMAIN = "cluster.local";
const POD_POLL_MS = 250;

/**
 * The time one operation (opening a transport, one restart, one read of a StatefulSet) gives the
 * Kubernetes API: every call it makes is aborted at `at`, and a timed-out call says the operation's
 * `seconds`. Without it an API server that accepts connections and never answers (a stuck load
 * balancer, a paused control plane) holds `pulumi up` forever.
 */
export interface ApiDeadline {
    readonly at: number;
    readonly seconds: number;
}

export function apiDeadline(timeoutMs: number, now = Date.now()): ApiDeadline {
    return { at: now + timeoutMs, seconds: timeoutMs / 1000 };
}

/** A call that got no answer before its operation's deadline. */
export class ApiTimeoutError extends TransportError {
    constructor(
        what: string,
        readonly reason: string,
    ) {
        super(`cannot ${what}: ${reason}`);
    }
}

/** The per-call options of @kubernetes/client-node's generated APIs (their second parameter). */
type CallOptions = Parameters<K8s.CoreV1Api["readNamespacedPod"]>[1];

/**
 * `call(options)` with its request aborted at the deadline; throws an ApiTimeoutError
 * (`cannot <what>: no answer from the Kubernetes API within <seconds> s`) then, and any other
 * error as the client threw it. The signal goes in through a request middleware (node-fetch
 * aborts the request and its socket, so nothing stays in flight); the race with the timer also
 * covers what runs before the request is sent (credentials from an exec plugin).
 */
export async function withinDeadline<T>(what: string, deadline: ApiDeadline, call: (options: CallOptions) => Promise<T>): Promise<T> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Observable } = require("@kubernetes/client-node") as typeof K8s;
    const controller = new AbortController();
    const signal: K8s.ObservableMiddleware = {
        pre: (context) => {
            context.setSignal(controller.signal);
            return new Observable(Promise.resolve(context));
        },
        post: (response) => new Observable(Promise.resolve(response)),
    };
    const options: CallOptions = { middleware: [signal], middlewareMergeStrategy: "append" };
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(
            () => {
                reject(new ApiTimeoutError(what, `no answer from the Kubernetes API within ${deadline.seconds} s`));
                controller.abort();
            },
            Math.max(0, deadline.at - Date.now()),
        );
    });
    const answer = call(options);
    answer.catch(() => undefined);
    try {
        return await Promise.race([answer, timedOut]);
    } finally {
        clearTimeout(timer);
    }
}

/**
 * @kubernetes/client-node and a KubeConfig from `kubeconfig` (text), else the default loading
 * rules; `context` when given. Throws a TransportError that never quotes the kubeconfig.
 */
export function loadKubeConfig(target: { readonly kubeconfig?: string | null; readonly context?: string }): { k8s: typeof K8s; kc: K8s.KubeConfig } {
    // Loaded here: the module is large, and the dynamic provider's closure must not capture it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const k8s: typeof K8s = require("@kubernetes/client-node");
    const kc = new k8s.KubeConfig();
    try {
        // A value the engine passes as null (an unset secret) means the default loading rules.
        if (target.kubeconfig !== undefined && target.kubeconfig !== null) kc.loadFromString(target.kubeconfig);
        else kc.loadFromDefault();
        if (target.context !== undefined) kc.setCurrentContext(target.context);
    } catch (e) {
        // The parser's message may quote the kubeconfig: keep it out.
        throw new TransportError(`cannot load the kubeconfig${target.context !== undefined ? ` (context ${target.context})` : ""}: ${(e as Error).name}`);
    }
    if (!kc.getCurrentCluster()) throw new TransportError("the kubeconfig has no current cluster");
    return { k8s, kc };
}

/** An API error as `HTTP <code>: <the server's message>`. */
export function describeApiError(e: unknown): string {
    const code = (e as { code?: unknown }).code;
    const body = (e as { body?: unknown }).body;
    let reason = "";
    if (typeof body === "string") {
        try {
            reason = (JSON.parse(body) as { message?: string }).message ?? "";
        } catch {
            reason = body.slice(0, 200);
        }
    } else if (body && typeof body === "object") {
        reason = (body as { message?: string }).message ?? "";
    }
    if (typeof code === "number") return `HTTP ${code}${reason ? `: ${reason}` : ""}`;
    return (e as Error).message ?? String(e);
}

/** The StatefulSet's `spec.replicas` now, or 0 when it does not exist (yet); within `podTimeoutMs`. */
export async function currentReplicas(
    target: Pick<KubernetesTarget, "kubeconfig" | "context" | "namespace" | "statefulSet" | "podTimeoutMs">,
): Promise<number> {
    const { k8s, kc } = loadKubeConfig(target);
    const what = `read StatefulSet ${target.namespace}/${target.statefulSet}`;
    const deadline = apiDeadline(target.podTimeoutMs ?? DEFAULT_POD_TIMEOUT_MS);
    try {
        const sts = await withinDeadline(what, deadline, (options) =>
            kc.makeApiClient(k8s.AppsV1Api).readNamespacedStatefulSet({ name: target.statefulSet, namespace: target.namespace }, options),
        );
        return sts.spec?.replicas ?? 1;
    } catch (e) {
        if (e instanceof TransportError) throw e;
        if ((e as { code?: unknown }).code === 404) return 0;
        throw new TransportError(`cannot ${what}: ${describeApiError(e)}`);
    }
}

/** Restarts pods by deleting them (the StatefulSet controller recreates them from the current template). */
export interface PodRestarter {
    /**
     * The pods that do not run the StatefulSet's current template (label controller-revision-hash
     * differs from status.updateRevision, once the controller has seen the latest spec); within
     * `podTimeoutMs`.
     */
    outdated(): Promise<string[]>;
    /**
     * Deletes the pod and resolves once its replacement runs with an IP: reading and deleting it
     * within `podTimeoutMs`, the replacement within `podTimeoutMs` plus its termination grace period.
     */
    restart(pod: string): Promise<void>;
}

export function kubernetesRestarter(target: KubernetesTarget): PodRestarter {
    const { k8s, kc } = loadKubeConfig(target);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    const timeoutMs = target.podTimeoutMs ?? DEFAULT_POD_TIMEOUT_MS;
    const api = async <T>(what: string, deadline: ApiDeadline, call: (options: CallOptions) => Promise<T>): Promise<T> => {
        try {
            return await withinDeadline(what, deadline, call);
        } catch (e) {
            if (e instanceof TransportError) throw e;
            throw new TransportError(`cannot ${what}: ${describeApiError(e)}`);
        }
    };
    return {
        async outdated() {
            const deadline = apiDeadline(timeoutMs);
            const unobserved = (generation: number | undefined) =>
                new TransportError(
                    `StatefulSet ${target.namespace}/${target.statefulSet}: the controller has not observed generation ${generation} after ${timeoutMs / 1000} s`,
                );
            let generation: number | undefined;
            for (;;) {
                const sts = await api(`read StatefulSet ${target.namespace}/${target.statefulSet}`, deadline, (options) =>
                    apps.readNamespacedStatefulSet({ name: target.statefulSet, namespace: target.namespace }, options),
                ).catch((e: unknown) => {
                    // A poll cut off by the deadline: the last answer says why it was still waiting.
                    throw e instanceof ApiTimeoutError && generation !== undefined ? unobserved(generation) : e;
                });
                generation = sts.metadata?.generation;
                const revision = sts.status?.updateRevision;
                if ((sts.status?.observedGeneration ?? 0) >= (sts.metadata?.generation ?? 0) && revision !== undefined) {
                    const names = Array.from({ length: target.replicas }, (_, i) => `${target.statefulSet}-${i}`);
                    // Reads after the wait get a deadline of their own: a wait that used most of
                    // the first must not make them fail as "no answer" from a healthy API.
                    const reads = apiDeadline(timeoutMs);
                    const pods = await Promise.all(
                        names.map((name) =>
                            api(`read pod ${target.namespace}/${name}`, reads, (options) =>
                                core.readNamespacedPod({ name, namespace: target.namespace }, options),
                            ),
                        ),
                    );
                    return names.filter((_, i) => pods[i].metadata?.labels?.["controller-revision-hash"] !== revision);
                }
                if (Date.now() > deadline.at) throw unobserved(generation);
                await new Promise((resolve) => setTimeout(resolve, POD_POLL_MS));
            }
        },
        async restart(name: string) {
            const pod = `pod ${target.namespace}/${name}`;
            const before = apiDeadline(timeoutMs);
            const old = await api(`read ${pod}`, before, (options) => core.readNamespacedPod({ name, namespace: target.namespace }, options));
            await api(`delete ${pod}`, before, (options) => core.deleteNamespacedPod({ name, namespace: target.namespace }, options));
            const waitMs = timeoutMs + (old.spec?.terminationGracePeriodSeconds ?? 30) * 1000;
            const deadline = apiDeadline(waitMs);
            const notBack = () => new TransportError(`${pod} was deleted for its restart and is not running again after ${waitMs / 1000} s`);
            let answered = false;
            for (;;) {
                try {
                    const now = await withinDeadline(`read ${pod}`, deadline, (options) =>
                        core.readNamespacedPod({ name, namespace: target.namespace }, options),
                    );
                    if (now.metadata?.uid !== old.metadata?.uid && now.status?.phase === "Running" && now.status.podIP) return;
                } catch (e) {
                    // A poll cut off by the deadline after the API did answer: the pod is what is late.
                    if (e instanceof ApiTimeoutError && answered) throw notBack();
                    if (e instanceof TransportError) throw e;
                    if ((e as { code?: unknown }).code !== 404) throw new TransportError(`cannot read ${pod}: ${describeApiError(e)}`);
                }
                answered = true;
                if (Date.now() > deadline.at) throw notBack();
                await new Promise((resolve) => setTimeout(resolve, POD_POLL_MS));
            }
        },
    };
}

/** What the ws library's error says when a WebSocket's opening handshake passed its handshakeTimeout. */
const HANDSHAKE_TIMED_OUT = "Opening handshake has timed out";

/**
 * `kc` for PortForward, with every WebSocket it opens given up after `ms` without an answer: the
 * client's WebSocketHandler builds its ws options with applyToHTTPSOptions and takes no timeout of
 * its own (1.4.0), so the option goes in there.
 */
function withHandshakeTimeout(kc: K8s.KubeConfig, ms: number): K8s.KubeConfig {
    const bounded = Object.create(kc) as K8s.KubeConfig;
    bounded.applyToHTTPSOptions = async (opts) => {
        await kc.applyToHTTPSOptions(opts);
        (opts as { handshakeTimeout?: number }).handshakeTimeout = ms;
    };
    return bounded;
}

/** Why a pod is not Ready (its Ready condition's message, else its phase), or undefined when it is. */
function notReadyReason(pod: K8s.V1Pod): string | undefined {
    const ready = pod.status?.conditions?.find((c) => c.type === "Ready");
    if (ready?.status === "True") return undefined;
    return ready?.message ?? ready?.reason ?? `phase ${pod.status?.phase ?? "unknown"}`;
}

/**
 * Waits until every pod of `pods` is Ready, i.e. its readiness probe passes and the client Service
 * routes to it: the nodes answering the provider (as the admin user, through a port-forward) is
 * not enough, since the probe runs as another user (issue 11, finding 7). Throws, naming each pod
 * that is still not Ready after `target.podTimeoutMs` with the kubelet's reason.
 */
export async function waitPodsReady(target: KubernetesTarget, pods: readonly string[]): Promise<void> {
    const { k8s, kc } = loadKubeConfig(target);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const timeoutMs = target.podTimeoutMs ?? DEFAULT_POD_TIMEOUT_MS;
    const deadline = apiDeadline(timeoutMs);
    // What the last complete answer said: a poll cut off by the deadline after it reports the pods, not the API.
    let unready: string[] | undefined;
    const late = (names: readonly string[]) =>
        new TransportError(
            `pod${names.length === 1 ? "" : "s"} ${names.join(", ")} not Ready after ${timeoutMs / 1000} s: the readiness probe fails, so the client Service has no endpoint for ${names.length === 1 ? "it" : "them"} although the nodes answer`,
        );
    for (;;) {
        let reasons: (string | undefined)[];
        try {
            reasons = await Promise.all(
                pods.map(async (name) => {
                    try {
                        return notReadyReason(
                            await withinDeadline(`read pod ${target.namespace}/${name}`, deadline, (options) =>
                                core.readNamespacedPod({ name, namespace: target.namespace }, options),
                            ),
                        );
                    } catch (e) {
                        if (e instanceof TransportError) throw e;
                        if ((e as { code?: unknown }).code === 404) return "it does not exist";
                        throw new TransportError(`cannot read pod ${target.namespace}/${name}: ${describeApiError(e)}`);
                    }
                }),
            );
        } catch (e) {
            if (e instanceof ApiTimeoutError && unready !== undefined) throw late(unready);
            throw e;
        }
        unready = pods.flatMap((name, i) => (reasons[i] !== undefined ? [`${target.namespace}/${name} (${reasons[i]})`] : []));
        if (unready.length === 0) return;
        if (Date.now() > deadline.at) throw late(unready);
        await new Promise((resolve) => setTimeout(resolve, POD_POLL_MS));
    }
}

/** The pods of a StatefulSet through port-forwards. */
export function kubernetesTransport(target: KubernetesTarget, log: (line: string) => void = () => undefined): Transport {
    const port = target.port ?? DEFAULT_VALKEY_PORT;
    const servers: net.Server[] = [];
    const sockets = new Set<net.Socket>();
    const lastError = new Map<string, string>();

    function announceHost(pod: K8s.V1Pod, name: string): string {
        const hostnames = target.announceHostnames;
        if (hostnames === undefined) return pod.status?.podIP as string;
        return `${name}.${hostnames.serviceName}.${target.namespace}.svc.${hostnames.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN}`;
    }

    async function readPod(core: K8s.CoreV1Api, name: string, deadline: ApiDeadline): Promise<K8s.V1Pod> {
        // What the last answer said the pod is waiting for.
        let waitingFor: string | undefined;
        const late = () => new TransportError(`pod ${target.namespace}/${name} ${waitingFor} after ${deadline.seconds} s`);
        for (;;) {
            try {
                const pod = await withinDeadline(`read pod ${target.namespace}/${name}`, deadline, (options) =>
                    core.readNamespacedPod({ name, namespace: target.namespace }, options),
                );
                if (pod.status?.podIP && pod.status.phase === "Running") return pod;
                waitingFor = `is ${pod.status?.phase ?? "pending"}${pod.status?.podIP ? "" : " without an IP"}`;
            } catch (e) {
                // A poll cut off by the deadline after the API did answer: the pod is what is late.
                if (e instanceof ApiTimeoutError && waitingFor !== undefined) throw late();
                if (e instanceof TransportError) throw e;
                if ((e as { code?: unknown }).code !== 404) {
                    throw new TransportError(`cannot read pod ${target.namespace}/${name}: ${describeApiError(e)}`);
                }
                waitingFor = "does not exist";
            }
            if (Date.now() > deadline.at) throw late();
            await new Promise((resolve) => setTimeout(resolve, POD_POLL_MS));
        }
    }

    async function zoneOf(core: K8s.CoreV1Api, nodeName: string, deadline: ApiDeadline): Promise<string | undefined> {
        try {
            const node = await withinDeadline(`read node ${nodeName}`, deadline, (options) => core.readNode({ name: nodeName }, options));
            return node.metadata?.labels?.[ZONE_LABEL];
        } catch (e) {
            // Reading nodes needs a cluster-wide permission many users lack: placement then uses hosts only.
            log(`cannot read node ${nodeName} for its zone (${e instanceof ApiTimeoutError ? e.reason : describeApiError(e)}); placing replicas by host only`);
            return undefined;
        }
    }

    async function forward(k8s: typeof K8s, kc: K8s.KubeConfig, pod: string): Promise<number> {
        const timeoutMs = target.podTimeoutMs ?? DEFAULT_POD_TIMEOUT_MS;
        const noAnswer = `port-forward to ${pod} failed: no answer from the Kubernetes API within ${timeoutMs / 1000} s`;
        const bounded = withHandshakeTimeout(kc, timeoutMs);
        const server = net.createServer((socket) => {
            sockets.add(socket);
            socket.on("close", () => sockets.delete(socket));
            socket.on("error", () => socket.destroy());
            const errors = new Writable({
                write(chunk: Buffer, _encoding, done) {
                    if (chunk.length > 0) lastError.set(pod, `port-forward to ${pod}: ${chunk.toString().trim()}`);
                    done();
                },
            });
            // Each connection gets its own WebSocket: one that does not open within the pod timeout
            // fails the connection (the client sees it closed, diagnose() says why). The handshake
            // timeout then aborts the WebSocket's request, so nothing stays in flight.
            let gaveUp = false;
            const timer = setTimeout(() => {
                gaveUp = true;
                lastError.set(pod, noAnswer);
                socket.destroy();
            }, timeoutMs);
            new k8s.PortForward(bounded)
                .portForward(target.namespace, pod, [port], socket, errors, socket)
                .then((ws) => {
                    clearTimeout(timer);
                    const websocket = ws as unknown as { on(event: string, cb: () => void): void; close(): void };
                    if (gaveUp || socket.destroyed) return websocket.close();
                    websocket.on("close", () => socket.destroy());
                    socket.on("close", () => websocket.close());
                })
                .catch((e: unknown) => {
                    clearTimeout(timer);
                    if (!gaveUp)
                        lastError.set(pod, (e as Error).message === HANDSHAKE_TIMED_OUT ? noAnswer : `port-forward to ${pod} failed: ${describeApiError(e)}`);
                    socket.destroy();
                });
        });
        servers.push(server);
        return new Promise((resolve, reject) => {
            server.once("error", reject);
            server.listen(0, "127.0.0.1", () => resolve((server.address() as net.AddressInfo).port));
        });
    }

    const transport: Transport = {
        describe: () => `StatefulSet ${target.namespace}/${target.statefulSet} (${target.replicas} pods) through the Kubernetes API`,
        async open() {
            const { k8s, kc } = loadKubeConfig(target);
            const core = kc.makeApiClient(k8s.CoreV1Api);
            const deadline = apiDeadline(target.podTimeoutMs ?? DEFAULT_POD_TIMEOUT_MS);
            const names = Array.from({ length: target.replicas }, (_, i) => `${target.statefulSet}-${i}`);
            const pods = await Promise.all(names.map((name) => readPod(core, name, deadline)));
            const zones = new Map<string, string | undefined>();
            // The zone reads get a deadline of their own: pods that took most of the first to start
            // must not turn a healthy API's answer into a timeout (and placement into hosts only).
            const zoneDeadline = apiDeadline(target.podTimeoutMs ?? DEFAULT_POD_TIMEOUT_MS);
            for (const nodeName of new Set(pods.flatMap((p) => (p.spec?.nodeName ? [p.spec.nodeName] : [])))) {
                zones.set(nodeName, await zoneOf(core, nodeName, zoneDeadline));
            }
            try {
                return await Promise.all(
                    pods.map(async (pod, i): Promise<NodeTarget> => {
                        const name = names[i];
                        const nodeName = pod.spec?.nodeName;
                        const zone = nodeName !== undefined ? zones.get(nodeName) : undefined;
                        return {
                            name,
                            dial: { host: "127.0.0.1", port: await forward(k8s, kc, name) },
                            announce: { host: announceHost(pod, name), port },
                            placement: { ...(nodeName !== undefined ? { host: nodeName } : {}), ...(zone !== undefined ? { zone } : {}) },
                            diagnose: () => lastError.get(name),
                        };
                    }),
                );
            } catch (e) {
                await transport.close();
                throw e;
            }
        },
        async close() {
            for (const socket of sockets) socket.destroy();
            const closing = servers.splice(0).map((s) => new Promise((resolve) => s.close(() => resolve(undefined))));
            await Promise.all(closing);
        },
    };
    return transport;
}
