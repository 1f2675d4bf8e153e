# Sourced by the benchmarks: `admin SQL` on $ADMIN_URL; the scratch database $SCRATCH and the
# server process $server are dropped and stopped when the script exits.
admin() { "$BIN/python" -c "
import asyncio, asyncpg, sys
async def run():
    connection = await asyncpg.connect(sys.argv[1])
    await connection.execute(sys.argv[2])
    await connection.close()
asyncio.run(run())" "$ADMIN_URL" "$1"; }

server=""
cleanup() {
    if [ -n "$server" ]; then
        kill "$server" 2>/dev/null || true
        wait "$server" 2>/dev/null || true
    fi
    admin "DROP DATABASE IF EXISTS $SCRATCH WITH (FORCE)"
}
trap cleanup EXIT
