// The command each action sends, and the line that reports it.
import { formatRanges } from "./slots";
import { Action, Refusal } from "./types";

/** The command (name and arguments) that carries out the action on `action.node`. */
export function actionCommand(action: Action): string[] {
    switch (action.kind) {
        case "set-config-epoch":
            return ["CLUSTER", "SET-CONFIG-EPOCH", String(action.epoch)];
        case "add-slots":
            return ["CLUSTER", "ADDSLOTSRANGE", ...action.ranges.flatMap((r) => [String(r.start), String(r.end)])];
        case "config-set":
            return ["CONFIG", "SET", action.parameter, action.value];
        case "meet":
            return ["CLUSTER", "MEET", action.address.host, String(action.address.port), String(action.busPort)];
        case "replicate":
            return ["CLUSTER", "REPLICATE", action.primaryId];
        case "forget":
            return ["CLUSTER", "FORGET", action.nodeId];
        case "replicaof":
            return ["REPLICAOF", action.address.host, String(action.address.port)];
        case "promote":
            return ["REPLICAOF", "NO", "ONE"];
        case "take-over":
            return ["CLUSTER", "FAILOVER"];
        case "reset":
            return ["CLUSTER", "RESET", "SOFT"];
        // Composite actions: the first command of many (see provider/reshard).
        case "move-slots":
            return ["CLUSTER", "SETSLOT", "<slot>", "MIGRATING", action.to, `(slots ${formatRanges(action.ranges)})`];
        case "repair-slot":
            return ["CLUSTER", "SETSLOT", String(action.slot), "..."];
    }
}

/** `node-0: CLUSTER ADDSLOTSRANGE 0 5460 (serve slots 0-5460)`. */
export function describeAction(action: Action): string {
    const command = actionCommand(action).join(" ");
    const why = ((): string => {
        switch (action.kind) {
            case "set-config-epoch":
                return `config epoch ${action.epoch}`;
            case "add-slots":
                return `serve slots ${formatRanges(action.ranges)}`;
            case "config-set":
                return action.purpose === "bootstrap" ? "for a fast bootstrap" : "back to its steady value";
            case "meet":
                return `meet ${action.peer}`;
            case "replicate":
            case "replicaof":
                return `replica of ${action.primary}`;
            case "forget":
                return `forget the departed node ${action.nodeId.slice(0, 8)}`;
            case "promote":
                return "become a primary";
            case "take-over":
                return `take over the slots of ${action.primary}, which leaves`;
            case "reset":
                return "leave the cluster";
            case "move-slots":
            case "repair-slot":
                return "";
        }
    })();
    if (action.kind === "move-slots") return `${action.node}: move slots ${formatRanges(action.ranges)} with their keys to ${action.to}`;
    if (action.kind === "repair-slot") {
        const states = [
            ...action.migrating.map((m) => `migrating on ${m.node} to ${m.to}`),
            ...action.importing.map((i) => `importing on ${i.node} from ${i.from}`),
        ];
        return `${action.node}: close slot ${action.slot} (${states.join(", ")}; served by ${action.owner ?? "nobody"})`;
    }
    return `${action.node}: ${command} (${why})`;
}

/** `node n3 holds 5 keys ...`, or the reason alone when it concerns the whole request. */
export function describeRefusal(refusal: Refusal): string {
    return refusal.node !== undefined ? `node ${refusal.node} ${refusal.reason}` : refusal.reason;
}
