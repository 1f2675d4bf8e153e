#!/usr/bin/env bash
# `make bench`: the line list's latency on 100k lines, the hot paths with several API processes
# (the production mode), then workers' throughput, on PostgreSQL.
# Needs PostgreSQL at $BENCH_ADMIN_URL; creates a scratch database and drops it at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
ADMIN_URL=${BENCH_ADMIN_URL:-postgresql://postgres@127.0.0.1:5432/test}
LINES=${BENCH_LINES:-100000}
REQUESTS=${BENCH_REQUESTS:-500}
WORKER_LINES=${BENCH_WORKER_LINES:-2000}
PORT=${BENCH_PORT:-8765}
API_PROCESSES=${BENCH_API_PROCESSES:-2}
SCRATCH=order_taking_bench
export ORDER_TAKING_DATABASE_URL="${ADMIN_URL%/*}/$SCRATCH"
export ORDER_TAKING_RATE_LIMIT_PER_SECOND=0  # measure the service, not the limiter

source bench/scratch_database.sh

echo "== line list: $LINES lines of one client (+ 20000 of another), $REQUESTS requests"
admin "DROP DATABASE IF EXISTS $SCRATCH WITH (FORCE)"
admin "CREATE DATABASE $SCRATCH"
"$BIN/order-taking" migrate
token=$("$BIN/order-taking" demo load --lines "$LINES" | tail -n 1)
"$BIN/order-taking" demo load --lines 20000 --client XY999 --seed 2 >/dev/null
serve() {  # API processes
    ORDER_TAKING_EMBEDDED_WORKER=false "$BIN/order-taking" serve --port "$PORT" --workers "$1" \
        >/dev/null 2>&1 &
    server=$!
    for _ in $(seq 1 100); do
        "$BIN/python" -c "import httpx; httpx.get('http://127.0.0.1:$PORT/openapi.json')" \
            2>/dev/null && break
        sleep 0.2
    done
}
stop() {
    kill "$server"
    wait "$server" 2>/dev/null || true
    server=""
}
serve 1
"$BIN/python" bench/list_lines.py --base-url "http://127.0.0.1:$PORT" --token "$token" \
    --requests "$REQUESTS"
stop

echo "== production mode: serve --workers $API_PROCESSES, hot paths"
serve "$API_PROCESSES"
"$BIN/python" bench/production.py --base-url "http://127.0.0.1:$PORT" --token "$token"
stop

echo "== workers: $WORKER_LINES lines, 1, 2 and 4 worker processes"
"$BIN/python" bench/workers.py --lines "$WORKER_LINES" --admin-url "$ADMIN_URL"

echo "== workers: one-line sessions confirmed one at a time on an idle service"
"$BIN/python" bench/workers.py --settle 50 --workers 1,2 --admin-url "$ADMIN_URL"
