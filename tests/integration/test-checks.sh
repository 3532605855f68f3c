#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Checks end to end on a real systemd: the timers start the scheduler and
# the dispatcher (nothing else does here), the dispatcher starts
# pik-check@<id>.service units against a loopback partner site, and each
# check's result reaches SQLite (pikctl results/status over D-Bus) and the
# journal (one entry per check, every PIK_* field, from the check's own
# unit, explained by the catalog). The partner's failures are classified as
# such end to end: a failure marker, an HTTP 500, a 429 with Retry-After.
# Then 50 jobs made due at once, with max_concurrent raised: prints (does
# not assert) the check start latency and the units started per second.
# Run by ./run in a fresh container.

set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/lib.sh"
. "$HERE/../lib.sh"
. "$HERE/pik.sh"

SUCCESS_ID=$(pik_message_id SUCCESS)
FAILURE_ID=$(pik_message_id FAILURE)
BULK=50
# partner:path:expected outcome:expected kind
PARTNERS=(good:/ok:success:success
          marker:/failure:failure-marker-present:partner
          err500:/status/500:http-5xx:partner
          throttled:/throttled:partner-throttled:partner)

section "setup"
# A partner's failure is confirmed by one re-check before status shows it:
# after 1 s here instead of a minute.
pik_conf <<'EOF'
max_concurrent = 100;
retry = {
        confirm_after = 1;
};
EOF
expect_true "the partner site serves" pik_site_start
run ct_sh "
set -e
pikctl browser add firefox --engine http --user-agent 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0'
for p in good marker err500 throttled bulk solo; do pikctl partner add \$p --name \"Partner \$p\"; done
pikctl config add good --browsers firefox --url $PIK_SITE/ok --every 10s --success-marker 'Welcome back'
pikctl config add marker --browsers firefox --url $PIK_SITE/failure --every 10s \
        --success-marker 'Welcome back' --failure-marker 'Service unavailable'
pikctl config add err500 --browsers firefox --url $PIK_SITE/status/500 --every 10s --success-marker 'Welcome back'
pikctl config add throttled --browsers firefox --url $PIK_SITE/throttled --every 10s --success-marker 'Welcome back'
# The benchmark's jobs: due once a year (1 January), until run-now makes
# them due at once.
pikctl config add solo --browsers firefox --url $PIK_SITE/ok --cron '0 0 1 1 *' --success-marker 'Welcome back'
i=0
while [ \$i -lt $BULK ]; do
        i=\$((i + 1))
        pikctl config add bulk --browsers firefox --url \"$PIK_SITE/ok?n=\$i\" --cron '0 0 1 1 *' --success-marker 'Welcome back' >/dev/null
done
"
expect_eq "$RC" 0 "partners, browser and configurations added over D-Bus"
[ "$RC" = 0 ] || printf '%s\n' "$ERR" >&2
# Nothing has run yet: no timer is enabled, no job exists.
expect_eq "$(pik_sql 'SELECT count(*) FROM scheduled_job')" 0 "no scheduled job before the timers run"

section "the timers start the scheduler and the dispatcher"
expect_ok pik_fast_timers 2s 1s
unit_runs() {   # unit_runs UNIT: how many times systemd finished starting UNIT
        ct_journal -o json "UNIT=$1" "MESSAGE_ID=$SD_MESSAGE_UNIT_STARTED" | grep -c .
}
both_ran_twice() {
        [ "$(unit_runs pik-scheduler.service)" -ge 2 ] && [ "$(unit_runs pik-dispatcher.service)" -ge 2 ]
}
expect_true "pik-scheduler.service and pik-dispatcher.service each ran twice, started by their timers" \
        ct_wait_until 20 both_ran_twice
for u in pik-scheduler pik-dispatcher; do
        expect_eq "$(ct_unit_prop $u.service Result)" success "$u.service Result"
        run ct_unit_prop $u.timer LastTriggerUSec
        expect_true "$u.timer has triggered (LastTriggerUSec '$OUT')" test -n "$OUT" -a "$OUT" != n/a
done
expect_true "the scheduler created a job for every configuration × browser ($((5 + BULK)))" \
        pik_wait_sql 10 $((5 + BULK)) "SELECT count(*) FROM scheduled_job"

section "checks run as pik-check@N units and their results reach SQLite"
expect_true "every partner of the timed configurations has a result within 30 s" \
        pik_wait_sql 30 4 "SELECT count(DISTINCT partner) FROM result WHERE partner != 'bulk'"
# Status moves with confirmed results only: a partner failure shows once
# its re-check has confirmed it.
status_shows_all() {
        local p code path outcome kind
        status=$(ct_run pikctl status --json) || return 1
        for p in "${PARTNERS[@]}"; do
                IFS=: read -r code path outcome kind <<<"$p"
                jq -e --arg p "$code" --arg o "$outcome" \
                        'any(.rows[]; .partner == $p and .outcome == $o)' <<<"$status" >/dev/null || return 1
        done
}
ct_wait_until 20 status_shows_all
for p in "${PARTNERS[@]}"; do
        IFS=: read -r code path outcome kind <<<"$p"
        run ct_run pikctl results --partner "$code" --json
        expect_json "length >= 1 and all(.[]; .partner == \"$code\" and .browser == \"firefox\")" "results of $code"
        expect_json ".[0].outcome == \"$outcome\" and .[0].kind == \"$kind\"" "$code ($path): $outcome ($kind)"
        expect_json "all(.[]; .execution_id > 0 and .duration_ms >= 0)" "$code: results tied to executions"
        OUT=$status
        expect_json "any(.rows[]; .partner == \"$code\" and .browser == \"firefox\" and .outcome == \"$outcome\" and .kind == \"$kind\")" \
                "pikctl status: $code shows $outcome ($kind)"
        # The execution recorded the unit that ran it.
        run ct_run pikctl executions --partner "$code" --json
        expect_json "all(.[]; .unit == \"pik-check@\(.id).service\")" "$code: executions ran as pik-check@<id>.service"
done
run ct_run pikctl status --json
expect_json '.rows[] | select(.partner == "good") | .success_ratio_24h == 1' "good: 24 h success ratio 1"
expect_json '.rows[] | select(.partner == "err500") | .success_ratio_24h == 0' "err500: 24 h success ratio 0"
# The 429 is retried, after the partner's Retry-After (120 s), not at once.
expect_eq "$(pik_sql "SELECT state FROM execution WHERE partner = 'throttled' ORDER BY id LIMIT 1")" retry \
        "throttled: the execution is marked for retry"
run pik_sql "SELECT j.attempt, j.run_after - e.finished_at FROM scheduled_job j JOIN execution e ON e.job_id = j.id
             WHERE e.partner = 'throttled' ORDER BY e.id LIMIT 1"
expect_true "throttled: attempt 2 waits for Retry-After: 120 (attempt|delay: $OUT)" \
        awk -F'|' -v s="$OUT" 'BEGIN { split(s, a, "|"); exit !(a[1] == 2 && a[2] >= 110 && a[2] <= 130) }'
# Partner failures are not retried: confirmed by one re-check (attempt 2),
# no more.
for code in marker err500; do
        run pik_sql "SELECT e.attempt, e.state, r.unconfirmed FROM execution e JOIN result r ON r.execution_id = e.id
                     WHERE e.job_id = (SELECT min(job_id) FROM execution WHERE partner = '$code')
                     ORDER BY e.id LIMIT 2"
        expect_eq "$(echo $OUT)" "1|retry|1 2|failure|0" \
                "$code: first failure unconfirmed and re-checked once, the re-check confirms it (attempt|state|unconfirmed)"
done
expect_eq "$(pik_sql "SELECT count(*) FROM execution WHERE partner IN ('marker', 'err500') AND attempt > 2")" 0 \
        "marker, err500: no attempt beyond the confirmation"

section "results reach the journal with every field"
FIELDS=(MESSAGE_ID PIK_PARTNER PIK_BROWSER PIK_EXECUTION PIK_OUTCOME PIK_OUTCOME_KIND PIK_DURATION_MS _SYSTEMD_UNIT)
for p in "${PARTNERS[@]}"; do
        IFS=: read -r code path outcome kind <<<"$p"
        msgid=$FAILURE_ID
        [ "$kind" = success ] && msgid=$SUCCESS_ID
        run ct_journal "PIK_PARTNER=$code" -o json
        # The check's own entries (pikd logs configuration changes with
        # PIK_PARTNER too).
        OUT=$(printf '%s\n' "$OUT" | jq -s -c "[.[] | select(.MESSAGE_ID == \"$SUCCESS_ID\" or .MESSAGE_ID == \"$FAILURE_ID\")]")
        expect_json 'length >= 1' "$code: result entries in the journal"
        for f in "${FIELDS[@]}"; do
                expect_json "all(.[]; .$f != null and .$f != \"\")" "$code: every entry has $f"
        done
        expect_json "all(.[]; .MESSAGE_ID == \"$msgid\" and .PIK_PARTNER == \"$code\" and .PIK_BROWSER == \"firefox\")" \
                "$code: MESSAGE_ID, PIK_PARTNER, PIK_BROWSER"
        expect_json "all(.[]; .PIK_OUTCOME == \"$outcome\" and .PIK_OUTCOME_KIND == \"$kind\")" \
                "$code: PIK_OUTCOME=$outcome PIK_OUTCOME_KIND=$kind"
        expect_json 'all(.[]; (.PIK_DURATION_MS | test("^[0-9]+$")) and (.PIK_EXECUTION | test("^[0-9]+$")))' \
                "$code: PIK_DURATION_MS and PIK_EXECUTION are numbers"
        expect_json 'all(.[]; ._SYSTEMD_UNIT == "pik-check@\(.PIK_EXECUTION).service")' \
                "$code: logged by unit pik-check@<PIK_EXECUTION>.service"
        # The same check in SQLite, by its execution id.
        id=$(printf '%s' "$OUT" | jq -r '.[0].PIK_EXECUTION')
        expect_eq "$(pik_sql "SELECT outcome FROM result WHERE execution_id = ${id:-0}")" "$outcome" \
                "$code: execution $id's journal outcome is its SQLite result"
done

section "journalctl -x explains the entries"
run ct_journal -x -o short -n 1 PIK_PARTNER=marker "MESSAGE_ID=$FAILURE_ID"
expect_contains "Subject: pik check of marker in firefox failed: failure-marker-present (partner)"
expect_contains "Whose problem it is follows from the kind, partner"
run ct_journal -x -o short -n 1 PIK_PARTNER=good "MESSAGE_ID=$SUCCESS_ID"
expect_contains "Subject: pik check of good in firefox succeeded"
expect_contains "logged in to good with browser"

section "start latency and units per second ($BULK jobs due at once)"
# The timed partners out of the way: held, and their last checks done.
for id in $(pik_sql "SELECT id FROM job_config WHERE partner_id IN (SELECT id FROM partner WHERE code NOT IN ('bulk', 'solo'))"); do
        ct_run pikctl hold "$id" >/dev/null
done
pik_wait_sql 30 0 "SELECT count(*) FROM execution WHERE state IN ('dispatched', 'started')" ||
        echo "note: checks of the held partners still running"
run ct_run pikctl run-now bulk
expect_contains "Queued $BULK jobs"
run_after=$(pik_sql "SELECT max(run_after) FROM scheduled_job j JOIN job_config c ON c.id = j.config_id
                     JOIN partner p ON p.id = c.partner_id WHERE p.code = 'bulk'")
t0=$(date +%s%6N)
expect_true "all $BULK checks recorded a result within 60 s" \
        pik_wait_sql 60 "$BULK" "SELECT count(*) FROM result WHERE partner = 'bulk'"
t_done=$(date +%s%6N)
expect_eq "$(pik_sql "SELECT count(*) FROM result WHERE partner = 'bulk' AND outcome = 'success'")" "$BULK" \
        "all $BULK checks succeeded"
expect_eq "$(pik_sql "SELECT count(*) FROM execution WHERE partner = 'bulk'")" "$BULK" \
        "one execution per job"
ids=$(pik_sql "SELECT group_concat(id, ',') FROM execution WHERE partner = 'bulk'")
# unit_times IDS: "STARTING ACTIVE" (µs) per unit pik-check@ID, sorted by the
# latter: systemd's "Starting" entry (the fork) and its "Started" entry
# (Type=exec: the program was executed, the unit's ActiveEnterTimestamp).
# The units are gone by now (CollectMode=inactive-or-failed), their
# journal entries are not.
unit_times() {
        ct_journal -o json "MESSAGE_ID=$SD_MESSAGE_UNIT_STARTING" + "MESSAGE_ID=$SD_MESSAGE_UNIT_STARTED" |
                jq -s -r --arg ids "$1" '
                        ($ids | split(",") | map("pik-check@" + . + ".service")) as $u
                        | map(select(.UNIT as $x | $u | index($x)))
                        | group_by(.UNIT)[]
                        | [ (.[] | select(.MESSAGE_ID == "'"$SD_MESSAGE_UNIT_STARTING"'") | .__REALTIME_TIMESTAMP),
                            (.[] | select(.MESSAGE_ID == "'"$SD_MESSAGE_UNIT_STARTED"'") | .__REALTIME_TIMESTAMP),
                            .[0].UNIT ]
                        | if length == 3 then .[0:2] | join(" ") else "ODD \(.[-1]) \(length - 1) entries" end' |
                sort -k2,2n
}
# The last start of the dispatcher pass before TIME (µs).
pass_before() {
        ct_journal -o json UNIT=pik-dispatcher.service "MESSAGE_ID=$SD_MESSAGE_UNIT_STARTING" |
                jq -r '.__REALTIME_TIMESTAMP' | awk -v f="$1" '$1 <= f { p = $1 } END { printf "%.0f\n", p }'
}
# journald may still be writing PID 1's entries on a loaded machine: wait
# until each unit has both (or give up after 30 s and report what is there).
all_logged() {
        [ "$(unit_times "$ids" | grep -vc '^ODD')" -eq "$BULK" ]
}
ct_wait_until 30 all_logged || true
times=$(unit_times "$ids")
odd=$(printf '%s\n' "$times" | grep '^ODD')
times=$(printf '%s\n' "$times" | grep -v '^ODD')
n=$(printf '%s\n' "$times" | grep -c .)
expect_eq "$n" "$BULK" "a unit start logged for each of the $BULK executions"
expect_eq "$odd" "" "units not logged as started exactly once"

# The same, one check at a time (nothing else running), three times.
solo=""
for i in 1 2 3; do
        before=$(pik_sql "SELECT count(*) FROM result WHERE partner = 'solo'")
        ct_run pikctl run-now solo >/dev/null
        ra=$(pik_sql "SELECT run_after FROM scheduled_job j JOIN job_config c ON c.id = j.config_id
                      JOIN partner p ON p.id = c.partner_id WHERE p.code = 'solo'")
        pik_wait_sql 15 $((before + 1)) "SELECT count(*) FROM result WHERE partner = 'solo'" || break
        id=$(pik_sql "SELECT max(id) FROM execution WHERE partner = 'solo'")
        t=$(unit_times "$id")
        [ -n "$t" ] && solo+="$ra $(pass_before "${t#* }") $t"$'\n'
done
expect_eq "$(printf '%s' "$solo" | grep -c .)" 3 "three single checks timed"

if [ "$n" -gt 1 ]; then
        pass=$(pass_before "$(printf '%s\n' "$times" | head -n1 | cut -d' ' -f2)")
        echo
        printf '%s\n' "$times" | SOLO=$solo awk -v ra="$run_after" -v pass="$pass" -v t0="$t0" -v done="$t_done" \
                                     -v bulk="$BULK" '
                function pct(a, k, p,   i) { i = int((k - 1) * p + 0.5) + 1; return a[i] }
                function sort(a, k,   i, j, t) {
                        for (i = 2; i <= k; i++)
                                for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
                }
                function row(name, a, k) {
                        sort(a, k)
                        printf "%-44s %4d %7.0f %7.0f %7.0f %7.0f\n", name, k, a[1], pct(a, k, 0.5), pct(a, k, 0.95), a[k]
                }
                {
                        lat[NR] = ($2 - ra * 1000000) / 1000; disp[NR] = ($2 - pass) / 1000
                        setup[NR] = ($2 - $1) / 1000; last = $2
                        if (NR == 1) firstu = $2
                }
                END {
                        k = split(ENVIRON["SOLO"], s, "\n")
                        for (i = 1; i <= k; i++) {
                                if (split(s[i], f, " ") < 4) continue
                                m++; sl[m] = (f[4] - f[1] * 1000000) / 1000; sd[m] = (f[4] - f[2]) / 1000
                                ss[m] = (f[4] - f[3]) / 1000
                        }
                        printf "%-44s %4s %7s %7s %7s %7s\n", "check start latency (ms)", "n", "min", "median", "p95", "max"
                        if (m) {
                                row("one check: run_after -> unit active", sl, m)
                                row("one check: dispatcher pass -> unit active", sd, m)
                                row("one check: unit starting -> active", ss, m)
                        }
                        row(bulk " due at once: run_after -> unit active", lat, NR)
                        row(bulk " due at once: dispatcher pass -> active", disp, NR)
                        row(bulk " due at once: unit starting -> active", setup, NR)
                        printf "(run_after has 1 s resolution: its rows overstate by up to 1 s; dispatcher every 1 s)\n"
                        span = (last - firstu) / 1000000
                        printf "units started per second, %d due at once: %.1f from the pass start (%d in %.0f ms), %.1f first to last\n",
                               NR, NR / ((last - pass) / 1000000), NR, (last - pass) / 1000,
                               (NR - 1) / (span > 0 ? span : 1e-6)
                        printf "run-now -> all %d results in SQLite: %.0f ms or less\n", NR, (done - ra * 1000000) / 1000
                }'
        echo
fi
run ct_journal -u pik-dispatcher.service -u pik-scheduler.service --grep 'repeated too quickly|start-limit'
expect_eq "$OUT" "" "no start limit hit by the passes at a 1 s and 2 s period"

[ "$T_FAIL" -eq 0 ] || pik_dump_diag
finish
