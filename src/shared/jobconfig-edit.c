/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "browser.h"
#include "job.h"
#include "jobconfig.h"
#include "jobconfig-options.h"
#include "log.h"
#include "string-util.h"

/* Changing a configuration in place (pikctl config set, SetConfig): the
 * stored row is read into a specification, the change laid over it, and the
 * result validated and written as add would, so that one id keeps its
 * history and its jobs. */

/* The texts of a configuration are the table's text rows (jobconfig-options.c):
 * each one's a{sv} key is its column, and its `what` the words of the
 * change record. */
static bool is_text_column(const PikConfigOption *o) {
        return o->key && o->type == PIK_CONFIG_OPTION_TEXT;
}

static const char **spec_text(PikJobConfigSpec *spec, const PikConfigOption *o) {
        return (const char **) pik_config_option_member(spec, o);
}

/* The stored configuration: owned strings that a specification points into. */
typedef struct Stored {
        char *text[_PIK_CONFIG_OPT_MAX];   /* by row; the text rows only */
        char *partner;
        char *browsers;               /* comma-separated, sorted */
        char *schedule_type;
        PikJobConfigSpec spec;
} Stored;

static void stored_done(Stored *st) {
        for (size_t i = 0; i < pik_config_options_count; i++)
                free(st->text[i]);
        free(st->partner);
        free(st->browsers);
        free(st->schedule_type);
        strv_free((char **) st->spec.browsers);
}

static char *column_dup(sqlite3_stmt *s, int i) {
        const unsigned char *v = sqlite3_column_text(s, i);
        return v ? strdup((const char *) v) : NULL;
}

static int stored_load(PikDb *db, int64_t id, Stored *st) {
        _cleanup_free_ char *sql = NULL, *cols = NULL;
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        int col = 0, r;

        cols = pik_config_options_columns(PIK_CONFIG_COLUMNS_QUALIFIED);
        if (!cols || asprintf(&sql,
                     "SELECT %s, p.code, "
                     "  (SELECT group_concat(name, ',') FROM (SELECT b.name FROM job_config_browser cb "
                     "     JOIN browser b ON b.id = cb.browser_id WHERE cb.config_id = c.id ORDER BY b.name)), "
                     "  c.schedule_override "
                     "FROM job_config c JOIN partner p ON p.id = c.partner_id WHERE c.id = ?", cols) < 0)
                return -ENOMEM;
        r = pik_db_prepare(db, sql, &s);
        if (r < 0)
                return r;
        sqlite3_bind_int64(s, 1, id);
        r = pik_db_step(db, s);
        if (r < 0)
                return r;
        if (r == 0)
                return pik_db_set_error(db, -ENOENT, "configuration %lld not found", (long long) id);

        /* The columns of the table's rows, in its order. */
        for (size_t i = 0; i < pik_config_options_count; i++) {
                const PikConfigOption *o = &pik_config_options[i];
                void *m = pik_config_option_member(&st->spec, o);
                bool null;

                if (!pik_config_option_column(o))
                        continue;
                null = sqlite3_column_type(s, col) == SQLITE_NULL;
                switch (o->type) {
                case PIK_CONFIG_OPTION_TEXT:
                        if (null)
                                break;
                        st->text[i] = column_dup(s, col);
                        if (!st->text[i])
                                return -ENOMEM;
                        *(const char **) m = st->text[i];
                        break;
                case PIK_CONFIG_OPTION_BOOL:
                        *(bool *) m = sqlite3_column_int(s, col);
                        break;
                case PIK_CONFIG_OPTION_WAIT:
                        *(int *) m = null ? -1 : sqlite3_column_int(s, col);
                        break;
                case PIK_CONFIG_OPTION_SCHEDULE_TYPE:
                        st->schedule_type = column_dup(s, col);
                        if (!st->schedule_type)
                                return -ENOMEM;
                        *(ScheduleType *) m = schedule_type_from_string(st->schedule_type);
                        break;
                case PIK_CONFIG_OPTION_BROWSERS:
                case PIK_CONFIG_OPTION_SCHEDULE:
                        break;          /* no column */
                }
                col++;
        }
        st->partner = column_dup(s, col);
        st->browsers = column_dup(s, col + 1) ?: strdup("");
        if (!st->partner || !st->browsers)
                return -ENOMEM;
        st->spec.partner = st->partner;
        st->spec.schedule_override = sqlite3_column_int(s, col + 2);
        if (*st->browsers) {
                r = strv_split_comma(st->browsers, PIK_CONFIG_BROWSERS_MAX, (char ***) &st->spec.browsers);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* "what: old → new" onto the change record; nothing if they are equal. */
static int record(char **changes, const char *what, const char *old, const char *new) {
        char *n;

        if (streq_ptr(old, new))
                return 0;
        if (asprintf(&n, "%s%s%s: %s%s%s → %s%s%s", *changes ?: "", *changes ? "; " : "", what,
                     old ? "'" : "", old ?: "(none)", old ? "'" : "",
                     new ? "'" : "", new ?: "(none)", new ? "'" : "") < 0)
                return -ENOMEM;
        free(*changes);
        *changes = n;
        return 0;
}

static int record_int(char **changes, const char *what, int old, int new, const char *none) {
        char o[24], n[24];

        if (old == new)
                return 0;
        snprintf(o, sizeof o, "%d", old);
        snprintf(n, sizeof n, "%d", new);
        return record(changes, what, old < 0 ? none : o, new < 0 ? none : n);
}

static int update_row(PikDb *db, int64_t id, const PikJobConfigSpec *spec, const char *tz) {
        _cleanup_stmt_ sqlite3_stmt *s = NULL;
        _cleanup_free_ char *assign = NULL, *sql = NULL;
        int r, next;

        assign = pik_config_options_columns(PIK_CONFIG_COLUMNS_ASSIGN);
        if (!assign || asprintf(&sql, "UPDATE job_config SET schedule_override = ?, %s WHERE id = ?", assign) < 0)
                return -ENOMEM;
        r = pik_db_prepare(db, sql, &s);
        if (r < 0)
                return r;
        sqlite3_bind_int(s, 1, spec->schedule_name && spec->schedule_override);
        next = pik_config_options_bind(s, 2, spec, tz);
        sqlite3_bind_int64(s, next, id);
        r = pik_db_step(db, s);
        if (r == -EEXIST)
                return pik_db_set_error(db, -EEXIST, "partner %s already has a configuration named '%s'",
                                        spec->partner, spec->name);
        return r < 0 ? r : 0;
}

/* The new browser set replaces the old one. A removed browser's job goes,
 * dispatched or not: its running execution, if any, finishes and reports
 * as one of a removed configuration does (execution.job_id becomes NULL,
 * and no retry is queued for a job that is gone). */
static int replace_browsers(PikDb *db, int64_t id, char **browsers) {
        _cleanup_stmt_ sqlite3_stmt *ins = NULL, *del = NULL, *jobs = NULL;
        int r;

        r = pik_db_prepare(db, "DELETE FROM job_config_browser WHERE config_id = ?", &del);
        if (r < 0)
                return r;
        sqlite3_bind_int64(del, 1, id);
        r = pik_db_step(db, del);
        if (r < 0)
                return r;

        r = pik_db_prepare(db, "INSERT OR IGNORE INTO job_config_browser (config_id, browser_id) VALUES (?, ?)", &ins);
        if (r < 0)
                return r;
        for (size_t i = 0; browsers && browsers[i]; i++) {
                int64_t browser_id;

                r = pik_browser_get_id(db, browsers[i], &browser_id);
                if (r < 0)
                        return r;
                sqlite3_reset(ins);
                sqlite3_bind_int64(ins, 1, id);
                sqlite3_bind_int64(ins, 2, browser_id);
                r = pik_db_step(db, ins);
                if (r < 0)
                        return r;
        }

        r = pik_db_prepare(db,
                           "DELETE FROM scheduled_job WHERE config_id = ?1 AND browser_id NOT IN "
                           "  (SELECT browser_id FROM job_config_browser WHERE config_id = ?1)", &jobs);
        if (r < 0)
                return r;
        sqlite3_bind_int64(jobs, 1, id);
        r = pik_db_step(db, jobs);
        return r < 0 ? r : 0;
}

/* A new schedule or zone applies to the runs not handed out yet: a
 * dispatched job keeps its turn and the scheduler rolls it over under the
 * new schedule. */
static int reschedule(PikDb *db, int64_t id, const PikJobConfigSpec *spec, const char *tz, int64_t now) {
        _cleanup_stmt_ sqlite3_stmt *q = NULL, *upd = NULL;
        _cleanup_(schedule_freep) Schedule *sched = NULL;
        int r;

        r = schedule_parse(spec->schedule_type, spec->schedule, tz, &sched, NULL);
        if (r < 0)
                return r;      /* validated already */
        r = pik_db_prepare(db, "SELECT id, browser_id FROM scheduled_job WHERE config_id = ? AND NOT dispatched", &q);
        if (r < 0)
                return r;
        r = pik_db_prepare(db, "UPDATE scheduled_job SET run_after = ? WHERE id = ?", &upd);
        if (r < 0)
                return r;
        sqlite3_bind_int64(q, 1, id);
        /* Updating run_after does not change which rows this query yields. */
        for (;;) {
                int64_t next;

                r = pik_db_step(db, q);
                if (r < 0)
                        return r;
                if (r == 0)
                        return 0;
                r = schedule_next(sched, pik_job_key(id, sqlite3_column_int64(q, 1)), now, &next);
                if (r < 0)
                        return pik_db_set_error(db, r, "schedule '%s' has no next run", spec->schedule);
                sqlite3_reset(upd);
                sqlite3_bind_int64(upd, 1, next);
                sqlite3_bind_int64(upd, 2, sqlite3_column_int64(q, 0));
                r = pik_db_step(db, upd);
                if (r < 0)
                        return r;
        }
}

int pik_jobconfig_set(PikDb *db, int64_t id, const PikJobConfigSpec *change, uint64_t fields,
                      const char *default_tz, int64_t now, char **ret_changes) {
        _cleanup_(pik_db_rollbackp) PikDb *tx = NULL;
        _cleanup_(stored_done) Stored st = {};
        _cleanup_free_ char *changes = NULL, *new_browsers = NULL;
        PikJobConfigSpec spec;
        const char *tz, *old_type, *new_type;
        int r;

        r = pik_db_begin(db, &tx);
        if (r < 0)
                return r;
        r = stored_load(db, id, &st);
        if (r < 0)
                return r;

        spec = st.spec;
        for (size_t i = 0; i < pik_config_options_count; i++) {
                const PikConfigOption *o = &pik_config_options[i];

                if (is_text_column(o) && fields & o->field) {
                        const char *v = *spec_text((PikJobConfigSpec *) change, o);
                        /* An empty text clears an optional setting. */
                        *spec_text(&spec, o) = v && *v ? v : NULL;
                }
        }
        if (fields & PIK_CONFIG_FIELD_SCHEDULE)
                spec.schedule_type = change->schedule_type;
        /* A new default (pik_jobconfig_resolve_schedule() settled which
         * schedule is in force); an own schedule alone overrides the default
         * the configuration has, if any. */
        if (fields & PIK_CONFIG_FIELD_SCHEDULE_NAME)
                spec.schedule_override = change->schedule_override;
        else if (fields & PIK_CONFIG_FIELD_SCHEDULE)
                spec.schedule_override = spec.schedule_name != NULL;
        if (fields & PIK_CONFIG_FIELD_SSO)
                spec.sso = change->sso;
        if (fields & PIK_CONFIG_FIELD_EXPRESS)
                spec.express_checkout = change->express_checkout;
        if (fields & PIK_CONFIG_FIELD_WAIT)
                spec.wait_sec = change->wait_sec;
        if (fields & PIK_CONFIG_FIELD_BROWSERS) {
                spec.browsers = change->browsers;
                new_browsers = strjoin_comma(change->browsers);
                if (!new_browsers)
                        return -ENOMEM;
        }
        if (fields & PIK_CONFIG_FIELD_ENTRY_URL && !spec.entry_url)
                return pik_db_set_error(db, -EINVAL, "the entry URL cannot be cleared");
        if (fields & PIK_CONFIG_FIELD_SCHEDULE && !spec.schedule)
                return pik_db_set_error(db, -EINVAL, "the schedule cannot be cleared");

        r = pik_jobconfig_validate(db, &spec, default_tz);
        if (r < 0)
                return r;
        tz = spec.timezone ?: default_tz ?: "UTC";

        /* What changed, old → new, for the record. */
        old_type = st.schedule_type;
        new_type = schedule_type_to_string(spec.schedule_type);
        for (size_t i = 0; r >= 0 && i < pik_config_options_count; i++) {
                const PikConfigOption *t = &pik_config_options[i];
                const char *o, *n;

                if (!is_text_column(t))
                        continue;
                o = st.text[i];
                n = *spec_text(&spec, t);

                if (t->field == PIK_CONFIG_FIELD_TIMEZONE)
                        n = tz;
                if (t->field == PIK_CONFIG_FIELD_SCHEDULE && !streq(old_type, new_type)) {
                        _cleanup_free_ char *ov = NULL, *nv = NULL;
                        if (asprintf(&ov, "%s %s", old_type, o) < 0 || asprintf(&nv, "%s %s", new_type, n) < 0)
                                return -ENOMEM;
                        r = record(&changes, t->what, ov, nv);
                } else if (t->field == PIK_CONFIG_FIELD_FLOW)
                        r = record(&changes, t->what, o ? "set" : NULL,
                                   n ? (streq_ptr(o, n) ? "set" : "new") : NULL);
                else
                        r = record(&changes, t->what, o, n);
        }
        if (r >= 0 && new_browsers)
                r = record(&changes, pik_config_options[PIK_CONFIG_OPT_BROWSERS].what, st.browsers, new_browsers);
        if (r >= 0)
                r = record(&changes, pik_config_options[PIK_CONFIG_OPT_SSO].what, st.spec.sso ? "yes" : "no",
                           spec.sso ? "yes" : "no");
        if (r >= 0)
                r = record(&changes, pik_config_options[PIK_CONFIG_OPT_EXPRESS].what, st.spec.express_checkout ? "yes" : "no",
                           spec.express_checkout ? "yes" : "no");
        if (r >= 0 && (st.spec.schedule_name || spec.schedule_name))
                r = record(&changes, "schedule override", st.spec.schedule_override ? "yes" : "no",
                           spec.schedule_name && spec.schedule_override ? "yes" : "no");
        if (r >= 0)
                r = record_int(&changes, pik_config_options[PIK_CONFIG_OPT_WAIT].what, st.spec.wait_sec,
                               spec.wait_sec, "engine default");
        if (r < 0)
                return r;

        r = update_row(db, id, &spec, tz);
        if (r < 0)
                return r;
        if (fields & PIK_CONFIG_FIELD_BROWSERS) {
                r = replace_browsers(db, id, (char **) spec.browsers);
                if (r < 0)
                        return r;
        }
        if (!streq(old_type, new_type) || !streq_ptr(st.spec.schedule, spec.schedule) ||
            !streq_ptr(st.spec.timezone, tz)) {
                r = reschedule(db, id, &spec, tz, now);
                if (r < 0)
                        return r;
        }

        r = pik_db_commit(TAKE_PTR(tx));
        if (r < 0)
                return r;
        if (ret_changes)
                *ret_changes = changes ? TAKE_PTR(changes) : strdup("");
        return 0;
}

typedef struct Follower {
        int64_t id;
        char *tz;
} Follower;

typedef struct FollowerList {
        Follower *items;
        size_t n;
} FollowerList;

static void follower_listp(FollowerList *l) {
        for (size_t i = 0; i < l->n; i++)
                free(l->items[i].tz);
        free(l->items);
}

/* The configurations following `named` whose copy of it is out of date
 * take the new one. */
static int follow_one(PikDb *db, const PikNamedSchedule *named, int64_t now, unsigned *moved) {
        _cleanup_stmt_ sqlite3_stmt *q = NULL, *upd = NULL;
        _cleanup_(follower_listp) FollowerList l = {};
        const char *type = schedule_type_to_string(named->type);
        int r;

        r = pik_db_prepare(db,
                           "SELECT id, timezone FROM job_config "
                           "WHERE schedule_name = ?1 AND NOT schedule_override "
                           "  AND (schedule_type != ?2 OR schedule != ?3)", &q);
        if (r < 0)
                return r;
        sqlite3_bind_text(q, 1, named->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, type, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 3, named->text, -1, SQLITE_STATIC);
        /* Read first, write after: the updates take rows out of the query. */
        for (;;) {
                Follower *nf;

                r = pik_db_step(db, q);
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
                nf = reallocarray(l.items, l.n + 1, sizeof *l.items);
                if (!nf)
                        return -ENOMEM;
                l.items = nf;
                l.items[l.n].tz = column_dup(q, 1);
                if (!l.items[l.n].tz)
                        return -ENOMEM;
                l.items[l.n++].id = sqlite3_column_int64(q, 0);
        }

        r = pik_db_prepare(db, "UPDATE job_config SET schedule_type = ?, schedule = ? WHERE id = ?", &upd);
        if (r < 0)
                return r;
        for (size_t i = 0; i < l.n; i++) {
                const char *tz = l.items[i].tz;
                int64_t id = l.items[i].id;
                PikJobConfigSpec spec = { .schedule_type = named->type, .schedule = named->text };
                _cleanup_(schedule_freep) Schedule *sched = NULL;

                /* Checked in UTC when pik.conf was read; the configuration's
                 * own zone could still refuse it (a zone since removed). */
                if (schedule_parse(named->type, named->text, tz, &sched, NULL) < 0) {
                        log_warning("Configuration %lld cannot follow schedule '%s' in time zone %s; it keeps its last one.",
                                    (long long) id, named->name, tz);
                        continue;
                }
                sqlite3_reset(upd);
                sqlite3_bind_text(upd, 1, type, -1, SQLITE_STATIC);
                sqlite3_bind_text(upd, 2, named->text, -1, SQLITE_STATIC);
                sqlite3_bind_int64(upd, 3, id);
                r = pik_db_step(db, upd);
                if (r < 0)
                        return r;
                r = reschedule(db, id, &spec, tz, now);
                if (r < 0)
                        return r;
                log_info("Configuration %lld follows schedule '%s': now %s %s.", (long long) id, named->name,
                         type, named->text);
                (*moved)++;
        }
        return 0;
}

int pik_jobconfig_follow_named(PikDb *db, const PikConfig *cfg, int64_t now, unsigned *ret_moved) {
        _cleanup_(pik_db_rollbackp) PikDb *tx = NULL;
        _cleanup_stmt_ sqlite3_stmt *gone = NULL;
        unsigned moved = 0;
        int r;

        r = pik_db_begin(db, &tx);
        if (r < 0)
                return r;
        for (size_t i = 0; cfg && i < cfg->n_schedules; i++) {
                r = follow_one(db, &cfg->schedules[i], now, &moved);
                if (r < 0)
                        return r;
        }

        r = pik_db_prepare(db, "SELECT DISTINCT schedule_name FROM job_config "
                               "WHERE schedule_name IS NOT NULL AND NOT schedule_override", &gone);
        if (r < 0)
                return r;
        for (;;) {
                const char *name;

                r = pik_db_step(db, gone);
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
                name = (const char *) sqlite3_column_text(gone, 0);
                if (!pik_config_find_schedule(cfg, name))
                        log_warning("%s has no schedule '%s' any more: its configurations keep their last one.",
                                    cfg && cfg->path ? cfg->path : "pik.conf", name);
        }

        r = pik_db_commit(TAKE_PTR(tx));
        if (r < 0)
                return r;
        if (ret_moved)
                *ret_moved = moved;
        return 0;
}
