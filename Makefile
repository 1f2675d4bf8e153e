# The two commands a user needs: `make run` and `make test`. Everything else is for developers.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
POSTGRESQL_URL ?= postgresql://postgres@127.0.0.1:5432/test

.PHONY: install run test test-postgresql check format bench screenshots clean

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(INSTALLED)

install: $(INSTALLED)

run: install
	$(BIN)/order-taking migrate
	$(BIN)/order-taking serve --host 127.0.0.1 --port 8000

test: install
	$(BIN)/pytest

test-postgresql: install
	ORDER_TAKING_TEST_DATABASE_URL=$(POSTGRESQL_URL) $(BIN)/pytest

check: install
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy src

format: install
	$(BIN)/ruff check --fix src tests
	$(BIN)/ruff format src tests

bench: install
	bash bench/run.sh

# A PNG of each back-office page, with demo data, in docs/screenshots/ (needs Chromium).
screenshots: install
	$(BIN)/python -m tests.backoffice.screenshots docs/screenshots

clean:
	rm -rf $(VENV) order_taking.db order_taking.db-wal order_taking.db-shm
