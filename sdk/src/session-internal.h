/* ISC license. */
/* The session as plugins see it through struct cartero_host. */
#ifndef SESSION_INTERNAL_H
#define SESSION_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <cartero/plugin.h>

#include "addr-internal.h"
#include "peer-internal.h"

struct plugin;

/* A recipient of the current transaction and where it goes. */
struct rcpt {
	struct addr addr;
	struct cartero_address view;	/* what plugins see; into addr */
	struct plugin *store;
	const struct cartero_conf *section;	/* [domain NAME] or [relay] */
	void *handle;			/* the store's prepared delivery */
	int hop;			/* index of its next hop, or -1 */
};

struct cartero_session {
	const char *sid;
	const char *hostname;
	const char *protocol;
	struct peer peer;
	char helo[256];
	char auth_user[ADDR_PATH_MAX + 1];
	/* The transaction: reset as a whole by session_txn_reset(). */
	struct addr sender;
	struct cartero_address sender_view;
	bool has_sender;
	char queue_id[40];
	struct rcpt *rcpts;
	size_t n_rcpts, cap_rcpts;
	int msg_fd;
	off_t msg_size;
	/* Header fields filters added to this message (CRLF-ended). */
	char added[8192];
	size_t added_len;
};

/* The host table handed to every plugin. */
extern const struct cartero_host session_host;

void session_txn_reset(struct cartero_session *cs);
/* The configuration the host table's tls_module() loads from. */
struct conf;
void session_set_conf(const struct conf *c);
/* Makes room for one more recipient; NULL when out of memory. */
struct rcpt *session_rcpt_add(struct cartero_session *cs);
void session_view(struct cartero_address *view, const struct addr *a);

#endif
