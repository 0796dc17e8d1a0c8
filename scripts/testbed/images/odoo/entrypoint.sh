#!/bin/sh
# Entrypoint of the fleet-testbed/odoo stand-in image: the official odoo image's contract.
# HOST, PORT, USER, PASSWORD (or PASSWORD_FILE, whose contents win) name the database server; values set in
# the config file ($ODOO_RC) win over them, as in the official image. The password reaches the server through
# the environment (PGPASSWORD, as libpq reads it), never through the command line.
set -e

if [ -n "${PASSWORD_FILE:-}" ]; then
  if ! PASSWORD="$(cat "$PASSWORD_FILE")"; then
    echo "entrypoint: cannot read PASSWORD_FILE $PASSWORD_FILE" >&2
    exit 1
  fi
fi
: "${HOST:=${DB_PORT_5432_TCP_ADDR:-db}}"
: "${PORT:=${DB_PORT_5432_TCP_PORT:-5432}}"
: "${USER:=${DB_ENV_POSTGRES_USER:-${POSTGRES_USER:-odoo}}}"
: "${PASSWORD:=${DB_ENV_POSTGRES_PASSWORD:-${POSTGRES_PASSWORD:-odoo}}}"

# True when the config file sets `$1 = …` (to something other than False).
in_config() {
  [ -r "${ODOO_RC:-}" ] || return 1
  value=$(sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*//p" "$ODOO_RC" | tail -n 1 | tr -d '\r')
  [ -n "$value" ] && [ "$value" != False ]
}

case "${1:-}" in
  -- | odoo)
    shift
    if [ "${1:-}" = scaffold ]; then exec odoo "$@"; fi
    ;;
  -*) ;;
  *) exec "$@" ;;
esac

in_config db_host || set -- "$@" --db_host "$HOST"
in_config db_port || set -- "$@" --db_port "$PORT"
in_config db_user || set -- "$@" --db_user "$USER"
in_config db_password || export PGPASSWORD="$PASSWORD"
unset PASSWORD

odoo wait-for-psql "$@" --timeout=30
exec odoo "$@"
