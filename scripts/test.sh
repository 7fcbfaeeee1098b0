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

step "format"
cargo fmt --all --check

step "PostgreSQL for the tests"
pg_start
trap pg_stop EXIT

step "shared and server: built with clippy's lints, then tested (SQLite and PostgreSQL)"
# --all-targets builds the benchmarks too (linted, not run); the second command only runs.
linted cargo test --all-targets --no-run --quiet
YANGLAO_REQUIRE_PG=1 linted cargo test --quiet

step "schemathesis: the API against its OpenAPI document, as a payer and as a town center"
# The server binary cargo test just built, on SQLite; logs and reports in target/schemathesis/.
scripts/schemathesis.sh

step "wasm: the app and shared built with clippy's lints, the app's tests in headless Chromium"
wasm_linted cargo test -p yanglao-app --target wasm32-unknown-unknown --all-targets --no-run --quiet
wasm_linted cargo build -p yanglao-shared --target wasm32-unknown-unknown --quiet
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
    CHROMEDRIVER=/usr/bin/chromedriver \
    WASM_BINDGEN_TEST_TIMEOUT=120 \
    wasm_linted cargo test -p yanglao-app --target wasm32-unknown-unknown

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
