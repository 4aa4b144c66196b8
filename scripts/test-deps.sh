#!/usr/bin/env bash
# Installs what the tests need beyond Go: Chromium for the browser tests.
# Idempotent: does nothing when everything is there.
set -euo pipefail

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)

if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "test-deps: missing ${need_apt[*]}; install with: sudo apt-get install -y ${need_apt[*]}" >&2
    exit 1
  fi
  echo "test-deps: installing ${need_apt[*]} (apt-get)" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
echo "test-deps: chromium $(chromium --version 2>/dev/null | awk '{print $2}')" >&2
