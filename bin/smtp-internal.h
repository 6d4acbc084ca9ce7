/* ISC license. */
/* The SMTP/LMTP session shared by cartero-smtpd.c, smtp.c, smtp-data.c and filter.c. */
#ifndef SMTP_INTERNAL_H
#define SMTP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "../sdk/src/conf-internal.h"
#include "../sdk/src/dot-internal.h"
#include "../sdk/src/io-internal.h"
#include "../sdk/src/plugin-internal.h"
#include "../sdk/src/reply-internal.h"
#include "../sdk/src/session-internal.h"
#include "../sdk/src/setup-internal.h"
#include "../sdk/src/spool-internal.h"
#include "../sdk/src/tls-internal.h"

#define SMTP_LINE_MAX 512	/* RFC 5321 4.5.3.1.4, CRLF included */
#define SMTP_MAIL_LINE_MAX 1012	/* MAIL may carry AUTH=: +500 (RFC 4954) */
#define SMTP_MAX_FILTERS 16

enum smtp_state {
	SMTP_CONNECTED = 0,	/* greeted by us, no HELO yet */
	SMTP_GREETED,		/* HELO/EHLO/LHLO done, no transaction */
	SMTP_MAIL,		/* sender given, no recipient yet */
	SMTP_RCPT,		/* at least one recipient */
	SMTP_BDAT,		/* inside a BDAT transfer */
	SMTP_REJECTED,		/* refused at connect: only QUIT */
	SMTP_QUIT		/* leaving */
};

enum smtp_body { BODY_7BIT = 0, BODY_8BITMIME };

#define SMTP_MAX_HOPS 8

/* A next hop (lmtp, smtp store) with its open transaction. */
struct smtp_hop {
	struct plugin *store;
	const struct cartero_conf *section;
	void *txn;
	size_t n_rcpts;
};

/* Everything about one message; reset as a whole (R3). */
struct smtp_txn {
	enum smtp_body body;
	bool is_smtputf8;
	unsigned long long declared_size;
	unsigned long long data_size;	/* client octets, unstuffed */
	bool is_too_big;
	bool has_bare_eol;
	bool bdat_prev_cr;		/* last BDAT octet was CR */
	const struct cartero_reply *bdat_error;	/* a failed BDAT */
	struct spool spool;
	off_t trace_len;		/* cartero's fields at the spool's start */
	struct smtp_hop hops[SMTP_MAX_HOPS];
	size_t n_hops;
};

struct smtp_config {
	unsigned long long max_message_size;
	unsigned long long max_recipients;
	unsigned long long timeout;
	unsigned long long max_errors;
	bool is_lmtp;
	bool is_submission;
	bool may_relay;			/* RELAYCLIENT or relay = yes */
	bool is_open_relay;		/* relay = yes */
	bool auth_requires_tls;
	const char *auth_cleartext_from;
	unsigned long long max_auth_failures;
	unsigned long long auth_delay;	/* ms after the first failure */
	bool relay_client_certs;	/* a verified client cert may relay */
	bool is_implicit_tls;		/* --tls */
};

struct smtp_session {
	struct cartero_session cs;
	struct io io;
	struct conf conf;
	struct smtp_config cfg;
	enum smtp_state state;
	bool is_esmtp;
	bool is_tls;
	int tls_avail;			/* -1 not checked yet, 0 no, 1 yes */
	struct tls_info tls;
	unsigned errors;
	unsigned auth_failures;
	unsigned n_messages;
	unsigned n_rcpts_total;
	unsigned seq;			/* messages received, for queue ids */
	struct plugin *filters[SMTP_MAX_FILTERS];
	size_t n_filters;
	struct plugin *auth;
	const char *cmd;		/* the verb being handled, for logs */
	const char *why;		/* set when the session must end */
	struct smtp_txn txn;
	char line[SMTP_MAIL_LINE_MAX + 1];
};

/* smtp-setup.c: what main() does before the greeting.  smtp_setup()
 * reads the configuration (path, else the default) and the [smtpd]
 * limits and drops privileges; smtp_load_plugins() loads the stores,
 * filters and auth; both -1 with *error_r (*is_config_r for a
 * configuration mistake rather than a plugin that failed). */
int smtp_setup(struct smtp_session *s, const char *path,
    const char **error_r);
int smtp_load_plugins(struct smtp_session *s, bool *is_config_r,
    const char **error_r);

/* smtp.c */
void smtp_greet(struct smtp_session *s);
void smtp_loop(struct smtp_session *s);
void smtp_enter(struct smtp_session *s, enum smtp_state new);
void smtp_reply(struct smtp_session *s, const struct cartero_reply *r,
    const char *arg);
void smtp_txn_reset(struct smtp_session *s);
void smtp_disconnect(struct smtp_session *s, const char *why);

/* smtp-data.c */
void smtp_data(struct smtp_session *s);
void smtp_bdat(struct smtp_session *s, char *arg);

bool smtp_tls_offered(struct smtp_session *s);
void smtp_tls_ready(struct smtp_session *s, const struct tls_info *info);

/* smtp-auth.c */
bool smtp_auth_offered(const struct smtp_session *s);
void smtp_auth(struct smtp_session *s, char *arg);

/* filter.c */
enum filter_hook { HOOK_CONNECT, HOOK_HELO, HOOK_MAIL, HOOK_RCPT, HOOK_DATA };
enum cartero_verdict filter_run(struct smtp_session *s, enum filter_hook hook,
    const void *arg, struct cartero_reply *reply_r);
void filter_disconnect(struct smtp_session *s);

#endif
