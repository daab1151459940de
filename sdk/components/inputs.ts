// Construction-time view of Pulumi args: which parts are plain values (checked now, so `pulumi
// preview` fails on them) and which are Outputs or Promises (checked again when they resolve).
import * as pulumi from "@pulumi/pulumi";
import { MAX_INPUT_DEPTH, MAX_INPUT_VALUES, pathToString } from "../spec/validate";

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
 * deferred element is deferred as a whole (its indices would not line up otherwise). A subtree
 * without deferred values is returned as it is, not copied; so is one this walk will not enter
 * (a cycle, more than MAX_INPUT_DEPTH levels, a value that throws when read), for parseSpec to
 * report at its own path. Copies keep `__proto__` as an own key (plain assignment would make it
 * the prototype and pass its fields through unseen), for parseSpec to refuse.
 */
export function knownPart(value: unknown, path: PropertyKey[] = [], walk: KnownPartWalk = { ancestors: new Set(), left: MAX_INPUT_VALUES }): KnownPart {
    let deferredHere: boolean;
    try {
        deferredHere = isDeferred(value);
    } catch {
        // A `then` that throws when read (a Proxy): parseSpec reports it.
        return { known: value, deferred: [] };
    }
    if (deferredHere) return { known: undefined, deferred: [pathToString(path)] };
    if (--walk.left < 0 || value === null || typeof value !== "object" || walk.ancestors.has(value) || path.length >= MAX_INPUT_DEPTH) {
        return { known: value, deferred: [] };
    }
    walk.ancestors.add(value);
    try {
        if (Array.isArray(value)) {
            // A loop, not map: a sparse array can claim 2^32-1 elements.
            for (let i = 0; i < value.length && walk.left >= 0; i++) {
                if (knownPart(value[i], [...path, i], walk).deferred.length > 0) return { known: undefined, deferred: [pathToString(path)] };
            }
            return { known: value, deferred: [] };
        }
        const entries: (readonly [string, KnownPart])[] = [];
        for (const key of Object.keys(value)) {
            if (walk.left < 0) return { known: value, deferred: [] };
            entries.push([key, knownPart((value as Record<string, unknown>)[key], [...path, key], walk)]);
        }
        const deferred = entries.flatMap(([, part]) => part.deferred);
        if (deferred.length === 0) return { known: value, deferred: [] };
        const known: Record<string, unknown> = {};
        for (const [key, part] of entries) {
            if (part.known !== undefined) Object.defineProperty(known, key, { value: part.known, enumerable: true, writable: true, configurable: true });
        }
        return { known, deferred };
    } catch {
        return { known: value, deferred: [] };
    } finally {
        walk.ancestors.delete(value);
    }
}

/** The state of one knownPart walk: the objects above the current one, and how many more it enters. */
export interface KnownPartWalk {
    readonly ancestors: Set<object>;
    left: number;
}
