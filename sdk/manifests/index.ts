// Pure builders: a ServiceModel (sdk/spec) in, Kubernetes objects out, typed with the
// kubernetes-models interfaces. No Pulumi here; the components create resources from these.
import { IStatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import { INetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { IPodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { IConfigMap } from "kubernetes-models/v1/ConfigMap";
import { IService } from "kubernetes-models/v1/Service";
import { ServiceModel } from "../spec/service-model";
import { buildConfigMap } from "./configmap";
import { buildNetworkPolicy } from "./networkpolicy";
import { buildPodDisruptionBudget } from "./pdb";
import { buildClientService, buildExternalServices, buildHeadlessService } from "./services";
import { buildStatefulSet } from "./statefulset";

export * from "./cidr";
export * from "./configmap";
export * from "./exporter";
export * from "./ha";
export * from "./labels";
export * from "./names";
export * from "./networkpolicy";
export * from "./pdb";
export * from "./pod";
export * from "./secrets";
export * from "./sentinel";
export * from "./services";
export * from "./statefulset";
export * from "./validate";

/** The objects of one service that hold no secret. */
export interface Manifests {
    readonly configMap: IConfigMap;
    readonly statefulSet: IStatefulSet;
    readonly clientService: IService;
    readonly headlessService: IService;
    /** `<name>-public` and/or `<name>-private`; empty without public_access / private_access. */
    readonly externalServices: readonly IService[];
    readonly podDisruptionBudget: IPodDisruptionBudget;
    readonly networkPolicy: INetworkPolicy;
}

export interface ManifestOptions {
    /** valkey.conf as rendered by sdk/config. */
    readonly valkeyConf: string;
    /** Hash of valkeyConf (see StatefulSetOptions.configHash). */
    readonly configHash: string;
}

/**
 * Every non-secret object of `model`'s service. The Secrets (`<name>-auth` and the connection
 * Secret) come from buildAuthSecret and buildConnectionSecret, called where the password is known.
 */
export function buildManifests(model: ServiceModel, options: ManifestOptions): Manifests {
    return {
        configMap: buildConfigMap(model, options.valkeyConf),
        statefulSet: buildStatefulSet(model, { configHash: options.configHash }),
        clientService: buildClientService(model),
        headlessService: buildHeadlessService(model),
        externalServices: buildExternalServices(model),
        podDisruptionBudget: buildPodDisruptionBudget(model),
        networkPolicy: buildNetworkPolicy(model),
    };
}

/** The objects of `manifests` as one list, in the order they are best applied. */
export function manifestList(manifests: Manifests): Array<IConfigMap | IStatefulSet | IService | IPodDisruptionBudget | INetworkPolicy> {
    return [
        manifests.configMap,
        manifests.clientService,
        manifests.headlessService,
        ...manifests.externalServices,
        manifests.networkPolicy,
        manifests.podDisruptionBudget,
        manifests.statefulSet,
    ];
}
