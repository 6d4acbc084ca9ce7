/* ISC license. */
/* The POP3 session shared by cartero-pop3d.c and pop3.c. */
#ifndef POP3_INTERNAL_H
#define POP3_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "../sdk/src/conf-internal.h"
#include "../sdk/src/io-internal.h"
#include "../sdk/src/plugin-internal.h"
#include "../sdk/src/reply-internal.h"
#include "../sdk/src/session-internal.h"
#include "../sdk/src/setup-internal.h"
#include "../sdk/src/tls-internal.h"

#define POP3_LINE_MAX 255	/* RFC 2449 4, CRLF included */

enum pop3_state {
	POP3_AUTHORIZATION = 0,
	POP3_TRANSACTION,
	POP3_UPDATE,
	POP3_QUIT
};

/* A message as numbered at login; the numbers never change. */
struct pop3_msg {
	off_t size;
	bool is_deleted;
};

struct pop3_session {
	struct cartero_session cs;
	struct io io;
	struct conf conf;
	enum pop3_state state;
	unsigned long long timeout, max_errors, max_auth_failures, auth_delay;
	unsigned errors, auth_failures;
	bool auth_requires_tls;
	const char *auth_cleartext_from;
	bool is_tls, is_implicit_tls;
	int tls_avail;			/* -1 not checked yet, 0 no, 1 yes */
	struct plugin *auth;
	char stamp[160];		/* APOP timestamp, "" if none */
	char user[256];			/* after USER */
	/* The maildrop, from login to the end of the session. */
	struct plugin *store;
	void *maildrop;
	struct pop3_msg *msgs;
	size_t n_msgs;
	unsigned n_retrieved, n_deleted;
	const char *cmd;
	const char *why;
	char line[POP3_LINE_MAX + 1];
};

/* pop3-setup.c: reads the configuration (path, else the default) and
 * the [pop3d] limits, and drops privileges; -1 with *error_r. */
int pop3_setup(struct pop3_session *s, const char *path,
    const char **error_r);

void pop3_greet(struct pop3_session *s);
void pop3_loop(struct pop3_session *s);
void pop3_reply(struct pop3_session *s, const struct cartero_reply *r,
    const char *arg);
void pop3_tls_ready(struct pop3_session *s, const struct tls_info *info);

#endif
