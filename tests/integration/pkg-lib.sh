# SPDX-License-Identifier: LGPL-2.1-or-later
# Package tests: tests that install pik's .deb into the container instead of
# the meson build. A test says so with a line
#
#       # pik-test: packages
#
# ./run then builds the packages once (packaging/deb/build and
# packaging/rpm/build, before any container is mounted), boots that test's
# container without the meson staging tree (so that only the package puts
# pik's files there) and skips ct_prepare (the package's scripts do that
# work). The test gets PIK_DEB_DIR and PIK_RPM_DIR in its environment.
# PIK_PACKAGES_DIR=DIR builds them into DIR/deb and DIR/rpm and leaves them
# there (default: a temporary directory, removed at the end); with
# PIK_PACKAGES_REUSE=1 as well, packages already in DIR are used as they are.
#
#   pkg_wanted TEST_FILE   is it a package test?
#   pkg_prepare            build the packages; set PKG_STAGE (an empty stage)
#   pkg_cleanup            remove what pkg_prepare made

PKG_MARK='^# pik-test: packages$'
PKG_STAGE=""
PKG_TMP=""
# What package tests use in the container (its root is the host's).
PKG_PACKAGES=(man-db groff-base sqlite3 bash-completion)

pkg_wanted() {
        grep -q "$PKG_MARK" "$1" 2>/dev/null
}

pkg_prepare() {
        local dir root=${PIK_SOURCE_ROOT:?}
        install_packages "${PKG_PACKAGES[@]}" || return 1
        if [ -n "${PIK_PACKAGES_DIR:-}" ]; then
                dir=$PIK_PACKAGES_DIR
        else
                PKG_TMP=$(mktemp -d /tmp/pik-test-packages.XXXXXX) || return 1
                dir=$PKG_TMP
        fi
        # The unit tests run in tests/run's own stages: not again here,
        # unless the caller's DEB_BUILD_OPTIONS / PIK_RPM_NOCHECK say so.
        if [ "${PIK_PACKAGES_REUSE:-0}" != 1 ] || ! ls "$dir"/deb/pik_*.deb >/dev/null 2>&1; then
                echo "Building the Debian packages into $dir/deb" >&2
                DEB_BUILD_OPTIONS=${DEB_BUILD_OPTIONS-nocheck} bash "$root/packaging/deb/build" "$dir/deb" >&2 ||
                        return 1
        fi
        if [ "${PIK_PACKAGES_REUSE:-0}" != 1 ] || ! ls "$dir"/rpm/pik-*.rpm >/dev/null 2>&1; then
                echo "Building the RPM into $dir/rpm" >&2
                PIK_RPM_NOCHECK=${PIK_RPM_NOCHECK-1} bash "$root/packaging/rpm/build" "$dir/rpm" >&2 || return 1
        fi
        PIK_DEB_DIR=$(cd "$dir/deb" && pwd) PIK_RPM_DIR=$(cd "$dir/rpm" && pwd)
        export PIK_DEB_DIR PIK_RPM_DIR
        PKG_STAGE=$(stage_empty) || return 1
}

pkg_cleanup() {
        [ -n "$PKG_STAGE" ] && rm -rf --one-file-system "$PKG_STAGE"
        [ -n "$PKG_TMP" ] && rm -rf --one-file-system "$PKG_TMP"
        PKG_STAGE="" PKG_TMP=""
}
