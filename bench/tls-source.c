/* ISC license. */
/*
 * tls-source: the STARTTLS load generator of bench/bench (smtp-source has
 * no TLS), not part of cartero.
 *
 *   tls-source [-P] -m N -s CONC [-l LEN] [-f FROM] [-t TO] HOST:PORT
 *
 * Runs N SMTP sessions, CONC at a time (CONC processes, each running its
 * share one after the other), each: greeting, EHLO, STARTTLS, a full TLS
 * handshake (GnuTLS defaults, no session tickets, no resumption, the certificate not
 * verified), EHLO, MAIL, RCPT, DATA with a message of LEN (default 2048)
 * body octets, QUIT.  -P leaves out STARTTLS (the same sessions in clear, to
 * compare with smtp-source).  Every reply's code is checked; every read and
 * write waits 30 s at most.  Exit 0 when every session delivered, 1 if not.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <gnutls/gnutls.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

struct conn {
	int fd;
	gnutls_session_t tls;
	char buf[8192];
	size_t pos, len;
};

static const char *from = "bench@example.org", *to = "alice@example.test";
static struct sockaddr_in addr;
static gnutls_certificate_credentials_t cred;
static char *message;
static size_t message_len;

static void __attribute__((noreturn))
die(const char *what, const char *why)
{
	fprintf(stderr, "tls-source[%ld]: %s: %s\n", (long)getpid(), what, why);
	exit(1);
}

static void
send_all(struct conn *c, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = c->tls ? gnutls_record_send(c->tls, p, n)
				   : send(c->fd, p, n, MSG_NOSIGNAL);
		if (w < 0) {
			if (c->tls ? (w == GNUTLS_E_AGAIN ||
			    w == GNUTLS_E_INTERRUPTED) : errno == EINTR)
				continue;
			die("send", c->tls ? gnutls_strerror((int)w)
					   : strerror(errno));
		}
		p += w;
		n -= (size_t)w;
	}
}

/* Reads one whole reply and checks its first digit. */
static void
reply(struct conn *c, char want, const char *after, char *text, size_t cap)
{
	size_t o = 0;

	for (;;) {
		char *lf = memchr(c->buf + c->pos, '\n', c->len - c->pos);
		if (lf == NULL) {
			if (c->pos > 0) {
				memmove(c->buf, c->buf + c->pos, c->len - c->pos);
				c->len -= c->pos;
				c->pos = 0;
			}
			if (c->len == sizeof c->buf)
				die(after, "reply line too long");
			ssize_t r = c->tls
			    ? gnutls_record_recv(c->tls, c->buf + c->len,
				sizeof c->buf - c->len)
			    : recv(c->fd, c->buf + c->len,
				sizeof c->buf - c->len, 0);
			if (r == 0)
				die(after, "connection closed");
			if (r < 0) {
				if (c->tls ? (r == GNUTLS_E_AGAIN ||
				    r == GNUTLS_E_INTERRUPTED) : errno == EINTR)
					continue;
				die(after, c->tls ? gnutls_strerror((int)r)
						  : strerror(errno));
			}
			c->len += (size_t)r;
			continue;
		}
		char *line = c->buf + c->pos;
		size_t n = (size_t)(lf - line) + 1;
		c->pos += n;
		if (n < 5 || line[0] != want) {
			line[n - 1] = '\0';
			die(after, line);
		}
		if (text != NULL && o + n < cap) {
			memcpy(text + o, line, n);
			o += n;
			text[o] = '\0';
		}
		if (line[3] == ' ')
			return;
	}
}

static void
session(bool use_tls)
{
	struct conn c = { .fd = -1 };
	char ehlo[2048], line[600];
	struct timeval tv = { .tv_sec = 30 };
	int one = 1;

	if ((c.fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		die("socket", strerror(errno));
	setsockopt(c.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(c.fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (connect(c.fd, (struct sockaddr *)&addr, sizeof addr) < 0)
		die("connect", strerror(errno));
	reply(&c, '2', "greeting", NULL, 0);
	send_all(&c, "EHLO bench.example.org\r\n", 24);
	reply(&c, '2', "EHLO", ehlo, sizeof ehlo);
	if (use_tls) {
		if (strstr(ehlo, "STARTTLS") == NULL)
			die("EHLO", "no STARTTLS offered");
		send_all(&c, "STARTTLS\r\n", 10);
		reply(&c, '2', "STARTTLS", NULL, 0);
		int r;
		if ((r = gnutls_init(&c.tls, GNUTLS_CLIENT | GNUTLS_NO_TICKETS)) < 0 ||
		    (r = gnutls_set_default_priority(c.tls)) < 0 ||
		    (r = gnutls_credentials_set(c.tls, GNUTLS_CRD_CERTIFICATE,
		    cred)) < 0)
			die("gnutls_init", gnutls_strerror(r));
		gnutls_transport_set_int(c.tls, c.fd);
		gnutls_handshake_set_timeout(c.tls, 30000);
		do
			r = gnutls_handshake(c.tls);
		while (r < 0 && gnutls_error_is_fatal(r) == 0);
		if (r < 0)
			die("handshake", gnutls_strerror(r));
		send_all(&c, "EHLO bench.example.org\r\n", 24);
		reply(&c, '2', "EHLO after STARTTLS", NULL, 0);
	}
	snprintf(line, sizeof line, "MAIL FROM:<%s>\r\n", from);
	send_all(&c, line, strlen(line));
	reply(&c, '2', "MAIL", NULL, 0);
	snprintf(line, sizeof line, "RCPT TO:<%s>\r\n", to);
	send_all(&c, line, strlen(line));
	reply(&c, '2', "RCPT", NULL, 0);
	send_all(&c, "DATA\r\n", 6);
	reply(&c, '3', "DATA", NULL, 0);
	send_all(&c, message, message_len);
	reply(&c, '2', "end of data", NULL, 0);
	send_all(&c, "QUIT\r\n", 6);
	reply(&c, '2', "QUIT", NULL, 0);
	if (c.tls) {
		gnutls_bye(c.tls, GNUTLS_SHUT_WR);
		gnutls_deinit(c.tls);
	}
	close(c.fd);
}

static void
make_message(size_t len)
{
	size_t cap = len + 1024, o;

	if ((message = malloc(cap)) == NULL)
		die("malloc", strerror(errno));
	o = (size_t)snprintf(message, cap, "From: <%s>\r\nTo: <%s>\r\n"
	    "Subject: tls-source\r\n\r\n", from, to);
	for (size_t body = 0; body < len;) {
		size_t n = len - body < 78 ? len - body : 78;
		memset(message + o, 'X', n);
		o += n;
		body += n;
		memcpy(message + o, "\r\n", 2);
		o += 2;
	}
	memcpy(message + o, ".\r\n", 3);
	message_len = o + 3;
}

static void __attribute__((noreturn))
usage(void)
{
	fputs("usage: tls-source [-P] -m N -s CONC [-l LEN] [-f FROM] "
	    "[-t TO] HOST:PORT\n", stderr);
	exit(100);
}

int
main(int argc, char **argv)
{
	long n = 1, conc = 1, len = 2048;
	bool use_tls = true;
	int opt;

	while ((opt = getopt(argc, argv, "Pm:s:l:f:t:")) != -1) {
		switch (opt) {
		case 'P': use_tls = false; break;
		case 'm': n = atol(optarg); break;
		case 's': conc = atol(optarg); break;
		case 'l': len = atol(optarg); break;
		case 'f': from = optarg; break;
		case 't': to = optarg; break;
		default: usage();
		}
	}
	if (optind + 1 != argc || n < 1 || conc < 1 || len < 0)
		usage();
	char *colon = strrchr(argv[optind], ':');
	if (colon == NULL)
		usage();
	*colon = '\0';
	addr.sin_family = AF_INET;
	addr.sin_port = htons((unsigned short)atoi(colon + 1));
	if (inet_pton(AF_INET, argv[optind], &addr.sin_addr) != 1)
		usage();
	make_message((size_t)len);
	if (conc > n)
		conc = n;
	if (gnutls_global_init() < 0 ||
	    gnutls_certificate_allocate_credentials(&cred) < 0)
		die("gnutls", "init failed");
	fflush(NULL);
	for (long k = 0; k < conc; k++) {
		pid_t pid = fork();
		if (pid < 0)
			die("fork", strerror(errno));
		if (pid == 0) {
			long mine = n / conc + (k < n % conc);
			for (long i = 0; i < mine; i++)
				session(use_tls);
			exit(0);
		}
	}
	int failed = 0, st;
	while (wait(&st) > 0)
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			failed++;
	if (failed)
		fprintf(stderr, "tls-source: %d of %ld processes failed\n",
		    failed, conc);
	return failed ? 1 : 0;
}
