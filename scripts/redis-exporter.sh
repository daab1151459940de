#!/usr/bin/env bash
# Builds redis_exporter from the Go module proxy into the tools cache (once) and prints its path,
# for the integration tests that run the real exporter against the exporter user's rights
# (tests/integration/exporter-acl.test.ts) and check where its password goes
# (tests/integration/exporter-scrape-target.test.ts). The pods run the image's v1.67.0; the module
# proxy here serves v1.62.0 (v1.63.0 to v1.67.0 answer 403), whose scrape sends the same commands
# with the sidecar's settings and which reads REDIS_PASSWORD_FILE the same way (main.go,
# exporter/redis.go configureOptions are unchanged between the two tags).
# REDIS_EXPORTER_VERSION overrides the version.
set -euo pipefail
version="${REDIS_EXPORTER_VERSION:-v1.62.0}"
bin_dir="${PULUMI_VALKEY_TOOLS:-$HOME/.cache/pulumi-valkey-tools}/v2/bin"
out="$bin_dir/redis_exporter-$version"
if [[ ! -x "$out" ]]; then
  mkdir -p "$bin_dir"
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  (
    cd "$work"
    go mod init pulumi-valkey.local/redis-exporter >/dev/null 2>&1
    printf 'package main\n\nimport _ "github.com/oliver006/redis_exporter"\n' >tools.go
    go mod edit -require="github.com/oliver006/redis_exporter@$version"
    GOFLAGS=-mod=mod go mod tidy >&2
    go build -trimpath -ldflags '-s -w' -o "$out" github.com/oliver006/redis_exporter >&2
  )
fi
echo "$out"
