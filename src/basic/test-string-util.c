/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "string-util.h"
/* Header-only assertion macros; src/basic tests do not link test-helpers.c. */
#include "../shared/test-helpers.h"

#define ASSERT_U64(a, b) ASSERT_TRUE((uint64_t) (a) == (uint64_t) (b))

static void test_utf8_is_valid(void) {
        static const char *const valid[] = {
                "",
                "ascii only",
                "caf\xc3\xa9",                  /* U+00E9 */
                "\xc2\x80",                     /* U+0080, smallest 2-byte */
                "\xdf\xbf",                     /* U+07FF, largest 2-byte */
                "\xe0\xa0\x80",                 /* U+0800, smallest 3-byte */
                "\xe2\x82\xac",                 /* U+20AC euro */
                "\xed\x9f\xbf",                 /* U+D7FF, just below the surrogates */
                "\xee\x80\x80",                 /* U+E000, just above */
                "\xef\xbf\xbf",                 /* U+FFFF */
                "\xf0\x90\x80\x80",             /* U+10000, smallest 4-byte */
                "\xf0\x9f\x98\x80",             /* U+1F600 */
                "\xf4\x8f\xbf\xbf",             /* U+10FFFF, the last code point */
                "\x7f",
        };
        static const char *const invalid[] = {
                "\x80",                         /* lone continuation byte */
                "a\xbf" "b",
                "\xc3",                         /* truncated at the end */
                "\xc3" "a",                     /* continuation missing */
                "\xe2\x82",                     /* truncated 3-byte */
                "\xf0\x9f\x98",                 /* truncated 4-byte */
                "\xc0\xaf",                     /* overlong '/' */
                "\xc1\xbf",                     /* overlong U+007F */
                "\xe0\x80\xaf",                 /* overlong '/' in 3 bytes */
                "\xe0\x9f\xbf",                 /* overlong U+07FF */
                "\xf0\x80\x80\xaf",             /* overlong '/' in 4 bytes */
                "\xf0\x8f\xbf\xbf",             /* overlong U+FFFF */
                "\xed\xa0\x80",                 /* U+D800, a surrogate */
                "\xed\xbf\xbf",                 /* U+DFFF */
                "\xed\xa0\xbd\xed\xb8\x80",     /* CESU-8 pair */
                "\xf4\x90\x80\x80",             /* U+110000 */
                "\xf5\x80\x80\x80",
                "\xf8\x88\x80\x80\x80",         /* 5-byte form */
                "\xfc\x84\x80\x80\x80\x80",     /* 6-byte form */
                "\xfe",
                "\xff",
                "ok\xe2\x82\xac then \xe2\x28\xa1",
        };

        for (size_t i = 0; i < ELEMENTSOF(valid); i++) {
                if (!utf8_is_valid(valid[i]))
                        fprintf(stderr, "valid[%zu] rejected\n", i);
                ASSERT_TRUE(utf8_is_valid(valid[i]));
        }
        for (size_t i = 0; i < ELEMENTSOF(invalid); i++) {
                if (utf8_is_valid(invalid[i]))
                        fprintf(stderr, "invalid[%zu] accepted\n", i);
                ASSERT_TRUE(!utf8_is_valid(invalid[i]));
        }

        /* Every 2-byte sequence against a reference decoder. */
        for (unsigned a = 0x80; a <= 0xFF; a++)
                for (unsigned b = 0x01; b <= 0xFF; b++) {
                        char s[3] = { (char) a, (char) b, 0 };
                        bool expect = a >= 0xC2 && a <= 0xDF && (b & 0xC0) == 0x80;
                        ASSERT_EQ(utf8_is_valid(s), expect);
                }
}

static void test_text_validate(void) {
        char buf[PIK_TEXT_MAX + 2];

        ASSERT_OK(text_validate("", 0));
        ASSERT_OK(text_validate("hello", 5));
        ASSERT_ERR(text_validate("hello", 4), E2BIG);
        ASSERT_OK(text_validate("caf\xc3\xa9", 5));   /* the cap is in bytes */
        ASSERT_ERR(text_validate("caf\xc3\xa9", 4), E2BIG);
        ASSERT_ERR(text_validate(NULL, 10), EINVAL);

        /* At the cap and one past it. */
        memset(buf, 'x', sizeof buf);
        buf[PIK_TEXT_MAX] = 0;
        ASSERT_OK(text_validate(buf, PIK_TEXT_MAX));
        buf[PIK_TEXT_MAX] = 'x';
        buf[PIK_TEXT_MAX + 1] = 0;
        ASSERT_ERR(text_validate(buf, PIK_TEXT_MAX), E2BIG);

        /* Length is checked before the content. */
        ASSERT_ERR(text_validate("\xff\xff\xff", 2), E2BIG);
        ASSERT_ERR(text_validate("ab\xff", 10), EILSEQ);
        ASSERT_ERR(text_validate("\xc0\xaf", 10), EILSEQ);
        ASSERT_ERR(text_validate("\xed\xa0\x80", 10), EILSEQ);

        /* Control characters: C0, DEL, C1. */
        ASSERT_ERR(text_validate("a\nb", 10), EINVAL);
        ASSERT_ERR(text_validate("a\tb", 10), EINVAL);
        ASSERT_ERR(text_validate("\r", 10), EINVAL);
        ASSERT_ERR(text_validate("\x1b[31m", 10), EINVAL);
        ASSERT_ERR(text_validate("\x01", 10), EINVAL);
        ASSERT_ERR(text_validate("\x1f", 10), EINVAL);
        ASSERT_ERR(text_validate("del\x7f", 10), EINVAL);
        ASSERT_ERR(text_validate("\xc2\x80", 10), EINVAL);      /* U+0080 */
        ASSERT_ERR(text_validate("a\xc2\x9b" "31m", 10), EINVAL); /* U+009B, CSI */
        ASSERT_ERR(text_validate("\xc2\x9f", 10), EINVAL);      /* U+009F */
        ASSERT_OK(text_validate("\xc2\xa0", 10));               /* U+00A0, no-break space */
        ASSERT_OK(text_validate("\xc3\x80", 10));               /* U+00C0 */
        ASSERT_OK(text_validate(" ~", 10));
        ASSERT_OK(text_validate("\xe2\x80\x8b", 10));           /* U+200B is a format char, not Cc */
}

static void test_code_is_valid(void) {
        char buf[PIK_CODE_MAX + 2];

        ASSERT_TRUE(code_is_valid("acme"));
        ASSERT_TRUE(code_is_valid("a"));
        ASSERT_TRUE(code_is_valid("0"));
        ASSERT_TRUE(code_is_valid("9lives"));
        ASSERT_TRUE(code_is_valid("acme-bank_eu.2"));
        ASSERT_TRUE(code_is_valid("a..b"));
        ASSERT_TRUE(code_is_valid("a-"));

        ASSERT_TRUE(!code_is_valid(NULL));
        ASSERT_TRUE(!code_is_valid(""));
        ASSERT_TRUE(!code_is_valid("Acme"));
        ASSERT_TRUE(!code_is_valid("acmE"));
        ASSERT_TRUE(!code_is_valid("-acme"));
        ASSERT_TRUE(!code_is_valid("_acme"));
        ASSERT_TRUE(!code_is_valid(".acme"));
        ASSERT_TRUE(!code_is_valid(".."));
        ASSERT_TRUE(!code_is_valid("a/b"));
        ASSERT_TRUE(!code_is_valid("a b"));
        ASSERT_TRUE(!code_is_valid("a\nb"));
        ASSERT_TRUE(!code_is_valid("caf\xc3\xa9"));
        ASSERT_TRUE(!code_is_valid("a:b"));

        memset(buf, 'a', sizeof buf);
        buf[PIK_CODE_MAX] = 0;
        ASSERT_TRUE(code_is_valid(buf));
        buf[PIK_CODE_MAX] = 'a';
        buf[PIK_CODE_MAX + 1] = 0;
        ASSERT_TRUE(!code_is_valid(buf));
}

static void test_hash64(void) {
        /* FNV-1a 64 reference vectors (Fowler/Noll/Vo test suite). They pin
         * shard assignment and schedule spread: they must never change. */
        ASSERT_U64(hash64_str(""), UINT64_C(0xcbf29ce484222325));
        ASSERT_U64(hash64_str("a"), UINT64_C(0xaf63dc4c8601ec8c));
        ASSERT_U64(hash64_str("b"), UINT64_C(0xaf63df4c8601f1a5));
        ASSERT_U64(hash64_str("foobar"), UINT64_C(0x85944171f73967e8));
        ASSERT_U64(hash64_str("chongo was here!\n"), UINT64_C(0x46810940eff5f915));
        ASSERT_U64(hash64("", 0), UINT64_C(0xcbf29ce484222325));
        ASSERT_U64(hash64("\0", 1), UINT64_C(0xaf63bd4c8601b7df));
        /* Bytes, not chars: no sign extension of high bytes. */
        ASSERT_U64(hash64("\xff", 1), UINT64_C(0xaf64724c8602eb6e));
        ASSERT_U64(hash64("foobar", 3), hash64_str("foo"));
        ASSERT_TRUE(hash64_str("acme") != hash64_str("acmf"));
}

static void test_startswith(void) {
        ASSERT_TRUE(startswith("pik-check@42.service", "pik-check@"));
        ASSERT_TRUE(startswith("abc", ""));
        ASSERT_TRUE(startswith("", ""));
        ASSERT_TRUE(startswith("abc", "abc"));
        ASSERT_TRUE(!startswith("ab", "abc"));
        ASSERT_TRUE(!startswith("", "a"));
        ASSERT_TRUE(!startswith("xabc", "abc"));
}

static void test_strv_split_comma(void) {
        char **l = NULL;

        ASSERT_EQ(strv_split_comma("firefox", 10, &l), 1);
        ASSERT_STREQ(l[0], "firefox");
        ASSERT_TRUE(!l[1]);
        l = strv_free(l);

        ASSERT_EQ(strv_split_comma(" firefox ,\tchrome\t, curl", 10, &l), 3);
        ASSERT_STREQ(l[0], "firefox");
        ASSERT_STREQ(l[1], "chrome");
        ASSERT_STREQ(l[2], "curl");
        ASSERT_TRUE(!l[3]);
        ASSERT_EQ(strv_length(l), 3);
        {
                _cleanup_free_ char *j = strjoin_comma(l);
                ASSERT_STREQ(j, "firefox,chrome,curl");
        }
        l = strv_free(l);

        /* Blanks inside an item are kept. */
        ASSERT_EQ(strv_split_comma("a b, c", 10, &l), 2);
        ASSERT_STREQ(l[0], "a b");
        l = strv_free(l);

        /* Empty items are errors, and ret is untouched. */
        ASSERT_ERR(strv_split_comma("", 10, &l), EINVAL);
        ASSERT_ERR(strv_split_comma(" ", 10, &l), EINVAL);
        ASSERT_ERR(strv_split_comma(",", 10, &l), EINVAL);
        ASSERT_ERR(strv_split_comma("a,", 10, &l), EINVAL);
        ASSERT_ERR(strv_split_comma(",a", 10, &l), EINVAL);
        ASSERT_ERR(strv_split_comma("a,,b", 10, &l), EINVAL);
        ASSERT_ERR(strv_split_comma("a, \t,b", 10, &l), EINVAL);
        ASSERT_ERR(strv_split_comma(NULL, 10, &l), EINVAL);
        ASSERT_TRUE(!l);

        /* The cap on items. */
        ASSERT_EQ(strv_split_comma("a,b,c", 3, &l), 3);
        l = strv_free(l);
        ASSERT_ERR(strv_split_comma("a,b,c,d", 3, &l), E2BIG);
        ASSERT_ERR(strv_split_comma("a", 0, &l), E2BIG);
        ASSERT_TRUE(!l);
}

static void test_strv_misc(void) {
        char *empty[] = { NULL };
        char *one[] = { (char *) "x", NULL };
        _cleanup_free_ char *a = strjoin_comma(empty), *b = strjoin_comma(one), *c = strjoin_comma(NULL);

        ASSERT_EQ(strv_length(NULL), 0);
        ASSERT_EQ(strv_length(empty), 0);
        ASSERT_EQ(strv_length(one), 1);
        ASSERT_STREQ(a, "");
        ASSERT_STREQ(b, "x");
        ASSERT_STREQ(c, "");
        ASSERT_TRUE(!strv_free(NULL));
}

static void test_snippet(void) {
        char buf[8 + 4];

        /* Terminal escapes, BEL, DEL and C1 CSI become '?'; UTF-8 stays. */
        ASSERT_STREQ(SNIPPET("\x1b]0;X\x07"), "?]0;X?");
        ASSERT_STREQ(SNIPPET("a\x7f\xc2\x9b" "2J caf\xc3\xa9"), "a??2J caf\xc3\xa9");
        ASSERT_STREQ(SNIPPET("tab\tnl\n"), "tab?nl?");
        /* Bytes that are not UTF-8 (a lone 0x9B is CSI in 8-bit locales). */
        ASSERT_STREQ(SNIPPET("\x9b" "31m\xff\xe2\x82"), "?31m???");
        ASSERT_STREQ(SNIPPET(""), "");

        /* Cut at max bytes, never inside a character, with "...". */
        ASSERT_STREQ(snippet(buf, 8, "12345678", SIZE_MAX), "12345678");
        ASSERT_STREQ(snippet(buf, 8, "123456789", SIZE_MAX), "12345678...");
        ASSERT_STREQ(snippet(buf, 8, "1234567\xc3\xa9", SIZE_MAX), "1234567...");
        /* Only the first n bytes; a character cut by n is not UTF-8. */
        ASSERT_STREQ(snippet(buf, 8, "abcdef", 3), "abc");
        ASSERT_STREQ(snippet(buf, 8, "ab\xc3\xa9", 3), "ab?");
}

int main(void) {
        test_utf8_is_valid();
        test_text_validate();
        test_code_is_valid();
        test_hash64();
        test_startswith();
        test_strv_split_comma();
        test_strv_misc();
        test_snippet();
        return 0;
}
