/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The http engine: a login as a browser without JavaScript does it, over
 * libcurl (http-session.c) and libxml2's HTML parser (html-form.c).
 *
 * The built-in shape: open the entry page; then, page after page, act on
 * what the page asks for — a form that submits itself (SAML's HTTP-POST
 * binding), a login form (fill the user name and password, carry every
 * other input and the cookies), the first half of a login split over two
 * pages (the user name alone), a second factor (a TOTP code from the
 * seed), a <meta> refresh — until the page asks for nothing more. A login
 * form that comes back after it was submitted is a rejected login. Then
 * the markers on the page the login ended on, the product page (which must
 * show the success marker too), and the express checkout (its form is
 * submitted; the answer must not be an error, the failure marker or a
 * login form).
 *
 * When the job says sso, the origins of the entry, product and checkout
 * URLs are the partner's; a page from any other origin, or one carrying an
 * SSO request (sso.h: a SAMLRequest, an OAuth authorize), is the identity
 * provider's leg, and what fails there (or on the way back) is sso-failed.
 * A login that never leaves the partner's origin is sso-failed too.
 *
 * An explicit flow (docs/JOB.md) replaces the built-in shape.
 *
 * Before a network-level failure is the partner's, the control probe asks
 * our canaries. Whatever happens, a check whose own machinery failed (an
 * allocation in libcurl or libxml2, an internal error) never reports
 * success: out-of-memory or internal-error. Secrets (password, TOTP code)
 * go to the partner's site and nowhere else: details show URLs without
 * their query, a flow step's URL as its template, never a form value, and
 * every secret left is redacted (redact.c) before the result leaves. */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alloc-guard.h"
#include "classify.h"
#include "control-probe.h"
#include "engine.h"
#include "evidence.h"
#include "flow.h"
#include "form-encode.h"
#include "html-form.h"
#include "http-session.h"
#include "redact.h"
#include "totp.h"
#include "url-util.h"

/* Pages a login may go through before it is considered to go round in
 * circles (each page may itself have redirected up to the cap). */
#define LOGIN_PAGES_MAX 12
#define META_REFRESH_MAX_SEC 5

typedef struct Run {
        const CheckJob *job;
        CheckResult *res;
        CheckProgressFn progress;
        void *userdata;
        unsigned step_no, steps_planned;

        HttpSession *session;
        HttpResponse resp;              /* the current page's response */
        HtmlPage *page;                 /* …parsed */

        bool idp_visited;               /* the login went through an identity provider's leg */
        bool in_idp_leg;                /* the current page is such a page */
        bool decided;
} Run;

_printf_(3, 4)
static int decide(Run *r, const char *outcome, const char *format, ...) {
        va_list ap;

        if (r->decided)
                return 1;
        r->decided = true;
        r->res->outcome = outcome;
        va_start(ap, format);
        vsnprintf(r->res->details, sizeof r->res->details, format, ap);
        va_end(ap);
        return 1;
}

#define decide_failure(r, f, ...) decide((r), classify_failure(f), __VA_ARGS__)

static const char *sso_overlay(Run *r, const char *outcome, bool idp_leg) {
        if (r->job->sso && idp_leg)
                return classify_sso_leg(outcome);
        return outcome;
}

static void progress(Run *r, const char *what) {
        r->step_no++;
        if (r->step_no > r->steps_planned)
                r->steps_planned = r->step_no;
        if (r->progress)
                r->progress(r->userdata, r->step_no, r->steps_planned, what);
}

/* Markers, text or XPath: 1 present, 0 absent, -EINVAL for a bad XPath. */
static int marker_present(HtmlPage *p, const char *text, const char *xpath) {
        bool m = false;
        int k;

        if (text && *text && html_page_contains(p, text))
                return 1;
        if (xpath && *xpath) {
                k = html_page_xpath_match(p, xpath, &m);
                if (k < 0)
                        return k;
        }
        return m;
}

static bool has_success_marker(const CheckJob *j) {
        return (j->success_marker && *j->success_marker) || (j->success_xpath && *j->success_xpath);
}

typedef enum FetchJudge {
        JUDGE_STATUS,                   /* an error status fails the check */
        JUDGE_LOGIN_STATUS,             /* …and 401/403 are a refused login */
        JUDGE_NONE,                     /* the caller asserts the status */
} FetchJudge;

/* Runs a request and makes its answer the current page. 1 when that
 * decided the check (a transfer error, an error status, the failure
 * marker), 0 to go on, negative errno when our machinery failed. */
static int fetch(Run *r, const HttpRequest *req, FetchJudge judge) {
        HttpResponse resp;
        char red[256], what[160];
        int k;

        progress(r, req->step);
        k = http_session_request(r->session, req, &resp);
        if (k < 0) {
                http_response_done(&resp);
                return k;
        }
        bool idp_leg = r->in_idp_leg || resp.left_home;
        /* A flow step is described by its template ("/login/{{username}}/
         * {{password}}"), never by what it expanded to; after a redirect,
         * by where it ended. redact_check_result() catches what is left. */
        if (req->url_template && resp.hops <= 1)
                url_redact_template(req->url_template, red, sizeof red);
        else
                url_redact(resp.url, red, sizeof red);

        if (resp.curl_code != CURLE_OK) {
                const char *o;
                ControlVerdict v = CONTROL_NOT_CONFIGURED;

                what[0] = 0;
                if (resp.too_large) {
                        http_response_done(&resp);
                        return decide_failure(r, CHECK_FAILURE_PAGE_TOO_LARGE, "%s: %s is larger than %u bytes",
                                              req->step, red, HTTP_BODY_MAX);
                }
                if (resp.address_refused) {
                        /* The page's doing, wherever it happened: no
                         * control probe, no SSO overlay. */
                        decide_failure(r, CHECK_FAILURE_ADDRESS_REFUSED, "%s: %s: %s", req->step, red, resp.error);
                        http_response_done(&resp);
                        return 1;
                }
                o = classify_curl_error(resp.curl_code);
                if (classify_is_network_level(o)) {
                        k = control_probe(r->job, o, &v, what, sizeof what);
                        if (k < 0) {
                                http_response_done(&resp);
                                return k;
                        }
                        o = classify_control(o, v);
                }
                o = sso_overlay(r, o, idp_leg);
                decide(r, o, "%s: %s: %s%s%s", req->step, red, resp.error, what[0] ? "; " : "", what);
                http_response_done(&resp);
                return 1;
        }

        r->res->http_status = resp.status;
        const char *bad = judge == JUDGE_NONE ? NULL :
                          judge == JUDGE_LOGIN_STATUS ? classify_login_status(resp.status) :
                          classify_http_status(resp.status);
        if (bad) {
                r->res->retry_after_sec = resp.retry_after_sec;
                decide(r, sso_overlay(r, bad, idp_leg), "%s: HTTP %ld from %s", req->step, resp.status, red);
                /* The error page is the final page, for the evidence. */
                http_response_done(&r->resp);
                r->resp = resp;
                return 1;
        }

        /* The new page replaces the current one. */
        HtmlPage *page = NULL;
        k = html_page_parse(resp.body, resp.size, resp.url, resp.content_type, &page);
        if (k < 0) {
                http_response_done(&resp);
                return k;
        }
        html_page_free(r->page);
        r->page = page;
        http_response_done(&r->resp);
        r->resp = resp;

        r->in_idp_leg = !resp.at_home;
        if (!resp.at_home || resp.left_home || resp.sso_returned)
                r->idp_visited = true;

        k = marker_present(r->page, r->job->failure_marker, r->job->failure_xpath);
        if (k == -EINVAL)
                return decide_failure(r, CHECK_FAILURE_INVALID_CONFIG, "failure_xpath is not a valid XPath");
        if (k < 0)
                return k;
        if (k > 0)
                return decide_failure(r, CHECK_FAILURE_FAILURE_MARKER_PRESENT, "%s: failure marker on %s (HTTP %ld)",
                                      req->step, red, resp.status);
        return 0;
}

static int get(Run *r, const char *step, const char *url) {
        _cleanup_free_ char *abs = NULL;
        int k;

        /* Relative to the current page, or to the entry URL. */
        k = url_resolve(r->page ? html_page_base(r->page) : r->job->entry_url, url, &abs);
        if (k == -ENOMEM)
                return k;
        if (k < 0)
                return decide_failure(r, CHECK_FAILURE_INVALID_CONFIG, "%s: not an http(s) URL", step);
        return fetch(r, &(HttpRequest) { .step = step, .url = abs, .referer = r->page ? r->resp.url : NULL },
                     JUDGE_STATUS);
}

static void free_secret(char *s) {
        if (s) {
                explicit_bzero(s, strlen(s));
                free(s);
        }
}

/* Submits a form of the current page as a browser would: its data set
 * with `set` filled in, the CSRF token of a configured <meta>, Referer
 * and Origin. */
static int submit(Run *r, const HtmlForm *f, const FormValue *set, size_t n_set, const char *step, FetchJudge judge) {
        _cleanup_free_ char *origin = NULL, *origin_header = NULL, *csrf_header = NULL, *get_url = NULL;
        _cleanup_free_ FormValue *all = NULL;
        char *body = NULL;
        const char *token = NULL;
        char *headers[3] = {};
        size_t n = 0, nh = 0;
        int k;

        all = calloc(n_set + 1, sizeof *all);
        if (!all)
                return -ENOMEM;
        for (size_t i = 0; i < n_set; i++)
                all[n++] = set[i];

        if (r->job->csrf_meta && *r->job->csrf_meta) {
                token = html_page_meta(r->page, r->job->csrf_meta);
                if (token) {
                        if (asprintf(&csrf_header, "X-CSRF-Token: %s", token) < 0)
                                return -ENOMEM;
                        headers[nh++] = csrf_header;
                        if (html_form_has_field(f, r->job->csrf_meta))
                                all[n++] = (FormValue) { r->job->csrf_meta, token };
                }
        }

        k = html_form_encode(f, html_page_charset(r->page), all, n, &body);
        if (k == -E2BIG) {
                /* The page's values, grown by their encoding, not ours. */
                char red[512];
                url_redact(html_page_url(r->page), red, sizeof red);
                return decide_failure(r, CHECK_FAILURE_PAGE_TOO_LARGE, "the form's data on %s passes %u MiB",
                                      red, FORM_BODY_MAX >> 20);
        }
        if (k < 0)
                return k;

        if (f->post) {
                if (url_origin(html_page_url(r->page), &origin) >= 0) {
                        if (asprintf(&origin_header, "Origin: %s", origin) < 0) {
                                free_secret(body);
                                return -ENOMEM;
                        }
                        headers[nh++] = origin_header;
                }
                k = fetch(r, &(HttpRequest) { .step = step, .method = "POST", .url = f->action, .body = body,
                                              .headers = headers, .referer = html_page_url(r->page) },
                          judge);
        } else {
                k = html_form_get_url(f, body, &get_url);
                if (k >= 0)
                        k = fetch(r, &(HttpRequest) { .step = step, .url = get_url, .headers = headers,
                                                      .referer = html_page_url(r->page) },
                                  judge);
                if (get_url)
                        explicit_bzero(get_url, strlen(get_url));
        }
        free_secret(body);
        return k;
}

static int find_login_form(Run *r, const HtmlForm **ret) {
        const CheckJob *j = r->job;
        int k;

        *ret = NULL;
        if (j->login_form && *j->login_form) {
                k = html_page_form_by_xpath(r->page, j->login_form, ret);
                if (k == -EINVAL)
                        return decide_failure(r, CHECK_FAILURE_INVALID_CONFIG, "login_form is not a valid XPath");
                if (k >= 0)
                        return 0;
                /* Not (or no longer) there: a page that still holds a
                 * login form can still be logged in to. */
        }
        *ret = html_page_login_form(r->page, j->password_field);
        if (!*ret && j->password_field)
                *ret = html_page_login_form(r->page, NULL);
        return 0;
}

static bool have_credentials(const CheckJob *j) {
        return j->username && j->password && !j->credentials_missing;
}

static int missing_credentials(Run *r, const char *what) {
        return decide_failure(r, CHECK_FAILURE_MISSING_CREDENTIALS, "%s, but %s", what,
                              r->job->credentials_problem ?: "the partner has no usable credentials");
}

static int login_password(Run *r, const HtmlForm *f, bool *submitted) {
        const CheckJob *j = r->job;
        ssize_t pw, user;
        FormValue set[2];
        size_t n = 0;

        if (*submitted) {
                char red[256];
                url_redact(html_page_url(r->page), red, sizeof red);
                return decide(r, sso_overlay(r, classify_failure(CHECK_FAILURE_LOGIN_REJECTED), r->in_idp_leg),
                              "the login form came back after the credentials were submitted (%s)", red);
        }
        if (!have_credentials(j))
                return missing_credentials(r, "the site asks to log in");

        pw = html_form_password_field(f, j->password_field);
        if (pw < 0)
                pw = html_form_password_field(f, NULL);
        if (pw < 0)
                return decide_failure(r, CHECK_FAILURE_LOGIN_FORM_MISSING, "the login form has no password field");
        user = html_form_username_field(f, j->username_field, pw);
        if (user < 0 && j->username_field)
                user = html_form_username_field(f, NULL, pw);
        if (user >= 0)
                set[n++] = (FormValue) { f->fields[user].name, j->username };
        set[n++] = (FormValue) { f->fields[pw].name, j->password };

        *submitted = true;
        return submit(r, f, set, n, r->in_idp_leg ? "identity provider login" : "login", JUDGE_LOGIN_STATUS);
}

static int login_username(Run *r, const HtmlForm *f) {
        const CheckJob *j = r->job;
        ssize_t user;

        if (!have_credentials(j))
                return missing_credentials(r, "the site asks for a user name");
        user = html_form_username_field(f, j->username_field, -1);
        if (user < 0)
                user = html_form_username_field(f, NULL, -1);
        if (user < 0)
                return decide_failure(r, CHECK_FAILURE_LOGIN_FORM_MISSING, "the user name form has no text field");
        return submit(r, f, &(FormValue) { f->fields[user].name, j->username }, 1,
                      r->in_idp_leg ? "identity provider user name" : "login: user name", JUDGE_LOGIN_STATUS);
}

static int login_totp(Run *r, const HtmlForm *f, const HtmlField *field) {
        char code[TOTP_DIGITS + 1];
        int k;

        if (!r->job->totp_seed || !*r->job->totp_seed)
                return missing_credentials(r, "the site asks for a one-time code");
        k = totp_code(r->job->totp_seed, time(NULL), code);
        if (k == -ENOMEM)
                return k;
        if (k < 0)
                return decide_failure(r, CHECK_FAILURE_MISSING_CREDENTIALS, "the TOTP seed is not valid base32");
        k = submit(r, f, &(FormValue) { field->name, code }, 1, "second factor", JUDGE_LOGIN_STATUS);
        explicit_bzero(code, sizeof code);
        return k;
}

/* Is the form a second factor? A strong name (otp, mfa, 2fa…), or just
 * "code" when the partner has a TOTP seed: a post-login page may well
 * have a coupon code. */
static const HtmlForm *find_otp_form(Run *r, const HtmlField **ret_field) {
        const HtmlForm *f = html_page_otp_form(r->page, ret_field);

        if (f && streq((*ret_field)->name, "code") && !r->job->totp_seed &&
            !strstr((*ret_field)->hint ?: "", "one-time-code"))
                return NULL;
        return f;
}

static int login_loop(Run *r, bool *ret_logged_in) {
        bool user_sent = false, password_sent = false, totp_sent = false;
        unsigned autoposts = 0;
        int k;

        *ret_logged_in = false;
        for (unsigned page = 0; page < LOGIN_PAGES_MAX; page++) {
                const HtmlForm *f;
                const HtmlField *otp = NULL;
                _cleanup_free_ char *refresh = NULL;

                /* Logged in already, by the success marker: nothing more to fill. */
                if (password_sent && has_success_marker(r->job) && !r->in_idp_leg &&
                    marker_present(r->page, r->job->success_marker, r->job->success_xpath) > 0)
                        break;

                f = html_page_autopost_form(r->page);
                if (f && autoposts < 4) {
                        autoposts++;
                        k = submit(r, f, NULL, 0, r->in_idp_leg ? "sso: to the service" : "sso: to the identity provider",
                                   JUDGE_LOGIN_STATUS);
                        if (k != 0)
                                return k;
                        continue;
                }

                k = find_login_form(r, &f);
                if (k != 0)
                        return k;
                if (f) {
                        k = login_password(r, f, &password_sent);
                        if (k != 0)
                                return k;
                        *ret_logged_in = true;
                        continue;
                }

                if (!password_sent) {
                        f = html_page_username_form(r->page, r->job->username_field);
                        if (f && user_sent) {
                                char red[256];
                                url_redact(html_page_url(r->page), red, sizeof red);
                                return decide(r, sso_overlay(r, classify_failure(CHECK_FAILURE_LOGIN_REJECTED),
                                                             r->in_idp_leg),
                                              "the user name form came back after the user name was submitted (%s)",
                                              red);
                        }
                        if (f) {
                                user_sent = true;
                                k = login_username(r, f);
                                if (k != 0)
                                        return k;
                                continue;
                        }
                } else {
                        f = find_otp_form(r, &otp);
                        if (f && totp_sent)
                                return decide(r, sso_overlay(r, classify_failure(CHECK_FAILURE_MFA_REJECTED),
                                                             r->in_idp_leg),
                                              "the one-time code form came back after the code was submitted");
                        if (f) {
                                totp_sent = true;
                                k = login_totp(r, f, otp);
                                if (k != 0)
                                        return k;
                                continue;
                        }
                }

                k = html_page_meta_refresh(r->page, META_REFRESH_MAX_SEC, &refresh);
                if (k < 0)
                        return k;
                if (refresh) {
                        k = get(r, "refresh", refresh);
                        if (k != 0)
                                return k;
                        continue;
                }
                return 0;
        }
        if (!r->decided && !(password_sent && has_success_marker(r->job)))
                return decide_failure(r, CHECK_FAILURE_NOT_SETTLED, "the login went on for more than %d pages",
                                      LOGIN_PAGES_MAX);
        return 0;
}

static int check_success_marker(Run *r, const char *where) {
        char red[256];
        int k;

        k = marker_present(r->page, r->job->success_marker, r->job->success_xpath);
        if (k == -EINVAL)
                return decide_failure(r, CHECK_FAILURE_INVALID_CONFIG, "success_xpath is not a valid XPath");
        if (k < 0)
                return k;
        if (k > 0 || !has_success_marker(r->job))
                return 0;
        url_redact(html_page_url(r->page), red, sizeof red);
        return decide_failure(r, CHECK_FAILURE_SUCCESS_MARKER_MISSING, "success marker not found on the %s (%s, HTTP %ld)",
                              where, red, r->resp.status);
}

static int still_logged_in(Run *r, const char *where) {
        const HtmlForm *f;
        char red[256];
        int k;

        k = find_login_form(r, &f);
        if (k != 0)
                return k;
        if (!f)
                return 0;
        url_redact(html_page_url(r->page), red, sizeof red);
        return decide_failure(r, CHECK_FAILURE_SESSION_LOST, "the %s asks to log in again (%s)", where, red);
}

static int run_builtin(Run *r) {
        const CheckJob *j = r->job;
        bool logged_in;
        int k;

        r->steps_planned = 2 + !!j->product_url + 2 * !!j->express_checkout;
        k = get(r, "entry page", j->entry_url);
        if (k != 0)
                return k;

        if (j->page_only)
                return check_success_marker(r, "page");

        k = login_loop(r, &logged_in);
        if (k != 0)
                return k;

        if (!logged_in && have_credentials(j)) {
                char red[256];
                url_redact(html_page_url(r->page), red, sizeof red);
                /* Garbage or a page cut short before its form: the same
                 * outcome, told apart in the details. */
                return decide_failure(r, html_page_n_forms(r->page) ? CHECK_FAILURE_LOGIN_FORM_MISSING :
                                                                      CHECK_FAILURE_PAGE_UNPARSABLE, "no login form on %s (%zu bytes, %zu forms)",
                                      red, r->resp.size, html_page_n_forms(r->page));
        }
        if (j->sso && logged_in && !r->idp_visited)
                return decide_failure(r, CHECK_FAILURE_NO_IDP,
                                      "the login never left the partner's site for an identity provider");
        if (j->sso && r->in_idp_leg) {
                char red[256];
                url_redact(html_page_url(r->page), red, sizeof red);
                return decide(r, "sso-failed", "the login ended at the identity provider (%s) without coming back",
                              red);
        }
        k = check_success_marker(r, "page after the login");
        if (k != 0)
                return k;

        if (j->product_url && *j->product_url) {
                k = get(r, "product page", j->product_url);
                if (k != 0)
                        return k;
                if (logged_in && (k = still_logged_in(r, "product page")) != 0)
                        return k;
                k = check_success_marker(r, "product page");
                if (k != 0)
                        return k;
        }

        if (j->express_checkout) {
                const HtmlForm *f;

                if (j->checkout_url && *j->checkout_url) {
                        k = get(r, "checkout page", j->checkout_url);
                        if (k != 0)
                                return k;
                }
                f = html_page_checkout_form(r->page);
                if (!f) {
                        char red[256];
                        url_redact(html_page_url(r->page), red, sizeof red);
                        return decide_failure(r, CHECK_FAILURE_CHECKOUT_FORM_MISSING, "no express-checkout form on %s",
                                              red);
                }
                k = submit(r, f, NULL, 0, "express checkout", JUDGE_STATUS);
                if (k != 0)
                        return k;
                if (logged_in && (k = still_logged_in(r, "checkout's answer")) != 0)
                        return k;
        }
        return 0;
}

static int flow_failed(Run *r, const FlowStep *st, const char *name, const char *why) {
        return decide_failure(r, st->login ? CHECK_FAILURE_LOGIN_ASSERTION_FAILED : CHECK_FAILURE_ASSERTION_FAILED,
                              "%s: %s", name, why);
}

static int expand(Run *r, const FlowVars *v, const char *name, const char *t, char **ret) {
        char unknown[80];
        int k;

        k = flow_expand(t, v, ret, unknown, sizeof unknown);
        if (k == -ENOENT)
                return decide_failure(r, CHECK_FAILURE_INVALID_CONFIG, "%s: {{%s}} has no value", name, unknown);
        if (k == -EINVAL)
                return decide_failure(r, CHECK_FAILURE_INVALID_CONFIG, "%s: malformed {{…}}", name);
        if (k == -EKEYREJECTED)
                return decide_failure(r, CHECK_FAILURE_INVALID_CONFIG,
                                      "%s: totp_seed is not a base32 key of at most %d bytes", name, TOTP_SEED_MAX);
        return k;
}

static int run_step(Run *r, const FlowStep *st, const char *name, FlowVars *v) {
        FetchJudge judge = st->expect_status ? JUDGE_NONE : st->login ? JUDGE_LOGIN_STATUS : JUDGE_STATUS;
        char why[160];
        bool ok;
        int k;

        if (!st->is_form) {
                _cleanup_free_ char *url = NULL, *abs = NULL;
                char *body = NULL, *headers[FLOW_ITEMS_MAX + 1] = {};
                size_t nh = 0;

                if ((k = expand(r, v, name, st->url, &url)) != 0)
                        return k;
                k = url_resolve(r->page ? html_page_base(r->page) : r->job->entry_url, url, &abs);
                if (k == -ENOMEM)
                        return k;
                if (k < 0)
                        return decide_failure(r, CHECK_FAILURE_INVALID_CONFIG, "%s: not an http(s) URL", name);
                if (st->body && (k = expand(r, v, name, st->body, &body)) != 0)
                        return k;
                for (char **h = st->headers; h && *h && k == 0; h++)
                        if ((k = expand(r, v, name, *h, &headers[nh])) == 0)
                                nh++;
                if (k == 0)
                        k = fetch(r, &(HttpRequest) { .step = name, .method = st->method, .url = abs,
                                                      .url_template = st->url, .body = body,
                                                      .content_type = st->content_type, .headers = headers,
                                                      .referer = r->page ? r->resp.url : NULL },
                                  judge);
                free_secret(body);
                for (size_t i = 0; i < nh; i++)
                        free_secret(headers[i]);
        } else {
                _cleanup_free_ char *xpath = NULL;
                FormValue set[FLOW_ITEMS_MAX];
                char *values[FLOW_ITEMS_MAX] = {};
                const HtmlForm *f;
                size_t n = 0;

                if (!r->page)
                        return decide_failure(r, CHECK_FAILURE_INVALID_CONFIG, "%s: a form step needs a page before it",
                                              name);
                if ((k = expand(r, v, name, st->form_xpath, &xpath)) != 0)
                        return k;
                k = html_page_form_by_xpath(r->page, xpath, &f);
                if (k == -EINVAL)
                        return decide_failure(r, CHECK_FAILURE_INVALID_CONFIG, "%s: the form's XPath is not valid", name);
                if (k == -ENOENT) {
                        char red[256];
                        url_redact(html_page_url(r->page), red, sizeof red);
                        return decide_failure(r, CHECK_FAILURE_FORM_MISSING, "%s: no such form on %s", name, red);
                }
                if (k < 0)
                        return k;
                for (size_t i = 0; i < st->n_fields && k == 0; i++)
                        if ((k = expand(r, v, name, st->field_values[i], &values[i])) == 0)
                                set[n++] = (FormValue) { st->field_names[i], values[i] };
                if (k == 0)
                        k = submit(r, f, set, n, name, judge);
                for (size_t i = 0; i < n; i++)
                        free_secret(values[i]);
        }
        if (k != 0)
                return k;

        k = flow_check(st, v, r->resp.status, r->page, &ok, why, sizeof why);
        if (k == -EINVAL)
                return decide_failure(r, CHECK_FAILURE_INVALID_CONFIG, "%s: the expected XPath is not valid", name);
        if (k == -ENOENT)
                return decide_failure(r, CHECK_FAILURE_INVALID_CONFIG, "%s: a variable of the expected text has no value",
                                      name);
        if (k < 0)
                return k;
        if (!ok)
                return flow_failed(r, st, name, why);
        k = flow_extract(st, r->page, r->resp.body, v, &ok, why, sizeof why);
        if (k == -EINVAL)
                return decide_failure(r, CHECK_FAILURE_INVALID_CONFIG, "%s: an extraction's XPath is not valid", name);
        if (k < 0)
                return k;
        if (!ok)
                return decide_failure(r, st->login ? CHECK_FAILURE_LOGIN_ASSERTION_FAILED :
                                                     CHECK_FAILURE_EXTRACTION_FAILED,
                                      "%s: %s", name, why);
        return 0;
}

static int run_flow(Run *r) {
        const CheckJob *j = r->job;
        _cleanup_(flow_freep) Flow *flow = NULL;
        FlowVars v = { .job = j };
        char error[256];
        int k;

        k = flow_parse(j->flow, &flow, error, sizeof error);
        if (k == -EINVAL)
                return decide_failure(r, CHECK_FAILURE_INVALID_CONFIG, "%s", error);
        if (k < 0)
                return k;
        if (((flow->needs_username || flow->needs_password) && !have_credentials(j)) ||
            (flow->needs_totp && (!j->totp_seed || !*j->totp_seed)))
                return missing_credentials(r, "the flow uses them");

        r->steps_planned = (unsigned) flow->n_steps;
        for (size_t i = 0; i < flow->n_steps && k == 0; i++) {
                char name[CHECK_STEP_NAME_MAX];

                snprintf(name, sizeof name, "%s", flow->steps[i].name ?: "");
                if (!*name)
                        snprintf(name, sizeof name, "step %zu", i + 1);
                k = run_step(r, &flow->steps[i], name, &v);
        }
        flow_vars_done(&v);
        if (k != 0)
                return k;
        if (j->sso && !r->idp_visited)
                return decide_failure(r, CHECK_FAILURE_NO_IDP, "the flow never left the partner's site");
        return check_success_marker(r, "flow's last page");
}

/* Appends the steps to the details, as far as they fit: "; steps: entry
 * page 200 3 ms, login 302>200 5 ms". */
static void details_add_steps(CheckResult *res) {
        size_t len = strlen(res->details);

        for (unsigned i = 0; i < res->n_steps; i++) {
                const CheckStep *st = &res->steps[i];
                char item[128];
                int w;

                w = snprintf(item, sizeof item, "%s%s %ld%s %lld ms", i == 0 ? (len ? "; steps: " : "steps: ") : ", ",
                             st->name, st->http_status, st->requests > 1 ? "+redirects" : "",
                             (long long) (st->total_us / 1000));
                if (w < 0 || len + (size_t) w + 1 > sizeof res->details)
                        break;
                memcpy(res->details + len, item, (size_t) w + 1);
                len += (size_t) w;
        }
}

/* A failed check's final page (redacted) and its steps, in the
 * execution's evidence directory; best effort. */
static void save_evidence(Run *r) {
        const CheckResult *res = r->res;
        char *text = NULL;
        size_t size = 0;
        FILE *f;

        if (r->resp.body && r->resp.size > 0)
                (void) evidence_keep_page(r->job, r->res, "page.html", r->resp.body);

        f = open_memstream(&text, &size);
        if (!f)
                return;
        fprintf(f, "outcome: %s\ndetails: %s\n", res->outcome, res->details);
        for (unsigned i = 0; i < res->n_steps && i < CHECK_STEPS_MAX; i++) {
                const CheckStep *st = &res->steps[i];
                fprintf(f, "%u. %s: HTTP %ld, %u request(s), dns %lld ms, connect %lld ms, tls %lld ms, "
                        "first byte %lld ms, total %lld ms\n", i + 1, st->name, st->http_status, MAX(st->requests, 1u),
                        (long long) (st->dns_us / 1000), (long long) (st->connect_us / 1000),
                        (long long) (st->tls_us / 1000), (long long) (st->ttfb_us / 1000),
                        (long long) (st->total_us / 1000));
        }
        if (fclose(f) == 0 && text)
                (void) evidence_keep_page(r->job, r->res, "steps.txt", text);
        free(text);
}

static int http_run(const CheckJob *job, CheckProgressFn progress_fn, void *userdata, CheckResult *res) {
        Run r = { .job = job, .res = res, .progress = progress_fn, .userdata = userdata };
        int k;

        k = alloc_guard_install();
        if (k < 0) {
                res->outcome = "internal-error";
                snprintf(res->details, sizeof res->details, "libcurl or libxml2 could not be initialized");
                return 0;
        }
        alloc_guard_reset();

        k = http_session_new(job, res, &r.session);
        if (k >= 0) {
                const char *homes[] = { job->entry_url, job->product_url, job->checkout_url };
                for (size_t i = 0; i < ELEMENTSOF(homes) && k >= 0; i++)
                        if (homes[i] && *homes[i]) {
                                k = http_session_add_home(r.session, homes[i]);
                                if (k == -EINVAL) {
                                        decide_failure(&r, CHECK_FAILURE_INVALID_CONFIG,
                                                       "%s is not an http(s) URL",
                                                       i == 0 ? "entry_url" : i == 1 ? "product_url" : "checkout_url");
                                        k = 1;
                                }
                        }
        }
        if (k == 0)
                k = job->flow && !job->page_only ? run_flow(&r) : run_builtin(&r);
        if (k == 0 && !r.decided)
                decide(&r, "success", "%s", r.res->http_status ? "" : "no page");
        /* Details and step names are redacted first: steps.txt repeats
         * them. Our machinery failing leaves nothing worth keeping. */
        details_add_steps(res);
        redact_check_result(job, res);
        if (k >= 0 && !alloc_guard_failed() && res->outcome && !streq(res->outcome, "success"))
                save_evidence(&r);

        html_page_free(r.page);
        http_response_done(&r.resp);
        http_session_free(r.session);

        /* Our machinery failing is never success, nor the partner's fault. */
        if (k < 0 || alloc_guard_failed()) {
                bool oom = k == -ENOMEM || alloc_guard_failed();
                res->outcome = oom ? "out-of-memory" : "internal-error";
                snprintf(res->details, sizeof res->details, "%s during the check%s%s",
                         oom ? "an allocation failed" : "the engine failed",
                         k < 0 && !oom ? ": " : "", k < 0 && !oom ? strerror(-k) : "");
                details_add_steps(res);
                redact_check_result(job, res);
        }
        return 0;
}

const CheckEngine engine_http = {
        .name = "http",
        .run = http_run,
};
