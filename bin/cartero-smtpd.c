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

/* Refuses service before the greeting: 421 (RFC 5321 3.1), a log line,
 * the documented exit code. */
static void __attribute__((noreturn))
die_unavailable(int code, const char *what, const char *error)
{
	char q[1024];

	log_event(what, "error=%s", log_quote(q, sizeof q, error));
	/* A client waiting to start TLS could not read a plaintext 421. */
	if (!session.cfg.is_implicit_tls) {
		smtp_reply(&session, &REPLY_UNAVAILABLE, NULL);
		io_flush(&session.io);
	}
	_exit(code);
}

static void __attribute__((noreturn))
die_usage(void)
{
	fputs("usage: cartero-smtpd [-c FILE] [--submission] [--lmtp] [--tls]\n",
	    stderr);
	_exit(EXIT_USAGE);
}

int
main(int argc, char **argv)
{
	struct smtp_session *s = &session;
	const char *err, *conf_file = NULL;

	signal(SIGPIPE, SIG_IGN);
	setup_log_fd();
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
	if (smtp_setup(s, conf_file, &err) < 0)
		die_unavailable(EXIT_USAGE, "config", err);
	peer_discover(&s->cs.peer, 0);
	io_nodelay(1);
	int proxied = setup_proxy(&s->conf, "smtpd", &s->cs.peer,
	    (int)s->cfg.timeout, &err);
	if (proxied < 0) {
		char q[300];
		/* No reply: the peer is a balancer, not an SMTP client. */
		log_event("proxy", "ip=%s error=%s", s->cs.peer.ip,
		    log_quote(q, sizeof q, err));
		_exit(0);
	}
	/* RELAYCLIENT was set by tcpserver's rules for the balancer, not for
	 * the client the PROXY header names: it must not carry over. */
	if (proxied > 0)
		s->cfg.may_relay = s->cfg.is_open_relay;
	log_event("connect", "ip=%s port=%s mode=%s", s->cs.peer.ip,
	    s->cs.peer.port[0] ? s->cs.peer.port : "-", s->cfg.is_lmtp
	    ? "lmtp" : s->cfg.is_submission ? "submission" : "smtp");
	bool is_config = false;
	if (smtp_load_plugins(s, &is_config, &err) < 0) {
		if (is_config || plugin_error_is_config())
			die_unavailable(EXIT_USAGE, "config", err);
		die_unavailable(EXIT_TEMP, "plugin-load", err);
	}
	if (s->cfg.is_implicit_tls) {
		/* RFC 8314 3: the handshake comes first; no plaintext 421
		 * can be understood by a client that speaks TLS. */
		struct tls_info info;
		if (tls_implicit(&s->io, &s->conf, (int)s->cfg.timeout,
		    s->cs.peer.ip, &info) < 0)
			_exit(EXIT_TEMP);
		smtp_tls_ready(s, &info);
	}
	smtp_greet(s);
	smtp_loop(s);
	plugin_fini_all();
	return 0;
}
