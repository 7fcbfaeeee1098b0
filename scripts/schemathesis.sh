#!/usr/bin/env bash
# Fuzzes /api/v1 with schemathesis (from PyPI) against the server's own generated OpenAPI
# document: once with a payer's session and once with a town center's, so the staff routes are
# fuzzed too. Any 5xx, any answer whose body does not match its schema, and any status the
# document does not list fails the step.
#
#   scripts/schemathesis.sh             run (needs target/debug/yanglao-server: cargo test builds it)
#   scripts/schemathesis.sh --install   only install schemathesis (scripts/setup.sh calls this)
#
# The server runs on SQLite in a temporary folder on a free port, with the demo roster and its
# accounts and the sandbox bank, the clock inside the 2027 window. Its log, schemathesis's
# output and its JUnit report are kept in target/schemathesis/.
#   YANGLAO_SCHEMATHESIS_EXAMPLES=N   examples per operation and phase (default 50)
#   YANGLAO_SCHEMATHESIS_SEED=N       the seed (default: a new one each run, printed)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SCHEMATHESIS_VERSION=4.32.5
VENV=$ROOT/target/tools/schemathesis
ST=$VENV/bin/st

install_schemathesis() {
    if [[ -x $ST ]] && [[ $("$ST" --version 2>/dev/null) == *"$SCHEMATHESIS_VERSION"* ]]; then
        echo "ok: schemathesis $SCHEMATHESIS_VERSION (already installed)"
        return
    fi
    echo "installing: schemathesis $SCHEMATHESIS_VERSION (pip, into target/tools/schemathesis)"
    local log=$ROOT/target/setup-logs/schemathesis.log
    mkdir -p "${log%/*}"
    rm -rf "$VENV"
    if ! { python3 -m venv "$VENV" && "$VENV/bin/pip" install --disable-pip-version-check \
        "schemathesis==$SCHEMATHESIS_VERSION"; } >"$log" 2>&1; then
        tail -n 15 "$log" | sed 's/^/    | /' >&2
        echo "schemathesis: install failed (full log: $log)" >&2
        exit 1
    fi
}

if [[ ${1:-} == --install ]]; then
    install_schemathesis
    exit 0
fi
[[ $# -eq 0 ]] || { echo "usage: scripts/schemathesis.sh [--install]" >&2; exit 2; }

install_schemathesis
BIN=${YANGLAO_SERVER_BIN:-$ROOT/target/debug/yanglao-server}
[[ -x $BIN ]] || { echo "schemathesis: $BIN is missing (cargo test builds it)" >&2; exit 1; }
EXAMPLES=${YANGLAO_SCHEMATHESIS_EXAMPLES:-50}
SEED=${YANGLAO_SCHEMATHESIS_SEED:-$RANDOM$RANDOM}
OUT=$ROOT/target/schemathesis
mkdir -p "$OUT"
rm -f "$OUT"/*.log "$OUT"/*.txt "$OUT"/*.xml

work=$(mktemp -d)
server=""
# Under set -e a failing command here would replace the run's exit status with its own.
cleanup() {
    if [[ -n $server ]]; then
        kill "$server" 2>/dev/null || true
        wait "$server" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

db=sqlite://$work/yanglao.db
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
api=http://127.0.0.1:$port/api/v1
"$BIN" demo-roster --database-url "$db" --year 2027 >"$OUT/demo-roster.log" 2>&1 ||
    { echo "schemathesis: demo-roster failed (target/schemathesis/demo-roster.log)" >&2; exit 1; }
mkdir -p "$work/dist"
# Every request and its answer's status go to the log (tower_http at debug), for diagnosis.
NO_COLOR=1 RUST_LOG=info,sqlx=warn,tower_http=debug "$BIN" serve --bind "127.0.0.1:$port" --database-url "$db" --dist "$work/dist" \
    --clock-start 2027-03-01T09:00:00+08:00 --reconcile-secs 2 >"$OUT/server.log" 2>&1 &
server=$!
for _ in $(seq 100); do
    curl -sf "$api/health" >/dev/null && break
    kill -0 "$server" 2>/dev/null || { echo "schemathesis: the server died (target/schemathesis/server.log)" >&2; exit 1; }
    sleep 0.1
done

# A session token of the demo's accounts (accounts/demo.rs): `login MOBILE PASSWORD`.
login() {
    curl -sf -X POST "$api/sessions" -H 'content-type: application/json' \
        -d "{\"mobile\":\"$1\",\"password\":\"$2\"}" |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])'
}
payer=$(login 13800138000 yanglao2026)
town=$(login 13900000002 yanglao-staff)

echo "schemathesis $SCHEMATHESIS_VERSION against $api: $EXAMPLES examples per operation, seed $SEED"
status=0
for who in payer town; do
    token=${!who}
    started=$(date +%s)
    # DELETE /sessions would end the very session the run uses. One worker: with two,
    # hypothesis's source introspection raced (CPython's ast is not thread-safe) and the run
    # failed on a runtime error of its own; the 2 cores gain little from threads anyway.
    # From target/schemathesis/, where schemathesis keeps its own cache (.schemathesis/).
    if (cd "$OUT" && "$ST" run "$api/openapi.json" --url "$api" \
        --header "Authorization: Bearer $token" \
        --checks not_a_server_error,response_schema_conformance,status_code_conformance \
        --exclude-name "DELETE /sessions" \
        --max-examples "$EXAMPLES" --seed "$SEED" --workers 1 --no-color \
        --generation-database none \
        --report junit --report-junit-path "$OUT/junit-$who.xml" \
        >"$OUT/$who.txt" 2>&1); then
        result=passed
    else
        result=FAILED
        status=1
    fi
    cases=$(grep -Eo '[0-9]+ generated' "$OUT/$who.txt" | tail -n 1 || true)
    echo "  as the $who: $result, ${cases:-? generated} cases in $(($(date +%s) - started)) s (target/schemathesis/$who.txt)"
    if [[ $result == FAILED ]]; then
        if grep -q FAILURES "$OUT/$who.txt"; then
            sed -n '/FAILURES/,$p' "$OUT/$who.txt" | head -n 80
        else
            tail -n 40 "$OUT/$who.txt"
        fi
    fi
done
errors=$(grep -cE 'status=5[0-9]{2}| ERROR ' "$OUT/server.log" || true)
if ((errors)); then
    echo "schemathesis: $errors 5xx answers or errors in target/schemathesis/server.log" >&2
    status=1
fi
exit "$status"
