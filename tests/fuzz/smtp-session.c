/* ISC license. */
/*
 * Fuzz target: a whole SMTP session in this process (the shape of
 * Dovecot's fuzz-smtp-server): the input is what the client sends, over
 * the memory transport, to the real session code (bin/smtp*.c, filter.c)
 * set up by smtp_setup() from a fixed configuration: maildir for
 * example.test and *.example.org, the passwd auth plugin, small limits,
 * a timeout of 1 s.
 *
 * Oracles: no crash, leak or hang (the sanitizers, the fuzzer); no open
 * descriptor and no file in tmp/ left behind; nothing in new/ without a
 * 250 for a message; every reply line well formed; and one reply group
 * per complete command line, which a client-side model checks: it reads
 * the input as the server must (a command line, the data after 354 up to
 * CRLF.CRLF, an AUTH response after 334, a BDAT chunk) and takes one
 * reply group for each, allowing only a final 421 more.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../../bin/smtp-internal.h"
#include "../../sdk/src/log-internal.h"
#include "fuzz.h"
#include "session-common.h"

#define GROUPS_MAX 65536

struct group {
	int code;
	size_t start, end;	/* in the output */
};

static const char config[] =
	"hostname = mx.example.test\n"
	"plugin_dir = plugins\n"
	"\n"
	"[smtpd]\n"
	"timeout = 1\n"
	"max_errors = 10\n"
	"max_message_size = 2000\n"
	"auth = passwd\n"
	"auth_requires_tls = no\n"
	"auth_delay = 0\n"
	"max_auth_failures = 3\n"
	"\n"
	"[plugin passwd]\n"
	"file = passwd\n"
	"argon2_ops = 1\n"
	"argon2_mem = 8192\n"
	"\n"
	"[domain example.test]\n"
	"store = maildir\n"
	"path = mail/%d/%u\n"
	"\n"
	"[domain *.example.org]\n"
	"store = maildir\n"
	"path = mail/%d/%u\n";

static const char passwd[] =
	"alice@example.test:{PLAIN}s3cret\n"
	"bob@example.test:{PLAIN}hunter2\n";

static char dir[1024];
static struct smtp_session tmpl, session;
static struct group groups[GROUPS_MAX];
static struct fuzz_mail_count base_mail;

static void mail_reset(void);
static size_t parse_groups(const char *out, size_t len);
static bool bdat_chunk(const uint8_t *line, size_t len,
    unsigned long long *size_r);
static bool data_end(const uint8_t *s, size_t n, size_t *end_r);
static void check_replies(const uint8_t *in, size_t n, const char *out,
    size_t out_len);

static void
mail_reset(void)
{
	char mail[4096];

	snprintf(mail, sizeof mail, "%s/mail", dir);
	fuzz_rm_r(mail, true);
	fuzz_mkdirs(dir, "mail/example.test/alice/tmp");
	fuzz_mkdirs(dir, "mail/example.test/alice/new");
	fuzz_mkdirs(dir, "mail/example.test/alice/cur");
	fuzz_mkdirs(dir, "mail/example.test/bob/tmp");
	fuzz_mkdirs(dir, "mail/example.test/bob/new");
	fuzz_mkdirs(dir, "mail/example.test/bob/cur");
}

/* reply = *( code "-" text CRLF ) code SP text CRLF, one code. */
static size_t
parse_groups(const char *out, size_t len)
{
	size_t n = 0, pos = 0;
	bool is_open = false;

	while (pos < len) {
		const char *crlf = memmem(out + pos, len - pos, "\r\n", 2);
		if (crlf == NULL)
			fuzz_fail("output ends without CRLF at %zu", pos);
		const char *l = out + pos;
		size_t ll = (size_t)(crlf - l);
		if (ll < 4 || l[0] < '2' || l[0] > '5' || l[1] < '0' ||
		    l[1] > '9' || l[2] < '0' || l[2] > '9' ||
		    (l[3] != ' ' && l[3] != '-'))
			fuzz_fail("malformed reply line at %zu: %.*s", pos,
			    (int)(ll < 80 ? ll : 80), l);
		if (memchr(l, '\r', ll) || memchr(l, '\n', ll) ||
		    memchr(l, '\0', ll))
			fuzz_fail("bare CR, LF or NUL in a reply at %zu", pos);
		if (ll + 2 > 512)	/* RFC 5321 4.5.3.1.5 */
			fuzz_fail("reply line of %zu octets", ll + 2);
		int code = (l[0] - '0') * 100 + (l[1] - '0') * 10 + l[2] - '0';
		if (is_open && groups[n].code != code)
			fuzz_fail("reply code changes inside a group at %zu",
			    pos);
		if (!is_open) {
			if (n == GROUPS_MAX)
				fuzz_fail("too many replies");
			groups[n].code = code;
			groups[n].start = pos;
		}
		pos += ll + 2;
		is_open = l[3] == '-';
		if (!is_open)
			groups[n++].end = pos;
	}
	if (is_open)
		fuzz_fail("output ends inside a multi-line reply");
	return n;
}

/*
 * Whether the server reads a chunk after this line (bytes before the LF):
 * a good line (CRLF, no bare CR, no NUL, within the caps), the verb BDAT,
 * a size of at most 20 digits and an optional LAST (RFC 3030 2).  The
 * chunk is read in every state, for it is not a command.
 */
static bool
bdat_chunk(const uint8_t *line, size_t len, unsigned long long *size_r)
{
	if (len + 1 > SMTP_MAIL_LINE_MAX || len < 1 || line[len - 1] != '\r')
		return false;
	size_t n = len - 1;
	if (memchr(line, '\r', n) || memchr(line, '\0', n) ||
	    n + 2 > SMTP_LINE_MAX)
		return false;
	char buf[SMTP_LINE_MAX];
	memcpy(buf, line, n);
	buf[n] = '\0';
	size_t vl = strcspn(buf, " ");
	if (vl != 4 || strncasecmp(buf, "BDAT", 4) != 0 || buf[4] != ' ')
		return false;
	const char *arg = buf + 5, *p = arg;
	unsigned long long size = 0;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (p - arg >= 20 || size > (~0ULL - 9) / 10)
			return false;
		size = size * 10 + (unsigned)(*p - '0');
	}
	if (p == arg || (*p != '\0' && !(*p == ' ' &&
	    strcasecmp(p + 1, "LAST") == 0)))
		return false;
	*size_r = size;
	return true;
}

/* The end of DATA: the first line "." (RFC 5321 4.1.1.4), a line being
 * what starts the data or follows a CRLF. */
static bool
data_end(const uint8_t *s, size_t n, size_t *end_r)
{
	for (size_t b = 0; b < n;) {
		if (n - b >= 3 && memcmp(s + b, ".\r\n", 3) == 0) {
			*end_r = b + 3;
			return true;
		}
		const uint8_t *crlf = memmem(s + b, n - b, "\r\n", 2);
		if (crlf == NULL)
			return false;
		b = (size_t)(crlf - s) + 2;
	}
	return false;
}

static void
check_replies(const uint8_t *in, size_t n, const char *out, size_t out_len)
{
	enum { CMD, DATA, AUTH } mode = CMD;
	size_t n_groups = parse_groups(out, out_len), g = 0, pos = 0;
	bool is_over = false;

	if (n_groups == 0 || groups[0].code != 220)
		fuzz_fail("no 220 greeting");
	g = 1;
	while (!is_over) {
		size_t unit = pos;
		if (mode == DATA) {
			size_t end;
			if (!data_end(in + pos, n - pos, &end))
				break;	/* EOF inside the data: no reply */
			pos += end;
		} else {
			const uint8_t *lf = memchr(in + pos, '\n', n - pos);
			if (lf == NULL)
				break;	/* EOF inside a line: no reply */
			size_t len = (size_t)(lf - (in + pos));
			unsigned long long chunk;
			bool is_bdat = mode == CMD &&
			    bdat_chunk(in + pos, len, &chunk);
			pos += len + 1;
			if (is_bdat) {
				if (chunk > n - pos)
					break;	/* EOF inside the chunk */
				pos += (size_t)chunk;
			}
		}
		if (g == n_groups)
			fuzz_fail("no reply for the %s at input offset %zu",
			    mode == CMD ? "command" : mode == DATA ? "data"
			    : "AUTH response", unit);
		int code = groups[g++].code;
		if (code == 221 || code == 421)
			is_over = true;
		else if (g < n_groups && groups[g].code == 421) {
			/* max_errors or max_auth_failures: one 421, the end */
			g++;
			is_over = true;
		}
		mode = code == 354 ? DATA : code == 334 ? AUTH : CMD;
	}
	if (g != n_groups)
		fuzz_fail("%zu reply groups, the input asks for %zu (extra "
		    "at output offset %zu)", n_groups, g, groups[g].start);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct smtp_session *s = &tmpl;
	char conf[4096];
	const char *err = NULL;
	bool is_config = false;

	(void)argc;
	(void)argv;
	signal(SIGPIPE, SIG_IGN);
	snprintf(dir, sizeof dir, "%s", fuzz_tmpdir("smtp"));
	fuzz_write_file(dir, "cartero.conf", config, sizeof config - 1, 0600);
	fuzz_write_file(dir, "passwd", passwd, sizeof passwd - 1, 0600);
	fuzz_link_plugins(dir);
	mail_reset();
	snprintf(conf, sizeof conf, "%s/cartero.conf", dir);
	/* As main() does, less the options, the peer and the greeting. */
	s->cs.sid = log_session_init();
	s->cs.msg_fd = s->txn.spool.fd = -1;
	s->tls_avail = -1;
	s->cs.protocol = "SMTP";
	session_set_conf(&tmpl.conf);
	if (smtp_setup(s, conf, &err) < 0 ||
	    smtp_load_plugins(s, &is_config, &err) < 0) {
		fprintf(stderr, "fuzz: set-up failed: %s\n", err);
		exit(1);
	}
	strcpy(s->cs.peer.ip, "192.0.2.25");
	strcpy(s->cs.peer.port, "40000");
	fuzz_mail_count(dir, &base_mail);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smtp_session *s = &session;
	struct fuzz_io f;
	struct fuzz_mail_count mc;

	int base_fds = fuzz_count_fds();
	*s = tmpl;
	io_init(&s->io, -1, -1, (int)s->cfg.timeout);
	fuzz_io_init(&f, data, size, 700);
	s->io.ops = &fuzz_io_ops;
	s->io.ctx = &f;
	smtp_greet(s);
	smtp_loop(s);
	free(s->cs.rcpts);	/* main() leaves it to exit */
	s->cs.rcpts = NULL;

	if (getenv("CARTERO_FUZZ_SHOW") != NULL)
		fprintf(stderr, "%.*s", (int)f.out_len, f.out);
	FUZZ_ASSERT(s->txn.spool.fd < 0 && s->txn.n_hops == 0);
	int fds = fuzz_count_fds();
	if (fds != base_fds)
		fuzz_fail("%d descriptors open after the session, %d before",
		    fds, base_fds);
	if (f.out_total > FUZZ_OUT_MAX)
		fuzz_fail("%zu octets of replies", f.out_total);
	check_replies(data, size, f.out, f.out_len);
	fuzz_mail_count(dir, &mc);
	if (mc.n_tmp != 0)
		fuzz_fail("%d files left in tmp/", mc.n_tmp);
	bool is_queued = memmem(f.out, f.out_len, "\r\n250 2.0.0 Ok: queued",
	    22) != NULL;
	if (mc.n_new > 0 && !is_queued)
		fuzz_fail("a message in new/ without a 250 for it");
	if (is_queued && mc.n_new == 0)
		fuzz_fail("250 for a message, but nothing in new/");
	if (memcmp(&mc, &base_mail, sizeof mc) != 0)
		mail_reset();
	return 0;
}
