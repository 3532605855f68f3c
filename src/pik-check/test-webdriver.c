/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The WebDriver client without a browser: replies parsed, capabilities
 * merged, base64, XPath literals, and the protocol against a small fake
 * remote end on loopback (a child process answering canned replies). */

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "string-util.h"
#include "test-helpers.h"
#include "webdriver.h"

static void test_parse_reply(void) {
        WebDriverError e;
        json_object *v = NULL;
        const char *s;

        s = "{\"value\":{\"sessionId\":\"x\"}}";
        ASSERT_OK(webdriver_parse_reply(s, strlen(s), 200, &v, &e));
        ASSERT_TRUE(json_object_is_type(v, json_type_object));
        json_object_put(v);

        s = "{\"value\":null}";
        v = (json_object *) 1;
        ASSERT_OK(webdriver_parse_reply(s, strlen(s), 200, &v, &e));
        ASSERT_TRUE(v == NULL);

        s = "{\"value\":{\"error\":\"no such element\",\"message\":\"no such element: x\\n  (Session info)\","
            "\"stacktrace\":\"#0\"}}";
        ASSERT_ERR(webdriver_parse_reply(s, strlen(s), 404, &v, &e), ENOENT);
        ASSERT_STREQ(e.error, "no such element");
        ASSERT_STREQ(e.message, "no such element: x");
        ASSERT_EQ(e.http_status, 404);

        s = "{\"value\":{\"error\":\"session not created\",\"message\":\"Chrome failed to start\"}}";
        ASSERT_ERR(webdriver_parse_reply(s, strlen(s), 500, &v, &e), EIO);
        ASSERT_STREQ(e.error, "session not created");

        /* Not WebDriver: HTML from a proxy, an error without a code,
         * truncated JSON, nothing. */
        s = "<html>Bad Gateway</html>";
        ASSERT_ERR(webdriver_parse_reply(s, strlen(s), 502, &v, &e), EBADMSG);
        s = "{\"value\":{\"message\":\"x\"}}";
        ASSERT_ERR(webdriver_parse_reply(s, strlen(s), 500, &v, &e), EBADMSG);
        /* An empty code is no code (found by fuzz-webdriver): it would
         * pass for a W3C error that names nothing. */
        s = "{\"value\":{\"error\":\"\",\"message\":\"x\"}}";
        ASSERT_ERR(webdriver_parse_reply(s, strlen(s), 500, &v, &e), EBADMSG);
        ASSERT_STREQ(e.error, "");
        s = "{\"value\":{\"a\":";
        ASSERT_ERR(webdriver_parse_reply(s, strlen(s), 200, &v, &e), EBADMSG);
        ASSERT_ERR(webdriver_parse_reply("", 0, 200, &v, &e), EBADMSG);
        s = "{\"status\":0}";
        ASSERT_ERR(webdriver_parse_reply(s, strlen(s), 200, &v, &e), EBADMSG);
        s = "{\"value\":1}";
        ASSERT_ERR(webdriver_parse_reply(s, strlen(s), 302, &v, &e), EBADMSG);
        /* Only the given length is read. */
        s = "{\"value\":1}garbage";
        ASSERT_OK(webdriver_parse_reply(s, 11, 200, &v, &e));
        ASSERT_EQ(json_object_get_int(v), 1);
        json_object_put(v);
}

static void test_element_id(void) {
        json_object *o = json_tokener_parse("{\"" WEBDRIVER_ELEMENT_KEY "\":\"f.1.d.2.e.3\"}");

        ASSERT_STREQ(webdriver_element_id(o), "f.1.d.2.e.3");
        json_object_put(o);
        o = json_tokener_parse("{\"ELEMENT\":\"x\"}");
        ASSERT_TRUE(webdriver_element_id(o) == NULL);
        json_object_put(o);
        ASSERT_TRUE(webdriver_element_id(NULL) == NULL);
}

static const char *get_path(json_object *o, const char *a, const char *b, const char *c) {
        json_object *v = o;

        if (!json_object_object_get_ex(v, a, &v) || (b && !json_object_object_get_ex(v, b, &v)) ||
            (c && !json_object_object_get_ex(v, c, &v)))
                return NULL;
        return json_object_get_string(v);
}

static void test_capabilities(void) {
        json_object *caps = NULL, *always, *args;
        size_t n;
        int ua = 0, headless = 0, extra = 0;

        ASSERT_OK(webdriver_capabilities("Mozilla/5.0 (pik)",
                                         "{\"goog:chromeOptions\":{\"args\":[\"--headless\",\"--lang=de\"],"
                                         "\"binary\":\"/usr/bin/chromium\"},\"acceptInsecureCerts\":true,"
                                         "\"browserName\":\"chrome\",\"se:name\":\"pik\"}", &caps));
        ASSERT_TRUE(json_object_object_get_ex(caps, "capabilities", &always));
        ASSERT_TRUE(json_object_object_get_ex(always, "alwaysMatch", &always));
        ASSERT_STREQ(get_path(always, "browserName", NULL, NULL), "chrome");
        ASSERT_STREQ(get_path(always, "goog:chromeOptions", "binary", NULL), "/usr/bin/chromium");
        ASSERT_STREQ(get_path(always, "se:name", NULL, NULL), "pik");
        ASSERT_TRUE(json_object_get_boolean(json_object_object_get(always, "acceptInsecureCerts")));
        args = json_object_object_get(json_object_object_get(always, "goog:chromeOptions"), "args");
        n = json_object_array_length(args);
        for (size_t i = 0; i < n; i++) {
                const char *a = json_object_get_string(json_object_array_get_idx(args, i));
                ua += streq(a, "--user-agent=Mozilla/5.0 (pik)");
                headless += streq(a, "--headless");
                extra += streq(a, "--lang=de");
        }
        /* Appended, without duplicates. */
        ASSERT_EQ(ua, 1);
        ASSERT_EQ(headless, 1);
        ASSERT_EQ(extra, 1);
        ASSERT_STREQ(json_object_get_string(json_object_array_get_idx(args, n - 1)), "--lang=de");
        json_object_put(caps);

        /* Without extras or a user agent. */
        ASSERT_OK(webdriver_capabilities(NULL, NULL, &caps));
        json_object_put(caps);
        ASSERT_OK(webdriver_capabilities("", "", &caps));
        json_object_put(caps);

        /* The job's capabilities must be one JSON object. */
        ASSERT_ERR(webdriver_capabilities(NULL, "[1,2]", &caps), EINVAL);
        ASSERT_ERR(webdriver_capabilities(NULL, "{\"a\":", &caps), EINVAL);
        ASSERT_ERR(webdriver_capabilities(NULL, "{} {}", &caps), EINVAL);
        ASSERT_ERR(webdriver_capabilities(NULL, "nonsense", &caps), EINVAL);

        /* Scalars of the job's replace objects of ours, and the reverse. */
        json_object *dst = json_tokener_parse("{\"a\":{\"b\":1},\"c\":2,\"goog:chromeOptions\":{\"args\":[\"x\"]}}");
        json_object *src = json_tokener_parse("{\"a\":3,\"c\":{\"d\":4},\"goog:chromeOptions\":{\"args\":\"y\"}}");
        ASSERT_OK(webdriver_merge_capabilities(dst, src));
        ASSERT_STREQ(json_object_to_json_string_ext(dst, JSON_C_TO_STRING_PLAIN),
                     "{\"a\":3,\"c\":{\"d\":4},\"goog:chromeOptions\":{\"args\":\"y\"}}");
        json_object_put(src);
        json_object_put(dst);
}

static void test_base64(void) {
        void *p = NULL;
        size_t n = 0;

        ASSERT_OK(webdriver_unbase64("aGVsbG8=", 8, &p, &n));
        ASSERT_EQ(n, 5);
        ASSERT_TRUE(memcmp(p, "hello", 5) == 0);
        free(p);
        ASSERT_OK(webdriver_unbase64("aGVs\nbG8", 8, &p, &n));
        ASSERT_EQ(n, 5);
        free(p);
        ASSERT_OK(webdriver_unbase64("iVBORw0KGgo=", 12, &p, &n));
        ASSERT_EQ(n, 8);
        ASSERT_TRUE(memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0);
        free(p);
        ASSERT_OK(webdriver_unbase64("+/+/", 4, &p, &n));
        ASSERT_EQ(n, 3);
        ASSERT_TRUE(memcmp(p, "\xfb\xff\xbf", 3) == 0);
        free(p);
        ASSERT_OK(webdriver_unbase64("", 0, &p, &n));
        ASSERT_EQ(n, 0);
        free(p);
        ASSERT_ERR(webdriver_unbase64("a", 1, &p, &n), EINVAL);
        ASSERT_ERR(webdriver_unbase64("aGVs*G8=", 8, &p, &n), EINVAL);
        ASSERT_ERR(webdriver_unbase64("aG=Vs", 5, &p, &n), EINVAL);
        ASSERT_ERR(webdriver_unbase64("aGVsbG8====", 11, &p, &n), EINVAL);
}

static void test_xpath_literal(void) {
        char *s;

        s = xpath_literal("user");
        ASSERT_STREQ(s, "'user'");
        free(s);
        s = xpath_literal("o'neil");
        ASSERT_STREQ(s, "\"o'neil\"");
        free(s);
        s = xpath_literal("a'b\"c");
        ASSERT_STREQ(s, "concat('a',\"'\",'b\"c')");
        free(s);
        s = xpath_literal("'\"'");
        ASSERT_STREQ(s, "concat(\"'\",'\"',\"'\")");
        free(s);
        s = xpath_literal("");
        ASSERT_STREQ(s, "''");
        free(s);
}

/* The fake remote end: reads one request per connection and answers by
 * method and path. */

static const char *fake_reply(const char *method, const char *path, const char *body, int *status) {
        *status = 200;
        if (streq(method, "POST") && streq(path, "/wd/session"))
                return strstr(body, "\"browserName\":\"chrome\"") ? "{\"value\":{\"sessionId\":\"s 1\",\"capabilities\":"
                                                                  "{\"browserVersion\":\"1\"}}}"
                                                                : "{\"value\":{}}";
        if (streq(method, "POST") && streq(path, "/wd/session/s%201/url"))
                return "{\"value\":null}";
        if (streq(method, "GET") && streq(path, "/wd/session/s%201/url"))
                return "{\"value\":\"http://partner.test/\"}";
        if (streq(method, "POST") && streq(path, "/wd/session/s%201/element")) {
                if (strstr(body, "//missing")) {
                        *status = 404;
                        return "{\"value\":{\"error\":\"no such element\",\"message\":\"no such element\"}}";
                }
                return "{\"value\":{\"" WEBDRIVER_ELEMENT_KEY "\":\"e/1\"}}";
        }
        if (streq(method, "POST") && streq(path, "/wd/session/s%201/elements"))
                return "{\"value\":[{\"" WEBDRIVER_ELEMENT_KEY "\":\"a\"},{\"" WEBDRIVER_ELEMENT_KEY "\":\"b\"}]}";
        if (streq(method, "POST") && streq(path, "/wd/session/s%201/element/e%2F1/value"))
                return strstr(body, "\"text\":\"hunter2\"") ? "{\"value\":null}" : "{\"value\":{}}";
        if (streq(method, "GET") && streq(path, "/wd/session/s%201/element/e%2F1/attribute/type"))
                return "{\"value\":\"password\"}";
        if (streq(method, "GET") && streq(path, "/wd/session/s%201/element/e%2F1/attribute/value"))
                return "{\"value\":null}";
        if (streq(method, "GET") && streq(path, "/wd/session/s%201/screenshot"))
                return "{\"value\":\"iVBORw0KGgo=\"}";
        if (streq(method, "GET") && streq(path, "/wd/session/s%201/source"))
                return "{\"value\":\"<html>hi</html>\"}";
        if (streq(method, "POST") && streq(path, "/wd/session/s%201/execute/sync")) {
                if (strstr(body, "gone")) {
                        *status = 404;
                        return "{\"value\":{\"error\":\"invalid session id\",\"message\":\"session deleted\"}}";
                }
                return "{\"value\":{\"ready\":\"complete\"}}";
        }
        if (streq(method, "POST") && streq(path, "/wd/session/s%201/timeouts"))
                return "{\"value\":null}";
        if (streq(method, "DELETE") && streq(path, "/wd/session/s%201"))
                return "{\"value\":null}";
        if (streq(method, "GET") && streq(path, "/wd/status"))
                return "{\"value\":{\"ready\":true,\"message\":\"ok\"}}";
        if (startswith(path, "/wd/slow")) {
                sleep(2);
                return "{\"value\":null}";
        }
        *status = 404;
        return "<html>not here</html>";
}

static void serve_one(int fd) {
        char req[65536], method[16] = "", path[1024] = "", out[70000];
        size_t n = 0, body_len = 0;
        const char *reply, *body, *cl;
        int status;

        for (;;) {
                ssize_t k = read(fd, req + n, sizeof req - 1 - n);
                if (k <= 0)
                        return;
                n += (size_t) k;
                req[n] = 0;
                body = strstr(req, "\r\n\r\n");
                if (!body)
                        continue;
                cl = strcasestr(req, "Content-Length:");
                body_len = cl ? strtoul(cl + 15, NULL, 10) : 0;
                if (n >= (size_t) (body - req) + 4 + body_len)
                        break;
        }
        if (sscanf(req, "%15s %1023s", method, path) != 2)
                return;
        reply = fake_reply(method, path, strstr(req, "\r\n\r\n") + 4, &status);
        int m = snprintf(out, sizeof out,
                         "HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
                         "Connection: close\r\n\r\n%s", status, strlen(reply), reply);
        (void) !write(fd, out, (size_t) m);
}

static pid_t fake_start(int *ret_port) {
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t len = sizeof a;
        int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        pid_t pid;

        ASSERT_TRUE(s >= 0);
        ASSERT_TRUE(bind(s, (struct sockaddr *) &a, sizeof a) == 0);
        ASSERT_TRUE(listen(s, 16) == 0);
        ASSERT_TRUE(getsockname(s, (struct sockaddr *) &a, &len) == 0);
        *ret_port = ntohs(a.sin_port);

        pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                for (;;) {
                        int c = accept4(s, NULL, NULL, SOCK_CLOEXEC);
                        if (c < 0)
                                _exit(0);
                        serve_one(c);
                        close(c);
                }
        }
        close(s);
        return pid;
}

static int closed_port(void) {
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t len = sizeof a;
        int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

        ASSERT_TRUE(s >= 0);
        ASSERT_TRUE(bind(s, (struct sockaddr *) &a, sizeof a) == 0);
        ASSERT_TRUE(getsockname(s, (struct sockaddr *) &a, &len) == 0);
        close(s);   /* bound, never listened on: connecting is refused */
        return ntohs(a.sin_port);
}

static void test_protocol(void) {
        _cleanup_(webdriver_freep) WebDriver *wd = NULL;
        json_object *caps = NULL, *v = NULL;
        char url[64], *s = NULL, **l = NULL;
        void *png = NULL;
        size_t png_size = 0;
        int port, status;
        pid_t pid;

        pid = fake_start(&port);
        snprintf(url, sizeof url, "http://127.0.0.1:%d/wd/", port);
        ASSERT_OK(webdriver_new(url, &wd));
        webdriver_set_timeout(wd, 5000);

        ASSERT_EQ(webdriver_status(wd), 1);
        ASSERT_ERR(webdriver_navigate(wd, "http://x/"), ENOTCONN);

        ASSERT_OK(webdriver_capabilities(NULL, NULL, &caps));
        ASSERT_OK(webdriver_session_new(wd, caps));
        ASSERT_STREQ(webdriver_session_id(wd), "s 1");
        ASSERT_TRUE(webdriver_session_capabilities(wd) != NULL);
        ASSERT_ERR(webdriver_session_new(wd, caps), EBUSY);
        json_object_put(caps);

        ASSERT_OK(webdriver_set_timeouts(wd, 30000, 10000, 0));
        ASSERT_OK(webdriver_navigate(wd, "http://partner.test/"));
        ASSERT_OK(webdriver_current_url(wd, &s));
        ASSERT_STREQ(s, "http://partner.test/");
        s = mfree(s);

        ASSERT_OK(webdriver_find_element(wd, NULL, "//form", &s));
        ASSERT_STREQ(s, "e/1");
        s = mfree(s);
        ASSERT_ERR(webdriver_find_element(wd, NULL, "//missing", &s), ENOENT);
        ASSERT_STREQ(webdriver_last_error(wd)->error, "no such element");
        ASSERT_EQ(webdriver_find_elements(wd, NULL, "//input", &l), 2);
        ASSERT_STREQ(l[0], "a");
        ASSERT_STREQ(l[1], "b");
        ASSERT_TRUE(l[2] == NULL);
        strv_free(l);

        ASSERT_OK(webdriver_element_send_keys(wd, "e/1", "hunter2"));
        ASSERT_OK(webdriver_element_attribute(wd, "e/1", "type", &s));
        ASSERT_STREQ(s, "password");
        s = mfree(s);
        ASSERT_OK(webdriver_element_attribute(wd, "e/1", "value", &s));
        ASSERT_TRUE(s == NULL);

        ASSERT_OK(webdriver_screenshot(wd, &png, &png_size));
        ASSERT_EQ(png_size, 8);
        ASSERT_TRUE(memcmp(png, "\x89PNG", 4) == 0);
        free(png);
        ASSERT_OK(webdriver_page_source(wd, &s));
        ASSERT_STREQ(s, "<html>hi</html>");
        s = mfree(s);
        ASSERT_OK(webdriver_execute(wd, "return 1", NULL, &v));
        ASSERT_TRUE(json_object_is_type(v, json_type_object));
        json_object_put(v);

        /* A reply that is not WebDriver. */
        ASSERT_ERR(webdriver_element_click(wd, "nothere"), EBADMSG);
        ASSERT_EQ(webdriver_last_error(wd)->http_status, 404);

        ASSERT_OK(webdriver_session_delete(wd));
        ASSERT_TRUE(webdriver_session_id(wd) == NULL);
        ASSERT_OK(webdriver_session_delete(wd));   /* nothing left to delete */

        /* A command that outlives the transport timeout. */
        webdriver_free(wd);
        snprintf(url, sizeof url, "http://127.0.0.1:%d/wd/slow", port);
        ASSERT_OK(webdriver_new(url, &wd));
        webdriver_set_timeout(wd, 300);
        ASSERT_ERR(webdriver_status(wd), ETIMEDOUT);
        ASSERT_EQ(webdriver_last_error(wd)->curl, CURLE_OPERATION_TIMEDOUT);
        webdriver_free(wd);
        wd = NULL;

        ASSERT_TRUE(kill(pid, SIGTERM) == 0);
        ASSERT_TRUE(waitpid(pid, &status, 0) == pid);
}

static void test_endpoint_gone(void) {
        _cleanup_(webdriver_freep) WebDriver *wd = NULL;
        json_object *caps = NULL;
        char url[64];
        int port, status;
        pid_t pid;

        pid = fake_start(&port);
        snprintf(url, sizeof url, "http://127.0.0.1:%d/wd/", port);
        ASSERT_OK(webdriver_new(url, &wd));
        webdriver_set_timeout(wd, 5000);
        ASSERT_OK(webdriver_capabilities(NULL, NULL, &caps));
        ASSERT_OK(webdriver_session_new(wd, caps));
        json_object_put(caps);

        /* The session vanished under us: a W3C error. */
        ASSERT_ERR(webdriver_execute(wd, "gone", NULL, NULL), EIO);
        ASSERT_STREQ(webdriver_last_error(wd)->error, "invalid session id");
        ASSERT_TRUE(kill(pid, SIGTERM) == 0);
        ASSERT_TRUE(waitpid(pid, &status, 0) == pid);

        /* The endpoint went away: the transport says so. */
        ASSERT_ERR(webdriver_navigate(wd, "http://x/"), ECONNREFUSED);
        ASSERT_EQ(webdriver_last_error(wd)->curl, CURLE_COULDNT_CONNECT);
        webdriver_set_timeout(wd, 1000);
        (void) webdriver_session_delete(wd);
        ASSERT_TRUE(webdriver_session_id(wd) == NULL);
}

static void test_unreachable(void) {
        _cleanup_(webdriver_freep) WebDriver *wd = NULL;
        json_object *caps = NULL;
        char url[64];

        snprintf(url, sizeof url, "http://127.0.0.1:%d", closed_port());
        ASSERT_OK(webdriver_new(url, &wd));
        webdriver_set_timeout(wd, 2000);
        ASSERT_OK(webdriver_capabilities(NULL, NULL, &caps));
        ASSERT_ERR(webdriver_session_new(wd, caps), ECONNREFUSED);
        json_object_put(caps);
        ASSERT_EQ(webdriver_last_error(wd)->curl, CURLE_COULDNT_CONNECT);
        ASSERT_TRUE(*webdriver_last_error(wd)->message);
        ASSERT_TRUE(webdriver_session_id(wd) == NULL);

        ASSERT_ERR(webdriver_new("", &wd), EINVAL);
}

int main(void) {
        ASSERT_TRUE(curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK);
        test_parse_reply();
        test_element_id();
        test_capabilities();
        test_base64();
        test_xpath_literal();
        test_protocol();
        test_endpoint_gone();
        test_unreachable();
        curl_global_cleanup();
        return 0;
}
