#!/usr/bin/env bash
# What request ids, access lines, metrics and the rate limiter cost per request: wrk on the line
# detail (GET /api/v1/product_order_item/{id}/) of one serve process on PostgreSQL, for the code
# before operations (BENCH_BASE_COMMIT) and for this code in several settings.
# Needs PostgreSQL at $BENCH_ADMIN_URL, Redis at $BENCH_REDIS_URL and wrk.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$PWD/.venv/bin
ADMIN_URL=${BENCH_ADMIN_URL:-postgresql://postgres@127.0.0.1:5432/test}
REDIS_URL=${BENCH_REDIS_URL:-redis://127.0.0.1:6379/15}
BASE_COMMIT=${BENCH_BASE_COMMIT:-97a0eb4}
ROUNDS=${BENCH_ROUNDS:-3}
SECONDS_EACH=${BENCH_SECONDS:-8}
SCRATCH=order_taking_ops_bench
export ORDER_TAKING_DATABASE_URL="${ADMIN_URL%/*}/$SCRATCH"
export ORDER_TAKING_EMBEDDED_WORKER=false
WORK=$(mktemp -d)

admin() { "$BIN/python" -c "
import asyncio, asyncpg, sys
async def run():
    connection = await asyncpg.connect(sys.argv[1])
    await connection.execute(sys.argv[2])
    await connection.close()
asyncio.run(run())" "$ADMIN_URL" "$1"; }
free_port() { "$BIN/python" -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"; }

server=""
stop() {
    if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
    server=""
}
cleanup() { stop; admin "DROP DATABASE IF EXISTS $SCRATCH WITH (FORCE)"; rm -rf "$WORK"; }
trap cleanup EXIT

admin "DROP DATABASE IF EXISTS $SCRATCH WITH (FORCE)"
admin "CREATE DATABASE $SCRATCH"
"$BIN/order-taking" migrate >/dev/null
token=$("$BIN/order-taking" clients create BENCH | tail -n 1)
git archive "$BASE_COMMIT" src | tar -x -C "$WORK"  # the code before operations

# run NAME PYTHONPATH VAR=VALUE...: serve with those settings, then ROUNDS wrk runs.
run() {
    local name=$1 path=$2; shift 2
    local port; port=$(free_port)
    env PYTHONPATH="$path" "$@" "$BIN/python" -c "from order_taking.cli import main; main()" \
        serve --port "$port" >/dev/null 2>&1 &
    server=$!
    local url="http://127.0.0.1:$port"
    for _ in $(seq 300); do curl -sf -o /dev/null "$url/openapi.json" && break; sleep 0.1; done
    if [ -z "${line:-}" ]; then
        local session
        session=$(curl -sf -X POST "$url/api/v1/product_order/" -H "Authorization: Bearer $token" \
            -H 'Content-Type: application/json' -d '{"external_id": "bench"}' | "$BIN/python" -c 'import json,sys; print(json.load(sys.stdin)["id"])')
        line=$(curl -sf -X POST "$url/api/v1/product_order/$session/product_order_item/" \
            -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
            -d '{"product_offering_id": "2173", "product_offering_qualification_item_id": "d5a4a9aa-ba2c-4f53-95c7-0c1ce6f6e7fa"}' \
            | "$BIN/python" -c 'import json,sys; print(json.load(sys.stdin)["id"])')
    fi
    local target="$url/api/v1/product_order_item/$line/"
    wrk -t1 -c8 -d2s -H "Authorization: Bearer $token" "$target" >/dev/null  # warm-up
    local rates=()
    for _ in $(seq "$ROUNDS"); do
        rates+=("$(wrk -t1 -c8 -d"${SECONDS_EACH}s" -H "Authorization: Bearer $token" "$target" \
            | awk '/Requests\/sec/ {print $2} /Non-2xx/ {print "NON-2xx:" $4 > "/dev/stderr"}')")
    done
    stop
    printf '%-44s req/s per round: %s  median: %s\n' "$name" "${rates[*]}" \
        "$(printf '%s\n' "${rates[@]}" | sort -n | sed -n "$(( (ROUNDS + 1) / 2 ))p")"
}

SRC=$PWD/src
BASE=$WORK/src
run "before operations (uvicorn access log)" "$BASE" ORDER_TAKING_LOG_LEVEL=INFO
run "ops, limiter off, metrics, access line" "$SRC" ORDER_TAKING_RATE_LIMIT_PER_SECOND=0
run "ops, limiter off, no metrics, no access line" "$SRC" ORDER_TAKING_RATE_LIMIT_PER_SECOND=0 \
    ORDER_TAKING_METRICS=false ORDER_TAKING_LOG_LEVEL=WARNING
run "before operations, no access line" "$BASE" ORDER_TAKING_LOG_LEVEL=WARNING
run "ops, limiter in the database" "$SRC" ORDER_TAKING_RATE_LIMIT_PER_SECOND=1000000 ORDER_TAKING_RATE_LIMIT_BURST=1000000
run "ops, limiter in Redis" "$SRC" ORDER_TAKING_RATE_LIMIT_PER_SECOND=1000000 ORDER_TAKING_RATE_LIMIT_BURST=1000000 \
    ORDER_TAKING_REDIS_URL="$REDIS_URL"
