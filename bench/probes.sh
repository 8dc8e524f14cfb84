#!/usr/bin/env bash
# The probes of issue 24, end to end with the real binary: each one is a
# hostile response, model, case file, baseline or report, driven through
# the command line, timed and weighed, and its verdict checked.
#
#   bash bench/probes.sh                     # target/release/conform (built when missing)
#   BIN=/path/to/conform bash bench/probes.sh
#   ONLY='merge|baseline' bash bench/probes.sh   # the probes whose name matches
#
# Prints one line per probe:
#   NAME  WALL s  PEAK MiB  verdict-ok|WRONG  ok|OVER  [why]
# OVER: over 2 s, over 200 MiB, or stopped by its time limit (25 s; 10 s
# for the inputs that are not files). WRONG: the exit code or the report is
# not the right verdict (the last column says what was seen; the 150 bodies
# of 7.9 MB also show curl's time for the same transfer). Then a
# summary; the exit status is 1 when any probe is OVER or WRONG.
#
# Fixed inputs are in bench/probes/ (a service model, its contract, case
# files); the large ones (bodies up to 8 MB, 150-case and 40,000-case files,
# a 300,000-entry baseline, reports with 150,000 statements, a model of six
# levels) are written by bench/probes/gen.py into target/probes/ at every
# run. The responses come from bench/probes/hostile.py, a stdlib HTTP server
# on a free loopback port that logs every request (so a probe can tell
# that nothing was sent) and is stopped when the script exits. Every probe
# runs with at most MEM_LIMIT_MIB (3072) of address space, so that a
# runaway build cannot take the machine down with it.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
P=$ROOT/bench/probes
OUT=${OUT:-$ROOT/target/probes}
WALL_MAX=${WALL_MAX:-2}
MEM_MAX_MIB=${MEM_MAX_MIB:-200}
MEM_LIMIT_MIB=${MEM_LIMIT_MIB:-3072}
LIMIT=${LIMIT:-25}

if [ -z "${BIN:-}" ]; then
  BIN=target/release/conform
  [ -x "$BIN" ] || cargo build --release -q
fi
BIN=$(realpath "$BIN")
# Figures must not depend on the caller's shell: a backtrace on a panic costs
# a symbolizer's memory, and credentials would sign the unsigned suites.
unset RUST_BACKTRACE RUST_LIB_BACKTRACE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE
[ -x "$BIN" ] || { echo "no conform binary at $BIN" >&2; exit 2; }
[ -x /usr/bin/time ] || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time; }

rm -rf "$OUT/run" "$OUT/bodies" "$OUT/gen" "$OUT/check" "$OUT/merge" "$OUT/deep" "$OUT/base"
mkdir -p "$OUT/run"
python3 "$P/gen.py" "$OUT" "" inputs

# The hostile endpoint.
SERVER_PID=
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -f "$OUT/fifo"
}
trap cleanup EXIT
rm -f "$OUT/port" "$OUT/requests.log" "$OUT/server.log"
python3 "$P/hostile.py" "$OUT/routes.json" "$OUT/port" "$OUT/requests.log" --port "${PORT:-0}" --lifetime 900 \
  2>"$OUT/server.log" &
SERVER_PID=$!
for _ in $(seq 100); do [ -s "$OUT/port" ] && break; sleep 0.1; done
[ -s "$OUT/port" ] || { echo "the probe endpoint did not start" >&2; exit 2; }
URL=http://127.0.0.1:$(cat "$OUT/port")

# A report.json written by the binary under test, the model of the merge inputs.
"$BIN" run "$P/plain/ok.toml" --endpoint "$URL" --report-dir "$OUT/base" --quiet >/dev/null ||
  { echo "the binary under test cannot run a passing case against $URL" >&2; exit 2; }
python3 "$P/gen.py" "$OUT" "$OUT/base/report.json" merge
rm -f "$OUT/fifo"; mkfifo "$OUT/fifo"

# --- checks: each gets the exit code in $RC and the probe's folder in $D ---
# and sets WHY when the verdict is wrong.
WHY=
expect_rc() { # allowed exit codes...
  local c
  for c in "$@"; do [ "$RC" = "$c" ] && return 0; done
  WHY="exit $RC, expected ${*// /|}"
  return 1
}
# report EXPR: a Python expression over `r`, the probe's report.json, is true.
report() {
  local f=$D/report/report.json
  [ -f "$f" ] || { WHY="${WHY:+$WHY; }no report.json"; return 1; }
  if [ "$(stat -c %s "$f")" -gt $((256 * 1024 * 1024)) ]; then WHY="${WHY:+$WHY; }report.json over 256 MiB"; return 1; fi
  python3 -c "import json,sys; r=json.load(open(sys.argv[1])); sys.exit(0 if ($1) else 1)" "$f" 2>/dev/null ||
    { WHY="${WHY:+$WHY; }report: not $2"; return 1; }
}
# said REGEX: the output (stdout and stderr) matches, case-insensitively.
said() {
  grep -qiE -- "$1" "$D/stdout" "$D/stderr" || { WHY="${WHY:+$WHY; }output does not say /$1/"; return 1; }
}
not_said() {
  ! grep -qiE -- "$1" "$D/stdout" "$D/stderr" || { WHY="${WHY:+$WHY; }output says /$1/"; return 1; }
}
# A divergence of kind `shape` at PATH whose text matches WORD, in a failed case.
shape_at() {
  report "any(c['outcome']=='failed' and any(d['kind']=='shape' and d['path']=='$1' and '$2' in (d['message']+d['expected']).lower() for d in c['divergences']) for c in r['cases'])" \
    "a failed case with a shape divergence at $1 ($2)"
}
# A failed case with a divergence of kind `shape` at $SHAPE_PATH or below it.
check_shape_path() {
  expect_rc 1 && report "any(c['outcome']=='failed' and any(d['kind']=='shape' and d['path'].startswith('$SHAPE_PATH') for d in c['divergences']) for c in r['cases'])" \
    "a failed case with a shape divergence at $SHAPE_PATH"
}
check_fail() { expect_rc 1 && report "r['cases'][0]['outcome']=='failed'" "a failed case"; }
check_refused_load() { expect_rc 2; }
check_structure() {
  expect_rc 1 && report "any(d['path']=='\$.latestVersion' for c in r['cases'] for d in c['divergences'])" \
    'a divergence at $.latestVersion'
}
dir_under_mib() { # dir MiB
  local kib
  kib=$(du -sk "$1" 2>/dev/null | cut -f1)
  [ "${kib:-0}" -le $(($2 * 1024)) ] || { WHY="${WHY:+$WHY; }$1 holds $((kib / 1024)) MiB"; return 1; }
}
no_internal() { not_said '\(internal\)|panicked'; }
refused_not_file() { # merge and baseline given a FIFO or /dev/zero
  case $RC in 0 | 124 | 137) WHY="exit $RC, expected a refusal"; return 1 ;; esac
  said 'regular file|not a file'
}

check_timestamp() { expect_rc 1 && no_internal && shape_at '$.When' 'timestamp'; }
check_slotname() { expect_rc 1 && shape_at '$.Name' 'pattern'; }
check_s3bucket() { expect_rc 1 && shape_at '$.Bucket' 'pattern'; }
check_undocumented() { expect_rc 1 && shape_at '$.x0' 'not documented'; }
check_redaction() {
  expect_rc 0 || return 1
  if grep -rqE 'secret-0[0-9]{5}-value' "$D/report" "$D/stdout" "$D/stderr"; then
    WHY="a sensitive value reached the output"; return 1
  fi
}
check_pass() { expect_rc 0; }
check_for_each() {
  expect_rc 1 && said 'for_each|for each|more than [0-9]+ JSON values' &&
    report "r['cases'][0]['outcome'] in ('errored','failed')" "a case that errored or failed" || return 1
  local sent
  sent=$(grep -c '^GET /item' "$D/requests.log" || true)
  [ "$sent" -le 1000000 ] || { WHY="$sent requests sent for the for_each"; return 1; }
}
check_expect_json() {
  expect_rc 1 && report "r['cases'][0]['outcome'] in ('failed','errored')" "a failed or errored case" &&
    dir_under_mib "$D/report" 64
}
check_bodies() { expect_rc 0 && said '150 passed'; }
check_repeat() { expect_rc 2 && said 'repeat'; }
check_generate_deep() {
  case $RC in
    0) dir_under_mib "$D/out" 64 ;;
    124 | 137) WHY="exit $RC, expected a suite or a refusal"; return 1 ;;
    *) said 'cases' ;;
  esac
}
check_generate_slot() {
  expect_rc 0 || return 1
  [ -f "$D/out/suite.toml" ] || { WHY="no suite written"; return 1; }
}
check_baseline() { expect_rc 0 && report "r['cases'][0]['outcome']=='known'" "the case known"; }
check_errors() { expect_rc 2 && said 'undefined variable `nope0`' && said 'undefined variable `nope39999`|and [0-9,]+ more'; }
check_merge() {
  expect_rc 0 && report "len(r['coverage']['statements'])==150000" "150,000 statements merged"
}
check_empty_var() {
  expect_rc 1 2 || return 1
  if grep -q ' /things' "$D/requests.log"; then WHY="a request was sent: $(grep -m1 ' /things' "$D/requests.log")"; return 1; fi
  said 'empty'
}

# --- the probes ---
FAILS=0
printf '%-24s %8s %10s  %-10s %-4s  %s\n' probe wall peak verdict "" note
probe() { # NAME LIMIT_S CHECK COMMAND...
  local name=$1 limit=$2 check=$3
  shift 3
  [[ -z ${ONLY:-} || $name =~ $ONLY ]] || return 0
  D=$OUT/run/$name
  rm -rf "$D"
  mkdir -p "$D"
  local log_before
  log_before=$(wc -l <"$OUT/requests.log")
  RC=0
  (
    ulimit -v $((MEM_LIMIT_MIB * 1024))
    cd "$ROOT"
    exec /usr/bin/time -o "$D/time" -f '%e %M' timeout -k 2 "$limit" "$@"
  ) >"$D/stdout" 2>"$D/stderr" </dev/null || RC=$?
  tail -n +$((log_before + 1)) "$OUT/requests.log" >"$D/requests.log"
  local wall kib mib load=ok verdict=verdict-ok note=""
  read -r wall kib < <(tail -n 1 "$D/time" 2>/dev/null || echo "0 0")
  mib=$(awk -v k="${kib:-0}" 'BEGIN { printf "%.1f", k / 1024 }')
  WHY=
  if [ "$RC" = 124 ] || [ "$RC" = 137 ]; then
    load=OVER verdict=WRONG note="timed out after ${limit} s"
  else
    "$check" || { verdict=WRONG; note=$WHY; }
    if awk -v w="$wall" -v m="$mib" -v W="$WALL_MAX" -v M="$MEM_MAX_MIB" 'BEGIN { exit !(w > W || m > M) }'; then
      load=OVER
    fi
  fi
  if grep -qiE 'memory allocation .* failed|cannot allocate|out of memory' "$D/stderr"; then
    load=OVER note="${note:+$note; }hit the ${MEM_LIMIT_MIB} MiB address-space limit"
  fi
  [ -z "${REF_NOTE:-}" ] || note="${note:+$note; }$REF_NOTE"
  [ "$verdict" = verdict-ok ] && [ "$load" = ok ] || FAILS=$((FAILS + 1))
  printf '%-24s %6.2f s %6s MiB  %-10s %-4s  %s\n' "$name" "$wall" "$mib" "$verdict" "$load" "$note"
  RESULTS+=("$name $verdict $load")
}
RESULTS=()
# probe_run NAME CHECK ARGS...: `conform run` against the endpoint, reports in the probe's folder.
probe_run() {
  local name=$1 check=$2
  shift 2
  probe "$name" "$LIMIT" "$check" "$BIN" run --endpoint "$URL" --report-dir "$OUT/run/$name/report" "$@"
}

probe_run timestamp-non-ascii check_timestamp "$P/contract/timestamp.toml"
probe_run pattern-slotname check_slotname "$P/contract/slotname.toml"
probe_run pattern-s3bucket check_s3bucket "$P/contract/s3bucket.toml"
# Past the default --max-json-values (1,000,000; the count is one plus every `,`, `[` and `{`, so about
# 2,000,000 here): raised, so the duplicate scan itself is what is measured.
probe_run duplicate-key-scan check_pass --max-json-values 3000000 "$P/plain/duplicate-keys.toml"
probe_run undocumented-100k check_undocumented "$P/contract/undocumented.toml"
probe_run redaction-100k check_redaction "$P/contract/sensitive.toml"
probe_run unordered-5000 check_pass "$OUT/gen/unordered.toml"
probe_run for-each-3.9M check_for_each "$P/plain/for-each.toml"
probe_run expect-json-8MB check_expect_json "$P/plain/expect-json.toml"
# The endpoint alone takes a good part of the 2 s to send 1.2 GB on a shared
# machine: curl's time for the same 150 bodies, 16 at once, is printed beside.
BODIES_REF=
if command -v curl >/dev/null && [[ -z ${ONLY:-} || bodies-150x7.9MB =~ $ONLY ]]; then
  urls=()
  for _ in $(seq 150); do urls+=(-o /dev/null "$URL/big"); done
  t0=$(date +%s.%N)
  if curl -s -Z --parallel-max 16 "${urls[@]}" 2>/dev/null; then
    BODIES_REF="curl alone: $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }') s"
  fi
  unset urls t0
fi
REF_NOTE=$BODIES_REF probe_run bodies-150x7.9MB check_bodies "$OUT/gen/bodies.toml"
probe check-repeat-1500 "$LIMIT" check_repeat "$BIN" check "$OUT/check/repeat"
probe generate-6x6 "$LIMIT" check_generate_deep "$BIN" generate --model "$OUT/deep/model.json" --operation Put \
  --request "$OUT/deep/request.json" --out "$OUT/run/generate-6x6/out"
probe generate-slotname "$LIMIT" check_generate_slot "$BIN" generate --model "$P/contract/model.json" --operation PutSlot \
  --request "$OUT/deep/slot-request.json" --out "$OUT/run/generate-slotname/out"
probe_run baseline-300k check_baseline --baseline "$OUT/baseline300k.toml" "$P/plain/baseline.toml"
probe check-40k-errors "$LIMIT" check_errors "$BIN" check "$OUT/check/errors"
probe merge-150k-statements "$LIMIT" check_merge "$BIN" merge --out "$OUT/run/merge-150k-statements/report" \
  "$OUT/merge/a" "$OUT/merge/b"
probe merge-fifo 10 refused_not_file "$BIN" merge --out "$OUT/run/merge-fifo/report" "$OUT/fifo"
probe merge-dev-zero 10 refused_not_file "$BIN" merge --out "$OUT/run/merge-dev-zero/report" /dev/zero
probe baseline-fifo 10 refused_not_file "$BIN" baseline --out "$OUT/run/baseline-fifo/known.toml" "$OUT/fifo"
probe baseline-dev-zero 10 refused_not_file "$BIN" baseline --out "$OUT/run/baseline-dev-zero/known.toml" /dev/zero
probe baseline-out-fifo 10 refused_not_file "$BIN" baseline --out "$OUT/fifo" "$OUT/base"
probe_run empty-path-variable check_empty_var "$P/plain/empty-path-var.toml"
SHAPE_PATH='$.Small' probe_run integer-beyond-int32 check_shape_path --filter contract/numbers::int32 "$P/contract/numbers.toml"
SHAPE_PATH='$.Big' probe_run long-beyond-int64 check_shape_path --filter contract/numbers::int64 "$P/contract/numbers.toml"
SHAPE_PATH='$.Bounded' probe_run min-against-minus-1e40 check_shape_path --filter contract/numbers::min "$P/contract/numbers.toml"
SHAPE_PATH='$.Ratio' probe_run double-range check_shape_path --filter contract/numbers::float-range "$P/contract/numbers.toml"
SHAPE_PATH='$.Data' probe_run number-as-blob check_shape_path --filter contract/numbers::blob "$P/contract/numbers.toml"
SHAPE_PATH='$.Choice' probe_run union-two-members check_shape_path --filter contract/numbers::union "$P/contract/numbers.toml"
SHAPE_PATH='$.Labels' probe_run map-key-constraints check_shape_path --filter contract/numbers::map-key "$P/contract/numbers.toml"
probe_run not-gt-huge-exponent check_fail "$P/plain/not-gt.toml"
probe check-keyed-items-twice "$LIMIT" check_refused_load "$BIN" check "$P/keyed"
probe redaction-structure "$LIMIT" check_structure env -u AWS_SESSION_TOKEN AWS_ACCESS_KEY_ID=AKIDPROBE \
  AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1 "$BIN" run --endpoint "$URL" \
  --report-dir "$OUT/run/redaction-structure/report" "$P/signed/structure.toml"

echo
total=${#RESULTS[@]}
wrong=$(printf '%s\n' "${RESULTS[@]}" | grep -c ' WRONG ' || true)
over=$(printf '%s\n' "${RESULTS[@]}" | grep -c ' OVER$' || true)
echo "$total probes: $((total - FAILS)) right and within ${WALL_MAX} s and ${MEM_MAX_MIB} MiB; $wrong WRONG, $over OVER ($BIN)"
[ "$FAILS" = 0 ]
