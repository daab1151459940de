// Runtime-settable directives applied live: one CONFIG SET with every changed directive per node
// (atomic on the node: all or none), every node at once. The file the pods restart with already
// holds the new values (Pulumi updated the ConfigMap), so this only spares the restart.
import { CommandError } from "../errors";
import { NodeClient } from "../nodes/client";

export interface ConfigStatus {
    readonly node: string;
    readonly status: "Applied" | "Error";
    readonly message?: string;
}

/** The directives of `desired` whose value differs from `previous` (none on create: the file has them). */
export function changedDirectives(
    desired: Readonly<Record<string, string>> | undefined,
    previous: Readonly<Record<string, string>> | undefined,
    created: boolean,
): [string, string][] {
    if (desired === undefined || created) return [];
    return Object.entries(desired).filter(([name, value]) => previous?.[name] !== value);
}

/** `CONFIG SET n1 v1 n2 v2 ...` on every node; a node's refusal is reported, not thrown. */
export async function applyConfigEverywhere(clients: readonly NodeClient[], changes: readonly [string, string][]): Promise<ConfigStatus[]> {
    if (changes.length === 0) return [];
    const args = ["CONFIG", "SET", ...changes.flat()];
    return Promise.all(
        clients.map(async (c): Promise<ConfigStatus> => {
            try {
                await c.call(args);
                return { node: c.target.name, status: "Applied" };
            } catch (e) {
                return { node: c.target.name, status: "Error", message: e instanceof CommandError ? e.reply : (e as Error).message };
            }
        }),
    );
}

/** "CONFIG SET maxmemory-policy allkeys-lru timeout 60" as the actions show it. */
export function describeConfigSet(changes: readonly [string, string][]): string {
    return ["CONFIG SET", ...changes.map(([n, v]) => `${n} ${v === "" ? '""' : v}`)].join(" ");
}
