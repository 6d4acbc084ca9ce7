/* ISC license. */
/* cartero-smtpd start-up: configuration, limits and plugins, apart from
 * main() so that the session fuzzer can set a session up the same way. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtp-internal.h"

static const char *const store_keys[] = { "store", NULL };

static int read_config(struct smtp_session *s, const char **error_r);

/* Loads the stores of [domain] and [relay], the filters and auth. */
int
smtp_load_plugins(struct smtp_session *s, bool *is_config_r,
    const char **error_r)
{
	const struct conf *c = &s->conf;
	const struct cartero_conf *smtpd = conf_section(c, "smtpd", "");
	static char buf[600];

	for (const struct cartero_conf *sec = c->first; sec; sec = sec->next) {
		if (strcmp(sec->kind, "domain") != 0 &&
		    strcmp(sec->kind, "relay") != 0)
			continue;
		const char *name = conf_get(sec, "store");
		if (name == NULL) {
			snprintf(buf, sizeof buf, "%s:%d: no store = in this "
			    "section", c->path, sec->line);
			*error_r = buf;
			*is_config_r = true;
			return -1;
		}
		struct plugin *p = plugin_get(c, name, PLUGIN_STORE,
		    &session_host, error_r);
		if (p == NULL)
			return -1;
		if (conf_check_keys(sec, store_keys, p->desc->conf_keys,
		    error_r) < 0) {
			*is_config_r = true;
			return -1;
		}
	}
	const char *list = conf_get(smtpd, "filters");
	char names[1024];
	snprintf(names, sizeof names, "%s", list ? list : "");
	for (char *save, *n = strtok_r(names, " \t,", &save); n;
	    n = strtok_r(NULL, " \t,", &save)) {
		if (s->n_filters == SMTP_MAX_FILTERS) {
			*error_r = "too many filters";
			return -1;
		}
		struct plugin *p = plugin_get(c, n, PLUGIN_FILTER,
		    &session_host, error_r);
		if (p == NULL)
			return -1;
		s->filters[s->n_filters++] = p;
	}
	const char *auth = conf_get(smtpd, "auth");
	if (auth != NULL && (s->auth = plugin_get(c, auth, PLUGIN_AUTH,
	    &session_host, error_r)) == NULL)
		return -1;
	return 0;
}

static int
read_config(struct smtp_session *s, const char **error_r)
{
	const struct cartero_conf *sec = conf_section(&s->conf, "smtpd", "");
	struct smtp_config *cfg = &s->cfg;
	bool relay;

	if (conf_get_uint(sec, "max_message_size", 26214400, 1ULL << 40,
	    &cfg->max_message_size, error_r) < 0 ||
	    conf_get_uint(sec, "max_recipients", 100, 1000000,
	    &cfg->max_recipients, error_r) < 0 ||
	    conf_get_uint(sec, "timeout", 300, 86400, &cfg->timeout,
	    error_r) < 0 ||
	    conf_get_uint(sec, "max_errors", 20, 100000, &cfg->max_errors,
	    error_r) < 0 ||
	    conf_get_bool(sec, "relay", false, &relay, error_r) < 0 ||
	    conf_get_bool(sec, "auth_requires_tls", true,
	    &cfg->auth_requires_tls, error_r) < 0 ||
	    conf_get_uint(sec, "max_auth_failures", 3, 1000,
	    &cfg->max_auth_failures, error_r) < 0 ||
	    conf_get_uint(sec, "auth_delay", 1000, 60000, &cfg->auth_delay,
	    error_r) < 0 ||
	    conf_get_bool(conf_section(&s->conf, "tls", ""),
	    "relay_client_certs", false, &cfg->relay_client_certs,
	    error_r) < 0)
		return -1;
	cfg->auth_cleartext_from = conf_get(sec, "auth_cleartext_from");
	if (cfg->max_errors == 0) {
		static char buf[600];
		snprintf(buf, sizeof buf, "%s: max_errors must be at least 1",
		    conf_where(sec, "max_errors"));
		*error_r = buf;
		return -1;
	}
	if (cfg->max_recipients < 100) {
		static char buf[600];
		snprintf(buf, sizeof buf, "%s: max_recipients must be at least "
		    "100 (RFC 5321 4.5.3.1.8)", conf_where(sec,
		    "max_recipients"));
		*error_r = buf;
		return -1;
	}
	cfg->is_open_relay = relay;
	cfg->may_relay = relay || getenv("RELAYCLIENT") != NULL;
	s->cs.hostname = setup_hostname(&s->conf);
	return 0;
}

int
smtp_setup(struct smtp_session *s, const char *path, const char **error_r)
{
	if (setup_conf(&s->conf, path, error_r) < 0 ||
	    read_config(s, error_r) < 0 ||
	    setup_drop_privileges(&s->conf, error_r) < 0)
		return -1;
	io_init(&s->io, 0, 1, (int)s->cfg.timeout);
	return 0;
}
