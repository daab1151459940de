// The Sentinels' own password (issue 11, finding 1): a Sentinel takes commands only from clients
// that authenticate, and its SENTINEL REMOVE / MONITOR / SET would let anyone redirect every
// Sentinel-aware client to a server of their choosing. It is derived from the default user's
// password (HMAC-SHA256, 128 bits in hex), so it needs no resource of its own, changes when that
// password changes, and handing it to Sentinel-aware clients does not hand them the data
// password: knowing it reveals nothing about the password it was derived from.
import * as crypto from "crypto";

const CONTEXT = "pulumi-valkey sentinel password v1";

/** 32 hex characters; safe in URIs, shells and sentinel.conf without escaping. */
export function sentinelPassword(defaultPassword: string): string {
    if (defaultPassword.length === 0) throw new Error("the Sentinel password is derived from the default user's password, which must not be empty");
    return crypto.createHmac("sha256", defaultPassword).update(CONTEXT).digest("hex").slice(0, 32);
}
