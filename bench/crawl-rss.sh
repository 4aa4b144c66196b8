#!/usr/bin/env bash
# Measures the peak memory (max RSS) and the speed of one crawl of each
# simulated site by the adwatch binary: `adwatch crawl --site FILE --once
# --out FILE` against the simulator (cmd/simsites) on loopback, politeness delays off (the
# shipped sim configs have delay: 0s).
#
#   bash bench/crawl-rss.sh [ADS]     # ADS per site, default 2000
set -euo pipefail
cd "$(dirname "$0")/.."
ads=${1:-2000}
tmp=$(mktemp -d)
trap 'kill "$sim_pid" 2>/dev/null || true; wait "$sim_pid" 2>/dev/null || true; rm -rf "$tmp"' EXIT
go build -o "$tmp/adwatch" ./cmd/adwatch
go build -o "$tmp/simsites" ./cmd/simsites
"$tmp/simsites" --ads "$ads" --addr-rosa 127.0.0.1:0 --addr-nattelys 127.0.0.1:0 >"$tmp/urls" 2>"$tmp/sim.log" &
sim_pid=$!
for _ in $(seq 100); do
  [ "$(wc -l <"$tmp/urls")" -ge 2 ] && break
  sleep 0.1
done
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
for site in sim-rosa sim-nattelys; do
  url=$(awk -v s="$site" '$1 == s {print $2}' "$tmp/urls")
  sed -e "s|^base_url:.*|base_url: $url|" -e "s|^max_pages:.*|max_pages: 100000|" "configs/sites/$site.yaml" >"$tmp/$site.yaml"
  echo "max_ad_pages: 1000000" >>"$tmp/$site.yaml"
  start=$(date +%s.%N)
  /usr/bin/time -f "%M" -o "$tmp/rss" "$tmp/adwatch" crawl --site "$tmp/$site.yaml" --once --out "$tmp/$site.jsonl" --log-level warn
  end=$(date +%s.%N)
  n=$(wc -l <"$tmp/$site.jsonl")
  python3 - "$site" "$n" "$start" "$end" "$(cat "$tmp/rss")" <<'PY'
import sys
site, n, start, end, rss = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
secs = end - start
print(f"{site}: {n} ads in {secs:.2f}s ({n/secs:.0f} ads/s), max RSS {rss/1024:.1f} MiB")
PY
done
