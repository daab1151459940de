// The Sentinel-plan wiring of the data pods: start script, primary-only readiness probe, OnDelete,
// the PDB, the Sentinel auth include and the connection Secret's Sentinel keys.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import {
    HA_ENV,
    PRIMARY_PROBE_PERIOD_SECONDS,
    SENTINEL_QUORUM,
    primaryReadinessProbe,
    primaryReadinessScript,
    sentinelConfOptions,
    sentinelGroup,
    sentinelHosts,
    startScript,
} from "../../../sdk/manifests/ha";
import { buildPodDisruptionBudget } from "../../../sdk/manifests/pdb";
import { livenessProbe } from "../../../sdk/manifests/pod";
import { buildAuthSecret, buildConnectionSecret } from "../../../sdk/manifests/secrets";
import { buildStatefulSet } from "../../../sdk/manifests/statefulset";
import { validateManifest } from "../../../sdk/manifests/validate";
import { freePort, tempDir } from "../../helpers/valkey";
import { MINIMAL_SPEC, SEED_000_SPEC, valkeyModel } from "./fixtures";

const HEADLESS = "my-valkey-headless.my-aiven-project.svc.cluster.local";

describe("manifests/ha", () => {
    const business = valkeyModel({ ...SEED_000_SPEC, plan: "business-4" });
    const single = valkeyModel(SEED_000_SPEC);

    it("has the Sentinels monitor pod-0 with a majority of three as quorum", () => {
        expect(SENTINEL_QUORUM).to.equal(2);
        expect(sentinelConfOptions(business)).to.deep.equal({
            primaryHost: `my-valkey-0.${HEADLESS}`,
            primaryPort: 6379,
            group: "my-valkey",
            quorum: 2,
        });
        expect(sentinelGroup(business)).to.equal("my-valkey");
        expect(sentinelHosts(business)).to.deep.equal(["my-valkey-sentinel.my-aiven-project.svc.cluster.local:26379"]);
    });

    it("starts the data pods with the start script, Ready only as primary, OnDelete, not awaited", () => {
        for (const plan of ["business-4", "premium-8", "pro"]) {
            const model = valkeyModel({ ...SEED_000_SPEC, plan });
            const sts = buildStatefulSet(model, { configHash: "c0ffee" });
            validateManifest(sts);
            const [container] = sts.spec!.template.spec!.containers;
            expect(container.command).to.deep.equal(["sh", "-c", startScript(model)]);
            expect(container.readinessProbe).to.deep.equal(primaryReadinessProbe(model));
            expect(container.livenessProbe).to.deep.equal(livenessProbe(model, 6379));
            expect(sts.spec!.updateStrategy).to.deep.equal({ type: "OnDelete" });
            expect(sts.spec!.replicas).to.equal(plan === "business-4" ? 2 : 3);
            expect(sts.metadata!.annotations!["pulumi.com/skipAwait"]).to.equal("true");
        }
        expect(primaryReadinessProbe(business)).to.deep.equal({
            exec: { command: ["sh", "-c", primaryReadinessScript(business)] },
            initialDelaySeconds: 0,
            periodSeconds: PRIMARY_PROBE_PERIOD_SECONDS,
            timeoutSeconds: 2,
            successThreshold: 1,
            failureThreshold: 1,
        });
    });

    it("leaves 1-node plans without the Sentinel start script; the provider restarts their pod as it does every other (OnDelete)", () => {
        const sts = buildStatefulSet(single, { configHash: "c0ffee" });
        expect(sts.spec!.template.spec!.containers[0].command).to.deep.equal(["valkey-server", "/etc/valkey/valkey.conf"]);
        expect(sts.spec!.updateStrategy).to.deep.equal({ type: "OnDelete" });
        expect(sts.metadata!.annotations!["pulumi.com/skipAwait"]).to.equal("true");
    });

    it("renders scripts whose defaults are the in-cluster names", () => {
        const probe = primaryReadinessScript(business);
        expect(probe.split("\n")).to.deep.equal([
            `self="\${VALKEY_HA_SELF:-$POD_NAME.${HEADLESS}}"`,
            'port="${VALKEY_HA_PORT:-6379}"',
            `seed="\${VALKEY_HA_SEED:-my-valkey-0.${HEADLESS}}"`,
            'seed_port="${VALKEY_HA_SEED_PORT:-6379}"',
            'sentinel="${VALKEY_HA_SENTINEL:-my-valkey-sentinel.my-aiven-project.svc.cluster.local}"',
            'sentinel_port="${VALKEY_HA_SENTINEL_PORT:-26379}"',
            'primary() { set -- $(REDISCLI_AUTH="$(cat "${VALKEY_HA_SENTINEL_PASSWORD_FILE:-/etc/valkey-auth/sentinel-password}")" valkey-cli -t 1 -h "$sentinel" -p "$sentinel_port" SENTINEL get-master-addr-by-name my-valkey 2>/dev/null); [ -n "$2" ] && echo "$1 $2"; }',
            '[ "$(primary)" = "$self $port" ] || exit 1',
            `REDISCLI_AUTH="$(cat "\${VALKEY_HA_PASSWORD_FILE:-/etc/valkey-auth/password}")" valkey-cli -t 1 -p "$port" INFO replication | grep -q '^role:master'`,
        ]);
        // The kubelet would expand these in `command`; the start script must hold neither.
        expect(startScript(business)).not.to.contain("$$");
        expect(startScript(business)).not.to.match(/\$\((POD_NAME|POD_IP)\)/);
    });

    it("runs every valkey-cli of the scripts over TLS with valkey_ssl, from the tls volume unless VALKEY_HA_TLS_DIR says otherwise", () => {
        const tls = valkeyModel({ ...SEED_000_SPEC, plan: "business-4", userConfig: { valkey_ssl: true } });
        const cli = 'valkey-cli --tls --cacert "$tls_dir/ca.crt" --cert "$tls_dir/tls.crt" --key "$tls_dir/tls.key"';
        expect(primaryReadinessScript(tls).split("\n")).to.deep.equal([
            'tls_dir="${VALKEY_HA_TLS_DIR:-/etc/valkey-tls}"',
            ...primaryReadinessScript(business)
                .split("\n")
                .map((line) => line.replace("valkey-cli", cli)),
        ]);
        expect(startScript(tls).split("\n")).to.deep.equal([
            'tls_dir="${VALKEY_HA_TLS_DIR:-/etc/valkey-tls}"',
            ...startScript(business)
                .split("\n")
                .map((line) => line.replace("valkey-cli", cli)),
        ]);
        expect(HA_ENV.tlsDir).to.equal("VALKEY_HA_TLS_DIR");
    });

    // The fallback when no Sentinel answers, run for real with a stand-in valkey-server that
    // prints its arguments (the Sentinel-answer paths run in tests/integration/sentinel-failover).
    it("starts pod-0 as primary and the others as its replicas when no Sentinel answers", async function () {
        this.timeout(10000);
        const bin = tempDir();
        fs.writeFileSync(path.join(bin, "valkey-server"), '#!/bin/sh\necho "$@"\n', { mode: 0o755 });
        const nobody = await freePort();
        const run = (self: string) =>
            spawnSync("sh", ["-c", startScript(business), "sh", "--port", "7000"], {
                encoding: "utf8",
                timeout: 10000,
                env: {
                    ...process.env,
                    PATH: `${bin}:${process.env.PATH}`,
                    POD_NAME: self,
                    [HA_ENV.sentinel]: "127.0.0.1",
                    [HA_ENV.sentinelPort]: String(nobody),
                    [HA_ENV.attempts]: "1",
                },
            }).stdout;
        expect(run("my-valkey-0")).to.equal(`/etc/valkey/valkey.conf --replica-announce-ip my-valkey-0.${HEADLESS} --port 7000\n`);
        expect(run("my-valkey-1")).to.equal(
            `/etc/valkey/valkey.conf --replica-announce-ip my-valkey-1.${HEADLESS} --replicaof my-valkey-0.${HEADLESS} 6379 --port 7000\n`,
        );
    });

    it("keeps the Ready primary and lets replicas (never Ready) be evicted only while a primary is Ready", () => {
        expect(buildPodDisruptionBudget(business).spec).to.deep.equal({
            minAvailable: 1,
            selector: { matchLabels: { "app.kubernetes.io/name": "valkey", "app.kubernetes.io/instance": "my-valkey" } },
            unhealthyPodEvictionPolicy: "IfHealthyBudget",
        });
    });

    it("adds sentinel-auth.conf and the Sentinels' own password to the auth Secret of Sentinel plans only", () => {
        const secret = buildAuthSecret(business, "p w");
        validateManifest(secret);
        // HMAC-SHA256 of the context under the default password, cut to 32 hex characters:
        // echo -n "pulumi-valkey sentinel password v1" | openssl dgst -sha256 -hmac "p w"
        const sentinelPassword = "4daf6b9dc18e8d109a061f80953911fe";
        expect(secret.stringData).to.deep.equal({
            password: "p w",
            "auth.conf": 'requirepass "p w"\nmasterauth "p w"\n',
            "sentinel-password": sentinelPassword,
            "sentinel-auth.conf": `sentinel auth-pass my-valkey "p w"\nrequirepass ${sentinelPassword}\nsentinel sentinel-pass ${sentinelPassword}\n`,
        });
        expect(Object.keys(buildAuthSecret(single, "pw").stringData!)).to.deep.equal(["password", "auth.conf"]);
    });

    it("adds the Sentinel keys to the connection Secret of Sentinel plans only", () => {
        const conn = { host: "h", port: 6379, user: "default", password: "pw", ssl: false };
        const data = buildConnectionSecret(business, conn)!.stringData!;
        expect(data.VALKEY_SENTINEL_HOSTS).to.equal("my-valkey-sentinel.my-aiven-project.svc.cluster.local:26379");
        expect(data.VALKEY_SENTINEL_MASTER).to.equal("my-valkey");
        // echo -n "pulumi-valkey sentinel password v1" | openssl dgst -sha256 -hmac pw
        expect(data.VALKEY_SENTINEL_PASSWORD).to.equal("a8f696209a26888dff7ac19c566a7add");
        expect(Object.keys(buildConnectionSecret(single, conn)!.stringData!).filter((k) => k.includes("SENTINEL"))).to.deep.equal([]);
        expect(buildConnectionSecret(valkeyModel({ ...MINIMAL_SPEC, plan: "pro" }), conn)!.stringData!.VALKEY_SENTINEL_MASTER).to.equal("my-valkey");
    });
});
