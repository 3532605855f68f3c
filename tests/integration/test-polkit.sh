#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# polkit decides every change made through pikd: an unprivileged user's
# changes are denied (pikctl exit 77, PermissionDenied) and leave the
# database exactly as it was (sqlite3 .dump before and after); that user's
# reads work; root and a member of pik-admin are allowed. Real polkitd, real
# bus, pikd started by bus activation. Run by ./run in a fresh container.

set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/lib.sh"
. "$HERE/../lib.sh"
. "$HERE/pik.sh"

dump() {
        ct_run sqlite3 -cmd '.timeout 10000' "$PIK_DB" .dump
}

section "setup"
expect_ok ct_run useradd -m -N pikuser
expect_ok ct_run useradd -m -N -G pik-admin pikadm
run ct_sh "
set -e
pikctl browser add firefox --engine http
pikctl partner add acme --name 'Acme'
pikctl config add acme --browsers firefox --url http://127.0.0.1:8080/ok --every 1h --success-marker 'Welcome back'
"
expect_eq "$RC" 0 "root: partner, browser, configuration added over D-Bus"
[ "$RC" = 0 ] || printf '%s\n' "$ERR" >&2
expect_eq "$(pik_sql "SELECT count(*) FROM partner WHERE code = 'acme'")" 1 "root's partner is in the database"
expect_true "pikuser is not in pik-admin" sh -c "! ct_run id -nG pikuser | grep -qw pik-admin"

section "an unprivileged user's changes are denied, the database unchanged"
before=$(dump)
expect_true "the database dumps" test -n "$before"
# Each change verb, one per polkit action.
denied=(
        "partner add intruder --name Intruder"
        "partner disable acme --reason nope"
        "partner remove acme"
        "browser add evilfox --engine http"
        "browser remove firefox"
        "config add acme --browsers firefox --url http://127.0.0.1:8080/ok --every 5m"
        "config disable 1 --reason nope"
        "config remove 1"
        "run-now acme"
        "hold"
        "hold 1"
        "release"
)
for cmd in "${denied[@]}"; do
        # shellcheck disable=SC2086
        run ct_run_as pikuser pikctl $cmd
        expect_eq "$RC" 77 "pikuser: pikctl $cmd exits 77"
        expect_true "pikuser: pikctl $cmd says permission was denied (stderr: $ERR)" \
                grep -qiE 'denied|not authorized|permission' <<<"$ERR"
done
# The bus call itself, without pikctl: the named error.
run ct_run_as pikuser dbus-send --system --print-reply --dest=org.pik.Manager1 /org/pik/Manager1 \
        org.pik.Manager1.AddPartner string:intruder string:Intruder
expect_true "dbus-send AddPartner as pikuser fails (exit $RC)" test "$RC" -ne 0
expect_err_contains "org.pik.Error.PermissionDenied"
after=$(dump)
expect_true "the database is byte for byte unchanged (sqlite3 .dump)" test "$before" == "$after"
[ "$before" == "$after" ] || diff <(printf '%s\n' "$before") <(printf '%s\n' "$after") | head -20 >&2

section "the unprivileged user's reads work"
for cmd in "status" "partner list" "partner show acme" "browser list" "config list" "config show 1" \
           "jobs" "executions" "results" "outcomes"; do
        # shellcheck disable=SC2086
        run ct_run_as pikuser pikctl $cmd --json
        expect_eq "$RC" 0 "pikuser: pikctl $cmd --json"
        expect_json 'true' "pikuser: pikctl $cmd --json prints one JSON document"
done
run ct_run_as pikuser pikctl partner list --json
expect_json 'any(.[]; .code == "acme")' "pikuser sees partner acme"
expect_true "reads changed nothing" test "$before" == "$(dump)"

section "root is allowed"
expect_ok ct_run pikctl partner add rootco --name "Root Co"
expect_ok ct_run pikctl hold 1
expect_ok ct_run pikctl release 1
expect_eq "$(pik_sql "SELECT count(*) FROM partner WHERE code = 'rootco'")" 1 "root's new partner is in the database"

section "a member of pik-admin is allowed"
expect_ok ct_run_as pikadm pikctl partner add admco --name "Admin Co"
expect_ok ct_run_as pikadm pikctl browser add chrome --engine http
expect_ok ct_run_as pikadm pikctl config add admco --browsers chrome --url http://127.0.0.1:8080/ok --every 5m
expect_ok ct_run_as pikadm pikctl partner disable rootco --reason "maintenance"
expect_ok ct_run_as pikadm pikctl run-now acme
expect_ok ct_run_as pikadm pikctl hold
expect_ok ct_run_as pikadm pikctl release
expect_eq "$(pik_sql "SELECT count(*) FROM partner WHERE code = 'admco'")" 1 "pikadm's partner is in the database"
expect_eq "$(pik_sql "SELECT enabled FROM partner WHERE code = 'rootco'")" 0 "pikadm disabled rootco"
expect_eq "$(pik_sql "SELECT count(*) FROM browser WHERE name = 'chrome'")" 1 "pikadm's browser is in the database"
# The change is logged with the caller's uid.
uid=$(ct_run id -u pikadm)
run ct_journal -o json PIK_CHANGE=partner-add PIK_OBJECT=admco
expect_true "pikd logged pikadm's change with PIK_CALLER_UID=$uid" \
        sh -c "printf '%s\n' \"\$1\" | jq -e -s 'any(.[]; .PIK_CALLER_UID == \"$uid\")' >/dev/null" sh "$OUT"
# Still nothing for the user outside pik-admin.
run ct_run_as pikuser pikctl partner remove admco
expect_eq "$RC" 77 "pikuser still may not remove admco"
expect_eq "$(pik_sql "SELECT count(*) FROM partner WHERE code = 'admco'")" 1 "admco still there"

finish
