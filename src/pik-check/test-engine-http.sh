#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The http engine end to end: pik-check --job against loopback partner
# sites and an identity provider (tests/fixtures/login-site.py) over HTTP
# and HTTPS (a test CA made here with openssl), one case per login shape
# and per failure, each asserting the exact outcome and kind, and that no
# secret reaches pik-check's output.
#
# Usage: test-engine-http.sh PIK_CHECK
#   env PIK_FIXTURES: tests/fixtures (default: found from this script);
#   PIK_CHECK_WRAPPER: a command prefixed to every pik-check run, e.g.
#   "valgrind --leak-check=full --error-exitcode=99 -q" (exit status 99
#   counts as a failure).

set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../../tests/lib.sh"

PIK_CHECK=$(realpath "${1:?usage: test-engine-http.sh PIK_CHECK}")
FIXTURES=${PIK_FIXTURES:-$HERE/../../tests/fixtures}
SITE=$FIXTURES/login-site.py
read -ra WRAP <<<"${PIK_CHECK_WRAPPER:-}"

for t in jq openssl python3; do
        command -v "$t" >/dev/null || { echo "test-engine-http.sh: $t is needed (bash tests/run installs it)" >&2; exit 1; }
done

TMP=$(mktemp -d)
PIDS=()
cleanup() {
        local p
        for p in "${PIDS[@]}"; do
                kill "$p" 2>/dev/null
        done
        for p in "${PIDS[@]}"; do
                wait "$p" 2>/dev/null
        done
        rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- a test CA and the certificates of the cases (never committed) ---------

make_certs() {
        local d=$TMP/pki ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
        mkdir -p "$d/new" && : >"$d/index.txt" && echo 01 >"$d/serial" || return 1
        printf 'subjectAltName=DNS:partner.test,DNS:idp.test\n' >"$d/san.ext"
        openssl req -x509 "${ec[@]}" -keyout "$d/ca.key" -out "$d/ca.pem" -days 2 -subj "/CN=pik test CA" \
                -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign || return 1
        # valid, signed by the CA
        openssl req "${ec[@]}" -keyout "$d/good.key" -out "$d/good.csr" -subj /CN=partner.test || return 1
        openssl x509 -req -in "$d/good.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -set_serial 2 -days 2 \
                -extfile "$d/san.ext" -out "$d/good.pem" || return 1
        # expired last year, signed by the same CA (x509 cannot date into the past; ca can)
        cat >"$d/ca.cnf" <<CNF
[ca]
default_ca = test
[test]
database = $d/index.txt
new_certs_dir = $d/new
serial = $d/serial
default_md = sha256
policy = any
copy_extensions = none
[any]
commonName = supplied
CNF
        openssl req "${ec[@]}" -keyout "$d/expired.key" -out "$d/expired.csr" -subj /CN=partner.test || return 1
        openssl ca -batch -notext -config "$d/ca.cnf" -cert "$d/ca.pem" -keyfile "$d/ca.key" -in "$d/expired.csr" \
                -startdate 20200101000000Z -enddate 20200201000000Z -extfile "$d/san.ext" \
                -out "$d/expired.pem" || return 1
        # self-signed, by nobody the browser trusts
        openssl req -x509 "${ec[@]}" -keyout "$d/self.key" -out "$d/self.pem" -days 2 -subj /CN=partner.test \
                -addext subjectAltName=DNS:partner.test || return 1
}

if ! make_certs >"$TMP/openssl.log" 2>&1; then
        cat "$TMP/openssl.log" >&2
        echo "test-engine-http.sh: could not make the test certificates" >&2
        exit 1
fi
CA=$TMP/pki/ca.pem

# --- the sites ---------------------------------------------------------------

# start NAME ARGS…: one login-site.py; its port in $TMP/NAME.port.
start() {
        local name=$1 i
        shift
        python3 "$SITE" --port 0 --port-file "$TMP/$name.port" "$@" 2>"$TMP/$name.log" &
        PIDS+=($!)
        for ((i = 0; i < 100; i++)); do
                [ -s "$TMP/$name.port" ] && return 0
                sleep 0.05
        done
        echo "test-engine-http.sh: $name did not start" >&2
        cat "$TMP/$name.log" >&2
        exit 1
}
port() { cat "$TMP/$1.port"; }

start idp --role idp --request-log "$TMP/requests.log"
start idps --role idp --tls-cert "$TMP/pki/good.pem" --tls-key "$TMP/pki/good.key"
start http --idp-url "http://idp.test:$(port idp)" --request-log "$TMP/requests.log"
start https --idp-url "https://idp.test:$(port idps)" --tls-cert "$TMP/pki/good.pem" --tls-key "$TMP/pki/good.key" \
        --request-log "$TMP/requests.log"
start expired --tls-cert "$TMP/pki/expired.pem" --tls-key "$TMP/pki/expired.key"
start self --tls-cert "$TMP/pki/self.pem" --tls-key "$TMP/pki/self.key"
# A port nobody listens on (bound, then let go).
DEAD=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

H=http://partner.test:$(port http)
S=https://partner.test:$(port https)
IDP=http://idp.test:$(port idp)
PASSWORD="correct horse"
SEED=JBSWY3DPEHPK3PXP

BASE=$(jq -n --arg ca "$CA" --arg canary "http://127.0.0.1:$(port http)/ok" \
        --argjson resolve "$(printf '%s\n' "partner.test:$(port http):127.0.0.1" "idp.test:$(port idp):127.0.0.1" \
                "partner.test:$(port https):127.0.0.1" "idp.test:$(port idps):127.0.0.1" \
                "partner.test:$(port expired):127.0.0.1" "partner.test:$(port self):127.0.0.1" \
                "partner.test:$DEAD:127.0.0.1" "idp.test:$DEAD:127.0.0.1" "partner.test:$(port idp):127.0.0.1" \
                | jq -R . | jq -s .)" \
        --arg password "$PASSWORD" '{
        execution: 1, attempt: 1, partner: "acme", partner_name: "ACME", browser: "firefox", engine: "http",
        timeout_sec: 5, max_redirects: 10, user_agent: "Mozilla/5.0 (X11; Linux x86_64) PikBrowser/1.0",
        ca_file: $ca, resolve: $resolve, canary_dns: "localhost", canary_url: $canary,
        success_marker: "Welcome back",
        credentials: { username: "ann@example.test", password: $password }
}')

N=0
# check NAME OUTCOME KIND JQ-EXPRESSION-ON-THE-BASE-JOB [EXTRA-JQ-CHECK]
check() {
        local name=$1 outcome=$2 kind=$3 edit=$4 extra=${5:-}
        local file=$TMP/job-$N.json
        N=$((N + 1))
        # ONLY=REGEX: just the cases whose name matches (while developing).
        if [ -n "${ONLY:-}" ] && ! [[ $name =~ $ONLY ]]; then
                return
        fi
        section "$name"
        if ! jq --arg H "$H" --arg S "$S" --arg IDP "$IDP" --arg DEAD "$DEAD" --arg SEED "$SEED" \
                --arg IDP_SAME_HOST "http://partner.test:$(port idp)" \
                "$edit" <<<"$BASE" >"$file"; then
                _t_fail "bad job edit: $edit"
                return
        fi
        run "${WRAP[@]}" "$PIK_CHECK" --job "$file"
        expect_json ".outcome == \"$outcome\" and .kind == \"$kind\"" "$name: $outcome ($kind)"
        if [ -n "$extra" ]; then
                expect_json "$extra" "$name: $extra"
        fi
        # Secrets stay between pik-check and the partner's site.
        expect_true "$name: no secret in the output" \
                bash -c '! grep -qiE "horse|pässwort|p%E4sswort|$0" <<<"$1"' "$SEED" "$OUT$ERR"
}

# The built-in login, plain and in every odd shape.
check "plain login over HTTP" success success '.entry_url = $H + "/plain/login"' \
        '(.steps | length) == 2 and .steps[1].requests == 2 and .total_ms >= 0 and .network_us > 0'
check "plain login over HTTPS with the browser's CA" success success '.entry_url = $S + "/plain/login"' \
        '.steps[0].tls_us > 0'
check "HTTP/1.1 forced" success success '.entry_url = $S + "/plain/login" | .http_version = "1.1"'
check "HTTP/2 asked for (the site speaks 1.1)" success success '.entry_url = $S + "/plain/login" | .http_version = "2"'
check "wrong password" login-rejected partner '.entry_url = $H + "/plain/login" | .credentials.password = "wrong"'
check "no credentials file, login page" missing-credentials configuration \
        '.entry_url = $H + "/plain/login" | del(.credentials) | .credentials_missing = true
         | .credentials_problem = "no credentials file /etc/pik/credentials/acme"' \
        '.details | contains("/etc/pik/credentials/acme")'
check "no credentials, a page without login: markers only" success success \
        '.entry_url = $H + "/ok" | del(.credentials) | .credentials_missing = true'
check "credentials, but no login form any more" login-form-missing partner '.entry_url = $H + "/ok"'
check "multi-page login" success success '.entry_url = $H + "/multi/login"' '(.steps | length) == 3'
check "multi-page login, unknown user" login-rejected partner \
        '.entry_url = $H + "/multi/login" | .credentials.username = "bob@example.test"'
check "several forms on the page, relative action" success success '.entry_url = $H + "/forms/login"'
check "form without action" success success '.entry_url = $H + "/noaction/login"'
check "base href" success success '.entry_url = $H + "/base/login"'
check "latin-1 page, non-ASCII credentials" success success \
        '.entry_url = $H + "/latin1/login" | .credentials = {username: "jürgen", password: "pässwort"}
         | .success_marker = "Willkommen zurück"'
check "CSRF token from a <meta>" success success '.entry_url = $H + "/meta/login" | .csrf_meta = "csrf-token"'
check "CSRF <meta> not configured: the site refuses" login-rejected partner '.entry_url = $H + "/meta/login"'
check "browser identity: user agent and headers" success success \
        '.entry_url = $H + "/ua/login" | .headers = ["X-Partner-Key: k1", "Accept-Language: de"]'
check "browser identity missing: 403" http-4xx partner '.entry_url = $H + "/ua/login"'
check "configured form XPath and field names" success success \
        '.entry_url = $H + "/forms/login" | .login_form = "//form[@id=\"login\"]"
         | .username_field = "email" | .password_field = "password"'
check "configured form XPath is not XPath" invalid-config configuration \
        '.entry_url = $H + "/plain/login" | .login_form = "//form["'
check "success by XPath" success success \
        '.entry_url = $H + "/plain/login" | del(.success_marker) | .success_xpath = "//div[@class=\"account\"]"'
check "failure by XPath" failure-marker-present partner \
        '.entry_url = $H + "/plain/login" | .failure_xpath = "//div[@class=\"account\"]"'

# MFA.
check "TOTP second factor" success success '.entry_url = $H + "/totp/login" | .credentials.totp_seed = $SEED' \
        '(.steps | map(.name) | index("second factor")) != null'
check "TOTP from the wrong seed" login-rejected partner \
        '.entry_url = $H + "/totp/login" | .credentials.totp_seed = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"'
check "TOTP asked for, no seed" missing-credentials configuration '.entry_url = $H + "/totp/login"'

# SSO.
check "SSO, SAML-style auto-post" success success '.entry_url = $H + "/saml/login" | .sso = true' \
        '(.steps | map(.name) | index("sso: to the service")) != null'
check "SSO, OIDC-style code redirect" success success '.entry_url = $H + "/oidc/login" | .sso = true'
check "SSO over HTTPS on both sides" success success '.entry_url = $S + "/oidc/login" | .sso = true'
check "SSO, the identity provider refuses the password" sso-failed partner \
        '.entry_url = $H + "/saml/login" | .sso = true | .credentials.password = "wrong"'
check "SSO, the identity provider is down" sso-failed partner \
        '.entry_url = $H + "/oidc/login?idp=http://idp.test:" + $DEAD | .sso = true'
check "SSO, the identity provider fails (500)" sso-failed partner \
        '.entry_url = $H + "/oidc/login?idp=" + $IDP + "/broken" | .sso = true' \
        '.details | contains("idp.test:")'
# The identity provider is another origin, not only another host name.
check "SSO, SAML, identity provider on the partner's host name, another port" success success \
        '.entry_url = $H + "/saml/login?idp=" + $IDP_SAME_HOST | .sso = true'
check "SSO, OIDC, identity provider on the partner's host name, another port" success success \
        '.entry_url = $H + "/oidc/login?idp=" + $IDP_SAME_HOST | .sso = true'
check "SSO, identity provider on the partner's host name refuses the password" sso-failed partner \
        '.entry_url = $H + "/saml/login?idp=" + $IDP_SAME_HOST | .sso = true | .credentials.password = "wrong"'
check "SSO, identity provider down and our egress too" egress-down infrastructure \
        '.entry_url = $H + "/oidc/login?idp=http://idp.test:" + $DEAD | .sso = true
         | .canary_url = "http://127.0.0.1:" + $DEAD + "/"'
check "SSO configured, but the login stays on the partner's site" sso-failed partner \
        '.entry_url = $H + "/plain/login" | .sso = true'

# Product page and express checkout.
check "product page" success success '.entry_url = $H + "/plain/login" | .product_url = $H + "/plain/product/42"'
check "product page without the marker" success-marker-missing partner \
        '.entry_url = $H + "/plain/login" | .product_url = $H + "/status/200"'
check "express checkout on the product page" success success \
        '.entry_url = $H + "/plain/login" | .product_url = $H + "/plain/product/42" | .express_checkout = true' \
        '(.steps | map(.name) | index("express checkout")) != null'
check "express checkout from checkout_url" success success \
        '.entry_url = $H + "/plain/login" | .checkout_url = $H + "/plain/cart" | .express_checkout = true'
check "express checkout, no checkout form" success-marker-missing partner \
        '.entry_url = $H + "/plain/login" | .express_checkout = true'

# Failures on demand.
check "HTTP 500" http-5xx partner '.entry_url = $H + "/status/500"' '.http_status == 500'
check "HTTP 500 with an empty body" http-5xx partner '.entry_url = $H + "/empty/500"' '.http_status == 500'
check "HTTP 404" http-4xx partner '.entry_url = $H + "/status/404"'
check "503 with Retry-After" http-5xx partner '.entry_url = $H + "/unavailable"' '.retry_after_sec == 60'
check "429" partner-throttled partner '.entry_url = $H + "/throttled"' '.retry_after_sec == 120'
check "500 after the login form" http-5xx partner '.entry_url = $H + "/err500/login"'
check "slow beyond the timeout" partner-timeout partner '.entry_url = $H + "/slow?s=5" | .timeout_sec = 1' \
        '.details | contains("canary")'
check "redirect loop" redirect-loop partner '.entry_url = $H + "/redirect-loop"'
check "connection cut short" partner-unreachable partner '.entry_url = $H + "/cut"'
check "success page without its marker" success-marker-missing partner '.entry_url = $H + "/nomarker/login"'
check "page with the failure marker" failure-marker-present partner \
        '.entry_url = $H + "/failmarker/login" | .failure_marker = "Service unavailable"'
check "truncated login page" login-form-missing partner '.entry_url = $H + "/truncated/login"'
check "garbage login page" login-form-missing partner '.entry_url = $H + "/garbage/login"'
check "expired certificate" tls-certificate-invalid partner \
        '.entry_url = "https://partner.test:'"$(port expired)"'/plain/login"'
check "self-signed certificate" tls-certificate-invalid partner \
        '.entry_url = "https://partner.test:'"$(port self)"'/plain/login"'
check "unreadable CA bundle" invalid-config configuration \
        '.entry_url = $S + "/plain/login" | .ca_file = "/nonexistent/ca.pem"'
check "connection refused, our egress works" partner-unreachable partner \
        '.entry_url = "http://partner.test:" + $DEAD + "/"' '.details | contains("canary")'
check "connection refused, the canary is down too" egress-down infrastructure \
        '.entry_url = "http://partner.test:" + $DEAD + "/" | .canary_url = "http://127.0.0.1:" + $DEAD + "/"'
check "name does not resolve, our resolver works" partner-dns-not-found partner \
        '.entry_url = "http://nowhere.invalid/"'
check "name does not resolve, nor does the canary" local-dns-failure infrastructure \
        '.entry_url = "http://nowhere.invalid/" | .canary_dns = "canary.invalid"'
check "name does not resolve, no control probe" partner-dns-not-found partner \
        '.entry_url = "http://nowhere.invalid/" | del(.canary_dns, .canary_url)' \
        '.details | contains("no control probe")'
check "entry URL that is not http(s)" invalid-config configuration '.entry_url = "ftp://partner.test/"'

# A partner's page that sends the check into our own network: refused at
# connect time, by the address the name resolved to, unless the
# configuration names the host.
check "redirect to a loopback name the configuration does not name" address-refused partner \
        '.entry_url = $H + "/goto?to=http://localhost:" + ($H | split(":")[2]) + "/ok"' \
        '(.details | contains("localhost")) and (.details | test("127\\.0\\.0\\.1|::1"))'
check "redirect to the metadata address" address-refused partner \
        '.entry_url = $H + "/goto?to=http://169.254.169.254/latest/meta-data/"' \
        '.details | contains("169.254.169.254")'
check "redirect to a loopback host, another port, in an SSO leg" address-refused partner \
        '.entry_url = $H + "/goto?to=http://127.0.0.2:" + $DEAD + "/" | .sso = true' \
        '.details | contains("127.0.0.2")'
check "a loopback host the entry URL names" success success \
        '.entry_url = "http://127.0.0.1:" + ($H | split(":")[2]) + "/goto?to=http://127.0.0.1:"
                      + ($H | split(":")[2]) + "/ok" | del(.credentials) | .credentials_missing = true'

# Explicit flows.
FLOW_OK='[
  {"name": "open login page", "request": {"url": "{{entry_url}}"},
   "extract": {"token": {"xpath": "//input[@name=\"authenticity_token\"]/@value"}}},
  {"name": "sign in", "login": true,
   "form": {"xpath": "//form[@id=\"login\"]", "fields": {"email": "{{username}}", "password": "{{password}}"}},
   "expect": {"status": 200, "text": "Welcome back", "xpath": "//div[@class=\"account\"]"}},
  {"name": "buy", "request": {"method": "POST", "url": "/plain/checkout", "body": "authenticity_token={{token}}&sku=42"},
   "expect": {"text": "confirmed"}, "extract": {"order": {"regex": "order-([0-9]+)"}}},
  {"name": "order page", "request": {"url": "/plain/order/{{order}}", "headers": ["X-Order: {{order}}"]},
   "expect": {"status": 200, "no_text": "Not found"}}
]'
check "flow: login, extract, variables" success success \
        ".entry_url = \$H + \"/plain/login\" | .flow = $FLOW_OK" '(.steps | length) == 4'
check "flow: a login step's assertion fails" login-rejected partner \
        ".entry_url = \$H + \"/plain/login\" | .flow = $FLOW_OK | .credentials.password = \"wrong\""
check "flow: another step's assertion fails" success-marker-missing partner \
        ".entry_url = \$H + \"/plain/login\" | .flow = ($FLOW_OK | .[3].expect.text = \"Shipped\")"
check "flow: status asserted" success success \
        '.entry_url = $H + "/status/404" | .flow = [{"request": {"url": "{{entry_url}}"}, "expect": {"status": 404}}]
         | del(.success_marker)'
check "flow: unknown variable" invalid-config configuration \
        '.entry_url = $H + "/plain/login" | .flow = [{"request": {"url": "/{{nope}}"}}]'
check "flow: bad XPath" invalid-config configuration \
        '.entry_url = $H + "/plain/login" | .flow = [{"request": {"url": "{{entry_url}}"}, "expect": {"xpath": "//["}}]'
check "flow: form not on the page" login-form-missing partner \
        '.entry_url = $H + "/ok" | .flow = [{"request": {"url": "{{entry_url}}"}},
                                            {"form": {"xpath": "//form", "fields": {"a": "{{username}}"}}}]'
check "flow: TOTP" success success \
        '.entry_url = $H + "/totp/login" | .credentials.totp_seed = $SEED | .flow = [
          {"request": {"url": "{{entry_url}}"}},
          {"name": "login", "form": {"xpath": "//form[@id=\"login\"]",
                                     "fields": {"email": "{{username}}", "password": "{{password}}"}}},
          {"form": {"xpath": "//form", "fields": {"otp_code": "{{totp}}"}}, "expect": {"text": "Welcome back"}}]'
check "flow: needs a TOTP seed the partner lacks" missing-credentials configuration \
        '.entry_url = $H + "/totp/login" | .flow = [{"request": {"url": "/x?c={{totp}}"}}]'
check "flow: not an array" invalid-config configuration '.entry_url = $H + "/ok" | .flow = {"steps": 1}'

# A secret in a step's URL: the step is described by its template, and no
# spelling of the password (raw, %20, '+') reaches the details.
SECRET_URL='/login/{{username}}/{{password}}?p={{password}}'
check "flow: a secret in the URL, the site answers 500" http-5xx partner \
        ".entry_url = \$H + \"/ok\" | .flow = [{\"name\": \"api login\", \"request\": {\"url\": (\$H + \"/status/500$SECRET_URL\")}}]" \
        '(.details | contains("/status/500/login/{{username}}/{{password}}")) and (.details | contains("ann@") | not)'
check "flow: a secret in the URL, the site refuses the connection" partner-unreachable partner \
        ".entry_url = \$H + \"/ok\" | .flow = [{\"request\": {\"url\": (\"http://partner.test:\" + \$DEAD + \"$SECRET_URL\")}}]" \
        '.details | contains("/login/{{username}}/{{password}}")'
check "flow: a secret in a later step's relative URL, 404" http-4xx partner \
        '.entry_url = $H + "/ok" | .flow = [{"request": {"url": "{{entry_url}}"}}, {"request": {"url": "/status/404/{{password}}"}}]' \
        '.details | contains("{{password}}")'

# Evidence of a failed check: the final page, redacted, and the steps, in
# the job's directory and named in the result; a page that echoes the
# password in every spelling (raw, numeric and named references, &nbsp;,
# JSON escapes, form encoding) leaves no spelling of it in any file.
EV=$TMP/evidence
mkdir -p "$EV/echo" "$EV/ok"
ECHOED='wrong & horse/2'
check "evidence: a failed login keeps its page and steps, redacted" login-rejected partner \
        ".entry_url = \$H + \"/echo/login\" | .credentials.password = \"$ECHOED\" | .evidence_dir = \"$EV/echo\"" \
        '.evidence == ["page.html", "steps.txt"]'
if [ -z "${ONLY:-}" ] || [[ "evidence" =~ $ONLY ]]; then
        expect_true "evidence: the page is kept" grep -qF 'Invalid password' "$EV/echo/page.html"
        expect_true "evidence: the page echoed the password, redacted" grep -qF 'Invalid password [REDACTED] |' "$EV/echo/page.html"
        expect_true "evidence: the steps are kept" grep -qE '^2\. .*HTTP 200' "$EV/echo/steps.txt"
        expect_true "evidence: no spelling of the password in any file" python3 -c '
import html, re, sys, urllib.parse
pw = sys.argv[1]
for f in sys.argv[2:]:
    t = open(f, encoding="utf-8", errors="replace").read()
    spellings = [t, html.unescape(t).replace("\xa0", " "), urllib.parse.unquote_plus(t),
                 re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), t).replace("\\/", "/")]
    for s in spellings:
        if pw in s or "horse" in s.lower():
            sys.exit("%s holds the password" % f)
' "$ECHOED" "$EV/echo/page.html" "$EV/echo/steps.txt"
        expect_true "evidence: files are the owner's alone" \
                bash -c '[ "$(stat -c %a "$0/page.html") $(stat -c %a "$0/steps.txt")" = "600 600" ]' "$EV/echo"
fi
check "evidence: none for a success" success success \
        ".entry_url = \$H + \"/plain/login\" | .evidence_dir = \"$EV/ok\"" '.evidence == []'
if [ -z "${ONLY:-}" ] || [[ "evidence" =~ $ONLY ]]; then
        expect_true "evidence: the directory of a success stays empty" bash -c '[ -z "$(ls -A "$0")" ]' "$EV/ok"
fi

# Referer: what a browser sends (strict-origin-when-cross-origin).
section "Referer"
: >"$TMP/requests.log"
check "flow: Referer across origins" success success \
        '.entry_url = $H + "/ok" | del(.success_marker) | .flow = [
          {"request": {"url": ($H + "/ok?username=ann&password=correct+horse#f")}},
          {"request": {"url": ($H + "/status/200")}},
          {"request": {"url": ($IDP + "/nowhere")}, "expect": {"status": 404}},
          {"request": {"url": ($S + "/ok?code=c0de")}},
          {"request": {"url": ($H + "/status/201")}}]'
expect_true "same origin: the whole URL, query included, no fragment" \
        grep -qxF "partner GET /status/200 referer=$H/ok?username=ann&password=correct+horse" "$TMP/requests.log"
expect_true "another origin: the origin only" grep -qxF "idp GET /nowhere referer=$H/" "$TMP/requests.log"
expect_true "another origin: not the query" bash -c '! grep -q "idp GET /nowhere referer=.*password" "$0"' "$TMP/requests.log"
expect_true "https to http: no Referer" grep -qxF "partner GET /status/201 referer=-" "$TMP/requests.log"
cp "$TMP/requests.log" "$TMP/requests-referer.log"

# pik-check --url still judges one page.
section "--url"
run "${WRAP[@]}" "$PIK_CHECK" --url "http://127.0.0.1:$(port http)/ok" --success-marker "Welcome back"
expect_json '.outcome == "success" and .kind == "success"' "--url /ok"
run "${WRAP[@]}" "$PIK_CHECK" --url "http://127.0.0.1:$(port http)/status/503"
expect_json '.outcome == "http-5xx"' "--url 503"

finish
