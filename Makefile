# The top-level Makefile only delegates: scripts/bootstrap installs, meson
# builds, tests/run-all tests. `make run` and `make test` are the two commands.
BUILD      ?= build
TEST_BUILD ?= build-test
DATA       ?= var
DB         ?=
LISTEN     ?= 127.0.0.1:8080
DBARG      := $(if $(DB),--db $(DB),)

.PHONY: all bootstrap build web web-dist run test bench tidy clean format

all: build

bootstrap:
	@scripts/bootstrap

build: bootstrap
	@test -f $(BUILD)/build.ninja || meson setup $(BUILD) --buildtype=release -Db_ndebug=true
	@ninja -C $(BUILD)

# The web UI (web/, docs/ui.md): npm run build -> web/dist, which talentd serves at /.
# Rebuilt only when a source is newer than web/dist/index.html.
WEB_SRC = $(shell find web/src web/public web/scripts -type f 2>/dev/null) \
          web/index.html web/vite.config.js web/package.json web/package-lock.json

web: bootstrap
	@$(MAKE) --no-print-directory web-dist

web-dist: web/dist/index.html

web/dist/index.html: $(WEB_SRC)
	@echo "web: building the UI (npm run build)"
	@cd web && npm run --silent build

# Loads the demo data on first start (it refuses politely when data exists),
# then serves on http://127.0.0.1:8080 (the UI at /).
run: build web
	@./$(BUILD)/talentd demo --data $(DATA) $(DBARG)
	@exec ./$(BUILD)/talentd serve --data $(DATA) $(DBARG) --listen $(LISTEN)

# Warnings are errors; the test build carries AddressSanitizer and UBSan.
test: bootstrap
	@test -f $(TEST_BUILD)/build.ninja || meson setup $(TEST_BUILD) -Db_sanitize=address,undefined -Db_lundef=false
	@ninja -C $(TEST_BUILD)
	@$(MAKE) --no-print-directory web-dist
	@tests/run-all $(TEST_BUILD)

# Benchmarks on the release build (SQLite, and PostgreSQL on a cluster the benches
# start themselves): a table per bench, then one table of all of them; writes
# bench/out/*.json and bench/out/summary.json (docs/performance.md).
# `make bench ARGS="--runs 5"` passes options on to every bench.
bench: build
	@bench/run $(ARGS)

# clang-tidy over src/ (make test runs it too).
tidy: build
	@run-clang-tidy -quiet -j 2 -p $(BUILD) $(CURDIR)/src/

format:
	@clang-format -i $$(git ls-files 'src/*.c' 'src/*.h' 'tests/unit/*.c')

clean:
	rm -rf $(BUILD) $(TEST_BUILD) web/dist
