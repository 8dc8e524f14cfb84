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

# This machine is shared: rates drift by a third from one minute to the
# next. So each conform figure is the median of REPS runs, and its wrk
# reference is the mean of a 5-second wrk run just before and one just
# after those runs; the peak RSS is the largest of the runs.
REPS=${REPS:-5}
wrk_once() { wrk -t2 -c"$JOBS" -d5s -s bench/buu.lua "$BASE" | awk '/Requests\/sec/{print $2}'; }

measure() { # label N [env...]: runs conform on the N cases REPS times, prints rate and memory
  local label=$1 N=$2; shift 2
  local sign=() walls=() rss=0 w1 w2 wrk_rps
  [ "$label" = unsigned ] && sign=(--unsigned)
  w1=$(wrk_once)
  for _ in $(seq "$REPS"); do
    local start end
    start=$(date +%s.%N)
    env "$@" /usr/bin/time -f "%M" -o "$WORK/run-$N.time" "$BIN" run --quiet "${sign[@]}" --jobs "$JOBS" \
      --endpoint "$BASE" --var "account_id=$ACCOUNT" --var "user_id=$USER_ID" "$WORK/conform-$N" \
      > "$WORK/run-$N.out" || { cat "$WORK/run-$N.out"; exit 1; }
    end=$(date +%s.%N)
    walls+=("$(python3 -c "print(f'{$end - $start:.3f}')")")
    kib=$(cat "$WORK/run-$N.time")
    [ "$kib" -gt "$rss" ] && rss=$kib
  done
  w2=$(wrk_once)
  wrk_rps=$(python3 -c "print(round(($w1 + $w2) / 2))")
  local wall rps
  wall=$(printf '%s\n' "${walls[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  rps=$(python3 -c "print(round($N/$wall))")
  echo "conform run ($label), N=$N: median ${wall}s of ${walls[*]}, $rps requests/s = $(python3 -c "print(round($rps/$wrk_rps, 2))") x wrk ($wrk_rps: $w1 before, $w2 after); peak RSS $((rss / 1024)) MiB; $(tail -2 "$WORK/run-$N.out" | head -1)"
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
