#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# RuntimeMaxSec= of each check is job_expiry of pik.conf, set by the
# dispatcher (no copy in pik-check@.service to keep equal by hand): a check
# started with job_expiry = 45 stops after 45 s, and once pik.conf says 75
# the next check stops after 75 s while the one running keeps its 45.
# Run by ./run in a fresh container.

set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/lib.sh"
. "$HERE/../lib.sh"
. "$HERE/pik.sh"

# running PARTNER: PARTNER's newest execution fetched its job and its unit is
# active; running_id PARTNER: that execution.
running() {
        local id
        id=$(pik_sql "SELECT max(id) FROM execution WHERE partner = '$1' AND state = 'started'")
        [ -n "$id" ] && [ "$(ct_unit_prop "pik-check@$id.service" ActiveState)" = active ]
}
running_id() {
        pik_sql "SELECT max(id) FROM execution WHERE partner = '$1' AND state = 'started'"
}

section "setup"
pik_conf <<'EOF2'
job_expiry = 45;
EOF2
expect_true "the partner site serves" pik_site_start
run ct_sh "
set -e
pikctl browser add firefox --engine http
pikctl partner add first --name First
pikctl partner add second --name Second
pikctl config add first --browsers firefox --url '$PIK_SITE/slow?s=600' --cron '0 0 1 1 *' --success-marker 'Welcome back'
pikctl config add second --browsers firefox --url '$PIK_SITE/slow?s=600' --cron '0 0 1 1 *' --success-marker 'Welcome back'
pikctl run-now first
"
expect_eq "$RC" 0 "two partners whose page never comes, one queued"
expect_ok pik_fast_timers 2s 1s

section "job_expiry = 45: the check's RuntimeMaxSec"
expect_true "first's check runs" ct_wait_until 30 running first
first=$(running_id first)
expect_eq "$(ct_unit_prop "pik-check@$first.service" RuntimeMaxUSec)" 45s "pik-check@$first.service RuntimeMaxSec"

section "job_expiry = 75: the next check's RuntimeMaxSec, not the running one's"
pik_conf <<'EOF2'
job_expiry = 75;
EOF2
expect_ok ct_run pikctl run-now second
expect_true "second's check runs" ct_wait_until 30 running second
second=$(running_id second)
expect_eq "$(ct_unit_prop "pik-check@$second.service" RuntimeMaxUSec)" "1min 15s" "pik-check@$second.service RuntimeMaxSec"
expect_eq "$(ct_unit_prop "pik-check@$first.service" RuntimeMaxUSec)" 45s "pik-check@$first.service keeps its own"
run ct_run systemctl cat "pik-check@$second.service"
expect_contains "RuntimeMaxSec=75"

ct_run systemctl stop pik-dispatcher.timer pik-scheduler.timer
ct_run systemctl stop "pik-check@$first.service" "pik-check@$second.service"
[ "$T_FAIL" -eq 0 ] || pik_dump_diag
finish
