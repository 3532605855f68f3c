/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <stdio.h>

#include "test-helpers.h"
#include "totp.h"

static void hex(const uint8_t *d, size_t n, char *ret) {
        for (size_t i = 0; i < n; i++)
                snprintf(ret + 2 * i, 3, "%02x", d[i]);
}

static void assert_sha1(const void *data, size_t n, const char *want) {
        uint8_t d[SHA1_DIGEST_SIZE];
        char h[2 * SHA1_DIGEST_SIZE + 1];
        Sha1 s;

        sha1_init(&s);
        sha1_update(&s, data, n);
        sha1_final(&s, d);
        hex(d, sizeof d, h);
        ASSERT_STREQ(h, want);
}

/* FIPS 180-2 appendix A and the classic empty-string vector. */
static void test_sha1(void) {
        assert_sha1("", 0, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
        assert_sha1("abc", 3, "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert_sha1("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
                    "84983e441c3bd26ebaae4aa1f95129e5e54670f1");

        /* A million 'a's, fed in uneven pieces to exercise the buffering. */
        char a[1000];
        uint8_t d[SHA1_DIGEST_SIZE];
        char h[2 * SHA1_DIGEST_SIZE + 1];
        Sha1 s;
        memset(a, 'a', sizeof a);
        sha1_init(&s);
        for (size_t done = 0, k = 1; done < 1000000; done += k, k = k % 997 + 1) {
                if (done + k > 1000000)
                        k = 1000000 - done;
                sha1_update(&s, a, k);
        }
        sha1_final(&s, d);
        hex(d, sizeof d, h);
        ASSERT_STREQ(h, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

/* RFC 2202 §3, HMAC-SHA-1 test cases 1, 2, 3, 6 and 7. */
static void test_hmac(void) {
        static const struct {
                const char *key;
                size_t key_size;
                const char *data;
                size_t size;
                const char *want;
        } v[] = {
                { "\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b", 20,
                  "Hi There", 8, "b617318655057264e28bc0b6fb378c8ef146be00" },
                { "Jefe", 4, "what do ya want for nothing?", 28, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79" },
                { "\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa", 20,
                  NULL, 50, "125d7342b9ac11cd91a39af48aa17b4f63f175d3" },
        };
        uint8_t d[SHA1_DIGEST_SIZE], big_key[80], dd[50];
        char h[2 * SHA1_DIGEST_SIZE + 1];

        memset(dd, 0xdd, sizeof dd);
        for (size_t i = 0; i < ELEMENTSOF(v); i++) {
                hmac_sha1(v[i].key, v[i].key_size, v[i].data ?: (const char *) dd, v[i].size, d);
                hex(d, sizeof d, h);
                ASSERT_STREQ(h, v[i].want);
        }

        /* Keys longer than the block size are hashed first (cases 6, 7). */
        memset(big_key, 0xaa, sizeof big_key);
        hmac_sha1(big_key, sizeof big_key, "Test Using Larger Than Block-Size Key - Hash Key First", 54, d);
        hex(d, sizeof d, h);
        ASSERT_STREQ(h, "aa4ae5e15272d00e95705637ce8a3b55ed402112");
        hmac_sha1(big_key, sizeof big_key,
                  "Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data", 73, d);
        hex(d, sizeof d, h);
        ASSERT_STREQ(h, "e8e99d0f45237d786d6bbaa7965c7808bbff1a91");
}

/* RFC 4226 appendix D. */
static void test_hotp(void) {
        static const uint32_t want[] = { 755224, 287082, 359152, 969429, 338314,
                                         254676, 287922, 162583, 399871, 520489 };
        for (unsigned i = 0; i < ELEMENTSOF(want); i++)
                ASSERT_EQ(hotp((const uint8_t *) "12345678901234567890", 20, i, 6), want[i]);
}

/* RFC 6238 appendix B, SHA-1 column (8 digits), and the 6-digit form
 * authenticator apps show (its last six digits). The seed is the RFC's
 * ASCII key "12345678901234567890" in base32. */
static void test_totp(void) {
        static const struct {
                int64_t t;
                uint32_t want;
        } v[] = {
                { 59, 94287082 }, { 1111111109, 7081804 }, { 1111111111, 14050471 },
                { 1234567890, 89005924 }, { 2000000000, 69279037 }, { 20000000000, 65353130 },
        };
        const char *seed = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
        uint8_t key[TOTP_SEED_MAX];
        size_t n;
        char code[TOTP_DIGITS + 1], want[16];

        ASSERT_OK(base32_decode(seed, key, sizeof key, &n));
        ASSERT_EQ(n, 20);
        ASSERT_TRUE(memcmp(key, "12345678901234567890", 20) == 0);

        for (size_t i = 0; i < ELEMENTSOF(v); i++) {
                ASSERT_EQ(hotp(key, n, (uint64_t) v[i].t / 30, 8), v[i].want);
                ASSERT_OK(totp_code(seed, (time_t) v[i].t, code));
                snprintf(want, sizeof want, "%06u", (unsigned) (v[i].want % 1000000));
                ASSERT_STREQ(code, want);
        }

        /* Seeds as people paste them: lower case, blanks, padding. */
        ASSERT_OK(totp_code("gezd gnbv gy3t qojq gezd gnbv gy3t qojq====", 59, code));
        ASSERT_STREQ(code, "287082");
        /* Leading zeros stay. */
        ASSERT_OK(totp_code(seed, 1111111109, code));
        ASSERT_STREQ(code, "081804");

        ASSERT_ERR(totp_code("not base32!", 59, code), EINVAL);
        ASSERT_ERR(totp_code("", 59, code), EINVAL);
        ASSERT_ERR(totp_code("====", 59, code), EINVAL);
        char huge[TOTP_SEED_MAX * 2 + 1];
        memset(huge, 'A', sizeof huge - 1);
        huge[sizeof huge - 1] = 0;
        ASSERT_ERR(totp_code(huge, 59, code), E2BIG);
}

int main(void) {
        test_sha1();
        test_hmac();
        test_hotp();
        test_totp();
        return 0;
}
