#!/usr/bin/env bash
# make bench: builds what is missing, runs every benchmark program of bench/ on this machine, collects
# their JSON lines into $BENCH_OUT/results.jsonl and writes docs/PERFORMANCE.md from them.
#
# Scenarios against hchat-gateway (SQLite persistence, ack after commit) and the Node.js reference
# (bench/reference/, in memory), alternating, BENCH_REPS repetitions (medians in the document):
#   fanout   1,000 connections in one channel, 1 sender at 200 msg/s
#   ladder   the same 1,000 connections, rates doubling until p99 >= 50 ms or deliveries are lost
#            (the highest rate each server sustains with p99 < 50 ms); one repetition
#   many     2,000 connections in 200 channels of 10, every member sending 1 msg/s
#   idle     10,000 connections, RSS per connection and connection setup rate (fresh servers,
#            BENCH_IDLE_REPS runs each)
#   fanout-pinned ladder-pinned many-pinned idle-pinned
#            the same four with the server under test pinned to core 0 (`taskset -c 0`; hchat-gateway
#            with --threads 1, Node is one thread anyway) and the load generator to core 1 (one
#            thread), both servers alike: "per core" without the load generator taking the
#            server's cycles
#   scaleout cluster_bench: two gateways sharing one PostgreSQL and fanning out through Redis,
#            against one gateway on the same PostgreSQL (scripts/local-services starts both servers
#            in a temporary folder); deliveries per second and the ratio two / one, BENCH_REPS runs
#   scaleout-capped the same with every gateway capped alike at BENCH_CAP cores (0.5; a CFS quota in
#            a cgroup of its own, cluster_bench --cap), so that the ratio says whether the design
#            scales rather than how 2 cores are shared
#   ingest   ingest_bench: 200 senders, each in a channel of its own with 2 members, 16 messages in
#            flight each: acked msgs/s and ack p50/p99 on SQLite and on PostgreSQL (a throw-away
#            server from scripts/local-services), BENCH_REPS runs
# then gateway_bench, catchup_bench (100,000 messages, plain and in an encrypted channel, each
# against the SQLite floor), ui_open_bench (1,000,000-message fixture from make_history_fixture),
# startup_bench (cold start of hchat on 1,000,000 messages in 200 channels, against a bare Qt
# window) and crypto_bench.
#
# Environment: BENCH_BUILD (build dir, default build-bench), BENCH_OUT (results dir),
# BENCH_REPS (3), BENCH_IDLE_REPS (1), BENCH_DURATION (seconds of sending per fanout/many run, 8), BENCH_SCENARIOS (space-separated
# subset of: fanout ladder many idle fanout-pinned ladder-pinned many-pinned idle-pinned scaleout
# scaleout-capped ingest gateway catchup ui startup crypto), BENCH_CAP (cores per gateway in
# scaleout-capped, 0.5), BENCH_INGEST_MESSAGES (messages per ingest sender, 500), BENCH_LOADGEN_THREADS (threads of the load generator when
# not pinned, default 2: one thread saturates before either server does), BENCH_NO_DOC=1 (do not
# write docs/PERFORMANCE.md), BENCH_NO_DEPS=1 (skip scripts/install-deps), BENCH_NO_BUILD=1 (use
# the binaries as they are), BENCH_CATCHUP_MESSAGES (100000), BENCH_MERGE (see below),
# BENCH_NOTES (a sentence for the document).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BENCH_BUILD:-$root/build-bench}"
out="${BENCH_OUT:-$build/bench-results}"
reps="${BENCH_REPS:-3}"
duration="${BENCH_DURATION:-8}"
idle_reps="${BENCH_IDLE_REPS:-1}"
scenarios="${BENCH_SCENARIOS:-fanout ladder many idle fanout-pinned ladder-pinned many-pinned idle-pinned scaleout scaleout-capped ingest gateway catchup ui startup crypto}"
loadgen_threads="${BENCH_LOADGEN_THREADS:-2}"
results="$out/results.jsonl"
log="$out/bench.log"
started_at=$(date +%s)

mkdir -p "$out"
: >"$results"
: >"$log"
say() { printf '[bench %4ss] %s\n' "$(($(date +%s) - started_at))" "$*" | tee -a "$log" >&2; }

[[ "${BENCH_NO_DEPS:-0}" == 1 ]] || "$root/scripts/install-deps"
[[ -d "$root/bench/reference/node_modules" ]] ||
  { echo "bench: bench/reference/node_modules is missing; run scripts/install-deps" >&2; exit 1; }

# ---- build ------------------------------------------------------------------------------------
if [[ ! -f "$build/build.ninja" ]]; then
  say "configuring $build"
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >>"$log"
fi
wanted=(hchat-gateway loadgen gateway_bench ingest_bench catchup_bench ui_open_bench make_history_fixture crypto_bench
  cluster_bench hchat startup_bench startup_floor)
available=$(ninja -C "$build" -t targets all 2>/dev/null | sed -n 's/^\([A-Za-z0-9_.-]*\): phony$/\1/p')
targets=()
for t in "${wanted[@]}"; do grep -qx "$t" <<<"$available" && targets+=("$t"); done
if [[ "${BENCH_NO_BUILD:-0}" != 1 ]]; then
  say "building ${targets[*]}"
  cmake --build "$build" -j2 --target "${targets[@]}" >>"$log"
fi
bin() { find "$build" -maxdepth 3 -type f -name "$1" -perm -u+x | head -1; }
gateway=$(bin hchat-gateway)
loadgen=$(bin loadgen)

ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# ---- servers ----------------------------------------------------------------------------------
server_pid=
server_port=
server_dir=
# Pinned runs (suffix -pinned): the server on core 0, the load generator on core 1.
pin_server=()
pin_lg=()
gateway_threads=()
lg_threads=(--threads "$loadgen_threads")
set_pinning() { # set_pinning "" | -pinned
  if [[ "$1" == -pinned ]]; then
    pin_server=(taskset -c 0) pin_lg=(taskset -c 1) gateway_threads=(--threads 1) lg_threads=(--threads 1)
  else
    pin_server=() pin_lg=() gateway_threads=() lg_threads=(--threads "$loadgen_threads")
  fi
}
# start_server hchat|reference: sets server_pid, server_port, server_dir.
start_server() {
  server_dir=$(mktemp -d /tmp/hchat-bench-XXXXXX)
  local outfile="$server_dir/stdout"
  if [[ "$1" == hchat ]]; then
    "${pin_server[@]}" "$gateway" "${gateway_threads[@]}" --listen 127.0.0.1:0 --db "$server_dir/gateway.db" --password-cost interactive \
      --rate-limit 0 --max-connections-per-address 100000 --max-connections 100000 --accept-rate 0 --auth-rate 0 \
      --password-checks-per-address 64 >"$outfile" 2>"$server_dir/stderr" &
  else
    "${pin_server[@]}" node "$root/bench/reference/server.js" --listen 127.0.0.1:0 >"$outfile" 2>"$server_dir/stderr" &
  fi
  server_pid=$!
  local i
  for ((i = 0; i < 200; i++)); do
    # The server's stdout may not exist yet (the redirection happens in the child).
    server_port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$outfile" 2>/dev/null | head -1) || true
    [[ -n "$server_port" ]] && return 0
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.05
  done
  echo "bench: the $1 server did not start:" >&2
  cat "$server_dir/stderr" >&2
  exit 1
}
stop_server() {
  [[ -n "$server_pid" ]] || return 0
  local t0=$SECONDS i
  kill -TERM "$server_pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$server_pid" 2>/dev/null; then
    say "server $server_pid still running 10 s after SIGTERM: SIGKILL"
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
  wait "$server_pid" 2>/dev/null || true
  say "stopped server $server_pid in $((SECONDS - t0)) s"
  rm -rf "$server_dir"
  server_pid=
}
declare -A pids ports dirs
start_pair() {
  for s in hchat reference; do
    start_server "$s"
    pids[$s]=$server_pid ports[$s]=$server_port dirs[$s]=$server_dir
  done
}
stop_pair() {
  for s in hchat reference; do
    server_pid=${pids[$s]:-} server_dir=${dirs[$s]:-}
    stop_server
  done
}
trap 'stop_pair; stop_server' EXIT

# record SCENARIO REP JSON: appends the line with the scenario and repetition added.
record() {
  jq -c --arg s "$1" --argjson r "$2" '. + {scenario: $s, rep: $r}' <<<"$3" >>"$results"
}
# lg SCENARIO REP SERVER ARGS…: one loadgen run against the running server of that kind.
lg() {
  local scenario=$1 rep=$2 s=$3
  shift 3
  local line
  line=$("${pin_lg[@]}" "$loadgen" "${lg_threads[@]}" --server "$s" --port "${ports[$s]}" --pid "${pids[$s]}" \
    --token-cache "${dirs[$s]}/tokens" --label "$scenario$rep" "$@" 2>>"$log") || true
  if [[ -z "$line" ]]; then
    say "$scenario rep $rep $s: loadgen printed nothing (see $log)"
    return 1
  fi
  record "$scenario" "$rep" "$line"
  say "$scenario rep $rep $s: $(jq -r '"\(.deliveries_per_s) deliveries/s, p50 \(.latency_p50_ms) p99 \(.latency_p99_ms) ms, delivered \(.delivery_ratio), \(.connections_per_s) conn/s, server cpu \(.server_cpu_s) s, loadgen cpu \(.loadgen_cpu_s) s"' <<<"$line")"
}
want() { [[ " $scenarios " == *" $1 "* ]]; }

machine() { # the load average, to tell how busy the machine was
  jq -cn --arg at "$1" --arg l "$(cut -d' ' -f1-3 /proc/loadavg)" --argjson n "$(nproc)" \
    '{bench: "machine", at: $at, loadavg: $l, nproc: $n}' >>"$results"
}
# BENCH_MERGE=FILE: the JSON lines of an earlier run (its results.jsonl, or the raw block of
# docs/PERFORMANCE.md) carried into this document for every scenario NOT run now, with the earlier
# run's machine lines (labelled), so that a partial run does not drop the other tables.
if [[ -n "${BENCH_MERGE:-}" ]]; then
  jq -c --arg now "$scenarios" '
    select(.bench == "machine" or ((.scenario // "") as $s | ($now | split(" ") | index($s)) == null))
    | if .bench == "machine" then .at = "\(.at) of the earlier run (BENCH_MERGE)" else . end' \
    "$BENCH_MERGE" >>"$results"
  say "merged $(wc -l <"$results") lines of an earlier run from $BENCH_MERGE"
fi
machine start

# ---- scenarios --------------------------------------------------------------------------------
for pin in "" -pinned; do
  set_pinning "$pin"
  if want "fanout$pin"; then
    start_pair
    for ((r = 1; r <= reps; r++)); do
      for s in hchat reference; do
        lg "fanout$pin" "$r" "$s" --connections 1000 --channels 1 --senders 1 --rate 200 --duration "$duration" || true
      done
    done
    stop_pair
  fi

  if want "ladder$pin"; then
    start_pair
    for s in hchat reference; do
      for rate in 5 10 20 40 80 160 320 640; do
        lg "ladder$pin" "$rate" "$s" --connections 1000 --channels 1 --senders 1 --rate "$rate" --duration 5 --drain-seconds 3 || break
        ok=$(tail -1 "$results" | jq -r 'if .latency_p99_ms < 50 and .delivery_ratio >= 0.999 then 1 else 0 end')
        [[ "$ok" == 1 ]] || break
      done
    done
    stop_pair
  fi

  if want "many$pin"; then
    start_pair
    for ((r = 1; r <= reps; r++)); do
      for s in hchat reference; do
        lg "many$pin" "$r" "$s" --connections 2000 --channels 200 --senders 2000 --rate 2000 --duration "$duration" || true
      done
    done
    stop_pair
  fi

  if want "idle$pin"; then
    for ((r = 1; r <= idle_reps; r++)); do
      for s in hchat reference; do
        start_server "$s"
        pids[$s]=$server_pid ports[$s]=$server_port dirs[$s]=$server_dir
        lg "idle$pin" "$r" "$s" --connections 10000 --channels 1 --senders 0 --connect-concurrency 500 --users 5 || true
        stop_server
      done
    done
  fi
done
set_pinning ""

# ---- the other bench programs -----------------------------------------------------------------
failures=()
other() { # other SCENARIO PROGRAM ARGS…
  local scenario=$1 name=$2 program
  program=$(bin "$name")
  shift 2
  if [[ -z "$program" ]]; then
    say "$scenario: not built here, skipped"
    return 0
  fi
  local line
  local rc=0
  line=$("$program" "$@" 2>>"$log" | grep '^{' | tail -1) || rc=$?
  if [[ -z "$line" ]]; then
    say "$scenario: $name printed no JSON line (exit status $rc; see $log)"
    failures+=("$scenario")
    return 0
  fi
  record "$scenario" "${rep:-1}" "$line"
  say "$scenario: $line"
}
want gateway && other gateway gateway_bench
if want scaleout; then
  for ((rep = 1; rep <= reps; rep++)); do QT_QPA_PLATFORM=offscreen other scaleout cluster_bench; done
  rep=
fi
if want scaleout-capped; then
  for ((rep = 1; rep <= reps; rep++)); do
    QT_QPA_PLATFORM=offscreen other scaleout-capped cluster_bench --cap "${BENCH_CAP:-0.5}"
  done
  rep=
fi
if want ingest; then
  if [[ -n "$(bin ingest_bench)" ]]; then
    for ((rep = 1; rep <= reps; rep++)); do
      # One JSON line per store.
      while read -r line; do
        record ingest "$rep" "$line"
        say "ingest: $line"
      done < <("$(bin ingest_bench)" --store both --messages "${BENCH_INGEST_MESSAGES:-500}" 2>>"$log" | grep '^{')
    done
  else
    say "ingest: not built here, skipped"
  fi
fi
want catchup && QT_QPA_PLATFORM=offscreen other catchup catchup_bench "${BENCH_CATCHUP_MESSAGES:-100000}"
if want ui && [[ -n "$(bin make_history_fixture)" ]]; then
  fixture="${BENCH_FIXTURE:-$build/bench-fixtures/history-1m.db}"
  say "ui: history fixture $fixture"
  if "$(bin make_history_fixture)" "$fixture" 1000000 >>"$log" 2>&1; then
    QT_QPA_PLATFORM=offscreen other ui ui_open_bench "$fixture"
  else
    say "ui: make_history_fixture failed (exit status $?; see $log)"
    failures+=(ui)
  fi
fi
want startup && QT_QPA_PLATFORM=offscreen other startup startup_bench \
  --profile "${BENCH_STARTUP_PROFILE:-$build/bench-fixtures/startup-profile}"
want crypto && QT_QPA_PLATFORM=offscreen other crypto crypto_bench

machine end
((${#failures[@]} == 0)) || say "FAILED: ${failures[*]} (the document shows what did run)"
say "done in $(($(date +%s) - started_at)) s; results in $results"
cat "$results"

# ---- the document -----------------------------------------------------------------------------
if [[ "${BENCH_NO_DOC:-0}" != 1 ]]; then
  settings=$(env | grep '^BENCH_' | grep -v '^BENCH_NOTES=' | sort |
    while IFS='=' read -r k v; do printf '%s=%q ' "$k" "$v"; done || true)
  BENCH_COMMAND="${settings}make bench" BENCH_SECONDS=$(($(date +%s) - started_at)) \
    "$root/bench/write_performance_md.sh" "$results" \
    >"$root/docs/PERFORMANCE.md"
  say "wrote docs/PERFORMANCE.md"
fi
((${#failures[@]} == 0))
