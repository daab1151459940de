// Service models built the way the components build them: the spec through its schema, then
// buildModel. Shared by the config unit tests and the real-server test.
import { redisSpecSchema, valkeySpecSchema } from "../../../sdk/spec/aiven";
import { ServiceModel, buildModel } from "../../../sdk/spec/model";
import { parseSpec } from "../../../sdk/spec/validate";

export const PROJECT = "config-test";

/** A Valkey model for `plan` with the given userConfig. */
export function valkeyModel(plan: string, userConfig: Record<string, unknown> = {}, name = "cache"): ServiceModel {
    const spec = parseSpec(valkeySpecSchema, { project: PROJECT, plan, userConfig }, `Valkey ${name}`);
    return buildModel("valkey", name, spec);
}

/** A Redis model for `plan` with the given userConfig (`redis_*` keys). */
export function redisModel(plan: string, userConfig: Record<string, unknown> = {}, name = "cache"): ServiceModel {
    const spec = parseSpec(redisSpecSchema, { project: PROJECT, plan, userConfig }, `Redis ${name}`);
    return buildModel("redis", name, spec);
}
