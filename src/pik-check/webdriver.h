/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A W3C WebDriver client (https://www.w3.org/TR/webdriver2/) over libcurl
 * and json-c: enough of the protocol for a login check, against a local
 * chromedriver or a Selenium Grid (both take the same paths under their
 * base URL). One object, one session at a time.
 *
 * Every call returns 0 (or a documented positive value) on success and a
 * negative errno on failure; what went wrong is kept in the object
 * (webdriver_last_error()) so that the engine can classify it:
 *   -EIO        the remote end answered with a W3C error (error.error is
 *               its code, e.g. "no such element")
 *   -ENOENT     find element: nothing matched (error code "no such element")
 *   -ECONNREFUSED, -ETIMEDOUT, -EHOSTUNREACH, -ECONNRESET
 *               the endpoint could not be talked to (error.curl says how)
 *   -EBADMSG    the endpoint answered something that is not WebDriver
 *   -E2BIG      the answer was larger than WEBDRIVER_REPLY_MAX
 *   -ENOMEM
 */

#include <curl/curl.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "macro.h"

/* A screenshot of a tall page in base64 is the largest answer we ask for. */
#define WEBDRIVER_REPLY_MAX (32U * 1024U * 1024U)
/* Lists of elements (find elements) are cut here: a login form does not
 * have more inputs than that, and input controls the page. */
#define WEBDRIVER_ELEMENTS_MAX 256U

/* The W3C element reference key (§ 12.1). */
#define WEBDRIVER_ELEMENT_KEY "element-6066-11e4-a52e-4f735466cecf"

typedef struct WebDriverError {
        CURLcode curl;          /* CURLE_OK unless the transport failed */
        long http_status;       /* of the reply, 0 if none */
        char error[64];         /* W3C error code, "" if none */
        char message[256];      /* first line of the remote end's message, or curl's */
} WebDriverError;

typedef struct WebDriver WebDriver;

/* base_url: "http://127.0.0.1:9515", "http://grid:4444/wd/hub", with or
 * without a trailing slash. */
int webdriver_new(const char *base_url, WebDriver **ret);
/* Does not delete the session: call webdriver_session_delete() first. */
WebDriver *webdriver_free(WebDriver *wd);
DEFINE_TRIVIAL_CLEANUP_FUNC(WebDriver *, webdriver_free);

/* Transport timeout of each command (connect and whole transfer). */
void webdriver_set_timeout(WebDriver *wd, unsigned timeout_ms);
const WebDriverError *webdriver_last_error(const WebDriver *wd);
const char *webdriver_session_id(const WebDriver *wd);
/* The capabilities the remote end granted (after webdriver_session_new). */
json_object *webdriver_session_capabilities(const WebDriver *wd);

/* New Session; body: {"capabilities": …} (borrowed). */
int webdriver_session_new(WebDriver *wd, json_object *body);
/* Delete Session; no-op without a session. The session id is forgotten
 * whatever the remote end says. */
int webdriver_session_delete(WebDriver *wd);
/* GET /status: 1 ready, 0 not ready (Grid without free slots). */
int webdriver_status(WebDriver *wd);

/* Timeouts in ms; a negative value leaves that one unchanged. */
int webdriver_set_timeouts(WebDriver *wd, long page_load_ms, long script_ms, long implicit_ms);
int webdriver_navigate(WebDriver *wd, const char *url);
int webdriver_current_url(WebDriver *wd, char **ret);
int webdriver_page_source(WebDriver *wd, char **ret);
/* PNG bytes. */
int webdriver_screenshot(WebDriver *wd, void **ret, size_t *ret_size);

/* XPath locators. from_element NULL: the document. -ENOENT when nothing
 * matches (find element); find elements returns an empty list instead, and
 * at most WEBDRIVER_ELEMENTS_MAX entries. */
int webdriver_find_element(WebDriver *wd, const char *from_element, const char *xpath, char **ret);
int webdriver_find_elements(WebDriver *wd, const char *from_element, const char *xpath, char ***ret);
/* Attribute as written in the page; *ret NULL when absent. */
int webdriver_element_attribute(WebDriver *wd, const char *element, const char *name, char **ret);
/* 1 displayed, 0 not. */
int webdriver_element_displayed(WebDriver *wd, const char *element);
int webdriver_element_clear(WebDriver *wd, const char *element);
/* The request body is wiped after sending: text may be a password. */
int webdriver_element_send_keys(WebDriver *wd, const char *element, const char *text);
int webdriver_element_click(WebDriver *wd, const char *element);
/* Execute Script (sync); args: a JSON array (borrowed) or NULL. *ret may be
 * NULL when the script returned null. */
int webdriver_execute(WebDriver *wd, const char *script, json_object *args, json_object **ret);

/* Pieces with no network, exported for the unit tests. */

/* Parse a reply body. 2xx with {"value": X}: *ret_value = X (a new
 * reference, NULL for JSON null), 0. A W3C error body: fills err, -EIO
 * (-ENOENT for "no such element"). Anything else: -EBADMSG. */
int webdriver_parse_reply(const char *body, size_t size, long http_status, json_object **ret_value,
                          WebDriverError *err);
/* The element reference in a find-element value, or NULL. */
const char *webdriver_element_id(json_object *value);
/* New Session's body: browserName chrome, headless Chromium that works as
 * root without a network (goog:chromeOptions args), the user agent, and the
 * job's capabilities (JSON object text) merged over them: objects merge
 * key by key, goog:chromeOptions.args are appended (without duplicates),
 * anything else of the job's replaces ours. -EINVAL when extra_json is not
 * a JSON object. */
int webdriver_capabilities(const char *user_agent, const char *extra_json, json_object **ret);
/* Merge src into dst as described above (src borrowed). */
int webdriver_merge_capabilities(json_object *dst, json_object *src);
/* Standard base64 (RFC 4648 § 4), padding optional, whitespace skipped;
 * -EINVAL on anything else. */
int webdriver_unbase64(const char *s, size_t len, void **ret, size_t *ret_size);
/* An XPath 1.0 string literal for s ('…', "…" or concat(…)); NULL on OOM. */
char *xpath_literal(const char *s);
