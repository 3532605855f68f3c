# SPDX-License-Identifier: LGPL-2.1-or-later
# install_packages PKG…: apt-get install those of PKG that are missing
# (idempotent), as root. Source it. Shared by tests/run, the integration
# tests and the demo (through tests/integration/lib.sh).
#
# On a fresh host unattended-upgrades (or cloud-init) often holds apt's
# locks for minutes: rather than dying at once, apt-get waits for them
# (DPkg::Lock::Timeout, apt >= 1.9.11: the dpkg locks, and in apt 2.6 also
# /var/lib/apt/lists/lock for update), up to PIK_APT_LOCK_TIMEOUT seconds
# (default 900). apt waits silently when not on a terminal, so this says
# who holds what first. PIK_SKIP_INSTALL=1 skips all.

PIK_APT_LOCK_TIMEOUT=${PIK_APT_LOCK_TIMEOUT:-900}

# _apt_wait_note: say which process holds apt's or dpkg's lock, if any.
_apt_wait_note() {
        local held
        held=$(lslocks -n -o COMMAND,PID,PATH 2>/dev/null |
               awk '$3 ~ "^/var/lib/(dpkg/lock(-frontend)?|apt/lists/lock)$" { printf " %s (pid %s) holds %s;", $1, $2, $3 }')
        [ -n "$held" ] &&
                echo "Waiting up to ${PIK_APT_LOCK_TIMEOUT}s for another package manager:${held%;}" >&2
        return 0
}

_apt_get() {
        _apt_wait_note
        apt-get -q -o DPkg::Lock::Timeout="$PIK_APT_LOCK_TIMEOUT" "$@"
}

install_packages() {
        local missing=() p

        [ "${PIK_SKIP_INSTALL:-0}" = 1 ] && return 0
        for p in "$@"; do
                if [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" != installed ]; then
                        missing+=("$p")
                fi
        done
        [ "${#missing[@]}" -eq 0 ] && return 0

        if [ "$(id -u)" -ne 0 ]; then
                echo "install_packages: missing packages (${missing[*]}); run as root, or install them" >&2
                return 1
        fi
        echo "Installing ${missing[*]} (waiting up to ${PIK_APT_LOCK_TIMEOUT}s for apt's locks if another apt-get holds them)" >&2
        export DEBIAN_FRONTEND=noninteractive
        _apt_get update >&2 &&
                _apt_get -y --no-install-recommends install "${missing[@]}" >&2
}
