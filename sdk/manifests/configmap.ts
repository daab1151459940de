// The ConfigMaps holding valkey.conf and sentinel.conf (rendered by sdk/config; they hold no
// secret: valkey.conf ends with `include /etc/valkey-auth/auth.conf`, per docs/pod-contract.md).
import { IConfigMap } from "kubernetes-models/v1/ConfigMap";
import { ServiceModel } from "../spec/service-model";
import { PodComponent, objectMeta } from "./labels";
import { objectNames } from "./names";

/** The key of the ConfigMap, and so the file name under /etc/valkey. */
export const VALKEY_CONF_KEY = "valkey.conf";
/** The key of the Sentinel ConfigMap, and so the file name under /etc/sentinel. */
export const SENTINEL_CONF_KEY = "sentinel.conf";

function configMap(model: ServiceModel, name: string, component: PodComponent, key: string, text: string): IConfigMap {
    return { apiVersion: "v1", kind: "ConfigMap", metadata: objectMeta(model, name, component), data: { [key]: text } };
}

/**
 * The ConfigMap `<name>-config` with `valkeyConf` under the key `valkey.conf`. It stays mutable:
 * the pods read it only at start-up, and the StatefulSet's config-hash annotation rolls them when
 * it changes.
 */
export function buildConfigMap(model: ServiceModel, valkeyConf: string): IConfigMap {
    return configMap(model, objectNames(model).configMap, "server", VALKEY_CONF_KEY, valkeyConf);
}

/**
 * The ConfigMap `<name>-sentinel-config` with `sentinelConf` under the key `sentinel.conf`. The
 * Sentinel pods copy it to a writable file at start (Sentinel rewrites its own configuration),
 * so a change reaches them only through a restart, which the config-hash annotation brings.
 */
export function buildSentinelConfigMap(model: ServiceModel, sentinelConf: string): IConfigMap {
    return configMap(model, objectNames(model).sentinelConfigMap, "sentinel", SENTINEL_CONF_KEY, sentinelConf);
}
