import { expect } from "chai";
import * as net from "net";
import { converge } from "../../provider/converge/converge";
import { topologyHandlers } from "../../provider/dynamic/handlers";
import { TransportError } from "../../provider/errors";
import { currentReplicas, kubernetesRestarter, kubernetesTransport } from "../../provider/nodes/kubernetes";
import { clusterInfo, failure } from "../helpers/nodes";
import { FakeKubeApi, FakePod, startFakeKubeApi, startSilentKubeApi } from "../helpers/fake-kube-api";
import { freePort, startValkey, stopAllValkeys, ValkeyProcess } from "../helpers/valkey";

const NAMESPACE = "apps";

describe("Kubernetes transport: pods through a (fake) API server and port-forwards", function () {
    this.timeout(60000);
    let api: FakeKubeApi | undefined;
    after(async () => {
        await api?.close();
        await stopAllValkeys();
    });

    it("converges a StatefulSet's pods: MEET by pod IP, replicas in another zone than their primary", async () => {
        // Six "pods" with distinct loopback IPs and the same port, like pods on a pod network.
        const port = await freePort();
        const servers: ValkeyProcess[] = await Promise.all(
            Array.from({ length: 6 }, (_, i) => {
                const ip = `127.0.0.${20 + i}`;
                // As the pod contract: announce the pod IP; and leave from it, as a pod's only address.
                return startValkey({ cluster: true, host: ip, port, args: ["--cluster-announce-ip", ip, "--bind-source-addr", ip] });
            }),
        );
        // Pods 0 and 3 share node a (zone z1), 1 and 4 node b (z2), 2 and 5 node c (z3).
        const nodeNames = ["node-a", "node-b", "node-c", "node-a", "node-b", "node-c"];
        const pods: FakePod[] = servers.map((s, i) => ({ name: `cache-${i}`, ip: s.host, nodeName: nodeNames[i], target: { host: s.host, port } }));
        api = await startFakeKubeApi(NAMESPACE, pods, { "node-a": "z1", "node-b": "z2", "node-c": "z3" });

        const transport = kubernetesTransport({ kubeconfig: api.kubeconfig, namespace: NAMESPACE, statefulSet: "cache", replicas: 6, port });
        const log: string[] = [];
        const result = await converge(
            { topology: { kind: "cluster", masters: 3, replicasPerMaster: 1 }, transport },
            { timeoutMs: 30000, log: (l) => log.push(l) },
        ).catch((e: Error) => {
            throw new Error(`${e.message}\n${log.slice(-5).join("\n")}`);
        });
        expect(result.nodes.map((n) => [n.name, n.address, n.role])).to.deep.equal([
            ["cache-0", `127.0.0.20:${port}`, "primary"],
            ["cache-1", `127.0.0.21:${port}`, "primary"],
            ["cache-2", `127.0.0.22:${port}`, "primary"],
            ["cache-3", `127.0.0.23:${port}`, "replica"],
            ["cache-4", `127.0.0.24:${port}`, "replica"],
            ["cache-5", `127.0.0.25:${port}`, "replica"],
        ]);
        // No replica shares its primary's node or zone.
        expect(result.layout.replicas).to.deep.equal([
            { node: "cache-3", primary: "cache-1" },
            { node: "cache-4", primary: "cache-2" },
            { node: "cache-5", primary: "cache-0" },
        ]);
        expect(result.actions).to.include(`cache-0: CLUSTER MEET 127.0.0.21 ${port} ${port + 10000} (meet cache-1)`);
        for (const s of servers) expect((await clusterInfo(s)).cluster_state).to.equal("ok");
        expect(api.requests).to.include("GET /api/v1/namespaces/apps/pods/cache-5");
        expect(api.requests).to.include("GET /api/v1/nodes/node-a");
        expect(api.requests.some((r) => r.startsWith(`UPGRADE /api/v1/namespaces/apps/pods/cache-0/portforward?ports=${port}`))).to.equal(true);

        // The second run through new forwards changes nothing.
        const again = await converge({ topology: { kind: "cluster", masters: 3, replicasPerMaster: 1 }, transport });
        expect(again.mutations, again.actions.join("\n") + "\n" + log.join("\n")).to.equal(0);
    });

    it("reports RUNNING only once the pods are Ready (their readiness probe passes), else fails naming each unready pod (issue 11, finding 7)", async () => {
        const server = await startValkey({});
        const pod: FakePod = { name: "solo-0", ip: "127.0.0.1", nodeName: "node-a", target: { host: server.host, port: server.port } };
        const readyApi = await startFakeKubeApi(NAMESPACE, [pod], { "node-a": "z1" });
        try {
            const inputs = {
                providerVersion: "test",
                topology: { kind: "standalone" as const },
                transport: {
                    kind: "kubernetes" as const,
                    kubeconfig: readyApi.kubeconfig,
                    namespace: NAMESPACE,
                    statefulSet: "solo",
                    replicas: 1,
                    podTimeoutMs: 500,
                },
            };
            const { outs } = await topologyHandlers.create(inputs);
            expect(outs.state).to.equal("RUNNING");
            expect(outs.lastActions).to.include("solo-0: Ready (the readiness probe passes)");
            // The node answers the provider, but its probe fails (e.g. it authenticates as a disabled default user).
            pod.ready = false;
            const error = await topologyHandlers.update("apps/solo", outs, inputs).then(
                () => undefined,
                (e: Error) => e.message,
            );
            expect(error).to.equal(
                "pod apps/solo-0 (containers with unready status: [valkey]) not Ready after 0.5 s: the readiness probe fails, so the client Service has no endpoint for it although the nodes answer",
            );
        } finally {
            await readyApi.close();
        }
    });

    it("places by host only when nodes cannot be read, and names a missing pod", async () => {
        const servers = await Promise.all([0, 1].map(() => startValkey({})));
        const pods: FakePod[] = servers.map((s, i) => ({ name: `db-${i}`, ip: "127.0.0.1", nodeName: "node-a", target: { host: s.host, port: s.port } }));
        const forbidden = await startFakeKubeApi(NAMESPACE, pods, {}, { forbidNodes: true });
        try {
            const log: string[] = [];
            const transport = kubernetesTransport({ kubeconfig: forbidden.kubeconfig, namespace: NAMESPACE, statefulSet: "db", replicas: 2, port: 6379 }, (l) =>
                log.push(l),
            );
            const targets = await transport.open();
            expect(targets.map((t) => [t.name, t.announce, t.placement])).to.deep.equal([
                ["db-0", { host: "127.0.0.1", port: 6379 }, { host: "node-a" }],
                ["db-1", { host: "127.0.0.1", port: 6379 }, { host: "node-a" }],
            ]);
            expect(log).to.deep.equal([
                'cannot read node node-a for its zone (HTTP 403: nodes "node-a" is forbidden: cannot get resource "nodes"); placing replicas by host only',
            ]);
            await transport.close();

            // Sentinel plans announce stable DNS names instead of pod IPs.
            const byName = kubernetesTransport({
                kubeconfig: forbidden.kubeconfig,
                namespace: NAMESPACE,
                statefulSet: "db",
                replicas: 2,
                announceHostnames: { serviceName: "db-headless" },
            });
            expect((await byName.open()).map((t) => t.announce)).to.deep.equal([
                { host: `db-0.db-headless.${NAMESPACE}.svc.cluster.local`, port: 6379 },
                { host: `db-1.db-headless.${NAMESPACE}.svc.cluster.local`, port: 6379 },
            ]);
            await byName.close();

            const missing = kubernetesTransport({ kubeconfig: forbidden.kubeconfig, namespace: NAMESPACE, statefulSet: "db", replicas: 3, podTimeoutMs: 300 });
            let error: unknown;
            try {
                await missing.open();
            } catch (e) {
                error = e;
            }
            expect(error).to.be.instanceOf(TransportError);
            expect((error as Error).message).to.equal("pod apps/db-2 does not exist after 0.3 s");
        } finally {
            await forbidden.close();
        }
    });
});

describe("Kubernetes API deadlines: an API server that accepts connections and never answers", function () {
    // Each case waits out a 2 s deadline; without deadlines each would wait forever.
    this.timeout(10000);
    const TIMEOUT_MS = 2000;
    const SLACK_MS = 3000;
    let silent: Awaited<ReturnType<typeof startSilentKubeApi>>;
    before(async () => {
        silent = await startSilentKubeApi(NAMESPACE);
    });
    after(async () => {
        await silent.close();
    });

    /** The error `run` fails with, after checking it came at the deadline and left no connection open. */
    async function atDeadline(run: () => Promise<unknown>, open: () => number = () => silent.open()): Promise<Error> {
        const started = Date.now();
        const error = await failure(run());
        const elapsed = Date.now() - started;
        expect(elapsed, `failed after ${elapsed} ms`).to.be.within(TIMEOUT_MS - 50, TIMEOUT_MS + SLACK_MS);
        expect(error).to.be.instanceOf(TransportError);
        for (let i = 0; i < 20 && open() > 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
        expect(open(), "requests still in flight").to.equal(0);
        return error;
    }
    const target = () => ({ kubeconfig: silent.kubeconfig, namespace: NAMESPACE, statefulSet: "db", replicas: 1, podTimeoutMs: TIMEOUT_MS });

    it("open() fails at the pod timeout, naming the pod, without quoting the kubeconfig", async () => {
        const error = await atDeadline(() => kubernetesTransport(target()).open());
        expect(error.message).to.equal("cannot read pod apps/db-0: no answer from the Kubernetes API within 2 s");
        expect(silent.requests.length).to.be.greaterThan(0);
    });

    it("the restarter's outdated() and restart() fail at the pod timeout", async () => {
        const restarter = kubernetesRestarter(target());
        expect((await atDeadline(() => restarter.outdated())).message).to.equal(
            "cannot read StatefulSet apps/db: no answer from the Kubernetes API within 2 s",
        );
        expect((await atDeadline(() => restarter.restart("db-0"))).message).to.equal("cannot read pod apps/db-0: no answer from the Kubernetes API within 2 s");
    });

    it("currentReplicas() fails at the pod timeout", async () => {
        expect((await atDeadline(() => currentReplicas(target()))).message).to.equal(
            "cannot read StatefulSet apps/db: no answer from the Kubernetes API within 2 s",
        );
    });

    it("restart() bounds the delete and the wait for the new pod too", async () => {
        const pods: FakePod[] = [{ name: "db-0", ip: "127.0.0.1", nodeName: "node-a", target: { host: "127.0.0.1", port: 1 } }];
        const deleting = await startFakeKubeApi(NAMESPACE, pods, {}, { hang: (r) => r.startsWith("DELETE ") });
        let reads = 0;
        // The fake never recreates the pod: the second read (the first after the delete) hangs.
        const waiting = await startFakeKubeApi(NAMESPACE, pods, {}, { hang: (r) => r.startsWith("GET /api/v1/namespaces/apps/pods/db-0") && ++reads > 1 });
        try {
            const refused = await atDeadline(() => kubernetesRestarter({ ...target(), kubeconfig: deleting.kubeconfig }).restart("db-0"), deleting.held);
            expect(refused.message).to.equal("cannot delete pod apps/db-0: no answer from the Kubernetes API within 2 s");
            // The wait after the delete has the pod timeout plus the grace period (0 s in the fake).
            const lost = await atDeadline(() => kubernetesRestarter({ ...target(), kubeconfig: waiting.kubeconfig }).restart("db-0"), waiting.held);
            expect(lost.message).to.equal("cannot read pod apps/db-0: no answer from the Kubernetes API within 2 s");
            expect(waiting.requests.filter((r) => r.startsWith("DELETE "))).to.deep.equal(["DELETE /api/v1/namespaces/apps/pods/db-0"]);
        } finally {
            await deleting.close();
            await waiting.close();
        }
    });

    it("a port-forward whose WebSocket never opens drops its connection at the pod timeout, with the reason", async () => {
        const pods: FakePod[] = [{ name: "db-0", ip: "127.0.0.1", nodeName: "node-a", target: { host: "127.0.0.1", port: 1 } }];
        const api = await startFakeKubeApi(NAMESPACE, pods, {}, { hang: (r) => r.startsWith("UPGRADE ") });
        const transport = kubernetesTransport({ ...target(), kubeconfig: api.kubeconfig });
        try {
            const [node] = await transport.open();
            const started = Date.now();
            const socket = net.connect(node.dial);
            socket.on("error", () => undefined);
            await new Promise((resolve) => socket.on("close", resolve));
            const elapsed = Date.now() - started;
            expect(elapsed, `closed after ${elapsed} ms`).to.be.within(TIMEOUT_MS - 50, TIMEOUT_MS + SLACK_MS);
            expect(node.diagnose?.()).to.equal("port-forward to db-0 failed: no answer from the Kubernetes API within 2 s");
            for (let i = 0; i < 20 && api.held() > 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
            expect(api.held(), "handshakes still in flight").to.equal(0);
        } finally {
            await transport.close();
            await api.close();
        }
    });
});
