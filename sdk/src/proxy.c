/* ISC license. */
/* PROXY protocol headers (haproxy.org/download/2.8/doc/proxy-protocol.txt). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <poll.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "proxy-internal.h"

static const unsigned char proxy_v2_sig[12] = {
	0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a
};

/* Waits for input on fd until deadline_ms (monotonic). */
static int
proxy_wait(int fd, int64_t deadline_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	for (;;) {
		int64_t left = deadline_ms - io_now_ms();
		if (left <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		int r = poll(&pfd, 1, (int)left);
		if (r > 0)
			return 0;
		if (r == 0 || errno != EINTR) {
			errno = r == 0 ? ETIMEDOUT : errno;
			return -1;
		}
	}
}

/*
 * Reads exactly n bytes, never more: with implicit TLS the bytes after
 * the header are the TLS handshake, which GnuTLS reads from the socket
 * itself.  With peek, looks without consuming (MSG_PEEK).
 */
static int
proxy_recv(int fd, void *buf, size_t n, bool peek, int64_t deadline_ms,
    size_t *got_r)
{
	size_t got = 0;

	while (got < n) {
		if (proxy_wait(fd, deadline_ms) < 0)
			return -1;
		ssize_t r = recv(fd, (char *)buf + (peek ? 0 : got),
		    peek ? n : n - got, peek ? MSG_PEEK : 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		if (peek) {
			*got_r = (size_t)r;
			return 0;
		}
		got += (size_t)r;
	}
	if (got_r)
		*got_r = got;
	return 0;
}

static void
proxy_set(struct peer *p, int family, const void *addr, unsigned port)
{
	memset(p, 0, sizeof *p);
	inet_ntop(family, addr, p->ip, sizeof p->ip);
	snprintf(p->port, sizeof p->port, "%u", port);
	if (family == AF_INET6) {
		const struct in6_addr *a = addr;
		p->is_ipv6 = true;
		p->is_loopback = IN6_IS_ADDR_LOOPBACK(a);
		if (IN6_IS_ADDR_V4MAPPED(a)) {
			inet_ntop(AF_INET, &a->s6_addr[12], p->ip,
			    sizeof p->ip);
			p->is_ipv6 = false;
			p->is_loopback = a->s6_addr[12] == 127;
		}
	} else
		p->is_loopback = ((const unsigned char *)addr)[0] == 127;
}

/* proxy-v1 = "PROXY" SP ( "TCP4" / "TCP6" ) SP src SP dst SP sport SP
 *            dport CRLF / "PROXY UNKNOWN" [...] CRLF; at most 107 octets */
static int
proxy_v1(int fd, struct peer *p, int64_t deadline_ms, const char **error_r)
{
	char line[108], src[64], dst[64], fam[8], extra;
	unsigned sport, dport;
	unsigned char a[16], b[16];
	size_t n = 0;

	/* Peek until the CRLF is in, then take exactly the line. */
	for (int tries = 0;; tries++) {
		char *lf;
		if (proxy_recv(fd, line, 107, true, deadline_ms, &n) < 0) {
			*error_r = "PROXY v1 header truncated";
			return -1;
		}
		if ((lf = memchr(line, '\n', n)) != NULL) {
			n = (size_t)(lf - line) + 1;
			break;
		}
		if (n >= 107 || tries > 100) {
			*error_r = "PROXY v1 header too long";
			return -1;
		}
		struct timespec ts = { 0, 5000000 };
		nanosleep(&ts, NULL);
	}
	if (proxy_recv(fd, line, n, false, deadline_ms, NULL) < 0) {
		*error_r = "PROXY v1 header truncated";
		return -1;
	}
	line[n] = '\0';
	if (n < 2 || line[n - 2] != '\r') {
		*error_r = "PROXY v1 header not ended by CRLF";
		return -1;
	}
	line[n - 2] = '\0';
	if (strncmp(line, "PROXY UNKNOWN", 13) == 0)
		return 0;
	if (sscanf(line, "PROXY %7s %63s %63s %u %u%c", fam, src, dst, &sport,
	    &dport, &extra) != 5 || sport > 65535 || dport > 65535) {
		*error_r = "malformed PROXY v1 header";
		return -1;
	}
	int af = strcmp(fam, "TCP4") == 0 ? AF_INET
	    : strcmp(fam, "TCP6") == 0 ? AF_INET6 : 0;
	if (af == 0 || inet_pton(af, src, a) != 1 ||
	    inet_pton(af, dst, b) != 1) {
		*error_r = "malformed PROXY v1 address";
		return -1;
	}
	proxy_set(p, af, a, sport);
	return 0;
}

static int
proxy_v2(int fd, struct peer *p, int64_t deadline_ms, const char **error_r)
{
	unsigned char h[16], body[536];

	if (proxy_recv(fd, h, 16, false, deadline_ms, NULL) < 0) {
		*error_r = "PROXY v2 header truncated";
		return -1;
	}
	unsigned ver_cmd = h[12], fam = h[13];
	size_t len = (size_t)h[14] << 8 | h[15];
	if ((ver_cmd & 0xf0) != 0x20 || (ver_cmd & 0x0f) > 1) {
		*error_r = "PROXY v2 header with a bad version or command";
		return -1;
	}
	if (len > sizeof body ||
	    proxy_recv(fd, body, len, false, deadline_ms, NULL) < 0) {
		*error_r = "PROXY v2 header truncated or too long";
		return -1;
	}
	if ((ver_cmd & 0x0f) == 0)
		return 0;	/* LOCAL: a health check; the peer is the proxy */
	if (fam == 0x11 && len >= 12) {
		proxy_set(p, AF_INET, body, (unsigned)body[8] << 8 | body[9]);
		return 0;
	}
	if (fam == 0x21 && len >= 36) {
		proxy_set(p, AF_INET6, body,
		    (unsigned)body[32] << 8 | body[33]);
		return 0;
	}
	if (fam == 0x00)
		return 0;	/* AF_UNSPEC: keep what we know */
	*error_r = "PROXY v2 header with an unsupported address family";
	return -1;
}

int
proxy_read(int fd, struct peer *p, int timeout_sec, const char **error_r)
{
	unsigned char sig[12];
	size_t n = 0;
	int64_t deadline = io_now_ms() + (int64_t)timeout_sec * 1000;

	/* Enough to tell v1 from v2: wait until 12 bytes or a v1 prefix. */
	for (int tries = 0; tries < 200; tries++) {
		if (proxy_recv(fd, sig, sizeof sig, true, deadline, &n) < 0) {
			*error_r = "no PROXY header";
			return -1;
		}
		if (n >= 6 && memcmp(sig, "PROXY ", 6) == 0)
			return proxy_v1(fd, p, deadline, error_r);
		if (n == sizeof sig)
			break;
		struct timespec ts = { 0, 5000000 };
		nanosleep(&ts, NULL);
	}
	if (n == sizeof sig && memcmp(sig, proxy_v2_sig, 12) == 0)
		return proxy_v2(fd, p, deadline, error_r);
	*error_r = "no PROXY header";
	return -1;
}
