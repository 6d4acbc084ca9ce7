/* ISC license. */
/* POP3 (RFC 1939, RFC 2449): the command table, its handlers, the states. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "../sdk/src/auth-internal.h"
#include "../sdk/src/log-internal.h"
#include "../sdk/src/tls-internal.h"
#include "../sdk/src/md5-internal.h"
#include "pop3-internal.h"

#define ALLOW(st) (1u << (st))
#define IN_AUTH ALLOW(POP3_AUTHORIZATION)
#define IN_TRANS ALLOW(POP3_TRANSACTION)

struct pop3_cmd {
	const char *verb;
	void (*run)(struct pop3_session *s, int argc, char **argv);
	unsigned allow;
	int min_args, max_args;
	bool is_redacted;	/* never log the arguments */
};

static void cmd_user(struct pop3_session *, int, char **);
static void cmd_pass(struct pop3_session *, int, char **);
static void cmd_apop(struct pop3_session *, int, char **);
static void cmd_quit(struct pop3_session *, int, char **);
static void cmd_capa(struct pop3_session *, int, char **);
static void cmd_stat(struct pop3_session *, int, char **);
static void cmd_list(struct pop3_session *, int, char **);
static void cmd_uidl(struct pop3_session *, int, char **);
static void cmd_retr(struct pop3_session *, int, char **);
static void cmd_top(struct pop3_session *, int, char **);
static void cmd_dele(struct pop3_session *, int, char **);
static void cmd_noop(struct pop3_session *, int, char **);
static void cmd_rset(struct pop3_session *, int, char **);
static void cmd_auth(struct pop3_session *, int, char **);
static void cmd_stls(struct pop3_session *, int, char **);

static const struct pop3_cmd pop3_commands[] = {
	{ "USER", cmd_user, IN_AUTH, 1, 1, false },
	{ "PASS", cmd_pass, IN_AUTH, 0, -1, true },
	{ "APOP", cmd_apop, IN_AUTH, 2, 2, true },
	{ "QUIT", cmd_quit, IN_AUTH | IN_TRANS, 0, 0, false },
	{ "CAPA", cmd_capa, IN_AUTH | IN_TRANS, 0, 0, false },
	{ "AUTH", cmd_auth, IN_AUTH, 0, 2, true },
	{ "STLS", cmd_stls, IN_AUTH, 0, 0, false },
	{ "STAT", cmd_stat, IN_TRANS, 0, 0, false },
	{ "LIST", cmd_list, IN_TRANS, 0, 1, false },
	{ "UIDL", cmd_uidl, IN_TRANS, 0, 1, false },
	{ "RETR", cmd_retr, IN_TRANS, 1, 1, false },
	{ "TOP", cmd_top, IN_TRANS, 2, 2, false },
	{ "DELE", cmd_dele, IN_TRANS, 1, 1, false },
	{ "NOOP", cmd_noop, IN_TRANS, 0, 0, false },
	{ "RSET", cmd_rset, IN_TRANS, 0, 0, false },
	{ NULL, NULL, 0, 0, 0, false },
};

/* The one place a POP3 status line is made; -ERR lines are logged. */
void
pop3_reply(struct pop3_session *s, const struct cartero_reply *r,
    const char *arg)
{
	char buf[600];
	int n;

	if (r->code < 300)
		n = snprintf(buf, sizeof buf, "+OK%s%s%s%s\r\n",
		    *r->text ? " " : "", r->text, arg ? " " : "",
		    arg ? arg : "");
	else
		n = snprintf(buf, sizeof buf, "-ERR %s%s%s%s%s%s\r\n",
		    r->status ? "[" : "", r->status ? r->status : "",
		    r->status ? "] " : "", r->text, arg ? " " : "",
		    arg ? arg : "");
	if (n < 0 || (size_t)n >= sizeof buf) {
		n = (int)sizeof buf - 1;
		buf[n - 2] = '\r';
		buf[n - 1] = '\n';
	}
	io_write(&s->io, buf, (size_t)n);
	if (r->code >= 300) {
		char q[256];
		log_event("reply", "code=-ERR status=%s cmd=%s text=%s",
		    r->status ? r->status : "-", s->cmd ? s->cmd : "-",
		    log_quote(q, sizeof q, r->text));
		if (r->status == NULL || strcmp(r->status, "AUTH") != 0)
			s->errors++;
	}
}

void
pop3_greet(struct pop3_session *s)
{
	char rnd[17];

	/* The APOP timestamp is a msg-id that differs for every greeting
	 * (RFC 1939 7); offered only when the auth plugin has secrets. */
	if (auth_has_secrets(s->auth)) {
		log_random_hex(rnd, sizeof rnd);
		snprintf(s->stamp, sizeof s->stamp, "<%ld.%s@%s>",
		    (long)getpid(), rnd, s->cs.hostname);
	}
	pop3_reply(s, &POP3_READY, s->stamp[0] ? s->stamp : NULL);
}

/* A domain's [domain] section and store for user@domain, or NULL. */
static const struct cartero_conf *
pop3_domain(struct pop3_session *s, struct addr *a)
{
	const char *at = strrchr(s->user, '@');

	memset(a, 0, sizeof *a);
	if (at == NULL || at == s->user || at[1] == '\0' ||
	    (size_t)(at - s->user) >= sizeof a->local)
		return NULL;
	memcpy(a->local, s->user, (size_t)(at - s->user));
	for (size_t i = 0; at[1 + i] && i + 1 < sizeof a->domain; i++) {
		char c = at[1 + i];
		a->domain[i] = c >= 'A' && c <= 'Z' ? (char)(c | 0x20) : c;
	}
	size_t nl = strlen(a->local), nd = strlen(a->domain);
	if (nl + 1 + nd >= sizeof a->full)
		return NULL;
	memcpy(a->full, a->local, nl);
	a->full[nl] = '@';
	memcpy(a->full + nl + 1, a->domain, nd + 1);
	return conf_domain(&s->conf, a->domain);
}

/* Counts a failed login; at the cap, waits and ends the session.  A
 * backend failure (err) is logged apart: it is not the client's fault. */
static void
pop3_auth_failed(struct pop3_session *s, const struct cartero_reply *r,
    const char *err)
{
	char q[300], e[300];

	if (r == &POP3_AUTH_FAILED)
		log_event("auth", "result=fail user=%s ip=%s",
		    log_quote(q, sizeof q, s->user), s->cs.peer.ip);
	else
		log_event("auth", "result=tempfail user=%s ip=%s error=%s",
		    log_quote(q, sizeof q, s->user), s->cs.peer.ip,
		    log_quote(e, sizeof e, err ? err : "-"));
	s->user[0] = '\0';
	if (r != &POP3_AUTH_FAILED) {
		pop3_reply(s, r, NULL);
		return;
	}
	/* The brakes: a growing delay after each failure, then a cap. */
	io_flush(&s->io);
	auth_penalty(++s->auth_failures, s->auth_delay);
	if (s->auth_failures >= s->max_auth_failures) {
		pop3_reply(s, &POP3_TOO_MANY_FAILURES, NULL);
		s->state = POP3_QUIT;
		s->why = "auth-failures";
		return;
	}
	pop3_reply(s, r, NULL);
}

/* Authenticated: lock and list the maildrop, enter TRANSACTION (4). */
static void
pop3_login(struct pop3_session *s, const struct cartero_conf *domain,
    struct addr *a)
{
	const char *err = NULL;
	struct cartero_reply r = { 0, NULL, NULL };
	struct cartero_address view = { a->full, a->local, a->domain };
	char q[300];

	s->store = plugin_get(&s->conf, conf_get(domain, "store"),
	    PLUGIN_STORE, &session_host, &err);
	const struct cartero_store *st = s->store ? s->store->desc->store
						  : NULL;
	if (st == NULL || st->maildrop_open == NULL) {
		log_event("plugin-load", "error=%s", log_quote(q, sizeof q,
		    err ? err : "the store cannot open maildrops"));
		pop3_reply(s, &POP3_SYS_TEMP, NULL);
		return;
	}
	if (st->maildrop_open(s->store->state, domain, &view, &s->maildrop,
	    &r) < 0) {
		char qe[300];
		log_event("maildrop", "user=%s error=%s",
		    log_quote(q, sizeof q, a->full),
		    log_quote(qe, sizeof qe, r.text ? r.text : "-"));
		pop3_reply(s, r.status && strcmp(r.status, "IN-USE") == 0
		    ? &POP3_IN_USE : &POP3_SYS_TEMP, NULL);
		return;
	}
	s->n_msgs = st->maildrop_count(s->maildrop);
	s->msgs = calloc(s->n_msgs ? s->n_msgs : 1, sizeof *s->msgs);
	if (s->msgs == NULL) {
		st->maildrop_close(s->maildrop);
		s->maildrop = NULL;
		pop3_reply(s, &POP3_SYS_TEMP, NULL);
		return;
	}
	off_t total = 0;
	for (size_t i = 0; i < s->n_msgs; i++) {
		struct cartero_msginfo info;
		if (st->maildrop_info(s->maildrop, i, &info) == 0)
			s->msgs[i].size = info.size;
		total += s->msgs[i].size;
	}
	memcpy(s->cs.auth_user, a->full, sizeof a->full);
	s->state = POP3_TRANSACTION;
	log_event("auth", "result=ok user=%s ip=%s messages=%zu octets=%lld",
	    log_quote(q, sizeof q, a->full), s->cs.peer.ip, s->n_msgs,
	    (long long)total);
	char arg[80];
	snprintf(arg, sizeof arg, "maildrop has %zu messages (%lld octets)",
	    s->n_msgs, (long long)total);
	pop3_reply(s, &POP3_OK, arg);
}

/* Plaintext logins (USER/PASS, AUTH PLAIN/LOGIN) only over TLS, unless
 * auth_requires_tls = no or the client is in auth_cleartext_from
 * (RFC 2595 2.3, RFC 5034 4). */
static bool
pop3_cleartext_ok(const struct pop3_session *s)
{
	return s->is_tls || !s->auth_requires_tls ||
	    cidr_list_match(s->auth_cleartext_from, s->cs.peer.ip);
}

static bool
pop3_tls_offered(struct pop3_session *s)
{
	if (s->tls_avail < 0)
		s->tls_avail = tls_available(&s->conf);
	return s->tls_avail == 1 && !s->is_tls;
}

void
pop3_tls_ready(struct pop3_session *s, const struct tls_info *info)
{
	(void)info;
	s->is_tls = true;
}

/* STLS (RFC 2595 4): bytes pipelined after it are dropped unread, and the
 * session stays in AUTHORIZATION with nothing remembered. */
static void
pop3_tls_go(void *arg)
{
	pop3_reply(arg, &POP3_TLS_GO, NULL);
}

static void
cmd_stls(struct pop3_session *s, int argc, char **argv)
{
	struct tls_info info;

	(void)argc;
	(void)argv;
	if (s->is_tls) {
		pop3_reply(s, &POP3_TLS_ACTIVE, NULL);
		return;
	}
	if (!pop3_tls_offered(s)) {
		pop3_reply(s, &POP3_TLS_UNAVAILABLE, NULL);
		return;
	}
	switch (tls_upgrade(&s->io, &s->conf, (int)s->timeout, s->cs.peer.ip,
	    pop3_tls_go, s, &info)) {
	case TLS_UPGRADE_REFUSED:
		pop3_reply(s, &POP3_TLS_UNAVAILABLE, NULL);
		return;
	case TLS_UPGRADE_FAILED:
		s->why = "tls-failed";
		s->state = POP3_QUIT;
		return;
	case TLS_UPGRADE_OK:
		break;
	}
	pop3_tls_ready(s, &info);
	s->user[0] = '\0';
}

static void
cmd_user(struct pop3_session *s, int argc, char **argv)
{
	(void)argc;
	if (!pop3_cleartext_ok(s)) {
		pop3_reply(s, &POP3_NEED_TLS, NULL);
		return;
	}
	if (strlen(argv[0]) >= sizeof s->user) {
		pop3_reply(s, &POP3_SYNTAX, NULL);
		return;
	}
	/* Always +OK: the answer to USER must not tell who exists. */
	strcpy(s->user, argv[0]);
	pop3_reply(s, &POP3_USER_OK, NULL);
}

/* Verifies with the auth plugin; the password is wiped by the caller. */
static void
pop3_verify(struct pop3_session *s, const char *password)
{
	const struct cartero_auth *au = s->auth->desc->auth;
	const char *err = NULL;
	struct addr a;
	const struct cartero_conf *domain = pop3_domain(s, &a);
	int ok = au->verify ? au->verify(s->auth->state, s->user, password,
	    &err) : 0;

	if (ok < 0) {
		pop3_auth_failed(s, &POP3_AUTH_BACKEND, err);
		return;
	}
	if (ok == 0 || domain == NULL) {
		pop3_auth_failed(s, &POP3_AUTH_FAILED, NULL);
		return;
	}
	pop3_login(s, domain, &a);
}

/* PASS takes the rest of the line: spaces may be part of the password. */
static void
cmd_pass(struct pop3_session *s, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	if (s->user[0] == '\0') {
		pop3_reply(s, &POP3_NEED_USER, NULL);
		return;
	}
	char *pw = s->line + 4;
	if (*pw == ' ')
		pw++;
	pop3_verify(s, pw);
	explicit_bzero(s->line, sizeof s->line);
}

/* apop = "APOP" SP name SP digest; digest = MD5(timestamp secret) */
static void
cmd_apop(struct pop3_session *s, int argc, char **argv)
{
	const struct cartero_auth *au = s->auth->desc->auth;
	char secret[512], buf[sizeof secret + sizeof s->stamp], hex[33];
	size_t len = 0;
	const char *err = NULL;
	struct addr a;

	(void)argc;
	if (s->stamp[0] == '\0') {
		pop3_reply(s, &POP3_NO_APOP, NULL);
		return;
	}
	if (strlen(argv[0]) >= sizeof s->user) {
		pop3_reply(s, &POP3_SYNTAX, NULL);
		return;
	}
	strcpy(s->user, argv[0]);
	const struct cartero_conf *domain = pop3_domain(s, &a);
	int has = au->secret(s->auth->state, s->user, secret, sizeof secret,
	    &len, &err);
	if (has < 0) {
		pop3_auth_failed(s, &POP3_AUTH_BACKEND, err);
		return;
	}
	if (has == 0)
		len = 0;	/* compare anyway: same time either way */
	size_t sl = strlen(s->stamp);
	memcpy(buf, s->stamp, sl);
	memcpy(buf + sl, secret, len);
	md5_hex(buf, sl + len, hex);
	explicit_bzero(secret, sizeof secret);
	explicit_bzero(buf, sizeof buf);
	/* Constant time over the 32 hex digits; case-insensitive input. */
	unsigned diff = strlen(argv[1]) != 32;
	for (size_t i = 0; i < 32 && argv[1][i]; i++) {
		unsigned char c = (unsigned char)argv[1][i];
		if (c >= 'A' && c <= 'F')
			c |= 0x20;
		diff |= c ^ (unsigned char)hex[i];
	}
	explicit_bzero(hex, sizeof hex);
	if (diff != 0 || has == 0 || domain == NULL) {
		pop3_auth_failed(s, &POP3_AUTH_FAILED, NULL);
		return;
	}
	pop3_login(s, domain, &a);
}

static void
cmd_quit(struct pop3_session *s, int argc, char **argv)
{
	struct cartero_reply r = { 0, NULL, NULL };

	(void)argc;
	(void)argv;
	if (s->state == POP3_AUTHORIZATION) {
		pop3_reply(s, &POP3_BYE, NULL);
		s->state = POP3_QUIT;
		return;
	}
	/* UPDATE (RFC 1939 6): only now are marked messages removed. */
	s->state = POP3_UPDATE;
	const struct cartero_store *st = s->store->desc->store;
	int bad = 0;
	for (size_t i = 0; i < s->n_msgs; i++)
		if (s->msgs[i].is_deleted &&
		    st->maildrop_delete(s->maildrop, i) < 0)
			bad = 1;
	int failed = st->maildrop_commit(s->maildrop, &r) < 0 || bad;
	/* Release the lock before the reply: a client that reconnects at
	 * once must not find its own old session in the way. */
	char rtext[300];
	snprintf(rtext, sizeof rtext, "%s", r.text ? r.text : "-");
	st->maildrop_close(s->maildrop);
	s->maildrop = NULL;
	if (failed) {
		char qe[300];
		log_event("update", "result=partial deleted=%u error=%s",
		    s->n_deleted, log_quote(qe, sizeof qe, rtext));
		pop3_reply(s, &POP3_NOT_REMOVED, NULL);
	} else {
		char arg[64];
		snprintf(arg, sizeof arg, "(%zu messages left)",
		    s->n_msgs - s->n_deleted);
		log_event("update", "result=ok deleted=%u retrieved=%u",
		    s->n_deleted, s->n_retrieved);
		pop3_reply(s, &POP3_BYE, arg);
	}
	s->state = POP3_QUIT;
}

static void
cmd_capa(struct pop3_session *s, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	pop3_reply(s, &POP3_CAPA, NULL);
	io_puts(&s->io, "TOP\r\n");
	/* Only what may be used now (RFC 2595 4: STLS while it can be). */
	if (pop3_cleartext_ok(s))
		io_puts(&s->io, "USER\r\n");
	io_puts(&s->io, "UIDL\r\nPIPELINING\r\nRESP-CODES\r\n"
	    "AUTH-RESP-CODE\r\n");
	if (pop3_cleartext_ok(s)) {
		io_puts(&s->io, "SASL ");
		io_puts(&s->io, auth_mechanisms(s->auth));
		io_puts(&s->io, "\r\n");
	}
	if (s->state == POP3_AUTHORIZATION && pop3_tls_offered(s))
		io_puts(&s->io, "STLS\r\n");
	io_puts(&s->io, "IMPLEMENTATION cartero\r\n.\r\n");
}

/* auth = "AUTH" SP sasl-mech [SP initial-response] (RFC 5034 4); a bare
 * "AUTH" lists the mechanisms, as RFC 1734 servers did. */
static void
cmd_auth(struct pop3_session *s, int argc, char **argv)
{
	static struct auth_exchange x;

	if (!pop3_cleartext_ok(s)) {
		pop3_reply(s, &POP3_NEED_TLS, NULL);
		return;
	}
	if (argc == 0) {
		pop3_reply(s, &POP3_OK, NULL);
		char list[64];
		snprintf(list, sizeof list, "%s", auth_mechanisms(s->auth));
		for (char *p = list; *p; p++)
			if (*p == ' ')
				*p = '\n';
		for (char *save, *m = strtok_r(list, "\n", &save); m;
		    m = strtok_r(NULL, "\n", &save)) {
			io_puts(&s->io, m);
			io_puts(&s->io, "\r\n");
		}
		io_puts(&s->io, ".\r\n");
		return;
	}
	x.io = &s->io;
	x.auth = s->auth;
	x.hostname = s->cs.hostname;
	x.prefix = "+ ";
	x.timeout = (int)s->timeout;
	enum auth_result r = auth_run(&x, argv[0], argc > 1 ? argv[1] : NULL);
	memcpy(s->user, x.user, sizeof s->user);
	switch (r) {
	case AUTH_OK: {
		struct addr a;
		const struct cartero_conf *domain = pop3_domain(s, &a);
		if (domain == NULL)
			pop3_auth_failed(s, &POP3_AUTH_FAILED, NULL);
		else
			pop3_login(s, domain, &a);
		return;
	}
	case AUTH_FAIL:
		pop3_auth_failed(s, &POP3_AUTH_FAILED, NULL);
		return;
	case AUTH_TEMP:
		pop3_auth_failed(s, &POP3_AUTH_BACKEND, "see auth-backend");
		return;
	case AUTH_EOF:
	case AUTH_TIMEOUT:
		/* RFC 1939 3: the autologout closes without a reply. */
		s->why = r == AUTH_EOF ? "eof" : "timeout";
		s->state = POP3_QUIT;
		return;
	case AUTH_CANCEL:
		pop3_reply(s, &POP3_AUTH_CANCELLED, NULL);
		return;
	case AUTH_BAD_BASE64:
		pop3_reply(s, &POP3_AUTH_BAD_BASE64, NULL);
		return;
	case AUTH_TOO_LONG:
		pop3_reply(s, &POP3_LINE_TOO_LONG, NULL);
		return;
	case AUTH_BAD_MECH:
	case AUTH_BAD_INITIAL:
		pop3_reply(s, &POP3_AUTH_BAD_MECH, NULL);
		return;
	}
}

/* msg = 1*DIGIT, naming a message that exists and is not deleted. */
static const struct cartero_reply *
pop3_msgno(struct pop3_session *s, const char *arg, size_t *i_r)
{
	size_t n = 0;

	if (*arg == '\0' || strlen(arg) > 10)
		return &POP3_NO_SUCH_MESSAGE;
	for (const char *p = arg; *p; p++) {
		if (*p < '0' || *p > '9')
			return &POP3_SYNTAX;
		n = n * 10 + (size_t)(*p - '0');
	}
	if (n == 0 || n > s->n_msgs)
		return &POP3_NO_SUCH_MESSAGE;
	if (s->msgs[n - 1].is_deleted)
		return &POP3_ALREADY_DELETED;
	*i_r = n - 1;
	return NULL;
}

static void
pop3_totals(const struct pop3_session *s, size_t *n_r, off_t *size_r)
{
	*n_r = 0;
	*size_r = 0;
	for (size_t i = 0; i < s->n_msgs; i++)
		if (!s->msgs[i].is_deleted) {
			(*n_r)++;
			*size_r += s->msgs[i].size;
		}
}

static void
cmd_stat(struct pop3_session *s, int argc, char **argv)
{
	size_t n;
	off_t size;
	char arg[64];

	(void)argc;
	(void)argv;
	pop3_totals(s, &n, &size);
	snprintf(arg, sizeof arg, "%zu %lld", n, (long long)size);
	pop3_reply(s, &POP3_OK, arg);
}

/* LIST and UIDL: one message, or every message not deleted. */
static void
pop3_listing(struct pop3_session *s, int argc, char **argv, bool is_uidl)
{
	const struct cartero_store *st = s->store->desc->store;
	struct cartero_msginfo info;
	const struct cartero_reply *err;
	char line[128];
	size_t i;

	if (argc == 1) {
		if ((err = pop3_msgno(s, argv[0], &i)) != NULL) {
			pop3_reply(s, err, NULL);
			return;
		}
		if (is_uidl && st->maildrop_info(s->maildrop, i, &info) < 0) {
			pop3_reply(s, &POP3_SYS_TEMP, NULL);
			return;
		}
		if (is_uidl)
			snprintf(line, sizeof line, "%zu %s", i + 1, info.uid);
		else
			snprintf(line, sizeof line, "%zu %lld", i + 1,
			    (long long)s->msgs[i].size);
		pop3_reply(s, &POP3_OK, line);
		return;
	}
	pop3_reply(s, is_uidl ? &POP3_UIDL : &POP3_LIST, NULL);
	for (i = 0; i < s->n_msgs; i++) {
		if (s->msgs[i].is_deleted)
			continue;
		int n;
		if (is_uidl) {
			if (st->maildrop_info(s->maildrop, i, &info) < 0)
				continue;
			n = snprintf(line, sizeof line, "%zu %s\r\n", i + 1,
			    info.uid);
		} else
			n = snprintf(line, sizeof line, "%zu %lld\r\n", i + 1,
			    (long long)s->msgs[i].size);
		io_write(&s->io, line, (size_t)n);
	}
	io_puts(&s->io, ".\r\n");
}

static void
cmd_list(struct pop3_session *s, int argc, char **argv)
{
	pop3_listing(s, argc, argv, false);
}

static void
cmd_uidl(struct pop3_session *s, int argc, char **argv)
{
	pop3_listing(s, argc, argv, true);
}

/*
 * Sends a message as a multi-line response: bare LF becomes CRLF, a line
 * starting with "." gets another, and a last line without an end gets
 * one.  With body_lines >= 0 only the header, the blank line and that many
 * body lines are sent (TOP).  Streams in blocks; never the whole message.
 */
static int
pop3_send_message(struct pop3_session *s, int fd, long body_lines)
{
	char in[65536], out[65536 * 2 + 4];
	bool at_bol = true, prev_cr = false, in_body = false;
	bool line_empty = true, is_done = false;
	off_t off = 0;

	while (!is_done) {
		ssize_t r = pread(fd, in, sizeof in, off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		off += r;
		size_t o = 0;
		for (ssize_t i = 0; i < r; i++) {
			/* Past a line's first byte, everything up to its LF
			 * goes out as it is: copy it in one go. */
			if (!at_bol) {
				const char *p = in + i;
				const char *lf = memchr(p, '\n', (size_t)(r - i));
				size_t k = lf ? (size_t)(lf - p) : (size_t)(r - i);
				if (k > 0) {
					memcpy(out + o, p, k);
					o += k;
					for (size_t j = 0; line_empty && j < k; j++)
						line_empty = p[j] == '\r';
					prev_cr = p[k - 1] == '\r';
					i += (ssize_t)k;
					if (i == r)
						break;
				}
			}
			char c = in[i];
			if (c == '\n') {
				if (!prev_cr)
					out[o++] = '\r';
				out[o++] = '\n';
				if (body_lines >= 0 && !in_body && line_empty) {
					/* The blank line ends the header. */
					in_body = true;
					is_done = body_lines == 0;
				} else if (body_lines >= 0 && in_body)
					is_done = --body_lines == 0;
				at_bol = line_empty = true;
				prev_cr = false;
				if (is_done)
					break;
				continue;
			}
			if (at_bol && c == '.')
				out[o++] = '.';
			out[o++] = c;
			at_bol = false;
			if (c != '\r')
				line_empty = false;
			prev_cr = c == '\r';
		}
		if (io_write(&s->io, out, o) < 0)
			return -1;
		/* A short read is not the end: after an I/O error part way
		 * the kernel returns what it read; the next read says. */
	}
	if (!at_bol)
		io_puts(&s->io, "\r\n");
	return io_puts(&s->io, ".\r\n");
}

static void
pop3_retrieve(struct pop3_session *s, const char *which, long body_lines)
{
	const struct cartero_store *st = s->store->desc->store;
	struct cartero_reply r = { 0, NULL, NULL };
	const struct cartero_reply *err;
	size_t i;

	if ((err = pop3_msgno(s, which, &i)) != NULL) {
		pop3_reply(s, err, NULL);
		return;
	}
	int fd = st->maildrop_read(s->maildrop, i, &r);
	if (fd < 0) {
		char qe[300];
		log_event("maildrop", "op=read msg=%zu error=%s", i + 1,
		    log_quote(qe, sizeof qe, r.text ? r.text : "-"));
		pop3_reply(s, &POP3_SYS_TEMP, NULL);
		return;
	}
	char arg[64];
	snprintf(arg, sizeof arg, "%lld octets", (long long)s->msgs[i].size);
	pop3_reply(s, &POP3_OK, arg);
	if (pop3_send_message(s, fd, body_lines) < 0) {
		/* Mid-response: the client cannot be told; end the session. */
		log_event("error", "op=retr msg=%zu error=\"%s\"", i + 1,
		    strerror(errno));
		s->why = "read-error";
		s->state = POP3_QUIT;
		return;
	}
	if (body_lines < 0) {
		s->n_retrieved++;
		if (st->maildrop_seen)
			st->maildrop_seen(s->maildrop, i);
	}
}

static void
cmd_retr(struct pop3_session *s, int argc, char **argv)
{
	(void)argc;
	pop3_retrieve(s, argv[0], -1);
}

static void
cmd_top(struct pop3_session *s, int argc, char **argv)
{
	long n = 0;

	(void)argc;
	if (*argv[1] == '\0' ||
	    strspn(argv[1], "0123456789") != strlen(argv[1])) {
		pop3_reply(s, &POP3_SYNTAX, NULL);
		return;
	}
	n = strtol(argv[1], NULL, 10);	/* LONG_MAX if larger: all lines */
	pop3_retrieve(s, argv[0], n);
}

static void
cmd_dele(struct pop3_session *s, int argc, char **argv)
{
	const struct cartero_reply *err;
	size_t i;

	(void)argc;
	if ((err = pop3_msgno(s, argv[0], &i)) != NULL) {
		pop3_reply(s, err, NULL);
		return;
	}
	s->msgs[i].is_deleted = true;
	s->n_deleted++;
	pop3_reply(s, &POP3_DELETED, NULL);
}

static void
cmd_noop(struct pop3_session *s, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	pop3_reply(s, &POP3_OK, NULL);
}

static void
cmd_rset(struct pop3_session *s, int argc, char **argv)
{
	size_t n;
	off_t size;
	char arg[80];

	(void)argc;
	(void)argv;
	for (size_t i = 0; i < s->n_msgs; i++)
		s->msgs[i].is_deleted = false;
	s->n_deleted = 0;
	pop3_totals(s, &n, &size);
	snprintf(arg, sizeof arg, "maildrop has %zu messages (%lld octets)",
	    n, (long long)size);
	pop3_reply(s, &POP3_OK, arg);
}

/* Splits "VERB arg arg" on single spaces (RFC 1939 3) and runs it. */
static void
pop3_dispatch(struct pop3_session *s, char *line)
{
	char *argv[4], *save = NULL;
	int argc = 0;
	size_t vlen = strcspn(line, " ");
	const struct pop3_cmd *c;

	for (c = pop3_commands; c->verb != NULL; c++)
		if (strlen(c->verb) == vlen &&
		    strncasecmp(line, c->verb, vlen) == 0)
			break;
	s->cmd = c->verb ? c->verb : "unknown";
	if (c->verb == NULL) {
		pop3_reply(s, &POP3_UNKNOWN, NULL);
		return;
	}
	if (!(c->allow & ALLOW(s->state))) {
		pop3_reply(s, &POP3_WRONG_STATE, NULL);
		return;
	}
	if (c->max_args >= 0) {
		char *rest = line[vlen] ? line + vlen + 1 : line + vlen;
		for (char *t = strtok_r(rest, " ", &save); t;
		    t = strtok_r(NULL, " ", &save)) {
			if (argc == c->max_args) {
				argc = -1;
				break;
			}
			argv[argc++] = t;
		}
		if (argc < c->min_args) {
			pop3_reply(s, &POP3_SYNTAX, NULL);
			return;
		}
	}
	/* PASS must come right after USER (RFC 1939 7). */
	if (c->run != cmd_pass)
		s->user[0] = '\0';
	c->run(s, argc, argv);
}

void
pop3_loop(struct pop3_session *s)
{
	const char *why = "quit";

	while (s->state != POP3_QUIT) {
		size_t len;
		io_deadline_set(&s->io, (int)s->timeout);
		enum line_status st = line_read(&s->io, s->line,
		    POP3_LINE_MAX, &len);
		s->cmd = NULL;
		switch (st) {
		case LINE_OK:
			pop3_dispatch(s, s->line);
			/* Whatever it was, a password may be in it. */
			explicit_bzero(s->line, sizeof s->line);
			break;
		case LINE_TOO_LONG:
			pop3_reply(s, &POP3_LINE_TOO_LONG, NULL);
			break;
		case LINE_BARE_LF:
		case LINE_BARE_CR:
			pop3_reply(s, &POP3_BARE_EOL, NULL);
			break;
		case LINE_NUL:
			pop3_reply(s, &POP3_NUL, NULL);
			break;
		case LINE_EOF:
			why = "eof";
			goto out;
		case LINE_TIMEOUT:
			/* RFC 1939 3: close without a response and without
			 * entering UPDATE. */
			why = "timeout";
			goto out;
		case LINE_ERROR:
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
		if (s->state != POP3_QUIT && s->errors >= s->max_errors) {
			pop3_reply(s, &POP3_TOO_MANY_ERRORS, NULL);
			why = "errors";
			goto out;
		}
	}
out:
	io_flush(&s->io);
	if (s->maildrop != NULL)
		s->store->desc->store->maildrop_close(s->maildrop);
	s->maildrop = NULL;
	free(s->msgs);
	s->msgs = NULL;
	log_event("disconnect", "reason=%s retrieved=%u errors=%u", why,
	    s->n_retrieved, s->errors);
	tls_end(&s->io);
}
