/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* A check whose own machinery fails must never report success, nor blame
 * the partner: the whole http engine runs a three-step login against a
 * small loopback server in this process, once as it should, then once
 * for each allocation libcurl and libxml2 make along the way (sampled),
 * with that one allocation failing. Every such run must end in
 * out-of-memory. */

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "alloc-guard.h"
#include "engine.h"
#include "test-helpers.h"

static int listen_fd = -1;

static const char login_page[] =
        "<html><body><form method=post action=/login><input type=hidden name=t value=tok>"
        "<input name=user><input type=password name=pw><button>Log in</button></form></body></html>";
static const char account_page[] = "<html><body><h1>Welcome back</h1></body></html>";

static void answer(int fd, const char *status, const char *extra, const char *body) {
        char buf[1024];
        int n = snprintf(buf, sizeof buf, "HTTP/1.1 %s\r\nContent-Type: text/html\r\nContent-Length: %zu\r\n%s\r\n%s",
                         status, strlen(body), extra, body);
        ASSERT_TRUE(write(fd, buf, (size_t) n) == n);
}

/* One connection: requests until the client closes it. */
static void serve(int fd) {
        char buf[8192];
        size_t have = 0;

        for (;;) {
                char *end;
                ssize_t k = read(fd, buf + have, sizeof buf - 1 - have);
                if (k <= 0)
                        return;
                have += (size_t) k;
                buf[have] = 0;
                end = strstr(buf, "\r\n\r\n");
                if (!end)
                        continue;
                size_t len = 0;
                char *cl = strcasestr(buf, "Content-Length:");
                if (cl && cl < end)
                        len = strtoul(cl + 15, NULL, 10);
                size_t need = (size_t) (end + 4 - buf) + len;
                if (have < need)
                        continue;
                if (strncmp(buf, "GET /login", 10) == 0)
                        answer(fd, "200 OK", "Set-Cookie: s=1; Path=/\r\n", login_page);
                else if (strncmp(buf, "POST /login", 11) == 0)
                        answer(fd, "302 Found", "Location: /account\r\n", "");
                else
                        answer(fd, "200 OK", "", account_page);
                memmove(buf, buf + need, have - need);
                have -= need;
        }
}

static void *server(void *userdata) {
        for (;;) {
                int fd = accept(listen_fd, NULL, NULL);
                if (fd < 0)
                        return NULL;
                serve(fd);
                close(fd);
        }
}

static void progress(void *userdata, unsigned step, unsigned steps, const char *what) {
}

int main(void) {
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t sl = sizeof sa;
        pthread_t t;
        char url[64];

        listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        ASSERT_TRUE(listen_fd >= 0);
        ASSERT_TRUE(bind(listen_fd, (struct sockaddr *) &sa, sizeof sa) == 0);
        ASSERT_TRUE(listen(listen_fd, 16) == 0);
        ASSERT_TRUE(getsockname(listen_fd, (struct sockaddr *) &sa, &sl) == 0);
        ASSERT_TRUE(pthread_create(&t, NULL, server, NULL) == 0);
        snprintf(url, sizeof url, "http://127.0.0.1:%u/login", ntohs(sa.sin_port));

        CheckJob job = {
                .partner = (char *) "acme", .browser = (char *) "b", .engine = (char *) "http",
                .entry_url = url, .success_marker = (char *) "Welcome back",
                .username = (char *) "ann", .password = (char *) "pw",
                .timeout_sec = 10, .max_redirects = 5, .wait_sec = -1,
        };
        CheckResult res = CHECK_RESULT_INIT;

        /* As it should go; and how many allocations that takes. */
        ASSERT_OK(alloc_guard_install());
        (void) alloc_guard_fail_at(-1);
        ASSERT_OK(engine_http.run(&job, progress, NULL, &res));
        ASSERT_STREQ(res.outcome, "success");
        ASSERT_EQ(res.n_steps, 2);
        long total = alloc_guard_fail_at(-1);
        ASSERT_TRUE(total > 50);

        /* Each allocation failing in turn (every one, or a sample of 200
         * spread over the run). */
        long stride = total > 200 ? total / 200 : 1, runs = 0;
        for (long i = 0; i < total; i += stride, runs++) {
                CheckResult r2 = CHECK_RESULT_INIT;
                (void) alloc_guard_fail_at(i);
                ASSERT_OK(engine_http.run(&job, progress, NULL, &r2));
                if (!streq_ptr(r2.outcome, "out-of-memory")) {
                        fprintf(stderr, "allocation %ld of %ld failing: outcome %s (%s)\n", i, total,
                                r2.outcome ?: "(null)", r2.details);
                        abort();
                }
        }
        (void) alloc_guard_fail_at(-1);
        fprintf(stderr, "%ld allocations, %ld runs with one failing: all out-of-memory\n", total, runs);

        /* And the engine still works afterwards. */
        CheckResult r3 = CHECK_RESULT_INIT;
        ASSERT_OK(engine_http.run(&job, progress, NULL, &r3));
        ASSERT_STREQ(r3.outcome, "success");

        shutdown(listen_fd, SHUT_RDWR);
        close(listen_fd);
        pthread_join(t, NULL);
        curl_global_cleanup();
        return 0;
}
