/* ISC license. */
/* The host table: what plugins may read of a session. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf-internal.h"
#include "log-internal.h"
#include "plugin-internal.h"
#include "session-internal.h"

static void
host_log(const struct cartero_session *s, const char *event,
    const char *fmt, ...)
{
	char buf[1536];
	va_list ap;

	(void)s;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	log_event(event, "%s", buf);
}

static const char *
host_session_get(const struct cartero_session *s, enum cartero_item item)
{
	switch (item) {
	case CARTERO_SESSION_ID:
		return s->sid;
	case CARTERO_CLIENT_IP:
		return s->peer.ip;
	case CARTERO_CLIENT_PORT:
		return s->peer.port[0] ? s->peer.port : NULL;
	case CARTERO_HELO:
		return s->helo[0] ? s->helo : NULL;
	case CARTERO_SENDER:
		return s->has_sender ? s->sender.full : NULL;
	case CARTERO_QUEUE_ID:
		return s->queue_id[0] ? s->queue_id : NULL;
	case CARTERO_PROTOCOL:
		return s->protocol;
	case CARTERO_AUTH_USER:
		return s->auth_user[0] ? s->auth_user : NULL;
	case CARTERO_HOSTNAME:
		return s->hostname;
	}
	return NULL;
}

static size_t
host_rcpt_count(const struct cartero_session *s)
{
	return s->n_rcpts;
}

static const struct cartero_address *
host_rcpt_get(const struct cartero_session *s, size_t i)
{
	return i < s->n_rcpts ? &s->rcpts[i].view : NULL;
}

static int
host_header_add(struct cartero_session *s, const char *name,
    const char *value)
{
	size_t nl = strlen(name), vl = strlen(value);

	/* Fields belong to one message: only inside a transaction. */
	if (!s->has_sender || nl == 0 || nl > 76)
		return -1;
	for (const char *p = name; *p; p++)
		if (*p <= 32 || *p >= 127 || *p == ':')
			return -1;
	for (const char *p = value; *p; p++)
		if (*p == '\r' || *p == '\n' || *p == '\0')
			return -1;
	if (s->added_len + nl + vl + 4 > sizeof s->added)
		return -1;
	memcpy(s->added + s->added_len, name, nl);
	s->added_len += nl;
	memcpy(s->added + s->added_len, ": ", 2);
	s->added_len += 2;
	memcpy(s->added + s->added_len, value, vl);
	s->added_len += vl;
	memcpy(s->added + s->added_len, "\r\n", 2);
	s->added_len += 2;
	return 0;
}

static int
host_message_fd(const struct cartero_session *s)
{
	return s->msg_fd;
}

static off_t
host_message_size(const struct cartero_session *s)
{
	return s->msg_size;
}

static const struct conf *session_conf;

void
session_set_conf(const struct conf *c)
{
	session_conf = c;
}

static const struct cartero_tls *
host_tls_module(const char **error_r)
{
	if (session_conf == NULL) {
		*error_r = "no configuration";
		return NULL;
	}
	struct plugin *p = plugin_get(session_conf, "tls", PLUGIN_TLS,
	    &session_host, error_r);
	return p ? p->desc->tls : NULL;
}

const struct cartero_host session_host = {
	.abi = CARTERO_ABI_VERSION,
	.size = sizeof(struct cartero_host),
	.log = host_log,
	.conf_get = conf_get,
	.conf_path = conf_path,
	.session_get = host_session_get,
	.rcpt_count = host_rcpt_count,
	.rcpt_get = host_rcpt_get,
	.message_fd = host_message_fd,
	.message_size = host_message_size,
	.log_quote = log_quote,
	.header_add = host_header_add,
	.tls_module = host_tls_module,
};

void
session_view(struct cartero_address *view, const struct addr *a)
{
	view->full = a->full;
	view->local = a->local;
	view->domain = a->domain;
}

void
session_txn_reset(struct cartero_session *cs)
{
	cs->has_sender = false;
	memset(&cs->sender_view, 0, sizeof cs->sender_view);
	cs->queue_id[0] = '\0';
	cs->n_rcpts = 0;
	cs->msg_fd = -1;
	cs->msg_size = 0;
	cs->added_len = 0;
}

struct rcpt *
session_rcpt_add(struct cartero_session *cs)
{
	if (cs->n_rcpts == cs->cap_rcpts) {
		size_t cap = cs->cap_rcpts ? cs->cap_rcpts * 2 : 16;
		struct rcpt *r = realloc(cs->rcpts, cap * sizeof *r);
		if (r == NULL)
			return NULL;
		cs->rcpts = r;
		cs->cap_rcpts = cap;
		/* The array moved: each view points into its own addr. */
		for (size_t i = 0; i < cs->n_rcpts; i++)
			session_view(&cs->rcpts[i].view, &cs->rcpts[i].addr);
	}
	struct rcpt *r = &cs->rcpts[cs->n_rcpts];
	memset(r, 0, sizeof *r);
	return r;
}
