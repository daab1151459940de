// Pulumi mocks that record every resource a program registers and compute the outputs real
// providers would (RandomPassword.result, Kubernetes metadata.name, the dynamic resource's state).
import * as pulumi from "@pulumi/pulumi";

export interface Registered {
    readonly type: string;
    readonly name: string;
    readonly inputs: Record<string, any>;
    readonly parent?: string;
    /** Set for a read of an existing resource (`.get(name, id)`): the id read. */
    readonly id?: string;
    /** The reference (`<urn>::<id>`) of the explicit provider the resource was registered with; unset: the default provider. */
    readonly provider?: string;
}

export const registered: Registered[] = [];
export const warnings: string[] = [];
/** Secrets that exist in the cluster, by "namespace/name": what `k8s.core.v1.Secret.get` reads (`data`, values base64). */
export const existingSecrets: Record<string, Record<string, string>> = {};
/** Outputs a test gives a dynamic resource, by resource name (e.g. an ACL outcome), over the defaults below. */
export const dynamicOutputs: Record<string, Record<string, any>> = {};

/** A deterministic stand-in for RandomPassword.result, so tests can look for it in outputs. */
export const MOCK_PASSWORD = "MockPassw0rdMockPassw0rdMockPass";

/** A PEM-shaped stand-in for what @pulumi/tls computes: `-----BEGIN <label>-----\nmock <name>\n-----END <label>-----\n`. */
export function mockPem(label: string, name: string): string {
    return `-----BEGIN ${label}-----\nmock ${name}\n-----END ${label}-----\n`;
}

/**
 * Installs these mocks. Call it in a `before` hook: mocks are process-wide and mocha loads every
 * test file before running any, so installing at import time would let the last file win.
 */
export function installMocks(): void {
    install(false);
}

/** installMocks for a program run as `pulumi preview` runs it (pulumi.runtime.isDryRun() is true). */
export function installPreviewMocks(): void {
    install(true);
}

function install(preview: boolean): void {
    pulumi.runtime.setMocks(
        {
            newResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: Record<string, any> } {
                registered.push({
                    type: args.type,
                    name: args.name,
                    inputs: args.inputs,
                    ...(args.id ? { id: args.id } : {}),
                    ...(args.provider ? { provider: args.provider } : {}),
                });
                const state: Record<string, any> = { ...args.inputs };
                if (args.id && args.type === "kubernetes:core/v1:Secret") {
                    const data = existingSecrets[args.id];
                    if (data === undefined) throw new Error(`mock: no Secret ${args.id}`);
                    const [namespace, name] = args.id.split("/");
                    return { id: args.id, state: { metadata: { namespace, name }, data } };
                }
                if (args.type === "random:index/randomPassword:RandomPassword") state.result = MOCK_PASSWORD;
                // @pulumi/tls: fake PEMs that name the resource, so tests can follow which key signed what.
                if (args.type === "tls:index/privateKey:PrivateKey") state.privateKeyPem = mockPem("PRIVATE KEY", args.name);
                if (args.type === "tls:index/certRequest:CertRequest") state.certRequestPem = mockPem("CERTIFICATE REQUEST", args.name);
                if (args.type === "tls:index/selfSignedCert:SelfSignedCert" || args.type === "tls:index/locallySignedCert:LocallySignedCert") {
                    state.certPem = mockPem("CERTIFICATE", args.name);
                }
                if (args.type.startsWith("kubernetes:")) {
                    state.metadata = { ...(args.inputs.metadata ?? {}), name: args.inputs.metadata?.name ?? `${args.name}-generated` };
                }
                if (args.type.startsWith("pulumi-nodejs:dynamic")) {
                    state.state = "RUNNING";
                    state.nodes = [{ id: "0".repeat(40), role: "primary", address: "10.244.0.10:6379" }];
                    // With ACL users: every node applied them, unless the test says otherwise.
                    if (args.inputs.acl !== undefined) {
                        state.aclPhase = "Applied";
                        state.aclStatus = [{ node: "10.244.0.10:6379", status: "Applied" }];
                    }
                    Object.assign(state, dynamicOutputs[args.name] ?? {});
                }
                return { id: `${args.name}-id`, state };
            },
            call(args: pulumi.runtime.MockCallArgs): Record<string, any> {
                throw new Error(`unexpected call to ${args.token}`);
            },
        },
        "project",
        "stack",
        preview,
    );
    // Capture warnings instead of printing them.
    (pulumi.log as { warn: typeof pulumi.log.warn }).warn = (message: string) => {
        warnings.push(message);
        return Promise.resolve();
    };
}

const originalWarn = pulumi.log.warn;
/** Puts pulumi.log.warn back (for an `after` hook). */
export function restoreWarn(): void {
    (pulumi.log as { warn: typeof pulumi.log.warn }).warn = originalWarn;
}

/** Resolves an Output's value (tests await values instead of asserting inside apply). */
export function unwrap<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply((v) => resolve(v)));
}

/** Forgets what earlier tests registered. */
export function reset(): void {
    registered.length = 0;
    warnings.length = 0;
    for (const key of Object.keys(existingSecrets)) delete existingSecrets[key];
    for (const key of Object.keys(dynamicOutputs)) delete dynamicOutputs[key];
}

/** Waits until the program's pending registrations have reached the mocks. */
export async function settle<T>(output: pulumi.Output<T>): Promise<T> {
    const value = await unwrap(output);
    await new Promise((r) => setTimeout(r, 50));
    return value;
}

export function byType(type: string): Registered[] {
    return registered.filter((r) => r.type === type);
}

export function one(type: string, name: string): Registered {
    const found = registered.filter((r) => r.type === type && r.name === name);
    if (found.length !== 1) throw new Error(`expected one ${type} named ${name}, found ${found.length}`);
    return found[0];
}

// How the engine marks a secret value in resource inputs.
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270";

/** The value inside a secret-marked input; throws when the input was not marked secret. */
export function secretValue<T>(input: unknown): T {
    const wrapped = input as Record<string, unknown> | undefined;
    if (!wrapped || wrapped[SECRET_SIG] !== SECRET_VALUE) throw new Error(`expected a secret, got ${typeof input}`);
    return wrapped.value as T;
}
