// The ValkeyCluster exporter sidecar as a local process: its rendered environment and the files
// its volumes mount, taken from the rendered StatefulSet and auth Secret, so a real redis_exporter
// runs with exactly what a pod gives it. The one translation: the pod's own Valkey
// (localhost:6379) is the test's node, so REDIS_ADDR and the password file's key (which must be
// that same address) are both pointed at it.
import * as fs from "fs";
import * as path from "path";
import { IStatefulSet } from "kubernetes-models/apps/v1/StatefulSet";

/** redis_exporter to run: $REDIS_EXPORTER_BIN, else redis_exporter on PATH. */
export function exporterBinary(): string | undefined {
    const candidates = [process.env.REDIS_EXPORTER_BIN, ...(process.env.PATH ?? "").split(path.delimiter).map((d) => path.join(d, "redis_exporter"))];
    return candidates.find((c): c is string => c !== undefined && c !== "" && fs.existsSync(c));
}

export interface SidecarEnvironment {
    /** The environment to start redis_exporter with. */
    readonly env: Record<string, string>;
    /** REDIS_ADDR as rendered (the pod's view). */
    readonly renderedAddr: string;
    /** The files written for the container's Secret mounts, by their path in the pod. */
    readonly files: Record<string, string>;
}

/**
 * The exporter container's environment with the auth Secret's values (`secret`: its stringData),
 * its Secret volumes written under `dir` (only the keys the volume projects), and every env value
 * naming a mount path rewritten to the local copy. `redisAddr` replaces REDIS_ADDR, and in the
 * password file (REDIS_PASSWORD_FILE) the entry keyed on the rendered REDIS_ADDR; a file with
 * any other key throws, since in the pod it would authenticate nothing.
 */
export function sidecarEnvironment(sts: IStatefulSet, secret: Record<string, string>, dir: string, redisAddr: string): SidecarEnvironment {
    const pod = sts.spec!.template.spec!;
    const container = pod.containers.find((c) => c.name === "exporter");
    if (container === undefined) throw new Error("the StatefulSet has no exporter container");
    const authSecret = pod.volumes!.find((v) => v.name === "auth")!.secret!.secretName!;
    const mounts: [string, string][] = [];
    const files: Record<string, string> = {};
    for (const mount of container.volumeMounts ?? []) {
        const volume = pod.volumes!.find((v) => v.name === mount.name);
        if (volume?.secret?.secretName !== authSecret) continue;
        const local = path.join(dir, mount.name);
        fs.mkdirSync(local, { recursive: true });
        const items = volume.secret.items ?? Object.keys(secret).map((key) => ({ key, path: key }));
        for (const item of items) {
            fs.writeFileSync(path.join(local, item.path), secret[item.key], { mode: 0o600 });
            files[`${mount.mountPath}/${item.path}`] = secret[item.key];
        }
        mounts.push([mount.mountPath, local]);
    }
    const localPath = (value: string) => mounts.reduce((v, [inPod, local]) => (v.startsWith(`${inPod}/`) ? local + v.slice(inPod.length) : v), value);
    const env: Record<string, string> = {};
    for (const e of container.env ?? []) {
        const ref = e.valueFrom?.secretKeyRef;
        if (ref !== undefined && ref.name !== authSecret) throw new Error(`env ${e.name} reads Secret ${ref.name}, not the auth Secret`);
        env[e.name] = ref !== undefined ? secret[ref.key] : localPath(e.value!);
    }
    const renderedAddr = env.REDIS_ADDR;
    env.REDIS_ADDR = redisAddr;
    if (env.REDIS_PASSWORD_FILE !== undefined) {
        const map = JSON.parse(fs.readFileSync(env.REDIS_PASSWORD_FILE, "utf8")) as Record<string, string>;
        if (JSON.stringify(Object.keys(map)) !== JSON.stringify([renderedAddr])) {
            throw new Error(`the password file's keys ${JSON.stringify(Object.keys(map))} are not exactly REDIS_ADDR ${JSON.stringify(renderedAddr)}`);
        }
        fs.writeFileSync(env.REDIS_PASSWORD_FILE, JSON.stringify({ [redisAddr]: map[renderedAddr] }), { mode: 0o600 });
    }
    return { env, renderedAddr, files };
}
