# Developer shortcuts. The README's quick start (./run.sh, ./test.sh) does not depend on this file.
BUILD ?= build

.PHONY: all build test package bench clean run-cluster

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

# Two gateways on ports 8745 and 8746 sharing a local PostgreSQL and Redis (scripts/local-services).
run-cluster: build
	./scripts/run-cluster $(BUILD)

clean:
	rm -rf $(BUILD) build-asan
