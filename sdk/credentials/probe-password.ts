// The password of the probe user (issue 11, finding 7): the pods' readiness and liveness probes
// authenticate as PROBE_USER (sdk/spec/security.ts), never as `default`, so `acl.defaultUser: "off"`
// leaves them working. Derived from the default user's password like the Sentinels' own
// (sentinel-password.ts), with another context: no resource of its own, it changes when that
// password changes, and knowing it reveals nothing about the data password or the Sentinels'.
import * as crypto from "crypto";

const CONTEXT = "pulumi-valkey probe password v1";

/** 32 hex characters; safe in files, shells and auth.conf without escaping. */
export function probePassword(defaultPassword: string): string {
    if (defaultPassword.length === 0) throw new Error("the probe password is derived from the default user's password, which must not be empty");
    return crypto.createHmac("sha256", defaultPassword).update(CONTEXT).digest("hex").slice(0, 32);
}
