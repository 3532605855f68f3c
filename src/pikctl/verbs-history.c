/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* pikctl history: over D-Bus or offline with --db, the same library call
 * (history.h). On a terminal one line per check with a bar per day of its
 * success ratio; piped, one plain row per check and day, for scripts and
 * grep. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "history.h"
#include "prune.h"
#include "string-util.h"
#include "verbs.h"

#define HISTORY_DAYS_DEFAULT 30

static int64_t get_int(json_object *o, const char *key) {
        json_object *v;
        return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : 0;
}

static const char *get_str(json_object *o, const char *key) {
        json_object *v;
        return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : NULL;
}

/* "#2 sso-login", as status names a check. */
static void check_label(json_object *chk, char *buf, size_t size) {
        int64_t id = get_int(chk, "config_id");
        const char *name = get_str(chk, "config_name");

        if (id <= 0)
                snprintf(buf, size, "-");
        else
                snprintf(buf, size, "#%lld%s%s", (long long) id, name ? " " : "", name ?: "");
}

static void ratio_text(int64_t successes, int64_t runs, char *buf, size_t size) {
        if (runs <= 0)
                snprintf(buf, size, "-");
        else
                snprintf(buf, size, "%.1f%%", 100.0 * (double) successes / (double) runs);
}

/* One row per check and day with runs. */
static int print_plain(Context *c, json_object *a) {
        static const Column cols[] = {
                { "day", "DAY", COLUMN_TEXT, NULL },
                { "partner", "PARTNER", COLUMN_TEXT, NULL },
                { "check", "CHECK", COLUMN_TEXT, NULL },
                { "browser", "BROWSER", COLUMN_TEXT, NULL },
                { "runs", "RUNS", COLUMN_TEXT, NULL },
                { "ok", "OK", COLUMN_TEXT, NULL },
                { "partner_failures", "PARTNER", COLUMN_TEXT, NULL },
                { "infrastructure_failures", "INFRA", COLUMN_TEXT, NULL },
                { "configuration_failures", "CONFIG", COLUMN_TEXT, NULL },
                { "p50_ms", "P50 MS", COLUMN_TEXT, NULL },
                { "p95_ms", "P95 MS", COLUMN_TEXT, NULL },
        };
        _cleanup_json_ json_object *rows = json_object_new_array();

        if (!rows)
                return -ENOMEM;
        for (size_t i = 0; i < json_object_array_length(a); i++) {
                json_object *chk = json_object_array_get_idx(a, i), *days;
                char label[128];

                check_label(chk, label, sizeof label);
                if (!json_object_object_get_ex(chk, "days", &days))
                        continue;
                for (size_t j = 0; j < json_object_array_length(days); j++) {
                        json_object *d = json_object_array_get_idx(days, j);
                        _cleanup_json_ json_object *row = NULL;
                        char ok[32];
                        int r;

                        ratio_text(get_int(d, "successes"), get_int(d, "runs"), ok, sizeof ok);
                        /* The day's numbers as they are, and the check's names. */
                        row = json_object_get(d);
                        r = pik_json_add(row, "partner", json_object_new_string(get_str(chk, "partner") ?: ""));
                        if (r >= 0)
                                r = pik_json_add(row, "check", json_object_new_string(label));
                        if (r >= 0)
                                r = pik_json_add(row, "browser", json_object_new_string(get_str(chk, "browser") ?: ""));
                        if (r >= 0)
                                r = pik_json_add(row, "ok", json_object_new_string(ok));
                        if (r < 0)
                                return r;
                        if (json_object_array_add(rows, row) < 0)
                                return -ENOMEM;
                        TAKE_PTR(row);
                }
        }
        return output_table(&c->out, rows, cols, ELEMENTSOF(cols));
}

/* The success ratio of a day as one of eight block heights; a day without
 * runs as a dot. */
static const char *bar(int64_t successes, int64_t runs) {
        static const char *const blocks[] = { "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };

        if (runs <= 0)
                return "·";
        return blocks[(successes * 7 + runs / 2) / runs];
}

/* One line per check: its days oldest first, then the totals. */
static int print_bars(Context *c, json_object *a, unsigned n_days, int64_t first_day) {
        static const Column cols[] = {
                { "partner", "PARTNER", COLUMN_TEXT, NULL },
                { "check", "CHECK", COLUMN_TEXT, NULL },
                { "browser", "BROWSER", COLUMN_TEXT, NULL },
                { "days", "DAYS", COLUMN_TEXT, NULL },
                { "runs", "RUNS", COLUMN_TEXT, NULL },
                { "ok", "OK", COLUMN_TEXT, NULL },
        };
        size_t widths[ELEMENTSOF(cols)] = {};

        output_table_widths(cols, ELEMENTSOF(cols), widths);
        for (size_t i = 0; i < json_object_array_length(a); i++) {
                json_object *chk = json_object_array_get_idx(a, i);
                char label[128];
                size_t n;

                check_label(chk, label, sizeof label);
                n = strlen(get_str(chk, "partner") ?: "");
                widths[0] = MAX(widths[0], n);
                widths[1] = MAX(widths[1], strlen(label));
                n = strlen(get_str(chk, "browser") ?: "");
                widths[2] = MAX(widths[2], n);
        }
        widths[3] = MAX(widths[3], (size_t) n_days);
        widths[4] = MAX(widths[4], (size_t) 8);

        output_table_header(&c->out, cols, ELEMENTSOF(cols), widths);
        for (size_t i = 0; i < json_object_array_length(a); i++) {
                json_object *chk = json_object_array_get_idx(a, i), *days = NULL;
                _cleanup_free_ char *line = NULL;
                char label[128], runs[32], ok[32];
                size_t size = 0, next = 0;
                FILE *f;

                check_label(chk, label, sizeof label);
                (void) json_object_object_get_ex(chk, "days", &days);
                f = open_memstream(&line, &size);
                if (!f)
                        return -ENOMEM;
                for (unsigned d = 0; d < n_days; d++) {
                        time_t t = (time_t) (first_day + (int64_t) d * 86400);
                        json_object *e = days && next < json_object_array_length(days)
                                ? json_object_array_get_idx(days, next) : NULL;
                        char day[32];
                        struct tm tm;

                        if (!gmtime_r(&t, &tm))
                                return -ERANGE;
                        strftime(day, sizeof day, "%Y-%m-%d", &tm);
                        if (e && streq_ptr(get_str(e, "day"), day)) {
                                fputs(bar(get_int(e, "successes"), get_int(e, "runs")), f);
                                next++;
                        } else
                                fputs(bar(0, 0), f);
                }
                if (fclose(f) != 0)
                        return -ENOMEM;

                snprintf(runs, sizeof runs, "%lld", (long long) get_int(chk, "runs"));
                ratio_text(get_int(chk, "successes"), get_int(chk, "runs"), ok, sizeof ok);
                output_table_cells(&c->out,
                                   (const char *const[]) { get_str(chk, "partner") ?: "", label,
                                                           get_str(chk, "browser") ?: "", line, runs, ok },
                                   NULL, cols, ELEMENTSOF(cols), widths);
        }
        return 0;
}

int verb_history(Context *c, int argc, char **argv) {
        _cleanup_json_ json_object *a = NULL;
        const char *partner = argc > 0 ? argv[0] : NULL;
        unsigned days = HISTORY_DAYS_DEFAULT;
        int r;

        if (c->args->days) {
                int64_t v;

                if (parse_id(c, c->args->days, &v) < 0 || v > PIK_HISTORY_DAYS_MAX)
                        return fail(c, -EINVAL, "Invalid --days '%s': expected 1..%u.", SNIPPET(c->args->days),
                                    PIK_HISTORY_DAYS_MAX);
                days = (unsigned) v;
        }

        r = c->bus ? bus_call_json(c, "History", &a, "su", partner ?: "", days)
                   : pik_history(c->db, partner, days, c->now, &a);
        if (r < 0)
                return r;
        if (c->out.json)
                return output_json(&c->out, a);
        if (!isatty(fileno(c->out.f)))
                return print_plain(c, a);
        return print_bars(c, a, days, pik_day_start(c->now) - (int64_t) (days - 1) * 86400);
}
