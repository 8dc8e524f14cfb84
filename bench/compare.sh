#!/usr/bin/env bash
# Two builds of conform, side by side: interleaved runs of the same
# 10,000 one-request cases against one `conform serve --no-auth`.
#
#   bash bench/compare.sh OLD_BINARY NEW_BINARY
#
# This machine's request rate drifts from minute to minute, so the two
# builds take turns (old, new, old, new, ...) and each figure is the
# median of REPS runs; the wall-clock ratio new/old is what to read.
# Prints, for unsigned and SigV4-signed runs: each build's median wall
# time, its peak RSS, and the ratio. The server is the release build of
# this tree (built when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
OLD=$(realpath "$1")
NEW=$(realpath "$2")
N=${N:-10000}
JOBS=${JOBS:-16}
REPS=${REPS:-7}
WORK=${WORK:-target/bench}
PORT=${PORT:-45662}
mkdir -p "$WORK"
[ -x /usr/bin/time ] || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time curl; }
[ -x target/release/conform ] || cargo build --release -q

. bench/serve.sh
start_serve --no-auth
python3 bench/gen.py "$N" "$WORK" > /dev/null

one() { # binary label -> prints "wall_seconds peak_kib"
  local bin=$1 label=$2 sign=() envs=(-u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY)
  if [ "$label" = unsigned ]; then sign=(--unsigned); else
    envs=(AWS_ACCESS_KEY_ID=AKIDBENCH AWS_SECRET_ACCESS_KEY=bench-secret AWS_REGION=us-east-1); fi
  local start end
  start=$(date +%s.%N)
  env "${envs[@]}" /usr/bin/time -f "%M" -o "$WORK/compare.time" "$bin" run --quiet "${sign[@]}" --jobs "$JOBS" \
    --endpoint "$BASE" --var "account_id=$ACCOUNT" --var "user_id=$USER_ID" "$WORK/conform-$N" \
    > "$WORK/compare.out" || { cat "$WORK/compare.out"; exit 1; }
  end=$(date +%s.%N)
  echo "$(python3 -c "print(f'{$end - $start:.3f}')") $(cat "$WORK/compare.time")"
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "machine: $(nproc) cores; N=$N, jobs=$JOBS, $REPS interleaved runs each"
for label in unsigned signed; do
  old_w=() new_w=() old_m=0 new_m=0
  for _ in $(seq "$REPS"); do
    read -r w m < <(one "$OLD" "$label"); old_w+=("$w"); [ "$m" -gt "$old_m" ] && old_m=$m
    read -r w m < <(one "$NEW" "$label"); new_w+=("$w"); [ "$m" -gt "$new_m" ] && new_m=$m
  done
  o=$(printf '%s\n' "${old_w[@]}" | median)
  n=$(printf '%s\n' "${new_w[@]}" | median)
  echo "$label: old median ${o}s (${old_w[*]}), peak $((old_m / 1024)) MiB;" \
    "new median ${n}s (${new_w[*]}), peak $((new_m / 1024)) MiB; new/old $(python3 -c "print(round($n/$o, 3))")"
done
