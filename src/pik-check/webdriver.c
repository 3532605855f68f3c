/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "webdriver.h"

struct WebDriver {
        CURL *curl;
        struct curl_slist *headers;
        char *base;             /* no trailing slash */
        char *session;
        json_object *capabilities;
        unsigned timeout_ms;
        WebDriverError error;
        char errbuf[CURL_ERROR_SIZE];
};

typedef struct Reply {
        char *data;
        size_t size;
        bool toobig;
} Reply;

static size_t reply_write(char *ptr, size_t size, size_t nmemb, void *userdata) {
        Reply *b = userdata;
        size_t n = size * nmemb;

        if (n > WEBDRIVER_REPLY_MAX - b->size) {
                b->toobig = true;
                return 0;   /* CURLE_WRITE_ERROR */
        }
        char *p = realloc(b->data, b->size + n + 1);
        if (!p)
                return 0;
        memcpy(p + b->size, ptr, n);
        b->size += n;
        p[b->size] = 0;
        b->data = p;
        return n;
}

int webdriver_new(const char *base_url, WebDriver **ret) {
        _cleanup_(webdriver_freep) WebDriver *wd = NULL;
        size_t n;

        if (!base_url || !*base_url)
                return -EINVAL;

        wd = calloc(1, sizeof *wd);
        if (!wd)
                return -ENOMEM;
        wd->timeout_ms = 60000;
        wd->base = strdup(base_url);
        if (!wd->base)
                return -ENOMEM;
        n = strlen(wd->base);
        while (n > 0 && wd->base[n - 1] == '/')
                wd->base[--n] = 0;

        wd->curl = curl_easy_init();
        if (!wd->curl)
                return -ENOMEM;
        /* "Expect:" keeps libcurl from waiting for a 100 Continue that
         * chromedriver never sends on larger bodies. */
        struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json; charset=utf-8");
        if (h)
                wd->headers = curl_slist_append(h, "Expect:");
        if (!wd->headers) {
                curl_slist_free_all(h);
                return -ENOMEM;
        }
        curl_easy_setopt(wd->curl, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(wd->curl, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(wd->curl, CURLOPT_HTTPHEADER, wd->headers);
        curl_easy_setopt(wd->curl, CURLOPT_ERRORBUFFER, wd->errbuf);
        curl_easy_setopt(wd->curl, CURLOPT_WRITEFUNCTION, reply_write);
        curl_easy_setopt(wd->curl, CURLOPT_USERAGENT, "pik-check");

        *ret = TAKE_PTR(wd);
        return 0;
}

WebDriver *webdriver_free(WebDriver *wd) {
        if (!wd)
                return NULL;
        if (wd->curl)
                curl_easy_cleanup(wd->curl);
        curl_slist_free_all(wd->headers);
        free(wd->base);
        free(wd->session);
        json_object_put(wd->capabilities);
        free(wd);
        return NULL;
}

void webdriver_set_timeout(WebDriver *wd, unsigned timeout_ms) {
        wd->timeout_ms = timeout_ms;
}

const WebDriverError *webdriver_last_error(const WebDriver *wd) {
        return &wd->error;
}

const char *webdriver_session_id(const WebDriver *wd) {
        return wd->session;
}

json_object *webdriver_session_capabilities(const WebDriver *wd) {
        return wd->capabilities;
}

static void set_message(WebDriverError *err, const char *msg) {
        size_t n = strcspn(msg, "\n");

        /* The first line says what happened; the rest is a stack trace. */
        snprintf(err->message, sizeof err->message, "%.*s", (int) MIN(n, sizeof err->message - 1), msg);
}

const char *webdriver_element_id(json_object *value) {
        json_object *v;

        if (!value || !json_object_is_type(value, json_type_object))
                return NULL;
        if (!json_object_object_get_ex(value, WEBDRIVER_ELEMENT_KEY, &v) || !json_object_is_type(v, json_type_string))
                return NULL;
        return json_object_get_string(v);
}

int webdriver_parse_reply(const char *body, size_t size, long http_status, json_object **ret_value,
                          WebDriverError *err) {
        json_tokener *tok;
        json_object *o, *value, *e, *m;
        int r;

        *err = (WebDriverError) { .http_status = http_status };

        if (!body || size == 0 || size > WEBDRIVER_REPLY_MAX) {
                snprintf(err->message, sizeof err->message, "empty reply (HTTP %ld)", http_status);
                return -EBADMSG;
        }
        tok = json_tokener_new();
        if (!tok)
                return -ENOMEM;
        o = json_tokener_parse_ex(tok, body, (int) size);
        r = json_tokener_get_error(tok) == json_tokener_success ? 0 : -EBADMSG;
        json_tokener_free(tok);
        if (r < 0 || !o || !json_object_is_type(o, json_type_object) ||
            !json_object_object_get_ex(o, "value", &value)) {
                json_object_put(o);
                snprintf(err->message, sizeof err->message, "not a WebDriver reply (HTTP %ld)", http_status);
                return -EBADMSG;
        }

        if (http_status >= 200 && http_status <= 299) {
                *ret_value = json_object_get(value);
                json_object_put(o);
                return 0;
        }

        if (http_status >= 400 && http_status <= 599 && value && json_object_is_type(value, json_type_object) &&
            json_object_object_get_ex(value, "error", &e) && json_object_is_type(e, json_type_string) &&
            json_object_get_string_len(e) > 0) {
                snprintf(err->error, sizeof err->error, "%s", json_object_get_string(e));
                if (json_object_object_get_ex(value, "message", &m) && json_object_is_type(m, json_type_string))
                        set_message(err, json_object_get_string(m));
                json_object_put(o);
                return streq(err->error, "no such element") ? -ENOENT : -EIO;
        }

        json_object_put(o);
        snprintf(err->message, sizeof err->message, "unexpected WebDriver reply (HTTP %ld)", http_status);
        return -EBADMSG;
}

static int curl_to_errno(CURLcode cc, bool toobig) {
        switch (cc) {
        case CURLE_COULDNT_CONNECT:
                return -ECONNREFUSED;
        case CURLE_OPERATION_TIMEDOUT:
                return -ETIMEDOUT;
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_RESOLVE_PROXY:
                return -EHOSTUNREACH;
        case CURLE_GOT_NOTHING:
        case CURLE_RECV_ERROR:
        case CURLE_SEND_ERROR:
        case CURLE_PARTIAL_FILE:
                return -ECONNRESET;
        case CURLE_OUT_OF_MEMORY:
                return -ENOMEM;
        case CURLE_WRITE_ERROR:
                return toobig ? -E2BIG : -ENOMEM;
        default:
                return -EPROTO;
        }
}

/* One command. path is appended to the base URL; body NULL for GET (or
 * DELETE when method says so). wipe: the body held a secret. */
static int request(WebDriver *wd, const char *method, const char *path, json_object *body, bool wipe,
                   json_object **ret_value) {
        _cleanup_free_ char *url = NULL;
        Reply reply = {};
        const char *payload = NULL;
        size_t payload_len = 0;
        long status = 0;
        CURLcode cc;
        int r;

        wd->error = (WebDriverError) {};
        wd->errbuf[0] = 0;

        if (asprintf(&url, "%s%s", wd->base, path) < 0)
                return -ENOMEM;

        curl_easy_setopt(wd->curl, CURLOPT_URL, url);
        curl_easy_setopt(wd->curl, CURLOPT_WRITEDATA, &reply);
        curl_easy_setopt(wd->curl, CURLOPT_TIMEOUT_MS, (long) wd->timeout_ms);
        curl_easy_setopt(wd->curl, CURLOPT_CONNECTTIMEOUT_MS, (long) MIN(wd->timeout_ms, 10000U));
        if (streq(method, "POST")) {
                payload = json_object_to_json_string_length(body, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE,
                                                           &payload_len);
                if (!payload)
                        return -ENOMEM;
                curl_easy_setopt(wd->curl, CURLOPT_CUSTOMREQUEST, NULL);
                curl_easy_setopt(wd->curl, CURLOPT_POST, 1L);
                curl_easy_setopt(wd->curl, CURLOPT_POSTFIELDS, payload);
                curl_easy_setopt(wd->curl, CURLOPT_POSTFIELDSIZE, (long) payload_len);
        } else {
                curl_easy_setopt(wd->curl, CURLOPT_HTTPGET, 1L);
                curl_easy_setopt(wd->curl, CURLOPT_CUSTOMREQUEST, streq(method, "GET") ? NULL : method);
        }

        cc = curl_easy_perform(wd->curl);
        if (payload && wipe)
                /* json-c's print buffer belongs to the object; the caller
                 * wipes the strings, this wipes their serialization. */
                explicit_bzero((char *) payload, payload_len);
        curl_easy_setopt(wd->curl, CURLOPT_POSTFIELDS, NULL);
        curl_easy_getinfo(wd->curl, CURLINFO_RESPONSE_CODE, &status);

        if (cc != CURLE_OK) {
                wd->error.curl = cc;
                wd->error.http_status = status;
                snprintf(wd->error.message, sizeof wd->error.message, "%s",
                         *wd->errbuf ? wd->errbuf : curl_easy_strerror(cc));
                r = curl_to_errno(cc, reply.toobig);
                free(reply.data);
                return r;
        }

        json_object *value = NULL;
        r = webdriver_parse_reply(reply.data, reply.size, status, &value, &wd->error);
        if (reply.data)
                /* Page sources and typed values can hold what we typed. */
                explicit_bzero(reply.data, reply.size);
        free(reply.data);
        if (r < 0)
                return r;
        if (ret_value)
                *ret_value = value;
        else
                json_object_put(value);
        return 0;
}

/* "/session/<id><suffix>" with the session id escaped: ids are opaque. */
static int session_path(WebDriver *wd, const char *suffix, const char *element, const char *suffix2, char **ret) {
        char *sid, *eid = NULL;
        int r;

        if (!wd->session)
                return -ENOTCONN;
        sid = curl_easy_escape(wd->curl, wd->session, 0);
        if (!sid)
                return -ENOMEM;
        if (element) {
                eid = curl_easy_escape(wd->curl, element, 0);
                if (!eid) {
                        curl_free(sid);
                        return -ENOMEM;
                }
        }
        r = asprintf(ret, "/session/%s%s%s%s", sid, suffix, eid ?: "", suffix2 ?: "");
        curl_free(sid);
        curl_free(eid);
        return r < 0 ? -ENOMEM : 0;
}

static int session_request(WebDriver *wd, const char *method, const char *suffix, const char *element,
                           const char *suffix2, json_object *body, bool wipe, json_object **ret_value) {
        _cleanup_free_ char *path = NULL;
        int r;

        r = session_path(wd, suffix, element, suffix2, &path);
        if (r < 0)
                return r;
        return request(wd, method, path, body, wipe, ret_value);
}

int webdriver_session_new(WebDriver *wd, json_object *body) {
        json_object *value = NULL, *sid, *caps;
        int r;

        if (wd->session)
                return -EBUSY;
        r = request(wd, "POST", "/session", body, false, &value);
        if (r < 0)
                return r;
        if (!value || !json_object_object_get_ex(value, "sessionId", &sid) ||
            !json_object_is_type(sid, json_type_string) || !*json_object_get_string(sid)) {
                json_object_put(value);
                snprintf(wd->error.message, sizeof wd->error.message, "New Session's reply has no sessionId");
                return -EBADMSG;
        }
        wd->session = strdup(json_object_get_string(sid));
        if (json_object_object_get_ex(value, "capabilities", &caps))
                wd->capabilities = json_object_get(caps);
        json_object_put(value);
        return wd->session ? 0 : -ENOMEM;
}

int webdriver_session_delete(WebDriver *wd) {
        int r;

        if (!wd->session)
                return 0;
        r = session_request(wd, "DELETE", "", NULL, NULL, NULL, false, NULL);
        wd->session = mfree(wd->session);
        return r;
}

int webdriver_status(WebDriver *wd) {
        json_object *value = NULL, *ready;
        int r;

        r = request(wd, "GET", "/status", NULL, false, &value);
        if (r < 0)
                return r;
        r = value && json_object_object_get_ex(value, "ready", &ready) && json_object_get_boolean(ready);
        json_object_put(value);
        return r;
}

int webdriver_set_timeouts(WebDriver *wd, long page_load_ms, long script_ms, long implicit_ms) {
        json_object *body = json_object_new_object();
        int r;

        if (!body)
                return -ENOMEM;
        if (page_load_ms >= 0)
                json_object_object_add(body, "pageLoad", json_object_new_int64(page_load_ms));
        if (script_ms >= 0)
                json_object_object_add(body, "script", json_object_new_int64(script_ms));
        if (implicit_ms >= 0)
                json_object_object_add(body, "implicit", json_object_new_int64(implicit_ms));
        r = session_request(wd, "POST", "/timeouts", NULL, NULL, body, false, NULL);
        json_object_put(body);
        return r;
}

int webdriver_navigate(WebDriver *wd, const char *url) {
        json_object *body = json_object_new_object();
        int r;

        if (!body)
                return -ENOMEM;
        json_object_object_add(body, "url", json_object_new_string(url));
        r = session_request(wd, "POST", "/url", NULL, NULL, body, false, NULL);
        json_object_put(body);
        return r;
}

static int get_string(WebDriver *wd, const char *suffix, const char *element, const char *suffix2, char **ret) {
        json_object *value = NULL;
        int r;

        r = session_request(wd, "GET", suffix, element, suffix2, NULL, false, &value);
        if (r < 0)
                return r;
        if (!value) {
                *ret = NULL;
                return 0;
        }
        if (!json_object_is_type(value, json_type_string)) {
                json_object_put(value);
                snprintf(wd->error.message, sizeof wd->error.message, "expected a string from %s", suffix2 ?: suffix);
                return -EBADMSG;
        }
        *ret = strdup(json_object_get_string(value));
        json_object_put(value);
        return *ret ? 0 : -ENOMEM;
}

int webdriver_current_url(WebDriver *wd, char **ret) {
        char *s = NULL;
        int r = get_string(wd, "/url", NULL, NULL, &s);
        if (r >= 0 && !s)
                return -EBADMSG;
        if (r >= 0)
                *ret = s;
        return r;
}

int webdriver_page_source(WebDriver *wd, char **ret) {
        char *s = NULL;
        int r = get_string(wd, "/source", NULL, NULL, &s);
        if (r >= 0)
                *ret = s ?: strdup("");
        return r < 0 ? r : (*ret ? 0 : -ENOMEM);
}

int webdriver_screenshot(WebDriver *wd, void **ret, size_t *ret_size) {
        _cleanup_free_ char *b64 = NULL;
        int r;

        r = get_string(wd, "/screenshot", NULL, NULL, &b64);
        if (r < 0)
                return r;
        if (!b64)
                return -EBADMSG;
        return webdriver_unbase64(b64, strlen(b64), ret, ret_size);
}

static json_object *locator(const char *xpath) {
        json_object *body = json_object_new_object();

        if (!body)
                return NULL;
        json_object_object_add(body, "using", json_object_new_string("xpath"));
        json_object_object_add(body, "value", json_object_new_string(xpath));
        return body;
}

int webdriver_find_element(WebDriver *wd, const char *from_element, const char *xpath, char **ret) {
        json_object *body, *value = NULL;
        const char *id;
        int r;

        body = locator(xpath);
        if (!body)
                return -ENOMEM;
        if (from_element)
                r = session_request(wd, "POST", "/element/", from_element, "/element", body, false, &value);
        else
                r = session_request(wd, "POST", "/element", NULL, NULL, body, false, &value);
        json_object_put(body);
        if (r < 0)
                return r;
        id = webdriver_element_id(value);
        if (!id) {
                json_object_put(value);
                snprintf(wd->error.message, sizeof wd->error.message, "Find Element's reply has no element");
                return -EBADMSG;
        }
        *ret = strdup(id);
        json_object_put(value);
        return *ret ? 0 : -ENOMEM;
}

int webdriver_find_elements(WebDriver *wd, const char *from_element, const char *xpath, char ***ret) {
        json_object *body, *value = NULL;
        _cleanup_strv_free_ char **l = NULL;
        size_t n, k = 0;
        int r;

        body = locator(xpath);
        if (!body)
                return -ENOMEM;
        if (from_element)
                r = session_request(wd, "POST", "/element/", from_element, "/elements", body, false, &value);
        else
                r = session_request(wd, "POST", "/elements", NULL, NULL, body, false, &value);
        json_object_put(body);
        if (r < 0)
                return r;
        if (!value || !json_object_is_type(value, json_type_array)) {
                json_object_put(value);
                snprintf(wd->error.message, sizeof wd->error.message, "Find Elements' reply is not a list");
                return -EBADMSG;
        }
        n = MIN(json_object_array_length(value), (size_t) WEBDRIVER_ELEMENTS_MAX);
        l = calloc(n + 1, sizeof *l);
        if (!l) {
                json_object_put(value);
                return -ENOMEM;
        }
        for (size_t i = 0; i < n; i++) {
                const char *id = webdriver_element_id(json_object_array_get_idx(value, i));
                if (!id)
                        continue;
                l[k] = strdup(id);
                if (!l[k]) {
                        json_object_put(value);
                        return -ENOMEM;
                }
                k++;
        }
        json_object_put(value);
        *ret = TAKE_PTR(l);
        return (int) k;
}

int webdriver_element_attribute(WebDriver *wd, const char *element, const char *name, char **ret) {
        _cleanup_free_ char *suffix = NULL;

        if (asprintf(&suffix, "/attribute/%s", name) < 0)
                return -ENOMEM;
        return get_string(wd, "/element/", element, suffix, ret);
}

int webdriver_element_displayed(WebDriver *wd, const char *element) {
        json_object *value = NULL;
        int r;

        r = session_request(wd, "GET", "/element/", element, "/displayed", NULL, false, &value);
        if (r < 0)
                return r;
        r = value && json_object_get_boolean(value);
        json_object_put(value);
        return r;
}

int webdriver_element_clear(WebDriver *wd, const char *element) {
        json_object *body = json_object_new_object();
        int r;

        if (!body)
                return -ENOMEM;
        r = session_request(wd, "POST", "/element/", element, "/clear", body, false, NULL);
        json_object_put(body);
        return r;
}

int webdriver_element_send_keys(WebDriver *wd, const char *element, const char *text) {
        json_object *body = json_object_new_object(), *t;
        int r;

        if (!body)
                return -ENOMEM;
        t = json_object_new_string(text);
        if (!t) {
                json_object_put(body);
                return -ENOMEM;
        }
        json_object_object_add(body, "text", t);
        r = session_request(wd, "POST", "/element/", element, "/value", body, true, NULL);
        /* json-c copied the text: wipe the copy before it is freed. */
        explicit_bzero((char *) json_object_get_string(t), json_object_get_string_len(t));
        json_object_put(body);
        return r;
}

int webdriver_element_click(WebDriver *wd, const char *element) {
        json_object *body = json_object_new_object();
        int r;

        if (!body)
                return -ENOMEM;
        r = session_request(wd, "POST", "/element/", element, "/click", body, false, NULL);
        json_object_put(body);
        return r;
}

int webdriver_execute(WebDriver *wd, const char *script, json_object *args, json_object **ret) {
        json_object *body = json_object_new_object(), *value = NULL;
        int r;

        if (!body)
                return -ENOMEM;
        json_object_object_add(body, "script", json_object_new_string(script));
        json_object_object_add(body, "args", args ? json_object_get(args) : json_object_new_array());
        /* Arguments may be form values: the serialized request is wiped. */
        r = session_request(wd, "POST", "/execute/sync", NULL, NULL, body, true, &value);
        json_object_put(body);
        if (r < 0)
                return r;
        if (ret)
                *ret = value;
        else
                json_object_put(value);
        return 0;
}

/* Capabilities. */

/* The flags that make Debian's Chromium work headless as root on a host
 * without a network (see the machine notes): no sandbox (root), no GPU,
 * and none of the background connections that a closed network refuses.
 * chromedriver gives each session a fresh temporary profile by itself. */
static const char *const chrome_args[] = {
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--disable-default-apps",
        "--window-size=1280,1024",
};

static bool array_has_string(json_object *a, const char *s) {
        size_t n = json_object_array_length(a);

        for (size_t i = 0; i < n; i++) {
                json_object *v = json_object_array_get_idx(a, i);
                if (json_object_is_type(v, json_type_string) && streq(json_object_get_string(v), s))
                        return true;
        }
        return false;
}

static int merge(json_object *dst, json_object *src, bool in_chrome_options) {
        json_object_object_foreach(src, key, sval) {
                json_object *dval = NULL;
                bool have = json_object_object_get_ex(dst, key, &dval);

                if (have && dval && sval && json_object_is_type(dval, json_type_object) &&
                    json_object_is_type(sval, json_type_object)) {
                        int r = merge(dval, sval, streq(key, "goog:chromeOptions"));
                        if (r < 0)
                                return r;
                        continue;
                }
                if (have && in_chrome_options && streq(key, "args") && dval && sval &&
                    json_object_is_type(dval, json_type_array) && json_object_is_type(sval, json_type_array)) {
                        size_t n = json_object_array_length(sval);
                        for (size_t i = 0; i < n; i++) {
                                json_object *a = json_object_array_get_idx(sval, i);
                                if (json_object_is_type(a, json_type_string) &&
                                    array_has_string(dval, json_object_get_string(a)))
                                        continue;
                                if (json_object_array_add(dval, json_object_get(a)) < 0)
                                        return -ENOMEM;
                        }
                        continue;
                }
                if (json_object_object_add(dst, key, json_object_get(sval)) < 0)
                        return -ENOMEM;
        }
        return 0;
}

int webdriver_merge_capabilities(json_object *dst, json_object *src) {
        if (!json_object_is_type(dst, json_type_object) || !json_object_is_type(src, json_type_object))
                return -EINVAL;
        return merge(dst, src, false);
}

int webdriver_capabilities(const char *user_agent, const char *extra_json, json_object **ret) {
        json_object *body = NULL, *caps, *always, *chrome, *args, *extra = NULL;
        int r = -ENOMEM;

        body = json_object_new_object();
        caps = json_object_new_object();
        always = json_object_new_object();
        chrome = json_object_new_object();
        args = json_object_new_array();
        if (!body || !caps || !always || !chrome || !args) {
                json_object_put(caps);
                json_object_put(always);
                json_object_put(chrome);
                json_object_put(args);
                goto finish;
        }
        json_object_object_add(body, "capabilities", caps);
        json_object_object_add(caps, "alwaysMatch", always);
        json_object_object_add(always, "browserName", json_object_new_string("chrome"));
        json_object_object_add(always, "pageLoadStrategy", json_object_new_string("normal"));
        json_object_object_add(always, "goog:chromeOptions", chrome);
        json_object_object_add(chrome, "args", args);
        for (size_t i = 0; i < ELEMENTSOF(chrome_args); i++)
                json_object_array_add(args, json_object_new_string(chrome_args[i]));
        if (user_agent && *user_agent) {
                _cleanup_free_ char *ua = NULL;
                if (asprintf(&ua, "--user-agent=%s", user_agent) < 0)
                        goto finish;
                json_object_array_add(args, json_object_new_string(ua));
        }

        if (extra_json && *extra_json) {
                json_tokener *tok = json_tokener_new();
                if (!tok)
                        goto finish;
                size_t len = strlen(extra_json);
                extra = json_tokener_parse_ex(tok, extra_json, (int) len);
                r = json_tokener_get_error(tok) == json_tokener_success ? 0 : -EINVAL;
                /* One object, and nothing after it but blanks. */
                if (r >= 0 && extra_json[json_tokener_get_parse_end(tok) + strspn(extra_json + json_tokener_get_parse_end(tok), " \t\r\n")])
                        r = -EINVAL;
                json_tokener_free(tok);
                if (r < 0 || !extra || !json_object_is_type(extra, json_type_object)) {
                        r = -EINVAL;
                        goto finish;
                }
                r = merge(always, extra, false);
                if (r < 0)
                        goto finish;
        }

        *ret = TAKE_PTR(body);
        r = 0;
finish:
        json_object_put(extra);
        json_object_put(body);
        return r;
}

int webdriver_unbase64(const char *s, size_t len, void **ret, size_t *ret_size) {
        _cleanup_free_ unsigned char *out = NULL;
        uint32_t acc = 0;
        size_t n = 0, bits = 0, pad = 0;

        out = malloc(len / 4 * 3 + 3);
        if (!out)
                return -ENOMEM;

        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char) s[i];
                int v;

                if (c == ' ' || c == '\n' || c == '\r' || c == '\t')
                        continue;
                if (c == '=') {
                        pad++;
                        continue;
                }
                if (pad > 0)
                        return -EINVAL;   /* data after padding */
                if (c >= 'A' && c <= 'Z')
                        v = c - 'A';
                else if (c >= 'a' && c <= 'z')
                        v = c - 'a' + 26;
                else if (c >= '0' && c <= '9')
                        v = c - '0' + 52;
                else if (c == '+')
                        v = 62;
                else if (c == '/')
                        v = 63;
                else
                        return -EINVAL;
                acc = (acc << 6) | (uint32_t) v;
                bits += 6;
                if (bits >= 8) {
                        bits -= 8;
                        out[n++] = (unsigned char) (acc >> bits);
                        acc &= (1U << bits) - 1;
                }
        }
        /* Six bits or more left over cannot come from whole bytes. */
        if (bits >= 6 || pad > 2)
                return -EINVAL;

        *ret = TAKE_PTR(out);
        *ret_size = n;
        return 0;
}

char *xpath_literal(const char *s) {
        char *r = NULL;

        if (!strchr(s, '\''))
                return asprintf(&r, "'%s'", s) < 0 ? NULL : r;
        if (!strchr(s, '"'))
                return asprintf(&r, "\"%s\"", s) < 0 ? NULL : r;

        /* Both quotes: concat('a', "'", 'b', …). */
        size_t n = strlen(s), cap = n * 8 + 16, k = 0;
        r = malloc(cap);
        if (!r)
                return NULL;
        k += (size_t) snprintf(r + k, cap - k, "concat(");
        for (const char *p = s; *p;) {
                size_t seg = strcspn(p, "'");
                if (seg > 0) {
                        k += (size_t) snprintf(r + k, cap - k, "%s'%.*s'", k > 7 ? "," : "", (int) seg, p);
                        p += seg;
                } else {
                        k += (size_t) snprintf(r + k, cap - k, "%s\"'\"", k > 7 ? "," : "");
                        p++;
                }
        }
        snprintf(r + k, cap - k, ")");
        return r;
}
