# Rathaus — two commands on a fresh machine: `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
# pytest-xdist: one test process per CPU (`make test TEST_WORKERS=0` runs in one process).
# With REDIS_URL one process: the tests empty the cache (FLUSHDB), which the processes share.
TEST_WORKERS ?= $(if $(REDIS_URL),0,auto)

.PHONY: demo test install system assets lint format migrate messages clean

$(STAMP): pyproject.toml package.json package-lock.json
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	npm ci --no-fund --no-audit --loglevel=error
	$(BIN)/python scripts/copy_assets.py
	touch $(STAMP)

install: $(STAMP) messages

system:
	./scripts/install-system-packages.sh

# Compiling .po files needs no production settings, so it runs in demo mode.
messages: $(STAMP)
	RATHAUS_MODE=demo $(BIN)/python manage.py compile_translations

demo: install
	$(BIN)/rathaus demo --port $(PORT)

test: system install
	RATHAUS_TESTING=1 $(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts

format: $(STAMP)
	$(BIN)/ruff check --fix src tests benchmarks scripts
	$(BIN)/ruff format src tests benchmarks scripts

migrate: install
	$(BIN)/python manage.py migrate --noinput

clean:
	rm -rf $(VENV) node_modules src/rathaus/static/vendor db.sqlite3 var
