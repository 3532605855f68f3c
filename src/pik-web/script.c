/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* pik.js, compiled in like the stylesheet: live refresh only. It polls the
 * JSON API that matches the page and, when the answer changed, fetches the
 * page again and puts its body in place: the server stays the one place
 * that renders (and escapes) anything, and every page is whole without
 * JavaScript. The Content-Security-Policy allows this file and nothing
 * inline. */

#include "web.h"

static const char js[] =
        "'use strict';\n"
        "(function () {\n"
        "  var path = location.pathname, api = null, every = 15000;\n"
        "  if (path === '/') api = '/api/v1/status';\n"
        "  else if (path === '/executions') { api = '/api/v1/executions'; every = 5000; }\n"
        "  else if (path === '/jobs') api = '/api/v1/jobs' + location.search;\n"
        "  else if (path.indexOf('/partner/') === 0)\n"
        "    api = '/api/v1/results?limit=1&partner=' + encodeURIComponent(path.slice(9));\n"
        "  if (!api) return;\n"
        "  var last = null;\n"
        "  /* What changes every second (the clock, ages) is no change. */\n"
        "  function key(text) {\n"
        "    return JSON.stringify(JSON.parse(text), function (k, v) {\n"
        "      return k === 'now' || k === 'age_sec' ? undefined : v;\n"
        "    });\n"
        "  }\n"
        "  function stamp(ok) {\n"
        "    var s = document.getElementById('pik-refresh');\n"
        "    if (!s) {\n"
        "      s = document.createElement('p');\n"
        "      s.id = 'pik-refresh';\n"
        "      s.className = 'refresh';\n"
        "      document.body.appendChild(s);\n"
        "    }\n"
        "    s.textContent = (ok ? 'Live: checked ' : 'Live refresh failed ') + new Date().toISOString().slice(11, 19) + ' UTC';\n"
        "  }\n"
        "  function reload() {\n"
        "    return fetch(location.href, { cache: 'no-store' }).then(function (r) {\n"
        "      if (!r.ok) throw new Error(r.status);\n"
        "      return r.text();\n"
        "    }).then(function (html) {\n"
        "      var doc = new DOMParser().parseFromString(html, 'text/html');\n"
        "      document.body.replaceWith(document.adoptNode(doc.body));\n"
        "    });\n"
        "  }\n"
        "  function poll() {\n"
        "    fetch(api, { cache: 'no-store' }).then(function (r) {\n"
        "      if (!r.ok) throw new Error(r.status);\n"
        "      return r.text();\n"
        "    }).then(function (text) {\n"
        "      var k = key(text), changed = last !== null && k !== last;\n"
        "      last = k;\n"
        "      return changed ? reload() : null;\n"
        "    }).then(function () { stamp(true); }, function () { stamp(false); })\n"
        "      .then(function () { setTimeout(poll, every); });\n"
        "  }\n"
        "  poll();\n"
        "})();\n";

int page_script(Web *w, const WebRequest *rq, WebResponse *resp) {
        resp->content_type = "text/javascript; charset=utf-8";
        strbuf_append_n(&resp->body, js, sizeof js - 1);
        return resp->body.error;
}
