// The largest values valkey-server 8.0 and Kubernetes take for the numbers and sizes of the specs.
// A value past one of these is not refused by the renderer: valkey-server either refuses the whole
// file at start (FATAL CONFIG FILE ERROR, so the pod crash-loops) or, worse, reads back another
// value without a word. Each bound was found by starting valkey-server 8.0.1 with the value and
// reading it back with CONFIG GET (tests/integration/config-limits.test.ts does so at every bound):
//
//   auto-aof-rewrite-percentage 2147483647        -> 2147483647;  2147483648 -> FATAL
//   auto-aof-rewrite-min-size 9223372036854775807 -> itself;      ...808 -> FATAL
//   auto-aof-rewrite-min-size 17179869184gb       -> 0 (2^64 bytes wraps around: no error)
//   save "1 2147483648"                           -> "1 -2147483648" (changes are a C int)
//   save "99999999999999999999 1"                 -> "9223372036854775807 1" (seconds saturate)
//   maxmemory 17592186044416mb                    -> 0, i.e. no limit (2^64 bytes wraps around)
//   maxmemory 7.5e+23mb                           -> FATAL "argument must be a memory value"
//
// Sizes that become Kubernetes quantities (PVC sizes, container memory) are held to 2^63-1 bytes:
// "no quantity may represent a number greater than 2^63-1" (k8s.io/apimachinery resource.Quantity),
// and past 2^53 a JavaScript number would print as 1e+30, which is no quantity at all.
import { parseQuantity } from "./quantity";

/** Valkey's int configs (auto-aof-rewrite-percentage; the changes of a `save` rule): C INT_MAX. */
export const VALKEY_INT_MAX = 2147483647;
/** Valkey's long long configs (auto-aof-rewrite-min-size in bytes; the seconds of a `save` rule): C LLONG_MAX. */
export const VALKEY_LLONG_MAX = 9223372036854775807n;
/**
 * valkey-server 8 runs at most this many I/O threads (IO_THREADS_MAX_NUM): it starts with any
 * io-threads up to 128 and reads a larger one back as 16. Aiven's io_threads goes to 32.
 */
export const SERVER_MAX_IO_THREADS = 16;
/** The warning for an io_threads the server lowers; undefined when it runs as asked. */
export function ioThreadsWarning(engine: string, ioThreads: number | undefined, subject: string): string | undefined {
    if (ioThreads === undefined || ioThreads <= SERVER_MAX_IO_THREADS) return undefined;
    return `${subject}: userConfig.${engine}_io_threads ${ioThreads}: valkey-server 8 runs at most ${SERVER_MAX_IO_THREADS} I/O threads; the pods run with io-threads ${SERVER_MAX_IO_THREADS}`;
}
/** The largest Kubernetes quantity, in bytes for sizes: 2^63-1. */
export const KUBERNETES_QUANTITY_MAX = 2n ** 63n - 1n;
/** The largest whole number of GiB a Kubernetes quantity holds (8 EiB less 1 GiB). */
export const MAX_DISK_GIB = Number(KUBERNETES_QUANTITY_MAX / 2n ** 30n);
/** The largest whole number of MiB a Kubernetes quantity holds. */
export const MAX_MEMORY_MIB = Number(KUBERNETES_QUANTITY_MAX / 2n ** 20n);
/**
 * The least memory a data node may have (a plan's memoryMiB, a container's memory bound): maxmemory
 * keeps 16 MiB outside the dataset for the server itself (sdk/config/directives.ts), so a smaller
 * node has no room for data and is OOM-killed or refuses every write.
 */
export const MIN_MEMORY_MIB = 32;

/** valkey.conf memory units (memtoull): k/m/g are powers of 1000, kb/mb/gb of 1024, b and none are bytes. */
const MEMORY_UNITS: Readonly<Record<string, bigint>> = {
    "": 1n,
    b: 1n,
    k: 1000n,
    kb: 1024n,
    m: 1000n ** 2n,
    mb: 1024n ** 2n,
    g: 1000n ** 3n,
    gb: 1024n ** 3n,
};

/** The bytes of a valkey.conf memory size like "64mb", "1gb" or "1048576", exactly; undefined when not one. */
export function memorySizeBytes(text: string): bigint | undefined {
    const match = /^([0-9]+)([a-z]*)$/i.exec(text);
    if (!match) return undefined;
    const unit = MEMORY_UNITS[match[2].toLowerCase()];
    return unit === undefined ? undefined : BigInt(match[1]) * unit;
}

/** Whether a Kubernetes quantity (text or number) is more than `max`; false when it is not a quantity. */
export function quantityExceeds(quantity: unknown, max: bigint): boolean {
    if (typeof quantity !== "string" && typeof quantity !== "number") return false;
    if (typeof quantity === "number") return !Number.isFinite(quantity) || (Number.isInteger(quantity) ? BigInt(quantity) > max : quantity > Number(max));
    const q = parseQuantity(quantity);
    return q !== undefined && q.numerator > max * q.denominator;
}

/** The bounds of the provider's timeouts (timeoutSeconds, podTimeoutSeconds): 10 s to a day. */
export const TIMEOUT_SECONDS_RANGE = { min: 10, max: 86400 } as const;
