#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The soak itself, run by ./run in a freshly booted container (CT_* in the
# environment). For PIK_SOAK_MINUTES, PIK_SOAK_PARTNERS partners × 2
# browsers (the http engine) check a loopback partner site every 10–20 s
# (successes, partner failures, slow pages, pages that hang past
# job_expiry), while pikd, the dispatcher, the scheduler and check units
# are SIGKILLed at random, pikd is restarted once cleanly, and
# /var/lib/pik (a tmpfs of its own) is filled up and freed. Then new runs
# are held, the running ones drain, and the invariants are checked, each
# printed PASS or FAIL with its numbers; exits 1 if any failed.

set -u
# sort and join agree on the order of ids only in the C locale.
export LC_ALL=C
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../integration/lib.sh"
. "$HERE/../integration/pik.sh"

MINUTES=${PIK_SOAK_MINUTES:-3}
PARTNERS=${PIK_SOAK_PARTNERS:-500}
JOB_EXPIRY=12           # seconds; pik-check@'s RuntimeMaxSec= follows it
# One reaper pass (the dispatcher's timer is 1 s; a pass on a loaded
# machine, or one killed by the soak, can take seconds more).
REAPER_SLACK=15
# pikd's memory is flat when the last third's largest sample is at most
# this much above the first third's: 25 % plus 4 MB (SQLite's page cache
# and the heap settle during the first minutes).
RSS_MARGIN_PCT=25
RSS_MARGIN_KB=4096

DURATION=$((MINUTES * 60))
FAILS=0
DATA=${PIK_SOAK_DATA:-$CT_DIR/soak}
mkdir -p "$DATA"

verdict() {     # verdict OK NAME DETAILS
        if [ "$1" = 0 ]; then
                printf 'PASS: %s (%s)\n' "$2" "$3"
        else
                printf 'FAIL: %s (%s)\n' "$2" "$3"
                FAILS=$((FAILS + 1))
        fi
}

now() {
        date +%s
}

# ---- setup ----------------------------------------------------------------
echo "## setup: $PARTNERS partners × 2 browsers, $MINUTES min"
# /var/lib/pik on a file system of its own, small enough to fill: the
# database, its WAL and the evidence of failed checks live there.
fs_mb=$((96 + 8 * MINUTES))
ct_run mount -t tmpfs -o "size=${fs_mb}m,mode=0755" pik-soak /var/lib/pik &&
        ct_run systemd-tmpfiles --create --prefix=/var/lib/pik || { echo "FAIL: mounting /var/lib/pik"; exit 1; }

PIK_SITE_PORT=$(ct_serve pik-soak-site "$PIK_SOURCE_ROOT/tests/fixtures/partner-site.py") || exit 1
SITE=http://127.0.0.1:$PIK_SITE_PORT
ct_wait_until 20 ct_run curl -fsS -o /dev/null --max-time 2 "$SITE/ok" || { echo "FAIL: the partner site is not up"; exit 1; }

pik_conf <<EOF
job_expiry = $JOB_EXPIRY;
max_concurrent = 40;
retry = {
        max_attempts = 3;
        backoff = 1;
        backoff_max = 4;
        confirm_after = 2;
};
engine = {
        timeout = 60;
};
EOF
# job_expiry and RuntimeMaxSec= together, as pik.conf(5) asks.
ct_write /run/systemd/system/pik-check@.service.d/50-soak.conf <<EOF
[Service]
RuntimeMaxSec=${JOB_EXPIRY}s
EOF

# What each partner's site does, by its number: mostly successes; partner
# failures (a failure marker, a 500, no marker at all); slow pages (2–4 s);
# pages that hang past job_expiry. The first 20 partners, one of each
# kind, go in with pikctl --db (offline, the same code path as over D-Bus)
# before pikd runs; the others are copies of those made with SQL (a
# thousand pikctl runs take minutes on a loaded machine), each with its own
# URL and an interval of 10–20 s.
ct_run sh -c '
set -e
db=/var/lib/pik/pik.db site=$1
pikctl --db "$db" browser add firefox --engine http >/dev/null
pikctl --db "$db" browser add chrome --engine http --user-agent "Mozilla/5.0 pik-soak" >/dev/null
i=0
while [ $i -lt 20 ]; do
        i=$((i + 1))
        case $((i % 20)) in
        15) path="failure?" ;;
        16) path="status/500?" ;;
        17) path="no-marker?" ;;
        18) path="slow?s=$((2 + i % 3))&" ;;
        19) path="slow?s=40&" ;;
        *) path="ok?" ;;
        esac
        pikctl --db "$db" partner add "p$i" --name "Partner $i" >/dev/null
        pikctl --db "$db" config add "p$i" --browsers firefox,chrome --url "$site/${path}p=$i" \
                --every "$((10 + i % 11))s" --success-marker "Welcome back" --failure-marker "Service unavailable" >/dev/null
done' sh "$SITE" || { echo "FAIL: adding the partners"; exit 1; }
ct_run sqlite3 -cmd '.timeout 10000' "$PIK_DB" "
BEGIN;
CREATE TEMP TABLE n AS WITH RECURSIVE c(i) AS (SELECT 21 UNION ALL SELECT i + 1 FROM c WHERE i < $PARTNERS)
        SELECT i, 'p' || ((i - 1) % 20 + 1) AS src FROM c;
INSERT INTO partner (code, name, enabled, created_at)
        SELECT 'p' || n.i, 'Partner ' || n.i, 1, p.created_at FROM n JOIN partner p ON p.code = n.src;
INSERT INTO job_config (partner_id, entry_url, schedule_type, schedule, timezone, success_marker, failure_marker, created_at)
        SELECT np.id, substr(c.entry_url, 1, length(c.entry_url) - length(n.src) + 1) || n.i, c.schedule_type,
               (10 + n.i % 11) || 's', c.timezone, c.success_marker, c.failure_marker, c.created_at
        FROM n JOIN partner sp ON sp.code = n.src JOIN job_config c ON c.partner_id = sp.id
        JOIN partner np ON np.code = 'p' || n.i;
INSERT INTO job_config_browser (config_id, browser_id)
        SELECT nc.id, b.browser_id FROM n JOIN partner sp ON sp.code = n.src JOIN job_config c ON c.partner_id = sp.id
        JOIN job_config_browser b ON b.config_id = c.id JOIN partner np ON np.code = 'p' || n.i
        JOIN job_config nc ON nc.partner_id = np.id;
COMMIT;" || { echo "FAIL: copying the partners"; exit 1; }

# Test only: which scheduled run each execution was started for (the job's
# run_after when the dispatcher took it), recorded in the dispatcher's own
# transaction: two executions of one run, one attempt, are a duplicate.
ct_run sqlite3 -cmd '.timeout 10000' "$PIK_DB" "
CREATE TABLE soak_dispatch (execution_id INTEGER PRIMARY KEY, job_id INTEGER, attempt INTEGER,
                            run_after INTEGER, created_at INTEGER);
CREATE TRIGGER soak_dispatch AFTER INSERT ON execution WHEN NEW.state = 'dispatched' BEGIN
        INSERT INTO soak_dispatch SELECT NEW.id, NEW.job_id, NEW.attempt, j.run_after, NEW.created_at
                FROM scheduled_job j WHERE j.id = NEW.job_id;
END;" || { echo "FAIL: the dispatch trigger"; exit 1; }
echo "configurations: $(pik_sql 'SELECT count(*) FROM job_config'), site $SITE, /var/lib/pik ${fs_mb} MB"

pik_fast_timers 2s 1s || { echo "FAIL: starting the timers"; exit 1; }
T0=$(now)
END=$((T0 + DURATION))

# ---- sampling: pikd's memory and the oldest running execution -------------
# "T PID RSS_KB OLDEST_RUNNING_AGE" every 3 s until the stop file appears.
sampler() {
        local pid rss age
        while [ ! -e "$DATA/stop-sampling" ]; do
                pid=$(ct_unit_prop pikd.service MainPID 2>/dev/null)
                rss=""
                if [ -n "$pid" ] && [ "$pid" != 0 ]; then
                        rss=$(ct_run awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
                fi
                # job_expiry counts from the check's start (from its
                # dispatch until it has started), as RuntimeMaxSec= does.
                age=$(pik_sql "SELECT coalesce(strftime('%s', 'now') - min(coalesce(started_at, created_at)), 0)
                               FROM execution WHERE state IN ('pending', 'dispatched', 'started')" 2>/dev/null)
                echo "$(now) ${pid:-0} ${rss:--} ${age:--}" >>"$DATA/samples"
                sleep 3
        done
}
sampler &
SAMPLER=$!
trap 'touch "$DATA/stop-sampling"; kill $SAMPLER 2>/dev/null' EXIT

# ---- chaos ----------------------------------------------------------------
declare -A KILLS=([pikd]=0 [dispatcher]=0 [scheduler]=0 [check]=0)
RESTARTS=0
DISK_FULL_FROM=0 DISK_FULL_TO=0

# kill_oneshot NAME: SIGKILL pik-NAME.service while a pass runs (it runs
# a fraction of each second: try for up to 5 s).
kill_oneshot() {
        local deadline=$((SECONDS + 5)) pid
        while [ "$SECONDS" -lt "$deadline" ]; do
                pid=$(ct_unit_prop "pik-$1.service" MainPID 2>/dev/null)
                if [ -n "$pid" ] && [ "$pid" != 0 ] && ct_run kill -KILL "$pid" 2>/dev/null; then
                        KILLS[$1]=$((KILLS[$1] + 1))
                        return 0
                fi
                sleep 0.05
        done
        return 1
}

kill_pikd() {
        local pid
        pid=$(ct_unit_prop pikd.service MainPID 2>/dev/null)
        if [ -n "$pid" ] && [ "$pid" != 0 ] && ct_run kill -KILL "$pid" 2>/dev/null; then
                KILLS[pikd]=$((KILLS[pikd] + 1))
        fi
}

kill_check() {
        local units u
        mapfile -t units < <(ct_run systemctl list-units --state=active --no-legend --plain 'pik-check@*' |
                             awk '{ print $1 }')
        [ "${#units[@]}" -gt 0 ] || return 0
        u=${units[RANDOM % ${#units[@]}]}
        if ct_run systemctl kill --kill-who=main -s KILL "$u" 2>/dev/null; then
                KILLS[check]=$((KILLS[check] + 1))
        fi
}

# The disk-full episode: fill the file system to the last byte, keep it
# full for a while (a tenth of the run, 10 s at least), free it.
disk_full() {
        local hold=$((DURATION / 10)) avail
        [ "$hold" -ge 10 ] || hold=10
        DISK_FULL_FROM=$(now)
        ct_run dd if=/dev/zero of=/var/lib/pik/soak-fill bs=1M status=none 2>/dev/null
        avail=$(ct_run df --output=avail -k /var/lib/pik | tail -n 1)
        echo "  $(( $(now) - T0 )) s: /var/lib/pik full (${avail// /} kB left), for $hold s"
        sleep "$hold"
        ct_run rm -f /var/lib/pik/soak-fill
        DISK_FULL_TO=$(now)
        echo "  $(( DISK_FULL_TO - T0 )) s: /var/lib/pik freed"
}

echo "## chaos for $DURATION s"
restart_at=$((T0 + DURATION * 2 / 5))
disk_at=$((T0 + DURATION / 2))
# pikd is killed in the first half only, so that one pikd process lives
# through the last third, whose memory is compared with the first's.
pikd_until=$((T0 + DURATION / 2))
while [ "$(now)" -lt "$END" ]; do
        sleep $((1 + RANDOM % 3))
        t=$(now)
        if [ "$RESTARTS" = 0 ] && [ "$t" -ge "$restart_at" ]; then
                ct_run systemctl restart pikd.service && RESTARTS=1
                echo "  $((t - T0)) s: pikd restarted cleanly"
                continue
        fi
        if [ "$DISK_FULL_FROM" = 0 ] && [ "$t" -ge "$disk_at" ]; then
                disk_full
                continue
        fi
        case $((RANDOM % 4)) in
        0) if [ "$t" -lt "$pikd_until" ]; then kill_pikd; else kill_check; fi ;;
        1) kill_oneshot dispatcher ;;
        2) kill_oneshot scheduler ;;
        3) kill_check ;;
        esac
done
echo "kills: pikd ${KILLS[pikd]}, dispatcher ${KILLS[dispatcher]}, scheduler ${KILLS[scheduler]}," \
     "check units ${KILLS[check]}; clean pikd restarts $RESTARTS; disk full for $((DISK_FULL_TO - DISK_FULL_FROM)) s"

# ---- drain ----------------------------------------------------------------
# Hold everything (nothing new starts), let what runs end or expire.
echo "## drain"
ct_run pikctl hold --reason "soak: draining" >/dev/null || echo "  pikctl hold failed"
drain_start=$(now)
pik_wait_sql $((JOB_EXPIRY + REAPER_SLACK + 60)) 0 \
        "SELECT count(*) FROM execution WHERE state IN ('pending', 'dispatched', 'started')"
echo "  drained in $(( $(now) - drain_start )) s"
touch "$DATA/stop-sampling"
wait "$SAMPLER" 2>/dev/null
ct_run systemctl stop pik-scheduler.timer pik-dispatcher.timer
ct_wait_unit_state pik-dispatcher.service "inactive|failed" 30
ct_wait_unit_state pik-scheduler.service "inactive|failed" 30

# ---- figures --------------------------------------------------------------
echo "## figures"
executions=$(pik_sql "SELECT count(*) FROM execution WHERE state != 'skipped'")
results=$(pik_sql "SELECT count(*) FROM result")
echo "executions $executions (skipped turns $(pik_sql "SELECT count(*) FROM execution WHERE state = 'skipped'")), results $results"
pik_sql "SELECT '  ' || state || ': ' || count(*) FROM execution GROUP BY state ORDER BY 1"
pik_sql "SELECT '  ' || r.outcome || ' (' || o.kind || '): ' || count(*) FROM result r
         LEFT JOIN outcome o ON o.name = r.outcome GROUP BY r.outcome ORDER BY count(*) DESC"
echo "jobs run at least once: $(pik_sql "SELECT count(DISTINCT job_id) FROM execution WHERE state != 'skipped'")" \
     "of $(pik_sql 'SELECT count(*) FROM scheduled_job');" \
     "dispatch lag (run_after → dispatched, first attempts): median $(pik_sql "SELECT created_at - run_after FROM soak_dispatch
        WHERE attempt = 1 ORDER BY 1 LIMIT 1 OFFSET (SELECT count(*) / 2 FROM soak_dispatch WHERE attempt = 1)") s," \
     "max $(pik_sql "SELECT max(created_at - run_after) FROM soak_dispatch WHERE attempt = 1") s"

# ---- invariants -----------------------------------------------------------
echo "## invariants"
v=$(ct_run sqlite3 -readonly "$PIK_DB" "PRAGMA integrity_check" 2>&1 | head -n 5)
verdict "$([ "$v" = ok ]; echo $?)" "PRAGMA integrity_check" "$v"

# Every due run executed once: no scheduled run (job, run_after, attempt)
# started twice, and no check unit started twice.
dup=$(pik_sql "SELECT count(*) FROM (SELECT 1 FROM soak_dispatch GROUP BY job_id, run_after, attempt HAVING count(*) > 1)")
runs=$(pik_sql "SELECT count(*) FROM (SELECT 1 FROM soak_dispatch GROUP BY job_id, run_after, attempt)")
verdict "$([ "$dup" = 0 ]; echo $?)" "no scheduled run executed twice" "$runs runs dispatched, $dup twice or more"
ct_journal -o json "MESSAGE_ID=$SD_MESSAGE_UNIT_STARTING" |
        jq -r 'select(.UNIT // "" | startswith("pik-check@")) | .UNIT' | sort | uniq -c >"$DATA/unit-starts"
twice=$(awk '$1 > 1' "$DATA/unit-starts" | wc -l)
verdict "$([ "$twice" = 0 ]; echo $?)" "no check unit started twice" \
        "$(wc -l <"$DATA/unit-starts") units started, $twice more than once"
orphans=$(pik_sql "SELECT count(*) FROM scheduled_job j WHERE j.dispatched = 1 AND NOT EXISTS
                   (SELECT 1 FROM execution e WHERE e.job_id = j.id AND e.attempt = j.attempt)")
verdict "$([ "$orphans" = 0 ]; echo $?)" "no job marked dispatched without an execution" "$orphans"

# None lost: every ended execution has its one result; every result its
# execution; none waited past job_expiry plus one reaper pass (outside the
# disk-full episode, when the reaper cannot write); nothing still running.
noresult=$(pik_sql "SELECT count(*) FROM execution e WHERE state NOT IN ('pending', 'dispatched', 'started', 'skipped')
                    AND (SELECT count(*) FROM result r WHERE r.execution_id = e.id) != 1")
ended=$(pik_sql "SELECT count(*) FROM execution WHERE state NOT IN ('pending', 'dispatched', 'started', 'skipped')")
verdict "$([ "$noresult" = 0 ]; echo $?)" "every ended execution has exactly one result" "$ended ended, $noresult without"
strays=$(pik_sql "SELECT count(*) FROM result r WHERE NOT EXISTS (SELECT 1 FROM execution e WHERE e.id = r.execution_id)")
verdict "$([ "$strays" = 0 ]; echo $?)" "every result belongs to an execution" "$results results, $strays stray"
running=$(pik_sql "SELECT count(*) FROM execution WHERE state IN ('pending', 'dispatched', 'started')")
verdict "$([ "$running" = 0 ]; echo $?)" "nothing still running $((JOB_EXPIRY + REAPER_SLACK + 60)) s after the hold" "$running"
limit=$((JOB_EXPIRY + REAPER_SLACK))
read -r worst n_over < <(awk -v from="$DISK_FULL_FROM" -v to=$((DISK_FULL_TO + limit)) -v lim="$limit" '
        $4 != "-" && ($1 < from || $1 > to) { if ($4 > w) w = $4; if ($4 > lim) n++ }
        END { print w + 0, n + 0 }' "$DATA/samples")
verdict "$([ "$n_over" = 0 ]; echo $?)" "no execution waited past job_expiry + a reaper pass ($limit s)" \
        "oldest running seen ${worst} s, $n_over samples over (disk-full episode excluded)"
# A check that logged its result while the disk was full (or until its
# report's last chance, job_expiry after) could not have it stored: pikd
# cannot write; it ends as check-expired (retried) instead. Counted apart.
ct_journal -o json "MESSAGE_ID=$(pik_message_id SUCCESS)" + "MESSAGE_ID=$(pik_message_id FAILURE)" |
        jq -r 'select(._SYSTEMD_UNIT // "" | startswith("pik-check@"))
               | "\(.PIK_EXECUTION) \(.PIK_OUTCOME) \(.__REALTIME_TIMESTAMP | tonumber / 1000000 | floor)"' |
        sort -u -k1,1 >"$DATA/journal-results"
pik_sql -separator ' ' "SELECT execution_id, outcome FROM result" | sort -u >"$DATA/db-results"
join -a1 -e NONE -o 0,1.2,2.2,1.3 "$DATA/journal-results" "$DATA/db-results" | awk '$2 != $3' >"$DATA/differ"
awk -v from="$DISK_FULL_FROM" -v to=$((DISK_FULL_TO + JOB_EXPIRY + REAPER_SLACK)) \
        '{ print >((from > 0 && $4 >= from && $4 <= to) ? FILENAME ".disk-full" : FILENAME ".lost") }' "$DATA/differ"
touch "$DATA/differ.lost" "$DATA/differ.disk-full"
verdict "$([ ! -s "$DATA/differ.lost" ]; echo $?)" "every result a check logged is in the database" \
        "$(wc -l <"$DATA/journal-results") logged, $(wc -l <"$DATA/differ.lost") missing or different$(
        [ -s "$DATA/differ.lost" ] && printf ': %s' "$(head -n 3 "$DATA/differ.lost" | tr '\n' ';')"); \
$(wc -l <"$DATA/differ.disk-full") logged while the disk was full, recorded as $(
        awk '{ print $3 }' "$DATA/differ.disk-full" | sort | uniq -c | awk '{ printf "%s%s %s", sep, $1, $2; sep = ", " }')"

# No overlapping runs of one job: each execution starts after the one
# before it ended.
overlap=$(pik_sql "SELECT count(*) FROM execution a JOIN execution b ON b.job_id = a.job_id AND b.id > a.id
                   WHERE a.state != 'skipped' AND b.state != 'skipped'
                     AND b.created_at < coalesce(a.finished_at, 9223372036854775807)")
verdict "$([ "$overlap" = 0 ]; echo $?)" "no overlapping runs of one job" "$overlap pairs"

# Nor of their units: systemd's own "Starting" and "Deactivated" / "Failed
# with result" entries of each pik-check@ unit, per job, do not overlap
# either (a unit that outlives its execution's end in the database would).
ct_journal -o json "MESSAGE_ID=$SD_MESSAGE_UNIT_STARTING" + "MESSAGE_ID=$SD_MESSAGE_UNIT_SUCCESS" + \
        "MESSAGE_ID=$SD_MESSAGE_UNIT_FAILURE_RESULT" |
        jq -r 'select(.UNIT // "" | startswith("pik-check@"))
               | "\(.UNIT | ltrimstr("pik-check@") | rtrimstr(".service")) \(.MESSAGE_ID) \(.__REALTIME_TIMESTAMP)"' |
        awk -v starting="$SD_MESSAGE_UNIT_STARTING" '
                $2 == starting { if (!($1 in s) || $3 < s[$1]) s[$1] = $3; next }
                { if ($3 > e[$1]) e[$1] = $3 }
                END { for (id in s) print id, s[id], (id in e) ? e[id] : "-" }' | sort >"$DATA/unit-spans"
pik_sql -separator ' ' "SELECT id, job_id FROM execution WHERE unit IS NOT NULL AND job_id IS NOT NULL" | sort >"$DATA/exec-jobs"
join "$DATA/exec-jobs" "$DATA/unit-spans" | sort -k2,2n -k3,3n |
        awk '$2 == job && $3 < end { n++; if (n <= 3) printf "  unit of execution %s started %.1f s before execution %s'"'"'s unit ended\n", $1, (end - $3) / 1e6, prev }
             { if ($2 != job) end = 0; job = $2; prev = $1
               if ($4 == "-") end = 9e18; else if ($4 > end) end = $4 }
             END { print n + 0 > "/dev/stderr" }' 2>"$DATA/unit-overlaps" >"$DATA/unit-overlap-examples"
spans=$(wc -l <"$DATA/unit-spans")
unended=$(awk '$3 == "-"' "$DATA/unit-spans" | wc -l)
uoverlap=$(cat "$DATA/unit-overlaps")
verdict "$([ "$uoverlap" = 0 ] && [ "$unended" = 0 ]; echo $?)" "no overlapping check units of one job" \
        "$spans units, $uoverlap started while the job's previous unit still ran, $unended never ended"
cat "$DATA/unit-overlap-examples"

# pikd's memory: flat across the run.
read -r first_max last_max first_rss last_rss n_samples < <(awk -v t0="$T0" -v d="$DURATION" '
        $3 != "-" && $1 <= t0 + d {
                n++; if (first == "") first = $3; last = $3
                if ($1 < t0 + d / 3 && $3 > fm) fm = $3
                if ($1 >= t0 + 2 * d / 3 && $3 > lm) lm = $3
        }
        END { print fm + 0, lm + 0, first + 0, last + 0, n + 0 }' "$DATA/samples")
allowed=$((first_max + first_max * RSS_MARGIN_PCT / 100 + RSS_MARGIN_KB))
verdict "$([ "$first_max" -gt 0 ] && [ "$last_max" -gt 0 ] && [ "$last_max" -le "$allowed" ]; echo $?)" \
        "pikd's memory flat" "RSS first ${first_rss} kB, last ${last_rss} kB; max first third ${first_max} kB, last third ${last_max} kB, allowed ${allowed} kB; $n_samples samples"

# Kept for a look afterwards when PIK_SOAK_DATA names where.
if [ -n "${PIK_SOAK_DATA:-}" ]; then
        ct_run sqlite3 -cmd '.timeout 10000' "$PIK_DB" ".backup /tmp/soak.db" &&
                ct_run cat /tmp/soak.db >"$DATA/pik.db"
        ct_journal -o short-precise >"$DATA/journal.txt"
        echo "database and journal kept in $DATA"
fi
if [ "$FAILS" -gt 0 ]; then
        echo "---- diagnostics ----"
        head -n 20 "$DATA/differ.lost"
        pik_dump_diag 2>&1 | tail -n 80
fi
echo "soak: $FAILS invariants failed"
[ "$FAILS" -eq 0 ]
