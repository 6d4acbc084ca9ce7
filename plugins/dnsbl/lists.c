/* ISC license. */
/* DNSBL query names, zone lists, allowlists and settings: no DNS here. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lists.h"

static int zone_name_ok(char *name);
static int ip_parse(const char *ip, unsigned char a[16], int *family_r);

/* zone = label *("." label) ["."]; label = 1*63(ALPHA / DIGIT / "-" / "_")
 * (underscores do occur in list zones); lower-cased, trailing dot
 * dropped. */
static int
zone_name_ok(char *name)
{
	size_t len = strlen(name), label = 0;

	if (len > 1 && name[len - 1] == '.')
		name[--len] = '\0';
	if (len == 0 || len > ZONE_NAME_MAX)
		return -1;
	for (char *p = name; *p; p++) {
		if (*p == '.') {
			if (label == 0)
				return -1;
			label = 0;
			continue;
		}
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
			return -1;
		if (++label > 63)
			return -1;
		*p = (char)tolower((unsigned char)*p);
	}
	return label == 0 ? -1 : 0;
}

/* lists = entry *(1*WSP entry); entry = zone ["=" address *("," address)] */
int
zones_parse(struct zones *zs, const char *s, char *err, size_t n)
{
	char buf[2048], *save, *tok;

	if (strlen(s) >= sizeof buf) {
		snprintf(err, n, "too long");
		return -1;
	}
	strcpy(buf, s);
	for (tok = strtok_r(buf, " \t", &save); tok != NULL;
	    tok = strtok_r(NULL, " \t", &save)) {
		struct zone *z;
		char *codes = strchr(tok, '=');

		if (zs->n == ZONES_MAX) {
			snprintf(err, n, "more than %d zones", ZONES_MAX);
			return -1;
		}
		z = &zs->v[zs->n];
		memset(z, 0, sizeof *z);
		if (codes != NULL)
			*codes++ = '\0';
		if (strlen(tok) > ZONE_NAME_MAX + 1 || zone_name_ok(tok) < 0) {
			snprintf(err, n, "bad zone \"%.60s\" (a domain name of "
			    "%d octets at most)", tok, ZONE_NAME_MAX);
			return -1;
		}
		strcpy(z->name, tok);
		if (codes != NULL) {
			char *csave, *c;
			for (c = strtok_r(codes, ",", &csave); c != NULL;
			    c = strtok_r(NULL, ",", &csave)) {
				struct in_addr a;
				if (z->n_codes == ZONE_CODES_MAX ||
				    inet_pton(AF_INET, c, &a) != 1) {
					snprintf(err, n, "bad answer \"%.40s\" "
					    "for %s (IPv4 addresses, %d at "
					    "most)", c, z->name,
					    ZONE_CODES_MAX);
					return -1;
				}
				z->codes[z->n_codes++] = ntohl(a.s_addr);
			}
			if (z->n_codes == 0) {
				snprintf(err, n, "no answers after %s=",
				    z->name);
				return -1;
			}
		}
		zs->n++;
	}
	return 0;
}

bool
zone_is_listed(const struct zone *z, uint32_t a)
{
	if (z->n_codes == 0)
		return (a >> 24) == 127 && (a >> 8) != 0x7fffffU;
	for (size_t i = 0; i < z->n_codes; i++)
		if (z->codes[i] == a)
			return true;
	return false;
}

/* An address as 4 or 16 octets; IPv4-mapped IPv6 becomes IPv4. */
static int
ip_parse(const char *ip, unsigned char a[16], int *family_r)
{
	static const unsigned char mapped[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
	};

	if (inet_pton(AF_INET, ip, a) == 1) {
		*family_r = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, ip, a) != 1)
		return -1;
	*family_r = AF_INET6;
	if (memcmp(a, mapped, sizeof mapped) == 0) {
		memmove(a, a + 12, 4);
		*family_r = AF_INET;
	}
	return 0;
}

int
query_name_ip(char *dst, size_t n, const char *ip, const char *zone)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char a[16];
	char prefix[80];
	size_t o = 0;
	int family, k;

	if (ip_parse(ip, a, &family) < 0)
		return -1;
	if (family == AF_INET)
		snprintf(prefix, sizeof prefix, "%u.%u.%u.%u", a[3], a[2],
		    a[1], a[0]);
	else
		for (int i = 15; i >= 0; i--) {
			prefix[o++] = hex[a[i] & 0xf];
			prefix[o++] = '.';
			prefix[o++] = hex[a[i] >> 4];
			prefix[o++] = i > 0 ? '.' : '\0';
		}
	k = snprintf(dst, n, "%s.%s", prefix, zone);
	return k < 0 || (size_t)k >= n || k > QUERY_NAME_MAX ? -1 : 0;
}

int
query_name_domain(char *dst, size_t n, const char *domain, const char *zone)
{
	int k;

	if (domain[0] == '\0' || domain[0] == '[')
		return -1;
	k = snprintf(dst, n, "%s.%s", domain, zone);
	return k < 0 || (size_t)k >= n || k > QUERY_NAME_MAX ? -1 : 0;
}

/* cidr = address ["/" prefix] */
int
cidr_parse(struct cidr *c, const char *s)
{
	char addr[64], *end;
	const char *slash = strchr(s, '/');
	size_t len = slash ? (size_t)(slash - s) : strlen(s);

	if (len >= sizeof addr)
		return -1;
	memcpy(addr, s, len);
	addr[len] = '\0';
	memset(c, 0, sizeof *c);
	if (inet_pton(AF_INET, addr, c->net) == 1) {
		c->family = AF_INET;
		c->prefix = 32;
	} else if (inet_pton(AF_INET6, addr, c->net) == 1) {
		c->family = AF_INET6;
		c->prefix = 128;
	} else
		return -1;
	if (slash != NULL) {
		long p;
		if (slash[1] < '0' || slash[1] > '9')
			return -1;
		errno = 0;
		p = strtol(slash + 1, &end, 10);
		if (*end != '\0' || errno != 0 || p > c->prefix)
			return -1;
		c->prefix = (int)p;
	}
	return 0;
}

bool
cidr_match(const struct cidr *c, const char *ip)
{
	unsigned char a[16];
	int family, bits = c->prefix, i = 0;

	if (ip_parse(ip, a, &family) < 0 || family != c->family)
		return false;
	for (; bits >= 8; bits -= 8, i++)
		if (a[i] != c->net[i])
			return false;
	if (bits == 0)
		return true;
	unsigned char mask = (unsigned char)(0xff << (8 - bits));
	return (a[i] & mask) == (c->net[i] & mask);
}

int
allow_load(struct allow *a, const char *path, char *err, size_t n)
{
	char line[256];
	int lineno = 0;
	FILE *f;

	if ((f = fopen(path, "re")) == NULL) {
		snprintf(err, n, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof line, f) != NULL) {
		char *tok, *extra, *save, *hash;
		struct cidr c;

		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			snprintf(err, n, "%s:%d: line too long", path, lineno);
			goto fail;
		}
		if ((hash = strchr(line, '#')) != NULL)
			*hash = '\0';
		if ((tok = strtok_r(line, " \t\r\n", &save)) == NULL)
			continue;
		extra = strtok_r(NULL, " \t\r\n", &save);
		if (extra != NULL || cidr_parse(&c, tok) < 0) {
			snprintf(err, n, "%s:%d: expected ADDRESS[/PREFIX], "
			    "IPv4 or IPv6", path, lineno);
			goto fail;
		}
		struct cidr *v = realloc(a->v, (a->n + 1) * sizeof *v);
		if (v == NULL) {
			snprintf(err, n, "out of memory");
			goto fail;
		}
		a->v = v;
		a->v[a->n++] = c;
	}
	if (ferror(f)) {
		snprintf(err, n, "%s: %s", path, strerror(errno));
		goto fail;
	}
	fclose(f);
	return 0;
fail:
	fclose(f);
	allow_free(a);
	return -1;
}

bool
allow_match(const struct allow *a, const char *ip)
{
	for (size_t i = 0; i < a->n; i++)
		if (cidr_match(&a->v[i], ip))
			return true;
	return false;
}

void
allow_free(struct allow *a)
{
	free(a->v);
	a->v = NULL;
	a->n = 0;
}

/* server = IPv4 [":" port] / "[" IPv6 "]" [":" port] */
int
server_parse(const char *s, char *csv, size_t n)
{
	char host[64];
	const char *port = NULL;
	unsigned char a[16];
	long p = 53;
	bool is_v6 = s[0] == '[';

	if (is_v6) {
		const char *close = strchr(s, ']');
		if (close == NULL || (size_t)(close - s - 1) >= sizeof host)
			return -1;
		memcpy(host, s + 1, (size_t)(close - s - 1));
		host[close - s - 1] = '\0';
		if (close[1] == ':')
			port = close + 2;
		else if (close[1] != '\0')
			return -1;
		if (inet_pton(AF_INET6, host, a) != 1)
			return -1;
	} else {
		const char *colon = strchr(s, ':');
		size_t len = colon ? (size_t)(colon - s) : strlen(s);
		if (len >= sizeof host)
			return -1;
		memcpy(host, s, len);
		host[len] = '\0';
		if (colon != NULL)
			port = colon + 1;
		if (inet_pton(AF_INET, host, a) != 1)
			return -1;
	}
	if (port != NULL) {
		char *end;
		if (*port < '0' || *port > '9')
			return -1;
		errno = 0;
		p = strtol(port, &end, 10);
		if (*end != '\0' || errno != 0 || p < 1 || p > 65535)
			return -1;
	}
	int k = snprintf(csv, n, is_v6 ? "[%s]:%ld" : "%s:%ld", host, p);
	return k < 0 || (size_t)k >= n ? -1 : 0;
}

/* seconds = 1*2DIGIT ["." 1*3DIGIT] */
int
seconds_parse(const char *s, int *ms_r)
{
	size_t whole = strspn(s, "0123456789"), frac = 0;
	int ms = 0;

	if (whole == 0 || whole > 2)
		return -1;
	for (size_t i = 0; i < whole; i++)
		ms = ms * 10 + (s[i] - '0');
	ms *= 1000;
	if (s[whole] == '.') {
		frac = strspn(s + whole + 1, "0123456789");
		if (frac == 0 || frac > 3)
			return -1;
		int scale = 100;
		for (size_t i = 0; i < frac; i++, scale /= 10)
			ms += (s[whole + 1 + i] - '0') * scale;
	}
	if (s[whole + (frac ? frac + 1 : 0)] != '\0' || ms < 100 ||
	    ms > 60000)
		return -1;
	*ms_r = ms;
	return 0;
}
