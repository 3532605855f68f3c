# SPDX-License-Identifier: LGPL-2.1-or-later
# bash completion of pikctl(1): commands, the options of each command, and
# partner codes, browser names and configuration ids asked from pikctl
# itself (`pikctl … list --json`, over D-Bus, or offline on the --db PATH
# already typed). No jq: a grep/sed over the JSON, which is one key per line
# or compact, either way "key":"value".

# The options each command takes (src/pikctl/verbs.c's table; a unit test
# keeps the two in step).
declare -gA _pikctl_verb_opts=(
        [status]=""
        [partner list]="" [partner show]="" [partner add]="--name"
        [partner remove]="--force" [partner enable]="" [partner disable]="--reason"
        [browser list]="" [browser show]=""
        [browser add]="--engine --user-agent --webdriver-url --http-version --header --ca-file --resolve"
        [browser remove]="--force" [browser enable]="" [browser disable]="--reason"
        [config list]="" [config show]="" [config remove]="" [config enable]=""
        [config disable]="--reason"
        [config add]="--name --browsers --url --every --at --cron --schedule --tz --sso --express-checkout --product-url
                      --wait --success-marker --failure-marker --success-xpath --failure-xpath
                      --login-form --username-field --password-field --csrf-meta --checkout-url --flow"
        [config set]="--name --browsers --url --every --at --cron --schedule --tz --sso --express-checkout --product-url
                      --wait --success-marker --failure-marker --success-xpath --failure-xpath
                      --login-form --username-field --password-field --csrf-meta --checkout-url --flow"
        [jobs]="--overdue --upcoming"
        [executions]="--partner --limit"
        [execution show]=""
        [result show]=""
        [results]="--partner --browser --kind --since --limit"
        [outcomes]=""
        [alerts]="--all"
        [notifications]=""
        [history]="--days"
        [run-now]="--browser"
        [hold]="--reason --until" [release]=""
        [maintenance add]="--partner --config --all --cron --duration --tz --reason"
        [maintenance list]="" [maintenance remove]=""
)
_pikctl_global_opts="--help --version --json --db --config --now"
# Options that take a value (the next word is not a command).
_pikctl_arg_opts=" --db --config --now --name --reason --engine --user-agent --webdriver-url
        --http-version --header --ca-file --resolve --browsers --url --every --at --cron --schedule --tz
        --product-url --wait --success-marker --failure-marker --success-xpath --failure-xpath
        --login-form --username-field --password-field --csrf-meta --checkout-url --flow
        --partner --browser --kind --since --limit --until --duration --days "

# _pikctl_list WHAT KEY: the values of KEY in `pikctl WHAT list --json`.
_pikctl_list() {
        local -a cmd=("$_pikctl_cmd")
        [ -n "$_pikctl_db" ] && cmd+=(--db "$_pikctl_db")
        [ -n "$_pikctl_config" ] && cmd+=(--config "$_pikctl_config")
        command -v timeout >/dev/null && cmd=(timeout 5 "${cmd[@]}")
        "${cmd[@]}" "$1" list --json 2>/dev/null |
                grep -oE "\"$2\": *(\"[^\"]*\"|[0-9]+)" |
                sed -E 's/^"[^"]*": *"?([^"]*)"?$/\1/'
}

_pikctl() {
        local cur=${COMP_WORDS[COMP_CWORD]} prev="" w i verb="" group="" npos=0
        local _pikctl_cmd=${COMP_WORDS[0]} _pikctl_db="" _pikctl_config=""
        local -a pos=()
        [ "$COMP_CWORD" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD - 1]}
        COMPREPLY=()

        # Find the command among the words before the cursor, skipping
        # options and their values (options may come anywhere).
        for ((i = 1; i < COMP_CWORD; i++)); do
                w=${COMP_WORDS[i]}
                case $w in
                --db) _pikctl_db=${COMP_WORDS[i + 1]:-} ;;
                --config) _pikctl_config=${COMP_WORDS[i + 1]:-} ;;
                esac
                if [[ $w == -* ]]; then
                        [[ $_pikctl_arg_opts == *" $w "* ]] && ((i++))
                        continue
                fi
                pos+=("$w")
        done
        # Expand "~/" in the paths handed to pikctl.
        _pikctl_db=${_pikctl_db/#\~\//$HOME/}
        _pikctl_config=${_pikctl_config/#\~\//$HOME/}
        [ -x "$_pikctl_cmd" ] || _pikctl_cmd=pikctl

        case ${pos[0]:-} in
        partner | browser | config | execution | result | maintenance)
                group=${pos[0]}
                [ "${#pos[@]}" -ge 2 ] && verb="$group ${pos[1]}"
                npos=$((${#pos[@]} - 2))
                ;;
        "") ;;
        *)
                verb=${pos[0]}
                npos=$((${#pos[@]} - 1))
                ;;
        esac

        # The value of an option.
        case $prev in
        --db | --config | --flow | --ca-file)
                compopt -o filenames 2>/dev/null
                mapfile -t COMPREPLY < <(compgen -f -- "$cur")
                return 0
                ;;
        --engine)
                mapfile -t COMPREPLY < <(compgen -W "http webdriver" -- "$cur")
                return 0
                ;;
        --http-version)
                mapfile -t COMPREPLY < <(compgen -W "1.1 2" -- "$cur")
                return 0
                ;;
        --kind)
                mapfile -t COMPREPLY < <(compgen -W "success partner infrastructure configuration" -- "$cur")
                return 0
                ;;
        --partner)
                mapfile -t COMPREPLY < <(compgen -W "$(_pikctl_list partner code)" -- "$cur")
                return 0
                ;;
        --browser)
                mapfile -t COMPREPLY < <(compgen -W "$(_pikctl_list browser name)" -- "$cur")
                return 0
                ;;
        --browsers)
                # A comma-separated list: complete its last element.
                local head="" last=$cur
                if [[ $cur == *,* ]]; then
                        head=${cur%,*},
                        last=${cur##*,}
                fi
                mapfile -t COMPREPLY < <(compgen -P "$head" -W "$(_pikctl_list browser name)" -- "$last")
                compopt -o nospace 2>/dev/null
                return 0
                ;;
        --tz)
                local zones
                zones=$(cd /usr/share/zoneinfo 2>/dev/null &&
                        find . -type f ! -name '*.*' ! -path './posix/*' ! -path './right/*' 2>/dev/null |
                        sed -n 's|^\./\([A-Z][^ ]*\)$|\1|p')
                mapfile -t COMPREPLY < <(compgen -W "$zones" -- "$cur")
                return 0
                ;;
        esac
        if [[ " $_pikctl_arg_opts " == *" $prev "* ]]; then
                return 0        # a free value: nothing to offer
        fi

        if [[ $cur == -* ]]; then
                local opts=$_pikctl_global_opts
                [ -n "$verb" ] && opts+=" ${_pikctl_verb_opts[$verb]:-}"
                mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
                return 0
        fi

        if [ -z "$group" ] && [ -z "$verb" ]; then
                mapfile -t COMPREPLY < <(compgen -W "status partner browser config jobs executions execution
                        results result outcomes alerts notifications history run-now hold release maintenance" -- "$cur")
                return 0
        fi
        if [ -z "$verb" ]; then
                local subs="list show add remove enable disable"
                [ "$group" = execution ] || [ "$group" = result ] && subs="show"
                [ "$group" = maintenance ] && subs="add list remove"
                mapfile -t COMPREPLY < <(compgen -W "$subs" -- "$cur")
                return 0
        fi
        # The one positional argument of a command.
        [ "$npos" -eq 0 ] || return 0
        case $verb in
        "partner show" | "partner remove" | "partner enable" | "partner disable" | "config add" | run-now | history)
                mapfile -t COMPREPLY < <(compgen -W "$(_pikctl_list partner code)" -- "$cur")
                ;;
        "browser show" | "browser remove" | "browser enable" | "browser disable")
                mapfile -t COMPREPLY < <(compgen -W "$(_pikctl_list browser name)" -- "$cur")
                ;;
        "config show" | "config remove" | "config enable" | "config disable" | hold | release)
                mapfile -t COMPREPLY < <(compgen -W "$(_pikctl_list config id)" -- "$cur")
                ;;
        "maintenance remove")
                mapfile -t COMPREPLY < <(compgen -W "$(_pikctl_list maintenance id)" -- "$cur")
                ;;
        esac
        return 0
}

complete -F _pikctl pikctl
