#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Crash safety: SIGKILL of pik-dispatcher in the middle of a pass, and of
# pikd while results arrive. Afterwards, and once the timers have carried
# on:
#   - no scheduled job is left dispatched without an execution;
#   - no execution runs twice (each pik-check@<id>.service ran at most once,
#     by the journal);
#   - no execution is left waiting for ever: each ends with exactly one
#     result, and every job ends in a success (the site always answers);
#   - no reported result is lost: every check that logged its result in the
#     journal has that very result in SQLite.
# Run by ./run in a fresh container.

set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/lib.sh"
. "$HERE/../lib.sh"
. "$HERE/pik.sh"

SUCCESS_ID=$(pik_message_id SUCCESS)
FAILURE_ID=$(pik_message_id FAILURE)
N_DISPATCH=30           # jobs due at once for the dispatcher's pass
N_REPORT=30             # checks reporting while pikd is killed

# No scheduled job marked dispatched without an execution of its attempt.
orphans() {
        pik_sql "SELECT count(*) FROM scheduled_job j WHERE j.dispatched = 1 AND NOT EXISTS
                 (SELECT 1 FROM execution e WHERE e.job_id = j.id AND e.attempt = j.attempt)"
}

# Units started more than once: "UNIT COUNT" lines, none expected.
units_run_twice() {
        ct_journal -o json "MESSAGE_ID=$SD_MESSAGE_UNIT_STARTING" |
                jq -s -r 'map(select(.UNIT // "" | startswith("pik-check@"))) | group_by(.UNIT)[]
                          | select(length > 1) | "\(.[0].UNIT) \(length)"'
}

# Executions whose check logged a result the database does not hold:
# "ID JOURNAL-OUTCOME DB-OUTCOME" lines, none expected.
lost_results() {
        ct_journal -o json "MESSAGE_ID=$SUCCESS_ID" + "MESSAGE_ID=$FAILURE_ID" |
                jq -r 'select(._SYSTEMD_UNIT // "" | startswith("pik-check@")) | "\(.PIK_EXECUTION) \(.PIK_OUTCOME)"' |
                sort -u >"$CT_DIR/journal-results"
        pik_sql -separator ' ' "SELECT execution_id, outcome FROM result" | sort -u >"$CT_DIR/db-results"
        join -a1 -e NONE -o 0,1.2,2.2 "$CT_DIR/journal-results" "$CT_DIR/db-results" | awk '$2 != $3'
}

# check_invariants WHAT PARTNER JOBS [FIRST]: the promises above, once the
# executions of PARTNER have all ended; every one of its JOBS has succeeded
# in an execution numbered FIRST or later.
check_invariants() {
        local what=$1 partner=$2 jobs=$3 first=${4:-0}
        expect_true "$what: every execution of $partner ended within 90 s" \
                pik_wait_sql 90 0 "SELECT count(*) FROM execution WHERE partner = '$partner' AND state IN ('dispatched', 'started')"
        expect_true "$what: every job of $partner ended in a success within 60 s" \
                pik_wait_sql 60 "$jobs" "SELECT count(DISTINCT job_id) FROM execution WHERE partner = '$partner' AND state = 'success' AND id >= $first"
        expect_eq "$(orphans)" 0 "$what: jobs marked dispatched without an execution"
        expect_eq "$(pik_sql "SELECT count(*) FROM execution e WHERE partner = '$partner' AND
                              (SELECT count(*) FROM result r WHERE r.execution_id = e.id) != 1")" 0 \
                "$what: executions without exactly one result"
        run units_run_twice
        expect_eq "$OUT" "" "$what: check units that ran more than once"
        run lost_results
        expect_eq "$OUT" "" "$what: results logged by a check but not in SQLite (id, journal, db)"
        pik_sql "SELECT '  ' || outcome || ': ' || count(*) FROM result WHERE partner = '$partner' GROUP BY outcome"
}

section "setup"
pik_conf <<'EOF'
max_concurrent = 200;
retry = {
        max_attempts = 5;
        backoff = 1;
        backoff_max = 2;
};
EOF
expect_true "the partner site serves" pik_site_start
run ct_sh "
set -e
pikctl browser add firefox --engine http
pikctl partner add fast --name 'Many Jobs'
pikctl partner add slow --name 'Slow Reports'
i=0
while [ \$i -lt $N_DISPATCH ]; do
        i=\$((i + 1))
        pikctl config add fast --browsers firefox --url \"$PIK_SITE/ok?n=\$i\" --cron '0 0 1 1 *' --success-marker 'Welcome back' >/dev/null
done
i=0
while [ \$i -lt $N_REPORT ]; do
        i=\$((i + 1))
        pikctl config add slow --browsers firefox --url \"$PIK_SITE/slow?s=2&n=\$i\" --cron '0 0 1 1 *' --success-marker 'Welcome back' >/dev/null
done
"
expect_eq "$RC" 0 "$N_DISPATCH + $N_REPORT configurations"
[ "$RC" = 0 ] || printf '%s\n' "$ERR" >&2

section "SIGKILL of pik-dispatcher in the middle of a pass"
# The pass is made to stop halfway: a trigger (test only) makes the
# execution of the job dispatched 10th take seconds of CPU inside its
# transaction, by which time 9 are started; the dispatcher is killed there.
ct_run pikctl run-now fast >/dev/null
expect_eq "$(pik_sql "SELECT count(*) FROM execution")" 0 "no execution yet"
ct_run sqlite3 -cmd '.timeout 10000' "$PIK_DB" "CREATE TRIGGER test_slow_dispatch AFTER UPDATE OF unit ON execution
        WHEN NEW.id = 10 BEGIN
        SELECT count(*) FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 60000000) SELECT x FROM c);
        END;"
ct_run systemctl start --no-block pik-dispatcher.service
expect_true "the pass started 9 units and is at the 10th" \
        pik_wait_sql 20 9 "SELECT count(*) FROM execution"
sleep 0.3
expect_eq "$(ct_unit_prop pik-dispatcher.service ActiveState)" activating "the pass is still going"
expect_ok ct_run systemctl kill -s KILL pik-dispatcher.service
ct_wait_unit_state pik-dispatcher.service "inactive|failed" 10
expect_eq "$(ct_unit_prop pik-dispatcher.service Result)" signal "pik-dispatcher.service was killed"
ct_run sqlite3 -cmd '.timeout 10000' "$PIK_DB" "DROP TRIGGER test_slow_dispatch"
n=$(pik_sql "SELECT count(*) FROM execution")
expect_eq "$n" 9 "the 10th dispatch rolled back with the dispatcher"
d=$(pik_sql "SELECT count(*) FROM scheduled_job j JOIN job_config c ON c.id = j.config_id
             JOIN partner p ON p.id = c.partner_id WHERE p.code = 'fast' AND j.dispatched = 1")
echo "after the kill: $n executions, $d of $N_DISPATCH jobs dispatched"
expect_true "some jobs dispatched, some not: killed mid-pass ($d of $N_DISPATCH)" test "$d" -gt 0 -a "$d" -lt "$N_DISPATCH"
expect_eq "$(orphans)" 0 "right after the kill: jobs marked dispatched without an execution"

# Then killed at whatever point a large pass has reached, twice: the
# window between an execution's commit and its StartUnit included.
for round in 1 2; do
        ct_run pikctl run-now slow >/dev/null       # more due work, a long pass
        ct_run systemctl start --no-block pik-dispatcher.service
        base=$(pik_sql "SELECT count(*) FROM execution")
        pik_wait_sql_ge 20 $((base + 3)) "SELECT count(*) FROM execution"
        ct_run systemctl kill -s KILL pik-dispatcher.service
        ct_wait_unit_state pik-dispatcher.service "inactive|failed" 10
        echo "round $round: killed after $(( $(pik_sql "SELECT count(*) FROM execution") - base )) dispatches" \
             "(pass result: $(ct_unit_prop pik-dispatcher.service Result))"
        expect_eq "$(orphans)" 0 "round $round, right after the kill: jobs marked dispatched without an execution"
done

# The timers carry on from there.
expect_ok pik_fast_timers 2s 1s
check_invariants "dispatcher killed" fast "$N_DISPATCH"
check_invariants "dispatcher killed" slow "$N_REPORT"

section "SIGKILL of pikd while results arrive"
# First with certainty: a trigger (test only) makes pikd spend seconds of
# CPU inside the transaction that records the first result of the round;
# pikd is killed there, with that report unanswered and others queued
# behind it. Then once more at whatever point the stream has reached.
first=$(pik_sql "SELECT max(id) + 1 FROM execution")
before=$(pik_sql "SELECT count(*) FROM result WHERE partner = 'slow'")
ct_run sqlite3 -cmd '.timeout 10000' "$PIK_DB" "CREATE TRIGGER test_slow_report AFTER INSERT ON result
        WHEN NEW.execution_id = $first BEGIN
        SELECT count(*) FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 30000000) SELECT x FROM c);
        END;"
ct_run pikctl run-now slow >/dev/null
logged() {      # logged ID: the check of execution ID logged its result
        [ -n "$(ct_journal -o cat "MESSAGE_ID=$SUCCESS_ID" "PIK_EXECUTION=$1")" ]
}
expect_true "execution $first logged its result and is reporting it" ct_wait_until 30 logged "$first"
sleep 0.5
pid=$(ct_unit_prop pikd.service MainPID)
expect_eq "$(pik_sql "SELECT count(*) FROM result WHERE execution_id = $first")" 0 \
        "pikd is still recording execution $first's result"
expect_ok ct_run kill -KILL "$pid"
echo "killed pikd (pid $pid) while it recorded execution $first's result," \
     "after $(( $(pik_sql "SELECT count(*) FROM result WHERE partner = 'slow'") - before )) results of the round"
ct_run sqlite3 -cmd '.timeout 10000' "$PIK_DB" "DROP TRIGGER test_slow_report"
pik_wait_sql_ge 30 $(( $(pik_sql "SELECT count(*) FROM result WHERE partner = 'slow'") + 3 )) \
        "SELECT count(*) FROM result WHERE partner = 'slow'"
pid2=$(ct_unit_prop pikd.service MainPID)
expect_true "pikd was started again (pid $pid2, was $pid)" test "$pid2" != "$pid" -a "$pid2" != 0
expect_ok ct_run kill -KILL "$pid2"
echo "killed pikd (pid $pid2) after $(( $(pik_sql "SELECT count(*) FROM result WHERE partner = 'slow'") - before )) results of the round"
check_invariants "pikd killed" slow "$N_REPORT" "$first"
expect_eq "$(pik_sql "SELECT outcome FROM result WHERE execution_id = $first")" success \
        "execution $first: the result it reported while pikd was killed"
# What the checks went through: reports that waited for pikd to come back.
run ct_journal -u 'pik-check@*' --grep 'pikd' -o cat
echo "check log lines about pikd: $(printf '%s' "$OUT" | grep -c .)"
printf '%s\n' "$OUT" | sed 's/[0-9][0-9]*/N/g' | sort | uniq -c | sort -rn | head -5
run ct_run pikctl status --json
expect_json ".rows | length == $((N_DISPATCH + N_REPORT))" "pikd answers again: one row per check"

[ "$T_FAIL" -eq 0 ] || pik_dump_diag
finish
