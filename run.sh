#!/usr/bin/env bash
# The README's run command: installs what is missing, builds, starts hchat-gateway on 127.0.0.1 with
# an embedded SQLite database in the user's data folder (or reuses the one already running there),
# and opens hchat connected to it. Quitting hchat stops the gateway this script started.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")"

if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" && -z "${QT_QPA_PLATFORM:-}" ]]; then
  cat >&2 <<'MSG'
run.sh: no display found (neither DISPLAY nor WAYLAND_DISPLAY is set), so the HChat window cannot open.
  On a machine without a desktop, run it under a virtual display:   xvfb-run -a ./run.sh
  or pick a Qt platform explicitly, e.g.:                             QT_QPA_PLATFORM=offscreen ./run.sh
MSG
  exit 1
fi

./scripts/install-deps
cmake --preset default >/dev/null
cmake --build --preset default --target hchat hchat-gateway

data_home=${XDG_DATA_HOME:-$HOME/.local/share}
state_dir="$data_home/hchat/gateway"
mkdir -p "$state_dir"
addr_file="$state_dir/listening"
gateway_pid=""

healthy() { curl -fsS --max-time 2 "http://$1/healthz" >/dev/null 2>&1; }

stop_gateway() {
  if [[ -n "$gateway_pid" ]] && kill -0 "$gateway_pid" 2>/dev/null; then
    kill -TERM "$gateway_pid" 2>/dev/null || true
    wait "$gateway_pid" 2>/dev/null || true
    rm -f "$addr_file"
  fi
}
trap stop_gateway EXIT INT TERM

address=""
if [[ -f "$addr_file" ]] && healthy "$(cat "$addr_file")"; then
  address=$(cat "$addr_file")
  echo "run.sh: reusing the gateway already running on $address (database in $state_dir)"
else
  port=${HCHAT_PORT:-8745}
  # The usual port, or any free one when something else holds it.
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then port=0; fi
  log="$state_dir/gateway.log"
  ./build/server/hchat-gateway --listen "127.0.0.1:$port" --db "$state_dir/gateway.db" \
    --registration open --welcome-channel general >"$log" 2>&1 &
  gateway_pid=$!
  for _ in $(seq 1 100); do
    address=$(sed -n 's/^hchat-gateway listening on \(.*\)$/\1/p' "$log" | head -n1)
    [[ -n "$address" ]] && break
    if ! kill -0 "$gateway_pid" 2>/dev/null; then
      echo "run.sh: the gateway failed to start; its log:" >&2
      cat "$log" >&2
      exit 1
    fi
    sleep 0.1
  done
  if [[ -z "$address" ]]; then
    echo "run.sh: the gateway did not report its address within 10 s; see $log" >&2
    exit 1
  fi
  echo "$address" >"$addr_file"
  echo "hchat-gateway listening on $address (database in $state_dir)"
fi

./build/app/hchat --gateway "http://$address" "$@"
