#!/usr/bin/env bash
# `conform serve` under a long run keeps its memory flat: sends millions of
# requests with wrk in two mixes and samples the server's resident memory
# after each 10-second round.
#
#   bash bench/soak.sh            # ROUNDS=6 rounds of each mix (CREATE_ROUNDS for mix 2)
#
# Mix 1 (bench/soak.lua): BatchUpdateUser with a valid and an unknown user,
# an invalid one (21 items) and GetUser, on one account.
# Mix 2 (bench/soak-create.lua): creates accounts and users (256-character
# usernames) until the double's caps (100 accounts, 1,000 users each) and
# past them, deletes an account now and then so others are created, and
# pages through users.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-45662}
WORK=${WORK:-target/bench}
ROUNDS=${ROUNDS:-6}
CREATE_ROUNDS=${CREATE_ROUNDS:-$ROUNDS}
mkdir -p "$WORK"
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
cargo build --release -q
. bench/serve.sh
start_serve
rss() { awk '/VmRSS/{print $2}' "/proc/$SERVE/status"; }
echo "RSS after start-up: $(rss) KiB"
total=0
for round in $(seq "$ROUNDS"); do
  out=$(wrk -t2 -c16 -d10s -s bench/soak.lua "$BASE")
  n=$(awk '/requests in/{print $1}' <<<"$out")
  total=$((total + n))
  echo "mix 1, round $round: $n requests (total $total), RSS $(rss) KiB"
done
# Mix 2 runs as one wrk process, so that its threads keep the accounts they
# created from one round to the next; RSS is sampled every 10 seconds.
wrk -t2 -c16 -d$((CREATE_ROUNDS * 10))s -s bench/soak-create.lua "$BASE" > "$WORK/soak-create.out" &
WRK=$!
for round in $(seq "$CREATE_ROUNDS"); do
  sleep 10
  echo "mix 2, after $((round * 10)) s: RSS $(rss) KiB"
done
wait $WRK
n=$(awk '/requests in/{print $1}' "$WORK/soak-create.out")
total=$((total + n))
echo "mix 2: $n requests (total $total); $(grep '^accounts created' "$WORK/soak-create.out")"
echo "RSS at the end: $(rss) KiB"
[ "$total" -ge 1000000 ] || echo "warning: fewer than 1,000,000 requests were sent"
