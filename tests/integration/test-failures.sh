#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Checks that fail on our side end as infrastructure outcomes and are
# retried as new executions:
#   - a check that hangs (the partner's page takes 10 min) is stopped by
#     systemd at RuntimeMaxSec= (lowered by a drop-in) and recorded as
#     check-expired, then retried as attempt 2;
#   - a check whose process dies of SIGSEGV is recorded as engine-crashed,
#     then retried as attempt 2;
#   - a check that logged its result but could not report it (pikd masked
#     under it) is recorded as it logged it, read back from the journal by
#     the dispatcher's reaper, not as engine-crashed.
# Run by ./run in a fresh container.

set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/lib.sh"
. "$HERE/../lib.sh"
. "$HERE/pik.sh"

RUNTIME_MAX=8
EXPIRED_ID=$(pik_message_id EXPIRED)
RETRY_ID=$(pik_message_id RETRY)

section "setup"
# job_expiry is the dispatcher's net for a check whose unit could not say
# how it ended; RuntimeMaxSec= is what stops a hanging check. Matched as
# the unit file says (job_expiry's least value is 10 s), just above
# RuntimeMaxSec= so that the unit's own end is what records the expiry.
pik_conf <<'EOF'
job_expiry = 10;
retry = {
        max_attempts = 3;
        backoff = 1;
        backoff_max = 1;
};
EOF
ct_write /etc/systemd/system/pik-check@.service.d/50-test.conf <<EOF
[Service]
RuntimeMaxSec=$RUNTIME_MAX
EOF
ct_run systemctl daemon-reload
expect_eq "$(ct_unit_prop pik-check@1.service RuntimeMaxUSec)" "${RUNTIME_MAX}s" "pik-check@ RuntimeMaxSec by drop-in"
expect_true "the partner site serves" pik_site_start
run ct_sh "
set -e
pikctl browser add firefox --engine http
pikctl partner add hang --name 'Hanging Partner'
pikctl partner add crash --name 'Crashing Engine'
pikctl config add hang --browsers firefox --url '$PIK_SITE/slow?s=600' --cron '0 0 1 1 *' --success-marker 'Welcome back'
pikctl config add crash --browsers firefox --url '$PIK_SITE/slow?s=600' --cron '0 0 1 1 *' --success-marker 'Welcome back'
pikctl run-now hang
pikctl run-now crash
"
expect_eq "$RC" 0 "two partners whose page never comes, queued"
expect_ok pik_fast_timers 30s 1s

section "both checks run"
expect_true "both dispatched" \
        pik_wait_sql 15 2 "SELECT count(*) FROM execution WHERE partner IN ('hang', 'crash')"
hang1=$(pik_sql "SELECT id FROM execution WHERE partner = 'hang' AND attempt = 1")
crash1=$(pik_sql "SELECT id FROM execution WHERE partner = 'crash' AND attempt = 1")
for id in "$hang1" "$crash1"; do
        expect_true "pik-check@$id.service is running" ct_wait_unit_state "pik-check@$id.service" active 15
done
# In the engine, waiting for the page (it fetched its job: started).
in_step2() {
        [[ "$(ct_unit_prop "pik-check@$1.service" StatusText)" == "step 2/4: "* ]]
}
expect_true "execution $crash1 is waiting for the partner's page" ct_wait_until 10 in_step2 "$crash1"
expect_eq "$(pik_sql "SELECT state FROM execution WHERE id = $crash1")" started "execution $crash1 state"

section "SIGSEGV: engine-crashed, retried"
pid=$(ct_unit_prop "pik-check@$crash1.service" MainPID)
expect_true "pik-check@$crash1 has a main PID ($pid)" test "${pid:-0}" -gt 0
run ct_run ps -o comm= -p "$pid"
expect_eq "$OUT" pik-check "the main PID is pik-check"
expect_ok ct_run kill -SEGV "$pid"
expect_true "pik-check@$crash1.service ended" ct_wait_unit_state "pik-check@$crash1.service" "inactive|failed" 15
expect_true "execution $crash1 recorded" \
        pik_wait_sql 10 1 "SELECT count(*) FROM result WHERE execution_id = $crash1"
run ct_run pikctl execution show "$crash1" --json
echo "execution $crash1: $(printf '%s' "$OUT" | jq -c '{state, outcome, kind, attempt}')"
expect_json '.outcome == "engine-crashed" and .kind == "infrastructure"' "execution $crash1: engine-crashed (infrastructure)"
expect_json '.state == "retry"' "execution $crash1: state retry"
run pik_sql "SELECT details FROM result WHERE execution_id = $crash1"
expect_contains "SEGV"
expect_contains "SERVICE_RESULT="
run ct_journal -o json "MESSAGE_ID=$EXPIRED_ID" "PIK_EXECUTION=$crash1"
expect_true "the reaper logged the crash (MESSAGE_ID EXPIRED, PIK_OUTCOME=engine-crashed)" \
        sh -c 'printf "%s\n" "$1" | jq -e -s "any(.[]; .PIK_OUTCOME == \"engine-crashed\" and .PIK_OUTCOME_KIND == \"infrastructure\")" >/dev/null' sh "$OUT"
run ct_journal -o json "MESSAGE_ID=$RETRY_ID" "PIK_EXECUTION=$crash1"
expect_true "the reaper logged the retry (MESSAGE_ID RETRY, PIK_ATTEMPT=2)" \
        sh -c 'printf "%s\n" "$1" | jq -e -s "any(.[]; .PIK_ATTEMPT == \"2\")" >/dev/null' sh "$OUT"
expect_true "attempt 2 of crash is a new execution, dispatched" \
        pik_wait_sql 10 1 "SELECT count(*) FROM execution WHERE partner = 'crash' AND attempt = 2"
crash2=$(pik_sql "SELECT id FROM execution WHERE partner = 'crash' AND attempt = 2")
expect_true "attempt 2 (execution $crash2) is not execution $crash1" test -n "$crash2" -a "$crash2" != "$crash1"
expect_eq "$(pik_sql "SELECT job_id FROM execution WHERE id = $crash2")" \
        "$(pik_sql "SELECT job_id FROM execution WHERE id = $crash1")" "attempt 2 is a run of the same job"
expect_true "attempt 2 runs as pik-check@$crash2.service" ct_wait_unit_state "pik-check@$crash2.service" active 10
expect_true "attempt 2 fetched its job" pik_wait_sql 10 started "SELECT state FROM execution WHERE id = $crash2"
ct_run systemctl stop --no-block "pik-check@$crash2.service"

section "a hanging check: stopped at RuntimeMaxSec, check-expired, retried"
t0=$(ct_unit_prop "pik-check@$hang1.service" ActiveEnterTimestampMonotonic)
expect_true "pik-check@$hang1.service stopped within $((RUNTIME_MAX + 10)) s" \
        ct_wait_unit_state "pik-check@$hang1.service" "inactive|failed" $((RUNTIME_MAX + 10))
run ct_journal -u "pik-check@$hang1.service" -o cat
expect_contains "Service reached runtime time limit"
expect_true "execution $hang1 recorded" \
        pik_wait_sql 10 1 "SELECT count(*) FROM result WHERE execution_id = $hang1"
run ct_run pikctl execution show "$hang1" --json
echo "execution $hang1: $(printf '%s' "$OUT" | jq -c '{state, outcome, kind, attempt}')"
expect_json '.outcome == "check-expired" and .kind == "infrastructure"' "execution $hang1: check-expired (infrastructure)"
expect_json '.state == "expired"' "execution $hang1: state expired"
run pik_sql "SELECT details, duration_ms FROM result WHERE execution_id = $hang1"
echo "result: $OUT"
expect_contains "SERVICE_RESULT=timeout"
ms=${OUT##*|}
expect_true "it ran about RuntimeMaxSec (${ms} ms)" test "${ms:-0}" -ge $(((RUNTIME_MAX - 1) * 1000)) -a "${ms:-0}" -le $(((RUNTIME_MAX + 3) * 1000))
run ct_journal -o json "MESSAGE_ID=$EXPIRED_ID" "PIK_EXECUTION=$hang1"
expect_true "the reaper logged the expiry (MESSAGE_ID EXPIRED, PIK_OUTCOME=check-expired)" \
        sh -c 'printf "%s\n" "$1" | jq -e -s "any(.[]; .PIK_OUTCOME == \"check-expired\")" >/dev/null' sh "$OUT"
run ct_journal -x -o short "MESSAGE_ID=$EXPIRED_ID" "PIK_EXECUTION=$hang1"
expect_contains "ended without a result: check-expired"
expect_true "attempt 2 of hang is a new execution, dispatched" \
        pik_wait_sql 10 1 "SELECT count(*) FROM execution WHERE partner = 'hang' AND attempt = 2"
hang2=$(pik_sql "SELECT id FROM execution WHERE partner = 'hang' AND attempt = 2")
expect_true "attempt 2 runs as pik-check@$hang2.service" ct_wait_unit_state "pik-check@$hang2.service" active 10
# One execution, one run of its unit.
for id in "$crash1" "$hang1"; do
        expect_eq "$(pik_unit_runs "$id")" 1 "pik-check@$id.service ran once"
done
expect_eq "$(pik_sql "SELECT count(*) FROM execution WHERE partner IN ('hang', 'crash') AND attempt = 1")" 2 \
        "attempt 1 of each was not run again"

section "a result logged but never reported: recorded from the journal"
run ct_sh "
set -e
pikctl partner add late --name 'Late Reporter'
pikctl config add late --browsers firefox --url '$PIK_SITE/slow?s=5' --cron '0 0 1 1 *' --success-marker 'Welcome back'
pikctl run-now late
"
expect_eq "$RC" 0 "a partner whose page takes 5 s, queued"
expect_true "late dispatched" pik_wait_sql 15 1 "SELECT count(*) FROM execution WHERE partner = 'late'"
late1=$(pik_sql "SELECT id FROM execution WHERE partner = 'late' AND attempt = 1")
expect_true "execution $late1 is waiting for the partner's page" ct_wait_until 10 in_step2 "$late1"
# pikd goes and cannot come back: the check's report fails. The journal
# still has the result.
expect_ok ct_run systemctl mask --runtime pikd.service
expect_ok ct_run systemctl stop pikd.service
expect_true "pik-check@$late1.service ended" ct_wait_unit_state "pik-check@$late1.service" "inactive|failed" 20
run ct_journal -u "pik-check@$late1.service" -o cat
expect_contains "Failed to report the result of execution $late1"
run ct_journal -o json "MESSAGE_ID=$(pik_message_id SUCCESS)" "PIK_EXECUTION=$late1"
expect_true "the check logged success for execution $late1" \
        sh -c 'printf "%s\n" "$1" | jq -e -s "any(.[]; .PIK_OUTCOME == \"success\")" >/dev/null' sh "$OUT"
expect_true "the dispatcher's reaper recorded execution $late1" \
        pik_wait_sql 15 1 "SELECT count(*) FROM result WHERE execution_id = $late1"
run pik_sql "SELECT outcome, details FROM result WHERE execution_id = $late1"
echo "result: $OUT"
expect_contains "success|recorded from the journal: the check logged it, its report never reached pikd"
expect_eq "$(pik_sql "SELECT state FROM execution WHERE id = $late1")" success "execution $late1 state"
expect_eq "$(pik_sql "SELECT count(*) FROM execution WHERE partner = 'late'")" 1 "a success is not retried"
expect_ok ct_run systemctl unmask --runtime pikd.service

[ "$T_FAIL" -eq 0 ] || pik_dump_diag
finish
