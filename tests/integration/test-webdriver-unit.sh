#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# pik-test: long
# pik-webdriver.service on a real systemd: `systemctl enable --now` starts
# Debian's chromedriver as its own unprivileged user in pik.slice, in the
# sandbox the unit declares, listening on loopback only; a browser added
# without --webdriver-url points at it; checks of a loopback partner site
# run in real Chromium through it end to end (the timers, the dispatcher,
# pik-check@, pikd), a success and a partner's failure classified as such;
# without the endpoint the same check is webdriver-session-failed; a killed
# chromedriver is restarted; and a browser started through it reads none of
# pik's files. Needs Debian's chromium and chromium-driver (./run installs
# them). Run by ./run in a fresh container.

set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/lib.sh"
. "$HERE/../lib.sh"
. "$HERE/pik.sh"

WD=http://127.0.0.1:9515

wd_ready() {
        [ "$(ct_run curl -sS --max-time 5 "$WD/status" 2>/dev/null | jq -r '.value.ready' 2>/dev/null)" = true ]
}

section "setup"
if ! ct_run test -x /usr/bin/chromedriver; then
        echo "FAIL: /usr/bin/chromedriver is missing (Debian's chromium-driver)" >&2
        exit 1
fi
pik_conf <<'EOF'
retry = {
        confirm_after = 1;
};
EOF

section "systemctl enable --now pik-webdriver.service"
expect_eq "$(ct_unit_prop pik-webdriver.service UnitFileState)" disabled "installed, not enabled"
expect_eq "$(ct_unit_prop pik-webdriver.service ActiveState)" inactive "not running before it is enabled"
expect_ok ct_run systemctl enable --now pik-webdriver.service
expect_eq "$(ct_unit_prop pik-webdriver.service UnitFileState)" enabled "enabled"
expect_true "chromedriver answers $WD/status, ready" ct_wait_until 30 wd_ready
expect_eq "$(ct_unit_prop pik-webdriver.service ActiveState)" active "pik-webdriver.service is active"

section "its user, slice and sandbox"
PID=$(ct_unit_prop pik-webdriver.service MainPID)
expect_eq "$(ct_run ps -o user= -p "$PID" | tr -d ' ')" pik-webdriver "chromedriver runs as pik-webdriver"
expect_eq "$(ct_run ps -o comm= -p "$PID")" chromedriver "its main process is chromedriver"
expect_eq "$(ct_run id -u pik-webdriver)" "$(ct_run sh -c "awk '/^Uid:/ { print \$2 }' /proc/$PID/status")" \
        "the process's uid is pik-webdriver's"
expect_true "pik-webdriver is a system user (uid < 1000)" test "$(ct_run id -u pik-webdriver)" -lt 1000
expect_true "pik-webdriver is not pik-check" test "$(ct_run id -u pik-webdriver)" != "$(ct_run id -u pik-check)"
expect_eq "$(ct_unit_prop pik-webdriver.service Slice)" pik.slice "in pik.slice"
expect_eq "$(ct_run sh -c "cat /proc/$PID/cgroup" | sed -n 's|^0::||p; s|^1:name=systemd:||p' | head -n 1)" \
        /pik.slice/pik-webdriver.service "its cgroup is pik.slice/pik-webdriver.service"
# property=value, as systemctl show prints them.
PROPS=(User=pik-webdriver Restart=on-failure ProtectSystem=strict ProtectHome=yes PrivateTmp=yes
       PrivateDevices=yes PrivateUsers=yes NoNewPrivileges=yes CapabilityBoundingSet=
       AmbientCapabilities= RestrictNamespaces=yes ProtectKernelTunables=yes ProtectKernelModules=yes
       ProtectControlGroups=yes ProtectProc=invisible ProcSubset=pid LockPersonality=yes
       RestrictSUIDSGID=yes RestrictRealtime=yes LimitCORE=0 UMask=0077 KillMode=control-group TasksMax=384
       "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6"
       "IPAddressDeny=169.254.0.0/16 fe80::/10 224.0.0.0/4 ff00::/8"
       "InaccessiblePaths=-/etc/pik -/run/pik -/var/lib/pik"
       MemoryDenyWriteExecute=no)
# Lists compare as sets: systemd prints them in an order of its own.
words() {
        tr ' ' '\n' | sort | xargs
}
for p in "${PROPS[@]}"; do
        run ct_run systemctl show -P "${p%%=*}" pik-webdriver.service
        expect_eq "$(words <<<"$OUT")" "$(words <<<"${p#*=}")" "pik-webdriver.service: $p"
done
run ct_run systemctl show -P SystemCallFilter pik-webdriver.service
expect_true "a system call filter is set" test -n "$OUT"
expect_not_contains " mount "
run ct_run sh -c "grep -E '^(CapEff|NoNewPrivs):' /proc/$PID/status"
expect_contains "CapEff:	0000000000000000"
expect_contains "NoNewPrivs:	1"

section "it listens on loopback only"
run ct_run ss -Hltnp
LISTEN=$(printf '%s\n' "$OUT" | grep '"chromedriver"' | awk '{ print $4 }' | sort)
expect_true "chromedriver listens on port 9515 (got: $(echo $LISTEN))" test -n "$LISTEN"
expect_eq "$(printf '%s\n' "$LISTEN" | grep -vcE '^(127\.0\.0\.1|\[::1\]):9515$')" 0 \
        "every socket chromedriver listens on is 127.0.0.1:9515 or [::1]:9515 (got: $(echo $LISTEN))"

section "a browser added without a URL uses it"
# A partner with a real login form (login-site.py), twice: with its
# password, and with a wrong one.
SITE_PORT=$(ct_serve pik-test-login "$PIK_SOURCE_ROOT/tests/fixtures/login-site.py")
expect_true "the login site serves" test -n "$SITE_PORT"
SITE=http://127.0.0.1:$SITE_PORT
for p in good:'correct horse' wrong:'not the password'; do
        ct_write "/etc/pik/credentials/${p%%:*}" 0600 <<EOF
username = "ann@example.test";
password = "${p#*:}";
EOF
done
run ct_sh "
set -e
pikctl browser add chrome --engine webdriver
for p in good wrong; do pikctl partner add \$p --name \"Partner \$p\"; done
pikctl config add good --browsers chrome --url $SITE/plain/login --cron '0 0 1 1 *' --success-marker 'Welcome back'
pikctl config add wrong --browsers chrome --url $SITE/plain/login --cron '0 0 1 1 *' --success-marker 'Welcome back' --wait 2
"
expect_eq "$RC" 0 "a webdriver browser, two partners and their configurations"
run ct_run pikctl browser show chrome --json
expect_json ".engine == \"webdriver\" and .webdriver_url == \"$WD\"" "the browser's WebDriver URL is pik-webdriver.service's"

section "real logins in Chromium through it"
expect_ok pik_fast_timers 2s 1s
expect_true "the scheduler made the jobs" pik_wait_sql 20 2 "SELECT count(*) FROM scheduled_job"
expect_ok ct_run pikctl run-now good
expect_ok ct_run pikctl run-now wrong
expect_true "good has a result within 90 s" pik_wait_sql_ge 90 1 "SELECT count(*) FROM result WHERE partner = 'good'"
# A partner's failure is confirmed by one re-check (after 1 s here).
expect_true "wrong has a confirmed result within 120 s" \
        pik_wait_sql_ge 120 1 "SELECT count(*) FROM result WHERE partner = 'wrong' AND unconfirmed = 0"
run ct_run pikctl results --partner good --json
expect_json '.[0].outcome == "success" and .[0].kind == "success" and .[0].browser == "chrome"' "good: logged in, in chrome"
run ct_run pikctl results --partner wrong --json
expect_json '.[0].outcome == "login-rejected" and .[0].kind == "partner"' \
        "wrong: login-rejected, the partner's"
expect_eq "$(ct_unit_prop pik-webdriver.service NRestarts)" 0 "chromedriver did not restart during the checks"
# Every session was closed: no browser left under chromedriver.
no_browser() {
        [ -z "$(ct_run pgrep -u pik-webdriver -x chrome)" ] && [ -z "$(ct_run pgrep -u pik-webdriver chromium)" ]
}
expect_true "no browser left running after the checks" ct_wait_until 20 no_browser

section "the endpoint down: the same check is the infrastructure's"
expect_ok ct_run systemctl stop pik-webdriver.service
n0=$(pik_sql "SELECT count(*) FROM result WHERE partner = 'good'")
expect_ok ct_run pikctl run-now good
expect_true "good has a new result within 60 s" pik_wait_sql_ge 60 $((n0 + 1)) "SELECT count(*) FROM result WHERE partner = 'good'"
run ct_run pikctl results --partner good --json
expect_json '.[0].outcome == "webdriver-session-failed" and .[0].kind == "infrastructure"' \
        "no endpoint: webdriver-session-failed, the infrastructure's"
for t in pik-scheduler.timer pik-dispatcher.timer; do
        ct_run systemctl stop "$t" >/dev/null 2>&1
done

section "Restart=on-failure"
expect_ok ct_run systemctl start pik-webdriver.service
expect_true "chromedriver answers again" ct_wait_until 30 wd_ready
PID=$(ct_unit_prop pik-webdriver.service MainPID)
expect_ok ct_run kill -KILL "$PID"
restarted() {
        local p
        p=$(ct_unit_prop pik-webdriver.service MainPID)
        [ "$p" != 0 ] && [ "$p" != "$PID" ] && wd_ready
}
expect_true "a killed chromedriver is restarted" ct_wait_until 30 restarted
expect_eq "$(ct_unit_prop pik-webdriver.service NRestarts)" 1 "NRestarts counts it"

section "a browser started through it sees none of pik's files"
# Anyone on the host can drive a loopback endpoint: what its browser reads
# is what the sandbox leaves. pik.conf is world-readable on the host; the
# browser reads other files of the host (os-release: the test can fail).
expect_true "pik.conf is readable on the host" ct_run test -r /etc/pik/pik.conf
CAPS='{"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions":
      {"args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]}}}}'
SESSION=$(ct_run curl -sS --max-time 60 -H 'Content-Type: application/json' -d "$CAPS" "$WD/session" |
          jq -r '.value.sessionId // empty')
expect_true "a session was created" test -n "$SESSION"
page() {        # page FILE: the page source of file://FILE in $OUT
        ct_run curl -sS --max-time 30 -H 'Content-Type: application/json' \
                -d "{\"url\": \"file://$1\"}" "$WD/session/$SESSION/url" >/dev/null
        run ct_run curl -sS --max-time 30 "$WD/session/$SESSION/source"
}
if [ -n "$SESSION" ]; then
        page /etc/os-release
        expect_contains "VERSION_ID="
        for f in /etc/pik/pik.conf:confirm_after /var/lib/pik/pik.db:"SQLite format"; do
                page "${f%%:*}"
                expect_not_contains "${f#*:}"
                err=$(grep -o 'ERR_[A-Z_]*' <<<"$OUT" | head -n 1)
                expect_true "file://${f%%:*}: Chromium's error page (${err:-none})" test -n "$err"
        done
        ct_run curl -sS --max-time 30 -X DELETE "$WD/session/$SESSION" >/dev/null
fi

if [ "$T_FAIL" -gt 0 ]; then
        pik_dump_diag
        ct_journal -u pik-webdriver.service -n 60 >&2
fi
finish
