/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "macro.h"

/* A response body being written: text appended piece by piece, with the
 * escapers every string from the database goes through (partner pages and
 * names are hostile). The first failure sticks (error), later appends do
 * nothing, so that a page is written without a check after every call and
 * judged once at the end. A body never grows past max bytes (-E2BIG). */

#define STRBUF_MAX_DEFAULT ((size_t) 64 * 1024 * 1024)

typedef struct StrBuf {
        char *data;
        size_t len;
        size_t alloc;
        size_t max;     /* 0: STRBUF_MAX_DEFAULT */
        int error;      /* 0, or the first negative errno */
} StrBuf;

void strbuf_done(StrBuf *b);
/* The text, NUL-terminated, handed to the caller; NULL after an error. */
char *strbuf_steal(StrBuf *b, size_t *ret_len);

void strbuf_append_n(StrBuf *b, const char *s, size_t n);
void strbuf_append(StrBuf *b, const char *s);
void strbuf_printf(StrBuf *b, const char *format, ...) _printf_(2, 3);

/* HTML text and attribute values alike: & < > " ' as entities, control
 * characters (other than tab and newline) as U+FFFD. NULL appends nothing. */
void strbuf_append_html(StrBuf *b, const char *s);
/* A Prometheus label value (text format 0.0.4): backslash, double quote
 * and newline escaped as \\, \" and \n. NULL appends nothing. */
void strbuf_append_label_value(StrBuf *b, const char *s);
