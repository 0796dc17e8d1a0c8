#!/bin/sh
# Entrypoint of the fleet-testbed/postgres image: the basics of the official postgres image's contract.
# POSTGRES_PASSWORD or POSTGRES_PASSWORD_FILE, POSTGRES_USER (postgres), POSTGRES_DB (= POSTGRES_USER),
# POSTGRES_INITDB_ARGS, POSTGRES_HOST_AUTH_METHOD (scram-sha-256), PGDATA (/var/lib/postgresql/data);
# /docker-entrypoint-initdb.d/*.sql and *.sh run once after initdb. SIGTERM (docker stop) and SIGINT → fast shutdown.
set -e
: "${PGDATA:=/var/lib/postgresql/data}"
export PGDATA

# file_env VAR [DEFAULT]: VAR from $VAR or the contents of the file named by ${VAR}_FILE.
file_env() {
  eval "val=\${$1:-}"
  eval "fval=\${$1_FILE:-}"
  if [ -n "$val" ] && [ -n "$fval" ]; then
    echo "error: both $1 and $1_FILE are set (but are exclusive)" >&2
    exit 1
  fi
  if [ -n "$fval" ]; then val=$(cat "$fval"); fi
  [ -n "$val" ] || val=${2:-}
  export "$1=$val"
  unset "$1_FILE"
}

if [ "${1#-}" != "${1:-}" ]; then set -- postgres "$@"; fi
if [ "${1:-}" != postgres ]; then exec "$@"; fi

file_env POSTGRES_PASSWORD
file_env POSTGRES_USER postgres
file_env POSTGRES_DB "$POSTGRES_USER"
file_env POSTGRES_INITDB_ARGS
: "${POSTGRES_HOST_AUTH_METHOD:=scram-sha-256}"

if [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" /var/run/postgresql
  find "$PGDATA" \! -user postgres -exec chown postgres:postgres '{}' +
  chmod 700 "$PGDATA"
  chown postgres:postgres /var/run/postgresql
  chmod 3777 /var/run/postgresql
  exec su -p -s /bin/sh -c 'exec "$0" "$@"' postgres "$0" "$@"
fi

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "$POSTGRES_PASSWORD" ] && [ "$POSTGRES_HOST_AUTH_METHOD" != trust ]; then
    echo "error: database is uninitialized and superuser password is not specified." >&2
    echo "  Set POSTGRES_PASSWORD or POSTGRES_PASSWORD_FILE (or POSTGRES_HOST_AUTH_METHOD=trust)." >&2
    exit 1
  fi
  pwfile=$(mktemp)
  printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  # shellcheck disable=SC2086
  initdb --username="$POSTGRES_USER" --pwfile="$pwfile" --auth-local=trust --auth-host="$POSTGRES_HOST_AUTH_METHOD" \
    --encoding=UTF8 --locale=C.UTF-8 $POSTGRES_INITDB_ARGS
  rm -f "$pwfile"
  printf '\nhost all all all %s\n' "$POSTGRES_HOST_AUTH_METHOD" >>"$PGDATA/pg_hba.conf"
  printf "\nlisten_addresses = '*'\n" >>"$PGDATA/postgresql.conf"

  initfiles=$(ls /docker-entrypoint-initdb.d/ 2>/dev/null || true)
  if [ "$POSTGRES_DB" != postgres ] || [ -n "$initfiles" ]; then
    pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p 5432" -w start
    if [ "$POSTGRES_DB" != postgres ]; then
      echo 'CREATE DATABASE :"db";' | psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres --set db="$POSTGRES_DB" -q
    fi
    for f in $initfiles; do
      case "$f" in
        *.sh) echo "running $f"; . "/docker-entrypoint-initdb.d/$f" ;;
        *.sql) echo "running $f"; psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" -q -f "/docker-entrypoint-initdb.d/$f" ;;
        *) echo "ignoring $f" ;;
      esac
    done
    pg_ctl -D "$PGDATA" -m fast -w stop
  fi
  echo 'PostgreSQL init process complete; ready for start up.'
fi
unset POSTGRES_PASSWORD

# postgres treats SIGTERM as a "smart" shutdown that waits for every client: turn it into a fast one.
"$@" &
pid=$!
trap 'kill -INT "$pid" 2>/dev/null || true' TERM INT
trap 'kill -QUIT "$pid" 2>/dev/null || true' QUIT
while :; do
  status=0
  wait "$pid" || status=$?
  kill -0 "$pid" 2>/dev/null || break
done
exit "$status"
