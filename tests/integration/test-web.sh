#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# pik-web on a real systemd: pik-web.socket listens on 127.0.0.1:8377 and
# nothing else runs; the first request starts pik-web.service, which answers
# the pages, the JSON API (the same documents as pikctl --json) and
# /metrics; after its idle timeout it exits and the socket is back to
# waiting alone. Run by ./run in a fresh container.

set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/lib.sh"
. "$HERE/../lib.sh"

URL=http://127.0.0.1:8377

section "setup"
run ct_sh "
set -e
pikctl browser add firefox --engine http
pikctl partner add acme --name Acme
pikctl config add acme --name login --browsers firefox --url https://acme.example/ --cron '0 0 1 1 *'
"
expect_eq "$RC" 0 "a partner with one check"
# A short idle timeout, so that the exit is seen within the test's time.
ct_write /etc/systemd/system/pik-web.service.d/50-idle.conf <<EOT
[Service]
ExecStart=
ExecStart=${PIK_LIBEXECDIR:-/usr/libexec/pik}/pik-web --idle-timeout 3s
EOT
expect_ok ct_run systemctl daemon-reload
expect_ok ct_run systemctl start pik-web.socket

section "nothing runs until someone looks"
expect_eq "$(ct_unit_prop pik-web.socket ActiveState)" active "pik-web.socket listens"
expect_eq "$(ct_unit_prop pik-web.service ActiveState)" inactive "pik-web.service is not running"

section "the first request starts the service"
run ct_run curl -sS --max-time 60 -o /dev/null -w '%{http_code}' "$URL/"
expect_eq "$OUT" 200 "GET / through the socket"
expect_eq "$(ct_unit_prop pik-web.service ActiveState)" active "pik-web.service runs after the first request"
for p in /partner/acme /outcomes /jobs "/jobs?overdue" /executions /metrics /pik.js /pik.css; do
        run ct_run curl -sS --max-time 60 -o /dev/null -w '%{http_code}' "$URL$p"
        expect_eq "$OUT" 200 "GET $p"
done
run ct_run curl -sS --max-time 60 "$URL/"
expect_contains '<td><a href="/partner/acme">acme</a></td><td>#1 login</td><td>firefox</td><td>new</td>'
# The clock and the ages move between the two reads.
NOCLOCK='if type == "object" then del(.now) | (if has("rows") then .rows |= map(del(.age_sec)) else . end) else . end'
same() {        # same PATH PIKCTL-ARGS…: the API's document is pikctl's
        local path=$1 api cli
        shift
        api=$(ct_run curl -sS --max-time 60 "$URL$path" | jq -S "$NOCLOCK")
        cli=$(ct_run pikctl "$@" --json | jq -S "$NOCLOCK")
        expect_true "GET $path is pikctl $* --json" test -n "$api" -a "$api" == "$cli"
}
same /api/v1/status status
same /api/v1/jobs jobs
same /api/v1/outcomes outcomes
same /api/v1/alerts alerts
run ct_run curl -sS --max-time 60 "$URL/metrics"
expect_contains '# TYPE pik_overdue_jobs gauge'
expect_contains '# TYPE pik_alert_firing gauge'

section "idle, it exits; the socket stays"
expect_true "pik-web.service exits after its idle timeout" ct_wait_unit_state pik-web.service inactive 120
expect_eq "$(ct_unit_prop pik-web.service Result)" success "it exited cleanly"
expect_eq "$(ct_unit_prop pik-web.socket ActiveState)" active "pik-web.socket still listens"
run ct_run curl -sS --max-time 60 -o /dev/null -w '%{http_code}' "$URL/api/v1/status"
expect_eq "$OUT" 200 "the next request starts it again"

finish
