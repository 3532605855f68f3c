/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The webdriver engine: the login flow in a real browser, driven over the
 * W3C WebDriver protocol (a local chromedriver, or a Selenium Grid).
 *
 * One session per check: created with our capabilities merged with the
 * browser's, always deleted at the end, failure or not. The page is found
 * and filled through XPath element locators, the same model as the http
 * engine's (configured login form / field names, else the password input
 * and the last text or email input before it in its form). What the
 * browser does by itself (redirects, cookies, scripts, the SAML auto-post
 * back from an identity provider) it does by itself; we watch the page
 * until the markers say how the login went, or the wait is over.
 *
 * Whose fault: the browser and its driver are our infrastructure (a
 * session that cannot be made, a tab that crashes, a driver that stops
 * answering: webdriver-session-failed, engine-crashed); what the page
 * shows, or fails to show, is the partner's. W3C error codes and
 * Chromium's network errors are classified in classify.c. */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "classify.h"
#include "control-probe.h"
#include "engine.h"
#include "evidence.h"
#include "redact.h"
#include "flow.h"
#include "host-rules.h"
#include "outcome-kind.h"
#include "sso.h"
#include "totp.h"
#include "url-util.h"
#include "webdriver.h"

/* Without wait_sec: how long the page may take after the login before the
 * markers are judged. */
#define WAIT_DEFAULT_SEC 5U
#define WAIT_MAX_SEC 300U
#define POLL_MS 200U
/* Inputs of one form that we look at (a cap: the page controls them). */
#define FORM_INPUTS_MAX 64U

#define XP_PASSWORD "translate(@type,'PASSWORD','password')='password'"
#define XP_TEXTLIKE "(not(@type) or translate(@type,'TEXMAIL','texmail')='text' or " \
                    "translate(@type,'TEXMAIL','texmail')='email')"
/* An input that says it takes a user name (for a username-only page). */
#define XP_USERLIKE "(translate(@type,'EMAIL','email')='email' or " \
                    "contains(translate(concat(@name,' ',@id,' ',@autocomplete),'ABCDEFGHIJKLMNOPQRSTUVWXYZ'," \
                    "'abcdefghijklmnopqrstuvwxyz'),'user') or " \
                    "contains(translate(concat(@name,' ',@id,' ',@autocomplete),'ABCDEFGHIJKLMNOPQRSTUVWXYZ'," \
                    "'abcdefghijklmnopqrstuvwxyz'),'login') or " \
                    "contains(translate(concat(@name,' ',@id,' ',@autocomplete),'ABCDEFGHIJKLMNOPQRSTUVWXYZ'," \
                    "'abcdefghijklmnopqrstuvwxyz'),'mail') or " \
                    "contains(translate(concat(@name,' ',@id,' ',@autocomplete),'ABCDEFGHIJKLMNOPQRSTUVWXYZ'," \
                    "'abcdefghijklmnopqrstuvwxyz'),'ident'))"
/* A one-time-code input (the page after the password asks for it). */
#define XP_OTP "//input[not(translate(@type,'HIDEN','hiden')='hidden') and not(" XP_PASSWORD ") and " \
               "(@autocomplete='one-time-code' or " \
               "contains(translate(concat(@name,' ',@id),'ABCDEFGHIJKLMNOPQRSTUVWXYZ','abcdefghijklmnopqrstuvwxyz'),'otp') or " \
               "contains(translate(concat(@name,' ',@id),'ABCDEFGHIJKLMNOPQRSTUVWXYZ','abcdefghijklmnopqrstuvwxyz'),'mfa') or " \
               "contains(translate(concat(@name,' ',@id),'ABCDEFGHIJKLMNOPQRSTUVWXYZ','abcdefghijklmnopqrstuvwxyz'),'2fa') or " \
               "contains(translate(concat(@name,' ',@id),'ABCDEFGHIJKLMNOPQRSTUVWXYZ','abcdefghijklmnopqrstuvwxyz'),'code'))]"
#define XP_SUBMIT ".//button[not(@type) or translate(@type,'SUBMIT','submit')='submit'] | " \
                  ".//input[translate(@type,'SUBMITAGE','submitage')='submit' or " \
                  "translate(@type,'SUBMITAGE','submitage')='image']"

/* One round trip that tells where the browser is: the document's URL, how
 * far it loaded, the HTTP status of its navigation (Navigation Timing
 * Level 2's responseStatus, Chromium >= 109), the network error when
 * Chromium shows its error page instead, whether a password input is
 * visible, and the navigation's timings. Chromium shows its error page
 * for an error status with an empty body too ("HTTP ERROR 500"): that
 * navigation got an answer, its status says what it was. */
static const char page_state_script[] =
        "var n = performance.getEntriesByType('navigation')[0] || null;"
        "var e = null;"
        "if (document.URL.indexOf('chrome-error:') === 0 && !(n && n.responseStatus > 0)) {"
        "  var m = document.documentElement.innerHTML.match(/\"errorCode\":\"(ERR_[A-Z0-9_]+)\"/);"
        "  e = m ? m[1] : 'ERR_FAILED';"
        "}"
        "var pw = false;"
        "document.querySelectorAll('input').forEach(function (i) {"
        "  if ((i.getAttribute('type') || '').toLowerCase() === 'password' && i.getClientRects().length > 0) pw = true;"
        "});"
        "return { url: n && document.URL.indexOf('chrome-error:') === 0 ? n.name : document.URL,"
        "  ready: document.readyState, redirects: n ? n.redirectCount : 0,"
        "  status: n && n.responseStatus ? n.responseStatus : 0, net_error: e, password: pw,"
        "  origin: performance.timeOrigin,"
        "  timing: n ? [n.domainLookupStart, n.domainLookupEnd, n.connectStart, n.connectEnd,"
        "               n.secureConnectionStart, n.responseStart, n.responseEnd] : null };";

typedef struct PageState {
        char *url;
        bool complete;
        long status;
        char *net_error;
        bool password_visible;
        double origin;
        unsigned redirects;
        double timing[7];
        bool have_timing;
} PageState;

static void page_state_done(PageState *s) {
        free(s->url);
        free(s->net_error);
        *s = (PageState) {};
}

typedef struct Run {
        const CheckJob *job;
        WebDriver *wd;
        CheckResult *res;
        CheckProgressFn progress;
        void *userdata;
        char *homes[4];                 /* the partner's origins (entry, product, checkout pages) */
        const char *phase;              /* for details: "entry page", "login", … */
        bool in_session;
        bool idp_visited;               /* an identity provider's leg was seen (sso.h) */
        bool otp_submitted;
        double step_origin;             /* the timeOrigin of the last document made a step */
        int64_t start_ms;
        int64_t session_ms;
} Run;

static void homes_done(Run *r) {
        for (size_t i = 0; i < ELEMENTSOF(r->homes); i++)
                r->homes[i] = mfree(r->homes[i]);
}

static int64_t now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(unsigned ms) {
        struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long) (ms % 1000) * 1000000L };
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

_printf_(3, 4)
static int decide(Run *r, const char *outcome, const char *format, ...) {
        va_list ap;

        r->res->outcome = outcome;
        va_start(ap, format);
        vsnprintf(r->res->details, sizeof r->res->details, format, ap);
        va_end(ap);
        return 1;
}

#define decide_failure(r, f, ...) decide((r), classify_failure(f), __VA_ARGS__)

/* A page of the identity provider's leg (sso.h): another origin than the
 * partner's, or a request on its way there. */
static bool in_idp_leg(Run *r, const char *url) {
        return url && sso_is_idp_leg(r->homes, url);
}

/* The outcome, as the job sees it: on the identity provider's leg, what
 * fails is the SSO leg. */
static const char *sso_overlay(Run *r, const char *outcome, const char *url) {
        if (r->job->sso && in_idp_leg(r, url))
                return classify_sso_leg(outcome);
        return outcome;
}

static int page_state(Run *r, PageState *ret);

/* A page that got no answer at all (outcome: what the failure would be,
 * network-level or not), loading url (NULL: not known). Before a
 * network-level failure is the partner's, the control probe asks our own
 * canaries; the failing host is named, so that an SSO failure says which
 * side refused. */
static int partner_failure(Run *r, const char *what, const char *outcome, const char *url, const char *reason) {
        ControlVerdict v = CONTROL_NOT_CONFIGURED;
        _cleanup_free_ char *origin = NULL;
        char shown[256], probe[160] = "";
        const char *host = NULL;
        int k;

        if (classify_is_network_level(outcome)) {
                k = control_probe(r->job, outcome, &v, probe, sizeof probe);
                if (k < 0)
                        return k;
                outcome = classify_control(outcome, v);
        }
        outcome = sso_overlay(r, outcome, url);
        if (url && url_origin(url, &origin) >= 0)
                host = strstr(origin, "://") ? strstr(origin, "://") + 3 : origin;
        url_redact(url, shown, sizeof shown);
        return decide(r, outcome, "%s: %s from host %s loading %s%s%s", what, reason, host ?: "(unknown)",
                      url ? shown : "(unknown URL)", probe[0] ? "; " : "", probe);
}

/* Where the browser was going when a command failed: the navigation's URL
 * (on Chromium's error page, the one that failed). NULL when not known. */
static char *failing_url(Run *r) {
        _cleanup_(page_state_done) PageState s = {};

        if (page_state(r, &s) < 0)
                return NULL;
        return TAKE_PTR(s.url);
}

/* The outcome for a failed WebDriver command (err < 0). */
static int fail(Run *r, int err, const char *what) {
        const WebDriverError *e = webdriver_last_error(r->wd);
        char msg[sizeof e->message];
        const char *outcome;

        switch (err) {
        case -ENOMEM:
                return decide(r, classify_failure(CHECK_FAILURE_OUT_OF_MEMORY), "%s: out of memory", what);
        case -EIO:
        case -ENOENT: {
                const char *net = strstr(e->message, "net::ERR_");
                /* e is overwritten by the next command. */
                snprintf(msg, sizeof msg, "%s", *e->message ? e->message : e->error);
                if (!r->in_session)
                        return decide(r, classify_session_error(e->error), "%s: %s", what, msg);
                if (streq(e->error, "unknown error") && net) {
                        _cleanup_free_ char *url = NULL;
                        char code[64];
                        snprintf(code, sizeof code, "%.*s", (int) strspn(net + 5, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"),
                                 net + 5);
                        url = failing_url(r);
                        return partner_failure(r, what, classify_browser_net_error(code), url, code);
                }
                outcome = classify_webdriver_error(e->error);
                if (r->job->sso && pik_outcome_builtin_kind(outcome) == OUTCOME_KIND_PARTNER) {
                        _cleanup_free_ char *url = NULL;

                        if (webdriver_current_url(r->wd, &url) >= 0)
                                outcome = sso_overlay(r, outcome, url);
                }
                return decide(r, outcome, "%s: %s", what, msg);
        }
        default:
                /* The endpoint itself: unreachable, silent, or speaking
                 * something else. Before a session exists, no session could
                 * be made; after, the driver or the browser died under us. */
                return decide(r, classify_failure(r->in_session ? CHECK_FAILURE_BROWSER_LOST
                                                                : CHECK_FAILURE_BROWSER_UNAVAILABLE),
                              "%s: WebDriver endpoint %s: %s", what, r->job->webdriver_url,
                              *e->message ? e->message : strerror(-err));
        }
}

static int64_t ms_to_us(double ms) {
        return ms > 0 ? (int64_t) (ms * 1000.0) : 0;
}

/* Each document the browser loaded is a step of the result, with its
 * navigation's phases as the browser measured them (Navigation Timing,
 * milliseconds from the navigation's start): the result's timings are
 * their sums, as the http engine's are over its requests. */
static void record_step(Run *r, const PageState *s) {
        CheckResult *res = r->res;
        const double *t = s->timing;
        CheckStep *st;

        if ((!s->complete && !s->net_error) || !s->have_timing || s->origin == r->step_origin)
                return;
        r->step_origin = s->origin;
        if (res->n_steps >= CHECK_STEPS_MAX)
                return;
        st = &res->steps[res->n_steps++];
        *st = (CheckStep) {
                .http_status = s->status,
                .requests = 1 + s->redirects,
                .dns_us = ms_to_us(t[1] - t[0]),
                /* secureConnectionStart splits the connection into TCP and TLS. */
                .connect_us = ms_to_us((t[4] > 0 ? t[4] : t[3]) - t[2]),
                .tls_us = t[4] > 0 ? ms_to_us(t[3] - t[4]) : 0,
                .ttfb_us = ms_to_us(t[5]),
                .total_us = ms_to_us(t[6]),
        };
        snprintf(st->name, sizeof st->name, "%s", r->phase ?: "page");
        res->network_us += st->total_us;
        res->dns_ms = MAX(res->dns_ms, 0) + st->dns_us / 1000;
        res->connect_ms = MAX(res->connect_ms, 0) + st->connect_us / 1000;
        res->tls_ms = MAX(res->tls_ms, 0) + st->tls_us / 1000;
        res->ttfb_ms = MAX(res->ttfb_ms, 0) + st->ttfb_us / 1000;
}

static int page_state(Run *r, PageState *ret) {
        json_object *v = NULL, *x;
        PageState s = {};
        int k;

        k = webdriver_execute(r->wd, page_state_script, NULL, &v);
        if (k < 0)
                return k;
        if (!v || !json_object_is_type(v, json_type_object)) {
                json_object_put(v);
                return -EBADMSG;
        }
        if (json_object_object_get_ex(v, "url", &x) && json_object_is_type(x, json_type_string))
                s.url = strdup(json_object_get_string(x));
        if (json_object_object_get_ex(v, "ready", &x) && json_object_is_type(x, json_type_string))
                s.complete = streq(json_object_get_string(x), "complete");
        if (json_object_object_get_ex(v, "status", &x))
                s.status = (long) json_object_get_int64(x);
        if (json_object_object_get_ex(v, "net_error", &x) && json_object_is_type(x, json_type_string))
                s.net_error = strdup(json_object_get_string(x));
        if (json_object_object_get_ex(v, "password", &x))
                s.password_visible = json_object_get_boolean(x);
        if (json_object_object_get_ex(v, "origin", &x))
                s.origin = json_object_get_double(x);
        if (json_object_object_get_ex(v, "redirects", &x))
                s.redirects = (unsigned) MIN(MAX(json_object_get_int64(x), 0), 1000);
        if (json_object_object_get_ex(v, "timing", &x) && json_object_is_type(x, json_type_array) &&
            json_object_array_length(x) == ELEMENTSOF(s.timing)) {
                for (size_t i = 0; i < ELEMENTSOF(s.timing); i++)
                        s.timing[i] = json_object_get_double(json_object_array_get_idx(x, i));
                s.have_timing = true;
        }
        json_object_put(v);
        if (!s.url) {
                page_state_done(&s);
                return -ENOMEM;
        }
        if (in_idp_leg(r, s.url) || sso_shape_of_url(s.url) == SSO_SHAPE_RESPONSE)
                r->idp_visited = true;
        record_step(r, &s);
        *ret = s;
        return 0;
}

/* 1: present. */
static int xpath_present(Run *r, const char *xpath) {
        _cleanup_strv_free_ char **l = NULL;
        int k;

        k = webdriver_find_elements(r->wd, NULL, xpath, &l);
        return k < 0 ? k : k > 0;
}

static int one_time_code(Run *r);
static int otp_visible(Run *r, char **ret);

typedef enum Judge {
        JUDGE_PAGE,             /* a page that must show the markers */
        JUDGE_LOGIN,            /* the page after a login: also, the form must be gone */
        JUDGE_STEP,             /* an intermediate page: status and failure marker only */
        JUDGE_MARKERS,          /* a flow's last page: its steps judged the status */
} Judge;

/* Watch the page until it is judged: 0 when it is fine, 1 when an outcome
 * was decided, < 0 on a WebDriver failure. */
static int judge_page(Run *r, Judge how, unsigned wait_ms) {
        const CheckJob *j = r->job;
        int64_t deadline = now_ms() + wait_ms;
        int k;

        for (;;) {
                _cleanup_(page_state_done) PageState s = {};
                _cleanup_free_ char *src = NULL;
                bool last = now_ms() >= deadline, ok = true;
                char shown[256];
                const char *bad;

                k = page_state(r, &s);
                if (k < 0)
                        return k;
                /* Results show no query: tokens and codes travel there. */
                url_redact(s.url, shown, sizeof shown);
                if (s.net_error)
                        return partner_failure(r, r->phase, classify_browser_net_error(s.net_error), s.url,
                                               s.net_error);
                if (!s.complete && !last) {
                        sleep_ms(POLL_MS);
                        continue;
                }
                r->res->http_status = s.status;
                /* The answer to the credentials: 401 and 403 refuse them. */
                bad = s.status <= 0 || how == JUDGE_MARKERS ? NULL : how == JUDGE_LOGIN ? classify_login_status(s.status)
                                                                : classify_http_status(s.status);
                if (bad)
                        bad = sso_overlay(r, bad, s.url);
                if (bad)
                        return decide(r, bad, "%s: HTTP %ld at %s", r->phase, s.status, shown);

                if (j->failure_marker || j->success_marker) {
                        _cleanup_(page_state_done) PageState now = {};

                        k = webdriver_page_source(r->wd, &src);
                        if (k < 0)
                                return k;
                        /* A navigation may commit between the two calls
                         * (a click returns before it does): the source
                         * would be the next document's while the state,
                         * its status and its step are the last one's.
                         * Judge again, on the next document. */
                        k = page_state(r, &now);
                        if (k < 0)
                                return k;
                        if (now.origin != s.origin)
                                continue;
                }
                if (j->failure_marker && strstr(src, j->failure_marker))
                        return decide(r, classify_failure(CHECK_FAILURE_FAILURE_MARKER_PRESENT),
                                      "%s: failure marker found at %s", r->phase, shown);
                if (j->failure_xpath) {
                        k = xpath_present(r, j->failure_xpath);
                        if (k < 0)
                                return k;
                        if (k > 0)
                                return decide(r, classify_failure(CHECK_FAILURE_FAILURE_MARKER_PRESENT),
                                              "%s: failure XPath matches at %s", r->phase, shown);
                }
                if (how == JUDGE_STEP)
                        return 0;

                if (j->success_marker && !strstr(src, j->success_marker))
                        ok = false;
                if (ok && j->success_xpath) {
                        k = xpath_present(r, j->success_xpath);
                        if (k < 0)
                                return k;
                        ok = k > 0;
                }
                /* Without markers, a login worked when its form is gone. */
                if (ok && how == JUDGE_LOGIN && !j->success_marker && !j->success_xpath)
                        ok = !s.password_visible;
                if (ok)
                        return 0;

                /* A page after the password that asks for a one-time code
                 * gets it, once. */
                if (how == JUDGE_LOGIN && !s.password_visible && !r->otp_submitted) {
                        k = one_time_code(r);
                        if (k < 0 || k == 1)
                                return k;
                        if (k == 2)
                                continue;
                }

                if (last) {
                        if (r->otp_submitted) {
                                k = otp_visible(r, NULL);
                                if (k < 0)
                                        return k;
                                if (k > 0)
                                        return decide(r, sso_overlay(r, classify_failure(CHECK_FAILURE_MFA_REJECTED),
                                                                     s.url),
                                                      "%s: the one-time code was not accepted at %s", r->phase, shown);
                        }
                        if (how == JUDGE_LOGIN && s.password_visible)
                                return decide(r, sso_overlay(r, classify_failure(CHECK_FAILURE_LOGIN_REJECTED), s.url),
                                              "%s: the login form is still shown at %s after %u ms", r->phase,
                                              shown, wait_ms);
                        bad = classify_failure(CHECK_FAILURE_SUCCESS_MARKER_MISSING);
                        /* A login that ends on the identity provider's page
                         * without its marker did not come back from it. */
                        if (how == JUDGE_LOGIN)
                                bad = sso_overlay(r, bad, s.url);
                        return decide(r, bad, "%s: success marker not found at %s after %u ms", r->phase, shown,
                                      wait_ms);
                }
                sleep_ms(POLL_MS);
        }
}

static bool in_list(char **l, const char *s) {
        for (char **i = l; i && *i; i++)
                if (streq(*i, s))
                        return true;
        return false;
}

/* An input by name in scope (a form element, or the document). */
static int find_named_input(Run *r, const char *scope, const char *name, char **ret) {
        _cleanup_free_ char *lit = NULL, *xp = NULL;

        lit = xpath_literal(name);
        if (!lit || asprintf(&xp, "%s//input[@name=%s]", scope ? "." : "", lit) < 0)
                return -ENOMEM;
        return webdriver_find_element(r->wd, scope, xp, ret);
}

typedef struct LoginForm {
        char *form;             /* NULL: the inputs stand outside any form */
        char *user;             /* NULL: none (a password-only step) */
        char *password;         /* NULL: none (the username step of a multi-page login) */
} LoginForm;

static void login_form_done(LoginForm *f) {
        free(f->form);
        free(f->user);
        free(f->password);
        *f = (LoginForm) {};
}

/* The default username field: the last text or email input before the
 * password input in the same form (or document). */
static int find_user_before(Run *r, const char *scope, const char *password, char **passwords, char **ret) {
        _cleanup_strv_free_ char **inputs = NULL;
        const char *last = NULL;
        int k;

        k = webdriver_find_elements(r->wd, scope, scope ? ".//input[" XP_TEXTLIKE " or " XP_PASSWORD "]"
                                                        : "//input[" XP_TEXTLIKE " or " XP_PASSWORD "]", &inputs);
        if (k < 0)
                return k;
        for (size_t i = 0; inputs[i] && i < FORM_INPUTS_MAX; i++) {
                if (password && streq(inputs[i], password))
                        break;
                if (!in_list(passwords, inputs[i]))
                        last = inputs[i];
        }
        *ret = last ? strdup(last) : NULL;
        return last && !*ret ? -ENOMEM : 0;
}

/* Find the login form on the current page. 0 found (f filled), 1 decided
 * (no form: login-form-missing or sso-failed), < 0 WebDriver failure. */
static int find_login_form(Run *r, LoginForm *f) {
        const CheckJob *j = r->job;
        _cleanup_strv_free_ char **passwords = NULL;
        _cleanup_free_ char *url = NULL;
        const char *outcome;
        char shown[256];
        int k;

        (void) webdriver_current_url(r->wd, &url);
        outcome = sso_overlay(r, classify_failure(CHECK_FAILURE_LOGIN_FORM_MISSING), url);
        url_redact(url, shown, sizeof shown);

        if (j->login_form) {
                k = webdriver_find_element(r->wd, NULL, j->login_form, &f->form);
                if (k == -ENOENT)
                        return decide(r, outcome, "%s: no element matches the login form XPath at %s", r->phase,
                                      shown);
                if (k < 0)
                        return k;
        }

        k = webdriver_find_elements(r->wd, f->form, f->form ? ".//input[" XP_PASSWORD "]" : "//input[" XP_PASSWORD "]",
                                    &passwords);
        if (k < 0)
                return k;

        if (j->password_field) {
                k = find_named_input(r, f->form, j->password_field, &f->password);
                if (k < 0 && k != -ENOENT)
                        return k;
        } else {
                /* The first visible one (pages keep hidden copies around)
                 * in a form with one password input: a form with two is a
                 * registration or a password change. */
                const char *first = NULL, *single = NULL;

                for (size_t i = 0; passwords[i] && i < 8 && !single; i++) {
                        _cleanup_free_ char *form = NULL;
                        _cleanup_strv_free_ char **in_form = NULL;

                        k = webdriver_element_displayed(r->wd, passwords[i]);
                        if (k < 0)
                                return k;
                        if (k == 0)
                                continue;
                        if (!first)
                                first = passwords[i];
                        if (f->form) {
                                single = passwords[i];
                                break;
                        }
                        k = webdriver_find_element(r->wd, passwords[i], "./ancestor::form[1]", &form);
                        if (k == -ENOENT) {
                                single = passwords[i];
                                break;
                        }
                        if (k < 0)
                                return k;
                        k = webdriver_find_elements(r->wd, form, ".//input[" XP_PASSWORD "]", &in_form);
                        if (k < 0)
                                return k;
                        if (k == 1)
                                single = passwords[i];
                }
                if ((single || first) && !(f->password = strdup(single ?: first)))
                        return -ENOMEM;
        }

        if (f->password && !f->form) {
                k = webdriver_find_element(r->wd, f->password, "./ancestor::form[1]", &f->form);
                if (k < 0 && k != -ENOENT)
                        return k;
        }

        if (j->username_field) {
                k = find_named_input(r, f->form, j->username_field, &f->user);
                if (k < 0 && k != -ENOENT)
                        return k;
        } else if (f->password) {
                k = find_user_before(r, f->form, f->password, passwords, &f->user);
                if (k < 0)
                        return k;
        } else {
                /* No password input: maybe the first page of a multi-page
                 * login that asks for the username alone, in an input that
                 * says so (not the search box in the page's header). */
                _cleanup_strv_free_ char **inputs = NULL;
                k = webdriver_find_elements(r->wd, f->form,
                                            f->form ? ".//input[" XP_TEXTLIKE " and " XP_USERLIKE "]"
                                                    : "//form//input[" XP_TEXTLIKE " and " XP_USERLIKE "]", &inputs);
                if (k < 0)
                        return k;
                for (size_t i = 0; inputs[i] && i < FORM_INPUTS_MAX && !f->user; i++) {
                        k = webdriver_element_displayed(r->wd, inputs[i]);
                        if (k < 0)
                                return k;
                        if (k > 0 && !(f->user = strdup(inputs[i])))
                                return -ENOMEM;
                }
                if (f->user && !f->form) {
                        k = webdriver_find_element(r->wd, f->user, "./ancestor::form[1]", &f->form);
                        if (k < 0 && k != -ENOENT)
                                return k;
                }
        }

        if (!f->password && !f->user)
                return decide(r, outcome, "%s: no login form (no %s input%s%s) at %s", r->phase,
                              j->password_field ? "password" : "visible password",
                              j->password_field ? " named " : "", j->password_field ?: "", shown);
        if (j->username_field && !f->user)
                return decide(r, outcome, "%s: no input named %s at %s", r->phase, j->username_field, shown);
        return 0;
}

static int type_into(Run *r, const char *element, const char *text) {
        int k;

        k = webdriver_element_clear(r->wd, element);
        if (k < 0)
                return k;
        return webdriver_element_send_keys(r->wd, element, text);
}

/* Submit the way a person does: the form's submit button, else Enter in
 * the last field typed into (implicit submission). */
static int submit(Run *r, const char *form, const char *field) {
        _cleanup_strv_free_ char **buttons = NULL;
        int k;

        if (form) {
                k = webdriver_find_elements(r->wd, form, XP_SUBMIT, &buttons);
                if (k < 0)
                        return k;
                for (size_t i = 0; buttons[i] && i < FORM_INPUTS_MAX; i++) {
                        k = webdriver_element_displayed(r->wd, buttons[i]);
                        if (k < 0)
                                return k;
                        if (k > 0)
                                return webdriver_element_click(r->wd, buttons[i]);
                }
        }
        if (!field)
                return -ENOENT;
        return webdriver_element_send_keys(r->wd, field, "\xee\x80\x87");   /* U+E007, Enter */
}

static unsigned wait_ms(const CheckJob *j) {
        if (j->wait_sec < 0)
                return WAIT_DEFAULT_SEC * 1000U;
        return (unsigned) MIN((unsigned) j->wait_sec, WAIT_MAX_SEC) * 1000U;
}

static json_object *element_ref(const char *id) {
        json_object *o = json_object_new_object();

        if (o && json_object_object_add(o, WEBDRIVER_ELEMENT_KEY, json_object_new_string(id)) < 0)
                o = (json_object_put(o), NULL);
        return o;
}

/* A browser does not submit a form its own validation refuses (a user
 * name that is not an e-mail address in an <input type=email>): the
 * credentials do not fit the partner's form, which no wait will change.
 * After a submission that navigated, the form is gone (a stale element):
 * all is well. */
static int check_validity(Run *r, const char *form) {
        static const char script[] =
                "var f = arguments[0];"
                "if (!f || !f.isConnected || f.checkValidity()) return null;"
                "var e = f.querySelector(':invalid');"
                "return (e && e.name ? e.name + ': ' : '') + (e ? e.validationMessage : 'invalid');";
        json_object *args, *v = NULL;
        char msg[160];
        int k;

        if (!form)
                return 0;
        args = json_object_new_array();
        if (!args)
                return -ENOMEM;
        json_object_array_add(args, element_ref(form));
        k = webdriver_execute(r->wd, script, args, &v);
        json_object_put(args);
        if (k < 0 || !v || !json_object_is_type(v, json_type_string)) {
                json_object_put(v);
                return 0;   /* gone with the page it was on */
        }
        snprintf(msg, sizeof msg, "%s", json_object_get_string(v));
        json_object_put(v);
        return decide_failure(r, CHECK_FAILURE_INVALID_CONFIG, "%s: the browser refuses to submit the login form (%s)", r->phase, msg);
}

/* The visible one-time-code input, if the page has one: 1 and *ret. */
static int otp_visible(Run *r, char **ret) {
        _cleanup_strv_free_ char **inputs = NULL;
        int k;

        k = webdriver_find_elements(r->wd, NULL, XP_OTP, &inputs);
        if (k < 0)
                return k;
        for (size_t i = 0; inputs[i] && i < 8; i++) {
                k = webdriver_element_displayed(r->wd, inputs[i]);
                if (k < 0)
                        return k;
                if (k > 0) {
                        if (ret && !(*ret = strdup(inputs[i])))
                                return -ENOMEM;
                        return 1;
                }
        }
        return 0;
}

/* A second factor: when the page after the password asks for a one-time
 * code, type the TOTP code of the partner's seed. 0 when the page asks for
 * none, 2 when it was submitted, 1 when decided. */
static int one_time_code(Run *r) {
        const CheckJob *j = r->job;
        _cleanup_free_ char *form = NULL, *input = NULL;
        char code[TOTP_DIGITS + 1];
        int k;

        k = otp_visible(r, &input);
        if (k <= 0)
                return k;

        r->phase = "one-time code";
        if (!j->totp_seed || !*j->totp_seed)
                return decide_failure(r, CHECK_FAILURE_MISSING_CREDENTIALS, "%s: the site asks for a one-time code, and the partner's "
                                                        "credentials have no TOTP seed", r->phase);
        k = totp_code(j->totp_seed, time(NULL), code);
        if (k == -ENOMEM)
                return k;
        if (k < 0)
                return decide_failure(r, CHECK_FAILURE_MISSING_CREDENTIALS, "%s: the partner's TOTP seed is not base32", r->phase);
        r->progress(r->userdata, 2, 2, "submitting the one-time code");
        k = type_into(r, input, code);
        explicit_bzero(code, sizeof code);
        if (k < 0)
                return k;
        k = webdriver_find_element(r->wd, input, "./ancestor::form[1]", &form);
        if (k < 0 && k != -ENOENT)
                return k;
        r->otp_submitted = true;
        k = submit(r, form, input);
        return k < 0 ? k : 2;
}

/* The login: find the form on whatever page the browser is on (the
 * partner's, or its identity provider's after the redirects), fill it,
 * submit, and watch. A username-only first page is filled and submitted,
 * then the password page is looked for once more. */
static int login(Run *r) {
        const CheckJob *j = r->job;
        int k;

        for (unsigned page = 0; page < 2; page++) {
                _cleanup_(login_form_done) LoginForm f = {};
                int64_t deadline = now_ms() + wait_ms(j);

                r->phase = page == 0 ? "login" : "login (second page)";
                /* Pages that write their form with a script get the wait
                 * to do it. */
                for (;;) {
                        k = find_login_form(r, &f);
                        if (k != 1 || now_ms() >= deadline)
                                break;
                        r->res->outcome = NULL;
                        r->res->details[0] = 0;
                        login_form_done(&f);
                        sleep_ms(POLL_MS);
                }
                if (k != 0)
                        return k;
                if (page == 1 && !f.password)
                        return decide(r, j->sso ? classify_sso_leg(classify_failure(CHECK_FAILURE_LOGIN_REJECTED))
                                              : classify_failure(CHECK_FAILURE_LOGIN_REJECTED),
                                      "%s: no password page after the username page", r->phase);
                if (f.user && j->username) {
                        k = type_into(r, f.user, j->username);
                        if (k < 0)
                                return k;
                }
                if (f.password) {
                        k = type_into(r, f.password, j->password);
                        if (k < 0)
                                return k;
                }
                r->progress(r->userdata, 2, 2, f.password ? "submitting the login form" : "submitting the username");
                k = submit(r, f.form, f.password ?: f.user);
                if (k < 0)
                        return k;
                k = check_validity(r, f.form);
                if (k != 0)
                        return k;
                if (f.password)
                        break;
                /* Give the second page its time to come. */
                k = judge_page(r, JUDGE_STEP, 0);
                if (k != 0)
                        return k;
        }

        r->progress(r->userdata, 2, 2, "waiting for the page after the login");
        r->phase = "after the login";
        k = judge_page(r, JUDGE_LOGIN, wait_ms(j));
        if (k == 0 && j->sso && !r->idp_visited)
                return decide_failure(r, CHECK_FAILURE_NO_IDP, "%s: the login never left the partner's site", r->phase);
        return k;
}

static int navigate(Run *r, const char *phase, const char *url) {
        int k;

        r->phase = phase;
        k = webdriver_navigate(r->wd, url);
        if (k < 0) {
                const WebDriverError *e = webdriver_last_error(r->wd);
                /* A page that does not finish loading within pageLoad. */
                if (streq(e->error, "timeout")) {
                        char why[64];
                        snprintf(why, sizeof why, "no page within %u s", r->job->timeout_sec);
                        return partner_failure(r, phase, classify_failure(CHECK_FAILURE_PAGE_TIMEOUT), url, why);
                }
                return k;
        }
        return 0;
}

/* After a script or a click started a navigation: until a new document has
 * loaded. */
static int wait_navigation(Run *r, double old_origin) {
        int64_t deadline = now_ms() + (int64_t) r->job->timeout_sec * 1000;

        for (;;) {
                _cleanup_(page_state_done) PageState s = {};
                int k = page_state(r, &s);
                if (k < 0)
                        return k;
                if ((s.origin != old_origin && s.complete) || s.net_error)
                        return 0;
                if (now_ms() >= deadline) {
                        char why[64];
                        snprintf(why, sizeof why, "no page within %u s", r->job->timeout_sec);
                        return partner_failure(r, r->phase, classify_failure(CHECK_FAILURE_PAGE_TIMEOUT), NULL, why);
                }
                sleep_ms(POLL_MS);
        }
}

/* Express checkout: the configured page's form (or the first form on the
 * product page that is not a login form), submitted; the page after it
 * must not fail. */
static int express_checkout(Run *r) {
        const CheckJob *j = r->job;
        _cleanup_strv_free_ char **forms = NULL;
        int k;

        if (j->checkout_url) {
                k = navigate(r, "checkout", j->checkout_url);
                if (k != 0)
                        return k;
                k = judge_page(r, JUDGE_STEP, 0);
                if (k != 0)
                        return k;
        }
        r->phase = "checkout";
        k = webdriver_find_elements(r->wd, NULL, "//form[not(.//input[" XP_PASSWORD "])][" XP_SUBMIT "]", &forms);
        if (k < 0)
                return k;
        if (!forms[0])
                return decide_failure(r, CHECK_FAILURE_CHECKOUT_FORM_MISSING, "checkout: no checkout form on the page");
        {
                _cleanup_(page_state_done) PageState before = {};

                k = page_state(r, &before);
                if (k < 0)
                        return k;
                k = submit(r, forms[0], NULL);
                if (k < 0)
                        return k;
                /* A click returns before its navigation is done: the page
                 * after the order is the one to judge (and ending the
                 * session at once could cancel the order's request). */
                k = wait_navigation(r, before.origin);
                if (k != 0)
                        return k;
        }
        return judge_page(r, JUDGE_STEP, 0);
}

/* Explicit flows (docs/JOB.md): flow.c parses the steps and judges the
 * pages (expect, extract) exactly as for the http engine, on the page
 * source the browser has; here each step is done the browser's way. A
 * request is a navigation (a POST is a form the page submits, as a
 * browser can only send one that way; request headers are the browser's
 * own and are not sent); a form step fills the form in the page by field
 * name and presses its button. */

static const char post_script[] =
        "var f = document.createElement('form'); f.method = 'post'; f.action = arguments[0];"
        "new URLSearchParams(arguments[1]).forEach(function (v, k) {"
        "  var i = document.createElement('input'); i.type = 'hidden'; i.name = k; i.value = v; f.appendChild(i);"
        "});"
        "(document.body || document.documentElement).appendChild(f); f.submit();";

/* Fields a person does not type into (hidden ones, selects, and names the
 * form lacks) get their value set by a script, as the http engine adds or
 * replaces them in the data it posts. */
static const char set_field_script[] =
        "var f = arguments[0], n = arguments[1], e = null;"
        "for (var i = 0; i < f.elements.length; i++) if (f.elements[i].name === n) { e = f.elements[i]; break; }"
        "if (!e) { e = document.createElement('input'); e.type = 'hidden'; e.name = n; f.appendChild(e); }"
        "e.value = arguments[2];";

/* Run a script whose arguments may hold a secret: their copies are wiped. */
static int execute_secret(Run *r, const char *script, json_object *args) {
        int k;

        k = webdriver_execute(r->wd, script, args, NULL);
        for (size_t i = 0; i < json_object_array_length(args); i++) {
                json_object *a = json_object_array_get_idx(args, i);
                if (json_object_is_type(a, json_type_string))
                        explicit_bzero((char *) json_object_get_string(a), json_object_get_string_len(a));
        }
        json_object_put(args);
        return k;
}

static int set_field(Run *r, const char *form, const char *name, const char *value, char **last_typed) {
        _cleanup_free_ char *el = NULL, *type = NULL, *lit = NULL, *xp = NULL;
        json_object *args;
        int k;

        lit = xpath_literal(name);
        if (!lit || asprintf(&xp, ".//*[@name=%s]", lit) < 0)
                return -ENOMEM;
        k = webdriver_find_element(r->wd, form, xp, &el);
        if (k < 0 && k != -ENOENT)
                return k;
        if (k >= 0) {
                k = webdriver_element_attribute(r->wd, el, "type", &type);
                if (k < 0)
                        return k;
                k = webdriver_element_displayed(r->wd, el);
                if (k < 0)
                        return k;
                if (k > 0 && (!type || (strcasecmp(type, "hidden") != 0 && strcasecmp(type, "checkbox") != 0 &&
                                        strcasecmp(type, "radio") != 0 && strcasecmp(type, "submit") != 0))) {
                        k = type_into(r, el, value);
                        if (k >= 0 && last_typed) {
                                free(*last_typed);
                                *last_typed = TAKE_PTR(el);
                        }
                        return k;
                }
        }
        args = json_object_new_array();
        if (!args)
                return -ENOMEM;
        json_object_array_add(args, element_ref(form));
        json_object_array_add(args, json_object_new_string(name));
        json_object_array_add(args, json_object_new_string(value));
        return execute_secret(r, set_field_script, args);
}

static int flow_expand_or_fail(Run *r, const FlowVars *v, const char *template, char **ret) {
        char unknown[80];
        int k;

        k = flow_expand(template, v, ret, unknown, sizeof unknown);
        if (k == -ENOENT)
                return decide_failure(r, CHECK_FAILURE_INVALID_CONFIG, "%s: {{%s}} has no value", r->phase, unknown);
        if (k == -EINVAL)
                return decide_failure(r, CHECK_FAILURE_INVALID_CONFIG, "%s: malformed {{…}}", r->phase);
        if (k == -EKEYREJECTED)
                return decide_failure(r, CHECK_FAILURE_INVALID_CONFIG,
                                      "%s: totp_seed is not a base32 key of at most %d bytes", r->phase, TOTP_SEED_MAX);
        return k;
}

static void free_secret(char *s) {
        if (s)
                explicit_bzero(s, strlen(s));
        free(s);
}

static int flow_request(Run *r, const FlowStep *st, const FlowVars *v, bool have_page) {
        _cleanup_free_ char *url = NULL, *abs = NULL, *current = NULL;
        int k;

        k = flow_expand_or_fail(r, v, st->url, &url);
        if (k != 0)
                return k;
        if (have_page) {
                k = webdriver_current_url(r->wd, &current);
                if (k < 0)
                        return k;
        }
        k = url_resolve(current ?: r->job->entry_url, url, &abs);
        if (k == -ENOMEM)
                return k;
        if (k < 0)
                return decide_failure(r, CHECK_FAILURE_INVALID_CONFIG, "%s: not an http(s) URL", r->phase);

        if (!st->method || strcasecmp(st->method, "GET") == 0)
                return navigate(r, r->phase, abs);

        if (strcasecmp(st->method, "POST") != 0 ||
            (st->content_type && strncasecmp(st->content_type, "application/x-www-form-urlencoded", 33) != 0))
                return decide_failure(r, CHECK_FAILURE_INVALID_CONFIG, "%s: a browser sends only GET and form-encoded POST requests",
                              r->phase);
        {
                _cleanup_(page_state_done) PageState s = {};
                char *body = NULL;
                json_object *args;

                if (st->body) {
                        k = flow_expand_or_fail(r, v, st->body, &body);
                        if (k != 0)
                                return k;
                }
                k = page_state(r, &s);
                if (k >= 0) {
                        args = json_object_new_array();
                        if (!args)
                                k = -ENOMEM;
                        else {
                                json_object_array_add(args, json_object_new_string(abs));
                                json_object_array_add(args, json_object_new_string(body ?: ""));
                                k = execute_secret(r, post_script, args);
                        }
                }
                free_secret(body);
                if (k < 0)
                        return k;
                return wait_navigation(r, s.origin);
        }
}

static int flow_form(Run *r, const FlowStep *st, const FlowVars *v) {
        _cleanup_free_ char *xpath = NULL, *el = NULL, *form = NULL, *last = NULL;
        int64_t deadline = now_ms() + wait_ms(r->job);
        int k;

        k = flow_expand_or_fail(r, v, st->form_xpath, &xpath);
        if (k != 0)
                return k;
        /* Scripts may write the form late. */
        for (;;) {
                k = webdriver_find_element(r->wd, NULL, xpath, &el);
                if (k != -ENOENT || now_ms() >= deadline)
                        break;
                sleep_ms(POLL_MS);
        }
        if (k == -ENOENT) {
                _cleanup_free_ char *url = NULL;
                char shown[256];
                (void) webdriver_current_url(r->wd, &url);
                url_redact(url, shown, sizeof shown);
                return decide(r, classify_failure(CHECK_FAILURE_FORM_MISSING), "%s: no such form on %s", r->phase,
                              shown);
        }
        if (k < 0)
                return k;
        /* An element inside a form selects that form. */
        k = webdriver_find_element(r->wd, el, "./ancestor-or-self::form[1]", &form);
        if (k == -ENOENT)
                return decide(r, classify_failure(CHECK_FAILURE_FORM_MISSING), "%s: the XPath selects no form",
                              r->phase);
        if (k < 0)
                return k;

        for (size_t i = 0; i < st->n_fields; i++) {
                char *value = NULL;

                k = flow_expand_or_fail(r, v, st->field_values[i], &value);
                if (k != 0)
                        return k;
                k = set_field(r, form, st->field_names[i], value, &last);
                free_secret(value);
                if (k < 0)
                        return k;
        }
        k = submit(r, form, last);
        if (k == -ENOENT) {
                /* No button and nothing typed: submit it the way a page's
                 * script would. */
                _cleanup_(page_state_done) PageState s = {};
                json_object *args = json_object_new_array();

                if (!args)
                        return -ENOMEM;
                k = page_state(r, &s);
                if (k >= 0) {
                        json_object_array_add(args, element_ref(form));
                        k = execute_secret(r, "arguments[0].submit();", args);
                } else
                        json_object_put(args);
                if (k >= 0)
                        k = wait_navigation(r, s.origin);
        }
        return k;
}

/* The step's page, judged: its status (unless the step asserts one), then
 * flow.c's expect and extract on its source, with the wait for pages that
 * finish late. */
static int flow_judge(Run *r, const FlowStep *st, FlowVars *v) {
        const CheckJob *j = r->job;
        int64_t deadline = now_ms() + wait_ms(j);
        char why[160] = "", shown[256];
        int k;

        for (;;) {
                _cleanup_(page_state_done) PageState s = {};
                _cleanup_(html_page_freep) HtmlPage *page = NULL;
                _cleanup_free_ char *src = NULL;
                bool ok = false, last = now_ms() >= deadline;
                const char *bad = NULL;

                k = page_state(r, &s);
                if (k < 0)
                        return k;
                url_redact(s.url, shown, sizeof shown);
                if (s.net_error)
                        return partner_failure(r, r->phase, classify_browser_net_error(s.net_error), s.url,
                                               s.net_error);
                if (!s.complete && !last) {
                        sleep_ms(POLL_MS);
                        continue;
                }
                r->res->http_status = s.status;
                if (!st->expect_status && s.status > 0)
                        bad = st->login ? classify_login_status(s.status) : classify_http_status(s.status);
                if (bad)
                        bad = sso_overlay(r, bad, s.url);
                if (bad)
                        return decide(r, bad, "%s: HTTP %ld at %s", r->phase, s.status, shown);

                k = webdriver_page_source(r->wd, &src);
                if (k < 0)
                        return k;
                k = html_page_parse(src, strlen(src), s.url, NULL, &page);
                if (k < 0)
                        return k;
                k = flow_check(st, v, s.status, page, &ok, why, sizeof why);
                if (k == -EINVAL)
                        return decide_failure(r, CHECK_FAILURE_INVALID_CONFIG, "%s: the expected XPath is not valid", r->phase);
                if (k == -ENOENT)
                        return decide_failure(r, CHECK_FAILURE_INVALID_CONFIG, "%s: a variable of the expected text has no value",
                                      r->phase);
                if (k < 0)
                        return k;
                if (ok) {
                        k = flow_extract(st, page, src, v, &ok, why, sizeof why);
                        if (k == -EINVAL)
                                return decide_failure(r, CHECK_FAILURE_INVALID_CONFIG, "%s: an extraction's XPath is not valid", r->phase);
                        if (k < 0)
                                return k;
                        if (ok)
                                return 0;
                        if (last)
                                return decide(r, classify_failure(st->login ? CHECK_FAILURE_LOGIN_ASSERTION_FAILED
                                                                            : CHECK_FAILURE_EXTRACTION_FAILED),
                                              "%s: %s at %s", r->phase, why, shown);
                } else if (last) {
                        const char *o = classify_failure(st->login ? CHECK_FAILURE_LOGIN_ASSERTION_FAILED
                                                                   : CHECK_FAILURE_ASSERTION_FAILED);
                        o = sso_overlay(r, o, s.url);
                        return decide(r, o, "%s: %s at %s", r->phase, why, shown);
                }
                sleep_ms(POLL_MS);
        }
}

static int run_flow(Run *r) {
        const CheckJob *j = r->job;
        _cleanup_(flow_freep) Flow *flow = NULL;
        FlowVars v = { .job = j };
        char error[256], name[CHECK_STEP_NAME_MAX];
        bool have_page = false;
        int k;

        r->phase = "flow";
        k = flow_parse(j->flow, &flow, error, sizeof error);
        if (k == -EINVAL)
                return decide_failure(r, CHECK_FAILURE_INVALID_CONFIG, "%s", error);
        if (k < 0)
                return k;
        if (((flow->needs_username || flow->needs_password) && (!j->username || !j->password)) ||
            (flow->needs_totp && (!j->totp_seed || !*j->totp_seed)))
                return decide_failure(r, CHECK_FAILURE_MISSING_CREDENTIALS, "the flow uses credentials the partner does not have");

        for (size_t i = 0; i < flow->n_steps; i++) {
                const FlowStep *st = &flow->steps[i];

                snprintf(name, sizeof name, "%s", st->name ?: "");
                if (!*name)
                        snprintf(name, sizeof name, "step %zu", i + 1);
                r->phase = name;
                r->progress(r->userdata, 2, 2, name);

                if (st->is_form) {
                        if (!have_page) {
                                k = decide_failure(r, CHECK_FAILURE_INVALID_CONFIG, "%s: a form step needs a page before it", name);
                                break;
                        }
                        k = flow_form(r, st, &v);
                } else
                        k = flow_request(r, st, &v, have_page);
                if (k == 0)
                        k = flow_judge(r, st, &v);
                if (k != 0)
                        break;
                have_page = true;
        }
        flow_vars_done(&v);
        if (k != 0)
                return k;
        if (j->sso && !r->idp_visited)
                return decide_failure(r, CHECK_FAILURE_NO_IDP, "the flow never left the partner's site");
        r->phase = "the flow's last page";
        return judge_page(r, JUDGE_MARKERS, wait_ms(j));
}

/* Before a screenshot: password inputs emptied, and every text node and
 * input value holding a secret shows EVIDENCE_MASKED instead. The count
 * is left on <html data-pik-masked>, so the page source saved after the
 * screenshot shows that the masking ran before it. */
#define EVIDENCE_MASKED "[MASKED]"
static const char mask_script[] =
        "var secrets = arguments[0].filter(function (s) { return s && s.length; }), n = 0;"
        "function clean(t) {"
        "  secrets.forEach(function (s) { t = t.split(s).join('" EVIDENCE_MASKED "'); });"
        "  return t;"
        "}"
        "document.querySelectorAll('input[type=password]').forEach(function (e) {"
        "  if (e.value) { e.value = ''; n++; }"
        "  e.removeAttribute('value');"
        "});"
        "document.querySelectorAll('input, textarea').forEach(function (e) {"
        "  var v = clean(e.value);"
        "  if (v !== e.value) { e.value = v; n++; }"
        "});"
        "var root = document.documentElement;"
        "if (!root) return n;"
        "var w = document.createTreeWalker(root, NodeFilter.SHOW_TEXT), t;"
        "while ((t = w.nextNode())) {"
        "  var c = clean(t.nodeValue);"
        "  if (c !== t.nodeValue) { t.nodeValue = c; n++; }"
        "}"
        "root.setAttribute('data-pik-masked', String(n));"
        "return n;";

static int mask_secrets(Run *r) {
        RedactJobSecrets js;
        json_object *args, *list;
        int k = -ENOMEM;

        args = json_object_new_array();
        list = json_object_new_array();
        if (!args || !list) {
                json_object_put(args);
                json_object_put(list);
                return -ENOMEM;
        }
        redact_job_secrets(r->job, &js);
        for (const char *const *s = js.list; *s; s++)
                if (**s)
                        json_object_array_add(list, json_object_new_string(*s));
        redact_job_secrets_done(&js);
        if (json_object_array_add(args, list) >= 0) {
                k = webdriver_execute(r->wd, mask_script, args, NULL);
                /* The copies go as they came: wiped. */
                for (size_t i = 0; i < json_object_array_length(list); i++) {
                        const char *c = json_object_get_string(json_object_array_get_idx(list, i));
                        if (c)
                                explicit_bzero((char *) c, strlen(c));
                }
        } else
                json_object_put(list);
        json_object_put(args);
        return k;
}

static void save_evidence(Run *r) {
        const CheckJob *j = r->job;
        _cleanup_free_ char *src = NULL;
        _cleanup_free_ void *png = NULL;
        size_t png_size = 0;

        /* Best effort: a failure to save evidence does not change the
         * outcome, the file only goes unnamed. The screenshot only once
         * the page shows no secret: a picture cannot be redacted after. */
        if (mask_secrets(r) >= 0 && webdriver_screenshot(r->wd, &png, &png_size) >= 0)
                (void) evidence_keep(j, r->res, "screenshot.png", png, png_size);
        if (webdriver_page_source(r->wd, &src) >= 0) {
                if (strlen(src) > EVIDENCE_SOURCE_MAX)
                        src[EVIDENCE_SOURCE_MAX] = 0;
                (void) evidence_keep_page(j, r->res, "page.html", src);
                explicit_bzero(src, strlen(src));
        }
}

/* The browser's settings the http engine takes from the job, the way
 * Chromium takes them, or refused: never ignored. resolve becomes
 * Chromium's host resolver rules. A CA bundle has no Chromium option:
 * --ignore-certificate-errors-spki-list would accept any error of a
 * chain that holds the key (an expired certificate included), so it would
 * hide the very failures a check is for. */
static int browser_settings(Run *r, json_object *caps) {
        const CheckJob *j = r->job;
        _cleanup_free_ char *rules = NULL, *arg = NULL;
        json_object *always = NULL, *name = NULL, *extra;
        char bad[128];
        int k;

        if (j->ca_file && *j->ca_file)
                return decide_failure(r, CHECK_FAILURE_INVALID_CONFIG,
                                      "ca_file %s: the webdriver engine cannot give Chromium a CA bundle; "
                                      "trust the CA in the browser's own certificate store instead", j->ca_file);
        k = host_rules_from_resolve(j->resolve, &rules, bad, sizeof bad);
        if (k == -EINVAL)
                return decide_failure(r, CHECK_FAILURE_INVALID_CONFIG,
                                      "resolve entry '%s' is not \"host:port:address\"", bad);
        if (k < 0 || !rules)
                return k;

        (void) json_object_object_get_ex(caps, "capabilities", &always);
        (void) json_object_object_get_ex(always, "alwaysMatch", &always);
        (void) json_object_object_get_ex(always, "browserName", &name);
        if (!name || !json_object_is_type(name, json_type_string) ||
            (!streq(json_object_get_string(name), "chrome") && !streq(json_object_get_string(name), "chromium") &&
             !streq(json_object_get_string(name), "MicrosoftEdge")))
                return decide_failure(r, CHECK_FAILURE_INVALID_CONFIG,
                                      "resolve is honoured by Chromium-based browsers only, not by browserName %s",
                                      name ? json_object_get_string(name) : "(none)");
        if (asprintf(&arg, "--host-resolver-rules=%s", rules) < 0)
                return -ENOMEM;
        extra = json_object_new_object();
        if (!extra)
                return -ENOMEM;
        k = json_object_object_add(extra, "goog:chromeOptions", json_object_new_object());
        if (k >= 0) {
                json_object *args = json_object_new_array();
                k = json_object_object_add(json_object_object_get(extra, "goog:chromeOptions"), "args", args);
                if (k >= 0)
                        k = json_object_array_add(args, json_object_new_string(arg));
        }
        if (k >= 0)
                k = webdriver_merge_capabilities(always, extra);
        json_object_put(extra);
        return k < 0 ? -ENOMEM : 0;
}

static int start_session(Run *r) {
        const CheckJob *j = r->job;
        json_object *caps = NULL;
        int64_t t0;
        int k;

        r->phase = "session";
        k = webdriver_capabilities(j->user_agent, j->capabilities, &caps);
        if (k == -EINVAL)
                return decide_failure(r, CHECK_FAILURE_INVALID_CONFIG, "the browser's capabilities are not a JSON object");
        if (k < 0)
                return k;
        k = browser_settings(r, caps);
        if (k != 0) {
                json_object_put(caps);
                return k;
        }

        /* Starting a browser (or waiting for a Grid slot) takes longer than
         * a command. */
        webdriver_set_timeout(r->wd, MAX(j->timeout_sec, 30U) * 1000U);
        t0 = now_ms();
        k = webdriver_session_new(r->wd, caps);
        json_object_put(caps);
        r->session_ms = now_ms() - t0;
        if (k < 0)
                return fail(r, k, "creating a browser session");
        r->in_session = true;

        /* The driver answers a page load within the page-load timeout; our
         * transport waits a little longer so that the driver's answer, not
         * ours, says what timed out. */
        webdriver_set_timeout(r->wd, j->timeout_sec * 1000U + 15000U);
        k = webdriver_set_timeouts(r->wd, (long) j->timeout_sec * 1000L, 10000L, 0L);
        if (k < 0)
                return fail(r, k, "setting the session's timeouts");
        return 0;
}

static int webdriver_run(const CheckJob *job, CheckProgressFn progress, void *userdata, CheckResult *res) {
        _cleanup_(webdriver_freep) WebDriver *wd = NULL;
        _cleanup_(homes_done) Run r = { .job = job, .res = res, .progress = progress, .userdata = userdata,
                                        .start_ms = now_ms() };
        const char *pages[] = { job->entry_url, job->product_url, job->checkout_url };
        size_t n_homes = 0;
        int k;

        if (!job->webdriver_url || !*job->webdriver_url) {
                decide_failure(&r, CHECK_FAILURE_INVALID_CONFIG, "browser '%s' has no WebDriver URL", job->browser);
                return 0;
        }
        if (job->credentials_missing) {
                decide_failure(&r, CHECK_FAILURE_MISSING_CREDENTIALS, "no usable credentials for partner '%s'", job->partner);
                return 0;
        }
        /* The partner's own origins: any other is the identity
         * provider's leg. */
        for (size_t i = 0; i < ELEMENTSOF(pages); i++) {
                if (!pages[i])
                        continue;
                k = url_origin(pages[i], &r.homes[n_homes]);
                if (k == -ENOMEM) {
                        decide_failure(&r, CHECK_FAILURE_OUT_OF_MEMORY, "out of memory");
                        return 0;
                }
                if (k < 0) {
                        decide_failure(&r, CHECK_FAILURE_INVALID_CONFIG, "%s URL does not parse",
                                       i == 0 ? "entry" : i == 1 ? "product" : "checkout");
                        return 0;
                }
                n_homes++;
        }

        k = webdriver_new(job->webdriver_url, &wd);
        if (k == -ENOMEM) {
                decide_failure(&r, CHECK_FAILURE_OUT_OF_MEMORY, "out of memory");
                return 0;
        }
        if (k < 0) {
                decide_failure(&r, CHECK_FAILURE_INVALID_CONFIG, "WebDriver URL '%s' is not usable", job->webdriver_url);
                return 0;
        }
        r.wd = wd;

        progress(userdata, 1, 2, "starting a browser session");
        k = start_session(&r);
        if (k < 0)
                k = fail(&r, k, "session");
        if (k != 0)
                goto finish;

        if (job->flow && !job->page_only) {
                /* The flow's own steps open the pages, the first one too. */
                k = run_flow(&r);
                if (k < 0)
                        k = fail(&r, k, r.phase);
                if (k != 0)
                        goto finish;
                goto success;
        }

        progress(userdata, 1, 2, "opening the entry page");
        k = navigate(&r, "entry page", job->entry_url);
        if (k < 0)
                k = fail(&r, k, "entry page");
        if (k != 0)
                goto finish;

        if (job->password && !job->page_only) {
                k = judge_page(&r, JUDGE_STEP, 0);
                if (k == 0)
                        k = login(&r);
        } else
                /* Nothing to log in with: the entry page alone is judged. */
                k = judge_page(&r, JUDGE_PAGE, wait_ms(job));
        if (k < 0)
                k = fail(&r, k, r.phase);
        if (k != 0)
                goto finish;

        if (job->product_url) {
                progress(userdata, 2, 2, "opening the product page");
                k = navigate(&r, "product page", job->product_url);
                if (k == 0)
                        k = judge_page(&r, JUDGE_PAGE, wait_ms(job));
                if (k < 0)
                        k = fail(&r, k, "product page");
                if (k != 0)
                        goto finish;
        }
        if (job->express_checkout) {
                progress(userdata, 2, 2, "express checkout");
                k = express_checkout(&r);
                if (k < 0)
                        k = fail(&r, k, "checkout");
                if (k != 0)
                        goto finish;
        }

success:
        res->outcome = "success";
        snprintf(res->details, sizeof res->details, "logged in%s in %lld ms (browser session %lld ms)",
                 job->password ? "" : " (no credentials: entry page only)",
                 (long long) (now_ms() - r.start_ms - r.session_ms), (long long) r.session_ms);

finish:
        res->total_ms = now_ms() - r.start_ms - r.session_ms;
        if (r.in_session) {
                if (pik_outcome_builtin_kind(res->outcome) != OUTCOME_KIND_SUCCESS &&
                    !streq(res->outcome, classify_failure(CHECK_FAILURE_BROWSER_LOST)))
                        save_evidence(&r);
                /* Always, failure or not: a leaked session holds a browser
                 * (and on a Grid, a slot) until the driver's own timeout. */
                webdriver_set_timeout(wd, 15000U);
                (void) webdriver_session_delete(wd);
        }
        /* Pages echo what was typed, flows put it in URLs; details never
         * carry it on. */
        redact_check_result(job, res);
        return 0;
}

const CheckEngine engine_webdriver = {
        .name = "webdriver",
        .run = webdriver_run,
};
