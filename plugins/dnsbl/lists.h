/* ISC license. */
/* The dnsbl filter's names, zones and allowlist, apart from DNS and host. */
#ifndef DNSBL_LISTS_H
#define DNSBL_LISTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ZONES_MAX 16		/* zones in lists = and in rhsbl = */
#define ZONE_CODES_MAX 8	/* answers in one ZONE=A,B,... filter */
/* A zone leaves room for the 64 octets of an IPv6 query prefix within
 * the 253 of a domain name. */
#define ZONE_NAME_MAX 188
#define QUERY_NAME_MAX 253

struct zone {
	char name[ZONE_NAME_MAX + 1];
	uint32_t codes[ZONE_CODES_MAX];	/* host order; none: any 127/8 */
	size_t n_codes;
};

struct zones {
	struct zone v[ZONES_MAX];
	size_t n;
};

/* One allowlist entry: an IPv4 or IPv6 network. */
struct cidr {
	unsigned char net[16];
	int family, prefix;
};

struct allow {
	struct cidr *v;
	size_t n;
};

/*
 * Parses a space-separated list of ZONE or ZONE=ADDRESS[,ADDRESS...] into
 * *zs (zeroed by the caller).  0, or -1 with a message naming the entry
 * in err.
 */
int zones_parse(struct zones *zs, const char *s, char *err, size_t n);

/* Whether the A record a (host order) is a listing for z: one of its
 * codes, or without codes any 127.0.0.0/8 address but 127.255.255.0/24
 * (the answers some lists give for a refused or malformed query). */
bool zone_is_listed(const struct zone *z, uint32_t a);

/*
 * The query name for a client address: "4.3.2.1.ZONE" for 1.2.3.4, the 32
 * nibbles of an IPv6 address in reverse order for IPv6 (RFC 5782 2.4); an
 * IPv4-mapped IPv6 address counts as IPv4.  0, or -1 when ip is not an
 * address or the name would not fit in n.
 */
int query_name_ip(char *dst, size_t n, const char *ip, const char *zone);

/* "DOMAIN.ZONE" for RHSBL: 0, or -1 when domain is empty, an address
 * literal, or the name would be longer than QUERY_NAME_MAX. */
int query_name_domain(char *dst, size_t n, const char *domain,
    const char *zone);

/* ADDRESS[/PREFIX], IPv4 or IPv6: 0 or -1. */
int cidr_parse(struct cidr *c, const char *s);
bool cidr_match(const struct cidr *c, const char *ip);

/*
 * Reads an allowlist file: one CIDR a line, "#" starts a comment.  0, or
 * -1 with "PATH:LINE: what" (or "PATH: reason") in err.
 */
int allow_load(struct allow *a, const char *path, char *err, size_t n);
bool allow_match(const struct allow *a, const char *ip);
void allow_free(struct allow *a);

/*
 * server = ADDRESS[:PORT] with an IPv4 address, or [ADDRESS][:PORT] with
 * an IPv6 one; port 53 by default.  Writes the c-ares server string
 * ("127.0.0.1:53", "[::1]:53") into csv.  0 or -1.
 */
int server_parse(const char *s, char *csv, size_t n);

/* Seconds with up to three decimals, from 0.1 to 60, into milliseconds:
 * 0 or -1. */
int seconds_parse(const char *s, int *ms_r);

#endif
