#!/usr/bin/env bash
# A throwaway PostgreSQL server for the database tests (examples/secretary against a real server).
#
#   eval "$(bash .ci/postgres.sh start)"   # initdb in a temp dir, start on 127.0.0.1, print the exports
#   npx vitest run test/examples           # the tests read PG_TEST_URL
#   bash .ci/postgres.sh stop              # stop it and remove the directory (reads PG_TEST_DIR)
#
# Uses Debian's `postgresql` package (.ci/run installs it when missing). PostgreSQL refuses to
# run as root, so as root the server runs as the `postgres` user the package creates.
set -euo pipefail

bin_dir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$dir" ] || [ ! -x "$dir/pg_ctl" ]; then
    echo "postgres.sh: PostgreSQL is not installed (apt-get install postgresql)" >&2
    exit 1
  fi
  echo "$dir"
}

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

case "${1:-}" in
  start)
    bin=$(bin_dir)
    dir=$(mktemp -d /tmp/voice-ai-pg.XXXXXX)
    chmod 755 "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    port=$(free_port)
    as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; exit 1; }
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c full_page_writes=off" start >/dev/null ||
      { cat "$dir/server.log" >&2; exit 1; }
    echo "export PG_TEST_URL=postgres://postgres@127.0.0.1:$port/postgres PG_TEST_DIR=$dir"
    ;;
  stop)
    dir="${2:-${PG_TEST_DIR:-}}"
    [ -n "$dir" ] && [ -d "$dir" ] || exit 0
    as_owner "$(bin_dir)/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
  *)
    echo "usage: eval \"\$(bash .ci/postgres.sh start)\"; ...; bash .ci/postgres.sh stop" >&2
    exit 2
    ;;
esac
