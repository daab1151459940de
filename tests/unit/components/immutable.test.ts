// Immutable fields (issue 11, finding 6; the rules: sdk/spec/changes.ts): the components record them on their `<name>-immutable`
// guard, whose `check` (what `pulumi preview` runs with the recorded inputs as olds) refuses a
// change with the field, the old and the new value, before any Kubernetes object of the component
// is registered. The inputs come from real components under mocks; the checks run the guard's
// provider, directly and as Pulumi serializes it.
import * as path from "path";
import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { existingSecrets, installMocks, mockPem, one, registered, reset, restoreWarn, settle } from "../../helpers/mocks";
import { SEED_000_SPEC, SEED_001_SPEC } from "../../helpers/seeds";
import { Redis, Valkey, ValkeyCluster } from "../../../sdk";
import { guardProvider } from "../../../sdk/resources/guard";

const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
type Inputs = Record<string, unknown>;

/** The inputs of `<name>-immutable` for a component built by `build`, without the serialized provider. */
async function immutableInputs(type: string, name: string, build: () => { serviceUri: pulumi.Output<string> }): Promise<Inputs> {
    reset();
    await settle(build().serviceUri);
    const { __provider: _provider, ...inputs } = one(`pulumi-nodejs:dynamic/valkey:${type}`, `${name}-immutable`).inputs;
    return inputs;
}

const valkey = (spec: Record<string, unknown>) => immutableInputs("ValkeyServiceGuard", "my-valkey", () => new Valkey("my-valkey", spec as never));

async function failuresOf(olds: Inputs, news: Inputs) {
    const result = await guardProvider.check!(olds, news);
    expect(result.inputs).to.equal(news);
    return result.failures;
}

const NAMESPACE_WHY = "every object would be re-created in the other namespace, and the StatefulSet's PVCs (the data) deleted with the old one.";

describe("immutable fields: the <name>-immutable guard refuses a change at check (preview)", () => {
    before(installMocks);
    after(restoreWarn);
    beforeEach(reset);

    it("Valkey: changing project (hence the namespace) fails with both fields, the old and the new value", async () => {
        const olds = await valkey(SEED_000_SPEC);
        const news = await valkey({ ...SEED_000_SPEC, project: "other-project" });
        expect(await failuresOf(olds, news)).to.deep.equal([
            {
                property: "project",
                reason: 'Valkey "my-valkey": project cannot change after creation (was "my-aiven-project", now "other-project"): the seeds make it immutable, and it names the namespace of every object (unless kubernetes.namespace is set): the StatefulSet would be replaced in another namespace and its PVCs deleted with the old one. Keep "my-aiven-project", or create a new resource and move the data.',
            },
            {
                property: "kubernetes.namespace",
                reason: `Valkey "my-valkey": kubernetes.namespace cannot change after creation (was "my-aiven-project", now "other-project"): it is the namespace of every object (by default from the project): ${NAMESPACE_WHY} Keep "my-aiven-project", or create a new resource and move the data.`,
            },
        ]);
    });

    it("Valkey: every other immutable field of the seeds, and kubernetes.namespace, fails with its own message", async () => {
        const olds = await valkey(SEED_000_SPEC);
        const cases: [Record<string, unknown>, string, string][] = [
            [
                { kubernetes: { namespace: "elsewhere" } },
                "kubernetes.namespace",
                `kubernetes.namespace cannot change after creation (was "my-aiven-project", now "elsewhere"): it is the namespace of every object (by default from the project): ${NAMESPACE_WHY} Keep "my-aiven-project", or create a new resource and move the data.`,
            ],
            [
                { connInfoSecretTarget: { name: "renamed" } },
                "connInfoSecretTarget.name",
                'connInfoSecretTarget.name cannot change after creation (was "my-valkey-secret", now "renamed"): the seeds make it immutable: applications load the connection Secret by this name, and a new name deletes the Secret they read. Keep "my-valkey-secret", or create a new resource and move the data.',
            ],
            [
                { connInfoSecretTarget: undefined },
                "connInfoSecretTarget.name",
                'connInfoSecretTarget.name cannot change after creation (was "my-valkey-secret", now "my-valkey"): the seeds make it immutable: applications load the connection Secret by this name, and a new name deletes the Secret they read. Keep "my-valkey-secret", or create a new resource and move the data.',
            ],
            [
                { connInfoSecretTargetDisabled: true },
                "connInfoSecretTargetDisabled",
                "connInfoSecretTargetDisabled cannot change after creation (was false, now true): the seeds make it immutable: it decides whether the connection Secret that applications read exists at all. Keep false, or create a new resource and move the data.",
            ],
            [
                { serviceIntegrations: [{ integrationType: "read_replica", sourceServiceName: "primary" }] },
                "serviceIntegrations",
                'serviceIntegrations cannot change after creation (was unset, now [{"integrationType":"read_replica","sourceServiceName":"primary"}]): the seeds make it immutable: an integration is applied only when the service is created. Leave it unset, or create a new resource and move the data.',
            ],
            [
                { userConfig: { ...SEED_000_SPEC.userConfig, project_to_fork_from: "old-project" } },
                "userConfig.project_to_fork_from",
                'userConfig.project_to_fork_from cannot change after creation (was unset, now "old-project"): the seeds make it immutable: a service is forked only when it is created. Leave it unset, or create a new resource and move the data.',
            ],
            [
                { userConfig: { ...SEED_000_SPEC.userConfig, service_to_fork_from: "old-service" } },
                "userConfig.service_to_fork_from",
                'userConfig.service_to_fork_from cannot change after creation (was unset, now "old-service"): the seeds make it immutable: a service is forked only when it is created. Leave it unset, or create a new resource and move the data.',
            ],
        ];
        for (const [change, property, message] of cases) {
            const news = await valkey({ ...SEED_000_SPEC, ...change });
            expect(await failuresOf(olds, news), property).to.deep.equal([{ property, reason: `Valkey "my-valkey": ${message}` }]);
        }
        // And back: a fork field recorded at creation cannot be dropped either.
        const forked = await valkey({ ...SEED_000_SPEC, userConfig: { service_to_fork_from: "old-service" } });
        expect((await failuresOf(forked, olds))!.map((f) => f.reason)).to.deep.equal([
            'Valkey "my-valkey": userConfig.service_to_fork_from cannot change after creation (was "old-service", now unset): the seeds make it immutable: a service is forked only when it is created. Keep "old-service", or create a new resource and move the data.',
        ]);
    });

    it("Valkey: changing mutable fields (plan, disk, tags, userConfig, window, Secret prefix and labels) passes", async () => {
        const olds = await valkey(SEED_000_SPEC);
        const news = await valkey({
            ...SEED_000_SPEC,
            plan: "business-8",
            disk_space: "40GiB",
            tags: { env: "prod" },
            maintenanceWindowDow: "monday",
            maintenanceWindowTime: "02:00:00",
            connInfoSecretTarget: { name: "my-valkey-secret", prefix: "CACHE_", labels: { team: "a" } },
            userConfig: { valkey_maxmemory_policy: "allkeys-lru", valkey_io_threads: 2 },
            terminationProtection: true,
        });
        expect(await failuresOf(olds, news)).to.deep.equal([]);
        // The explicit default is no change: the Secret is named after the resource either way.
        expect(
            await failuresOf(
                await valkey({ project: "p", plan: "startup-4" }),
                await valkey({ project: "p", plan: "startup-4", connInfoSecretTarget: { name: "my-valkey" }, connInfoSecretTargetDisabled: false }),
            ),
        ).to.deep.equal([]);
        // kubernetes.namespace set to the namespace the project already gave: nothing moves.
        expect(await failuresOf(olds, await valkey({ ...SEED_000_SPEC, kubernetes: { namespace: "my-aiven-project" } }))).to.deep.equal([]);
    });

    it("Redis: the same rules, named after the Redis resource", async () => {
        const redis = (spec: Record<string, unknown>) => immutableInputs("ValkeyServiceGuard", "k8s-redis", () => new Redis("k8s-redis", spec as never));
        const olds = await redis(SEED_001_SPEC);
        const news = await redis({ ...SEED_001_SPEC, kubernetes: { namespace: "my-aiven-project" }, project: "renamed" });
        expect(await failuresOf(olds, news)).to.deep.equal([
            {
                property: "project",
                reason: 'Redis "k8s-redis": project cannot change after creation (was "my-aiven-project", now "renamed"): the seeds make it immutable, and it names the namespace of every object (unless kubernetes.namespace is set): the StatefulSet would be replaced in another namespace and its PVCs deleted with the old one. Keep "my-aiven-project", or create a new resource and move the data.',
            },
        ]);
    });

    it("ValkeyCluster: changing namespace fails with the old and the new value; masterCount, resources and labels do not", async () => {
        const cluster = (spec: Record<string, unknown>) => immutableInputs("ValkeyClusterGuard", "poc", () => new ValkeyCluster("poc", spec as never));
        const olds = await cluster({ masterCount: 3, replicasPerMaster: 1 });
        expect(await failuresOf(olds, await cluster({ masterCount: 3, replicasPerMaster: 1, namespace: "valkey" }))).to.deep.equal([
            {
                property: "namespace",
                reason: `ValkeyCluster "poc": namespace cannot change after creation (was "default", now "valkey"): it is the namespace of every object: ${NAMESPACE_WHY} Keep "default", or create a new resource and move the data.`,
            },
        ]);
        expect(await failuresOf(olds, await cluster({ masterCount: 3, replicasPerMaster: 1, namespace: "default" }))).to.deep.equal([]);
        expect(
            await failuresOf(olds, await cluster({ masterCount: 4, replicasPerMaster: 2, labels: { team: "a" }, resources: { limits: { memory: "2Gi" } } })),
        ).to.deep.equal([]);
    });

    it("TLS switched on or off, and fewer databases, fail under the user's field (Valkey, Redis, ValkeyCluster)", async () => {
        const TLS =
            "clients connect over one protocol on port 6379, and turning TLS on or off would cut every client that speaks the other one; the pods would also have to restart before the provider could reach them over the new protocol.";
        const plain = await valkey(SEED_000_SPEC);
        expect(await failuresOf(plain, await valkey({ ...SEED_000_SPEC, userConfig: { valkey_ssl: true, valkey_number_of_databases: 8 } }))).to.deep.equal([
            {
                property: "userConfig.valkey_ssl",
                reason: `Valkey "my-valkey": userConfig.valkey_ssl cannot be turned on after creation (was false, now true): ${TLS} Keep false, or create a new resource and move the data.`,
            },
            {
                property: "userConfig.valkey_number_of_databases",
                reason: 'Valkey "my-valkey": userConfig.valkey_number_of_databases cannot decrease (was 16, now 8): a node restarted with fewer databases refuses to load a dump that holds keys of a higher one, and does not start. Keep it at 16 or more, or create a new resource and move the data.',
            },
        ]);
        // The explicit default is no change; more databases are fine.
        expect(await failuresOf(plain, await valkey({ ...SEED_000_SPEC, userConfig: { valkey_ssl: false, valkey_number_of_databases: 32 } }))).to.deep.equal(
            [],
        );
        const redis = (spec: Record<string, unknown>) => immutableInputs("ValkeyServiceGuard", "k8s-redis", () => new Redis("k8s-redis", spec as never));
        expect(
            (await failuresOf(await redis({ ...SEED_001_SPEC, userConfig: { redis_ssl: true } }), await redis(SEED_001_SPEC)))!.map((f) => f.reason),
        ).to.deep.equal([
            `Redis "k8s-redis": userConfig.redis_ssl cannot be turned off after creation (was true, now false): ${TLS} Keep true, or create a new resource and move the data.`,
        ]);
        const cluster = (spec: Record<string, unknown>) => immutableInputs("ValkeyClusterGuard", "poc", () => new ValkeyCluster("poc", spec as never));
        const noTls = await cluster({ masterCount: 3, replicasPerMaster: 1 });
        const internal = await cluster({ masterCount: 3, replicasPerMaster: 1, tls: {} });
        expect((await failuresOf(noTls, internal))!.map((f) => f.reason)).to.deep.equal([
            `ValkeyCluster "poc": tls cannot be turned on after creation (was unset, now true): ${TLS} Leave it unset, or create a new resource and move the data.`,
        ]);
        const pem = (kind: string) => Buffer.from(mockPem(kind, "cert-manager")).toString("base64");
        const external = await immutableInputs("ValkeyClusterGuard", "poc", () => {
            existingSecrets["default/poc-certs"] = { "tls.crt": pem("CERTIFICATE"), "tls.key": pem("PRIVATE KEY"), "ca.crt": pem("CERTIFICATE") };
            return new ValkeyCluster("poc", { masterCount: 3, replicasPerMaster: 1, tls: { externalCerts: "poc-certs" } });
        });
        expect((await failuresOf(internal, external))!.map((f) => f.reason)).to.deep.equal([
            'ValkeyCluster "poc": tls.externalCerts cannot be set after creation (was unset, now "poc-certs"): the pods would mount the other certificates only after a restart, which the provider needs them to present the new certificate for. Leave it unset, or create a new resource and move the data.',
        ]);
    });

    it("the provider as Pulumi serializes it gives the same failure", async () => {
        reset();
        await settle(new Valkey("my-valkey", SEED_000_SPEC).serviceUri);
        const text = one("pulumi-nodejs:dynamic/valkey:ValkeyServiceGuard", "my-valkey-immutable").inputs.__provider as string;
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const requireFromString = require(require.resolve("require-from-string", { paths: [path.dirname(require.resolve("@pulumi/pulumi"))] }));
        const provider = requireFromString(text).handler() as pulumi.dynamic.ResourceProvider;
        const olds = await valkey(SEED_000_SPEC);
        const news = await valkey({ ...SEED_000_SPEC, project: "other-project" });
        const result = await provider.check!(olds, news);
        expect(result.failures!.map((f) => f.property)).to.deep.equal(["project", "kubernetes.namespace"]);
        expect(result.failures![0].reason).to.match(
            /^Valkey "my-valkey": project cannot change after creation \(was "my-aiven-project", now "other-project"\)/,
        );
    });

    it("every Kubernetes object of the component depends on the immutable guard, so a refusal moves nothing", async () => {
        reset();
        const dependencies = new Map<string, string[]>();
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        const monitor = pulumi.runtime.getMonitor() as any;
        const register = monitor.registerResource.bind(monitor);
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        monitor.registerResource = (req: any, callback: any) => {
            const urn = `${req.getType()}::${req.getName()}`;
            // urn:pulumi:<stack>::<project>::<parent types>$<type>::<name> -> <type>::<name>
            const deps: string[] = req.getDependenciesList().map((u: string) => {
                const parts = u.split("::");
                return `${parts[2].split("$").slice(-1)[0]}::${parts[3]}`;
            });
            dependencies.set(urn, deps);
            return register(req, callback);
        };
        try {
            for (const build of [
                () => new Valkey("svc", { ...SEED_000_SPEC, plan: "business-4", userConfig: { valkey_ssl: true } }),
                () => new ValkeyCluster("cl", { masterCount: 3, replicasPerMaster: 1, tls: {} }),
            ]) {
                await settle(build().serviceUri);
            }
        } finally {
            monitor.registerResource = register;
        }
        // "type::name" of the dependencies, transitively.
        const closure = (key: string, seen = new Set<string>()): Set<string> => {
            for (const dep of dependencies.get(key) ?? []) {
                if (!seen.has(dep)) {
                    seen.add(dep);
                    closure(dep, seen);
                }
            }
            return seen;
        };
        const objects = [...dependencies.keys()].filter((k) => k.startsWith("kubernetes:") && !k.startsWith("pulumi:providers"));
        expect(objects.length).to.be.greaterThan(20);
        for (const object of objects) {
            const owner = object.split("::")[1].startsWith("svc") ? "svc" : "cl";
            const guard =
                owner === "svc"
                    ? "pulumi-nodejs:dynamic/valkey:ValkeyServiceGuard::svc-immutable"
                    : "pulumi-nodejs:dynamic/valkey:ValkeyClusterGuard::cl-immutable";
            expect([...closure(object)], object).to.include(guard);
        }
        expect(registered.length).to.be.greaterThan(0);
    });

    it("judges nothing on create, for a resource recorded before `immutable` existed, or for values not known yet", async () => {
        const recorded = { immutable: { subject: 'Valkey "c"', fields: { project: { value: "a" } } } };
        const next = (value: unknown) => ({ immutable: { subject: 'Valkey "c"', fields: { project: { value } } } });
        expect(await failuresOf({}, next("b"))).to.deep.equal([]);
        expect(await failuresOf({ subject: 'Valkey "c"', pvc: {} }, next("b"))).to.deep.equal([]);
        expect(await failuresOf(recorded, { immutable: UNKNOWN })).to.deep.equal([]);
        expect(await failuresOf(recorded, next(UNKNOWN))).to.deep.equal([]);
        expect(await failuresOf(recorded, next("a"))).to.deep.equal([]);
        // A field the new deployment no longer records is not judged; one it records as unset is.
        expect(await failuresOf(recorded, { immutable: { subject: 'Valkey "c"', fields: {} } })).to.deep.equal([]);
        expect((await failuresOf(recorded, { immutable: { subject: 'Valkey "c"', fields: { project: {} } } }))!.map((f) => f.reason)).to.deep.equal([
            'Valkey "c": project cannot change after creation (was "a", now unset): the seeds make it immutable, and it names the namespace of every object (unless kubernetes.namespace is set): the StatefulSet would be replaced in another namespace and its PVCs deleted with the old one. Keep "a", or create a new resource and move the data.',
        ]);
        // The state recorded by the previous version (a `why` beside each value) is read as well.
        expect(
            (await failuresOf({ immutable: { subject: "s", fields: { project: { value: "a", why: "w." } } } }, next("b")))!.map((f) => f.property),
        ).to.deep.equal(["project"]);
    });
});
