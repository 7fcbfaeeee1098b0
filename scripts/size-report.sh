#!/usr/bin/env bash
# Prints what a first visit costs, as tables for the README: every file of dist/ with its
# brotli size, the bytes a fresh phone moves through the served origin until the app and its
# service worker are up, and Lighthouse mobile on the start page; with --twiggy also the
# resident wasm's 20 largest items (twiggy top). Installs Lighthouse (npm) and twiggy (cargo)
# under target/tools when missing. Measures dist/ as built: run scripts/build-app.sh first.
#   scripts/size-report.sh [--twiggy]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
tools=$PWD/target/tools
[[ -f dist/precache.json ]] || { echo "size-report: dist/ is not built (scripts/build-app.sh)" >&2; exit 1; }
bin=${YANGLAO_SERVER_BIN:-$PWD/target/debug/yanglao-server}
[[ -x $bin ]] || cargo build --quiet -p yanglao-server --bin yanglao-server

if [[ ! -x $tools/lighthouse/node_modules/.bin/lighthouse ]]; then
    echo "installing lighthouse@12.2.3 into target/tools/lighthouse (npm)…" >&2
    npm install --silent --no-audit --no-fund --prefix "$tools/lighthouse" lighthouse@12.2.3 >&2
fi
YANGLAO_SERVER_BIN=$bin LIGHTHOUSE=$tools/lighthouse/node_modules/.bin/lighthouse \
    node tests/e2e/size-report.mjs

if [[ ${1:-} == --twiggy ]]; then
    if [[ ! -x $tools/twiggy/bin/twiggy ]]; then
        echo "installing twiggy 0.8.0 into target/tools/twiggy (cargo install)…" >&2
        CARGO_TARGET_DIR=$PWD/target/tool-build cargo install --quiet --locked --root "$tools/twiggy" \
            twiggy --version 0.8.0 >&2
    fi
    # The resident wasm before wasm-opt keeps its function names (target/app-build).
    echo
    echo "resident wasm (target/app-build, before wasm-opt), largest items:"
    "$tools/twiggy/bin/twiggy" top -n 20 target/app-build/yanglao-app/yanglao-app_bg.wasm
fi
