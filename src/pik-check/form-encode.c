/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <iconv.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "form-encode.h"

/* The WHATWG Encoding Standard's encodings (§ 4.2 "Names and labels") and
 * the glibc converter that implements each for encoding. Only these are
 * ever opened: a page cannot pick a converter of its own. The CJK ones are
 * the supersets browsers really use (Shift_JIS is Windows-31J, EUC-KR is
 * UHC, Big5 is Big5-HKSCS). NULL: no converter (UTF-8 needs none; the
 * others are not output encodings). */
typedef enum Special {
        SPECIAL_NONE,
        SPECIAL_UTF8,           /* also the output encoding of the next two */
        SPECIAL_UTF16,
        SPECIAL_REPLACEMENT,
        SPECIAL_USER_DEFINED,   /* x-user-defined: bytes 0x80-0xFF are U+F780-U+F7FF */
} Special;

static const struct {
        const char *name;
        const char *iconv_name;
        Special special;
        const char *labels;     /* blank-separated, lower case */
} encodings[] = {
        { "UTF-8", NULL, SPECIAL_UTF8,
          "unicode-1-1-utf-8 unicode11utf8 unicode20utf8 utf-8 utf8 x-unicode20utf8" },
        { "IBM866", "IBM866", 0, "866 cp866 csibm866 ibm866" },
        { "ISO-8859-2", "ISO-8859-2", 0,
          "csisolatin2 iso-8859-2 iso-ir-101 iso8859-2 iso88592 iso_8859-2 iso_8859-2:1987 l2 latin2" },
        { "ISO-8859-3", "ISO-8859-3", 0,
          "csisolatin3 iso-8859-3 iso-ir-109 iso8859-3 iso88593 iso_8859-3 iso_8859-3:1988 l3 latin3" },
        { "ISO-8859-4", "ISO-8859-4", 0,
          "csisolatin4 iso-8859-4 iso-ir-110 iso8859-4 iso88594 iso_8859-4 iso_8859-4:1988 l4 latin4" },
        { "ISO-8859-5", "ISO-8859-5", 0,
          "csisolatincyrillic cyrillic iso-8859-5 iso-ir-144 iso8859-5 iso88595 iso_8859-5 iso_8859-5:1988" },
        { "ISO-8859-6", "ISO-8859-6", 0,
          "arabic asmo-708 csiso88596e csiso88596i csisolatinarabic ecma-114 iso-8859-6 iso-8859-6-e "
          "iso-8859-6-i iso-ir-127 iso8859-6 iso88596 iso_8859-6 iso_8859-6:1987" },
        { "ISO-8859-7", "ISO-8859-7", 0,
          "csisolatingreek ecma-118 elot_928 greek greek8 iso-8859-7 iso-ir-126 iso8859-7 iso88597 "
          "iso_8859-7 iso_8859-7:1987 sun_eu_greek" },
        { "ISO-8859-8", "ISO-8859-8", 0,
          "csiso88598e csisolatinhebrew hebrew iso-8859-8 iso-8859-8-e iso-ir-138 iso8859-8 iso88598 "
          "iso_8859-8 iso_8859-8:1988 visual" },
        { "ISO-8859-8-I", "ISO-8859-8", 0, "csiso88598i iso-8859-8-i logical" },
        { "ISO-8859-10", "ISO-8859-10", 0,
          "csisolatin6 iso-8859-10 iso-ir-157 iso8859-10 iso885910 l6 latin6" },
        { "ISO-8859-13", "ISO-8859-13", 0, "iso-8859-13 iso8859-13 iso885913" },
        { "ISO-8859-14", "ISO-8859-14", 0, "iso-8859-14 iso8859-14 iso885914" },
        { "ISO-8859-15", "ISO-8859-15", 0, "csisolatin9 iso-8859-15 iso8859-15 iso885915 iso_8859-15 l9" },
        { "ISO-8859-16", "ISO-8859-16", 0, "iso-8859-16" },
        { "KOI8-R", "KOI8-R", 0, "cskoi8r koi koi8 koi8-r koi8_r" },
        { "KOI8-U", "KOI8-U", 0, "koi8-ru koi8-u" },
        { "macintosh", "MACINTOSH", 0, "csmacintosh mac macintosh x-mac-roman" },
        { "windows-874", "CP874", 0, "dos-874 iso-8859-11 iso8859-11 iso885911 tis-620 windows-874" },
        { "windows-1250", "CP1250", 0, "cp1250 windows-1250 x-cp1250" },
        { "windows-1251", "CP1251", 0, "cp1251 windows-1251 x-cp1251" },
        /* Latin-1 and ASCII labels are windows-1252 on the web. */
        { "windows-1252", "CP1252", 0,
          "ansi_x3.4-1968 ascii cp1252 cp819 csisolatin1 ibm819 iso-8859-1 iso-ir-100 iso8859-1 iso88591 "
          "iso_8859-1 iso_8859-1:1987 l1 latin1 us-ascii windows-1252 x-cp1252" },
        { "windows-1253", "CP1253", 0, "cp1253 windows-1253 x-cp1253" },
        { "windows-1254", "CP1254", 0,
          "cp1254 csisolatin5 iso-8859-9 iso-ir-148 iso8859-9 iso88599 iso_8859-9 iso_8859-9:1989 l5 "
          "latin5 windows-1254 x-cp1254" },
        { "windows-1255", "CP1255", 0, "cp1255 windows-1255 x-cp1255" },
        { "windows-1256", "CP1256", 0, "cp1256 windows-1256 x-cp1256" },
        { "windows-1257", "CP1257", 0, "cp1257 windows-1257 x-cp1257" },
        { "windows-1258", "CP1258", 0, "cp1258 windows-1258 x-cp1258" },
        { "x-mac-cyrillic", "MAC-CYRILLIC", 0, "x-mac-cyrillic x-mac-ukrainian" },
        { "GBK", "GBK", 0,
          "chinese csgb2312 csiso58gb231280 gb2312 gb_2312 gb_2312-80 gbk iso-ir-58 x-gbk" },
        { "gb18030", "GB18030", 0, "gb18030" },
        { "Big5", "BIG5-HKSCS", 0, "big5 big5-hkscs cn-big5 csbig5 x-x-big5" },
        { "EUC-JP", "EUC-JP", 0, "cseucpkdfmtjapanese euc-jp x-euc-jp" },
        { "ISO-2022-JP", "ISO-2022-JP", 0, "csiso2022jp iso-2022-jp" },
        { "Shift_JIS", "CP932", 0,
          "csshiftjis ms932 ms_kanji shift-jis shift_jis sjis windows-31j x-sjis" },
        { "EUC-KR", "CP949", 0,
          "cseuckr csksc56011987 euc-kr iso-ir-149 korean ks_c_5601-1987 ks_c_5601-1989 ksc5601 "
          "ksc_5601 windows-949" },
        { "replacement", NULL, SPECIAL_REPLACEMENT,
          "csiso2022kr hz-gb-2312 iso-2022-cn iso-2022-cn-ext iso-2022-kr replacement" },
        { "UTF-16BE", NULL, SPECIAL_UTF16, "unicodefffe utf-16be" },
        { "UTF-16LE", NULL, SPECIAL_UTF16,
          "csunicode iso-10646-ucs-2 ucs-2 unicode unicodefeff utf-16 utf-16le" },
        { "x-user-defined", NULL, SPECIAL_USER_DEFINED, "x-user-defined" },
};

static bool is_ascii_blank(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

/* Whether the blank-separated list holds the word (n bytes). */
static bool list_has(const char *list, const char *word, size_t n) {
        for (const char *p = list; *p; ) {
                size_t k = strcspn(p, " ");
                if (k == n && strncasecmp(p, word, n) == 0)
                        return true;
                p += k;
                p += strspn(p, " ");
        }
        return false;
}

static int lookup(const char *label, size_t n) {
        while (n > 0 && is_ascii_blank(*label))
                label++, n--;
        while (n > 0 && is_ascii_blank(label[n - 1]))
                n--;
        /* The longest label is 19 bytes; a word is no label if it has a
         * blank inside or a NUL. */
        if (n == 0 || n > 32 || memchr(label, 0, n))
                return -1;
        for (size_t i = 0; i < ELEMENTSOF(encodings); i++)
                if (list_has(encodings[i].labels, label, n))
                        return (int) i;
        return -1;
}

const char *form_encoding_from_label(const char *label) {
        int i = label ? lookup(label, strlen(label)) : -1;
        return i < 0 ? NULL : encodings[i].name;
}

static const char *output_encoding(int i) {
        if (i < 0 || encodings[i].special == SPECIAL_UTF16 || encodings[i].special == SPECIAL_REPLACEMENT)
                return "UTF-8";
        return encodings[i].name;
}

const char *form_encoding_pick(const char *accept_charset, const char *page_charset) {
        if (!accept_charset)
                return output_encoding(page_charset ? lookup(page_charset, strlen(page_charset)) : -1);

        /* HTML: split on ASCII whitespace; the first that is an encoding;
         * none is UTF-8 (not the page's encoding). */
        for (const char *p = accept_charset; *p; ) {
                size_t n;

                while (is_ascii_blank(*p))
                        p++;
                n = 0;
                while (p[n] && !is_ascii_blank(p[n]))
                        n++;
                if (n > 0) {
                        int i = lookup(p, n);
                        if (i >= 0)
                                return output_encoding(i);
                }
                p += n;
        }
        return "UTF-8";
}

struct FormEncoder {
        Special special;
        iconv_t cd;
        char *data;
        size_t size, alloc;
        int error;
};

FormEncoder *form_encoder_free(FormEncoder *e) {
        if (!e)
                return NULL;
        if (e->cd != (iconv_t) -1)
                iconv_close(e->cd);
        if (e->data)
                explicit_bzero(e->data, e->alloc);
        free(e->data);
        free(e);
        return NULL;
}

int form_encoder_new(const char *encoding, FormEncoder **ret) {
        _cleanup_(form_encoder_freep) FormEncoder *e = NULL;
        int i = -1;

        for (size_t k = 0; encoding && k < ELEMENTSOF(encodings); k++)
                if (streq(encodings[k].name, encoding))
                        i = (int) k;
        /* Only output encodings: what form_encoding_pick() returns. */
        if (i < 0 || encodings[i].special == SPECIAL_UTF16 || encodings[i].special == SPECIAL_REPLACEMENT)
                return -EINVAL;

        e = calloc(1, sizeof *e);
        if (!e)
                return -ENOMEM;
        e->special = encodings[i].special;
        e->cd = (iconv_t) -1;
        if (encodings[i].iconv_name) {
                e->cd = iconv_open(encodings[i].iconv_name, "UTF-8");
                if (e->cd == (iconv_t) -1)
                        return errno == ENOMEM ? -ENOMEM : -EIO;
        }
        *ret = TAKE_PTR(e);
        return 0;
}

/* Grows by doubling; the old buffer is wiped, not left behind by realloc. */
static int reserve(FormEncoder *e, size_t n) {
        size_t a;
        char *d;

        if (e->size + n + 1 <= e->alloc)
                return 0;
        if (e->size + n + 1 > FORM_BODY_MAX + 1)
                return -E2BIG;
        a = MAX(MAX(e->alloc * 2, (size_t) 256), e->size + n + 1);
        a = MIN(a, (size_t) FORM_BODY_MAX + 1);
        d = malloc(a);
        if (!d)
                return -ENOMEM;
        if (e->data) {
                memcpy(d, e->data, e->size);
                explicit_bzero(e->data, e->alloc);
                free(e->data);
        }
        e->data = d;
        e->alloc = a;
        return 0;
}

static int put(FormEncoder *e, const char *s, size_t n) {
        int r = reserve(e, n);
        if (r < 0)
                return r;
        memcpy(e->data + e->size, s, n);
        e->size += n;
        e->data[e->size] = 0;
        return 0;
}

/* application/x-www-form-urlencoded percent-encoding of bytes. */
static int put_bytes(FormEncoder *e, const unsigned char *s, size_t n) {
        static const char hex[] = "0123456789ABCDEF";
        int r;

        r = reserve(e, n * 3);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                unsigned char c = s[i];
                char *o = e->data + e->size;

                if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '*' || c == '-' || c == '.' || c == '_')
                        *o = (char) c, e->size += 1;
                else if (c == ' ')
                        *o = '+', e->size += 1;
                else {
                        o[0] = '%', o[1] = hex[c >> 4], o[2] = hex[c & 15];
                        e->size += 3;
                }
        }
        e->data[e->size] = 0;
        return 0;
}

/* The WHATWG UTF-8 decoder, one code point at a time: each maximal bad
 * subsequence is one U+FFFD, and a byte that cannot continue a sequence is
 * read again as a start. Returns the bytes consumed (at least 1). */
static size_t utf8_next(const unsigned char *s, size_t n, uint32_t *ret) {
        unsigned char c = s[0], lower = 0x80, upper = 0xbf;
        size_t need;
        uint32_t cp;

        if (c < 0x80) {
                *ret = c;
                return 1;
        }
        if (c >= 0xc2 && c <= 0xdf)
                need = 1, cp = c & 0x1f;
        else if (c >= 0xe0 && c <= 0xef) {
                need = 2, cp = c & 0x0f;
                if (c == 0xe0)
                        lower = 0xa0;
                if (c == 0xed)
                        upper = 0x9f;   /* no surrogates */
        } else if (c >= 0xf0 && c <= 0xf4) {
                need = 3, cp = c & 0x07;
                if (c == 0xf0)
                        lower = 0x90;
                if (c == 0xf4)
                        upper = 0x8f;
        } else {
                *ret = 0xfffd;
                return 1;
        }
        for (size_t k = 1; k <= need; k++) {
                if (k >= n || s[k] < lower || s[k] > upper) {
                        *ret = 0xfffd;
                        return k;
                }
                lower = 0x80, upper = 0xbf;
                cp = (cp << 6) | (s[k] & 0x3f);
        }
        *ret = cp;
        return need + 1;
}

static size_t utf8_put(uint32_t cp, unsigned char out[static 4]) {
        if (cp < 0x80) {
                out[0] = (unsigned char) cp;
                return 1;
        }
        if (cp < 0x800) {
                out[0] = (unsigned char) (0xc0 | (cp >> 6));
                out[1] = (unsigned char) (0x80 | (cp & 0x3f));
                return 2;
        }
        if (cp < 0x10000) {
                out[0] = (unsigned char) (0xe0 | (cp >> 12));
                out[1] = (unsigned char) (0x80 | ((cp >> 6) & 0x3f));
                out[2] = (unsigned char) (0x80 | (cp & 0x3f));
                return 3;
        }
        out[0] = (unsigned char) (0xf0 | (cp >> 18));
        out[1] = (unsigned char) (0x80 | ((cp >> 12) & 0x3f));
        out[2] = (unsigned char) (0x80 | ((cp >> 6) & 0x3f));
        out[3] = (unsigned char) (0x80 | (cp & 0x3f));
        return 4;
}

/* in through the converter, into out (room: *out_len); 0, or -EILSEQ when
 * the encoding lacks the character. Stateful encodings (ISO-2022-JP) keep
 * their shift state between calls. */
static int through(FormEncoder *e, const char *in, size_t in_len, unsigned char *out, size_t *out_len) {
        char *i = (char *) in, *o = (char *) out;
        size_t left = *out_len;

        if (iconv(e->cd, &i, &in_len, &o, &left) == (size_t) -1)
                return errno == EILSEQ || errno == EINVAL ? -EILSEQ : -EIO;
        *out_len -= left;
        return 0;
}

/* One code point in the encoding; a numeric character reference when the
 * encoding lacks it (in the encoding too: ISO-2022-JP may need to shift
 * back to ASCII first). */
static int put_code_point(FormEncoder *e, uint32_t cp) {
        unsigned char u[4], out[32];
        size_t n = sizeof out;
        char ref[16];
        int r, k;

        switch (e->special) {
        case SPECIAL_UTF8:
                return put_bytes(e, u, utf8_put(cp, u));
        case SPECIAL_USER_DEFINED:
                if (cp < 0x80 || (cp >= 0xf780 && cp <= 0xf7ff)) {
                        u[0] = (unsigned char) (cp < 0x80 ? cp : cp - 0xf780 + 0x80);
                        return put_bytes(e, u, 1);
                }
                k = snprintf(ref, sizeof ref, "&#%u;", (unsigned) cp);
                return put_bytes(e, (const unsigned char *) ref, (size_t) k);
        default:
                break;
        }

        r = through(e, (const char *) u, utf8_put(cp, u), out, &n);
        if (r == -EILSEQ) {
                k = snprintf(ref, sizeof ref, "&#%u;", (unsigned) cp);
                n = sizeof out;
                r = through(e, ref, (size_t) k, out, &n);
        }
        if (r < 0)
                return r;
        return put_bytes(e, out, n);
}

static int put_string(FormEncoder *e, const char *s, size_t len) {
        const unsigned char *p = (const unsigned char *) s;
        unsigned char out[32];
        size_t n = sizeof out;
        char *o = (char *) out;
        int r;

        if (e->cd != (iconv_t) -1)
                iconv(e->cd, NULL, NULL, NULL, NULL);
        while (len > 0) {
                uint32_t cp;
                size_t k = utf8_next(p, len, &cp);

                r = put_code_point(e, cp);
                if (r < 0)
                        return r;
                p += k, len -= k;
        }
        /* Each string ends in the encoding's initial state (ISO-2022-JP:
         * back to ASCII). */
        if (e->cd == (iconv_t) -1)
                return 0;
        if (iconv(e->cd, NULL, NULL, &o, &n) == (size_t) -1)
                return -EIO;
        return put_bytes(e, out, sizeof out - n);
}

int form_encoder_add(FormEncoder *e, const char *name, size_t name_len, const char *value, size_t value_len) {
        int r;

        if (e->error < 0)
                return e->error;
        r = e->size > 0 ? put(e, "&", 1) : 0;
        if (r >= 0)
                r = put_string(e, name, name_len);
        if (r >= 0)
                r = put(e, "=", 1);
        if (r >= 0)
                r = put_string(e, value, value_len);
        if (r < 0)
                e->error = r;
        return r;
}

int form_encoder_steal(FormEncoder *e, char **ret) {
        int r;

        if (e->error < 0)
                return e->error;
        r = reserve(e, 0);      /* an empty body is "" */
        if (r < 0)
                return r;
        e->data[e->size] = 0;
        *ret = TAKE_PTR(e->data);
        e->size = e->alloc = 0;
        return 0;
}
