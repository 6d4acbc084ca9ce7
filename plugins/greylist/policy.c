/* ISC license. */
/* Greylisting's pure parts: client networks, durations, the decision. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "greylist-internal.h"

static void greylist_mask(unsigned char *a, int bytes, int prefix);

/* Clears every bit of a (bytes long) past the first prefix bits. */
static void
greylist_mask(unsigned char *a, int bytes, int prefix)
{
	for (int i = 0; i < bytes; i++) {
		int keep = prefix - 8 * i;
		if (keep >= 8)
			continue;
		a[i] &= keep <= 0 ? 0 : (unsigned char)(0xff << (8 - keep));
	}
}

int
greylist_net(char *dst, size_t n, const char *ip, int v4_prefix,
    int v6_prefix)
{
	unsigned char a[16];
	char text[INET6_ADDRSTRLEN];
	int family, prefix;

	if (inet_pton(AF_INET, ip, a) == 1) {
		family = AF_INET;
		prefix = v4_prefix;
	} else if (inet_pton(AF_INET6, ip, a) == 1) {
		static const unsigned char v4mapped[12] = {
			0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
		};
		family = AF_INET6;
		prefix = v6_prefix;
		/* ::ffff:192.0.2.1 is the IPv4 client 192.0.2.1. */
		if (memcmp(a, v4mapped, sizeof v4mapped) == 0) {
			memmove(a, a + 12, 4);
			family = AF_INET;
			prefix = v4_prefix;
		}
	} else
		return -1;
	greylist_mask(a, family == AF_INET ? 4 : 16, prefix);
	if (inet_ntop(family, a, text, sizeof text) == NULL)
		return -1;
	if ((size_t)snprintf(dst, n, "%s/%d", text, prefix) >= n)
		return -1;
	return 0;
}

/* CIDR: ADDRESS[/PREFIX], IPv4 or IPv6. */
bool
greylist_cidr_parse(struct greylist_cidr *c, const char *s)
{
	char addr[INET6_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);

	if (n >= sizeof addr)
		return false;
	memcpy(addr, s, n);
	addr[n] = '\0';
	memset(c, 0, sizeof *c);
	if (inet_pton(AF_INET, addr, c->net) == 1) {
		c->family = AF_INET;
		c->prefix = 32;
	} else if (inet_pton(AF_INET6, addr, c->net) == 1) {
		c->family = AF_INET6;
		c->prefix = 128;
	} else
		return false;
	if (slash != NULL) {
		char *end;
		long p;
		if (slash[1] < '0' || slash[1] > '9')
			return false;
		p = strtol(slash + 1, &end, 10);
		if (*end != '\0' || p > c->prefix)
			return false;
		c->prefix = (int)p;
	}
	greylist_mask(c->net, c->family == AF_INET ? 4 : 16, c->prefix);
	return true;
}

bool
greylist_cidr_match(const struct greylist_cidr *c, const char *ip)
{
	unsigned char a[16];
	int family = strchr(ip, ':') ? AF_INET6 : AF_INET;

	if (family != c->family || inet_pton(family, ip, a) != 1)
		return false;
	greylist_mask(a, family == AF_INET ? 4 : 16, c->prefix);
	return memcmp(a, c->net, family == AF_INET ? 4 : 16) == 0;
}

void
greylist_lower(char *dst, size_t n, const char *src)
{
	size_t i = 0;

	for (; src[i] != '\0' && i + 1 < n; i++)
		dst[i] = src[i] >= 'A' && src[i] <= 'Z' ? (char)(src[i] + 32)
		    : src[i];
	dst[i] = '\0';
}

/* duration = 1*DIGIT [ "s" / "m" / "h" / "d" ] */
int
greylist_duration(const char *s, long *seconds_r)
{
	char *end;
	long v, unit = 1;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0)
		return -1;
	switch (*end) {
	case '\0':
	case 's':
		break;
	case 'm':
		unit = 60;
		break;
	case 'h':
		unit = 3600;
		break;
	case 'd':
		unit = 86400;
		break;
	default:
		return -1;
	}
	if (*end != '\0' && end[1] != '\0')
		return -1;
	/* Ten years is more than any greylisting needs; it keeps
	 * time_t arithmetic far from overflowing. */
	if (v > 315360000L / unit)
		return -1;
	*seconds_r = v * unit;
	return 0;
}

long
greylist_decide(const struct greylist_row *old, time_t now,
    const struct greylist_policy *p, struct greylist_row *new_r,
    const char **why_r)
{
	if (old != NULL && old->is_passed) {
		if (now - old->last_seen <= p->auto_allow) {
			*new_r = (struct greylist_row){ old->first_seen, now,
			    true };
			*why_r = "allowed";
			return 0;
		}
		*why_r = "lapsed";
	} else if (old != NULL) {
		/* A clock stepped back counts as no time gone by. */
		long age = now > old->first_seen ? (long)(now - old->first_seen)
		    : 0;
		if (age <= p->retry_window) {
			*new_r = (struct greylist_row){ old->first_seen, now,
			    age >= p->delay };
			*why_r = age >= p->delay ? "retry" : "early";
			return age >= p->delay ? 0 : p->delay - age;
		}
		*why_r = "expired";
	} else
		*why_r = "new";
	/* First attempt, or one so late that it starts over. */
	*new_r = (struct greylist_row){ now, now, false };
	return p->delay;
}
