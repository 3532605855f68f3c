/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

static void test_directory(void) {
        ASSERT_STREQ(evidence_directory("/var/lib/x"), "/var/lib/x");
        ASSERT_TRUE(unsetenv("RUNTIME_DIRECTORY") == 0);
        ASSERT_STREQ(evidence_directory(NULL), "/tmp");
        ASSERT_STREQ(evidence_directory(""), "/tmp");
        ASSERT_TRUE(setenv("RUNTIME_DIRECTORY", "/run/pik-check:/run/other", 1) == 0);
        ASSERT_STREQ(evidence_directory(NULL), "/run/pik-check");
        ASSERT_TRUE(setenv("RUNTIME_DIRECTORY", "relative", 1) == 0);
        ASSERT_STREQ(evidence_directory(NULL), "/tmp");
        ASSERT_TRUE(unsetenv("RUNTIME_DIRECTORY") == 0);
}

static void test_write(void) {
        char *dir = test_tmpdir(), *path = NULL, *content, *link = NULL;
        struct stat st;

        ASSERT_OK(evidence_write(dir, "a.html", "hello", 5, &path));
        content = test_read_file(path);
        ASSERT_STREQ(content, "hello");
        free(content);
        ASSERT_TRUE(stat(path, &st) == 0);
        ASSERT_EQ(st.st_mode & 0777, 0640);

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
        test_directory();
        test_write();
        return 0;
}
