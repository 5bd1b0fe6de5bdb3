# The two commands of the README, and the steps behind them. Every target installs what it
# needs first (.ci/install-deps, Debian 12 packages only), so a fresh machine needs nothing else.
SHELL := /bin/bash
.DEFAULT_GOAL := test
.PHONY: deps build build-sanitize test test-release test-sanitize demo lab lab-down bench fuzz clean

deps:
	@bash .ci/install-deps

build: deps
	cmake --preset release >/dev/null
	cmake --build --preset release

build-sanitize: deps
	cmake --preset sanitize >/dev/null
	cmake --build --preset sanitize

# Every test, in the release build and again under AddressSanitizer + UBSan (tests/run-suite:
# one line per stage with its time, the failing tests' log tails, then "N passed, N failed").
# Benchmarks are not tests: `make bench` runs them.
test:
	@bash tests/run-suite

test-release: build
	ctest --preset release

test-sanitize: build-sanitize
	ctest --preset sanitize

# Builds everything and runs the CLI against an emulated cluster: the ARM emulator and 16 agents
# with the mdatp double on 127.77.0.x (tests/demo/run-demo; DEMO_NODES=N for another size).
demo: build
	@bash tests/demo/run-demo build/release

# A cluster of real nodes: LAB_NODES (default 4, up to 16) Debian 12 containers with systemd as
# PID 1, the agent RPM and the mdatp double, in a network namespace of their own, plus the ARM
# emulator (tests/node/lab; docs/testing.md). Needs root. `make lab-down` removes everything.
lab: build
	@bash tests/node/node-root >/dev/null
	@bash tests/node/lab up build/release $(LAB_NODES)

lab-down:
	@bash tests/node/lab down

bench: build
	@bash tests/bench/run-benchmarks build/release

# libFuzzer on mdatp's text parsers, 1,000,000 runs each (FUZZ_RUNS=N), under ASan + UBSan
# (tests/fuzz/run-libfuzzer; needs clang). Not a test: its figures go to docs/testing.md.
fuzz: deps
	@bash tests/fuzz/run-libfuzzer

clean:
	rm -rf build
