/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* docs/DBUS.md's error table, both ways: what pikd sends for each errno,
 * and the errno (hence pikctl's exit status) a client gets back. */

#include "bus-util.h"
#include "test-helpers.h"

static void test_names(void) {
        ASSERT_STREQ(bus_error_name_from_errno(-ENOENT), "org.pik.Error.NotFound");
        ASSERT_STREQ(bus_error_name_from_errno(ENOENT), "org.pik.Error.NotFound");
        ASSERT_STREQ(bus_error_name_from_errno(-EINVAL), "org.pik.Error.InvalidArgument");
        ASSERT_STREQ(bus_error_name_from_errno(-ERANGE), "org.pik.Error.InvalidArgument");
        ASSERT_STREQ(bus_error_name_from_errno(-EDOM), "org.pik.Error.InvalidArgument");
        ASSERT_STREQ(bus_error_name_from_errno(-E2BIG), "org.pik.Error.InvalidArgument");
        ASSERT_STREQ(bus_error_name_from_errno(-EACCES), "org.pik.Error.PermissionDenied");
        ASSERT_STREQ(bus_error_name_from_errno(-EPERM), "org.pik.Error.PermissionDenied");
        ASSERT_STREQ(bus_error_name_from_errno(-EEXIST), "org.pik.Error.AlreadyExists");
        ASSERT_STREQ(bus_error_name_from_errno(-EBUSY), "org.pik.Error.HasHistory");
        ASSERT_STREQ(bus_error_name_from_errno(-ESTALE), "org.pik.Error.AlreadyReported");
        ASSERT_STREQ(bus_error_name_from_errno(-ENOMEM), "org.pik.Error.Failed");
        ASSERT_STREQ(bus_error_name_from_errno(-EIO), "org.pik.Error.Failed");
        ASSERT_STREQ(bus_error_name_from_errno(0), "org.pik.Error.Failed");
}

static void round_trip(int r, int expect) {
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;

        ASSERT_EQ(bus_error_set_errno_message(&e, r, "the library's words"), r);
        ASSERT_STREQ(e.message, "the library's words");
        ASSERT_EQ(bus_error_to_errno(&e), expect);
}

static void test_round_trip(void) {
        round_trip(-ENOENT, -ENOENT);
        round_trip(-EINVAL, -EINVAL);
        round_trip(-ERANGE, -EINVAL);
        round_trip(-EACCES, -EACCES);
        round_trip(-EPERM, -EACCES);
        round_trip(-EEXIST, -EEXIST);
        round_trip(-EBUSY, -EBUSY);
        round_trip(-ESTALE, -ESTALE);
        round_trip(-ENOSPC, -EIO);
}

static void test_from_db(void) {
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL, f = SD_BUS_ERROR_NULL;
        char *dir;
        PikDb *db = test_db_new(&dir);

        /* The library's explanation travels; without one, strerror. */
        pik_db_set_error(db, -ENOENT, "partner 'nope' not found");
        ASSERT_EQ(bus_error_set_from_db(&e, db, -ENOENT), -ENOENT);
        ASSERT_STREQ(e.name, "org.pik.Error.NotFound");
        ASSERT_STREQ(e.message, "partner 'nope' not found");
        pik_db_clear_error(db);
        ASSERT_EQ(bus_error_set_from_db(&f, db, -ENOMEM), -ENOMEM);
        ASSERT_STREQ(f.name, "org.pik.Error.Failed");
        ASSERT_STREQ(f.message, strerror(ENOMEM));

        pik_db_close(db);
        test_tmpdir_cleanup(dir);
}

static void test_foreign(void) {
        _cleanup_(sd_bus_error_free) sd_bus_error a = SD_BUS_ERROR_NULL, b = SD_BUS_ERROR_NULL,
                                                  c = SD_BUS_ERROR_NULL, none = SD_BUS_ERROR_NULL;

        /* The bus's own refusals keep their meaning. */
        sd_bus_error_set(&a, SD_BUS_ERROR_ACCESS_DENIED, "policy says no");
        ASSERT_EQ(bus_error_to_errno(&a), -EACCES);
        sd_bus_error_set(&b, SD_BUS_ERROR_SERVICE_UNKNOWN, "no pikd");
        ASSERT_TRUE(bus_error_to_errno(&b) < 0);
        sd_bus_error_set(&c, "com.example.Whatever", "?");
        ASSERT_EQ(bus_error_to_errno(&c), -EIO);
        ASSERT_EQ(bus_error_to_errno(&none), 0);
        ASSERT_EQ(bus_error_to_errno(NULL), 0);
}

int main(void) {
        test_names();
        test_round_trip();
        test_from_db();
        test_foreign();
        printf("test-bus-util: ok\n");
        return 0;
}
