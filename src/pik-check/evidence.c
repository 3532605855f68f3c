/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "evidence-store.h"
#include "evidence.h"
#include "macro.h"
#include "redact.h"

typedef struct Buf {
        char *data;
        size_t size, allocated;
} Buf;

static int buf_append(Buf *b, const char *p, size_t n) {
        if (n > SIZE_MAX / 2 - b->size)
                return -E2BIG;
        if (b->size + n + 1 > b->allocated) {
                size_t a = MAX(b->allocated * 2, b->size + n + 1);
                char *q = realloc(b->data, a);
                if (!q)
                        return -ENOMEM;
                b->data = q;
                b->allocated = a;
        }
        memcpy(b->data + b->size, p, n);
        b->size += n;
        b->data[b->size] = 0;
        return 0;
}

static void buf_wipe(Buf *b) {
        if (b->data)
                explicit_bzero(b->data, b->allocated);
        free(b->data);
        *b = (Buf) {};
}

static bool is_space(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* Inside one tag starting at p ("<input…"): the end (just past '>', or the
 * string's end), and the value attribute's span if the type is password. */
static const char *scan_input(const char *p, const char **ret_value, size_t *ret_value_len) {
        const char *value = NULL;
        size_t value_len = 0;
        bool password = false;

        p += STRLEN("<input");
        for (;;) {
                const char *name, *v = NULL;
                size_t name_len, v_len = 0;

                while (is_space(*p) || *p == '/')
                        p++;
                if (!*p)
                        break;
                if (*p == '>') {
                        p++;
                        break;
                }
                name = p;
                while (*p && !is_space(*p) && *p != '=' && *p != '>' && *p != '/')
                        p++;
                name_len = (size_t) (p - name);
                if (name_len == 0) {
                        p++;   /* a stray character: move on */
                        continue;
                }
                while (is_space(*p))
                        p++;
                if (*p == '=') {
                        p++;
                        while (is_space(*p))
                                p++;
                        if (*p == '"' || *p == '\'') {
                                char q = *p++;
                                v = p;
                                while (*p && *p != q)
                                        p++;
                                v_len = (size_t) (p - v);
                                if (*p)
                                        p++;
                        } else {
                                v = p;
                                while (*p && !is_space(*p) && *p != '>')
                                        p++;
                                v_len = (size_t) (p - v);
                        }
                }
                if (name_len == 4 && strncasecmp(name, "type", 4) == 0 && v && v_len == 8 &&
                    strncasecmp(v, "password", 8) == 0)
                        password = true;
                else if (name_len == 5 && strncasecmp(name, "value", 5) == 0 && v) {
                        value = v;
                        value_len = v_len;
                }
        }
        if (password && value) {
                *ret_value = value;
                *ret_value_len = value_len;
        } else
                *ret_value = NULL;
        return p;
}

static int redact_inputs(const char *html, Buf *out) {
        const char *p = html, *copied = html;
        int r;

        while ((p = strchr(p, '<'))) {
                const char *value, *end;
                size_t value_len;

                if (strncasecmp(p, "<input", 6) != 0 || !(is_space(p[6]) || p[6] == '/' || p[6] == '>')) {
                        p++;
                        continue;
                }
                end = scan_input(p, &value, &value_len);
                if (value && value_len > 0) {
                        r = buf_append(out, copied, (size_t) (value - copied));
                        if (r >= 0)
                                r = buf_append(out, EVIDENCE_REDACTED, STRLEN(EVIDENCE_REDACTED));
                        if (r < 0)
                                return r;
                        copied = value + value_len;
                }
                p = end;
        }
        return buf_append(out, copied, strlen(copied));
}

int evidence_redact(const char *html, const char *const *secrets, char **ret) {
        Buf b = {};
        char *out = NULL;
        int r;

        r = redact_inputs(html ?: "", &b);
        /* Every spelling of each secret (markup, JSON, URL and form
         * encodings) is redact_secrets()' job. */
        if (r >= 0 && !b.data)
                r = buf_append(&b, "", 0);
        if (r >= 0)
                r = redact_secrets(b.data, secrets, &out);
        buf_wipe(&b);
        if (r < 0)
                return r;
        *ret = out;
        return 0;
}

/* A memory file holding data, for pikd to copy (KeepEvidence): the
 * sandbox has nowhere on the host to write. */
static int evidence_memfd(const char *name, const void *data, size_t size) {
        _cleanup_close_ int fd = -1;
        const char *p = data;

        fd = memfd_create(name, MFD_CLOEXEC);
        if (fd < 0)
                return -errno;
        while (size > 0) {
                ssize_t n = write(fd, p, size);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                p += n;
                size -= (size_t) n;
        }
        return TAKE_FD(fd);
}

int evidence_keep(const CheckJob *job, CheckResult *res, const char *name, const void *data, size_t size) {
        int r;

        if (res->n_evidence >= CHECK_EVIDENCE_MAX || !pik_evidence_name_is_valid(name) ||
            strlen(name) > CHECK_EVIDENCE_NAME_MAX)
                return -EINVAL;
        if (job->evidence_dir && *job->evidence_dir) {
                r = evidence_write(job->evidence_dir, name, data, size, NULL);
                if (r < 0)
                        return r;
        } else {
                r = evidence_memfd(name, data, size);
                if (r < 0)
                        return r;
                res->evidence_in_fds = true;
                res->evidence_fd[res->n_evidence] = r;
        }
        snprintf(res->evidence[res->n_evidence++], sizeof res->evidence[0], "%s", name);
        return 0;
}

void check_result_done(CheckResult *res) {
        if (!res->evidence_in_fds)
                return;
        for (unsigned i = 0; i < res->n_evidence; i++)
                closep(&res->evidence_fd[i]);
        res->evidence_in_fds = false;
}

int evidence_keep_page(const CheckJob *job, CheckResult *res, const char *name, const char *text) {
        RedactJobSecrets js;
        char *redacted = NULL;
        int r;

        redact_job_secrets(job, &js);
        r = evidence_redact(text, js.list, &redacted);
        redact_job_secrets_done(&js);
        if (r < 0)
                return r;
        r = evidence_keep(job, res, name, redacted, strlen(redacted));
        explicit_bzero(redacted, strlen(redacted));
        free(redacted);
        return r;
}

int evidence_write(const char *dir, const char *name, const void *data, size_t size, char **ret_path) {
        _cleanup_free_ char *path = NULL, *tmp = NULL;
        _cleanup_close_ int fd = -1;
        const char *p = data;

        if (!dir || !name || strchr(name, '/'))
                return -EINVAL;
        if (asprintf(&path, "%s/%s", dir, name) < 0 || asprintf(&tmp, "%s/.%s.XXXXXX", dir, name) < 0)
                return -ENOMEM;

        fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return -errno;
        while (size > 0) {
                ssize_t n = write(fd, p, size);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        int r = -errno;
                        (void) unlink(tmp);
                        return r;
                }
                p += n;
                size -= (size_t) n;
        }
        /* Root's alone once the check ends (pik-check@.service). */
        if (fchmod(fd, 0600) < 0 || rename(tmp, path) < 0) {
                int r = -errno;
                (void) unlink(tmp);
                return r;
        }
        if (ret_path)
                *ret_path = TAKE_PTR(path);
        return 0;
}
