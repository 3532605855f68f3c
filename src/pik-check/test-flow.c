/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <stdio.h>

#include "flow.h"
#include "test-helpers.h"
#include "totp.h"

static Flow *parse_ok(const char *json) {
        Flow *f = NULL;
        char err[256] = "";
        int r = flow_parse(json, &f, err, sizeof err);
        if (r < 0)
                fprintf(stderr, "flow_parse: %s\n", err);
        ASSERT_OK(r);
        return f;
}

static void parse_fails(const char *json, const char *want) {
        Flow *f = NULL;
        char err[256] = "";
        ASSERT_ERR(flow_parse(json, &f, err, sizeof err), EINVAL);
        ASSERT_TRUE(f == NULL);
        if (!strstr(err, want)) {
                fprintf(stderr, "error \"%s\" lacks \"%s\"\n", err, want);
                abort();
        }
}

static void test_parse(void) {
        _cleanup_(flow_freep) Flow *f = parse_ok(
                "[{\"name\": \"open login page\", \"request\": {\"method\": \"GET\", \"url\": \"{{entry_url}}\","
                "  \"headers\": [\"Accept: text/html\"]},"
                "  \"extract\": {\"token\": {\"xpath\": \"//input[@name='t']/@value\"}, \"id\": {\"regex\": \"order-([0-9]+)\"}}},"
                " {\"name\": \"sign in\", \"login\": true, \"form\": {\"xpath\": \"//form[@id='login']\","
                "  \"fields\": {\"user\": \"{{username}}\", \"pass\": \"{{ password }}\", \"t\": \"{{token}}\"}},"
                "  \"expect\": {\"status\": 200, \"text\": \"Welcome\", \"no_text\": \"Error\", \"xpath\": \"//div\"}},"
                " {\"name\": \"Login\", \"request\": {\"url\": \"/order/{{id}}\", \"method\": \"post\", \"body\": \"a=1\"}}]");

        ASSERT_EQ(f->n_steps, 3);
        ASSERT_STREQ(f->steps[0].url, "{{entry_url}}");
        ASSERT_STREQ(f->steps[0].headers[0], "Accept: text/html");
        ASSERT_EQ(f->steps[0].n_extract, 2);
        ASSERT_TRUE(!f->steps[0].login);
        ASSERT_TRUE(f->steps[1].is_form);
        ASSERT_TRUE(f->steps[1].login);
        ASSERT_EQ(f->steps[1].n_fields, 3);
        ASSERT_EQ(f->steps[1].expect_status, 200);
        ASSERT_TRUE(f->steps[2].login);         /* named "login" */
        ASSERT_TRUE(f->needs_username && f->needs_password && !f->needs_totp);

        parse_fails("{}", "not a JSON array");
        parse_fails("[]", "needs 1 to 32 steps");
        parse_fails("[{\"name\": \"x\"}]", "step 1 (x): needs one of");
        parse_fails("[{\"request\": {\"url\": \"/\"}, \"form\": {\"xpath\": \"//form\"}}]", "needs one of");
        parse_fails("[{\"request\": {}}]", "needs a \"url\"");
        parse_fails("[{\"request\": {\"url\": \"/{{nope}}\"}}]", "unknown variable {{nope}}");
        parse_fails("[{\"request\": {\"url\": \"/{{nope\"}}]", "malformed");
        /* A variable exists only after the step that extracts it. */
        parse_fails("[{\"request\": {\"url\": \"/{{x}}\"}, \"extract\": {\"x\": {\"regex\": \"a\"}}}]",
                    "unknown variable {{x}}");
        parse_fails("[{\"request\": {\"url\": \"/\"}, \"extract\": {\"x\": {\"regex\": \"(\"}}}]", "regex of \"x\"");
        parse_fails("[{\"request\": {\"url\": \"/\"}, \"extract\": {\"x\": {}}}]", "needs one of \"regex\"");
        parse_fails("[{\"request\": {\"url\": \"/\"}, \"extract\": {\"password\": {\"regex\": \"a\"}}}]",
                    "built-in variable");
        parse_fails("[{\"request\": {\"url\": \"/\", \"method\": \"BREW\"}}]", "unsupported method");
        parse_fails("[{\"request\": {\"url\": \"/\", \"headers\": [\"no colon\"]}}]", "not \"Name: value\"");
        parse_fails("[{\"request\": {\"url\": \"/\"}, \"expect\": {\"status\": 9}}]", "HTTP status");
        parse_fails("[{\"request\": {\"url\": \"/\"}, \"colour\": 1}]", "unknown key \"colour\"");
        parse_fails("[{\"request\": {\"url\": \"/\"}, \"login\": \"yes\"}]", "\"login\" must be");

        char many[4096] = "[";
        for (int i = 0; i < 33; i++)
                strcat(many, i ? ",{\"request\":{\"url\":\"/\"}}" : "{\"request\":{\"url\":\"/\"}}");
        strcat(many, "]");
        parse_fails(many, "needs 1 to 32 steps");

        _cleanup_(flow_freep) Flow *t = parse_ok("[{\"form\": {\"xpath\": \"//form\", \"fields\": {\"otp\": \"{{totp}}\"}}}]");
        ASSERT_TRUE(t->needs_totp && !t->needs_password);
}

static void test_expand(void) {
        CheckJob job = {
                .username = (char *) "ann", .password = (char *) "s3cret",
                .totp_seed = (char *) "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", .entry_url = (char *) "http://x.test/",
        };
        FlowVars v = { .job = &job };
        char unknown[64];
        char *s = NULL;

        ASSERT_OK(flow_vars_set(&v, "order", "42"));
        ASSERT_OK(flow_vars_set(&v, "order", "43"));
        ASSERT_OK(flow_expand("u={{username}}&p={{ password }}&o={{order}}{{order}}", &v, &s, unknown, sizeof unknown));
        ASSERT_STREQ(s, "u=ann&p=s3cret&o=4343");
        free(s);
        ASSERT_OK(flow_expand("{{entry_url}}login", &v, &s, unknown, sizeof unknown));
        ASSERT_STREQ(s, "http://x.test/login");
        free(s);
        ASSERT_OK(flow_expand("no variables", &v, &s, unknown, sizeof unknown));
        ASSERT_STREQ(s, "no variables");
        free(s);
        ASSERT_OK(flow_expand("{{totp}}", &v, &s, unknown, sizeof unknown));
        ASSERT_EQ(strlen(s), 6);
        free(s);
        ASSERT_ERR(flow_expand("{{product_url}}", &v, &s, unknown, sizeof unknown), ENOENT);
        ASSERT_STREQ(unknown, "product_url");
        ASSERT_ERR(flow_expand("{{x", &v, &s, unknown, sizeof unknown), EINVAL);
        /* A seed no authenticator could use is a refused key, not a
         * malformed template (found by fuzz-job: a seed past TOTP_SEED_MAX). */
        job.totp_seed = (char *) "0189";
        ASSERT_ERR(flow_expand("{{totp}}", &v, &s, unknown, sizeof unknown), EKEYREJECTED);
        ASSERT_STREQ(unknown, "totp");
        {
                char long_seed[TOTP_SEED_MAX * 2 + 1];
                memset(long_seed, 'G', sizeof long_seed - 1);
                long_seed[sizeof long_seed - 1] = 0;
                job.totp_seed = long_seed;
                ASSERT_ERR(flow_expand("{{totp}}", &v, &s, unknown, sizeof unknown), EKEYREJECTED);
        }
        job.totp_seed = NULL;
        ASSERT_ERR(flow_expand("{{totp}}", &v, &s, unknown, sizeof unknown), ENOENT);
        flow_vars_done(&v);
}

static void test_check_extract(void) {
        _cleanup_(flow_freep) Flow *f = parse_ok(
                "[{\"request\": {\"url\": \"/\"},"
                "  \"expect\": {\"status\": 200, \"text\": \"Order 42\", \"no_text\": \"Error\", \"xpath\": \"//div[@id='o']\"},"
                "  \"extract\": {\"id\": {\"regex\": \"order-([0-9]+)\"}, \"whole\": {\"regex\": \"ord[a-z]+\"},"
                "               \"t\": {\"xpath\": \"//input[@name='t']/@value\"}}},"
                " {\"request\": {\"url\": \"/{{id}}\"}, \"expect\": {\"text\": \"Order {{id}}\"},"
                "  \"extract\": {\"none\": {\"xpath\": \"//table\"}}}]");
        const char *html = "<html><body><div id=o>Order 42</div><a href='/x/order-42'>x</a>"
                           "<form><input type=hidden name=t value=tok></form></body></html>";
        _cleanup_(html_page_freep) HtmlPage *p = NULL;
        FlowVars v = {};
        char why[128];
        bool ok;

        ASSERT_OK(html_page_parse(html, strlen(html), "http://x.test/", NULL, &p));
        ASSERT_OK(flow_check(&f->steps[0], &v, 200, p, &ok, why, sizeof why));
        ASSERT_TRUE(ok);
        ASSERT_OK(flow_check(&f->steps[0], &v, 500, p, &ok, why, sizeof why));
        ASSERT_TRUE(!ok);
        ASSERT_STREQ(why, "expected HTTP 200, got 500");

        ASSERT_OK(flow_extract(&f->steps[0], p, html, &v, &ok, why, sizeof why));
        ASSERT_TRUE(ok);
        ASSERT_EQ(v.n, 3);
        ASSERT_STREQ(v.values[0], "42");
        ASSERT_STREQ(v.values[1], "order");
        ASSERT_STREQ(v.values[2], "tok");

        /* Variables reach the assertions too; a failed one says which kind. */
        ASSERT_OK(flow_check(&f->steps[1], &v, 200, p, &ok, why, sizeof why));
        ASSERT_TRUE(ok);
        ASSERT_OK(flow_extract(&f->steps[1], p, html, &v, &ok, why, sizeof why));
        ASSERT_TRUE(!ok);
        ASSERT_STREQ(why, "nothing to extract for {{none}}");

        const char *err = "<p>Error: Order 42</p>";
        _cleanup_(html_page_freep) HtmlPage *q = NULL;
        ASSERT_OK(html_page_parse(err, strlen(err), "http://x.test/", NULL, &q));
        ASSERT_OK(flow_check(&f->steps[0], &v, 200, q, &ok, why, sizeof why));
        ASSERT_TRUE(!ok);
        ASSERT_STREQ(why, "unexpected text found");
        flow_vars_done(&v);
}

int main(void) {
        test_parse();
        test_expand();
        test_check_extract();
        return 0;
}
