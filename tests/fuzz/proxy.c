/* ISC license. */
/* Fuzz target: proxy_read() over a socketpair holding the input, then
 * EOF.  Oracles: a header taken is exactly the header (v1: through the
 * first LF; v2: 16 octets and its length), nothing after it is read, and
 * a peer it sets is one inet_pton() reads back. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../sdk/src/proxy-internal.h"
#include "fuzz.h"

static const uint8_t v2_sig[12] = {
	0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int sv[2];
	struct peer p, before;
	const char *err = NULL;
	bool is_v1 = size >= 6 && memcmp(data, "PROXY ", 6) == 0;
	const uint8_t *lf = memchr(data, '\n', size < 107 ? size : 107);

	/*
	 * proxy_read() peeks until it has 12 octets or a v1 line end, up to
	 * 1 s for a slow balancer; a peek cannot see EOF, so such an input
	 * would only measure that second.  They are left out.
	 */
	memset(&p, 0, sizeof p);
	strcpy(p.ip, "198.51.100.9");
	strcpy(p.port, "4242");
	before = p;
	if (size > 4096 || (!is_v1 && size < 12) ||
	    (is_v1 && lf == NULL && size < 107))
		return 0;
	FUZZ_ASSERT(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
	FUZZ_ASSERT(write(sv[1], data, size) == (ssize_t)size);
	shutdown(sv[1], SHUT_WR);
	int r = proxy_read(sv[0], &p, 1, &err);
	/* What is left in the socket must be the input's tail. */
	uint8_t *rest = malloc(size + 1);
	size_t left = 0;
	FUZZ_ASSERT(rest != NULL);
	for (;;) {
		ssize_t k = read(sv[0], rest + left, size + 1 - left);
		if (k < 0 && errno == EINTR)
			continue;
		FUZZ_ASSERT(k >= 0);
		if (k == 0)
			break;
		left += (size_t)k;
	}
	FUZZ_ASSERT(left <= size &&
	    memcmp(rest, data + size - left, left) == 0);
	size_t taken = size - left;
	if (r < 0) {
		FUZZ_ASSERT(err != NULL);
		FUZZ_ASSERT(memcmp(&p, &before, sizeof p) == 0);
	} else if (is_v1) {
		FUZZ_ASSERT(lf != NULL && taken == (size_t)(lf - data) + 1);
		FUZZ_ASSERT(lf > data && lf[-1] == '\r');
	} else {
		FUZZ_ASSERT(size >= 16 && memcmp(data, v2_sig, 12) == 0);
		FUZZ_ASSERT(taken == 16 + ((size_t)data[14] << 8 | data[15]));
	}
	if (r == 0 && memcmp(&p, &before, sizeof p) != 0) {
		unsigned char a[16];
		FUZZ_ASSERT(inet_pton(p.is_ipv6 ? AF_INET6 : AF_INET, p.ip,
		    a) == 1);
		char *end;
		unsigned long port = strtoul(p.port, &end, 10);
		FUZZ_ASSERT(*p.port != '\0' && *end == '\0' && port <= 65535);
		FUZZ_ASSERT(!p.is_loopback || strncmp(p.ip, "127.", 4) == 0 ||
		    strcmp(p.ip, "::1") == 0);
	}
	free(rest);
	close(sv[0]);
	close(sv[1]);
	return 0;
}
