/* ISC license. */
/* cartero-pop3d start-up: configuration and limits, apart from main() so
 * that the session fuzzer can set a session up the same way. */
#include "pop3-internal.h"

static int read_config(struct pop3_session *s, const char **error_r);

static int
read_config(struct pop3_session *s, const char **error_r)
{
	const struct cartero_conf *sec = conf_section(&s->conf, "pop3d", "");

	if (conf_get_uint(sec, "timeout", 600, 86400, &s->timeout,
	    error_r) < 0 ||
	    conf_get_uint(sec, "max_errors", 20, 100000, &s->max_errors,
	    error_r) < 0 ||
	    conf_get_uint(sec, "max_auth_failures", 3, 1000,
	    &s->max_auth_failures, error_r) < 0 ||
	    conf_get_uint(sec, "auth_delay", 1000, 60000, &s->auth_delay,
	    error_r) < 0 ||
	    conf_get_bool(sec, "auth_requires_tls", true,
	    &s->auth_requires_tls, error_r) < 0)
		return -1;
	if (conf_get(sec, "auth") == NULL) {
		*error_r = "no auth plugin: set auth = NAME in [pop3d]";
		return -1;
	}
	s->auth_cleartext_from = conf_get(sec, "auth_cleartext_from");
	s->cs.hostname = setup_hostname(&s->conf);
	return 0;
}

int
pop3_setup(struct pop3_session *s, const char *path, const char **error_r)
{
	return setup_conf(&s->conf, path, error_r) < 0 ||
	    read_config(s, error_r) < 0 ||
	    setup_drop_privileges(&s->conf, error_r) < 0 ? -1 : 0;
}
