#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# pik-web end to end, offline: a database built with pikctl --db (a hostile
# disabled reason, result details and step name with markup), pik-web on a
# socket passed the way systemd passes it, then every page, the JSON API
# compared with pikctl --json, /metrics through a strict format reader,
# 404/405, and the exit when idle.
#
# Usage: test-pik-web.sh PIK_WEB PIKCTL PIK_SCHEDULER CHECK_METRICS

set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../../tests/lib.sh"

PIK_WEB=$(realpath "${1:?usage: test-pik-web.sh PIK_WEB PIKCTL PIK_SCHEDULER CHECK_METRICS}")
PIKCTL=$(realpath "$2")
SCHEDULER=$(realpath "$3")
CHECK_METRICS=$(realpath "$4")

for t in jq sqlite3 curl python3; do
        command -v "$t" >/dev/null || { echo "test-pik-web.sh: $t is needed (bash tests/run installs it)" >&2; exit 1; }
done

TMP=$(mktemp -d)
WEB_PID=
cleanup() {
        [ -n "$WEB_PID" ] && kill "$WEB_PID" 2>/dev/null
        rm -rf "$TMP"
}
trap cleanup EXIT
DB=$TMP/pik.db
CONF=$TMP/pik.conf
: >"$CONF"

pk() {
        "$PIKCTL" --db "$DB" --config "$CONF" "$@"
}

# Start pik-web as pik-web.socket would: a listening socket as fd 3 with
# LISTEN_FDS/LISTEN_PID. The launcher binds port 0 (no port can be taken by
# someone else in between) and writes the port into a FIFO only once it
# listens: reading it is the synchronisation, no sleep, no polling.
start_web() {
        local db=$1
        shift
        rm -f "$TMP/port"
        mkfifo "$TMP/port"
        python3 -c '
import os, socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(64)
if s.fileno() != 3:
    os.dup2(s.fileno(), 3)
os.set_inheritable(3, True)
os.environ["LISTEN_FDS"] = "1"
os.environ["LISTEN_PID"] = str(os.getpid())
with open(sys.argv[1], "w") as f:
    f.write("%d\n" % s.getsockname()[1])
os.execv(sys.argv[2], sys.argv[2:])
' "$TMP/port" "$PIK_WEB" --db "$db" --config "$CONF" "$@" 2>"$TMP/web.err" &
        WEB_PID=$!
        read -r PORT <"$TMP/port"
        URL=http://127.0.0.1:$PORT
}

# fetch PATH [CURL OPTIONS…]: body in $OUT, status in $CODE, headers in $HDR.
fetch() {
        local path=$1
        shift
        run curl -sS --max-time 60 -D "$TMP/headers" -o "$TMP/body" -w '%{http_code}' "$@" "$URL$path"
        CODE=$OUT
        OUT=$(cat "$TMP/body")
        HDR=$(tr -d '\r' <"$TMP/headers")
}

expect_header() {
        if grep -qiF "$1" <<<"$HDR"; then
                _t_ok
        else
                _t_fail "response to $LAST_CMD lacks header '$1'"
        fi
}

section "before there is a database"
# A fresh installation: the socket is enabled, the database not created
# yet. pik-web says so and keeps serving rather than failing at each
# connection.
start_web "$TMP/none.db" --idle-timeout 0
fetch /api/v1/status
expect_eq "$CODE" 503 "GET /api/v1/status without a database"
expect_json '.error | contains("no database yet")'
fetch /
expect_eq "$CODE" 503 "GET / without a database"
fetch /pik.css
expect_eq "$CODE" 200 "GET /pik.css without a database"
expect_true "no database file was created" test ! -e "$TMP/none.db"
kill "$WEB_PID"
wait "$WEB_PID"
WEB_PID=

section "a database with two partners, a hostile one included"
NOW_S=$(date -u +%s)
EVIL='<script>alert(1)</script>'
expect_ok pk partner add acme --name Acme
expect_ok pk partner add beta --name "$EVIL"
expect_ok pk browser add ff --engine http
expect_ok pk browser add chrome --engine http
expect_ok pk config add acme --name plain --browsers ff,chrome --url https://acme.example/ --every 5m
expect_ok pk config add beta --browsers ff --url https://beta.example/ --every 5m
expect_ok pk config add beta --name off --browsers chrome --url https://beta.example/x --every 5m
expect_ok pk config disable 3 --reason "\"><img src=x onerror=alert(2)>"
# Jobs due an hour ago, never dispatched: overdue now.
expect_ok "$SCHEDULER" --db "$DB" --config "$CONF" --now "@$((NOW_S - 3600))"
# Named like the unnamed configuration 2's id (after the scheduler pass:
# not scheduled, the overdue jobs stay three).
expect_ok pk config add beta --name 2 --browsers ff --url https://beta.example/y --every 5m
{
        echo "BEGIN;"
        echo "INSERT INTO execution (id, config_id, partner, browser, key, state, progress, unit, attempt, created_at)
              VALUES (7, 1, 'acme', 'chrome', 'k', 'started', 'step 2/5 <b>login</b>', 'pik-check@7.service', 1,
                      $((NOW_S - 10)));"
        echo "INSERT INTO result (config_id, partner, browser, executed_at, duration_ms, outcome, details,
                                  dns_ms, connect_ms, tls_ms, ttfb_ms, total_ms)
              VALUES (1, 'acme', 'ff', $((NOW_S - 600)), 1500, 'login-rejected', NULL, 5, 10, 20, 100, 150),
                     (1, 'acme', 'ff', $((NOW_S - 60)), 1234, 'success', NULL, 5, 10, 20, 100, 150),
                     (2, 'beta', 'ff', $((NOW_S - 30)), 900, 'login-rejected', '$EVIL', NULL, NULL, NULL, NULL, NULL),
                     (4, 'beta', 'ff', $((NOW_S - 40)), 800, 'success', NULL, NULL, NULL, NULL, NULL, NULL);"
        # An open alert on beta's check, an open incident (no partner, no
        # configuration), a closed one; notifications that failed twice,
        # and once before being sent.
        echo "INSERT INTO alert (id, config_id, partner, browser, kind, outcome, opened_at, closed_at,
                                 first_result_id, last_result_id, notified_at)
              VALUES (1, 2, 'beta', 'ff', 'partner', 'login-rejected', $((NOW_S - 30)), NULL, 3, 3, $((NOW_S - 30))),
                     (2, NULL, NULL, 'chrome', 'infrastructure', 'dns-failure', $((NOW_S - 20)), NULL, 1, 1, $((NOW_S - 20))),
                     (3, 1, 'acme', 'ff', 'partner', 'login-rejected', $((NOW_S - 600)), $((NOW_S - 60)), 1, 2, $((NOW_S - 60)));"
        echo "INSERT INTO notification (alert_id, channel, event, state, attempts, created_at)
              VALUES (1, 'mail', 'firing', 'failed', 2, $((NOW_S - 30))), (1, 'hook', 'firing', 'sent', 2, $((NOW_S - 30))),
                     (3, 'mail', 'resolved', 'sent', 1, $((NOW_S - 60)));"
        echo "INSERT INTO result_step (result_id, position, name, http_status, requests, dns_ms, connect_ms, total_ms)
              VALUES (2, 1, 'entry <b>page</b>', 302, 1, 5, 10, 50), (2, 2, 'login', 200, 1, 0, 0, 100);"
        echo "COMMIT;"
} | sqlite3 "$DB"

# A hold with a reason (markup in it) and an end, on the check named 2.
expect_ok pk hold 4 --reason "<i>deploy</i>" --until "@$((NOW_S + 7200))"

section "bad input"
expect_exit 1 "$PIK_WEB" --db "$DB" --config "$CONF" --listen 127.0.0.1
expect_err_contains "Invalid --listen '127.0.0.1'"
expect_exit 1 "$PIK_WEB" --db "$DB" --config "$CONF" --listen 127.0.0.1:99999
expect_err_contains "Invalid --listen"
expect_exit 1 "$PIK_WEB" --db "$DB" --config "$CONF" --idle-timeout soon --listen 127.0.0.1:1
expect_err_contains "Invalid --idle-timeout 'soon'"
expect_exit 1 env -u LISTEN_FDS "$PIK_WEB" --db "$DB" --config "$CONF"
expect_err_contains "No socket was passed"

# No idle exit while the tests below run: on a loaded machine the gaps
# between requests (pikctl runs) can be long. The idle exit is tested last.
start_web "$DB" --idle-timeout 0

section "the grid"
fetch /
expect_eq "$CODE" 200 "GET /"
expect_header "Content-Security-Policy: default-src 'self'"
expect_header "X-Content-Type-Options: nosniff"
expect_header "Content-Type: text/html; charset=utf-8"
expect_contains '<td><a href="/partner/acme">acme</a></td><td>#1 plain</td><td>ff</td><td>ok</td><td><a href="/result/2">success</a>'
expect_contains '<td><a href="/partner/acme">acme</a></td><td>#1 plain</td><td>chrome</td><td>new</td>'
expect_contains '<td><a href="/partner/beta">beta</a></td><td>#2</td><td>ff</td><td>failing</td><td><a href="/result/3">login-rejected</a>'
KIND_PARTNER='<td class="kind kind-partner"><span class="icon" aria-hidden="true">✖</span> partner</td>'
KIND_SUCCESS='<td class="kind kind-success"><span class="icon" aria-hidden="true">✔</span> success</td>'
expect_contains "$KIND_PARTNER"
expect_contains "$KIND_SUCCESS"
# 24 h and 7 d: the success of a minute ago and the failure of ten.
expect_contains '<td>50.0% of 2</td><td>50.0% of 2</td></tr>'
expect_contains '&lt;script&gt;alert(1)&lt;/script&gt;'
expect_eq "$(grep -c '<script' <<<"$OUT")" 1 "one script element: pik.js"
expect_contains '<script src="/pik.js" defer></script>'
expect_contains 'disabled (configuration: &quot;&gt;&lt;img src=x onerror=alert(2)&gt;)'
expect_not_contains '<img'
expect_contains 'No canary is configured'
expect_eq "$(grep -c '^<tr class="state-' <<<"$OUT")" 5 "one grid row per check × browser"

expect_contains '<h2 id="alerts">Open alerts (2)</h2>'
expect_contains '<td><a href="/partner/beta">beta</a></td><td>2</td><td>-</td><td>ff</td><td>login-rejected</td>'
expect_contains '<td>-</td><td>-</td><td>suspected incident</td><td>chrome</td><td>dns-failure</td>'
expect_contains '<a href="/result/3">3</a>'
expect_contains '<div class="hold">held: &lt;i&gt;deploy&lt;/i&gt;, until <time datetime='
expect_not_contains '<i>'

section "the other pages"
fetch /result/2
expect_eq "$CODE" 200 "GET /result/2"
expect_contains '<tr><td>1</td><td>entry &lt;b&gt;page&lt;/b&gt;</td><td>302</td><td>1</td><td>5</td><td>10</td><td>-</td><td>-</td><td>50</td></tr>'
expect_contains "$KIND_SUCCESS"
fetch /result/3
expect_contains '<tr><th>Details</th><td>&lt;script&gt;alert(1)&lt;/script&gt;</td></tr>'
expect_contains 'No steps were recorded.'
fetch /result/999
expect_eq "$CODE" 404 "GET /result/999"
expect_header "Content-Security-Policy: default-src 'self'"
fetch /result/1x
expect_eq "$CODE" 404 "GET /result/1x"
fetch /outcomes
expect_eq "$CODE" 200 "GET /outcomes"
expect_contains "<td>login-rejected</td>$KIND_PARTNER"
fetch "/jobs?overdue"
expect_eq "$CODE" 200 "GET /jobs?overdue"
expect_contains 'Overdue jobs'
expect_eq "$(grep -c '^<tr><td>[0-9]' <<<"$OUT")" 3 "the three enabled jobs are overdue"
fetch /result/2
expect_contains '<svg class="waterfall"'
for ph in 'DNS: 5 ms, from 0 ms' 'Connect: 10 ms, from 5 ms' 'TLS: 20 ms, from 15 ms' 'First byte: 65 ms, from 35 ms' \
          'Transfer: 50 ms, from 100 ms'; do
        expect_contains "<title>$ph</title>"
done
fetch /result/3
expect_contains 'No timings were recorded.'
fetch /executions
expect_eq "$CODE" 200 "GET /executions"
expect_contains '<h2>Running (1)</h2>'
expect_contains '<td>7</td><td><a href="/partner/acme">acme</a></td><td>1</td><td>chrome</td><td>started</td><td>step 2/5 &lt;b&gt;login&lt;/b&gt;</td>'
fetch /partner/acme
expect_eq "$CODE" 200 "GET /partner/acme"
expect_contains '<h1>Partner acme</h1>'
expect_eq "$(grep -c '<section class="check">' <<<"$OUT")" 2 "acme's two checks (plain in ff and chrome)"
expect_eq "$(grep -o '<rect class="day-' <<<"$OUT" | wc -l)" 60 "30 days a check"
# The days of the failure ten minutes ago and the success a minute ago:
# one cell, or two when midnight came in between.
D1=$(date -u -d "@$((NOW_S - 600))" +%F)
D2=$(date -u -d "@$((NOW_S - 60))" +%F)
if [ "$D1" = "$D2" ]; then
        expect_contains "<rect class=\"day-partner\" x=\"261\" y=\"0\" width=\"8\" height=\"18\"><title>$D1: 1 of 2 OK, worst failure: partner</title>"
else
        expect_contains "<title>$D1: 0 of 1 OK, worst failure: partner</title>"
        expect_contains "<title>$D2: 1 of 1 OK</title>"
fi
expect_contains '<svg class="durations"'
expect_eq "$(grep -c '<circle class="failure"' <<<"$OUT")" 1 "one failure marked in the duration chart"
expect_contains '<td><a href="/result/2">2</a></td><td>1</td><td>plain</td><td>ff</td>'
fetch "/partner/acme?days=90"
expect_eq "$(grep -o '<rect class="day-' <<<"$OUT" | wc -l)" 180 "90 days a check"
fetch /partner/beta
expect_eq "$CODE" 200 "GET /partner/beta"
expect_contains '<p class="partner">&lt;script&gt;alert(1)&lt;/script&gt;</p>'
for p in /partner/nobody /partner/ "/partner/%3Cscript%3E"; do
        fetch "$p"
        expect_eq "$CODE" 404 "GET $p"
done

section "every page: escaped, times readable, one script"
for p in / /partner/acme /partner/beta /result/2 /result/3 /executions /jobs "/jobs?overdue" /outcomes \
         "/nowhere%3Cscript%3Ealert(3)%3C/script%3E"; do
        fetch "$p"
        expect_not_contains '<script>alert'
        expect_not_contains '<img'
        expect_not_contains '<b>'
        expect_eq "$(grep -c '<script' <<<"$OUT")" 1 "GET $p: pik.js is its only script"
        expect_eq "$(grep -cE '(^|[^0-9.])1[0-9]{9}([^0-9]|$)' <<<"$OUT")" 0 "GET $p shows no raw epoch time"
        expect_header "Content-Security-Policy: default-src 'self'; script-src 'self'"
done
fetch /pik.js
expect_eq "$CODE" 200 "GET /pik.js"
expect_header "Content-Type: text/javascript"
expect_contains "fetch(api"

fetch /pik.css
expect_eq "$CODE" 200 "GET /pik.css"
expect_header "Content-Type: text/css"
fetch /nowhere
expect_eq "$CODE" 404 "GET /nowhere"
expect_header "X-Content-Type-Options: nosniff"

section "the JSON API is pikctl --json"
same_json() {
        local path=$1 filter=$2
        shift 2
        fetch "$path"
        expect_eq "$CODE" 200 "GET $path"
        expect_header "Content-Type: application/json"
        local api cli
        api=$(jq -S "$filter" <<<"$OUT")
        cli=$(pk "$@" --json | jq -S "$filter")
        expect_true "GET $path is pikctl $* --json" test -n "$api" -a "$api" == "$cli"
}
same_json /api/v1/status 'del(.now) | .rows |= map(del(.age_sec))' status
jq -e '.rows | length == 5' <<<"$OUT" >/dev/null && _t_ok || _t_fail "status has five rows"
same_json /api/v1/results '.' results
same_json "/api/v1/results?partner=beta" '.' results --partner beta
same_json "/api/v1/results?partner=&kind=" '.' results
same_json /api/v1/result/2 '.' result show 2
same_json "/api/v1/jobs?overdue" '.' jobs --overdue
same_json /api/v1/jobs '.' jobs
same_json /api/v1/executions '.' executions
same_json /api/v1/outcomes '.' outcomes
same_json /api/v1/alerts '.' alerts
jq -e 'map(.id) == [2, 1]' <<<"$OUT" >/dev/null && _t_ok || _t_fail "alerts lists the two open ones, newest first"
same_json "/api/v1/alerts?all" '.' alerts --all
same_json /api/v1/notifications '.' notifications
same_json /api/v1/execution/7 '.' execution show 7

section "API errors"
for p in /api/v1/result/999 /api/v1/result/abc /api/v1/execution/8 /api/v1/execution/-1 /api/v1/nothing /api/v2/status; do
        fetch "$p"
        expect_eq "$CODE" 404 "GET $p"
        expect_json '.status == 404 and (.error | length > 0)' "$p has a JSON error"
done
fetch "/api/v1/results?limit=lots"
expect_eq "$CODE" 400 "a bad limit"
expect_json '.error | contains("Invalid limit '"'"'lots'"'"'")'
fetch /api/v1/status -X POST -d x=1
expect_eq "$CODE" 405 "POST"
expect_header "Allow: GET, HEAD"
expect_header "Content-Security-Policy: default-src 'self'"
fetch / -X DELETE
expect_eq "$CODE" 405 "DELETE"
fetch /api/v1/status -I
expect_eq "$CODE" 200 "HEAD"
# With -I curl writes the headers where the body would go: there is no other.
expect_not_contains '"rows"'

section "metrics"
fetch /metrics
expect_eq "$CODE" 200 "GET /metrics"
expect_header "Content-Type: text/plain; version=0.0.4"
printf '%s\n' "$OUT" >"$TMP/metrics"
# Debian's python3, where python3-prometheus-client is.
run /usr/bin/python3 "$CHECK_METRICS" <"$TMP/metrics"
expect_exit 0 /usr/bin/python3 "$CHECK_METRICS" <"$TMP/metrics"
printf '%s\n' "$OUT" >"$TMP/samples"
sample() {
        jq -s --arg n "$1" "[.[] | select(.name == \$n and ($2))] | map(.value)" "$TMP/samples" | jq -c .
}
A='.labels.partner == "acme" and .labels.check == "plain" and .labels.browser == "ff"'
B='.labels.partner == "beta" and .labels.check == "#2" and .labels.browser == "ff"'
C='.labels.partner == "beta" and .labels.check == "2" and .labels.browser == "ff"'
expect_eq "$(sample probe_success "$A")" '[1]' "probe_success of acme's plain check"
expect_eq "$(sample probe_success "$B")" '[0]' "probe_success of beta's unnamed check, labelled by #id"
expect_eq "$(sample probe_success "$C")" '[1]' "probe_success of beta's check named 2: not the unnamed check 2"
expect_eq "$(sample probe_success '.labels.browser == "chrome"')" '[]' "no sample for a check without a result"
expect_eq "$(sample probe_duration_seconds "$A")" '[1.234]' "probe_duration_seconds"
expect_eq "$(sample probe_http_status_code "$A")" '[200]' "probe_http_status_code of the last step"
for ph in resolve:0.005 connect:0.01 tls:0.02 processing:0.065 transfer:0.05; do
        expect_eq "$(sample probe_http_duration_seconds "$A and .labels.phase == \"${ph%%:*}\"")" "[${ph#*:}]" \
                "probe_http_duration_seconds phase ${ph%%:*}"
done
expect_eq "$(sample probe_http_duration_seconds "$B")" '[]' "no phases where the timings are unknown"
expect_eq "$(sample pik_outcome_kind_info "$B and .labels.outcome == \"login-rejected\" and .labels.kind == \"partner\"")" \
        '[1]' "pik_outcome_kind_info"
expect_eq "$(sample pik_results_total '.labels.partner == "acme" and .labels.outcome == "login-rejected"')" '[1]' \
        "pik_results_total"
expect_eq "$(sample pik_results_total '.labels.partner == "acme" and .labels.outcome == "success" and .labels.kind == "success"')" \
        '[1]' "pik_results_total of successes"
expect_eq "$(sample pik_executions_running true)" '[1]' "pik_executions_running"
expect_eq "$(sample pik_alert_firing "$B and .labels.outcome == \"login-rejected\" and .labels.kind == \"partner\"")" '[1]' \
        "pik_alert_firing of beta's check"
expect_eq "$(sample pik_alert_firing '(.labels | has("partner") | not) and .labels.browser == "chrome" and .labels.outcome == "dns-failure"')" \
        '[1]' "pik_alert_firing of the incident, without partner"
expect_eq "$(sample pik_alert_firing true | jq length)" 2 "no pik_alert_firing for the closed alert"
expect_eq "$(sample pik_notifications_failed_total '.labels.channel == "mail"')" '[2]' "pik_notifications_failed_total of mail"
expect_eq "$(sample pik_notifications_failed_total '.labels.channel == "hook"')" '[1]' "pik_notifications_failed_total of hook"
expect_eq "$(sample pik_overdue_jobs true)" '[3]' "pik_overdue_jobs"

expect_eq "$(cat "$TMP/web.err")" "" "pik-web logged nothing"
kill "$WEB_PID"
wait "$WEB_PID"
WEB_PID=

section "exits when idle"
start_web "$DB" --idle-timeout 1s
fetch /api/v1/outcomes
expect_eq "$CODE" 200 "GET /api/v1/outcomes"
# The wait is bounded generously for a loaded machine.
if timeout 120 tail --pid="$WEB_PID" -f /dev/null; then
        wait "$WEB_PID"
        expect_eq "$?" 0 "pik-web exits with success when idle"
        WEB_PID=
else
        _t_fail "pik-web did not exit within 120 s of --idle-timeout 1s"
fi

finish
