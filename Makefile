# Developer shortcuts. The README's quick start (./run.sh, ./test.sh) does not depend on this file.
BUILD ?= build

.PHONY: all build test package bench fuzz fuzz-long clean run-cluster soak

all: build

build:
	./scripts/install-deps
	cmake --preset default
	cmake --build --preset default

test:
	./test.sh

package: build
	cd $(BUILD) && cpack -G DEB
	@ls -1 $(BUILD)/packages/*.deb

# Every benchmark program (bench/), HChat against its references; writes docs/PERFORMANCE.md.
bench:
	./bench/run_benchmarks.sh

# The fault suite's long versions (HCHAT_SOAK=1) and a summary: sent, acknowledged, delivered,
# lost, duplicated, kills survived. Logs in $(BUILD)/soak/.
soak: build
	./scripts/fault-soak $(BUILD)

# Builds the fuzz targets (asan preset) and runs each for FUZZ_SECONDS on a copy of its corpus;
# prints executions and edges covered per target.
FUZZ_SECONDS ?= 300
fuzz:
	cmake --preset asan
	cmake --build --preset asan --target hchat_fuzz
	./fuzz/run.sh build-asan/fuzz $(FUZZ_SECONDS)

# The long fuzzing run recorded in docs/RELIABILITY.md: the lean fuzz preset (the one test.sh uses),
# every target for FUZZ_LONG_SECONDS each, two targets at a time, each lane on a CPU of its own
# (the gateway targets hop between threads on every message: on one CPU the hops are cheaper);
# prints executions, executions per second, edges and features per target and the total.
# Leaks are looked for once, when each target ends, not after every input (-detect_leaks=0): the
# per-input scan of LeakSanitizer took over 90 % of the e2ee target's time. The short runs of
# make fuzz and of the tests keep the per-input check. The default, 2 × 900 s = 30 min of wall
# time, aims well past 10,000,000 executions in all on a 2-core machine.
FUZZ_LONG_SECONDS ?= 900
fuzz-long:
	cmake --preset fuzz
	cmake --build --preset fuzz
	FUZZ_FLAGS=-detect_leaks=0 taskset -c 0 ./fuzz/run.sh build-fuzz/fuzz $(FUZZ_LONG_SECONDS) gateway_ws gateway_http > build-fuzz/fuzz-long-a.txt 2>&1 & \
	FUZZ_FLAGS=-detect_leaks=0 taskset -c 1 ./fuzz/run.sh build-fuzz/fuzz $(FUZZ_LONG_SECONDS) client_sync e2ee > build-fuzz/fuzz-long-b.txt 2>&1; \
	b=$$?; wait $$!; a=$$?; cat build-fuzz/fuzz-long-a.txt build-fuzz/fuzz-long-b.txt; test $$a -eq 0 -a $$b -eq 0

# Two gateways on ports 8745 and 8746 sharing a local PostgreSQL and Redis (scripts/local-services).
run-cluster: build
	./scripts/run-cluster $(BUILD)

clean:
	rm -rf $(BUILD) build-asan build-fuzz
