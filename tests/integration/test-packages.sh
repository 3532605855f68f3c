#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The two packages ./run built: the RPM (rpmbuild -bb on this Debian) has
# pik.conf as %config(noreplace) and the same scriptlet duties as the .deb's
# maintainer scripts, both list the same installed files
# (packaging/compare-file-lists), and lintian found no error in the .deb.
# Looks at the package files on the host; the container is not used.
# pik-test: packages

set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../lib.sh"

DEB=$(ls "${PIK_DEB_DIR:?}"/pik_*.deb | head -n1)
RPM=$(ls "${PIK_RPM_DIR:?}"/pik-[0-9]*.rpm | head -n1)

section "the rpm"
expect_true "an rpm was built" test -f "$RPM"
run rpm -qp --qf '%{NAME} %{VERSION}-%{RELEASE}\n' "$RPM"
expect_eq "$OUT" "pik $(dpkg-deb -f "$DEB" Version)" "rpm name and version = the deb's"
run rpm -qp --qf '[%{FILEFLAGS:fflags} %{FILENAMES}\n]' "$RPM"
expect_contains "cn /etc/pik/pik.conf"          # %config(noreplace)
run rpm -qp --scripts "$RPM"
expect_contains "systemd-sysusers"
expect_contains "systemd-tmpfiles --create"
expect_contains "systemctl enable --now pik-scheduler.timer pik-dispatcher.timer"
expect_contains "disable --now pik-scheduler.timer pik-dispatcher.timer"
expect_contains "try-restart pik-scheduler.timer pik-dispatcher.timer"
expect_contains "journalctl --update-catalog"
# pik-webdriver.service: stopped and disabled on erase, restarted on
# upgrade where it runs, never enabled by the package.
expect_contains "disable --now pik-scheduler.timer pik-dispatcher.timer pik-prune.timer pik-web.socket pik-webdriver.service"
expect_contains "try-restart pik-webdriver.service"
expect_not_contains "enable --now pik-scheduler.timer pik-dispatcher.timer pik-prune.timer pik-web.socket pik-webdriver.service"
run rpm -qp --recommends "$RPM"
expect_contains "chromedriver"

section "the deb"
run dpkg-deb -f "$DEB" Recommends Depends
expect_true "the deb recommends chromium and chromium-driver, depends on neither ($OUT)" \
        sh -c "dpkg-deb -f '$DEB' Recommends | grep -q 'chromium-driver' && ! dpkg-deb -f '$DEB' Depends | grep -q chromium"
run dpkg-deb -f "$DEB" Package Version
expect_contains "Package: pik"
expect_true "the deb's conffiles name /etc/pik/pik.conf" \
        sh -c "dpkg-deb -I '$DEB' conffiles | grep -qx /etc/pik/pik.conf"
expect_true "a -dbgsym package next to it" sh -c "ls '$PIK_DEB_DIR'/pik-dbgsym_*.deb >/dev/null"
if [ -f "$PIK_DEB_DIR/lintian.txt" ]; then
        run grep -c '^E:' "$PIK_DEB_DIR/lintian.txt"
        expect_eq "$OUT" 0 "lintian errors"
        grep -E '^[EW]:' "$PIK_DEB_DIR/lintian.txt"
fi

section "same files in both"
run bash "$PIK_SOURCE_ROOT/packaging/compare-file-lists" "$DEB" "$RPM"
expect_eq "$RC" 0 "compare-file-lists"
echo "$OUT" | head -n 1
[ "$RC" -eq 0 ] || echo "$OUT" >&2
expect_contains "/usr/bin/pikctl"
expect_contains "/usr/share/man/man7/pik-outcomes.7"
expect_contains "/usr/lib/systemd/system/pik-webdriver.service"

finish
