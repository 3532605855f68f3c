#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# Drives a headless Chromium through chromedriver (the W3C WebDriver
# protocol, no client library) over pik-web's grid and a result page:
# asserts rows through the DOM, that the hostile strings are text and
# never ran, that pik.js ran under the Content-Security-Policy, and saves
# screenshots. Used by test-pik-web-browser.sh.
#
#   test-pik-web-browser.py WEBDRIVER_URL PIK_WEB_URL OUT_DIR EXPECTATIONS_JSON
import base64
import json
import os
import sys
import time
import urllib.error
import urllib.request

WD, WEB, OUT, EXPECT = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
ELEMENT = 'element-6066-11e4-a52e-4f735466cecf'   # W3C WebDriver's web element key
failed = 0


def call(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(WD + path, data=data, method=method,
                                 headers={'Content-Type': 'application/json'})
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return json.load(r)['value']
    except urllib.error.HTTPError as e:
        return {'error': json.load(e)['value'].get('error', str(e.code))}


def check(ok, what):
    global failed
    print(('ok' if ok else 'FAIL') + ' - ' + what)
    if not ok:
        failed += 1


def elements(sid, css):
    v = call('POST', '/session/%s/elements' % sid, {'using': 'css selector', 'value': css})
    return [] if isinstance(v, dict) else [e[ELEMENT] for e in v]


def text(sid, el):
    return call('GET', '/session/%s/element/%s/text' % (sid, el))


def wait_for(sid, css, seconds=120):
    deadline = time.time() + seconds
    while time.time() < deadline:
        found = elements(sid, css)
        if found:
            return found
        time.sleep(0.2)
    return []


def screenshot(sid, name):
    png = base64.b64decode(call('GET', '/session/%s/screenshot' % sid))
    with open(os.path.join(OUT, name), 'wb') as f:
        f.write(png)
    check(png[:8] == b'\x89PNG\r\n\x1a\n', 'screenshot %s is a PNG' % name)


session = call('POST', '/session', {'capabilities': {'alwaysMatch': {
    'browserName': 'chrome',
    'goog:chromeOptions': {'binary': '/usr/bin/chromium',
                           'args': ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
                                    '--window-size=1400,900']}}}})
if 'sessionId' not in session:
    sys.exit('no WebDriver session: %r' % session)
sid = session['sessionId']
try:
    call('POST', '/session/%s/url' % sid, {'url': WEB + '/'})
    rows = wait_for(sid, '#grid tbody tr')
    cells = [[text(sid, c) for c in elements(sid, '#grid tbody tr:nth-child(%d) td' % (i + 1))]
             for i in range(len(rows))]
    check(len(cells) == EXPECT['grid_rows'], 'the grid has %d rows (got %d)' % (EXPECT['grid_rows'], len(cells)))
    for want in EXPECT['grid']:
        # A cell's text may go on (the outcome's details below it).
        check(any(len(row) >= len(want) and all(c.split('\n')[0] == w for c, w in zip(row, want)) for row in cells),
              'a grid row starts with %r' % want)
    alerts = elements(sid, '#alerts + table tbody tr')
    check(len(alerts) == EXPECT['alerts'], 'the open alerts (%d)' % len(alerts))
    details = [text(sid, e) for e in elements(sid, '#grid .details')]
    check(EXPECT['evil'] in details, 'the hostile details are shown as text')
    check(not elements(sid, '#grid script, #grid img'), 'no element came from the hostile strings')
    check(call('GET', '/session/%s/alert/text' % sid).get('error') == 'no such alert', 'no alert() ran')
    # pik.js stamps the page once its first poll answered: it loaded and
    # ran under script-src 'self'.
    check(bool(wait_for(sid, '#pik-refresh')), 'pik.js ran (live refresh)')
    screenshot(sid, 'grid.png')

    call('POST', '/session/%s/url' % sid, {'url': WEB + '/result/%d' % EXPECT['result']})
    steps = wait_for(sid, 'table:not(.fields) tbody tr')
    names = [text(sid, e) for e in elements(sid, 'table:not(.fields) tbody tr td:nth-child(2)')]
    check(len(steps) == len(EXPECT['steps']) and names == EXPECT['steps'], 'the result\'s steps %r' % names)
    check(len(elements(sid, 'svg.waterfall rect')) == 5, 'the waterfall has five phases')
    screenshot(sid, 'result.png')
finally:
    call('DELETE', '/session/%s' % sid)
print('test-pik-web-browser: %d failed' % failed)
sys.exit(1 if failed else 0)
