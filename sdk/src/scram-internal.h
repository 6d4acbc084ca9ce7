/* ISC license. */
/* SCRAM-SHA-256 (RFC 5802, RFC 7677) on the server, without channel
 * binding: the messages' parsers and the proof check, no I/O. */
#ifndef SCRAM_INTERNAL_H
#define SCRAM_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "sha256-internal.h"

#define SCRAM_ITERATIONS 4096	/* RFC 7677 4: at least 4096 */
#define SCRAM_NONCE_MAX 128	/* a client nonce longer than this fails */
#define SCRAM_SALT_LEN 16

struct scram {
	char gs2[300];		/* the GS2 header as sent: "n,,", "n,a=X," */
	char bare[600];		/* client-first-message-bare */
	char user[256];		/* the username, "=2C"/"=3D" decoded */
	char nonce[SCRAM_NONCE_MAX + 80];	/* client's, then + server's */
	char server_first[400];
};

/*
 * Reads client-first-message (RFC 5802 7): "n" or "y" (no channel
 * binding; "p=" fails: it is not offered), an authzid only if it names
 * the user, no "m=" extension, a username and a printable nonce.
 * 0, or -1 when the message is malformed or asks for what is refused.
 */
int scram_client_first(struct scram *s, const char *msg, size_t n);
/* Makes server-first-message: the client's nonce with snonce appended
 * (printable, no ','), the salt and the iteration count. */
void scram_server_first(struct scram *s, const char *snonce,
    const unsigned char *salt, size_t salt_len, unsigned iterations);
/*
 * Checks client-final-message against the password (the user's reversible
 * secret): the channel-binding attribute must repeat the GS2 header, the
 * nonce must be the combined one, and the proof must match (compared in
 * constant time).  1 with the server's signature in server_sig (for
 * "v="), 0 for a wrong proof, -1 for a malformed message.
 */
int scram_client_final(const struct scram *s, const char *msg, size_t n,
    const void *password, size_t pwlen, const unsigned char *salt,
    size_t salt_len, unsigned iterations,
    unsigned char server_sig[SHA256_LEN]);

#endif
