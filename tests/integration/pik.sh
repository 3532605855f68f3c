# SPDX-License-Identifier: LGPL-2.1-or-later
# pik-specific helpers for the integration tests (test-*.sh), on top of
# lib.sh (ct_*) and ../lib.sh (expect_*). Source it after those two.
#
#   pik_site_start            serve tests/fixtures/partner-site.py on the
#                             container's loopback, on a port the kernel
#                             picks; sets PIK_SITE_PORT and PIK_SITE
#   pik_conf <TEXT            write /etc/pik/pik.conf
#   pik_fast_timers SCHED DISP  timers every SCHED / DISP (drop-ins), enabled
#   pik_sql SQL…              sqlite3 on the live database (read-only)
#   pik_wait_sql SECS WANT SQL   wait until SQL prints WANT
#   pik_wait_sql_ge SECS N SQL   wait until SQL prints a number >= N
#   pik_message_id NAME       a MESSAGE_ID of src/shared/message-ids.h
#   pik_unit_runs ID          how many times pik-check@ID.service ran
#                             (invocations in the journal)
#   pik_dump_diag             state worth seeing when a test failed

PIK_SITE_PORT=""
PIK_SITE=""
PIK_DB=/var/lib/pik/pik.db

pik_site_up() {
        ct_run curl -fsS -o /dev/null --max-time 2 "$PIK_SITE/ok" 2>/dev/null
}

pik_site_start() {
        PIK_SITE_PORT=$(ct_serve pik-test-site "$PIK_SOURCE_ROOT/tests/fixtures/partner-site.py") || return 1
        PIK_SITE=http://127.0.0.1:$PIK_SITE_PORT
        if ! ct_wait_until 20 pik_site_up; then
                ct_log "the partner site did not come up on $PIK_SITE"
                ct_journal -u pik-test-site.service -n 20 >&2
                return 1
        fi
}

pik_conf() {
        ct_write /etc/pik/pik.conf 0644
}

# pik_fast_timers SCHED DISP: the scheduler every SCHED, the dispatcher
# every DISP (start to start), both first 1 s after being enabled, with an
# accuracy fit for such periods; then enabled and started.
pik_fast_timers() {
        local t p
        for t in "scheduler:$1" "dispatcher:$2"; do
                p=${t#*:}
                ct_write "/run/systemd/system/pik-${t%%:*}.timer.d/50-test.conf" <<EOF || return 1
[Timer]
OnUnitActiveSec=
OnActiveSec=1s
OnUnitActiveSec=$p
AccuracySec=50ms
EOF
        done
        ct_run systemctl daemon-reload &&
                ct_run systemctl enable --now pik-scheduler.timer pik-dispatcher.timer >/dev/null 2>&1
}

pik_sql() {
        ct_run sqlite3 -readonly -cmd '.timeout 10000' "$PIK_DB" "$@"
}

_pik_sql_is() {
        [ "$(pik_sql "$2" 2>/dev/null)" = "$1" ]
}

pik_wait_sql() {
        local secs=$1 want=$2 sql=$3
        ct_wait_until "$secs" _pik_sql_is "$want" "$sql"
}

_pik_sql_ge() {
        local v
        v=$(pik_sql "$2" 2>/dev/null)
        [ -n "$v" ] && [ "$v" -ge "$1" ] 2>/dev/null
}

pik_wait_sql_ge() {
        local secs=$1 n=$2 sql=$3
        ct_wait_until "$secs" _pik_sql_ge "$n" "$sql"
}

pik_message_id() {
        sed -n "s/^#define PIK_MESSAGE_$1_STR *SD_ID128_MAKE_STR(\([0-9a-f,]*\)).*/\1/p" \
                "$PIK_SOURCE_ROOT/src/shared/message-ids.h" | tr -d ,
}

# systemd's own "unit started" entry: one per run of a unit.
SD_MESSAGE_UNIT_STARTED=39f53479d3a045ac8e11786248231fbf
SD_MESSAGE_UNIT_STARTING=7d4958e842da4a758f6c1cdc7b36dcc5
# Its entries when a unit has ended: "Deactivated successfully", "Failed with result".
SD_MESSAGE_UNIT_SUCCESS=7ad2d189f7e94e70a38c781354912448
SD_MESSAGE_UNIT_FAILURE_RESULT=d9b373ed55a64feb8242e02dbe79a49c

pik_unit_runs() {
        ct_journal -o json "UNIT=pik-check@$1.service" "MESSAGE_ID=$SD_MESSAGE_UNIT_STARTED" | grep -c .
}

pik_dump_diag() {
        echo "---- diagnostics ----" >&2
        ct_run systemctl list-units --all --no-legend 'pik*' >&2
        pik_sql "SELECT id, job_id, partner, state, attempt, created_at, started_at, finished_at FROM execution ORDER BY id DESC LIMIT 30" >&2
        pik_sql "SELECT execution_id, outcome, details FROM result ORDER BY id DESC LIMIT 30" >&2
        pik_sql "SELECT id, config_id, run_after, dispatched, attempt FROM scheduled_job LIMIT 30" >&2
        ct_journal -n 60 -o short-precise -u pikd.service -u pik-dispatcher.service -u 'pik-check@*' >&2
        echo "---------------------" >&2
}
