#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The Debian package's life on a real systemd: install (users, directories,
# timers enabled and running, pikd answering over D-Bus, pik-webdriver.service
# installed but not enabled, man pages, journal catalog, completion), remove
# (timers and pik-webdriver.service stopped and disabled, state and
# configuration kept), purge (state, configuration and secrets gone, and no
# file of pik's left that dpkg does not own). Run by ./run in a fresh
# container that has no pik until this test installs it.
# pik-test: packages

set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/lib.sh"
. "$HERE/../lib.sh"

DEB=$(ls "${PIK_DEB_DIR:?}"/pik_*.deb | head -n1)
TIMERS=(pik-scheduler.timer pik-dispatcher.timer)
mapfile -t CATALOG_IDS < <(sed -n 's/^-- \([0-9a-f]\{32\}\)$/\1/p' "$PIK_SOURCE_ROOT/data/catalog/pik.catalog")

# Every path of the system's directories whose name says pik: before the
# installation and after the purge. Not man-db's cache of formatted pages
# (man's own, which man-db's timer expires); not /work, /home or /tmp (the
# host's, seen through the overlay, and changing under the test).
pik_paths() {
        ct_sh 'find /etc /usr /var /run /opt /srv /root -xdev \( -path /var/tmp/pkgs -o -path /var/cache/man \) -prune -o -name "*pik*" -print 2>/dev/null' |
                sort -u
}

section "install"
# This machine may be a container image whose policy-rc.d forbids starting
# services in maintainer scripts (Docker's "exit 101"): a real host has
# none, and the package's scripts are under test here.
ct_run rm -f /usr/sbin/policy-rc.d
ct_run mkdir -p /var/tmp/pkgs
ct_put "$DEB" /var/tmp/pkgs/package.deb
before=$(pik_paths)
expect_eq "$(ct_sh 'ls /usr/libexec/pik /etc/pik 2>/dev/null | wc -l')" 0 "no pik in the container before the package"
# --path-include: man pages even where dpkg is told to drop them (slim images).
run ct_run dpkg -i --path-include='/usr/share/man/*' /var/tmp/pkgs/package.deb
expect_eq "$RC" 0 "dpkg -i exit status"
printf '%s\n%s\n' "$OUT" "$ERR"
expect_eq "$(ct_run dpkg-query -W -f='${db:Status-Status}' pik)" installed "package state"
expect_ok ct_run getent passwd pik-check
expect_ok ct_run getent passwd pik-webdriver
expect_ok ct_run getent group pik-admin
for dm in /var/lib/pik:755 /etc/pik/credentials:700 /run/pik/executions:700; do
        run ct_run stat -c '%a %U' "${dm%%:*}"
        expect_eq "$OUT" "${dm#*:} root" "${dm%%:*} created, mode and owner"
done
run ct_run dpkg-query -W -f='${Conffiles}' pik
expect_contains "/etc/pik/pik.conf"

section "timers"
for t in "${TIMERS[@]}"; do
        expect_eq "$(ct_unit_prop "$t" ActiveState)" active "$t ActiveState"
        expect_eq "$(ct_run systemctl is-enabled "$t")" enabled "$t enabled"
done
# D-Bus activated, a template, and oneshots started by their timers: none
# enabled by the package.
for u in pikd.service pik-check@.service pik-scheduler.service pik-dispatcher.service; do
        run ct_run systemctl is-enabled "$u"
        expect_true "$u not enabled (is-enabled: $OUT)" test "$OUT" = static -o "$OUT" = disabled
done
# The WebDriver endpoint is the administrator's to enable; it then runs.
run ct_run systemctl is-enabled pik-webdriver.service
expect_eq "$OUT" disabled "pik-webdriver.service installed, not enabled"
expect_eq "$(ct_unit_prop pik-webdriver.service ActiveState)" inactive "pik-webdriver.service not started"
expect_ok ct_run systemctl enable --now pik-webdriver.service
expect_true "pik-webdriver.service runs once enabled" ct_wait_unit_state pik-webdriver.service active 30
expect_eq "$(ct_unit_prop pik-webdriver.service User)" pik-webdriver "as the package's user"
# The timers fire: the scheduler's first pass 10 s after its timer started.
ran() { [ -n "$(ct_unit_prop pik-scheduler.service InvocationID)" ]; }
ct_wait_until 20 ran
expect_true "pik-scheduler.service started by its timer" ran
ct_wait_unit_state pik-scheduler.service "inactive|failed" 30
expect_eq "$(ct_unit_prop pik-scheduler.service Result)" success "pik-scheduler.service Result"

section "pikctl over D-Bus"
run ct_run pikctl status
expect_eq "$RC" 0 "pikctl status exit status"
expect_contains "No partner is configured yet"
expect_eq "$(ct_unit_prop pikd.service ActiveState)" active "pikd.service activated by the call"
run ct_run pikctl outcomes --json
expect_json 'map(.name) | index("check-expired") != null' "outcomes over D-Bus"
# A change: root in pik-admin is allowed by the package's polkit rule.
ct_run usermod -a -G pik-admin root
expect_ok ct_run pikctl partner add acme --name "ACME Corp"
run ct_run pikctl partner list --json
expect_json '.[0].code == "acme"' "the partner added over D-Bus"
expect_ok ct_run test -s /var/lib/pik/pik.db

section "man pages and completion"
for p in pikctl:1 pikd:8 pik-scheduler:8 pik-dispatcher:8 pik-check:8 pik.conf:5 pik-outcomes:7; do
        run ct_run env MANWIDTH=80 MANPAGER=cat man "${p#*:}" "${p%%:*}"
        expect_eq "$RC" 0 "man ${p#*:} ${p%%:*}"
        expect_contains "NAME"
done
run ct_run env MANWIDTH=80 MANPAGER=cat man pikctl
expect_contains "pikctl - control pik"
expect_contains "EXIT STATUS"
run ct_sh 'MANWIDTH=80 man --warnings -l -Tutf8 "$(man -w pikctl)" 2>&1 >/dev/null'
expect_eq "$OUT" "" "man --warnings on the installed pikctl(1)"
run ct_run bash -c '. /usr/share/bash-completion/completions/pikctl &&
        COMP_WORDS=(pikctl partner show ""); COMP_CWORD=3; _pikctl; echo "${COMPREPLY[*]}"'
expect_eq "$OUT" acme "bash completion of a partner code over D-Bus"

section "journal catalog"
expect_true "the catalog has ids" test "${#CATALOG_IDS[@]}" -ge 5
run ct_run journalctl --list-catalog
for id in "${CATALOG_IDS[@]}"; do
        expect_contains "$id"
done
run ct_run journalctl --list-catalog "${CATALOG_IDS[0]}"
expect_contains "pik"

section "remove"
ct_run sh -c 'echo "job_expiry = 120;" >>/etc/pik/pik.conf'
ct_write /etc/pik/credentials/acme 0600 <<<'username = "u"; password = "p";'
run ct_run dpkg -r pik
expect_eq "$RC" 0 "dpkg -r exit status"
expect_eq "$(ct_run dpkg-query -W -f='${db:Status-Status}' pik)" config-files "package state"
for t in "${TIMERS[@]}"; do
        expect_eq "$(ct_unit_prop "$t" ActiveState)" inactive "$t ActiveState after remove"
        run ct_run systemctl is-enabled "$t"
        expect_true "$t no longer enabled (is-enabled: '$OUT')" test "$OUT" != enabled
done
run ct_sh 'ls /etc/systemd/system/*.wants/ | grep pik'
expect_eq "$OUT" "" "no enablement symlink left"
expect_eq "$(ct_unit_prop pikd.service ActiveState)" inactive "pikd stopped"
expect_eq "$(ct_unit_prop pik-webdriver.service ActiveState)" inactive "pik-webdriver.service stopped"
run ct_run systemctl is-enabled pik-webdriver.service
expect_true "pik-webdriver.service no longer enabled (is-enabled: '$OUT')" test "$OUT" != enabled
expect_ok ct_run test -s /var/lib/pik/pik.db
expect_ok ct_run grep -q "job_expiry = 120" /etc/pik/pik.conf
expect_ok ct_run test -f /etc/pik/credentials/acme
expect_ok ct_run test ! -e /usr/libexec/pik/pikd
run ct_run journalctl --list-catalog
expect_not_contains "${CATALOG_IDS[0]}"

section "purge"
run ct_run dpkg -P pik
expect_eq "$RC" 0 "dpkg -P exit status"
expect_exit 1 ct_run dpkg-query -W pik         # dpkg knows nothing of it any more
for d in /var/lib/pik /etc/pik /run/pik; do
        expect_ok ct_run test ! -e "$d"
done
after=$(pik_paths)
expect_eq "$(diff <(echo "$before") <(echo "$after") | grep '^[<>]')" "" "pik's paths before install and after purge"

finish
