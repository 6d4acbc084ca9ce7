/* ISC license. */
/* The client side of SMTP and LMTP, shared by the lmtp and smtp stores. */
#ifndef HOP_H
#define HOP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <cartero/cartero.h>

struct hop {
	int fd;
	int timeout_ms;
	const struct cartero_tls *tls;	/* set once STARTTLS is up */
	void *tls_ctx;
	char in[8192];
	size_t in_pos, in_len;
	/* The last reply: code, enhanced status ("" if none), last text. */
	int code;
	char status[16];
	char text[400];
	char ehlo[2048];		/* the EHLO reply's keyword lines */
	bool is_broken;
};

/* Connects to "unix:/path" or "host:port" within timeout_ms. */
int hop_connect(struct hop *h, const char *address, int timeout_ms,
    const char **error_r);
/* Sends one command line (CRLF added); -1 on a write failure. */
int hop_command(struct hop *h, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Reads one (multi-line) reply into h->code/status/text; with keep, the
 * lines' texts are kept in h->ehlo.  The code, or -1 on EOF, timeout or
 * a malformed reply. */
int hop_read_reply(struct hop *h, bool keep);
/* Sends the spooled message (cartero's Return-Path line left out: the
 * next hop adds its own at final delivery), dot-stuffed, then ".". */
int hop_send_message(struct hop *h, int fd, off_t size);
/* Whether the EHLO reply had this keyword (case-insensitive). */
bool hop_has(const struct hop *h, const char *keyword);
/* Upgrades with STARTTLS through the host's TLS module; -1 with error. */
int hop_starttls(struct hop *h, const struct cartero_host *host,
    const char *servername, const char *ca, bool verify,
    const char **error_r);
/* Fills r from the last reply, class checked; text points into h. */
void hop_to_reply(struct hop *h, struct cartero_reply *r);
/* A reply of our own about the hop (connection lost and such). */
void hop_fail(struct cartero_reply *r, const char *what);
void hop_close(struct hop *h, bool send_quit);

#endif
