/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <curl/curl.h>
#include <stdbool.h>

/* Every libcurl error and HTTP status maps to one outcome of the catalog,
 * here and only here, so that the mapping can be read (and tested) as one
 * table. */
const char *classify_curl_error(CURLcode code);
/* NULL for a status that is not a failure in itself (2xx, 3xx). */
const char *classify_http_status(long status);

/* Every W3C WebDriver error code (WebDriver § 6.6, "error" of an error
 * reply) maps to one outcome, here and only here. Codes that mean the
 * browser or its driver failed (a session that cannot be made, a crashed
 * tab, a session that vanished) are infrastructure, never the partner;
 * codes about the page (an element that is not there) are the partner's;
 * an invalid selector is the configuration's. The engine tells apart what
 * the code alone cannot (a transport failure towards the endpoint, a
 * timeout while the page loads). NULL or unknown: "internal-error". */
const char *classify_webdriver_error(const char *w3c_error);
/* Creating a session failed with this W3C error code: capabilities the
 * endpoint refuses as invalid are the configuration's, any other refusal
 * the browser's side (webdriver-session-failed). */
const char *classify_session_error(const char *w3c_error);
/* Chromium's network errors ("net::ERR_CONNECTION_REFUSED", or without the
 * "net::" prefix), as a navigation or an error page reports them. NULL or
 * unknown: "partner-unreachable" (the browser could not load the page). */
const char *classify_browser_net_error(const char *net_error);

/* What a flow can find wrong beyond a transfer error or a status: one
 * outcome each, in classify.c's table (test-classify checks every one is
 * in the catalog). */
typedef enum CheckFailure {
        CHECK_FAILURE_LOGIN_FORM_MISSING,       /* the entry page has no login form */
        CHECK_FAILURE_PAGE_UNPARSABLE,          /* …because it is not HTML we can read */
        CHECK_FAILURE_LOGIN_REJECTED,           /* the login form came back after submitting it */
        CHECK_FAILURE_MFA_REJECTED,             /* the second-factor form came back */
        CHECK_FAILURE_SESSION_LOST,             /* a page after the login asks to log in again */
        CHECK_FAILURE_NO_IDP,                   /* sso set, but the login never left the partner's host */
        CHECK_FAILURE_SUCCESS_MARKER_MISSING,
        CHECK_FAILURE_FAILURE_MARKER_PRESENT,
        CHECK_FAILURE_CHECKOUT_FORM_MISSING,    /* until the catalog has checkout-failed */
        CHECK_FAILURE_ASSERTION_FAILED,         /* a flow step's expect, not a login step */
        CHECK_FAILURE_LOGIN_ASSERTION_FAILED,   /* …of a login step */
        CHECK_FAILURE_FORM_MISSING,             /* a flow step's form is not on the page */
        CHECK_FAILURE_EXTRACTION_FAILED,        /* a flow step found nothing to extract */
        CHECK_FAILURE_NOT_SETTLED,              /* the login went on from page to page */
        CHECK_FAILURE_PAGE_TOO_LARGE,
        CHECK_FAILURE_ADDRESS_REFUSED,          /* the page sent us to an internal address (http-session.h) */
        CHECK_FAILURE_INVALID_CONFIG,           /* bad XPath, regex, flow, URL, unknown variable */
        CHECK_FAILURE_MISSING_CREDENTIALS,      /* the flow needs what the job lacks */
        CHECK_FAILURE_PAGE_TIMEOUT,             /* a page did not load within the check's timeout */
        CHECK_FAILURE_BROWSER_UNAVAILABLE,      /* no browser session could be made (WebDriver endpoint) */
        CHECK_FAILURE_BROWSER_LOST,             /* the driver or the browser died under the check */
        CHECK_FAILURE_OUT_OF_MEMORY,
        CHECK_FAILURE_INTERNAL,                 /* pik's own machinery */
        _CHECK_FAILURE_MAX,
} CheckFailure;

const char *classify_failure(CheckFailure f);

/* The answer to submitted credentials: 401 and 403 are the site refusing
 * them; other statuses as classify_http_status(). */
const char *classify_login_status(long status);

/* Failures in the identity provider's leg of an SSO login: every partner
 * outcome but throttling (retried after its Retry-After) is sso-failed;
 * ours and the configuration's stay what they are. */
const char *classify_sso_leg(const char *outcome);

/* The control probe's verdict on a network-level outcome (a name that
 * does not resolve, a refused or dropped connection, a timeout): when our
 * own canary fails too, the failure is ours. */
typedef enum ControlVerdict {
        CONTROL_NOT_CONFIGURED,         /* no canary for this kind of failure */
        CONTROL_OK,                     /* the canaries answer: the partner's problem */
        CONTROL_DNS_FAILED,             /* our resolver fails too */
        CONTROL_EGRESS_FAILED,          /* our egress fails too */
} ControlVerdict;

bool classify_is_network_level(const char *outcome);
const char *classify_control(const char *outcome, ControlVerdict v);

/* pik-check's exit status for an outcome, by kind: 0 success, 2 partner,
 * 3 infrastructure, 4 configuration (1 stays "could not even report"). */
#define CHECK_EXIT_PARTNER 2
#define CHECK_EXIT_INFRASTRUCTURE 3
#define CHECK_EXIT_CONFIGURATION 4
int classify_exit_status(const char *outcome);
