/* ISC license. */
/* Server side of SASL (PLAIN, LOGIN, CRAM-MD5) over an auth plugin, shared
 * by SMTP AUTH (RFC 4954) and POP3 AUTH (RFC 5034). */
#ifndef AUTH_INTERNAL_H
#define AUTH_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "io-internal.h"
#include "plugin-internal.h"
#include "sasl-internal.h"

enum auth_result {
	AUTH_OK = 0,
	AUTH_FAIL,		/* wrong credentials */
	AUTH_TEMP,		/* the backend failed */
	AUTH_CANCEL,		/* the client sent "*" */
	AUTH_BAD_BASE64,
	AUTH_TOO_LONG,		/* a response over SASL_LINE_MAX */
	AUTH_BAD_MECH,		/* not a mechanism we offer */
	AUTH_BAD_INITIAL,	/* initial response to a server-first mech */
	AUTH_EOF,		/* connection lost mid-exchange */
	AUTH_TIMEOUT,		/* the client fell silent mid-exchange */
};

struct auth_exchange {
	struct io *io;
	const struct plugin *auth;
	const char *hostname;
	const char *prefix;	/* "334 " (SMTP) or "+ " (POP3) */
	int timeout;		/* seconds for each response */
	char user[256];		/* the authentication identity, once known */
	char line[SASL_LINE_MAX + 3];
};

/* A user name with no control characters; a mechanism name of at most
 * 20 of A-Z a-z 0-9 - _ (RFC 4422 3.1). */
bool auth_name_ok(const char *name);
bool auth_mech_ok(const char *mech);
/* Whether the plugin can give secrets (APOP, CRAM-MD5). */
bool auth_has_secrets(const struct plugin *auth);
/* "PLAIN LOGIN", plus " CRAM-MD5" when the plugin has secrets. */
const char *auth_mechanisms(const struct plugin *auth);
/*
 * Runs one exchange for mech with the optional initial response (NULL if
 * none, "=" for empty).  On AUTH_OK, x->user is the authenticated user.
 * Passwords and secrets are wiped before it returns.
 */
enum auth_result auth_run(struct auth_exchange *x, const char *mech,
    const char *initial);
/* Sleeps after the n-th failure: base_ms doubled each time, at most 8 s. */
void auth_penalty(unsigned failures, unsigned long long base_ms);

#endif
