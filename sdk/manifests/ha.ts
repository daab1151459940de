// How a Sentinel plan (business-N, premium-N, pro) keeps one stable endpoint on the primary, with
// nothing in the pods able to patch Kubernetes objects and no controller between `pulumi up`s:
//
// - The client Service `<name>` selects every data pod, but a data pod is Ready only while the
//   Sentinels name it as the primary AND it says `role:master` itself (primaryReadinessScript). So
//   the Service's endpoints hold exactly the primary, and after a failover they move to the new one
//   within one probe period. An old primary that restarts before it is demoted is never Ready,
//   which keeps the Service from sending writes to it (the split-brain of bitnami #5418).
// - A data pod starts (startScript) as a replica of whatever primary the Sentinels name, or as the
//   primary when they name itself; when no Sentinel answers (first boot of everything at once),
//   pod-0 starts as the primary and the others as its replicas, as the Sentinels' configuration
//   (`sentinel monitor ... <pod-0> ...`) says too.
//
// Both scripts are POSIX sh run by the image's `sh`, and read their endpoints from VALKEY_HA_*
// environment variables with the in-cluster names as defaults, so the tests run the very same text
// against processes on loopback. With TLS (valkey_ssl) every valkey-cli they run speaks TLS,
// verifying against the pod's CA (VALKEY_HA_TLS_DIR, default the `tls` volume). They must not contain `$$` or `$(NAME)` with NAME a container
// variable: the kubelet expands those in `command` before the shell sees it.
import { IProbe } from "kubernetes-models/v1/Probe";
import { SentinelRenderOptions } from "../config/sentinel";
import { ServiceModel } from "../spec/service-model";
import { restartLosesData } from "../spec/persistence";
import { objectNames, scriptSafe, SENTINEL_PORT, VALKEY_PORT } from "./names";
import { PATHS, PROBE_PASSWORD_KEY } from "./pod";
import { PROBE_USER } from "../spec/security";

/**
 * Sentinels per service. Three is the smallest number that keeps a majority (2) when one is away,
 * which both the failover vote and the PodDisruptionBudget rely on. The data nodes cannot vote:
 * business plans have 2, and 2 nodes have no majority once one is gone.
 */
export const SENTINEL_REPLICAS = 3;

/**
 * Sentinels that must agree the primary is down before a failover: a majority of SENTINEL_REPLICAS
 * (floor(3/2)+1 = 2). A failover also needs the votes of a majority of all Sentinels, so a lower
 * quorum would not fail over faster, only let one Sentinel cut off from the primary start
 * elections that cannot win; a higher one (3) would make every Sentinel restart block failovers.
 */
export const SENTINEL_QUORUM = Math.floor(SENTINEL_REPLICAS / 2) + 1;

/** How often the kubelet runs the primary-only readiness probe (see primaryReadinessProbe). */
export const PRIMARY_PROBE_PERIOD_SECONDS = 2;

/** How many times (1 s apart) a starting data pod asks the Sentinels for the primary. */
export const START_SENTINEL_ATTEMPTS = 10;

/**
 * Pods without a disk: how long (seconds) a restarted pod that the Sentinels still name as the
 * primary waits for them to promote one of its replicas, instead of coming back as an empty
 * primary whose replicas would copy the empty dataset. Down-after (5 s), the vote and the
 * promotion take well under this; it stays inside the liveness probe's 80 s.
 */
export const MEMORY_ONLY_FAILOVER_WAIT_SECONDS = 30;

/** The environment variables the scripts read, each defaulting to the in-cluster value. */
export const HA_ENV = {
    /** This pod's announced host. @default `$POD_NAME.<name>-headless.<ns>.svc.<domain>` */
    self: "VALKEY_HA_SELF",
    /** This node's port, also used for the local INFO. @default 6379 */
    port: "VALKEY_HA_PORT",
    /** The first-boot primary. @default pod-0's FQDN */
    seed: "VALKEY_HA_SEED",
    /** @default 6379 */
    seedPort: "VALKEY_HA_SEED_PORT",
    /** @default `<name>-sentinel.<ns>.svc.<domain>` */
    sentinel: "VALKEY_HA_SENTINEL",
    /** @default 26379 */
    sentinelPort: "VALKEY_HA_SENTINEL_PORT",
    /** The local INFO's password. @default /etc/valkey-auth/password; with ACL users /etc/valkey-auth/probe-password (as the probe user) */
    passwordFile: "VALKEY_HA_PASSWORD_FILE",
    /** The Sentinels' own password. @default /etc/valkey-auth/sentinel-password */
    sentinelPasswordFile: "VALKEY_HA_SENTINEL_PASSWORD_FILE",
    /** @default /etc/valkey/valkey.conf */
    conf: "VALKEY_HA_CONF",
    /** @default START_SENTINEL_ATTEMPTS */
    attempts: "VALKEY_HA_ATTEMPTS",
    /** Pods without a disk. @default MEMORY_ONLY_FAILOVER_WAIT_SECONDS */
    failoverWait: "VALKEY_HA_FAILOVER_WAIT",
    /** With TLS (valkey_ssl): the directory holding tls.crt, tls.key and ca.crt. @default /etc/valkey-tls */
    tlsDir: "VALKEY_HA_TLS_DIR",
} as const;

/** The Sentinel group: what Sentinel-aware clients ask for (`name`). The resource name. */
export function sentinelGroup(model: ServiceModel): string {
    return model.name;
}

/** `<pod>.<name>-headless.<ns>.svc.<domain>` for a data pod. */
export function dataPodHost(model: ServiceModel, pod: string): string {
    scriptSafe(model);
    return `${pod}.${objectNames(model).headlessService}.${model.namespace}.svc.${model.clusterDomain}`;
}

/** `<pod>.<name>-sentinel-headless.<ns>.svc.<domain>` for a Sentinel pod. */
export function sentinelPodHost(model: ServiceModel, pod: string): string {
    scriptSafe(model);
    return `${pod}.${objectNames(model).sentinelHeadlessService}.${model.namespace}.svc.${model.clusterDomain}`;
}

/** `<name>-sentinel.<ns>.svc.<domain>`: the Service in front of the Sentinels. */
export function sentinelServiceHost(model: ServiceModel): string {
    scriptSafe(model);
    return `${objectNames(model).sentinel}.${model.namespace}.svc.${model.clusterDomain}`;
}

/** `["<name>-sentinel.<ns>.svc.<domain>:26379"]`: what Sentinel-aware clients are given. */
export function sentinelHosts(model: ServiceModel): string[] {
    return [`${sentinelServiceHost(model)}:${SENTINEL_PORT}`];
}

/** The sentinel.conf options of `model`'s Sentinels: they first monitor pod-0, quorum SENTINEL_QUORUM. */
export function sentinelConfOptions(model: ServiceModel): SentinelRenderOptions {
    return {
        primaryHost: dataPodHost(model, `${objectNames(model).statefulSet}-0`),
        primaryPort: VALKEY_PORT,
        group: sentinelGroup(model),
        quorum: SENTINEL_QUORUM,
    };
}

/**
 * valkey-cli as the scripts run it: with TLS (valkey_ssl, every port TLS only) it verifies the
 * server against the CA and presents the pod's certificate, from `$tls_dir` (set by prelude).
 */
function cli(model: ServiceModel): string {
    return model.tls ? 'valkey-cli --tls --cacert "$tls_dir/ca.crt" --cert "$tls_dir/tls.crt" --key "$tls_dir/tls.key"' : "valkey-cli";
}

function prelude(model: ServiceModel): string {
    const headlessSuffix = dataPodHost(model, "").slice(1);
    const seed = dataPodHost(model, `${objectNames(model).statefulSet}-0`);
    const e = HA_ENV;
    return [
        ...(model.tls ? [`tls_dir="\${${e.tlsDir}:-${PATHS.tls}}"`] : []),
        `self="\${${e.self}:-$POD_NAME.${headlessSuffix}}"`,
        `port="\${${e.port}:-${VALKEY_PORT}}"`,
        `seed="\${${e.seed}:-${seed}}"`,
        `seed_port="\${${e.seedPort}:-${VALKEY_PORT}}"`,
        `sentinel="\${${e.sentinel}:-${sentinelServiceHost(model)}}"`,
        `sentinel_port="\${${e.sentinelPort}:-${SENTINEL_PORT}}"`,
        // Prints "host port" of the primary the Sentinels name; fails when none answers. The
        // Sentinels take no command without their own password.
        `primary() { set -- $(REDISCLI_AUTH="$(cat "\${${e.sentinelPasswordFile}:-${PATHS.auth}/sentinel-password}")" ${cli(model)} -t 1 -h "$sentinel" -p "$sentinel_port" SENTINEL get-master-addr-by-name ${sentinelGroup(model)} 2>/dev/null); [ -n "$2" ] && echo "$1 $2"; }`,
    ].join("\n");
}

/**
 * The readiness command of a data pod of a Sentinel plan: exit 0 only when the Sentinels name this
 * pod (its announced host and port) as the primary and the local server reports `role:master`.
 * Both are needed. The Sentinels' answer keeps a restarted old primary that still says
 * `role:master` out (they name the new one). The local role takes a primary out as soon as it is
 * demoted, before the Sentinels notice: the provider's planned handoff (`FAILOVER`) demotes it
 * first and the Sentinels learn of it up to seconds later.
 */
export function primaryReadinessScript(model: ServiceModel): string {
    // With ACL users as the probe user (its password file, `--user`), which may PING and INFO on
    // every Sentinel plan (SENTINEL_PLAN_PROBE_RULES): `default` may be off or restricted to PING.
    const local =
        model.acl !== undefined
            ? `REDISCLI_AUTH="$(cat "\${${HA_ENV.passwordFile}:-${PATHS.auth}/${PROBE_PASSWORD_KEY}}")" ${cli(model)} --user ${PROBE_USER}`
            : `REDISCLI_AUTH="$(cat "\${${HA_ENV.passwordFile}:-${PATHS.auth}/password}")" ${cli(model)}`;
    return [prelude(model), `[ "$(primary)" = "$self $port" ] || exit 1`, `${local} -t 1 -p "$port" INFO replication | grep -q '^role:master'`].join("\n");
}

/**
 * The readiness probe of the data pods of a Sentinel plan (see primaryReadinessScript). Every
 * PRIMARY_PROBE_PERIOD_SECONDS (2 s), one failure or success flips it: after a failover the
 * Service moves to the new primary within about 2 s of the Sentinels announcing it, small next to
 * the 5 s down-after; 1 s would double the exec load on every node (each run forks sh and two
 * valkey-cli) for a second at most. The price of failureThreshold 1: one slow Sentinel answer (over
 * the 2 s timeout) takes the primary out of the Service for one period.
 */
export function primaryReadinessProbe(model: ServiceModel): IProbe {
    return {
        exec: { command: ["sh", "-c", primaryReadinessScript(model)] },
        initialDelaySeconds: 0,
        periodSeconds: PRIMARY_PROBE_PERIOD_SECONDS,
        timeoutSeconds: PRIMARY_PROBE_PERIOD_SECONDS,
        successThreshold: 1,
        failureThreshold: 1,
    };
}

/**
 * The start command of a data pod of a Sentinel plan (run by `sh -c`; extra arguments after the
 * script go to valkey-server last, which is how tests set ports and directories). Asks the
 * Sentinels for the primary up to START_SENTINEL_ATTEMPTS times, 1 s apart; starts as the primary
 * when they name this pod, else as their primary's replica; when none answers, as the seed
 * (pod-0) says. `replica-announce-ip` is always this pod's FQDN, so the Sentinels know replicas by
 * a name that survives restarts with new IPs.
 *
 * A pod without a disk (restartLosesData) starts empty. When the Sentinels still name it as the
 * primary (it restarted within down-after: a crash, an eviction) and know a healthy replica, which
 * holds the keys, it waits (up to MEMORY_ONLY_FAILOVER_WAIT_SECONDS) for them to promote that
 * replica and then starts as its replica: started as the primary, it would hand its replicas the
 * empty dataset in a full sync. Without a known replica (the first boot) it starts at once.
 */
export function startScript(model: ServiceModel): string {
    // The Sentinels take no command without their own password.
    const sentinelCli = `REDISCLI_AUTH="$(cat "\${${HA_ENV.sentinelPasswordFile}:-${PATHS.auth}/sentinel-password}")" ${cli(model)} -t 1 -h "$sentinel" -p "$sentinel_port"`;
    return [
        prelude(model),
        `conf="\${${HA_ENV.conf}:-${PATHS.config}/valkey.conf}"`,
        `i=0; p=""`,
        `while [ "$i" -lt "\${${HA_ENV.attempts}:-${START_SENTINEL_ATTEMPTS}}" ]; do p="$(primary)" && break; i=$((i + 1)); sleep 1; done`,
        `[ -n "$p" ] || p="$seed $seed_port"`,
        ...(restartLosesData(model)
            ? [
                  // A replica the Sentinels see up: its flags are exactly "slave" (else s_down, disconnected, ...).
                  `healthy_replica() { ${sentinelCli} SENTINEL replicas ${sentinelGroup(model)} 2>/dev/null | grep -qx slave; }`,
                  `j=0`,
                  `while [ "$p" = "$self $port" ] && [ "$j" -lt "\${${HA_ENV.failoverWait}:-${MEMORY_ONLY_FAILOVER_WAIT_SECONDS}}" ] && healthy_replica; do sleep 1; j=$((j + 1)); p="$(primary)" || p="$self $port"; done`,
              ]
            : []),
        `if [ "$p" = "$self $port" ]; then exec valkey-server "$conf" --replica-announce-ip "$self" "$@"; fi`,
        `exec valkey-server "$conf" --replica-announce-ip "$self" --replicaof $p "$@"`,
    ].join("\n");
}
