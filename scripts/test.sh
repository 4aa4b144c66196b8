#!/usr/bin/env bash
# Runs every test the way CI does: installs and starts what the tests need
# (Chromium, Elasticsearch), runs go test with the race detector, and stops
# the Elasticsearch it started (one that was already running is left alone).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/test-deps.sh

es_started=0
if ! bash scripts/elasticsearch.sh status >/dev/null 2>&1; then
  bash scripts/elasticsearch.sh up
  es_started=1
fi
stop_es() { if [ "$es_started" = 1 ]; then bash scripts/elasticsearch.sh down || true; fi; }
trap stop_es EXIT
export ES_URL="http://127.0.0.1:${ES_PORT:-9200}"

go test -race -shuffle=on -count=1 -timeout=25m ./...
