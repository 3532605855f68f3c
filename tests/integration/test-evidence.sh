#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A failed check keeps its evidence under /var/lib/pik/evidence/<execution>/,
# named in its result (pikctl result show), root's alone, with no spelling
# of the partner's password in any file, though the page echoed it in many.
# The check writes nothing on the host: it hands its files to pikd
# (KeepEvidence), and its sandbox sees no /var/lib/pik at all.
# Run by ./run in a fresh container.

set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/lib.sh"
. "$HERE/../lib.sh"
. "$HERE/pik.sh"

# With a space and '&', so that '+', %26, &amp;, &#38;, \u0026 and &nbsp;
# are all spellings the page makes of it.
PASSWORD="pik pw&$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"

section "setup"
LOGIN_PORT=$(ct_serve pik-test-login-site "$PIK_SOURCE_ROOT/tests/fixtures/login-site.py")
login_up() { ct_run curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$LOGIN_PORT/echo/login" 2>/dev/null; }
expect_true "the login site serves" ct_wait_until 20 login_up
ct_write /etc/pik/credentials/acme 0600 <<EOF
username = "ann@example.test";
password = "$PASSWORD";
EOF
run ct_sh "
set -e
pikctl browser add firefox --engine http
pikctl partner add acme --name 'Acme'
pikctl config add acme --browsers firefox --url 'http://127.0.0.1:$LOGIN_PORT/echo/login' --cron '0 0 1 1 *' \
        --success-marker 'Welcome back'
pikctl run-now acme
"
expect_eq "$RC" 0 "partner acme, run now"
expect_ok pik_fast_timers 30s 1s

section "the failed check's evidence"
expect_true "the check ended with a result" pik_wait_sql 90 1 "SELECT count(*) FROM result"
id=$(pik_sql "SELECT execution_id FROM result LIMIT 1")
rid=$(pik_sql "SELECT id FROM result LIMIT 1")
expect_eq "$(pik_sql "SELECT outcome FROM result")" login-rejected "the partner refused the login"
run ct_run pikctl result show "$rid" --json
expect_json ".evidence == [\"/var/lib/pik/evidence/$id/page.html\", \"/var/lib/pik/evidence/$id/steps.txt\"]" \
        "pikctl result show names the evidence files"
run ct_run pikctl result show "$rid"
expect_true "and so does its table" grep -qF "/var/lib/pik/evidence/$id/page.html" <<<"$OUT"
run ct_run stat -c '%a %U %G' /var/lib/pik/evidence "/var/lib/pik/evidence/$id" \
        "/var/lib/pik/evidence/$id/page.html" "/var/lib/pik/evidence/$id/steps.txt"
expect_eq "$OUT" "$(printf '700 root root\n700 root root\n600 root root\n600 root root')" \
        "root's alone, from the start"
expect_true "pik-check@$id.service ended" ct_wait_unit_state "pik-check@$id.service" "inactive|failed" 60
run ct_run systemctl show -P ExecStopPost,StateDirectory pik-check@$id.service
expect_eq "$OUT" "$(printf '\n')" "nothing runs after a check, and it has no directory of its own"
expect_true "the page is the partner's answer" ct_run grep -qF 'Invalid password [REDACTED]' \
        "/var/lib/pik/evidence/$id/page.html"
printf '%s' "$PASSWORD" | ct_write /run/pik-test-password 0600
ct_write /usr/local/lib/pik-test/no-spelling 0755 <<'EOF'
#!/usr/bin/python3
# Each file read as is and decoded every way a page, a form or JSON spells
# text: the password in none of them.
import html, re, sys, urllib.parse
pw = open("/run/pik-test-password").read()
bad = 0
for f in sys.argv[1:]:
    t = open(f, encoding="utf-8", errors="replace").read()
    for s in (t, html.unescape(t).replace("\xa0", " "), urllib.parse.unquote_plus(t),
              re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), t).replace("\\/", "/")):
        if pw in s:
            print("the password is in", f)
            bad = 1
sys.exit(bad)
EOF
run ct_sh "/usr/local/lib/pik-test/no-spelling /var/lib/pik/evidence/$id/*"
expect_eq "$RC:$OUT" "0:" "no spelling of the password in any evidence file"
printf 'x %s y' "$(sed 's/&/\&amp;/g; s/ /\&nbsp;/g' <<<"$PASSWORD")" | ct_write /run/pik-test-sample 0600
run ct_run /usr/local/lib/pik-test/no-spelling /run/pik-test-sample
expect_eq "$RC" 1 "the search finds a spelling where there is one"

section "the sandbox: nothing of /var/lib/pik"
# An execution of the real unit whose program is a probe: same sandbox,
# no key or report.
ct_write /run/systemd/system/pik-check@999999.service.d/50-probe.conf <<'EOF'
[Service]
LoadCredential=
ExecStart=
ExecStart=/bin/sh -c 'touch /var/lib/pik/evidence/999999/own 2>/dev/null && echo own-WRITTEN; \
  touch /var/lib/pik/evidence/999998/other 2>/dev/null && echo other-WRITTEN; \
  cat /var/lib/pik/evidence/999998/page.html >/dev/null 2>&1 && echo other-READ; \
  cat /var/lib/pik/pik.db >/dev/null 2>&1 && echo db-READ; \
  touch /var/lib/pik/pik.db 2>/dev/null && echo db-WRITTEN; \
  touch /var/lib/pik/x 2>/dev/null && echo state-WRITTEN; \
  ls /var/lib/pik >/dev/null 2>&1 && echo state-LISTED; \
  ls /var/lib/pik/evidence >/dev/null 2>&1 && echo evidence-LISTED; echo probe-done'
EOF
# Another execution's evidence, as pikd keeps it.
expect_ok ct_run install -d -m 0700 /var/lib/pik/evidence/999998
expect_ok ct_sh "echo page >/var/lib/pik/evidence/999998/page.html"
expect_ok ct_run systemctl daemon-reload
expect_ok ct_run systemctl start --wait pik-check@999999.service
run ct_journal -o cat -u pik-check@999999.service
expect_true "the probe ran" grep -qx probe-done <<<"$OUT"
expect_true "no evidence written or read, not the database, not /var/lib/pik" \
        bash -c '! grep -qE "WRITTEN|READ|LISTED" <<<"$0"' "$OUT"
expect_true "no directory of its own" ct_run test ! -e /var/lib/pik/evidence/999999
run ct_sh "systemd-analyze security pik-check@1.service | tail -n 1"
score=$(grep -oE '[0-9]+\.[0-9]+' <<<"$OUT" | head -n 1)
expect_true "systemd-analyze security pik-check@ stays at most 1.1 ($score)" \
        awk -v s="${score:-99}" 'BEGIN { exit !(s <= 1.1) }'

finish
