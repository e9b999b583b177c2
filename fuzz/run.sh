#!/usr/bin/env bash
# Runs fuzz targets: each replays its regression inputs (fuzz/regressions/<target>/, every one must
# pass), then fuzzes a temporary copy of its seed corpus (fuzz/corpus/<target>/; the repository's
# copy is never written) for SECONDS s. Prints executions and edges covered per target; exits 1 on
# any crash, leak, timeout or missing binary (the crashing input is kept and printed in base64).
# Usage: fuzz/run.sh <directory of fuzz_<target> binaries> <seconds> [target …]  (default: all)
# FUZZ_FLAGS: more libFuzzer flags for the fuzzing run (make fuzz-long: -detect_leaks=0).
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "$0")")" && pwd)"
bindir=$1
seconds=$2
shift 2
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  read -r -a targets <<<"$(sed -n 's/^set(HCHAT_FUZZ_TARGETS \(.*\))$/\1/p' "$here/targets.cmake")"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/hchat-fuzz-run.XXXXXX")
trap 'rm -rf "$work"' EXIT
status=0
total=0
summary=()
for target in "${targets[@]}"; do
  bin="$bindir/fuzz_$target"
  if [[ ! -x "$bin" ]]; then
    echo "FAIL fuzz_$target: $bin is missing; build it: cmake --preset fuzz && cmake --build --preset fuzz" >&2
    status=1
    continue
  fi
  mkdir -p "$work/$target/corpus" "$work/$target/artifacts"
  cp -r "$here/corpus/$target/." "$work/$target/corpus/"
  log="$work/$target/log"
  regressions=("$here/regressions/$target"/*)
  if [[ -e "${regressions[0]}" ]]; then
    if ! "$bin" -timeout=25 "${regressions[@]}" >"$log" 2>&1; then
      echo "FAIL fuzz_$target: a regression input crashes again:" >&2
      tail -n 60 "$log" >&2
      status=1
      continue
    fi
  fi
  # -entropic=0: libFuzzer's entropic scheduling spent about a fifth of each run keeping feature
  # frequencies, for no edges found sooner on these targets.
  # shellcheck disable=SC2086 # FUZZ_FLAGS is a list of flags
  if "$bin" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=3072 -print_final_stats=1 -entropic=0 ${FUZZ_FLAGS:-} \
      -artifact_prefix="$work/$target/artifacts/" "$work/$target/corpus" >"$log" 2>&1; then
    result=ok
  else
    result=FAILED
    status=1
    echo "FAIL fuzz_$target: the fuzzer found a crash:" >&2
    grep -v '^#[0-9]*\s*\(NEW\|REDUCE\|pulse\|INITED\)' "$log" | tail -n 80 >&2
    for a in "$work/$target/artifacts"/*; do
      [[ -e "$a" ]] || continue
      echo "crashing input $(basename "$a") (base64; add it to fuzz/regressions/$target/ once fixed):" >&2
      base64 -w0 "$a" >&2
      echo >&2
    done
  fi
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  total=$((total + ${execs:-0}))
  summary+=("$(printf '%-14s %-7s %12s %8s %8s %9s' "$target" "$result" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}")")
done
printf '%-14s %-7s %12s %8s %8s %9s\n' target result executions "exec/s" edges features
printf '%s\n' "${summary[@]}"
printf 'total executions: %s\n' "$total"
exit "$status"
