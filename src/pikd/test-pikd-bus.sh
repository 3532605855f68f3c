#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# pikd on a private dbus-daemon, activated by the bus as it would be by
# systemd: reads answer with the library's JSON; every refusal has the
# error name of docs/DBUS.md and changes nothing; changes are asked of
# polkit (a stand-in, test-polkit-mock, answers here) about the caller's bus
# name, with the interactive flag only when the caller allowed it; pikd
# keeps serving while polkit thinks; the check's calls are refused to
# anything but pik-check@<id>.service; and pikd exits when idle and comes
# back on the next call.
#
#   test-pikd-bus.sh PIKD POLKIT-MOCK PIKCTL
#
# Exit 77 (skipped) without dbus-daemon, dbus-send, busctl or jq. The real
# polkitd and real units are the integration suite's (tests/integration).

set -u

PIKD=$1
MOCK=$2
PIKCTL=$3
KEEP_EVIDENCE=$4

for tool in dbus-daemon dbus-send busctl jq; do
        if ! command -v "$tool" >/dev/null; then
                echo "$tool is not installed: skipping"
                exit 77
        fi
done

# shellcheck source=../../tests/lib.sh
. "$(dirname "$0")/../../tests/lib.sh"

DIR=$(mktemp -d /tmp/pikd-bus-XXXXXX)
DB=$DIR/pik.db
BUS_PID=
MOCK_PID=
MONITOR_PID=
CGROUPS=()

pikd_pid() {
        busctl --address="$ADDR" call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus \
                GetConnectionUnixProcessID s org.pik.Manager1 2>/dev/null | awk '{print $2}'
}

cleanup() {
        local p
        p=$(pikd_pid)
        [ -n "$p" ] && kill "$p" 2>/dev/null
        [ -n "$MONITOR_PID" ] && kill "$MONITOR_PID" 2>/dev/null
        [ -n "$MOCK_PID" ] && kill "$MOCK_PID" 2>/dev/null
        [ -n "$BUS_PID" ] && kill "$BUS_PID" 2>/dev/null
        wait 2>/dev/null
        for p in "${CGROUPS[@]}"; do
                rmdir "$p"/*.service "$p" 2>/dev/null
        done
        rm -rf "$DIR"
}
trap cleanup EXIT

ADDR="unix:path=$DIR/bus"
mkdir -p "$DIR/services" "$DIR/credentials"
chmod 0700 "$DIR/credentials"
: >"$DIR/pik.conf"
: >"$DIR/answers"

# Activation as the system bus does it, minus systemd: the bus runs pikd on
# the first call to org.pik.Manager1. Idle after 2 s, to see it go and come
# back within the test.
# PIKD_VALGRIND=1: run each activated pikd under valgrind, and check its
# reports at the end.
WRAP=
if [ -n "${PIKD_VALGRIND:-}" ]; then
        WRAP="$(command -v valgrind) --leak-check=full --errors-for-leak-kinds=definite,indirect --log-file=$DIR/valgrind.%p.log"
fi
cat >"$DIR/services/org.pik.Manager1.service" <<EOF
[D-BUS Service]
Name=org.pik.Manager1
Exec=$WRAP $PIKD --bus-address=$ADDR --config=$DIR/pik.conf --db=$DB --credentials-dir=$DIR/credentials --evidence-dir=$DIR/evidence --idle-timeout=8
EOF
cat >"$DIR/bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>$ADDR</listen>
  <auth>EXTERNAL</auth>
  <servicedir>$DIR/services</servicedir>
  <policy context="default">
    <allow user="*"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
EOF

dbus-daemon --config-file="$DIR/bus.conf" --nofork --print-pid=3 3>"$DIR/bus.pid" 2>"$DIR/bus.log" &
BUS_PID=$!
for _ in $(seq 600); do
        [ -S "$DIR/bus" ] && break
        sleep 0.1
done

# call METHOD ARGS…: dbus-send, which names the error of a refusal
# ("Error org.pik.Error.NotFound: …") and never allows interactive
# authorization.
call() {
        local method=$1
        shift
        run dbus-send --bus="$ADDR" --print-reply=literal --reply-timeout=10000 --dest=org.pik.Manager1 \
                /org/pik/Manager1 "org.pik.Manager1.$method" "$@"
}

# expect_error NAME METHOD ARGS…
expect_error() {
        local name=$1
        shift
        call "$@"
        if [ "$RC" -ne 0 ] && [[ "$ERR" == "Error $name:"* ]]; then
                _t_ok
        else
                _t_fail "expected the error $name"
        fi
}

snapshot() {
        local what
        for what in "partner list" "browser list" "config list" "jobs" "executions" "results"; do
                # shellcheck disable=SC2086
                "$PIKCTL" --db "$DB" --config "$DIR/pik.conf" --json $what
        done
}

polkit_says() {
        printf '%s\n' "$@" >"$DIR/answers"
}

questions() {
        wc -l <"$DIR/polkit.log" 2>/dev/null || echo 0
}

section "setup"
expect_ok "$PIKCTL" --db "$DB" --config "$DIR/pik.conf" partner add acme --name "ACME Corp"
expect_ok "$PIKCTL" --db "$DB" --config "$DIR/pik.conf" browser add ff --engine http
expect_ok "$PIKCTL" --db "$DB" --config "$DIR/pik.conf" config add acme --browsers ff \
        --url https://acme.test/login --every 5m
"$MOCK" "$ADDR" "$DIR/answers" "$DIR/polkit.log" 2>"$DIR/mock.log" &
MOCK_PID=$!
for _ in $(seq 600); do
        busctl --address="$ADDR" status org.freedesktop.PolicyKit1 >/dev/null 2>&1 && break
        sleep 0.1
done

section "reads (the first call activates pikd)"
call ListAlerts boolean:true
expect_json 'type == "array" and length == 0' "ListAlerts: none yet"
call ListNotifications
expect_json 'type == "array" and length == 0' "ListNotifications: none yet"
call History string:"" uint32:30
expect_json 'type == "array" and length == 0' "History: none yet"
expect_error org.pik.Error.InvalidArgument History string:Bad/Code uint32:30
expect_error org.pik.Error.InvalidArgument History string:"" uint32:0
expect_error org.pik.Error.NotFound History string:nope uint32:30
call ListOutcomes
expect_eq "$RC" 0 "ListOutcomes exit"
expect_json 'map(select(.name == "engine-crashed" and .kind == "infrastructure")) | length == 1' \
        "engine-crashed is an infrastructure outcome"
FIRST_PID=$(pikd_pid)
expect_true "pikd runs after activation" test -n "$FIRST_PID"
call ListPartners
expect_json '.[0].code == "acme" and .[0].name == "ACME Corp"' "acme listed"
call ShowPartner string:acme
expect_json '.code == "acme"'
call ShowBrowser string:ff
expect_json '.engine == "http"'

section "header values are for root only"
# A header may carry a secret (Authorization: Bearer …): root reads it,
# everybody else the header's name only. pikctl --db (root, offline) too.
expect_ok "$PIKCTL" --db "$DB" --config "$DIR/pik.conf" browser add hdr --engine http \
        --header "Authorization: Bearer t0ken-S3cret" --header "X-Team: ops"
if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null; then
        echo "not root, or no setpriv: the unprivileged caller is skipped"
else
        call ShowBrowser string:hdr
        expect_contains "t0ken-S3cret"
        # nobody, through the bus socket in $DIR (traversable, nothing else).
        chmod o+x "$DIR"
        for m in ShowBrowser ListBrowsers; do
                args=()
                [ "$m" = ShowBrowser ] && args=(string:hdr)
                run setpriv --reuid=65534 --regid=65534 --clear-groups dbus-send --bus="$ADDR" \
                        --print-reply=literal --reply-timeout=10000 --dest=org.pik.Manager1 \
                        /org/pik/Manager1 "org.pik.Manager1.$m" "${args[@]}"
                expect_eq "$RC" 0 "$m as nobody"
                expect_not_contains "t0ken-S3cret"
                expect_not_contains "X-Team: ops"
                expect_contains 'Authorization: (redacted)'
                expect_contains 'X-Team: (redacted)'
        done
        chmod o-x "$DIR"
        run "$PIKCTL" --db "$DB" --config "$DIR/pik.conf" --json browser show hdr
        expect_contains "t0ken-S3cret"
fi
expect_ok "$PIKCTL" --db "$DB" --config "$DIR/pik.conf" browser remove hdr
call ListConfigs
expect_json 'length == 1 and .[0].partner == "acme"'
call ShowConfig int64:1
expect_json '.entry_url == "https://acme.test/login"'
call Status
expect_json '.rows | length == 1'
call ListJobs string:
expect_json 'type == "array"'
call ListExecutions string: uint64:0
expect_json 'length == 0'
call ListResults string:acme string: string:partner int64:0 uint64:5
expect_json 'length == 0'
# Read replies are what pikctl --json prints offline.
run "$PIKCTL" --db "$DB" --config "$DIR/pik.conf" --json partner list
OFFLINE=$OUT
call ListPartners
expect_eq "$(jq -S . <<<"$OUT")" "$(jq -S . <<<"$OFFLINE")" "ListPartners = pikctl partner list --json"

section "refusals of reads name the error"
expect_error org.pik.Error.NotFound ShowPartner string:nope
expect_err_contains "partner 'nope' not found"
expect_error org.pik.Error.InvalidArgument ShowPartner string:Bad/Code
expect_error org.pik.Error.NotFound ShowConfig int64:42
expect_error org.pik.Error.InvalidArgument ShowConfig int64:0
expect_error org.pik.Error.InvalidArgument ListJobs string:someday
expect_error org.pik.Error.InvalidArgument ListExecutions string: uint64:10001
expect_error org.pik.Error.InvalidArgument ListResults string: string: string:nobody int64:0 uint64:0
expect_error org.pik.Error.InvalidArgument ListResults string: string: string: int64:-1 uint64:0
expect_error org.pik.Error.NotFound ShowExecution int64:7
expect_error org.pik.Error.NotFound ShowResult int64:7
expect_error org.pik.Error.InvalidArgument ShowResult int64:0

section "reload: SIGHUP reads pik.conf again, and keeps it when the new one is broken"
call Status
expect_json '.canary == false' "no canary at first"
P=$(pikd_pid)
printf 'canary = { dns = "localhost"; };\n' >"$DIR/pik.conf"
kill -HUP "$P"
for _ in $(seq 600); do
        grep -q "Reloaded the configuration" "$DIR/bus.log" && break
        sleep 0.05
done
call Status
expect_json '.canary == true' "the canary after the reload"
expect_eq "$(pikd_pid)" "$P" "the same pikd, not a new one"
printf 'job_expiry = 5;\n' >"$DIR/pik.conf"
kill -HUP "$P"
for _ in $(seq 600); do
        grep -q "keeping the running configuration" "$DIR/bus.log" && break
        sleep 0.05
done
expect_true "a broken file is logged with its line" grep -q "pik.conf:1: .*keeping\|keeping the running configuration: .*pik.conf:1" "$DIR/bus.log"
call Status
expect_json '.canary == true' "the running configuration is kept"
expect_eq "$(pikd_pid)" "$P" "pikd survives a broken file"
: >"$DIR/pik.conf"

section "changes: polkit says no, or cannot answer"
BEFORE=$(snapshot)
expect_error org.pik.Error.PermissionDenied AddPartner string:globex string:Globex
expect_err_contains "org.pik.manage-partners: not authorized"
expect_true "polkit was asked about the caller's bus name, without interaction" \
        grep -Eq '^system-bus-name :[0-9.]+ org.pik.manage-partners 0$' "$DIR/polkit.log"
polkit_says "org.pik.manage-partners challenge"
expect_error org.pik.Error.PermissionDenied RemovePartner string:acme boolean:true
expect_err_contains "authentication is required"
polkit_says "org.pik.manage-partners error"
expect_error org.pik.Error.PermissionDenied SetPartnerEnabled string:acme boolean:false string:paused
expect_err_contains "polkit could not be asked (org.freedesktop.PolicyKit1.Error.Failed"
expect_error org.pik.Error.PermissionDenied RemoveBrowser string:ff boolean:false
expect_err_contains "org.pik.manage-browsers"
expect_error org.pik.Error.PermissionDenied RemoveConfig int64:1
expect_err_contains "org.pik.manage-configs"
expect_error org.pik.Error.PermissionDenied RunNow string:acme string:
expect_err_contains "org.pik.run-now"
expect_error org.pik.Error.PermissionDenied Hold int64:0
expect_err_contains "org.pik.hold"
expect_error org.pik.Error.PermissionDenied Release int64:1
expect_error org.pik.Error.PermissionDenied HoldWith int64:0 string:"network work" int64:0
expect_err_contains "org.pik.hold"
expect_error org.pik.Error.PermissionDenied AddMaintenance string:all string: string:"0 2 * * *" string: \
        int64:7200 string:upgrade
expect_err_contains "org.pik.maintenance"
expect_error org.pik.Error.PermissionDenied RemoveMaintenance int64:1
expect_err_contains "org.pik.maintenance"
expect_error org.pik.Error.PermissionDenied SetBrowserEnabled string:ff boolean:true string:
expect_error org.pik.Error.PermissionDenied SetConfigEnabled int64:1 boolean:false string:why
run busctl --address="$ADDR" call org.pik.Manager1 /org/pik/Manager1 org.pik.Manager1 \
        SetConfig 'xa{sv}' 1 1 sso b true
expect_eq "$RC" 1 "SetConfig denied"
expect_err_contains "org.pik.manage-configs"

# busctl allows interactive authorization by default: polkit hears it.
run busctl --address="$ADDR" call org.pik.Manager1 /org/pik/Manager1 org.pik.Manager1 \
        AddBrowser 'ssa{sv}' chrome webdriver 1 webdriver_url s http://127.0.0.1:9515
expect_err_contains "Permission denied for org.pik.manage-browsers"
expect_true "interactive authorization passed on to polkit" \
        grep -Eq '^system-bus-name :[0-9.]+ org.pik.manage-browsers 1$' "$DIR/polkit.log"

# Arguments that cannot be right are refused before polkit is asked.
N=$(questions)
run busctl --address="$ADDR" call org.pik.Manager1 /org/pik/Manager1 org.pik.Manager1 \
        AddBrowser 'ssa{sv}' chrome webdriver 1 colour s red
expect_err_contains "unknown browser setting 'colour'"
run busctl --address="$ADDR" call org.pik.Manager1 /org/pik/Manager1 org.pik.Manager1 \
        AddConfig 'sassssa{sv}' acme 1 ff https://acme.test/ interval 5m 1 wait s 30
expect_err_contains "configuration option 'wait' must be of type 'i', not 's'"
run busctl --address="$ADDR" call org.pik.Manager1 /org/pik/Manager1 org.pik.Manager1 \
        AddConfig 'sassssa{sv}' acme 1 ff https://acme.test/ hourly 5m 0
expect_err_contains "schedule type 'hourly' is invalid"
run busctl --address="$ADDR" call org.pik.Manager1 /org/pik/Manager1 org.pik.Manager1 \
        AddConfig 'sassssa{sv}' acme 0 https://acme.test/ interval 5m 0
expect_err_contains "at least one browser"
run busctl --address="$ADDR" call org.pik.Manager1 /org/pik/Manager1 org.pik.Manager1 \
        SetConfig 'xa{sv}' 1 1 schedule s 10m
expect_err_contains "'schedule_type' and 'schedule' go together"
run busctl --address="$ADDR" call org.pik.Manager1 /org/pik/Manager1 org.pik.Manager1 \
        SetConfig 'xa{sv}' 1 0
expect_err_contains "nothing to change"
expect_error org.pik.Error.InvalidArgument RemoveConfig int64:-3
expect_error org.pik.Error.InvalidArgument HoldWith int64:-1 string: int64:0
expect_error org.pik.Error.InvalidArgument HoldWith int64:1 string:late int64:1000
expect_err_contains "hold end 1000 is invalid"
expect_error org.pik.Error.InvalidArgument AddMaintenance string:everything string: string:"0 2 * * *" string: \
        int64:7200 string:upgrade
expect_err_contains "maintenance scope 'everything' is invalid"
expect_error org.pik.Error.InvalidArgument RemoveMaintenance int64:0
expect_eq "$(questions)" "$N" "no polkit question for arguments refused outright"
expect_eq "$(snapshot)" "$BEFORE" "nothing changed by refused calls"

section "changes: polkit says yes"
polkit_says "org.pik.manage-partners yes" "org.pik.manage-browsers yes" "org.pik.manage-configs yes" \
        "org.pik.run-now yes" "org.pik.hold yes" "org.pik.maintenance yes"
call AddPartner string:globex string:Globex
expect_eq "$RC" 0 "AddPartner exit"
expect_error org.pik.Error.AlreadyExists AddPartner string:globex string:Again
expect_error org.pik.Error.InvalidArgument AddPartner string:Bad! string:x
run busctl --address="$ADDR" call org.pik.Manager1 /org/pik/Manager1 org.pik.Manager1 \
        AddBrowser 'ssa{sv}' chrome webdriver 1 webdriver_url s http://127.0.0.1:9515
expect_eq "$RC" 0 "AddBrowser exit"
# As pikctl sends it: every setting, the ones not given empty.
run busctl --address="$ADDR" call org.pik.Manager1 /org/pik/Manager1 org.pik.Manager1 \
        AddBrowser 'ssa{sv}' curl http 3 user_agent s "" webdriver_url s "" http_version s 2
expect_eq "$RC" 0 "AddBrowser with empty settings exit"
call ShowBrowser string:curl
expect_json '.http_version == "2" and .webdriver_url == null and .user_agent == null'
run busctl --address="$ADDR" call org.pik.Manager1 /org/pik/Manager1 org.pik.Manager1 \
        AddConfig 'sassssa{sv}' globex 2 ff chrome https://globex.test/ cron '*/10 * * * *' \
        3 sso b true wait i 20 success_marker s Welcome
expect_eq "$RC" 0 "AddConfig exit"
expect_contains "x 2"
call ShowConfig int64:2
expect_json '.partner == "globex" and .sso == true and .wait_sec == 20 and .success_marker == "Welcome"'
run busctl --address="$ADDR" call org.pik.Manager1 /org/pik/Manager1 org.pik.Manager1 \
        SetConfig 'xa{sv}' 2 4 schedule_type s interval schedule s 10m success_marker s "" browsers as 2 chrome ff
expect_eq "$RC" 0 "SetConfig exit"
expect_contains "success marker:"
call ShowConfig int64:2
expect_json '.schedule_type == "interval" and .schedule == "10m" and .success_marker == null and .browsers == "chrome,ff"
             and .sso == true and .wait_sec == 20'

# A named schedule of pik.conf: pikd resolves the name against the file it
# has loaded (read again on SIGHUP, or at the next activation).
printf 'schedules = { office = "cron: 0 8-18 * * mon-fri"; };\n' >"$DIR/pik.conf"
P=$(pikd_pid)
if [ -n "$P" ]; then
        N_RELOADS=$(grep -c "Reloaded the configuration" "$DIR/bus.log")
        kill -HUP "$P"
        for _ in $(seq 200); do
                [ "$(grep -c "Reloaded the configuration" "$DIR/bus.log")" -gt "$N_RELOADS" ] && break
                [ -z "$(pikd_pid)" ] && break
                sleep 0.05
        done
fi
run busctl --address="$ADDR" call org.pik.Manager1 /org/pik/Manager1 org.pik.Manager1 \
        AddConfig 'sassssa{sv}' globex 1 ff https://globex.test/named "" "" 1 schedule_name s office
expect_eq "$RC" 0 "AddConfig with a named schedule exit"
expect_contains "x 3"
call ShowConfig int64:3
expect_json '.schedule_type == "cron" and .schedule == "0 8-18 * * mon-fri" and .schedule_from == "named office"'
run busctl --address="$ADDR" call org.pik.Manager1 /org/pik/Manager1 org.pik.Manager1 \
        SetConfig 'xa{sv}' 3 2 schedule_type s interval schedule s 15m
expect_eq "$RC" 0 "SetConfig overriding the named schedule exit"
call ShowConfig int64:3
expect_json '.schedule == "15m" and .schedule_override == true'
N=$(questions)
run busctl --address="$ADDR" call org.pik.Manager1 /org/pik/Manager1 org.pik.Manager1 \
        SetConfig 'xa{sv}' 3 1 schedule_name s weekly
expect_eq "$RC" 1 "an unknown schedule name is refused"
expect_err_contains "no schedule 'weekly'"
expect_eq "$(questions)" "$N" "no polkit question for an unknown schedule name"
call RemoveConfig int64:3
: >"$DIR/pik.conf"

call RunNow string:globex string:
expect_eq "$OUT" "   uint32 2" "RunNow queued both browsers"
call Hold int64:0
call Status
expect_json '.held == true'
call Release int64:0
HOLD_END=$(( $(date +%s) + 3600 ))
call HoldWith int64:2 string:"partner migration" int64:$HOLD_END
expect_eq "$RC" 0 "HoldWith exit"
call ListJobs string:
expect_json '[.[] | select(.config_id == 2)] | length == 2 and all(.[]; .held == true
        and .held_reason == "partner migration" and .held_until == "'"$(date -u -d "@$HOLD_END" +%Y-%m-%dT%H:%M:%SZ)"'")' \
        "HoldWith keeps the reason and the end"
call HoldWith int64:0 string:"network work" int64:0
call Status
expect_json '.held == true and .held_reason == "network work" and .held_until == null'
expect_error org.pik.Error.InvalidArgument HoldWith int64:2 string:$'two\nlines' int64:0
expect_err_contains "reason"
expect_error org.pik.Error.NotFound HoldWith int64:99 string:x int64:0

section "a configuration option's rule says the same through pikd as offline"
# pikctl over this bus (as the system bus) and pikctl --db on pikd's database:
# the value's rule is one row of the options table, checked by the library
# in pikd or in pikctl, and pikctl's own parsing leaves it alone.
same_refusal() {
        local what=$1 bus_rc bus_err
        shift
        run env DBUS_SYSTEM_BUS_ADDRESS="$ADDR" "$PIKCTL" "$@"
        bus_rc=$RC bus_err=$ERR
        run "$PIKCTL" --db "$DB" --config "$DIR/pik.conf" "$@"
        expect_eq "$bus_rc" 2 "$what through pikd: a usage error"
        expect_eq "$RC" 2 "$what offline: a usage error"
        expect_eq "$bus_err" "$ERR" "$what: the same message through pikd as offline"
}
BEFORE=$(snapshot)
same_refusal "config set --wait 99999" config set 2 --wait 99999
expect_err_contains "wait must be between 0 and 3600 seconds"
same_refusal "config add --wait 99999" config add globex --browsers ff --url https://globex.test/ --every 5m --wait 99999
expect_err_contains "wait must be between 0 and 3600 seconds"
same_refusal "config add without --browsers" config add globex --url https://globex.test/ --every 5m
expect_err_contains "at least one browser is needed (--browsers NAME[,NAME…])"
same_refusal "config add without --url" config add globex --browsers ff --every 5m
expect_err_contains "an entry URL is needed (--url ENTRY_URL)"
same_refusal "config add with 33 browsers" config add globex --url https://globex.test/ \
        --every 5m --browsers "$(seq -s, -f 'b%g' 33)"
expect_err_contains "at most 32 browsers per configuration"
expect_eq "$(snapshot)" "$BEFORE" "nothing written by the refused changes"

section "maintenance windows"
BEFORE=$(snapshot)
expect_error org.pik.Error.InvalidArgument AddMaintenance string:partner string:acme string:"0 25 * * *" \
        string:UTC int64:7200 string:upgrade
expect_err_contains "hour field"
expect_error org.pik.Error.InvalidArgument AddMaintenance string:partner string:acme string:"0 2 * * *" \
        string:Mars/Olympus int64:7200 string:upgrade
expect_err_contains "time zone"
expect_error org.pik.Error.InvalidArgument AddMaintenance string:all string: string:"0 2 * * *" \
        string: int64:0 string:upgrade
expect_err_contains "duration"
expect_error org.pik.Error.NotFound AddMaintenance string:partner string:nobody string:"0 2 * * *" \
        string: int64:7200 string:upgrade
expect_error org.pik.Error.NotFound RemoveMaintenance int64:42
expect_eq "$(snapshot)" "$BEFORE" "nothing changed by refused maintenance windows"
run busctl --address="$ADDR" call org.pik.Manager1 /org/pik/Manager1 org.pik.Manager1 \
        AddMaintenance ssssxs partner acme "0 2 * * *" Europe/Berlin 7200 "acme upgrade"
expect_eq "$RC" 0 "AddMaintenance exit"
expect_contains "x 1"
call ListMaintenance
expect_json 'length == 1 and .[0].partner == "acme" and .[0].scope == "partner" and .[0].timezone == "Europe/Berlin"
        and .[0].duration_sec == 7200 and .[0].reason == "acme upgrade" and (.[0].next_start | type) == "string"' \
        "ListMaintenance shows the window"
call RemoveMaintenance int64:1
expect_eq "$RC" 0 "RemoveMaintenance exit"
call ListMaintenance
expect_json 'length == 0'

call Release int64:0
call Release int64:2
call Status
expect_json '.held == false and .held_reason == null'
call SetPartnerEnabled string:globex boolean:false string:
expect_eq "$RC" 1 "disabling without a reason fails"
expect_err_contains "Error org.pik.Error.InvalidArgument: disabling needs a reason"
call SetPartnerEnabled string:globex boolean:false string:"contract paused"
call ShowPartner string:globex
expect_json '.enabled == false and .disabled_reason == "contract paused"'
call RemoveConfig int64:2
expect_eq "$RC" 0 "RemoveConfig exit"
expect_error org.pik.Error.NotFound RemoveConfig int64:2
run "$PIKCTL" --db "$DB" --config "$DIR/pik.conf" --json partner list
expect_json 'map(.code) == ["acme", "globex"]' "the change is in the database"

section "pikd serves others while polkit thinks"
polkit_says "org.pik.manage-partners slow"
dbus-send --bus="$ADDR" --print-reply --reply-timeout=20000 --dest=org.pik.Manager1 /org/pik/Manager1 \
        org.pik.Manager1.AddPartner string:initech string:Initech >"$DIR/slow.out" 2>&1 &
SLOW=$!
sleep 0.5
call ListPartners
expect_json 'length == 2' "a read answered while the change waits for polkit"
expect_true "the change is still waiting" kill -0 "$SLOW"
wait "$SLOW"
expect_eq "$?" 0 "the slow change succeeded once polkit said yes"
run "$PIKCTL" --db "$DB" --config "$DIR/pik.conf" --json partner list
expect_json 'map(.code) | index("initech") != null'

section "the check's calls are for pik-check@<id>.service only"
BEFORE=$(snapshot)
expect_error org.pik.Error.PermissionDenied GetJob int64:1 string:0123456789abcdef
expect_err_contains "pik-check@"
expect_error org.pik.Error.PermissionDenied ReportProgress int64:1 string:k string:"step 1/4"
expect_error org.pik.Error.PermissionDenied ReportResult int64:1 string:k string:'{"outcome":"success","duration_ms":1}'
expect_error org.pik.Error.InvalidArgument GetJob int64:0 string:k
expect_error org.pik.Error.PermissionDenied GetNotification int64:1
expect_err_contains "Only unit pik-notify@"
expect_error org.pik.Error.PermissionDenied NotificationDone int64:1 boolean:true string:
expect_error org.pik.Error.InvalidArgument GetNotification int64:0
expect_eq "$(snapshot)" "$BEFORE" "nothing changed by refused check calls"

# as_unit UNIT CMD…: run CMD in a cgroup named like a unit of ours, so that
# pikd, reading the caller's cgroup as it does for real units, takes it for
# UNIT. Needs a writable cgroup file system (root): without one the section
# below is skipped and left to the integration suite.
SLICE=pikdtest$$.slice
cgroup_roots() {
        if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
                echo /sys/fs/cgroup
        else
                # hybrid or legacy: name=systemd names the unit; unified too
                [ -d /sys/fs/cgroup/systemd ] && echo /sys/fs/cgroup/systemd
                [ -d /sys/fs/cgroup/unified ] && echo /sys/fs/cgroup/unified
        fi
}
as_unit() {
        local unit=$1 root dirs=()
        shift
        for root in $(cgroup_roots); do
                mkdir -p "$root/$SLICE/$unit" 2>/dev/null || return 1
                dirs+=("$root/$SLICE/$unit")
        done
        # shellcheck disable=SC2016
        bash -c 'for d in "${@:2:$1}"; do echo $$ >"$d/cgroup.procs" || exit 1; done; shift $(($1 + 1)); exec "$@"' \
                as_unit "${#dirs[@]}" "${dirs[@]}" "$@"
}
# unit_call UNIT METHOD ARGS…: call as that unit.
unit_call() {
        local unit=$1 method=$2
        shift 2
        run as_unit "$unit" dbus-send --bus="$ADDR" --print-reply=literal --reply-timeout=10000 \
                --dest=org.pik.Manager1 /org/pik/Manager1 "org.pik.Manager1.$method" "$@"
}
# new_execution: an execution of acme in ff, as the dispatcher makes them;
# prints "ID KEY".
new_execution() {
        local key
        key=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
        sqlite3 "$DB" "INSERT OR IGNORE INTO scheduled_job (config_id, browser_id, run_after, dispatched)
                         VALUES (1, 1, 0, 1);
                       INSERT INTO execution (job_id, config_id, partner, browser, key, state, attempt, created_at)
                         SELECT id, 1, 'acme', 'ff', '$key', 'dispatched', 1, strftime('%s', 'now')
                         FROM scheduled_job WHERE config_id = 1;
                       UPDATE execution SET unit = 'pik-check@' || id || '.service' WHERE id = last_insert_rowid();
                       SELECT max(id) FROM execution;" | tr -d '\n'
        echo " $key"
}

section "the check's own calls, from its unit"
for root in $(cgroup_roots); do
        CGROUPS+=("$root/$SLICE")
done
if ! command -v sqlite3 >/dev/null || [ -z "$(cgroup_roots)" ] || ! as_unit probe.service true 2>/dev/null; then
        echo "no writable cgroups or no sqlite3 here: skipped"
else
        printf 'username = "monitor@example.com";\npassword = "s3cret-Pa55";\n' >"$DIR/credentials/acme"
        chmod 0600 "$DIR/credentials/acme"
        dbus-monitor --address "$ADDR" "type='signal',interface='org.pik.Manager1'" >"$DIR/signals" 2>&1 &
        MONITOR_PID=$!
        read -r E KEY <<<"$(new_execution)"
        U=pik-check@$E.service

        unit_call pik-check@999999.service GetJob int64:"$E" string:"$KEY"
        expect_err_contains "Error org.pik.Error.PermissionDenied: Only unit $U may make this call, not pik-check@999999.service."
        unit_call "$U" GetJob int64:"$E" string:0000
        expect_err_contains "Error org.pik.Error.PermissionDenied: execution $E: key does not match"
        run "$PIKCTL" --db "$DB" --config "$DIR/pik.conf" --json execution show "$E"
        expect_json '.state == "dispatched"' "refused calls changed nothing"

        unit_call "$U" GetJob int64:"$E" string:"$KEY"
        expect_eq "$RC" 0 "GetJob from its unit with its key"
        expect_json ".execution == $E and .partner == \"acme\" and .engine == \"http\"
                     and .entry_url == \"https://acme.test/login\"
                     and .credentials.username == \"monitor@example.com\" and .credentials.password == \"s3cret-Pa55\"
                     and (has(\"key\") | not)" "the job, with acme's credentials"
        unit_call "$U" ReportProgress int64:"$E" string:"$KEY" string:"step 2/4: logging in"
        expect_eq "$RC" 0 "ReportProgress"
        call ShowExecution int64:"$E"
        expect_json '.state == "started" and .progress == "step 2/4: logging in"'
        expect_not_contains "$KEY"

        # Evidence, handed over as a file descriptor and kept by pikd as root's, 0700/0600, whatever the file's
        # offset; refused: another unit, a wrong key, a bad name, what is
        # not a regular file, a name kept twice.
        printf '<p>page</p>' >"$DIR/page.html"
        keep() {        # keep UNIT KEY NAME FILE
                run as_unit "$1" "$KEEP_EVIDENCE" "$ADDR" "$E" "$2" "$3" "$4"
        }
        keep "$U" "$KEY" page.html "$DIR/page.html"
        expect_eq "$RC" 0 "KeepEvidence"
        expect_eq "$(cat "$DIR/evidence/$E/page.html")" "<p>page</p>" "the file is kept whole"
        expect_eq "$(stat -c '%a' "$DIR/evidence/$E" "$DIR/evidence/$E/page.html" | tr '\n' ' ')" "700 600 " "0700 and 0600"
        keep "$U" "$KEY" page.html "$DIR/page.html"
        expect_err_contains "AlreadyExists"
        keep pik-check@999999.service "$KEY" other.html "$DIR/page.html"
        expect_err_contains "PermissionDenied"
        keep "$U" 0000 other.html "$DIR/page.html"
        expect_err_contains "key does not match"
        keep "$U" "$KEY" ../escape.html "$DIR/page.html"
        expect_err_contains "is not an evidence file name"
        keep "$U" "$KEY" dir.html "$DIR"
        expect_err_contains "regular file"
        expect_eq "$(ls "$DIR/evidence/$E")" page.html "nothing else was kept"
        expect_true "nothing escaped the directory" test ! -e "$DIR/evidence/escape.html"

        unit_call "$U" ReportResult int64:"$E" string:"$KEY" string:'{"outcome": "nonsense", "duration_ms": 1}'
        expect_err_contains "Error org.pik.Error.InvalidArgument:"
        unit_call "$U" ReportResult int64:"$E" string:"$KEY" \
                string:'{"outcome": "http-5xx", "duration_ms": 812, "dns_ms": 3, "connect_ms": -1, "details": "HTTP 503",
                         "steps": [{"name": "entry page", "http_status": 503, "total_ms": 800}]}'
        expect_eq "$RC" 0 "ReportResult"
        call ListResults string:acme string: string: int64:0 uint64:1
        RID=$(jq -r '.[0].id' <<<"$OUT")
        call ShowResult int64:"$RID"
        expect_json '.outcome == "http-5xx" and .config_id == 1 and .steps[0].name == "entry page"
                     and .steps[0].http_status == 503' "ShowResult: the result with its steps"
        unit_call "$U" ReportResult int64:"$E" string:"$KEY" string:'{"outcome": "success", "duration_ms": 1}'
        expect_err_contains "Error org.pik.Error.AlreadyReported:"
        unit_call "$U" GetJob int64:"$E" string:"$KEY"
        expect_err_contains "Error org.pik.Error.AlreadyReported:"
        call ShowExecution int64:"$E"
        expect_json '.outcome == "http-5xx" and .kind == "partner" and .details == "HTTP 503"'

        # A second check, which succeeds. (One that dies without a word
        # is recorded by the dispatcher's reaper, from the journal: pikd
        # has no part in it; test-dispatcher and test-failures.)
        read -r E2 KEY2 <<<"$(new_execution)"
        unit_call "pik-check@$E2.service" ReportResult int64:"$E2" string:"$KEY2" \
                string:'{"outcome": "success", "duration_ms": 5}'
        expect_eq "$RC" 0 "ReportResult of a second check"
        call ShowExecution int64:"$E2"
        expect_json '.outcome == "success" and .kind == "success"'

        sleep 0.5
        expect_true "ResultRecorded for the report" \
                bash -c "grep -A5 'member=ResultRecorded' '$DIR/signals' | grep -q 'string \"http-5xx\"'"
        expect_true "ResultRecorded for the success" \
                bash -c "grep -A5 'member=ResultRecorded' '$DIR/signals' | grep -q 'string \"success\"'"
        expect_eq "$(grep -c 'member=ResultRecorded' "$DIR/signals")" 2 "one signal per recorded result"

        # No listing shows a key or the password.
        for listing in "ListExecutions string: uint64:0" "ListResults string: string: string: int64:0 uint64:0" \
                       "Status" "ListJobs string:"; do
                # shellcheck disable=SC2086
                call $listing
                expect_not_contains "$KEY"
                expect_not_contains "$KEY2"
                expect_not_contains "s3cret"
        done
        expect_true "the password is nowhere in the database" bash -c "! sqlite3 '$DB' .dump | grep -q s3cret"
fi

section "idle exit and activation again"
N=$(questions)
# Idle for longer than --idle-timeout: pikd lets go of its name (a loaded
# machine may take a while to get there).
for _ in $(seq 600); do
        [ -z "$(pikd_pid)" ] && break
        sleep 0.1
done
run busctl --address="$ADDR" call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus \
        NameHasOwner s org.pik.Manager1
expect_eq "$OUT" "b false" "pikd released its name when idle"
# It lets go of its name first, then closes the database and exits: a
# moment on a quiet machine, seconds on a loaded one.
pikd_gone() {
        ! kill -0 "$FIRST_PID" 2>/dev/null || grep -q '^State:.*zombie' "/proc/$FIRST_PID/status"
}
for _ in $(seq 300); do
        pikd_gone && break
        sleep 0.1
done
expect_true "pikd exited" pikd_gone
call ListPartners
expect_json 'length == 3' "the next call activates pikd again"
SECOND_PID=$(pikd_pid)
expect_true "a new pikd" test -n "$SECOND_PID" -a "$SECOND_PID" != "$FIRST_PID"
# pikd's stderr is the bus's here: its lines are those not from dbus-daemon.
# (The broken pik.conf of the reload test is logged on purpose.)
expect_true "pikd logged nothing alarming" bash -c "! grep -v '^dbus-daemon' '$DIR/bus.log' | grep -v 'Failed to reload .*pik.conf, keeping' | grep -Ei 'assert|fail|sanitizer|runtime error'"
expect_true "pikd logged each change with the caller's uid" \
        grep -q "^Added partner globex (by uid $(id -u))." "$DIR/bus.log"

if [ -n "${PIKD_VALGRIND:-}" ]; then
        section "valgrind"
        # The second pikd exits when idle and writes its report.
        for _ in $(seq 900); do
                [ -z "$(pikd_pid)" ] && break
                sleep 0.1
        done
        sleep 1
        for log in "$DIR"/valgrind.*.log; do
                expect_true "valgrind: no errors in $log" grep -q "ERROR SUMMARY: 0 errors" "$log"
                expect_true "valgrind: no leaks in $log" \
                        bash -c "grep -q 'All heap blocks were freed' '$log' || grep -q 'definitely lost: 0 bytes' '$log'"
        done
fi

finish
