#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The bash completion of pikctl, run as bash runs it: COMP_WORDS/COMP_CWORD
# set, _pikctl called, COMPREPLY checked. Partner codes, browser names and
# configuration ids come from a real pikctl on a temporary database (--db).
# Also checks that the completion's table of options per command is the one
# of src/pikctl/verbs.c (with main.c's option names, and the configuration
# options' names from src/shared/jobconfig-options.c).
#
#   test-completion.sh PIKCTL COMPLETION VERBS_C MAIN_C OPTIONS_C

set -uo pipefail

PIKCTL=$1 COMPLETION=$2 VERBS_C=$3 MAIN_C=$4 OPTIONS_C=$5
fail=0 checks=0
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# shellcheck source=pikctl.bash
. "$COMPLETION" || { echo "FAIL: sourcing $COMPLETION"; exit 1; }
[ "$(complete -p pikctl 2>/dev/null)" = "complete -F _pikctl pikctl" ] || {
        echo "FAIL: the completion does not register _pikctl for pikctl"
        exit 1
}

# comp LINE: complete LINE (the last word, possibly empty, is the one under
# the cursor); prints COMPREPLY sorted, space-separated.
comp() {
        local line=$1
        read -ra COMP_WORDS <<<"$line"
        [[ $line == *" " ]] && COMP_WORDS+=("")
        COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
        COMP_LINE=$line COMP_POINT=${#line}
        COMPREPLY=()
        _pikctl pikctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]:-}"
        printf '%s\n' "${COMPREPLY[@]}" | sort | xargs
}

# expect LINE EXPECTED…
expect() {
        local line=$1 got want
        shift
        want=$(printf '%s\n' "$@" | sort | xargs)
        got=$(comp "$line")
        checks=$((checks + 1))
        if [ "$got" != "$want" ]; then
                echo "FAIL: '$line' completes to '$got', expected '$want'"
                fail=1
        fi
}

P=$PIKCTL DB=$T/pik.db
{
        "$P" --db "$DB" partner add acme --name ACME
        "$P" --db "$DB" partner add globex --name Globex
        "$P" --db "$DB" browser add firefox --engine http
        "$P" --db "$DB" browser add chrome --engine webdriver --webdriver-url http://127.0.0.1:9515
        "$P" --db "$DB" config add acme --browsers firefox --url https://acme.test/ --every 5m
        "$P" --db "$DB" config add globex --browsers chrome --url https://globex.test/ --at 08:00
} >/dev/null || { echo "FAIL: setting up $DB with $P"; exit 1; }

# Commands and subcommands.
expect "$P " status partner browser config jobs executions execution results result outcomes alerts notifications history run-now hold release maintenance
expect "$P r" results result run-now release
expect "$P partner " list show add remove enable disable
expect "$P config e" enable
expect "$P execution " show
expect "$P result " show
expect "$P --json partner l" list
# Options: global ones, then each command's own.
expect "$P --" --help --version --json --db --config --now
expect "$P partner add acme --" --help --version --json --db --config --now --name
expect "$P jobs --o" --overdue
expect "$P alerts --a" --all
expect "$P maintenance " add list remove
expect "$P maintenance add --du" --duration
expect "$P n" notifications
expect "$P h" history hold
expect "$P history --da" --days
expect "$P --db $DB history " acme globex
expect "$P results --k" --kind
expect "$P browser add x --e" --engine
# Values of options.
expect "$P browser add x --engine " http webdriver
expect "$P results --kind i" infrastructure
expect "$P browser add x --http-version " 1.1 2
# From pikctl itself, offline on the database typed.
expect "$P --db $DB partner show " acme globex
expect "$P --db $DB partner disable g" globex
expect "$P --db $DB run-now " acme globex
: >"$T/pik.conf"
expect "$P partner enable a --config $T/pik.c" "$T/pik.conf"    # a file name
expect "$P --db $DB browser remove " chrome firefox
expect "$P --db $DB results --browser f" firefox
expect "$P --db $DB results --partner " acme globex
expect "$P --db $DB config add acme --browsers " chrome firefox
expect "$P --db $DB config add acme --browsers firefox,c" firefox,chrome
expect "$P --db $DB config show " 1 2
expect "$P --db $DB hold " 1 2
expect "$P --db $DB config add " acme globex
# After the one argument, or for a free value, nothing.
expect "$P --db $DB partner show acme "
expect "$P --db $DB partner add acme --name "
expect "$P --db $DB partner add "
# Time zones from the system's database.
if [ -f /usr/share/zoneinfo/Europe/Berlin ]; then
        expect "$P config add acme --tz Europe/Berl" Europe/Berlin
fi
# Without a reachable pikd or database, no values and no noise.
expect "$P --db $T/none.db partner show "
[ ! -e "$T/none.db" ] || { echo "FAIL: completion created a database"; fail=1; }

# The table of options per command matches pikctl's: src/pikctl/verbs.c's
# verb table (OPT_* masks, and masks of the configuration's options) mapped
# to names by main.c's option table and jobconfig-options.c's rows.
declare -A optname
while read -r name bit; do
        optname[$bit]=$name
done < <(grep -oE '[A-Z]+_OPT\("[a-z-]+", *OPT_[A-Z_]+' "$MAIN_C" | sed -E 's/.*\("([^"]*)", *(OPT_[A-Z_]+)/\1 \2/')
# maintenance add --config ID: main.c takes it out of argv before the table.
optname[OPT_CONFIG_ID]=config
[ "${#optname[@]}" -gt 15 ] || { echo "FAIL: found ${#optname[@]} options in $MAIN_C"; fail=1; }
# Rows: ROW(ID, "key", "cli", …), ROW_FLAGS(ID, FLAGS, "key", "cli", …),
# SCHEDULE_ROW(ID, "cli", …); a NULL cli is no option of pikctl's.
config_all=()
while read -r id cli; do
        optname[PIK_CONFIG_OPT_BIT(PIK_CONFIG_OPT_$id)]=$cli
        config_all+=("PIK_CONFIG_OPT_BIT(PIK_CONFIG_OPT_$id)")
done < <(sed -E -n -e 's/^ *ROW\(([A-Z_]+), *("[a-z_]+"|NULL), *"([a-z-]+)".*/\1 \3/p' \
                  -e 's/^ *ROW_FLAGS\(([A-Z_]+), *[A-Z_|]+, *("[a-z_]+"|NULL), *"([a-z-]+)".*/\1 \3/p' \
                  -e 's/^ *SCHEDULE_ROW\(([A-Z_]+), *"([a-z-]+)".*/\1 \2/p' "$OPTIONS_C")
[ "${#config_all[@]}" -gt 20 ] || { echo "FAIL: found ${#config_all[@]} configuration options in $OPTIONS_C"; fail=1; }
# #define NAME (OPT_A | …) macros over several lines.
declare -A macros
while read -r name value; do
        macros[$name]=$value
done < <(sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$VERBS_C" | grep -E '^#define [A-Z_]+_OPTS ' |
         sed -E 's/^#define ([A-Z_]+) +\((.*)\)$/\1 \2/')
# { group, name, min, max, flags, OPT_* mask, run[, configuration mask] },
# the masks as one word each ("A|B"), the run function dropped.
table=$(sed -n '/pikctl_verbs\[\] = {/,/^};/p' "$VERBS_C" | tr '\n' ' ' | sed 's/^.*pikctl_verbs\[\] = {//; s/},/}\n/g' |
        grep -E '^ *\{' | sed -E 's/ +//g; s/^\{//; s/\}$//; s/,verb_[a-z_]+//')
nverbs=0
while IFS=, read -r group name _ _ _ mask cmask; do
        group=${group//\"/}
        name=${name//\"/}
        [ "$group" = NULL ] && verb=$name || verb="$group $name"
        [ "$cmask" = PIK_CONFIG_OPTS_CLI_ALL ] && cmask=$(IFS='|'; echo "${config_all[*]}")
        want=()
        for bit in $(tr '|' ' ' <<<"$mask|$cmask"); do
                [ "$bit" = 0 ] && continue
                if [ -n "${macros[$bit]:-}" ]; then
                        for b in $(tr '|' ' ' <<<"${macros[$bit]}"); do want+=("--${optname[$b]:-?$b}"); done
                else
                        want+=("--${optname[$bit]:-?$bit}")
                fi
        done
        nverbs=$((nverbs + 1))
        checks=$((checks + 1))
        have=$(xargs -n1 <<<"${_pikctl_verb_opts[$verb]-MISSING}" | sort | xargs)
        wantl=$(printf '%s\n' "${want[@]}" | sort | xargs)
        if [ "$have" != "$wantl" ]; then
                echo "FAIL: options of '$verb': completion has '$have', verbs.c has '$wantl'"
                fail=1
        fi
done <<<"$table"
[ "$nverbs" -gt 20 ] || { echo "FAIL: found $nverbs commands in $VERBS_C"; fail=1; }
[ "$nverbs" -eq "${#_pikctl_verb_opts[@]}" ] ||
        { echo "FAIL: $nverbs commands in verbs.c, ${#_pikctl_verb_opts[@]} in the completion"; fail=1; }

echo "$checks completion checks ($nverbs commands)"
exit "$fail"
