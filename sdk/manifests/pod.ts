// What the data pods and the Sentinel pods share (docs/pod-contract.md): the restricted security
// context, the authenticated probes, the soft placement, the auth and TLS volumes.
import * as crypto from "crypto";
import { IAffinity } from "kubernetes-models/v1/Affinity";
import { IPodSecurityContext } from "kubernetes-models/v1/PodSecurityContext";
import { IPodSpec } from "kubernetes-models/v1/PodSpec";
import { IProbe } from "kubernetes-models/v1/Probe";
import { ITopologySpreadConstraint } from "kubernetes-models/v1/TopologySpreadConstraint";
import { ISecurityContext } from "kubernetes-models/v1/SecurityContext";
import { IVolume } from "kubernetes-models/v1/Volume";
import { IVolumeMount } from "kubernetes-models/v1/VolumeMount";
import { PATHS } from "../spec/contract";
import { ANNOTATION_PREFIX, DEFAULT_SCHEDULING, ServiceModel } from "../spec/service-model";
import { Component, isLabelValue, selectorLabels } from "./labels";
import { objectNames } from "./names";

/** uid and gid of the valkey user in the official images; also the fsGroup of the volumes. */
export const VALKEY_UID = 999;

export { PATHS } from "../spec/contract";

/** A short hash of text that rolls the pods when it changes (a config, a certificate), for pod template annotations. */
export function shortHash(text: string): string {
    return crypto.createHash("sha256").update(text).digest("hex").slice(0, 16);
}

/** Pod template annotation holding the hash of the rendered configuration. */
export const CONFIG_HASH_ANNOTATION = `${ANNOTATION_PREFIX}/config-hash`;

/** The auth Secret key holding the probe user's password (ACL on; sdk/credentials/probe-password.ts). */
export const PROBE_PASSWORD_KEY = "probe-password";

/**
 * Whom a probe authenticates as: the password under `passwordKey` in the auth Secret (the default
 * user's, the Sentinels' own, or with ACL the probe user's), sent as `user` when set. With ACL the
 * probes must not authenticate as `default`: `acl.defaultUser: "off"` disables it, and every pod
 * would stay unready (issue 11, finding 7).
 */
export interface ProbeCredential {
    readonly passwordKey: "password" | "sentinel-password" | typeof PROBE_PASSWORD_KEY;
    /** An ACL user name (no shell metacharacters: it is written unquoted). @default the default user */
    readonly user?: string;
}

/** The default user's password: the probes of a service without ACL users. */
export const DEFAULT_PROBE_CREDENTIAL: ProbeCredential = { passwordKey: "password" };

const SHELL_WORD = /^[A-Za-z0-9._@-]+$/;

function cli(model: ServiceModel, port: number, credential: ProbeCredential): string {
    const tls = model.tls ? ` --tls --cacert ${PATHS.tls}/ca.crt --cert ${PATHS.tls}/tls.crt --key ${PATHS.tls}/tls.key` : "";
    if (credential.user !== undefined && !SHELL_WORD.test(credential.user)) throw new Error(`probe user ${JSON.stringify(credential.user)}: not a plain word`);
    // The password goes by REDISCLI_AUTH, never on the command line (ps would show it).
    const user = credential.user !== undefined ? ` --user ${credential.user}` : "";
    return `REDISCLI_AUTH="$(cat ${PATHS.auth}/${credential.passwordKey})" valkey-cli${tls}${user} -p ${port} ping`;
}

/**
 * The readiness probe: ready only when a PING on `port`, authenticated as `credential`, answers
 * PONG. valkey-cli exits 0 even on an error reply, so the output is compared, not the exit code.
 */
export function readinessProbe(model: ServiceModel, port: number, credential: ProbeCredential = DEFAULT_PROBE_CREDENTIAL): IProbe {
    return {
        exec: { command: ["sh", "-c", `[ "$(${cli(model, port, credential)})" = "PONG" ]`] },
        initialDelaySeconds: 5,
        periodSeconds: 5,
        timeoutSeconds: 3,
        successThreshold: 1,
        failureThreshold: 3,
    };
}

// Replies that prove the server is alive even though it cannot serve yet or refuses this client.
// A restart would not help any of them and would lose the writes since the last save: LOADING
// (reading a large dataset), MASTERDOWN (a replica whose primary is away), BUSY (a long script),
// and authentication errors (a password being rotated must never restart-loop the pods).
const ALIVE_REPLIES = ["PONG", "LOADING*", "MASTERDOWN*", "BUSY*", "NOAUTH*", "WRONGPASS*", '"AUTH failed"*'];

/**
 * The liveness probe: fails only when the server on `port` gives no answer at all (refused or
 * timed out), and only after a minute of that, so a slow start is not killed.
 */
export function livenessProbe(model: ServiceModel, port: number, credential: ProbeCredential = DEFAULT_PROBE_CREDENTIAL): IProbe {
    return {
        exec: {
            command: ["sh", "-c", `r="$(${cli(model, port, credential)} 2>&1)"; case "$r" in ${ALIVE_REPLIES.join("|")}) exit 0;; esac; echo "$r"; exit 1`],
        },
        initialDelaySeconds: 20,
        periodSeconds: 10,
        timeoutSeconds: 5,
        successThreshold: 1,
        failureThreshold: 6,
    };
}

/** The restricted Pod Security Standard, pod level. */
export function podSecurityContext(): IPodSecurityContext {
    return {
        runAsNonRoot: true,
        runAsUser: VALKEY_UID,
        runAsGroup: VALKEY_UID,
        fsGroup: VALKEY_UID,
        // Only chown the volume when its root is not already ours: a recursive chown of a large
        // dataset on every start would delay the pod by minutes.
        fsGroupChangePolicy: "OnRootMismatch",
        seccompProfile: { type: "RuntimeDefault" },
    };
}

/** The restricted Pod Security Standard, container level. */
export function containerSecurityContext(): ISecurityContext {
    return {
        runAsNonRoot: true,
        runAsUser: VALKEY_UID,
        runAsGroup: VALKEY_UID,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        privileged: false,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
    };
}

/**
 * Region values a node may carry for `cloudName`: the name itself and the name without its
 * provider prefix ("google-europe-west1" -> "europe-west1"), each only when it is a valid label
 * value (nothing else can match a node label).
 */
export function regionCandidates(cloudName: string): string[] {
    const dash = cloudName.indexOf("-");
    const withoutProvider = dash > 0 ? cloudName.slice(dash + 1) : cloudName;
    return [...new Set([cloudName, withoutProvider])].filter(isLabelValue);
}

/**
 * Soft placement by default: the region preference never makes a pod unschedulable (DESIGN.md),
 * and spreading `replicas` > 1 pods of `component` over hosts is preferred, not required, so small
 * clusters still run them (a required spread would leave pods Pending whenever the cluster has
 * fewer nodes than pods, and a Pending primary is worse than two pods on one host). The data pods
 * take the model's scheduling: its nodeAffinity replaces the region preference, its
 * podAntiAffinity the default spreading, its podAffinity is added. Undefined when there is
 * nothing to prefer.
 */
export function affinity(model: ServiceModel, component: Component, replicas: number): IAffinity | undefined {
    const own = component === "server" ? model.scheduling : DEFAULT_SCHEDULING;
    const regions = model.cloudName === undefined ? [] : regionCandidates(model.cloudName);
    const result: IAffinity = {};
    if (own.nodeAffinity !== undefined) {
        result.nodeAffinity = own.nodeAffinity;
    } else if (regions.length > 0) {
        result.nodeAffinity = {
            preferredDuringSchedulingIgnoredDuringExecution: [
                {
                    weight: 50,
                    preference: { matchExpressions: [{ key: "topology.kubernetes.io/region", operator: "In", values: regions }] },
                },
            ],
        };
    }
    if (own.podAffinity !== undefined) result.podAffinity = own.podAffinity;
    if (own.podAntiAffinity !== undefined) {
        result.podAntiAffinity = own.podAntiAffinity;
    } else if (replicas > 1) {
        result.podAntiAffinity = {
            preferredDuringSchedulingIgnoredDuringExecution: [
                {
                    weight: 100,
                    podAffinityTerm: { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: selectorLabels(model, component) } },
                },
            ],
        };
    }
    return Object.keys(result).length > 0 ? result : undefined;
}

/**
 * The `auth` volume and mount (and `tls` when model.tls), which both kinds of pod have. The `tls`
 * volume is `<name>-tls`, or with external certificates the user's Secret (same keys, same path).
 */
export function credentialVolumes(model: ServiceModel): { volumes: IVolume[]; mounts: IVolumeMount[] } {
    const names = objectNames(model);
    // 0440: readable by the fsGroup (the valkey user), by nobody else.
    const volumes: IVolume[] = [{ name: "auth", secret: { secretName: names.authSecret, defaultMode: 0o440 } }];
    const mounts: IVolumeMount[] = [{ name: "auth", mountPath: PATHS.auth, readOnly: true }];
    if (model.tls !== undefined) {
        const certificates = model.tls.certificates;
        volumes.push({ name: "tls", secret: { secretName: certificates.kind === "external" ? certificates.secretName : names.tlsSecret, defaultMode: 0o440 } });
        mounts.push({ name: "tls", mountPath: PATHS.tls, readOnly: true });
    }
    return { volumes, mounts };
}

/**
 * The user ids of the model's security context, which the containers get too: a container's own
 * context (containerSecurityContext) would otherwise override the pod's.
 */
export function containerUserIds(model: ServiceModel): { runAsUser?: number; runAsGroup?: number } {
    const context = model.scheduling.securityContext;
    return {
        ...(context?.runAsUser !== undefined ? { runAsUser: context.runAsUser } : {}),
        ...(context?.runAsGroup !== undefined ? { runAsGroup: context.runAsGroup } : {}),
    };
}

/**
 * The data pods' topology spread constraints: the model's, each without a labelSelector given the
 * data pods' selector labels (a constraint that selects no pod spreads nothing, and the API server
 * refuses matchLabelKeys without a labelSelector).
 */
export function topologySpreadConstraints(model: ServiceModel): ITopologySpreadConstraint[] {
    return model.scheduling.topologySpreadConstraints.map((c) =>
        c.labelSelector !== undefined ? c : { ...c, labelSelector: { matchLabels: selectorLabels(model) } },
    );
}

/**
 * A pod template's annotations: the model's podAnnotations (data and Sentinel pods alike), then
 * `own`, the package's, which win should a key meet (the schema refuses the package's keys in
 * podAnnotations). Without podAnnotations exactly `own`, in its order.
 */
export function podTemplateAnnotations(model: ServiceModel, own: Readonly<Record<string, string>>): Record<string, string> {
    return { ...model.scheduling.podAnnotations, ...own };
}

/**
 * The pod spec fields both StatefulSets share: no service account token (Valkey never calls the
 * Kubernetes API), no service links (they would inject e.g. VALKEY_PORT=tcp://... for a Service
 * called "valkey", which some entrypoints misread as a port), the security context, pull secrets
 * (the data pods' also the exporter's) and placement. Both kinds of pod get the model's
 * tolerations, nodeSelector and priorityClassName (a Sentinel that cannot run on the data pods'
 * pool, or is preempted first, leaves the primary without failover); the data pods also its
 * security context (over the restricted default), affinities and topology spread constraints.
 * Each field only when set, so a model without them renders the pod spec it always did.
 */
export function podSpecBase(model: ServiceModel, component: Component, replicas: number): Omit<IPodSpec, "containers"> {
    const placement = affinity(model, component, replicas);
    const server = component === "server";
    const scheduling = model.scheduling;
    const pullSecrets = [...new Set([...model.imagePullSecrets, ...(server && model.exporter !== undefined ? model.exporter.imagePullSecrets : [])])];
    const spread = server ? topologySpreadConstraints(model) : [];
    return {
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        securityContext: { ...podSecurityContext(), ...(server ? scheduling.securityContext : {}) },
        ...(pullSecrets.length > 0 ? { imagePullSecrets: pullSecrets.map((name) => ({ name })) } : {}),
        ...(placement ? { affinity: placement } : {}),
        ...(scheduling.tolerations.length > 0 ? { tolerations: [...scheduling.tolerations] } : {}),
        ...(Object.keys(scheduling.nodeSelector).length > 0 ? { nodeSelector: { ...scheduling.nodeSelector } } : {}),
        ...(spread.length > 0 ? { topologySpreadConstraints: spread } : {}),
        ...(scheduling.priorityClassName !== undefined ? { priorityClassName: scheduling.priorityClassName } : {}),
    };
}
