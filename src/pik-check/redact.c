/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>
#include <time.h>

#include "macro.h"
#include "redact.h"
#include "totp.h"

static int hex_value(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

/* One character as markup or JSON may spell it: a numeric or named
 * character reference ("&#38;", "&#x26;", "&amp;", "&nbsp;"), a JSON
 * escape (backslash-u0026, backslash-slash) or a no-break space in UTF-8. The length
 * of the spelling at q (0: none) and the code point it stands for. */
static size_t decode_spelling(const char *q, uint32_t *ret_cp) {
        static const struct {
                const char *name;
                uint32_t cp;
        } named[] = {
                { "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' }, { "&quot;", '"' },
                { "&apos;", '\'' }, { "&nbsp;", 0xA0 },
        };
        const char *e = q;
        uint32_t cp = 0;
        unsigned digits = 0;

        if (q[0] == '&' && q[1] == '#') {
                bool hex = q[2] == 'x' || q[2] == 'X';
                int v;

                /* Leading zeros are legal: cap the digits, not the text. */
                for (e = q + (hex ? 3 : 2); digits < 16; e++, digits++) {
                        v = hex ? hex_value(*e) : (*e >= '0' && *e <= '9' ? *e - '0' : -1);
                        if (v < 0)
                                break;
                        cp = cp * (hex ? 16 : 10) + (uint32_t) v;
                        if (cp > 0x10FFFF)
                                return 0;
                }
                if (digits == 0)
                        return 0;
                /* The ';' is optional in what browsers accept. */
                if (*e == ';')
                        e++;
                *ret_cp = cp;
                return (size_t) (e - q);
        }
        if (q[0] == '&')
                for (size_t i = 0; i < ELEMENTSOF(named); i++)
                        if (strncasecmp(q, named[i].name, strlen(named[i].name)) == 0) {
                                *ret_cp = named[i].cp;
                                return strlen(named[i].name);
                        }
        if (q[0] == '\\') {
                if (q[1] == 'u') {
                        for (e = q + 2; digits < 4 && hex_value(*e) >= 0; e++, digits++)
                                cp = cp << 4 | (uint32_t) hex_value(*e);
                        if (digits < 4)
                                return 0;
                        *ret_cp = cp;
                        return 6;
                }
                if (q[1] == '/' || q[1] == '"' || q[1] == '\\') {
                        *ret_cp = (unsigned char) q[1];
                        return 2;
                }
        }
        if ((unsigned char) q[0] == 0xC2 && (unsigned char) q[1] == 0xA0) {
                *ret_cp = 0xA0;
                return 2;
        }
        return 0;
}

/* The code point at s (UTF-8; a byte that is not valid UTF-8 stands for
 * itself) and its length in bytes. */
static size_t secret_code_point(const char *s, uint32_t *ret_cp) {
        const unsigned char *u = (const unsigned char *) s;
        size_t n;
        uint32_t cp;

        if (u[0] < 0x80)
                n = 1, cp = u[0];
        else if ((u[0] & 0xE0) == 0xC0)
                n = 2, cp = u[0] & 0x1F;
        else if ((u[0] & 0xF0) == 0xE0)
                n = 3, cp = u[0] & 0x0F;
        else if ((u[0] & 0xF8) == 0xF0)
                n = 4, cp = u[0] & 0x07;
        else
                n = 0, cp = 0;
        for (size_t i = 1; i < n; i++) {
                if ((u[i] & 0xC0) != 0x80) {
                        n = 0;
                        break;
                }
                cp = cp << 6 | (u[i] & 0x3F);
        }
        if (n == 0) {
                *ret_cp = u[0];
                return 1;
        }
        *ret_cp = cp;
        return n;
}

/* Every way of spelling one character is tried in turn, so a secret with
 * '&', '%', '\\' or '+' in it, whose raw and encoded spellings overlap,
 * is found either way; the budget bounds the backtracking a crafted page
 * could make of that. The length of the text at q spelling s, -1 if none. */
#define MATCH_BUDGET 4096
static ssize_t match_from(const char *q, const char *s, unsigned *budget) {
        uint32_t cp, scp;
        size_t n, sn;
        ssize_t rest;
        int hi, lo;

        if (!*s)
                return 0;
        if (*budget == 0)
                return -1;
        (*budget)--;

        sn = secret_code_point(s, &scp);
        n = decode_spelling(q, &cp);
        if (n > 0 && (cp == scp || (scp == ' ' && cp == 0xA0)) && (rest = match_from(q + n, s + sn, budget)) >= 0)
                return (ssize_t) n + rest;
        /* "%25" is '%' encoded before it is a raw '%'. */
        if (*q == '%' && (hi = hex_value(q[1])) >= 0 && (lo = hex_value(q[2])) >= 0 &&
            (unsigned char) (hi << 4 | lo) == (unsigned char) *s && (rest = match_from(q + 3, s + 1, budget)) >= 0)
                return 3 + rest;
        if (*s == ' ' && *q == '+' && (rest = match_from(q + 1, s + 1, budget)) >= 0)
                return 1 + rest;
        if (*q == *s && (rest = match_from(q + 1, s + 1, budget)) >= 0)
                return 1 + rest;
        return -1;
}

/* The length of the text at p that spells secret, 0 if it does not. */
static size_t match_at(const char *p, const char *secret) {
        unsigned budget = MATCH_BUDGET + (unsigned) strnlen(secret, MATCH_BUDGET);
        ssize_t n = match_from(p, secret, &budget);

        return n > 0 ? (size_t) n : 0;
}

static size_t match_any(const char *p, const char *const *secrets) {
        size_t best = 0;

        for (const char *const *s = secrets; s && *s; s++)
                if (**s)
                        best = MAX(best, match_at(p, *s));
        return best;
}

int redact_secrets(const char *text, const char *const *secrets, char **ret) {
        size_t len = strlen(text), cap = len + 1, used = 0;
        char *out = malloc(cap);

        if (!out)
                return -ENOMEM;
        for (const char *p = text; *p; ) {
                size_t m = match_any(p, secrets);
                const char *piece = m ? REDACTED : p;
                size_t n = m ? STRLEN(REDACTED) : 1;

                if (used + n + 1 > cap) {
                        size_t ncap = MAX(cap * 2, used + n + 1);
                        char *o2 = malloc(ncap);
                        if (!o2) {
                                explicit_bzero(out, cap);
                                free(out);
                                return -ENOMEM;
                        }
                        memcpy(o2, out, used);
                        explicit_bzero(out, cap);
                        free(out);
                        out = o2;
                        cap = ncap;
                }
                memcpy(out + used, piece, n);
                used += n;
                p += m ?: 1;
        }
        out[used] = 0;
        *ret = out;
        return 0;
}

int redact_secrets_in_buffer(char *buf, size_t n, const char *const *secrets) {
        _cleanup_free_ char *r = NULL;
        size_t len;
        int k;

        if (n == 0)
                return 0;
        k = redact_secrets(buf, secrets, &r);
        if (k < 0)
                return k;
        len = strlen(r);
        if (len >= n) {
                /* Cut, but never inside a REDACTED that would then read
                 * as a fragment of something else. */
                len = n - 1;
                char *last = NULL;
                for (char *p = strstr(r, REDACTED); p && (size_t) (p - r) < len; p = strstr(p + 1, REDACTED))
                        last = p;
                if (last && (size_t) (last - r) + STRLEN(REDACTED) > len)
                        len = (size_t) (last - r);
        }
        memcpy(buf, r, len);
        buf[len] = 0;
        explicit_bzero(r, strlen(r));
        return 0;
}

void redact_job_secrets(const CheckJob *job, RedactJobSecrets *ret) {
        time_t now = time(NULL);
        size_t n = 0;

        _Static_assert(sizeof ret->codes[0] >= TOTP_DIGITS + 1, "room for a TOTP code");
        *ret = (RedactJobSecrets) {};
        if (!job)
                return;
        ret->list[n++] = job->password;
        ret->list[n++] = job->totp_seed;
        /* The code of the current step and of the two before (a flow may
         * take a minute), and one ahead for a clock that ticked over. */
        if (job->totp_seed && *job->totp_seed)
                for (size_t i = 0; i < ELEMENTSOF(ret->codes); i++)
                        if (totp_code(job->totp_seed, now + ((time_t) i - 2) * TOTP_STEP_SEC, ret->codes[i]) >= 0)
                                ret->list[n++] = ret->codes[i];
}

void redact_job_secrets_done(RedactJobSecrets *s) {
        explicit_bzero(s->codes, sizeof s->codes);
}

void redact_check_result(const CheckJob *job, CheckResult *res) {
        RedactJobSecrets js;
        const char *const *secrets = js.list;

        if (!job)
                return;
        redact_job_secrets(job, &js);

        if (redact_secrets_in_buffer(res->details, sizeof res->details, secrets) < 0)
                snprintf(res->details, sizeof res->details, "%s (details withheld: they could not be checked for "
                         "secrets)", res->outcome ?: "");
        for (unsigned i = 0; i < res->n_steps && i < CHECK_STEPS_MAX; i++)
                if (redact_secrets_in_buffer(res->steps[i].name, sizeof res->steps[i].name, secrets) < 0)
                        snprintf(res->steps[i].name, sizeof res->steps[i].name, "step %u", i + 1);
        redact_job_secrets_done(&js);
}
