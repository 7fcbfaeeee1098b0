#!/usr/bin/env bash
# Installs what Yanglao's builds and tests need on Debian 12 and skips what is already
# there, so a second run takes seconds. See /work/shared/TOOLCHAIN.md for why each route.
#
#   scripts/setup.sh              install/check everything, print versions
#   . scripts/setup.sh            same, and also leaves wasm_env, pg_start, pg_stop and
#                                 YANGLAO_WASM_ROUTE in the calling shell
#   scripts/setup.sh --wasm-env   only print the env prefix for wasm builds (see wasm_env)
#
# YANGLAO_FORCE_WASM_ROUTE=rustup|debian skips the automatic choice of the wasm32 route.
# Full command output goes to target/setup-logs/; the screen gets one line per tool.

YANGLAO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
YANGLAO_WASM_BINDGEN_DEFAULT=0.2.130
YANGLAO_NODE_MIN_MAJOR=20 # playwright-core 1.65 declares engines.node >= 20

# shellcheck source=scripts/pg.sh
. "$YANGLAO_ROOT/scripts/pg.sh"

# cargo install puts binaries here; a fresh login shell may not have it on PATH yet.
_cargo_bin=${CARGO_HOME:-$HOME/.cargo}/bin
if [[ -d "$_cargo_bin" && ":$PATH:" != *":$_cargo_bin:"* ]]; then
    PATH="$_cargo_bin:$PATH"
fi
unset _cargo_bin

# Prints the env prefix wasm builds need, per the route setup chose (empty for rustup):
#   env $(wasm_env) cargo build --target wasm32-unknown-unknown ...
# Only for wasm32 commands: native builds must not see these variables.
wasm_env() {
    local route
    route=$(cat "$YANGLAO_ROOT/target/.wasm-route" 2>/dev/null) || {
        echo "wasm_env: $YANGLAO_ROOT/target/.wasm-route is missing: run scripts/setup.sh first" >&2
        return 1
    }
    case $route in
        rustup) ;;
        debian-build-std)
            # Debian's rustc-web ships std source but no prebuilt wasm32 std: build it.
            echo "PATH=/usr/bin:$PATH RUSTC_BOOTSTRAP=1 CARGO_UNSTABLE_BUILD_STD=std,panic_abort" ;;
        *)
            echo "wasm_env: unknown route '$route' in target/.wasm-route" >&2
            return 1 ;;
    esac
}

_say() { printf '%s\n' "$*"; }
_die() {
    printf 'setup: ERROR: %s\n' "$*" >&2
    exit 1
}
_have() { command -v "$1" >/dev/null 2>&1; }
_deb_installed() { [[ $(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null) == installed ]]; }

# First line of a command's output, or "missing".
_first_line() {
    local out
    if out=$("$@" 2>/dev/null) && [[ -n "$out" ]]; then
        printf '%s\n' "${out%%$'\n'*}"
    else
        echo missing
    fi
}

# Runs a command with its output in target/setup-logs/NAME.log; on failure shows the tail.
_logged() {
    local name=$1 log
    shift
    log="$YANGLAO_ROOT/target/setup-logs/$name.log"
    mkdir -p "${log%/*}"
    if ! "$@" >"$log" 2>&1; then
        tail -n 15 "$log" | sed 's/^/    | /' >&2
        printf '    (full log: %s)\n' "$log" >&2
        return 1
    fi
}

_as_root() {
    if [[ $EUID -eq 0 ]]; then
        "$@"
    elif _have sudo; then
        sudo "$@"
    else
        _die "root (or sudo) is needed to run: $*"
    fi
}

_apt_updated=""
_apt_install() {
    _have apt-get || _die "apt-get not found; install these by hand: $*"
    if [[ -z "$_apt_updated" ]]; then
        _say "installing: apt package lists (apt-get update)"
        # The lock timeout waits for another apt run instead of failing at once.
        _logged apt-update _as_root apt-get -qq -o DPkg::Lock::Timeout=600 update ||
            _die "apt-get update failed"
        _apt_updated=1
    fi
    _say "installing: $* (apt)"
    _logged "apt-install-$1" _as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq -o DPkg::Lock::Timeout=600 "$@" ||
        _die "apt-get install $* failed"
}

# 1. Debian packages -------------------------------------------------------------------
_setup_debian_packages() {
    local need=() check tool pkg
    # tool-or-test:package pairs; the tool is what the rest of the project calls.
    for check in cc:build-essential pkg-config:pkg-config chromium:chromium \
        chromedriver:chromium-driver brotli:brotli curl:curl; do
        tool=${check%%:*} pkg=${check#*:}
        if _have "$tool"; then
            _say "ok: $tool (already installed)"
        else
            need+=("$pkg")
        fi
    done
    if pg_bin_dir >/dev/null; then
        _say "ok: postgres $(pg_bin_dir) (already installed)"
    else
        need+=(postgresql)
    fi
    if ! _have node; then
        need+=(nodejs npm)
    elif ! _have npm; then
        need+=(npm)
    else
        _say "ok: node + npm (already installed)"
    fi
    if _deb_installed ca-certificates; then
        _say "ok: ca-certificates (already installed)"
    else
        need+=(ca-certificates)
    fi
    # A CJK font, so that headless Chromium's screenshots show Chinese, not boxes.
    if _deb_installed fonts-wqy-microhei; then
        _say "ok: fonts-wqy-microhei (already installed)"
    else
        need+=(fonts-wqy-microhei)
    fi

    if ((${#need[@]})); then
        _apt_install "${need[@]}"
        hash -r
        for tool in cc pkg-config chromium chromedriver brotli curl node npm; do
            _have "$tool" || _die "$tool is still missing after apt-get install"
        done
        pg_bin_dir >/dev/null || _die "initdb/pg_ctl still missing after apt-get install postgresql"
    fi

    # Debian 12's own nodejs is 18; fetch a newer one from the npm registry if so.
    local major
    major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
    if ((major < YANGLAO_NODE_MIN_MAJOR)); then
        _say "installing: node@$YANGLAO_NODE_MIN_MAJOR from npm (found node $(node --version 2>/dev/null), need >= $YANGLAO_NODE_MIN_MAJOR)"
        _logged npm-node _as_root npm install -g --no-audit --no-fund "node@$YANGLAO_NODE_MIN_MAJOR" ||
            _die "could not install node@$YANGLAO_NODE_MIN_MAJOR with npm"
        hash -r
        major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
        ((major >= YANGLAO_NODE_MIN_MAJOR)) ||
            _die "node on PATH is still $(node --version); put $(npm prefix -g)/bin before /usr/bin"
    fi
}

# 2. wasm32 standard library -------------------------------------------------------------
_setup_wasm_target() {
    local forced=${YANGLAO_FORCE_WASM_ROUTE:-} route=""
    case $forced in
        "" | rustup | debian) ;;
        *) _die "YANGLAO_FORCE_WASM_ROUTE must be 'rustup' or 'debian', not '$forced'" ;;
    esac

    if [[ $forced != debian ]] && _have rustup; then
        if rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
            _say "ok: wasm32-unknown-unknown via rustup (already installed)"
            route=rustup
        else
            _say "installing: wasm32-unknown-unknown (rustup target add)"
            if _logged rustup-target rustup target add wasm32-unknown-unknown; then
                route=rustup
            else
                _say "warning: rustup target add failed; trying the Debian route"
            fi
        fi
        # The release PWA build compiles std itself, for its size flags (scripts/build-app.sh).
        if [[ -n $route ]]; then
            if rustup component list --installed 2>/dev/null | grep -q '^rust-src'; then
                _say "ok: rust-src via rustup (already installed)"
            else
                _say "installing: rust-src (rustup component add)"
                if ! _logged rustup-src rustup component add rust-src; then
                    _say "warning: rustup component add rust-src failed; trying the Debian route"
                    route=""
                fi
            fi
        fi
    fi
    if [[ -z "$route" && $forced == rustup ]]; then
        _die "YANGLAO_FORCE_WASM_ROUTE=rustup but rustup is missing or could not add the wasm32 target or rust-src"
    fi

    if [[ -z "$route" ]]; then
        # Debian's rustc-web 1.96 + std source; std is then built for wasm32 by cargo.
        local pkgs=(rustc-web cargo-web rust-web-src lld-22) missing=() p
        for p in "${pkgs[@]}"; do
            _deb_installed "$p" || missing+=("$p")
        done
        if ((${#missing[@]})); then
            _apt_install "${missing[@]}"
        else
            _say "ok: ${pkgs[*]} (already installed)"
        fi
        local src
        src="$(/usr/bin/rustc --print sysroot 2>/dev/null)/lib/rustlib/src/rust/library"
        [[ -x /usr/bin/cargo && -d "$src" ]] ||
            _die "Debian route incomplete: need /usr/bin/cargo and $src"
        route=debian-build-std
    fi

    mkdir -p "$YANGLAO_ROOT/target"
    echo "$route" >"$YANGLAO_ROOT/target/.wasm-route"
    case $route in
        rustup) _say "ok: wasm route: rustup (wasm_env prints nothing)" ;;
        *) _say "ok: wasm route: $route (wasm builds need: env \$(wasm_env) ...; see target/.wasm-route)" ;;
    esac
}

_need_cargo() {
    _have cargo || _die "cargo not found: install Rust with rustup, or run with YANGLAO_FORCE_WASM_ROUTE=debian"
}

# Build tools installed with cargo are built without their own release profiles (fat LTO
# with one codegen unit made such installs most of a cold CI run): wasm-bindgen rewrites
# every wasm and keeps -O2, without LTO.
#   _cargo_install OPT_LEVEL CRATE ARGS...
_cargo_install() {
    local opt=$1 units=16
    shift
    [[ $opt == 0 ]] && units=256
    CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_CODEGEN_UNITS=$units \
        CARGO_PROFILE_RELEASE_OPT_LEVEL="$opt" CARGO_PROFILE_RELEASE_DEBUG=0 \
        CARGO_TARGET_DIR="$YANGLAO_ROOT/target/tool-build" cargo install "$@"
}

# 4. wasm-bindgen-cli --------------------------------------------------------------------
# Prints the wasm-bindgen version in Cargo.lock: the `version` line after its `name` line.
_locked_wasm_bindgen_version() {
    awk '
        /^\[\[package\]\]/ { in_pkg = 0 }
        $0 == "name = \"wasm-bindgen\"" { in_pkg = 1; next }
        in_pkg && /^version = / { gsub(/"/, "", $3); print $3; exit }
    ' "$YANGLAO_ROOT/Cargo.lock" 2>/dev/null || true
}

_setup_wasm_bindgen() {
    local want from="Cargo.lock" have
    want=$(_locked_wasm_bindgen_version)
    if [[ -z "$want" ]]; then
        want=$YANGLAO_WASM_BINDGEN_DEFAULT from="default, no Cargo.lock entry yet"
    fi
    have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
    if [[ $have == "$want" ]]; then
        _say "ok: wasm-bindgen $have ($from; already installed)"
        return
    fi
    _need_cargo
    # No --locked: its lock file asks for a crate version the registry here lacks.
    _say "installing: wasm-bindgen-cli $want ($from; found ${have:-none}; log target/setup-logs/wasm-bindgen.log)"
    _logged wasm-bindgen _cargo_install 2 wasm-bindgen-cli --version "$want" ||
        _die "cargo install wasm-bindgen-cli $want failed"
    hash -r
    _say "ok: wasm-bindgen $(wasm-bindgen --version | awk '{print $2}') (installed)"
}

# 5. Node packages for the browser tests --------------------------------------------------
_setup_e2e_node_modules() {
    local dir="$YANGLAO_ROOT/tests/e2e"
    [[ -f "$dir/package.json" ]] || {
        _say "ok: tests/e2e/package.json absent, no node packages needed"
        return
    }
    # npm writes node_modules/.package-lock.json on every install: if it is not older
    # than package-lock.json, node_modules already matches the lock file.
    local hidden="$dir/node_modules/.package-lock.json"
    if [[ -f "$dir/package-lock.json" ]]; then
        if [[ -f "$hidden" && ! "$dir/package-lock.json" -nt "$hidden" ]]; then
            _say "ok: tests/e2e node_modules (up to date with package-lock.json)"
            return
        fi
        _say "installing: tests/e2e node_modules (npm ci)"
        _logged npm-e2e npm --prefix "$dir" ci --no-audit --no-fund || _die "npm ci in tests/e2e failed"
    else
        _say "installing: tests/e2e node_modules (npm install, writes package-lock.json)"
        _logged npm-e2e npm --prefix "$dir" install --no-audit --no-fund || _die "npm install in tests/e2e failed"
    fi
}

# 6. Summary -------------------------------------------------------------------------------
_summary() {
    local pgbin
    pgbin=$(pg_bin_dir || true)
    _say "versions:"
    printf '  %-13s %s\n' \
        rustc "$(_first_line rustc --version)" \
        wasm-bindgen "$(_first_line wasm-bindgen --version)" \
        wasm-opt "$(_first_line "$YANGLAO_ROOT/target/tools/node_modules/.bin/wasm-opt" --version)" \
        esbuild "$(_first_line "$YANGLAO_ROOT/target/tools/node_modules/.bin/esbuild" --version)" \
        chromium "$(_first_line chromium --version)" \
        chromedriver "$(_first_line chromedriver --version)" \
        postgres "$(_first_line "${pgbin:-/nonexistent}/postgres" --version)" \
        node "$(_first_line node --version)" \
        schemathesis "$(_first_line "$YANGLAO_ROOT/target/tools/schemathesis/bin/st" --version)"
    if [[ $(cat "$YANGLAO_ROOT/target/.wasm-route") == debian-build-std ]]; then
        printf '  %-13s %s\n' "rustc (wasm)" "$(_first_line /usr/bin/rustc --version)"
    fi
    _say "wasm route: $(cat "$YANGLAO_ROOT/target/.wasm-route")"
}

# 5b. wasm-opt from npm's binaryen: Debian 12's binaryen (108) rewrites wasm-bindgen's
# externref table export wrongly, and the app then dies at start. With it esbuild, which
# minifies the JS glue, the worker and the stylesheet (scripts/build-app.sh). Both kept under
# target/tools and put first on PATH by scripts/build-app.sh.
YANGLAO_BINARYEN_VERSION=132
YANGLAO_ESBUILD_VERSION=0.28.2
_setup_wasm_opt() {
    local bin="$YANGLAO_ROOT/target/tools/node_modules/.bin"
    if [[ -x $bin/wasm-opt ]] && [[ $("$bin/wasm-opt" --version 2>/dev/null) == *"version $YANGLAO_BINARYEN_VERSION"* ]] &&
        [[ $("$bin/esbuild" --version 2>/dev/null) == "$YANGLAO_ESBUILD_VERSION" ]]; then
        _say "ok: wasm-opt $YANGLAO_BINARYEN_VERSION, esbuild $YANGLAO_ESBUILD_VERSION (npm; already installed)"
        return
    fi
    _say "installing: wasm-opt and esbuild (npm binaryen@$YANGLAO_BINARYEN_VERSION esbuild@$YANGLAO_ESBUILD_VERSION into target/tools)"
    mkdir -p "$YANGLAO_ROOT/target/tools"
    _logged binaryen npm install --no-audit --no-fund --prefix "$YANGLAO_ROOT/target/tools" \
        "binaryen@$YANGLAO_BINARYEN_VERSION" "esbuild@$YANGLAO_ESBUILD_VERSION" ||
        _die "could not install binaryen@$YANGLAO_BINARYEN_VERSION and esbuild@$YANGLAO_ESBUILD_VERSION with npm"
}

# 5c. schemathesis (PyPI) for scripts/test.sh's fuzzing of the API against its OpenAPI
# document, in a venv under target/tools (scripts/schemathesis.sh pins the version); Debian's
# python3 makes a venv only with python3-venv.
_setup_schemathesis() {
    if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
        _apt_install python3 python3-venv
    fi
    "$YANGLAO_ROOT/scripts/schemathesis.sh" --install || _die "could not install schemathesis"
}

_setup_main() {
    if [[ ${1:-} == --wasm-env ]]; then
        wasm_env
        return
    fi
    [[ $# -eq 0 ]] || _die "unknown argument: $1 (usage: scripts/setup.sh [--wasm-env])"
    _setup_debian_packages
    _setup_wasm_target
    _setup_wasm_bindgen
    _setup_wasm_opt
    _setup_e2e_node_modules
    _setup_schemathesis
    _summary
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    set -euo pipefail
    _setup_main "$@"
else
    # Sourced: run in a subshell so `set -e` and `exit` on errors stay out of the caller's
    # shell; the functions and the route still reach it.
    (
        set -euo pipefail
        _setup_main "$@"
    )
    _setup_status=$?
    if [[ -f "$YANGLAO_ROOT/target/.wasm-route" ]]; then
        YANGLAO_WASM_ROUTE=$(cat "$YANGLAO_ROOT/target/.wasm-route")
        export YANGLAO_WASM_ROUTE
    fi
    return "$_setup_status"
fi
