// Construction-time view of Pulumi args: which parts are plain values (checked now, so `pulumi
// preview` fails on them) and which are Outputs or Promises (checked again when they resolve).
import * as pulumi from "@pulumi/pulumi";
import { pathToString } from "../spec/validate";

export interface KnownPart {
    /** The args with every not-yet-known value removed. */
    readonly known: unknown;
    /** Dotted paths of the removed values, e.g. "userConfig.ip_filter". */
    readonly deferred: readonly string[];
}

function isDeferred(value: unknown): boolean {
    return (
        pulumi.Output.isInstance(value) ||
        value instanceof Promise ||
        (value !== null && typeof value === "object" && typeof (value as { then?: unknown }).then === "function")
    );
}

/**
 * Splits `value` into its plain part and the paths of its Outputs/Promises. An array with any
 * deferred element is deferred as a whole (its indices would not line up otherwise).
 */
export function knownPart(value: unknown, path: PropertyKey[] = []): KnownPart {
    if (isDeferred(value)) return { known: undefined, deferred: [pathToString(path)] };
    if (Array.isArray(value)) {
        const parts = value.map((v, i) => knownPart(v, [...path, i]));
        if (parts.some((p) => p.deferred.length > 0)) return { known: undefined, deferred: [pathToString(path)] };
        return { known: parts.map((p) => p.known), deferred: [] };
    }
    if (value !== null && typeof value === "object") {
        const known: Record<string, unknown> = {};
        const deferred: string[] = [];
        for (const [key, v] of Object.entries(value)) {
            const part = knownPart(v, [...path, key]);
            if (part.known !== undefined) known[key] = part.known;
            deferred.push(...part.deferred);
        }
        return { known, deferred };
    }
    return { known: value, deferred: [] };
}
