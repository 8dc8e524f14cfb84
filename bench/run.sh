#!/usr/bin/env bash
# conform's overhead against wrk and Hurl, on one machine in one run.
#
#   bash bench/run.sh            # N = 1,000 and 10,000
#
# Installs what it needs when missing (Debian's wrk and time; Hurl 8.0.1
# from crates.io with the Debian libraries it builds against), builds
# conform in release mode, starts `conform serve --no-auth` on loopback, and
# prints: wrk's request rate for the BatchUpdateUser POST; conform's rate and
# peak memory on N generated one-request cases, unsigned (the same work as
# wrk and Hurl) and signed with SigV4 (as against a real endpoint);
# `conform list` and `conform check` times on the 10,000 cases; Hurl's rate
# on the same requests with --parallel (HURL=0 skips Hurl: no install, no
# comparison with it).
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-16}
WORK=${WORK:-target/bench}
PORT=${PORT:-45661}
HURL=${HURL:-1}
mkdir -p "$WORK"

need=()
command -v wrk >/dev/null || need+=(wrk)
[ -x /usr/bin/time ] || need+=(time)
command -v curl >/dev/null || need+=(curl)
if [ "$HURL" = 1 ] && ! command -v hurl >/dev/null; then
  need+=(libclang-dev libcurl4-openssl-dev libxml2-dev pkg-config)
fi
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi
[ "$HURL" = 1 ] && { command -v hurl >/dev/null || cargo install --locked hurl@8.0.1; }

cargo build --release -q
BIN=target/release/conform

. bench/serve.sh
start_serve --no-auth

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; $(uname -sr)"
echo "conform $($BIN --version | awk '{print $2}'), wrk $(wrk -v 2>&1 | head -1 | awk '{print $2}')$([ "$HURL" = 1 ] && echo ", $(hurl --version | head -1)")"

wrk_rps=$(wrk -t2 -c"$JOBS" -d10s -s bench/buu.lua "$BASE" | awk '/Requests\/sec/{print $2}')
echo "wrk: $wrk_rps requests/s (2 threads, $JOBS connections, 10 s)"

measure() { # label N [env...]: runs conform on the N cases, prints rate and memory
  local label=$1 N=$2; shift 2
  local sign=()
  [ "$label" = unsigned ] && sign=(--unsigned)
  env "$@" /usr/bin/time -v "$BIN" run --quiet "${sign[@]}" --jobs "$JOBS" --endpoint "$BASE" \
    --var "account_id=$ACCOUNT" --var "user_id=$USER_ID" "$WORK/conform-$N" \
    > "$WORK/run-$N.out" 2> "$WORK/run-$N.time" || { cat "$WORK/run-$N.out"; exit 1; }
  local wall rss rps
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/{print $2}' "$WORK/run-$N.time" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  rss=$(awk -F': ' '/Maximum resident set size/{print $2}' "$WORK/run-$N.time")
  rps=$(python3 -c "print(round($N/$wall))")
  echo "conform run ($label), N=$N: ${wall}s, $rps requests/s = $(python3 -c "print(round($rps/$wrk_rps, 2))") x wrk; peak RSS $((rss / 1024)) MiB; $(tail -2 "$WORK/run-$N.out" | head -1)"
  LAST_RPS=$rps
}

for N in 1000 10000; do
  python3 bench/gen.py "$N" "$WORK" > /dev/null
  measure unsigned "$N" -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY
  unsigned_rps=$LAST_RPS
  measure "SigV4-signed" "$N" AWS_ACCESS_KEY_ID=AKIDBENCH AWS_SECRET_ACCESS_KEY=bench-secret AWS_REGION=us-east-1

  [ "$HURL" = 1 ] || continue
  start=$(date +%s.%N)
  hurl --test --parallel --jobs "$JOBS" --variable "base=$BASE" --variable "account_id=$ACCOUNT" \
    --variable "user_id=$USER_ID" "$WORK/hurl-$N"/*.hurl > "$WORK/hurl-$N.out" 2>&1 || { tail "$WORK/hurl-$N.out"; exit 1; }
  end=$(date +%s.%N)
  hurl_rps=$(python3 -c "print(round($N/($end-$start)))")
  echo "hurl --parallel, N=$N: $hurl_rps requests/s; conform (unsigned) = $(python3 -c "print(round($unsigned_rps/$hurl_rps, 2))") x Hurl"
done

for cmd in list check; do
  start=$(date +%s.%N)
  "$BIN" "$cmd" --var "account_id=$ACCOUNT" --var "user_id=$USER_ID" "$WORK/conform-10000" > /dev/null
  end=$(date +%s.%N)
  echo "conform $cmd, 10,000 cases: $(python3 -c "print(round($end-$start, 3))") s"
done
