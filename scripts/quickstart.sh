#!/usr/bin/env bash
# The quickstart: `pulumi up` of Pulumi.yaml (examples/quickstart), then a SET/GET through the
# Kubernetes API to show a connected Valkey.
#   - With KUBECONFIG set (or ~/.kube/config present): against that cluster. The Pulumi CLI on
#     PATH and your usual backend are used.
#   - Otherwise: against the local control plane (scripts/control-plane.sh), with the Pulumi CLI
#     and plugins built by scripts/toolchain.sh and a file backend under .pulumi-state/.
# `scripts/quickstart.sh destroy` removes the stack's resources (and stops a local control plane).
set -euo pipefail
cd "$(dirname "$0")/.."
action=${1:-up}
stack=${QUICKSTART_STACK:-quickstart}

say() { printf '[quickstart] %s\n' "$*"; }
started=$(date +%s)

[ -d node_modules ] || npm ci --no-audit --no-fund
npm run --silent build
# The dynamic provider re-requires this package by name (pulumi-valkey/provider) in the process
# Pulumi starts for it; an installed copy is what users have, a link is what the repository has.
[ -e node_modules/pulumi-valkey ] || ln -s .. node_modules/pulumi-valkey

local_cp=false
if [ -z "${KUBECONFIG:-}" ] && [ ! -f "$HOME/.kube/config" ]; then
  local_cp=true
  say "no kubeconfig configured: using the local control plane"
  scripts/system-deps.sh
  scripts/toolchain.sh --check >/dev/null 2>&1 || scripts/toolchain.sh
  eval "$(scripts/toolchain.sh --print-env)"
  if [ "$action" = up ]; then scripts/control-plane.sh up; fi
  eval "$(scripts/control-plane.sh env)"
  export PULUMI_BACKEND_URL=${PULUMI_BACKEND_URL:-file://$PWD/.pulumi-state}
  export PULUMI_CONFIG_PASSPHRASE=${PULUMI_CONFIG_PASSPHRASE:-quickstart}
  mkdir -p .pulumi-state
fi

if [ "$action" = destroy ]; then
  pulumi destroy --yes --stack "$stack"
  pulumi stack rm --yes --stack "$stack"
  if $local_cp; then scripts/control-plane.sh down; fi
  exit 0
fi

pulumi stack select "$stack" 2>/dev/null || pulumi stack init "$stack"
pulumi up --yes --skip-preview --stack "$stack"
say "pulumi up finished $(( $(date +%s) - started )) s after the start (toolchain and control plane included)"

say "outputs:"
pulumi stack output --stack "$stack"
# serviceHost is a cluster DNS name; from here the pod is reached through the Kubernetes API.
namespace=$(pulumi stack output namespace --stack "$stack" 2>/dev/null || echo valkey-quickstart)
VALKEY_QUICKSTART_PASSWORD=$(pulumi stack output servicePassword --show-secrets --stack "$stack")
export VALKEY_QUICKSTART_PASSWORD
node bin/provider/cli.js status --statefulset quickstart --namespace "$namespace" --pods 1 \
  --mode standalone --password-env VALKEY_QUICKSTART_PASSWORD
node -e '
const { kubernetesTransport } = require("./bin/provider/nodes/kubernetes");
const Valkey = require("iovalkey");
(async () => {
  const transport = kubernetesTransport({ namespace: process.argv[1], statefulSet: "quickstart", replicas: 1 });
  const [pod] = await transport.open();
  const client = new Valkey({ host: pod.dial.host, port: pod.dial.port, password: process.env.VALKEY_QUICKSTART_PASSWORD, lazyConnect: true, maxRetriesPerRequest: 1 });
  await client.connect();
  await client.set("quickstart:greeting", "hello from pulumi-valkey");
  console.log(`[quickstart] connected to ${pod.name}: SET/GET -> ${await client.get("quickstart:greeting")}`);
  client.disconnect();
  await transport.close();
})().catch((e) => { console.error(`[quickstart] connection failed: ${e.message}`); process.exit(1); });
' "$namespace"
say "done; remove it with: scripts/quickstart.sh destroy"
