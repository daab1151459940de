// Nodes in a Kubernetes StatefulSet, reached from outside the cluster: pod addresses and placement
// from the Kubernetes API, and one local TCP port per pod that forwards to it through the API server
// (the same mechanism as `kubectl port-forward`). The nodes announce their pod IPs to each other, so
// MEET and REPLICAOF use the pod IP; only this process goes through the forwards.
import type * as K8s from "@kubernetes/client-node";
import * as net from "net";
import { Writable } from "stream";
import { TransportError } from "../errors";
import { NodeTarget, Transport } from "./transport";

export interface KubernetesTarget {
    /** Kubeconfig text (YAML or JSON): pass the one the Kubernetes provider uses. @default the default loading rules ($KUBECONFIG, ~/.kube/config, in-cluster) */
    readonly kubeconfig?: string;
    /** @default the kubeconfig's current context */
    readonly context?: string;
    readonly namespace: string;
    /** The StatefulSet; its pods are `<statefulSet>-0` .. `<statefulSet>-<replicas - 1>`. */
    readonly statefulSet: string;
    readonly replicas: number;
    /** The Valkey port of the pods. @default 6379 */
    readonly port?: number;
    /** How long to wait for every pod to run with an IP. @default 60000 ms */
    readonly podTimeoutMs?: number;
    /**
     * Announce each pod by its stable DNS name `<pod>.<serviceName>.<namespace>.svc.<clusterDomain>`
     * instead of its IP: for nodes that name each other by hostname (Sentinel plans, whose
     * replicas follow the primary's FQDN). @default pod IPs
     */
    readonly announceHostnames?: { readonly serviceName: string; readonly clusterDomain?: string };
}

export const DEFAULT_VALKEY_PORT = 6379;
export const DEFAULT_POD_TIMEOUT_MS = 60000;
export const ZONE_LABEL = "topology.kubernetes.io/zone";
export const DEFAULT_CLUSTER_DOMAIN = "cluster.local";
const POD_POLL_MS = 250;

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

/** The StatefulSet's `spec.replicas` now, or 0 when it does not exist (yet). */
export async function currentReplicas(target: Pick<KubernetesTarget, "kubeconfig" | "context" | "namespace" | "statefulSet">): Promise<number> {
    const { k8s, kc } = loadKubeConfig(target);
    try {
        const sts = await kc.makeApiClient(k8s.AppsV1Api).readNamespacedStatefulSet({ name: target.statefulSet, namespace: target.namespace });
        return sts.spec?.replicas ?? 1;
    } catch (e) {
        if ((e as { code?: unknown }).code === 404) return 0;
        throw new TransportError(`cannot read StatefulSet ${target.namespace}/${target.statefulSet}: ${describeApiError(e)}`);
    }
}

/** Restarts pods by deleting them (the StatefulSet controller recreates them from the current template). */
export interface PodRestarter {
    /**
     * The pods that do not run the StatefulSet's current template (label controller-revision-hash
     * differs from status.updateRevision, once the controller has seen the latest spec).
     */
    outdated(): Promise<string[]>;
    /** Deletes the pod and resolves once its replacement runs with an IP. */
    restart(pod: string): Promise<void>;
}

export function kubernetesRestarter(target: KubernetesTarget): PodRestarter {
    const { k8s, kc } = loadKubeConfig(target);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    const timeoutMs = target.podTimeoutMs ?? DEFAULT_POD_TIMEOUT_MS;
    const api = async <T>(what: string, call: () => Promise<T>): Promise<T> => {
        try {
            return await call();
        } catch (e) {
            throw new TransportError(`cannot ${what}: ${describeApiError(e)}`);
        }
    };
    return {
        async outdated() {
            const deadline = Date.now() + timeoutMs;
            for (;;) {
                const sts = await api(`read StatefulSet ${target.namespace}/${target.statefulSet}`, () =>
                    apps.readNamespacedStatefulSet({ name: target.statefulSet, namespace: target.namespace }),
                );
                const revision = sts.status?.updateRevision;
                if ((sts.status?.observedGeneration ?? 0) >= (sts.metadata?.generation ?? 0) && revision !== undefined) {
                    const names = Array.from({ length: target.replicas }, (_, i) => `${target.statefulSet}-${i}`);
                    const pods = await Promise.all(
                        names.map((name) => api(`read pod ${target.namespace}/${name}`, () => core.readNamespacedPod({ name, namespace: target.namespace }))),
                    );
                    return names.filter((_, i) => pods[i].metadata?.labels?.["controller-revision-hash"] !== revision);
                }
                if (Date.now() > deadline)
                    throw new TransportError(
                        `StatefulSet ${target.namespace}/${target.statefulSet}: the controller has not observed generation ${sts.metadata?.generation} after ${timeoutMs / 1000} s`,
                    );
                await new Promise((resolve) => setTimeout(resolve, POD_POLL_MS));
            }
        },
        async restart(name: string) {
            const old = await api(`read pod ${target.namespace}/${name}`, () => core.readNamespacedPod({ name, namespace: target.namespace }));
            await api(`delete pod ${target.namespace}/${name}`, () => core.deleteNamespacedPod({ name, namespace: target.namespace }));
            const waitMs = timeoutMs + (old.spec?.terminationGracePeriodSeconds ?? 30) * 1000;
            const deadline = Date.now() + waitMs;
            for (;;) {
                try {
                    const pod = await core.readNamespacedPod({ name, namespace: target.namespace });
                    if (pod.metadata?.uid !== old.metadata?.uid && pod.status?.phase === "Running" && pod.status.podIP) return;
                } catch (e) {
                    if ((e as { code?: unknown }).code !== 404) throw new TransportError(`cannot read pod ${target.namespace}/${name}: ${describeApiError(e)}`);
                }
                if (Date.now() > deadline)
                    throw new TransportError(`pod ${target.namespace}/${name} was deleted for its restart and is not running again after ${waitMs / 1000} s`);
                await new Promise((resolve) => setTimeout(resolve, POD_POLL_MS));
            }
        },
    };
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
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const reasons = await Promise.all(
            pods.map(async (name) => {
                try {
                    return notReadyReason(await core.readNamespacedPod({ name, namespace: target.namespace }));
                } catch (e) {
                    if ((e as { code?: unknown }).code === 404) return "it does not exist";
                    throw new TransportError(`cannot read pod ${target.namespace}/${name}: ${describeApiError(e)}`);
                }
            }),
        );
        const unready = pods.flatMap((name, i) => (reasons[i] !== undefined ? [`${target.namespace}/${name} (${reasons[i]})`] : []));
        if (unready.length === 0) return;
        if (Date.now() > deadline)
            throw new TransportError(
                `pod${unready.length === 1 ? "" : "s"} ${unready.join(", ")} not Ready after ${timeoutMs / 1000} s: the readiness probe fails, so the client Service has no endpoint for ${unready.length === 1 ? "it" : "them"} although the nodes answer`,
            );
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

    async function readPod(core: K8s.CoreV1Api, name: string, deadline: number): Promise<K8s.V1Pod> {
        for (;;) {
            let waitingFor: string;
            try {
                const pod = await core.readNamespacedPod({ name, namespace: target.namespace });
                if (pod.status?.podIP && pod.status.phase === "Running") return pod;
                waitingFor = `is ${pod.status?.phase ?? "pending"}${pod.status?.podIP ? "" : " without an IP"}`;
            } catch (e) {
                if ((e as { code?: unknown }).code !== 404) {
                    throw new TransportError(`cannot read pod ${target.namespace}/${name}: ${describeApiError(e)}`);
                }
                waitingFor = "does not exist";
            }
            if (Date.now() > deadline) {
                throw new TransportError(`pod ${target.namespace}/${name} ${waitingFor} after ${(target.podTimeoutMs ?? DEFAULT_POD_TIMEOUT_MS) / 1000} s`);
            }
            await new Promise((resolve) => setTimeout(resolve, POD_POLL_MS));
        }
    }

    async function zoneOf(core: K8s.CoreV1Api, nodeName: string): Promise<string | undefined> {
        try {
            const node = await core.readNode({ name: nodeName });
            return node.metadata?.labels?.[ZONE_LABEL];
        } catch (e) {
            // Reading nodes needs a cluster-wide permission many users lack: placement then uses hosts only.
            log(`cannot read node ${nodeName} for its zone (${describeApiError(e)}); placing replicas by host only`);
            return undefined;
        }
    }

    async function forward(k8s: typeof K8s, kc: K8s.KubeConfig, pod: string): Promise<number> {
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
            new k8s.PortForward(kc)
                .portForward(target.namespace, pod, [port], socket, errors, socket)
                .then((ws) => {
                    const websocket = ws as unknown as { on(event: string, cb: () => void): void; close(): void };
                    websocket.on("close", () => socket.destroy());
                    socket.on("close", () => websocket.close());
                })
                .catch((e: unknown) => {
                    lastError.set(pod, `port-forward to ${pod} failed: ${describeApiError(e)}`);
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
            const deadline = Date.now() + (target.podTimeoutMs ?? DEFAULT_POD_TIMEOUT_MS);
            const names = Array.from({ length: target.replicas }, (_, i) => `${target.statefulSet}-${i}`);
            const pods = await Promise.all(names.map((name) => readPod(core, name, deadline)));
            const zones = new Map<string, string | undefined>();
            for (const nodeName of new Set(pods.flatMap((p) => (p.spec?.nodeName ? [p.spec.nodeName] : [])))) {
                zones.set(nodeName, await zoneOf(core, nodeName));
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
