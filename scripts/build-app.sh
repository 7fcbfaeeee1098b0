#!/usr/bin/env bash
# Builds the PWA into dist/, without Trunk (whose install alone was five minutes of a cold CI
# run, for what is these few steps):
#   1. cargo builds the app's two binaries for wasm32 (profile wasm-release: opt-level z, LTO,
#      std built with them for size, see size_flags):
#      yanglao-app, the resident bundle every visitor loads, and yanglao-full, which adds the
#      staff screens, applications and receipt verification (see app/src/app.rs);
#   2. wasm-bindgen writes each one's JS glue, wasm-opt (-Os around --flatten --rereloop)
#      shrinks each wasm and gives its imports and exports short names, which the glue then
#      uses (scripts/short-wasm-names.py);
#      esbuild minifies that glue, and below the stylesheet and the worker (their sources
#      stay readable in the repository);
#   3. every build output gets its content hash in its name (immutable, cached for a year);
#   4. app/index.html becomes dist/index.html with those names and sizes filled in, minified
#      (scripts/minify-page.py);
#   5. precache.json lists what the service worker keeps, and sw.js is stamped with the
#      build's id, so every deploy is a byte-different sw.js and browsers offer the update;
#   6. every text and wasm file is precompressed with brotli and gzip (the server serves
#      them by Accept-Encoding).
# Expects scripts/setup.sh to have run (the README commands do that).
#   scripts/build-app.sh            release build into dist/
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# wasm-bindgen (cargo install) and wasm-opt (npm binaryen, see setup.sh).
PATH=$PWD/target/tools/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH

bins=(yanglao-app yanglao-full)
profile=wasm-release
stage=target/app-build
out=dist

# Size over everything, for the release wasm only (the tests' builds keep the plain flags): std
# compiled here with its optimize_for_size algorithms; a panic is a trap with no message
# (immediate-abort: no hook was ever set, so the message went nowhere, and its formatting
# was code every visitor loaded); no file:line text for panics, and `{:?}` prints nothing
# (the app shows people Display text only). Together 20.5 KB of the resident wasm's brotli
# bytes. These are unstable flags on the stable compiler (RUSTC_BOOTSTRAP), so a toolchain
# update may rename one; setup.sh installs rust-src, the std source they need.
size_flags="--cfg erase_components -Zunstable-options -Cpanic=immediate-abort"
size_flags+=" -Zlocation-detail=none -Zfmt-debug=none"

echo "building the PWA (${bins[*]}, $profile)…"
wasm_env=$(scripts/setup.sh --wasm-env)
# shellcheck disable=SC2086 # the route's VAR=value words, split on purpose
env $wasm_env RUSTC_BOOTSTRAP=1 CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="$size_flags" \
    cargo build --quiet -p yanglao-app --target wasm32-unknown-unknown --profile "$profile" \
    -Zbuild-std=std,panic_abort -Zbuild-std-features=optimize_for_size "${bins[@]/#/--bin=}"

rm -rf "$stage" "$out"
mkdir -p "$stage" "$out"

# name-<16 hex of sha256>.ext, the form the server's cache rules treat as immutable.
hashed() {
    local file=$1 stem=$2 ext=$3 hash
    hash=$(sha256sum "$file" | cut -c1-16)
    cp "$file" "$out/$stem-$hash$ext"
    echo "/$stem-$hash$ext"
}
brotli_size() { brotli -c -q 11 "$1" | wc -c; }

declare -A url raw br
for bin in "${bins[@]}"; do
    wasm-bindgen --target web --no-typescript --out-dir "$stage/$bin" --out-name "$bin" \
        "target/wasm32-unknown-unknown/$profile/$bin.wasm"
    # The two features newer Rust emits, which wasm-opt must be told it may keep. -Os around
    # flatten + rereloop (control flow rebuilt from scratch), twice, then -Os once more, left
    # the fewest brotli bytes of the pass lists tried on this app: 6 KB under -Oz alone with
    # one round, 0.9 KB under one round with two (the README's first-visit table).
    # First the stream classes' exports go (see scripts/short-wasm-names.py), last every
    # import and export gets a short name, and the glue is rewritten by the table printed;
    # the sections that name the tools and the features (for tools, not browsers) go too.
    wasm-opt --remove-exports --pass-arg='remove-exports@*intounderlying*' \
        -Os --flatten --rereloop -Os --flatten --rereloop -Os -Os \
        --minify-imports-and-exports-and-modules --strip-producers --strip-target-features \
        --enable-bulk-memory --enable-nontrapping-float-to-int \
        "$stage/$bin/${bin}_bg.wasm" -o "$stage/$bin/${bin}.opt.wasm" >"$stage/$bin/names.json"
    python3 scripts/short-wasm-names.py "$stage/$bin/names.json" "$stage/$bin/$bin.js"
    esbuild "$stage/$bin/$bin.js" --minify --log-level=warning --outfile="$stage/$bin/$bin.js" \
        --allow-overwrite
    hash=$(cat "$stage/$bin/${bin}.opt.wasm" "$stage/$bin/$bin.js" | sha256sum | cut -c1-16)
    url[$bin.wasm]="/$bin-${hash}_bg.wasm"
    url[$bin.js]="/$bin-$hash.js"
    cp "$stage/$bin/${bin}.opt.wasm" "$out${url[$bin.wasm]}"
    cp "$stage/$bin/$bin.js" "$out${url[$bin.js]}"
    raw[$bin]=$(wc -c <"$stage/$bin/${bin}.opt.wasm")
    br[$bin]=$(brotli_size "$stage/$bin/${bin}.opt.wasm")
done

esbuild style/main.css --minify --log-level=warning --outfile="$stage/main.css"
css=$(hashed "$stage/main.css" main .css)
cp public/sw.js public/manifest.webmanifest "$out/"
cp -r public/icons public/screenshots "$out/"

sed -e "s|{{CSS}}|$css|g" \
    -e "s|{{RESIDENT_JS}}|${url[yanglao-app.js]}|" -e "s|{{RESIDENT_WASM}}|${url[yanglao-app.wasm]}|" \
    -e "s|{{RESIDENT_RAW}}|${raw[yanglao-app]}|" -e "s|{{RESIDENT_BR}}|${br[yanglao-app]}|" \
    -e "s|{{FULL_JS}}|${url[yanglao-full.js]}|" -e "s|{{FULL_WASM}}|${url[yanglao-full.wasm]}|" \
    -e "s|{{FULL_RAW}}|${raw[yanglao-full]}|" -e "s|{{FULL_BR}}|${br[yanglao-full]}|" \
    app/index.html >"$out/index.html"
if grep -q '{{' "$out/index.html"; then
    echo "build-app: a {{name}} in app/index.html was not filled in" >&2
    exit 1
fi
python3 scripts/minify-page.py "$(command -v esbuild)" "$out/index.html"

# What the worker keeps: the shell once (as "/"), and every file a resident needs; the full
# bundle is kept when a staff member's page first fetches it (see public/sw.js). The large
# icons and the screenshots are the installer's, which fetches them itself: a page never
# shows them.
(
    cd "$out"
    resident=$(find . -type f ! -name sw.js ! -name index.html ! -name 'yanglao-full-*' \
        ! -name '*-512.png' ! -path './screenshots/*' |
        sed 's|^\./|/|' | LC_ALL=C sort)
    full="${url[yanglao-full.js]} ${url[yanglao-full.wasm]}"
    build_id=$(find . -type f ! -name sw.js -print0 | LC_ALL=C sort -z | xargs -0 sha256sum |
        sha256sum | cut -c1-16)
    {
        printf '{"build":"%s","shell":"/","files":["/"' "$build_id"
        for f in $resident; do printf ',"%s"' "$f"; done
        printf '],"full":['
        sep=
        for f in $full; do printf '%s"%s"' "$sep" "$f" && sep=,; done
        printf ']}\n'
    } >precache.json
    sed -i "s/__BUILD_ID__/$build_id/" sw.js
    esbuild sw.js --minify --log-level=warning --outfile=sw.js --allow-overwrite
    echo "precache: $(echo "$resident" | wc -w) files + the full bundle, build $build_id"
)

find "$out" -type f \( -name '*.wasm' -o -name '*.js' -o -name '*.css' -o -name '*.html' \
    -o -name '*.json' -o -name '*.webmanifest' -o -name '*.svg' \) -print0 |
    while IFS= read -r -d '' file; do
        brotli -f -q 11 -k "$file"
        gzip -f -9 -k "$file"
    done
printf 'PWA built into %s/: resident wasm %s B brotli, full wasm %s B brotli\n' \
    "$out" "${br[yanglao-app]}" "${br[yanglao-full]}"
