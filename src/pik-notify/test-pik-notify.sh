#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# pik-notify's channels with --from-file: the mail as sendmail receives it
# (a stand-in sendmail that keeps its input and arguments), the webhook as a
# real loopback HTTP receiver gets it (checked field by field against
# Alertmanager's webhook payload v4 with jq), a receiver that answers 500
# and one that is not there, and a command channel with a real script.
#
# Usage: test-pik-notify.sh PIK_NOTIFY

set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../../tests/lib.sh"

PIK_NOTIFY=$(realpath "${1:?usage: test-pik-notify.sh PIK_NOTIFY}")
for t in jq python3; do
        command -v "$t" >/dev/null || { echo "test-pik-notify.sh: $t is needed" >&2; exit 77; }
done

TMP=$(mktemp -d)
RECEIVER_PID=
cleanup() {
        [ -n "$RECEIVER_PID" ] && kill "$RECEIVER_PID" 2>/dev/null && wait "$RECEIVER_PID" 2>/dev/null
        rm -rf "$TMP"
}
trap cleanup EXIT

# notification EVENT CHANNEL_JSON: the document GetNotification returns.
notification() {
        jq -n --arg event "$1" --argjson channel "$2" '{
                id: 7, event: $event, attempts: 0, created_at: "2026-07-01T12:10:00Z",
                channel: $channel,
                alert: ({ id: 3, config_id: 12, config_name: "sso-login", partner: "acme", browser: "chrome",
                         kind: "partner", outcome: "login-rejected",
                         description: "The partner'"'"'s site refused the credentials.",
                         opened_at: "2026-07-01T12:05:00Z", last_success_at: "2026-07-01T11:55:00Z",
                         first_result_id: 40, last_result_id: 41 }
                       + (if $event == "resolved" then { closed_at: "2026-07-01T13:00:00Z" } else {} end)),
                result: { id: 41, execution_id: 99, executed_at: "2026-07-01T12:05:00Z",
                          details: "the login form came back",
                          steps: [ { position: 1, name: "GET /login", http_status: 200, dns_ms: 3, connect_ms: 10,
                                     tls_ms: 20, ttfb_ms: 50, total_ms: 80 },
                                   { position: 2, name: "POST /login", http_status: 200, total_ms: 120 } ] },
                more: "pikctl result show 41" }'
}

section "mail: a plain-text RFC 5322 message through sendmail -t -oi"
cat >"$TMP/sendmail" <<EOS
#!/bin/bash
printf '%s\n' "\$*" >"$TMP/sendmail.args"
cat >"$TMP/sendmail.in"
EOS
chmod +x "$TMP/sendmail"
notification firing '{"name": "ops", "type": "mail", "to": "ops@example.com"}' >"$TMP/firing.json"
expect_exit 0 "$PIK_NOTIFY" --from-file "$TMP/firing.json" --sendmail "$TMP/sendmail"
expect_eq "$(cat "$TMP/sendmail.args")" "-t -oi" "sendmail's arguments"
MAIL=$(cat "$TMP/sendmail.in")
HEAD=$(printf '%s\n' "$MAIL" | sed '/^$/q')
expect_true "To: header" grep -qx 'To: ops@example.com' <<<"$HEAD"
expect_true "subject says DOWN, outcome and kind" \
        grep -qx 'Subject: pik: acme sso-login in chrome is DOWN (login-rejected, partner)' <<<"$HEAD"
expect_true "Date: header" grep -qE '^Date: [A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9:]{8} \+0000$' <<<"$HEAD"
expect_true "plain text" grep -qx 'Content-Type: text/plain; charset=utf-8' <<<"$HEAD"
expect_true "auto-generated" grep -qx 'Auto-Submitted: auto-generated' <<<"$HEAD"
for line in 'Partner:       acme' 'Check:         sso-login (configuration 12)' 'Browser:       chrome' \
            'Outcome:       login-rejected (partner)' "               The partner's site refused the credentials." \
            'Failing since: 2026-07-01T12:05:00Z' 'Last success:  2026-07-01T11:55:00Z' \
            'Details:       the login form came back' \
            '  1. GET /login (HTTP 200): dns 3 ms, connect 10 ms, tls 20 ms, first byte 50 ms, total 80 ms' \
            '  2. POST /login (HTTP 200): total 120 ms' \
            'Evidence:      /var/lib/pik/evidence/99/ (when the check kept any)' \
            'More:          pikctl result show 41'; do
        expect_true "body: $line" grep -qxF -- "$line" <<<"$MAIL"
done

notification resolved '{"name": "ops", "type": "mail", "to": "ops@example.com"}' >"$TMP/resolved.json"
expect_exit 0 "$PIK_NOTIFY" --from-file "$TMP/resolved.json" --sendmail "$TMP/sendmail"
expect_true "recovery subject" grep -qx 'Subject: pik: acme sso-login in chrome is back UP' "$TMP/sendmail.in"
expect_true "recovery time" grep -qx 'Recovered at:  2026-07-01T13:00:00Z' "$TMP/sendmail.in"
notification reminder '{"name": "ops", "type": "mail", "to": "ops@example.com"}' >"$TMP/reminder.json"
run "$PIK_NOTIFY" --from-file "$TMP/reminder.json" --sendmail "$TMP/sendmail"
expect_true "reminder subject" \
        grep -qx 'Subject: pik: acme sso-login in chrome is still DOWN (login-rejected, partner)' "$TMP/sendmail.in"
notification flapping '{"name": "ops", "type": "mail", "to": "ops@example.com"}' >"$TMP/flapping.json"
run "$PIK_NOTIFY" --from-file "$TMP/flapping.json" --sendmail "$TMP/sendmail"
expect_true "flapping subject" \
        grep -qx 'Subject: pik: acme sso-login in chrome is FLAPPING (login-rejected, partner)' "$TMP/sendmail.in"
expect_true "flapping says pik goes quiet" grep -q "pik says nothing" "$TMP/sendmail.in"

printf '#!/bin/sh\ncat >/dev/null\nexit 75\n' >"$TMP/sendmail-busy"
chmod +x "$TMP/sendmail-busy"
expect_exit 1 "$PIK_NOTIFY" --from-file "$TMP/firing.json" --sendmail "$TMP/sendmail-busy"
expect_err_contains "sendmail-busy exited with status 75"

section "webhook: Alertmanager's payload v4 to a loopback receiver"
cat >"$TMP/receiver.py" <<'EOS'
import http.server, sys
out, status = sys.argv[1], int(sys.argv[2])
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        with open(out, "wb") as f:
            f.write(body)
        with open(out + ".type", "w") as f:
            f.write(self.headers.get("Content-Type", ""))
        self.send_response(status)
        self.end_headers()
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
EOS
start_receiver() {
        [ -n "$RECEIVER_PID" ] && kill "$RECEIVER_PID" 2>/dev/null && wait "$RECEIVER_PID" 2>/dev/null
        rm -f "$TMP/port"
        python3 "$TMP/receiver.py" "$TMP/posted.json" "$1" >"$TMP/port" &
        RECEIVER_PID=$!
        for _ in $(seq 50); do
                [ -s "$TMP/port" ] && break
                sleep 0.1
        done
        PORT=$(head -n1 "$TMP/port")
}
start_receiver 200
notification firing "{\"name\": \"hook\", \"type\": \"webhook\", \"url\": \"http://127.0.0.1:$PORT/alerts\"}" \
        >"$TMP/hook.json"
expect_exit 0 "$PIK_NOTIFY" --from-file "$TMP/hook.json"
OUT=$(cat "$TMP/posted.json")
expect_eq "$(cat "$TMP/posted.json.type")" "application/json" "Content-Type"
expect_json '.version == "4" and .status == "firing" and .receiver == "hook"
             and (.groupKey | type == "string" and length > 0) and .truncatedAlerts == 0
             and .externalURL == "" and .groupLabels == {alertname: "PikCheckFailing"}
             and (.commonLabels | type == "object") and (.commonAnnotations | type == "object")' "v4 envelope"
expect_json '.alerts | length == 1' "one alert"
expect_json '.alerts[0] | .status == "firing"
             and .labels == {alertname: "PikCheckFailing", partner: "acme", check: "sso-login", browser: "chrome",
                             outcome: "login-rejected", kind: "partner"}
             and .annotations.summary == "acme sso-login in chrome is DOWN (login-rejected, partner)"
             and (.annotations.description | contains("pikctl result show 41"))
             and .startsAt == "2026-07-01T12:05:00Z" and .endsAt == "0001-01-01T00:00:00Z"
             and .generatorURL == ""' "the alert, field by field"
expect_json '[.. | objects | keys[]] - ["version","groupKey","truncatedAlerts","status","receiver","groupLabels",
             "commonLabels","commonAnnotations","externalURL","alerts","labels","annotations","startsAt","endsAt",
             "generatorURL","alertname","partner","check","browser","outcome","kind","summary","description"]
             | length == 0' "no field v4 lacks"

notification resolved "{\"name\": \"hook\", \"type\": \"webhook\", \"url\": \"http://127.0.0.1:$PORT/alerts\"}" \
        >"$TMP/hook-resolved.json"
expect_exit 0 "$PIK_NOTIFY" --from-file "$TMP/hook-resolved.json"
OUT=$(cat "$TMP/posted.json")
expect_json '.status == "resolved" and .alerts[0].status == "resolved"
             and .alerts[0].endsAt == "2026-07-01T13:00:00Z"' "resolved"

start_receiver 500
notification firing "{\"name\": \"hook\", \"type\": \"webhook\", \"url\": \"http://127.0.0.1:$PORT/alerts\"}" \
        >"$TMP/hook500.json"
expect_exit 1 "$PIK_NOTIFY" --from-file "$TMP/hook500.json"
expect_err_contains "HTTP status 500"

kill "$RECEIVER_PID" 2>/dev/null
wait "$RECEIVER_PID" 2>/dev/null
RECEIVER_PID=
expect_exit 1 "$PIK_NOTIFY" --from-file "$TMP/hook500.json"
expect_err_contains "POST to http://127.0.0.1:$PORT/alerts failed"

section "command: the event in the environment, the document on stdin"
cat >"$TMP/page-me" <<EOS
#!/bin/bash
env | grep -E '^PIK_' | sort >"$TMP/command.env"
cat >"$TMP/command.in"
[ "\$PIK_PARTNER" != fail ]
EOS
chmod +x "$TMP/page-me"
notification firing "{\"name\": \"pager\", \"type\": \"command\", \"command\": \"$TMP/page-me\"}" >"$TMP/cmd.json"
expect_exit 0 "$PIK_NOTIFY" --from-file "$TMP/cmd.json"
for v in PIK_EVENT=firing PIK_PARTNER=acme PIK_CHECK=sso-login PIK_BROWSER=chrome PIK_OUTCOME=login-rejected \
         PIK_OUTCOME_KIND=partner PIK_SINCE=2026-07-01T12:05:00Z PIK_LAST_SUCCESS=2026-07-01T11:55:00Z \
         PIK_RESULT=41 PIK_ALERT=3 PIK_NOTIFICATION=7 PIK_CHANNEL=pager \
         'PIK_SUBJECT=pik: acme sso-login in chrome is DOWN (login-rejected, partner)'; do
        expect_true "environment: $v" grep -qxF -- "$v" "$TMP/command.env"
done
OUT=$(cat "$TMP/command.in")
expect_json '.alert.partner == "acme" and .result.details == "the login form came back"' "the document on stdin"

jq '.alert.partner = "fail"' "$TMP/cmd.json" >"$TMP/cmd-fail.json"
expect_exit 1 "$PIK_NOTIFY" --from-file "$TMP/cmd-fail.json"
expect_err_contains "page-me exited with status 1"

section "refusals"
expect_exit 1 "$PIK_NOTIFY"
expect_err_contains "Expected one notification id"
expect_exit 1 "$PIK_NOTIFY" abc
expect_err_contains "Invalid notification id 'abc'"
jq '.event = "exploded"' "$TMP/firing.json" >"$TMP/bad.json"
expect_exit 1 "$PIK_NOTIFY" --from-file "$TMP/bad.json" --sendmail "$TMP/sendmail"
expect_err_contains "event is not firing, reminder, resolved or flapping"

finish
