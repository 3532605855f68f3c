/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "strbuf.h"

/* Inline SVG charts: geometry in attributes only (no style="…": the
 * Content-Security-Policy allows no inline style), colours from pik.css
 * classes, every mark with a <title> that says in words what the colour
 * shows. */

/* A request's phases, -1 where unknown: dns, connect and tls each their
 * own time; ttfb and total from the start (as libcurl and the result
 * store them). */
typedef struct SvgTimings {
        int64_t dns_ms, connect_ms, tls_ms, ttfb_ms, total_ms;
} SvgTimings;

/* A waterfall: one bar per phase (DNS, connect, TLS, waiting for the
 * first byte, transfer) from where the previous ended; nothing when no
 * timing is known. */
void svg_waterfall(StrBuf *b, const SvgTimings *t);

/* One day of a strip: -1 results for a day without any. */
typedef struct SvgDay {
        int64_t day;           /* midnight UTC */
        int64_t results, successes;
        const char *worst_kind;
} SvgDay;

/* A strip of n days, one cell a day, oldest first. */
void svg_day_strip(StrBuf *b, const SvgDay *days, size_t n);

typedef struct SvgPoint {
        int64_t t;             /* seconds since the epoch */
        int64_t ms;
        bool success;
} SvgPoint;

/* Durations over [t0, t1]: a line through the points, failures marked. */
void svg_duration_chart(StrBuf *b, const SvgPoint *p, size_t n, int64_t t0, int64_t t1);
