#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# pik's system integration on a booted systemd: the units load and verify,
# the timers run their services start to start, the check template's sandbox
# keeps its contract (key by LoadCredential=, the bus and the network
# reachable, nothing else; systemd journals how the check ended, as the
# dispatcher's reaper reads it; the key file goes at the dispatcher's next
# pass), the exposure of each service meets its target, polkit knows
# the actions and the pik-admin rule, the journal catalog explains pik's
# ids, and the bus policy lets anyone call pikd but only root own its name.
# Run by ./run in a fresh container.

set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/lib.sh"
. "$HERE/../lib.sh"

LIBEXEC=${PIK_LIBEXECDIR:-/usr/libexec/pik}
SERVICES=(pikd.service pik-scheduler.service pik-dispatcher.service pik-prune.service pik-check@.service pik-web.service)
UNITS=("${SERVICES[@]}" pik-scheduler.timer pik-dispatcher.timer pik-prune.timer pik.slice pik-web.socket)
ACTIONS=(org.pik.manage-partners org.pik.manage-browsers org.pik.manage-configs
         org.pik.run-now org.pik.hold org.pik.maintenance)

# Is this pik program still a placeholder? (Before pikd and pik-check land,
# main() { return 0; }.)
is_stub() {
        ! ct_run grep -q "${2:-org.pik.Manager1}" "$LIBEXEC/$1"
}

section "units load"
for u in "${UNITS[@]}"; do
        inst=${u/@./@1.}
        expect_ok ct_run systemctl cat "$inst"
        expect_eq "$(ct_unit_prop "$inst" LoadState)" loaded "$inst LoadState"
done
expect_ok ct_run systemd-analyze verify --man=no pikd.service pik-scheduler.service \
        pik-dispatcher.service pik-prune.service pik-check@1.service pik-scheduler.timer pik-dispatcher.timer \
        pik-prune.timer pik.slice
expect_eq "$(ct_unit_prop pikd.service Type)" dbus "pikd Type"
expect_eq "$(ct_unit_prop pikd.service BusName)" org.pik.Manager1 "pikd BusName"
expect_eq "$(ct_unit_prop pik-check@1.service Slice)" pik.slice "check Slice"
expect_eq "$(ct_unit_prop pik-check@1.service CollectMode)" inactive-or-failed "check CollectMode"
expect_eq "$(ct_unit_prop pik-check@1.service NotifyAccess)" main "check NotifyAccess"
expect_true "check IPAddressDeny holds link-local and multicast" \
        bash -c 'for n in 169.254.0.0/16 fe80::/10 224.0.0.0/4 ff00::/8; do [[ " $0 " == *" $n "* ]] || exit 1; done' \
        "$(ct_unit_prop pik-check@1.service IPAddressDeny)"
expect_eq "$(ct_unit_prop pik-check@1.service MemoryMax)" 536870912 "check MemoryMax (512M, its own under pik.slice's)"
run ct_run systemctl cat pik-check@1.service
expect_contains "LoadCredential=key:/run/pik/executions/%i.key"
expect_eq "$(ct_unit_prop pik-check@1.service User)" pik-check "check User"
# Secrets in memory (credentials, execution keys) never reach a core file.
for u in pikd.service pik-check@1.service pik-dispatcher.service; do
        expect_eq "$(ct_unit_prop "$u" LimitCORE)" 0 "$u LimitCORE"
done
run ct_run systemctl show -P TasksMax,MemoryMax,CPUQuotaPerSecUSec pik.slice
echo "pik.slice: $(echo $OUT)"
expect_eq "$(ct_unit_prop pik.slice TasksMax)" 512 "pik.slice TasksMax"
expect_eq "$(ct_unit_prop pik.slice CPUQuotaPerSecUSec)" 2s "pik.slice CPUQuota"

section "system users and directories"
expect_ok ct_run getent group pik-admin
expect_ok ct_run getent passwd pik-check
for dm in /run/pik:755 /run/pik/executions:700 /var/lib/pik:755 /etc/pik/credentials:700; do
        run ct_run stat -c '%a %U %G' "${dm%%:*}"
        expect_eq "$OUT" "${dm#*:} root root" "${dm%%:*} mode and owner"
done

section "timers"
for t in pik-scheduler pik-dispatcher; do
        run ct_run systemctl show -P TimersMonotonic "$t.timer"
        echo "$t.timer: $OUT"
        expect_contains "OnUnitActiveUSec"
        expect_contains "OnActiveUSec"
        expect_eq "$(ct_unit_prop "$t.timer" AccuracyUSec)" 1s "$t.timer AccuracySec"
done
expect_contains "OnUnitActiveUSec=10s"     # the dispatcher's (last) period
# The daily prune: once a day, caught up after downtime, spread over a fleet.
run ct_run systemctl show -P TimersCalendar pik-prune.timer
expect_contains "OnCalendar=*-*-* 00:00:00"
expect_eq "$(ct_unit_prop pik-prune.timer Persistent)" yes "pik-prune.timer Persistent"
expect_eq "$(ct_unit_prop pik-prune.timer RandomizedDelayUSec)" 1h "pik-prune.timer RandomizedDelaySec"
expect_eq "$(ct_unit_prop pik-prune.service Type)" oneshot "pik-prune.service Type"
expect_ok ct_run systemctl enable --now pik-scheduler.timer pik-dispatcher.timer
for t in pik-scheduler pik-dispatcher; do
        expect_eq "$(ct_unit_prop "$t.timer" ActiveState)" active "$t.timer ActiveState"
        expect_eq "$(ct_unit_prop "$t.timer" UnitFileState)" enabled "$t.timer enabled"
done
# The period is start to start (OnUnitActiveSec=): with 2 s by drop-in,
# once the service has run, the timer starts it again every ~2 s.
ct_write /run/systemd/system/pik-dispatcher.timer.d/50-test.conf <<'EOF'
[Timer]
OnUnitActiveSec=
OnUnitActiveSec=2s
EOF
ct_run systemctl daemon-reload
ct_run systemctl start pik-dispatcher.service
starts=()
last=""
deadline=$((SECONDS + 15))
while [ "${#starts[@]}" -lt 3 ] && [ "$SECONDS" -lt "$deadline" ]; do
        inv=$(ct_unit_prop pik-dispatcher.service InvocationID)
        if [ -n "$inv" ] && [ "$inv" != "$last" ]; then
                last=$inv
                starts+=("$(ct_unit_prop pik-dispatcher.service ExecMainStartTimestampMonotonic)")
        fi
        sleep 0.2
done
expect_eq "${#starts[@]}" 3 "pik-dispatcher.service runs: started once, then twice by its timer in 15 s"
if [ "${#starts[@]}" -eq 3 ]; then
        gap=$(( (starts[2] - starts[1]) / 1000 ))
        echo "dispatcher start to start: ${gap} ms"
        expect_true "start-to-start period is 2 s ± 1 s (got ${gap} ms)" \
                test "$gap" -ge 1000 -a "$gap" -le 3000
fi
run ct_unit_prop pik-dispatcher.service Result
expect_eq "$OUT" success "pik-dispatcher.service Result (in its sandbox)"
[ "$OUT" = success ] || ct_journal -u pik-dispatcher.service -n 20 >&2
# RuntimeMaxSec= of the checks is job_expiry (default 180 s), written by the
# pass (in its sandbox) before it starts any.
expect_eq "$(ct_unit_prop pik-check@1.service RuntimeMaxUSec)" 3min "check RuntimeMaxSec, from the dispatcher's drop-in"
# The shipped OnActiveSec=10s starts the scheduler 10 s after its timer
# started (at boot here).
scheduler_ran() {
        [ -n "$(ct_unit_prop pik-scheduler.service InvocationID)" ]
}
ct_wait_until 15 scheduler_ran
expect_true "pik-scheduler.service started by its timer (OnActiveSec=)" scheduler_ran
run ct_unit_prop pik-scheduler.service Result
expect_eq "$OUT" success "pik-scheduler.service Result (in its sandbox)"
[ "$OUT" = success ] || ct_journal -u pik-scheduler.service -n 20 >&2
ct_run systemctl stop pik-scheduler.timer pik-dispatcher.timer
ct_run rm -rf /run/systemd/system/pik-dispatcher.timer.d
ct_run systemctl daemon-reload

section "pik-check@ sandbox"
# The template's own settings with a probe in place of the program: what a
# check can and cannot reach, and what systemd journals of its end.
ct_write /usr/local/lib/pik-test/probe.sh 0755 <<'EOF'
#!/bin/sh
# probe main: print what this sandbox allows, one "PROBE" line each.
say() { echo "PROBE $1 $2"; }
can() {         # can NAME CMD…: "ok NAME" if CMD succeeds
        w=$1; shift
        if "$@" >/dev/null 2>&1; then say ok "$w"; else say FAIL "$w"; fi
}
cannot() {      # cannot NAME CMD…: "ok NAME" if CMD fails
        w=$1; shift
        if "$@" >/dev/null 2>&1; then say FAIL "$w"; else say ok "$w"; fi
}
if [ "$PROBE_END" != hang ]; then
        can user test "$(id -un)" = pik-check
        can key test "$(cat "$CREDENTIALS_DIRECTORY/key")" = "$PROBE_KEY"
        can bus busctl --system call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus GetId
        can net curl -fsS -o /dev/null "http://127.0.0.1:$PROBE_PORT/"
        can tmp touch /tmp/pik-probe
        cannot keys-dir ls /run/pik/executions
        cannot credentials ls /etc/pik/credentials
        # The whole state directory: the database and every check's
        # evidence (test-evidence.sh).
        cannot state-list ls /var/lib/pik
        cannot database cat /var/lib/pik/pik.db
        cannot state-dir touch /var/lib/pik/pik-probe
        cannot home ls /root
        cannot read-only touch /run/lock/pik-probe
        # Every file system the check sees writable, by mount point.
        say rw-mounts "$(awk '$6 ~ /(^|,)rw(,|$)/ { print $5 }' /proc/self/mountinfo | sort -u | tr '\n' ' ')"
        cannot shm touch /dev/shm/pik-probe
        if [ -n "$PROBE_PEER" ]; then
                cannot peer-key cat "/run/credentials/pik-check@$PROBE_PEER.service/key"
                cannot peer-environ cat "/proc/$PROBE_PEER_PID/environ"
                cannot peer-memory sh -c "exec 3</proc/$PROBE_PEER_PID/mem"
        fi
        if [ -n "$PROBE_PIKD" ]; then
                can pikd busctl call org.pik.Manager1 /org/pik/Manager1 \
                        org.freedesktop.DBus.Introspectable Introspect
        fi
fi
case "$PROBE_END" in
segv) kill -SEGV $$ ;;
hang) exec sleep 60 ;;
esac
exit 0
EOF
# A loopback "partner site" for the network probe.
port=$((20000 + $$ % 20000))
ct_run systemd-run --quiet --unit=pik-test-web.service -p WorkingDirectory=/usr/share/doc \
        python3 -m http.server --bind 127.0.0.1 "$port"
web_up() {
        ct_run curl -fsS -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null
}
ct_wait_until 10 web_up
pikd_env=""
is_stub pikd || pikd_env="PROBE_PIKD=1"

# probe_start ID END [SETTING…]: start pik-check@ID with the probe, its key
# in place as the dispatcher leaves it.
probe_start() {
        local id=$1 end=$2 extra
        shift 2
        extra=$(printf '%s\n' "$@")
        ct_sh "umask 077 && printf 'key-$id-$$' >/run/pik/executions/$id.key"
        ct_write "/run/systemd/system/pik-check@$id.service.d/50-probe.conf" <<EOF
[Service]
Environment=PROBE_KEY=key-$id-$$ PROBE_PORT=$port PROBE_END=$end $pikd_env
ExecStart=
ExecStart=/usr/local/lib/pik-test/probe.sh main
$extra
EOF
        ct_run systemctl daemon-reload
        ct_run systemctl start --no-block "pik-check@$id.service"
}

# probe_end ID: wait for it to end (CollectMode=inactive-or-failed: unloaded,
# hence inactive, at once), then its PROBE lines in $OUT.
probe_end() {
        ct_wait_unit_state "pik-check@$1.service" inactive 30
        run ct_journal -u "pik-check@$1.service" -o cat --grep '^PROBE '
}

# unit_end ID: how systemd (PID 1) journalled the end of pik-check@ID, as
# the dispatcher's reaper reads it (src/shared/logged-result.c): the main
# process's EXIT_CODE and EXIT_STATUS (COMMAND=ExecStart), UNIT_RESULT of a
# failure, or "success" for "Deactivated successfully".
unit_end() {
        local json
        json=$(ct_journal -o json _PID=1 "UNIT=pik-check@$1.service")
        printf '%s\n' "$json" | jq -rs '. as $all |
                ([$all[] | select(.COMMAND == "ExecStart" and .EXIT_CODE) | "code=\(.EXIT_CODE) status=\(.EXIT_STATUS)"]
                 | last // "code= status="),
                (([$all[] | select(.UNIT_RESULT) | "result=\(.UNIT_RESULT)"] | last) //
                 (if any($all[]; .MESSAGE_ID == "7ad2d189f7e94e70a38c781354912448") then "result=success"
                  else "result=" end))
                ' | tr '\n' ' '
}

# The database the check must not reach (made here if no pikd made it yet).
expect_ok ct_run pikctl --db /var/lib/pik/pik.db outcomes
expect_ok ct_run test -s /var/lib/pik/pik.db
# A peer check that hangs (dumpable, same user), for 900 to try to reach.
probe_start 899 hang
ct_wait_unit_state pik-check@899.service active 10
peer_pid=$(ct_unit_prop pik-check@899.service MainPID)
probe_start 900 ok "Environment=PROBE_PEER=899 PROBE_PEER_PID=$peer_pid"
sleep 0.3
probe_end 900
for w in user key bus net tmp keys-dir credentials state-list database state-dir home read-only shm peer-key peer-environ peer-memory; do
        expect_contains "PROBE ok $w"
done
if [ -n "$pikd_env" ]; then
        expect_contains "PROBE ok pikd"
else
        echo "SKIP: pikd is a stub: a check calling pikd not tested"
fi
expect_not_contains "PROBE FAIL"
# Writable: the private /tmp and /var/tmp, the API file systems (whose files are checked by their own
# permissions), and nspawn's /run/host.
rw=$(printf '%s\n' "$OUT" | sed -n 's/^PROBE rw-mounts //p')
extra=""
for m in $rw; do
        case "$m" in
        /tmp|/var/tmp|/proc|/dev/mqueue|/dev/pts|/dev/hugepages|/run/host/*) ;;
        *) extra+="$m " ;;
        esac
done
expect_eq "$extra" "" "file systems writable in a check's sandbox besides its own /tmp, /var/tmp and the API ones"
printf '%s\n' "$OUT" | sed 's/^/  /'
# Nothing runs after a check: its end is in the journal, its key file
# stays until the dispatcher's next pass.
expect_eq "$(ct_run systemctl show -P ExecStopPost pik-check@900.service | grep -c 'pik-check\|/rm ')" 0 \
        "no pik-check or rm process after a check"
expect_eq "$(unit_end 900)" "code= status= result=success " "the journal: a clean end"
ct_run systemctl stop pik-check@899.service
probe_end 899
expect_eq "$(unit_end 899)" "code= status= result=success " "the journal: stopped is a clean end"

probe_start 901 segv
sleep 0.3
probe_end 901
expect_eq "$(unit_end 901)" "code=killed status=11 result=signal " "the journal: the main process's SEGV"

probe_start 902 hang RuntimeMaxSec=1
sleep 0.3
probe_end 902
end902=$(unit_end 902)
expect_true "the journal: RuntimeMaxSec ($end902)" test "${end902#*result=}" = "timeout "
for id in 900 901 902; do
        expect_ok ct_run test -e "/run/pik/executions/$id.key"
done
# No execution wants these keys (there are no such executions): a pass
# removes them.
expect_ok ct_run pikctl --db /var/lib/pik/pik.db outcomes
expect_ok ct_run systemctl start pik-dispatcher.service
for id in 900 901 902; do
        expect_true "the key file of $id is removed by the dispatcher's pass" ct_run test ! -e "/run/pik/executions/$id.key"
done

# No key file, no start: LoadCredential= fails the unit before it runs.
ct_write /run/systemd/system/pik-check@903.service.d/50-probe.conf <<'EOF'
[Service]
ExecStart=
ExecStart=/bin/true
EOF
ct_run systemctl daemon-reload
run ct_run systemctl start pik-check@903.service
expect_true "a check without its key file does not start (exit $RC)" test "$RC" -ne 0
ct_run systemctl stop pik-test-web.service

section "systemd-analyze security"
printf '%-24s %9s %7s\n' UNIT EXPOSURE TARGET
for u in "${SERVICES[@]}"; do
        inst=${u/@./@1.}
        target=3.5
        [ "$u" = pik-check@.service ] && target=2.0
        [ "$u" = pik-web.service ] && target=2.0
        score=$(ct_run systemd-analyze security --no-pager "$inst" 2>/dev/null |
                sed -n 's/^→ Overall exposure level for .*: \([0-9.]*\) .*/\1/p')
        printf '%-24s %9s %7s\n' "$u" "${score:-?}" "$target"
        expect_true "$u exposure ${score:-?} <= $target" \
                awk -v s="${score:-99}" -v t="$target" 'BEGIN { exit !(s <= t) }'
done

section "polkit"
for a in "${ACTIONS[@]}"; do
        run ct_run pkaction --verbose --action-id "$a"
        expect_contains "implicit active:   auth_admin_keep"
        expect_contains "implicit any:      no"
done
# The rule: a pik-admin member is authorized for every action, anyone else
# (no session: allow_any) is not.
ct_run useradd -M -N -G pik-admin pikadm
ct_run useradd -M -N pikuser
for a in "${ACTIONS[@]}"; do
        expect_ok ct_run_as pikadm sh -c "exec pkcheck --action-id $a --process \$\$"
        run ct_run_as pikuser sh -c "exec pkcheck --action-id $a --process \$\$"
        expect_true "$a denied to a user outside pik-admin (pkcheck exit $RC)" test "$RC" -ne 0
done

section "journal catalog"
expect_ok ct_run journalctl --update-catalog
run ct_run journalctl --list-catalog
n=$(printf '%s\n' "$OUT" | grep -c ' pik: ')
# One per entry of the shipped catalog (each begins with "-- ID").
expect_eq "$n" "$(grep -c '^-- ' "$PIK_SOURCE_ROOT/data/catalog/pik.catalog")" "pik entries in journalctl --list-catalog"
ids=$(sed -n 's/^#define PIK_MESSAGE_[A-Z_]*_STR *SD_ID128_MAKE_STR(\([0-9a-f,]*\)).*/\1/p' \
        "$PIK_SOURCE_ROOT/src/shared/message-ids.h" | tr -d ,)
for id in $ids; do
        expect_contains "$id pik:"
done
# journalctl -x explains an entry, its fields substituted.
dispatched=$(sed -n 's/^#define PIK_MESSAGE_DISPATCHED_STR *SD_ID128_MAKE_STR(\([0-9a-f,]*\)).*/\1/p' \
        "$PIK_SOURCE_ROOT/src/shared/message-ids.h" | tr -d ,)
printf 'MESSAGE=test entry %s\nMESSAGE_ID=%s\nPIK_EXECUTION=4242\nPIK_PARTNER=acme\nPIK_BROWSER=firefox\nPIK_ATTEMPT=1\nPIK_CONFIG=7\n' \
        "$$" "$dispatched" | ct_write /tmp/pik-test-entry
ct_run logger --journald=/tmp/pik-test-entry
run ct_journal -x -o short "MESSAGE_ID=$dispatched"
expect_contains "pik started check 4242 of acme in firefox"
expect_contains "pik-check@4242.service"

section "D-Bus"
run ct_run busctl list --activatable --no-legend
expect_contains "org.pik.Manager1"
# Only root may own the name.
run ct_run_as nobody busctl call org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus RequestName su org.pik.Manager1 0
expect_true "nobody may not own org.pik.Manager1 (exit $RC)" test "$RC" -ne 0
expect_err_contains "denied"
if is_stub pikd; then
        echo "SKIP: pikd is still a stub (no org.pik.Manager1 in $LIBEXEC/pikd): calls to it not tested"
else
        expect_ok ct_run busctl introspect org.pik.Manager1 /org/pik/Manager1
        expect_contains "org.pik.Manager1"
        expect_eq "$(ct_unit_prop pikd.service ActiveState)" active "pikd activated by the bus"
        expect_ok ct_run_as nobody busctl introspect org.pik.Manager1 /org/pik/Manager1
        expect_ok ct_run_as nobody busctl call org.pik.Manager1 /org/pik/Manager1 \
                org.pik.Manager1 ListOutcomes
fi

finish
