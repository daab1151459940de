// The metrics exporter sidecar (redis_exporter) of the data pods, when the model has `exporter`:
// its container, the one credential file it reads, and the hash that rolls the pods when that
// credential changes. Pure: no Pulumi.
import * as crypto from "crypto";
import { IContainer } from "kubernetes-models/v1/Container";
import { IVolume } from "kubernetes-models/v1/Volume";
import { AclPlanInput } from "../acl/users";
import { ExporterModel, ServiceModel } from "../spec/service-model";
import { DEFAULT_EXPORTER_USER } from "../spec/security";
import { VALKEY_PORT, objectNames } from "./names";
import { PATHS, containerSecurityContext, containerUserIds } from "./pod";

/** redis_exporter's port. */
import { METRICS_PORT } from "../spec/contract";
export { METRICS_PORT };
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

/** The address the exporter sidecar scrapes: the pod's own Valkey, `rediss://` with TLS. */
export function exporterRedisAddr(model: ServiceModel): string {
    return `${model.tls !== undefined ? "rediss" : "redis"}://localhost:${VALKEY_PORT}`;
}

/**
 * The exporter's redis_exporter password file: `{"<exporterRedisAddr>": password}`. redis_exporter
 * sends a password from this map only to the exact URI it is keyed on, whereas REDIS_PASSWORD
 * goes to every target of `/scrape?target=...`: anyone reaching 9121 could point it at a listener
 * of their own and read the password from the AUTH it sends there.
 */
export function exporterPasswordFile(model: ServiceModel, password: string): string {
    return JSON.stringify({ [exporterRedisAddr(model)]: password });
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

/**
 * The volume `exporter-auth`: of the auth Secret only the exporter's password file, so the sidecar
 * sees no other credential (auth.conf holds the replication password).
 */
export function exporterAuthVolume(model: ServiceModel): IVolume {
    const names = objectNames(model);
    // 0440: readable by the fsGroup (a supplementary group of the exporter's user too), by nobody else.
    return {
        name: "exporter-auth",
        secret: { secretName: names.authSecret, items: [{ key: EXPORTER_PASSWORD_FILE_KEY, path: EXPORTER_PASSWORD_FILE }], defaultMode: 0o440 },
    };
}

/** The sidecar container: scrapes the pod's own Valkey as `exporterUser` with its password file, on METRICS_PORT. */
export function exporterContainer(model: ServiceModel, exporter: ExporterModel, exporterUser: string | undefined): IContainer {
    const tls = model.tls !== undefined;
    return {
        name: "exporter",
        image: exporter.image,
        imagePullPolicy: "IfNotPresent",
        ports: [{ name: "metrics", containerPort: METRICS_PORT, protocol: "TCP" }],
        env: [
            { name: "REDIS_ADDR", value: exporterRedisAddr(model) },
            // With or without ACL a user of its own (buildAuthSecret), never default.
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
        securityContext: { ...containerSecurityContext(), ...containerUserIds(model) },
    };
}

/**
 * Why the exporter sidecar cannot verify this server certificate, or undefined: it scrapes its own
 * pod at `rediss://localhost:6379` and checks the certificate under `localhost` (redis_exporter has
 * no setting for another name), so the certificate must name it. Undefined too for what does not
 * parse as a certificate: valkey-server refuses that itself, loudly.
 */
export function exporterCertificateProblem(pem: string): string | undefined {
    let names: string;
    try {
        names = new crypto.X509Certificate(pem).subjectAltName ?? "";
    } catch {
        return undefined;
    }
    if (names.split(", ").includes("DNS:localhost")) return undefined;
    return "does not name localhost (DNS:localhost), which the exporter sidecar verifies it under (it scrapes its own pod at rediss://localhost:6379): add localhost to the certificate's DNS names (cert-manager: spec.dnsNames), or turn the exporter off";
}
