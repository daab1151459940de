// The ConfigMap holding valkey.conf (rendered by sdk/config; it holds no secret and ends with
// `include /etc/valkey-auth/auth.conf`, per docs/pod-contract.md).
import { IConfigMap } from "kubernetes-models/v1/ConfigMap";
import { ServiceModel } from "../spec/model";
import { objectMeta } from "./labels";
import { objectNames } from "./names";

/** The key of the ConfigMap, and so the file name under /etc/valkey. */
export const VALKEY_CONF_KEY = "valkey.conf";

/**
 * The ConfigMap `<name>-config` with `valkeyConf` under the key `valkey.conf`. It stays mutable:
 * the pods read it only at start-up, and the StatefulSet's config-hash annotation rolls them when
 * it changes.
 */
export function buildConfigMap(model: ServiceModel, valkeyConf: string): IConfigMap {
    return {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: objectMeta(model, objectNames(model).configMap, "server"),
        data: { [VALKEY_CONF_KEY]: valkeyConf },
    };
}
