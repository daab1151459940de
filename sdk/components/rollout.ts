// What the components hand the topology resource for day-2 changes: the runtime-settable
// directives it applies live, and a revision of the pod template that makes it roll the pods
// (one at a time, with primary handoff, inside the maintenance window). See docs/day2.md.
import { IStatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import { Directive, renderDirective, splitForRollout } from "../config";
import { shortHash } from "../manifests/pod";
import { ServiceModel } from "../spec/service-model";
import type { DayOfWeek } from "../spec/args";

export interface ConfigRollout {
    /** CONFIG SET values of the runtime-settable directives. */
    readonly live: Record<string, string>;
    /** Hash of the directives a node reads only at start (the pod template's config-hash annotation). */
    readonly restartHash: string;
}

export function configRollout(directives: readonly Directive[]): ConfigRollout {
    const { live, restart } = splitForRollout(directives);
    // The live directives' names too: one that disappears keeps its value on running nodes (there
    // is no CONFIG "unset"), so only a restart with the new file removes it.
    return { live, restartHash: shortHash([...restart.map(renderDirective), `# live: ${Object.keys(live).sort().join(" ")}`].join("\n")) };
}

export interface RolloutArgs {
    readonly revision: string;
    readonly window?: { dow?: DayOfWeek; time?: string };
    readonly force?: boolean;
    readonly sentinels?: { statefulSet: string; replicas: number; port: number; group: string };
    /** The pods have no disk: the provider restarts them only with allowDataLoss. */
    readonly memoryOnly?: boolean;
    readonly allowDataLoss?: boolean;
}

/**
 * The topology resource's `rollout` input: the pod template's revision and when restarts may run.
 * `memoryOnly`: the pods have no disk (sdk/spec/persistence.ts), so they restart only when the user
 * allowed the loss (maintenance.allowDataLoss).
 */
export function rolloutArgs(
    statefulSet: IStatefulSet,
    maintenance: ServiceModel["maintenance"],
    sentinels?: RolloutArgs["sentinels"],
    memoryOnly = false,
): RolloutArgs {
    const window = {
        ...(maintenance.dow !== undefined ? { dow: maintenance.dow as DayOfWeek } : {}),
        ...(maintenance.time !== undefined ? { time: maintenance.time } : {}),
    };
    return {
        revision: shortHash(JSON.stringify(statefulSet.spec?.template ?? {})),
        ...(Object.keys(window).length > 0 ? { window } : {}),
        ...(maintenance.force === true ? { force: true } : {}),
        ...(sentinels !== undefined ? { sentinels } : {}),
        ...(memoryOnly ? { memoryOnly: true, ...(maintenance.allowDataLoss === true ? { allowDataLoss: true } : {}) } : {}),
    };
}
