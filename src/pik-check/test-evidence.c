/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "evidence-store.h"
#include "evidence.h"
#include "test-helpers.h"

static char *redact(const char *html, const char *secret) {
        const char *secrets[] = { secret, NULL };
        char *out = NULL;

        ASSERT_OK(evidence_redact(html, secrets, &out));
        ASSERT_TRUE(out);
        return out;
}

static void test_password_inputs(void) {
        char *s;

        s = redact("<form><input type=password name=p value=\"hunter2\"><input name=u value=\"bob\"></form>", NULL);
        ASSERT_STREQ(s, "<form><input type=password name=p value=\"[REDACTED]\"><input name=u value=\"bob\"></form>");
        free(s);

        /* Any case, any quoting, value before type, self-closing. */
        s = redact("<INPUT Value='x y' TYPE='PassWord'/>", NULL);
        ASSERT_STREQ(s, "<INPUT Value='[REDACTED]' TYPE='PassWord'/>");
        free(s);
        s = redact("<input value=abc type=password>", NULL);
        ASSERT_STREQ(s, "<input value=[REDACTED] type=password>");
        free(s);

        /* A '>' inside a quoted value does not end the tag. */
        s = redact("<input type=\"password\" data-x=\"a>b\" value=\"s3>cret\">tail", NULL);
        ASSERT_STREQ(s, "<input type=\"password\" data-x=\"a>b\" value=\"[REDACTED]\">tail");
        free(s);

        /* Not password inputs, and things that only look like inputs. */
        s = redact("<input type=text value=keep><inputs value=keep type=password><input type=hidden value=t>", NULL);
        ASSERT_STREQ(s, "<input type=text value=keep><inputs value=keep type=password><input type=hidden value=t>");
        free(s);

        /* Empty values stay empty; truncated markup does not crash. */
        s = redact("<input type=password value=\"\">", NULL);
        ASSERT_STREQ(s, "<input type=password value=\"\">");
        free(s);
        s = redact("<input type=password value=\"unterminated", NULL);
        ASSERT_STREQ(s, "<input type=password value=\"[REDACTED]");
        free(s);
        s = redact("<input", NULL);
        ASSERT_STREQ(s, "<input");
        free(s);
        s = redact("", NULL);
        ASSERT_STREQ(s, "");
        free(s);
}

static void test_secret_occurrences(void) {
        char *s;

        /* The page echoes the password: everywhere, as is, escaped, encoded. */
        s = redact("<p>Your password p&w<d \"x\" is wrong</p>", "p&w<d \"x\"");
        ASSERT_STREQ(s, "<p>Your password [REDACTED] is wrong</p>");
        free(s);
        s = redact("<p>p&amp;w&lt;d &quot;x&quot;</p><a href=\"/x?p=p%26w%3Cd%20%22x%22\">", "p&w<d \"x\"");
        ASSERT_STREQ(s, "<p>[REDACTED]</p><a href=\"/x?p=[REDACTED]\">");
        free(s);
        /* As text and as an attribute value escape it, differently. */
        s = redact("<p>p&amp;w&lt;d \"x\"</p><input value=\"p&amp;w<d &quot;x&quot;\">", "p&w<d \"x\"");
        ASSERT_STREQ(s, "<p>[REDACTED]</p><input value=\"[REDACTED]\">");
        free(s);
        s = redact("<input value='it&#39;s'>", "it's");
        ASSERT_STREQ(s, "<input value='[REDACTED]'>");
        free(s);
        s = redact("hunter2hunter2 and hunter2", "hunter2");
        ASSERT_STREQ(s, "[REDACTED][REDACTED] and [REDACTED]");
        free(s);
        /* Both at once. */
        s = redact("<input type=password value=\"hunter2\"><p>hunter2</p>", "hunter2");
        ASSERT_STREQ(s, "<input type=password value=\"[REDACTED]\"><p>[REDACTED]</p>");
        free(s);

        /* Empty and missing secrets change nothing. */
        const char *secrets[] = { "", NULL };
        char *out = NULL;
        ASSERT_OK(evidence_redact("abc", secrets, &out));
        ASSERT_STREQ(out, "abc");
        free(out);
        ASSERT_OK(evidence_redact(NULL, NULL, &out));
        ASSERT_STREQ(out, "");
        free(out);
}

/* Under pikd (no evidence_dir) nothing is written anywhere: each file is
 * a memory file, whole from its start, for KeepEvidence. */
static void test_keep_in_memory(void) {
        CheckJob job = { .execution = 42, .password = (char *) "hunter2" };
        CheckResult res = CHECK_RESULT_INIT;
        char buf[128] = {};
        struct stat st;

        ASSERT_OK(evidence_keep_page(&job, &res, "page.html", "<p>hunter2</p>"));
        ASSERT_OK(evidence_keep(&job, &res, "shot.png", "PNG", 3));
        ASSERT_EQ(res.n_evidence, 2);
        ASSERT_TRUE(res.evidence_in_fds);
        ASSERT_STREQ(res.evidence[1], "shot.png");
        ASSERT_TRUE(fstat(res.evidence_fd[0], &st) == 0 && S_ISREG(st.st_mode));
        ASSERT_EQ(pread(res.evidence_fd[0], buf, sizeof buf - 1, 0), (ssize_t) strlen("<p>[REDACTED]</p>"));
        ASSERT_STREQ(buf, "<p>[REDACTED]</p>");
        ASSERT_EQ(pread(res.evidence_fd[1], buf, sizeof buf, 0), 3);
        check_result_done(&res);
        ASSERT_TRUE(!res.evidence_in_fds);
}

static void test_keep(void) {
        char *dir = test_tmpdir(), *path = NULL, *content;
        CheckJob job = { .execution = 7, .evidence_dir = dir, .password = (char *) "p&ss w0rd" };
        CheckResult res = CHECK_RESULT_INIT;

        /* The page redacted in every spelling, and named in the result. */
        ASSERT_OK(evidence_keep_page(&job, &res, "page.html",
                                     "<p>p&amp;ss&nbsp;w0rd</p><script>x=\"p\\u0026ss w0rd\"</script>"
                                     "<input type=password value=\"typed\">"));
        ASSERT_EQ(res.n_evidence, 1);
        ASSERT_STREQ(res.evidence[0], "page.html");
        ASSERT_TRUE(asprintf(&path, "%s/page.html", dir) > 0);
        content = test_read_file(path);
        ASSERT_STREQ(content, "<p>[REDACTED]</p><script>x=\"[REDACTED]\"</script>"
                              "<input type=password value=\"[REDACTED]\">");
        free(content);
        /* A name that is not a plain file name is refused, not written. */
        ASSERT_ERR(evidence_keep(&job, &res, "../x", "", 0), EINVAL);
        ASSERT_ERR(evidence_keep(&job, &res, ".x", "", 0), EINVAL);
        ASSERT_EQ(res.n_evidence, 1);
        /* At most CHECK_EVIDENCE_MAX files. */
        for (unsigned i = 1; i < CHECK_EVIDENCE_MAX; i++) {
                char name[16];
                snprintf(name, sizeof name, "f%u", i);
                ASSERT_OK(evidence_keep(&job, &res, name, "x", 1));
        }
        ASSERT_ERR(evidence_keep(&job, &res, "one-too-many", "x", 1), EINVAL);
        free(path);
        test_tmpdir_cleanup(dir);
}

static void test_write(void) {
        char *dir = test_tmpdir(), *path = NULL, *content, *link = NULL;
        struct stat st;

        ASSERT_OK(evidence_write(dir, "a.html", "hello", 5, &path));
        content = test_read_file(path);
        ASSERT_STREQ(content, "hello");
        free(content);
        ASSERT_TRUE(stat(path, &st) == 0);
        ASSERT_EQ(st.st_mode & 0777, 0600);

        /* Replaced whole, and a planted symlink is replaced, not followed. */
        ASSERT_OK(evidence_write(dir, "a.html", "bye", 3, NULL));
        content = test_read_file(path);
        ASSERT_STREQ(content, "bye");
        free(content);
        ASSERT_TRUE(asprintf(&link, "%s/b.png", dir) > 0);
        ASSERT_TRUE(symlink(path, link) == 0);
        ASSERT_OK(evidence_write(dir, "b.png", "\x89PNG", 4, NULL));
        ASSERT_TRUE(lstat(link, &st) == 0 && S_ISREG(st.st_mode));
        content = test_read_file(path);
        ASSERT_STREQ(content, "bye");
        free(content);

        ASSERT_ERR(evidence_write(dir, "../x", "", 0, NULL), EINVAL);
        ASSERT_ERR(evidence_write("/nonexistent-dir", "x", "", 0, NULL), ENOENT);
        free(link);
        free(path);
        test_tmpdir_cleanup(dir);
}

int main(void) {
        test_password_inputs();
        test_secret_occurrences();
        test_keep_in_memory();
        test_keep();
        test_write();
        return 0;
}
