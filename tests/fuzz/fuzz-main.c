/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The regression runner: a target built without libFuzzer (gcc, or any
 * build without -Dfuzz=true) is this main over its LLVMFuzzerTestOneInput.
 * It feeds every file of the directories (or the files) it is given to the
 * target, one call each, in name order, so that every input that once
 * crashed or leaked is replayed in every CI stage (systemd's and curl's
 * approach). Each input is an exact-size copy, as libFuzzer passes it, so
 * that a sanitizer build sees a read past its end. */

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fileio.h"
#include "fuzz.h"

/* Optional in a target, as in libFuzzer. */
__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv);

static int run_file(const char *path) {
        _cleanup_free_ char *text = NULL, *exact = NULL;
        size_t size = 0;
        int r;

        r = read_file_capped(path, FUZZ_INPUT_MAX, &text, &size);
        if (r < 0) {
                fprintf(stderr, "%s: %s\n", path, strerror(-r));
                return r;
        }
        exact = malloc(size ?: 1);
        if (!exact)
                return -ENOMEM;
        memcpy(exact, text, size);
        printf("%s (%zu bytes)\n", path, size);
        fflush(stdout);
        LLVMFuzzerTestOneInput((const uint8_t *) exact, size);
        return 0;
}

static int run_dir(const char *dir, unsigned *n) {
        struct dirent **entries = NULL;
        int k, r = 0;

        k = scandir(dir, &entries, NULL, alphasort);
        if (k < 0) {
                fprintf(stderr, "%s: %m\n", dir);
                return -errno;
        }
        for (int i = 0; i < k; i++) {
                _cleanup_free_ char *path = NULL;

                if (entries[i]->d_name[0] != '.' && r >= 0) {
                        if (asprintf(&path, "%s/%s", dir, entries[i]->d_name) < 0)
                                r = -ENOMEM;
                        else {
                                r = run_file(path);
                                if (r >= 0)
                                        (*n)++;
                        }
                }
                free(entries[i]);
        }
        free(entries);
        return r;
}

int main(int argc, char *argv[]) {
        unsigned n = 0;

        if (argc < 2) {
                fprintf(stderr, "Usage: %s CORPUS_DIR|FILE…\n", argv[0]);
                return 2;
        }
        if (LLVMFuzzerInitialize)
                LLVMFuzzerInitialize(&argc, &argv);

        for (int i = 1; i < argc; i++) {
                struct stat st;
                int r;

                if (stat(argv[i], &st) < 0) {
                        fprintf(stderr, "%s: %m\n", argv[i]);
                        return 1;
                }
                if (S_ISDIR(st.st_mode))
                        r = run_dir(argv[i], &n);
                else {
                        r = run_file(argv[i]);
                        n += r >= 0;
                }
                if (r < 0)
                        return 1;
        }
        /* An empty corpus would pass without testing anything. */
        if (n == 0) {
                fprintf(stderr, "%s: no input found\n", argv[0]);
                return 1;
        }
        printf("%u inputs, no finding\n", n);
        return 0;
}
