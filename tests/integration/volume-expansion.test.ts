// Growing a StatefulSet's PVCs through a (fake) Kubernetes API: only the smaller PVCs are patched,
// with a JSON patch guarded by a test of the value read; the expansion waits for the storage
// driver; refusals, failed resizes, timeouts and missing PVCs fail with the PVC's name and the cause.
// Then the guard's provider doing it on update, as Pulumi runs it.
import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import { guardProvider } from "../../sdk/resources/guard";
import { claimNames, claimStep, expandVolumes } from "../../provider/storage/expand";
import { TransportError } from "../../provider/errors";
import { FakeClaim, FakeKubeApi, startFakeKubeApi, startSilentKubeApi } from "../helpers/fake-kube-api";
import { failure } from "../helpers/nodes";

const NAMESPACE = "apps";
const where = { namespace: NAMESPACE, statefulSet: "cache", claimTemplate: "data" };

describe("claimStep and claimNames", () => {
    it("decides per PVC: patch a smaller request, wait for the driver, done, failed", () => {
        const claim = { name: "data-cache-0", conditions: [] };
        expect(claimStep({ ...claim, request: "1Gi", capacity: "1Gi" }, "2Gi")).to.equal("patch");
        expect(claimStep({ ...claim, capacity: "1Gi" }, "2Gi")).to.equal("patch");
        expect(claimStep({ ...claim, request: "2Gi", capacity: "1Gi" }, "2Gi")).to.equal("wait");
        expect(claimStep({ ...claim, request: "2Gi", capacity: "1Gi", conditions: ["Resizing"] }, "2Gi")).to.equal("wait");
        expect(claimStep({ ...claim, request: "2Gi", capacity: "1Gi", conditions: ["FileSystemResizePending"] }, "2Gi")).to.equal("done");
        expect(claimStep({ ...claim, request: "2Gi", capacity: "2048Mi" }, "2Gi")).to.equal("done");
        expect(claimStep({ ...claim, request: "4Gi", capacity: "4Gi" }, "2Gi")).to.equal("done");
        expect(claimStep({ ...claim, request: "2Gi", capacity: "1Gi", resizeStatus: "ControllerResizeFailed" }, "2Gi")).to.equal("failed");
        expect(claimStep({ ...claim, request: "2Gi", capacity: "1Gi", resizeStatus: "NodeResizeFailed" }, "2Gi")).to.equal("failed");
    });

    it("names the PVCs of ordinals 0..replicas-1 after the claim template", () => {
        expect(claimNames({ claimTemplate: "data", statefulSet: "poc", replicas: 3 })).to.deep.equal(["data-poc-0", "data-poc-1", "data-poc-2"]);
        expect(claimNames({ claimTemplate: "data", statefulSet: "poc", replicas: 0 })).to.deep.equal([]);
    });
});

describe("expandVolumes through a (fake) Kubernetes API", function () {
    this.timeout(60000);
    const apis: FakeKubeApi[] = [];
    after(async () => {
        for (const api of apis) await api.close();
    });
    async function api(claims: Record<string, FakeClaim>): Promise<FakeKubeApi> {
        const started = await startFakeKubeApi(NAMESPACE, [], {}, { claims });
        apis.push(started);
        return started;
    }

    it("patches only the PVCs below the size and returns every capacity", async () => {
        const claims: Record<string, FakeClaim> = {
            "data-cache-0": { request: "1Gi", capacity: "1Gi" },
            "data-cache-1": { request: "2048Mi", capacity: "2048Mi" },
            "data-cache-2": { request: "4Gi", capacity: "4Gi" },
        };
        const server = await api(claims);
        const result = await expandVolumes({ ...where, kubeconfig: server.kubeconfig, replicas: 3 }, "2Gi");
        expect(result).to.deep.equal({ "data-cache-0": "2Gi", "data-cache-1": "2048Mi", "data-cache-2": "4Gi" });
        expect(server.requests.filter((r) => r.startsWith("PATCH"))).to.deep.equal([
            "PATCH /api/v1/namespaces/apps/persistentvolumeclaims/data-cache-0?fieldManager=pulumi-valkey",
        ]);
        expect(Object.values(claims).map((c) => c.request)).to.deep.equal(["2Gi", "2048Mi", "4Gi"]);
    });

    it("waits until the driver reports the capacity, or only the filesystem resize is pending", async () => {
        const server = await api({
            "data-cache-0": { request: "1Gi", capacity: "1Gi", resizer: "later", afterReads: 3 },
            "data-cache-1": { request: "1Gi", capacity: "1Gi", resizer: "filesystem" },
        });
        const result = await expandVolumes({ ...where, kubeconfig: server.kubeconfig, replicas: 2 }, "3Gi");
        expect(result).to.deep.equal({ "data-cache-0": "3Gi", "data-cache-1": "1Gi" });
        // Three reads of data-cache-0 (the fake's resizer answers on the third): before the patch, then two while waiting.
        expect(server.requests.filter((r) => r === "GET /api/v1/namespaces/apps/persistentvolumeclaims/data-cache-0")).to.have.length(3);
    });

    it("fails with the PVC and the API's reason when the StorageClass cannot expand", async () => {
        const server = await api({ "data-cache-0": { request: "1Gi", capacity: "1Gi", resizer: "forbidden" } });
        const error = await failure(expandVolumes({ ...where, kubeconfig: server.kubeconfig, replicas: 1 }, "2Gi"));
        expect(error.message).to.equal(
            'PVC apps/data-cache-0 could not grow from 1Gi to 2Gi: HTTP 403: persistentvolumeclaims "data-cache-0" is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize (its StorageClass must set allowVolumeExpansion: true)',
        );
    });

    it("fails when the driver reports a failed resize, when it takes too long, and when a PVC is missing", async () => {
        const server = await api({
            "data-cache-0": { request: "1Gi", capacity: "1Gi", resizer: "failed" },
        });
        const failed = await failure(expandVolumes({ ...where, kubeconfig: server.kubeconfig, replicas: 1 }, "2Gi"));
        expect(failed.message).to.equal(
            "PVC apps/data-cache-0 could not grow to 2Gi: requests 2Gi, capacity 1Gi, resize ControllerResizeFailed; see `kubectl describe pvc -n apps data-cache-0`",
        );
        const slow = await failure(
            expandVolumes(
                {
                    ...where,
                    statefulSet: "other",
                    kubeconfig: (await api({ "data-other-0": { request: "1Gi", capacity: "1Gi", resizer: "never" } })).kubeconfig,
                    replicas: 1,
                    timeoutMs: 1000,
                },
                "2Gi",
            ),
        );
        expect(slow.message).to.equal(
            "PVC apps/data-other-0 has not grown to 2Gi after 1 s (requests 2Gi, capacity 1Gi); the storage driver may still be resizing it: check `kubectl describe pvc -n apps data-other-0`, then run `pulumi up` again",
        );
        // data-cache-0 already holds 1Gi; data-cache-1 does not exist.
        const missing = await failure(expandVolumes({ ...where, kubeconfig: server.kubeconfig, replicas: 2 }, "1Gi"));
        expect(missing.message).to.equal('cannot read PVC apps/data-cache-1: HTTP 404: persistentvolumeclaims "data-cache-1" not found');
    });

    it("bounds every API call by the timeout: an API server that never answers, a patch that is never answered", async () => {
        const silent = await startSilentKubeApi(NAMESPACE);
        const hanging = await startFakeKubeApi(
            NAMESPACE,
            [],
            {},
            { claims: { "data-cache-0": { request: "1Gi", capacity: "1Gi" } }, hang: (r) => r.startsWith("PATCH ") },
        );
        apis.push(hanging);
        try {
            for (const [kubeconfig, message, open] of [
                [silent.kubeconfig, "cannot read PVC apps/data-cache-0: no answer from the Kubernetes API within 2 s", silent.open],
                [hanging.kubeconfig, "cannot patch PVC apps/data-cache-0: no answer from the Kubernetes API within 2 s", hanging.held],
            ] as const) {
                const started = Date.now();
                const error = await failure(expandVolumes({ ...where, kubeconfig, replicas: 1, timeoutMs: 2000 }, "2Gi"));
                expect(Date.now() - started).to.be.within(1950, 5000);
                expect(error).to.be.instanceOf(TransportError);
                expect(error.message).to.equal(message);
                for (let i = 0; i < 20 && open() > 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
                expect(open(), "requests still in flight").to.equal(0);
            }
        } finally {
            await silent.close();
        }
    });

    it("refuses a size that is not a quantity, and never prints the kubeconfig", async () => {
        expect((await failure(expandVolumes({ ...where, replicas: 1 }, "2GB"))).message).to.equal('"2GB" is not a Kubernetes quantity');
        const broken = await failure(expandVolumes({ ...where, kubeconfig: "token: sekret-token\n: [", replicas: 1 }, "2Gi"));
        expect(broken.message).to.match(/^cannot load the kubeconfig: /);
        expect(broken.message).to.not.contain("sekret");
    });

    it("is what the guard does on update, with the recorded outputs free of the kubeconfig", async () => {
        // The provider require()s this package by name, as from a program's node_modules.
        const link = path.resolve(__dirname, "../../../node_modules/pulumi-valkey");
        if (!fs.existsSync(link)) fs.symlinkSync("..", link);
        const claims: Record<string, FakeClaim> = {
            "data-cache-0": { request: "1Gi", capacity: "1Gi" },
            "data-cache-1": { request: "1Gi", capacity: "1Gi" },
        };
        const server = await api(claims);
        const olds = { subject: 'Valkey "cache"', pvc: { storageSize: "1Gi" }, volumes: { ...where, replicas: 1 } };
        const news = { subject: 'Valkey "cache"', pvc: { storageSize: "5Gi" }, volumes: { ...where, kubeconfig: server.kubeconfig, replicas: 2 } };
        expect((await guardProvider.check!(olds, news)).failures).to.deep.equal([]);
        const updated = await guardProvider.update!("id", olds, news);
        expect(updated.outs).to.deep.equal({ subject: 'Valkey "cache"', pvc: { storageSize: "5Gi" }, volumes: { ...where, replicas: 2 } });
        expect(Object.values(claims).map((c) => [c.request, c.capacity])).to.deep.equal([
            ["5Gi", "5Gi"],
            ["5Gi", "5Gi"],
        ]);
    });
});
