/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "log.h"
#include "notification.h"
#include "string-util.h"
#include "unit-starter.h"

static int write_key(const char *dir, int64_t id, const char *key, char *path, size_t path_size) {
        _cleanup_close_ int fd = -1;
        size_t n = strlen(key);

        (void) mkdir(dir, 0700);
        snprintf(path, path_size, "%s/%lld.key", dir, (long long) id);
        /* O_EXCL: a leftover from an earlier life of this id is not reused. */
        (void) unlink(path);
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return -errno;
        if (write(fd, key, n) != (ssize_t) n)
                return -EIO;
        return 0;
}

int systemd_starter_sweep_keys(SystemdStarter *s, PikDb *db) {
        _cleanup_(closedirp) DIR *d = NULL;
        struct dirent *de;
        unsigned n = 0;

        d = opendir(s->key_dir);
        if (!d)
                return errno == ENOENT ? 0 : log_warning_errno(-errno, "Failed to open %s: %m", s->key_dir);
        while ((de = readdir(d))) {
                long long id;
                char *end;
                int r;

                if (de->d_name[0] == '.')
                        continue;
                errno = 0;
                id = strtoll(de->d_name, &end, 10);
                if (errno != 0 || end == de->d_name || id <= 0 || !streq(end, ".key"))
                        continue;
                r = pik_dispatcher_key_wanted(db, id);
                if (r != 0)
                        continue;       /* still to be loaded, or unknown: left for the next pass */
                if (unlinkat(dirfd(d), de->d_name, 0) < 0 && errno != ENOENT)
                        log_warning_errno(-errno, "Failed to remove %s/%s: %m", s->key_dir, de->d_name);
                else
                        n++;
        }
        if (n > 0)
                log_debug("Removed %u execution key file(s) their checks no longer need.", n);
        return 0;
}

int systemd_starter_set_expiry(const char *path, unsigned sec) {
        _cleanup_free_ char *old = NULL, *text = NULL, *dir = NULL, *tmp = NULL;
        _cleanup_close_ int fd = -1;
        size_t size;
        char *slash;
        int n, r;

        n = asprintf(&text, "# Written by pik-dispatcher: job_expiry of pik.conf.\n"
                            "[Service]\nRuntimeMaxSec=%u\n", sec);
        if (n < 0)
                return log_oom();
        if (read_file_capped(path, 4096, &old, &size) >= 0 && streq(old, text))
                return 0;

        dir = strdup(path);
        if (!dir || asprintf(&tmp, "%s.tmp", path) < 0)
                return log_oom();
        slash = strrchr(dir, '/');
        if (slash)
                *slash = '\0';
        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                return log_error_errno(-errno, "Failed to create %s: %m", dir);
        /* Whole or not at all: systemd may load a check's unit meanwhile. */
        fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0)
                return log_error_errno(-errno, "Failed to write %s: %m", tmp);
        if (write(fd, text, n) != n) {
                r = errno > 0 ? -errno : -EIO;
                (void) unlink(tmp);
                return log_error_errno(r, "Failed to write %s: %m", tmp);
        }
        if (rename(tmp, path) < 0) {
                r = -errno;
                (void) unlink(tmp);
                return log_error_errno(r, "Failed to rename %s to %s: %m", tmp, path);
        }
        log_info("Checks started from now on stop after job_expiry, %u s (RuntimeMaxSec= in %s).", sec, path);
        return 0;
}

int systemd_starter_start(void *userdata, const PikExecutionStart *e) {
        SystemdStarter *s = userdata;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        char path[256];
        int r;

        r = write_key(s->key_dir, e->execution_id, e->key, path, sizeof path);
        if (r < 0)
                return log_error_errno(r, "Failed to write the key of execution %lld to %s: %m",
                                       (long long) e->execution_id, s->key_dir);

        r = sd_bus_call_method(s->bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                               "org.freedesktop.systemd1.Manager", "StartUnit", &error, &reply,
                               "ss", e->unit, "replace");
        if (r < 0) {
                (void) unlink(path);
                return log_error_errno(r, "Failed to start %s: %s", e->unit, error.message ?: strerror(-r));
        }

        log_debug("Started %s (%s in %s, attempt %u).", e->unit, e->partner, e->browser, e->attempt);
        return 0;
}

int systemd_starter_unit_alive(void *userdata, const char *unit) {
        SystemdStarter *s = userdata;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_free_ char *state = NULL;
        const char *path;
        int r;

        r = sd_bus_call_method(s->bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                               "org.freedesktop.systemd1.Manager", "GetUnit", &error, &reply, "s", unit);
        if (r < 0) {
                /* Unloaded: pik-check@.service has CollectMode=inactive-or-failed,
                 * so an ended check's unit is gone. */
                if (sd_bus_error_has_name(&error, "org.freedesktop.systemd1.NoSuchUnit"))
                        return 0;
                return log_debug_errno(r, "Failed to look up %s, leaving it for the next pass: %s",
                                       unit, error.message ?: strerror(-r));
        }
        r = sd_bus_message_read(reply, "o", &path);
        if (r < 0)
                return r;
        r = sd_bus_get_property_string(s->bus, "org.freedesktop.systemd1", path, "org.freedesktop.systemd1.Unit",
                                       "ActiveState", &error, &state);
        if (r < 0)
                return r;
        return !streq(state, "inactive") && !streq(state, "failed");
}

int systemd_starter_count_active(void *userdata, unsigned *ret) {
        SystemdStarter *s = userdata;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        static const char *const states[] = { "active", "activating", "deactivating", "reloading", NULL };
        static const char *const patterns[] = { "pik-check@*.service", NULL };
        unsigned n = 0;
        int r;

        r = sd_bus_message_new_method_call(s->bus, &m, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                           "org.freedesktop.systemd1.Manager", "ListUnitsByPatterns");
        if (r >= 0)
                r = sd_bus_message_append_strv(m, (char **) states);
        if (r >= 0)
                r = sd_bus_message_append_strv(m, (char **) patterns);
        if (r < 0)
                return r;
        r = sd_bus_call(s->bus, m, 0, &error, &reply);
        if (r < 0)
                return log_warning_errno(r, "Failed to list the running checks, counting executions instead: %s",
                                         error.message ?: strerror(-r));

        r = sd_bus_message_enter_container(reply, 'a', "(ssssssouso)");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_skip(reply, "(ssssssouso)")) > 0)
                n++;
        if (r < 0)
                return r;
        *ret = n;
        return 0;
}

int systemd_starter_start_notification(SystemdStarter *s, int64_t id, char **ret_error) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        char unit[PIK_NOTIFY_UNIT_MAX];
        int r;

        pik_notify_unit_name(unit, id);
        r = sd_bus_call_method(s->bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                               "org.freedesktop.systemd1.Manager", "StartUnit", &error, &reply,
                               "ss", unit, "replace");
        if (r < 0) {
                log_warning_errno(r, "Failed to start %s: %s", unit, error.message ?: strerror(-r));
                if (ret_error && asprintf(ret_error, "starting %s failed: %s", unit,
                                          error.message ?: strerror(-r)) < 0)
                        *ret_error = NULL;
                return r;
        }
        log_debug("Started %s.", unit);
        return 0;
}
