/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The stylesheet, compiled in: one file less to install and for the
 * sandbox to reach, and the page and its style always of one version.
 * Kinds have a colour and a border style each, and the cell says the kind
 * in words as well, so that nothing rests on colour alone. */

#include "web.h"

static const char css[] =
        "body { font-family: system-ui, sans-serif; margin: 1em 2em; color: #1a1a1a; background: #fff; }\n"
        "nav a { margin-right: 1em; }\n"
        "table { border-collapse: collapse; margin: 1em 0; }\n"
        "th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }\n"
        "thead th { background: #f0f0f0; }\n"
        "table.fields th { background: #f7f7f7; }\n"
        ".details, .unconfirmed { font-size: 0.85em; color: #555; max-width: 40em; overflow-wrap: anywhere; }\n"
        ".kind { font-weight: bold; }\n"
        ".kind-success { background: #d9f2d9; }\n"
        ".kind-partner { background: #f8d0d0; border-left: 4px solid #a00; }\n"
        ".kind-infrastructure { background: #fde6b8; border-left: 4px dashed #8a5a00; }\n"
        ".kind-configuration { background: #dcdcf8; border-left: 4px dotted #33a; }\n"
        ".kind-unknown { background: #eee; }\n"
        "tr.state-disabled, tr.state-held { color: #777; }\n"
        ".banner { padding: 0.5em 1em; border: 1px solid; }\n"
        ".banner-incident { background: #fde6b8; border-color: #8a5a00; }\n"
        ".banner-held { background: #eee; border-color: #777; }\n"
        ".banner-note { background: #f4f4f4; border-color: #ccc; }\n"
        ".hold, .age { font-size: 0.85em; color: #555; }\n"
        ".refresh { font-size: 0.8em; color: #777; }\n"
        "section.check { margin: 1em 0 2em; }\n"
        /* Charts: inline SVG, coloured here (no inline style). */
        "svg text { font-size: 12px; fill: #1a1a1a; }\n"
        "svg text.unknown { fill: #777; }\n"
        ".phase-dns { fill: #5b8fd1; } .phase-connect { fill: #e0a030; } .phase-tls { fill: #9a5bd1; }\n"
        ".phase-wait { fill: #3aa37a; } .phase-transfer { fill: #1f6f9f; }\n"
        ".day-success { fill: #4caf50; } .day-partner { fill: #c62828; } .day-infrastructure { fill: #f0a000; }\n"
        ".day-configuration { fill: #3949ab; } .day-unknown { fill: #888; } .day-none { fill: #e4e4e4; }\n"
        "svg.durations polyline { fill: none; stroke: #1f6f9f; stroke-width: 1.5; }\n"
        "svg.durations .axis { stroke: #999; } svg.durations .failure { fill: #c62828; }\n";

int page_style(Web *w, const WebRequest *rq, WebResponse *resp) {
        resp->content_type = "text/css; charset=utf-8";
        strbuf_append_n(&resp->body, css, sizeof css - 1);
        return resp->body.error;
}
