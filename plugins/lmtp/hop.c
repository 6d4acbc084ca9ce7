/* ISC license. */
/* SMTP/LMTP client: connect, commands, replies, dot-stuffed data. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "hop.h"

static char hop_error[300];

static int
hop_wait(int fd, short events, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	int r;

	do
		r = poll(&p, 1, timeout_ms);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		errno = ETIMEDOUT;
	return r > 0 ? 0 : -1;
}

/* connect(2) with a deadline: non-blocking, then poll for writability. */
static int
hop_connect_fd(int fd, const struct sockaddr *sa, socklen_t len,
    int timeout_ms)
{
	int fl = fcntl(fd, F_GETFL);
	int err = 0;
	socklen_t el = sizeof err;

	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	if (connect(fd, sa, len) < 0) {
		if (errno != EINPROGRESS)
			return -1;
		if (hop_wait(fd, POLLOUT, timeout_ms) < 0)
			return -1;
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0 ||
		    err != 0) {
			errno = err ? err : EIO;
			return -1;
		}
	}
	fcntl(fd, F_SETFL, fl);
	return 0;
}

int
hop_connect(struct hop *h, const char *address, int timeout_ms,
    const char **error_r)
{
	memset(h, 0, sizeof *h);
	h->fd = -1;
	h->timeout_ms = timeout_ms;
	if (strncmp(address, "unix:", 5) == 0) {
		struct sockaddr_un un = { .sun_family = AF_UNIX };
		if (strlen(address + 5) >= sizeof un.sun_path) {
			*error_r = "unix socket path too long";
			return -1;
		}
		strcpy(un.sun_path, address + 5);
		h->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (h->fd >= 0 && hop_connect_fd(h->fd, (struct sockaddr *)&un,
		    sizeof un, timeout_ms) == 0)
			return 0;
	} else {
		char host[256];
		const char *colon = strrchr(address, ':');
		struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai, *p;
		if (colon == NULL || (size_t)(colon - address) >= sizeof host) {
			*error_r = "address must be HOST:PORT or unix:PATH";
			return -1;
		}
		snprintf(host, sizeof host, "%.*s", (int)(colon - address),
		    address);
		if (host[0] == '[' && host[strlen(host) - 1] == ']') {
			memmove(host, host + 1, strlen(host));
			host[strlen(host) - 1] = '\0';
		}
		int g = getaddrinfo(host, colon + 1, &hints, &ai);
		if (g != 0) {
			snprintf(hop_error, sizeof hop_error, "%s: %s", address,
			    gai_strerror(g));
			*error_r = hop_error;
			return -1;
		}
		for (p = ai; p != NULL; p = p->ai_next) {
			h->fd = socket(p->ai_family, p->ai_socktype |
			    SOCK_CLOEXEC, p->ai_protocol);
			if (h->fd >= 0 && hop_connect_fd(h->fd, p->ai_addr,
			    p->ai_addrlen, timeout_ms) == 0)
				break;
			if (h->fd >= 0)
				close(h->fd);
			h->fd = -1;
		}
		freeaddrinfo(ai);
		if (h->fd >= 0)
			return 0;
	}
	snprintf(hop_error, sizeof hop_error, "connect %s: %s", address,
	    strerror(errno));
	*error_r = hop_error;
	if (h->fd >= 0)
		close(h->fd);
	h->fd = -1;
	return -1;
}

static int
hop_write(struct hop *h, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w;
		if (h->tls != NULL)
			w = h->tls->write(h->tls_ctx, p, n);
		else {
			if (hop_wait(h->fd, POLLOUT, h->timeout_ms) < 0) {
				h->is_broken = true;
				return -1;
			}
			w = write(h->fd, p, n);
		}
		if (w < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (w <= 0) {
			h->is_broken = true;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
hop_command(struct hop *h, const char *fmt, ...)
{
	char buf[1100];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf - 2, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof buf - 2)
		return -1;
	memcpy(buf + n, "\r\n", 2);
	return hop_write(h, buf, (size_t)n + 2);
}

/* One line without its CRLF into line; -1 on EOF, timeout or overflow. */
static int
hop_line(struct hop *h, char *line, size_t cap)
{
	size_t n = 0;

	for (;;) {
		while (h->in_pos < h->in_len) {
			char c = h->in[h->in_pos++];
			if (c == '\n') {
				if (n > 0 && line[n - 1] == '\r')
					n--;
				line[n] = '\0';
				return 0;
			}
			if (n + 1 >= cap)
				return -1;
			line[n++] = c;
		}
		ssize_t r;
		if (h->tls != NULL && h->tls->pending(h->tls_ctx) == 0 &&
		    hop_wait(h->fd, POLLIN, h->timeout_ms) < 0)
			return -1;
		if (h->tls != NULL)
			r = h->tls->read(h->tls_ctx, h->in, sizeof h->in,
			    h->timeout_ms);
		else {
			if (hop_wait(h->fd, POLLIN, h->timeout_ms) < 0)
				return -1;
			r = read(h->fd, h->in, sizeof h->in);
		}
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0)
			return -1;
		h->in_pos = 0;
		h->in_len = (size_t)r;
	}
}

int
hop_read_reply(struct hop *h, bool keep)
{
	char line[1024];
	size_t kept = 0;

	h->ehlo[0] = '\0';
	for (int lines = 0; lines < 100; lines++) {
		if (hop_line(h, line, sizeof line) < 0 || strlen(line) < 3 ||
		    line[0] < '2' || line[0] > '5' || line[1] < '0' ||
		    line[1] > '9' || line[2] < '0' || line[2] > '9' ||
		    (line[3] != ' ' && line[3] != '-' && line[3] != '\0')) {
			h->is_broken = true;
			h->code = -1;
			return -1;
		}
		const char *text = line[3] ? line + 4 : "";
		if (keep && lines > 0 && kept + strlen(text) + 2 <
		    sizeof h->ehlo) {
			kept += (size_t)snprintf(h->ehlo + kept,
			    sizeof h->ehlo - kept, "%s\n", text);
		}
		if (line[3] == '-')
			continue;
		h->code = atoi(line);
		/* An enhanced status code, if the text starts with one. */
		size_t sl = strspn(text, "0123456789.");
		h->status[0] = '\0';
		if (sl >= 5 && sl < sizeof h->status && text[0] == line[0] &&
		    text[1] == '.' && (text[sl] == ' ' || text[sl] == '\0')) {
			memcpy(h->status, text, sl);
			h->status[sl] = '\0';
			text += sl + (text[sl] == ' ');
		}
		/* Cut to fit: a hop's long text is not ours to keep whole. */
		snprintf(h->text, sizeof h->text, "%.*s",
		    (int)sizeof h->text - 1, text);
		return h->code;
	}
	h->is_broken = true;
	return -1;
}

bool
hop_has(const struct hop *h, const char *keyword)
{
	size_t n = strlen(keyword);

	for (const char *p = h->ehlo; *p; ) {
		if (strncasecmp(p, keyword, n) == 0 &&
		    (p[n] == '\n' || p[n] == ' ' || p[n] == '='))
			return true;
		const char *nl = strchr(p, '\n');
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return false;
}

int
hop_send_message(struct hop *h, int fd, off_t size)
{
	char in[65536], out[65536 * 2 + 8];
	off_t off = 0;
	bool at_bol = true, skip_first = false;

	/* Leave out cartero's Return-Path: the final hop adds its own. */
	ssize_t r = pread(fd, in, 13, 0);
	if (r == 13 && strncasecmp(in, "Return-Path: ", 13) == 0)
		skip_first = true;
	while (off < size) {
		r = pread(fd, in, sizeof in, off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		off += r;
		size_t o = 0;
		for (ssize_t i = 0; i < r; i++) {
			char c = in[i];
			if (skip_first) {
				skip_first = c != '\n';
				continue;
			}
			if (at_bol && c == '.')
				out[o++] = '.';
			out[o++] = c;
			at_bol = c == '\n';
		}
		if (hop_write(h, out, o) < 0)
			return -1;
	}
	return hop_write(h, at_bol ? ".\r\n" : "\r\n.\r\n", at_bol ? 3 : 5);
}

int
hop_starttls(struct hop *h, const struct cartero_host *host,
    const char *servername, const char *ca, bool verify,
    const char **error_r)
{
	const struct cartero_tls *tls = host->tls_module(error_r);
	void *ctx;

	if (tls == NULL || tls->client_new(NULL, servername, ca, verify,
	    &ctx, error_r) < 0)
		return -1;
	if (tls->handshake(ctx, h->fd, h->fd, h->timeout_ms, error_r) < 0) {
		tls->close(ctx);
		h->is_broken = true;
		return -1;
	}
	h->tls = tls;
	h->tls_ctx = ctx;
	h->in_pos = h->in_len = 0;
	return 0;
}

void
hop_to_reply(struct hop *h, struct cartero_reply *r)
{
	if (h->code < 200 || h->code > 599) {
		hop_fail(r, "no valid reply from the next hop");
		return;
	}
	r->code = (short)h->code;
	r->status = h->status[0] ? h->status : NULL;
	r->text = h->text;
}

void
hop_fail(struct cartero_reply *r, const char *what)
{
	r->code = 451;
	r->status = "4.4.0";
	r->text = what;
}

void
hop_close(struct hop *h, bool send_quit)
{
	if (h->fd < 0)
		return;
	if (send_quit && !h->is_broken && hop_command(h, "QUIT") == 0)
		hop_read_reply(h, false);
	if (h->tls != NULL)
		h->tls->close(h->tls_ctx);
	h->tls = NULL;
	close(h->fd);
	h->fd = -1;
}
