// A stand-in for the Kubernetes API server, on loopback over HTTPS with its own CA: the few endpoints the Kubernetes transport
// uses (read a pod, read a node) and pod port-forwarding over WebSocket (the v4.channel.k8s.io
// protocol `kubectl port-forward` speaks), forwarding to real valkey-servers on loopback addresses;
// and reading and JSON-patching PVCs, with a resizer that behaves as the claim asks. Requests it is
// told to hang are received and never answered; startSilentKubeApi never answers at all.
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as net from "net";
import { Duplex } from "stream";
import { makeCertificates } from "./tls";

export interface FakePod {
    readonly name: string;
    /** The pod IP the API reports (a loopback address the test server binds). */
    readonly ip: string;
    readonly nodeName: string;
    /** Where port-forwards of this pod go. */
    readonly target: { host: string; port: number };
    /** Its `controller-revision-hash` label (the StatefulSet revision it runs). @default none */
    readonly revision?: string;
    /** Its Ready condition (what its readiness probe says), with the kubelet's message when false. @default true */
    ready?: boolean;
}

/** A PVC, changed in place by PATCHes. */
export interface FakeClaim {
    request: string;
    capacity: string;
    /** What a larger request leads to: the capacity follows at once (default), after `afterReads` reads, only the FileSystemResizePending condition, a failed resize, or nothing. Or the patch is refused (a StorageClass without allowVolumeExpansion). */
    resizer?: "immediate" | "later" | "filesystem" | "failed" | "never" | "forbidden";
    /** For "later": how many reads still show the old capacity. */
    afterReads?: number;
    conditions?: string[];
    resizeStatus?: string;
}

export interface FakeKubeApi {
    /** A kubeconfig (YAML) for this server, with a bearer token. */
    readonly kubeconfig: string;
    /** Every request line received, e.g. "GET /api/v1/nodes/node-a". */
    readonly requests: string[];
    close(): Promise<void>;
}

const TOKEN = "fake-token";
const PROTOCOL = "v4.channel.k8s.io";

interface WebSocketLike {
    send(data: Buffer): void;
    close(): void;
    on(event: "message", cb: (data: Buffer) => void): void;
    on(event: "close" | "error", cb: () => void): void;
}
interface WebSocketServerLike {
    handleUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer, cb: (ws: WebSocketLike) => void): void;
    close(): void;
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
}

function status(res: http.ServerResponse, code: number, reason: string, message: string): void {
    json(res, code, { kind: "Status", apiVersion: "v1", status: "Failure", reason, message, code });
}

export async function startFakeKubeApi(
    namespace: string,
    pods: readonly FakePod[],
    zones: Readonly<Record<string, string>>,
    options: {
        forbidNodes?: boolean;
        claims?: Record<string, FakeClaim>;
        /** StatefulSets by name, with the revision their pods should run (status.updateRevision). */
        statefulSets?: Record<string, { updateRevision: string }>;
        /** Requests (by their line, e.g. "DELETE /api/v1/...", "UPGRADE /api/v1/...") that are received and never answered. */
        hang?: (request: string) => boolean;
    } = {},
): Promise<FakeKubeApi & { /** How many never-answered requests the client still keeps open. */ held(): number }> {
    const requests: string[] = [];
    const sockets = new Set<Duplex>();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { WebSocketServer } = require("ws") as { WebSocketServer: new (o: object) => WebSocketServerLike };
    const wss = new WebSocketServer({ noServer: true, handleProtocols: (offered: Set<string>) => (offered.has(PROTOCOL) ? PROTOCOL : false) });

    const certs = makeCertificates();
    const held = new Set<Duplex>();
    const hold = (socket: Duplex): void => {
        held.add(socket);
        socket.on("close", () => held.delete(socket));
    };
    const server = https.createServer({ cert: fs.readFileSync(certs.serverCert), key: fs.readFileSync(certs.serverKey) }, (req, res) => {
        requests.push(`${req.method} ${req.url}`);
        if (options.hang?.(`${req.method} ${req.url}`)) return hold(req.socket);
        if (req.headers.authorization !== `Bearer ${TOKEN}`) return status(res, 401, "Unauthorized", "Unauthorized");
        const url = new URL(req.url ?? "/", "http://localhost");
        const pod = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)$/.exec(url.pathname);
        if (pod && req.method === "GET") {
            const found = pod[1] === namespace ? pods.find((p) => p.name === pod[2]) : undefined;
            if (!found) return status(res, 404, "NotFound", `pods "${pod[2]}" not found`);
            return json(res, 200, {
                apiVersion: "v1",
                kind: "Pod",
                metadata: {
                    name: found.name,
                    namespace,
                    uid: `uid-${found.name}`,
                    ...(found.revision !== undefined ? { labels: { "controller-revision-hash": found.revision } } : {}),
                },
                spec: { nodeName: found.nodeName, terminationGracePeriodSeconds: 0, containers: [{ name: "valkey", image: "valkey" }] },
                status: {
                    phase: "Running",
                    podIP: found.ip,
                    conditions: [
                        found.ready === false
                            ? { type: "Ready", status: "False", reason: "ContainersNotReady", message: "containers with unready status: [valkey]" }
                            : { type: "Ready", status: "True" },
                    ],
                },
            });
        }
        if (pod && req.method === "DELETE") {
            // Recorded only: the pod stays as it is (no controller recreates it here).
            return json(res, 200, { kind: "Status", apiVersion: "v1", status: "Success" });
        }
        const sts = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/statefulsets\/([^/]+)$/.exec(url.pathname);
        if (sts && req.method === "GET") {
            const found = sts[1] === namespace ? options.statefulSets?.[sts[2]] : undefined;
            if (!found) return status(res, 404, "NotFound", `statefulsets.apps "${sts[2]}" not found`);
            return json(res, 200, {
                apiVersion: "apps/v1",
                kind: "StatefulSet",
                metadata: { name: sts[2], namespace, generation: 2 },
                status: { observedGeneration: 2, updateRevision: found.updateRevision },
            });
        }
        const pvc = /^\/api\/v1\/namespaces\/([^/]+)\/persistentvolumeclaims\/([^/]+)$/.exec(url.pathname);
        if (pvc && (req.method === "GET" || req.method === "PATCH")) {
            const claim = pvc[1] === namespace ? options.claims?.[pvc[2]] : undefined;
            if (!claim) return status(res, 404, "NotFound", `persistentvolumeclaims "${pvc[2]}" not found`);
            const show = () =>
                json(res, 200, {
                    apiVersion: "v1",
                    kind: "PersistentVolumeClaim",
                    metadata: { name: pvc[2], namespace },
                    spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: claim.request } } },
                    status: {
                        phase: "Bound",
                        capacity: { storage: claim.capacity },
                        conditions: (claim.conditions ?? []).map((type) => ({ type, status: "True" })),
                        ...(claim.resizeStatus !== undefined ? { allocatedResourceStatuses: { storage: claim.resizeStatus } } : {}),
                    },
                });
            if (req.method === "GET") {
                if (claim.resizer === "later" && claim.afterReads !== undefined && --claim.afterReads === 0) claim.capacity = claim.request;
                return show();
            }
            let text = "";
            req.on("data", (c: Buffer) => (text += c.toString()));
            req.on("end", () => {
                if (req.headers["content-type"] !== "application/json-patch+json") return status(res, 415, "UnsupportedMediaType", "expected a JSON patch");
                if (claim.resizer === "forbidden") {
                    return status(
                        res,
                        403,
                        "Forbidden",
                        `persistentvolumeclaims "${pvc[2]}" is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize`,
                    );
                }
                const ops = JSON.parse(text) as Array<{ op: string; path: string; value: string }>;
                for (const op of ops) {
                    if (op.path !== "/spec/resources/requests/storage") return status(res, 422, "Invalid", `unexpected path ${op.path}`);
                    if (op.op === "test" && op.value !== claim.request)
                        return status(res, 422, "Invalid", "the server rejected our request due to an error in our request");
                    if (op.op === "replace" || op.op === "add") claim.request = op.value;
                }
                if (claim.resizer === undefined || claim.resizer === "immediate") claim.capacity = claim.request;
                if (claim.resizer === "filesystem") claim.conditions = ["FileSystemResizePending"];
                if (claim.resizer === "failed") claim.resizeStatus = "ControllerResizeFailed";
                show();
            });
            return;
        }
        const node = /^\/api\/v1\/nodes\/([^/]+)$/.exec(url.pathname);
        if (node && req.method === "GET") {
            if (options.forbidNodes) return status(res, 403, "Forbidden", `nodes "${node[1]}" is forbidden: cannot get resource "nodes"`);
            const zone = zones[node[1]];
            return json(res, 200, {
                apiVersion: "v1",
                kind: "Node",
                metadata: { name: node[1], labels: zone !== undefined ? { "topology.kubernetes.io/zone": zone } : {} },
            });
        }
        status(res, 404, "NotFound", "the server could not find the requested resource");
    });

    server.on("upgrade", (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
        requests.push(`UPGRADE ${req.url}`);
        if (options.hang?.(`UPGRADE ${req.url}`)) return hold(socket);
        const url = new URL(req.url ?? "/", "http://localhost");
        const match = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/portforward$/.exec(url.pathname);
        const pod = match && match[1] === namespace ? pods.find((p) => p.name === match[2]) : undefined;
        const port = Number(url.searchParams.get("ports"));
        if (!pod || req.headers.authorization !== `Bearer ${TOKEN}`) {
            socket.end("HTTP/1.1 404 Not Found\r\n\r\n");
            return;
        }
        wss.handleUpgrade(req, socket, head, (ws) => {
            const upstream = net.connect(pod.target);
            sockets.add(upstream);
            const portBytes = Buffer.from([port & 0xff, port >> 8]);
            // Each channel opens with the port number: 0 carries data, 1 errors.
            ws.send(Buffer.concat([Buffer.from([0]), portBytes]));
            ws.send(Buffer.concat([Buffer.from([1]), portBytes]));
            upstream.on("data", (chunk: Buffer) => ws.send(Buffer.concat([Buffer.from([0]), chunk])));
            upstream.on("close", () => {
                sockets.delete(upstream);
                ws.close();
            });
            upstream.on("error", () => upstream.destroy());
            ws.on("message", (data: Buffer) => {
                if (data[0] === 0 && data.length > 1) upstream.write(data.subarray(1));
            });
            ws.on("close", () => upstream.destroy());
            ws.on("error", () => upstream.destroy());
        });
    });
    server.on("connection", (socket) => {
        sockets.add(socket);
        socket.on("close", () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as net.AddressInfo;
    return {
        kubeconfig: kubeconfigFor(port, fs.readFileSync(certs.caFile), namespace),
        requests,
        held: () => held.size,
        async close() {
            for (const s of sockets) s.destroy();
            wss.close();
            await new Promise((resolve) => server.close(() => resolve(undefined)));
        },
    };
}

/**
 * An API server that accepts connections and never answers, not even the TLS handshake: the
 * failure a client without deadlines waits on forever (a stuck load balancer, a paused control plane).
 */
export async function startSilentKubeApi(namespace: string): Promise<FakeKubeApi & { /** Connections the client still keeps open. */ open(): number }> {
    const requests: string[] = [];
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => {
        requests.push("CONNECT");
        sockets.add(socket);
        // Read (and drop) what the client sends, so that its hanging up is seen.
        socket.resume();
        socket.on("close", () => sockets.delete(socket));
        socket.on("error", () => socket.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as net.AddressInfo;
    return {
        kubeconfig: kubeconfigFor(port, fs.readFileSync(makeCertificates().caFile), namespace),
        requests,
        open: () => sockets.size,
        async close() {
            for (const s of sockets) s.destroy();
            await new Promise((resolve) => server.close(() => resolve(undefined)));
        },
    };
}

function kubeconfigFor(port: number, ca: Buffer, namespace: string): string {
    return [
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- name: fake",
        "  cluster:",
        `    server: https://127.0.0.1:${port}`,
        `    certificate-authority-data: ${ca.toString("base64")}`,
        "users:",
        "- name: tester",
        "  user:",
        `    token: ${TOKEN}`,
        "contexts:",
        "- name: fake",
        "  context:",
        "    cluster: fake",
        "    user: tester",
        `    namespace: ${namespace}`,
        "current-context: fake",
        "",
    ].join("\n");
}
