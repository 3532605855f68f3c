#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The webdriver engine against a real headless Chromium: chromedriver on a
# loopback port, the fixture sites (login-site.py as partner and as identity
# provider under another host name, the logins both engines share;
# browser-site.py, pages only a browser can use), and `pik-check --job FILE`
# (no pikd) for each case, asserting outcome, kind and exit status.
#
#   test-engine-webdriver.sh PIK_CHECK
#
# Installs nothing: Debian's chromium and chromium-driver must be there
# (tests/run installs them). Without /usr/bin/chromedriver it skips (77).
# Environment: CHROMEDRIVER (default /usr/bin/chromedriver), PIK_FIXTURES
# (default tests/fixtures of this tree), ONLY (a regular expression: run
# just the cases whose name matches, and none of the other assertions).

set -u

PIK_CHECK=${1:?usage: $0 PIK_CHECK}
CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver}
FIXTURES=${PIK_FIXTURES:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../tests/fixtures" && pwd)}
USER='ann@example.test'
PASSWORD='correct horse'

if [ ! -x "$CHROMEDRIVER" ]; then
        echo "SKIP: $CHROMEDRIVER is missing (Debian packages chromium and chromium-driver)"
        exit 77
fi
for t in python3 jq; do
        if ! command -v "$t" >/dev/null; then
                echo "SKIP: $t is missing (the fixture site, the result's checks)"
                exit 77
        fi
done

T=$(mktemp -d /tmp/pik-test-webdriver-XXXXXX)
PIDS=()
cleanup() {
        local p
        for p in "${PIDS[@]}"; do
                kill "$p" 2>/dev/null
        done
        wait 2>/dev/null
        [ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

PASS=0
FAIL=0

# A loopback port nothing listens on (bound, then released).
free_port() {
        python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_http URL SECONDS: until URL answers at all.
wait_http() {
        python3 - "$1" "$2" <<'EOF'
import sys, time, urllib.request, urllib.error
deadline = time.time() + float(sys.argv[2])
while time.time() < deadline:
    try:
        urllib.request.urlopen(sys.argv[1], timeout=2)
        sys.exit(0)
    except urllib.error.HTTPError:
        sys.exit(0)
    except Exception:
        time.sleep(0.1)
sys.exit(1)
EOF
}

start_chromedriver() {   # PORT LOG → pid in $!
        "$CHROMEDRIVER" --port="$1" --allowed-ips=127.0.0.1 --log-level=WARNING >"$2" 2>&1 &
}

# start_site NAME ARGS…: a fixture server; its port in $T/NAME.port.
start_site() {
        local name=$1
        shift
        LOGIN_SITE_LOG=1 python3 "$@" --port 0 --port-file "$T/$name.port" 2>"$T/$name.log" &
        PIDS+=($!)
        for _ in $(seq 100); do
                [ -s "$T/$name.port" ] && return 0
                sleep 0.1
        done
        echo "FAIL: fixture $name did not start:"
        cat "$T/$name.log"
        exit 1
}

# The identity provider is another host to the browser: "localhost" where
# the partner is "127.0.0.1".
start_site idp "$FIXTURES/login-site.py" --role idp
IDP="http://localhost:$(cat "$T/idp.port")"
start_site site "$FIXTURES/login-site.py" --idp-url "$IDP" --request-log "$T/site.requests"
SITE="http://127.0.0.1:$(cat "$T/site.port")"
start_site browser "$FIXTURES/browser-site.py"
BROWSER_SITE="http://127.0.0.1:$(cat "$T/browser.port")"

WD_PORT=$(free_port)
start_chromedriver "$WD_PORT" "$T/chromedriver.log"
WD_PID=$!
PIDS+=("$WD_PID")
WD="http://127.0.0.1:$WD_PORT"
if ! wait_http "$WD/status" 20; then
        echo "FAIL: chromedriver did not start:"
        cat "$T/chromedriver.log"
        exit 1
fi
CLOSED=$(free_port)

# job NAME ENTRY_URL [EXTRA_JSON_MEMBERS] [PASSWORD]: the job document.
job() {
        local name=$1 entry=$2 extra=${3:-} password=${4:-$PASSWORD} wd=${WD_URL:-$WD}
        python3 - "$T/$name.json" "$entry" "$USER" "$password" "$wd" "$T/evidence-$name" "{${extra}}" <<'EOF'
import json, sys
path, entry, user, password, wd, evidence, extra = sys.argv[1:]
job = {"execution": 7, "attempt": 1, "partner": "demo", "browser": "chromium", "engine": "webdriver",
       "webdriver_url": wd, "entry_url": entry, "success_marker": "Welcome back",
       "failure_marker": "Service unavailable", "timeout_sec": 15, "evidence_dir": evidence,
       "credentials": {"username": user, "password": password}}
job.update(json.loads(extra))
json.dump({k: v for k, v in job.items() if v is not None}, open(path, "w"))
EOF
        mkdir -p "$T/evidence-$name"
}

field() {   # FILE KEY
        python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2" 2>/dev/null
}

# check NAME OUTCOME KIND [JQ]: run the job NAME and compare (and, with
# JQ, that jq -e JQ holds on the result).
check() {
        local name=$1 want=$2 kind=$3 extra=${4:-} rc want_rc t0 t1 outcome got_kind
        if [ -n "${ONLY:-}" ] && ! [[ $name =~ $ONLY ]]; then
                return
        fi
        case $kind in
                success) want_rc=0 ;;
                partner) want_rc=2 ;;
                infrastructure) want_rc=3 ;;
                configuration) want_rc=4 ;;
        esac
        t0=$(date +%s%N)
        "$PIK_CHECK" --job "$T/$name.json" >"$T/$name.out" 2>"$T/$name.err"
        rc=$?
        t1=$(date +%s%N)
        outcome=$(field "$T/$name.out" outcome)
        got_kind=$(field "$T/$name.out" kind)
        if [ "$outcome" = "$want" ] && [ "$got_kind" = "$kind" ] && [ "$rc" = "$want_rc" ] &&
           { [ -z "$extra" ] || jq -e "$extra" "$T/$name.out" >/dev/null 2>&1; }; then
                PASS=$((PASS + 1))
                printf 'ok   %-22s %-26s %-15s %5d ms  %s\n' "$name" "$outcome" "$kind" $(((t1 - t0) / 1000000)) \
                        "$(field "$T/$name.out" details | cut -c1-110)"
        else
                FAIL=$((FAIL + 1))
                printf 'FAIL %-22s want %s/%s (exit %s)%s, got %s/%s (exit %s)\n' "$name" "$want" "$kind" "$want_rc" \
                        "${extra:+ and $extra}" "${outcome:-?}" "${got_kind:-?}" "$rc"
                sed 's/^/     out: /' "$T/$name.out"
                sed 's/^/     err: /' "$T/$name.err" | tail -n 5
        fi
}

assert() {   # DESCRIPTION COMMAND…
        local what=$1
        shift
        [ -z "${ONLY:-}" ] || return 0
        if "$@"; then
                PASS=$((PASS + 1))
                printf 'ok   %s\n' "$what"
        else
                FAIL=$((FAIL + 1))
                printf 'FAIL %s\n' "$what"
        fi
}

no_files() {
        [ -z "$(ls -A "$1" 2>/dev/null)" ]
}

# Logging in, in a real browser: the shapes both engines share.
job plain "$SITE/plain/login"
# Each page the browser loaded is a step, timed as the browser measured it.
check plain success success '(.steps | length) >= 2 and .steps[0].http_status == 200 and .steps[0].ttfb_us > 0
        and .steps[0].total_us >= .steps[0].ttfb_us and .network_us > 0 and .ttfb_ms >= 0' 
assert "no evidence after a success" no_files "$T/evidence-plain"
job forms "$SITE/forms/login"                       # search, newsletter, registration forms too
check forms success success
job base-href "$SITE/base/login"
check base-href success success
job multi-page "$SITE/multi/login"                  # the user name, then the password
check multi-page success success
job totp "$SITE/totp/login" '"credentials": {"username": "ann@example.test", "password": "correct horse", "totp_seed": "JBSWY3DPEHPK3PXP"}'
check totp success success
# The user name "jürgen" goes into an <input type=email>: the http engine
# posts it, a browser refuses to submit it, and says why.
job latin1 "$SITE/latin1/login" '"success_marker": "Willkommen", "credentials": {"username": "jürgen", "password": "pässwort"}'
check latin1 invalid-config configuration
job named-fields "$SITE/plain/login" '"login_form": "//form[@id=\"login\"]", "username_field": "email", "password_field": "password"'
check named-fields success success
job saml "$SITE/saml/login" '"sso": true'
check saml success success
job oidc "$SITE/oidc/login" '"sso": true'
check oidc success success
# The identity provider is another origin: the same host name, another port.
IDP_SAME_HOST="http://127.0.0.1:$(cat "$T/idp.port")"
job saml-same-host "$SITE/saml/login?idp=$IDP_SAME_HOST" '"sso": true'
check saml-same-host success success
job oidc-same-host "$SITE/oidc/login?idp=$IDP_SAME_HOST" '"sso": true'
check oidc-same-host success success
job checkout "$SITE/plain/login" "\"product_url\": \"$SITE/plain/product/42\", \"express_checkout\": true"
check checkout success success
# The site logs a request after answering it: give its line a moment.
assert "express checkout posted the order" \
        timeout 5 bash -c 'until grep -q "POST /plain/checkout" "$1"; do sleep 0.1; done' sh "$T/site.log"
job flow "$SITE/plain/login" '"flow": [
        {"name": "open", "request": {"url": "{{entry_url}}"}, "expect": {"status": 200, "text": "Sign in"}},
        {"name": "login", "login": true, "form": {"xpath": "//form[@id=\"login\"]",
                  "fields": {"email": "{{username}}", "password": "{{password}}"}},
         "expect": {"xpath": "//div[@class=\"account\"]"},
         "extract": {"product": {"xpath": "//a[contains(@href, \"product\")]/@href"}}},
        {"name": "product", "request": {"url": "{{product}}"}, "expect": {"text": "Widget 42"}},
        {"name": "buy", "form": {"xpath": "//button[text()=\"Buy now\"]", "fields": {"qty": "2"}},
         "expect": {"text": "confirmed"}, "extract": {"order": {"regex": "order-([0-9]+)"}}},
        {"name": "order", "request": {"url": "/plain/order/{{order}}"}, "expect": {"status": 200}}]'
check flow success success

# ... and the pages only a browser can use.
job scripted-form "$BROWSER_SITE/login"             # the form is written by a script
check scripted-form success success
job late-marker "$BROWSER_SITE/login?next=/late"    # the marker comes a second after the page
check late-marker success success

# The partner's failures.
job wrong-password "$SITE/plain/login" '"wait_sec": 2' 'not the password'
check wrong-password login-rejected partner
job saml-wrong-password "$SITE/saml/login" '"sso": true, "wait_sec": 1' 'not the password'
check saml-wrong-password sso-failed partner
job idp-broken "$SITE/saml/login?idp=$IDP/broken" '"sso": true'
# The details say it was the identity provider, not the app, that failed.
check idp-broken sso-failed partner ".details | contains(\"${IDP#http://}\")"
job same-host-wrong-password "$SITE/saml/login?idp=$IDP_SAME_HOST" '"sso": true, "wait_sec": 1' 'not the password'
check same-host-wrong-password sso-failed partner
job idp-down "$SITE/oidc/login?idp=http://localhost:$CLOSED" "\"sso\": true, \"canary_url\": \"$SITE/ok\""
check idp-down sso-failed partner ".details | contains(\"localhost:$CLOSED\") and contains(\"canary\")"
job totp-wrong-code "$SITE/totp/login" '"wait_sec": 1, "credentials": {"username": "ann@example.test", "password": "correct horse", "totp_seed": "GEZDGNBVGY3TQOJQ"}'
check totp-wrong-code login-rejected partner
job failure-marker "$SITE/failmarker/login"
check failure-marker failure-marker-present partner
job missing-marker "$SITE/nomarker/login" '"wait_sec": 1'
check missing-marker success-marker-missing partner
job login-500 "$SITE/err500/login"
check login-500 http-5xx partner
job entry-500 "$SITE/status/500"
check entry-500 http-5xx partner '.http_status == 500'
# Chromium shows its own error page for an error status with an empty body.
job empty-500 "$SITE/empty/500"
check empty-500 http-5xx partner '.http_status == 500 and .steps[0].http_status == 500' 
job throttled "$SITE/throttled"
check throttled partner-throttled partner
job no-login-form "$SITE/ok" '"success_marker": null, "wait_sec": 1'
check no-login-form login-form-missing partner
job garbage "$SITE/garbage/login" '"wait_sec": 1'
check garbage login-form-missing partner
job redirect-loop "$SITE/redirect-loop"
check redirect-loop redirect-loop partner
job partner-refused "http://127.0.0.1:$CLOSED/login"
check partner-refused partner-unreachable partner ".details | contains(\"127.0.0.1:$CLOSED\")"
job partner-refused-canary-ok "http://127.0.0.1:$CLOSED/login" "\"canary_url\": \"$SITE/ok\""
check partner-refused-canary-ok partner-unreachable partner '.details | contains("canary")'
job partner-no-name "http://nowhere.invalid/login" '"canary_dns": "localhost"'
check partner-no-name partner-dns-not-found partner '.details | contains("nowhere.invalid")' 
job partner-slow "$SITE/slow?s=6" '"timeout_sec": 2'
check partner-slow partner-timeout partner
job flow-assertion "$SITE/plain/login" '"flow": [{"request": {"url": "{{entry_url}}"}, "expect": {"text": "Not on this page"}}], "wait_sec": 1'
check flow-assertion success-marker-missing partner

# Ours: with a canary configured, the control probe tells our egress or
# our resolver failing from the partner's.
job egress-down "http://127.0.0.1:$CLOSED/login" "\"canary_url\": \"http://127.0.0.1:$CLOSED/\""
check egress-down egress-down infrastructure
job local-dns-failure "http://nowhere.invalid/login" '"canary_dns": "canary.invalid"'
check local-dns-failure local-dns-failure infrastructure

# Ours: the WebDriver endpoint and the browser.
WD_URL="http://127.0.0.1:$CLOSED" job endpoint-down "$SITE/plain/login"
check endpoint-down webdriver-session-failed infrastructure
job no-browser "$SITE/plain/login" '"capabilities": "{\"goog:chromeOptions\": {\"binary\": \"/nonexistent/chromium\"}}"'
check no-browser webdriver-session-failed infrastructure

# A driver that dies while the check waits on a page.
WD2_PORT=$(free_port)
start_chromedriver "$WD2_PORT" "$T/chromedriver2.log"
WD2_PID=$!
PIDS+=("$WD2_PID")
if wait_http "http://127.0.0.1:$WD2_PORT/status" 20; then
        WD_URL="http://127.0.0.1:$WD2_PORT" job driver-dies "$SITE/slow?s=8"
        # Kill the driver once the browser is waiting on the page (the site
        # logs the request as it starts it): a fixed delay can come before
        # the session exists on a loaded machine.
        ( n0=$(grep -c ' GET /slow ' "$T/site.requests" 2>/dev/null)
          timeout 120 bash -c 'until c=$(grep -c " GET /slow " "$1" 2>/dev/null); [ "${c:-0}" -gt "$2" ]; do sleep 0.1; done' \
                  sh "$T/site.requests" "${n0:-0}"
          sleep 0.5; pkill -KILL -P "$WD2_PID"; kill -KILL "$WD2_PID" ) &
        KILLER=$!
        check driver-dies engine-crashed infrastructure
        wait "$KILLER" "$WD2_PID" 2>/dev/null
else
        FAIL=$((FAIL + 1))
        echo "FAIL driver-dies: a second chromedriver did not start"
fi

# The configuration's.
job bad-capabilities "$SITE/plain/login" '"capabilities": "[\"not an object\"]"'
check bad-capabilities invalid-config configuration
job bad-xpath "$SITE/plain/login" '"login_form": "//form[@id="'
check bad-xpath invalid-config configuration
job unknown-variable "$SITE/plain/login" '"flow": [{"request": {"url": "{{nowhere}}"}}]'
check unknown-variable invalid-config configuration
job no-totp-seed "$SITE/totp/login"
check no-totp-seed missing-credentials configuration
# The browser's settings: honoured the way Chromium takes them, or refused.
job resolve "http://partner.test:$(cat "$T/site.port")/plain/login" \
        "\"resolve\": [\"partner.test:$(cat "$T/site.port"):127.0.0.1\"]"
check resolve success success
job bad-resolve "$SITE/plain/login" '"resolve": ["partner.test:127.0.0.1"]'
check bad-resolve invalid-config configuration '.details | contains("partner.test:127.0.0.1")'
job resolve-not-chromium "$SITE/plain/login" \
        '"resolve": ["partner.test:80:127.0.0.1"], "capabilities": "{\"browserName\": \"firefox\"}"'
check resolve-not-chromium invalid-config configuration '.details | contains("firefox")'
job ca-file "$SITE/plain/login" '"ca_file": "/etc/ssl/certs/ca-certificates.crt"'
check ca-file invalid-config configuration '.details | contains("ca_file")' 

# Evidence on failure: a screenshot and the page source, named in the
# result, with the password gone from both (the page echoes what was typed,
# as text and as the input's value attribute). The screenshot cannot be
# searched, so the masking is proven through the page: the source, saved
# after the screenshot, shows the DOM as the script left it before.
TYPED='wrong&<pw>"x'
job evidence "$BROWSER_SITE/login" '"wait_sec": 1' "$TYPED"
check evidence login-rejected partner '.evidence == ["screenshot.png", "page.html"]'
PNG="$T/evidence-evidence/screenshot.png"
HTML="$T/evidence-evidence/page.html"
assert "screenshot saved as PNG" test "$(head -c 8 "$PNG" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a
assert "page source saved" grep -q 'Invalid username or password' "$HTML"
assert "the masking ran before the capture" grep -qE '<html[^>]* data-pik-masked="[1-9]' "$HTML"
assert "the echoed password was masked in the page itself" grep -qF 'You typed [MASKED]' "$HTML"
assert "the password input was emptied" sh -c "! grep -qE 'type=\"password\"[^>]* value=' '$HTML'"
assert "no trace of the password in any file" sh -c "! grep -qrF 'wrong&' '$T/evidence-evidence'"
assert "no trace of the password in the result" sh -c "! grep -qF 'wrong&' '$T/evidence.out'"
assert "evidence files are the owner's alone" test "$(stat -c %a "$PNG" "$HTML" | sort -u)" = 600
# Without evidence_dir the files are for pikd (KeepEvidence), and --job has
# none: nothing is kept and nothing named.
job evidence-default "$SITE/status/503" '"evidence_dir": null'
"$PIK_CHECK" --job "$T/evidence-default.json" >"$T/evidence-default.out" 2>&1
assert "no evidence named without a directory or pikd" \
        sh -c "jq -e '.evidence == []' '$T/evidence-default.out' >/dev/null"

# Every session was deleted: no browser is left behind by any case.
sleep 1
assert "no browser left running under chromedriver" test -z "$(pgrep -P "$WD_PID")"

echo
echo "engine-webdriver: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
