/* ISC license. */
/*
 * Fuzz target: a whole POP3 session in this process, as smtp-session.c
 * does for SMTP: the real session code (bin/pop3.c) set up by
 * pop3_setup() from a fixed configuration (the test auth plugin, whose
 * secrets allow APOP and CRAM-MD5; a maildir maildrop of three messages
 * for alice@example.test, restored after every login), timeout 1 s.
 *
 * Oracles: no crash, leak or hang; no descriptor left open; every line
 * ends with CRLF; and one response per complete command line, which a
 * client-side model checks: multi-line for a +OK to CAPA, RETR, TOP and
 * to LIST, UIDL and AUTH without argument, ended by "."; "+ " asks for an
 * AUTH response; after QUIT or "Too many ..." nothing more.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../../bin/pop3-internal.h"
#include "../../sdk/src/log-internal.h"
#include "fuzz.h"
#include "session-common.h"

#define LINES_MAX 262144

struct line {
	size_t start, len;	/* in the output, CRLF excluded */
};

static const char config[] =
	"hostname = mx.example.test\n"
	"plugin_dir = plugins\n"
	"\n"
	"[pop3d]\n"
	"auth = testauth\n"
	"timeout = 1\n"
	"max_errors = 10\n"
	"auth_requires_tls = no\n"
	"auth_delay = 0\n"
	"max_auth_failures = 3\n"
	"\n"
	"[plugin testauth]\n"
	"file = users\n"
	"\n"
	"[domain example.test]\n"
	"store = maildir\n"
	"path = mail/%d/%u\n";

static const char users[] =
	"alice@example.test:s3cret\n"
	"bob@example.test:hunter2\n"
	"carol@example.test:nomaildrop\n";

static const struct {
	const char *name, *text;
} messages[] = {
	{ "mail/example.test/alice/new/1000.A.host,S=33,W=35",
	    "Subject: a\r\n\r\n.hidden\r\n..x\r\nlast\r\n" },
	{ "mail/example.test/alice/cur/1001.B.host,S=14,W=14:2,S",
	    "Subject: b\r\n\r\n" },
	{ "mail/example.test/alice/new/1002.C.host",
	    "Subject: c\nX: bare lf\n\n.one\ntwo\nno end" },
};

static char dir[1024];
static struct pop3_session tmpl, session;
static struct line lines[LINES_MAX];

static void mail_reset(void);
static size_t split_lines(const char *out, size_t len);
static bool pop3_line_ok(const uint8_t *l, size_t len);
static int pop3_argc(const uint8_t *l, size_t len,
    char verb[POP3_LINE_MAX + 1]);
static bool is_multi(const uint8_t *l, size_t len);
static bool is_quit(const uint8_t *l, size_t len);
static bool starts(const char *out, const struct line *l, const char *p);
static bool has(const char *out, const struct line *l, const char *p);
static void check_replies(const uint8_t *in, size_t n, const char *out,
    size_t out_len);

static void
mail_reset(void)
{
	char mail[1100];

	snprintf(mail, sizeof mail, "%s/mail", dir);
	fuzz_rm_r(mail, true);
	fuzz_mkdirs(dir, "mail/example.test/alice/tmp");
	fuzz_mkdirs(dir, "mail/example.test/alice/new");
	fuzz_mkdirs(dir, "mail/example.test/alice/cur");
	fuzz_mkdirs(dir, "mail/example.test/bob/tmp");
	fuzz_mkdirs(dir, "mail/example.test/bob/new");
	fuzz_mkdirs(dir, "mail/example.test/bob/cur");
	for (size_t i = 0; i < sizeof messages / sizeof messages[0]; i++)
		fuzz_write_file(dir, messages[i].name, messages[i].text,
		    strlen(messages[i].text), 0600);
}

static size_t
split_lines(const char *out, size_t len)
{
	size_t n = 0;

	for (size_t pos = 0; pos < len;) {
		const char *crlf = memmem(out + pos, len - pos, "\r\n", 2);
		if (crlf == NULL)
			fuzz_fail("output ends without CRLF at %zu", pos);
		size_t ll = (size_t)(crlf - (out + pos));
		if (memchr(out + pos, '\r', ll) || memchr(out + pos, '\n', ll))
			fuzz_fail("bare CR or LF in the output at %zu", pos);
		if (n == LINES_MAX)
			fuzz_fail("too many lines");
		lines[n].start = pos;
		lines[n++].len = ll;
		pos += ll + 2;
	}
	return n;
}

/* What the line reader takes as a command (cap 255, RFC 2449 4). */
static bool
pop3_line_ok(const uint8_t *l, size_t len)
{
	return len + 1 <= POP3_LINE_MAX && len >= 1 && l[len - 1] == '\r' &&
	    !memchr(l, '\r', len - 1) && !memchr(l, '\0', len - 1);
}

/* The verb and the argument count, split as pop3_dispatch() does. */
static int
pop3_argc(const uint8_t *l, size_t len, char verb[POP3_LINE_MAX + 1])
{
	int argc = 0;

	memcpy(verb, l, len - 1);
	verb[len - 1] = '\0';
	size_t vl = strcspn(verb, " ");
	for (char *save, *t = strtok_r(verb + vl, " ", &save); t;
	    t = strtok_r(NULL, " ", &save))
		argc++;
	verb[vl] = '\0';
	return argc;
}

/* Whether a +OK to this command line is followed by a multi-line body. */
static bool
is_multi(const uint8_t *l, size_t len)
{
	char verb[POP3_LINE_MAX + 1];
	int argc = pop3_argc(l, len, verb);

	if (strcasecmp(verb, "CAPA") == 0 || strcasecmp(verb, "RETR") == 0 ||
	    strcasecmp(verb, "TOP") == 0)
		return true;
	return argc == 0 && (strcasecmp(verb, "LIST") == 0 ||
	    strcasecmp(verb, "UIDL") == 0 || strcasecmp(verb, "AUTH") == 0);
}

/* QUIT without arguments ends the session, whatever the answer. */
static bool
is_quit(const uint8_t *l, size_t len)
{
	char verb[POP3_LINE_MAX + 1];
	int argc = pop3_argc(l, len, verb);

	return argc == 0 && strcasecmp(verb, "QUIT") == 0;
}

static bool
starts(const char *out, const struct line *l, const char *p)
{
	return l->len >= strlen(p) && memcmp(out + l->start, p, strlen(p)) == 0;
}

static bool
has(const char *out, const struct line *l, const char *p)
{
	return memmem(out + l->start, l->len, p, strlen(p)) != NULL;
}

static void
check_replies(const uint8_t *in, size_t n, const char *out, size_t out_len)
{
	size_t n_lines = split_lines(out, out_len), k = 0, pos = 0;
	bool is_auth = false, is_over = false;

	if (n_lines == 0 || !starts(out, &lines[0], "+OK "))
		fuzz_fail("no +OK greeting");
	k = 1;
	while (!is_over) {
		const uint8_t *l = in + pos, *lf = memchr(l, '\n', n - pos);
		if (lf == NULL)
			break;	/* EOF inside a line: no response */
		size_t len = (size_t)(lf - l), unit = pos;
		pos += len + 1;
		if (k == n_lines)
			fuzz_fail("no response to the line at input offset %zu",
			    unit);
		const struct line *r = &lines[k++];
		bool is_ok = starts(out, r, "+OK");
		if (is_auth && starts(out, r, "+ "))
			continue;	/* the next challenge */
		if (!is_ok && !starts(out, r, "-ERR") &&
		    !starts(out, r, "+ "))
			fuzz_fail("not a status line at output offset %zu",
			    r->start);
		bool is_cmd = !is_auth && pop3_line_ok(l, len);
		is_auth = false;
		if (starts(out, r, "+ ")) {
			if (!is_cmd)
				fuzz_fail("a challenge, not for AUTH, at %zu",
				    r->start);
			is_auth = true;
			continue;
		}
		if (is_ok && is_cmd && is_multi(l, len)) {
			while (k < n_lines && !(lines[k].len == 1 &&
			    out[lines[k].start] == '.'))
				k++;
			if (k == n_lines)
				fuzz_fail("multi-line response without its "
				    "end, at %zu", r->start);
			k++;
		}
		if (is_cmd && is_quit(l, len))
			is_over = true;
		else if (!is_ok && has(out, r, "Too many"))
			is_over = true;
		else if (k < n_lines && starts(out, &lines[k], "-ERR") &&
		    has(out, &lines[k], "Too many")) {
			k++;
			is_over = true;
		}
	}
	if (k != n_lines)
		fuzz_fail("%zu lines out, the input accounts for %zu (extra at "
		    "output offset %zu)", n_lines, k, lines[k].start);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct pop3_session *s = &tmpl;
	char conf[1100];
	const char *err = NULL;

	(void)argc;
	(void)argv;
	signal(SIGPIPE, SIG_IGN);
	snprintf(dir, sizeof dir, "%s", fuzz_tmpdir("pop3"));
	fuzz_write_file(dir, "cartero.conf", config, sizeof config - 1, 0600);
	fuzz_write_file(dir, "users", users, sizeof users - 1, 0600);
	fuzz_link_plugins(dir);
	mail_reset();
	snprintf(conf, sizeof conf, "%s/cartero.conf", dir);
	/* As main() does, less the options, the peer and the greeting. */
	s->cs.sid = log_session_init();
	s->cs.protocol = "POP3";
	s->cs.msg_fd = -1;
	s->tls_avail = -1;
	session_set_conf(&tmpl.conf);
	if (pop3_setup(s, conf, &err) < 0 ||
	    (s->auth = plugin_get(&s->conf, conf_get(conf_section(&s->conf,
	    "pop3d", ""), "auth"), PLUGIN_AUTH, &session_host, &err)) ==
	    NULL) {
		fprintf(stderr, "fuzz: set-up failed: %s\n", err);
		exit(1);
	}
	strcpy(s->cs.peer.ip, "192.0.2.110");
	strcpy(s->cs.peer.port, "40110");
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pop3_session *s = &session;
	struct fuzz_io f;

	int base_fds = fuzz_count_fds();
	*s = tmpl;
	io_init(&s->io, -1, -1, (int)s->timeout);
	fuzz_io_init(&f, data, size, 300);
	s->io.ops = &fuzz_io_ops;
	s->io.ctx = &f;
	pop3_greet(s);
	pop3_loop(s);
	if (getenv("CARTERO_FUZZ_SHOW") != NULL)
		fprintf(stderr, "%.*s", (int)f.out_len, f.out);
	FUZZ_ASSERT(s->maildrop == NULL && s->msgs == NULL);
	int fds = fuzz_count_fds();
	if (fds != base_fds)
		fuzz_fail("%d descriptors open after the session, %d before",
		    fds, base_fds);
	if (f.out_total > FUZZ_OUT_MAX)
		fuzz_fail("%zu octets of responses", f.out_total);
	check_replies(data, size, f.out, f.out_len);
	if (s->cs.auth_user[0] != '\0')
		mail_reset();	/* a login may have moved or removed mail */
	return 0;
}
