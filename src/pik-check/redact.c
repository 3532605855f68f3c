/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* The length of the text at p that spells secret, 0 if it does not. */
static size_t match_at(const char *p, const char *secret) {
        const char *q = p;

        for (const char *s = secret; *s; s++) {
                int hi, lo;

                /* "%25" is '%' encoded before it is a raw '%'. */
                if (*q == '%' && (hi = hex_value(q[1])) >= 0 && (lo = hex_value(q[2])) >= 0 &&
                    (unsigned char) (hi << 4 | lo) == (unsigned char) *s)
                        q += 3;
                else if (*q == *s)
                        q++;
                else if (*s == ' ' && *q == '+')
                        q++;
                else
                        return 0;
        }
        return (size_t) (q - p);
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

void redact_check_result(const CheckJob *job, CheckResult *res) {
        /* The code of the current step and of the two before (a flow may
         * take a minute), and one ahead for a clock that ticked over. */
        char codes[4][TOTP_DIGITS + 1] = {};
        const char *secrets[3 + ELEMENTSOF(codes) + 1] = {};
        size_t n = 0;
        time_t now = time(NULL);

        if (!job)
                return;
        secrets[n++] = job->password;
        secrets[n++] = job->totp_seed;
        if (job->totp_seed && *job->totp_seed)
                for (size_t i = 0; i < ELEMENTSOF(codes); i++)
                        if (totp_code(job->totp_seed, now + ((time_t) i - 2) * TOTP_STEP_SEC, codes[i]) >= 0)
                                secrets[n++] = codes[i];

        if (redact_secrets_in_buffer(res->details, sizeof res->details, secrets) < 0)
                snprintf(res->details, sizeof res->details, "%s (details withheld: they could not be checked for "
                         "secrets)", res->outcome ?: "");
        for (unsigned i = 0; i < res->n_steps && i < CHECK_STEPS_MAX; i++)
                if (redact_secrets_in_buffer(res->steps[i].name, sizeof res->steps[i].name, secrets) < 0)
                        snprintf(res->steps[i].name, sizeof res->steps[i].name, "step %u", i + 1);
        explicit_bzero(codes, sizeof codes);
}
