#!/usr/bin/env bash
# Fails when a resident's first visit (every file the worker keeps for a resident, the page,
# the worker and its list, brotli as served; icons as they are) is over its byte budget: the
# same files scripts/size-report.sh sums. Bytes are
# deterministic for a given source, so this may fail CI; times are measured, never asserted
# (scripts/size-report.sh prints both).
#   scripts/size-budget.sh          check dist/ against the budget
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# Lower it when a change makes the bundle smaller; raise it only with a reason in the commit.
budget=${YANGLAO_FIRST_VISIT_BUDGET:-232000}

[[ -f dist/precache.json ]] || { echo "size-budget: dist/ is not built (scripts/build-app.sh)" >&2; exit 1; }
total=0
# The shell is kept as "/": it is dist/index.html.
for url in $(grep -o '"files":\[[^]]*\]' dist/precache.json | grep -o '"/[^"]*"' | tr -d '"') /sw.js /precache.json; do
    file=dist${url}
    [[ $url == / ]] && file=dist/index.html
    if [[ -f $file.br ]]; then
        size=$(wc -c <"$file.br")
    else
        size=$(wc -c <"$file")
    fi
    printf '  %8d  %s\n' "$size" "$url"
    total=$((total + size))
done
printf '  %8d  a resident'"'"'s first visit (budget %d)\n' "$total" "$budget"
if ((total > budget)); then
    echo "size-budget: a resident's first visit is $total B, over its budget of $budget B" >&2
    exit 1
fi
