#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# pik-web in a real headless Chromium: a small database (a hostile result
# detail included), pik-web on a loopback port, chromedriver, and
# test-pik-web-browser.py asserting the grid's and a result page's rows
# through the DOM. Screenshots are kept in OUT_DIR (test artifacts).
#
# Usage: test-pik-web-browser.sh PIK_WEB PIKCTL DRIVER_PY OUT_DIR
# Skips (77) without /usr/bin/chromedriver (Debian's chromium-driver).

set -u

PIK_WEB=$(realpath "${1:?usage: test-pik-web-browser.sh PIK_WEB PIKCTL DRIVER_PY OUT_DIR}")
PIKCTL=$(realpath "$2")
DRIVER=$(realpath "$3")
OUT=$4
CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver}

if [ ! -x "$CHROMEDRIVER" ] || [ ! -x /usr/bin/chromium ]; then
        echo "SKIP: chromium and chromium-driver are needed (bash tests/run installs them)"
        exit 77
fi
for t in sqlite3 python3 jq; do
        command -v "$t" >/dev/null || { echo "SKIP: $t is missing"; exit 77; }
done

TMP=$(mktemp -d /tmp/pik-test-web-browser-XXXXXX)
PIDS=()
cleanup() {
        local p
        for p in "${PIDS[@]}"; do
                kill "$p" 2>/dev/null
        done
        wait 2>/dev/null
        rm -rf "$TMP"
}
trap cleanup EXIT
mkdir -p "$OUT"
DB=$TMP/pik.db
: >"$TMP/pik.conf"
pk() {
        "$PIKCTL" --db "$DB" --config "$TMP/pik.conf" "$@" >/dev/null || { echo "pikctl $* failed" >&2; exit 1; }
}

EVIL='<script>alert(1)</script>'
pk partner add acme --name Acme
pk partner add beta --name "$EVIL"
pk partner add gamma --name Gamma
pk browser add firefox --engine http
pk browser add chromium --engine http
pk config add acme --name login --browsers firefox,chromium --url https://acme.example/ --every 5m
pk config add beta --name sso --browsers firefox --url https://beta.example/ --every 5m
pk config add gamma --name checkout --browsers chromium --url https://gamma.example/ --every 5m
NOW=$(date -u +%s)
sqlite3 "$DB" <<SQL || exit 1
INSERT INTO result (config_id, partner, browser, executed_at, duration_ms, outcome, details,
                    dns_ms, connect_ms, tls_ms, ttfb_ms, total_ms)
VALUES (1, 'acme', 'firefox', $((NOW - 90)), 1234, 'success', NULL, 4, 11, 23, 180, 240),
       (1, 'acme', 'chromium', $((NOW - 70)), 2210, 'success', NULL, 6, 14, 30, 420, 610),
       (2, 'beta', 'firefox', $((NOW - 50)), 900, 'login-rejected', '$EVIL', 5, 10, 20, 100, 150),
       (3, 'gamma', 'chromium', $((NOW - 30)), 30000, 'webdriver-session-failed', 'no session within 30 s', 3, NULL, NULL, NULL, NULL);
INSERT INTO alert (config_id, partner, browser, kind, outcome, opened_at, first_result_id, last_result_id, notified_at)
VALUES (2, 'beta', 'firefox', 'partner', 'login-rejected', $((NOW - 50)), 3, 3, $((NOW - 50)));
INSERT INTO result_step (result_id, position, name, http_status, requests, dns_ms, connect_ms, tls_ms, ttfb_ms, total_ms)
VALUES (1, 1, 'entry page', 200, 1, 4, 11, 23, 80, 100), (1, 2, 'login form', 302, 1, 0, 0, 0, 60, 90),
       (1, 3, 'account', 200, 1, 0, 0, 0, 40, 50);
SQL

free_port() {
        python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
wait_http() {
        python3 - "$1" <<'PY'
import sys, time, urllib.request, urllib.error
deadline = time.time() + 120
while time.time() < deadline:
    try:
        urllib.request.urlopen(sys.argv[1], timeout=5)
        sys.exit(0)
    except urllib.error.HTTPError:
        sys.exit(0)
    except Exception:
        time.sleep(0.1)
sys.exit(1)
PY
}

WEB_PORT=$(free_port)
"$PIK_WEB" --db "$DB" --config "$TMP/pik.conf" --listen "127.0.0.1:$WEB_PORT" --idle-timeout 0 2>"$TMP/web.err" &
PIDS+=($!)
WD_PORT=$(free_port)
"$CHROMEDRIVER" --port="$WD_PORT" --allowed-ips=127.0.0.1 --log-level=WARNING >"$TMP/chromedriver.log" 2>&1 &
PIDS+=($!)
wait_http "http://127.0.0.1:$WEB_PORT/pik.css" || { echo "pik-web did not answer" >&2; cat "$TMP/web.err" >&2; exit 1; }
wait_http "http://127.0.0.1:$WD_PORT/status" || { echo "chromedriver did not answer" >&2; exit 1; }

EXPECT=$(jq -cn --arg evil "$EVIL" '{
        grid_rows: 4,
        alerts: 1,
        grid: [["acme", "#1 login", "chromium", "ok", "success"],
               ["acme", "#1 login", "firefox", "ok", "success"],
               ["beta", "#2 sso", "firefox", "failing"],
               ["gamma", "#3 checkout", "chromium", "failing", "webdriver-session-failed"]],
        evil: $evil,
        result: 1,
        steps: ["entry page", "login form", "account"]}')
/usr/bin/python3 "$DRIVER" "http://127.0.0.1:$WD_PORT" "http://127.0.0.1:$WEB_PORT" "$OUT" "$EXPECT"
rc=$?
if [ -s "$TMP/web.err" ]; then
        echo "pik-web logged:" >&2
        cat "$TMP/web.err" >&2
fi
exit $rc
