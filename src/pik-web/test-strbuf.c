/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "../shared/test-helpers.h"

static char *html(const char *s) {
        StrBuf b = {};

        strbuf_append_html(&b, s);
        return strbuf_steal(&b, NULL);
}

static char *label(const char *s) {
        StrBuf b = {};

        strbuf_append_label_value(&b, s);
        return strbuf_steal(&b, NULL);
}

static void test_html(void) {
        static const struct {
                const char *in, *out;
        } cases[] = {
                { "", "" },
                { "acme", "acme" },
                { "<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;" },
                /* Attribute values in either quote cannot be closed. */
                { "\" onmouseover=\"x", "&quot; onmouseover=&quot;x" },
                { "' onclick='x", "&#39; onclick=&#39;x" },
                /* An entity in the data stays text, not the character it names. */
                { "&lt;b&gt;", "&amp;lt;b&amp;gt;" },
                { "caf\xc3\xa9 \xe2\x82\xac", "caf\xc3\xa9 \xe2\x82\xac" },
                { "a\tb\nc", "a\tb\nc" },
                /* Terminal escapes and other controls become U+FFFD. */
                { "a\033[31mb\x7f", "a\xef\xbf\xbd[31mb\xef\xbf\xbd" },
                { "<<>>", "&lt;&lt;&gt;&gt;" },
        };

        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                _cleanup_free_ char *o = html(cases[i].in);
                ASSERT_STREQ(o, cases[i].out);
        }

        /* NULL appends nothing; text around it stays. */
        StrBuf b = {};
        strbuf_append(&b, "[");
        strbuf_append_html(&b, NULL);
        strbuf_append(&b, "]");
        _cleanup_free_ char *o = strbuf_steal(&b, NULL);
        ASSERT_STREQ(o, "[]");
}

static void test_label(void) {
        static const struct {
                const char *in, *out;
        } cases[] = {
                { "", "" },
                { "acme", "acme" },
                { "a\"b", "a\\\"b" },
                { "a\\b", "a\\\\b" },
                { "a\nb", "a\\nb" },
                { "\\\"\n", "\\\\\\\"\\n" },
                /* Nothing else is special in a label value. */
                { "<x> {y}='z',", "<x> {y}='z'," },
        };

        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                _cleanup_free_ char *o = label(cases[i].in);
                ASSERT_STREQ(o, cases[i].out);
        }
}

static void test_limits(void) {
        StrBuf b = { .max = 8 };
        size_t n = 0;

        strbuf_printf(&b, "%d-%s", 12, "ab");
        ASSERT_EQ(b.error, 0);
        strbuf_append(&b, "cdef");
        ASSERT_EQ(b.error, -E2BIG);
        /* The first error sticks: nothing more is written. */
        strbuf_append(&b, "x");
        ASSERT_EQ(b.error, -E2BIG);
        ASSERT_TRUE(strbuf_steal(&b, &n) == NULL);
        ASSERT_TRUE(b.data == NULL);

        StrBuf e = {};
        _cleanup_free_ char *s = strbuf_steal(&e, &n);
        ASSERT_STREQ(s, "");
        ASSERT_EQ(n, 0);
}

int main(void) {
        test_html();
        test_label();
        test_limits();
        return 0;
}
