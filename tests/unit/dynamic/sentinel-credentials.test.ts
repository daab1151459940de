// The provider's credentials for the Sentinels of a rollout (issue 12): their own password is
// derived from the default user's, so with ACL on (the provider connects as the admin user, whose
// password is `password`) it must be given as `sentinelPassword`; deriving it from the admin's
// would give a password no Sentinel has, and every handoff would fail with NOAUTH/WRONGPASS.
import { expect } from "chai";
import { sentinelCredentials } from "../../../provider/dynamic/handlers";
import { checkInputs } from "../../../provider/dynamic/inputs";
import { sentinelPassword } from "../../../sdk/credentials/sentinel-password";

describe("dynamic provider: the Sentinels' password for a Sentinel plan's rollout", () => {
    const base = {
        providerVersion: "1.0.0",
        topology: { kind: "replicated", replicas: 1 },
        transport: { kind: "kubernetes", namespace: "ns", statefulSet: "cache", replicas: 2 },
        rollout: { revision: "r1", sentinels: { statefulSet: "cache-sentinel", replicas: 3, port: 26379, group: "cache" } },
    };

    it("derives it from the default user's password, or takes sentinelPassword as given", () => {
        expect(sentinelCredentials({ password: "default-pw" })).to.deep.equal({ password: sentinelPassword("default-pw") });
        expect(sentinelCredentials({ username: "default", password: "default-pw" })).to.deep.equal({ password: sentinelPassword("default-pw") });
        expect(sentinelCredentials({ username: "valkey-admin", password: "admin-pw", sentinelPassword: "own-pw" })).to.deep.equal({ password: "own-pw" });
        expect(sentinelCredentials({})).to.equal(undefined);
    });

    it("refuses to derive it from an ACL user's password, in check and at run time, naming no password", () => {
        const reason =
            "must be given with rollout.sentinels when username is an ACL user (\"valkey-admin\"): the Sentinels' password derives from the default user's, not from this user's";
        expect(checkInputs({ ...base, username: "valkey-admin", password: "admin-pw" })).to.deep.equal([{ property: "sentinelPassword", reason }]);
        expect(() => sentinelCredentials({ username: "valkey-admin", password: "admin-pw" })).to.throw(`sentinelPassword ${reason}`);
        expect(checkInputs({ ...base, username: "valkey-admin", password: "admin-pw", sentinelPassword: "own-pw" })).to.deep.equal([]);
        expect(checkInputs({ ...base, password: "default-pw" })).to.deep.equal([]);
        expect(checkInputs({ ...base, username: "valkey-admin", password: "admin-pw", sentinelPassword: "" })).to.deep.equal([
            { property: "sentinelPassword", reason: "must be a non-empty string" },
        ]);
    });
});
