// The Kubernetes objects of a ValkeyCluster: the shared builders (statefulset.ts, services.ts, ...)
// applied to the cluster's ServiceModel, then given what only a cluster has: the cluster bus port,
// `--cluster-announce-ip $(POD_IP)` (docs/pod-contract.md), the user's placement, resources and
// security context, the PVC size, and the metrics exporter sidecar. Pure: no Pulumi.
import * as crypto from "crypto";
import { IStatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import { INetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { IAffinity } from "kubernetes-models/v1/Affinity";
import { IContainer } from "kubernetes-models/v1/Container";
import { ISecret } from "kubernetes-models/v1/Secret";
import { IVolume } from "kubernetes-models/v1/Volume";
import { IService } from "kubernetes-models/v1/Service";
import { aclConfigLines, aclUserConfigLine } from "../acl/commands";
import { AclPlanInput, EXPORTER_RULES } from "../acl/users";
import { exporterPassword } from "../credentials/probe-password";
import { Directive, RenderOptions, valkeyDirectives } from "../config/directives";
import { quoteConfigValue, renderValkeyConf } from "../config/render";
import { ClusterModel } from "../spec/cluster-model";
import { DEFAULT_EXPORTER_USER, PROBE_USER, tlsRenderOptions } from "../spec/security";
import { selectorLabels } from "./labels";
import { buildNetworkPolicy, clientSources } from "./networkpolicy";
import { CLUSTER_BUS_PORT, VALKEY_PORT, objectNames } from "./names";
import { CONFIG_HASH_ANNOTATION, PATHS, PROBE_PASSWORD_KEY, containerSecurityContext, podSecurityContext } from "./pod";
import { buildAuthSecret } from "./secrets";
import { buildHeadlessService } from "./services";
import { buildStatefulSet } from "./statefulset";

/** redis_exporter's port. */
export const METRICS_PORT = 9121;
/**
 * Pod template annotation with a keyed hash of the exporter's user and current password (ACL and
 * exporter on): the one credential a running pod cannot pick up (redis_exporter reads its password
 * file only at start), so only its change rolls the pods. The ACL users do not: the provider
 * applies them live, and a restarted pod reads them from the synced auth Secret.
 */
export const EXPORTER_AUTH_ANNOTATION = "pulumi-valkey/exporter-auth";
/**
 * The auth Secret key holding the exporter user's password (ACL on). The sidecar no longer reads
 * it (it reads EXPORTER_PASSWORD_FILE_KEY); kept because pods of an earlier template (OnDelete:
 * they stay until the provider rolls them) resolve their REDIS_PASSWORD from it on every
 * container restart, and a missing key would stop their exporter from starting.
 */
export const EXPORTER_PASSWORD_KEY = "exporter-password";
/**
 * The auth Secret key holding the exporter sidecar's redis_exporter password file (exporter on):
 * a JSON object with exactly one key, EXPORTER_REDIS_ADDR's value, mapping it to the password.
 */
export const EXPORTER_PASSWORD_FILE_KEY = "exporter-passwords.json";
/** The file name under PATHS.exporterAuth the sidecar reads EXPORTER_PASSWORD_FILE_KEY from. */
export const EXPORTER_PASSWORD_FILE = "passwords.json";

// The exporter only reads INFO and a few keys' sizes: a small, bounded footprint next to Valkey.
const EXPORTER_RESOURCES = { requests: { cpu: "10m", memory: "32Mi" }, limits: { cpu: "100m", memory: "64Mi" } };

function clusterRenderOptions(cm: ClusterModel): RenderOptions {
    return {
        cluster: {},
        persistence: cm.persistence,
        ...(cm.tls !== undefined ? { tls: tlsRenderOptions(cm.tls) } : {}),
    };
}

/**
 * valkey.conf of every cluster node: cluster mode, the `backup` directives, TLS when set. `local`:
 * where a node outside a pod keeps its files and listens (tests). @default the pod contract's
 */
export function renderClusterConf(cm: ClusterModel, local: Pick<RenderOptions, "dataDir" | "port" | "authInclude"> = {}): string {
    return renderValkeyConf(cm.service, { ...clusterRenderOptions(cm), ...local });
}

/** The directives of renderClusterConf, one per line of the file. */
export function clusterDirectives(cm: ClusterModel): Directive[] {
    return valkeyDirectives(cm.service, clusterRenderOptions(cm));
}

/** The address the exporter sidecar scrapes: the pod's own Valkey, `rediss://` with TLS. */
export function exporterRedisAddr(cm: ClusterModel): string {
    return `${cm.tls !== undefined ? "rediss" : "redis"}://localhost:${VALKEY_PORT}`;
}

/**
 * The exporter's redis_exporter password file: `{"<exporterRedisAddr>": password}`. redis_exporter
 * sends a password from this map only to the exact URI it is keyed on, whereas REDIS_PASSWORD
 * goes to every target of `/scrape?target=...`: anyone reaching 9121 could point it at a listener
 * of their own and read the password from the AUTH it sends there.
 */
export function exporterPasswordFile(cm: ClusterModel, password: string): string {
    return JSON.stringify({ [exporterRedisAddr(cm)]: password });
}

/**
 * The Secret `<name>-auth` (docs/pod-contract.md). Without ACL: buildAuthSecret's `password` and
 * `auth.conf`. With ACL: `password` (the default user's), `exporter-password`, `probe-password`
 * (the probe user's, which the probes use whatever acl.defaultUser says), and an `auth.conf`
 * holding the users as `user` lines (passwords only as hashes; see aclConfigLines) plus
 * `masteruser`/`masterauth` of the replication user, because the restricted default user may not
 * PSYNC. With the exporter: `exporter-passwords.json`, the sidecar's password file
 * (exporterPasswordFile) with the exporter user's password; without ACL, auth.conf also gets an
 * `exporter-user` line with EXPORTER_RULES and a password derived from the default user's, so the
 * exporter never scrapes with the default user's full rights.
 */
export function buildClusterAuthSecret(cm: ClusterModel, password: string, acl?: AclPlanInput): ISecret {
    const base = buildAuthSecret(cm.service, password);
    if (acl === undefined) {
        if (!cm.exporter.enabled) return base;
        // No ACL, yet the exporter scrapes as a user of its own with EXPORTER_RULES, not as default.
        const own = { name: DEFAULT_EXPORTER_USER, rules: EXPORTER_RULES, passwords: [exporterPassword(password)] };
        return {
            ...base,
            stringData: {
                ...base.stringData,
                "auth.conf": `${base.stringData!["auth.conf"]}${aclUserConfigLine(own)}\n`,
                [EXPORTER_PASSWORD_FILE_KEY]: exporterPasswordFile(cm, own.passwords[0]),
            },
        };
    }
    const exporter = acl.users.find((u) => u.role === "exporter");
    const passwordFile: Record<string, string> = cm.exporter.enabled ? { [EXPORTER_PASSWORD_FILE_KEY]: exporterPasswordFile(cm, exporter!.passwords[0]) } : {};
    const replication = acl.users.find((u) => u.role === "replication")!;
    const probe = acl.users.find((u) => u.role === "probe")!;
    const lines = [
        ...aclConfigLines(acl, password),
        `masteruser ${quoteConfigValue(replication.name)}`,
        `masterauth ${quoteConfigValue(replication.passwords[0])}`,
    ];
    return {
        ...base,
        stringData: {
            password,
            [EXPORTER_PASSWORD_KEY]: exporter!.passwords[0],
            [PROBE_PASSWORD_KEY]: probe.passwords[0],
            "auth.conf": lines.join("\n") + "\n",
            ...passwordFile,
        },
    };
}

/**
 * The EXPORTER_AUTH_ANNOTATION value: an HMAC-SHA256 of the exporter user's name and current
 * password, keyed with the default user's password (generated, never rotated), so the annotation
 * says when the exporter's credentials changed without letting anyone test password guesses
 * against it. Undefined without ACL (the exporter then uses the default user's password).
 */
export function exporterAuthHash(acl: AclPlanInput | undefined, password: string): string | undefined {
    const exporter = acl?.users.find((u) => u.role === "exporter");
    if (exporter === undefined) return undefined;
    return crypto.createHmac("sha256", password).update(`${exporter.name}\0${exporter.passwords[0]}`).digest("hex").slice(0, 16);
}

export interface ClusterStatefulSetOptions {
    /** Hash of valkey.conf (rolls the pods on change). */
    readonly configHash: string;
    /** exporterAuthHash, when ACL and the exporter are on (rolls the pods when the exporter's password changes). */
    readonly exporterAuthHash?: string;
    /** The exporter's ACL user, when ACL is on. @default the default user */
    readonly exporterUser?: string;
}

/**
 * Placement: the user's podAntiAffinity, or by default a *preferred* spread over hosts. Required
 * anti-affinity would leave pods Pending whenever the cluster has fewer nodes than pods (a 3x1
 * cluster needs 6 hosts), and a Pending primary is worse than two pods on one host; the provider
 * still places each replica on another host than its primary when the scheduler could.
 */
function clusterAffinity(cm: ClusterModel, base: IAffinity | undefined): IAffinity | undefined {
    const affinity: IAffinity = {
        ...(cm.nodeAffinity !== undefined ? { nodeAffinity: cm.nodeAffinity } : base?.nodeAffinity ? { nodeAffinity: base.nodeAffinity } : {}),
        ...(cm.podAffinity !== undefined ? { podAffinity: cm.podAffinity } : {}),
        ...(cm.podAntiAffinity !== undefined
            ? { podAntiAffinity: cm.podAntiAffinity }
            : {
                  podAntiAffinity: {
                      preferredDuringSchedulingIgnoredDuringExecution: [
                          {
                              weight: 100,
                              podAffinityTerm: { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: selectorLabels(cm.service) } },
                          },
                      ],
                  },
              }),
    };
    return Object.keys(affinity).length > 0 ? affinity : undefined;
}

/**
 * The volume `exporter-auth`: of the auth Secret only the exporter's password file, so the sidecar
 * sees no other credential (auth.conf holds the replication password).
 */
function exporterAuthVolume(cm: ClusterModel): IVolume {
    const names = objectNames(cm.service);
    // 0440: readable by the fsGroup (a supplementary group of the exporter's user too), by nobody else.
    return {
        name: "exporter-auth",
        secret: { secretName: names.authSecret, items: [{ key: EXPORTER_PASSWORD_FILE_KEY, path: EXPORTER_PASSWORD_FILE }], defaultMode: 0o440 },
    };
}

function exporterContainer(cm: ClusterModel, exporterUser: string | undefined): IContainer {
    const tls = cm.tls !== undefined;
    return {
        name: "exporter",
        image: cm.exporter.image,
        imagePullPolicy: "IfNotPresent",
        ports: [{ name: "metrics", containerPort: METRICS_PORT, protocol: "TCP" }],
        env: [
            { name: "REDIS_ADDR", value: exporterRedisAddr(cm) },
            // With or without ACL a user of its own (buildClusterAuthSecret), never default.
            { name: "REDIS_USER", value: exporterUser ?? DEFAULT_EXPORTER_USER },
            // The exporter user may not run CONFIG (CONFIG GET returns masterauth), so
            // redis_exporter skips its config metrics instead of a refused command each scrape.
            { name: "REDIS_EXPORTER_CONFIG_COMMAND", value: "-" },
            // Never REDIS_PASSWORD: redis_exporter sends it to whatever `/scrape?target=` names, and
            // ignores the password file while it is set (exporterPasswordFile).
            { name: "REDIS_PASSWORD_FILE", value: `${PATHS.exporterAuth}/${EXPORTER_PASSWORD_FILE}` },
            ...(tls
                ? [
                      { name: "REDIS_EXPORTER_TLS_CA_CERT_FILE", value: `${PATHS.tls}/ca.crt` },
                      // The server certificate allows client_auth: presented when mTLS is required.
                      { name: "REDIS_EXPORTER_TLS_CLIENT_CERT_FILE", value: `${PATHS.tls}/tls.crt` },
                      { name: "REDIS_EXPORTER_TLS_CLIENT_KEY_FILE", value: `${PATHS.tls}/tls.key` },
                  ]
                : []),
        ],
        volumeMounts: [
            { name: "exporter-auth", mountPath: PATHS.exporterAuth, readOnly: true },
            ...(tls ? [{ name: "tls", mountPath: PATHS.tls, readOnly: true }] : []),
        ],
        resources: EXPORTER_RESOURCES,
        securityContext: containerSecurityContext(),
    };
}

/**
 * The StatefulSet `<name>` with masterCount x (1 + replicasPerMaster) pods: buildStatefulSet's
 * pod contract plus `args: ["--cluster-announce-ip", "$(POD_IP)"]` (the bus always uses IPs), the
 * cluster bus port 16379, the user's resources, affinity, tolerations and security context
 * (runAsUser/runAsGroup also applied to the containers, whose own context would override the
 * pod's), the PVC size and class of `pvc`, the exporter sidecar when enabled, and the user's
 * Secret as the `tls` volume with tls.externalCerts.
 */
export function buildClusterStatefulSet(cm: ClusterModel, options: ClusterStatefulSetOptions): IStatefulSet {
    // With ACL the probes authenticate as the probe user: `default` may be off (acl.defaultUser).
    const base = buildStatefulSet(cm.service, {
        configHash: options.configHash,
        ...(cm.acl !== undefined ? { probe: { passwordKey: PROBE_PASSWORD_KEY, user: PROBE_USER } } : {}),
    });
    const spec = base.spec!;
    const pod = spec.template.spec!;
    const userIds = {
        ...(cm.securityContext?.runAsUser !== undefined ? { runAsUser: cm.securityContext.runAsUser } : {}),
        ...(cm.securityContext?.runAsGroup !== undefined ? { runAsGroup: cm.securityContext.runAsGroup } : {}),
    };
    const valkey: IContainer = {
        ...pod.containers[0],
        args: ["--cluster-announce-ip", "$(POD_IP)"],
        ports: [...(pod.containers[0].ports ?? []), { name: "cluster-bus", containerPort: CLUSTER_BUS_PORT, protocol: "TCP" }],
        resources: cm.resources,
        securityContext: { ...pod.containers[0].securityContext, ...userIds },
    };
    const containers = [valkey];
    if (cm.exporter.enabled) {
        const exporter = exporterContainer(cm, options.exporterUser);
        containers.push({ ...exporter, securityContext: { ...exporter.securityContext, ...userIds } });
    }
    const pullSecrets = [...new Set([...cm.service.imagePullSecrets, ...(cm.exporter.enabled ? cm.exporter.imagePullSecrets : [])])];
    const affinity = clusterAffinity(cm, pod.affinity);
    const { affinity: _ignored, imagePullSecrets: _pulls, ...podRest } = pod;
    // tls.externalCerts: the pods mount the user's Secret (same keys, same path) instead of `<name>-tls`.
    const external = cm.tls?.externalCerts;
    const baseVolumes = [...(pod.volumes ?? []), ...(cm.exporter.enabled ? [exporterAuthVolume(cm)] : [])];
    const volumes =
        external !== undefined ? baseVolumes.map((v) => (v.name === "tls" ? { ...v, secret: { ...v.secret, secretName: external } } : v)) : baseVolumes;
    return {
        ...base,
        spec: {
            ...spec,
            // What becomes of the claims of the pods a scale-in removes (after they were drained).
            persistentVolumeClaimRetentionPolicy: { ...spec.persistentVolumeClaimRetentionPolicy, whenScaled: cm.pvcWhenScaled },
            volumeClaimTemplates: spec.volumeClaimTemplates!.map((t) => ({
                ...t,
                spec: { ...t.spec, resources: { requests: { storage: cm.pvc.storageSize } } },
            })),
            template: {
                metadata: {
                    ...spec.template.metadata,
                    annotations: {
                        ...spec.template.metadata!.annotations,
                        [CONFIG_HASH_ANNOTATION]: options.configHash,
                        ...(cm.exporter.enabled && options.exporterAuthHash !== undefined ? { [EXPORTER_AUTH_ANNOTATION]: options.exporterAuthHash } : {}),
                    },
                },
                spec: {
                    ...podRest,
                    ...(volumes.length > 0 ? { volumes } : {}),
                    securityContext: { ...podSecurityContext(), ...cm.securityContext },
                    ...(pullSecrets.length > 0 ? { imagePullSecrets: pullSecrets.map((name) => ({ name })) } : {}),
                    ...(affinity !== undefined ? { affinity } : {}),
                    ...(cm.tolerations.length > 0 ? { tolerations: [...cm.tolerations] } : {}),
                    containers,
                },
            },
        },
    };
}

/** The headless Service `<name>-headless` with 6379, the cluster bus 16379, and 9121 with the exporter. */
export function buildClusterHeadlessService(cm: ClusterModel): IService {
    const base = buildHeadlessService(cm.service);
    return {
        ...base,
        spec: {
            ...base.spec,
            ports: [
                ...(base.spec!.ports ?? []),
                { name: "cluster-bus", port: CLUSTER_BUS_PORT, targetPort: "cluster-bus", protocol: "TCP" as const },
                ...(cm.exporter.enabled ? [{ name: "metrics", port: METRICS_PORT, targetPort: "metrics", protocol: "TCP" as const }] : []),
            ],
        },
    };
}

/**
 * The NetworkPolicy `<name>`: clients on 6379, the cluster's own pods on 6379 and the cluster bus
 * 16379, and with the exporter, scrapers on 9121 from exactly the sources of 6379 (clientSources):
 * its /scrape endpoint connects wherever a caller asks (without a password: exporterPasswordFile)
 * and serves the node's metrics, so it is no more open than the data port.
 */
export function buildClusterNetworkPolicy(cm: ClusterModel): INetworkPolicy {
    const base = buildNetworkPolicy(cm.service);
    const [clients, own] = base.spec!.ingress!;
    const tcp = (port: number) => ({ protocol: "TCP" as const, port });
    const from = clientSources(cm.service);
    const metrics = { ports: [tcp(METRICS_PORT)], ...(from !== undefined ? { from } : {}) };
    return {
        ...base,
        spec: {
            ...base.spec!,
            ingress: [clients, { ...own, ports: [tcp(VALKEY_PORT), tcp(CLUSTER_BUS_PORT)] }, ...(cm.exporter.enabled ? [metrics] : [])],
        },
    };
}
