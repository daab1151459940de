// The contract of the `ValkeyCluster` component: seeds/002's `ValkeyCluster` spec, field for field
// where this package implements it, plus `namespace` and `kubeconfig` (what only exists here).
// Every object is strict: an unknown field (e.g. seeds/002's `sidecarImage`, which has no meaning
// without an operator) is an error by name. Kubernetes-shaped fields (affinity, tolerations,
// topologySpreadConstraints, resources, securityContext) are checked against the Kubernetes
// OpenAPI schema with kubernetes-models (sdk/spec/kubernetes.ts, shared with the Aiven front
// door's `kubernetes` group), so `pulumi preview` names the bad field instead of the apply failing.
import { z } from "zod";
import { connInfoSecretTargetSchema, ipFilterEntrySchema, maintenanceWindowDowSchema, maintenanceWindowTimeSchema } from "./aiven";
import {
    DNS_SUBDOMAIN,
    QUANTITY_BOUND,
    annotationMap,
    labelMap,
    nodeAffinitySchema,
    nodeSelectorSchema,
    podAffinitySchema,
    podAnnotationsSchema,
    podAntiAffinitySchema,
    priorityClassNameSchema,
    resourcesProblems,
    resourcesSchema,
    securityContextSchema,
    tolerationsSchema,
    topologySpreadConstraintsSchema,
} from "./kubernetes";
import { KUBERNETES_QUANTITY_MAX, TIMEOUT_SECONDS_RANGE, VALKEY_INT_MAX, VALKEY_LLONG_MAX, memorySizeBytes, quantityExceeds } from "./limits";
import { aclSpecSchema, tlsListenerIssues, tlsSpecSchema } from "./security";

// ---------------------------------------------------------------------------------------------
// Defaults (applied with `??` in cluster-model.ts, only to unset values)

/** Fewer than 3 primaries cannot elect a new primary after a failure (a majority of primaries votes). */
export const MIN_MASTER_COUNT = 3;
/** seeds/002's example. */
export const DEFAULT_MASTER_COUNT = 3;
/** One replica per primary: a failed primary is replaced without losing its shard. */
export const DEFAULT_REPLICAS_PER_MASTER = 1;
/** Valkey's own default save rules (reference/valkey-operations.md, Persistence). */
export const DEFAULT_SAVE_RULE = "3600 1 300 100 60 10000";
/** seeds/002's example and Valkey's default: at most ~1-2 s of writes lost, no fsync per write. */
export const DEFAULT_APPENDFSYNC = "everysec";
/** Valkey's defaults for AOF rewrites. */
export const DEFAULT_AUTO_AOF_REWRITE_PERCENTAGE = 100;
export const DEFAULT_AUTO_AOF_REWRITE_MIN_SIZE = "64mb";
/** Per node: room for the dataset, an RDB snapshot and an AOF rewrite side by side. */
export const DEFAULT_STORAGE_SIZE = "10Gi";
/** Namespace of every object when `namespace` is unset. */
export const DEFAULT_NAMESPACE = "default";
export const APPENDFSYNC_VALUES = ["always", "everysec", "no"] as const;

// ---------------------------------------------------------------------------------------------
// Building blocks

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function matching(re: RegExp, what: string, max: number) {
    return z.string().superRefine((value, ctx) => {
        if (value.length > max || !re.test(value)) ctx.addIssue({ code: "custom", message: `must be ${what} (got ${JSON.stringify(value)})` });
    });
}

/** A Kubernetes resource quantity with a unit, e.g. "30Gi", "500M"; never zero, at most 2^63-1 bytes. */
const QUANTITY = /^([0-9]+(\.[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;

const quantity = z.string().superRefine((value, ctx) => {
    const match = QUANTITY.exec(value);
    if (!match) {
        ctx.addIssue({ code: "custom", message: `must be a Kubernetes quantity like 30Gi or 500M (got ${JSON.stringify(value)})` });
    } else if (Number(match[1]) === 0) {
        ctx.addIssue({ code: "custom", message: `must be more than zero (got ${JSON.stringify(value)})` });
    } else if (quantityExceeds(value, KUBERNETES_QUANTITY_MAX)) {
        ctx.addIssue({ code: "custom", message: `${QUANTITY_BOUND} (got ${JSON.stringify(value)})` });
    }
});

/** valkey.conf `save`: pairs of "<seconds> <changes>", or "" for no snapshots. */
const SAVE_RULE = /^$|^[1-9][0-9]* [1-9][0-9]*( [1-9][0-9]* [1-9][0-9]*)*$/;
/** valkey.conf memory sizes as auto-aof-rewrite-min-size takes them, e.g. 64mb, 1gb, 1048576. */
const MEMORY_SIZE = /^[1-9][0-9]*(b|k|kb|m|mb|g|gb)?$/i;

const imageSchema = z.strictObject({
    /** Repository, e.g. "valkey/valkey-bundle". */
    name: z.string().min(1).max(255),
    /** Tag, e.g. "8.1". */
    tag: matching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, "an image tag (up to 128 of [A-Za-z0-9_.-], not starting with '.' or '-')", 128),
    /** Names of image pull Secrets in the namespace. @default none */
    imagePullSecrets: z.array(matching(DNS_SUBDOMAIN, "a Kubernetes Secret name", 253)).optional(),
});

// ---------------------------------------------------------------------------------------------
// The spec

export const pvcSchema = z.strictObject({
    /** Size of each node's data PVC; may grow (the PVCs are expanded), never shrink. @default DEFAULT_STORAGE_SIZE ("10Gi") */
    storageSize: quantity.optional(),
    /** StorageClass of the data PVCs. Immutable. @default the cluster's default StorageClass */
    storageClassName: matching(DNS_SUBDOMAIN, "a StorageClass name (lowercase DNS subdomain)", 253).optional(),
    /** The claims of the pods a scale-in removes (once drained): kept ("Retain") or deleted. @default "Retain" */
    whenScaled: z.enum(["Retain", "Delete"]).optional(),
});

export const backupSchema = z.strictObject({
    database: z
        .strictObject({
            /** RDB snapshots. @default true */
            enabled: z.boolean().optional(),
            /** `save` rules: "<seconds> <changes>" pairs, e.g. "60 100"; "" for none. @default DEFAULT_SAVE_RULE */
            save: z
                .string()
                .superRefine((value, ctx) => {
                    if (!SAVE_RULE.test(value)) {
                        ctx.addIssue({
                            code: "custom",
                            message: `must be pairs of positive integers "<seconds> <changes>" separated by single spaces, e.g. "60 100" or "3600 1 300 100", or "" for no snapshots (got ${JSON.stringify(value)})`,
                        });
                        return;
                    }
                    // valkey-server saturates larger seconds and wraps larger changes around
                    // (a C int: 2147483648 changes reads back as -2147483648), without an error.
                    const words = value === "" ? [] : value.split(" ").map((w) => BigInt(w));
                    for (let i = 0; i < words.length; i += 2) {
                        if (words[i] > VALKEY_LLONG_MAX || words[i + 1] > BigInt(VALKEY_INT_MAX)) {
                            ctx.addIssue({
                                code: "custom",
                                message: `must have at most ${VALKEY_LLONG_MAX} seconds and at most ${VALKEY_INT_MAX} changes in each rule, what valkey-server reads back unchanged (got ${JSON.stringify(value)})`,
                            });
                            return;
                        }
                    }
                })
                .optional(),
        })
        .superRefine((db, ctx) => {
            if (db.enabled === false && db.save !== undefined && db.save !== "") {
                ctx.addIssue({
                    code: "custom",
                    path: ["save"],
                    message: 'must be unset or "" when enabled is false: snapshots are off. Remove one of the two.',
                });
            }
        })
        .optional(),
    aof: z
        .strictObject({
            /** `appendonly yes`: every write is logged. @default false */
            enabled: z.boolean().optional(),
            /** @default DEFAULT_APPENDFSYNC ("everysec") */
            appendfsync: z.enum(APPENDFSYNC_VALUES).optional(),
            /** `auto-aof-rewrite-percentage`; 0 turns automatic rewrites off. @default 100 */
            autoAofRewritePercentage: z.number().int().min(0).max(VALKEY_INT_MAX).optional(),
            /** `auto-aof-rewrite-min-size`, e.g. "64mb". @default "64mb" */
            autoAofRewriteMinSize: z
                .string()
                .superRefine((value, ctx) => {
                    if (!MEMORY_SIZE.test(value)) {
                        ctx.addIssue({ code: "custom", message: `must be a size like 64mb, 512kb, 1gb or a number of bytes (got ${JSON.stringify(value)})` });
                    } else if (memorySizeBytes(value)! > VALKEY_LLONG_MAX) {
                        // Past it valkey-server refuses to start, or wraps around (17179869184gb is 0).
                        ctx.addIssue({
                            code: "custom",
                            message: `must be at most ${VALKEY_LLONG_MAX} bytes (8589934591gb and 1073741823 bytes), the most valkey-server takes (got ${JSON.stringify(value)}, ${memorySizeBytes(value)} bytes)`,
                        });
                    }
                })
                .optional(),
        })
        .optional(),
});

export const exporterSchema = z.strictObject({
    /** A redis_exporter sidecar on port 9121. @default false */
    enabled: z.boolean().optional(),
    /** @default DEFAULT_EXPORTER_IMAGE (a pinned oliver006/redis_exporter) */
    image: imageSchema.optional(),
});

export const valkeyClusterSpecSchema = z
    .strictObject({
        /** @default DEFAULT_IMAGE (a pinned Valkey 8 image), no pull Secrets */
        valkeyImage: imageSchema.optional(),
        /** Primaries (shards). @default DEFAULT_MASTER_COUNT (3) */
        masterCount: z.number().int().min(MIN_MASTER_COUNT).max(1000).optional(),
        /** Replicas of each primary. @default DEFAULT_REPLICAS_PER_MASTER (1) */
        replicasPerMaster: z.number().int().min(0).max(10).optional(),
        /** TLS on the client port, the cluster bus and replication. @default no TLS */
        tls: tlsSpecSchema.optional(),
        /** ACL users. @default no ACL: the default user with a generated password */
        acl: aclSpecSchema.optional(),
        /** @default preferred spreading of the pods across hosts (kubernetes.io/hostname) */
        podAntiAffinity: podAntiAffinitySchema.optional(),
        /** @default none */
        podAffinity: podAffinitySchema.optional(),
        /** @default none */
        nodeAffinity: nodeAffinitySchema.optional(),
        /** @default none */
        tolerations: tolerationsSchema.optional(),
        /** Node labels the pods require. @default none */
        nodeSelector: nodeSelectorSchema.optional(),
        /** One without a labelSelector selects the cluster's own pods. @default none */
        topologySpreadConstraints: topologySpreadConstraintsSchema.optional(),
        /** PriorityClass of the pods. @default none (the cluster's global default) */
        priorityClassName: priorityClassNameSchema.optional(),
        /** Annotations of the pod template; `pulumi-valkey/` keys are reserved. @default none */
        podAnnotations: podAnnotationsSchema.optional(),
        /** Requests and limits of the valkey container; memory sets maxmemory. @default DEFAULT_RESOURCES */
        resources: resourcesSchema.optional(),
        /** Labels on every object and pod. @default none */
        labels: labelMap().optional(),
        /** Pod security context, merged over the restricted default (uid 999). @default the default */
        securityContext: securityContextSchema.optional(),
        /** Immutable after creation. */
        pvc: pvcSchema.optional(),
        backup: backupSchema.optional(),
        exporter: exporterSchema.optional(),
        /**
         * The sources (CIDRs, entries as in Aiven's ip_filter) the NetworkPolicy admits on the
         * client port 6379 and the exporter's 9121; the cluster's own pods always reach each other.
         * @default every source
         */
        ipFilter: z.array(ipFilterEntrySchema).max(1024).optional(),
        /**
         * A connection Secret for applications (keys `<prefix>HOST`, `PORT`, `USER`, `PASSWORD`,
         * `SSL`, `URI`, `REDIS_URL`, with TLS `CA_CERT`, with mTLS the client certificate), as the
         * Aiven spec's connInfoSecretTarget. @default none
         */
        connInfoSecretTarget: connInfoSecretTargetSchema.optional(),
        /** Annotations of the client Service (e.g. for a cloud load balancer or a service mesh). @default none */
        serviceAnnotations: annotationMap().optional(),
        /** Namespace of every object (must exist). @default DEFAULT_NAMESPACE ("default") */
        namespace: matching(DNS_LABEL, "a Kubernetes namespace name (lowercase DNS label, at most 63 characters)", 63).optional(),
        /** Kubeconfig contents (secret). @default the ambient kubeconfig */
        kubeconfig: z.string().min(1).optional(),
        /** Day (UTC) of the window for changes that restart pods. @default restarts run at once */
        maintenanceWindowDow: maintenanceWindowDowSchema.optional(),
        /** Start (HH:mm:ss UTC) of that window. */
        maintenanceWindowTime: maintenanceWindowTimeSchema.optional(),
        /** Restart at this `pulumi up` even outside the window. @default false */
        applyDisruptiveChangesNow: z.boolean().optional(),
        /** How long the provider waits for the cluster to converge and verify, per run and per restarted pod. @default 300 */
        timeoutSeconds: z.number().int().min(TIMEOUT_SECONDS_RANGE.min).max(TIMEOUT_SECONDS_RANGE.max).optional(),
        /** How long the provider waits for a pod to run (image pull and volume included). @default 600 */
        podTimeoutSeconds: z.number().int().min(TIMEOUT_SECONDS_RANGE.min).max(TIMEOUT_SECONDS_RANGE.max).optional(),
    })
    .superRefine((spec, ctx) => {
        const resources = spec.resources;
        if (resources !== undefined) {
            // They replace DEFAULT_RESOURCES as a whole: every value in effect is the user's.
            for (const problem of resourcesProblems(resources, resources)) {
                ctx.addIssue({ code: "custom", path: ["resources", ...problem.path], message: problem.message });
            }
        }
        if (resources !== undefined && resources.limits?.memory === undefined && resources.requests?.memory === undefined) {
            ctx.addIssue({
                code: "custom",
                path: ["resources"],
                message:
                    "must set limits.memory or requests.memory: maxmemory is derived from it, and a node without a memory bound is OOM-killed instead of evicting keys",
            });
        }
        // The probes, the Services and the NetworkPolicy of a cluster use port 6379 only.
        for (const issue of spec.tls !== undefined ? tlsListenerIssues(spec.tls, "ValkeyCluster") : []) {
            ctx.addIssue({ code: "custom", path: ["tls", ...issue.path], message: issue.message });
        }
    });

export type ValkeyClusterSpec = z.output<typeof valkeyClusterSpecSchema>;
