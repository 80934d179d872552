#!/usr/bin/env bash
# Debian packages the project needs: Chromium for the browser tests, Pango for
# PDF generation (WeasyPrint), gettext for translations. Installs only what is missing.
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
ldconfig -p 2>/dev/null | grep -q libpango-1.0 || need+=(libpango-1.0-0 libpangoft2-1.0-0)
command -v msgfmt >/dev/null || need+=(gettext)
fc-list 2>/dev/null | grep -qi dejavu || need+=(fonts-dejavu-core)
# Fault tests (tests/reliability) and scripts/deploy_check.sh start their own PostgreSQL
# cluster (initdb/pg_ctl), redis-server and call psql and curl.
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v psql >/dev/null || need+=(postgresql-client)
command -v redis-server >/dev/null || need+=(redis-server)
command -v curl >/dev/null || need+=(curl)
# The scale-out check (scripts/scaleout_check.py) starts its own nginx and PgBouncer.
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null || need+=(nginx)
[ -x /usr/sbin/pgbouncer ] || command -v pgbouncer >/dev/null || need+=(pgbouncer)
[ ${#need[@]} -eq 0 ] && exit 0
echo "Installing Debian packages: ${need[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
