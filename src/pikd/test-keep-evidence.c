/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* test-keep-evidence ADDRESS EXECUTION KEY NAME FILE: calls pikd's
 * KeepEvidence with FILE open as the file descriptor, as pik-check does
 * (busctl cannot pass one). Prints the error and exits 1 when refused. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include "bus-util.h"
#include "macro.h"

int main(int argc, char **argv) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus *bus = NULL;
        int fd, r;

        if (argc != 6) {
                fprintf(stderr, "Usage: %s ADDRESS EXECUTION KEY NAME FILE\n", argv[0]);
                return 2;
        }
        fd = open(argv[5], O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
                perror(argv[5]);
                return 2;
        }
        if ((r = sd_bus_new(&bus)) < 0 || (r = sd_bus_set_address(bus, argv[1])) < 0 ||
            (r = sd_bus_set_bus_client(bus, true)) < 0 || (r = sd_bus_start(bus)) < 0) {
                fprintf(stderr, "bus: %s\n", strerror(-r));
                return 2;
        }
        r = sd_bus_call_method(bus, PIK_BUS_NAME, PIK_BUS_PATH, PIK_BUS_INTERFACE, "KeepEvidence", &error, NULL,
                               "xssh", (int64_t) strtoll(argv[2], NULL, 10), argv[3], argv[4], fd);
        close(fd);
        sd_bus_flush_close_unref(bus);
        if (r < 0) {
                fprintf(stderr, "Error %s: %s\n", error.name ?: "?", error.message ?: strerror(-r));
                return 1;
        }
        return 0;
}
