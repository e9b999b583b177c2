# Developer shortcuts. The README's quick start (./run.sh, ./test.sh) does not depend on this file.
BUILD ?= build

.PHONY: all build test package bench fuzz clean run-cluster soak

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

# Two gateways on ports 8745 and 8746 sharing a local PostgreSQL and Redis (scripts/local-services).
run-cluster: build
	./scripts/run-cluster $(BUILD)

clean:
	rm -rf $(BUILD) build-asan build-fuzz
