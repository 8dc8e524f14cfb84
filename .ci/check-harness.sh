#!/usr/bin/env bash
# Checks the cargo test harness against the CLI:
#  1. `cargo test --test conformance -- --list` lists exactly `conform list`;
#  2. `cargo nextest run --partition count:K/3` for K = 1..3 runs every case
#     exactly once, and passes.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cargo run -q -- list | sort > "$tmp/cli"
cargo test -q --test conformance -- --list 2>/dev/null | sed -n 's/: test$//p' | sort > "$tmp/libtest"
if ! diff -u "$tmp/cli" "$tmp/libtest"; then
  echo "FAIL: cargo test --list and conform list differ" >&2
  exit 1
fi
echo "ok: cargo test --test conformance -- --list lists the $(wc -l < "$tmp/cli") ids of conform list"

: > "$tmp/partitions"
for k in 1 2 3; do
  cargo nextest list --test conformance --partition "count:$k/3" --message-format oneline 2>/dev/null \
    | awk '{print $2}' >> "$tmp/partitions"
  cargo nextest run --test conformance --partition "count:$k/3" --no-fail-fast 2>&1 | tail -n 3
done
sort "$tmp/partitions" > "$tmp/partitions.sorted"
if ! diff -u "$tmp/cli" "$tmp/partitions.sorted"; then
  echo "FAIL: the 3 nextest partitions do not hold every case exactly once" >&2
  exit 1
fi
echo "ok: 3 nextest partitions hold the $(wc -l < "$tmp/cli") cases exactly once"
