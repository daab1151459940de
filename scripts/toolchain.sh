#!/usr/bin/env bash
# Builds the Pulumi CLI, its Node language host, the kubernetes/random/tls resource plugins and a
# Kubernetes control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubectl,
# kwok) from Go modules, into a versioned cache outside the repository:
#
#   ${PULUMI_VALKEY_TOOLS:-$HOME/.cache/pulumi-valkey-tools}/v2/
#     bin/          every binary (put it on PATH)
#     pulumi-home/  PULUMI_HOME with the resource plugins installed
#     stamps/       one stamp per built component: its key (the versions it was built for) on the
#                   first line, where it came from on the second; a component whose key changed is
#                   rebuilt, the others are kept
#     logs/         one build log per component
#     work/         generated wrapper Go modules (never committed anywhere)
#
# Usage: scripts/toolchain.sh [--check] [--only a,b,...] [--print-dir] [--print-env] [--list]
#   (no flag)    build every missing component, print a summary with times
#   --check      exit 0 only if every (or every --only) component is present; build nothing
#   --only       restrict to the named components (see --list)
#   --print-dir  print the cache directory for the current pins and exit
#   --print-env  print `export` lines (PATH, PULUMI_HOME, offline Pulumi settings) and exit
#   --sources    print each component's version and where it came from (real, ours, ...) and exit
#
# Versions: Pulumi and plugin versions come from node_modules/@pulumi/*/package.json (the
# `version` field of @pulumi/pulumi, `pulumi.version` of each provider package): the CLI asks for
# exactly those plugin versions. Without node_modules the pins in package.json are used.
#
# Some modules are only published at commits (pseudo-versions). If the module proxy in use does not
# serve one, the component fails with a clear message; a local copy of the module's source tree can
# then be given with PULUMI_VALKEY_SRC_<COMPONENT> (see source_override below), which the wrapper
# module uses through a `replace` directive. PULUMI_VALKEY_GO_REPLACE="mod=dir mod2=dir2 ..." adds
# replace directives to every wrapper module (for dependencies the proxy does not serve either).
# Both are recorded in the component's stamp.
#
# random and tls plugins: the real one when it is installed (PULUMI_VALKEY_REAL_PLUGINS, default
# ~/.pulumi/plugins, holds resource-<name>-v<version>/) or can be built (the module proxy serves it,
# or PULUMI_VALKEY_SRC_RANDOM_PROVIDER / _TLS_PROVIDER gives its source); otherwise ours, built from
# plugins/ in this repository (docs/toolchain.md, "Our random and tls plugins").
# PULUMI_VALKEY_PLUGINS=ours skips the real ones; =real fails rather than fall back to ours.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS_ROOT="${PULUMI_VALKEY_TOOLS:-$HOME/.cache/pulumi-valkey-tools}"

# ---------------------------------------------------------------------------------------------
# Pinned versions and the source commits they were built from (see docs/toolchain.md).
KUBE_VERSION=1.34.2          # k8s.io/kubernetes; staging modules at v0.34.2
ETCD_VERSION=3.6.6           # go.etcd.io/etcd/server/v3
KWOK_VERSION=0.8.0           # sigs.k8s.io/kwok
# The Node language host: the newest version the module proxy here serves with a complete graph
# (docs/toolchain.md). It runs programs on the pinned @pulumi/pulumi (3.248.0), dynamic providers
# included: the host starts `node @pulumi/pulumi/cmd/run` from the program's own node_modules.
LANGHOST_VERSION="${PULUMI_VALKEY_LANGHOST_VERSION:-3.184.0}"
# Pseudo-versions (module path has no tag of its own; computed from the release commit and its
# committer time in UTC).
LANGHOST_MODULE=github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3
LANGHOST_PSEUDO_3_184_0=v3.0.0-20250718110245-a8f88047ab64              # tag v3.184.0 (served)
LANGHOST_PSEUDO_3_248_0=v3.0.0-20260624120734-a88168d865b7              # tag v3.248.0 (not served here)
K8S_PROVIDER_MODULE=github.com/pulumi/pulumi-kubernetes/provider/v4
K8S_PROVIDER_PSEUDO_4_25_0=v4.0.0-20260115033456-f47bc2d6f199           # tag v4.25.0 (served)
K8S_PROVIDER_PSEUDO_4_32_0=v4.0.0-20260608201737-a03ff6ba58d2           # tag v4.32.0 (not served here)
RANDOM_PROVIDER_MODULE=github.com/pulumi/pulumi-random/provider/v4
RANDOM_PROVIDER_PSEUDO_4_21_1=v4.0.0-20260722185042-f2d8b029d0f7        # tag v4.21.1
TLS_PROVIDER_MODULE=github.com/pulumi/pulumi-tls/provider/v5
TLS_PROVIDER_PSEUDO_5_5_1=v5.0.0-20260722185624-c3b9a61e7075            # tag v5.5.1
TF_PLUGIN_SDK_REPLACE="github.com/hashicorp/terraform-plugin-sdk/v2=github.com/pulumi/terraform-plugin-sdk/v2@v2.0.0-20260318212141-5525259d096b"
CLIPBOARD_REPLACE="github.com/atotto/clipboard=github.com/tgummerer/clipboard@v0.0.0-20241001131231-d02d263e614e"

ALL_COMPONENTS=(etcd kwok kube pulumi language-nodejs plugin-kubernetes plugin-random plugin-tls)

die() { echo "toolchain: ERROR: $*" >&2; exit 1; }
log() { printf '[toolchain %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
set_source() { echo "$*" >"$STAMP_SOURCE"; } # where the component being built came from

npm_field() { # npm_field <package dir name> <jq filter> <fallback dependency name>
  local pj="$ROOT/node_modules/@pulumi/$1/package.json" v=""
  if [[ -f "$pj" ]]; then v="$(jq -r "$2 // empty" "$pj")"; fi
  if [[ -z "$v" ]]; then
    v="$(jq -r --arg d "$3" '.dependencies[$d] // .devDependencies[$d] // empty' "$ROOT/package.json")"
    v="${v#^}"; v="${v#~}"; v="${v#=}"
  fi
  [[ "$v" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "cannot read an exact version for @pulumi/$1 (got '$v'); pin it in package.json or run npm ci"
  echo "$v"
}

command -v jq >/dev/null || die "jq is required (apt-get install jq)"
PULUMI_VERSION="$(npm_field pulumi '.version' @pulumi/pulumi)"
K8S_PLUGIN_VERSION="$(npm_field kubernetes '.pulumi.version' @pulumi/kubernetes)"
RANDOM_PLUGIN_VERSION="$(npm_field random '.pulumi.version' @pulumi/random)"
TLS_PLUGIN_VERSION="$(npm_field tls '.pulumi.version' @pulumi/tls)"

DIR="$TOOLS_ROOT/v2"
BIN="$DIR/bin"
PHOME="$DIR/pulumi-home"
STAMPS="$DIR/stamps"
LOGS="$DIR/logs"
WORK="$DIR/work"

pseudo_for() { # pseudo_for <VAR_PREFIX> <version>  -> value of e.g. K8S_PROVIDER_PSEUDO_4_32_0
  local var="${1}_PSEUDO_${2//./_}"
  [[ -n "${!var:-}" ]] || die "no known source commit for $1 $2: add ${var}=<pseudo-version> to scripts/toolchain.sh (docs/toolchain.md tells how)"
  echo "${!var}"
}

# Files that prove a component is present.
outputs_of() {
  case "$1" in
    etcd) echo "$BIN/etcd" ;;
    kwok) echo "$BIN/kwok" ;;
    kube) echo "$BIN/kube-apiserver $BIN/kube-controller-manager $BIN/kube-scheduler $BIN/kubectl" ;;
    pulumi) echo "$BIN/pulumi $BIN/pulumi-resource-pulumi-nodejs" ;;
    language-nodejs) echo "$BIN/pulumi-language-nodejs" ;;
    plugin-kubernetes) echo "$PHOME/plugins/resource-kubernetes-v$K8S_PLUGIN_VERSION/pulumi-resource-kubernetes" ;;
    plugin-random) echo "$PHOME/plugins/resource-random-v$RANDOM_PLUGIN_VERSION/pulumi-resource-random" ;;
    plugin-tls) echo "$PHOME/plugins/resource-tls-v$TLS_PLUGIN_VERSION/pulumi-resource-tls" ;;
    *) die "unknown component '$1' (known: ${ALL_COMPONENTS[*]})" ;;
  esac
}

# What a component is built for: its stamp's first line. A changed key rebuilds that component only.
key_of() {
  case "$1" in
    etcd) echo "etcd $ETCD_VERSION" ;;
    kwok) echo "kwok $KWOK_VERSION" ;;
    kube) echo "kube $KUBE_VERSION" ;;
    pulumi) echo "pulumi $PULUMI_VERSION" ;;
    language-nodejs) echo "language-nodejs $LANGHOST_VERSION" ;;
    plugin-kubernetes) echo "kubernetes $K8S_PLUGIN_VERSION" ;;
    plugin-random) echo "random $RANDOM_PLUGIN_VERSION" ;;
    plugin-tls) echo "tls $TLS_PLUGIN_VERSION" ;;
  esac
}

# Our plugins' sources (plugins/), hashed: a stamp "source: ours <hash>" is stale when they change.
ours_hash() {
  (cd "$ROOT" && find plugins -type f \( -name '*.go' -o -name go.mod -o -name go.sum \) -print0 | sort -z |
    xargs -0 sha256sum | sha256sum | cut -c1-16)
}

present() {
  [[ -f "$STAMPS/$1" ]] || return 1
  [[ "$(sed -n 1p "$STAMPS/$1")" == "key: $(key_of "$1")" ]] || return 1
  local src; src="$(sed -n 2p "$STAMPS/$1")"
  if [[ "$src" == "source: ours "* && "$src" != "source: ours $(ours_hash)" ]]; then return 1; fi
  local f; for f in $(outputs_of "$1"); do [[ -x "$f" ]] || return 1; done
}

# "source: ..." line of a component's stamp: real from the module proxy, from a local source
# tree, installed, or ours.
source_of() { [[ -f "$STAMPS/$1" ]] && sed -n '2s/^source: //p' "$STAMPS/$1"; }

print_env() {
  cat <<EOF
export PATH="$BIN:\$PATH"
export PULUMI_HOME="$PHOME"
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
export PULUMI_VALKEY_TOOLCHAIN_DIR="$DIR"
EOF
}

# ---------------------------------------------------------------------------------------------
# Go environment: local toolchain only, static binaries, reproducible paths, low priority.
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS="-mod=mod -buildvcs=false"
# The checksum database reachable here does not know every published version (it answered 404
# for github.com/pulumi/pulumi/pkg/v3@v3.248.0); such modules are still verified against the
# go.sum written into each wrapper module on first download.
export GONOSUMDB="${GONOSUMDB:+$GONOSUMDB,}github.com/pulumi/pulumi/pkg,github.com/pulumi/pulumi/sdk/nodejs,github.com/pulumi/pulumi-kubernetes/provider,github.com/pulumi/pulumi-kubernetes/sdk,github.com/pulumi/pulumi-random/provider,github.com/pulumi/pulumi-tls/provider"
NICE=(nice -n 19)
GOBUILD=(go build -trimpath)

run() { # run <logfile> cmd...   (appends output to the component log; the tail is shown on failure)
  local logf="$1"; shift
  echo "+ $*" >>"$logf"
  "${NICE[@]}" "$@" >>"$logf" 2>&1
}

moddir() { # moddir <wrapper dir> <module path> -> directory of the module source used by the build
  (cd "$1" && go list -m -f '{{if .Replace}}{{if .Replace.Dir}}{{.Replace.Dir}}{{else}}{{.Dir}}{{end}}{{else}}{{.Dir}}{{end}}' "$2")
}

new_wrapper() { # new_wrapper <name> -> prints a fresh wrapper module dir
  local w="$WORK/$1"
  rm -rf "$w"; mkdir -p "$w"
  (cd "$w" && go mod init "pulumivalkey.local/toolchain/$1" >/dev/null 2>&1)
  local r
  for r in ${PULUMI_VALKEY_GO_REPLACE:-}; do
    (cd "$w" && go mod edit -replace="$r")
    [[ -n "${STAMP_NOTE:-}" ]] && echo "replace $r (PULUMI_VALKEY_GO_REPLACE)" >>"$STAMP_NOTE"
  done
  echo "$w"
}

# A local source tree for a module the proxy does not serve: PULUMI_VALKEY_SRC_<NAME>=<dir>
# (NAME: LANGUAGE_NODEJS, KUBERNETES_PROVIDER, RANDOM_PROVIDER, TLS_PROVIDER), the directory holding
# that module's go.mod. Recorded in the component's stamp.
source_override() { local v="PULUMI_VALKEY_SRC_$1"; echo "${!v:-}"; }

require_module() { # require_module <wrapper> <logfile> <module> <version> <SRC_NAME>
  local w="$1" logf="$2" mod="$3" ver="$4" src; src="$(source_override "$5")"
  if [[ -n "$src" ]]; then
    [[ -f "$src/go.mod" ]] || die "PULUMI_VALKEY_SRC_$5=$src has no go.mod"
    [[ "$(head -1 "$src/go.mod")" == "module $mod" ]] || die "PULUMI_VALKEY_SRC_$5=$src is not module $mod"
    echo "$mod local source $src" >>"$STAMP_NOTE"
    set_source "local source $src"
    (cd "$w" && go mod edit -require="$mod@$ver" -replace="$mod=$src")
  else
    if ! run "$logf" bash -c "cd '$w' && go mod download -json '$mod@$ver'"; then
      if grep -q 'not available\|403 Forbidden\|unknown revision\|invalid version' "$logf"; then
        die "the Go module proxy ($(go env GOPROXY)) does not serve $mod@$ver (the release commit of this plugin/host). Give a local copy of that module's source with PULUMI_VALKEY_SRC_$5=<dir with its go.mod>, or see docs/toolchain.md"
      fi
      return 1
    fi
    echo "$mod $ver from the module proxy" >>"$STAMP_NOTE"
    (cd "$w" && go mod edit -require="$mod@$ver")
  fi
}

copy_replaces_from() { # copy module-to-module replaces (not ./local ones) of a dependency's go.mod
  local w="$1" gomod="$2"
  (cd "$(dirname "$gomod")" && go mod edit -json "$gomod") |
    jq -r '.Replace[]? | select(.New.Version != null) | "\(.Old.Path)=\(.New.Path)@\(.New.Version)"' |
    while read -r r; do (cd "$w" && go mod edit -replace="$r"); done
}

# --- components --------------------------------------------------------------------------------
build_etcd() {
  local logf="$1" w; w="$(new_wrapper etcd)"
  cat >"$w/main.go" <<'EOF'
// Generated by scripts/toolchain.sh: the etcd server binary (what etcd's own main.go does).
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
EOF
  (cd "$w" && go mod edit -require="go.etcd.io/etcd/server/v3@v$ETCD_VERSION")
  run "$logf" bash -c "cd '$w' && go mod tidy"
  run "$logf" bash -c "cd '$w' && ${GOBUILD[*]} -ldflags '-s -w' -o '$BIN/etcd' ."
  echo "etcd v$ETCD_VERSION (go.etcd.io/etcd/server/v3 etcdmain)" >>"$STAMP_NOTE"
}

build_kwok() {
  local logf="$1" w; w="$(new_wrapper kwok)"
  cat >"$w/tools.go" <<'EOF'
//go:build tools

package tools

import _ "sigs.k8s.io/kwok/cmd/kwok"
EOF
  (cd "$w" && go mod edit -require="sigs.k8s.io/kwok@v$KWOK_VERSION")
  run "$logf" bash -c "cd '$w' && go mod tidy -e && go mod download sigs.k8s.io/kwok"
  # kwok's own go.mod has no replace directives: its versions are taken as they are.
  run "$logf" bash -c "cd '$w' && ${GOBUILD[*]} -tags tools -ldflags '-s -w' -o '$BIN/kwok' sigs.k8s.io/kwok/cmd/kwok"
  # kwok's Stage definitions (node and pod lifecycles) for the control plane's --config.
  mkdir -p "$DIR/share/kwok"
  local src; src="$(moddir "$w" sigs.k8s.io/kwok)"
  cp -r "$src/kustomize/stage" "$DIR/share/kwok/"
  mkdir -p "$DIR/share/kwok/crd" && cp "$src"/kustomize/crd/bases/*.yaml "$DIR/share/kwok/crd/"
  chmod -R u+w "$DIR/share/kwok"
  echo "kwok v$KWOK_VERSION" >>"$STAMP_NOTE"
}

build_kube() {
  local logf="$1" w; w="$(new_wrapper kube)"
  (cd "$w" && go mod edit -require="k8s.io/kubernetes@v$KUBE_VERSION")
  run "$logf" bash -c "cd '$w' && go mod download -json k8s.io/kubernetes@v$KUBE_VERSION"
  local kdir; kdir="$(go mod download -json "k8s.io/kubernetes@v$KUBE_VERSION" | jq -r .Dir)"
  # k8s.io/kubernetes replaces its staging modules with ./staging/...: use their published
  # v0.x.y releases instead, and keep its godebug settings.
  local minor="${KUBE_VERSION#*.}"
  (cd "$kdir" && go mod edit -json) | jq -r '.Replace[] | select(.New.Path | startswith("./staging/")) | .Old.Path' |
    while read -r m; do (cd "$w" && go mod edit -replace="$m=$m@v0.$minor" -require="$m@v0.$minor"); done
  (cd "$kdir" && go mod edit -json) | jq -r '.Godebug[]? | "\(.Key)=\(.Value)"' |
    while read -r g; do (cd "$w" && go mod edit -godebug="$g"); done
  cat >"$w/tools.go" <<'EOF'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
EOF
  run "$logf" bash -c "cd '$w' && go mod tidy"
  local ld="-s -w -X k8s.io/component-base/version.gitVersion=v$KUBE_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=${minor%%.*} -X k8s.io/client-go/pkg/version.gitVersion=v$KUBE_VERSION"
  run "$logf" bash -c "cd '$w' && ${GOBUILD[*]} -ldflags '$ld' -o '$BIN/' k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl"
  echo "k8s.io/kubernetes v$KUBE_VERSION (staging modules v0.$minor)" >>"$STAMP_NOTE"
}

pulumi_wrapper_base() { # pulumi_wrapper_base <wrapper> <pulumi pkg/sdk version>
  local w="$1" v="$2"
  (cd "$w" && go mod edit -require="github.com/pulumi/pulumi/pkg/v3@v$v" \
    -require="github.com/pulumi/pulumi/sdk/v3@v$v" -replace="$CLIPBOARD_REPLACE")
}

build_pulumi() {
  local logf="$1" w; w="$(new_wrapper pulumi)"
  pulumi_wrapper_base "$w" "$PULUMI_VERSION"
  cat >"$w/tools.go" <<'EOF'
//go:build tools

package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
EOF
  run "$logf" bash -c "cd '$w' && go mod tidy"
  run "$logf" bash -c "cd '$w' && ${GOBUILD[*]} -tags osusergo,grpcnotrace -ldflags '-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION' -o '$BIN/pulumi' github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
  local sdk; sdk="$(moddir "$w" github.com/pulumi/pulumi/sdk/v3)"
  install -m 755 "$sdk/nodejs/dist/pulumi-resource-pulumi-nodejs" "$BIN/pulumi-resource-pulumi-nodejs"
  echo "pulumi CLI v$PULUMI_VERSION (pkg/v3, sdk/v3 v$PULUMI_VERSION) + pulumi-resource-pulumi-nodejs shim" >>"$STAMP_NOTE"
}

build_language_nodejs() {
  local logf="$1" w; w="$(new_wrapper language-nodejs)"
  # The host is built with its own pkg/sdk release (3.184.0 does not compile against 3.248.0).
  pulumi_wrapper_base "$w" "$LANGHOST_VERSION"
  require_module "$w" "$logf" "$LANGHOST_MODULE" "$(pseudo_for LANGHOST "$LANGHOST_VERSION")" LANGUAGE_NODEJS
  cat >"$w/tools.go" <<EOF
//go:build tools

package tools

import _ "$LANGHOST_MODULE"
EOF
  run "$logf" bash -c "cd '$w' && go mod tidy"
  run "$logf" bash -c "cd '$w' && ${GOBUILD[*]} -tags osusergo,grpcnotrace -ldflags '-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$LANGHOST_VERSION' -o '$BIN/pulumi-language-nodejs' $LANGHOST_MODULE"
}

install_plugin() { # install_plugin <name> <version> <binary>
  local d="$PHOME/plugins/resource-$1-v$2"
  rm -rf "$d" "$d.lock" "$d.partial"; mkdir -p "$d"
  install -m 755 "$3" "$d/pulumi-resource-$1"
  rm -f "$3"
}

build_plugin_kubernetes() {
  local logf="$1" w ver="$K8S_PLUGIN_VERSION"; w="$(new_wrapper plugin-kubernetes)"
  require_module "$w" "$logf" "$K8S_PROVIDER_MODULE" "$(pseudo_for K8S_PROVIDER "$ver")" KUBERNETES_PROVIDER
  (cd "$w" && go mod edit -require="github.com/pulumi/pulumi-kubernetes/sdk/v4@v$ver")
  local src; src="$(moddir "$w" "$K8S_PROVIDER_MODULE")"
  copy_replaces_from "$w" "$src/go.mod"
  # Its own pulumi pkg/sdk versions (v3.215.0 for 4.25.0) are kept: later pkg releases changed
  # codegen/schema types the provider uses.
  (cd "$w" && go mod edit -replace="$CLIPBOARD_REPLACE")
  local c="$src/cmd/pulumi-resource-kubernetes" m="$w/cmd/pulumi-resource-kubernetes"
  mkdir -p "$m"
  cp "$c/main.go" "$m/"
  [[ -f "$c/helm-mapping.json" ]] && cp "$c/helm-mapping.json" "$m/" # 4.32.0 embeds it; 4.25.0 has none
  if [[ -f "$c/schema.json" ]]; then
    jq -c --arg v "$ver" '.version=$v' "$c/schema.json" >"$m/schema-embed.json"
  else
    # Only a local source tree can lack it (the module zip has it). The provider reads its schema
    # only for `pulumi import`/read-from-cluster and GetSchema: create/update/delete work without.
    echo "WARNING: $c/schema.json missing: embedding a minimal schema (import/GetSchema unsupported)" | tee -a "$logf" >>"$STAMP_NOTE"
    jq -nc --arg v "$ver" '{name: "kubernetes", version: $v}' >"$m/schema-embed.json"
  fi
  jq -c . "$c/terraform-mapping.json" >"$m/terraform-mapping-embed.json"
  chmod -R u+w "$m"
  run "$logf" bash -c "cd '$w' && go mod tidy"
  run "$logf" bash -c "cd '$w' && ${GOBUILD[*]} -ldflags '-s -w -X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$ver' -o '$w/pulumi-resource-kubernetes' ./cmd/pulumi-resource-kubernetes"
  install_plugin kubernetes "$ver" "$w/pulumi-resource-kubernetes"
}

build_bridged_plugin() { # random|tls
  local logf="$1" name="$2" ver module prefix srcname upstream_shim
  case "$name" in
    random) ver="$RANDOM_PLUGIN_VERSION"; module="$RANDOM_PROVIDER_MODULE"; prefix=RANDOM_PROVIDER
            upstream_shim=github.com/terraform-providers/terraform-provider-random ;;
    tls) ver="$TLS_PLUGIN_VERSION"; module="$TLS_PROVIDER_MODULE"; prefix=TLS_PROVIDER
            upstream_shim=github.com/hashicorp/terraform-provider-tls ;;
  esac
  srcname="$prefix"
  local w; w="$(new_wrapper "plugin-$name")"
  require_module "$w" "$logf" "$module" "$(pseudo_for "$prefix" "$ver")" "$srcname"
  (cd "$w" && go mod edit -replace="$TF_PLUGIN_SDK_REPLACE")
  local src; src="$(moddir "$w" "$module")"
  copy_replaces_from "$w" "$src/go.mod"
  # The provider replaces <upstream>/shim with its own ./shim, which is not in the module zip:
  # generate an equivalent one (one function returning the upstream provider).
  local shim="$w/shim"
  mkdir -p "$shim"
  if [[ -f "$src/shim/shim.go" ]]; then
    cp "$src/shim/shim.go" "$src/shim/go.mod" "$shim/"; chmod u+w "$shim"/*
  else
    local upver; upver="$(cd "$src" && go mod edit -json | jq -r --arg m "$upstream_shim" '.Require[] | select(.Path==$m) | .Version')"
    [[ -n "$upver" ]] || die "cannot find $upstream_shim in $module's go.mod"
    cat >"$shim/go.mod" <<EOF
module $upstream_shim/shim

go 1.25

require $upstream_shim $upver
EOF
    cat >"$shim/shim.go" <<EOF
// Generated by scripts/toolchain.sh: stands in for the provider repository's local shim module.
package shim

import (
	tfpf "github.com/hashicorp/terraform-plugin-framework/provider"
	upstream "$upstream_shim/internal/provider"
)

func NewProvider() tfpf.Provider { return upstream.New() }
EOF
  fi
  (cd "$w" && go mod edit -replace="$upstream_shim/shim=./shim")
  local c="$src/cmd/pulumi-resource-$name" m="$w/cmd/pulumi-resource-$name"
  mkdir -p "$m"
  cp "$c/main.go" "$c/bridge-metadata.json" "$m/"
  jq -c --arg v "$ver" '.version=$v' "$c/schema.json" >"$m/schema-embed.json"
  chmod -R u+w "$m"
  run "$logf" bash -c "cd '$w' && go mod tidy"
  run "$logf" bash -c "cd '$w' && ${GOBUILD[*]} -ldflags '-s -w -X $module/pkg/version.Version=$ver' -o '$w/pulumi-resource-$name' ./cmd/pulumi-resource-$name"
  install_plugin "$name" "$ver" "$w/pulumi-resource-$name"
}

# The real random/tls plugin when one is installed or can be built, ours otherwise (see the top).
build_random_or_tls() { # build_random_or_tls <logfile> random|tls
  local logf="$1" name="$2" ver mode="${PULUMI_VALKEY_PLUGINS:-auto}"
  case "$name" in random) ver="$RANDOM_PLUGIN_VERSION" ;; tls) ver="$TLS_PLUGIN_VERSION" ;; esac
  case "$mode" in auto|real|ours) ;; *) die "PULUMI_VALKEY_PLUGINS must be auto, real or ours (got '$mode')" ;; esac
  if [[ "$mode" != ours ]]; then
    local installed="${PULUMI_VALKEY_REAL_PLUGINS:-$HOME/.pulumi/plugins}/resource-$name-v$ver/pulumi-resource-$name"
    if [[ -x "$installed" ]]; then
      local tmp; tmp="$(mktemp)"; cp "$installed" "$tmp"
      install_plugin "$name" "$ver" "$tmp"
      echo "real pulumi-resource-$name v$ver copied from $installed" >>"$STAMP_NOTE"
      set_source "real (installed: $installed)"
      return 0
    fi
    local rc
    set +e; ( set -e; build_bridged_plugin "$logf" "$name" ); rc=$?; set -e
    if [[ $rc -eq 0 ]]; then
      [[ -s "$STAMP_SOURCE" ]] || set_source "real (module proxy)"
      return 0
    fi
    [[ "$mode" == real ]] && die "the real $name plugin v$ver cannot be built here (PULUMI_VALKEY_PLUGINS=real)"
    echo "real pulumi-resource-$name v$ver cannot be built here (log above); building ours from plugins/" | tee -a "$logf" >>"$STAMP_NOTE"
    log "plugin-$name: the real plugin cannot be built from this module proxy; building ours (plugins/)"
  fi
  local out="$WORK/pulumi-resource-$name"
  run "$logf" bash -c "cd '$ROOT/plugins' && ${GOBUILD[*]} -ldflags '-s -w -X main.version=$ver' -o '$out' ./cmd/pulumi-resource-$name"
  install_plugin "$name" "$ver" "$out"
  echo "ours: pulumi-resource-$name v$ver built from plugins/ (sources $(ours_hash))" >>"$STAMP_NOTE"
  set_source "ours $(ours_hash)"
}

build_component() {
  case "$1" in
    etcd) build_etcd "$2" ;;
    kwok) build_kwok "$2" ;;
    kube) build_kube "$2" ;;
    pulumi) build_pulumi "$2" ;;
    language-nodejs) build_language_nodejs "$2" ;;
    plugin-kubernetes) build_plugin_kubernetes "$2" ;;
    plugin-random) build_random_or_tls "$2" random ;;
    plugin-tls) build_random_or_tls "$2" tls ;;
  esac
}

# ---------------------------------------------------------------------------------------------
MODE=build
COMPONENTS=("${ALL_COMPONENTS[@]}")
while [[ $# -gt 0 ]]; do
  case "$1" in
    --check) MODE=check ;;
    --print-dir) echo "$DIR"; exit 0 ;;
    --print-env) print_env; exit 0 ;;
    --list) printf '%s\n' "${ALL_COMPONENTS[@]}"; exit 0 ;;
    --sources) MODE=sources ;;
    --only) shift; IFS=, read -r -a COMPONENTS <<<"${1:-}"; for c in "${COMPONENTS[@]}"; do outputs_of "$c" >/dev/null; done ;;
    -h|--help) sed -n '2,28p' "$0"; exit 0 ;;
    *) die "unknown argument '$1' (try --help)" ;;
  esac
  shift
done

if [[ "$MODE" == sources ]]; then
  for c in "${COMPONENTS[@]}"; do
    if present "$c"; then printf '  %-18s %s, %s\n' "$c" "$(key_of "$c")" "$(source_of "$c")"; else printf '  %-18s %s, MISSING\n' "$c" "$(key_of "$c")"; fi
  done
  exit 0
fi

if [[ "$MODE" == check ]]; then
  missing=()
  for c in "${COMPONENTS[@]}"; do present "$c" || missing+=("$c"); done
  if [[ ${#missing[@]} -eq 0 ]]; then echo "toolchain: complete in $DIR"; exit 0; fi
  echo "toolchain: missing in $DIR: ${missing[*]}" >&2
  exit 1
fi

command -v go >/dev/null || die "go is required (Go 1.26 or newer)"
mkdir -p "$BIN" "$PHOME/plugins" "$STAMPS" "$LOGS" "$WORK"
exec 9>"$DIR/.lock"
flock -n 9 || { log "another toolchain build holds $DIR/.lock; waiting"; flock 9; }

log "cache: $DIR"
log "go: $(go version | cut -d' ' -f3), GOPROXY=$(go env GOPROXY), GOMODCACHE=$(go env GOMODCACHE)"
TOTAL_START=$SECONDS
declare -A RESULT TIME
failed=()
for c in "${COMPONENTS[@]}"; do
  if present "$c"; then RESULT[$c]=cached; TIME[$c]=0; log "$c: present ($(key_of "$c"), $(source_of "$c"))"; continue; fi
  logf="$LOGS/$c.log"; : >"$logf"
  STAMP_NOTE="$(mktemp)"; STAMP_SOURCE="$(mktemp)"
  log "$c: building (log: $logf)"
  start=$SECONDS
  set +e; ( set -e; build_component "$c" "$logf" ); rc=$?; set -e
  if [[ $rc -eq 0 ]]; then
    TIME[$c]=$((SECONDS - start)); RESULT[$c]=built
    { echo "key: $(key_of "$c")"; echo "source: $(cat "$STAMP_SOURCE" 2>/dev/null | grep . || echo "module proxy")"
      echo "built $(date -u +%Y-%m-%dT%H:%M:%SZ) in ${TIME[$c]}s with $(go version | cut -d' ' -f3)"; cat "$STAMP_NOTE"; } >"$STAMPS/$c"
    log "$c: built in ${TIME[$c]}s"
  else
    TIME[$c]=$((SECONDS - start)); RESULT[$c]=FAILED; failed+=("$c")
    log "$c: FAILED after ${TIME[$c]}s; last lines of $logf:"
    tail -n 15 "$logf" | sed 's/^/    /'
  fi
  rm -f "$STAMP_NOTE" "$STAMP_SOURCE"
done

echo
echo "toolchain summary ($DIR)"
printf '  %-18s %-8s %8s  %s\n' component result seconds "version, source"
for c in "${COMPONENTS[@]}"; do printf '  %-18s %-8s %8s  %s\n' "$c" "${RESULT[$c]}" "${TIME[$c]}" "$(key_of "$c"), $(source_of "$c" || echo -)"; done
printf '  %-18s %-8s %8s\n' total "" "$((SECONDS - TOTAL_START))"
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "toolchain: ERROR: failed: ${failed[*]} (logs in $LOGS)" >&2
  exit 1
fi
echo "toolchain: ready. Use: eval \"\$(scripts/toolchain.sh --print-env)\""
