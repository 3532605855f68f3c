/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "execution.h"
#include "job.h"
#include "result.h"
#include "string-util.h"
#include "validate.h"

static void bind_ms(sqlite3_stmt *s, int i, int64_t v) {
        if (v >= 0)
                sqlite3_bind_int64(s, i, v);
        else
                sqlite3_bind_null(s, i);
}

static int insert_steps(PikDb *db, int64_t result_id, const PikResultStep *steps, size_t n_steps) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        int r;

        if (n_steps == 0)
                return 0;
        if (n_steps > PIK_RESULT_STEPS_MAX)
                return pik_db_set_error(db, -EINVAL, "a result has at most %d steps", PIK_RESULT_STEPS_MAX);
        r = pik_db_prepare(db, "INSERT INTO result_step (result_id, position, name, http_status, requests, "
                               "  dns_ms, connect_ms, tls_ms, ttfb_ms, total_ms) "
                               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", &s);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n_steps; i++) {
                const PikResultStep *st = &steps[i];

                r = pik_validate_text(db, "step name", st->name, PIK_RESULT_STEP_NAME_MAX, false);
                if (r < 0)
                        return r;
                sqlite3_reset(s);
                sqlite3_bind_int64(s, 1, result_id);
                sqlite3_bind_int64(s, 2, (int64_t) i + 1);
                sqlite3_bind_text(s, 3, st->name, -1, SQLITE_STATIC);
                bind_ms(s, 4, st->http_status > 0 ? st->http_status : -1);
                sqlite3_bind_int64(s, 5, st->requests);
                bind_ms(s, 6, st->dns_ms);
                bind_ms(s, 7, st->connect_ms);
                bind_ms(s, 8, st->tls_ms);
                bind_ms(s, 9, st->ttfb_ms);
                bind_ms(s, 10, st->total_ms);
                r = pik_db_step(db, s);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int insert_evidence(PikDb *db, int64_t result_id, const PikResultReport *rep) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        int r;

        if (rep->n_evidence == 0)
                return 0;
        if (rep->n_evidence > PIK_EVIDENCE_FILES_MAX)
                return pik_db_set_error(db, -EINVAL, "a result names at most %d evidence files", PIK_EVIDENCE_FILES_MAX);
        r = pik_db_prepare(db, "INSERT OR IGNORE INTO result_evidence (result_id, name) VALUES (?, ?)", &s);
        if (r < 0)
                return r;
        for (size_t i = 0; i < rep->n_evidence; i++) {
                /* A name, never a path: the directory is the execution's. */
                if (!pik_evidence_name_is_valid(rep->evidence[i]))
                        return pik_db_set_error(db, -EINVAL, "evidence file name '%.64s' is not a plain file name",
                                                rep->evidence[i] ?: "");
                sqlite3_reset(s);
                sqlite3_bind_int64(s, 1, result_id);
                sqlite3_bind_text(s, 2, rep->evidence[i], -1, SQLITE_STATIC);
                r = pik_db_step(db, s);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* A partner failure is confirmed by one re-check before status shows the
 * partner as down: when confirmation is on, this is the first attempt, and
 * the check's last confirmed result was not already a partner failure. */
static int needs_confirmation(PikDb *db, const PikConfig *cfg, int64_t config_id, const char *browser,
                              unsigned attempt, int64_t job_id) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        int r;

        if (cfg->retry.confirm_after_sec == 0 || attempt > 1 || job_id <= 0)
                return 0;
        r = pik_db_prepare(db, "SELECT o.kind FROM result_check_last l JOIN outcome o ON o.name = l.outcome "
                               "WHERE l.config_id = ? AND l.browser = ?", &s);
        if (r < 0)
                return r;
        sqlite3_bind_int64(s, 1, config_id);
        sqlite3_bind_text(s, 2, browser, -1, SQLITE_STATIC);
        r = pik_db_step(db, s);
        if (r < 0)
                return r;
        /* Already down: a further failure needs no confirmation. */
        return !(r > 0 && streq((const char *) sqlite3_column_text(s, 0), "partner"));
}

int pik_result_record_locked(PikDb *db, const PikConfig *cfg, const PikResultReport *rep, int64_t now,
                             const char *final_state, PikResultRecorded *ret) {
        _cleanup_stmt_ sqlite3_stmt *e = NULL, *ins = NULL, *upd = NULL;
        PikResultRecorded rec = {};
        const char *state;
        int64_t job_id, config_id;
        int r;

        r = pik_outcome_lookup(db, rep->outcome, &rec.outcome);
        if (r == -ENOENT)
                return pik_db_set_error(db, -EINVAL, "%s", pik_db_error(db));
        if (r < 0)
                return r;
        r = pik_validate_text(db, "details", rep->details, PIK_DETAILS_MAX, true);
        if (r < 0)
                return r;
        if (rep->duration_ms < 0)
                return pik_db_set_error(db, -EINVAL, "duration must not be negative");

        r = pik_db_prepare(db, "SELECT job_id, config_id, partner, browser, attempt, state, "
                               "state IN " PIK_EXECUTION_RUNNING_SQL " FROM execution WHERE id = ?", &e);
        if (r < 0)
                return r;
        sqlite3_bind_int64(e, 1, rep->execution_id);
        r = pik_db_step(db, e);
        if (r < 0)
                return r;
        if (r == 0)
                return pik_db_set_error(db, -ENOENT, "execution %lld not found", (long long) rep->execution_id);
        if (!sqlite3_column_int(e, 6))
                return pik_db_set_error(db, -ESTALE, "execution %lld already ended (%s)",
                                        (long long) rep->execution_id, sqlite3_column_text(e, 5));
        job_id = sqlite3_column_int64(e, 0);
        config_id = sqlite3_column_int64(e, 1);
        strncpy(rec.partner, (const char *) sqlite3_column_text(e, 2), sizeof rec.partner - 1);
        strncpy(rec.browser, (const char *) sqlite3_column_text(e, 3), sizeof rec.browser - 1);
        rec.attempt = (unsigned) sqlite3_column_int(e, 4);

        if (rec.outcome.kind == OUTCOME_KIND_PARTNER && !rec.outcome.retried) {
                r = needs_confirmation(db, cfg, config_id, rec.browser, rec.attempt, job_id);
                if (r < 0)
                        return r;
                rec.unconfirmed = r > 0;
        }

        r = pik_db_prepare(db,
                           "INSERT INTO result (execution_id, config_id, partner, browser, executed_at, duration_ms, "
                           "  outcome, dns_ms, connect_ms, tls_ms, ttfb_ms, total_ms, details, unconfirmed) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", &ins);
        if (r < 0)
                return r;
        sqlite3_bind_int64(ins, 1, rep->execution_id);
        sqlite3_bind_int64(ins, 2, config_id);
        sqlite3_bind_text(ins, 3, rec.partner, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 4, rec.browser, -1, SQLITE_STATIC);
        sqlite3_bind_int64(ins, 5, now);
        sqlite3_bind_int64(ins, 6, rep->duration_ms);
        sqlite3_bind_text(ins, 7, rec.outcome.name, -1, SQLITE_STATIC);
        bind_ms(ins, 8, rep->dns_ms);
        bind_ms(ins, 9, rep->connect_ms);
        bind_ms(ins, 10, rep->tls_ms);
        bind_ms(ins, 11, rep->ttfb_ms);
        bind_ms(ins, 12, rep->total_ms);
        if (rep->details && *rep->details)
                sqlite3_bind_text(ins, 13, rep->details, -1, SQLITE_STATIC);
        sqlite3_bind_int(ins, 14, rec.unconfirmed);
        r = pik_db_step(db, ins);
        if (r == -EEXIST)
                return pik_db_set_error(db, -ESTALE, "execution %lld already has a result",
                                        (long long) rep->execution_id);
        if (r < 0)
                return r;
        rec.result_id = sqlite3_last_insert_rowid(pik_db_handle(db));
        r = insert_steps(db, rec.result_id, rep->steps, rep->n_steps);
        if (r < 0)
                return r;
        r = insert_evidence(db, rec.result_id, rep);
        if (r < 0)
                return r;

        if (rec.outcome.kind == OUTCOME_KIND_SUCCESS)
                state = "success";
        else if (rec.unconfirmed) {
                /* The re-check is an attempt of its own, soon. */
                PikRetryPolicy confirm = cfg->retry;

                confirm.max_attempts = rec.attempt + 1;
                confirm.backoff_sec = confirm.backoff_max_sec = cfg->retry.confirm_after_sec;
                r = pik_job_schedule_retry(db, job_id, rec.attempt, &confirm, now, 0);
                if (r < 0)
                        return r;
                rec.retry_scheduled = r > 0;
                state = "retry";
        } else {
                state = final_state;
                if (rec.outcome.retried) {
                        r = pik_job_schedule_retry(db, job_id, rec.attempt, &cfg->retry, now, rep->retry_not_before);
                        if (r < 0)
                                return r;
                        rec.retry_scheduled = r > 0;
                        if (rec.retry_scheduled && streq(state, "failure"))
                                state = "retry";
                }
        }

        r = pik_db_prepare(db, "UPDATE execution SET state = ?, finished_at = ?, progress = NULL WHERE id = ?", &upd);
        if (r < 0)
                return r;
        sqlite3_bind_text(upd, 1, state, -1, SQLITE_STATIC);
        sqlite3_bind_int64(upd, 2, now);
        sqlite3_bind_int64(upd, 3, rep->execution_id);
        r = pik_db_step(db, upd);
        if (r < 0)
                return r;

        /* In the same transaction: an alert never misses a result, nor
         * sees one that is rolled back. */
        r = pik_alert_record_result(db, cfg, &(PikAlertInput) {
                        .result_id = rec.result_id,
                        .config_id = config_id,
                        .partner = rec.partner,
                        .browser = rec.browser,
                        .outcome = &rec.outcome,
                        .unconfirmed = rec.unconfirmed,
                        .retry_scheduled = rec.retry_scheduled,
                }, now);
        if (r < 0)
                return r;
        rec.notifications = (unsigned) r;

        if (ret)
                *ret = rec;
        return 0;
}

int pik_result_record(PikDb *db, const PikConfig *cfg, const PikResultReport *rep, int64_t now,
                      PikResultRecorded *ret) {
        _cleanup_(pik_db_rollbackp) PikDb *tx = NULL;
        int r;

        r = pik_db_begin(db, &tx);
        if (r < 0)
                return r;
        r = pik_result_record_locked(db, cfg, rep, now, "failure", ret);
        if (r < 0)
                return r;
        return pik_db_commit(TAKE_PTR(tx));
}

int pik_result_list(PikDb *db, const PikResultFilter *f, json_object **ret) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        int r;

        if (f->partner) {
                r = pik_validate_code(db, "partner code", f->partner);
                if (r < 0)
                        return r;
        }
        if (f->browser) {
                r = pik_validate_code(db, "browser name", f->browser);
                if (r < 0)
                        return r;
        }
        if (f->kind && outcome_kind_from_string(f->kind) < 0)
                return pik_db_set_error(db, -EINVAL,
                                        "kind must be one of success, partner, infrastructure, configuration");

        r = pik_db_prepare(db,
                           "SELECT r.id, r.execution_id, r.config_id, c.name AS config_name, r.partner, r.browser, "
                           "  r.executed_at, r.duration_ms, r.outcome, o.kind, r.unconfirmed != 0 AS unconfirmed, "
                           "  r.dns_ms, r.connect_ms, r.tls_ms, r.ttfb_ms, r.total_ms, r.details "
                           "FROM result r LEFT JOIN outcome o ON o.name = r.outcome "
                           "LEFT JOIN job_config c ON c.id = r.config_id "
                           "WHERE (?1 IS NULL OR r.partner = ?1) AND (?2 IS NULL OR r.browser = ?2) "
                           "  AND (?3 IS NULL OR o.kind = ?3) AND r.executed_at >= ?4 "
                           "ORDER BY r.executed_at DESC, r.id DESC LIMIT ?5", &s);
        if (r < 0)
                return r;
        if (f->partner)
                sqlite3_bind_text(s, 1, f->partner, -1, SQLITE_STATIC);
        if (f->browser)
                sqlite3_bind_text(s, 2, f->browser, -1, SQLITE_STATIC);
        if (f->kind)
                sqlite3_bind_text(s, 3, f->kind, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 4, f->since);
        sqlite3_bind_int64(s, 5, f->limit > 0 ? (int64_t) f->limit : -1);
        return pik_db_query_json(db, s, 0, ret);
}

int pik_result_show(PikDb *db, int64_t id, json_object **ret) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL, *st = NULL, *ev = NULL;
        _cleanup_json_ json_object *o = NULL, *steps = NULL, *evidence = NULL;
        json_object *exec;
        int r;

        r = pik_db_prepare(db,
                           "SELECT r.id, r.execution_id, r.config_id, c.name AS config_name, r.partner, r.browser, "
                           "  r.executed_at, r.duration_ms, r.outcome, o.kind, o.description, "
                           "  r.unconfirmed != 0 AS unconfirmed, e.attempt, "
                           "  r.dns_ms, r.connect_ms, r.tls_ms, r.ttfb_ms, r.total_ms, r.details "
                           "FROM result r LEFT JOIN outcome o ON o.name = r.outcome "
                           "LEFT JOIN job_config c ON c.id = r.config_id "
                           "LEFT JOIN execution e ON e.id = r.execution_id "
                           "WHERE r.id = ?", &s);
        if (r < 0)
                return r;
        sqlite3_bind_int64(s, 1, id);
        r = pik_db_query_json_one(db, s, &o);
        if (r == -ENOENT)
                return pik_db_set_error(db, -ENOENT, "result %lld not found", (long long) id);
        if (r < 0)
                return r;

        r = pik_db_prepare(db, "SELECT position, name, http_status, requests, dns_ms, connect_ms, tls_ms, "
                               "  ttfb_ms, total_ms FROM result_step WHERE result_id = ? ORDER BY position", &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, id);
        r = pik_db_query_json(db, st, 0, &steps);
        if (r < 0)
                return r;
        if (json_object_object_add(o, "steps", TAKE_PTR(steps)) < 0)
                return -ENOMEM;

        r = pik_db_prepare(db, "SELECT name FROM result_evidence WHERE result_id = ? ORDER BY name", &ev);
        if (r < 0)
                return r;
        sqlite3_bind_int64(ev, 1, id);
        evidence = json_object_new_array();
        if (!evidence)
                return -ENOMEM;
        while ((r = pik_db_step(db, ev)) > 0) {
                _cleanup_free_ char *dir = NULL, *path = NULL;

                if (!json_object_object_get_ex(o, "execution_id", &exec) ||
                    pik_evidence_directory(NULL, json_object_get_int64(exec), &dir) < 0 ||
                    asprintf(&path, "%s/%s", dir, (const char *) sqlite3_column_text(ev, 0)) < 0)
                        return -ENOMEM;
                if (json_object_array_add(evidence, json_object_new_string(path)) < 0)
                        return -ENOMEM;
        }
        if (r < 0)
                return r;
        if (json_object_object_add(o, "evidence", TAKE_PTR(evidence)) < 0)
                return -ENOMEM;
        *ret = TAKE_PTR(o);
        return 0;
}
