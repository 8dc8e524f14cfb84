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
target/release/conform serve --port "$PORT" > "$WORK/soak-serve.log" &
SERVE=$!
trap 'kill $SERVE 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break; sleep 0.1; done
BASE="http://127.0.0.1:$PORT"
AUTH="AWS4-HMAC-SHA256 Credential=AKIDBENCH/20260101/us-east-1/chime/aws4_request, SignedHeaders=host;x-amz-date, Signature=$(printf '0%.0s' $(seq 64))"
ACCOUNT=$(curl -s -X POST "$BASE/accounts" -H "authorization: $AUTH" -d '{"Name":"soak"}' \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["Account"]["AccountId"])')
USER_ID=$(curl -s -X POST "$BASE/accounts/$ACCOUNT/users?operation=create" -H "authorization: $AUTH" \
  -d '{"Email":"soak@example.com"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["User"]["UserId"])')
export ACCOUNT USER_ID
rss() { awk '/VmRSS/{print $2}' "/proc/$SERVE/status"; }
echo "RSS after start-up: $(rss) KiB"
total=0
for round in 1 2 3 4 5 6; do
  n=$(wrk -t2 -c16 -d10s -s bench/soak.lua "$BASE" | awk '/requests in/{print $1}')
  total=$((total + n))
  echo "round $round: $n requests (total $total), RSS $(rss) KiB"
done
[ "$total" -ge 200000 ] || echo "warning: fewer than 200,000 requests were sent"
