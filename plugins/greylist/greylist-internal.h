/* ISC license. */
/* The greylist filter's parts: triplet keys, the decision, the state store. */
#ifndef GREYLIST_INTERNAL_H
#define GREYLIST_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* "2001:db8:1:2::/64" at most INET6_ADDRSTRLEN + "/128". */
#define GREYLIST_NET_MAX 64

/* The timing rules, in seconds (cartero.conf(5), [plugin greylist]). */
struct greylist_policy {
	long delay;		/* a retry passes this long after the */
	long retry_window;	/* first attempt, and no later than this */
	long auto_allow;	/* a passed triplet stays allowed this long
				 * after it was last seen */
	long expire_every;	/* rows that no longer matter are removed
				 * at most this often */
};

/* What the state keeps of one triplet. */
struct greylist_row {
	time_t first_seen;	/* start of the current attempt */
	time_t last_seen;
	bool is_passed;		/* a retry came in time: allowlisted */
};

/* The key: client network, sender, recipient, all normalised. */
struct greylist_triplet {
	const char *net;	/* "192.0.2.0/24", "2001:db8:1:2::/64" */
	const char *sender;	/* lower case; "" for <> */
	const char *rcpt;	/* lower case */
};

/* An allowed client network. */
struct greylist_cidr {
	unsigned char net[16];
	int family;		/* AF_INET or AF_INET6 */
	int prefix;
};

/* policy.c: pure functions, no I/O. */

/* Writes the network of ip (IPv4 or IPv6 text; IPv4-mapped IPv6 counts as
 * IPv4) with its host bits cleared as "NET/PREFIX" into dst (size n, at
 * least GREYLIST_NET_MAX).  0, or -1 when ip is not an address. */
int greylist_net(char *dst, size_t n, const char *ip, int v4_prefix,
    int v6_prefix);
/* ADDRESS[/PREFIX]; false when malformed. */
bool greylist_cidr_parse(struct greylist_cidr *c, const char *s);
bool greylist_cidr_match(const struct greylist_cidr *c, const char *ip);
/* Copies src into dst (size n) in ASCII lower case, truncating. */
void greylist_lower(char *dst, size_t n, const char *src);
/* A duration: digits with an optional unit s, m, h or d.  0, or -1. */
int greylist_duration(const char *s, long *seconds_r);
/*
 * The decision for one attempt at now, given the triplet's row (NULL when
 * there is none).  Fills *new_r with the row to store and *why_r with the
 * reason ("new", "early", "retry", "allowed", "expired", "lapsed").
 * Returns 0 to let the attempt pass, or the seconds left to wait.
 */
long greylist_decide(const struct greylist_row *old, time_t now,
    const struct greylist_policy *p, struct greylist_row *new_r,
    const char **why_r);

/*
 * The state store (store-sqlite.c).  Another store, a networked one,
 * replaces it by implementing these four functions; it must make
 * greylist_store_check atomic for one triplet across processes.
 * Errors come back as text in *error_r, valid until the next call.
 */
struct greylist_store;

int greylist_store_open(struct greylist_store **st_r, const char *path,
    const char **error_r);
/* Reads the triplet's row, applies greylist_decide and writes the new row,
 * as one transaction.  0 with *wait_r (0: pass) and *why_r, or -1. */
int greylist_store_check(struct greylist_store *st,
    const struct greylist_triplet *t, time_t now,
    const struct greylist_policy *p, long *wait_r, const char **why_r,
    const char **error_r);
/* Removes rows that can no longer matter at now: unpassed ones last seen
 * longer than retry_window ago, passed ones longer than auto_allow ago.
 * The number removed, or -1. */
long greylist_store_expire(struct greylist_store *st, time_t now,
    const struct greylist_policy *p, const char **error_r);
/* Runs greylist_store_expire when the schedule kept in the state says it
 * is due (or none is kept), and schedules the next one expire_every later;
 * one process of those finding it due does it.  1 with *removed_r when it
 * ran, 0 when not due, -1 on error. */
int greylist_store_expire_due(struct greylist_store *st, time_t now,
    const struct greylist_policy *p, long *removed_r, const char **error_r);
/* Closes the store and sets *st to NULL; NULL is allowed. */
void greylist_store_close(struct greylist_store **st);

#endif
