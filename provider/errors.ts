// Typed errors of everything that talks to live nodes. Messages name the node and the reason; they
// never contain a password (every message built from a foreign error goes through `redact`).
import { describeRefusal } from "./reconcile/commands";
import { Refusal } from "./reconcile/types";

export type ProviderErrorCode =
    "invalid-request" | "transport" | "unreachable" | "authentication" | "refused" | "command-failed" | "timeout" | "verification-failed" | "aborted";

export class ValkeyProviderError extends Error {
    constructor(
        readonly code: ProviderErrorCode,
        message: string,
        /** The node the error is about, when there is one. */
        readonly node?: string,
    ) {
        super(message);
        this.name = new.target.name;
    }
}

/** The request cannot be met as asked (e.g. fewer nodes than the topology needs). */
export class RequestError extends ValkeyProviderError {
    constructor(readonly problems: readonly string[]) {
        super("invalid-request", `invalid request: ${problems.join("; ")}`);
    }
}

/** The nodes could not be found or reached through the transport (e.g. the Kubernetes API). */
export class TransportError extends ValkeyProviderError {
    constructor(message: string) {
        super("transport", message);
    }
}

export class UnreachableError extends ValkeyProviderError {
    /** `address` (where it was dialled) is left out of the message when it is the node's name. */
    constructor(node: string, address: string, reason: string) {
        super("unreachable", `node ${node}${address !== node ? ` (${address})` : ""} is unreachable: ${reason}`, node);
    }
}

export class AuthenticationError extends ValkeyProviderError {
    constructor(node: string, reason: string) {
        super("authentication", `node ${node}: authentication failed: ${reason}`, node);
    }
}

/** Converge will not touch the nodes, for every listed reason. */
export class RefusedError extends ValkeyProviderError {
    constructor(readonly refusals: readonly Refusal[]) {
        super("refused", `refusing to converge: ${refusals.map(describeRefusal).join("; ")}`, refusals.find((r) => r.node !== undefined)?.node);
    }
}

export class CommandError extends ValkeyProviderError {
    constructor(
        node: string,
        command: string,
        /** The server's error reply. */
        readonly reply: string,
    ) {
        super("command-failed", `node ${node}: ${command} failed: ${reply}`, node);
    }
}

export class TimeoutError extends ValkeyProviderError {
    constructor(
        seconds: number,
        readonly waitingFor: readonly string[],
    ) {
        super("timeout", `not converged within ${seconds} s; still waiting for: ${waitingFor.join("; ") || "nothing reported"}`);
    }
}

/** The readiness checks or the smoke test failed after the topology converged. */
export class VerificationError extends ValkeyProviderError {
    constructor(node: string, reason: string) {
        super("verification-failed", `node ${node}: verification failed: ${reason}`, node);
    }
}

/** Stopped on request (an AbortSignal or the mutation budget of a test). */
export class AbortedError extends ValkeyProviderError {
    constructor(reason: string) {
        super("aborted", `stopped: ${reason}`);
    }
}

/** Replaces every occurrence of each secret in `text` with `***`. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
    let out = text;
    for (const secret of secrets) {
        if (secret !== undefined && secret.length > 0) out = out.split(secret).join("***");
    }
    return out;
}
