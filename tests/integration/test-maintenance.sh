#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# pik-test: long
# Maintenance windows and a broken pik.conf, on the real units:
#   - a window for one partner (opened by its cron start in the current
#     minute, three minutes long): nothing of that partner is dispatched while
#     it is open, though another partner's checks run; no alert and no
#     notification; pikctl status says "maintenance until"; once it closes
#     by itself the partner's check runs and its failure alerts again;
#   - a pik.conf that does not load: systemctl reload pikd fails with
#     file:line:key in the journal and the same pikd keeps running; pikctl
#     names the error and exits 1 (status included) instead of waiting on
#     D-Bus; pikd refuses to start on it.
# Run by ./run in a fresh container.

set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/lib.sh"
. "$HERE/../lib.sh"
. "$HERE/pik.sh"

CONF='retry = { confirm_after = 0; };
alerts = { fail_after = 1; remind_every = 0; };
channels = ( { name = "log"; type = "command"; command = "/bin/true"; } );'

section "setup"
pik_conf <<<"$CONF"
# One pikd for the whole test, so that "the same pikd" means something.
ct_write /etc/systemd/system/pikd.service.d/50-test.conf <<EOF
[Service]
ExecStart=
ExecStart=$PIK_LIBEXECDIR/pikd --idle-timeout 0
EOF
ct_run systemctl daemon-reload
expect_true "the partner site serves" pik_site_start
run ct_sh "
set -e
pikctl browser add firefox --engine http
pikctl partner add down --name 'Down for maintenance'
pikctl partner add up --name 'Always up'
pikctl config add down --browsers firefox --url '$PIK_SITE/no-marker' --every 10s --success-marker 'Welcome back'
pikctl config add up --browsers firefox --url '$PIK_SITE/ok' --every 10s --success-marker 'Welcome back'
"
expect_eq "$RC" 0 "two partners, one failing"

section "refusals change nothing"
run ct_run pikctl maintenance add --partner down --cron '0 25 * * *' --duration 1m --reason x
expect_eq "$RC" 2 "bad cron: usage error"
expect_err_contains "hour field"
run ct_run pikctl maintenance add --partner nobody --cron '0 2 * * *' --duration 1m --reason x
expect_eq "$RC" 4 "unknown partner: not found"
run ct_run pikctl maintenance add --partner down --cron '0 2 * * *' --duration 1m --tz Mars/Olympus --reason x
expect_eq "$RC" 2 "bad zone"
expect_eq "$(pik_sql "SELECT count(*) FROM maintenance_window")" 0 "nothing stored"

section "a window that opens now"
# The window opens at the start of the current minute and lasts three:
# keep at least 2 min of it (a loaded machine is slow) by starting in the
# first 40 s of a minute.
early_in_minute() {
        [ "$(date -u +%S | sed 's/^0//')" -lt 40 ]
}
expect_true "the first 40 s of a minute" ct_wait_until 70 early_in_minute
M=$(date -u +%M | sed 's/^0//')
H=$(date -u +%H | sed 's/^0//')
run ct_run pikctl maintenance add --partner down --cron "$M $H * * *" --tz UTC --duration 3m --reason "test window"
expect_eq "$RC" 0 "maintenance add"
run ct_run pikctl maintenance list --json
expect_json 'length == 1 and .[0].partner == "down" and (.[0].active_until | type) == "string"' "the window is open"
UNTIL_ISO=$(printf '%s' "$OUT" | jq -r '.[0].active_until')
UNTIL=$(date -u -d "$UNTIL_ISO" +%s)
run ct_run pikctl status
expect_eq "$RC" 0 "status"
expect_contains "maintenance until $UNTIL_ISO"
run ct_run pikctl status --json
expect_json '[.rows[] | select(.partner == "down")][0].maintenance_until == "'"$UNTIL_ISO"'"
        and [.rows[] | select(.partner == "up")][0].maintenance_until == null' "status JSON has the window's end"
expect_ok pik_fast_timers 2s 1s

# While it is open the other partner runs: the dispatcher does pass.
expect_true "partner up is dispatched during the window" \
        pik_wait_sql_ge 60 1 "SELECT count(*) FROM execution WHERE partner = 'up'"

window_closed() {
        [ "$(date -u +%s)" -gt "$UNTIL" ]
}
expect_true "the window closes by itself" ct_wait_until 240 window_closed
expect_eq "$(pik_sql "SELECT count(*) FROM execution WHERE partner = 'down' AND created_at < $UNTIL")" 0 \
        "nothing of partner down dispatched inside the window"
# (After it, a turn may be skipped while the first run is still going: that
# is the no-overlap rule, not the window.)
expect_eq "$(pik_sql "SELECT count(*) FROM execution WHERE partner = 'down' AND state = 'skipped'
                      AND created_at < $UNTIL")" 0 "no turn recorded as skipped inside the window"
expect_eq "$(pik_sql "SELECT count(*) FROM alert WHERE opened_at < $UNTIL")" 0 "no alert opened inside the window"
expect_eq "$(pik_sql "SELECT count(*) FROM notification WHERE created_at < $UNTIL")" 0 "no notification inside the window"

section "after the window"
expect_true "partner down is dispatched after the window" \
        pik_wait_sql_ge 60 1 "SELECT count(*) FROM execution WHERE partner = 'down'"
expect_true "its failure opens an alert" \
        pik_wait_sql_ge 60 1 "SELECT count(*) FROM alert WHERE partner = 'down' AND closed_at IS NULL"
expect_true "and a notification" \
        pik_wait_sql_ge 30 1 "SELECT count(*) FROM notification n JOIN alert a ON a.id = n.alert_id
                              WHERE a.partner = 'down' AND n.event = 'firing'"
run ct_run pikctl status --json
expect_json '[.rows[] | select(.partner == "down")][0].maintenance_until == null' "status: no maintenance now"
run ct_run pikctl maintenance remove 1
expect_eq "$RC" 0 "maintenance remove"
run ct_run pikctl maintenance remove 1
expect_eq "$RC" 4 "removed twice: not found"

section "a broken pik.conf: reload refused, pikd keeps running"
ct_run systemctl disable --now pik-scheduler.timer pik-dispatcher.timer >/dev/null 2>&1
run ct_run pikctl status
expect_eq "$RC" 0 "status with a good file"
PID=$(ct_unit_prop pikd.service MainPID)
expect_true "pikd runs ($PID)" test "${PID:-0}" -gt 0
printf '%s\n\nfrobnicate = 3;\n' "$CONF" | pik_conf
LINE=$(printf '%s\n' "$CONF" | wc -l)
LINE=$((LINE + 2))   # the blank line, then frobnicate
run ct_run systemctl reload pikd
expect_true "systemctl reload pikd fails" test "$RC" -ne 0
expect_eq "$(ct_unit_prop pikd.service MainPID)" "$PID" "the same pikd runs on"
expect_eq "$(ct_unit_prop pikd.service ActiveState)" active "pikd is active"
run ct_journal -u pikd.service
expect_contains "/etc/pik/pik.conf:$LINE: unknown key 'frobnicate'"
expect_contains "the running pikd keeps its configuration"
# pikd's own SIGHUP path too (a kill -HUP without systemctl).
run ct_run systemctl kill -s HUP pikd.service
expect_true "pikd says it keeps its configuration" ct_wait_until 30 eval \
        'ct_journal -u pikd.service | grep -q "Failed to reload /etc/pik/pik.conf, keeping the running configuration"'
expect_eq "$(ct_unit_prop pikd.service MainPID)" "$PID" "SIGHUP with a broken file: the same pikd"

run ct_run pikctl status
expect_eq "$RC" 1 "pikctl status exits 1"
expect_err_contains "/etc/pik/pik.conf:$LINE: unknown key 'frobnicate'"
expect_err_contains "pikd refuses this configuration"
run ct_run pikctl partner list
expect_eq "$RC" 1 "pikctl partner list exits 1"
expect_err_contains "frobnicate"

section "a broken pik.conf: pikd refuses to start"
ct_run systemctl stop pikd.service
run ct_run systemctl start pikd.service
expect_true "pikd does not start" test "$RC" -ne 0
run ct_journal -u pikd.service -n 30
expect_contains "/etc/pik/pik.conf:$LINE: unknown key 'frobnicate'"
# pikctl names the file's error itself rather than waiting on the bus
# for a pikd that cannot start.
run ct_run pikctl status
expect_eq "$RC" 1 "pikctl status exits 1"
expect_err_contains "frobnicate"
expect_not_contains "Connection timed out"

section "fixed"
pik_conf <<<"$CONF"
ct_run systemctl reset-failed pikd.service
run ct_run pikctl status
expect_eq "$RC" 0 "status again"
expect_contains "down"

[ "$T_FAIL" -eq 0 ] || pik_dump_diag
finish
