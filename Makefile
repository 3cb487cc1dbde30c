# rongjiu: make setup | demo | test | lint | bench | dagster
SHELL := /bin/bash
PY := .venv/bin/python
VENV_STAMP := .venv/.rongjiu-installed
DEMO_DATE ?= 2026-11-20
DEMO_RESIDENTS ?= 100000
DEMO_SEED ?= 42
DEMO_DIR ?= var/demo
WAREHOUSE ?= var/warehouse.duckdb
export DAGSTER_HOME ?= $(CURDIR)/var/dagster_home

define TABLES_PY
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
names = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY 1").fetchall()]
print(f"{'table':<34} {'rows':>10}  as_of")
for t in names:
    n, as_of = con.execute(f'SELECT count(*), max(as_of) FROM "{t}"').fetchall()[0] if t != "publish_log" else (con.execute("SELECT count(*) FROM publish_log").fetchall()[0][0], "")
    print(f"{t:<34} {n:>10,}  {as_of}")
endef
export TABLES_PY

.PHONY: setup demo tables test lint bench dagster postgres mariadb clean-demo

# Idempotent: the stamp is newer than the lock file once everything is installed.
setup: $(VENV_STAMP)

# uv.lock is the lock (uv lock); requirements.txt is its export (uv export --frozen --extra dev --no-hashes --no-emit-project)
$(VENV_STAMP): requirements.txt pyproject.toml
	test -x $(PY) || python3.11 -m venv .venv
	test -x .venv/bin/uv || .venv/bin/pip install --quiet uv
	.venv/bin/uv pip install --quiet --python $(PY) -r requirements.txt
	.venv/bin/pip install --quiet --no-deps -e .
	touch $(VENV_STAMP)

demo: setup
	@test -d $(DEMO_DIR)/landing || .venv/bin/rongjiu generate --residents $(DEMO_RESIDENTS) --seed $(DEMO_SEED) --date $(DEMO_DATE) --out $(DEMO_DIR)
	.venv/bin/rongjiu run --landing $(DEMO_DIR)/landing --date $(DEMO_DATE) --warehouse $(WAREHOUSE)
	@$(MAKE) --no-print-directory tables

# published tables and their row counts, straight from the DuckDB file
tables:
	@$(PY) -c "$$TABLES_PY" $(WAREHOUSE)

postgres:
	@pg_isready -q -h 127.0.0.1 || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start
	@for i in $$(seq 1 20); do pg_isready -q -h 127.0.0.1 && break; sleep 0.5; done
	@psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'test'" | grep -q 1 \
	  || psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE test" >/dev/null

# the civil-affairs feed's live database in tests (feeds.yaml: mysql+pymysql://...)
# (mysqld_safe directly: the init script's own readiness check needs a debian.cnf this machine lacks)
MYSQL_PING := mysqladmin -h 127.0.0.1 -u root --connect-timeout=2 ping >/dev/null 2>&1
mariadb:
	@$(MYSQL_PING) || (nohup mysqld_safe >/dev/null 2>&1 &)
	@for i in $$(seq 1 60); do $(MYSQL_PING) && break; sleep 0.5; done
	@$(MYSQL_PING) || { echo "MariaDB did not start on 127.0.0.1:3306"; exit 1; }

test: setup postgres mariadb
	.venv/bin/pytest -q -n 2
	.venv/bin/ruff check .

lint: setup
	.venv/bin/ruff check .

bench: setup
	@if [ -f bench/run.py ]; then $(PY) -m bench.run; \
	elif [ -x bench/run_all.sh ]; then bench/run_all.sh; \
	else echo "no benchmark yet (bench/run.py)"; exit 1; fi

dagster: setup
	mkdir -p $(DAGSTER_HOME)
	test -f $(DAGSTER_HOME)/dagster.yaml || printf 'telemetry:\n  enabled: false\n' > $(DAGSTER_HOME)/dagster.yaml
	.venv/bin/dagster dev -w workspace.yaml

clean-demo:
	rm -rf $(DEMO_DIR)
