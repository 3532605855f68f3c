/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "regex-util.h"
/* Header-only assertion macros; src/basic tests do not link test-helpers.c. */
#include "../shared/test-helpers.h"

#ifdef __SANITIZE_ADDRESS__
#  define WORST_KB (256 * 1024)
#else
#  define WORST_KB (32 * 1024)
#endif

/* "((…(inner)q…)q)q", depth times. */
static char *nest(unsigned depth, const char *q, const char *inner) {
        size_t n = strlen(inner) + depth * (2 + strlen(q)) + 1;
        char *s = malloc(n), *p;

        ASSERT_TRUE(s);
        p = s;
        memset(p, '(', depth);
        p += depth;
        p = stpcpy(p, inner);
        for (unsigned i = 0; i < depth; i++) {
                *p++ = ')';
                p = stpcpy(p, q);
        }
        return s;
}

static char *repeat(unsigned times, const char *part) {
        char *s = calloc(times * strlen(part) + 1, 1);

        ASSERT_TRUE(s);
        for (unsigned i = 0; i < times; i++)
                strcat(s, part);
        return s;
}

static double now(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static void accepts(const char *pattern, const char *subject, const char *want) {
        regex_t re;
        regmatch_t m[2];
        char err[200] = "";
        int r = regex_compile_bounded(&re, pattern, err, sizeof err);

        if (r < 0)
                fprintf(stderr, "refused \"%s\": %s\n", pattern, err);
        ASSERT_OK(r);
        if (subject) {
                ASSERT_EQ(regexec(&re, subject, 2, m, 0), 0);
                ASSERT_EQ((size_t) (m[1].rm_eo - m[1].rm_so), strlen(want));
                ASSERT_TRUE(strncmp(subject + m[1].rm_so, want, strlen(want)) == 0);
        }
        regfree(&re);
}

static void refuses(const char *pattern, const char *why) {
        regex_t re;
        char err[200] = "";
        double t0 = now();

        ASSERT_ERR(regex_compile_bounded(&re, pattern, err, sizeof err), EINVAL);
        /* Refused before regcomp() builds anything: at once. */
        ASSERT_TRUE(now() - t0 < 0.05);
        if (!strstr(err, why)) {
                fprintf(stderr, "error \"%s\" for \"%.60s\" lacks \"%s\"\n", err, pattern, why);
                abort();
        }
}

static void test_real_patterns(void) {
        /* What flows extract: tokens, ids, UUIDs. */
        accepts("name=\"csrf\" value=\"([^\"]+)\"", "<input name=\"csrf\" value=\"t0k\">", "t0k");
        accepts("order-([0-9]+)", "your order-4711 is", "4711");
        accepts("<input[^>]*name=\"t\"[^>]*value=\"([^\"]*)\"", "<input type=hidden name=\"t\" value=\"v\">", "v");
        accepts("([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})",
                "id=123e4567-e89b-12d3-a456-426614174000;", "123e4567-e89b-12d3-a456-426614174000");
        accepts("([A-Za-z0-9_-]{20,})", "jwt: abcdefghijklmnopqrstuvwxyz.", "abcdefghijklmnopqrstuvwxyz");
        accepts("([[:alpha:]]+)[]x]", "word] ", "word");
        accepts("(a|b)*c\\{d", NULL, NULL);
}

static void test_bombs_refused(void) {
        _cleanup_free_ char *plus24 = nest(24, "+", "a"), *plus9 = nest(9, "+", "a"), *empty8 = nest(8, "+", ""),
                            *deep = nest(17, "", "a"), *counts = nest(3, "{10}", "[a-z]"), *longer = repeat(513, "a");

        /* The case: 24 nested '+' took over 2 GB in regcomp(). */
        refuses(plus24, "nested more than 16 deep");
        refuses(plus9, "too complex");
        refuses(empty8, "too complex");
        refuses(deep, "nested more than 16 deep");
        refuses(counts, "too complex");
        refuses("x{300}", "too complex");
        refuses("(x{32}){31}", "too complex");
        refuses("x{2,32767}", "too complex");
        refuses(longer, "longer than 512 bytes");
        ASSERT_TRUE(regex_cost(plus24) > REGEX_COST_MAX);
}

static void test_syntax_errors(void) {
        regex_t re;
        char err[200] = "";

        ASSERT_ERR(regex_compile_bounded(&re, "(", err, sizeof err), EINVAL);
        ASSERT_TRUE(strstr(err, "("));
        ASSERT_ERR(regex_compile_bounded(&re, "a{2", err, sizeof err), EINVAL);
        ASSERT_ERR(regex_compile_bounded(&re, "[z-a]", err, sizeof err), EINVAL);
}

/* The worst shapes measured within the bound (nullable loops nested in
 * '+', sequences of them): regcomp() stays within a few MB. In a child,
 * so that its peak is its own. */
static void test_worst_accepted_is_small(void) {
        _cleanup_free_ char *a = nest(6, "+", ""), *b = nest(5, "+", "a*"), *c = repeat(25, "(()+)+"),
                            *d = repeat(20, "()*()+"), *e = nest(3, "+", "()*()*()*()*()*()*()*()*()*()*");
        const char *worst[] = { a, b, c, d, e };
        pid_t pid = fork();

        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                struct rusage r0, r1;
                double t0 = now();

                getrusage(RUSAGE_SELF, &r0);
                for (size_t i = 0; i < ELEMENTSOF(worst); i++) {
                        regex_t re;
                        char err[200];
                        if (regex_compile_bounded(&re, worst[i], err, sizeof err) < 0)
                                _exit(2);
                        regfree(&re);
                }
                getrusage(RUSAGE_SELF, &r1);
                /* Under valgrind (its preload in LD_PRELOAD) neither memory
                 * nor time is the program's own: only that they compile. */
                if (strstr(getenv("LD_PRELOAD") ?: "", "vgpreload"))
                        _exit(0);
                /* About 2 MB each when measured; ASan's quarantine keeps
                 * what regcomp() freed, so its build gets more room (the
                 * patterns refused above take gigabytes). */
                if (r1.ru_maxrss - r0.ru_maxrss > WORST_KB)
                        _exit(3);
                if (now() - t0 > 5.0)
                        _exit(4);
                _exit(0);
        }
        int status;
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                fprintf(stderr, "worst accepted patterns: status %d\n", status);
        ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int main(void) {
        test_real_patterns();
        test_bombs_refused();
        test_syntax_errors();
        test_worst_accepted_is_small();
        return 0;
}
