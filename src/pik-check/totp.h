/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* One-time codes for sites that ask for a second factor: SHA-1 (FIPS
 * 180-4), HMAC (RFC 2104), HOTP (RFC 4226) and TOTP (RFC 6238), with the
 * parameters every authenticator app uses: HMAC-SHA1, 30 s steps, 6 digits.
 * Small enough to own, so that pik-check needs no crypto library of its own
 * (libcurl's TLS library is not ours to call). */

#define SHA1_DIGEST_SIZE 20

typedef struct Sha1 {
        uint32_t h[5];
        uint64_t length;        /* bytes hashed so far */
        uint8_t block[64];
        size_t used;
} Sha1;

void sha1_init(Sha1 *s);
void sha1_update(Sha1 *s, const void *data, size_t n);
void sha1_final(Sha1 *s, uint8_t ret[SHA1_DIGEST_SIZE]);
void hmac_sha1(const void *key, size_t key_size, const void *data, size_t n, uint8_t ret[SHA1_DIGEST_SIZE]);

/* RFC 4648 base32, as authenticator seeds are written: case, blanks,
 * dashes and '=' padding are ignored. -EINVAL for any other character or a
 * seed that decodes to nothing, -E2BIG beyond max bytes. */
#define TOTP_SEED_MAX 128
int base32_decode(const char *s, uint8_t *ret, size_t max, size_t *ret_size);

/* The code as a number of `digits` digits (6..9). */
uint32_t hotp(const uint8_t *key, size_t key_size, uint64_t counter, unsigned digits);

/* The 6-digit code for time t from a base32 seed, as text ("012345").
 * Errors as base32_decode(). */
#define TOTP_STEP_SEC 30
#define TOTP_DIGITS 6
int totp_code(const char *seed_base32, time_t t, char ret[static TOTP_DIGITS + 1]);
