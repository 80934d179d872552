#!/usr/bin/env bash
# Follows README "Deployment on PostgreSQL" literally on a clean database, on loopback:
# the settings file of docs/deploy/ (local values), make install, migrate,
# collectstatic, createsuperuser, the first municipality, then the three processes
# started with the ExecStart lines of the systemd units in docs/deploy/. Checks health,
# readiness, a page of the town with versioned static files, metrics protection, and
# that the worker sends a queued e-mail. Leaves nothing running. ~1-2 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
APP=$(pwd)
ADMIN_URL=${DEPLOY_CHECK_ADMIN_URL:-postgresql://postgres@127.0.0.1:5432/postgres}
DB="rathaus_deploy_check_$$"
WORK=$(mktemp -d)
PIDS=()

cleanup() {
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && wait "$pid" 2>/dev/null || true; done
  psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "deploy check FAILED: $*"; for f in "$WORK"/*.log; do echo "--- $f"; tail -20 "$f"; done; exit 1; }

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
psql "$ADMIN_URL" -qc "CREATE DATABASE $DB" >/dev/null

# 1. the settings file, with local values instead of the example's
sed -e "s|^DATABASE_URL=.*|DATABASE_URL=postgres://postgres@127.0.0.1:5432/$DB|" \
    -e "s|^STATIC_ROOT=.*|STATIC_ROOT=$WORK/static|" \
    -e "s|^MEDIA_ROOT=.*|MEDIA_ROOT=$WORK/media|" \
    -e "s|^PROMETHEUS_MULTIPROC_DIR=.*|PROMETHEUS_MULTIPROC_DIR=$WORK/metrics|" \
    -e "s|^REDIS_URL=.*|REDIS_URL=|" \
    -e "s|^EMAIL_BACKEND=.*|EMAIL_BACKEND=file|" \
    -e "s|^METRICS_TOKEN=.*|METRICS_TOKEN=deploy-check-token|" \
    -e "s|^SECRET_KEY=.*|SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')|" \
    docs/deploy/rathaus.env.example > "$WORK/rathaus.env"
echo "GUNICORN_BIND=127.0.0.1:$PORT" >> "$WORK/rathaus.env"
echo "GUNICORN_WORKERS=2" >> "$WORK/rathaus.env"
echo "SECURE_SSL_REDIRECT=0" >> "$WORK/rathaus.env"   # no TLS proxy on loopback
echo "RATHAUS_VAR_DIR=$WORK/var" >> "$WORK/rathaus.env"
set -a; . "$WORK/rathaus.env"; set +a

# 2. install, tables, static files, superuser
make install >/dev/null
.venv/bin/rathaus migrate --noinput -v 0
.venv/bin/rathaus collectstatic --noinput -v 0
DJANGO_SUPERUSER_PASSWORD=deploy-check-secret .venv/bin/rathaus createsuperuser --noinput \
  --email root@musterstadt.de >/dev/null
# The first municipality, as the README shows
.venv/bin/rathaus create_first_municipality --slug musterstadt --name Musterstadt \
  --ags 12099999 --land BB --host www.musterstadt.de >/dev/null

# 3. the processes, started with the units' own ExecStart lines
start_unit() {
  local unit=$1 command
  command=$(sed -n 's|^ExecStart=||p' "docs/deploy/$unit.service" | sed "s|/srv/rathaus/app|$APP|g")
  (cd "$APP" && exec $command) > "$WORK/$unit.log" 2>&1 &
  PIDS+=($!)
}
start_unit rathaus-web
start_unit rathaus-worker
start_unit rathaus-scheduler

curl_code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
for _ in $(seq 1 120); do
  [ "$(curl_code "http://127.0.0.1:$PORT/healthz")" = 200 ] && break
  sleep 0.5
done
[ "$(curl_code "http://127.0.0.1:$PORT/healthz")" = 200 ] || fail "/healthz"
[ "$(curl_code "http://127.0.0.1:$PORT/readyz")" = 200 ] || fail "/readyz: $(curl -s "http://127.0.0.1:$PORT/readyz")"

HOST=(-H "Host: www.musterstadt.de" -H "X-Forwarded-Proto: https")
page=$(curl -s "${HOST[@]}" "http://127.0.0.1:$PORT/")
grep -q "Musterstadt" <<<"$page" || fail "start page of the town"
css=$(echo "$page" | grep -o '/static/rathaus/css/app\.[0-9a-f]\{12\}\.css' | head -1)
[ -n "$css" ] || fail "no versioned static file name on the start page"
[ "$(curl_code "${HOST[@]}" "http://127.0.0.1:$PORT$css")" = 200 ] || fail "static file $css"

[ "$(curl_code -H 'X-Forwarded-For: 203.0.113.9' "http://127.0.0.1:$PORT/metrics")" = 404 ] \
  || fail "/metrics open to proxied requests without the token"
# Read the whole answer first: `curl | grep -q` fails under pipefail when grep stops early
# and curl gets SIGPIPE on a long answer (seen once in CI).
metrics=$(curl -s -H "Authorization: Bearer deploy-check-token" -H 'X-Forwarded-For: 203.0.113.9' \
  "http://127.0.0.1:$PORT/metrics")
grep -q rathaus_http_requests_total <<<"$metrics" || fail "/metrics"

# the worker sends a queued e-mail; the links in e-mails use the configured base URL
.venv/bin/rathaus shell -c "from rathaus.applications.tasks import send_email; send_email.enqueue('a@example.org', 'Deploy-Check', 'Link: ' + __import__('django.conf').conf.settings.RATHAUS_PUBLIC_BASE_URL + '/')"
for _ in $(seq 1 60); do
  grep -rqs "Deploy-Check" "$WORK/var/mail" && break
  sleep 0.5
done
grep -rqs "Deploy-Check" "$WORK/var/mail" || fail "the worker did not send the queued e-mail"
grep -rqs "https://www.musterstadt.de/" "$WORK/var/mail" || fail "base URL not https://www.musterstadt.de"
grep -q '"logger": "gunicorn.access"' "$WORK/rathaus-web.log" || fail "no JSON access log"
echo "deploy check passed (database $DB, port $PORT)"
