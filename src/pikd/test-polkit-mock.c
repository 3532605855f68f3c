/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* A stand-in for polkitd on a private test bus (test-pikd-bus.sh): owns
 * org.freedesktop.PolicyKit1 and answers CheckAuthorization from a file of
 * "ACTION ANSWER" lines, read again for every question, where ANSWER is
 *   yes        authorized
 *   no         not authorized
 *   challenge  authentication required
 *   error      an error reply instead of an answer
 *   slow       yes, but eight seconds later (pikd must go on serving meanwhile, also on a loaded machine)
 * An action not listed gets "no". Every question is appended to a log as
 * "SUBJECT-KIND NAME ACTION FLAGS". Only for tests: pikd itself has no
 * switch that trusts anyone without polkit. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "macro.h"

static const char *answers_path, *log_path;

static char *answer_for(const char *action) {
        _cleanup_free_ char *line = NULL;
        size_t n = 0;
        FILE *f = fopen(answers_path, "re");
        char *answer = NULL;

        if (!f)
                return strdup("no");
        while (getline(&line, &n, f) > 0) {
                char a[256], ans[32];
                if (sscanf(line, "%255s %31s", a, ans) == 2 && streq(a, action)) {
                        free(answer);
                        answer = strdup(ans);
                }
        }
        fclose(f);
        return answer ?: strdup("no");
}

static int send_answer(sd_bus_message *call, bool authorized, bool challenge) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r;

        r = sd_bus_message_new_method_return(call, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_append(reply, "(bba{ss})", authorized, challenge, 0);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static int on_slow(sd_event_source *s, uint64_t usec, void *userdata) {
        sd_bus_message *call = userdata;
        int r;

        r = send_answer(call, true, false);
        sd_bus_message_unref(call);
        sd_event_source_disable_unref(s);
        return r;
}

static int method_check(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_free_ char *answer = NULL;
        const char *kind, *key, *name = "?", *action;
        uint32_t flags;
        FILE *f;
        int r;

        r = sd_bus_message_enter_container(m, 'r', "sa{sv}");
        if (r < 0)
                return r;
        r = sd_bus_message_read(m, "s", &kind);
        if (r < 0)
                return r;
        r = sd_bus_message_enter_container(m, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
                r = sd_bus_message_read(m, "s", &key);
                if (r < 0)
                        return r;
                if (streq(key, "name"))
                        r = sd_bus_message_read(m, "v", "s", &name);
                else
                        r = sd_bus_message_skip(m, "v");
                if (r < 0)
                        return r;
                r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        r = sd_bus_message_exit_container(m);
        if (r >= 0)
                r = sd_bus_message_exit_container(m);
        if (r >= 0)
                r = sd_bus_message_read(m, "s", &action);
        if (r >= 0)
                r = sd_bus_message_skip(m, "a{ss}");
        if (r >= 0)
                r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;

        f = fopen(log_path, "ae");
        if (f) {
                fprintf(f, "%s %s %s %u\n", kind, name, action, flags);
                fclose(f);
        }

        answer = answer_for(action);
        if (streq(answer, "yes"))
                return send_answer(m, true, false);
        if (streq(answer, "challenge"))
                return send_answer(m, false, true);
        if (streq(answer, "error"))
                return sd_bus_error_set(error, "org.freedesktop.PolicyKit1.Error.Failed", "mock polkit refuses to answer");
        if (streq(answer, "slow")) {
                uint64_t now;
                sd_event *e = sd_bus_get_event(sd_bus_message_get_bus(m));

                r = sd_event_now(e, CLOCK_MONOTONIC, &now);
                if (r < 0)
                        return r;
                r = sd_event_add_time(e, NULL, CLOCK_MONOTONIC, now + 8 * UINT64_C(1000000), 0, on_slow,
                                      sd_bus_message_ref(m));
                return r < 0 ? r : 1;
        }
        return send_answer(m, false, false);
}

static const sd_bus_vtable authority_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD("CheckAuthorization", "(sa{sv})sa{ss}us", "(bba{ss})", method_check,
                      SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END
};

int main(int argc, char **argv) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        sd_event *e = NULL;
        int r;

        if (argc != 4) {
                fprintf(stderr, "Usage: %s BUS-ADDRESS ANSWERS-FILE LOG-FILE\n", argv[0]);
                return EXIT_FAILURE;
        }
        answers_path = argv[2];
        log_path = argv[3];

        r = sd_bus_new(&bus);
        if (r >= 0)
                r = sd_bus_set_address(bus, argv[1]);
        if (r >= 0)
                r = sd_bus_set_bus_client(bus, true);
        if (r >= 0)
                r = sd_bus_start(bus);
        if (r >= 0)
                r = sd_bus_add_object_vtable(bus, NULL, "/org/freedesktop/PolicyKit1/Authority",
                                             "org.freedesktop.PolicyKit1.Authority", authority_vtable, NULL);
        if (r >= 0)
                r = sd_event_default(&e);
        if (r >= 0)
                r = sd_bus_attach_event(bus, e, 0);
        if (r >= 0)
                r = sd_bus_request_name(bus, "org.freedesktop.PolicyKit1", 0);
        if (r >= 0)
                r = sd_event_loop(e);
        if (r < 0)
                fprintf(stderr, "mock polkit: %s\n", strerror(-r));
        sd_bus_detach_event(bus);
        sd_event_unref(e);
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
