/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stdio.h>

#include "macro.h"
#include "svg.h"
#include "time-util.h"

#define WATERFALL_WIDTH 600
#define WATERFALL_LABEL 110
#define WATERFALL_ROW 22

void svg_waterfall(StrBuf *b, const SvgTimings *t) {
        int64_t dns = MAX(t->dns_ms, 0), connect = MAX(t->connect_ms, 0), tls = MAX(t->tls_ms, 0);
        int64_t handshakes = dns + connect + tls;
        int64_t ttfb = t->ttfb_ms >= 0 ? MAX(t->ttfb_ms, handshakes) : -1;
        int64_t total = MAX(MAX(t->total_ms, ttfb), handshakes);
        const struct {
                const char *name, *class;
                int64_t start, ms;
                bool known;
        } phases[] = {
                { "DNS", "dns", 0, dns, t->dns_ms >= 0 },
                { "Connect", "connect", dns, connect, t->connect_ms >= 0 },
                { "TLS", "tls", dns + connect, tls, t->tls_ms >= 0 },
                { "First byte", "wait", handshakes, ttfb - handshakes, ttfb >= 0 },
                { "Transfer", "transfer", ttfb, total - ttfb, ttfb >= 0 && t->total_ms >= 0 },
        };
        double scale;
        unsigned row = 0;

        if (total <= 0 && t->ttfb_ms < 0 && t->total_ms < 0)
                return;
        scale = total > 0 ? (double) (WATERFALL_WIDTH - WATERFALL_LABEL - 70) / (double) total : 0;
        strbuf_printf(b, "<svg class=\"waterfall\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                         "role=\"img\" aria-label=\"Timing waterfall, total %lld ms\">\n",
                      WATERFALL_WIDTH, (int) (ELEMENTSOF(phases) + 1) * WATERFALL_ROW, (long long) total);
        for (size_t i = 0; i < ELEMENTSOF(phases); i++, row++) {
                int y = (int) row * WATERFALL_ROW;
                double x = WATERFALL_LABEL + scale * (double) phases[i].start;

                strbuf_printf(b, "<text x=\"0\" y=\"%d\">%s</text>", y + 15, phases[i].name);
                if (!phases[i].known) {
                        strbuf_printf(b, "<text x=\"%d\" y=\"%d\" class=\"unknown\">unknown</text>\n",
                                      WATERFALL_LABEL, y + 15);
                        continue;
                }
                strbuf_printf(b, "<rect class=\"phase-%s\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\">"
                                 "<title>%s: %lld ms, from %lld ms</title></rect>",
                              phases[i].class, x, y + 3, MAX(scale * (double) phases[i].ms, 1.0), WATERFALL_ROW - 6,
                              phases[i].name, (long long) phases[i].ms, (long long) phases[i].start);
                strbuf_printf(b, "<text x=\"%.1f\" y=\"%d\">%lld ms</text>\n",
                              x + MAX(scale * (double) phases[i].ms, 1.0) + 4, y + 15, (long long) phases[i].ms);
        }
        strbuf_printf(b, "<text x=\"0\" y=\"%d\">Total</text><text x=\"%d\" y=\"%d\">%lld ms</text>\n</svg>\n",
                      (int) row * WATERFALL_ROW + 15, WATERFALL_LABEL, (int) row * WATERFALL_ROW + 15,
                      (long long) total);
}

#define STRIP_CELL 9

void svg_day_strip(StrBuf *b, const SvgDay *days, size_t n) {
        strbuf_printf(b, "<svg class=\"strip\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%zu\" height=\"%d\" "
                         "role=\"img\" aria-label=\"One cell a day, oldest first\">",
                      n * STRIP_CELL, STRIP_CELL * 2);
        for (size_t i = 0; i < n; i++) {
                char iso[FORMAT_TIMESTAMP_MAX];
                const char *class;

                format_timestamp(iso, days[i].day);
                if (days[i].results <= 0)
                        class = "none";
                else if (days[i].successes == days[i].results)
                        class = "success";
                else
                        class = days[i].worst_kind ?: "unknown";
                strbuf_printf(b, "<rect class=\"day-%s\" x=\"%zu\" y=\"0\" width=\"%d\" height=\"%d\"><title>%.10s: ",
                              class, i * STRIP_CELL, STRIP_CELL - 1, STRIP_CELL * 2, iso);
                if (days[i].results <= 0)
                        strbuf_append(b, "no result");
                else
                        strbuf_printf(b, "%lld of %lld OK%s%s", (long long) days[i].successes,
                                      (long long) days[i].results, days[i].worst_kind ? ", worst failure: " : "",
                                      days[i].worst_kind ?: "");
                strbuf_append(b, "</title></rect>");
        }
        strbuf_append(b, "</svg>\n");
}

#define CHART_WIDTH 600
#define CHART_HEIGHT 120
#define CHART_LEFT 50

void svg_duration_chart(StrBuf *b, const SvgPoint *p, size_t n, int64_t t0, int64_t t1) {
        int64_t max = 1;
        double xs, ys;

        if (n == 0 || t1 <= t0)
                return;
        for (size_t i = 0; i < n; i++)
                max = MAX(max, p[i].ms);
        xs = (double) (CHART_WIDTH - CHART_LEFT - 5) / (double) (t1 - t0);
        ys = (double) (CHART_HEIGHT - 20) / (double) max;
        strbuf_printf(b, "<svg class=\"durations\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                         "role=\"img\" aria-label=\"Durations, at most %lld ms\">"
                         "<text x=\"0\" y=\"12\">%lld ms</text><text x=\"0\" y=\"%d\">0 ms</text>"
                         "<line class=\"axis\" x1=\"%d\" y1=\"10\" x2=\"%d\" y2=\"%d\"/>"
                         "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n<polyline points=\"",
                      CHART_WIDTH, CHART_HEIGHT, (long long) max, (long long) max, CHART_HEIGHT - 10, CHART_LEFT,
                      CHART_LEFT, CHART_HEIGHT - 10, CHART_LEFT, CHART_HEIGHT - 10, CHART_WIDTH, CHART_HEIGHT - 10);
        for (size_t i = 0; i < n; i++)
                strbuf_printf(b, "%.1f,%.1f ", CHART_LEFT + xs * (double) (p[i].t - t0),
                              (double) (CHART_HEIGHT - 10) - ys * (double) p[i].ms);
        strbuf_append(b, "\"/>\n");
        /* Failures as marks of their own: the line alone hides them. */
        for (size_t i = 0; i < n; i++) {
                char iso[FORMAT_TIMESTAMP_MAX];

                if (p[i].success)
                        continue;
                format_timestamp(iso, p[i].t);
                strbuf_printf(b, "<circle class=\"failure\" cx=\"%.1f\" cy=\"%.1f\" r=\"3\"><title>%s: failed after "
                                 "%lld ms</title></circle>",
                              CHART_LEFT + xs * (double) (p[i].t - t0),
                              (double) (CHART_HEIGHT - 10) - ys * (double) p[i].ms, iso, (long long) p[i].ms);
        }
        strbuf_append(b, "</svg>\n");
}
