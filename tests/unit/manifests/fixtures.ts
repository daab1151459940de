// Models for the manifest tests, built through the real path (schema, then buildModel) from the
// example specs of seeds/000 (Valkey) and seeds/001 (Redis).
import { redisSpecSchema, valkeySpecSchema } from "../../../sdk/spec/aiven";
import { ServiceModel, buildModel } from "../../../sdk/spec/model";
import { parseSpec } from "../../../sdk/spec/validate";

/** seeds/000's example `Valkey` spec. */
export const SEED_000_SPEC = {
    authSecretRef: { name: "aiven-token", key: "token" },
    connInfoSecretTarget: { name: "my-valkey-secret", annotations: { foo: "bar" }, labels: { baz: "egg" } },
    project: "my-aiven-project",
    cloudName: "google-europe-west1",
    plan: "startup-4",
    maintenanceWindowDow: "sunday",
    maintenanceWindowTime: "11:00:00",
    tags: { env: "test", instance: "foo" },
    userConfig: { ip_filter: [{ network: "0.0.0.0/32", description: "bar" }, { network: "10.20.0.0/16" }] },
} as const;

/** seeds/001's example `Redis` spec. */
export const SEED_001_SPEC = {
    authSecretRef: { name: "aiven-token", key: "token" },
    connInfoSecretTarget: { name: "redis-token", prefix: "MY_SECRET_PREFIX_", annotations: { foo: "bar" }, labels: { baz: "egg" } },
    project: "my-aiven-project",
    cloudName: "google-europe-west1",
    plan: "startup-4",
    maintenanceWindowDow: "friday",
    maintenanceWindowTime: "23:00:00",
    userConfig: { redis_maxmemory_policy: "allkeys-random" },
} as const;

/** The smallest valid Valkey spec. */
export const MINIMAL_SPEC = { project: "my-aiven-project", plan: "startup-4" } as const;

/** The model of a Valkey resource `name` with `spec`. */
export function valkeyModel(spec: object, name = "my-valkey"): ServiceModel {
    return buildModel("valkey", name, parseSpec(valkeySpecSchema, spec, "test"));
}

/** The model of a Redis resource `name` with `spec`. */
export function redisModel(spec: object, name = "k8s-redis"): ServiceModel {
    return buildModel("redis", name, parseSpec(redisSpecSchema, spec, "test"));
}
