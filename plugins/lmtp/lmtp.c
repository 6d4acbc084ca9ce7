/* ISC license. */
/* The lmtp store: hands each message to an LMTP server (RFC 2033), asking
 * it about every recipient at RCPT time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hop.h"

struct lmtp {
	const struct cartero_host *host;
	int timeout_ms;		/* [plugin lmtp] timeout, or 30 s */
};

struct lmtp_txn {
	struct hop hop;
	struct lmtp *l;
	struct lmtp_said {	/* per-recipient replies after DATA */
		char status[16];
		char text[400];
	} *said;
};

static const char *const lmtp_keys[] = { "address", "timeout", NULL };

/* A timeout = value in seconds into *ms_r; NULL leaves it. */
static int
lmtp_timeout(const char *t, int *ms_r)
{
	char *end;
	long v;

	if (t == NULL)
		return 0;
	v = strtol(t, &end, 10);
	if (*t < '0' || *t > '9' || *end || v < 1 || v > 3600)
		return -1;
	*ms_r = (int)v * 1000;
	return 0;
}

static int
lmtp_init(const struct cartero_host *host, const struct cartero_conf *sec,
    void **state_r, const char **error_r)
{
	static struct lmtp l;

	l.host = host;
	l.timeout_ms = 30000;
	if (lmtp_timeout(host->conf_get(sec, "timeout"), &l.timeout_ms) < 0) {
		*error_r = "timeout must be 1 to 3600 seconds";
		return -1;
	}
	*state_r = &l;
	return 0;
}

/* Connect, greeting, LHLO, MAIL FROM: the hop's transaction begins. */
static int
lmtp_begin(void *state, struct cartero_session *s,
    const struct cartero_conf *section, void **txn_r,
    struct cartero_reply *reply_r)
{
	struct lmtp *l = state;
	const char *address = l->host->conf_get(section, "address");
	const char *sender = l->host->session_get(s, CARTERO_SENDER);
	const char *me = l->host->session_get(s, CARTERO_HOSTNAME);
	struct lmtp_txn *t = calloc(1, sizeof *t);
	const char *err;
	/* The section's timeout (a [domain] or [relay] key) before the
	 * [plugin lmtp] one, as the smtp store reads its own. */
	int timeout_ms = l->timeout_ms;

	if (t == NULL || address == NULL ||
	    lmtp_timeout(l->host->conf_get(section, "timeout"),
	    &timeout_ms) < 0) {
		hop_fail(reply_r, t == NULL ? "out of memory" : address == NULL
		    ? "no address = for the lmtp store"
		    : "timeout must be 1 to 3600 seconds");
		free(t);
		return -1;
	}
	t->l = l;
	if (hop_connect(&t->hop, address, timeout_ms, &err) < 0) {
		l->host->log(s, "lmtp", "op=connect error=\"%s\"", err);
		free(t);
		hop_fail(reply_r, "LMTP server unavailable");
		return -1;
	}
	if (hop_read_reply(&t->hop, false) != 220 ||
	    hop_command(&t->hop, "LHLO %s", me ? me : "localhost") < 0 ||
	    hop_read_reply(&t->hop, true) != 250 ||
	    hop_command(&t->hop, "MAIL FROM:<%s>", sender ? sender : "") <
	    0 || hop_read_reply(&t->hop, false) != 250) {
		l->host->log(s, "lmtp", "op=begin code=%d text=\"%.200s\"",
		    t->hop.code, t->hop.text);
		if (t->hop.code >= 400)
			hop_to_reply(&t->hop, reply_r);
		else
			hop_fail(reply_r, "LMTP server failed");
		/* A refusal of the transaction is never permanent for one
		 * recipient: the client may try again later. */
		if (reply_r->code >= 500)
			hop_fail(reply_r, "LMTP server refused the sender");
		static struct cartero_reply copy;
		static char text[400];
		snprintf(text, sizeof text, "%s", reply_r->text);
		copy = *reply_r;
		copy.text = text;
		hop_close(&t->hop, true);
		free(t);
		*reply_r = copy;
		return -1;
	}
	*txn_r = t;
	return 0;
}

static int
lmtp_rcpt(void *state, void *txn, const struct cartero_address *rcpt,
    struct cartero_reply *reply_r)
{
	struct lmtp_txn *t = txn;

	(void)state;
	if (t->hop.is_broken) {
		hop_fail(reply_r, "LMTP connection lost");
		return -1;
	}
	if (hop_command(&t->hop, "RCPT TO:<%s>", rcpt->full) < 0 ||
	    hop_read_reply(&t->hop, false) < 0) {
		hop_fail(reply_r, "LMTP connection lost");
		return -1;
	}
	if (t->hop.code == 250 || t->hop.code == 251)
		return 0;
	hop_to_reply(&t->hop, reply_r);
	return -1;
}

/* DATA, the message, then one reply per accepted recipient (RFC 2033
 * 4.2), each kept in t->texts so they outlive the next read. */
static int
lmtp_data(void *state, void *txn, int fd, off_t size,
    struct cartero_reply *replies, size_t n)
{
	struct lmtp_txn *t = txn;

	(void)state;
	/* The hop refused every recipient it was asked about: nothing to
	 * send, and no replies[0] to fill. */
	if (n == 0)
		return 0;
	if (t->hop.is_broken || hop_command(&t->hop, "DATA") < 0 ||
	    hop_read_reply(&t->hop, false) != 354) {
		if (t->hop.code >= 400)
			hop_to_reply(&t->hop, &replies[0]);
		else
			hop_fail(&replies[0], "LMTP server refused DATA");
		return -1;
	}
	if (hop_send_message(&t->hop, fd, size) < 0) {
		hop_fail(&replies[0], "LMTP connection lost during DATA");
		return -1;
	}
	free(t->said);
	if ((t->said = calloc(n ? n : 1, sizeof *t->said)) == NULL) {
		hop_fail(&replies[0], "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (hop_read_reply(&t->hop, false) < 0) {
			/* No reply: whether it was delivered is unknown; a
			 * retry may duplicate, which is better than a loss. */
			for (; i < n; i++)
				hop_fail(&replies[i], "LMTP connection lost "
				    "after DATA");
			return 0;
		}
		hop_to_reply(&t->hop, &replies[i]);
		snprintf(t->said[i].text, sizeof t->said[i].text, "%s",
		    replies[i].text);
		replies[i].text = t->said[i].text;
		if (replies[i].status != NULL) {
			snprintf(t->said[i].status, sizeof t->said[i].status,
			    "%s", replies[i].status);
			replies[i].status = t->said[i].status;
		}
	}
	return 0;
}

static void
lmtp_end(void *state, void *txn)
{
	struct lmtp_txn *t = txn;

	(void)state;
	hop_close(&t->hop, true);
	free(t->said);
	free(t);
}

static const struct cartero_store lmtp_store = {
	.txn_begin = lmtp_begin,
	.txn_rcpt = lmtp_rcpt,
	.txn_data = lmtp_data,
	.txn_end = lmtp_end,
};

CARTERO_PLUGIN(
	.name = "lmtp",
	.conf_keys = lmtp_keys,
	.init = lmtp_init,
	.store = &lmtp_store,
);
