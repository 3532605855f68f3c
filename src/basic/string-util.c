/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "string-util.h"

/* The length of the valid UTF-8 sequence at p (1 for ASCII), or 0. */
static size_t utf8_char_len(const unsigned char *p) {
        unsigned n;
        uint32_t cp;

        if (*p < 0x80)
                return 1;
        else if ((*p & 0xE0) == 0xC0) {
                n = 1;
                cp = *p & 0x1F;
        } else if ((*p & 0xF0) == 0xE0) {
                n = 2;
                cp = *p & 0x0F;
        } else if ((*p & 0xF8) == 0xF0) {
                n = 3;
                cp = *p & 0x07;
        } else
                return 0;

        for (unsigned i = 1; i <= n; i++) {
                if ((p[i] & 0xC0) != 0x80)
                        return 0;
                cp = (cp << 6) | (p[i] & 0x3F);
        }

        /* Reject overlong forms, surrogates and out-of-range values. */
        if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
            (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
                return 0;
        return n + 1;
}

bool utf8_is_valid(const char *s) {
        const unsigned char *p = (const unsigned char *) s;

        while (*p) {
                size_t n = utf8_char_len(p);
                if (n == 0)
                        return false;
                p += n;
        }
        return true;
}

const char *snippet(char *buf, size_t max, const char *s, size_t n) {
        const unsigned char *p = (const unsigned char *) s;
        size_t i = 0, o = 0;

        while (i < n && p[i]) {
                size_t l = utf8_char_len(p + i);
                /* C0, DEL and C1 (U+0080..U+009F, C2 80..C2 9F): U+009B is
                 * CSI to some terminals. A byte that is not UTF-8 may be
                 * one of those to a terminal in another locale. */
                bool control = l == 0 || (l == 1 && (p[i] < 0x20 || p[i] == 0x7F)) ||
                               (l == 2 && p[i] == 0xC2 && p[i + 1] <= 0x9F);
                size_t w = control ? 1 : l;

                if (l == 0)
                        l = 1;
                /* A sequence cut by n counts as not UTF-8. */
                if (i + l > n) {
                        l = 1;
                        w = 1;
                        control = true;
                }
                if (o + w > max)
                        break;
                if (control)
                        buf[o] = '?';
                else
                        memcpy(buf + o, p + i, l);
                o += w;
                i += l;
        }
        if (i < n && p[i]) {
                memcpy(buf + o, "...", 3);
                o += 3;
        }
        buf[o] = 0;
        return buf;
}

int text_validate(const char *s, size_t max) {
        if (!s)
                return -EINVAL;
        if (strnlen(s, max + 1) > max)
                return -E2BIG;
        if (!utf8_is_valid(s))
                return -EILSEQ;
        /* C0, DEL and C1 (U+0080..U+009F, only ever encoded as C2 80..C2 9F
         * in valid UTF-8): U+009B is CSI to some terminals. */
        for (const unsigned char *p = (const unsigned char *) s; *p; p++)
                if (*p < 0x20 || *p == 0x7F || (p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F))
                        return -EINVAL;
        return 0;
}

bool code_is_valid(const char *s) {
        size_t n;

        if (!s || !*s)
                return false;
        n = strnlen(s, PIK_CODE_MAX + 1);
        if (n > PIK_CODE_MAX)
                return false;
        if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9')))
                return false;
        for (size_t i = 1; i < n; i++) {
                char c = s[i];
                if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
                        return false;
        }
        return true;
}

uint64_t hash64(const void *data, size_t n) {
        const unsigned char *p = data;
        uint64_t h = UINT64_C(0xcbf29ce484222325);

        for (size_t i = 0; i < n; i++) {
                h ^= p[i];
                h *= UINT64_C(0x100000001b3);
        }
        return h;
}

uint64_t hash64_str(const char *s) {
        return hash64(s, strlen(s));
}

char *erase_and_free(char *s) {
        if (s) {
                explicit_bzero(s, strlen(s));
                free(s);
        }
        return NULL;
}

bool startswith(const char *s, const char *prefix) {
        return strncmp(s, prefix, strlen(prefix)) == 0;
}

size_t strv_length(char *const *l) {
        size_t n = 0;
        if (l)
                while (l[n])
                        n++;
        return n;
}

char *strjoin_comma(char *const *l) {
        size_t len = 1;
        for (size_t i = 0; l && l[i]; i++)
                len += strlen(l[i]) + 1;

        char *r = malloc(len), *p = r;
        if (!r)
                return NULL;
        *p = 0;
        for (size_t i = 0; l && l[i]; i++) {
                if (i > 0)
                        *p++ = ',';
                p = stpcpy(p, l[i]);
        }
        return r;
}

int strv_split_comma(const char *s, size_t max_items, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        size_t n = 0;
        const char *p = s;

        if (!s)
                return -EINVAL;

        for (;;) {
                const char *e = strchr(p, ',');
                size_t len = e ? (size_t) (e - p) : strlen(p);
                const char *b = p;

                while (len > 0 && (*b == ' ' || *b == '\t')) {
                        b++;
                        len--;
                }
                while (len > 0 && (b[len - 1] == ' ' || b[len - 1] == '\t'))
                        len--;
                if (len == 0)
                        return -EINVAL;
                if (n >= max_items)
                        return -E2BIG;

                char **nl = realloc(l, sizeof(char *) * (n + 2));
                if (!nl)
                        return -ENOMEM;
                l = nl;
                l[n] = strndup(b, len);
                if (!l[n])
                        return -ENOMEM;
                l[++n] = NULL;

                if (!e)
                        break;
                p = e + 1;
        }

        *ret = TAKE_PTR(l);
        return (int) n;
}
