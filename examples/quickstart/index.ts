// The quickstart: one Valkey on the Kubernetes cluster of the ambient kubeconfig, in a namespace
// of its own. `pulumi up` ends once the node answers and a SET/GET/DEL round trip succeeded.
import * as k8s from "@pulumi/kubernetes";
import { Valkey } from "../../sdk";

const quickstartNamespace = new k8s.core.v1.Namespace("quickstart", { metadata: { name: "valkey-quickstart" } });

const cache = new Valkey("quickstart", {
    project: "quickstart",
    plan: "hobbyist",
    maintenanceWindowDow: "sunday",
    maintenanceWindowTime: "11:00:00",
    tags: { env: "quickstart" },
    userConfig: { valkey_maxmemory_policy: "allkeys-lru" },
    // The namespace is an Output: the component validates it again once it is known.
    kubernetes: { namespace: quickstartNamespace.metadata.name },
});

export const serviceHost = cache.serviceHost;
export const servicePort = cache.servicePort;
export const serviceUri = cache.serviceUri; // secret: `pulumi stack output --show-secrets serviceUri`
export const servicePassword = cache.servicePassword; // secret
export const namespace = cache.namespace;
export const state = cache.state;
export const connectionSecret = cache.connectionSecretName;
