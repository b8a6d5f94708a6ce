# The two commands a new user needs: `make demo` and `make test`. Each installs what is missing
# (`make deps`), builds, then runs.
BUILD_DIR ?= build
ASAN_DIR ?= build-asan
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
# How many orders the demo generates.
ROWS ?= 1000000

.PHONY: all deps build build-asan test test-unit test-asan demo bench format clean

all: build

deps:
	@scripts/deps.sh

build: deps
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS)

build-asan: deps
	@cmake -S . -B $(ASAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSLUICE_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN_DIR) -j $(JOBS)

test-unit: build
	@ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS)

# The whole suite passes twice: optimised, then under ASan + UBSan.
test-asan: build-asan
	@ctest --test-dir $(ASAN_DIR) --output-on-failure -j $(JOBS) -LE no-asan

test: test-unit test-asan

demo: build
	@ROWS=$(ROWS) scripts/demo.sh $(BUILD_DIR)

bench: build
	@scripts/bench.sh $(BUILD_DIR)

format:
	@clang-format -i $$(git ls-files '*.cpp' '*.h')

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR)
