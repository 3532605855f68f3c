/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <stdio.h>

#include "form-encode.h"
#include "test-helpers.h"

/* One pair, name "v", encoded in encoding; the body without "v=". */
static char *enc_n(const char *encoding, const char *value, size_t len) {
        _cleanup_(form_encoder_freep) FormEncoder *e = NULL;
        char *body = NULL, *v;

        ASSERT_OK(form_encoder_new(encoding, &e));
        ASSERT_OK(form_encoder_add(e, "v", 1, value, len));
        ASSERT_OK(form_encoder_steal(e, &body));
        ASSERT_TRUE(strncmp(body, "v=", 2) == 0);
        v = strdup(body + 2);
        ASSERT_TRUE(v);
        free(body);
        return v;
}

static char *enc(const char *encoding, const char *value) {
        return enc_n(encoding, value, strlen(value));
}

#define ASSERT_ENC(encoding, value, want)                               \
        do {                                                            \
                _cleanup_free_ char *_s = enc((encoding), (value));     \
                ASSERT_STREQ(_s, (want));                               \
        } while (0)

static void test_labels(void) {
        ASSERT_STREQ(form_encoding_from_label("utf-8"), "UTF-8");
        ASSERT_STREQ(form_encoding_from_label(" \tUTF8\n"), "UTF-8");
        /* Latin-1 and ASCII are windows-1252 on the web. */
        ASSERT_STREQ(form_encoding_from_label("ISO-8859-1"), "windows-1252");
        ASSERT_STREQ(form_encoding_from_label("us-ascii"), "windows-1252");
        ASSERT_STREQ(form_encoding_from_label("latin1"), "windows-1252");
        ASSERT_STREQ(form_encoding_from_label("sjis"), "Shift_JIS");
        ASSERT_STREQ(form_encoding_from_label("ks_c_5601-1987"), "EUC-KR");
        ASSERT_STREQ(form_encoding_from_label("iso-2022-cn-ext"), "replacement");
        ASSERT_STREQ(form_encoding_from_label("utf-16"), "UTF-16LE");
        /* What glibc has but the web does not. */
        ASSERT_TRUE(!form_encoding_from_label("ebcdic-us"));
        ASSERT_TRUE(!form_encoding_from_label("IBM037"));
        ASSERT_TRUE(!form_encoding_from_label("utf-7"));
        ASSERT_TRUE(!form_encoding_from_label("utf-32"));
        ASSERT_TRUE(!form_encoding_from_label("utf-8 latin1"));
        ASSERT_TRUE(!form_encoding_from_label(""));
        ASSERT_TRUE(!form_encoding_from_label("x"));
        ASSERT_TRUE(!form_encoding_from_label(NULL));
}

static void test_pick(void) {
        /* No accept-charset: the page's, through the list. */
        ASSERT_STREQ(form_encoding_pick(NULL, "iso-8859-1"), "windows-1252");
        ASSERT_STREQ(form_encoding_pick(NULL, "Shift_JIS"), "Shift_JIS");
        ASSERT_STREQ(form_encoding_pick(NULL, NULL), "UTF-8");
        ASSERT_STREQ(form_encoding_pick(NULL, "EBCDIC-US"), "UTF-8");
        /* UTF-16 and the replacement encoding submit as UTF-8. */
        ASSERT_STREQ(form_encoding_pick(NULL, "UTF-16"), "UTF-8");
        ASSERT_STREQ(form_encoding_pick(NULL, "utf-16be"), "UTF-8");
        ASSERT_STREQ(form_encoding_pick(NULL, "iso-2022-kr"), "UTF-8");
        ASSERT_STREQ(form_encoding_pick("utf-16le", "windows-1252"), "UTF-8");
        /* accept-charset: the first label that is an encoding. */
        ASSERT_STREQ(form_encoding_pick("ebcdic-us utf-7 koi8-r utf-8", "utf-8"), "KOI8-R");
        ASSERT_STREQ(form_encoding_pick("  windows-1251\t", "utf-8"), "windows-1251");
        /* …none: UTF-8, as browsers do, whatever the page's. */
        ASSERT_STREQ(form_encoding_pick("ebcdic-us utf-7", "iso-8859-2"), "UTF-8");
        ASSERT_STREQ(form_encoding_pick("", "iso-8859-2"), "UTF-8");
        /* Split on blanks only: "utf-8," is no label. */
        ASSERT_STREQ(form_encoding_pick("utf-8, latin2", "utf-8"), "ISO-8859-2");

        /* Only output encodings open, and nothing outside the list. */
        FormEncoder *e = NULL;
        ASSERT_ERR(form_encoder_new("UTF-16LE", &e), EINVAL);
        ASSERT_ERR(form_encoder_new("replacement", &e), EINVAL);
        ASSERT_ERR(form_encoder_new("IBM037", &e), EINVAL);
        ASSERT_ERR(form_encoder_new("UTF-7", &e), EINVAL);
        ASSERT_ERR(form_encoder_new(NULL, &e), EINVAL);
        ASSERT_TRUE(!e);
}

static void test_encode(void) {
        ASSERT_ENC("UTF-8", "a b&c=d/é€", "a+b%26c%3Dd%2F%C3%A9%E2%82%AC");
        ASSERT_ENC("UTF-8", "*-._~", "*-._%7E");
        ASSERT_ENC("UTF-8", "", "");
        /* € is 0x80 in windows-1252; Ā (U+0100) is not in it. */
        ASSERT_ENC("windows-1252", "ü€Ā", "%FC%80%26%23256%3B");
        ASSERT_ENC("KOI8-R", "Жx", "%F6x");
        ASSERT_ENC("Shift_JIS", "日本", "%93%FA%96%7B");
        ASSERT_ENC("EUC-KR", "한", "%C7%D1");
        ASSERT_ENC("gb18030", "中", "%D6%D0");
        /* A stateful encoding: each string ends back in ASCII, and a
         * reference for a missing character is written in ASCII. */
        ASSERT_ENC("ISO-2022-JP", "日a", "%1B%24BF%7C%1B%28Ba");
        ASSERT_ENC("ISO-2022-JP", "日é", "%1B%24BF%7C%1B%28B%26%23233%3B");
        ASSERT_ENC("x-user-defined", "a\xef\x9e\x80\xc3\xa9", "a%80%26%23233%3B");

        /* Not UTF-8: each bad sequence is one U+FFFD (WHATWG's decoder). */
        ASSERT_ENC("UTF-8", "a\xbb" "b", "a%EF%BF%BDb");
        ASSERT_ENC("UTF-8", "\xe2\x82", "%EF%BF%BD");                  /* cut short */
        ASSERT_ENC("UTF-8", "\xe2\x82" "a", "%EF%BF%BDa");
        ASSERT_ENC("UTF-8", "\xc0\xaf", "%EF%BF%BD%EF%BF%BD");         /* overlong */
        ASSERT_ENC("UTF-8", "\xed\xa0\x80", "%EF%BF%BD%EF%BF%BD%EF%BF%BD"); /* a surrogate */
        ASSERT_ENC("UTF-8", "\xf4\x90\x80\x80", "%EF%BF%BD%EF%BF%BD%EF%BF%BD%EF%BF%BD"); /* past U+10FFFF */
        ASSERT_ENC("windows-1252", "\xbb\xbb", "%26%2365533%3B%26%2365533%3B");

        /* By length, not as a C string: a NUL is a byte like any other. */
        _cleanup_free_ char *nul = enc_n("UTF-8", "a\0b", 3);
        ASSERT_STREQ(nul, "a%00b");
}

/* The worst growth a value can cause: 14 bytes out for each stray byte in,
 * in every budget — the old fixed 4×+16 buffer overflowed on this. */
static void test_growth(void) {
        static const size_t sizes[] = { 1, 7, 8, 23, 33, 255, 256, 4096, 100000 };

        for (size_t s = 0; s < ELEMENTSOF(sizes); s++) {
                size_t n = sizes[s];
                _cleanup_free_ char *in = malloc(n);
                ASSERT_TRUE(in);
                memset(in, 0xbb, n);
                _cleanup_free_ char *out = enc_n("windows-1252", in, n);
                ASSERT_EQ(strlen(out), n * strlen("%26%2365533%3B"));
                for (size_t i = 0; i < n; i++)
                        ASSERT_TRUE(strncmp(out + i * 14, "%26%2365533%3B", 14) == 0);
        }
}

static void test_cap(void) {
        _cleanup_(form_encoder_freep) FormEncoder *e = NULL;
        size_t n = FORM_BODY_MAX / 14 + 1;
        _cleanup_free_ char *in = malloc(n), *body = NULL;

        ASSERT_TRUE(in);
        memset(in, 0xbb, n);
        ASSERT_OK(form_encoder_new("windows-1252", &e));
        ASSERT_ERR(form_encoder_add(e, "v", 1, in, n), E2BIG);
        /* A failed encoder stays failed: no half a body goes out. */
        ASSERT_ERR(form_encoder_add(e, "w", 1, "x", 1), E2BIG);
        ASSERT_ERR(form_encoder_steal(e, &body), E2BIG);
        ASSERT_TRUE(!body);
}

static void test_pairs(void) {
        _cleanup_(form_encoder_freep) FormEncoder *e = NULL;
        _cleanup_free_ char *body = NULL, *empty = NULL;

        ASSERT_OK(form_encoder_new("UTF-8", &e));
        ASSERT_OK(form_encoder_add(e, "a b", 3, "1", 1));
        ASSERT_OK(form_encoder_add(e, "c", 1, "", 0));
        ASSERT_OK(form_encoder_steal(e, &body));
        ASSERT_STREQ(body, "a+b=1&c=");
        /* After stealing, a new body begins. */
        ASSERT_OK(form_encoder_steal(e, &empty));
        ASSERT_STREQ(empty, "");
}

int main(void) {
        test_labels();
        test_pick();
        test_encode();
        test_growth();
        test_cap();
        test_pairs();
        return 0;
}
