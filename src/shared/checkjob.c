/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checkjob.h"
#include "credentials.h"
#include "execution.h"
#include "string-util.h"
#include "validate.h"

/* Longer than any key pik makes (64 hex digits); a longer one is refused
 * before it is compared with anything. */
#define KEY_MAX 128

DEFINE_TRIVIAL_CLEANUP_FUNC(json_tokener *, json_tokener_free);

typedef struct ExecutionAuth {
        bool running;
        char state[16];
        int64_t since;               /* started_at, else created_at */
} ExecutionAuth;

static bool key_equal(const char *stored, const char *given) {
        size_t n = strlen(stored);
        unsigned char d = 0;

        /* Lengths are no secret (every key is 64 hex digits); the content is
         * compared in time that does not depend on where it differs. */
        if (strlen(given) != n)
                return false;
        for (size_t i = 0; i < n; i++)
                d |= (unsigned char) (stored[i] ^ given[i]);
        return d == 0;
}

/* The execution exists and key is its key; what state it is in. Reads only. */
static int check_key(PikDb *db, int64_t execution, const char *key, ExecutionAuth *ret) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        ExecutionAuth a = {};
        const char *stored;
        int r;

        r = pik_db_prepare(db, "SELECT key, state, state IN " PIK_EXECUTION_RUNNING_SQL ", "
                               "  coalesce(started_at, created_at) FROM execution WHERE id = ?", &s);
        if (r < 0)
                return r;
        sqlite3_bind_int64(s, 1, execution);
        r = pik_db_step(db, s);
        if (r < 0)
                return r;
        if (r == 0)
                return pik_db_set_error(db, -ENOENT, "execution %lld not found", (long long) execution);

        stored = (const char *) sqlite3_column_text(s, 0);
        if (!key || !*key || strnlen(key, KEY_MAX + 1) > KEY_MAX || !stored || !key_equal(stored, key))
                return pik_db_set_error(db, -EACCES, "execution %lld: key does not match", (long long) execution);

        a.running = sqlite3_column_int(s, 2);
        snprintf(a.state, sizeof a.state, "%s", (const char *) sqlite3_column_text(s, 1));
        a.since = sqlite3_column_int64(s, 3);
        if (ret)
                *ret = a;
        return 0;
}

/* Authenticated and still waiting for its result. */
static int check_key_running(PikDb *db, int64_t execution, const char *key, ExecutionAuth *ret) {
        ExecutionAuth a;
        int r;

        r = check_key(db, execution, key, &a);
        if (r < 0)
                return r;
        if (!a.running)
                return pik_db_set_error(db, -ESTALE, "execution %lld already ended (%s)", (long long) execution, a.state);
        if (ret)
                *ret = a;
        return 0;
}

int pik_check_authenticate(PikDb *db, int64_t execution, const char *key) {
        return check_key_running(db, execution, key, NULL);
}

/* ---- GetJob ---- */

static int add_text(json_object *o, const char *key, sqlite3_stmt *s, int col) {
        const char *v = (const char *) sqlite3_column_text(s, col);

        if (!v)
                return 0;
        return json_object_object_add(o, key, json_object_new_string(v)) < 0 ? -ENOMEM : 0;
}

/* A column holding JSON text (headers, resolve, flow) goes in as JSON. */
static int add_json(json_object *o, const char *key, sqlite3_stmt *s, int col) {
        const char *v = (const char *) sqlite3_column_text(s, col);
        json_object *j;

        if (!v)
                return 0;
        j = json_tokener_parse(v);
        if (!j)
                return -EBADMSG;   /* validated on the way in: the database was edited by hand */
        if (json_object_object_add(o, key, j) < 0) {
                json_object_put(j);
                return -ENOMEM;
        }
        return 0;
}

static int add_int(json_object *o, const char *key, int64_t v) {
        return json_object_object_add(o, key, json_object_new_int64(v)) < 0 ? -ENOMEM : 0;
}

static int add_bool(json_object *o, const char *key, bool v) {
        return json_object_object_add(o, key, json_object_new_boolean(v)) < 0 ? -ENOMEM : 0;
}

enum {
        JOB_ATTEMPT, JOB_PARTNER, JOB_BROWSER, JOB_CONFIG_ID, JOB_PARTNER_NAME, JOB_ENGINE, JOB_USER_AGENT,
        JOB_HTTP_VERSION, JOB_WEBDRIVER_URL, JOB_HEADERS, JOB_CAPABILITIES, JOB_ENTRY_URL, JOB_SSO,
        JOB_EXPRESS, JOB_PRODUCT_URL, JOB_WAIT, JOB_SUCCESS_MARKER, JOB_FAILURE_MARKER, JOB_CONFIG_FOUND,
        JOB_CA_FILE, JOB_RESOLVE, JOB_SUCCESS_XPATH, JOB_FAILURE_XPATH, JOB_LOGIN_FORM, JOB_USERNAME_FIELD,
        JOB_PASSWORD_FIELD, JOB_CSRF_META, JOB_CHECKOUT_URL, JOB_FLOW,
};

static int job_to_json(PikDb *db, const PikConfig *cfg, int64_t execution, json_object **ret) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        _cleanup_json_ json_object *o = NULL;
        int r;

        /* Left joins: a configuration or browser removed since dispatch is
         * reported by name rather than as a missing row. */
        r = pik_db_prepare(db,
                           "SELECT e.attempt, e.partner, e.browser, e.config_id, p.name, b.engine, b.user_agent, "
                           "  b.http_version, b.webdriver_url, b.headers, b.capabilities, c.entry_url, c.sso, "
                           "  c.express_checkout, c.product_url, c.wait_sec, c.success_marker, c.failure_marker, "
                           "  c.id IS NOT NULL, b.ca_file, b.resolve, c.success_xpath, c.failure_xpath, c.login_form, "
                           "  c.username_field, c.password_field, c.csrf_meta, c.checkout_url, c.flow "
                           "FROM execution e "
                           "LEFT JOIN job_config c ON c.id = e.config_id "
                           "LEFT JOIN partner p ON p.id = c.partner_id "
                           "LEFT JOIN browser b ON b.name = e.browser "
                           "WHERE e.id = ?", &s);
        if (r < 0)
                return r;
        sqlite3_bind_int64(s, 1, execution);
        r = pik_db_step(db, s);
        if (r < 0)
                return r;
        if (r == 0)
                return pik_db_set_error(db, -ENOENT, "execution %lld not found", (long long) execution);
        if (!sqlite3_column_int(s, JOB_CONFIG_FOUND))
                return pik_db_set_error(db, -ENOENT, "execution %lld: its configuration %lld no longer exists",
                                        (long long) execution, (long long) sqlite3_column_int64(s, JOB_CONFIG_ID));
        if (sqlite3_column_type(s, JOB_ENGINE) == SQLITE_NULL)
                return pik_db_set_error(db, -ENOENT, "execution %lld: its browser '%s' no longer exists",
                                        (long long) execution, sqlite3_column_text(s, JOB_BROWSER));

        o = json_object_new_object();
        if (!o)
                return -ENOMEM;
        if ((r = add_int(o, "execution", execution)) < 0 ||
            (r = add_int(o, "attempt", sqlite3_column_int64(s, JOB_ATTEMPT))) < 0 ||
            (r = add_text(o, "partner", s, JOB_PARTNER)) < 0 ||
            (r = add_text(o, "partner_name", s, JOB_PARTNER_NAME)) < 0 ||
            (r = add_text(o, "browser", s, JOB_BROWSER)) < 0 ||
            (r = add_text(o, "engine", s, JOB_ENGINE)) < 0 ||
            (r = add_text(o, "http_version", s, JOB_HTTP_VERSION)) < 0 ||
            (r = add_text(o, "webdriver_url", s, JOB_WEBDRIVER_URL)) < 0 ||
            (r = add_json(o, "headers", s, JOB_HEADERS)) < 0 ||
            (r = add_json(o, "resolve", s, JOB_RESOLVE)) < 0 ||
            (r = add_text(o, "ca_file", s, JOB_CA_FILE)) < 0 ||
            (r = add_text(o, "success_xpath", s, JOB_SUCCESS_XPATH)) < 0 ||
            (r = add_text(o, "failure_xpath", s, JOB_FAILURE_XPATH)) < 0 ||
            (r = add_text(o, "login_form", s, JOB_LOGIN_FORM)) < 0 ||
            (r = add_text(o, "username_field", s, JOB_USERNAME_FIELD)) < 0 ||
            (r = add_text(o, "password_field", s, JOB_PASSWORD_FIELD)) < 0 ||
            (r = add_text(o, "csrf_meta", s, JOB_CSRF_META)) < 0 ||
            (r = add_text(o, "checkout_url", s, JOB_CHECKOUT_URL)) < 0 ||
            (r = add_json(o, "flow", s, JOB_FLOW)) < 0 ||
            (r = add_text(o, "capabilities", s, JOB_CAPABILITIES)) < 0 ||
            (r = add_int(o, "config_id", sqlite3_column_int64(s, JOB_CONFIG_ID))) < 0 ||
            (r = add_text(o, "entry_url", s, JOB_ENTRY_URL)) < 0 ||
            (r = add_bool(o, "sso", sqlite3_column_int(s, JOB_SSO))) < 0 ||
            (r = add_bool(o, "express_checkout", sqlite3_column_int(s, JOB_EXPRESS))) < 0 ||
            (r = add_text(o, "product_url", s, JOB_PRODUCT_URL)) < 0 ||
            (r = add_text(o, "success_marker", s, JOB_SUCCESS_MARKER)) < 0 ||
            (r = add_text(o, "failure_marker", s, JOB_FAILURE_MARKER)) < 0 ||
            (r = add_int(o, "timeout_sec", cfg->engine.timeout_sec)) < 0 ||
            (r = add_int(o, "max_redirects", cfg->engine.max_redirects)) < 0)
                return r;
        if (cfg->canary.dns &&
            json_object_object_add(o, "canary_dns", json_object_new_string(cfg->canary.dns)) < 0)
                return -ENOMEM;
        if (cfg->canary.url &&
            json_object_object_add(o, "canary_url", json_object_new_string(cfg->canary.url)) < 0)
                return -ENOMEM;
        if (sqlite3_column_type(s, JOB_WAIT) != SQLITE_NULL &&
            (r = add_int(o, "wait_sec", sqlite3_column_int64(s, JOB_WAIT))) < 0)
                return r;
        /* One user agent for the engine to send: the browser's own, else
         * the configured default. */
        if (sqlite3_column_type(s, JOB_USER_AGENT) != SQLITE_NULL)
                r = add_text(o, "user_agent", s, JOB_USER_AGENT);
        else if (cfg->engine.user_agent)
                r = json_object_object_add(o, "user_agent", json_object_new_string(cfg->engine.user_agent)) < 0 ? -ENOMEM : 0;
        if (r < 0)
                return r;

        *ret = TAKE_PTR(o);
        return 0;
}

/* The length of s as a JSON string, quotes included. Secrets are written
 * by hand rather than through json-c, which would keep copies in blocks it
 * frees and in the buffer it grows by realloc(). */
static size_t json_quoted_len(const char *s) {
        size_t n = 2;

        for (; *s; s++)
                n += *s == '"' || *s == '\\' ? 2 : (unsigned char) *s < 0x20 ? 6 : 1;
        return n;
}

static char *json_quote(char *out, const char *s) {
        *out++ = '"';
        for (; *s; s++) {
                unsigned char c = (unsigned char) *s;

                if (c == '"' || c == '\\') {
                        *out++ = '\\';
                        *out++ = (char) c;
                } else if (c < 0x20) {
                        /* Refused in a credentials file; kept valid JSON anyway. */
                        static const char hex[] = "0123456789abcdef";
                        memcpy(out, "\\u00", 4);
                        out[4] = hex[c >> 4];
                        out[5] = hex[c & 15];
                        out += 6;
                } else
                        *out++ = (char) c;
        }
        *out++ = '"';
        return out;
}

static char *append(char *out, const char *s) {
        size_t n = strlen(s);

        memcpy(out, s, n);
        return out + n;
}

/* The job's JSON with ,"credentials":{...} spliced in before its closing
 * brace, in one allocation of the exact size: no copy of a secret is left
 * in a block that is freed unwiped. */
static int job_text_with_credentials(const char *job, const PikCredentials *c, char **ret) {
        size_t n = strlen(job), total;
        char *text, *p;

        if (n < 2 || job[n - 1] != '}')
                return -EINVAL;
        total = n - 1 + STRLEN(",\"credentials\":{\"username\":") + json_quoted_len(c->username) +
                STRLEN(",\"password\":") + json_quoted_len(c->password) +
                (c->totp_seed ? STRLEN(",\"totp_seed\":") + json_quoted_len(c->totp_seed) : 0) +
                STRLEN("}}") + 1;
        text = malloc(total);
        if (!text)
                return -ENOMEM;
        memcpy(text, job, n - 1);
        p = text + n - 1;
        /* Between "{" and the first member of an empty object, no comma. */
        p = append(p, n > 2 ? ",\"credentials\":{\"username\":" : "\"credentials\":{\"username\":");
        p = json_quote(p, c->username);
        p = append(p, ",\"password\":");
        p = json_quote(p, c->password);
        if (c->totp_seed) {
                p = append(p, ",\"totp_seed\":");
                p = json_quote(p, c->totp_seed);
        }
        p = append(p, "}}");
        *p = 0;
        *ret = text;
        return 0;
}

int pik_check_get_job(PikDb *db, const PikConfig *cfg, int64_t execution, const char *key,
                      const char *credentials_dir, int64_t now, char **ret_json, char **ret_credentials_problem) {
        _cleanup_(pik_db_rollbackp) PikDb *tx = NULL;
        _cleanup_stmt_ sqlite3_stmt *upd = NULL;
        _cleanup_json_ json_object *o = NULL;
        _cleanup_(pik_credentials_freep) PikCredentials *creds = NULL;
        _cleanup_free_ char *why = NULL;
        char *text = NULL;
        const char *partner;
        json_object *v;
        int r;

        r = pik_db_begin(db, &tx);
        if (r < 0)
                return r;
        r = check_key_running(db, execution, key, NULL);
        if (r < 0)
                return r;

        r = pik_db_prepare(db, "UPDATE execution SET state = 'started', started_at = ? "
                               "WHERE id = ? AND state = 'dispatched'", &upd);
        if (r < 0)
                return r;
        sqlite3_bind_int64(upd, 1, now);
        sqlite3_bind_int64(upd, 2, execution);
        r = pik_db_step(db, upd);
        if (r < 0)
                return r;

        r = job_to_json(db, cfg, execution, &o);
        if (r < 0)
                return r;
        r = pik_db_commit(TAKE_PTR(tx));
        if (r < 0)
                return r;

        /* Outside the transaction: a file read holds no lock. */
        json_object_object_get_ex(o, "partner", &v);
        partner = json_object_get_string(v);
        r = pik_credentials_read(credentials_dir ?: PIK_CREDENTIALS_DIR, partner, &creds, &why);
        if (r < 0)
                return r;
        if (!creds) {
                if (add_bool(o, "credentials_missing", true) < 0 ||
                    json_object_object_add(o, "credentials_problem", json_object_new_string(why)) < 0)
                        return -ENOMEM;
                text = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
                if (!text)
                        return -ENOMEM;
        } else {
                r = job_text_with_credentials(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN), creds, &text);
                if (r < 0)
                        return r;
        }

        *ret_json = text;
        if (ret_credentials_problem)
                *ret_credentials_problem = TAKE_PTR(why);
        return 0;
}

/* ---- ReportProgress ---- */

int pik_execution_set_progress(PikDb *db, int64_t execution, const char *key, const char *progress) {
        _cleanup_(pik_db_rollbackp) PikDb *tx = NULL;
        _cleanup_stmt_ sqlite3_stmt *upd = NULL;
        int r;

        r = pik_db_begin(db, &tx);
        if (r < 0)
                return r;
        r = check_key_running(db, execution, key, NULL);
        if (r < 0)
                return r;
        r = pik_validate_text(db, "progress", progress, PIK_PROGRESS_MAX, false);
        if (r < 0)
                return r;

        r = pik_db_prepare(db, "UPDATE execution SET progress = ? WHERE id = ?", &upd);
        if (r < 0)
                return r;
        sqlite3_bind_text(upd, 1, progress, -1, SQLITE_STATIC);
        sqlite3_bind_int64(upd, 2, execution);
        r = pik_db_step(db, upd);
        if (r < 0)
                return r;
        return pik_db_commit(TAKE_PTR(tx));
}

/* ---- ReportResult ---- */

#define TIMING_MAX_MS (INT64_C(86400) * 1000)
#define RETRY_AFTER_MAX_SEC 86400

static int report_int(PikDb *db, const char *key, json_object *v, int64_t min, int64_t max, bool null_ok,
                      int64_t *ret) {
        int64_t i;

        if (null_ok && json_object_is_type(v, json_type_null)) {
                *ret = -1;
                return 0;
        }
        if (!json_object_is_type(v, json_type_int))
                return pik_db_set_error(db, -EINVAL, "report: %s must be an integer", key);
        i = json_object_get_int64(v);
        if (i < min || i > max)
                return pik_db_set_error(db, -EINVAL, "report: %s %lld is out of range %lld..%lld",
                                        key, (long long) i, (long long) min, (long long) max);
        *ret = i;
        return 0;
}

/* "steps": [ { "name": s, "http_status": n, "requests": n, "dns_ms", "connect_ms", "tls_ms",
 * "ttfb_ms", "total_ms": n (-1 or null: unknown) }, … ] */
static int parse_report_steps(PikDb *db, json_object *a, PikResultStep **ret, size_t *ret_n) {
        _cleanup_free_ PikResultStep *steps = NULL;
        size_t n;

        if (!json_object_is_type(a, json_type_array))
                return pik_db_set_error(db, -EINVAL, "report: steps must be an array");
        n = json_object_array_length(a);
        if (n > PIK_RESULT_STEPS_MAX)
                return pik_db_set_error(db, -EINVAL, "report: steps has %zu entries, at most %d", n,
                                        PIK_RESULT_STEPS_MAX);
        if (n == 0) {
                *ret = NULL;
                *ret_n = 0;
                return 0;
        }
        steps = calloc(n, sizeof *steps);
        if (!steps)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                json_object *st = json_object_array_get_idx(a, i);
                PikResultStep *p = &steps[i];
                int r;

                if (!json_object_is_type(st, json_type_object))
                        return pik_db_set_error(db, -EINVAL, "report: steps[%zu] must be an object", i);
                *p = (PikResultStep) { .requests = 1, .dns_ms = -1, .connect_ms = -1, .tls_ms = -1,
                                       .ttfb_ms = -1, .total_ms = -1 };
                json_object_object_foreach(st, k, v) {
                        int64_t *field = streq(k, "http_status") ? &p->http_status :
                                         streq(k, "requests") ? &p->requests :
                                         streq(k, "dns_ms") ? &p->dns_ms :
                                         streq(k, "connect_ms") ? &p->connect_ms :
                                         streq(k, "tls_ms") ? &p->tls_ms :
                                         streq(k, "ttfb_ms") ? &p->ttfb_ms :
                                         streq(k, "total_ms") ? &p->total_ms : NULL;

                        if (streq(k, "name")) {
                                if (!json_object_is_type(v, json_type_string))
                                        return pik_db_set_error(db, -EINVAL, "report: steps[%zu].name must be a string", i);
                                p->name = json_object_get_string(v);
                                continue;
                        }
                        if (!field)
                                return pik_db_set_error(db, -EINVAL, "report: steps[%zu]: unknown key '%s'", i, k);
                        r = report_int(db, k, v, field == &p->http_status ? 0 : field == &p->requests ? 1 : -1,
                                       field == &p->http_status ? 999 : field == &p->requests ? 1000 : TIMING_MAX_MS,
                                       field != &p->requests && field != &p->http_status, field);
                        if (r < 0)
                                return r;
                }
                if (!p->name)
                        return pik_db_set_error(db, -EINVAL, "report: steps[%zu].name is missing", i);
        }
        *ret = TAKE_PTR(steps);
        *ret_n = n;
        return 0;
}

int pik_check_report_parse(PikDb *db, const char *json, int64_t now, PikResultReport *rep, json_object **ret_owner,
                           PikResultStep **ret_steps) {
        _cleanup_(json_tokener_freep) json_tokener *tok = NULL;
        _cleanup_json_ json_object *o = NULL;
        size_t len;
        bool have_outcome = false, have_duration = false;
        int r;

        if (!json || !*json)
                return pik_db_set_error(db, -EINVAL, "report is empty");
        len = strnlen(json, PIK_REPORT_JSON_MAX + 1);
        if (len > PIK_REPORT_JSON_MAX)
                return pik_db_set_error(db, -EINVAL, "report is longer than %d bytes", PIK_REPORT_JSON_MAX);

        tok = json_tokener_new();
        if (!tok)
                return -ENOMEM;
        o = json_tokener_parse_ex(tok, json, (int) len);
        if (!o || json_tokener_get_error(tok) != json_tokener_success)
                return pik_db_set_error(db, -EINVAL, "report is not valid JSON: %s",
                                        json_tokener_error_desc(json_tokener_get_error(tok)));
        if (json[tok->char_offset + strspn(json + tok->char_offset, " \t\r\n")] != 0)
                return pik_db_set_error(db, -EINVAL, "report has text after its JSON object");
        if (!json_object_is_type(o, json_type_object))
                return pik_db_set_error(db, -EINVAL, "report must be a JSON object");

        json_object_object_foreach(o, k, v) {
                int64_t i;

                if (streq(k, "outcome")) {
                        if (!json_object_is_type(v, json_type_string))
                                return pik_db_set_error(db, -EINVAL, "report: outcome must be a string");
                        rep->outcome = json_object_get_string(v);
                        have_outcome = true;
                } else if (streq(k, "details")) {
                        if (json_object_is_type(v, json_type_null))
                                rep->details = NULL;
                        else if (json_object_is_type(v, json_type_string))
                                rep->details = json_object_get_string(v);
                        else
                                return pik_db_set_error(db, -EINVAL, "report: details must be a string");
                } else if (streq(k, "duration_ms")) {
                        r = report_int(db, k, v, 0, TIMING_MAX_MS, false, &rep->duration_ms);
                        if (r < 0)
                                return r;
                        have_duration = true;
                } else if (streq(k, "dns_ms") || streq(k, "connect_ms") || streq(k, "tls_ms") ||
                           streq(k, "ttfb_ms") || streq(k, "total_ms")) {
                        int64_t *field = streq(k, "dns_ms") ? &rep->dns_ms :
                                         streq(k, "connect_ms") ? &rep->connect_ms :
                                         streq(k, "tls_ms") ? &rep->tls_ms :
                                         streq(k, "ttfb_ms") ? &rep->ttfb_ms : &rep->total_ms;
                        r = report_int(db, k, v, -1, TIMING_MAX_MS, true, field);
                        if (r < 0)
                                return r;
                } else if (streq(k, "retry_after_sec")) {
                        r = report_int(db, k, v, 0, RETRY_AFTER_MAX_SEC, true, &i);
                        if (r < 0)
                                return r;
                        rep->retry_not_before = i > 0 ? now + i : 0;
                } else if (streq(k, "evidence")) {
                        size_t n;

                        if (!json_object_is_type(v, json_type_array))
                                return pik_db_set_error(db, -EINVAL, "report: evidence must be an array");
                        n = json_object_array_length(v);
                        if (n > PIK_EVIDENCE_FILES_MAX)
                                return pik_db_set_error(db, -EINVAL, "report: evidence has %zu entries, at most %d",
                                                        n, PIK_EVIDENCE_FILES_MAX);
                        for (size_t f = 0; f < n; f++) {
                                json_object *e = json_object_array_get_idx(v, f);

                                if (!json_object_is_type(e, json_type_string) ||
                                    !pik_evidence_name_is_valid(json_object_get_string(e)))
                                        return pik_db_set_error(db, -EINVAL, "report: evidence[%zu] must be a plain "
                                                                "file name", f);
                                rep->evidence[f] = json_object_get_string(e);
                        }
                        rep->n_evidence = n;
                } else if (streq(k, "steps")) {
                        PikResultStep *steps = NULL;

                        r = parse_report_steps(db, v, &steps, &rep->n_steps);
                        if (r < 0)
                                return r;
                        free(*ret_steps);
                        *ret_steps = steps;
                        rep->steps = steps;
                } else
                        return pik_db_set_error(db, -EINVAL, "report: unknown key '%s'", k);
        }
        if (!have_outcome)
                return pik_db_set_error(db, -EINVAL, "report: outcome is missing");
        if (!have_duration)
                return pik_db_set_error(db, -EINVAL, "report: duration_ms is missing");

        /* rep's strings point into o. */
        *ret_owner = TAKE_PTR(o);
        return 0;
}

int pik_check_report_result(PikDb *db, const PikConfig *cfg, int64_t execution, const char *key, const char *json,
                            int64_t now, PikResultRecorded *ret) {
        _cleanup_(pik_db_rollbackp) PikDb *tx = NULL;
        _cleanup_json_ json_object *owner = NULL;
        _cleanup_free_ PikResultStep *steps = NULL;
        PikResultReport rep = PIK_RESULT_REPORT_INIT;
        PikResultRecorded rec;
        int r;

        r = pik_db_begin(db, &tx);
        if (r < 0)
                return r;
        r = check_key_running(db, execution, key, NULL);
        if (r < 0)
                return r;
        r = pik_check_report_parse(db, json, now, &rep, &owner, &steps);
        if (r < 0)
                return r;
        rep.execution_id = execution;

        r = pik_result_record_locked(db, cfg, &rep, now, "failure", &rec);
        if (r < 0)
                return r;
        r = pik_db_commit(TAKE_PTR(tx));
        if (r < 0)
                return r;
        if (ret)
                *ret = rec;
        return 0;
}

int pik_check_next_attempt(PikDb *db, int64_t execution, int64_t now, unsigned *ret_attempt, int64_t *ret_delay_sec) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        int r;

        r = pik_db_prepare(db, "SELECT j.attempt, j.run_after FROM execution e "
                               "JOIN scheduled_job j ON j.id = e.job_id WHERE e.id = ?", &s);
        if (r < 0)
                return r;
        sqlite3_bind_int64(s, 1, execution);
        r = pik_db_step(db, s);
        if (r < 0)
                return r;
        if (r == 0)
                return pik_db_set_error(db, -ENOENT, "execution %lld has no scheduled job", (long long) execution);
        *ret_attempt = (unsigned) sqlite3_column_int(s, 0);
        *ret_delay_sec = MAX(sqlite3_column_int64(s, 1) - now, (int64_t) 0);
        return 0;
}
