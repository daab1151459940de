// Whether the provider may restart pods that keep their keys in memory only (no disk: plan free,
// or userConfig `*_persistence: off`). Their emptyDir goes with the pod, so a restarted pod comes
// back empty; on a 1-node plan that empties the service. The seeds accept such services ("data can
// be lost at any moment if service is restarted"), so they are deployed, but a restart for a new
// pod template runs only when the user opted in; until then it stays pending with this reason.

export interface MemoryOnlyRestart {
    /** The pods have no disk. @default false */
    readonly memoryOnly?: boolean;
    /** The user accepts that a restart empties them (kubernetes.allowDataLossOnRestart). @default false */
    readonly allowDataLoss?: boolean;
}

/** Why the provider must not restart these pods now, or undefined when it may. */
export function memoryOnlyRefusal(r: MemoryOnlyRestart): string | undefined {
    if (r.memoryOnly !== true || r.allowDataLoss === true) return undefined;
    return "the pods keep their keys in memory only (no disk: plan free or userConfig *_persistence off) and a restarted pod comes back empty: set kubernetes.allowDataLossOnRestart to true to let the provider restart them, or restart them yourself when losing the keys is fine";
}
