/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>
#include <time.h>
#include <unistd.h>

#include "build-config.h"
#include "bus-util.h"
#include "check-bus.h"
#include "classify.h"
#include "engine.h"
#include "log.h"
#include "message-ids.h"
#include "outcome-kind.h"
#include "time-util.h"

/* Four steps as the operator sees them in `systemctl status`: fetch the
 * job, the engine's two, report. */
#define STEPS 4

typedef struct Check {
        sd_bus *bus;
        int64_t execution;
        char key[128];
} Check;

static int read_key_file(const char *path, char key[static 128]) {
        _cleanup_close_ int fd = -1;
        ssize_t n;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return log_error_errno(-errno, "Failed to open the execution key %s: %m", path);
        n = read(fd, key, 127);
        if (n < 0)
                return log_error_errno(-errno, "Failed to read the execution key %s: %m", path);
        while (n > 0 && (key[n - 1] == '\n' || key[n - 1] == ' '))
                n--;
        key[n] = 0;
        if (n == 0)
                return log_error_errno(-ENOKEY, "The execution key %s is empty.", path);
        return 0;
}

/* The check itself gets its key as a credential (LoadCredential=). */
static int read_key(char key[static 128]) {
        const char *dir = getenv("CREDENTIALS_DIRECTORY");
        char path[4096];

        if (!dir)
                return log_error_errno(-ENOKEY, "No $CREDENTIALS_DIRECTORY: pik-check runs as pik-check@<id>.service, "
                                                "which loads the execution key with LoadCredential=key:….");
        snprintf(path, sizeof path, "%s/key", dir);
        return read_key_file(path, key);
}

static int open_bus(const char *address, sd_bus **ret) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        int r;

        if (!address)
                r = sd_bus_open_system(&bus);
        else {
                r = sd_bus_new(&bus);
                if (r >= 0)
                        r = sd_bus_set_address(bus, address);
                if (r >= 0)
                        r = sd_bus_set_bus_client(bus, 1);
                if (r >= 0)
                        r = sd_bus_start(bus);
        }
        if (r < 0)
                return log_error_errno(r, "Failed to connect to the bus: %m");
        *ret = TAKE_PTR(bus);
        return 0;
}

/* pikd may go away under a call: killed, crashed, or its idle exit racing
 * the call. The bus then answers NoReply for the call pikd never answered,
 * or ServiceUnknown/NameHasNoOwner while it is being started again. The
 * next call activates a fresh pikd (or waits for the restarting one), so
 * such a call is made again, for up to PIKD_RETRY_SEC: a result the check
 * has logged must not be lost because pikd died under its report. */
#define PIKD_RETRY_SEC 30

static bool pikd_went_away(const sd_bus_error *e) {
        static const char *const names[] = {
                SD_BUS_ERROR_NO_REPLY,
                SD_BUS_ERROR_SERVICE_UNKNOWN,
                SD_BUS_ERROR_NAME_HAS_NO_OWNER,
                "org.freedesktop.DBus.Error.Spawn.ChildExited",
                "org.freedesktop.DBus.Error.Spawn.ChildSignaled",
                "org.freedesktop.DBus.Error.Spawn.Failed",
                "org.freedesktop.systemd1.UnitFailed",
        };

        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (sd_bus_error_has_name(e, names[i]))
                        return true;
        return false;
}

static uint64_t monotonic_msec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000 + (uint64_t) ts.tv_nsec / 1000000;
}

/* sd_bus_call_method() to pikd, made again while pikd is away. *ret_retried
 * tells whether an earlier attempt may have reached pikd. */
static int call_pikd(sd_bus *bus, const char *member, sd_bus_error *error, sd_bus_message **reply,
                     bool *ret_retried, const char *types, ...) {
        uint64_t deadline = monotonic_msec() + PIKD_RETRY_SEC * 1000, delay = 100;
        bool retried = false;
        va_list ap;
        int r;

        for (;;) {
                va_start(ap, types);
                r = sd_bus_call_methodv(bus, PIK_BUS_NAME, PIK_BUS_PATH, PIK_BUS_INTERFACE, member, error, reply,
                                        types, ap);
                va_end(ap);
                if (r >= 0 || !pikd_went_away(error) || monotonic_msec() + delay > deadline)
                        break;
                log_warning("pikd went away during %s (%s); calling again in %llu ms.", member,
                            error->message ?: error->name, (unsigned long long) delay);
                sd_bus_error_free(error);
                retried = true;
                (void) usleep((useconds_t) delay * 1000);
                delay = MIN(delay * 2, (uint64_t) 2000);
        }
        if (ret_retried)
                *ret_retried = retried;
        return r;
}

static void progress(void *userdata, unsigned step, unsigned steps, const char *what) {
        Check *c = userdata;
        _cleanup_free_ char *text = NULL;

        /* The engine counts its own steps; the check adds one before and
         * one after. */
        if (asprintf(&text, "step %u/%u: %s", step + 1, STEPS, what) < 0)
                return;
        (void) sd_notifyf(false, "STATUS=%s", text);
        if (c->bus)
                (void) sd_bus_call_method(c->bus, PIK_BUS_NAME, PIK_BUS_PATH, PIK_BUS_INTERFACE, "ReportProgress",
                                          NULL, NULL, "xss", c->execution, c->key, text);
}

static int get_job(Check *c, CheckJob **ret) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_free_ char *problem = NULL;
        const char *json;
        int r;

        (void) sd_notifyf(false, "STATUS=step 1/%u: fetching the job from pikd", STEPS);
        r = call_pikd(c->bus, "GetJob", &error, &reply, NULL, "xs", c->execution, c->key);
        if (r < 0)
                return log_error_errno(r, "pikd refused the job of execution %lld: %s",
                                       (long long) c->execution, error.message ?: strerror(-r));
        /* The reply holds the credentials: sd-bus erases a sensitive
         * message when it frees it. */
        (void) sd_bus_message_sensitive(reply);
        r = sd_bus_message_read(reply, "s", &json);
        if (r < 0)
                return log_error_errno(r, "Failed to read pikd's reply: %m");
        r = check_job_from_json(json, ret, &problem);
        explicit_bzero((char *) json, strlen(json));
        if (r < 0)
                return log_error_errno(r, "pikd's job description is malformed: %s", problem ?: strerror(-r));
        return 0;
}

static void journal_result(const CheckJob *job, int64_t execution, const CheckResult *res, int64_t duration_ms) {
        OutcomeKind k = pik_outcome_builtin_kind(res->outcome);
        const char *kind = outcome_kind_to_string(k) ?: "infrastructure";
        bool ok = k == OUTCOME_KIND_SUCCESS;

        (void) sd_journal_send("MESSAGE=Check of %s in %s: %s (%s)%s%s", job->partner, job->browser, res->outcome,
                                       kind, *res->details ? ": " : "", res->details,
                               "MESSAGE_ID=%s", ok ? PIK_MESSAGE_SUCCESS_STR : PIK_MESSAGE_FAILURE_STR,
                               "PRIORITY=%d", ok ? LOG_INFO : (k == OUTCOME_KIND_PARTNER ? LOG_WARNING : LOG_ERR),
                               "PIK_PARTNER=%s", job->partner,
                               "PIK_BROWSER=%s", job->browser,
                               "PIK_EXECUTION=%lld", (long long) execution,
                               "PIK_ATTEMPT=%u", job->attempt,
                               "PIK_OUTCOME=%s", res->outcome,
                               "PIK_OUTCOME_KIND=%s", kind,
                               "PIK_DURATION_MS=%lld", (long long) duration_ms,
                               "PIK_DNS_MS=%lld", (long long) res->dns_ms,
                               "PIK_CONNECT_MS=%lld", (long long) res->connect_ms,
                               "PIK_TLS_MS=%lld", (long long) res->tls_ms,
                               "PIK_TTFB_MS=%lld", (long long) res->ttfb_ms,
                               "PIK_TOTAL_MS=%lld", (long long) res->total_ms,
                               "PIK_HTTP_STATUS=%ld", res->http_status,
                               NULL);
}

/* Each memory file of evidence to pikd, which keeps it as root's: the
 * sandbox writes nothing on the host. A file pikd refuses is left out of
 * the report; the outcome stays what it is. */
static void keep_evidence(Check *c, CheckResult *res) {
        unsigned kept = 0;

        if (!res->evidence_in_fds)
                return;
        for (unsigned i = 0; i < res->n_evidence; i++) {
                _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
                int r;

                r = call_pikd(c->bus, "KeepEvidence", &error, NULL, NULL, "xssh", c->execution, c->key,
                              res->evidence[i], res->evidence_fd[i]);
                if (r < 0) {
                        log_warning_errno(r, "pikd did not keep %s of execution %lld: %s", res->evidence[i],
                                          (long long) c->execution, error.message ?: strerror(-r));
                        continue;
                }
                if (kept != i)
                        memcpy(res->evidence[kept], res->evidence[i], sizeof res->evidence[0]);
                kept++;
        }
        check_result_done(res);
        res->n_evidence = kept;
}

static int report_result(Check *c, CheckResult *res, int64_t duration_ms) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        bool retried = false;
        json_object *o;
        int r;

        o = json_object_new_object();
        if (!o)
                return log_oom();
        json_object_object_add(o, "outcome", json_object_new_string(res->outcome));
        json_object_object_add(o, "duration_ms", json_object_new_int64(duration_ms));
        json_object_object_add(o, "dns_ms", json_object_new_int64(res->dns_ms));
        json_object_object_add(o, "connect_ms", json_object_new_int64(res->connect_ms));
        json_object_object_add(o, "tls_ms", json_object_new_int64(res->tls_ms));
        json_object_object_add(o, "ttfb_ms", json_object_new_int64(res->ttfb_ms));
        json_object_object_add(o, "total_ms", json_object_new_int64(res->total_ms));
        json_object_object_add(o, "details", json_object_new_string(res->details));
        json_object_object_add(o, "retry_after_sec", json_object_new_int64(res->retry_after_sec));
        if (res->n_steps > 0) {
                json_object *steps = json_object_new_array();

                for (unsigned i = 0; steps && i < res->n_steps && i < CHECK_STEPS_MAX; i++) {
                        const CheckStep *st = &res->steps[i];
                        json_object *j = json_object_new_object();

                        if (!j)
                                break;
                        json_object_object_add(j, "name", json_object_new_string(st->name));
                        json_object_object_add(j, "http_status", json_object_new_int64(st->http_status));
                        json_object_object_add(j, "requests", json_object_new_int64(MAX(st->requests, 1u)));
                        json_object_object_add(j, "dns_ms", json_object_new_int64(st->dns_us / 1000));
                        json_object_object_add(j, "connect_ms", json_object_new_int64(st->connect_us / 1000));
                        json_object_object_add(j, "tls_ms", json_object_new_int64(st->tls_us / 1000));
                        json_object_object_add(j, "ttfb_ms", json_object_new_int64(st->ttfb_us / 1000));
                        json_object_object_add(j, "total_ms", json_object_new_int64(st->total_us / 1000));
                        json_object_array_add(steps, j);
                }
                json_object_object_add(o, "steps", steps);
        }
        if (res->n_evidence > 0) {
                json_object *ev = json_object_new_array();

                for (unsigned i = 0; ev && i < res->n_evidence && i < CHECK_EVIDENCE_MAX; i++)
                        json_object_array_add(ev, json_object_new_string(res->evidence[i]));
                json_object_object_add(o, "evidence", ev);
        }

        (void) sd_notifyf(false, "STATUS=step %u/%u: reporting %s to pikd", STEPS, STEPS, res->outcome);
        keep_evidence(c, res);
        r = call_pikd(c->bus, "ReportResult", &error, NULL, &retried,
                      "xss", c->execution, c->key, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
        json_object_put(o);
        /* pikd died after recording the first attempt, before answering. */
        if (r < 0 && retried && sd_bus_error_has_name(&error, PIK_BUS_ERROR_ALREADY_REPORTED)) {
                log_info("pikd had recorded the result of execution %lld before it went away.",
                         (long long) c->execution);
                return 0;
        }
        if (r < 0)
                return log_error_errno(r, "Failed to report the result of execution %lld to pikd: %s",
                                       (long long) c->execution, error.message ?: strerror(-r));
        return 0;
}

int check_run(int64_t execution, const char *bus_address) {
        _cleanup_(check_job_freep) CheckJob *job = NULL;
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        CheckResult res = CHECK_RESULT_INIT;
        Check c = { .execution = execution };
        struct timespec start, end;
        int64_t duration_ms;
        int r;

        clock_gettime(CLOCK_MONOTONIC, &start);

        r = read_key(c.key);
        if (r < 0)
                return r;
        r = open_bus(bus_address, &bus);
        if (r < 0)
                goto finish;
        c.bus = bus;

        r = get_job(&c, &job);
        if (r < 0)
                goto finish;

        if (streq(job->engine, "http"))
                r = engine_http.run(job, progress, &c, &res);
        else if (streq(job->engine, "webdriver"))
                r = engine_webdriver.run(job, progress, &c, &res);
        else {
                /* An engine this build does not know: our gap, not the
                 * partner's. */
                res.outcome = "internal-error";
                snprintf(res.details, sizeof res.details, "engine '%s' is not available", job->engine);
                r = 0;
        }
        /* An engine that failed never reports success, whatever it had
         * found so far: its own machinery broke. */
        if (r < 0)
                res.outcome = "internal-error";

        clock_gettime(CLOCK_MONOTONIC, &end);
        duration_ms = (end.tv_sec - start.tv_sec) * 1000 + (end.tv_nsec - start.tv_nsec) / 1000000;

        journal_result(job, execution, &res, duration_ms);
        r = report_result(&c, &res, duration_ms);
        if (r >= 0)
                r = 0;
finish:
        check_result_done(&res);
        explicit_bzero(c.key, sizeof c.key);
        if (r < 0)
                return r;
        return classify_exit_status(res.outcome);
}
