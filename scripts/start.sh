#!/usr/bin/env bash
# The main job: install what is missing, build the PWA, start the server on SQLite with a demo
# roster and a demo account, and print the URL. Stop it with Ctrl-C.
#
#   YANGLAO_BIND=0.0.0.0:8080     listen elsewhere (default 127.0.0.1:8080)
#   YANGLAO_DEMO_CLOCK=off        use the real clock even outside the payment window
#   YANGLAO_DEMO_CLOCK=2027-04-30T23:58:00+08:00   start the server's clock at that instant
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/setup.sh

scripts/build-app.sh
echo "building the server (release)…"
cargo build --release -p yanglao-server --quiet

# The payment window is 1 January to 30 April (China time). Outside it nobody can pay, so the
# demo starts the server's clock at 1 March of the next window unless told otherwise.
year=$(TZ=Asia/Shanghai date +%Y)
month=$(TZ=Asia/Shanghai date +%-m)
clock=${YANGLAO_DEMO_CLOCK:-auto}
if [[ $clock == auto ]]; then
    if ((month <= 4)); then
        clock=off
    else
        year=$((year + 1))
        clock="${year}-03-01T09:00:00+08:00"
    fi
fi
clock_args=()
if [[ $clock != off ]]; then
    clock_args=(--clock-start "$clock")
    year=${clock:0:4}
fi

mkdir -p data
export YANGLAO_DATABASE_URL=${YANGLAO_DATABASE_URL:-sqlite://data/yanglao.db}
target/release/yanglao-server demo-roster --year "$year"
exec target/release/yanglao-server serve --dist dist "${clock_args[@]}"
