// Object names and port numbers: the part of the pod contract (docs/pod-contract.md) that other
// code (the components, the pod runner, the provider) finds objects by. Every name derives from
// the resource name, which buildModel keeps to MAX_NAME_LENGTH (40) characters so that every name
// below, and the `<statefulset>-<revision hash>` label values Kubernetes derives, stay within 63.
import { DNS_SUBDOMAIN_RULE, dnsSubdomainProblem } from "../spec/kubernetes";
import { VALKEY_PORT } from "../spec/contract";
import { ServiceModel } from "../spec/service-model";

export { SENTINEL_PORT, VALKEY_PORT } from "../spec/contract";
/** The cluster bus port: the client port + 10000. */
export const CLUSTER_BUS_PORT = VALKEY_PORT + 10000;

/** The names of every object of one service. */
export interface ObjectNames {
    /** StatefulSet of the data pods, also their PodDisruptionBudget and NetworkPolicy: `<name>`. */
    readonly statefulSet: string;
    /** The ClusterIP Service clients use: `<name>`. */
    readonly clientService: string;
    /** The headless Service that gives each pod a DNS name: `<name>-headless`. */
    readonly headlessService: string;
    /** The public LoadBalancer Service: `<name>-public`. */
    readonly publicService: string;
    /** The internal LoadBalancer Service: `<name>-private`. */
    readonly privateService: string;
    /** ConfigMap with valkey.conf: `<name>-config`. */
    readonly configMap: string;
    /** Secret with the default user's password and auth.conf: `<name>-auth`. */
    readonly authSecret: string;
    /** Secret with tls.crt, tls.key and ca.crt: `<name>-tls`. */
    readonly tlsSecret: string;
    /** The PodDisruptionBudget of the data pods: `<name>`. */
    readonly podDisruptionBudget: string;
    /** The NetworkPolicy of the data pods: `<name>`. */
    readonly networkPolicy: string;
    /** StatefulSet, client Service, PodDisruptionBudget and NetworkPolicy of the Sentinel pods: `<name>-sentinel`. */
    readonly sentinel: string;
    /** The headless Service of the Sentinel pods: `<name>-sentinel-headless`. */
    readonly sentinelHeadlessService: string;
    /** ConfigMap with sentinel.conf: `<name>-sentinel-config`. */
    readonly sentinelConfigMap: string;
}

/** The names of the objects of `model`'s service. */
export function objectNames(model: ServiceModel): ObjectNames {
    const n = model.name;
    return {
        statefulSet: n,
        clientService: n,
        headlessService: `${n}-headless`,
        publicService: `${n}-public`,
        privateService: `${n}-private`,
        configMap: `${n}-config`,
        authSecret: `${n}-auth`,
        tlsSecret: `${n}-tls`,
        podDisruptionBudget: n,
        networkPolicy: n,
        sentinel: `${n}-sentinel`,
        sentinelHeadlessService: `${n}-sentinel-headless`,
        sentinelConfigMap: `${n}-sentinel-config`,
    };
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * `model` itself when its name, namespace and cluster domain are DNS names; else throws, naming
 * the field. These three are written unquoted into the pods' shell scripts (sdk/manifests/ha.ts,
 * the Sentinel command) and into sentinel.conf, where only DNS names are certain to stay one
 * word of plain text. The schemas already refuse anything else; this keeps a model built by
 * hand (ValkeyCluster's, a test's) from rendering a script that runs a command hidden in a name.
 */
export function scriptSafe(model: ServiceModel): ServiceModel {
    const fail = (field: string, rule: string, value: string) => {
        throw new Error(`${JSON.stringify(model.name)}: ${field} must be ${rule} before it is written into a pod script (got ${JSON.stringify(value)})`);
    };
    const label = "a DNS label (RFC 1123): 1-63 lowercase letters, digits and '-', starting and ending with a letter or digit";
    if (!DNS_LABEL.test(model.name)) fail("the resource name", label, model.name);
    if (!DNS_LABEL.test(model.namespace)) fail("the namespace", label, model.namespace);
    if (dnsSubdomainProblem(model.clusterDomain) !== undefined) fail("kubernetes.clusterDomain", DNS_SUBDOMAIN_RULE, model.clusterDomain);
    return model;
}
