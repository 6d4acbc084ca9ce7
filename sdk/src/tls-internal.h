/* ISC license. */
/* TLS for the handlers: the GnuTLS module is loaded only when asked for. */
#ifndef TLS_INTERNAL_H
#define TLS_INTERNAL_H

#include <stdbool.h>

#include "conf-internal.h"
#include "io-internal.h"

struct tls_info {
	const char *version;	/* "TLSv1.3" */
	const char *cipher;	/* "TLS_AES_256_GCM_SHA384" */
	const char *peer;	/* verified client certificate DN, or NULL */
};

/* Whether [tls] names a cert and a key this process can read: decides if
 * STARTTLS/STLS are offered, without loading GnuTLS. */
bool tls_available(const struct conf *c);
/*
 * Loads the module, handshakes on io's descriptors (the caller has sent
 * its "go ahead" reply and discarded any buffered plaintext), and routes
 * io through TLS.  0 with *info_r, or -1 with *error_r.
 */
int tls_start(struct io *io, const struct conf *c, int timeout_sec,
    struct tls_info *info_r, const char **error_r);
/* The two halves of tls_start, for STARTTLS/STLS: tls_prepare loads the
 * module and the certificate before the "go ahead" reply, so that a
 * broken certificate is a 454, not a dropped connection; tls_handshake
 * then runs after the reply (and frees ctx if it fails). */
int tls_prepare(const struct conf *c, void **ctx_r, const char **error_r);
int tls_handshake(struct io *io, void *ctx, int timeout_sec,
    struct tls_info *info_r, const char **error_r);
enum tls_upgrade {
	TLS_UPGRADE_OK = 0,
	TLS_UPGRADE_REFUSED,	/* nothing sent: answer "not available" */
	TLS_UPGRADE_FAILED	/* after the go-ahead: close the connection */
};

/*
 * STARTTLS and STLS, written once: prepares the module and certificate,
 * drops whatever plaintext the client pipelined after the command (never
 * executed: CVE-2011-0411; logged as starttls-injection), has go_ahead(arg)
 * send the protocol's "go ahead" reply, then handshakes.  Every outcome
 * is logged (tls, tls-failed).  The caller resets its protocol state on
 * TLS_UPGRADE_OK.
 */
enum tls_upgrade tls_upgrade(struct io *io, const struct conf *c,
    int timeout_sec, const char *ip, void (*go_ahead)(void *arg), void *arg,
    struct tls_info *info_r);
/* Implicit TLS (--tls): the handshake before anything else; logs as
 * tls_upgrade does.  0, or -1 (the caller exits without a word). */
int tls_implicit(struct io *io, const struct conf *c, int timeout_sec,
    const char *ip, struct tls_info *info_r);
/* Sends close_notify if TLS is up; called as the session ends. */
void tls_end(struct io *io);

#endif
