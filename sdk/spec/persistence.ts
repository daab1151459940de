// What a restart does to a node's keys, from the service model alone. A node with a disk (a PVC)
// keeps them: it always saves on SIGTERM (sdk/config/directives.ts, `shutdown-on-sigterm save`),
// whatever its snapshot rules, and loads the file when it starts. A node without one (plan free,
// userConfig valkey_persistence / redis_persistence "off": an emptyDir, new for every pod) starts
// empty: the seeds accept that ("data can be lost at any moment if service is restarted"), so it
// is accepted, warned about at preview, and the provider restarts such pods only when the user
// opts in (kubernetes.allowDataLossOnRestart).
import type { ServiceModel } from "./service-model";

/** Whether a restart of a node of this model starts it without its keys (it has no disk). */
export function restartLosesData(model: Pick<ServiceModel, "persistence">): boolean {
    return model.persistence.diskGiB === 0;
}
