#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Checks of the man pages against the code they document (run by meson test).
#
#   test-man.sh options MAIN_C PAGE_SCD [MAIN_C PAGE_SCD…]
#       every long option a program's main.c defines (getopt table, pikctl's
#       option table, usage text) appears as --NAME in its page
#   test-man.sh outcomes MIGRATIONS_C PIK_OUTCOMES_SCD
#       the page lists each outcome of the catalog once, under its kind, with
#       its retry flag, and no outcome the catalog lacks
#   test-man.sh config CONFIG_C PIK_CONF_SCD
#       every setting name of the parser's key tables appears in the page
#   test-man.sh render PAGE…
#       groff renders each built page without a warning (exit 77 without groff)

set -uo pipefail

fail=0
bad() {
        echo "FAIL: $*" >&2
        fail=1
}

# long_options MAIN_C: the long options a program accepts, one a line.
long_options() {
        {
                # getopt tables: { "name", no_argument, ...
                grep -oE '\{ *"[a-z][a-z0-9-]*", *(no|required|optional)_argument' "$1" |
                        sed -E 's/^\{ *"([^"]*)".*/\1/'
                # pikctl's option table: STR_OPT("name", ...
                grep -oE '[A-Z]+_OPT\("[a-z][a-z0-9-]*"' "$1" | sed -E 's/.*\("([^"]*)"/\1/'
                # usage text
                grep -E '^ *"' "$1" | grep -oE -- '--[a-z][a-z0-9-]+' | sed 's/^--//'
        } | sort -u
}

check_options() {
        local main page o n
        while [ "$#" -ge 2 ]; do
                main=$1 page=$2
                shift 2
                n=0
                for o in $(long_options "$main"); do
                        n=$((n + 1))
                        grep -qE -- "--$o([^a-z0-9-]|\$)" "$page" ||
                                bad "$(basename "$page"): option --$o of $(basename "$(dirname "$main")") is not documented"
                done
                [ "$n" -gt 0 ] || bad "no option found in $main"
                echo "$(basename "$page"): $n options checked"
        done
}

check_outcomes() {
        local migrations=$1 page=$2 catalog documented
        # ('name', 'kind', retried, 'description') in the migrations' SQL.
        catalog=$(grep -oE "\('[a-z0-9-]+', '(success|partner|infrastructure|configuration)', [01]," "$migrations" |
                sed -E "s/\('([^']*)', '([^']*)', ([01]),/\1 \2 \3/" | sort)
        # "*name* (retried)" entries under "# KIND" headings in the page.
        documented=$(awk '
                /^# (SUCCESS|PARTNER|INFRASTRUCTURE|CONFIGURATION)$/ { kind = tolower($2); next }
                /^# / { kind = ""; next }
                kind != "" && match($0, /^\*[a-z0-9-]+\* \((not )?retried\)$/) {
                        name = $1; gsub(/\*/, "", name)
                        print name, kind, ($2 == "(retried)") ? 1 : 0
                }' "$page" | sort)
        if [ -z "$catalog" ]; then
                bad "no outcome found in $migrations"
        fi
        if [ "$catalog" != "$documented" ]; then
                bad "pik-outcomes(7) differs from the catalog in $(basename "$migrations") (< catalog, > page):"
                diff <(echo "$catalog") <(echo "$documented") >&2
        fi
        echo "$(echo "$catalog" | wc -l) outcomes checked"
}

check_config() {
        local config=$1 page=$2 k n=0
        for k in $(grep -oE '\.name = "[a-z_]+"' "$config" | sed -E 's/.*"(.*)"/\1/' | sort -u); do
                n=$((n + 1))
                # scdoc escapes "_" as "\_" in the source.
                grep -qF -- "*${k//_/\\_}*" "$page" || bad "pik.conf(5) does not document the setting '$k'"
        done
        [ "$n" -gt 0 ] || bad "no setting found in $config"
        echo "$n settings checked"
}

check_render() {
        local page warnings
        if ! command -v groff >/dev/null || ! command -v preconv >/dev/null; then
                echo "groff not installed: skipped"
                exit 77
        fi
        for page in "$@"; do
                # What man(1) runs: preconv, tbl (-t), the man macros; -ww: all
                # warnings; -z: no output, only the diagnostics.
                warnings=$(preconv "$page" | groff -t -man -Tutf8 -ww -z 2>&1)
                if [ -n "$warnings" ]; then
                        bad "$(basename "$page") renders with warnings:"
                        echo "$warnings" >&2
                fi
                if ! preconv "$page" | groff -t -man -Tutf8 -P-cbou 2>/dev/null | grep -q "^NAME"; then
                        bad "$(basename "$page") renders no NAME section"
                fi
        done
        echo "$# pages rendered"
}

mode=${1:-}
shift || true
case $mode in
options) check_options "$@" ;;
outcomes) check_outcomes "$@" ;;
config) check_config "$@" ;;
render) check_render "$@" ;;
*) echo "usage: test-man.sh options|outcomes|config|render ARGS…" >&2; exit 2 ;;
esac
exit "$fail"
