// The example specs of the source documents, as the Aiven operator's docs write them: one copy for
// every test that builds on them.

/** seeds/000's example `Valkey` spec. */
export const SEED_000_SPEC = {
    authSecretRef: { name: "aiven-token", key: "token" },
    connInfoSecretTarget: { name: "my-valkey-secret", annotations: { foo: "bar" }, labels: { baz: "egg" } },
    project: "my-aiven-project",
    cloudName: "google-europe-west1",
    plan: "startup-4",
    maintenanceWindowDow: "sunday" as const,
    maintenanceWindowTime: "11:00:00",
    tags: { env: "test", instance: "foo" },
    userConfig: { ip_filter: [{ network: "0.0.0.0/32", description: "bar" }, { network: "10.20.0.0/16" }] },
};

/** seeds/001's example `Redis` spec. */
export const SEED_001_SPEC = {
    authSecretRef: { name: "aiven-token", key: "token" },
    connInfoSecretTarget: { name: "redis-token", prefix: "MY_SECRET_PREFIX_", annotations: { foo: "bar" }, labels: { baz: "egg" } },
    project: "my-aiven-project",
    cloudName: "google-europe-west1",
    plan: "startup-4",
    maintenanceWindowDow: "friday" as const,
    maintenanceWindowTime: "23:00:00",
    userConfig: { redis_maxmemory_policy: "allkeys-random" as const },
};
