# Sourced by bench/run.sh and bench/soak.sh: starts the release
# `conform serve` with the given flags on $PORT (stopped on exit) and
# provisions one account and one user, exported as ACCOUNT and USER_ID.
# Sets SERVE (the pid) and BASE.
start_serve() {
  target/release/conform serve --port "$PORT" "$@" > "$WORK/serve-$PORT.log" &
  SERVE=$!
  trap 'kill $SERVE 2>/dev/null || true' EXIT
  BASE="http://127.0.0.1:$PORT"
  for _ in $(seq 50); do curl -s -o /dev/null "$BASE/" && break; sleep 0.1; done
  local auth="AWS4-HMAC-SHA256 Credential=AKIDBENCH/20260101/us-east-1/chime/aws4_request, SignedHeaders=host;x-amz-date, Signature=$(printf '0%.0s' $(seq 64))"
  ACCOUNT=$(curl -s -X POST "$BASE/accounts" -H "authorization: $auth" -H 'x-amz-date: 20260101T000000Z' \
    -d '{"Name":"bench"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["Account"]["AccountId"])')
  USER_ID=$(curl -s -X POST "$BASE/accounts/$ACCOUNT/users?operation=create" -H "authorization: $auth" \
    -H 'x-amz-date: 20260101T000000Z' -d '{"Email":"bench@example.com"}' \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["User"]["UserId"])')
  export ACCOUNT USER_ID
}
