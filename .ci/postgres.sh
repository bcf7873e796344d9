#!/usr/bin/env bash
# Install (if missing) and start a throw-away PostgreSQL cluster on loopback; export its URL as
# KRAIN_TEST_DATABASE_URL. Sourced by .ci/run; safe to run by hand. Never fatal: without a
# server the PostgreSQL tests are skipped and say so.
pg_setup() {
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    if command -v apt-get >/dev/null 2>&1; then
      (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) || return 1
    else
      return 1
    fi
  fi
  local bin; bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  local dir=/tmp/krain-ci-pg port=55432
  if ! "$bin/pg_isready" -h 127.0.0.1 -p "$port" >/dev/null 2>&1; then
    rm -rf "$dir"; mkdir -p "$dir"; chown postgres:postgres "$dir" 2>/dev/null || true
    local run=(); [ "$(id -u)" = 0 ] && run=(su postgres -s /bin/bash -c)
    if [ ${#run[@]} -gt 0 ]; then
      su postgres -s /bin/bash -c "$bin/initdb -D $dir/data -A trust -U postgres >/dev/null" || return 1
      su postgres -s /bin/bash -c "$bin/pg_ctl -D $dir/data -o '-p $port -k $dir -c listen_addresses=127.0.0.1' -l $dir/log -w start >/dev/null" || return 1
    else
      "$bin/initdb" -D "$dir/data" -A trust -U postgres >/dev/null || return 1
      "$bin/pg_ctl" -D "$dir/data" -o "-p $port -k $dir -c listen_addresses=127.0.0.1" -l "$dir/log" -w start >/dev/null || return 1
    fi
  fi
  export KRAIN_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres"
  echo "PostgreSQL ready at $KRAIN_TEST_DATABASE_URL"
}
pg_setup || echo "PostgreSQL unavailable: its tests will be skipped"
