/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "macro.h"
#include "output.h"
#include "string-util.h"
#include "time-util.h"

#define ANSI_RESET "\033[0m"
#define ANSI_GREEN "\033[32m"
#define ANSI_RED "\033[1;31m"
#define ANSI_YELLOW "\033[33m"
#define ANSI_MAGENTA "\033[35m"
#define ANSI_GREY "\033[2m"
#define ANSI_BOLD "\033[1m"

void output_init(Output *o, FILE *f, bool json) {
        const char *nc = getenv("NO_COLOR");

        *o = (Output) {
                .f = f,
                .json = json,
                .color = !json && isatty(fileno(f)) && !(nc && *nc) && !streq_ptr(getenv("TERM"), "dumb"),
        };
}

static const char *kind_color(const char *kind) {
        if (!kind)
                return ANSI_GREY;
        if (streq(kind, "success"))
                return ANSI_GREEN;
        if (streq(kind, "partner"))
                return ANSI_RED;
        if (streq(kind, "infrastructure"))
                return ANSI_YELLOW;
        if (streq(kind, "configuration"))
                return ANSI_MAGENTA;
        return "";
}

static char *cell_text(json_object *row, const Column *c) {
        json_object *v = NULL;
        char buf[64];

        if (!json_object_object_get_ex(row, c->key, &v) || !v)
                return strdup("-");

        switch (c->format) {
        case COLUMN_BOOL_YESNO:
                return strdup(json_object_get_boolean(v) ? "yes" : "no");
        case COLUMN_AGE: {
                char age[FORMAT_AGE_MAX];
                return strdup(format_age(age, json_object_get_int64(v)));
        }
        case COLUMN_RATIO:
                snprintf(buf, sizeof buf, "%.1f%%", json_object_get_double(v) * 100.0);
                return strdup(buf);
        default:
                if (json_object_is_type(v, json_type_string))
                        return strdup(json_object_get_string(v));
                return strdup(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
        }
}

/* Display width of UTF-8 text: one column per code point is close enough
 * for the names pik shows. */
static size_t text_width(const char *s) {
        size_t w = 0;
        for (; *s; s++)
                if (((unsigned char) *s & 0xC0) != 0x80)
                        w++;
        return w;
}

int output_json(const Output *o, json_object *obj) {
        const char *s = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
        if (!s)
                return -ENOMEM;
        fputs(s, o->f);
        fputc('\n', o->f);
        return 0;
}

void output_table_widths(const Column *columns, size_t n_columns, size_t *widths) {
        for (size_t c = 0; c < n_columns; c++) {
                size_t min = text_width(columns[c].header);

                switch (columns[c].format) {
                case COLUMN_KIND:
                        min = MAX(min, STRLEN("infrastructure"));
                        break;
                case COLUMN_AGE:
                        min = MAX(min, STRLEN("23h 59m"));
                        break;
                case COLUMN_RATIO:
                        min = MAX(min, STRLEN("100.0%"));
                        break;
                case COLUMN_TIME:
                        min = MAX(min, STRLEN("2026-11-24T08:00:00Z"));
                        break;
                default:
                        break;
                }
                widths[c] = MAX(widths[c], min);
        }
}

void output_table_header(const Output *o, const Column *columns, size_t n_columns, const size_t *widths) {
        if (o->color)
                fputs(ANSI_BOLD, o->f);
        for (size_t c = 0; c < n_columns; c++)
                fprintf(o->f, "%s%-*s", c > 0 ? "  " : "", c + 1 < n_columns ? (int) widths[c] : 0, columns[c].header);
        fputs(o->color ? ANSI_RESET "\n" : "\n", o->f);
}

void output_table_cells(const Output *o, const char *const *cells, const char *kind, const Column *columns,
                        size_t n_columns, const size_t *widths) {
        for (size_t c = 0; c < n_columns; c++) {
                const char *color = o->color && columns[c].color_by ? kind_color(kind) : NULL;
                size_t w = text_width(cells[c]);
                size_t pad = c + 1 < n_columns && widths[c] > w ? widths[c] - w : 0;

                fprintf(o->f, "%s%s%s%s%*s", c > 0 ? "  " : "", color ?: "", cells[c],
                        color ? ANSI_RESET : "", (int) pad, "");
        }
        fputc('\n', o->f);
}

static void print_row(const Output *o, json_object *row, char **cells, const Column *columns, size_t n_columns,
                      const size_t *widths) {
        for (size_t c = 0; c < n_columns; c++) {
                const char *color = NULL;
                size_t w = text_width(cells[c]);
                size_t pad = c + 1 < n_columns && widths[c] > w ? widths[c] - w : 0;

                if (o->color && columns[c].color_by) {
                        json_object *k = NULL;
                        json_object_object_get_ex(row, columns[c].color_by, &k);
                        color = kind_color(k ? json_object_get_string(k) : NULL);
                }
                fprintf(o->f, "%s%s%s%s%*s", c > 0 ? "  " : "", color ?: "", cells[c],
                        color ? ANSI_RESET : "", (int) pad, "");
        }
        fputc('\n', o->f);
}

static void free_cells(char **cells, size_t n) {
        if (!cells)
                return;
        for (size_t c = 0; c < n; c++)
                free(cells[c]);
        free(cells);
}

static char **row_cells(json_object *row, const Column *columns, size_t n_columns) {
        char **cells = calloc(n_columns, sizeof(char *));

        if (!cells)
                return NULL;
        for (size_t c = 0; c < n_columns; c++) {
                cells[c] = cell_text(row, &columns[c]);
                if (!cells[c]) {
                        free_cells(cells, n_columns);
                        return NULL;
                }
        }
        return cells;
}

int output_table(const Output *o, json_object *rows, const Column *columns, size_t n_columns) {
        size_t n_rows, widths[16] = {};
        char ***cells = NULL;
        int r = 0;

        if (o->json)
                return output_json(o, rows);

        assert(n_columns <= ELEMENTSOF(widths));
        n_rows = json_object_array_length(rows);

        /* Two passes: every cell first, so the columns line up. */
        cells = calloc(n_rows ?: 1, sizeof *cells);
        if (!cells)
                return -ENOMEM;
        for (size_t c = 0; c < n_columns; c++)
                widths[c] = text_width(columns[c].header);
        for (size_t i = 0; i < n_rows; i++) {
                cells[i] = row_cells(json_object_array_get_idx(rows, i), columns, n_columns);
                if (!cells[i]) {
                        r = -ENOMEM;
                        goto finish;
                }
                for (size_t c = 0; c < n_columns; c++)
                        widths[c] = MAX(widths[c], text_width(cells[i][c]));
        }

        output_table_header(o, columns, n_columns, widths);
        for (size_t i = 0; i < n_rows; i++)
                print_row(o, json_object_array_get_idx(rows, i), cells[i], columns, n_columns, widths);

finish:
        for (size_t i = 0; i < n_rows; i++)
                free_cells(cells[i], n_columns);
        free(cells);
        return r;
}

int output_object(const Output *o, json_object *obj) {
        size_t w = 0;

        if (o->json)
                return output_json(o, obj);

        json_object_object_foreach(obj, k1, v1) {
                (void) v1;
                w = MAX(w, strlen(k1));
        }
        json_object_object_foreach(obj, k, v) {
                const char *s = json_object_is_type(v, json_type_string) ? json_object_get_string(v)
                                : json_object_is_type(v, json_type_boolean) ? (json_object_get_boolean(v) ? "yes" : "no")
                                : json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
                fprintf(o->f, "%*s: %s\n", (int) w, k, s);
        }
        return 0;
}
