#!/usr/bin/env bash
# Smoke test of the local control plane (scripts/control-plane.sh) and its pod runner:
#   up -> a StatefulSet that follows docs/pod-contract.md (ConfigMap valkey.conf, Secret with
#   password and auth.conf, PVCs, headless + ClusterIP Services, anti-affinity over 3 nodes) ->
#   every pod Ready on its own node -> PING/SET/GET through the pod IP and through
#   `kubectl port-forward` -> replication between pods by their DNS names -> a deleted pod comes
#   back with its data -> deleting the claims releases their volumes -> down -> nothing left.
# Leaves the control plane running if KEEP_UP=1 (then run scripts/control-plane.sh down).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CP="$ROOT/scripts/control-plane.sh"
NS=smoke
PASSWORD="smoke-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
PF_PORT="${SMOKE_PF_PORT:-16399}"
PF_PID=""
step() { printf '[smoke %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
fail() { echo "smoke: FAILED: $*" >&2; exit 1; }
cleanup() {
  local rc=$?
  [[ -n "$PF_PID" ]] && kill "$PF_PID" 2>/dev/null || true
  if [[ $rc -ne 0 ]]; then
    echo "---- diagnostics"
    kubectl get pods,pvc,pv,endpointslices -A -o wide 2>/dev/null | head -40 || true
    tail -n 30 "$("$CP" env >/dev/null 2>&1; echo "${PULUMI_VALKEY_CP_DIR:-${XDG_RUNTIME_DIR:-/tmp}/pulumi-valkey-cp}")/logs/pod-runner.log" 2>/dev/null || true
  fi
  if [[ "${KEEP_UP:-0}" != 1 ]]; then "$CP" down || rc=1; fi
  exit $rc
}
trap cleanup EXIT

t0=$SECONDS
step "control plane up"
"$CP" up
eval "$("$CP" env)"
cli() { timeout 10 valkey-cli --no-auth-warning -a "$PASSWORD" "$@"; }

step "apply a StatefulSet that follows the pod contract"
kubectl apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Namespace
metadata: {name: $NS}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: smoke-config, namespace: $NS}
data:
  valkey.conf: |
    port 6379
    bind 0.0.0.0
    protected-mode no
    dir /data
    appendonly yes
    include /etc/valkey-auth/auth.conf
---
apiVersion: v1
kind: Secret
metadata: {name: smoke-auth, namespace: $NS}
stringData:
  password: "$PASSWORD"
  auth.conf: |
    requirepass $PASSWORD
    masterauth $PASSWORD
---
apiVersion: v1
kind: Service
metadata: {name: smoke-headless, namespace: $NS}
spec:
  clusterIP: None
  publishNotReadyAddresses: true
  selector: {app: smoke}
  ports: [{name: valkey, port: 6379}]
---
apiVersion: v1
kind: Service
metadata: {name: smoke, namespace: $NS}
spec:
  selector: {app: smoke}
  ports: [{name: valkey, port: 6379, targetPort: valkey}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: smoke, namespace: $NS}
spec:
  serviceName: smoke-headless
  replicas: 3
  podManagementPolicy: Parallel
  selector: {matchLabels: {app: smoke}}
  template:
    metadata: {labels: {app: smoke}}
    spec:
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - labelSelector: {matchLabels: {app: smoke}}
            topologyKey: kubernetes.io/hostname
      containers:
      - name: valkey
        image: valkey/valkey:8.0
        command: ["valkey-server", "/etc/valkey/valkey.conf"]
        args: ["--replica-announce-ip", "\$(POD_IP)"]
        env:
        - name: POD_IP
          valueFrom: {fieldRef: {fieldPath: status.podIP}}
        - name: POD_NAME
          valueFrom: {fieldRef: {fieldPath: metadata.name}}
        ports: [{name: valkey, containerPort: 6379}]
        readinessProbe:
          exec:
            command: ["sh", "-c", "REDISCLI_AUTH=\"\$(cat /etc/valkey-auth/password)\" valkey-cli -p 6379 ping | grep -q PONG"]
          periodSeconds: 2
        volumeMounts:
        - {name: config, mountPath: /etc/valkey, readOnly: true}
        - {name: auth, mountPath: /etc/valkey-auth, readOnly: true}
        - {name: data, mountPath: /data}
      volumes:
      - name: config
        configMap: {name: smoke-config}
      - name: auth
        secret: {secretName: smoke-auth}
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 1Gi}}
EOF

step "wait for the StatefulSet to be ready"
kubectl -n $NS rollout status statefulset/smoke --timeout=180s
kubectl -n $NS get pods -o wide
nodes="$(kubectl -n $NS get pods -l app=smoke -o jsonpath='{range .items[*]}{.spec.nodeName}{"\n"}{end}' | sort -u | wc -l)"
[[ "$nodes" -eq 3 ]] || fail "anti-affinity: pods on $nodes nodes, want 3"
kubectl get pvc -n $NS --no-headers | grep -c Bound | grep -qx 3 || fail "PVCs not all bound"
eps="$(kubectl -n $NS get endpointslices -l kubernetes.io/service-name=smoke -o jsonpath='{range .items[*].endpoints[*]}{.addresses[0]} {.conditions.ready}{"\n"}{end}' | grep -c true)"
[[ "$eps" -eq 3 ]] || fail "service smoke has $eps ready endpoints, want 3"
step "3 pods Ready on 3 nodes, 3 PVCs bound, 3 ready endpoints"

IP0="$(kubectl -n $NS get pod smoke-0 -o jsonpath='{.status.podIP}')"
step "through the pod IP $IP0: PING/SET/GET"
[[ "$(cli -h "$IP0" PING)" == PONG ]] || fail "PING via pod IP"
[[ "$(cli -h "$IP0" SET smoke:key hello)" == OK ]] || fail "SET via pod IP"
[[ "$(cli -h "$IP0" GET smoke:key)" == hello ]] || fail "GET via pod IP"
[[ "$(timeout 10 valkey-cli -h "$IP0" PING 2>&1)" == *NOAUTH* ]] || fail "the server accepted a command without the password"

step "through kubectl port-forward (kwok PortForward -> pod IP)"
kubectl -n $NS port-forward pod/smoke-0 "$PF_PORT:6379" >/dev/null 2>&1 &
PF_PID=$!
for _ in $(seq 1 40); do cli -p "$PF_PORT" PING >/dev/null 2>&1 && break; sleep 0.25; done
[[ "$(cli -p "$PF_PORT" PING)" == PONG ]] || fail "PING via port-forward"
[[ "$(cli -p "$PF_PORT" GET smoke:key)" == hello ]] || fail "GET via port-forward"
[[ "$(cli -p "$PF_PORT" SET smoke:pf world)" == OK ]] || fail "SET via port-forward"
kill "$PF_PID"; wait "$PF_PID" 2>/dev/null || true; PF_PID=""

step "pod-to-pod by DNS name: smoke-1 replicates smoke-0.smoke-headless.$NS.svc.cluster.local"
IP1="$(kubectl -n $NS get pod smoke-1 -o jsonpath='{.status.podIP}')"
cli -h "$IP1" REPLICAOF "smoke-0.smoke-headless.$NS.svc.cluster.local" 6379 >/dev/null
for _ in $(seq 1 40); do [[ "$(cli -h "$IP1" GET smoke:key)" == hello ]] && break; sleep 0.25; done
[[ "$(cli -h "$IP1" GET smoke:key)" == hello ]] || fail "replica smoke-1 did not get the key"
cli -h "$IP1" INFO replication | grep -q 'master_link_status:up' || fail "replication link not up"
cli -h "$IP1" REPLICAOF NO ONE >/dev/null

step "a Sentinel pod (sh -c, writable copy of its config in an emptyDir) monitors smoke-0 by name"
kubectl apply -f - >/dev/null <<EOF
apiVersion: v1
kind: ConfigMap
metadata: {name: smoke-sentinel-config, namespace: $NS}
data:
  sentinel.conf: |
    port 26379
    sentinel resolve-hostnames yes
    sentinel monitor smoke smoke-0.smoke-headless.$NS.svc.cluster.local 6379 1
    sentinel auth-pass smoke $PASSWORD
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: smoke-sentinel, namespace: $NS}
spec:
  serviceName: smoke-headless
  replicas: 1
  selector: {matchLabels: {app: smoke-sentinel}}
  template:
    metadata: {labels: {app: smoke-sentinel}}
    spec:
      containers:
      - name: sentinel
        image: valkey/valkey:8.0
        command: ["sh", "-c", "cp /etc/sentinel/sentinel.conf /sentinel-data/sentinel.conf && exec valkey-sentinel /sentinel-data/sentinel.conf"]
        ports: [{name: sentinel, containerPort: 26379}]
        volumeMounts:
        - {name: config, mountPath: /etc/sentinel, readOnly: true}
        - {name: sentinel-data, mountPath: /sentinel-data}
      volumes:
      - name: config
        configMap: {name: smoke-sentinel-config}
      - name: sentinel-data
        emptyDir: {}
EOF
kubectl -n $NS rollout status statefulset/smoke-sentinel --timeout=120s >/dev/null
SIP="$(kubectl -n $NS get pod smoke-sentinel-0 -o jsonpath='{.status.podIP}')"
for _ in $(seq 1 40); do timeout 10 valkey-cli -h "$SIP" -p 26379 SENTINEL get-master-addr-by-name smoke 2>/dev/null | grep -q . && break; sleep 0.25; done
master="$(timeout 10 valkey-cli -h "$SIP" -p 26379 SENTINEL get-master-addr-by-name smoke | head -1)"
[[ "$master" == "$IP0" || "$master" == smoke-0.* ]] || fail "sentinel reports master '$master', want smoke-0 ($IP0)"
[[ "$(timeout 10 valkey-cli -h "$SIP" -p 26379 SENTINEL master smoke | sed -n '/^flags$/{n;p}')" == master ]] || fail "sentinel does not see smoke-0 as a healthy master"
kubectl -n $NS delete statefulset smoke-sentinel --wait=true --timeout=60s >/dev/null

step "delete pod smoke-0: it comes back Ready with its data (PVC + appendonly)"
uid_before="$(kubectl -n $NS get pod smoke-0 -o jsonpath='{.metadata.uid}')"
kubectl -n $NS delete pod smoke-0 --wait=false >/dev/null   # the new pod (new UID) is awaited below
for _ in $(seq 1 120); do
  uid="$(kubectl -n $NS get pod smoke-0 -o jsonpath='{.metadata.uid}' 2>/dev/null || true)"
  [[ -n "$uid" && "$uid" != "$uid_before" ]] && break; sleep 0.5
done
kubectl -n $NS wait pod/smoke-0 --for=condition=Ready --timeout=120s >/dev/null
IP0="$(kubectl -n $NS get pod smoke-0 -o jsonpath='{.status.podIP}')"
[[ "$(cli -h "$IP0" GET smoke:key)" == hello ]] || fail "smoke-0 lost its data"

step "a killed valkey-server is restarted and the pod becomes Ready again"
PID0="$(cli -h "$IP0" INFO server | tr -d '\r' | sed -n 's/^process_id://p')"
kill -KILL "$PID0"
for _ in $(seq 1 60); do
  rc="$(kubectl -n $NS get pod smoke-0 -o jsonpath='{.status.containerStatuses[0].restartCount}')"
  [[ "$rc" -ge 1 ]] && break; sleep 0.5
done
[[ "$rc" -ge 1 ]] || fail "restartCount did not increase"
kubectl -n $NS wait pod/smoke-0 --for=condition=Ready --timeout=60s >/dev/null
[[ "$(cli -h "$IP0" GET smoke:key)" == hello ]] || fail "data lost after restart"

step "delete the StatefulSet and its claims: the volumes are released and deleted"
kubectl -n $NS delete statefulset smoke --wait=true --timeout=60s >/dev/null
kubectl -n $NS wait pod -l app=smoke --for=delete --timeout=60s >/dev/null 2>&1 || true
kubectl -n $NS delete pvc --all --wait=true --timeout=60s >/dev/null
for _ in $(seq 1 60); do [[ -z "$(kubectl get pv --no-headers 2>/dev/null)" ]] && break; sleep 0.5; done
[[ -z "$(kubectl get pv --no-headers 2>/dev/null)" ]] || fail "PVs left: $(kubectl get pv --no-headers)"
left="$(ip netns list | grep -c '^pvk-[0-9]' || true)"
[[ "$left" -eq 0 ]] || fail "$left pod network namespaces left after the pods were deleted"

step "all checks passed in $((SECONDS - t0))s"
