#!/usr/bin/env bash
# Generated cases against moto_server, as a report and not a gate: every
# documented constraint of Polly's PutLexicon and DescribeVoices, from the
# botocore model and one valid request each (examples/moto/generate/), run
# against moto_server by run.sh without a baseline. Prints the constraints
# moto does not enforce and exits 0 whatever they are; it exits non-zero
# only when the suite cannot be generated or run at all.
#
# Settings, all optional:
#   GENERATED_DIR         where the suite is written (target/moto-generated/polly)
#   GENERATED_REPORT_DIR  where the reports go (target/moto-generated-report)
#   CONFORM               the conform command (cargo run --quiet --)
set -euo pipefail
cd "$(dirname "$0")/../.."

out=${GENERATED_DIR:-target/moto-generated/polly}
reports=${GENERATED_REPORT_DIR:-target/moto-generated-report}
conform=${CONFORM:-cargo run --quiet --}

for op in PutLexicon DescribeVoices; do
  # shellcheck disable=SC2086 # $conform is a command with its arguments
  $conform generate --model examples/moto/polly/service-2.json.gz --operation "$op" \
    --request "examples/moto/generate/$op.json" --out "$out" >/dev/null
done

status=0
MOTO_SUITE="$out" MOTO_BASELINE="" MOTO_REPORT_DIR="$reports" bash examples/moto/run.sh --quiet "$@" || status=$?
if [ "$status" -gt 1 ]; then
  echo "the generated suite could not run (exit $status)" >&2
  exit "$status"
fi

python3 - "$reports/report.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
statements = report["coverage"]["statements"]
diverging = [s for s in statements if s["verdict"] == "diverges"]
print(f"moto_server does not enforce {len(diverging)} of {len(statements)} documented statements:")
for s in diverging:
    failed = [c["id"].split("::")[-1] for c in s["cases"] if c["outcome"] != "passed"]
    print(f"  {s['id']}: {s['text']} (failed: {', '.join(failed)})")
c = report["summary"]
print(f"cases: {c['passed']} passed, {c['failed']} failed, {c['errored']} errored (not a gate)")
PY
