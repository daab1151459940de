// One kubeconfig for the Kubernetes objects and the dynamic resources (sdk/components/kubeconfig.ts),
// for Valkey, Redis and ValkeyCluster under Pulumi mocks: a Kubernetes provider given in opts
// (provider, providers, a parent's) is refused without the kubeconfig, since the dynamic resources
// cannot learn the one it was created with, and so is a default provider pointed elsewhere by the
// stack configuration; with the kubeconfig, the objects and the dynamic resources use that one, as
// a secret, and the provider in opts carries nothing.
import { expect } from "chai";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Redis, Valkey, ValkeyCluster } from "../../../sdk";
import { SpecError } from "../../../sdk/spec/validate";
import { byType, installMocks, one, registered, reset, restoreWarn, secretValue, settle } from "../../helpers/mocks";

const KUBECONFIG = "apiVersion: v1\nkind: Config\ncurrent-context: other\n# kubeconfig-marker\n";

interface Case {
    readonly component: string;
    readonly path: string;
    readonly example: string;
    readonly build: (name: string, kubeconfig: string | undefined, opts: pulumi.ComponentResourceOptions) => { serviceUri: pulumi.Output<string> };
    /** The dynamic resources that reach the cluster, with where their kubeconfig sits. */
    readonly reaching: (name: string) => { type: string; name: string; field: "transport" | "volumes" }[];
}

const CASES: Case[] = [
    {
        component: "Valkey",
        path: "kubernetes.kubeconfig",
        example: "`kubernetes: { ...args.kubernetes, kubeconfig }`",
        build: (name, kubeconfig, opts) =>
            new Valkey(name, { project: "p", plan: "startup-4", ...(kubeconfig !== undefined ? { kubernetes: { kubeconfig } } : {}) }, opts),
        reaching: (name) => [
            { type: "pulumi-nodejs:dynamic/valkey:ValkeyTopology", name: `${name}-topology`, field: "transport" },
            { type: "pulumi-nodejs:dynamic/valkey:ValkeyServiceGuard", name: `${name}-guard`, field: "volumes" },
        ],
    },
    {
        // A Sentinel plan: the Sentinels' objects go through the same provider.
        component: "Redis",
        path: "kubernetes.kubeconfig",
        example: "`kubernetes: { ...args.kubernetes, kubeconfig }`",
        build: (name, kubeconfig, opts) =>
            new Redis(name, { project: "p", plan: "business-4", ...(kubeconfig !== undefined ? { kubernetes: { kubeconfig } } : {}) }, opts),
        reaching: (name) => [
            { type: "pulumi-nodejs:dynamic/valkey:ValkeyTopology", name: `${name}-topology`, field: "transport" },
            { type: "pulumi-nodejs:dynamic/valkey:ValkeyServiceGuard", name: `${name}-guard`, field: "volumes" },
        ],
    },
    {
        component: "ValkeyCluster",
        path: "kubeconfig",
        example: "`{ ...args, kubeconfig }`",
        build: (name, kubeconfig, opts) =>
            new ValkeyCluster(
                name,
                { masterCount: 3, replicasPerMaster: 1, namespace: "valkey", pvc: { storageSize: "1Gi" }, ...(kubeconfig !== undefined ? { kubeconfig } : {}) },
                opts,
            ),
        reaching: (name) => [
            { type: "pulumi-nodejs:dynamic/valkey:ValkeyTopology", name: `${name}-scale-in`, field: "transport" },
            { type: "pulumi-nodejs:dynamic/valkey:ValkeyTopology", name: `${name}-topology`, field: "transport" },
            { type: "pulumi-nodejs:dynamic/valkey:ValkeyClusterGuard", name: `${name}-guard`, field: "volumes" },
        ],
    },
];

/** The ways a Kubernetes provider reaches a component through its options. */
const GIVEN: { readonly how: string; readonly opts: (p: k8s.Provider) => pulumi.ComponentResourceOptions }[] = [
    { how: "opts.provider", opts: (p) => ({ provider: p }) },
    { how: "opts.providers (map)", opts: (p) => ({ providers: { kubernetes: p } }) },
    { how: "opts.providers (list)", opts: (p) => ({ providers: [p] }) },
    {
        how: "a parent's providers",
        opts: (p) => ({ parent: new pulumi.ComponentResource("test:index:Platform", "platform", {}, { providers: { kubernetes: p } }) }),
    },
];

/** Whether `text` occurs anywhere in `value` outside a secret-marked value. */
function inPlaintext(value: unknown, text: string): boolean {
    if (typeof value === "string") return value.includes(text);
    if (value === null || typeof value !== "object") return false;
    try {
        secretValue(value);
        return false;
    } catch {
        return Object.values(value as Record<string, unknown>).some((v) => inPlaintext(v, text));
    }
}

function providerName(ref: string | undefined): string | undefined {
    // `<urn>::<id>`: the URN's last segment is the provider's name.
    return ref === undefined ? undefined : ref.split("::").slice(-2, -1)[0];
}

describe("one kubeconfig for the objects and the dynamic resources (mocks)", () => {
    before(installMocks);
    after(restoreWarn);
    beforeEach(reset);

    for (const c of CASES) {
        describe(c.component, () => {
            for (const given of GIVEN) {
                it(`refuses a Kubernetes provider given through ${given.how} without ${c.path}, naming the fix`, () => {
                    const theirs = new k8s.Provider("theirs", { kubeconfig: pulumi.secret(KUBECONFIG) });
                    let error: unknown;
                    try {
                        c.build("cache", undefined, given.opts(theirs));
                    } catch (e) {
                        error = e;
                    }
                    expect(error).to.be.instanceOf(SpecError);
                    expect((error as SpecError).issues).to.deep.equal([
                        {
                            path: c.path,
                            message:
                                "must be set when a Kubernetes provider is given in opts (provider, providers, or a parent's): a provider does not expose the kubeconfig it was created with, " +
                                "and the nodes are verified and the disks grown with this kubeconfig, so without it they could reach another cluster than the objects. " +
                                `Pass the kubeconfig contents the provider was created with (e.g. ${c.example}); the component then creates its Kubernetes provider from it, for the objects and the verification alike`,
                        },
                    ]);
                    // The message never quotes the provider's kubeconfig.
                    expect((error as Error).message).to.not.include("kubeconfig-marker");
                });
            }

            it(`with a provider in opts and ${c.path}: the objects and every dynamic resource use that kubeconfig, as a secret`, async () => {
                const theirs = new k8s.Provider("theirs", { kubeconfig: pulumi.secret(KUBECONFIG) });
                const service = c.build("cache", KUBECONFIG, { provider: theirs });
                await settle(service.serviceUri);
                expect(secretValue(one("pulumi:providers:kubernetes", "cache-k8s").inputs.kubeconfig)).to.equal(KUBECONFIG);
                const objects = registered.filter((r) => r.type.startsWith("kubernetes:"));
                expect(objects.length).to.be.greaterThan(5);
                expect([...new Set(objects.map((r) => providerName(r.provider)))]).to.deep.equal(["cache-k8s"]);
                const reaching = c.reaching("cache");
                for (const r of reaching) {
                    const inputs = one(r.type, r.name).inputs;
                    expect(secretValue<Record<string, unknown>>(inputs[r.field]).kubeconfig, `${r.name}.${r.field}.kubeconfig`).to.equal(KUBECONFIG);
                }
                // Nowhere in plaintext: not in an input, not in a serialized dynamic provider.
                expect(registered.filter((r) => inPlaintext(r.inputs, "kubeconfig-marker")).map((r) => `${r.type} ${r.name}`)).to.deep.equal([]);
            });

            it(`refuses a default provider pointed elsewhere by the stack configuration without ${c.path}, and takes ${c.path} over it`, async () => {
                const saved = pulumi.runtime.allConfig();
                try {
                    pulumi.runtime.setConfig("kubernetes:context", "other");
                    pulumi.runtime.setConfig("kubernetes:kubeconfig", "kubeconfig-marker");
                    let error: unknown;
                    try {
                        c.build("cache", undefined, {});
                    } catch (e) {
                        error = e;
                    }
                    expect(error).to.be.instanceOf(SpecError);
                    expect((error as SpecError).issues).to.deep.equal([
                        {
                            path: c.path,
                            message:
                                "must be set when the stack configuration sets kubernetes:kubeconfig, kubernetes:context: the default Kubernetes provider reads it, " +
                                "the dynamic resources that verify the nodes and grow the disks do not, so they could reach another cluster than the objects. " +
                                `Pass the kubeconfig contents here instead (e.g. ${c.example})`,
                        },
                    ]);
                    expect((error as Error).message).to.not.include("kubeconfig-marker");
                    reset();
                    const service = c.build("cache", KUBECONFIG, {});
                    await settle(service.serviceUri);
                    expect([...new Set(registered.filter((r) => r.type.startsWith("kubernetes:")).map((r) => providerName(r.provider)))]).to.deep.equal([
                        "cache-k8s",
                    ]);
                } finally {
                    pulumi.runtime.setAllConfig(saved);
                }
            });

            it("without a provider in opts and without a kubeconfig: the default provider and the ambient kubeconfig for both", async () => {
                const service = c.build("cache", undefined, {});
                await settle(service.serviceUri);
                expect(byType("pulumi:providers:kubernetes").map((r) => r.name)).to.not.include("cache-k8s");
                for (const r of c.reaching("cache")) {
                    const field = one(r.type, r.name).inputs[r.field] as Record<string, unknown>;
                    let plain: Record<string, unknown>;
                    try {
                        plain = secretValue<Record<string, unknown>>(field);
                    } catch {
                        plain = field;
                    }
                    expect(plain, `${r.name}.${r.field}`).to.not.have.property("kubeconfig");
                }
            });
        });
    }
});
