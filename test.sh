#!/usr/bin/env bash
# The README's test command: installs what is missing, configures, builds, runs the whole CTest
# suite in parallel and prints CTest's summary. Extra arguments go to ctest (e.g. -L unit, -R name).
# With CI=true a test that is skipped or not run counts as a failure.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")"

./scripts/install-deps

cmake --preset default >/dev/null
cmake --build --preset default
# The fuzz tests (label fuzz) run the libFuzzer targets of this lean clang tree (build-fuzz/).
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz

log=$(mktemp)
trap 'rm -f "$log"' EXIT
jobs=${HCHAT_TEST_JOBS:-$(($(nproc) + 1))}
status=0
ctest --preset default -j "$jobs" "$@" 2>&1 | tee "$log" || status=$?

if [[ "${CI:-}" == true ]] && grep -Eq '\*\*\*Skipped|Not Run|\*\*\*Not Run|tests did not run' "$log"; then
  echo "test.sh: CI=true and some tests were skipped or not run; that counts as a failure." >&2
  status=1
fi
exit "$status"
