# The top-level Makefile only delegates: scripts/bootstrap installs, meson
# builds, tests/run-all tests. `make run` and `make test` are the two commands.
BUILD      ?= build
TEST_BUILD ?= build-test
DATA       ?= var
DB         ?=
LISTEN     ?= 127.0.0.1:8080
DBARG      := $(if $(DB),--db $(DB),)

.PHONY: all bootstrap build run test bench tidy clean format

all: build

bootstrap:
	@scripts/bootstrap

build: bootstrap
	@test -f $(BUILD)/build.ninja || meson setup $(BUILD) --buildtype=release -Db_ndebug=true
	@ninja -C $(BUILD)

# Loads the demo data on first start (it refuses politely when data exists),
# then serves on http://127.0.0.1:8080.
run: build
	@./$(BUILD)/talentd demo --data $(DATA) $(DBARG)
	@exec ./$(BUILD)/talentd serve --data $(DATA) $(DBARG) --listen $(LISTEN)

# Warnings are errors; the test build carries AddressSanitizer and UBSan.
test: bootstrap
	@test -f $(TEST_BUILD)/build.ninja || meson setup $(TEST_BUILD) -Db_sanitize=address,undefined -Db_lundef=false
	@ninja -C $(TEST_BUILD)
	@tests/run-all $(TEST_BUILD)

# Benchmarks on the release build: prints a table per bench, writes bench/out/*.json
# (docs/performance.md). `make bench ARGS="--runs 5"` passes options on.
bench: build
	@bench/run $(ARGS)

# clang-tidy over src/ (make test runs it too).
tidy: build
	@run-clang-tidy -quiet -j 2 -p $(BUILD) $(CURDIR)/src/

format:
	@clang-format -i $$(git ls-files 'src/*.c' 'src/*.h' 'tests/unit/*.c')

clean:
	rm -rf $(BUILD) $(TEST_BUILD)
