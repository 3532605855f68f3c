/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* pik.conf's "channels": where alert notifications go.
 *
 *   channels = (
 *     { name = "ops"; type = "mail"; to = "ops@example.com";
 *       kinds = [ "partner", "configuration" ]; partners = [ "acme" ]; },
 *     { name = "hook"; type = "webhook"; url = "https://alerts.example.com/pik"; },
 *     { name = "pager"; type = "command"; command = "/usr/local/bin/page-me"; }
 *   );
 *
 * No secrets here: a webhook that needs a token takes it in its URL's
 * query only if the operator accepts that in a world-readable file; pik
 * itself sends no Authorization header. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config-internal.h"
#include "outcome.h"
#include "string-util.h"

static const char *const channel_type_table[_PIK_CHANNEL_TYPE_MAX] = {
        [PIK_CHANNEL_MAIL] = "mail",
        [PIK_CHANNEL_WEBHOOK] = "webhook",
        [PIK_CHANNEL_COMMAND] = "command",
};

/* The member that names each type's target. */
static const char *const channel_target_table[_PIK_CHANNEL_TYPE_MAX] = {
        [PIK_CHANNEL_MAIL] = "to",
        [PIK_CHANNEL_WEBHOOK] = "url",
        [PIK_CHANNEL_COMMAND] = "command",
};

const char *pik_channel_type_to_string(PikChannelType t) {
        if (t < 0 || t >= _PIK_CHANNEL_TYPE_MAX)
                return NULL;
        return channel_type_table[t];
}

PikChannelType pik_channel_type_from_string(const char *s) {
        for (int i = 0; s && i < _PIK_CHANNEL_TYPE_MAX; i++)
                if (streq(channel_type_table[i], s))
                        return (PikChannelType) i;
        return _PIK_CHANNEL_TYPE_INVALID;
}

void pik_channel_done(PikChannel *ch) {
        free(ch->name);
        free(ch->target);
        strv_free(ch->partners);
        *ch = (PikChannel) {};
}

const PikChannel *pik_config_find_channel(const PikConfig *c, const char *name) {
        for (size_t i = 0; c && name && i < c->n_channels; i++)
                if (streq_ptr(c->channels[i].name, name))
                        return &c->channels[i];
        return NULL;
}

/* Mail addresses go to sendmail -t in a To: header: a comma-separated list
 * of plain addresses, nothing that could start another header. */
static int check_mail_to(Parser *p, const config_setting_t *s, const char *key, const char *v) {
        _cleanup_strv_free_ char **l = NULL;

        if (strv_split_comma(v, 50, &l) < 0)
                return parser_error(p, SETTING_AT(s), "%s: '%s' is not a comma-separated list of addresses", key, v);
        for (char **a = l; *a; a++) {
                const char *at = strchr(*a, '@');

                if (!at || at == *a || !at[1] || strchr(at + 1, '@') || strpbrk(*a, " <>\"(),;:\\[]"))
                        return parser_error(p, SETTING_AT(s), "%s: '%s' is not a mail address (user@host)", key, *a);
        }
        return 0;
}

static int check_target(Parser *p, const config_setting_t *s, PikChannelType t, const char *key, const char *v) {
        switch (t) {
        case PIK_CHANNEL_MAIL:
                return check_mail_to(p, s, key, v);
        case PIK_CHANNEL_WEBHOOK:
                if (!startswith(v, "http://") && !startswith(v, "https://"))
                        return parser_error(p, SETTING_AT(s), "%s: '%s' is not an http:// or https:// URL", key, v);
                if (strpbrk(v, " "))
                        return parser_error(p, SETTING_AT(s), "%s: a URL has no blanks", key);
                return 0;
        case PIK_CHANNEL_COMMAND:
                /* Run directly, never through a shell: a path, no arguments. */
                if (v[0] != '/')
                        return parser_error(p, SETTING_AT(s), "%s: '%s' is not an absolute path", key, v);
                return 0;
        default:
                abort();
        }
}

static int parse_kinds(Parser *p, const config_setting_t *s, const char *key, unsigned *ret) {
        unsigned kinds = 0;
        int n;

        if (!config_setting_is_array(s) && !config_setting_is_list(s))
                return parser_error(p, SETTING_AT(s), "%s: expected an array of kinds", key);
        n = config_setting_length(s);
        if (n == 0)
                return parser_error(p, SETTING_AT(s), "%s: empty (leave it out for every kind)", key);
        for (int i = 0; i < n; i++) {
                const config_setting_t *e = config_setting_get_elem(s, (unsigned) i);
                const char *v = NULL;
                OutcomeKind k;
                int r;

                r = parser_get_text(p, e, key, 32, &v);
                if (r < 0)
                        return r;
                k = outcome_kind_from_string(v);
                if (k < 0 || k == OUTCOME_KIND_SUCCESS)
                        return parser_error(p, SETTING_AT(e), "%s: '%s' is not one of partner, infrastructure, "
                                            "configuration", key, v);
                kinds |= 1u << k;
        }
        *ret = kinds;
        return 0;
}

static int parse_partners(Parser *p, const config_setting_t *s, const char *key, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        int n;

        if (!config_setting_is_array(s) && !config_setting_is_list(s))
                return parser_error(p, SETTING_AT(s), "%s: expected an array of partner codes", key);
        n = config_setting_length(s);
        if (n == 0)
                return parser_error(p, SETTING_AT(s), "%s: empty (leave it out for every partner)", key);
        if (n > PIK_CHANNEL_PARTNERS_MAX)
                return parser_error(p, SETTING_AT(s), "%s: more than %d partners", key, PIK_CHANNEL_PARTNERS_MAX);
        l = calloc((size_t) n + 1, sizeof(char *));
        if (!l)
                return -ENOMEM;
        for (int i = 0; i < n; i++) {
                const config_setting_t *e = config_setting_get_elem(s, (unsigned) i);
                const char *v = NULL;
                int r;

                r = parser_get_text(p, e, key, PIK_CODE_MAX, &v);
                if (r < 0)
                        return r;
                if (!code_is_valid(v))
                        return parser_error(p, SETTING_AT(e), "%s: '%s' is not a partner code", key, v);
                l[i] = strdup(v);
                if (!l[i])
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

static int parse_channel(Parser *p, const config_setting_t *g, unsigned index, PikConfig *c, PikChannel *ch) {
        const config_setting_t *s;
        const char *v = NULL;
        char prefix[64], key[96];
        int r, n;

        snprintf(prefix, sizeof prefix, "channels[%u]", index);
        if (!config_setting_is_group(g))
                return parser_error(p, SETTING_AT(g), "%s: expected a group { name = ...; type = ...; }", prefix);

        s = config_setting_get_member(g, "name");
        if (!s)
                return parser_error(p, SETTING_AT(g), "%s: no name", prefix);
        snprintf(key, sizeof key, "%s.name", prefix);
        r = parser_get_text(p, s, key, PIK_CHANNEL_NAME_MAX, &v);
        if (r < 0)
                return r;
        if (!code_is_valid(v))
                return parser_error(p, SETTING_AT(s), "%s: '%s' is not a valid name ([a-z0-9][a-z0-9._-]*)", key, v);
        if (pik_config_find_channel(c, v))
                return parser_error(p, SETTING_AT(s), "%s: a channel named '%s' exists already", key, v);
        ch->name = strdup(v);
        if (!ch->name)
                return -ENOMEM;
        /* From here on messages name the channel. */
        snprintf(prefix, sizeof prefix, "channels.%s", ch->name);

        s = config_setting_get_member(g, "type");
        snprintf(key, sizeof key, "%s.type", prefix);
        if (!s)
                return parser_error(p, SETTING_AT(g), "%s: missing (mail, webhook or command)", key);
        r = parser_get_text(p, s, key, 32, &v);
        if (r < 0)
                return r;
        ch->type = pik_channel_type_from_string(v);
        if (ch->type < 0)
                return parser_error(p, SETTING_AT(s), "%s: '%s' is not one of mail, webhook, command", key, v);

        n = config_setting_length(g);
        for (int i = 0; i < n; i++) {
                const char *name;

                s = config_setting_get_elem(g, (unsigned) i);
                name = config_setting_name(s);
                snprintf(key, sizeof key, "%s.%s", prefix, name);
                if (streq(name, "name") || streq(name, "type"))
                        continue;
                if (streq(name, "kinds"))
                        r = parse_kinds(p, s, key, &ch->kinds);
                else if (streq(name, "partners"))
                        r = parse_partners(p, s, key, &ch->partners);
                else if (streq(name, channel_target_table[ch->type])) {
                        r = parser_get_text(p, s, key, PIK_URL_MAX, &v);
                        if (r >= 0)
                                r = check_target(p, s, ch->type, key, v);
                        if (r >= 0) {
                                ch->target = strdup(v);
                                if (!ch->target)
                                        r = -ENOMEM;
                        }
                } else
                        return parser_error(p, SETTING_AT(s), "unknown key '%s' (a %s channel takes %s, kinds, "
                                            "partners)", key, channel_type_table[ch->type],
                                            channel_target_table[ch->type]);
                if (r < 0)
                        return r;
        }

        if (!ch->target)
                return parser_error(p, SETTING_AT(g), "%s.%s: missing (a %s channel needs it)", prefix,
                                    channel_target_table[ch->type], channel_type_table[ch->type]);
        return 0;
}

int parse_channels(Parser *p, const config_setting_t *list, PikConfig *c) {
        int n;

        if (!config_setting_is_list(list))
                return parser_error(p, SETTING_AT(list), "channels: expected a list ( { ... }, { ... } )");
        n = config_setting_length(list);
        if (n > PIK_CHANNELS_MAX)
                return parser_error(p, SETTING_AT(list), "channels: more than %d channels", PIK_CHANNELS_MAX);

        for (size_t i = 0; i < c->n_channels; i++)
                pik_channel_done(&c->channels[i]);
        free(c->channels);
        c->n_channels = 0;
        c->channels = calloc((size_t) MAX(n, 1), sizeof(PikChannel));
        if (!c->channels)
                return -ENOMEM;

        for (int i = 0; i < n; i++) {
                int r;

                /* Counted before it is complete, so pik_config_free()
                 * frees what a failed parse left half done. */
                c->n_channels++;
                r = parse_channel(p, config_setting_get_elem(list, (unsigned) i), (unsigned) i, c,
                                  &c->channels[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}
