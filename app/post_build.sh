#!/bin/sh
# Trunk post_build hook (see Trunk.toml), run from the repository root:
# Writes precache.json (every file of this build, as URLs) into the staging dir and stamps
# sw.js with a build id derived from those files, so a new deploy is a byte-different sw.js
# and browsers install it (then the app shows "有新版本").
set -eu
cd "$TRUNK_STAGING_DIR"
files=$(find . -type f ! -name sw.js ! -name precache.json ! -name '*.map' | sed 's|^\./|/|' | LC_ALL=C sort)
build_id=$(for f in $files; do sha256sum ".$f"; done | sha256sum | cut -c1-16)
{
    printf '{"build":"%s","files":["/"' "$build_id"
    for f in $files; do printf ',"%s"' "$f"; done
    printf ']}\n'
} > precache.json
sed -i "s/__BUILD_ID__/$build_id/" sw.js
echo "precache: $(echo "$files" | wc -l) files, build $build_id"
