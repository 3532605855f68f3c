/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* /metrics in the Prometheus text format 0.0.4, with blackbox_exporter's
 * names for what a probe measures (probe_*) and pik's own as pik_*. Each
 * family's HELP and TYPE come before its samples, and a family is written
 * in one piece: the format wants all of a family's samples together. */

#include <errno.h>
#include <stdio.h>

#include "execution.h"
#include "job.h"
#include "probe.h"
#include "status.h"
#include "web.h"

typedef enum Family {
        PROBE_SUCCESS,
        PROBE_DURATION,
        PROBE_HTTP_STATUS,
        PROBE_HTTP_DURATION,
        OUTCOME_KIND_INFO,
        _FAMILY_PER_CHECK,
} Family;

static const struct {
        const char *name, *type, *help;
} families[] = {
        [PROBE_SUCCESS] = { "probe_success", "gauge",
                            "Whether the check's last confirmed outcome was a success (1) or not (0)." },
        [PROBE_DURATION] = { "probe_duration_seconds", "gauge", "How long the check's last confirmed run took." },
        [PROBE_HTTP_STATUS] = { "probe_http_status_code", "gauge",
                                "HTTP status of the last step of the check's last confirmed run." },
        [PROBE_HTTP_DURATION] = { "probe_http_duration_seconds", "gauge",
                                  "Time of the last confirmed run by phase, summed over its requests." },
        [OUTCOME_KIND_INFO] = { "pik_outcome_kind_info", "gauge",
                                "The check's last confirmed outcome and its kind (success, partner, "
                                "infrastructure, configuration)." },
};

static void help_type(StrBuf *b, const char *name, const char *type, const char *help) {
        strbuf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void label(StrBuf *b, bool first, const char *name, const char *value) {
        strbuf_printf(b, "%s%s=\"", first ? "" : ",", name);
        strbuf_append_label_value(b, value);
        strbuf_append(b, "\"");
}

/* The check is its configuration's name, or "#ID" without one: names are
 * codes (no '#'), unique per partner, so two configurations of a partner
 * never share a label set, not even a configuration named "2" and the
 * unnamed configuration 2. */
static void check_label(StrBuf *b, int64_t config_id, const char *name) {
        char id[24];

        snprintf(id, sizeof id, "#%lld", (long long) config_id);
        label(b, false, "check", name ?: id);
}

static void check_labels(StrBuf *b, const PikProbe *p) {
        label(b, true, "partner", p->partner);
        check_label(b, p->config_id, p->name);
        label(b, false, "browser", p->browser);
}

static void seconds(StrBuf *b, int64_t ms) {
        ms = MAX(ms, 0);
        strbuf_printf(b, " %lld.%03lld\n", (long long) (ms / 1000), (long long) (ms % 1000));
}

typedef struct Writer {
        StrBuf *b;
        Family family;
} Writer;

/* The phases as blackbox_exporter names them, from the flow's timings:
 * dns, connect and tls are each phase's own time; ttfb and total count from
 * the start, so processing is what the first byte took beyond the
 * handshakes and transfer what came after it. */
static void phase(StrBuf *b, const PikProbe *p, const char *name, int64_t ms) {
        if (ms < 0)
                return;
        strbuf_append(b, "probe_http_duration_seconds{");
        check_labels(b, p);
        label(b, false, "phase", name);
        strbuf_append(b, "}");
        seconds(b, ms);
}

static int write_probe(const PikProbe *p, void *userdata) {
        Writer *w = userdata;
        StrBuf *b = w->b;

        switch (w->family) {
        case PROBE_SUCCESS:
                strbuf_append(b, "probe_success{");
                check_labels(b, p);
                strbuf_printf(b, "} %d\n", streq_ptr(p->kind, "success"));
                break;
        case PROBE_DURATION:
                strbuf_append(b, "probe_duration_seconds{");
                check_labels(b, p);
                strbuf_append(b, "}");
                seconds(b, p->duration_ms);
                break;
        case PROBE_HTTP_STATUS:
                if (p->http_status <= 0)
                        break;
                strbuf_append(b, "probe_http_status_code{");
                check_labels(b, p);
                strbuf_printf(b, "} %lld\n", (long long) p->http_status);
                break;
        case PROBE_HTTP_DURATION: {
                int64_t handshakes = MAX(p->dns_ms, 0) + MAX(p->connect_ms, 0) + MAX(p->tls_ms, 0);

                phase(b, p, "resolve", p->dns_ms);
                phase(b, p, "connect", p->connect_ms);
                phase(b, p, "tls", p->tls_ms);
                phase(b, p, "processing", p->ttfb_ms < 0 ? -1 : MAX(p->ttfb_ms - handshakes, 0));
                phase(b, p, "transfer", p->ttfb_ms < 0 || p->total_ms < 0 ? -1 : MAX(p->total_ms - p->ttfb_ms, 0));
                break;
        }
        case OUTCOME_KIND_INFO:
                strbuf_append(b, "pik_outcome_kind_info{");
                check_labels(b, p);
                label(b, false, "outcome", p->outcome);
                label(b, false, "kind", p->kind);
                strbuf_append(b, "} 1\n");
                break;
        default:
                return -EINVAL;
        }
        return b->error;
}

static int write_count(const PikResultCount *c, void *userdata) {
        StrBuf *b = userdata;

        strbuf_append(b, "pik_results_total{");
        label(b, true, "partner", c->partner);
        label(b, false, "browser", c->browser);
        label(b, false, "outcome", c->outcome);
        label(b, false, "kind", c->kind);
        strbuf_printf(b, "} %lld\n", (long long) c->count);
        return b->error;
}

static int write_firing(const PikFiring *f, void *userdata) {
        StrBuf *b = userdata;

        /* An incident is no one partner's and no one check's: it has
         * neither label. */
        strbuf_append(b, "pik_alert_firing{");
        if (f->config_id > 0) {
                label(b, true, "partner", f->partner);
                check_label(b, f->config_id, f->name);
                label(b, false, "browser", f->browser);
        } else
                label(b, true, "browser", f->browser);
        label(b, false, "outcome", f->outcome);
        label(b, false, "kind", f->kind);
        strbuf_append(b, "} 1\n");
        return b->error;
}

static int write_failures(const char *channel, int64_t count, void *userdata) {
        StrBuf *b = userdata;

        strbuf_append(b, "pik_notifications_failed_total{");
        label(b, true, "channel", channel);
        strbuf_printf(b, "} %lld\n", (long long) count);
        return b->error;
}

int metrics_render(Web *w, const WebRequest *rq, WebResponse *resp) {
        _cleanup_json_ json_object *incidents = NULL, *overdue = NULL;
        StrBuf *b = &resp->body;
        int64_t running;
        int r;

        /* One pass over the checks per family: the families stay whole
         * without holding the checks in memory. */
        for (Family f = 0; f < _FAMILY_PER_CHECK; f++) {
                Writer wr = { .b = b, .family = f };

                help_type(b, families[f].name, families[f].type, families[f].help);
                r = pik_probe_foreach(w->db, write_probe, &wr);
                if (r < 0)
                        return r;
        }

        help_type(b, "pik_results_total", "counter",
                  "Results kept in the database by outcome (pik-prune's aggregation shows as a reset).");
        r = pik_result_count_foreach(w->db, write_count, b);
        if (r < 0)
                return r;

        r = pik_status_incidents(w->db, w->cfg, rq->now, &incidents);
        if (r < 0)
                return r;
        help_type(b, "pik_suspected_incident", "gauge",
                  "Partners failing with the same network-level outcome in the same browser, when more than "
                  "the configured threshold: more likely our infrastructure than theirs.");
        for (size_t i = 0; i < json_object_array_length(incidents); i++) {
                json_object *inc = json_object_array_get_idx(incidents, i), *br, *o, *n;

                if (!json_object_object_get_ex(inc, "browser", &br) || !json_object_object_get_ex(inc, "outcome", &o) ||
                    !json_object_object_get_ex(inc, "partners", &n))
                        continue;
                strbuf_append(b, "pik_suspected_incident{");
                label(b, true, "browser", json_object_get_string(br));
                label(b, false, "outcome", json_object_get_string(o));
                strbuf_printf(b, "} %d\n", json_object_get_int(n));
        }

        help_type(b, "pik_alert_firing", "gauge",
                  "Open alerts: one per failing check, and one per suspected incident (browser and outcome, "
                  "no partner or check).");
        r = pik_alert_firing_foreach(w->db, write_firing, b);
        if (r < 0)
                return r;

        help_type(b, "pik_notifications_failed_total", "counter",
                  "Failed notification delivery attempts by channel, over the notifications kept.");
        r = pik_notification_failures_foreach(w->db, write_failures, b);
        if (r < 0)
                return r;

        r = pik_execution_count_running(w->db, &running);
        if (r < 0)
                return r;
        help_type(b, "pik_executions_running", "gauge", "Executions dispatched or started, waiting for their report.");
        strbuf_printf(b, "pik_executions_running %lld\n", (long long) running);

        r = pik_job_list(w->db, PIK_JOBS_OVERDUE, rq->now, &overdue);
        if (r < 0)
                return r;
        help_type(b, "pik_overdue_jobs", "gauge", "Scheduled jobs whose run time has passed, not dispatched.");
        strbuf_printf(b, "pik_overdue_jobs %zu\n", json_object_array_length(overdue));

        resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
        return b->error;
}
