#!/usr/bin/env node
// The pod runner of the local control plane (scripts/control-plane.sh): a kubelet stand-in for the
// pods that kube-scheduler binds to kwok's fake nodes. See docs/pod-contract.md and
// docs/toolchain.md.
//
// For each pod that kwok has marked Running (with an IP from 10.244.0.0/24), it
//   - creates a network namespace pvk-<ip> whose eth0 holds the pod IP, on the bridge of the
//     router namespace (so pods reach each other and the host reaches them, nothing else);
//   - materializes the pod's volumes under <state>/pods/<uid>/volumes (ConfigMap and Secret keys as
//     files, emptyDir as a directory, a PVC as its PersistentVolume's directory under <state>/pv);
//   - starts every container's command + args (after kubelet `$(VAR)` expansion, env from values,
//     fieldRef, secretKeyRef, configMapKeyRef, envFrom) in that network namespace and in a private
//     mount namespace where each volumeMount is bind-mounted at its path, and /etc/hosts lists
//     every pod's <hostname>.<subdomain>.<namespace>.svc.cluster.local name, and every Service's
//     <name>.<namespace>.svc.cluster.local name on its first Ready pod (no kube-proxy here), and
//     /etc/resolv.conf makes every other name fail at once;
//   - restarts a container that exits (with back-off), stops it when the pod is deleted;
//   - reports readiness in the pod status: Ready only once the readiness probe passes (exec probes
//     run inside the container's namespaces; tcpSocket probes connect to the pod IP; without a
//     probe, once the first container port accepts connections);
//   - creates a kwok PortForward for the pod so that `kubectl port-forward` reaches it;
//   - provisions PersistentVolumes for PVCs of the StorageClass pvk-local (a directory each) and
//     deletes released ones; grows a PV when its claim asks for more.
// The container image is ignored: the host's programs (valkey-server, valkey-sentinel, sh) run.
import * as k8s from "@kubernetes/client-node";
import { spawn, execFile } from "node:child_process";
import { promisify } from "node:util";
import * as fs from "node:fs";
import * as path from "node:path";
import * as net from "node:net";

const execFileP = promisify(execFile);

// ---------------------------------------------------------------------------------------------
const args = parseArgs(process.argv.slice(2));
const STATE = required(args.state, "--state");
const ROUTER_NS = args["router-ns"] ?? "pvk-router";
const GATEWAY = args.gateway ?? "10.244.0.254";
const PREFIX = args["prefix-length"] ?? "24";
const STORAGE_CLASS = args["storage-class"] ?? "pvk-local";
const PROVISIONER = "pulumi-valkey.local/state-dir";
const FORWARDED_PORTS = [6379, 16379, 26379];
const SKIPPED_MOUNTS = ["/var/run/secrets/kubernetes.io/serviceaccount"];
const MAX_GRACE_SECONDS = 10;

const kc = new k8s.KubeConfig();
kc.loadFromFile(required(args.kubeconfig, "--kubeconfig"));
const core = kc.makeApiClient(k8s.CoreV1Api);
const custom = kc.makeApiClient(k8s.CustomObjectsApi);

function parseArgs(argv) {
    const out = {};
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (!a.startsWith("--")) throw new Error(`unexpected argument ${a}`);
        const eq = a.indexOf("=");
        if (eq > 0) out[a.slice(2, eq)] = a.slice(eq + 1);
        else out[a.slice(2)] = argv[++i];
    }
    return out;
}
function required(v, name) {
    if (!v) {
        console.error(`pod-runner: ${name} is required`);
        process.exit(2);
    }
    return v;
}
function log(...m) {
    console.log(new Date().toISOString(), ...m);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const podKey = (p) => `${p.metadata.namespace}/${p.metadata.name}`;
const nsName = (ip) => `pvk-${ip.replaceAll(".", "-")}`;
const status = (e) => e?.code ?? e?.statusCode ?? e?.response?.statusCode;

async function ip(...a) {
    return execFileP("ip", a);
}

// ---------------------------------------------------------------------------------------------
// Host paths that had to be created as mount points (empty on the host: the mounts live only in
// the pods' private mount namespaces); control-plane.sh down removes them.
const createdMountpointsFile = path.join(STATE, "created-mountpoints");
function ensureMountpoint(target, isFile) {
    if (fs.existsSync(target)) return;
    const missing = [];
    let d = path.dirname(target);
    while (!fs.existsSync(d)) {
        missing.unshift(d);
        d = path.dirname(d);
    }
    for (const m of missing) {
        fs.mkdirSync(m);
        fs.appendFileSync(createdMountpointsFile, `${m}\n`);
    }
    if (isFile) fs.writeFileSync(target, "");
    else fs.mkdirSync(target);
    fs.appendFileSync(createdMountpointsFile, `${target}\n`);
}

// kubelet's $(VAR) expansion: $$ escapes, unknown references stay as written.
function expand(s, env) {
    if (typeof s !== "string") return s;
    let out = "";
    for (let i = 0; i < s.length; i++) {
        const c = s[i];
        if (c !== "$" || i + 1 >= s.length) {
            out += c;
            continue;
        }
        const n = s[i + 1];
        if (n === "$") {
            out += "$";
            i++;
        } else if (n === "(") {
            const close = s.indexOf(")", i + 2);
            if (close < 0) {
                out += s.slice(i);
                break;
            }
            const name = s.slice(i + 2, close);
            out += Object.prototype.hasOwnProperty.call(env, name) ? env[name] : `$(${name})`;
            i = close;
        } else {
            out += c;
        }
    }
    return out;
}

function fieldValue(pod, fieldPath) {
    const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(fieldPath);
    if (m) return pod.metadata[m[1]]?.[m[2]] ?? "";
    switch (fieldPath) {
        case "metadata.name":
            return pod.metadata.name;
        case "metadata.namespace":
            return pod.metadata.namespace;
        case "metadata.uid":
            return pod.metadata.uid;
        case "spec.nodeName":
            return pod.spec.nodeName ?? "";
        case "spec.serviceAccountName":
            return pod.spec.serviceAccountName ?? "";
        case "status.podIP":
            return pod.status?.podIP ?? "";
        case "status.podIPs":
            return (pod.status?.podIPs ?? []).map((x) => x.ip).join(",");
        case "status.hostIP":
            return pod.status?.hostIP ?? "";
        default:
            throw new Error(`unsupported fieldRef ${fieldPath}`);
    }
}

const b64 = (s) => Buffer.from(s, "base64");

async function readConfigMap(namespace, name, optional) {
    try {
        return await core.readNamespacedConfigMap({ name, namespace });
    } catch (e) {
        if (status(e) === 404 && optional) return undefined;
        throw new Error(`configmap ${namespace}/${name}: ${status(e) ?? e.message}`);
    }
}
async function readSecret(namespace, name, optional) {
    try {
        return await core.readNamespacedSecret({ name, namespace });
    } catch (e) {
        if (status(e) === 404 && optional) return undefined;
        throw new Error(`secret ${namespace}/${name}: ${status(e) ?? e.message}`);
    }
}

async function containerEnv(pod, c) {
    const ns = pod.metadata.namespace;
    const env = {};
    for (const from of c.envFrom ?? []) {
        const prefix = from.prefix ?? "";
        if (from.configMapRef) {
            const cm = await readConfigMap(ns, from.configMapRef.name, from.configMapRef.optional);
            for (const [k, v] of Object.entries(cm?.data ?? {})) env[prefix + k] = v;
        }
        if (from.secretRef) {
            const s = await readSecret(ns, from.secretRef.name, from.secretRef.optional);
            for (const [k, v] of Object.entries(s?.data ?? {})) env[prefix + k] = b64(v).toString();
        }
    }
    for (const e of c.env ?? []) {
        if (e.valueFrom === undefined) {
            env[e.name] = expand(e.value ?? "", env);
        } else if (e.valueFrom.fieldRef) {
            env[e.name] = fieldValue(pod, e.valueFrom.fieldRef.fieldPath);
        } else if (e.valueFrom.secretKeyRef) {
            const r = e.valueFrom.secretKeyRef;
            const s = await readSecret(ns, r.name, r.optional);
            if (s?.data?.[r.key] !== undefined) env[e.name] = b64(s.data[r.key]).toString();
            else if (!r.optional) throw new Error(`secret ${ns}/${r.name} has no key ${r.key}`);
        } else if (e.valueFrom.configMapKeyRef) {
            const r = e.valueFrom.configMapKeyRef;
            const cm = await readConfigMap(ns, r.name, r.optional);
            if (cm?.data?.[r.key] !== undefined) env[e.name] = cm.data[r.key];
            else if (!r.optional) throw new Error(`configmap ${ns}/${r.name} has no key ${r.key}`);
        } else if (e.valueFrom.resourceFieldRef) {
            env[e.name] = "0";
        }
    }
    return env;
}

function writeKeys(dir, entries, items, defaultMode) {
    // entries: {key: Buffer}
    fs.mkdirSync(dir, { recursive: true });
    const list = items?.length ? items.map((it) => [it.key, it.path, it.mode]) : Object.keys(entries).map((k) => [k, k, undefined]);
    for (const [key, rel, mode] of list) {
        if (entries[key] === undefined) continue;
        const f = path.join(dir, rel);
        fs.mkdirSync(path.dirname(f), { recursive: true });
        fs.writeFileSync(f, entries[key], { mode: mode ?? defaultMode ?? 0o644 });
    }
}

async function materializeVolume(pod, v, dir) {
    const ns = pod.metadata.namespace;
    if (v.configMap) {
        const cm = await readConfigMap(ns, v.configMap.name, v.configMap.optional);
        const entries = {};
        for (const [k, s] of Object.entries(cm?.data ?? {})) entries[k] = Buffer.from(s);
        for (const [k, s] of Object.entries(cm?.binaryData ?? {})) entries[k] = b64(s);
        writeKeys(dir, entries, v.configMap.items, v.configMap.defaultMode);
        return dir;
    }
    if (v.secret) {
        const s = await readSecret(ns, v.secret.secretName, v.secret.optional);
        const entries = {};
        for (const [k, d] of Object.entries(s?.data ?? {})) entries[k] = b64(d);
        writeKeys(dir, entries, v.secret.items, v.secret.defaultMode ?? 0o644);
        return dir;
    }
    if (v.emptyDir) {
        fs.mkdirSync(dir, { recursive: true });
        return dir;
    }
    if (v.persistentVolumeClaim) {
        const claim = v.persistentVolumeClaim.claimName;
        const pvc = await core.readNamespacedPersistentVolumeClaim({ name: claim, namespace: ns });
        if (pvc.status?.phase !== "Bound" || !pvc.spec?.volumeName) throw new Retry(`PVC ${ns}/${claim} is not bound yet`);
        const pv = await core.readPersistentVolume({ name: pvc.spec.volumeName });
        const p = pv.spec?.hostPath?.path ?? pv.spec?.local?.path;
        if (!p) throw new Error(`PV ${pv.metadata.name} has no hostPath/local path`);
        fs.mkdirSync(p, { recursive: true });
        return p;
    }
    if (v.hostPath) {
        if (v.hostPath.type === "DirectoryOrCreate") fs.mkdirSync(v.hostPath.path, { recursive: true });
        return v.hostPath.path;
    }
    if (v.downwardAPI || v.projected) {
        fs.mkdirSync(dir, { recursive: true });
        const sources = v.projected ? (v.projected.sources ?? []) : [{ downwardAPI: v.downwardAPI }];
        for (const src of sources) {
            if (src.downwardAPI) {
                const entries = {};
                const items = [];
                for (const it of src.downwardAPI.items ?? []) {
                    if (!it.fieldRef) continue;
                    entries[it.path] = Buffer.from(fieldValue(pod, it.fieldRef.fieldPath));
                    items.push({ key: it.path, path: it.path, mode: it.mode });
                }
                writeKeys(dir, entries, items);
            } else if (src.configMap) {
                await materializeVolume(pod, { configMap: src.configMap }, dir);
            } else if (src.secret) {
                await materializeVolume(pod, { secret: { ...src.secret, secretName: src.secret.name } }, dir);
            } else if (src.serviceAccountToken) {
                fs.writeFileSync(path.join(dir, src.serviceAccountToken.path), "");
            }
        }
        return dir;
    }
    throw new Error(
        `volume ${v.name}: unsupported volume type ${Object.keys(v)
            .filter((k) => k !== "name")
            .join(",")}`,
    );
}

class Retry extends Error {}

// ---------------------------------------------------------------------------------------------
// /etc/hosts shared by every pod (written in place: the pods bind-mount this inode).
const hostsFile = path.join(STATE, "hosts");
// The pods' resolv.conf: a name missing from the hosts file fails at once (nothing listens on the
// pod's loopback), as cluster DNS answers NXDOMAIN, instead of waiting ~20 s for the host's
// nameserver, which is unreachable from the pod network.
const resolvFile = path.join(STATE, "resolv.conf");
fs.writeFileSync(resolvFile, "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n");
const ipOf = (p) => p.status.podIP;
const isReady = (p) => (p.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
function writeHosts(pods, services = serviceCache?.list() ?? []) {
    const lines = ["127.0.0.1\tlocalhost", "::1\tlocalhost ip6-localhost ip6-loopback"];
    const live = pods.filter((p) => p.status?.podIP && !p.metadata.deletionTimestamp && isOurs(p));
    for (const p of live) {
        const host = p.spec.hostname ?? p.metadata.name;
        const names = [];
        if (p.spec.subdomain)
            names.push(
                `${host}.${p.spec.subdomain}.${p.metadata.namespace}.svc.cluster.local`,
                `${host}.${p.spec.subdomain}.${p.metadata.namespace}.svc`,
                `${host}.${p.spec.subdomain}`,
            );
        names.push(host);
        lines.push(`${ipOf(p)}\t${names.join(" ")}`);
    }
    // No kube-proxy and no cluster DNS: a Service's name stands for its first Ready endpoint (by pod
    // name), reached directly on the Service's port, so only Services whose targetPort is their port
    // work. Without a Ready endpoint the name is absent, as a Service without endpoints refuses.
    for (const svc of services) {
        const selector = svc.spec?.selector;
        if (!selector || Object.keys(selector).length === 0) continue;
        const ns = svc.metadata.namespace;
        const endpoint = live
            .filter((p) => p.metadata.namespace === ns && isReady(p) && Object.entries(selector).every(([k, v]) => p.metadata.labels?.[k] === v))
            .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))[0];
        if (endpoint) lines.push(`${ipOf(endpoint)}\t${svc.metadata.name}.${ns}.svc.cluster.local ${svc.metadata.name}.${ns}.svc ${svc.metadata.name}.${ns}`);
    }
    const text = lines.join("\n") + "\n";
    let old = "";
    try {
        old = fs.readFileSync(hostsFile, "utf8");
    } catch {
        /* first write */
    }
    if (old !== text) fs.writeFileSync(hostsFile, text);
}

// ---------------------------------------------------------------------------------------------
const fakeNodes = new Set();
async function refreshNodes() {
    const nodes = await core.listNode();
    fakeNodes.clear();
    for (const n of nodes.items) if (n.metadata.annotations?.["kwok.x-k8s.io/node"] === "fake") fakeNodes.add(n.metadata.name);
}
const isOurs = (p) => !!p.spec?.nodeName && fakeNodes.has(p.spec.nodeName);

/** uid -> running pod state */
const running = new Map();
/** uid -> promise chain (serializes work per pod) */
const chains = new Map();
function serialize(uid, fn) {
    const prev = chains.get(uid) ?? Promise.resolve();
    const next = prev.then(fn, fn).catch((e) => log(`pod ${uid}: ${e.stack ?? e}`));
    chains.set(uid, next);
    next.finally(() => {
        if (chains.get(uid) === next) chains.delete(uid);
    });
    return next;
}

let podCache;
let serviceCache;
function latest(uid) {
    return podCache?.list().find((p) => p.metadata.uid === uid);
}

function onPod(p) {
    if (!isOurs(p)) return;
    const uid = p.metadata.uid;
    if (p.metadata.deletionTimestamp) {
        serialize(uid, () => stopPod(uid, "pod deleted"));
        return;
    }
    if (p.status?.phase === "Running" && p.status.podIP && !running.has(uid)) serialize(uid, () => startPod(uid));
}

async function startPod(uid) {
    const pod = latest(uid);
    if (!pod || pod.metadata.deletionTimestamp || running.has(uid) || !pod.status?.podIP) return;
    const podIP = pod.status.podIP;
    // An earlier pod that had this IP must be gone first (kwok reuses freed IPs at once).
    for (const [otherUid, st] of running) if (st.ip === podIP && otherUid !== uid) await stopPod(otherUid, `IP ${podIP} reused`);
    const key = podKey(pod);
    const dir = path.join(STATE, "pods", uid);
    const st = { uid, key, ip: podIP, ns: nsName(podIP), dir, containers: new Map(), stopping: false, timers: [] };
    try {
        fs.mkdirSync(path.join(dir, "volumes"), { recursive: true });
        const volumes = {};
        for (const v of pod.spec.volumes ?? []) volumes[v.name] = await materializeVolume(pod, v, path.join(dir, "volumes", v.name));
        await netnsUp(st);
        running.set(uid, st);
        log(`pod ${key} (${uid}): starting on ${pod.spec.nodeName} with IP ${podIP} in netns ${st.ns}`);
        for (const c of pod.spec.containers) {
            const env = await containerEnv(pod, c);
            const cs = {
                name: c.name,
                spec: c,
                env,
                restartCount: 0,
                ready: false,
                proc: undefined,
                startedAt: undefined,
                backoff: 1000,
                lastState: undefined,
            };
            st.containers.set(c.name, cs);
            writeLauncher(st, pod, c, volumes);
            launch(st, cs);
        }
        await ensurePortForward(pod);
        probeLoop(st);
    } catch (e) {
        st.stopping = true;
        for (const t of st.timers) clearTimeout(t);
        for (const cs of st.containers.values()) {
            try {
                if (cs.proc) process.kill(-cs.proc.pid, "SIGKILL");
            } catch {
                /* gone */
            }
        }
        running.delete(uid);
        await netnsDown(st).catch(() => {});
        if (e instanceof Retry) log(`pod ${key}: waiting: ${e.message}`);
        else log(`pod ${key}: cannot start: ${e.message}`);
        await sleep(e instanceof Retry ? 1000 : 5000);
        const again = latest(uid);
        if (again) onPod(again);
    }
}

async function netnsUp(st) {
    const { ns, ip: podIP } = st;
    const hostVeth = `pvv${podIP
        .split(".")
        .map((x) => Number(x).toString(16).padStart(2, "0"))
        .join("")}`; // <= 15 chars
    st.hostVeth = hostVeth;
    await ip("netns", "del", ns).catch(() => {});
    await ip("-n", ROUTER_NS, "link", "del", hostVeth).catch(() => {});
    await ip("netns", "add", ns);
    // The pod's MAC address follows from its IP: kwok hands a freed IP to the next pod at once, and
    // neighbour caches (the router's, other pods') must stay right when that happens.
    const mac = `02:42:${podIP
        .split(".")
        .map((x) => Number(x).toString(16).padStart(2, "0"))
        .join(":")}`;
    await ip("-n", ROUTER_NS, "link", "add", hostVeth, "type", "veth", "peer", "name", "eth0", "address", mac, "netns", ns);
    await ip("-n", ROUTER_NS, "link", "set", hostVeth, "master", "pvk-br", "up");
    await ip("-n", ns, "link", "set", "lo", "up");
    await ip("-n", ns, "addr", "add", `${podIP}/${PREFIX}`, "dev", "eth0");
    await ip("-n", ns, "link", "set", "eth0", "up");
    await ip("-n", ns, "route", "add", "default", "via", GATEWAY);
}

async function netnsDown(st) {
    const pids = await ip("netns", "pids", st.ns).then(
        (r) => r.stdout.split(/\s+/).filter(Boolean),
        () => [],
    );
    for (const pid of pids) {
        try {
            process.kill(Number(pid), "SIGKILL");
        } catch {
            /* gone */
        }
    }
    await ip("netns", "del", st.ns).catch(() => {});
    if (st.hostVeth) await ip("-n", ROUTER_NS, "link", "del", st.hostVeth).catch(() => {});
}

function shq(s) {
    return `'${String(s).replaceAll("'", `'\\''`)}'`;
}

function writeLauncher(st, pod, c, volumes) {
    // Every source is opened first and bind-mounted through /proc/self/fd/N: a mount over a parent
    // of the state dir (an emptyDir at /tmp, say) must not hide the sources of the mounts after it.
    // Parents are mounted before their children, as kubelet does.
    const mounts = [];
    for (const m of c.volumeMounts ?? []) {
        if (SKIPPED_MOUNTS.includes(m.mountPath)) continue;
        let src = volumes[m.name];
        if (src === undefined) throw new Error(`container ${c.name}: volumeMount ${m.name} has no volume`);
        if (m.subPath) src = path.join(src, m.subPath);
        if (!fs.existsSync(src)) fs.mkdirSync(src, { recursive: true });
        ensureMountpoint(m.mountPath, fs.statSync(src).isFile());
        mounts.push({ src, target: path.normalize(m.mountPath), readOnly: !!m.readOnly });
    }
    mounts.sort((a, b) => a.target.split("/").length - b.target.split("/").length);
    mounts.unshift({ src: hostsFile, target: "/etc/hosts", readOnly: false }, { src: resolvFile, target: "/etc/resolv.conf", readOnly: true });
    const lines = ["#!/bin/bash", "# generated by scripts/pod-runner.mjs", "set -e"];
    mounts.forEach((m, i) => lines.push(`exec ${10 + i}<${shq(m.src)}`));
    mounts.forEach((m, i) => {
        lines.push(`mount --bind /proc/self/fd/${10 + i} ${shq(m.target)}`);
        if (m.readOnly) lines.push(`mount -o remount,bind,ro ${shq(m.target)}`);
    });
    mounts.forEach((_, i) => lines.push(`exec ${10 + i}<&-`));
    lines.push(`hostname ${shq(pod.spec.hostname ?? pod.metadata.name)}`);
    lines.push(`cd ${shq(c.workingDir ?? "/")}`);
    lines.push('exec "$@"');
    fs.writeFileSync(path.join(st.dir, `${c.name}.launch.sh`), lines.join("\n") + "\n", { mode: 0o755 });
}

function launch(st, cs) {
    const c = cs.spec;
    const argv = [...(c.command ?? []), ...(c.args ?? [])].map((a) => expand(a, cs.env));
    if (argv.length === 0) {
        log(`pod ${st.key}: container ${c.name} has no command (images are not run here)`);
        return;
    }
    const logFd = fs.openSync(path.join(st.dir, `${c.name}.log`), "a");
    const env = {
        PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        HOSTNAME: st.key.split("/")[1],
        HOME: "/root",
        ...cs.env,
    };
    const proc = spawn(
        "ip",
        ["netns", "exec", st.ns, "unshare", "--mount", "--uts", "--propagation", "private", "/bin/bash", path.join(st.dir, `${c.name}.launch.sh`), ...argv],
        { env, stdio: ["ignore", logFd, logFd], detached: true },
    );
    fs.closeSync(logFd);
    cs.proc = proc;
    cs.startedAt = new Date();
    cs.ready = false;
    log(`pod ${st.key}: container ${c.name} started (pid ${proc.pid}): ${argv.join(" ")}`);
    proc.on("exit", (code, signal) => {
        cs.proc = undefined;
        cs.ready = false;
        cs.lastState = {
            terminated: {
                exitCode: code ?? 128,
                signal: signal ? 9 : undefined,
                reason: code === 0 ? "Completed" : "Error",
                startedAt: cs.startedAt,
                finishedAt: new Date(),
            },
        };
        if (st.stopping) return;
        log(`pod ${st.key}: container ${c.name} exited (code ${code}, signal ${signal}); restarting in ${cs.backoff} ms`);
        cs.restartCount++;
        void reportStatus(st);
        const t = setTimeout(() => {
            if (!st.stopping) launch(st, cs);
        }, cs.backoff);
        st.timers.push(t);
        cs.backoff = Math.min(cs.backoff * 2, 30000);
    });
}

async function stopPod(uid, why) {
    const st = running.get(uid);
    if (!st) return;
    st.stopping = true;
    for (const t of st.timers) clearTimeout(t);
    log(`pod ${st.key}: stopping (${why})`);
    const exits = [];
    for (const cs of st.containers.values()) {
        if (!cs.proc) continue;
        const p = cs.proc;
        exits.push(new Promise((r) => (p.exitCode !== null || p.signalCode !== null ? r() : p.once("exit", r))));
        try {
            process.kill(-p.pid, "SIGTERM");
        } catch {
            /* gone */
        }
    }
    const done = await Promise.race([Promise.all(exits).then(() => true), sleep(MAX_GRACE_SECONDS * 1000).then(() => false)]);
    if (!done) {
        for (const cs of st.containers.values()) {
            try {
                if (cs.proc) process.kill(-cs.proc.pid, "SIGKILL");
            } catch {
                /* gone */
            }
        }
    }
    await netnsDown(st);
    fs.rmSync(st.dir, { recursive: true, force: true });
    running.delete(uid);
    log(`pod ${st.key}: stopped`);
}

// ---------------------------------------------------------------------------------------------
function tcpCheck(host, port, timeoutMs) {
    return new Promise((resolve) => {
        const s = net.connect({ host, port });
        const t = setTimeout(() => {
            s.destroy();
            resolve(false);
        }, timeoutMs);
        s.once("connect", () => {
            clearTimeout(t);
            s.end();
            resolve(true);
        });
        s.once("error", () => {
            clearTimeout(t);
            resolve(false);
        });
    });
}

async function probe(st, cs) {
    if (!cs.proc) return false;
    const pr = cs.spec.readinessProbe;
    const timeoutMs = Math.max(2, pr?.timeoutSeconds ?? 1) * 1000;
    if (pr?.exec?.command?.length) {
        try {
            const cmd = pr.exec.command.map((a) => expand(a, cs.env));
            await execFileP("nsenter", ["--target", String(cs.proc.pid), "--mount", "--net", "--uts", "--", ...cmd], {
                timeout: timeoutMs,
                env: { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", ...cs.env },
            });
            return true;
        } catch {
            return false;
        }
    }
    const portOf = (p) => (typeof p === "number" ? p : (cs.spec.ports?.find((x) => x.name === p)?.containerPort ?? Number(p)));
    if (pr?.tcpSocket) return tcpCheck(st.ip, portOf(pr.tcpSocket.port), timeoutMs);
    if (pr?.httpGet) return tcpCheck(st.ip, portOf(pr.httpGet.port), timeoutMs);
    const first = cs.spec.ports?.[0]?.containerPort;
    if (first) return tcpCheck(st.ip, first, timeoutMs);
    return Date.now() - cs.startedAt.getTime() > 1000;
}

function probeLoop(st) {
    const tick = async () => {
        if (st.stopping) return;
        let changed = false;
        for (const cs of st.containers.values()) {
            const pr = cs.spec.readinessProbe;
            const due = !cs.nextProbe || Date.now() >= cs.nextProbe;
            if (!due) continue;
            const started = cs.startedAt ? cs.startedAt.getTime() : Date.now();
            if (!cs.ready && pr?.initialDelaySeconds && Date.now() - started < pr.initialDelaySeconds * 1000) continue;
            const ok = await probe(st, cs);
            // before the first success poll fast; then at the probe's period
            cs.nextProbe = Date.now() + (ok ? (pr?.periodSeconds ?? 10) * 1000 : 500);
            if (ok !== cs.ready) {
                cs.ready = ok;
                if (ok) cs.backoff = 1000;
                changed = true;
            }
        }
        if (changed || !st.reported) await reportStatus(st);
        if (!st.stopping) st.timers.push(setTimeout(tick, 250));
    };
    void tick();
}

async function reportStatus(st) {
    for (let attempt = 0; attempt < 5; attempt++) {
        if (st.stopping) return;
        const [ns, name] = st.key.split("/");
        let pod;
        try {
            pod = await core.readNamespacedPod({ name, namespace: ns });
        } catch (e) {
            if (status(e) === 404) return;
            throw e;
        }
        if (pod.metadata.uid !== st.uid || pod.metadata.deletionTimestamp) return;
        const now = new Date();
        const allReady = [...st.containers.values()].every((c) => c.ready);
        const conditions = (pod.status.conditions ?? []).filter((c) => c.type !== "Ready" && c.type !== "ContainersReady");
        for (const type of ["ContainersReady", "Ready"]) {
            const old = pod.status.conditions?.find((c) => c.type === type);
            const s = allReady ? "True" : "False";
            conditions.push({
                type,
                status: s,
                lastTransitionTime: old?.status === s ? old.lastTransitionTime : now,
                ...(allReady ? {} : { reason: "ContainersNotReady" }),
            });
        }
        pod.status.conditions = conditions;
        pod.status.containerStatuses = [...st.containers.values()].map((cs) => ({
            name: cs.name,
            image: cs.spec.image ?? "",
            imageID: "",
            containerID: cs.proc ? `pvk://${cs.proc.pid}` : undefined,
            ready: cs.ready,
            started: !!cs.proc,
            restartCount: cs.restartCount,
            state: cs.proc ? { running: { startedAt: cs.startedAt } } : { waiting: { reason: "CrashLoopBackOff" } },
            ...(cs.lastState ? { lastState: cs.lastState } : {}),
        }));
        try {
            await core.replaceNamespacedPodStatus({ name, namespace: ns, body: pod });
            st.reported = true;
            log(
                `pod ${st.key}: ${allReady ? "Ready" : "not ready"} (${[...st.containers.values()].map((c) => `${c.name}: ready=${c.ready} restarts=${c.restartCount}`).join(", ")})`,
            );
            return;
        } catch (e) {
            if (status(e) === 409) continue;
            if (status(e) === 404) return;
            log(`pod ${st.key}: status update failed: ${status(e) ?? e.message}`);
            return;
        }
    }
}

async function ensurePortForward(pod) {
    const ports = new Set(FORWARDED_PORTS);
    for (const c of pod.spec.containers) for (const p of c.ports ?? []) if ((p.protocol ?? "TCP") === "TCP") ports.add(p.containerPort);
    const body = {
        apiVersion: "kwok.x-k8s.io/v1alpha1",
        kind: "PortForward",
        metadata: {
            name: pod.metadata.name,
            namespace: pod.metadata.namespace,
            ownerReferences: [{ apiVersion: "v1", kind: "Pod", name: pod.metadata.name, uid: pod.metadata.uid }],
        },
        spec: { forwards: [...ports].map((p) => ({ ports: [p], target: { port: p, address: pod.status.podIP } })) },
    };
    const id = { group: "kwok.x-k8s.io", version: "v1alpha1", namespace: pod.metadata.namespace, plural: "portforwards" };
    try {
        await custom.createNamespacedCustomObject({ ...id, body });
    } catch (e) {
        if (status(e) !== 409) throw e;
        await custom.deleteNamespacedCustomObject({ ...id, name: pod.metadata.name });
        await custom.createNamespacedCustomObject({ ...id, body });
    }
}

// ---------------------------------------------------------------------------------------------
// Storage: a directory per PersistentVolume under <state>/pv.
const qty = (s) => {
    const m = /^([0-9.]+)([A-Za-z]*)$/.exec(String(s ?? "0"));
    if (!m) return 0;
    const mult = {
        "": 1,
        k: 1e3,
        M: 1e6,
        G: 1e9,
        T: 1e12,
        P: 1e15,
        E: 1e18,
        Ki: 1024,
        Mi: 1024 ** 2,
        Gi: 1024 ** 3,
        Ti: 1024 ** 4,
        Pi: 1024 ** 5,
        Ei: 1024 ** 6,
    }[m[2]];
    if (mult === undefined) return 0;
    return Number(m[1]) * mult;
};

async function onClaim(pvc) {
    if ((pvc.spec?.storageClassName ?? "") !== STORAGE_CLASS) return;
    const want = pvc.spec?.resources?.requests?.storage;
    if (pvc.status?.phase === "Pending" && !pvc.spec.volumeName) {
        const name = `pvc-${pvc.metadata.uid}`;
        const dir = path.join(STATE, "pv", name);
        fs.mkdirSync(dir, { recursive: true });
        try {
            await core.createPersistentVolume({
                body: {
                    metadata: { name, annotations: { "pv.kubernetes.io/provisioned-by": PROVISIONER } },
                    spec: {
                        capacity: { storage: want ?? "1Gi" },
                        accessModes: pvc.spec.accessModes ?? ["ReadWriteOnce"],
                        persistentVolumeReclaimPolicy: "Delete",
                        storageClassName: STORAGE_CLASS,
                        volumeMode: pvc.spec.volumeMode ?? "Filesystem",
                        hostPath: { path: dir, type: "DirectoryOrCreate" },
                        claimRef: {
                            apiVersion: "v1",
                            kind: "PersistentVolumeClaim",
                            namespace: pvc.metadata.namespace,
                            name: pvc.metadata.name,
                            uid: pvc.metadata.uid,
                        },
                    },
                },
            });
            log(`pvc ${podKey(pvc)}: provisioned ${name} (${want})`);
        } catch (e) {
            if (status(e) !== 409) log(`pvc ${podKey(pvc)}: provisioning failed: ${status(e) ?? e.message}`);
        }
        return;
    }
    // Expansion, as a CSI resizer would: grow the PV and record the new capacity on the claim (the
    // directory-backed volume needs nothing else). The API server only lets a claim grow, and only
    // in a StorageClass with allowVolumeExpansion.
    if (pvc.status?.phase === "Bound" && want && qty(want) > qty(pvc.status?.capacity?.storage)) {
        try {
            const pv = await core.readPersistentVolume({ name: pvc.spec.volumeName });
            if (pv.metadata.annotations?.["pv.kubernetes.io/provisioned-by"] !== PROVISIONER) return;
            if (qty(pv.spec.capacity.storage) < qty(want)) {
                pv.spec.capacity.storage = want;
                await core.replacePersistentVolume({ name: pv.metadata.name, body: pv });
            }
            const fresh = await core.readNamespacedPersistentVolumeClaim({ name: pvc.metadata.name, namespace: pvc.metadata.namespace });
            fresh.status.capacity = { ...(fresh.status.capacity ?? {}), storage: want };
            await core.replaceNamespacedPersistentVolumeClaimStatus({ name: pvc.metadata.name, namespace: pvc.metadata.namespace, body: fresh });
            log(`pvc ${podKey(pvc)}: expanded to ${want}`);
        } catch (e) {
            log(`pvc ${podKey(pvc)}: expansion failed: ${status(e) ?? e.message}`);
        }
    }
}

async function onVolume(pv) {
    if (pv.metadata.annotations?.["pv.kubernetes.io/provisioned-by"] !== PROVISIONER) return;
    if (pv.status?.phase !== "Released" || pv.spec.persistentVolumeReclaimPolicy !== "Delete") return;
    try {
        await core.deletePersistentVolume({ name: pv.metadata.name });
    } catch (e) {
        if (status(e) !== 404) log(`pv ${pv.metadata.name}: delete failed: ${status(e) ?? e.message}`);
    }
    const p = pv.spec.hostPath?.path;
    if (p && p.startsWith(path.join(STATE, "pv") + path.sep)) fs.rmSync(p, { recursive: true, force: true });
    log(`pv ${pv.metadata.name}: released and deleted`);
}

// ---------------------------------------------------------------------------------------------
function startInformer(pathname, listFn, handlers) {
    const inf = k8s.makeInformer(kc, pathname, listFn);
    for (const [ev, fn] of Object.entries(handlers)) inf.on(ev, fn);
    inf.on("error", (e) => {
        log(`watch ${pathname}: ${e?.message ?? e}; restarting`);
        setTimeout(() => inf.start().catch((err) => log(`watch ${pathname}: ${err.message}`)), 2000);
    });
    return inf;
}

async function cleanStaleNamespaces() {
    const out = await ip("netns", "list").then(
        (r) => r.stdout,
        () => "",
    );
    for (const line of out.split("\n")) {
        const ns = line.split(" ")[0];
        if (/^pvk-\d+-\d+-\d+-\d+$/.test(ns)) await netnsDown({ ns });
    }
}

let shuttingDown = false;
async function shutdown(sig) {
    if (shuttingDown) return;
    shuttingDown = true;
    log(`${sig}: stopping ${running.size} pod(s)`);
    await Promise.all([...running.keys()].map((uid) => stopPod(uid, "runner stopping")));
    fs.rmSync(path.join(STATE, "pod-runner.ready"), { force: true });
    process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));

async function main() {
    await cleanStaleNamespaces();
    await refreshNodes();
    setInterval(() => refreshNodes().catch((e) => log(`nodes: ${e.message}`)), 10000).unref();
    writeHosts([]);
    serviceCache = startInformer("/api/v1/services", () => core.listServiceForAllNamespaces(), {
        add: () => writeHosts(podCache?.list() ?? []),
        update: () => writeHosts(podCache?.list() ?? []),
        delete: () => writeHosts(podCache?.list() ?? []),
    });
    podCache = startInformer("/api/v1/pods", () => core.listPodForAllNamespaces(), {
        add: (p) => {
            writeHosts(podCache.list());
            onPod(p);
        },
        update: (p) => {
            writeHosts(podCache.list());
            onPod(p);
        },
        delete: (p) => {
            writeHosts(podCache.list());
            if (running.has(p.metadata.uid)) serialize(p.metadata.uid, () => stopPod(p.metadata.uid, "pod gone"));
        },
    });
    const claims = startInformer("/api/v1/persistentvolumeclaims", () => core.listPersistentVolumeClaimForAllNamespaces(), {
        add: (c) => void onClaim(c),
        update: (c) => void onClaim(c),
    });
    const volumes = startInformer("/api/v1/persistentvolumes", () => core.listPersistentVolume(), {
        add: (v) => void onVolume(v),
        update: (v) => void onVolume(v),
    });
    await Promise.all([serviceCache.start(), podCache.start(), claims.start(), volumes.start()]);
    // Pending claims and pods are re-examined now and then (a missed event must not wedge a test).
    setInterval(() => {
        for (const c of claims.list()) void onClaim(c);
        for (const p of podCache.list()) onPod(p);
    }, 5000).unref();
    fs.writeFileSync(path.join(STATE, "pod-runner.ready"), `${process.pid}\n`);
    log(`pod runner ready: fake nodes ${[...fakeNodes].join(", ")}`);
}

main().catch((e) => {
    log(`fatal: ${e.stack ?? e}`);
    process.exit(1);
});
