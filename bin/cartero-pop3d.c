/* ISC license. */
/* cartero-pop3d: one POP3 session on fd 0/1. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../sdk/src/log-internal.h"
#include "pop3-internal.h"

static struct pop3_session session;

/* Refuses service before or instead of the greeting (SPEC: -ERR
 * [SYS/TEMP]), with a log line and the documented exit code. */
static void __attribute__((noreturn))
die_unavailable(int code, const char *what, const char *error)
{
	char q[1024];

	log_event(what, "error=%s", log_quote(q, sizeof q, error));
	/* A client waiting to start TLS could not read a plaintext -ERR. */
	if (!session.is_implicit_tls) {
		io_puts(&session.io, "-ERR [SYS/TEMP] Service temporarily "
		    "unavailable\r\n");
		io_flush(&session.io);
	}
	_exit(code);
}

static void __attribute__((noreturn))
die_usage(void)
{
	fputs("usage: cartero-pop3d [-c FILE] [--tls]\n", stderr);
	_exit(EXIT_USAGE);
}

int
main(int argc, char **argv)
{
	struct pop3_session *s = &session;
	const char *err, *conf_file = NULL;

	signal(SIGPIPE, SIG_IGN);
	setup_log_fd();
	s->cs.sid = log_session_init();
	s->cs.protocol = "POP3";
	s->cs.msg_fd = -1;
	s->tls_avail = -1;
	io_init(&s->io, 0, 1, 600);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
			conf_file = argv[++i];
		else if (strcmp(argv[i], "--tls") == 0)
			s->is_implicit_tls = true;
		else
			die_usage();
	}
	session_set_conf(&s->conf);
	if (pop3_setup(s, conf_file, &err) < 0)
		die_unavailable(EXIT_USAGE, "config", err);
	io_init(&s->io, 0, 1, (int)s->timeout);
	peer_discover(&s->cs.peer, 0);
	io_nodelay(1);
	if (setup_proxy(&s->conf, "pop3d", &s->cs.peer, (int)s->timeout,
	    &err) < 0) {
		char q[300];
		log_event("proxy", "ip=%s error=%s", s->cs.peer.ip,
		    log_quote(q, sizeof q, err));
		_exit(0);
	}
	log_event("connect", "ip=%s port=%s mode=pop3", s->cs.peer.ip,
	    s->cs.peer.port[0] ? s->cs.peer.port : "-");
	s->auth = plugin_get(&s->conf, conf_get(conf_section(&s->conf,
	    "pop3d", ""), "auth"), PLUGIN_AUTH, &session_host, &err);
	if (s->auth == NULL)
		die_unavailable(plugin_error_is_config() ? EXIT_USAGE : EXIT_TEMP,
		    plugin_error_is_config() ? "config" : "plugin-load", err);
	if (s->is_implicit_tls) {
		/* RFC 8314 3: the handshake first, the greeting inside it. */
		struct tls_info info;
		if (tls_implicit(&s->io, &s->conf, (int)s->timeout,
		    s->cs.peer.ip, &info) < 0)
			_exit(EXIT_TEMP);
		pop3_tls_ready(s, &info);
	}
	pop3_greet(s);
	pop3_loop(s);
	plugin_fini_all();
	return 0;
}
