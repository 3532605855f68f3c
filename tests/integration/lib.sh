# SPDX-License-Identifier: LGPL-2.1-or-later
# A real systemd in a throwaway container, booted with systemd-nspawn over an
# overlay of the machine's own root (../../../shared/SYSTEMD-ON-THIS-MACHINE.md
# describes the recipe and why each flag is there). Source it.
#
#   ct_start STAGE    boot a container whose root is / plus STAGE's files
#                     (a `meson install --destdir` tree) in the overlay's
#                     upper layer; sets and exports CT_NAME, CT_DIR, CT_ROOT,
#                     CT_LEADER (the container's PID 1, as the host sees it)
#   ct_stop           stop it, unmount, remove its cgroups and directory;
#                     safe to call twice and from a trap
#   ct_run CMD…       run CMD inside (all namespaces of PID 1), clean
#                     environment, with a timeout (CT_CMD_TIMEOUT, 120 s)
#   ct_run_as USER CMD…   the same as USER (setpriv: no PAM, no session)
#   ct_sh SCRIPT      ct_run sh -c SCRIPT
#   ct_put FILE PATH [MODE]   copy a host file to PATH inside
#   ct_write PATH [MODE] <DATA   write stdin to PATH inside (0644)
#   ct_wait_unit_state UNIT STATES [SECONDS]   wait until UNIT's ActiveState
#                     is one of STATES ("active" or "inactive|failed")
#   ct_wait_until SECONDS CMD…   retry CMD (on the host) until it succeeds
#   ct_unit_prop UNIT PROP   one property of UNIT (systemctl show -P)
#   ct_journal ARGS…  journalctl inside, after a journal sync
#   ct_serve UNIT SCRIPT [ARGS…]   run the fixture SCRIPT (a host file, which
#                     takes --port 0 --port-file) inside as UNIT.service on a
#                     port the kernel picks; print that port
#
# Everything waits with a deadline; ct_stop leaves nothing mounted or running.
# Tests (test-*.sh) run with CT_* in the environment and source this file to
# use everything but ct_start and ct_stop, which belong to ./run.

CT_BOOT_TIMEOUT=${CT_BOOT_TIMEOUT:-60}
CT_CMD_TIMEOUT=${CT_CMD_TIMEOUT:-120}
CT_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# Host services a test container must not run: listeners on shared ports
# (a host PostgreSQL or web server, which would also bind the container's
# loopback; the fixtures take ports the kernel picks, see ct_serve) and
# periodic jobs that would only add noise.
CT_MASK=(postgresql.service nginx.service apache2.service lighttpd.service caddy.service
         apt-daily.timer apt-daily-upgrade.timer man-db.timer
         e2scrub_all.timer fstrim.timer dpkg-db-backup.timer
         getty@tty1.service console-getty.service)

ct_log() {
        printf '[ct %s] %s\n' "${CT_NAME:-?}" "$*" >&2
}

# _ct_child PID NAME: the PID of PID's child process named NAME.
_ct_child() {
        pgrep -P "$1" -x "$2" 2>/dev/null | head -n1
}

_ct_alive() {
        [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null
}

ct_start() {
        local stage=${1:?ct_start STAGE} deadline masks="" m cg st=""

        CT_SEQ=$(( ${CT_SEQ:-0} + 1 ))
        CT_NAME=pik-test-$$-$CT_SEQ
        CT_DIR=$(mktemp -d "/tmp/$CT_NAME.XXXXXX") || return 1
        CT_ROOT=$CT_DIR/root
        CT_LEADER="" CT_NSPAWN="" CT_SCRIPT="" CT_MOUNTED=0
        export CT_NAME CT_DIR CT_ROOT CT_LEADER

        mkdir -p "$CT_DIR/up" "$CT_DIR/work" "$CT_ROOT"
        # The build's files go into the upper layer before mounting. STAGE
        # mirrors /'s top-level symlinks (lib -> usr/lib), so nothing here
        # hides a directory of the lower layer.
        cp -a "$stage/." "$CT_DIR/up/" || return 1
        mount -t overlay overlay \
              -o "lowerdir=/,upperdir=$CT_DIR/up,workdir=$CT_DIR/work" "$CT_ROOT" || return 1
        CT_MOUNTED=1

        for m in "${CT_MASK[@]}"; do
                masks+=" systemd.mask=$m"
        done
        # Each container in a cgroup of its own (v1 named + unified
        # hierarchies here), or parallel containers kill each other's units.
        cg="for h in systemd unified; do mkdir -p /sys/fs/cgroup/\$h/$CT_NAME && echo \$\$ > /sys/fs/cgroup/\$h/$CT_NAME/cgroup.procs; done; exec"
        SHELL=/bin/sh setsid script -qfc "$cg systemd-nspawn -D $CT_ROOT --register=no --keep-unit -b \
                --console=read-only --private-network -M $CT_NAME -- \
                systemd.firstboot=off$masks" "$CT_DIR/boot.log" </dev/null >/dev/null 2>&1 &
        CT_SCRIPT=$!

        deadline=$((SECONDS + CT_BOOT_TIMEOUT))
        while [ -z "$CT_LEADER" ]; do
                if [ "$SECONDS" -ge "$deadline" ] || ! _ct_alive "$CT_SCRIPT"; then
                        ct_log "systemd-nspawn did not start a container; boot log:"
                        tail -n 30 "$CT_DIR/boot.log" >&2
                        return 1
                fi
                [ -n "$CT_NSPAWN" ] || CT_NSPAWN=$(_ct_child "$CT_SCRIPT" systemd-nspawn)
                [ -z "$CT_NSPAWN" ] || CT_LEADER=$(_ct_child "$CT_NSPAWN" systemd)
                [ -n "$CT_LEADER" ] || sleep 0.05
        done
        export CT_LEADER

        # The bus is not there at once: retry until systemd answers.
        while :; do
                st=$(timeout 30 nsenter -t "$CT_LEADER" -a \
                        env -i PATH="$CT_PATH" systemctl is-system-running --wait 2>/dev/null)
                [ -n "$st" ] && break
                if [ "$SECONDS" -ge "$deadline" ] || ! _ct_alive "$CT_LEADER"; then
                        ct_log "the container's systemd did not come up; its jobs and journal:"
                        _ct_alive "$CT_LEADER" && timeout 10 nsenter -t "$CT_LEADER" -a \
                                env -i PATH="$CT_PATH" sh -c \
                                'systemctl list-jobs --no-pager; journalctl -b --no-pager -n 40' >&2
                        return 1
                fi
                sleep 0.05
        done
        if [ "$st" != running ]; then
                ct_log "system is $st; failed units:"
                ct_run systemctl --failed --no-legend >&2
        fi
        return 0
}

ct_stop() {
        local i

        [ -n "${CT_DIR:-}" ] || return 0
        if _ct_alive "${CT_NSPAWN:-}"; then
                # SIGTERM: nspawn shuts the container down cleanly (~0.4 s).
                kill -TERM "$CT_NSPAWN" 2>/dev/null
                for ((i = 0; i < 150; i++)); do
                        _ct_alive "$CT_NSPAWN" || break
                        sleep 0.1
                done
                if _ct_alive "$CT_NSPAWN"; then
                        ct_log "systemd-nspawn ignored SIGTERM for 15 s: killing the container"
                        _ct_alive "${CT_LEADER:-}" && kill -KILL "$CT_LEADER" 2>/dev/null
                        kill -KILL "$CT_NSPAWN" 2>/dev/null
                        for ((i = 0; i < 50; i++)); do
                                _ct_alive "$CT_NSPAWN" || break
                                sleep 0.1
                        done
                fi
        elif _ct_alive "${CT_LEADER:-}"; then
                kill -KILL "$CT_LEADER" 2>/dev/null
        fi
        if _ct_alive "${CT_SCRIPT:-}"; then
                kill -TERM "$CT_SCRIPT" 2>/dev/null
        fi
        [ -n "${CT_SCRIPT:-}" ] && wait "$CT_SCRIPT" 2>/dev/null

        if [ "${CT_MOUNTED:-0}" = 1 ]; then
                for ((i = 0; i < 50; i++)); do
                        mountpoint -q "$CT_ROOT" || break
                        umount "$CT_ROOT" 2>/dev/null && break
                        sleep 0.1
                done
                if mountpoint -q "$CT_ROOT"; then
                        ct_log "$CT_ROOT still busy: detaching it (umount -l)"
                        umount -l "$CT_ROOT"
                fi
        fi
        for i in systemd unified; do
                if [ -d "/sys/fs/cgroup/$i/$CT_NAME" ]; then
                        find "/sys/fs/cgroup/$i/$CT_NAME" -depth -type d -exec rmdir {} + 2>/dev/null ||
                                ct_log "could not remove /sys/fs/cgroup/$i/$CT_NAME"
                fi
        done
        # Never remove files under a root that is still mounted: that would
        # be the host's own root.
        if ! mountpoint -q "$CT_ROOT"; then
                rm -rf --one-file-system "$CT_DIR"
        else
                ct_log "left $CT_DIR in place: $CT_ROOT is still mounted"
        fi
        CT_DIR="" CT_ROOT="" CT_LEADER="" CT_NSPAWN="" CT_SCRIPT="" CT_MOUNTED=0
}

ct_run() {
        # The inner timeout kills the command inside; the outer one is the
        # safety net should nsenter itself hang.
        timeout -k 5 $((CT_CMD_TIMEOUT + 10)) \
                nsenter -t "${CT_LEADER:?no container}" -a \
                env -i PATH="$CT_PATH" LANG=C.UTF-8 TERM=dumb SYSTEMD_PAGER= SYSTEMD_COLORS=0 \
                timeout -k 5 "$CT_CMD_TIMEOUT" "$@"
}

ct_run_as() {
        local user=$1 gid
        shift
        gid=$(ct_run id -g "$user") || return 1
        ct_run setpriv --reuid="$user" --regid="$gid" --init-groups --reset-env "$@"
}

ct_sh() {
        ct_run sh -c "$1"
}

# Files go in through the container (its /run and /tmp are its own tmpfs,
# which the overlay seen from the host does not show).
ct_write() {
        ct_run sh -c 'mkdir -p "$(dirname "$1")" && cat >"$1" && chmod "$2" "$1"' \
                sh "$1" "${2:-0644}"
}

ct_put() {
        ct_write "$2" "${3:-0644}" <"$1"
}

ct_unit_prop() {
        ct_run systemctl show -P "$2" "$1"
}

ct_wait_unit_state() {
        local unit=$1 states=$2 secs=${3:-30} deadline st
        deadline=$((SECONDS + secs))
        while :; do
                st=$(ct_unit_prop "$unit" ActiveState 2>/dev/null)
                if [[ "|$states|" == *"|$st|"* ]]; then
                        return 0
                fi
                if [ "$SECONDS" -ge "$deadline" ]; then
                        ct_log "$unit: still '$st' after ${secs}s (waiting for $states)"
                        return 1
                fi
                sleep 0.1
        done
}

ct_wait_until() {
        local secs=$1 deadline
        shift
        deadline=$((SECONDS + secs))
        until "$@"; do
                if [ "$SECONDS" -ge "$deadline" ]; then
                        return 1
                fi
                sleep 0.1
        done
}

ct_journal() {
        ct_run journalctl --sync >/dev/null 2>&1
        ct_run journalctl --no-pager -q "$@"
}

ct_serve() {
        local unit=${1:?ct_serve UNIT SCRIPT [ARGS…]} script=${2:?ct_serve UNIT SCRIPT [ARGS…]} port
        shift 2
        # A port chosen by the kernel, written by the fixture once it
        # listens: no fixed port that a host service (booted in the
        # container too) could hold.
        ct_put "$script" "/usr/local/lib/pik-test/${script##*/}" 0755 &&
                ct_run systemd-run --quiet --unit="$unit.service" --property=DynamicUser=yes \
                        --property=RuntimeDirectory="$unit" \
                        "/usr/local/lib/pik-test/${script##*/}" --port 0 --port-file "/run/$unit/port" "$@" ||
                return 1
        if ! ct_wait_until 20 ct_run test -s "/run/$unit/port"; then
                ct_log "$unit.service wrote no port"
                ct_journal -u "$unit.service" -n 20 >&2
                return 1
        fi
        port=$(ct_run cat "/run/$unit/port") || return 1
        printf '%s\n' "$port"
}

# install_packages PKG…: ../apt.sh (the container's root is the host's, so
# it runs before any ct_start).
. "$(dirname "${BASH_SOURCE[0]}")/../apt.sh"

# stage_install BUILD: `meson install` BUILD (configured with --prefix=/usr)
# into a new staging tree for ct_start, and print its path. The tree mirrors
# /'s top-level symlinks (merged /usr: lib -> usr/lib), so that files meson
# installs to /lib/systemd/system land in usr/lib/systemd/system: a real lib/
# directory in the overlay's upper layer would hide the host's whole /lib.
_stage_new() {
        local stage l t
        stage=$(mktemp -d /tmp/pik-test-stage.XXXXXX) || return 1
        for l in /*; do
                if [ -L "$l" ]; then
                        # Relative, always: an absolute one would lead meson
                        # out of the staging tree onto the host.
                        t=$(readlink "$l")
                        t=${t#/}
                        ln -s "$t" "$stage/${l#/}"
                        mkdir -p "$stage/$t"
                fi
        done
        echo "$stage"
}

# A directory of the upper layer gives the merged one its owner and mode:
# keep those of the host's directories (meson would not have changed them),
# the root's first (mktemp made it 0700: nobody but root could use /).
_stage_fix_modes() {
        local stage=$1 d
        chown --reference=/ "$stage" && chmod --reference=/ "$stage"
        (cd "$stage" && find . -mindepth 1 -type d) | while read -r d; do
                if [ -d "/$d" ]; then
                        chown --reference="/$d" "$stage/$d" && chmod --reference="/$d" "$stage/$d"
                fi
        done
}

# stage_empty: a staging tree with nothing of pik's (for a package to
# install into the container); prints its path.
stage_empty() {
        local stage
        stage=$(_stage_new) || return 1
        _stage_fix_modes "$stage"
        echo "$stage"
}

stage_install() {
        local build=${1:?stage_install BUILD} stage

        stage=$(_stage_new) || return 1
        if ! meson install -C "$build" --no-rebuild --destdir "$stage" >"$stage.log" 2>&1; then
                cat "$stage.log" >&2
                rm -f "$stage.log"
                rm -rf --one-file-system "$stage"
                return 1
        fi
        rm -f "$stage.log"
        _stage_fix_modes "$stage"
        echo "$stage"
}

# ct_prepare: what a package's postinst does, for files installed before
# boot: users, directories, the journal catalog, the units.
ct_prepare() {
        ct_sh 'systemd-sysusers && systemd-tmpfiles --create --prefix=/run/pik --prefix=/var/lib/pik --prefix=/etc/pik &&
               journalctl --update-catalog && systemctl daemon-reload'
}
