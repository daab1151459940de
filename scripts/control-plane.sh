#!/usr/bin/env bash
# A local Kubernetes control plane for the end-to-end tests and the quickstart, built from the
# binaries of scripts/toolchain.sh: etcd, kube-apiserver, kube-controller-manager, kube-scheduler,
# kwok with fake nodes, and scripts/pod-runner.mjs, which runs each pod's container command for
# real (valkey-server, valkey-sentinel, sh -c ...) in a network namespace of its own, bound to the
# pod's IP. Needs root (network and mount namespaces).
#
# Usage: scripts/control-plane.sh up|down|status|env|diagnose|check-clean
#   up           start everything (idempotent: a running control plane is left as it is)
#   down         stop everything; leaves no process, network namespace, veth, mount or file
#   status       show what runs
#   env          print `export KUBECONFIG=...` (and PATH for the toolchain's kubectl)
#   diagnose     pods, PVCs, recent events and the last lines of each component's log (the e2e
#                tests print it when one of them fails, before `down` removes everything)
#   check-clean  exit 0 only if nothing of the control plane is left (used after `down`)
#
# Network (only on this machine): pods get IPs from 10.244.0.0/24 (kwok's cidr); each running pod
# has its own network namespace pvk-<ip> with eth0 = <pod IP>/24, attached to a bridge inside the
# router namespace pvk-router (10.244.0.254). The host reaches 10.244.0.0/23 through the veth pair
# pvk-host (169.254.244.1/30, link-local) <-> pvk-rt (169.254.244.2/30) in pvk-router; Service
# ClusterIPs (10.244.1.0/24) are unreachable there, so nothing leaves the machine.
#
# Environment: PULUMI_VALKEY_CP_DIR (state, default ${XDG_RUNTIME_DIR:-/tmp}/pulumi-valkey-cp),
# PULUMI_VALKEY_CP_NODES (3), PULUMI_VALKEY_CP_APISERVER_PORT (16443), PULUMI_VALKEY_CP_ETCD_PORT
# (23790; peer port +10), PULUMI_VALKEY_CP_KWOK_PORT (10247), PULUMI_VALKEY_TOOLS (toolchain cache).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="${PULUMI_VALKEY_CP_DIR:-${XDG_RUNTIME_DIR:-/tmp}/pulumi-valkey-cp}"
NODES="${PULUMI_VALKEY_CP_NODES:-3}"
API_PORT="${PULUMI_VALKEY_CP_APISERVER_PORT:-16443}"
ETCD_PORT="${PULUMI_VALKEY_CP_ETCD_PORT:-23790}"
ETCD_PEER_PORT=$((ETCD_PORT + 10))
KWOK_PORT="${PULUMI_VALKEY_CP_KWOK_PORT:-10247}"
KCM_PORT="${PULUMI_VALKEY_CP_KCM_PORT:-10357}"
SCHED_PORT="${PULUMI_VALKEY_CP_SCHED_PORT:-10359}"
POD_CIDR=10.244.0.0/24
SERVICE_CIDR=10.244.1.0/24
ROUTED_CIDR=10.244.0.0/23
ROUTER_NS=pvk-router
ROUTER_IP=10.244.0.254
HOST_LINK_IP=169.254.244.1
ROUTER_LINK_IP=169.254.244.2
KUBECONFIG_PATH="$STATE/kubeconfig"
COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok pod-runner)

die() { echo "control-plane: ERROR: $*" >&2; exit 1; }
log() { printf '[control-plane %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

tools_bin() {
  local dir; dir="$("$ROOT/scripts/toolchain.sh" --print-dir)"
  echo "$dir/bin"
}

pid_of() { [[ -f "$STATE/pids/$1" ]] && cat "$STATE/pids/$1" || true; }
alive() { local p; p="$(pid_of "$1")"; [[ -n "$p" ]] && kill -0 "$p" 2>/dev/null; }

start() { # start <name> cmd...   (own session, output to logs/<name>.log)
  local name="$1"; shift
  setsid "$@" >>"$STATE/logs/$name.log" 2>&1 < /dev/null &
  echo $! >"$STATE/pids/$name"
}

wait_for() { # wait_for <what> <seconds> cmd...
  local what="$1" secs="$2"; shift 2
  local i
  for ((i = 0; i < secs * 4; i++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.25
  done
  return 1
}

fail_component() {
  echo "control-plane: ERROR: $1 did not become ready; last lines of $STATE/logs/$1.log:" >&2
  tail -n 25 "$STATE/logs/$1.log" >&2 || true
  echo "control-plane: run '$0 down' to clean up" >&2
  exit 1
}

kc() { "$BIN/kubectl" --kubeconfig "$KUBECONFIG_PATH" "$@"; }

# --------------------------------------------------------------------------------------------
gen_pki() {
  local p="$STATE/pki"
  [[ -f "$p/done" ]] && return 0
  mkdir -p "$p"; chmod 700 "$p"
  (
    cd "$p"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 30 -subj "/CN=pulumi-valkey-local-ca" 2>/dev/null
    cat >ext.cnf <<'EOF'
[server]
basicConstraints = CA:FALSE
keyUsage = digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, DNS:kubernetes, DNS:kubernetes.default, DNS:kubernetes.default.svc, DNS:kubernetes.default.svc.cluster.local, IP:127.0.0.1, IP:10.244.1.1
[client]
basicConstraints = CA:FALSE
keyUsage = digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
EOF
    sign() { # sign <name> <subject> <extension section>
      openssl req -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" -subj "$2" 2>/dev/null
      openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -out "$1.crt" -days 30 -extfile ext.cnf -extensions "$3" 2>/dev/null
      rm -f "$1.csr"
    }
    sign apiserver "/CN=kube-apiserver" server
    sign kwok "/CN=kwok" server
    sign admin "/O=system:masters/CN=kubernetes-admin" client
    openssl genrsa -out sa.key 2048 2>/dev/null
    openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
  )
  touch "$p/done"
}

write_kubeconfig() {
  local p="$STATE/pki"
  cat >"$KUBECONFIG_PATH" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: pulumi-valkey-local
  cluster:
    server: https://127.0.0.1:$API_PORT
    certificate-authority-data: $(base64 -w0 "$p/ca.crt")
users:
- name: admin
  user:
    client-certificate-data: $(base64 -w0 "$p/admin.crt")
    client-key-data: $(base64 -w0 "$p/admin.key")
contexts:
- name: pulumi-valkey-local
  context: {cluster: pulumi-valkey-local, user: admin}
current-context: pulumi-valkey-local
EOF
  chmod 600 "$KUBECONFIG_PATH"
}

write_kwok_config() {
  local stages="$TOOLS_DIR/share/kwok/stage"
  [[ -d "$stages" ]] || die "kwok stages missing in $stages: run scripts/toolchain.sh"
  {
    cat <<EOF
apiVersion: config.kwok.x-k8s.io/v1alpha1
kind: KwokConfiguration
options:
  cidr: $POD_CIDR
  nodeIP: 127.0.0.1
  nodePort: $KWOK_PORT
  serverAddress: 127.0.0.1:$KWOK_PORT
  tlsCertFile: $STATE/pki/kwok.crt
  tlsPrivateKeyFile: $STATE/pki/kwok.key
  manageAllNodes: false
  manageNodesWithAnnotationSelector: kwok.x-k8s.io/node=fake
  nodeLeaseDurationSeconds: 40
  nodeLeaseParallelism: 4
  nodePlayStageParallelism: 4
  podPlayStageParallelism: 4
  podsOnNodeSyncParallelism: 4
  enableCRDs: [PortForward, ClusterPortForward]
  enableDebuggingHandlers: true
---
EOF
    cat "$stages/node/fast/node-initialize.yaml"
    echo "---"
    cat "$stages/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml"
    echo "---"
    cat "$stages/pod/fast/pod-delete.yaml"
    echo "---"
    # Pods: kwok gives a pending pod on a fake node its IP and marks it Running but NOT Ready;
    # the pod runner starts the container and reports readiness itself.
    cat <<'EOF'
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: pod-start
spec:
  resourceRef:
    apiGroup: v1
    kind: Pod
  selector:
    matchExpressions:
    - key: '.metadata.deletionTimestamp'
      operator: 'DoesNotExist'
    - key: '.status.phase'
      operator: 'In'
      values: ['Pending']
  next:
    statusTemplate: |
      {{ $now := Now }}
      conditions:
      - lastTransitionTime: {{ $now | Quote }}
        status: "True"
        type: Initialized
      - lastTransitionTime: {{ $now | Quote }}
        status: "True"
        type: PodScheduled
      - lastTransitionTime: {{ $now | Quote }}
        status: "False"
        reason: ContainersNotReady
        type: ContainersReady
      - lastTransitionTime: {{ $now | Quote }}
        status: "False"
        reason: ContainersNotReady
        type: Ready
      containerStatuses:
      {{ range .spec.containers }}
      - image: {{ .image | Quote }}
        name: {{ .name | Quote }}
        ready: false
        started: false
        restartCount: 0
        state:
          waiting:
            reason: ContainerCreating
      {{ end }}
      {{ $hostIPs := NodeIPsWith .spec.nodeName }}
      {{ with $hostIPs }}
      hostIP: {{ index . 0 | Quote }}
      hostIPs:
      {{ range . }}
      - ip: {{ . | Quote }}
      {{ end }}
      {{ end }}
      {{ $podIPs := PodIPsWith .spec.nodeName ( or .spec.hostNetwork false ) ( or .metadata.uid "" ) ( or .metadata.name "" ) ( or .metadata.namespace "" ) }}
      {{ with $podIPs }}
      podIP: {{ index . 0 | Quote }}
      podIPs:
      {{ range . }}
      - ip: {{ . | Quote }}
      {{ end }}
      {{ end }}
      phase: Running
      startTime: {{ $now | Quote }}
EOF
  } >"$STATE/kwok.yaml"
}

net_up() {
  [[ -e /run/netns ]] || touch "$STATE/created-run-netns"
  ip netns add "$ROUTER_NS"
  ip -n "$ROUTER_NS" link set lo up
  ip netns exec "$ROUTER_NS" sysctl -qw net.ipv4.ip_forward=1
  ip link add pvk-host type veth peer name pvk-rt netns "$ROUTER_NS"
  ip addr add "$HOST_LINK_IP/30" dev pvk-host
  ip link set pvk-host up
  ip -n "$ROUTER_NS" addr add "$ROUTER_LINK_IP/30" dev pvk-rt
  ip -n "$ROUTER_NS" link set pvk-rt up
  ip -n "$ROUTER_NS" link add pvk-br type bridge
  ip -n "$ROUTER_NS" addr add "$ROUTER_IP/24" dev pvk-br
  ip -n "$ROUTER_NS" link set pvk-br up
  ip -n "$ROUTER_NS" route add unreachable "$SERVICE_CIDR"
  ip route add "$ROUTED_CIDR" via "$ROUTER_LINK_IP" dev pvk-host
}

apply_base_objects() {
  local i zones=(zone-a zone-b zone-c)
  {
    for ((i = 1; i <= NODES; i++)); do
      cat <<EOF
apiVersion: v1
kind: Node
metadata:
  name: pvk-node-$i
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    type: kwok
    kubernetes.io/arch: amd64
    kubernetes.io/os: linux
    kubernetes.io/hostname: pvk-node-$i
    topology.kubernetes.io/zone: ${zones[$(((i - 1) % 3))]}
    topology.kubernetes.io/region: local
spec: {}
---
EOF
    done
    cat <<'EOF'
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: pvk-local
  annotations:
    storageclass.kubernetes.io/is-default-class: "true"
provisioner: pulumi-valkey.local/state-dir
reclaimPolicy: Delete
volumeBindingMode: Immediate
allowVolumeExpansion: true
EOF
  } >"$STATE/base-objects.yaml"
  kc apply -f "$TOOLS_DIR/share/kwok/crd/kwok.x-k8s.io_portforwards.yaml" -f "$TOOLS_DIR/share/kwok/crd/kwok.x-k8s.io_clusterportforwards.yaml" >/dev/null
  kc apply -f "$STATE/base-objects.yaml" >/dev/null
}

cmd_up() {
  [[ $EUID -eq 0 ]] || die "needs root (network and mount namespaces)"
  for t in ip openssl setsid node valkey-server; do command -v "$t" >/dev/null || die "$t not found"; done
  "$ROOT/scripts/toolchain.sh" --check --only etcd,kube,kwok >/dev/null 2>&1 ||
    die "the control plane binaries are not built: run scripts/toolchain.sh --only etcd,kube,kwok ($("$ROOT/scripts/toolchain.sh" --check --only etcd,kube,kwok 2>&1 || true))"
  BIN="$(tools_bin)"; TOOLS_DIR="$(dirname "$BIN")"
  [[ -d "$TOOLS_DIR/share/kwok/crd" ]] || die "kwok CRDs missing in $TOOLS_DIR/share/kwok/crd: rebuild kwok (rm $TOOLS_DIR/stamps/kwok; scripts/toolchain.sh --only kwok)"
  if alive kube-apiserver && alive pod-runner; then log "already running (state $STATE)"; cmd_env; return 0; fi
  if [[ -d "$STATE" ]] || ip netns list | grep -q '^pvk-'; then
    log "leftovers of an earlier run found: cleaning up first"; cmd_down
  fi
  local t0=$SECONDS
  mkdir -p "$STATE"/{pids,logs,etcd,pods,pv}
  chmod 700 "$STATE"
  echo "$BIN" >"$STATE/bin"
  log "state: $STATE"
  gen_pki
  write_kubeconfig
  write_kwok_config
  net_up

  log "starting etcd (127.0.0.1:$ETCD_PORT)"
  start etcd "$BIN/etcd" --name pvk --data-dir "$STATE/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "pvk=http://127.0.0.1:$ETCD_PEER_PORT" --unsafe-no-fsync --log-level warn
  wait_for etcd 30 curl -fsS "http://127.0.0.1:$ETCD_PORT/health" || fail_component etcd

  log "starting kube-apiserver (https://127.0.0.1:$API_PORT)"
  local p="$STATE/pki"
  start kube-apiserver "$BIN/kube-apiserver" --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$API_PORT" \
    --tls-cert-file "$p/apiserver.crt" --tls-private-key-file "$p/apiserver.key" --client-ca-file "$p/ca.crt" \
    --service-account-key-file "$p/sa.pub" --service-account-signing-key-file "$p/sa.key" \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-cluster-ip-range "$SERVICE_CIDR" --authorization-mode Node,RBAC --allow-privileged=true \
    --kubelet-client-certificate "$p/admin.crt" --kubelet-client-key "$p/admin.key" \
    --kubelet-preferred-address-types InternalIP --endpoint-reconciler-type none \
    --enable-priority-and-fairness=false --profiling=false --v=1
  wait_for kube-apiserver 90 curl -fsS --cacert "$p/ca.crt" --cert "$p/admin.crt" --key "$p/admin.key" "https://127.0.0.1:$API_PORT/readyz" ||
    fail_component kube-apiserver

  log "starting kube-controller-manager and kube-scheduler"
  start kube-controller-manager "$BIN/kube-controller-manager" --kubeconfig "$KUBECONFIG_PATH" \
    --authentication-kubeconfig "$KUBECONFIG_PATH" --authorization-kubeconfig "$KUBECONFIG_PATH" \
    --bind-address 127.0.0.1 --secure-port "$KCM_PORT" --leader-elect=false \
    --service-account-private-key-file "$p/sa.key" --root-ca-file "$p/ca.crt" \
    --service-cluster-ip-range "$SERVICE_CIDR" --use-service-account-credentials=false \
    --profiling=false --v=1
  # A pod the scheduler parks as unschedulable (its claim not bound yet) is retried at the latest
  # after --pod-max-in-unschedulable-pods-duration, 5 minutes by default: should the event that
  # requeues it be missed, a test waits those 5 minutes (the shape of an intermittent e2e timeout
  # at 300 s). 10 s here.
  start kube-scheduler "$BIN/kube-scheduler" --kubeconfig "$KUBECONFIG_PATH" \
    --authentication-kubeconfig "$KUBECONFIG_PATH" --authorization-kubeconfig "$KUBECONFIG_PATH" \
    --bind-address 127.0.0.1 --secure-port "$SCHED_PORT" --leader-elect=false --profiling=false --v=1 \
    --pod-max-in-unschedulable-pods-duration 10s
  wait_for kube-controller-manager 60 curl -fsSk "https://127.0.0.1:$KCM_PORT/healthz" || fail_component kube-controller-manager
  wait_for kube-scheduler 60 curl -fsSk "https://127.0.0.1:$SCHED_PORT/healthz" || fail_component kube-scheduler

  apply_base_objects
  log "starting kwok ($NODES fake nodes, kubelet endpoint 127.0.0.1:$KWOK_PORT)"
  start kwok "$BIN/kwok" --kubeconfig "$KUBECONFIG_PATH" --config "$STATE/kwok.yaml" --v=INFO
  wait_for kwok 60 bash -c "[[ \$('$BIN/kubectl' --kubeconfig '$KUBECONFIG_PATH' get nodes -l type=kwok --no-headers 2>/dev/null | grep -cw Ready) -eq $NODES ]]" ||
    fail_component kwok

  log "starting the pod runner"
  start pod-runner node "$ROOT/scripts/pod-runner.mjs" --kubeconfig "$KUBECONFIG_PATH" --state "$STATE" \
    --router-ns "$ROUTER_NS" --gateway "$ROUTER_IP" --prefix-length 24
  wait_for pod-runner 30 test -f "$STATE/pod-runner.ready" || fail_component pod-runner
  # The namespace "default" needs its service account before pods can be created.
  wait_for kube-controller-manager 60 "$BIN/kubectl" --kubeconfig "$KUBECONFIG_PATH" get serviceaccount default -n default ||
    fail_component kube-controller-manager
  log "up in $((SECONDS - t0))s; KUBECONFIG=$KUBECONFIG_PATH"
}

kill_pid() { # kill_pid <pid> : TERM, wait up to 10 s, then KILL
  local pid="$1" i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 40; i++)); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.25; done
  kill -KILL "$pid" 2>/dev/null || true
}

cmd_down() {
  [[ $EUID -eq 0 ]] || die "needs root"
  local c ns pid
  # The pod runner first (it stops the pods it runs and removes their namespaces), then the
  # components all at once; anything left in their sessions (setsid made each a leader) goes too.
  local pids=() members=""
  for c in "${COMPONENTS[@]}"; do   # everything in the components' sessions, while they live
    pid="$(pid_of "$c")"
    [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && members+=" $(pgrep -s "$pid" | tr '\n' ' ')"
  done
  pid="$(pid_of pod-runner)"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && kill_pid "$pid"
  for c in kwok kube-scheduler kube-controller-manager kube-apiserver etcd; do
    pid="$(pid_of "$c")"
    [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && kill -TERM "$pid" 2>/dev/null && pids+=("$pid")
  done
  for pid in "${pids[@]}"; do kill_pid "$pid"; done
  for pid in $members; do kill -KILL "$pid" 2>/dev/null || true; done
  # Whatever still runs inside a pod namespace (e.g. if the runner was killed) goes too.
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep '^pvk-' || true); do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
  done
  sleep 0.2
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep '^pvk-' || true); do ip netns del "$ns" 2>/dev/null || true; done
  ip route del "$ROUTED_CIDR" 2>/dev/null || true
  ip link del pvk-host 2>/dev/null || true
  # Mount points the runner had to create on the host for pod volumes (empty outside the pods).
  if [[ -f "$STATE/created-mountpoints" ]]; then
    sort -r -u "$STATE/created-mountpoints" | while read -r d; do [[ -n "$d" ]] && rmdir "$d" 2>/dev/null || true; done
  fi
  if [[ -f "$STATE/created-run-netns" ]] && [[ -d /run/netns ]] && [[ -z "$(ls -A /run/netns)" ]]; then
    umount /run/netns 2>/dev/null || true
    rmdir /run/netns 2>/dev/null || true
  fi
  # Any mount left under the state dir (none expected: pod mounts live in private namespaces).
  if [[ -d "$STATE" ]]; then
    { findmnt -rn -o TARGET | grep -F "$STATE" || true; } | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
    rm -rf "$STATE"
  fi
  cmd_check_clean >/dev/null || { cmd_check_clean; die "down left something behind"; }
  log "down: nothing left"
}

cmd_check_clean() {
  local left=()
  [[ -e "$STATE" ]] && left+=("state dir $STATE")
  local ns; ns="$(ip netns list 2>/dev/null | awk '{print $1}' | grep '^pvk-' | tr '\n' ' ' || true)"
  [[ -n "$ns" ]] && left+=("network namespaces: $ns")
  ip link show pvk-host >/dev/null 2>&1 && left+=("veth pvk-host")
  ip route show "$ROUTED_CIDR" 2>/dev/null | grep -q . && left+=("route $ROUTED_CIDR")
  local procs; procs="$(pgrep -af 'pulumi-valkey-cp|pod-runner\.mjs' | grep -v -e pgrep -e check-clean -e "$$" || true)"
  [[ -n "$procs" ]] && left+=("processes: $procs")
  local mnts; mnts="$(findmnt -rn -o TARGET | grep -F "$STATE" || true)"
  [[ -n "$mnts" ]] && left+=("mounts: $mnts")
  if [[ ${#left[@]} -gt 0 ]]; then printf 'control-plane: left behind: %s\n' "${left[@]}"; return 1; fi
  echo "control-plane: clean"
}

cmd_status() {
  local c
  if [[ ! -d "$STATE" ]]; then echo "control-plane: down"; return 3; fi
  for c in "${COMPONENTS[@]}"; do
    if alive "$c"; then printf '  %-24s running (pid %s)\n' "$c" "$(pid_of "$c")"; else printf '  %-24s NOT running\n' "$c"; fi
  done
  echo "  kubeconfig: $KUBECONFIG_PATH"
  echo "  pod namespaces: $(ip netns list 2>/dev/null | awk '{print $1}' | grep -c '^pvk-[0-9]' || true)"
  local ok=0; for c in "${COMPONENTS[@]}"; do alive "$c" || ok=1; done
  return $ok
}

cmd_env() {
  local bin; bin="$(cat "$STATE/bin" 2>/dev/null || tools_bin)"
  echo "export KUBECONFIG=\"$KUBECONFIG_PATH\""
  echo "export PATH=\"$bin:\$PATH\""
}

cmd_diagnose() {
  [[ -d "$STATE/logs" ]] || { echo "no control plane state in $STATE"; return 0; }
  BIN="$(cat "$STATE/bin" 2>/dev/null || tools_bin)"
  echo "--- pods and volume claims"
  kc get pods,pvc -A -o wide 2>&1 || true
  echo "--- events (oldest first)"
  kc get events -A --sort-by=.lastTimestamp 2>&1 | tail -n 40 || true
  local f
  for f in "$STATE"/logs/*.log; do
    echo "--- last lines of $(basename "$f")"
    tail -n 30 "$f"
  done
}

case "${1:-}" in
  up) cmd_up ;;
  diagnose) cmd_diagnose ;;
  down) cmd_down ;;
  status) cmd_status ;;
  env) cmd_env ;;
  check-clean) cmd_check_clean ;;
  *) sed -n '2,24p' "$0"; exit 2 ;;
esac
