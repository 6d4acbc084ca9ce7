/* ISC license. */
/* The spamd filter's protocol side: settings, request, answer, header. */
#ifndef SPAMD_INTERNAL_H
#define SPAMD_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The rule names kept for tests=, so that X-Spam-Status stays one line
 * within RFC 5322's 998 octets. */
#define SPAMC_SYMBOLS_MAX 800

/* What spamd said about a message. */
struct spamc_result {
	bool is_spam;			/* spamd's own verdict */
	double score, required;		/* "15.0 / 5.0" */
	char symbols[SPAMC_SYMBOLS_MAX + 1];	/* "A,B,C", "" for none */
};

/* Where spamd listens, from "HOST:PORT", "[IPV6]:PORT" or "unix:PATH". */
struct spamd_server {
	bool is_unix;
	char host[256];		/* or the socket's path */
	char port[8];
};

/* server = "unix:" path / host ":" port / "[" ipv6 "]" ":" port.  0, or
 * -1 when malformed. */
int spamd_server_parse(struct spamd_server *srv, const char *s);
/* decimal = ["-"] 1*DIGIT ["." 1*DIGIT]; 0 with *value_r, or -1. */
int spamd_decimal(const char *s, double *value_r);
/* The request header for a message of length octets (user may be NULL),
 * into buf of size n; its length, or -1 when it does not fit. */
int spamc_request(char *buf, size_t n, const char *command, off_t length,
    const char *user);
/* Whether buf[0..len) holds a whole response: its header block and as much
 * body as its Content-length announces. */
bool spamc_is_complete(const char *buf, size_t len);
/* Parses a response.  0, or -1 with *error_r (static text or buf's own
 * status line, copied). */
int spamc_parse(const char *buf, size_t len, struct spamc_result *r,
    const char **error_r);
/* "Yes, score=7.2 required=5.0 tests=A,B" into dst (size n). */
void spamc_status(char *dst, size_t n, const struct spamc_result *r);

#endif
