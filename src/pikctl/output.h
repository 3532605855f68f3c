/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>

/* How pikctl shows what the library returns: tables for listings, "key:
 * value" blocks for single objects, JSON with --json. Colour only on a
 * terminal, and never with $NO_COLOR. */

typedef enum ColumnFormat {
        COLUMN_TEXT,
        COLUMN_BOOL_YESNO,
        COLUMN_KIND,          /* coloured by outcome kind */
        COLUMN_AGE,           /* seconds shown as "3m", "2h 5m" */
        COLUMN_RATIO,         /* 0..1 shown as a percentage */
        COLUMN_TIME,          /* ISO timestamp as is */
} ColumnFormat;

typedef struct Column {
        const char *key;
        const char *header;
        ColumnFormat format;
        const char *color_by;  /* key whose value (an outcome kind) colours the cell; NULL: none */
} Column;

typedef struct Output {
        FILE *f;
        bool json;
        bool color;
} Output;

void output_init(Output *o, FILE *f, bool json);
int output_table(const Output *o, json_object *rows, const Column *columns, size_t n_columns);
/* Streaming: widths fixed up front (at least each header and format's
 * usual width), then a header and one row at a time. */
void output_table_widths(const Column *columns, size_t n_columns, size_t *widths);
void output_table_header(const Output *o, const Column *columns, size_t n_columns, const size_t *widths);
/* One row of ready-made cells; columns with color_by are coloured by kind. */
void output_table_cells(const Output *o, const char *const *cells, const char *kind, const Column *columns,
                        size_t n_columns, const size_t *widths);
int output_object(const Output *o, json_object *obj);
int output_json(const Output *o, json_object *obj);
