#!/usr/bin/env bash
# The test suite's loadgen smoke (tests/bench.cmake): starts one server on a free loopback port and
# drives it with loadgen at a tiny size; every message must be acknowledged and delivered.
# Usage: bench/smoke_loadgen.sh hchat|reference LOADGEN [GATEWAY]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
kind=$1 loadgen=$2 gateway=${3:-}
mkdir -p "${TMPDIR:-/tmp}"
dir=$(mktemp -d "${TMPDIR:-/tmp}/hchat-lg-smoke-XXXXXX")
pid=
cleanup() { [[ -n "$pid" ]] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
if [[ "$kind" == hchat ]]; then
  "$gateway" --listen 127.0.0.1:0 --db "$dir/gateway.db" --password-cost interactive --rate-limit 0 \
    --max-connections-per-address 100000 --max-connections 100000 --accept-rate 0 --auth-rate 0 >"$dir/out" 2>"$dir/err" &
else
  command -v node >/dev/null ||
    { echo "FAIL: node is not installed; scripts/install-deps installs it" >&2; exit 1; }
  [[ -d "$root/bench/reference/node_modules" ]] ||
    { echo "FAIL: bench/reference/node_modules is missing; scripts/install-deps runs npm ci there" >&2; exit 1; }
  node "$root/bench/reference/server.js" --listen 127.0.0.1:0 >"$dir/out" 2>"$dir/err" &
fi
pid=$!
port=
for ((i = 0; i < 200; i++)); do
  port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$dir/out" | head -1)
  [[ -n "$port" ]] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.05
done
[[ -n "$port" ]] || { echo "FAIL: the $kind server did not start:" >&2; cat "$dir/err" >&2; exit 1; }
"$loadgen" --server "$kind" --port "$port" --pid "$pid" --connections 4 --channels 2 --senders 2 \
  --messages 20 --rate 200 --drain-seconds 5 --timeout 20 --label smoke --expect-all
