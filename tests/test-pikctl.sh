#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# pikctl end to end, offline (--db) on temporary databases: every command of
# DESIGN.md's surface, its plain and --json output, its exit codes, and that
# bad input leaves the database as it was. Also one scheduler and dispatcher
# pass (--now, --dry-run) and what pikctl shows of them.
#
# Usage: test-pikctl.sh PIKCTL
#   env PIK_SCHEDULER, PIK_DISPATCHER, PIK_PRUNE: the programs (default: next to PIKCTL
#   in the build tree); PIKCTL_WRAPPER: a command prefixed to every run of
#   the programs, e.g. "valgrind --leak-check=full --error-exitcode=99 -q"
#   (exit status 99 counts as a failure).

set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/lib.sh"

PIKCTL=$(realpath "${1:?usage: test-pikctl.sh PIKCTL}")
BUILD_SRC=$(dirname "$(dirname "$PIKCTL")")
SCHEDULER=$(realpath "${PIK_SCHEDULER:-$BUILD_SRC/pik-scheduler/pik-scheduler}")
DISPATCHER=$(realpath "${PIK_DISPATCHER:-$BUILD_SRC/pik-dispatcher/pik-dispatcher}")
PRUNE=$(realpath "${PIK_PRUNE:-$BUILD_SRC/pik-prune/pik-prune}")
read -ra WRAP <<<"${PIKCTL_WRAPPER:-}"

for t in jq sqlite3 sha256sum cmp python3; do
        command -v "$t" >/dev/null || { echo "test-pikctl.sh: $t is needed (bash tests/run installs it)" >&2; exit 1; }
done

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
# The read-only test runs as nobody, who must reach the directory.
chmod 0755 "$TMP"
CONF=$TMP/empty.conf
: >"$CONF"

# Fixed clock: everything below is computed from it.
NOW=2026-01-10T12:00:00Z
NOW_S=$(date -u -d "$NOW" +%s)
iso() {
        date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ
}

DB=
use_db() {
        DB=$TMP/$1.db
}

pk() {
        "${WRAP[@]}" "$PIKCTL" --db "$DB" --config "$CONF" --now "$NOW" "$@"
}
sched() {
        "${WRAP[@]}" "$SCHEDULER" --db "$DB" --config "$CONF" "$@"
}
disp() {
        "${WRAP[@]}" "$DISPATCHER" --db "$DB" --config "$CONF" "$@"
}
# prune CONF ARGS…: the daily prune with its own settings.
prune() {
        local conf=$1
        shift
        "${WRAP[@]}" "$PRUNE" --db "$DB" --config "$conf" --now "$NOW" "$@"
}

db_state() {
        if [ -e "$DB" ]; then
                sqlite3 "$DB" .dump | sha256sum
        else
                echo absent
        fi
}

# expect_rejected CODE CMD…: CMD exits with CODE and the database is as it was.
expect_rejected() {
        local want=$1 before after
        shift
        before=$(db_state)
        expect_exit "$want" "$@"
        after=$(db_state)
        if [ "$before" == "$after" ]; then
                _t_ok
        else
                _t_fail "the database changed although the command failed"
        fi
}

# expect_unchanged CMD…: CMD exits 0 and the database is as it was.
expect_unchanged() {
        expect_rejected 0 "$@"
}

has_ansi() {
        [[ "$OUT" == *$'\e['* ]] || [[ "$ERR" == *$'\e['* ]]
}

# Run a command on a pseudo-terminal (to see that colours exist at all, so
# that "no colour when piped" is a real check).
on_tty() {
        TERM=xterm python3 - "$@" <<'EOF'
import os, pty, sys
if "KEEP_NO_COLOR" not in os.environ:
    os.environ.pop("NO_COLOR", None)
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
out = b""
while True:
    try:
        d = os.read(fd, 65536)
    except OSError:
        break
    if not d:
        break
    out += d
_, st = os.waitpid(pid, 0)
sys.stdout.buffer.write(out)
sys.exit(os.waitstatus_to_exitcode(st))
EOF
}

# ---------------------------------------------------------------------------
section "help and usage errors"
use_db usage

expect_ok pk --help
expect_contains "Usage: pikctl"
expect_contains "partner add CODE --name TEXT"
expect_contains "config add PARTNER"
expect_contains "run-now PARTNER"
expect_ok pk partner --help
expect_contains "partner add"
expect_contains "partner list"
expect_not_contains "browser add"
expect_ok pk config --help
expect_contains "--every"
expect_ok pk --version
expect_contains "pikctl"

expect_rejected 2 pk
expect_rejected 2 pk frobnicate
expect_err_contains "frobnicate"
expect_rejected 2 pk partner frobnicate
expect_rejected 2 pk partner
expect_rejected 2 pk --frobnicate status
expect_err_contains "frobnicate"
expect_rejected 2 pk partner list --sso
expect_err_contains "--sso"
expect_rejected 2 pk status --force
expect_rejected 2 pk partner show
expect_rejected 2 pk partner show a b
expect_rejected 2 pk --now yesterday-ish status
expect_err_contains "--now"
expect_true "a usage error creates no database" test ! -e "$DB"

# A read-only command on a database that does not exist: a clear error, no
# file created, and not "not found" (4) of what was asked.
expect_exit 1 pk partner list
expect_err_contains "$DB"
expect_true "a read-only command creates no database" test ! -e "$DB"

# ---------------------------------------------------------------------------
section "operator input echoed in errors carries no terminal controls"
use_db echo
expect_ok pk partner add acme --name Acme

# ESC (an OSC title and a screen clear), BEL, and C1 CSI (U+009B).
EVIL=$'\e]0;pwned\a\e[2J\xc2\x9b31m'
# no_raw_controls WHAT: neither stream of the last run holds ESC, BEL or C1 CSI.
no_raw_controls() {
        local hex
        hex=" $(printf '%s%s' "$OUT" "$ERR" | od -An -tx1 | tr -s ' \n' '  ') "
        if [[ "$hex" == *" 1b "* || "$hex" == *" 07 "* || "$hex" == *" c2 9b "* ]]; then
                _t_fail "$1: raw control characters in the output"
        else
                _t_ok
        fi
}
CADD=(config add acme --browsers ff --url https://acme.example/ --every 5m)
for opt in "--now $EVIL status" "results --since $EVIL" "config show $EVIL" "results --limit $EVIL" \
           "config add acme --browsers ,$EVIL --url https://acme.example/ --every 5m" \
           "${CADD[*]} --wait $EVIL" "${CADD[*]} --flow $TMP/$EVIL" \
           "$EVIL" "partner $EVIL"; do
        read -ra words <<<"$opt"
        expect_rejected 2 pk "${words[@]}"
        no_raw_controls "pikctl $opt"
        expect_err_contains "?]0;pwned?"
done
# The library's validators name the argument without echoing it.
expect_rejected 2 pk partner show "$EVIL"
no_raw_controls "pikctl partner show"
expect_err_contains "partner code"
expect_exit 1 "${WRAP[@]}" "$SCHEDULER" --db "$DB" --config "$CONF" --now "$EVIL"
no_raw_controls "pik-scheduler --now"
expect_err_contains "--now"

# ---------------------------------------------------------------------------
section "partners"
use_db crud

expect_ok pk partner add acme --name "Acme Corp"
expect_contains "acme"
expect_true "the first change creates the database" test -s "$DB"
expect_ok pk partner add beta --name "Beta Travel" --json
expect_json '.ok == true and (.message | contains("beta"))' "partner add --json gives {ok, message}"
expect_ok pk partner list
expect_contains "Acme Corp"
expect_contains "Beta Travel"
expect_true "plain output has no ANSI escapes when piped" eval '! has_ansi'
expect_ok pk partner list --json
expect_json 'type == "array" and length == 2' "partner list --json is an array of 2"
expect_json '.[0] | has("code") and has("name") and has("enabled")' "partner rows have code, name, enabled"
expect_json '[.[].code] == ["acme", "beta"]' "partner codes"
expect_json '.[] | select(.code == "acme") | .name == "Acme Corp" and .enabled == true' "acme's name and enabled"

expect_ok pk partner show acme
expect_contains "Acme Corp"
expect_ok pk partner show acme --json
expect_json '.code == "acme" and .name == "Acme Corp" and .enabled == true'

expect_rejected 2 pk partner disable acme
expect_err_contains "reason"
expect_ok pk partner disable acme --reason "contract paused"
expect_ok pk partner show acme --json
expect_json '.enabled == false and .disabled_reason == "contract paused"' "disabled with reason"
expect_ok pk partner enable acme
expect_ok pk partner show acme --json
expect_json '.enabled == true' "enabled again"

# Exit codes of the contract.
expect_rejected 1 pk partner add acme --name "Acme again"
expect_err_contains "already exists"
expect_rejected 4 pk partner show nope
expect_err_contains "nope"
expect_rejected 4 pk partner enable nope
expect_rejected 4 pk partner remove nope
expect_rejected 2 pk partner add newp
expect_err_contains "--name"
expect_rejected 2 pk partner add 'Bad Code' --name x
expect_err_contains "invalid"
expect_rejected 2 pk partner add '-x' --name x
expect_rejected 2 pk partner add "$(printf 'c%.0s' {1..200})" --name x
expect_rejected 2 pk partner show 'Bad Code'
expect_rejected 2 pk partner add badutf --name $'Caf\xe9 \xff'
expect_err_contains "UTF-8"
expect_rejected 2 pk partner add ctrl --name $'two\nlines'
BIG=$(head -c 102400 /dev/zero | tr '\0' n)
expect_rejected 2 pk partner add bigname --name "$BIG"
expect_err_contains "too long"
expect_rejected 2 pk partner disable beta --reason "$BIG"
expect_rejected 2 pk partner disable beta --reason $'\xff\xfe'
expect_ok pk partner show beta --json
expect_json '.enabled == true' "a rejected disable leaves beta enabled"

# UTF-8 that is valid is kept as it is.
expect_ok pk partner add gamma --name "Gämma Reisen ✈"
expect_ok pk partner show gamma --json
expect_json '.name == "Gämma Reisen ✈"' "UTF-8 name round trip"
expect_ok pk partner remove gamma
expect_contains "gamma"
expect_rejected 4 pk partner show gamma

# ---------------------------------------------------------------------------
section "browsers"

expect_ok pk browser add ff --engine http --user-agent "Mozilla/5.0 pik-test"
expect_ok pk browser add chrome --engine webdriver --webdriver-url http://127.0.0.1:4444
expect_ok pk browser list
expect_contains "ff"
expect_contains "webdriver"
expect_ok pk browser list --json
expect_json 'length == 2 and ([.[].name] | sort) == ["chrome", "ff"]' "two browsers"
expect_json '.[] | select(.name == "ff") | .engine == "http" and .user_agent == "Mozilla/5.0 pik-test"' "ff settings"
expect_json '.[] | select(.name == "chrome") | .engine == "webdriver" and .webdriver_url == "http://127.0.0.1:4444"' "chrome settings"
expect_ok pk browser show ff --json
expect_json '.name == "ff" and .engine == "http"'
expect_rejected 2 pk browser add opera
expect_err_contains "--engine"
expect_rejected 2 pk browser add opera --engine gecko
expect_rejected 2 pk browser add opera --engine webdriver --webdriver-url 'not a url'
expect_rejected 2 pk browser add opera --engine http --name x
expect_rejected 1 pk browser add ff --engine http
expect_rejected 4 pk browser show opera
expect_rejected 4 pk browser remove opera
# No URL: the host's own endpoint, pik-webdriver.service on loopback,
# stored as such.
expect_ok pk browser add tmp --engine webdriver
expect_ok pk browser show tmp --json
expect_json '.engine == "webdriver" and .webdriver_url == "http://127.0.0.1:9515"' "webdriver without a URL: pik-webdriver.service's"
expect_ok pk browser remove tmp
expect_ok pk browser add tmp --engine http
expect_ok pk browser show tmp --json
expect_json '.webdriver_url == null' "http: no WebDriver URL"
expect_ok pk browser disable tmp --reason "testing"
expect_ok pk browser show tmp --json
expect_json '.enabled == false' "browser disabled"
expect_ok pk browser enable tmp
expect_ok pk browser remove tmp
expect_rejected 4 pk browser show tmp

# ---------------------------------------------------------------------------
section "configurations"

expect_ok pk config add acme --browsers ff,chrome --url https://acme.example/login --every 5m
expect_contains "Added configuration 1"
expect_ok pk config add acme --browsers ff --url https://acme.example/sso --at 08:00,12:30 --tz Europe/Paris \
        --sso --express-checkout --product-url https://acme.example/p/1 --wait 20 \
        --success-marker "Welcome" --failure-marker "Try again" --json
expect_json '.id == 2 and .partner == "acme" and .schedule_type == "daily" and .timezone == "Europe/Paris"
             and .sso == true and .express_checkout == true and .product_url == "https://acme.example/p/1"
             and .wait_sec == 20 and .success_marker == "Welcome" and .failure_marker == "Try again"' \
        "config add --json returns the new configuration"
expect_ok pk config add beta --browsers chrome --url http://beta.example/ --cron '*/15 8-18 * * 1-5'
expect_ok pk config list
expect_contains "acme.example/login"
expect_contains "*/15 8-18 * * 1-5"
expect_ok pk config list --json
expect_json 'length == 3 and ([.[].id] == [1, 2, 3])' "three configurations"
expect_json '.[0].browsers == "chrome,ff" and .[0].schedule_type == "interval" and .[0].timezone == "UTC"' "config 1"
expect_json '.[2].schedule_type == "cron" and .[2].partner == "beta"' "config 3"
expect_ok pk config show 1
expect_contains "https://acme.example/login"
expect_ok pk config show 1 --json
expect_json '.id == 1 and .enabled == true and .held == false'
expect_ok pk partner list --json
expect_json '.[] | select(.code == "acme") | .configs == 2' "partner list counts configurations"

expect_ok pk config disable 2 --reason "maintenance window"
expect_ok pk config show 2 --json
expect_json '.enabled == false and .disabled_reason == "maintenance window"'
expect_ok pk config enable 2
expect_ok pk config show 2 --json
expect_json '.enabled == true'
expect_rejected 2 pk config disable 2

expect_rejected 4 pk config show 999
expect_rejected 4 pk config remove 999
expect_rejected 4 pk config enable 999
expect_rejected 2 pk config show abc
expect_rejected 2 pk config show -- -1

# Bad input to config add: usage error, message naming the problem, nothing written.
U=https://acme.example/login
expect_rejected 2 pk config add acme --browsers ff --url "$U"
expect_err_contains "--every"
expect_rejected 2 pk config add acme --browsers ff --url "$U" --every 5m --at 08:00
expect_rejected 2 pk config add acme --url "$U" --every 5m
expect_err_contains "--browsers"
expect_rejected 2 pk config add acme --browsers ff --every 5m
expect_err_contains "--url"
expect_rejected 2 pk config add 'Bad Code' --browsers ff --url "$U" --every 5m
expect_rejected 4 pk config add nope --browsers ff --url "$U" --every 5m
expect_rejected 4 pk config add acme --browsers ff,nosuch --url "$U" --every 5m
expect_err_contains "nosuch"
expect_rejected 2 pk config add acme --browsers ff --url notaurl --every 5m
expect_err_contains "notaurl"
expect_rejected 2 pk config add acme --browsers ff --url ftp://acme.example/ --every 5m
expect_rejected 2 pk config add acme --browsers ff --url "https://acme.example/a b" --every 5m
expect_rejected 2 pk config add acme --browsers ff --url "$U" --every 5m --product-url "javascript:alert(1)"
expect_rejected 2 pk config add acme --browsers ff --url "$U" --cron '61 * * * *'
expect_err_contains "minute"
expect_rejected 2 pk config add acme --browsers ff --url "$U" --cron '0 25 * * *'
expect_err_contains "hour"
expect_rejected 2 pk config add acme --browsers ff --url "$U" --cron '0 0 32 * *'
expect_err_contains "day"
expect_rejected 2 pk config add acme --browsers ff --url "$U" --cron '0 0 * 13 *'
expect_err_contains "month"
expect_rejected 2 pk config add acme --browsers ff --url "$U" --cron '0 0 * * 8'
expect_err_contains "week"
expect_rejected 2 pk config add acme --browsers ff --url "$U" --cron '* * *'
expect_rejected 2 pk config add acme --browsers ff --url "$U" --every 5m --tz Mars/Olympus
expect_err_contains "Mars/Olympus"
expect_rejected 2 pk config add acme --browsers ff --url "$U" --every 5m --tz ../../etc/passwd
expect_rejected 2 pk config add acme --browsers ff --url "$U" --at 25:00
expect_rejected 2 pk config add acme --browsers ff --url "$U" --every 0m
expect_rejected 2 pk config add acme --browsers ff --url "$U" --every soon
expect_rejected 2 pk config add acme --browsers ff --url "$U" --every 5m --wait 99999
expect_err_contains "wait must be between 0 and 3600 seconds"
expect_rejected 2 pk config add acme --browsers ff --url "$U" --every 5m --wait 99999999999999999999
expect_err_contains "wait must be between 0 and 3600 seconds"
expect_rejected 2 pk config add acme --browsers ff --url "$U" --every 5m --wait soon
expect_err_contains "Invalid --wait 'soon'"
expect_rejected 2 pk config add acme --browsers ff --url "$U" --every 5m --success-marker $'\xff'
expect_rejected 2 pk config add acme --browsers ff --url "$U" --every 5m --reason x

expect_ok pk config remove 3
expect_rejected 4 pk config show 3

# ---------------------------------------------------------------------------
section "status, jobs, executions, results and outcomes on an empty history"

expect_ok pk status
expect_contains "acme"
expect_true "status has no ANSI escapes when piped" eval '! has_ansi'
expect_ok pk status --json
expect_json '[.rows[] | "\(.config_id) \(.browser)"] | sort == ["1 chrome", "1 ff", "2 ff"]' \
        "one row per check: configuration 1 in chrome and ff, configuration 2 in ff"
expect_json '.rows[0] | has("partner") and has("browser") and has("outcome") and has("kind") and has("success_ratio_24h")
             and has("config_id") and has("name") and has("state") and has("partner_kind")' \
        "status rows carry partner, check, browser, state, outcome, kind, success_ratio_24h"
expect_json '[.rows[].outcome] == [null, null, null] and all(.rows[]; .state == "new")' "no outcome yet"
expect_ok pk jobs
expect_ok pk jobs --json
expect_json 'type == "array" and length == 0' "no job before the scheduler ran"
expect_rejected 2 pk jobs --overdue --upcoming
expect_ok pk executions --json
expect_json 'length == 0'
expect_rejected 4 pk execution show 999
expect_err_contains "999"
expect_rejected 2 pk execution show x
expect_ok pk results --json
expect_json 'length == 0'
expect_ok pk outcomes
expect_contains "check-expired"
expect_contains "infrastructure"
expect_true "outcomes has no ANSI escapes when piped" eval '! has_ansi'
expect_ok pk outcomes --json
expect_json '([.[].kind] | unique) == ["configuration", "infrastructure", "partner", "success"]' "all four kinds"
expect_json '.[] | select(.name == "check-expired") | .kind == "infrastructure" and .retried == true' "check-expired is infrastructure, retried"
expect_json '.[] | select(.name == "success") | .kind == "success" and .retried == false'
expect_json '.[] | select(.name == "login-rejected") | .kind == "partner" and .retried == false'
expect_json '.[] | select(.name == "missing-credentials") | .kind == "configuration"'
expect_json 'all(.[]; has("name") and has("kind") and has("retried") and has("description"))'

# Colours exist on a terminal (so the checks above can fail), and NO_COLOR
# turns them off there too.
run on_tty "${WRAP[@]}" "$PIKCTL" --db "$DB" --config "$CONF" --now "$NOW" outcomes
expect_true "outcomes is coloured on a terminal" has_ansi
NO_COLOR=1 KEEP_NO_COLOR=1 run on_tty "${WRAP[@]}" "$PIKCTL" --db "$DB" --config "$CONF" --now "$NOW" outcomes
expect_true "NO_COLOR turns colours off" eval '! has_ansi'

# ---------------------------------------------------------------------------
section "configuration file"

printf 'timezone = "UTC";\n\nfrobnicate = 3;\n' >"$TMP/bad-key.conf"
before=$(db_state)
expect_exit 1 "${WRAP[@]}" "$PIKCTL" --db "$DB" --config "$TMP/bad-key.conf" partner add zed --name Zed
expect_err_contains "bad-key.conf:3"
expect_err_contains "frobnicate"
printf 'job_expiry = 5;\n' >"$TMP/range.conf"
expect_exit 1 "${WRAP[@]}" "$PIKCTL" --db "$DB" --config "$TMP/range.conf" partner add zed --name Zed
expect_err_contains "range.conf:1"
expect_err_contains "job_expiry"
printf 'max_concurrent = "many";\n' >"$TMP/type.conf"
expect_exit 1 "${WRAP[@]}" "$PIKCTL" --db "$DB" --config "$TMP/type.conf" partner add zed --name Zed
expect_err_contains "max_concurrent"
printf 'timezone = "UTC"\nretry = {\n' >"$TMP/syntax.conf"
expect_exit 1 "${WRAP[@]}" "$PIKCTL" --db "$DB" --config "$TMP/syntax.conf" partner add zed --name Zed
expect_err_contains "syntax.conf"
expect_exit 1 "${WRAP[@]}" "$PIKCTL" --db "$DB" --config "$TMP/no-such.conf" partner add zed --name Zed
expect_err_contains "no-such.conf"
# status names the broken file too, and does not exit 0 with it.
expect_exit 1 "${WRAP[@]}" "$PIKCTL" --db "$DB" --config "$TMP/bad-key.conf" status
expect_err_contains "bad-key.conf:3: unknown key 'frobnicate'"
expect_exit 1 "${WRAP[@]}" "$PIKCTL" --db "$DB" --config "$TMP/range.conf" status --json
expect_err_contains "range.conf:1: job_expiry"
expect_eq "$(db_state)" "$before" "a bad configuration file leaves the database unchanged"
# The configured time zone is the default of new configurations.
printf 'timezone = "America/New_York";\n' >"$TMP/tz.conf"
expect_ok "${WRAP[@]}" "$PIKCTL" --db "$DB" --config "$TMP/tz.conf" --json \
        config add beta --browsers ff --url https://beta.example/ --every 1h
expect_json '.timezone == "America/New_York"' "config add takes the configured default zone"

# ---------------------------------------------------------------------------
section "unusable database files"

# A corrupt file: clear error naming it, exit 1, file untouched.
use_db corrupt
head -c 8192 /dev/urandom >"$DB"
cp "$DB" "$TMP/corrupt.orig"
expect_exit 1 pk partner list
expect_err_contains "$DB"
expect_exit 1 pk partner add zed --name Zed
expect_err_contains "$DB"
expect_exit 1 pk status --json
expect_eq "$OUT" "" "no output on a corrupt database"
expect_true "the corrupt file is unchanged" cmp -s "$DB" "$TMP/corrupt.orig"
expect_true "no journal left next to the corrupt file" test ! -e "$DB-wal" -a ! -e "$DB-journal"

# SQLite URI filenames and special names are not paths: refused (2), with
# nothing opened or created; a file named file:… is reached as ./file:….
use_db uri
expect_ok pk partner add acme --name Acme
before=$(db_state)
for d in "file:$DB?mode=ro" "file:$DB" ":memory:"; do
        expect_exit 2 "${WRAP[@]}" "$PIKCTL" --db "$d" --config "$CONF" partner add zed --name Zed
        expect_err_contains "plain file paths only"
done
expect_eq "$(db_state)" "$before" "a refused URI leaves the database unchanged"
cd "$TMP" || exit 1
expect_ok "${WRAP[@]}" "$PIKCTL" --db ./file:plain.db --config "$CONF" partner add p --name P
cd - >/dev/null || exit 1
expect_true "./file:plain.db is a plain file" test -s "$TMP/file:plain.db"

# A database the user may read but not write: a write fails clearly and
# changes nothing.
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
        use_db readonly
        expect_ok pk partner add ro --name "Read Only"
        chmod 0644 "$DB"
        chown root:root "$DB"
        RO_PIKCTL=$TMP/pikctl-copy
        cp "$PIKCTL" "$RO_PIKCTL"   # the build tree may not be reachable by nobody
        chmod 0755 "$RO_PIKCTL"
        asnobody() {
                setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
        }
        expect_true "nobody can read the database" asnobody test -r "$DB"
        before=$(db_state)
        cp "$DB" "$TMP/readonly.orig"
        for cmd in "partner add other --name Other" "partner disable ro --reason x" "partner remove ro"; do
                # shellcheck disable=SC2086
                run asnobody "${WRAP[@]}" "$RO_PIKCTL" --db "$DB" --config "$CONF" $cmd
                if [ "$RC" -ne 0 ] && [ "$RC" -ne 99 ]; then _t_ok; else _t_fail "a write to a read-only database succeeded"; fi
                expect_err_contains "$DB"
                if [[ "$ERR" =~ read-?only|ermission ]]; then _t_ok; else _t_fail "the error does not say the database is read-only"; fi
        done
        expect_eq "$(db_state)" "$before" "a refused write leaves the database unchanged"
        expect_true "the read-only file is unchanged" cmp -s "$DB" "$TMP/readonly.orig"
else
        echo "skipping the read-only database checks: they need root and setpriv"
fi

# ---------------------------------------------------------------------------
section "scheduler and dispatcher passes"
use_db flow

T=$NOW
T10=$(iso $((NOW_S + 600)))
expect_ok pk partner add shop --name Shop
expect_ok pk browser add ff --engine http
expect_ok pk config add shop --browsers ff --url https://shop.example/login --every 5m
expect_ok sched --now "$T"
expect_ok pk jobs --json
expect_json 'length == 1' "one scheduled job"
expect_json '.[0].partner == "shop" and .[0].browser == "ff" and .[0].dispatched == false and .[0].held == false'
RUN_AFTER=$(printf '%s' "$OUT" | jq -r '.[0].run_after')
RUN_AFTER_S=$(date -u -d "$RUN_AFTER" +%s 2>/dev/null || echo 0)
expect_true "run_after ($RUN_AFTER) is after $T" test "$RUN_AFTER_S" -gt "$NOW_S"
expect_true "run_after ($RUN_AFTER) is within one interval of $T" test "$RUN_AFTER_S" -le $((NOW_S + 300))
expect_ok pk jobs
expect_contains "shop"
expect_contains "$RUN_AFTER"
expect_ok pk jobs --upcoming --json
expect_json 'length == 1'
expect_ok pk jobs --overdue --json
expect_json 'length == 0' "nothing overdue at T"

# A second pass at the same time creates nothing more.
expect_ok sched --now "$T"
expect_ok pk jobs --json
expect_json 'length == 1' "the scheduler pass is idempotent"

expect_unchanged disp --dry-run --now "$T"
expect_contains "0 job(s) due"
expect_unchanged disp --dry-run --now "$T10"
expect_contains "partner shop, browser ff"
expect_contains "1 job(s) due"

expect_ok pk hold
expect_ok pk jobs --json
expect_json '.[0].held == true' "global hold shows on the job"
expect_ok pk status --json
expect_json '.held == true'
expect_ok pk status
expect_contains "held"
expect_unchanged disp --dry-run --now "$T10"
expect_contains "0 job(s) due"
expect_not_contains "partner shop"
expect_ok pk release
expect_unchanged disp --dry-run --now "$T10"
expect_contains "1 job(s) due"

expect_ok pk hold 1
expect_ok pk config show 1 --json
expect_json '.held == true'
expect_unchanged disp --dry-run --now "$T10"
expect_contains "0 job(s) due"
expect_ok pk release 1
expect_unchanged disp --dry-run --now "$T10"
expect_contains "1 job(s) due"
expect_rejected 4 pk hold 999
expect_rejected 2 pk hold abc
expect_rejected 2 pk hold 1 2

# A hold with a reason and an end: it says both, and ends by itself (the
# dispatcher compares the end with its own clock; no release is called).
expect_ok pk hold 1 --reason "partner migration" --until 5m
expect_contains "until $(iso $((NOW_S + 300)))"
expect_contains "partner migration"
expect_ok pk jobs --json
expect_json '.[0].held == true and .[0].held_reason == "partner migration" and .[0].held_until == "'"$(iso $((NOW_S + 300)))"'"'
expect_ok pk status --json
expect_json '.rows[0].state == "held" and .rows[0].held_reason == "partner migration"' "status shows the hold's reason"
expect_ok pk status
expect_contains "held until $(iso $((NOW_S + 300))), partner migration"
expect_ok pk run-now shop
expect_contains "Held: queued 1 job of partner shop, but they are held until"
expect_not_contains "the dispatcher starts them"
expect_ok pk run-now shop --json
expect_json '.ok == true and (.message | startswith("Held:"))' "run-now during a hold says so, with exit 0"
expect_unchanged disp --dry-run --now "$(iso $((NOW_S + 299)))"
expect_contains "0 job(s) due"
expect_unchanged disp --dry-run --now "$T10"
expect_contains "1 job(s) due"
expect_ok pk status --json --now "$T10"
expect_json '.rows[0].state != "held" and .rows[0].held == false' "an ended hold is not shown"
expect_ok pk release 1

expect_ok pk hold --reason "network work" --until "$(iso $((NOW_S + 3600)))"
expect_contains "Holding all checks until $(iso $((NOW_S + 3600))): network work."
expect_ok pk status
expect_contains "All checks are held until $(iso $((NOW_S + 3600))), network work"
expect_ok pk status --json
expect_json '.held == true and .held_reason == "network work" and .held_until == "'"$(iso $((NOW_S + 3600)))"'"'
expect_ok pk run-now shop
expect_contains "Held:"
expect_contains "network work"
expect_ok pk status --json --now "$(iso $((NOW_S + 3600)))"
expect_json '.held == false and .held_reason == null' "the global hold ended by itself"
expect_ok pk release
expect_ok pk status --json
expect_json '.held == false and .held_until == null' "released"

expect_rejected 2 pk hold 1 --until "$(iso $((NOW_S - 60)))"
expect_err_contains "--until"
expect_rejected 2 pk hold 1 --until soon
expect_err_contains "--until"
expect_rejected 2 pk hold 1 --until 0s
expect_rejected 2 pk hold 1 --until 400d
expect_rejected 2 pk hold 1 --reason $'two\nlines'
expect_err_contains "reason"
expect_rejected 2 pk hold --reason $'\xff\xfe'
expect_rejected 4 pk hold 999 --reason x --until 1h
expect_rejected 2 pk release 1 --reason x

# ---------------------------------------------------------------------------
section "maintenance windows"

# Refusals first: each names what is wrong and changes nothing.
expect_rejected 2 pk maintenance add --partner shop --cron '0 25 * * *' --duration 2h --reason upgrade
expect_err_contains "hour field"
expect_rejected 2 pk maintenance add --partner shop --cron 'sometimes' --duration 2h --reason upgrade
expect_err_contains "cron expression 'sometimes' is invalid"
expect_rejected 2 pk maintenance add --partner shop --cron '0 12 * * *' --duration 0 --reason upgrade
expect_err_contains "--duration"
expect_rejected 2 pk maintenance add --partner shop --cron '0 12 * * *' --duration 30d --reason upgrade
expect_err_contains "at most 7d"
expect_rejected 2 pk maintenance add --partner shop --cron '0 12 * * *' --duration 30s --reason upgrade
expect_err_contains "duration"
expect_rejected 2 pk maintenance add --partner shop --cron '0 12 * * *' --duration 2h --tz Mars/Olympus --reason upgrade
expect_err_contains "time zone 'Mars/Olympus'"
expect_rejected 4 pk maintenance add --partner nobody --cron '0 12 * * *' --duration 2h --reason upgrade
expect_err_contains "partner 'nobody' not found"
expect_rejected 4 pk maintenance add --config 99 --cron '0 12 * * *' --duration 2h --reason upgrade
expect_err_contains "configuration 99 not found"
expect_rejected 2 pk maintenance add --partner shop --all --cron '0 12 * * *' --duration 2h --reason upgrade
expect_err_contains "exactly one of"
expect_rejected 2 pk maintenance add --partner shop --cron '0 12 * * *' --duration 2h
expect_err_contains "--reason"
expect_rejected 2 pk maintenance add --partner shop --duration 2h --reason upgrade
expect_err_contains "--cron"
expect_rejected 2 pk maintenance add --partner shop --cron '0 12 * * *' --duration 2h --reason upgrade --browser ff
expect_rejected 4 pk maintenance remove 1
expect_rejected 2 pk maintenance remove abc

# Every day 12:00-14:00 UTC (NOW is 12:00): the shop's due job is not
# dispatched, status says so, and the job runs after the window.
expect_ok pk maintenance add --partner shop --cron '0 12 * * *' --duration 2h --tz UTC --reason "shop upgrade"
expect_contains "Added maintenance window 1 for partner shop"
expect_ok pk maintenance list --json
expect_json 'length == 1 and .[0].scope == "partner" and .[0].partner == "shop" and .[0].duration_sec == 7200
        and .[0].active_until == "'"$(iso $((NOW_S + 7200)))"'" and .[0].next_start == "'"$(iso $((NOW_S + 86400)))"'"
        and .[0].reason == "shop upgrade"' "the window is listed, open until 14:00"
expect_ok pk maintenance list
expect_contains "shop upgrade"
expect_unchanged disp --dry-run --now "$T10"
expect_contains "0 job(s) due"
expect_ok pk status
expect_contains "maintenance until $(iso $((NOW_S + 7200)))"
expect_ok pk status --json
expect_json '.rows[0].maintenance_until == "'"$(iso $((NOW_S + 7200)))"'"' "status JSON has the window's end"
expect_ok pk status --json --now "$(iso $((NOW_S + 7200)))"
expect_json '.rows[0].maintenance_until == null' "the window closed by itself"
expect_unchanged disp --dry-run --now "$(iso $((NOW_S + 7200)))"
expect_contains "1 job(s) due"
# The configuration's own window, given with the same --config that names
# a file before the command: both are understood.
expect_ok pk maintenance add --config 1 --cron '30 12 * * *' --duration 1h --reason "one check"
expect_contains "configuration 1"
expect_ok pk maintenance remove 1
expect_contains "Removed maintenance window 1."
expect_ok pk maintenance remove 2
expect_ok pk maintenance list --json
expect_json 'length == 0'
expect_unchanged disp --dry-run --now "$T10"
expect_contains "1 job(s) due"

expect_ok pk run-now shop
expect_contains "shop"
expect_ok pk jobs --overdue --json
expect_json 'length == 1 and .[0].partner == "shop"' "run-now makes the job overdue"
expect_ok pk jobs --overdue
expect_contains "shop"
expect_unchanged disp --dry-run --now "$T"
expect_contains "1 job(s) due"
expect_ok pk run-now shop --browser ff --json
expect_json '.ok == true'
expect_rejected 4 pk run-now nope
expect_rejected 4 pk run-now shop --browser nosuch
expect_rejected 2 pk run-now 'Bad Code'
expect_rejected 2 pk run-now shop --kind partner
expect_ok pk executions --json
expect_json 'length == 0' "a dry run created no execution"

# Disabled partners get nothing due.
expect_ok pk partner disable shop --reason "paused"
expect_unchanged disp --dry-run --now "$T10"
expect_contains "0 job(s) due"
expect_ok pk partner enable shop

# ---------------------------------------------------------------------------
section "status and results with history"
use_db history

expect_ok pk partner add acme --name Acme
expect_ok pk partner add beta --name Beta
expect_ok pk browser add ff --engine http
expect_ok pk browser add chrome --engine webdriver --webdriver-url http://127.0.0.1:4444
expect_ok pk config add acme --browsers ff,chrome --url https://acme.example/login --every 5m
expect_ok pk config add beta --browsers ff --url https://beta.example/login --every 5m

# Results can only come from pik-check through pikd, which come later: write
# them as the library would. acme × ff: 4 in the last 24 h, 2 successes, the
# last an infrastructure failure 20 min ago; one older success outside 24 h.
ins() { # id partner browser seconds-ago outcome state
        local at=$((NOW_S - $4)) cid=1
        [ "$2" = beta ] && cid=2
        printf "INSERT INTO execution (id, config_id, partner, browser, key, state, unit, attempt, created_at, started_at, finished_at)
                VALUES (%d, %d, '%s', '%s', 'k%d', '%s', 'pik-check@%d.service', 1, %d, %d, %d);
                INSERT INTO result (execution_id, config_id, partner, browser, executed_at, duration_ms, outcome, details)
                VALUES (%d, %d, '%s', '%s', %d, 1234, '%s', 'test row %d');\n" \
                "$1" "$cid" "$2" "$3" "$1" "$6" "$1" "$at" "$at" "$at" "$1" "$cid" "$2" "$3" "$at" "$5" "$1"
}
{
        echo "BEGIN;"
        ins 1 acme ff $((48 * 3600)) success success
        ins 2 acme ff $((3 * 3600)) success success
        ins 3 acme ff $((2 * 3600)) login-rejected failure
        ins 4 acme ff $((50 * 60)) success success
        ins 5 acme ff $((20 * 60)) check-expired expired
        ins 6 acme chrome $((10 * 60)) success success
        ins 7 beta ff $((5 * 3600)) http-5xx failure
        echo "COMMIT;"
} | sqlite3 "$DB"
expect_eq "$(sqlite3 "$DB" 'SELECT count(*) FROM result')" 7 "test rows inserted"

expect_ok pk status --json
expect_json '.rows | length == 3' "three pairs"
expect_json '.rows[] | select(.partner == "acme" and .browser == "ff")
             | .outcome == "check-expired" and .kind == "infrastructure" and .success_ratio_24h == 0.5
               and .results_24h == 4 and .age_sec == 1200' \
        "acme × ff: last check-expired (infrastructure), 24 h ratio 0.5 over 4, 20 min old"
expect_json '.rows[] | select(.partner == "acme" and .browser == "chrome")
             | .outcome == "success" and .kind == "success" and .success_ratio_24h == 1' "acme × chrome: success, ratio 1"
expect_json '.rows[] | select(.partner == "beta" and .browser == "ff")
             | .outcome == "http-5xx" and .kind == "partner" and .success_ratio_24h == 0' "beta × ff: partner failure, ratio 0"
expect_ok pk status
expect_contains "check-expired"
expect_contains "infrastructure"
expect_contains "50.0%"
expect_contains "100.0%"
expect_true "status has no ANSI escapes when piped" eval '! has_ansi'
# 24 h later the old results fall out of the ratio.
expect_ok pk status --json --now "$(iso $((NOW_S + 86400 - 60 * 60)))"
expect_json '.rows[] | select(.partner == "acme" and .browser == "ff") | .results_24h == 2 and .success_ratio_24h == 0.5' \
        "the 24 h window moves with --now"

expect_ok pk results
expect_contains "login-rejected"
expect_contains "test row 3"
expect_contains "CHECK"
expect_ok pk results --json
expect_json 'all(.[]; has("config_id") and has("id"))' "results name their configuration"
expect_ok pk result show 3
expect_contains "login-rejected"
expect_contains "test row 3"
expect_ok pk result show 3 --json
expect_json '.id == 3 and .config_id == 1 and .outcome == "login-rejected" and .kind == "partner" and .steps == []' \
        "result show: one result with its (here: no) steps"
expect_rejected 4 pk result show 999
expect_rejected 2 pk result show nope
expect_true "results has no ANSI escapes when piped" eval '! has_ansi'
expect_ok pk results --json
expect_json 'length == 7'
expect_json '.[0].outcome == "success" and .[0].browser == "chrome"' "newest first"
expect_json 'all(.[]; has("partner") and has("browser") and has("outcome") and has("kind") and has("executed_at"))'
expect_ok pk results --kind partner --json
expect_json 'length == 2 and all(.[]; .kind == "partner")' "--kind partner"
expect_json '([.[].outcome] | sort) == ["http-5xx", "login-rejected"]'
expect_ok pk results --kind infrastructure --json
expect_json 'length == 1 and .[0].outcome == "check-expired"' "--kind infrastructure"
expect_ok pk results --since 1h --json
expect_json 'length == 3 and ([.[].execution_id] | sort) == [4, 5, 6]' "--since 1h"
expect_ok pk results --since "$(iso $((NOW_S - 4 * 3600)))" --json
expect_json 'length == 5' "--since an ISO time"
expect_ok pk results --partner beta --json
expect_json 'length == 1 and .[0].partner == "beta"' "--partner beta"
expect_ok pk results --partner acme --browser chrome --json
expect_json 'length == 1 and .[0].execution_id == 6' "--partner and --browser"
expect_ok pk results --partner acme --kind success --since 24h --json
expect_json 'length == 3' "filters combine"
expect_ok pk results --limit 2 --json
expect_json 'length == 2'
expect_ok pk results --partner nosuch --json
expect_json 'length == 0' "an unknown partner has no results"
expect_rejected 2 pk results --kind bogus
expect_err_contains "kind"
expect_rejected 2 pk results --since yesterday-ish
expect_err_contains "--since"
expect_rejected 2 pk results --partner 'Bad Code'
expect_rejected 2 pk results --limit 0
expect_rejected 2 pk results --overdue

expect_ok pk executions --json
expect_json 'length == 7'
expect_ok pk executions --partner acme --json
expect_json 'length == 6 and all(.[]; .partner == "acme")' "executions --partner"
expect_ok pk executions --partner acme
expect_contains "pik-check@5.service"
expect_ok pk execution show 5
expect_contains "expired"
expect_ok pk execution show 5 --json
expect_json '.id == 5 and .partner == "acme" and .browser == "ff" and .state == "expired"'

# Removing a partner with history needs --force, and keeps its results.
expect_rejected 1 pk partner remove acme
expect_err_contains "--force"
expect_rejected 1 pk browser remove chrome
expect_err_contains "--force"
expect_ok pk partner remove acme --force
expect_rejected 4 pk partner show acme
expect_ok pk config list --json
expect_json 'length == 1 and .[0].partner == "beta"' "acme's configurations went with it"
expect_ok pk results --partner acme --json
expect_json 'length == 6' "acme's results outlive it"
expect_ok pk executions --partner acme --json
expect_json 'length == 6' "acme's executions outlive it"
expect_ok pk status --json
expect_json '[.rows[].partner] == ["beta"]' "status shows configured pairs only"

# ---------------------------------------------------------------------------
section "every check stands on its own: named checks, a failing one never hidden"
use_db checks

expect_ok pk partner add acme --name Acme
expect_ok pk browser add ff --engine http
expect_ok pk config add acme --name plain --browsers ff --url https://acme.example/login --every 5m
expect_ok pk config add acme --name sso-login --sso --browsers ff --url https://acme.example/sso --every 5m
expect_rejected 1 pk config add acme --name sso-login --browsers ff --url https://acme.example/x --every 5m
expect_err_contains "already has a configuration named 'sso-login'"
expect_rejected 2 pk config add acme --name 'Not A Name' --browsers ff --url https://acme.example/x --every 5m
expect_eq "$(sqlite3 "$DB" 'SELECT count(*) FROM job_config')" 2 "refused names change nothing"
expect_ok pk config show 2 --json
expect_json '.name == "sso-login"'
# The SSO check failed (its identity provider was down) before the plain
# check succeeded: status shows both, the partner failing, the failure first.
{
        echo "BEGIN;"
        echo "INSERT INTO result (config_id, partner, browser, executed_at, duration_ms, outcome, details)
              VALUES (2, 'acme', 'ff', $((NOW_S - 18)), 900, 'sso-failed', 'idp.example refused');"
        echo "INSERT INTO result (config_id, partner, browser, executed_at, duration_ms, outcome)
              VALUES (1, 'acme', 'ff', $((NOW_S - 5)), 400, 'success');"
        echo "INSERT INTO result_step (result_id, position, name, http_status, requests, dns_ms, connect_ms, total_ms)
              VALUES (1, 1, 'entry page', 200, 1, 3, 4, 40), (1, 2, 'identity provider', 503, 2, 1, 2, 60);"
        echo "COMMIT;"
} | sqlite3 "$DB"
expect_ok pk status --json
expect_json '.rows | length == 2' "two checks, two rows"
expect_json '.canary == false' "status says no canary is configured"
expect_json '.rows[0].name == "sso-login" and .rows[0].outcome == "sso-failed" and .rows[0].state == "failing"' \
        "the failing check first"
expect_json '.rows[1].name == "plain" and .rows[1].outcome == "success" and .rows[1].state == "ok"'
expect_json 'all(.rows[]; .partner_kind == "partner")' "the partner is shown failing"
expect_ok pk status
expect_contains "#2 sso-login"
expect_contains "No canary is configured"
expect_contains "sso-failed"
expect_contains "#1 plain"
printf 'canary = { dns = "localhost"; url = "http://127.0.0.1:9/"; };\n' >"$TMP/canary.conf"
CONF=$TMP/canary.conf expect_ok pk status
expect_not_contains "No canary"
CONF=$TMP/canary.conf expect_ok pk status --json
expect_json '.canary == true' "status says a canary is configured"
expect_ok pk results --json
expect_json '[.[].config_name] == ["plain", "sso-login"]' "results name the check"
expect_ok pk result show 1 --json
expect_json '.config_name == "sso-login" and (.steps | length) == 2 and .steps[1].name == "identity provider"
             and .steps[1].http_status == 503 and .steps[1].total_ms == 60' "result show: the steps with timings"
expect_ok pk result show 1
expect_contains "identity provider"
expect_contains "FIRST BYTE MS"

section "alerts and notifications"
use_db alerts
expect_ok pk partner add acme --name Acme
expect_ok pk alerts --json
expect_json 'length == 0' "no alerts yet"
expect_ok pk notifications --json
expect_json 'length == 0' "no notifications yet"
expect_ok pk browser add ff --engine http
expect_ok pk config add acme --name sso-login --browsers ff --url https://acme.example/login --every 5m
# Alerts come from results through pikd: written as alert.c would, one open
# (with a failed and a sent notification), one closed.
{
        echo "BEGIN;"
        printf "INSERT INTO alert (id, config_id, partner, browser, kind, outcome, opened_at, closed_at, first_result_id,
                  last_result_id, last_success_at, notified_at)
                VALUES (1, 1, 'acme', 'ff', 'partner', 'http-5xx', %d, %d, 10, 12, %d, %d),
                       (2, 1, 'acme', 'ff', 'partner', 'login-rejected', %d, NULL, 20, 21, %d, %d);
                INSERT INTO notification (id, alert_id, channel, event, state, attempts, error, created_at, sent_at)
                VALUES (1, 2, 'ops', 'firing', 'sent', 1, NULL, %d, %d),
                       (2, 2, 'hook', 'firing', 'failed', 3, 'POST to http://hook.example/: HTTP status 503', %d, NULL);\n" \
                $((NOW_S - 7200)) $((NOW_S - 6000)) $((NOW_S - 8000)) $((NOW_S - 6000)) \
                $((NOW_S - 600)) $((NOW_S - 900)) $((NOW_S - 600)) $((NOW_S - 600)) $((NOW_S - 590)) $((NOW_S - 600))
        echo "COMMIT;"
} | sqlite3 "$DB"
expect_ok pk alerts --json
expect_json 'length == 1 and .[0].id == 2 and .[0].partner == "acme" and .[0].config_name == "sso-login"
             and .[0].outcome == "login-rejected" and .[0].kind == "partner" and .[0].last_result_id == 21
             and .[0].opened_at == "'"$(iso $((NOW_S - 600)))"'" and .[0].last_success_at == "'"$(iso $((NOW_S - 900)))"'"
             and .[0].closed_at == null' "the open alert with since when, last success and latest result"
expect_ok pk alerts
expect_contains "login-rejected"
expect_contains "LAST SUCCESS"
expect_not_contains "http-5xx"
expect_not_contains "CLOSED"
expect_ok pk alerts --all --json
expect_json 'length == 2 and .[1].closed_at == "'"$(iso $((NOW_S - 6000)))"'"' "--all: the closed one too"
expect_ok pk alerts --all
expect_contains "CLOSED"
expect_contains "http-5xx"
expect_ok pk notifications --json
expect_json 'length == 2 and .[0].id == 2 and .[0].state == "failed" and .[0].attempts == 3
             and .[0].error == "POST to http://hook.example/: HTTP status 503" and .[0].partner == "acme"
             and .[1].state == "sent" and .[1].channel == "ops"' "pending / sent / failed with the error"
expect_ok pk notifications
expect_contains "HTTP status 503"
expect_contains "failed"
expect_rejected 2 pk notifications --all
expect_rejected 2 pk alerts extra

# ---------------------------------------------------------------------------
section "history and the daily prune"
use_db daily_history
expect_ok pk partner add acme --name Acme
expect_ok pk partner add globex --name Globex
expect_ok pk browser add ff --engine http
expect_ok pk config add acme --name sso-login --browsers ff --url https://acme.example/login --every 5m
expect_ok pk history --json
expect_json 'length == 0' "no history yet"
# Hourly results from the first second of 2026-01-01 up to now: every fourth a partner failure,
# durations 100 ms and up.
sqlite3 "$DB" "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 228)
               INSERT INTO result (config_id, partner, browser, executed_at, duration_ms, outcome)
               SELECT 1, 'acme', 'ff', $NOW_S - 3600 * i, 100 + i % 24,
                      CASE WHEN i % 4 = 0 THEN 'http-5xx' ELSE 'success' END FROM n;
               INSERT INTO result_step (result_id, position, name) SELECT id, 0, 'entry' FROM result;"
expect_ok pk history --days 10 --json
BEFORE=$OUT
expect_json 'length == 1 and .[0].config_name == "sso-login" and .[0].runs == 229 and .[0].successes == 171
             and (.[0].days | length) == 10 and .[0].days[0].day == "2026-01-01"
             and .[0].days[9].day == "2026-01-10" and .[0].days[9].runs == 13' "ten days, today's 13 runs"
expect_ok pk history acme --days 3 --json
expect_json '(.[0].days | length) == 3 and .[0].days[0].day == "2026-01-08"' "--days 3: the last three days"
# Piped: a plain row per day, no bars, no colour.
expect_ok pk history --days 10
expect_contains "2026-01-05"
expect_contains "75.0%"
expect_not_contains "█"
# On a terminal: one line per check with a bar per day.
OUT=$(on_tty "$PIKCTL" --db "$DB" --config "$CONF" --now "$NOW" history --days 10)
if [[ "$OUT" == *"#1 sso-login"*"▆"* ]] && [[ "$OUT" != *"2026-01-05"* ]]; then _t_ok; else _t_fail "no bar line on a terminal: $OUT"; fi

CONF3=$TMP/keep3.conf
printf 'results = { keep_days = 3; };\nevidence_days = 1;\n' >"$CONF3"
EVIDENCE=$TMP/evidence
mkdir -p "$EVIDENCE/17"
touch -d "@$((NOW_S - 3 * 86400))" "$EVIDENCE/pik-16-1-ff.png" "$EVIDENCE/17/page.html" "$EVIDENCE/17" "$EVIDENCE/keep.txt"
touch -d "@$((NOW_S - 3600))" "$EVIDENCE/pik-18-1-ff.png"
# Stopped by SIGKILL wherever it was (maybe before it began, maybe between
# batches), then run again: the same aggregates as a run left alone.
cp "$DB" "$TMP/history-reference.db"
"$PRUNE" --db "$DB" --config "$CONF3" --now "$NOW" --evidence-dir "$EVIDENCE" --batch 1 &
sleep 0.05
kill -KILL $! 2>/dev/null
wait $! 2>/dev/null
expect_ok prune "$CONF3" --evidence-dir "$EVIDENCE" --batch 1
(DB=$TMP/history-reference.db; prune "$CONF3" --evidence-dir "$TMP/none") >/dev/null 2>&1
AGG="SELECT * FROM result_daily ORDER BY config_id, browser, partner, day"
if [ "$(sqlite3 "$DB" "$AGG")" == "$(sqlite3 "$TMP/history-reference.db" "$AGG")" ] &&
   [ "$(sqlite3 "$DB" "SELECT count(*) FROM result_daily")" == 6 ]; then
        _t_ok
else
        _t_fail "an interrupted prune ended with other aggregates"
fi
[ "$(sqlite3 "$DB" "SELECT count(*) FROM result WHERE executed_at < $(( NOW_S - NOW_S % 86400 - 3 * 86400 ))")" == 0 ] &&
        [ "$(sqlite3 "$DB" "SELECT count(*) FROM result_step") " == "$(sqlite3 "$DB" "SELECT count(*) FROM result") " ] &&
        _t_ok || _t_fail "old results or their steps are left"
# The history reads the same, folded or not.
expect_ok pk history --days 10 --json
if [ "$OUT" == "$BEFORE" ]; then _t_ok; else _t_fail "history changed with the prune"; fi
[ ! -e "$EVIDENCE/pik-16-1-ff.png" ] && [ ! -e "$EVIDENCE/17" ] && [ -e "$EVIDENCE/pik-18-1-ff.png" ] &&
        [ -e "$EVIDENCE/keep.txt" ] && _t_ok || _t_fail "old evidence left or recent evidence removed"
# Aggregates go after keep_daily_days.
CONF_SHORT=$TMP/short.conf
printf 'results = { keep_days = 1; keep_daily_days = 2; };\n' >"$CONF_SHORT"
expect_ok prune "$CONF_SHORT" --evidence-dir "$EVIDENCE"
expect_ok pk history --days 10 --json
expect_json '.[0].days[0].day == "2026-01-08"' "aggregates older than keep_daily_days are gone"

# Bad settings and arguments: refused, nothing written.
printf 'results = {\n  keep_days = 0;\n};\n' >"$TMP/bad.conf"
expect_rejected 1 prune "$TMP/bad.conf"
expect_err_contains "bad.conf:2: results.keep_days: 0 is out of range 1..3650"
expect_rejected 1 prune "$CONF3" --batch 0
expect_rejected 1 prune "$CONF3" --evidence-dir relative
expect_rejected 2 pk history --days 0
expect_err_contains "--days"
expect_rejected 2 pk history --days 36501
expect_rejected 2 pk history 'Not A Code'
expect_rejected 4 pk history initech
expect_err_contains "initech"
expect_rejected 2 pk history acme globex
expect_rejected 2 pk history --all

# ---------------------------------------------------------------------------
section "config set: change a configuration in place"

use_db configset
expect_ok pk partner add acme --name ACME
expect_ok pk browser add ff --engine http
expect_ok pk browser add chrome --engine http
expect_ok pk browser add edge --engine http
expect_ok pk config add acme --name login --browsers ff,chrome --url https://acme.example/login --every 5m \
        --success-marker Welcome --sso
expect_ok pk config add acme --name checkout --browsers ff --url https://acme.example/shop --every 1h
expect_ok sched --now "$NOW"
expect_ok pk config set 1 --cron '0 */2 * * *' --tz Asia/Kolkata --browsers ff,edge --name sso-login \
        --success-marker '' --sso=no --wait 30
expect_contains "Changed configuration 1:"
expect_contains "schedule: 'interval 5m' → 'cron 0 */2 * * *'"
expect_contains "time zone: 'UTC' → 'Asia/Kolkata'"
expect_contains "success marker: 'Welcome' → (none)"
expect_ok pk config show 1 --json
expect_json '.id == 1 and .name == "sso-login" and .schedule_type == "cron" and .schedule == "0 */2 * * *"
             and .timezone == "Asia/Kolkata" and .browsers == "edge,ff" and .success_marker == null
             and .sso == false and .wait_sec == 30 and .entry_url == "https://acme.example/login"' \
        "only the options given changed; an empty value cleared"
# 12:00 UTC is 17:30 in Kolkata: the next even hour there is 18:00, 12:30 UTC.
expect_ok pk jobs --json
expect_json '[.[] | select(.config_id == 1)] | length == 1 and .[0].browser == "ff"
             and .[0].run_after == "2026-01-10T12:30:00Z"' "ff's waiting job moved; chrome's is gone"
expect_ok sched --now "$NOW"
expect_ok pk jobs --json
expect_json '[.[] | select(.config_id == 1) | .browser] | sort == ["edge", "ff"]' "edge's job at the next pass"
expect_ok pk config set 1 --sso=no
expect_contains "unchanged"
expect_ok pk config set 1 --wait ''
expect_contains "wait: '30' → 'engine default'"

# Bad changes: refused with a reason, nothing written.
expect_rejected 2 pk config set 1
expect_err_contains "at least one option"
expect_rejected 2 pk config set 1 --wait 99999
expect_err_contains "wait must be between 0 and 3600 seconds"
expect_rejected 2 pk config set 1 --cron '0 25 * * *'
expect_err_contains "hour"
expect_rejected 2 pk config set 1 --every 5m --at 08:00
expect_rejected 2 pk config set 1 --tz Mars/Olympus
expect_err_contains "Mars/Olympus"
expect_rejected 2 pk config set 1 --url ''
expect_err_contains "entry URL"
expect_rejected 2 pk config set 1 --url ftp://acme.example/
expect_rejected 2 pk config set 1 --browsers ''
expect_err_contains "browser"
expect_rejected 4 pk config set 1 --browsers ff,nosuch
expect_err_contains "nosuch"
expect_rejected 2 pk config set 1 --sso=maybe
expect_err_contains "--sso"
expect_rejected 1 pk config set 2 --name sso-login
expect_err_contains "already has a configuration named 'sso-login'"
expect_rejected 4 pk config set 99 --sso
expect_rejected 2 pk config set abc --sso
expect_rejected 2 pk config set 1 --reason x

# ---------------------------------------------------------------------------
section "every option of the table: taken by config add and config set, shown by config show"

# The options are those config --help lists, which come from the one table
# (src/shared/jobconfig-options.c): an option added there and not here fails.
use_db everyoption
printf 'schedules = {\n  office = "cron: 0 8-18 * * mon-fri";\n  hourly = "1h";\n};\n' >"$TMP/every.conf"
epk() {
        "${WRAP[@]}" "$PIKCTL" --db "$DB" --config "$TMP/every.conf" --now "$NOW" "$@"
}
printf '[{"request": {"method": "GET", "url": "{{entry_url}}"}}]\n' >"$TMP/flow.json"
# option → the word config add gets, the word config set gets, and what
# config show --json has after each.
declare -A opt_add=(
        [name]="--name=check-a" [browsers]="--browsers=ff" [url]="--url=https://acme.example/a"
        [every]="--every=5m" [at]="--at=08:00" [cron]="--cron=0 8 * * *" [schedule]="--schedule=office"
        [tz]="--tz=Europe/Berlin" [sso]="--sso" [express-checkout]="--express-checkout"
        [product-url]="--product-url=https://acme.example/p" [wait]="--wait=30"
        [success-marker]="--success-marker=Welcome" [failure-marker]="--failure-marker=Nope"
        [success-xpath]="--success-xpath=//h1" [failure-xpath]="--failure-xpath=//p[@class='err']"
        [login-form]="--login-form=//form" [username-field]="--username-field=user"
        [password-field]="--password-field=pass" [csrf-meta]="--csrf-meta=csrf-token"
        [checkout-url]="--checkout-url=https://acme.example/co" [flow]="--flow=$TMP/flow.json"
)
declare -A opt_set=(
        [name]="--name=check-b" [browsers]="--browsers=ff,chrome" [url]="--url=https://acme.example/b"
        [every]="--every=10m" [at]="--at=09:30" [cron]="--cron=30 9 * * *" [schedule]="--schedule=hourly"
        [tz]="--tz=Asia/Kolkata" [sso]="--sso=no" [express-checkout]="--express-checkout=no"
        [product-url]="--product-url=https://acme.example/q" [wait]="--wait=1m"
        [success-marker]="--success-marker=Hello" [failure-marker]="--failure-marker=Denied"
        [success-xpath]="--success-xpath=//h2" [failure-xpath]="--failure-xpath=//div"
        [login-form]="--login-form=//form[1]" [username-field]="--username-field=login"
        [password-field]="--password-field=pwd" [csrf-meta]="--csrf-meta=_token"
        [checkout-url]="--checkout-url=https://acme.example/co2" [flow]="--flow="
)
declare -A shown_add=(
        [name]='.name == "check-a"' [browsers]='.browsers == "ff"' [url]='.entry_url == "https://acme.example/a"'
        [every]='.schedule_type == "interval" and .schedule == "5m"'
        [at]='.schedule_type == "daily" and .schedule == "08:00"'
        [cron]='.schedule_type == "cron" and .schedule == "0 8 * * *"'
        [schedule]='.schedule_name == "office" and .schedule == "0 8-18 * * mon-fri"'
        [tz]='.timezone == "Europe/Berlin"' [sso]='.sso == true' [express-checkout]='.express_checkout == true'
        [product-url]='.product_url == "https://acme.example/p"' [wait]='.wait_sec == 30'
        [success-marker]='.success_marker == "Welcome"' [failure-marker]='.failure_marker == "Nope"'
        [success-xpath]='.success_xpath == "//h1"' [failure-xpath]=".failure_xpath == \"//p[@class='err']\""
        [login-form]='.login_form == "//form"' [username-field]='.username_field == "user"'
        [password-field]='.password_field == "pass"' [csrf-meta]='.csrf_meta == "csrf-token"'
        [checkout-url]='.checkout_url == "https://acme.example/co"' [flow]='.has_flow == 1 or .has_flow == true'
)
declare -A shown_set=(
        [name]='.name == "check-b"' [browsers]='.browsers == "chrome,ff"' [url]='.entry_url == "https://acme.example/b"'
        [every]='.schedule_type == "interval" and .schedule == "10m"'
        [at]='.schedule_type == "daily" and .schedule == "09:30"'
        [cron]='.schedule_type == "cron" and .schedule == "30 9 * * *"'
        [schedule]='.schedule_name == "hourly" and .schedule == "1h"'
        [tz]='.timezone == "Asia/Kolkata"' [sso]='.sso == false' [express-checkout]='.express_checkout == false'
        [product-url]='.product_url == "https://acme.example/q"' [wait]='.wait_sec == 60'
        [success-marker]='.success_marker == "Hello"' [failure-marker]='.failure_marker == "Denied"'
        [success-xpath]='.success_xpath == "//h2"' [failure-xpath]='.failure_xpath == "//div"'
        [login-form]='.login_form == "//form[1]"' [username-field]='.username_field == "login"'
        [password-field]='.password_field == "pwd"' [csrf-meta]='.csrf_meta == "_token"'
        [checkout-url]='.checkout_url == "https://acme.example/co2"' [flow]='.has_flow == 0 or .has_flow == false'
)
expect_ok epk partner add acme --name ACME
expect_ok epk browser add ff --engine http
expect_ok epk browser add chrome --engine http
expect_ok epk config --help
mapfile -t table_opts < <(sed -n '/OPTIONS of config add and set:/,/^ *[a-z]/p' <<<"$OUT" |
                          grep -oE '^ {5,}--[a-z-]+' | sed 's/^ *--//')
expect_true "config --help lists the table's options (${#table_opts[@]})" [ "${#table_opts[@]}" -ge 20 ]
id=0
for o in "${table_opts[@]}"; do
        if [ -z "${opt_add[$o]:-}" ] || [ -z "${opt_set[$o]:-}" ]; then
                expect_true "--$o of the table has a value in this test" false
                continue
        fi
        # What config add needs, unless it is the option under test.
        base=()
        [ "$o" = browsers ] || base+=(--browsers=ff)
        [ "$o" = url ] || base+=(--url=https://acme.example/login)
        case $o in every | at | cron | schedule) ;; *) base+=(--every=5m) ;; esac
        expect_ok epk config add acme "${base[@]}" "${opt_add[$o]}"
        id=$((id + 1))
        expect_ok epk config show "$id" --json
        expect_json "${shown_add[$o]}" "config add ${opt_add[$o]} is shown by config show"
        expect_ok epk config set "$id" "${opt_set[$o]}"
        expect_contains "Changed configuration $id:"
        expect_ok epk config show "$id" --json
        expect_json "${shown_set[$o]}" "config set ${opt_set[$o]} is shown by config show"
done
expect_eq "${#table_opts[@]}" "${#opt_add[@]}" "options in config --help and in this test"

# ---------------------------------------------------------------------------
section "named schedules: a default that pik.conf moves, and an override"

use_db named
cat >"$TMP/named.conf" <<'XEOF2'
schedules = {
        office = "cron: 0 8-18 * * mon-fri";
        hourly = "1h";
};
XEOF2
sed 's/0 8-18 \* \* mon-fri/30 9 * * */' "$TMP/named.conf" >"$TMP/named-moved.conf"
npk() {
        "${WRAP[@]}" "$PIKCTL" --db "$DB" --config "$TMP/named.conf" --now "$NOW" "$@"
}
expect_ok npk partner add acme --name ACME
expect_ok npk browser add ff --engine http
expect_ok npk config add acme --browsers ff --url https://acme.example/login --schedule office
expect_ok npk config show 1 --json
expect_json '.schedule_type == "cron" and .schedule == "0 8-18 * * mon-fri" and .schedule_name == "office"
             and .schedule_from == "named office"' "a configuration follows the named schedule"
expect_ok "${WRAP[@]}" "$SCHEDULER" --db "$DB" --config "$TMP/named-moved.conf" --now "$NOW"
expect_ok npk config show 1 --json
expect_json '.schedule == "30 9 * * *"' "pik.conf's change reached it at the scheduler's next pass"
expect_ok npk config set 1 --every 10m
expect_contains "schedule override: 'no' → 'yes'"
expect_ok npk config show 1 --json
expect_json '.schedule == "10m" and .schedule_from == "own, overriding office"' "an own schedule overrides it"
expect_ok "${WRAP[@]}" "$SCHEDULER" --db "$DB" --config "$TMP/named.conf" --now "$NOW"
expect_ok npk config show 1 --json
expect_json '.schedule == "10m"' "an overridden default does not move it"
expect_ok npk config set 1 --schedule office
expect_ok npk config show 1 --json
expect_json '.schedule == "0 8-18 * * mon-fri" and .schedule_override == false' "--schedule NAME follows it again"
expect_ok npk config set 1 --schedule ''
expect_ok npk config show 1 --json
expect_json '.schedule_name == null and .schedule_from == "own" and .schedule == "0 8-18 * * mon-fri"' \
        "--schedule '' keeps the schedule as its own"
expect_rejected 4 npk config set 1 --schedule weekly
expect_err_contains "no schedule 'weekly'"
expect_rejected 4 npk config add acme --browsers ff --url https://acme.example/ --schedule weekly
expect_rejected 2 npk config add acme --browsers ff --url https://acme.example/
expect_err_contains "--schedule NAME"
printf 'schedules = {\n  office = "cron: 0 25 * * *";\n};\n' >"$TMP/named-bad.conf"
expect_rejected 1 "${WRAP[@]}" "$PIKCTL" --db "$DB" --config "$TMP/named-bad.conf" --now "$NOW" config list
expect_err_contains "named-bad.conf:2: schedules.office: cron schedule '0 25 * * *' is invalid"

finish
