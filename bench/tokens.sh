#!/usr/bin/env bash
# Line detail's req/s with an opaque token and with a built-in JWT, side by side, same server:
# one process on PostgreSQL, on a free port, wrk ROUNDS rounds of each (alternated).
# usage: bash bench/tokens.sh   (BENCH_ADMIN_URL, BENCH_SECONDS, BENCH_ROUNDS, BENCH_CONNECTIONS)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
ADMIN_URL=${BENCH_ADMIN_URL:-postgresql://postgres@127.0.0.1:5432/test}
SECONDS_EACH=${BENCH_SECONDS:-10}
ROUNDS=${BENCH_ROUNDS:-3}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
SCRATCH=order_taking_tokens_bench
export ORDER_TAKING_DATABASE_URL="${ADMIN_URL%/*}/$SCRATCH"
export ORDER_TAKING_ACCESS_TOKEN_SECONDS=3600 ORDER_TAKING_EMBEDDED_WORKER=false
export ORDER_TAKING_LOG_LEVEL=WARNING

source bench/scratch_database.sh

admin "DROP DATABASE IF EXISTS $SCRATCH WITH (FORCE)"
admin "CREATE DATABASE $SCRATCH"
"$BIN/order-taking" migrate >/dev/null
opaque=$("$BIN/order-taking" clients create BN001 | tail -n 1)
password=$("$BIN/order-taking" clients password BN001 | tail -n 1)
port=$("$BIN/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
"$BIN/order-taking" serve --port "$port" >/dev/null 2>&1 &
server=$!
until curl -s -o /dev/null "$base/openapi.json"; do sleep 0.2; done

json() { "$BIN/python" -c "import json, sys; print(json.load(sys.stdin)[sys.argv[1]])" "$1"; }
session=$(curl -s -X POST "$base/api/v1/product_order" -H "Authorization: Bearer $opaque" \
    -H 'Content-Type: application/json' -d '{"external_id": "bench"}' | json id)
line=$(curl -s -X POST "$base/api/v1/product_order/$session/product_order_item" \
    -H "Authorization: Bearer $opaque" -H 'Content-Type: application/json' \
    -d @bench/line_body.json | json id)
jwt=$(curl -s -X POST "$base/auth/realms/order-taking/protocol/openid-connect/token" \
    -d grant_type=password -d client_id=api-client -d username=BN001 \
    --data-urlencode "password=$password" | json access_token)
url="$base/api/v1/product_order_item/$line/"
for token in "$opaque" "$jwt"; do  # both answer the line, or the figures mean nothing
    test "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$url")" = 200
done

rps() { wrk -t1 -c"$CONNECTIONS" -d"${SECONDS_EACH}s" -H "Authorization: Bearer $1" "$url" \
    | awk '/Requests\/sec/ {print $2}'; }
wrk -t1 -c"$CONNECTIONS" -d2s -H "Authorization: Bearer $opaque" "$url" >/dev/null  # warm-up
opaque_rps=() jwt_rps=()
for round in $(seq "$ROUNDS"); do
    opaque_rps+=("$(rps "$opaque")")
    jwt_rps+=("$(rps "$jwt")")
    echo "round $round: opaque ${opaque_rps[-1]} req/s, JWT ${jwt_rps[-1]} req/s"
done
median() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
echo "median of $ROUNDS rounds: opaque $(median "${opaque_rps[@]}") req/s, JWT $(median "${jwt_rps[@]}") req/s"
