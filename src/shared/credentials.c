/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "credentials.h"
#include "string-util.h"

/* Groups, lists and arrays nest; a file of 64 KiB of '{' must not take the
 * stack with it. */
#define DEPTH_MAX 64

PikCredentials *pik_credentials_free(PikCredentials *c) {
        if (!c)
                return NULL;
        erase_and_free(c->username);
        erase_and_free(c->password);
        erase_and_free(c->totp_seed);
        free(c);
        return NULL;
}

_printf_(2, 3)
static int problem(char **ret_problem, const char *fmt, ...) {
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(ret_problem, fmt, ap);
        va_end(ap);
        if (r < 0) {
                *ret_problem = NULL;
                return -ENOMEM;
        }
        return 0;
}

/* ---- the scanner: libconfig's tokens, longest match first ---- */

typedef enum Token {
        TOKEN_END,
        TOKEN_GARBAGE,
        TOKEN_NAME,
        TOKEN_STRING,
        TOKEN_BOOLEAN,
        TOKEN_INT,
        TOKEN_INT64,
        TOKEN_FLOAT,
        TOKEN_EQUALS,
        TOKEN_SEMICOLON,
        TOKEN_COMMA,
        TOKEN_GROUP_START,
        TOKEN_GROUP_END,
        TOKEN_LIST_START,
        TOKEN_LIST_END,
        TOKEN_ARRAY_START,
        TOKEN_ARRAY_END,
} Token;

typedef struct Parser {
        const char *p;                  /* next unread byte */
        unsigned line;                  /* of p */
        Token token;                    /* the lookahead */
        const char *name;               /* TOKEN_NAME: its text in the file */
        size_t name_len;
        char *strings;                  /* string literals decoded, one after the other */
        size_t size;                    /* all of it wiped at the end, unfinished literals too */
        size_t used;
        size_t string_start;            /* TOKEN_STRING: where its text begins in strings */
        const char *error;              /* first syntax error, in libconfig's words */
        unsigned error_line;
} Parser;

static bool is_digit(char c) {
        return c >= '0' && c <= '9';
}

static bool is_alpha(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_xdigit(char c) {
        return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int hex_value(char c) {
        return is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10;
}

static size_t digits(const char *s) {
        size_t n = 0;

        while (is_digit(s[n]))
                n++;
        return n;
}

static size_t sign(const char *s) {
        return *s == '-' || *s == '+';
}

static size_t exponent(const char *s) {
        size_t n, d;

        if (*s != 'e' && *s != 'E')
                return 0;
        n = 1 + sign(s + 1);
        d = digits(s + n);
        return d > 0 ? n + d : 0;
}

/* [-+]?([0-9]*)?\.[0-9]*([eE][-+]?[0-9]+)?  |  [-+]?([0-9]+)(\.[0-9]*)?[eE][-+]?[0-9]+ */
static size_t float_len(const char *s) {
        size_t a = 0, b = 0, n, d, e;

        n = sign(s);
        d = digits(s + n);
        if (s[n + d] == '.') {
                a = n + d + 1;
                a += digits(s + a);
                a += exponent(s + a);
        }
        if (d > 0) {
                b = n + d;
                if (s[b] == '.') {
                        b++;
                        b += digits(s + b);
                }
                e = exponent(s + b);
                b = e > 0 ? b + e : 0;
        }
        return MAX(a, b);
}

/* [-+]?[0-9]+ and [-+]?[0-9]+L(L)? */
static size_t integer_len(const char *s, bool *ret_long) {
        size_t n = sign(s), d = digits(s + n);

        *ret_long = false;
        if (d == 0)
                return 0;
        n += d;
        if (s[n] == 'L') {
                *ret_long = true;
                n += 1 + (s[n + 1] == 'L');
        }
        return n;
}

/* 0[Xx][0-9A-Fa-f]+ and the same with L(L)? */
static size_t hex_len(const char *s, bool *ret_long) {
        size_t n = 2;

        *ret_long = false;
        if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X') || !is_xdigit(s[2]))
                return 0;
        while (is_xdigit(s[n]))
                n++;
        if (s[n] == 'L') {
                *ret_long = true;
                n += 1 + (s[n + 1] == 'L');
        }
        return n;
}

/* [A-Za-z*][-A-Za-z0-9_*]* */
static size_t name_len(const char *s) {
        size_t n = 1;

        if (!is_alpha(*s) && *s != '*')
                return 0;
        while (is_alpha(s[n]) || is_digit(s[n]) || s[n] == '-' || s[n] == '_' || s[n] == '*')
                n++;
        return n;
}

static size_t boolean_len(const char *s) {
        if (strncasecmp(s, "true", 4) == 0)
                return 4;
        if (strncasecmp(s, "false", 5) == 0)
                return 5;
        return 0;
}

/* Whitespace and the three kinds of comment. An unterminated C comment
 * ends the input, as in libconfig. */
static void skip_blanks(Parser *ps) {
        for (;;) {
                char c = *ps->p;

                if (c == ' ' || c == '\t' || c == '\r' || c == '\f')
                        ps->p++;
                else if (c == '\n') {
                        ps->p++;
                        ps->line++;
                } else if ((c == '#' || (c == '/' && ps->p[1] == '/')) && strchr(ps->p, '\n'))
                        /* A comment runs to the end of its line; one
                         * without a newline after it is garbage to
                         * libconfig. */
                        ps->p = strchr(ps->p, '\n');
                else if (c == '/' && ps->p[1] == '*') {
                        ps->p += 2;
                        while (*ps->p && !(ps->p[0] == '*' && ps->p[1] == '/')) {
                                if (*ps->p == '\n')
                                        ps->line++;
                                ps->p++;
                        }
                        if (*ps->p)
                                ps->p += 2;
                } else
                        return;
        }
}

/* Decode one literal after its opening quote into ps->strings. An
 * unterminated one ends the input, as in libconfig. */
static Token scan_string(Parser *ps) {
        static const char escapes[] = "n\nr\rt\tf\f\\\\\"\"";

        ps->string_start = ps->used;
        for (;;) {
                char c = *ps->p;
                const char *e;

                if (c == 0) {
                        /* libconfig drops the unfinished literal, and
                         * accepts the file if it was complete without it. */
                        ps->used = ps->string_start;
                        return TOKEN_END;
                }
                ps->p++;
                if (c == '"')
                        return TOKEN_STRING;
                if (c == '\n')
                        ps->line++;
                if (c == '\\' && *ps->p == 'x' && is_xdigit(ps->p[1]) && is_xdigit(ps->p[2])) {
                        c = (char) (hex_value(ps->p[1]) << 4 | hex_value(ps->p[2]));
                        ps->p += 3;
                } else if (c == '\\' && *ps->p && (e = strchr(escapes, *ps->p)) && (e - escapes) % 2 == 0) {
                        c = e[1];
                        ps->p++;
                }
                /* Any other backslash stands for itself. */
                ps->strings[ps->used++] = c;
        }
}

static Token scan_number_or_name(Parser *ps) {
        const char *s = ps->p;
        size_t b = boolean_len(s), nm = name_len(s), f = float_len(s), i, h, best;
        bool long_int, long_hex;
        Token t;

        i = integer_len(s, &long_int);
        h = hex_len(s, &long_hex);
        best = MAX(MAX(b, nm), MAX(f, MAX(i, h)));
        if (best == 0) {
                ps->p++;
                return TOKEN_GARBAGE;
        }
        /* Ties go to the rule libconfig lists first: "true" is a boolean,
         * not a name. */
        if (best == b)
                t = TOKEN_BOOLEAN;
        else if (best == nm) {
                ps->name = s;
                ps->name_len = nm;
                t = TOKEN_NAME;
        } else if (best == h)
                t = long_hex ? TOKEN_INT64 : TOKEN_INT;
        else if (best == i)
                /* Only the L suffix makes a 64-bit integer (which an array of
                 * ints refuses), however large the number. */
                t = long_int ? TOKEN_INT64 : TOKEN_INT;
        else
                t = TOKEN_FLOAT;
        ps->p += best;
        return t;
}

static void next(Parser *ps) {
        static const char punct[] = "=:;,{}()[]";
        static const Token punct_token[] = {
                TOKEN_EQUALS, TOKEN_EQUALS, TOKEN_SEMICOLON, TOKEN_COMMA, TOKEN_GROUP_START, TOKEN_GROUP_END,
                TOKEN_LIST_START, TOKEN_LIST_END, TOKEN_ARRAY_START, TOKEN_ARRAY_END,
        };
        const char *q;

        skip_blanks(ps);
        if (*ps->p == 0)
                ps->token = TOKEN_END;
        else if (*ps->p == '"') {
                ps->p++;
                ps->token = scan_string(ps);
        } else if ((q = strchr(punct, *ps->p))) {
                ps->p++;
                ps->token = punct_token[q - punct];
        } else
                ps->token = scan_number_or_name(ps);
}

/* ---- the grammar: libconfig's, checked whole before any setting is judged ---- */

typedef struct Setting {
        const char *name;
        size_t name_len;
        unsigned line;
        Token type;                     /* TOKEN_STRING, a scalar's token, or a bracket */
        size_t value;                   /* strings: offset in ps->strings, NUL-terminated */
        size_t value_len;
} Setting;

typedef struct Settings {
        Setting *items;
        size_t n;
} Settings;

static int fail(Parser *ps, const char *what) {
        /* libconfig names the line it had read to when it gave up. */
        if (!ps->error) {
                ps->error = what;
                ps->error_line = ps->line;
        }
        return -EINVAL;
}

static int parse_settings(Parser *ps, unsigned depth, Token end, Settings *ret);

static bool is_scalar(Token t) {
        return t == TOKEN_BOOLEAN || t == TOKEN_INT || t == TOKEN_INT64 || t == TOKEN_FLOAT;
}

static int parse_value(Parser *ps, unsigned depth, Setting *s) {
        Token open = ps->token, first = TOKEN_END;
        bool mismatch;
        int r;

        s->type = open;
        if (open == TOKEN_STRING) {
                /* Adjacent literals are one string: each was decoded right
                 * after the one before. */
                s->value = ps->string_start;
                do
                        next(ps);
                while (ps->token == TOKEN_STRING);
                s->value_len = ps->used - s->value;
                ps->strings[ps->used++] = 0;
                return 0;
        }
        if (is_scalar(open)) {
                next(ps);
                return 0;
        }
        if (open != TOKEN_GROUP_START && open != TOKEN_LIST_START && open != TOKEN_ARRAY_START)
                return fail(ps, "syntax error");
        if (depth >= DEPTH_MAX)
                return fail(ps, "syntax error (nested too deeply)");
        next(ps);

        if (open == TOKEN_GROUP_START) {
                _cleanup_free_ Setting *items = NULL;
                Settings inner = {};

                r = parse_settings(ps, depth + 1, TOKEN_GROUP_END, &inner);
                items = inner.items;
                if (r < 0)
                        return r;
                next(ps);
                return 0;
        }

        for (Token close = open == TOKEN_LIST_START ? TOKEN_LIST_END : TOKEN_ARRAY_END;;) {
                Setting e = {};

                if (ps->token == close && first == TOKEN_END) {
                        next(ps);
                        return 0;
                }
                /* An array holds scalars or strings, all of one type. */
                if (open == TOKEN_ARRAY_START && ps->token != TOKEN_STRING && !is_scalar(ps->token))
                        return fail(ps, "syntax error");
                mismatch = open == TOKEN_ARRAY_START && first != TOKEN_END && ps->token != first;
                if (first == TOKEN_END)
                        first = ps->token;
                /* libconfig notices a mismatch after a string only once it
                 * has looked past it for another literal: a line later,
                 * maybe. */
                if (mismatch && ps->token != TOKEN_STRING)
                        return fail(ps, "mismatched element type in array");
                r = parse_value(ps, depth + 1, &e);
                if (r < 0)
                        return r;
                if (mismatch)
                        return fail(ps, "mismatched element type in array");
                if (ps->token == TOKEN_COMMA) {
                        next(ps);
                        continue;
                }
                if (ps->token != close)
                        return fail(ps, "syntax error");
                next(ps);
                return 0;
        }
}

static int parse_settings(Parser *ps, unsigned depth, Token end, Settings *ret) {
        for (;;) {
                Setting s = {};
                Setting *l;
                int r;

                if (ps->token == end)
                        return 0;
                if (ps->token != TOKEN_NAME)
                        return fail(ps, "syntax error");
                s.name = ps->name;
                s.name_len = ps->name_len;
                s.line = ps->line;
                for (size_t i = 0; i < ret->n; i++)
                        if (ret->items[i].name_len == s.name_len && memcmp(ret->items[i].name, s.name, s.name_len) == 0)
                                return fail(ps, "duplicate setting name");
                next(ps);
                if (ps->token != TOKEN_EQUALS)
                        return fail(ps, "syntax error");
                next(ps);
                r = parse_value(ps, depth, &s);
                if (r < 0)
                        return r;
                if (ps->token == TOKEN_SEMICOLON || ps->token == TOKEN_COMMA)
                        next(ps);

                l = reallocarray(ret->items, ret->n + 1, sizeof *l);
                if (!l)
                        return -ENOMEM;
                ret->items = l;
                ret->items[ret->n++] = s;
        }
}

static void erase_strings(Parser *ps) {
        if (ps->strings) {
                explicit_bzero(ps->strings, ps->size);
                free(ps->strings);
                ps->strings = NULL;
        }
}

int pik_credentials_parse(const char *text, const char *path, PikCredentials **ret, char **ret_problem) {
        _cleanup_(pik_credentials_freep) PikCredentials *c = NULL;
        _cleanup_(erase_strings) Parser ps = { .p = text, .line = 1 };
        _cleanup_free_ Setting *items = NULL;
        Settings root = {};
        size_t n = strlen(text);
        int r;

        *ret = NULL;
        *ret_problem = NULL;

        /* Decoded text is never longer than its source, plus one NUL per
         * value: this buffer never moves, so no copy is left behind. */
        ps.size = 2 * n + 2;
        ps.strings = malloc(ps.size);
        if (!ps.strings)
                return -ENOMEM;
        next(&ps);
        r = parse_settings(&ps, 0, TOKEN_END, &root);
        items = root.items;
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return problem(ret_problem, "credentials file %s:%u: %s", path, ps.error_line, ps.error);

        c = calloc(1, sizeof *c);
        if (!c)
                return -ENOMEM;
        for (size_t i = 0; i < root.n; i++) {
                const Setting *s = &root.items[i];
                const char *v = ps.strings + s->value;
                char **field;

                if (s->name_len == STRLEN("username") && memcmp(s->name, "username", s->name_len) == 0)
                        field = &c->username;
                else if (s->name_len == STRLEN("password") && memcmp(s->name, "password", s->name_len) == 0)
                        field = &c->password;
                else if (s->name_len == STRLEN("totp_seed") && memcmp(s->name, "totp_seed", s->name_len) == 0)
                        field = &c->totp_seed;
                else
                        return problem(ret_problem, "credentials file %s:%u: unknown setting '%.*s' "
                                       "(expected username, password, totp_seed)",
                                       path, s->line, (int) s->name_len, s->name);
                if (s->type != TOKEN_STRING)
                        return problem(ret_problem, "credentials file %s:%u: %.*s must be a string in double quotes",
                                       path, s->line, (int) s->name_len, s->name);
                /* Never quote the value in a message: it is a secret. A \x00
                 * inside is a control character like any other. */
                if (s->value_len == 0 || strlen(v) != s->value_len || text_validate(v, PIK_CREDENTIAL_MAX) < 0)
                        return problem(ret_problem, "credentials file %s:%u: %.*s must be non-empty UTF-8 text "
                                       "without control characters, at most %d bytes",
                                       path, s->line, (int) s->name_len, s->name, PIK_CREDENTIAL_MAX);
                *field = strdup(v);
                if (!*field)
                        return -ENOMEM;
        }
        if (!c->username)
                return problem(ret_problem, "credentials file %s has no username", path);
        if (!c->password)
                return problem(ret_problem, "credentials file %s has no password", path);

        *ret = TAKE_PTR(c);
        return 0;
}

/* ---- the file ---- */

static int read_secret_file(int fd, const char *path, char **ret, char **ret_problem) {
        _cleanup_(erase_and_freep) char *buf = NULL;
        struct stat st;
        size_t n = 0;

        if (fstat(fd, &st) < 0)
                return problem(ret_problem, "cannot inspect credentials file %s: %s", path, strerror(errno));
        if (!S_ISREG(st.st_mode))
                return problem(ret_problem, "credentials file %s is not a regular file", path);
        if (st.st_uid != 0 && st.st_uid != geteuid())
                return problem(ret_problem, "credentials file %s is owned by uid %u, not root", path, (unsigned) st.st_uid);
        if (st.st_mode & 0077)
                return problem(ret_problem, "credentials file %s is accessible by group or others (mode %04o); "
                               "it must be 0600 or 0400", path, (unsigned) (st.st_mode & 07777));
        if (st.st_size > PIK_CREDENTIALS_FILE_MAX)
                return problem(ret_problem, "credentials file %s is larger than %d bytes", path, PIK_CREDENTIALS_FILE_MAX);

        buf = calloc(1, PIK_CREDENTIALS_FILE_MAX + 1);
        if (!buf)
                return -ENOMEM;
        /* Read up to the cap whatever fstat said: the file may grow. */
        while (n <= PIK_CREDENTIALS_FILE_MAX) {
                ssize_t k = read(fd, buf + n, PIK_CREDENTIALS_FILE_MAX + 1 - n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return problem(ret_problem, "cannot read credentials file %s: %s", path, strerror(errno));
                }
                if (k == 0)
                        break;
                n += (size_t) k;
        }
        if (n > PIK_CREDENTIALS_FILE_MAX) {
                explicit_bzero(buf, PIK_CREDENTIALS_FILE_MAX + 1);
                return problem(ret_problem, "credentials file %s is larger than %d bytes", path, PIK_CREDENTIALS_FILE_MAX);
        }
        if (strlen(buf) != n) {
                explicit_bzero(buf, n);
                return problem(ret_problem, "credentials file %s contains a NUL byte", path);
        }
        *ret = TAKE_PTR(buf);
        return 0;
}

static bool has_directive(const char *text) {
        /* libconfig would follow "@include" to another file; one file is the
         * whole of a partner's secrets. */
        for (const char *l = text;;) {
                const char *nl;

                l += strspn(l, " \t");
                if (*l == '@')
                        return true;
                nl = strchr(l, '\n');
                if (!nl)
                        return false;
                l = nl + 1;
        }
}

int pik_credentials_read(const char *dir, const char *partner, PikCredentials **ret, char **ret_problem) {
        _cleanup_(erase_and_freep) char *text = NULL;
        _cleanup_free_ char *path = NULL;
        _cleanup_close_ int fd = -1;
        int r;

        *ret = NULL;
        *ret_problem = NULL;

        /* The database only holds valid codes; the check is repeated because
         * the code becomes a file name here. */
        if (!code_is_valid(partner))
                return problem(ret_problem, "partner code '%s' cannot name a credentials file", partner);
        if (asprintf(&path, "%s/%s", dir, partner) < 0)
                return -ENOMEM;

        /* O_NONBLOCK: a FIFO put there must not hang pikd; O_NOFOLLOW: a
         * symlink could point anywhere root can read. */
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
        if (fd < 0) {
                if (errno == ENOENT)
                        return problem(ret_problem, "no credentials file %s", path);
                if (errno == ELOOP)
                        return problem(ret_problem, "credentials file %s is a symbolic link, not a regular file", path);
                return problem(ret_problem, "cannot open credentials file %s: %s", path, strerror(errno));
        }

        r = read_secret_file(fd, path, &text, ret_problem);
        if (r < 0 || *ret_problem)
                return r;
        if (has_directive(text))
                return problem(ret_problem, "credentials file %s: @include and other directives are not supported", path);
        return pik_credentials_parse(text, path, ret, ret_problem);
}
