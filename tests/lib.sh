# SPDX-License-Identifier: LGPL-2.1-or-later
# Assertion helpers for pik's shell tests. Source it; every expect_* counts
# one check, prints what went wrong when it fails, and the script ends with
# finish, which prints the tally and fails if any check did.
#
# A command is run with run, which keeps its stdout in $OUT, its stderr in
# $ERR and its exit status in $RC for the expect_* that follow. Exit status
# 99 is what valgrind returns when it found an error (PIKCTL_WRAPPER sets
# --error-exitcode=99): it is always a failure, whatever was expected.

T_PASS=0
T_FAIL=0
T_SECTION=""
OUT=""
ERR=""
RC=0
LAST_CMD=""

section() {
        T_SECTION="$*"
        printf '## %s\n' "$*"
}

_t_ok() {
        T_PASS=$((T_PASS + 1))
}

_t_fail() {
        T_FAIL=$((T_FAIL + 1))
        printf 'FAIL [%s]: %s\n' "$T_SECTION" "$1" >&2
        printf '  command: %s\n' "$LAST_CMD" >&2
        printf '  exit:    %s\n' "$RC" >&2
        printf '  stdout:  %s\n' "$(printf '%s' "$OUT" | head -c 1500 | sed '2,$s/^/           /')" >&2
        printf '  stderr:  %s\n' "$(printf '%s' "$ERR" | head -c 1500 | sed '2,$s/^/           /')" >&2
}

_t_quote() {
        local a s=""
        for a in "$@"; do
                if [ "${#a}" -gt 80 ]; then
                        a="${a:0:40}…(${#a} bytes)"
                fi
                s+="$(printf '%q' "$a") "
        done
        printf '%s' "${s% }"
}

# run CMD…: run it, keep stdout/stderr/exit status for the checks that follow.
run() {
        local o e
        o=$(mktemp) e=$(mktemp)
        LAST_CMD=$(_t_quote "$@")
        "$@" >"$o" 2>"$e"
        RC=$?
        OUT=$(cat "$o")
        ERR=$(cat "$e")
        rm -f "$o" "$e"
        if [ "$RC" -eq 99 ]; then
                _t_fail "valgrind reported errors (exit 99)"
        fi
        return 0
}

# expect_exit CODE CMD…: CMD exits with CODE.
expect_exit() {
        local want=$1
        shift
        run "$@"
        if [ "$RC" -eq "$want" ]; then
                _t_ok
        elif [ "$RC" -ne 99 ]; then
                _t_fail "expected exit $want"
        fi
}

expect_ok() {
        expect_exit 0 "$@"
}

# expect_contains TEXT: the last stdout contains TEXT.
expect_contains() {
        if [[ "$OUT" == *"$1"* ]]; then
                _t_ok
        else
                _t_fail "stdout lacks '$1'"
        fi
}

expect_not_contains() {
        if [[ "$OUT" != *"$1"* ]]; then
                _t_ok
        else
                _t_fail "stdout unexpectedly contains '$1'"
        fi
}

# expect_err_contains TEXT: the last stderr contains TEXT.
expect_err_contains() {
        if [[ "$ERR" == *"$1"* ]]; then
                _t_ok
        else
                _t_fail "stderr lacks '$1'"
        fi
}

# expect_json FILTER [DESCRIPTION]: jq -e FILTER on the last stdout is true.
# The stdout must be exactly one JSON document.
expect_json() {
        local filter=$1 what=${2:-$1} n
        n=$(printf '%s' "$OUT" | jq -s 'length' 2>/dev/null)
        if [ "$n" != 1 ]; then
                _t_fail "stdout is not one JSON document (checking $what)"
                return
        fi
        if printf '%s' "$OUT" | jq -e "$filter" >/dev/null 2>&1; then
                _t_ok
        else
                _t_fail "JSON check failed: $what"
        fi
}

# expect_eq ACTUAL EXPECTED DESCRIPTION
expect_eq() {
        if [ "$1" == "$2" ]; then
                _t_ok
        else
                _t_fail "$3: got '$1', expected '$2'"
        fi
}

# expect_true DESCRIPTION CMD…: CMD succeeds (a plain predicate, not counted
# as a command under test).
expect_true() {
        local what=$1
        shift
        if "$@"; then
                _t_ok
        else
                _t_fail "$what"
        fi
}

finish() {
        printf "%s: checks ok %d, failed %d\n" "${0##*/}" "$T_PASS" "$T_FAIL"
        if [ "$T_FAIL" -gt 0 ] || [ "$T_PASS" -eq 0 ]; then
                exit 1
        fi
        exit 0
}
