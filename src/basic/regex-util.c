/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "macro.h"
#include "regex-util.h"

#define COST_LIMIT ((uint64_t) REGEX_COST_MAX + 1)
/* Past glibc's RE_DUP_MAX (0x7fff): regcomp() refuses such counts itself. */
#define COUNT_LIMIT 0x8000UL

/* A recursive descent over ERE syntax, only as far as the cost needs. */
typedef struct Scan {
        const char *p;
        unsigned depth;
        bool too_deep;
} Scan;

static uint64_t add(uint64_t a, uint64_t b) {
        return MIN(a + b, COST_LIMIT);
}

static uint64_t mul(uint64_t a, uint64_t b) {
        /* Both are at most COST_LIMIT or COUNT_LIMIT: no overflow. */
        return MIN(a * b, COST_LIMIT);
}

/* Past a bracket expression starting at '[', with its classes
 * ("[[:alpha:]]") and a leading ']' that is a member. */
static const char *skip_bracket(const char *p) {
        p++;
        if (*p == '^')
                p++;
        if (*p == ']')
                p++;
        while (*p && *p != ']') {
                if (*p == '[' && (p[1] == ':' || p[1] == '.' || p[1] == '=')) {
                        char close[3] = { p[1], ']', 0 };
                        const char *e = strstr(p + 2, close);
                        if (!e)
                                return p + strlen(p);
                        p = e + 2;
                } else
                        p++;
        }
        return *p ? p + 1 : p;
}

static unsigned long parse_count(const char **p) {
        unsigned long v = 0;

        while (**p >= '0' && **p <= '9') {
                v = MIN(v * 10 + (unsigned long) (**p - '0'), COUNT_LIMIT);
                (*p)++;
        }
        return v;
}

/* The copies of its operand a quantifier at p makes, and its end; 0 when
 * p is not a quantifier ("{" that is not an interval is a literal). */
static uint64_t quantifier(const char *p, const char **ret_end) {
        const char *q = p + 1;
        unsigned long m, n;

        switch (*p) {
        case '*':
        case '?':
                *ret_end = q;
                return 1;
        case '+':
                /* "x+" is "xx*". */
                *ret_end = q;
                return 2;
        case '{':
                if (!((*q >= '0' && *q <= '9') || *q == ','))
                        return 0;
                m = parse_count(&q);
                n = m;
                if (*q == ',') {
                        q++;
                        /* "x{m,}" is m copies and a starred one. */
                        n = (*q >= '0' && *q <= '9') ? parse_count(&q) : m + 1;
                }
                if (*q != '}')
                        return 0;
                *ret_end = q + 1;
                return MAX(MAX(m, n), 1UL);
        default:
                return 0;
        }
}

static uint64_t scan_alternation(Scan *s);

static uint64_t scan_atom(Scan *s) {
        uint64_t c;

        switch (*s->p) {
        case '(':
                if (++s->depth > REGEX_GROUP_DEPTH_MAX) {
                        s->too_deep = true;
                        s->p += strlen(s->p);
                        return COST_LIMIT;
                }
                s->p++;
                c = scan_alternation(s);
                if (*s->p == ')')
                        s->p++;
                s->depth--;
                return add(c, 1);
        case '[':
                s->p = skip_bracket(s->p);
                return 1;
        case '\\':
                s->p += s->p[1] ? 2 : 1;
                return 1;
        default:
                s->p++;
                return 1;
        }
}

static uint64_t scan_concatenation(Scan *s) {
        uint64_t total = 0;

        while (*s->p && *s->p != '|' && !(*s->p == ')' && s->depth > 0)) {
                uint64_t c = scan_atom(s), copies;
                const char *end;

                while ((copies = quantifier(s->p, &end)) > 0) {
                        c = add(mul(c, copies), 1);
                        s->p = end;
                }
                total = add(total, c);
        }
        return total;
}

static uint64_t scan_alternation(Scan *s) {
        uint64_t total = scan_concatenation(s);

        while (*s->p == '|') {
                s->p++;
                total = add(add(total, scan_concatenation(s)), 1);
        }
        return total;
}

static uint64_t scan(const char *pattern, bool *ret_too_deep) {
        Scan s = { .p = pattern };
        uint64_t c = 0;

        /* A ')' without its '(' is a literal at the top level. */
        for (;;) {
                c = add(c, scan_alternation(&s));
                if (!*s.p)
                        break;
                s.p++;
                c = add(c, 1);
        }
        *ret_too_deep = s.too_deep;
        return c;
}

uint64_t regex_cost(const char *pattern) {
        bool too_deep;

        return scan(pattern, &too_deep);
}

int regex_compile_bounded(regex_t *re, const char *pattern, char *error, size_t n) {
        bool too_deep;
        regex_t tmp;
        int k;

        if (strnlen(pattern, REGEX_LENGTH_MAX + 1) > REGEX_LENGTH_MAX) {
                snprintf(error, n, "longer than %d bytes", REGEX_LENGTH_MAX);
                return -EINVAL;
        }
        if (scan(pattern, &too_deep) > REGEX_COST_MAX) {
                if (too_deep)
                        snprintf(error, n, "groups nested more than %d deep", REGEX_GROUP_DEPTH_MAX);
                else
                        snprintf(error, n, "too complex: its repetitions ('+', '{m,n}') would make more than %d "
                                 "states", REGEX_COST_MAX);
                return -EINVAL;
        }
        k = regcomp(&tmp, pattern, REG_EXTENDED);
        if (k == REG_ESPACE)
                return -ENOMEM;
        if (k != 0) {
                /* POSIX leaves regfree() after a failed regcomp() undefined. */
                regerror(k, &tmp, error, n);
                return -EINVAL;
        }
        *re = tmp;
        return 0;
}
