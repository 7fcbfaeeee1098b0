# shellcheck shell=bash
# Throw-away PostgreSQL server for tests. Source this file, then:
#   pg_start   # exports YANGLAO_TEST_PG_URL=postgres://postgres@127.0.0.1:PORT/yanglao_test
#   ...tests...
#   pg_stop    # stops the server and deletes its directory
# Tip: `trap pg_stop EXIT` right after pg_start so a failing test run still cleans up.
#
# This file only defines functions and does not change shell options, because it is
# sourced into the caller's shell. Errors are reported with `return 1`, never `exit`.

# Prints the directory holding initdb and pg_ctl: PATH first, then Debian's
# /usr/lib/postgresql/<version>/bin (newest version wins), where apt puts them.
pg_bin_dir() {
    local initdb_path dir
    if initdb_path=$(command -v initdb) && command -v pg_ctl >/dev/null; then
        dirname "$(readlink -f "$initdb_path")"
        return 0
    fi
    # An unmatched glob stays literal and fails the -x test below.
    for dir in $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V -r); do
        if [[ -x "$dir/initdb" && -x "$dir/pg_ctl" ]]; then
            echo "$dir"
            return 0
        fi
    done
    return 1
}

# runuser and useradd live in /usr/sbin, which a non-login root PATH may lack.
_pg_sbin() {
    command -v "$1" 2>/dev/null || echo "/usr/sbin/$1"
}

# initdb refuses to run as root, so as root we run the server as an unprivileged
# system user: `postgres` when the postgresql package created it, else our own.
_pg_user() {
    if [[ $EUID -ne 0 ]]; then
        id -un
    elif id postgres >/dev/null 2>&1; then
        echo postgres
    else
        if ! id yanglao-pg >/dev/null 2>&1; then
            "$(_pg_sbin useradd)" -r -M -d /nonexistent -s /usr/sbin/nologin yanglao-pg >/dev/null || return 1
        fi
        echo yanglao-pg
    fi
}

# Runs a command as the server user. cd into the server dir first: that user may not
# be allowed into the caller's working directory (e.g. /root).
_pg_as() {
    if [[ $EUID -eq 0 ]]; then
        (cd "$YANGLAO_PG_DIR" && "$(_pg_sbin runuser)" -u "$YANGLAO_PG_USER" -- "$@")
    else
        (cd "$YANGLAO_PG_DIR" && "$@")
    fi
}

_pg_free_port() {
    if command -v python3 >/dev/null; then
        python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' && return 0
    fi
    # No python3: try random high ports until one is not listening.
    local port
    for _ in $(seq 1 50); do
        port=$((20000 + RANDOM % 40000))
        if ! ss -Hltn "sport = :$port" | grep -q .; then
            echo "$port"
            return 0
        fi
    done
    return 1
}

pg_start() {
    if [[ -n "${YANGLAO_PG_DIR:-}" ]]; then
        echo "pg_start: a server is already running in $YANGLAO_PG_DIR (call pg_stop first)" >&2
        return 1
    fi
    local bin user dir port
    bin=$(pg_bin_dir) || {
        echo "pg_start: initdb/pg_ctl not found on PATH nor in /usr/lib/postgresql/*/bin (run scripts/setup.sh)" >&2
        return 1
    }
    user=$(_pg_user) || { echo "pg_start: cannot create system user yanglao-pg" >&2; return 1; }
    # Under /tmp, not $TMPDIR: the server user must reach it, and the socket path must stay short.
    dir=$(mktemp -d "${YANGLAO_PG_TMP:-/tmp}/yanglao-pg.XXXXXX") || return 1
    [[ $EUID -ne 0 ]] || chown "$user:" "$dir" || { rm -rf "$dir"; return 1; }
    YANGLAO_PG_DIR=$dir
    YANGLAO_PG_USER=$user
    YANGLAO_PG_BIN=$bin

    if ! _pg_as "$bin/initdb" -D "$dir/data" -A trust -U postgres --no-sync -E UTF8 >"$dir/initdb.log" 2>&1; then
        echo "pg_start: initdb failed:" >&2
        tail -n 20 "$dir/initdb.log" >&2
        _pg_cleanup
        return 1
    fi

    # Another process may grab the port between picking and binding: retry a few times.
    local started=""
    for _ in 1 2 3; do
        port=$(_pg_free_port) || break
        if _pg_as "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
            -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=on" start >/dev/null 2>&1; then
            started=1
            break
        fi
    done
    if [[ -z "$started" ]]; then
        echo "pg_start: the server did not start:" >&2
        tail -n 20 "$dir/server.log" >&2 2>/dev/null
        _pg_cleanup
        return 1
    fi
    YANGLAO_PG_PORT=$port

    local psql="$bin/psql"
    [[ -x "$psql" ]] || psql=psql
    if ! "$psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres \
        -c 'CREATE DATABASE yanglao_test' >/dev/null; then
        echo "pg_start: could not create database yanglao_test" >&2
        pg_stop
        return 1
    fi
    export YANGLAO_TEST_PG_URL="postgres://postgres@127.0.0.1:$port/yanglao_test"
    export YANGLAO_PG_DIR YANGLAO_PG_USER YANGLAO_PG_BIN YANGLAO_PG_PORT
}

pg_stop() {
    if [[ -z "${YANGLAO_PG_DIR:-}" ]]; then
        return 0
    fi
    if [[ -f "$YANGLAO_PG_DIR/data/postmaster.pid" ]] &&
        ! _pg_as "$YANGLAO_PG_BIN/pg_ctl" -D "$YANGLAO_PG_DIR/data" -m fast -w stop >/dev/null 2>&1; then
        # Keep the directory: the server may still be using it, and its log says why.
        echo "pg_stop: pg_ctl stop failed; left $YANGLAO_PG_DIR (see server.log there)" >&2
        return 1
    fi
    _pg_cleanup
}

_pg_cleanup() {
    rm -rf "$YANGLAO_PG_DIR"
    unset YANGLAO_PG_DIR YANGLAO_PG_USER YANGLAO_PG_BIN YANGLAO_PG_PORT YANGLAO_TEST_PG_URL
}
