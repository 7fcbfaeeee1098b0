#!/usr/bin/env bash
# Builds the PWA into dist/ (release: opt-level z, LTO, wasm-opt) and precompresses every text
# and wasm file with brotli and gzip, which the server then serves by Accept-Encoding.
# Expects scripts/setup.sh to have run (the README commands do that).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# trunk and wasm-bindgen (cargo install) and wasm-opt (npm binaryen, see setup.sh) first.
PATH=$PWD/target/tools/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH

echo "building the PWA (trunk, release)…"
wasm_env=$(scripts/setup.sh --wasm-env)
# shellcheck disable=SC2086 # the route's VAR=value words, split on purpose
env $wasm_env trunk build --release --offline
find dist -type f \( -name '*.wasm' -o -name '*.js' -o -name '*.css' -o -name '*.html' \
    -o -name '*.json' -o -name '*.webmanifest' -o -name '*.svg' \) -print0 |
    while IFS= read -r -d '' file; do
        brotli -f -q 11 -k "$file"
        gzip -f -9 -k "$file"
    done
echo "PWA built into dist/"
