#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A partner's secret (its password and TOTP seed in
# /etc/pik/credentials/<partner>, root-only) reaches its check through
# pikd's GetJob reply and nowhere else: no database row (sqlite3 .dump),
# no journal entry (journalctl -o export), no process command line or
# environment (/proc/*/cmdline, /proc/*/environ while a check runs), no
# other D-Bus reply (everything pikd sent, seen by busctl monitor; pikctl
# --json listings; busctl calls of the List*/Show* methods).
# Run by ./run in a fresh container.

set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/lib.sh"
. "$HERE/../lib.sh"
. "$HERE/pik.sh"

PASSWORD="pik-pw-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
TOTP=$(head -c 10 /dev/urandom | base32 | tr -d '=\n')
MONITOR=/run/pik-test-monitor.json

# no_secret_in WHAT <DATA: the secrets are absent from DATA; else a failure
# naming WHAT and the lines that hold them. (Not at the end of a pipeline:
# a failure counted in a subshell would be lost.)
no_secret_in() {
        local what=$1 hits
        hits=$(grep -a -n -F -e "$PASSWORD" -e "$TOTP" | tr -d '\0' | cut -c1-300)
        expect_eq "$hits" "" "the secret appears in $what"
}

section "setup"
expect_true "the partner site serves" pik_site_start
ct_write /etc/pik/credentials/acme 0600 <<EOF
# acme's login, for the test
username = "monitor@acme.example";
password = "$PASSWORD";
totp_seed = "$TOTP";
EOF
run ct_run stat -c '%a %U' /etc/pik/credentials/acme
expect_eq "$OUT" "600 root" "credentials file mode and owner"
# Everything pikd sends and receives from here on.
expect_ok ct_run systemd-run --quiet --unit=pik-test-monitor.service \
        --property=StandardOutput=file:$MONITOR busctl monitor --json=short org.pik.Manager1
sleep 0.5
run ct_sh "
set -e
pikctl browser add firefox --engine http
pikctl partner add acme --name 'Acme'
pikctl config add acme --browsers firefox --url '$PIK_SITE/slow?s=20' --cron '0 0 1 1 *' --success-marker 'Welcome back'
"
expect_eq "$RC" 0 "partner acme"
# Where the engine logs in with forms, a login the partner refuses (our
# password is not the site's): the password travels in a form post, and
# must not come back in the result's details.
LOGIN_SITE=$PIK_SOURCE_ROOT/tests/fixtures/login-site.py
if [ -f "$LOGIN_SITE" ]; then
        LOGIN_PORT=$(ct_serve pik-test-login-site "$LOGIN_SITE")
        login_up() { ct_run curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$LOGIN_PORT/plain/login" 2>/dev/null; }
        expect_true "the login site serves" ct_wait_until 20 login_up
        expect_ok ct_run pikctl config add acme --browsers firefox --url "http://127.0.0.1:$LOGIN_PORT/plain/login" \
                --cron '0 0 1 1 *' --success-marker 'Welcome back'
fi
expect_ok ct_run pikctl run-now acme
expect_ok pik_fast_timers 30s 1s

section "while the check runs: process command lines and environments"
expect_true "the slow check was dispatched" pik_wait_sql 15 1 "SELECT count(*) FROM execution WHERE config_id = 1"
id=$(pik_sql "SELECT id FROM execution WHERE config_id = 1")
expect_true "pik-check@$id.service fetched its job" pik_wait_sql 15 started "SELECT state FROM execution WHERE id = $id"
expect_eq "$(ct_unit_prop "pik-check@$id.service" ActiveState)" active "pik-check@$id.service is running"
# The scanner takes the secrets from a root-only file, so that no command
# line of the test's own holds them.
printf '%s\n%s\n' "$PASSWORD" "$TOTP" | ct_write /run/pik-test-needles 0600
ct_write /usr/local/lib/pik-test/scan-procs 0755 <<'EOF'
#!/bin/sh
# Every process's command line and environment: those holding a secret,
# then how many were read.
read=0
for f in /proc/[0-9]*/cmdline /proc/[0-9]*/environ; do
        # (Files of /proc have no size: read one to know it has content.)
        grep -a -q -c '' "$f" 2>/dev/null || continue
        read=$((read + 1))
        if grep -a -q -F -f /run/pik-test-needles "$f" 2>/dev/null; then
                p=${f#/proc/}
                echo "HIT $f: $(tr '\0' ' ' <"/proc/${p%%/*}/cmdline" | cut -c1-120)"
        fi
done
echo "READ $read"
EOF
run ct_run grep -c -F -f /run/pik-test-needles /etc/pik/credentials/acme
expect_eq "$OUT" 2 "the search finds the secrets where they are"
pid=$(ct_unit_prop "pik-check@$id.service" MainPID)
run ct_sh "tr '\\0' '\\n' </proc/$pid/environ"
expect_true "the check's environment (pid $pid) is readable to the scan" grep -q -a CREDENTIALS_DIRECTORY <<<"$OUT"
for round in 1 2 3; do
        # Every process of the container: pikd, the check, the bus, systemd…
        run ct_run /usr/local/lib/pik-test/scan-procs
        n=$(sed -n 's/^READ //p' <<<"$OUT")
        expect_true "round $round: the scan read the command lines and environments ($n files)" test "${n:-0}" -ge 20
        expect_eq "$(printf '%s\n' "$OUT" | grep '^HIT')" "" \
                "round $round: processes whose command line or environment holds the secret"
        sleep 1
done
expect_eq "$(ct_unit_prop "pik-check@$id.service" ActiveState)" active "the check ran throughout the scans"

section "after the check: database, journal"
expect_true "the checks ended with a result" \
        pik_wait_sql 60 0 "SELECT count(*) FROM execution WHERE state IN ('dispatched', 'started')"
pik_sql "SELECT '  config ' || config_id || ': ' || outcome || ' (' || coalesce(details, '') || ')' FROM result"
run ct_run pikctl execution show "$id" --json
expect_json '.outcome != null and .outcome != "missing-credentials"' "the check ended with credentials in hand"
run ct_journal -o cat -u pikd.service --grep "gets no credentials"
expect_eq "$OUT" "" "pikd handed acme's check its credentials (no 'gets no credentials')"
no_secret_in "the database (sqlite3 .dump)" < <(ct_run sqlite3 -cmd '.timeout 10000' "$PIK_DB" .dump)
run ct_sh "sqlite3 -cmd '.timeout 10000' $PIK_DB .dump | wc -l"
expect_true "the dump has rows ($OUT lines)" test "${OUT:-0}" -gt 20
# The raw files too (WAL included): a deleted row may linger in free pages.
no_secret_in "the database files (/var/lib/pik/pik.db*)" < <(ct_sh 'cat /var/lib/pik/pik.db*')
ct_run journalctl --sync
no_secret_in "the journal (journalctl -o export)" < <(ct_run journalctl -o export --no-pager)
run ct_journal -o export "_SYSTEMD_UNIT=pik-check@$id.service"
expect_true "the check's journal entries are there to search" test -n "$OUT"

section "D-Bus replies"
for cmd in "status" "partner list" "partner show acme" "browser list" "browser show firefox" "config list" \
           "config show 1" "jobs" "executions" "execution show $id" "results" "outcomes"; do
        # shellcheck disable=SC2086
        run ct_run pikctl $cmd --json
        expect_eq "$RC" 0 "pikctl $cmd --json"
        no_secret_in "pikctl $cmd --json" < <(printf '%s' "$OUT")
done
B=(busctl --json=short call org.pik.Manager1 /org/pik/Manager1 org.pik.Manager1)
calls=("Status" "ListPartners" "ShowPartner s acme" "ListBrowsers" "ShowBrowser s firefox" "ListConfigs"
       "ShowConfig x 1" "ListJobs s ''" "ListExecutions st '' 0" "ShowExecution x $id"
       "ListResults sssxt '' '' '' 0 0" "ListOutcomes")
for c in "${calls[@]}"; do
        for who in root nobody; do
                if [ "$who" = root ]; then
                        run ct_sh "$(printf '%q ' "${B[@]}") $c"
                else
                        run ct_run_as nobody sh -c "$(printf '%q ' "${B[@]}") $c"
                fi
                expect_eq "$RC" 0 "busctl call $c (as $who)"
                no_secret_in "the reply to $c (as $who)" < <(printf '%s' "$OUT")
        done
done

section "everything pikd said on the bus (busctl monitor)"
ct_run systemctl stop pik-test-monitor.service
monitor=$(ct_run cat "$MONITOR" | grep '^{')
expect_true "the monitor saw pikd's traffic ($(printf '%s\n' "$monitor" | grep -c .) messages)" \
        test "$(printf '%s\n' "$monitor" | grep -c '"member":"ListPartners"')" -ge 1
# The messages that carry a secret, each as "TYPE SENDER DESTINATION
# REPLY_COOKIE", and the GetJob calls as "DESTINATION COOKIE".
carrying=$(printf '%s\n' "$monitor" | grep -a -F -e "$PASSWORD" -e "$TOTP" |
        jq -r '"\(.type) \(.sender) \(.destination) \(.reply_cookie // "-")"')
getjobs=$(printf '%s\n' "$monitor" | grep -a '"member":"GetJob"' | jq -r 'select(.type == "method_call") | "\(.sender) \(.cookie)"')
echo "messages carrying the secret: $(printf '%s' "$carrying" | grep -c .); GetJob calls: $(printf '%s' "$getjobs" | grep -c .)"
expect_true "the GetJob reply carried the secret to the check (the monitor would see a leak)" test -n "$carrying"
bad=""
while read -r type sender dest cookie; do
        [ -n "$type" ] || continue
        if [ "$type" != method_return ] || ! grep -qx -F "$dest $cookie" <<<"$getjobs"; then
                bad+="$type from $sender to $dest (reply to $cookie); "
        fi
done <<<"$carrying"
expect_eq "$bad" "" "messages other than GetJob's reply carrying the secret"
# Each check asked for its job once (GetJob's first argument: the execution).
run sh -c 'printf "%s\n" "$1" | jq -c "select(.member == \"GetJob\" and .type == \"method_call\") | .payload.data[0]"' sh "$monitor"
expect_eq "$(echo $(sort -n <<<"$OUT"))" "$(echo $(pik_sql "SELECT id FROM execution ORDER BY id"))" \
        "GetJob was called once for each execution"

[ "$T_FAIL" -eq 0 ] || pik_dump_diag
finish
