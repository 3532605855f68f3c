/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "db.h"

/* The one program skeleton of the five mains: logging set-up, the options
 * every pik program shares (DESIGN.md: --help, --version, --config FILE,
 * --db PATH and, for the passes and pikctl, --now TIME), and opening the
 * configuration and the database. Each program adds its own options
 * through CliProgram.options and .parse_option. */

typedef enum CliFlags {
        CLI_CONFIG_DB = 1 << 0,   /* --config FILE, --db PATH */
        CLI_NOW       = 1 << 1,   /* --now TIME */
        CLI_ARGS      = 1 << 2,   /* positional arguments (else refused) */
} CliFlags;

/* A program's own options use getopt values from here up. */
#define CLI_ARG_PROGRAM 0x1000

typedef struct CliProgram {
        const char *name;                 /* for --version and messages */
        CliFlags flags;
        const struct option *options;     /* the program's own, {}-terminated; may be NULL */
        /* One of the program's own options: 0 to go on, negative (logged) to stop. */
        int (*parse_option)(int c, const char *arg, void *userdata);
        /* --help; argc/argv are the positional arguments (pikctl COMMAND --help). */
        void (*help)(int argc, char **argv, void *userdata);
        void *userdata;
} CliProgram;

typedef struct CliCommon {
        const char *config_path;   /* NULL: PIK_CONFIG_PATH, missing is fine */
        const char *db_path;       /* NULL: the configured database */
        const char *now;           /* NULL: the clock */
        int argc;                  /* the positional arguments */
        char **argv;
} CliCommon;

/* Set the log level from $PIK_LOG_LEVEL, then parse argv into *ret and the
 * program's own options. 1: go on; 0: --help or --version answered;
 * negative: bad usage, already reported. */
int cli_parse(const CliProgram *p, int argc, char **argv, CliCommon *ret);

/* Load the configuration and open the database, logging what failed. */
int cli_load_config(const CliCommon *c, PikConfig **ret);
int cli_open_db(const CliCommon *c, const PikConfig *cfg, PikDbOpenFlags flags, PikDb **ret);
int cli_open(const CliCommon *c, PikDbOpenFlags flags, PikConfig **ret_cfg, PikDb **ret_db);
/* --now, or the clock; logs a bad value. */
int cli_now(const CliCommon *c, int64_t *ret);
