#!/usr/bin/env bash
# Every test, in the order a failure is cheapest to find: formatting; the shared crate (unit
# and property tests) and the server against SQLite and a real PostgreSQL started here, built
# with clippy's lints; schemathesis fuzzing the API against its generated OpenAPI document;
# the app and the shared crate built for wasm32 with clippy's lints, and the app's tests in
# headless Chromium; the release PWA build; and the end-to-end tests in Chromium against the
# real server.
#
# Clippy lints (-D warnings, all targets) inside the builds the tests need: clippy-driver is
# the compiler of the workspace's own crates (RUSTC_WORKSPACE_WRAPPER, what `cargo clippy`
# does), so the dependencies are compiled once instead of once more in check mode, which was
# most of a cold run. A lint fails the build like a compile error.
#
# Side by side: the wasm builds (the app's tests, shared, the release PWA) only compile, and the
# server tests and schemathesis mostly wait on disks and sockets, so the builds run in the
# background while those run (their output goes to target/test-logs/wasm-builds.log, shown
# when they end). The server tests run their binaries straight, not through `cargo test`,
# which would wait for the build directory the builds hold.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
started=$(date +%s)
step() { printf '\n== %s (%ss)\n' "$1" $(($(date +%s) - started)); }

step "setup"
# shellcheck source=scripts/setup.sh
. scripts/setup.sh
wasm_env=$(wasm_env)
lint_env="RUSTC_WORKSPACE_WRAPPER=clippy-driver CLIPPY_ARGS=-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"
linted() {
    # shellcheck disable=SC2086 # the VAR=value words, split on purpose
    env $lint_env "$@"
}
wasm_linted() {
    # shellcheck disable=SC2086 # the route's and the lints' VAR=value words, split on purpose
    env $wasm_env $lint_env "$@"
}
logs=target/test-logs
mkdir -p "$logs"

step "format"
cargo fmt --all --check

step "PostgreSQL for the tests"
pg_start
builds=""
stop_all() {
    # The background builds run in their own process group (set -m below): all of it goes.
    if [[ -n $builds ]]; then kill -- "-$builds" 2>/dev/null || true; fi
    pg_stop
}
trap stop_all EXIT

step "shared and server: built with clippy's lints"
# --all-targets builds the benchmarks too (linted, not run). The test executables (with the
# package folder each runs in, as cargo test would) are read from cargo's own report.
linted cargo test --all-targets --no-run --quiet --message-format=json-render-diagnostics \
    >"$logs/native-build.json"
python3 - "$logs/native-build.json" >"$logs/native-tests.txt" <<'PY'
import json, os, sys
for line in open(sys.argv[1]):
    m = json.loads(line)
    # A proc-macro crate's test binary links std dynamically and would not load when run
    # straight; json-derive has no tests of its own (its Cargo.toml), but --all-targets builds one.
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["profile"]["test"] \
            and "bench" not in m["target"]["kind"] and "proc-macro" not in m["target"]["kind"]:
        print(os.path.dirname(m["manifest_path"]), m["executable"])
PY
test -s "$logs/native-tests.txt"

step "wasm builds in the background: the app's tests and shared with clippy's lints, the release PWA"
set -m # its own process group, so that stop_all can end every compiler it started
(
    wasm_linted cargo test -p yanglao-app --target wasm32-unknown-unknown --all-targets --no-run --quiet
    wasm_linted cargo build -p yanglao-shared --target wasm32-unknown-unknown --quiet
    scripts/build-app.sh
) >"$logs/wasm-builds.log" 2>&1 &
builds=$!
set +m

step "shared and server tested (SQLite and PostgreSQL)"
while read -r dir exe; do
    (cd "$dir" && YANGLAO_REQUIRE_PG=1 "$exe" -q)
done <"$logs/native-tests.txt"

step "schemathesis: the API against its OpenAPI document, as a payer and as a town center"
# The server binary cargo test just built, on SQLite; logs and reports in target/schemathesis/.
scripts/schemathesis.sh

step "wasm builds ended"
if ! wait "$builds"; then
    builds=""
    cat "$logs/wasm-builds.log"
    echo "the wasm builds failed (above, and in $logs/wasm-builds.log)" >&2
    exit 1
fi
builds=""
cat "$logs/wasm-builds.log"

step "wasm: the app's tests in headless Chromium"
# The runner's timeout is for the whole suite (about 30 s here, twice that on a slower CI
# machine): ten minutes fails a hang without failing a slow host.
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
    CHROMEDRIVER=/usr/bin/chromedriver \
    WASM_BINDGEN_TEST_TIMEOUT=600 \
    wasm_linted cargo test -p yanglao-app --target wasm32-unknown-unknown

step "a resident's first visit within its byte budget"
scripts/size-budget.sh

step "end-to-end in headless Chromium"
# The server binary cargo test built for the integration tests (a plain `cargo build` would
# compile it again with other features and cost minutes).
test -x target/debug/yanglao-server
# A browser test that hangs fails here in fifteen minutes instead of holding CI to its limit;
# the suite took 210-350 s on this project's 2-core machines, and a slower CI host must pass.
YANGLAO_SERVER_BIN=$PWD/target/debug/yanglao-server YANGLAO_DIST=$PWD/dist \
    timeout 900 npm --prefix tests/e2e test

step "all tests passed"
