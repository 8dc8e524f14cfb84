#!/usr/bin/env bash
# `conform serve` under a long run keeps its memory flat: sends at least
# 200,000 requests (BatchUpdateUser with a valid and an unknown user, and
# invalid ones) with wrk and samples the server's resident memory.
#
#   bash bench/soak.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-45662}
WORK=${WORK:-target/bench}
mkdir -p "$WORK"
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
cargo build --release -q
. bench/serve.sh
start_serve
rss() { awk '/VmRSS/{print $2}' "/proc/$SERVE/status"; }
echo "RSS after start-up: $(rss) KiB"
total=0
for round in 1 2 3 4 5 6; do
  n=$(wrk -t2 -c16 -d10s -s bench/soak.lua "$BASE" | awk '/requests in/{print $1}')
  total=$((total + n))
  echo "round $round: $n requests (total $total), RSS $(rss) KiB"
done
[ "$total" -ge 200000 ] || echo "warning: fewer than 200,000 requests were sent"
