#!/usr/bin/env bash
# The system packages the tests and the local control plane need, installed on a Debian bookworm
# machine when one is missing: valkey-server, valkey-sentinel and valkey-cli 8 from
# bookworm-backports (the pods of the local control plane and the tests' servers are these
# processes), openssl (the tests' certificates), iproute2 and util-linux (the pods' network
# namespaces), jq (scripts/toolchain.sh). Needs root to install; reports what is missing otherwise.
set -euo pipefail

missing=()
for tool in valkey-server valkey-sentinel valkey-cli openssl ip unshare nsenter jq; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "system-deps: missing ${missing[*]}; install valkey 8 (Debian bookworm-backports: valkey-server valkey-tools valkey-sentinel), openssl, iproute2, util-linux and jq, or run this script as root on Debian" >&2
    exit 1
  fi
  if ! grep -rqs bookworm-backports /etc/apt/sources.list /etc/apt/sources.list.d/; then
    cat > /etc/apt/sources.list.d/bookworm-backports.sources <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  fi
  echo "system-deps: installing for ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -t bookworm-backports \
    valkey-server valkey-tools valkey-sentinel >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl iproute2 util-linux jq >/dev/null
  # The Debian package starts a system valkey on 6379; the tests and the pods start their own.
  systemctl stop valkey-server 2>/dev/null || service valkey-server stop 2>/dev/null || true
fi
