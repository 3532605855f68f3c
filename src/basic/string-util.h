/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Caps on what an operator can put into the database: every string that
 * input controls has one (curl's "toobig" habit). */
#define PIK_CODE_MAX 63
#define PIK_TEXT_MAX 1024
#define PIK_URL_MAX 2048

bool utf8_is_valid(const char *s);

/* For echoing operator input in a message: at most max bytes of the first
 * n bytes of s (SIZE_MAX: all of it), with control characters (C0, DEL,
 * C1) and bytes that are not UTF-8 replaced by '?', and "..." when cut,
 * so that a message never carries terminal escapes or unbounded input to
 * a terminal or the journal. buf holds max + 4 bytes. Returns buf. */
const char *snippet(char *buf, size_t max, const char *s, size_t n);
#define SNIPPET_MAX 64
/* The whole of s, in a buffer that lives until the end of the block. */
#define SNIPPET(s) snippet((char[SNIPPET_MAX + 4]) {}, SNIPPET_MAX, (s), SIZE_MAX)

/* 0 when s is valid UTF-8 of at most max bytes without control characters;
 * -E2BIG when too long, -EILSEQ when not UTF-8, -EINVAL for control chars. */
int text_validate(const char *s, size_t max);

/* Partner codes and browser names: they end up in file names
 * (/etc/pik/credentials/<partner>) and journal fields, so they are kept to
 * [a-z0-9][a-z0-9._-]*, at most PIK_CODE_MAX bytes. */
bool code_is_valid(const char *s);

/* Stable across hosts and releases: shard assignment and schedule spread
 * depend on it, so it must never change. FNV-1a, 64 bit. */
uint64_t hash64(const void *data, size_t n);
uint64_t hash64_str(const char *s);
/* FNV-1a's low bits depend only on the low bits of each byte, so taking it
 * modulo a power of two (a shard count of 4) would sort codes by their last
 * characters' low bits. This finalizer (MurmurHash3's fmix64) spreads every
 * input bit over the result before any modulo. */
static inline uint64_t mix64(uint64_t h) {
        h ^= h >> 33;
        h *= UINT64_C(0xff51afd7ed558ccd);
        h ^= h >> 33;
        h *= UINT64_C(0xc4ceb9fe1a85ec53);
        h ^= h >> 33;
        return h;
}

/* For secrets: overwrite (explicit_bzero(), which the compiler may not
 * drop) up to the NUL, then free. Returns NULL. */
char *erase_and_free(char *s);
static inline void erase_and_freep(char **p) {
        erase_and_free(*p);
}

bool startswith(const char *s, const char *prefix);
char *strjoin_comma(char *const *l);

/* Split on ',' and trim blanks; empty items are an error (-EINVAL). */
int strv_split_comma(const char *s, size_t max_items, char ***ret);
size_t strv_length(char *const *l);
