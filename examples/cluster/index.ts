// A Valkey cluster of 3 primaries with 1 replica each, with TLS (certificates from @pulumi/tls,
// clients must present one: mTLS) and ACL users (an application user limited to its keys), in a
// namespace of its own on the cluster of the ambient kubeconfig. `pulumi up` ends once every slot
// is served and every shard passed a SET/GET/DEL round trip over TLS.
import * as k8s from "@pulumi/kubernetes";
import { ValkeyCluster } from "../../sdk";

const namespace = new k8s.core.v1.Namespace("cluster", { metadata: { name: "valkey-cluster" } });

const cluster = new ValkeyCluster(
    "valkey-poc",
    {
        masterCount: 3,
        replicasPerMaster: 1,
        // With TLS the namespace is a plain value: the server certificate names it.
        namespace: "valkey-cluster",
        tls: { tlsAuthClients: true, internalCerts: { validity: "90d", rotateBeforePercent: 66 } },
        acl: { users: [{ name: "app", rules: "+@read +@write ~app:*" }] },
        resources: { requests: { memory: "512Mi", cpu: "250m" }, limits: { memory: "512Mi", cpu: "500m" } },
        labels: { env: "example" },
        // Changes that restart pods (image, resources) wait for Sunday 02:00 UTC.
        maintenanceWindowDow: "sunday",
        maintenanceWindowTime: "02:00:00",
        pvc: { storageSize: "1Gi" },
        backup: { database: { enabled: true, save: "60 100" }, aof: { enabled: true, appendfsync: "everysec" } },
        exporter: { enabled: true },
    },
    { dependsOn: [namespace] },
);

export const phase = cluster.phase;
export const conditions = cluster.conditions;
export const nodes = cluster.nodes;
export const serviceHost = cluster.serviceHost;
export const serviceUri = cluster.serviceUri; // secret: `pulumi stack output --show-secrets serviceUri`
export const caCertificate = cluster.caCertificate;
export const pendingRestart = cluster.pendingRestart; // restarts waiting for the maintenance window
