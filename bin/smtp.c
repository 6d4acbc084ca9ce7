/* ISC license. */
/* SMTP and LMTP: the command table, its handlers and the state changes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../sdk/src/auth-internal.h"
#include "../sdk/src/log-internal.h"
#include "../sdk/src/tls-internal.h"
#include "smtp-internal.h"

enum arg_rule { ARG_NONE, ARG_REQUIRED, ARG_OPTIONAL };

#define ALLOW(st) (1u << (st))
#define ALLOW_ANY (ALLOW(SMTP_CONNECTED) | ALLOW(SMTP_GREETED) | \
	ALLOW(SMTP_MAIL) | ALLOW(SMTP_RCPT))
#define ALLOW_ALWAYS (ALLOW_ANY | ALLOW(SMTP_BDAT))	/* RFC 5321 4.1.4 */
#define ALLOW_GREETED (ALLOW(SMTP_GREETED))
#define ALLOW_TXN (ALLOW(SMTP_MAIL) | ALLOW(SMTP_RCPT))

#define CMD_FLUSH 1u		/* reply at once, never buffered (RFC 2920) */
#define CMD_SMTP 2u		/* not in LMTP */
#define CMD_LMTP 4u		/* only in LMTP */
#define CMD_ANY_STATE 8u	/* gates itself (BDAT must eat its data) */

struct smtp_cmd {
	const char *verb;
	void (*run)(struct smtp_session *s, char *arg);
	unsigned allow;
	enum arg_rule arg;
	unsigned flags;
};

static void cmd_helo(struct smtp_session *, char *);
static void cmd_ehlo(struct smtp_session *, char *);
static void cmd_lhlo(struct smtp_session *, char *);
static void cmd_mail(struct smtp_session *, char *);
static void cmd_rcpt(struct smtp_session *, char *);
static void cmd_data(struct smtp_session *, char *);
static void cmd_bdat(struct smtp_session *, char *);
static void cmd_auth(struct smtp_session *, char *);
static void cmd_starttls(struct smtp_session *, char *);
static void cmd_rset(struct smtp_session *, char *);
static void cmd_noop(struct smtp_session *, char *);
static void cmd_quit(struct smtp_session *, char *);
static void cmd_help(struct smtp_session *, char *);
static void cmd_vrfy(struct smtp_session *, char *);
static void cmd_expn(struct smtp_session *, char *);
static void cmd_obsolete(struct smtp_session *, char *);
static void cmd_unknown(struct smtp_session *, char *);

static const struct smtp_cmd smtp_commands[] = {
	{ "EHLO", cmd_ehlo, ALLOW_ANY, ARG_REQUIRED, CMD_FLUSH | CMD_SMTP },
	{ "HELO", cmd_helo, ALLOW_ANY, ARG_REQUIRED, CMD_FLUSH | CMD_SMTP },
	{ "LHLO", cmd_lhlo, ALLOW_ANY, ARG_REQUIRED, CMD_FLUSH | CMD_LMTP },
	{ "MAIL", cmd_mail, ALLOW_GREETED, ARG_REQUIRED, 0 },
	{ "RCPT", cmd_rcpt, ALLOW_TXN, ARG_REQUIRED, 0 },
	{ "DATA", cmd_data, ALLOW(SMTP_RCPT), ARG_NONE, CMD_FLUSH },
	{ "BDAT", cmd_bdat, ALLOW_ANY, ARG_REQUIRED, CMD_ANY_STATE },
	{ "AUTH", cmd_auth, ALLOW_GREETED, ARG_REQUIRED, CMD_FLUSH },
	{ "STARTTLS", cmd_starttls, ALLOW_GREETED, ARG_NONE, CMD_FLUSH },
	{ "RSET", cmd_rset, ALLOW_ALWAYS, ARG_NONE, 0 },
	{ "NOOP", cmd_noop, ALLOW_ALWAYS, ARG_OPTIONAL, CMD_FLUSH },
	{ "QUIT", cmd_quit, ALLOW_ALWAYS | ALLOW(SMTP_REJECTED), ARG_NONE,
	    CMD_FLUSH },
	{ "HELP", cmd_help, ALLOW_ALWAYS, ARG_OPTIONAL, CMD_FLUSH },
	{ "VRFY", cmd_vrfy, ALLOW_ALWAYS, ARG_REQUIRED, CMD_FLUSH },
	{ "EXPN", cmd_expn, ALLOW_ALWAYS, ARG_REQUIRED, CMD_FLUSH },
	{ "SEND", cmd_obsolete, ALLOW_ANY, ARG_OPTIONAL, CMD_FLUSH },
	{ "SOML", cmd_obsolete, ALLOW_ANY, ARG_OPTIONAL, CMD_FLUSH },
	{ "SAML", cmd_obsolete, ALLOW_ANY, ARG_OPTIONAL, CMD_FLUSH },
	{ "TURN", cmd_obsolete, ALLOW_ANY, ARG_OPTIONAL, CMD_FLUSH },
	{ NULL, cmd_unknown, ALLOW_ANY, ARG_OPTIONAL, CMD_FLUSH },
};

#define CASE(x) case x: return #x
static const char *
smtp_state_name(enum smtp_state st)
{
	switch (st) {
	CASE(SMTP_CONNECTED);
	CASE(SMTP_GREETED);
	CASE(SMTP_MAIL);
	CASE(SMTP_RCPT);
	CASE(SMTP_BDAT);
	CASE(SMTP_REJECTED);
	CASE(SMTP_QUIT);
	}
	return "?";
}
#undef CASE

void
smtp_enter(struct smtp_session *s, enum smtp_state new)
{
	static int is_debug = -1;	/* read once: getenv() scans environ */

	if (is_debug < 0)
		is_debug = getenv("CARTERO_DEBUG") != NULL;
	if (is_debug)
		log_event("state", "from=%s to=%s", smtp_state_name(s->state),
		    smtp_state_name(new));
	s->state = new;
}

/* The one place a reply line is made; replies >= 400 are logged here. */
void
smtp_reply(struct smtp_session *s, const struct cartero_reply *r,
    const char *arg)
{
	char buf[600];
	int n = snprintf(buf, sizeof buf, "%d %s%s%s%s%s\r\n", r->code,
	    r->status ? r->status : "", r->status ? " " : "", r->text,
	    arg ? " " : "", arg ? arg : "");

	if (n < 0 || (size_t)n >= sizeof buf) {
		n = (int)sizeof buf - 1;
		buf[n - 2] = '\r';
		buf[n - 1] = '\n';
	}
	io_write(&s->io, buf, (size_t)n);
	if (r->code >= 400) {
		char q[256];
		log_event("reply", "code=%d status=%s cmd=%s text=%s", r->code,
		    r->status ? r->status : "-", s->cmd ? s->cmd : "-",
		    log_quote(q, sizeof q, r->text));
	}
	if (r->code >= 500)
		s->errors++;
}

void
smtp_txn_reset(struct smtp_session *s)
{
	struct smtp_txn *t = &s->txn;

	for (size_t i = 0; i < s->cs.n_rcpts; i++) {
		struct rcpt *r = &s->cs.rcpts[i];
		if (r->handle != NULL)
			r->store->desc->store->deliver_end(r->store->state,
			    r->handle, 0);
		r->handle = NULL;
	}
	for (size_t i = 0; i < t->n_hops; i++) {
		struct smtp_hop *h = &t->hops[i];
		h->store->desc->store->txn_end(h->store->state, h->txn);
	}
	t->n_hops = 0;
	spool_close(&t->spool);
	t->body = BODY_7BIT;
	t->is_smtputf8 = false;
	t->declared_size = 0;
	t->data_size = 0;
	t->is_too_big = false;
	t->has_bare_eol = false;
	t->bdat_prev_cr = false;
	t->bdat_error = NULL;
	session_txn_reset(&s->cs);
	if (s->state == SMTP_MAIL || s->state == SMTP_RCPT ||
	    s->state == SMTP_BDAT)
		smtp_enter(s, SMTP_GREETED);
}

void
smtp_greet(struct smtp_session *s)
{
	struct cartero_reply r;
	char buf[400];

	if (filter_run(s, HOOK_CONNECT, NULL, &r) > CARTERO_ACCEPT) {
		if (r.code / 100 == 4) {
			/* Temporary: say so and go (RFC 5321 3.1). */
			smtp_reply(s, &r, NULL);
			smtp_enter(s, SMTP_QUIT);
			return;
		}
		smtp_reply(s, &r, NULL);
		smtp_enter(s, SMTP_REJECTED);
		return;
	}
	snprintf(buf, sizeof buf, "220 %s %s cartero\r\n", s->cs.hostname,
	    s->cfg.is_lmtp ? "LMTP" : "ESMTP");
	io_puts(&s->io, buf);
}

/* HELO/EHLO/LHLO argument: one domain or address literal, printable ASCII
 * (RFC 5321 4.1.1.1); anything else is refused, never logged raw. */
static bool
smtp_helo_ok(const char *arg)
{
	size_t n = strlen(arg);

	if (n == 0 || n > 255)
		return false;
	for (const char *p = arg; *p; p++)
		if (*p <= 32 || *p >= 127)
			return false;
	return true;
}

static void
smtp_hello(struct smtp_session *s, char *arg, bool is_esmtp)
{
	struct cartero_reply r;

	if (!smtp_helo_ok(arg)) {
		smtp_reply(s, &REPLY_BAD_HELO, NULL);
		return;
	}
	/* A new HELO resets the transaction like RSET (4.1.4). */
	smtp_txn_reset(s);
	if (filter_run(s, HOOK_HELO, arg, &r) > CARTERO_ACCEPT) {
		smtp_reply(s, &r, NULL);
		return;
	}
	strcpy(s->cs.helo, arg);
	s->is_esmtp = is_esmtp;
	s->cs.protocol = s->cfg.is_lmtp ? "LMTP" : is_esmtp ? "ESMTP" : "SMTP";
	smtp_enter(s, SMTP_GREETED);

	char buf[400];
	if (!is_esmtp) {
		snprintf(buf, sizeof buf, "250 %s\r\n", s->cs.hostname);
		io_puts(&s->io, buf);
		return;
	}
	char authline[64] = "";
	const char *tlsline = smtp_tls_offered(s) ? "250-STARTTLS\r\n" : "";
	if (smtp_auth_offered(s) && s->cs.auth_user[0] == '\0')
		snprintf(authline, sizeof authline, "250-AUTH %s\r\n",
		    auth_mechanisms(s->auth));
	snprintf(buf, sizeof buf,
	    "250-%s\r\n"
	    "250-PIPELINING\r\n"
	    "250-SIZE %llu\r\n"
	    "250-8BITMIME\r\n"
	    "250-ENHANCEDSTATUSCODES\r\n"
	    "250-SMTPUTF8\r\n"
	    "%s%s"
	    "250 CHUNKING\r\n", s->cs.hostname, s->cfg.max_message_size,
	    tlsline, authline);
	io_puts(&s->io, buf);
}

static void
cmd_helo(struct smtp_session *s, char *arg)
{
	smtp_hello(s, arg, false);
}

static void
cmd_ehlo(struct smtp_session *s, char *arg)
{
	smtp_hello(s, arg, true);
}

static void
cmd_lhlo(struct smtp_session *s, char *arg)
{
	smtp_hello(s, arg, true);
}

/* Parses the decimal SIZE value, refusing overflow and leading junk. */
static bool
smtp_parse_size(const char *v, unsigned long long *n_r)
{
	unsigned long long n = 0;

	if (v == NULL || *v == '\0' || strlen(v) > 20)
		return false;
	for (; *v; v++) {
		if (*v < '0' || *v > '9')
			return false;
		unsigned d = (unsigned)(*v - '0');
		if (n > (~0ULL - d) / 10)
			return false;
		n = n * 10 + d;
	}
	*n_r = n;
	return true;
}

/* Mail-parameters (RFC 5321 4.1.2): SIZE (RFC 1870), BODY (RFC 6152),
 * SMTPUTF8 (RFC 6531), AUTH (RFC 4954 5: accepted, treated as AUTH=<>
 * since this client is not trusted to assert one). */
static const struct cartero_reply *
smtp_mail_params(struct smtp_session *s, char *rest)
{
	struct param params[PARAM_MAX];
	unsigned seen = 0;
	int n = param_split(rest, params);

	if (n < 0)
		return &REPLY_BAD_ARG;
	if (n > 0 && !s->is_esmtp)
		return &REPLY_UNKNOWN_PARAM;	/* none without EHLO */
	for (int i = 0; i < n; i++) {
		const char *k = params[i].keyword, *v = params[i].value;
		unsigned bit;
		if (strcmp(k, "SIZE") == 0) {
			bit = 1;
			if (!smtp_parse_size(v, &s->txn.declared_size))
				return &REPLY_BAD_PARAM;
		} else if (strcmp(k, "BODY") == 0) {
			bit = 2;
			if (v != NULL && strcasecmp(v, "7BIT") == 0)
				s->txn.body = BODY_7BIT;
			else if (v != NULL && strcasecmp(v, "8BITMIME") == 0)
				s->txn.body = BODY_8BITMIME;
			else
				return &REPLY_BAD_PARAM;
		} else if (strcmp(k, "SMTPUTF8") == 0) {
			bit = 4;
			if (v != NULL)
				return &REPLY_BAD_PARAM;
			s->txn.is_smtputf8 = true;
		} else if (strcmp(k, "AUTH") == 0) {
			bit = 8;
			if (v == NULL)
				return &REPLY_BAD_PARAM;
		} else
			return &REPLY_UNKNOWN_PARAM;
		if (seen & bit)
			return &REPLY_DUP_PARAM;
		seen |= bit;
	}
	if (s->txn.declared_size > s->cfg.max_message_size)
		return &REPLY_TOO_BIG;
	return NULL;
}

/* "FROM:" or "TO:" then the path; no space around the colon (3.3), though
 * one space after it is tolerated as most servers do. */
static char *
smtp_after_keyword(char *arg, const char *kw)
{
	size_t n = strlen(kw);

	if (strncasecmp(arg, kw, n) != 0)
		return NULL;
	arg += n;
	if (*arg == ' ')
		arg++;
	return arg;
}

static const struct cartero_reply *
smtp_addr_reply(enum addr_error e, const struct cartero_reply *syntax)
{
	switch (e) {
	case ADDR_OK:
		return NULL;
	case ADDR_TOO_LONG:
		return &REPLY_PATH_TOO_LONG;
	case ADDR_BAD_UTF8:
		return &REPLY_BAD_UTF8;
	case ADDR_SYNTAX:
		break;
	}
	return syntax;
}

/* mail = "MAIL FROM:" Reverse-path [SP Mail-parameters] CRLF */
static void
cmd_mail(struct smtp_session *s, char *arg)
{
	struct addr *a = &s->cs.sender;
	const char *end;
	const struct cartero_reply *err;
	struct cartero_reply r;
	char *path = smtp_after_keyword(arg, "FROM:");

	if (s->cfg.is_submission && s->cs.auth_user[0] == '\0') {
		smtp_reply(s, &REPLY_AUTH_REQUIRED, NULL);
		return;
	}
	if (path == NULL) {
		smtp_reply(s, &REPLY_BAD_ARG, NULL);
		return;
	}
	err = smtp_addr_reply(addr_parse_path(path, true, false, a, &end),
	    &REPLY_BAD_SENDER);
	if (err == NULL && *end != '\0' && *end != ' ')
		err = &REPLY_BAD_SENDER;
	if (err == NULL)
		err = smtp_mail_params(s, path + (end - path));
	if (err == NULL && a->has_utf8 && !s->txn.is_smtputf8)
		err = &REPLY_UTF8_NEEDED;
	if (err != NULL) {
		smtp_txn_reset(s);
		smtp_reply(s, err, NULL);
		return;
	}
	session_view(&s->cs.sender_view, a);
	if (filter_run(s, HOOK_MAIL, &s->cs.sender_view, &r) > CARTERO_ACCEPT) {
		smtp_txn_reset(s);
		smtp_reply(s, &r, NULL);
		return;
	}
	s->cs.has_sender = true;
	smtp_enter(s, SMTP_MAIL);
	smtp_reply(s, &REPLY_SENDER_OK, NULL);
}

/* Bare <postmaster> is the first local domain's postmaster (4.5.1). */
static void
smtp_bare_postmaster(const struct conf *c, struct addr *a)
{
	if (a->domain[0] != '\0')
		return;
	for (const struct cartero_conf *sec = c->first; sec; sec = sec->next)
		if (strcmp(sec->kind, "domain") == 0 && sec->name[0] != '*') {
			snprintf(a->domain, sizeof a->domain, "%s", sec->name);
			snprintf(a->full, sizeof a->full, "%s@%s", a->local,
			    sec->name);
			return;
		}
}

/* Copies a hop's reply, which is valid only until the plugin's next call,
 * and makes sure its class is one the client may hear. */
static const struct cartero_reply *
smtp_hop_reply(struct smtp_session *s, const struct cartero_reply *r)
{
	static char text[256];
	static struct cartero_reply copy;

	if (r->code < 400 || r->code > 599 || r->text == NULL)
		return &REPLY_TEMP_FAIL;
	snprintf(text, sizeof text, "%s", r->text);
	for (char *p = text; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	copy.code = r->code;
	copy.status = r->code >= 500 ? "5.0.0" : "4.0.0";
	if (r->status != NULL && strlen(r->status) < 12 &&
	    r->status[0] == '0' + r->code / 100)
		copy.status = r->status;
	copy.text = text;
	(void)s;
	return &copy;
}

/* A recipient for a hand-off store: the next hop decides at RCPT time,
 * in the transaction opened with it at its first recipient. */
static const struct cartero_reply *
smtp_hop_rcpt(struct smtp_session *s, struct rcpt *rc)
{
	struct smtp_txn *t = &s->txn;
	const struct cartero_store *st = rc->store->desc->store;
	struct cartero_reply r = { 0, NULL, NULL };
	struct smtp_hop *h = NULL;

	for (size_t i = 0; i < t->n_hops; i++)
		if (t->hops[i].store == rc->store &&
		    t->hops[i].section == rc->section)
			h = &t->hops[i];
	if (h == NULL) {
		if (t->n_hops == SMTP_MAX_HOPS)
			return &REPLY_TOO_MANY_RCPTS;
		h = &t->hops[t->n_hops];
		memset(h, 0, sizeof *h);
		h->store = rc->store;
		h->section = rc->section;
		if (st->txn_begin(rc->store->state, &s->cs, rc->section,
		    &h->txn, &r) < 0)
			return smtp_hop_reply(s, &r);
		t->n_hops++;
	}
	r.code = 0;
	if (st->txn_rcpt(rc->store->state, h->txn, &rc->view, &r) < 0)
		return smtp_hop_reply(s, &r);
	rc->hop = (int)(h - t->hops);
	h->n_rcpts++;
	return NULL;
}

/* Where a recipient goes: its [domain] section (exact, then the nearest
 * "*.parent" wildcard) and store, or [relay]; NULL when it may go. */
static const struct cartero_reply *
smtp_route(struct smtp_session *s, struct rcpt *rc)
{
	const struct conf *c = &s->conf;
	struct addr *a = &rc->addr;
	bool is_postmaster = addr_equal_ci(a->local, "postmaster");
	const char *err = NULL;
	const struct cartero_conf *domain = conf_domain(c, a->domain);

	rc->hop = -1;
	rc->section = domain;
	if (domain == NULL) {
		rc->section = conf_section(c, "relay", "");
		if (!s->cfg.may_relay && s->cs.auth_user[0] == '\0')
			return &REPLY_RELAY_DENIED;
		if (rc->section == NULL)
			return &REPLY_RELAY_DENIED;
	}
	rc->store = plugin_get(c, conf_get(rc->section, "store"), PLUGIN_STORE,
	    &session_host, &err);
	if (rc->store == NULL) {
		char q[1024];
		log_event("plugin-load", "error=%s", log_quote(q, sizeof q, err));
		return &REPLY_LOOKUP_FAIL;
	}
	const struct cartero_store *st = rc->store->desc->store;
	if (st->txn_rcpt != NULL)
		return NULL;	/* the hop decides, after the filters */
	if (domain == NULL || is_postmaster)
		return NULL;
	/* A local user must be known (cartero.conf(5) "recipients"). */
	int known;
	if (s->auth != NULL && s->auth->desc->auth->user_exists != NULL)
		known = s->auth->desc->auth->user_exists(s->auth->state,
		    a->full, &err);
	else {
		struct cartero_reply r = { 0, NULL, NULL };
		known = st->maildrop_exists
		    ? st->maildrop_exists(rc->store->state, rc->section,
			&rc->view, &r) : 1;
		err = r.text;
	}
	if (known < 0) {
		char q1[300], q2[300];
		log_event("lookup", "rcpt=%s error=%s",
		    log_quote(q1, sizeof q1, a->full),
		    log_quote(q2, sizeof q2, err ? err : "unknown"));
		return &REPLY_LOOKUP_FAIL;
	}
	return known ? NULL : &REPLY_NO_SUCH_USER;
}

/* rcpt = "RCPT TO:" ( "<Postmaster@" Domain ">" / "<Postmaster>" /
 *        Forward-path ) [SP Rcpt-parameters] CRLF */
static void
cmd_rcpt(struct smtp_session *s, char *arg)
{
	struct cartero_session *cs = &s->cs;
	struct rcpt *rc;
	const char *end;
	const struct cartero_reply *err;
	struct cartero_reply r;
	char *path = smtp_after_keyword(arg, "TO:");

	if (path == NULL) {
		smtp_reply(s, &REPLY_BAD_ARG, NULL);
		return;
	}
	if ((rc = session_rcpt_add(cs)) == NULL) {
		smtp_reply(s, &REPLY_TEMP_FAIL, NULL);
		return;
	}
	err = smtp_addr_reply(addr_parse_path(path, false, true, &rc->addr,
	    &end), &REPLY_BAD_RCPT);
	if (err == NULL && *end != '\0') {
		/* No RCPT parameters are supported (none are offered). */
		struct param params[PARAM_MAX];
		err = *end != ' ' || param_split(path + (end - path), params) < 0
		    ? &REPLY_BAD_ARG : &REPLY_UNKNOWN_PARAM;
	}
	if (err == NULL && rc->addr.has_utf8 && !s->txn.is_smtputf8)
		err = &REPLY_UTF8_NEEDED;
	if (err != NULL) {
		smtp_reply(s, err, NULL);
		return;
	}
	smtp_bare_postmaster(&s->conf, &rc->addr);
	session_view(&rc->view, &rc->addr);
	/* A repeated recipient is acknowledged but stored once; Postmaster
	 * is case-insensitive (RFC 5321 4.5.1), other local parts are not. */
	bool is_postmaster = addr_equal_ci(rc->addr.local, "postmaster");
	for (size_t i = 0; i < cs->n_rcpts; i++)
		if (is_postmaster ? addr_equal_ci(cs->rcpts[i].addr.full,
		    rc->addr.full) : strcmp(cs->rcpts[i].addr.full,
		    rc->addr.full) == 0) {
			smtp_reply(s, &REPLY_RCPT_OK, NULL);
			return;
		}
	/* Checked after the duplicates, so that a retried recipient is
	 * not refused (RFC 5321 4.5.3.1.10: 452, never a silent drop),
	 * and before a next hop is asked. */
	if (cs->n_rcpts >= s->cfg.max_recipients) {
		smtp_reply(s, &REPLY_TOO_MANY_RCPTS, NULL);
		return;
	}
	/* Our own verdict first (relay, unknown user), so that filters only
	 * see recipients we would take (a greylist records no relay
	 * attempts); then the filters; then a next hop, last, so it is
	 * asked only about recipients that will be in the message. */
	if ((err = smtp_route(s, rc)) != NULL ||
	    (filter_run(s, HOOK_RCPT, &rc->view, &r) > CARTERO_ACCEPT &&
	    (err = &r) != NULL) ||
	    (rc->store->desc->store->txn_rcpt != NULL &&
	    (err = smtp_hop_rcpt(s, rc)) != NULL)) {
		char q[300];
		log_event("rcpt-refused", "rcpt=%s code=%d",
		    log_quote(q, sizeof q, rc->addr.full), err->code);
		smtp_reply(s, err, NULL);
		return;
	}
	cs->n_rcpts++;
	smtp_enter(s, SMTP_RCPT);
	smtp_reply(s, &REPLY_RCPT_OK, NULL);
}

static void
cmd_data(struct smtp_session *s, char *arg)
{
	(void)arg;
	if (s->txn.spool.fd >= 0) {
		smtp_reply(s, &REPLY_DATA_AFTER_BDAT, NULL);
		return;
	}
	smtp_data(s);
}

static void
cmd_bdat(struct smtp_session *s, char *arg)
{
	smtp_bdat(s, arg);
}

static void
cmd_auth(struct smtp_session *s, char *arg)
{
	smtp_auth(s, arg);
}

/*
 * STARTTLS (RFC 3207): whatever the client pipelined after the command is
 * dropped unread (CVE-2011-0411), and after the handshake the session
 * starts over, forgetting HELO, AUTH and the envelope (4.2).
 */
static void
smtp_tls_go(void *arg)
{
	smtp_reply(arg, &REPLY_TLS_GO, NULL);
}

static void
cmd_starttls(struct smtp_session *s, char *arg)
{
	struct tls_info info;

	(void)arg;
	if (s->is_tls) {
		smtp_reply(s, &REPLY_TLS_ACTIVE, NULL);
		return;
	}
	if (!smtp_tls_offered(s)) {
		smtp_reply(s, &REPLY_TLS_UNAVAILABLE, NULL);
		return;
	}
	switch (tls_upgrade(&s->io, &s->conf, (int)s->cfg.timeout,
	    s->cs.peer.ip, smtp_tls_go, s, &info)) {
	case TLS_UPGRADE_REFUSED:
		smtp_reply(s, &REPLY_TLS_UNAVAILABLE, NULL);
		return;
	case TLS_UPGRADE_FAILED:
		s->why = "tls-failed";
		smtp_enter(s, SMTP_QUIT);
		return;
	case TLS_UPGRADE_OK:
		break;
	}
	smtp_tls_ready(s, &info);
	smtp_txn_reset(s);
	s->cs.helo[0] = '\0';
	s->cs.auth_user[0] = '\0';
	s->is_esmtp = false;
	smtp_enter(s, SMTP_CONNECTED);
}

/* After a handshake: note the parameters, and what a certificate allows. */
void
smtp_tls_ready(struct smtp_session *s, const struct tls_info *info)
{
	s->is_tls = true;
	s->tls = *info;
	if (info->peer != NULL && s->cfg.relay_client_certs)
		s->cfg.may_relay = true;
}

/* STARTTLS is offered when [tls] has a readable cert and key (checked
 * once, without loading GnuTLS) and TLS is not up yet. */
bool
smtp_tls_offered(struct smtp_session *s)
{
	if (s->tls_avail < 0)
		s->tls_avail = tls_available(&s->conf);
	return s->tls_avail == 1 && !s->is_tls;
}

static void
cmd_rset(struct smtp_session *s, char *arg)
{
	(void)arg;
	smtp_txn_reset(s);
	smtp_reply(s, &REPLY_RESET, NULL);
}

static void
cmd_noop(struct smtp_session *s, char *arg)
{
	(void)arg;
	smtp_reply(s, &REPLY_OK, NULL);
}

static void
cmd_quit(struct smtp_session *s, char *arg)
{
	(void)arg;
	smtp_reply(s, &REPLY_BYE, NULL);
	smtp_enter(s, SMTP_QUIT);
}

static void
cmd_help(struct smtp_session *s, char *arg)
{
	(void)arg;
	smtp_reply(s, &REPLY_HELP, NULL);
}

static void
cmd_vrfy(struct smtp_session *s, char *arg)
{
	(void)arg;
	smtp_reply(s, &REPLY_VRFY, NULL);
}

static void
cmd_expn(struct smtp_session *s, char *arg)
{
	(void)arg;
	smtp_reply(s, &REPLY_EXPN, NULL);
}

static void
cmd_obsolete(struct smtp_session *s, char *arg)
{
	(void)arg;
	smtp_reply(s, &REPLY_OBSOLETE, NULL);
}

static void
cmd_unknown(struct smtp_session *s, char *arg)
{
	(void)arg;
	smtp_reply(s, &REPLY_UNKNOWN, NULL);
}

/* The reply for a verb that is known but not allowed in this state. */
static const struct cartero_reply *
smtp_sequence_reply(const struct smtp_session *s, const struct smtp_cmd *c)
{
	if (s->state == SMTP_REJECTED)
		return &REPLY_SESSION_REJECTED;
	if (s->state == SMTP_CONNECTED)
		return s->cfg.is_lmtp ? &REPLY_NEED_LHLO : &REPLY_NEED_HELO;
	if (s->state == SMTP_BDAT)
		return c->run == cmd_data ? &REPLY_DATA_AFTER_BDAT
					  : &REPLY_BDAT_PENDING;
	if (c->run == cmd_mail)
		return &REPLY_NESTED_MAIL;
	if (c->run == cmd_auth)
		return &REPLY_AUTH_IN_TXN;
	if (c->run == cmd_starttls)
		return &REPLY_STARTTLS_IN_TXN;
	if (c->run == cmd_data && s->state == SMTP_MAIL)
		return &REPLY_NO_VALID_RCPTS;
	return &REPLY_NEED_MAIL;
}

static const struct smtp_cmd *
smtp_lookup(const struct smtp_session *s, const char *verb, size_t n)
{
	const struct smtp_cmd *c = smtp_commands;

	for (; c->verb != NULL; c++) {
		if (n != strlen(c->verb) || strncasecmp(verb, c->verb, n) != 0)
			continue;
		if ((c->flags & CMD_SMTP) && s->cfg.is_lmtp)
			continue;
		if ((c->flags & CMD_LMTP) && !s->cfg.is_lmtp)
			continue;
		break;
	}
	return c;
}

/* Runs one complete command line through the table. */
static void
smtp_dispatch(struct smtp_session *s, char *line)
{
	size_t n = strcspn(line, " ");
	char *arg = line[n] ? line + n + 1 : NULL;
	const struct smtp_cmd *c = smtp_lookup(s, line, n);

	s->cmd = c->verb ? c->verb : "unknown";
	if (c->run != cmd_mail && strlen(line) + 2 > SMTP_LINE_MAX) {
		smtp_reply(s, &REPLY_LINE_TOO_LONG, NULL);
		return;
	}
	if (s->state == SMTP_REJECTED && c->run != cmd_quit) {
		smtp_reply(s, &REPLY_SESSION_REJECTED, NULL);
		return;
	}
	if (c->verb != NULL && !(c->flags & CMD_ANY_STATE) &&
	    !(c->allow & ALLOW(s->state))) {
		smtp_reply(s, smtp_sequence_reply(s, c), NULL);
		return;
	}
	if (c->verb != NULL && c->arg == ARG_NONE && arg != NULL) {
		smtp_reply(s, &REPLY_NEED_NO_ARG, NULL);
		return;
	}
	if (c->verb != NULL && c->arg == ARG_REQUIRED &&
	    (arg == NULL || *arg == '\0')) {
		smtp_reply(s, &REPLY_NEED_ARG, NULL);
		return;
	}
	c->run(s, arg ? arg : (char *)"");
	if (c->flags & CMD_FLUSH)
		io_flush(&s->io);
}

void
smtp_disconnect(struct smtp_session *s, const char *why)
{
	smtp_txn_reset(s);
	io_flush(&s->io);
	filter_disconnect(s);
	log_event("disconnect", "reason=%s messages=%u recipients=%u "
	    "errors=%u", why, s->n_messages, s->n_rcpts_total, s->errors);
}

void
smtp_loop(struct smtp_session *s)
{
	const char *why = "quit";

	while (s->state != SMTP_QUIT) {
		if (s->why != NULL) {
			why = s->why;
			goto out;
		}
		size_t len;
		io_deadline_set(&s->io, (int)s->cfg.timeout);
		/* The cap counts the CRLF: MAIL's limit here, the other
		 * verbs' in smtp_dispatch(). */
		enum line_status st = line_read(&s->io, s->line,
		    SMTP_MAIL_LINE_MAX, &len);
		s->cmd = NULL;
		switch (st) {
		case LINE_OK:
			smtp_dispatch(s, s->line);
			break;
		case LINE_TOO_LONG:
			smtp_reply(s, &REPLY_LINE_TOO_LONG, NULL);
			break;
		case LINE_BARE_LF:
		case LINE_BARE_CR:
			smtp_reply(s, &REPLY_BARE_EOL, NULL);
			break;
		case LINE_NUL:
			smtp_reply(s, &REPLY_NUL, NULL);
			break;
		case LINE_EOF:
			why = "eof";
			goto out;
		case LINE_TIMEOUT:
			smtp_reply(s, &REPLY_TIMEOUT, NULL);
			why = "timeout";
			goto out;
		case LINE_ERROR:
			log_event("error", "op=read error=\"%s\"",
			    strerror(errno));
			why = "read-error";
			goto out;
		}
		if (s->why != NULL) {
			why = s->why;
			goto out;
		}
		if (s->io.is_broken) {
			why = "write-error";
			goto out;
		}
		if (s->state != SMTP_QUIT && s->errors >= s->cfg.max_errors) {
			s->cmd = NULL;
			smtp_reply(s, &REPLY_TOO_MANY_ERRORS, NULL);
			why = "errors";
			goto out;
		}
	}
out:
	smtp_disconnect(s, why);
	tls_end(&s->io);
}
