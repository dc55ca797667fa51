# vigil: the two commands a new user runs, and the ones developers use.
#
#   make demo    install missing Debian packages, build, analyse the demo
#   make test    the same set-up, then every test (plain and ASan+UBSan)
#   make bench   benchmarks against fail2ban-regex and sshguard (slow)

JOBS ?= $(shell nproc 2>/dev/null || echo 2)
BUILD ?= build
ASAN_BUILD ?= build-asan
CMAKE_FLAGS ?=

.PHONY: all deps deps-test build build-asan demo test test-plain test-asan \
	check-style bench clean

all: build

deps:
	@sh scripts/deps.sh build

deps-test:
	@sh scripts/deps.sh test

# `make demo` installs only what building needs, so the unit tests are
# configured only when cmocka is there; `make test` installs it and
# configures them on.
$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DVIGIL_TESTS=$$(pkg-config --exists cmocka && echo ON || \
		echo OFF) $(CMAKE_FLAGS)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

$(ASAN_BUILD)/CMakeCache.txt:
	CC=clang cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug \
		-DVIGIL_SANITIZE=ON -DVIGIL_FUZZ=ON $(CMAKE_FLAGS)

build-asan: deps-test $(ASAN_BUILD)/CMakeCache.txt
	cmake --build $(ASAN_BUILD) -j $(JOBS)

demo: build
	$(BUILD)/vigil-demo-gen $(BUILD)/demo
	$(BUILD)/vigil analyze $(BUILD)/demo/*.log $(BUILD)/demo/*.json

check-style:
	@sh scripts/check-style.sh

test-plain: deps-test build
	cmake -S . -B $(BUILD) -DVIGIL_TESTS=ON >/dev/null
	cmake --build $(BUILD) -j $(JOBS)
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-asan: build-asan
	cd $(ASAN_BUILD) && \
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest --output-on-failure -j $(JOBS)

test: check-style test-plain test-asan

bench: deps build
	@sh scripts/deps.sh bench
	sh bench/run.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
