#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Upgrading the Debian package over an older pik's state: the database an
# older pik left (tests/fixtures/pik-db-v1.sql, schema version 1) keeps its
# data and is migrated to the current schema, a changed conffile is kept,
# and the timers are still enabled and running afterwards.
#
# The older package is this one with an older version number (0.0.9-1),
# installed first so that the upgrade runs dpkg's and the maintainer
# scripts' upgrade path (preinst upgrade, postinst configure OLD-VERSION);
# the older schema comes from the fixture, in place before the upgrade.
# Run by ./run in a fresh container that has no pik until this test
# installs it.
# pik-test: packages

set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/lib.sh"
. "$HERE/../lib.sh"

DEB=$(ls "${PIK_DEB_DIR:?}"/pik_*.deb | head -n1)
NEW_VERSION=$(dpkg-deb -f "$DEB" Version)
OLD_VERSION=0.0.9-1
TIMERS=(pik-scheduler.timer pik-dispatcher.timer)

# The older package: the same files under an older version.
old=$(mktemp -d)
trap 'rm -rf "$old"' EXIT
dpkg-deb -R "$DEB" "$old/tree"
sed -i "s/^Version: .*/Version: $OLD_VERSION/" "$old/tree/DEBIAN/control"
dpkg-deb --root-owner-group -Zxz -b "$old/tree" "$old/pik_old.deb" >/dev/null

# Docker's policy-rc.d (if this image has one) would stop the maintainer
# scripts from starting anything: a real host has none.
ct_run rm -f /usr/sbin/policy-rc.d
ct_run mkdir -p /var/tmp/pkgs
ct_put "$old/pik_old.deb" /var/tmp/pkgs/old.deb
ct_put "$DEB" /var/tmp/pkgs/new.deb
ct_put "$PIK_SOURCE_ROOT/tests/fixtures/pik-db-v1.sql" /var/tmp/pkgs/db-v1.sql

section "the older version, with an older database"
# The older pik's database is there before the older package is installed,
# as it would be on a host that ran it: the timers' first passes come 10 s
# after they start (OnActiveSec=), after this test's upgrade.
ct_sh 'mkdir -p /var/lib/pik && sqlite3 /var/lib/pik/pik.db </var/tmp/pkgs/db-v1.sql'
# The passes the timers start would migrate the database (the older package
# is this one): on a loaded machine they come before the check below. Hold
# them with a runtime condition until the old data has been checked after
# the upgrade, without touching the timers the package starts.
for s in pik-scheduler pik-dispatcher; do
        ct_sh "mkdir -p /run/systemd/system/$s.service.d &&
               printf '[Unit]\nConditionPathExists=!/run/pik-test-hold\n' >/run/systemd/system/$s.service.d/hold.conf"
done
ct_run touch /run/pik-test-hold
ct_run systemctl daemon-reload
expect_ok ct_run dpkg -i /var/tmp/pkgs/old.deb
expect_eq "$(ct_run dpkg-query -W -f='${Version}' pik)" "$OLD_VERSION" "installed version"
for t in "${TIMERS[@]}"; do
        expect_eq "$(ct_unit_prop "$t" ActiveState)" active "$t ActiveState before the upgrade"
done
# An administrator's change to the conffile.
ct_run sh -c 'echo "max_concurrent = 8;" >>/etc/pik/pik.conf'
expect_eq "$(ct_run sqlite3 /var/lib/pik/pik.db 'PRAGMA user_version')" 1 "schema version before the upgrade"

section "upgrade"
run ct_run dpkg -i /var/tmp/pkgs/new.deb
expect_eq "$RC" 0 "dpkg -i (upgrade) exit status"
[ "$RC" -eq 0 ] || echo "$OUT $ERR" >&2
expect_contains "Preparing to unpack /var/tmp/pkgs/new.deb ..."
expect_contains "Unpacking pik ($NEW_VERSION) over ($OLD_VERSION)"
expect_eq "$(ct_run dpkg-query -W -f='${Version}' pik)" "$NEW_VERSION" "installed version"
expect_ok ct_run grep -qx "max_concurrent = 8;" /etc/pik/pik.conf
expect_ok ct_run test ! -e /etc/pik/pik.conf.dpkg-dist
for t in "${TIMERS[@]}"; do
        expect_eq "$(ct_unit_prop "$t" ActiveState)" active "$t ActiveState after the upgrade"
        expect_eq "$(ct_run systemctl is-enabled "$t")" enabled "$t enabled after the upgrade"
done

section "data kept, migrations applied"
# The first call activates pikd, which opens the database and migrates it.
run ct_run pikctl partner list --json
expect_eq "$RC" 0 "pikctl partner list over D-Bus"
expect_json '[.[].code] == ["acme", "globex"]' "partners kept"
expect_json '.[] | select(.code == "globex") | .enabled == false and .disabled_reason == "maintenance until Monday"' \
        "globex still disabled, with its reason"
latest=$(ct_sh 'd=$(mktemp -d) && pikctl --db $d/x.db partner add x --name X >/dev/null &&
                sqlite3 $d/x.db "PRAGMA user_version"; rm -rf $d')
expect_true "the current schema is newer than the fixture's ($latest)" test "${latest:-0}" -gt 1
expect_eq "$(ct_run sqlite3 /var/lib/pik/pik.db 'PRAGMA user_version')" "$latest" "schema version after the upgrade"
run ct_run pikctl browser list --json
expect_json '[.[].name] | sort == ["chrome", "firefox"]' "browsers kept"
run ct_run pikctl config list --json
expect_json '[.[].id] == [1, 2]' "configurations kept"
run ct_run pikctl results --partner acme --json
expect_json '[.[].outcome] | sort == ["check-expired", "login-rejected", "success"]' "results kept"
run ct_run pikctl status --json
expect_json '[.rows[] | select(.partner == "acme") | .outcome] | sort == ["check-expired", "login-rejected"]' \
        "status: acme's last outcomes, from the old history"
# The new programs work on the migrated database: a scheduler pass. The
# hold goes only now: the upgrade restarts the timers, whose first passes
# 10 s later would run the fixture's overdue jobs and add results before
# the checks above on a loaded machine.
ct_run rm -f /run/pik-test-hold
expect_ok ct_run systemctl start pik-scheduler.service
expect_eq "$(ct_unit_prop pik-scheduler.service Result)" success "pik-scheduler.service on the migrated database"
run ct_run pikctl jobs --json
expect_json 'length >= 3' "scheduled jobs after the pass"
for t in "${TIMERS[@]}"; do
        expect_eq "$(ct_unit_prop "$t" ActiveState)" active "$t still active"
done

finish
