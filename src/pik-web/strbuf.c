/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "strbuf.h"

void strbuf_done(StrBuf *b) {
        b->data = mfree(b->data);
        b->len = b->alloc = 0;
}

char *strbuf_steal(StrBuf *b, size_t *ret_len) {
        char *d;

        if (b->error) {
                strbuf_done(b);
                return NULL;
        }
        /* An empty body is still a string. */
        strbuf_append_n(b, "", 0);
        if (b->error) {
                strbuf_done(b);
                return NULL;
        }
        d = TAKE_PTR(b->data);
        if (ret_len)
                *ret_len = b->len;
        b->len = b->alloc = 0;
        return d;
}

/* Room for n more bytes and a NUL. */
static bool reserve(StrBuf *b, size_t n) {
        size_t max = b->max ?: STRBUF_MAX_DEFAULT, need, a;
        char *p;

        if (b->error)
                return false;
        if (n > max || b->len > max - n) {
                b->error = -E2BIG;
                return false;
        }
        need = b->len + n + 1;
        if (need <= b->alloc)
                return true;
        a = MAX(b->alloc * 2, MAX(need, (size_t) 4096));
        p = realloc(b->data, a);
        if (!p) {
                b->error = -ENOMEM;
                return false;
        }
        b->data = p;
        b->alloc = a;
        return true;
}

void strbuf_append_n(StrBuf *b, const char *s, size_t n) {
        if (!reserve(b, n))
                return;
        memcpy(b->data + b->len, s, n);
        b->len += n;
        b->data[b->len] = 0;
}

void strbuf_append(StrBuf *b, const char *s) {
        if (s)
                strbuf_append_n(b, s, strlen(s));
}

void strbuf_printf(StrBuf *b, const char *format, ...) {
        va_list ap;
        int n;

        if (b->error)
                return;
        va_start(ap, format);
        n = vsnprintf(NULL, 0, format, ap);
        va_end(ap);
        if (n < 0) {
                b->error = -EINVAL;
                return;
        }
        if (!reserve(b, (size_t) n))
                return;
        va_start(ap, format);
        vsnprintf(b->data + b->len, (size_t) n + 1, format, ap);
        va_end(ap);
        b->len += (size_t) n;
}

void strbuf_append_html(StrBuf *b, const char *s) {
        const char *start = s;

        if (!s)
                return;
        /* Runs of plain bytes are copied at once; UTF-8 sequences pass as
         * they are (a page declares UTF-8, and bytes >= 0x80 cannot open a
         * tag or close an attribute). */
        for (; *s; s++) {
                const char *e;
                unsigned char c = (unsigned char) *s;

                switch (c) {
                case '&': e = "&amp;"; break;
                case '<': e = "&lt;"; break;
                case '>': e = "&gt;"; break;
                case '"': e = "&quot;"; break;
                case '\'': e = "&#39;"; break;
                default:
                        if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
                                e = "\xef\xbf\xbd";
                        else
                                continue;
                }
                strbuf_append_n(b, start, (size_t) (s - start));
                strbuf_append(b, e);
                start = s + 1;
        }
        strbuf_append_n(b, start, (size_t) (s - start));
}

void strbuf_append_label_value(StrBuf *b, const char *s) {
        const char *start = s;

        if (!s)
                return;
        for (; *s; s++) {
                const char *e;

                switch (*s) {
                case '\\': e = "\\\\"; break;
                case '"': e = "\\\""; break;
                case '\n': e = "\\n"; break;
                default: continue;
                }
                strbuf_append_n(b, start, (size_t) (s - start));
                strbuf_append(b, e);
                start = s + 1;
        }
        strbuf_append_n(b, start, (size_t) (s - start));
}
