// Models for the manifest tests, built through the real path (schema, then buildModel) from the
// example specs of seeds/000 (Valkey) and seeds/001 (Redis).
import { redisSpecSchema, valkeySpecSchema } from "../../../sdk/spec/aiven";
import { ServiceModel, buildModel } from "../../../sdk/spec/model";
import { parseSpec } from "../../../sdk/spec/validate";

import { SEED_000_SPEC, SEED_001_SPEC } from "../../helpers/seeds";

export { SEED_000_SPEC, SEED_001_SPEC };

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
