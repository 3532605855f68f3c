#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# pik-test: long
# Alert notifications end to end on a real systemd: checks against a
# loopback partner site report to pikd, whose alert state opens and closes
# alerts and starts pik-notify@<id>.service units; those deliver
#   - mail through a real MTA from Debian (dma: sendmail-compatible, no
#     daemon, local delivery into /var/mail),
#   - a webhook to a loopback receiver (tests/fixtures/webhook-receiver.py),
#     checked field by field against Alertmanager's webhook payload v4,
#   - a webhook to a port where nothing listens: retried by the unit's
#     Restart= (RestartSec shortened here), then recorded failed with the error.
# A partner that starts failing gives exactly one DOWN per channel after
# fail_after confirmed failures, one reminder after remind_every, one
# RECOVERED; then three partners failing the same network-level way give
# one incident notification, not one per partner.
# Run by ./run in a fresh container.

set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/lib.sh"
. "$HERE/../lib.sh"
. "$HERE/pik.sh"

REMIND=20
HOOK_DIR=/run/pik-test-hook
MAILBOX=/var/mail/root

# conf REMIND_EVERY: pik.conf with the test's channels (the receiver's port
# is known only once it runs).
conf() {
        pik_conf <<EOF
max_concurrent = 20;
retry = {
        confirm_after = 1;
};
alerts = {
        fail_after = 2;
        recover_after = 1;
        remind_every = $1;
};
incident = {
        window = 60;
        partners = 2;
};
channels = (
        { name = "ops-mail"; type = "mail"; to = "root@localhost";
          kinds = [ "partner", "configuration" ]; partners = [ "acme" ]; },
        { name = "hook"; type = "webhook"; url = "http://127.0.0.1:$HOOK_PORT/hook"; },
        { name = "dead"; type = "webhook"; url = "http://127.0.0.1:9/dead"; partners = [ "acme" ]; }
);
EOF
}

notif_count() {   # notif_count WHERE: notifications matching WHERE
        pik_sql "SELECT count(*) FROM notification n JOIN alert a ON a.id = n.alert_id WHERE $1"
}

hook_files() {
        ct_run sh -c "ls $HOOK_DIR/*.json 2>/dev/null" | sort
}

# hook_bodies FILTER: the received bodies (one JSON array) that FILTER (jq,
# on each body) selects.
hook_select() {
        local f
        for f in $(hook_files); do
                ct_run cat "$f"
                echo
        done | jq -s "[ .[] | select($1) ]"
}

hook_count() {
        hook_select "$1" | jq length
}

_hook_count_is() {
        [ "$(hook_count "$2")" = "$1" ]
}

section "setup"
ct_run rm -f /usr/sbin/policy-rc.d
expect_true "the MTA (dma) is installed, as a sendmail" ct_run test -x /usr/sbin/sendmail
expect_true "the partner site serves" pik_site_start
run ct_serve pik-test-hook "$PIK_SOURCE_ROOT/tests/fixtures/webhook-receiver.py" --out "$HOOK_DIR"
HOOK_PORT=$OUT
expect_true "the webhook receiver listens (port '$HOOK_PORT')" test -n "$HOOK_PORT"
expect_ok conf "$REMIND"
# Retries a second apart instead of a minute: the start limit (5 in 30 min)
# stays as shipped.
ct_write /run/systemd/system/pik-notify@.service.d/50-test.conf <<'EOF'
[Service]
RestartSec=1s
EOF
ct_run systemctl daemon-reload
run ct_sh "
set -e
pikctl browser add firefox --engine http
for p in acme inc1 inc2 inc3; do pikctl partner add \$p --name \"Partner \$p\"; done
pikctl config add acme --browsers firefox --url $PIK_SITE/ok --every 10s --success-marker 'Welcome back' \
        --failure-marker 'Service unavailable'
"
expect_eq "$RC" 0 "partner, browser and configuration added"
ACME=$(pik_sql "SELECT c.id FROM job_config c JOIN partner p ON p.id = c.partner_id WHERE p.code = 'acme'")
if [ "$T_FAIL" -gt 0 ]; then
        finish
fi
expect_ok pik_fast_timers 1s 1s
expect_true "acme succeeds first" pik_wait_sql_ge 60 1 \
        "SELECT count(*) FROM result WHERE partner = 'acme' AND outcome = 'success'"
expect_eq "$(pik_sql 'SELECT count(*) FROM alert')" 0 "no alert while it succeeds"

section "acme starts failing: one DOWN per channel after fail_after confirmed failures"
expect_ok ct_run pikctl config set "$ACME" --url "$PIK_SITE/failure"
expect_true "an alert opens for acme" pik_wait_sql 90 1 "SELECT count(*) FROM alert WHERE partner = 'acme'"
ALERT=$(pik_sql "SELECT id FROM alert WHERE partner = 'acme'")
# Reminders come from the dispatcher's passes: stopped here, so that the
# one pass started below makes the reminder, and "one" is exact.
expect_ok ct_run systemctl stop pik-dispatcher.timer
expect_true "the dispatcher is idle" ct_wait_unit_state pik-dispatcher.service "inactive|failed" 60
expect_true "pik-notify delivered DOWN to ops-mail and hook" pik_wait_sql 60 2 \
        "SELECT count(*) FROM notification WHERE alert_id = $ALERT AND event = 'firing' AND state = 'sent'"
expect_eq "$(notif_count "n.alert_id = $ALERT AND n.event = 'firing'")" 3 \
        "one firing notification per routed channel (ops-mail, hook, dead)"
diag() {
        pik_dump_diag
        pik_sql "SELECT * FROM notification" >&2
        pik_sql "SELECT * FROM alert" >&2
        ct_journal -n 80 -o short-precise -u 'pik-notify@*' >&2
}
if [ "$T_FAIL" -gt 0 ]; then
        diag
        finish
fi
run ct_run pikctl alerts --json
expect_json "length == 1 and .[0].partner == \"acme\" and .[0].kind == \"partner\"
        and .[0].outcome == \"failure-marker-present\" and .[0].last_result_id > 0" "pikctl alerts lists acme"

section "the webhook: Alertmanager's payload, version 4"
IS_DOWN='.status == "firing" and (.alerts[0].annotations.summary | contains("still") | not)'
expect_true "the receiver got the DOWN" ct_wait_until 30 _hook_count_is 1 "$IS_DOWN"
FIRING=$(hook_select "$IS_DOWN" | jq '.[0]')
OUT=$FIRING
expect_json '.version == "4"' "version"
expect_json '.status == "firing"' "status"
expect_json '.receiver == "hook"' "receiver is the channel"
expect_json '(.groupKey | type) == "string" and (.groupKey | length) > 0' "groupKey"
expect_json '.truncatedAlerts == 0' "truncatedAlerts"
expect_json '(.groupLabels | type) == "object"' "groupLabels"
expect_json '(.commonLabels | type) == "object" and (.commonAnnotations | type) == "object"' "common*"
expect_json '(.externalURL | type) == "string"' "externalURL"
expect_json '(.alerts | length) == 1' "one alert"
expect_json '.alerts[0].status == "firing"' "alerts[0].status"
expect_json '.alerts[0].labels.alertname == "PikCheckFailing"' "labels.alertname"
expect_json '.alerts[0].labels.partner == "acme"' "labels.partner"
expect_json '.alerts[0].labels.browser == "firefox"' "labels.browser"
expect_json '.alerts[0].labels.outcome == "failure-marker-present"' "labels.outcome"
expect_json '.alerts[0].labels.kind == "partner"' "labels.kind"
expect_json '(.alerts[0].labels.check | length) > 0' "labels.check"
expect_json '.alerts[0].annotations.summary | test("^acme .* in firefox is DOWN \\(failure-marker-present, partner\\)$")' \
        "annotations.summary"
expect_json '.alerts[0].annotations.description | contains("pikctl result show")' "description: the command"
expect_json '.alerts[0].annotations.description | contains("Last success:")' "description: the last success"
expect_json '.alerts[0].annotations.description | contains("Steps:")' "description: the steps"
expect_json '.alerts[0].startsAt | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?Z$")' \
        "startsAt is RFC 3339 UTC"
expect_json '.alerts[0].endsAt == "0001-01-01T00:00:00Z"' "endsAt: not ended"
expect_json '(.alerts[0].generatorURL | type) == "string"' "generatorURL"
expect_eq "$(ct_run sh -c "cat $HOOK_DIR/0001.type")" "application/json" "Content-Type"

section "the mail, through dma, in the local mailbox"
mail_has() {
        ct_run grep -q "^Subject: $1" "$MAILBOX" 2>/dev/null
}
expect_true "the DOWN mail is in $MAILBOX" ct_wait_until 30 mail_has "pik: acme .* in firefox is DOWN (failure-marker-present, partner)"
run ct_run cat "$MAILBOX"
expect_contains "To: root@localhost"
expect_contains "Partner:       acme"
expect_contains "Browser:       firefox"
expect_contains "Outcome:       failure-marker-present (partner)"
expect_contains "Failing since: "
expect_contains "Last success:  "
expect_contains "Steps:"
expect_contains "pikctl result show "
expect_contains "X-Pik-Event: firing"

section "a reminder after remind_every, once"
open_for() {
        _pik_sql_ge "$1" "SELECT strftime('%s', 'now') - opened_at FROM alert WHERE id = $ALERT"
}
expect_eq "$(notif_count "n.event = 'reminder'")" 0 "no reminder before remind_every"
expect_true "the alert has been open for remind_every" ct_wait_until $((REMIND + 60)) open_for "$REMIND"
expect_ok ct_run systemctl start pik-dispatcher.service
expect_eq "$(notif_count "n.alert_id = $ALERT AND n.event = 'reminder'")" 3 "one reminder per routed channel"
expect_ok ct_run systemctl start pik-dispatcher.service
expect_eq "$(notif_count "n.alert_id = $ALERT AND n.event = 'reminder'")" 3 "the next pass reminds no one again"
REMINDED=$(pik_sql "SELECT min(created_at) - (SELECT opened_at FROM alert WHERE id = $ALERT) FROM notification
        WHERE alert_id = $ALERT AND event = 'reminder'")
expect_true "the reminder came no sooner than remind_every ($REMINDED s >= $REMIND s)" test "${REMINDED:-0}" -ge "$REMIND"
# No more reminders from here on (the dispatcher reads pik.conf at each
# pass), so that "one" does not depend on how fast the recovery comes.
expect_ok conf 0
expect_ok ct_run systemctl start pik-dispatcher.timer
expect_true "the reminder reached the receiver" ct_wait_until 30 _hook_count_is 1 \
        '.status == "firing" and (.alerts[0].annotations.summary | contains("still DOWN"))'
expect_true "the reminder mail arrived" ct_wait_until 30 mail_has "pik: acme .* in firefox is still DOWN"

section "acme recovers: one RECOVERED"
expect_ok ct_run pikctl config set "$ACME" --url "$PIK_SITE/ok"
expect_true "the alert closes" pik_wait_sql 90 1 "SELECT count(*) FROM alert WHERE id = $ALERT AND closed_at IS NOT NULL"
expect_true "the receiver got the RECOVERED" ct_wait_until 30 _hook_count_is 1 '.status == "resolved"'
OUT=$(hook_select '.status == "resolved"' | jq '.[0]')
expect_json '.alerts[0].status == "resolved" and .alerts[0].labels.partner == "acme"' "resolved alert"
expect_json '.alerts[0].endsAt != "0001-01-01T00:00:00Z"' "endsAt set"
expect_json '.alerts[0].annotations.summary | test("is back UP$")' "summary says UP"
expect_true "the RECOVERED mail arrived" ct_wait_until 30 mail_has "pik: acme .* in firefox is back UP"
expect_eq "$(ct_run grep -c '^Subject: ' "$MAILBOX")" 3 "three mails in all: DOWN, reminder, UP"
run ct_run pikctl alerts --json
expect_json 'length == 0' "no open alert"
# Every check after the recovery succeeds: still three messages per channel.
expect_true "two more successes" pik_wait_sql_ge 60 3 "SELECT count(*) FROM result WHERE partner = 'acme'
        AND outcome = 'success' AND executed_at > (SELECT closed_at FROM alert WHERE id = $ALERT)"
expect_eq "$(hook_count '.alerts[0].labels.partner == "acme"')" 3 "the receiver got DOWN, reminder, UP for acme, no more"
expect_eq "$(notif_count "n.channel = 'hook'")" 3 "three hook notifications recorded"

section "the dead webhook: retried, then failed with the error"
expect_true "every dead-channel notification ran its 5 attempts" pik_wait_sql 180 3 \
        "SELECT count(*) FROM notification WHERE channel = 'dead' AND attempts = 5 AND state = 'failed'"
run ct_run pikctl notifications --json
expect_json '[ .[] | select(.channel == "dead") ] | length == 3 and all(.state == "failed")' "all three failed"
expect_json '[ .[] | select(.channel == "dead") ] | all(.error | test("127.0.0.1:9/dead"))' "the error names the URL"
expect_json '[ .[] | select(.channel != "dead") ] | all(.state == "sent" and .attempts == 1)' "the others sent at once"
no_notify_running() {
        [ -z "$(ct_run systemctl list-units --no-legend --state=activating,active 'pik-notify@*')" ]
}
expect_true "no pik-notify unit left running" ct_wait_until 30 no_notify_running

section "an incident across three partners: one notification"
BEFORE=$(hook_files | wc -l)
run ct_sh "
set -e
for p in inc1 inc2 inc3; do
        pikctl config add \$p --browsers firefox --url http://127.0.0.1:1/login --every 10s --success-marker 'Welcome back'
done
"
expect_eq "$RC" 0 "three partners behind a dead port"
expect_true "an incident alert opens" pik_wait_sql 90 1 "SELECT count(*) FROM alert WHERE config_id IS NULL"
# Long enough for each partner's own alert to have opened, had it counted.
expect_true "each partner failed at least fail_after + 1 times, confirmed" pik_wait_sql 120 3 \
        "SELECT count(*) FROM (SELECT partner FROM result WHERE partner LIKE 'inc%' GROUP BY partner HAVING count(*) >= 4)"
expect_eq "$(pik_sql "SELECT count(*) FROM alert WHERE partner LIKE 'inc%'")" 0 "no alert per partner"
expect_eq "$(pik_sql "SELECT count(*) FROM alert WHERE config_id IS NULL")" 1 "one incident alert"
expect_eq "$(notif_count "a.config_id IS NULL")" 1 "one notification (hook; ops-mail takes partner kinds of acme only)"
expect_true "the receiver got it" ct_wait_until 30 _hook_count_is 1 '.alerts[0].labels.alertname == "PikSuspectedIncident"'
OUT=$(hook_select '.alerts[0].labels.alertname == "PikSuspectedIncident"' | jq '.[0]')
expect_json '.alerts[0].labels.kind == "infrastructure" and .alerts[0].labels.partner == ""' "incident labels"
expect_json '.alerts[0].annotations.summary | startswith("suspected incident in firefox")' "incident summary"
expect_eq "$(( $(hook_files | wc -l) - BEFORE ))" 1 "one message received for three failing partners"

# PIK_NOTIFY_CAPTURE=PREFIX: keep what an operator received (README).
if [ -n "${PIK_NOTIFY_CAPTURE:-}" ]; then
        printf '%s\n' "$FIRING" >"$PIK_NOTIFY_CAPTURE.webhook.json"
        ct_run cat "$MAILBOX" >"$PIK_NOTIFY_CAPTURE.mbox"
fi
if [ "$T_FAIL" -gt 0 ]; then
        diag
fi
finish
