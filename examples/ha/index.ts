// A business plan: a primary, a replica and three Sentinels. `serviceHost` follows the primary
// after a failover (only the Sentinels' primary is Ready behind the Service); Sentinel-aware
// clients use `sentinelHosts` and `sentinelMasterName`.
import * as k8s from "@pulumi/kubernetes";
import { Valkey } from "../../sdk";

const namespace = new k8s.core.v1.Namespace("ha", { metadata: { name: "valkey-ha" } });

const cache = new Valkey(
    "sessions",
    {
        project: "valkey-ha",
        plan: "business-4",
        maintenanceWindowDow: "sunday",
        maintenanceWindowTime: "03:00:00",
        userConfig: { valkey_maxmemory_policy: "volatile-lru", valkey_persistence: "rdb" },
    },
    { dependsOn: [namespace] },
);

export const serviceHost = cache.serviceHost;
export const serviceUri = cache.serviceUri; // secret
export const sentinelHosts = cache.sentinelHosts;
export const sentinelMasterName = cache.sentinelMasterName;
export const state = cache.state;
export const pendingRestart = cache.pendingRestart; // restarts waiting for the Sunday 03:00 UTC window
