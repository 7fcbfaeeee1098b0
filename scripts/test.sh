#!/usr/bin/env bash
# Every test, in the order a failure is cheapest to find: formatting and lints; the shared
# crate (unit and property tests) and the server against SQLite and a real PostgreSQL started
# here; schemathesis fuzzing the API against its generated OpenAPI document; the shared crate
# built for wasm32 and the app's storage tests in headless Chromium; the release PWA build;
# and the end-to-end tests in Chromium against the real server.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
started=$(date +%s)
step() { printf '\n== %s (%ss)\n' "$1" $(($(date +%s) - started)); }

step "setup"
# shellcheck source=scripts/setup.sh
. scripts/setup.sh
wasm_env=$(wasm_env)
wasm() {
    # shellcheck disable=SC2086 # the route's VAR=value words, split on purpose
    env $wasm_env "$@"
}

step "format and lints"
cargo fmt --all --check
cargo clippy --all-targets --quiet -- -D warnings
wasm cargo clippy -p yanglao-app --target wasm32-unknown-unknown --all-targets --quiet -- -D warnings

step "PostgreSQL for the tests"
pg_start
trap pg_stop EXIT

step "shared and server tests (SQLite and PostgreSQL)"
YANGLAO_REQUIRE_PG=1 cargo test --quiet

step "schemathesis: the API against its OpenAPI document, as a payer and as a town center"
# The server binary cargo test just built, on SQLite; logs and reports in target/schemathesis/.
scripts/schemathesis.sh

step "wasm: shared builds, app storage tests in headless Chromium"
wasm cargo build -p yanglao-shared --target wasm32-unknown-unknown --quiet
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
    CHROMEDRIVER=/usr/bin/chromedriver \
    WASM_BINDGEN_TEST_TIMEOUT=120 \
    wasm cargo test -p yanglao-app --target wasm32-unknown-unknown

step "PWA release build, and a resident's first visit within its byte budget"
scripts/build-app.sh
scripts/size-budget.sh

step "end-to-end in headless Chromium"
# The server binary cargo test built for the integration tests (a plain `cargo build` would
# compile it again with other features and cost minutes).
test -x target/debug/yanglao-server
# A browser test that hangs fails here in ten minutes instead of holding CI to its limit.
YANGLAO_SERVER_BIN=$PWD/target/debug/yanglao-server YANGLAO_DIST=$PWD/dist \
    timeout 600 npm --prefix tests/e2e test

step "all tests passed"
