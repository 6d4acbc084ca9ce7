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
/* Sends close_notify if TLS is up; called as the session ends. */
void tls_end(struct io *io);

#endif
