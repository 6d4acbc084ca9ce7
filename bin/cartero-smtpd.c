/* ISC license. */
/* cartero-smtpd: one SMTP, submission or LMTP session on fd 0/1. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../sdk/src/log-internal.h"
#include "../sdk/src/setup-internal.h"
#include "smtp-internal.h"

static struct smtp_session session;

static const char *const store_keys[] = { "store", NULL };

/* Refuses service before the greeting: 421 (RFC 5321 3.1), a log line,
 * the documented exit code. */
static void __attribute__((noreturn))
die_unavailable(int code, const char *what, const char *error)
{
	char q[1024];

	log_event(what, "error=%s", log_quote(q, sizeof q, error));
	smtp_reply(&session, &REPLY_UNAVAILABLE, NULL);
	io_flush(&session.io);
	_exit(code);
}

static void __attribute__((noreturn))
die_usage(void)
{
	fputs("usage: cartero-smtpd [-c FILE] [--submission] [--lmtp] [--tls]\n",
	    stderr);
	_exit(EXIT_USAGE);
}

/* Loads the stores of [domain] and [relay], the filters and auth. */
static int
load_plugins(struct smtp_session *s, bool *is_config_r, const char **error_r)
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
	cfg->may_relay = relay || getenv("RELAYCLIENT") != NULL;
	s->cs.hostname = setup_hostname(&s->conf);
	return 0;
}

static int
setup(struct smtp_session *s, const char *path, const char **error_r)
{
	if (setup_conf(&s->conf, path, error_r) < 0 ||
	    read_config(s, error_r) < 0 ||
	    setup_drop_privileges(&s->conf, error_r) < 0)
		return -1;
	io_init(&s->io, 0, 1, (int)s->cfg.timeout);
	return 0;
}

int
main(int argc, char **argv)
{
	struct smtp_session *s = &session;
	const char *err, *conf_file = NULL;

	signal(SIGPIPE, SIG_IGN);
	s->cs.sid = log_session_init();
	s->cs.msg_fd = s->txn.spool.fd = -1;
	s->tls_avail = -1;
	s->cs.protocol = "SMTP";	/* LMTP once the options are read */
	io_init(&s->io, 0, 1, 300);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
			conf_file = argv[++i];
		else if (strcmp(argv[i], "--lmtp") == 0)
			s->cfg.is_lmtp = true;
		else if (strcmp(argv[i], "--submission") == 0)
			s->cfg.is_submission = true;
		else if (strcmp(argv[i], "--tls") == 0)
			s->cfg.is_implicit_tls = true;
		else
			die_usage();
	}
	if (s->cfg.is_lmtp)
		s->cs.protocol = "LMTP";
	session_set_conf(&s->conf);
	if (setup(s, conf_file, &err) < 0)
		die_unavailable(EXIT_USAGE, "config", err);
	peer_discover(&s->cs.peer, 0);
	io_nodelay(1);
	if (setup_proxy(&s->conf, "smtpd", &s->cs.peer, (int)s->cfg.timeout,
	    &err) < 0) {
		char q[300];
		/* No reply: the peer is a balancer, not an SMTP client. */
		log_event("proxy", "ip=%s error=%s", s->cs.peer.ip,
		    log_quote(q, sizeof q, err));
		_exit(0);
	}
	log_event("connect", "ip=%s port=%s mode=%s", s->cs.peer.ip,
	    s->cs.peer.port[0] ? s->cs.peer.port : "-", s->cfg.is_lmtp
	    ? "lmtp" : s->cfg.is_submission ? "submission" : "smtp");
	bool is_config = false;
	if (load_plugins(s, &is_config, &err) < 0) {
		if (is_config || plugin_error_is_config())
			die_unavailable(EXIT_USAGE, "config", err);
		die_unavailable(EXIT_TEMP, "plugin-load", err);
	}
	if (s->cfg.is_implicit_tls) {
		/* RFC 8314 3: the handshake comes first; no plaintext 421
		 * can be understood by a client that speaks TLS. */
		struct tls_info info;
		char q[300];
		if (tls_start(&s->io, &s->conf, (int)s->cfg.timeout, &info,
		    &err) < 0) {
			log_event("tls-failed", "ip=%s error=%s", s->cs.peer.ip,
			    log_quote(q, sizeof q, err));
			_exit(EXIT_TEMP);
		}
		smtp_tls_ready(s, &info);
	}
	smtp_greet(s);
	smtp_loop(s);
	plugin_fini_all();
	return 0;
}
