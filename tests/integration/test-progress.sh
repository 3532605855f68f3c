#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A slow check shows where it is: `systemctl status pik-check@N` carries the
# check's STATUS= ("step 2/4: opening the entry page") while the partner's
# page takes 20 s, pikd has the same progress for pikctl, and both are gone
# once the check has reported. Run by ./run in a fresh container.

set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/lib.sh"
. "$HERE/../lib.sh"
. "$HERE/pik.sh"

section "setup"
expect_true "the partner site serves" pik_site_start
run ct_sh "
set -e
pikctl browser add firefox --engine http
pikctl partner add slowpoke --name 'Slow Partner'
pikctl config add slowpoke --browsers firefox --url '$PIK_SITE/slow?s=20' --cron '0 0 1 1 *' --success-marker 'Welcome back'
pikctl run-now slowpoke
"
expect_eq "$RC" 0 "a partner whose page takes 20 s, queued"
expect_ok pik_fast_timers 30s 1s

section "systemctl status shows the step of a running check"
expect_true "the check was dispatched" \
        pik_wait_sql 15 1 "SELECT count(*) FROM execution WHERE partner = 'slowpoke'"
id=$(pik_sql "SELECT id FROM execution WHERE partner = 'slowpoke'")
unit=pik-check@$id.service
expect_true "$unit is running" ct_wait_unit_state "$unit" active 15
at_step2() {
        [[ "$(ct_unit_prop "$unit" StatusText)" == "step 2/4: "* ]]
}
expect_true "$unit reached step 2/4 (StatusText '$(ct_unit_prop "$unit" StatusText)')" ct_wait_until 10 at_step2
run ct_run systemctl status --no-pager --lines=0 "$unit"
echo "$OUT"
expect_contains "Status: \"step 2/4: "
expect_contains "Active: active (running)"
step=$(ct_unit_prop "$unit" StatusText)
# The same progress through pikd (ReportProgress), for pikctl.
run ct_run pikctl execution show "$id" --json
expect_json ".progress == \"$step\" and .state == \"started\"" \
        "pikctl execution show: the progress of the running check is its STATUS ($step)"
# Still at that step a few seconds later: the page takes 20 s.
sleep 3
expect_true "still at step 2/4 three seconds later" at_step2
expect_eq "$(ct_unit_prop "$unit" ActiveState)" active "$unit still running"

section "the check ends and reports"
expect_true "$unit ended within 30 s" ct_wait_unit_state "$unit" inactive 30
expect_true "its result was recorded" \
        pik_wait_sql 10 success "SELECT outcome FROM result WHERE execution_id = $id"
run ct_run pikctl execution show "$id" --json
expect_json '.state == "success" and .progress == null' "progress cleared once the check ended"
run pik_sql "SELECT duration_ms FROM result WHERE execution_id = $id"
expect_true "the result's duration covers the 20 s wait (${OUT} ms)" test "${OUT:-0}" -ge 19000
# The steps, as the check went through them, in its unit's journal.
run ct_journal -u "$unit" -o cat
expect_contains "Check of slowpoke in firefox: success"

[ "$T_FAIL" -eq 0 ] || pik_dump_diag
finish
