#!/usr/bin/env bash
# Gate a real emulator: runs the Polly suite (examples/moto/polly) against
# moto_server on loopback with the baseline of moto's known divergences
# (examples/moto/known.toml). Exits with conform's exit code: 0 when moto
# shows no divergence beyond the baseline and every entry still occurs.
#
# moto[server] is installed (once) into a virtual environment under
# target/. Settings, all optional:
#   MOTO_VENV        the virtual environment (target/moto-venv)
#   MOTO_SUITE       the suite to run (examples/moto/polly)
#   MOTO_BASELINE    the baseline file (examples/moto/known.toml; empty: none)
#   MOTO_REPORT_DIR  where the reports go (target/moto-report)
#   CONFORM          the conform command (cargo run --quiet --)
# Extra arguments are passed to `conform run`.
set -euo pipefail
cd "$(dirname "$0")/../.."

MOTO_VERSION=5.2.5
venv=${MOTO_VENV:-target/moto-venv}
suite=${MOTO_SUITE:-examples/moto/polly}
baseline=${MOTO_BASELINE-examples/moto/known.toml}
reports=${MOTO_REPORT_DIR:-target/moto-report}
conform=${CONFORM:-cargo run --quiet --}

if ! "$venv/bin/python" -c "import moto, flask, sys; sys.exit(moto.__version__ != '$MOTO_VERSION')" 2>/dev/null; then
  echo "installing moto[server]==$MOTO_VERSION into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION"
fi

port=$("$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p target
log=target/moto-server.log
"$venv/bin/moto_server" -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
moto=$!
trap 'kill "$moto" 2>/dev/null || true; wait "$moto" 2>/dev/null || true' EXIT

# Wait for it, at most 30 s.
for _ in $(seq 1 150); do
  if "$venv/bin/python" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/moto-api/', timeout=1)" 2>/dev/null; then
    break
  fi
  if ! kill -0 "$moto" 2>/dev/null; then
    echo "moto_server exited early:" >&2
    cat "$log" >&2
    exit 1
  fi
  sleep 0.2
done

# moto accepts any credentials; the suite signs its requests (SigV4, polly).
export AWS_ACCESS_KEY_ID=moto-test AWS_SECRET_ACCESS_KEY=moto-test
unset AWS_SESSION_TOKEN AWS_REGION
status=0
# shellcheck disable=SC2086 # $conform is a command with its arguments
baseline_args=()
if [ -n "$baseline" ]; then baseline_args=(--baseline "$baseline"); fi
timeout 300 $conform run --endpoint "http://127.0.0.1:$port" "${baseline_args[@]}" \
  --report-dir "$reports" "$@" "$suite" || status=$?
exit "$status"
