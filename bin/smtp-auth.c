/* ISC license. */
/* SMTP AUTH (RFC 4954): when it is offered, the exchange, the brakes. */
#include <stdio.h>
#include <string.h>

#include "../sdk/src/auth-internal.h"
#include "../sdk/src/log-internal.h"
#include "smtp-internal.h"

/* AUTH is offered when an auth plugin is configured and the channel is
 * encrypted, or auth_requires_tls = no, or the client is in
 * auth_cleartext_from (loopback is not trusted by default). */
bool
smtp_auth_offered(const struct smtp_session *s)
{
	if (s->auth == NULL)
		return false;
	if (s->is_tls || !s->cfg.auth_requires_tls)
		return true;
	return cidr_list_match(s->cfg.auth_cleartext_from, s->cs.peer.ip);
}

static const struct cartero_reply *
smtp_auth_reply(enum auth_result r)
{
	switch (r) {
	case AUTH_OK:
		return &REPLY_AUTH_OK;
	case AUTH_FAIL:
		return &REPLY_AUTH_FAILED;
	case AUTH_TEMP:
		return &REPLY_AUTH_TEMP;
	case AUTH_CANCEL:
		return &REPLY_AUTH_CANCELLED;
	case AUTH_BAD_BASE64:
		return &REPLY_AUTH_BAD_BASE64;
	case AUTH_TOO_LONG:
		return &REPLY_AUTH_TOO_LONG;
	case AUTH_BAD_MECH:
		return &REPLY_AUTH_BAD_MECH;
	case AUTH_BAD_INITIAL:
		return &REPLY_AUTH_BAD_INITIAL;
	case AUTH_EOF:
	case AUTH_TIMEOUT:
		break;
	}
	return NULL;
}

/* auth-command = "AUTH" SP sasl-mech [SP initial-response] */
void
smtp_auth(struct smtp_session *s, char *arg)
{
	static struct auth_exchange x;
	char *initial = strchr(arg, ' ');
	char q[300];

	if (!smtp_auth_offered(s)) {
		smtp_reply(s, s->auth ? &REPLY_AUTH_NEEDS_TLS
				      : &REPLY_AUTH_UNAVAILABLE, NULL);
		return;
	}
	if (s->cs.auth_user[0] != '\0') {
		smtp_reply(s, &REPLY_AUTH_TWICE, NULL);
		return;
	}
	if (initial != NULL)
		*initial++ = '\0';
	x.io = &s->io;
	x.auth = s->auth;
	x.hostname = s->cs.hostname;
	x.prefix = "334 ";
	x.timeout = (int)s->cfg.timeout;
	enum auth_result r = auth_run(&x, arg, initial);
	if (initial != NULL)
		explicit_bzero(initial, strlen(initial));
	if (r == AUTH_EOF || r == AUTH_TIMEOUT) {
		if (r == AUTH_TIMEOUT)
			smtp_reply(s, &REPLY_TIMEOUT, NULL);
		s->why = r == AUTH_EOF ? "eof" : "timeout";
		smtp_enter(s, SMTP_QUIT);
		return;
	}
	/* A mechanism name is a token; anything else may carry a
	 * credential glued to it, and is never logged. */
	char qm[24];
	snprintf(qm, sizeof qm, "%s", auth_mech_ok(arg) ? arg : "invalid");
	if (r == AUTH_OK) {
		memcpy(s->cs.auth_user, x.user, sizeof x.user);
		log_event("auth", "result=ok mech=%s user=%s ip=%s", qm,
		    log_quote(q, sizeof q, x.user), s->cs.peer.ip);
		smtp_reply(s, &REPLY_AUTH_OK, NULL);
		return;
	}
	log_event("auth", "result=%s mech=%s user=%s ip=%s",
	    r == AUTH_TEMP ? "tempfail" : "fail", qm,
	    log_quote(q, sizeof q, x.user), s->cs.peer.ip);
	if (r == AUTH_FAIL) {
		/* The brakes: a growing delay, then a cap (RFC 4954 9). */
		s->auth_failures++;
		io_flush(&s->io);
		auth_penalty(s->auth_failures, s->cfg.auth_delay);
		if (s->auth_failures >= s->cfg.max_auth_failures) {
			smtp_reply(s, &REPLY_AUTH_FAILED, NULL);
			smtp_reply(s, &REPLY_AUTH_TOO_MANY, NULL);
			s->why = "auth-failures";
			smtp_enter(s, SMTP_QUIT);
			return;
		}
	}
	smtp_reply(s, smtp_auth_reply(r), NULL);
}
