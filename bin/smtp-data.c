/* ISC license. */
/* DATA and BDAT: spool the message, run the filters, deliver to every store. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "../sdk/src/log-internal.h"
#include "smtp-internal.h"

/* The fields cartero adds: Return-Path (RFC 5321 4.4, final delivery) and
 * one Received (4.4: FROM with the EHLO name and the peer's literal, FOR
 * only with exactly one recipient, numeric zone). */
static void
smtp_trace_fields(struct smtp_session *s)
{
	struct cartero_session *cs = &s->cs;
	char buf[2048], date[64], lit[64], forc[300] = "";
	time_t now = time(NULL);
	const char *with;

	log_date(now, date, sizeof date);
	if (strcmp(cs->peer.ip, "unknown") == 0)
		strcpy(lit, "unknown");
	else
		snprintf(lit, sizeof lit, "[%s%s]",
		    cs->peer.is_ipv6 ? "IPv6:" : "", cs->peer.ip);
	if (cs->n_rcpts == 1)
		snprintf(forc, sizeof forc, "\r\n\tfor <%s>",
		    cs->rcpts[0].addr.full);
	if (s->cfg.is_lmtp)
		with = s->txn.is_smtputf8 ? "UTF8LMTP" : "LMTP";
	else if (s->txn.is_smtputf8)
		with = "UTF8SMTP";
	else if (!s->is_esmtp)
		with = "SMTP";
	else if (cs->auth_user[0] != '\0')
		with = s->is_tls ? "ESMTPSA" : "ESMTPA";
	else
		with = s->is_tls ? "ESMTPS" : "ESMTP";
	char authc[300] = "", tlsc[200] = "";
	if (s->is_tls)
		snprintf(tlsc, sizeof tlsc, "\r\n\t(using %s with cipher %s)",
		    s->tls.version, s->tls.cipher);
	if (cs->auth_user[0] != '\0')
		snprintf(authc, sizeof authc, "\r\n\t(Authenticated sender: "
		    "%s)", cs->auth_user);
	int n = snprintf(buf, sizeof buf,
	    "Return-Path: <%s>\r\n"
	    "Received: from %s (%s)%s%s\r\n"
	    "\tby %s (cartero) with %s id %s%s;\r\n"
	    "\t%s\r\n",
	    cs->sender.full, cs->helo[0] ? cs->helo : "unknown", lit, tlsc,
	    authc,
	    cs->hostname, with, cs->queue_id, forc, date);
	spool_write(&s->txn.spool, buf, (size_t)n < sizeof buf ? (size_t)n
							       : sizeof buf - 1);
}

/* Opens the spool and writes the trace fields; -1 after logging. */
static int
smtp_spool_begin(struct smtp_session *s)
{
	if (spool_open(&s->txn.spool) < 0) {
		log_event("error", "op=spool-open error=\"%s\"",
		    strerror(errno));
		return -1;
	}
	snprintf(s->cs.queue_id, sizeof s->cs.queue_id, "%s.%u", s->cs.sid,
	    ++s->seq);
	smtp_trace_fields(s);
	s->txn.trace_len = s->txn.spool.size;
	return 0;
}

/* In LMTP every accepted recipient gets its own reply after the data
 * (RFC 2033 4.2); in SMTP the message gets one. */
static void
smtp_reply_message(struct smtp_session *s, const struct cartero_reply *r,
    const char *arg)
{
	size_t n = s->cfg.is_lmtp ? s->cs.n_rcpts : 1;

	for (size_t i = 0; i < n; i++)
		smtp_reply(s, r, arg);
}

static void
smtp_log_stored(struct smtp_session *s, size_t from, size_t to)
{
	char rcpts[1024], q[1100];
	size_t o = 0;

	rcpts[0] = '\0';
	for (size_t i = from; i < to && o + 1 < sizeof rcpts; i++) {
		int k = snprintf(rcpts + o, sizeof rcpts - o, "%s%s",
		    i > from ? "," : "", s->cs.rcpts[i].addr.full);
		if (k < 0)
			break;
		o += (size_t)k;
	}
	char stores[200] = "";
	size_t so = 0;
	for (size_t i = from; i < to; i++) {
		const char *name = s->cs.rcpts[i].store->name;
		size_t nl = strlen(name);
		bool seen = false;
		for (size_t k = from; k < i && !seen; k++)
			seen = s->cs.rcpts[k].store == s->cs.rcpts[i].store;
		if (seen || so + nl + 2 > sizeof stores)
			continue;
		if (so > 0)
			stores[so++] = ',';
		memcpy(stores + so, name, nl + 1);
		so += nl;
	}
	log_event("stored", "qid=%s size=%lld nrcpt=%zu rcpts=%s store=%s",
	    s->cs.queue_id, (long long)s->cs.msg_size, to - from,
	    log_quote(q, sizeof q, rcpts), stores);
}

/* Prepares one recipient's copy; NULL or the reply to give. */
static const struct cartero_reply *
smtp_prepare(struct smtp_session *s, struct rcpt *rc,
    struct cartero_reply *r)
{
	const struct cartero_store *st = rc->store->desc->store;
	struct cartero_delivery d = {
		.session = &s->cs,
		.domain = rc->section,
		.rcpt = &rc->view,
		.fd = s->cs.msg_fd,
		.size = s->cs.msg_size,
		.queue_id = s->cs.queue_id,
	};

	r->code = 0;
	if (st->deliver_prepare(rc->store->state, &d, &rc->handle, r) == 0)
		return NULL;
	rc->handle = NULL;
	/* A store's own well-formed reply (452 4.2.2 for a full mailbox,
	 * 550 5.1.1) says more than a generic one. */
	if (r->code >= 400 && r->code <= 599 && r->text != NULL)
		return r;
	return &REPLY_TEMP_FAIL;
}

/* Makes a prepared copy visible; NULL or the reply to give. */
static const struct cartero_reply *
smtp_commit(struct smtp_session *s, struct rcpt *rc, struct cartero_reply *r)
{
	(void)s;
	r->code = 0;
	if (rc->store->desc->store->deliver_commit(rc->store->state,
	    rc->handle, r) == 0)
		return NULL;
	return &REPLY_TEMP_FAIL;
}

static void
smtp_release(struct rcpt *rc, bool is_kept)
{
	if (rc->handle != NULL)
		rc->store->desc->store->deliver_end(rc->store->state,
		    rc->handle, is_kept);
	rc->handle = NULL;
}

static void
smtp_log_failure(const struct rcpt *rc, const char *op,
    const struct cartero_reply *r)
{
	char q[300];

	char qr[300];

	log_event("store-failed", "rcpt=%s store=%s op=%s code=%d error=%s",
	    log_quote(qr, sizeof qr, rc->addr.full), rc->store->name, op,
	    r->code, log_quote(q, sizeof q, r->text ? r->text : "unknown"));
}

/* What a next hop said about one recipient, copied out of the plugin. */
struct hop_result {
	struct cartero_reply reply;
	char status[12];
	char text[200];
};

static void
smtp_hop_result(struct hop_result *res, const struct cartero_reply *r)
{
	res->reply.code = r->code;
	if (r->code < 200 || r->code > 599 || (r->code >= 300 &&
	    r->code < 400) || r->text == NULL) {
		res->reply = REPLY_TEMP_FAIL;
		return;
	}
	snprintf(res->status, sizeof res->status, "%s", r->status &&
	    r->status[0] == '0' + r->code / 100 ? r->status
	    : r->code < 300 ? "2.0.0" : r->code < 500 ? "4.0.0" : "5.0.0");
	snprintf(res->text, sizeof res->text, "%s", r->text);
	for (char *p = res->text; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	res->reply.status = res->status;
	res->reply.text = res->text;
}

/* Sends the message to every next hop; res[i] gets the result for each
 * recipient i that went to a hop.  Returns how many hop recipients were
 * refused, and sets *n_ok_r to how many were taken. */
static size_t
smtp_send_hops(struct smtp_session *s, struct hop_result *res,
    size_t *n_ok_r)
{
	struct cartero_session *cs = &s->cs;
	struct smtp_txn *t = &s->txn;
	size_t n_bad = 0;

	*n_ok_r = 0;
	for (size_t k = 0; k < t->n_hops; k++) {
		struct smtp_hop *h = &t->hops[k];
		const struct cartero_store *st = h->store->desc->store;
		if (h->n_rcpts == 0)
			continue;	/* opened, but took no recipient */
		struct cartero_reply *r = calloc(h->n_rcpts, sizeof *r);
		int whole = r == NULL ? -1 : st->txn_data(h->store->state,
		    h->txn, cs->msg_fd, cs->msg_size, r, h->n_rcpts);
		size_t j = 0;
		for (size_t i = 0; i < cs->n_rcpts; i++) {
			if (cs->rcpts[i].hop != (int)k)
				continue;
			if (r == NULL)
				res[i].reply = REPLY_TEMP_FAIL;
			else
				smtp_hop_result(&res[i], whole < 0 ? &r[0]
								   : &r[j]);
			j++;
			if (res[i].reply.code < 300) {
				(*n_ok_r)++;
				continue;
			}
			n_bad++;
			smtp_log_failure(&cs->rcpts[i], "hand-off",
			    &res[i].reply);
		}
		free(r);
	}
	return n_bad;
}

/*
 * SMTP: all or nothing, as far as it can be.  Every local copy is
 * prepared (durable, invisible); then the next hops get the message;
 * then the local copies are committed.  A failure before any hop took
 * the message undoes everything and the client hears it; if one hop took
 * it and another refused, the client hears 451 and its retry may bring a
 * duplicate to the recipients that were served: a duplicate, never a
 * loss (cartero.conf(5), "several stores").
 */
static void
smtp_deliver_all(struct smtp_session *s)
{
	struct cartero_session *cs = &s->cs;
	const struct cartero_reply *fail = NULL;
	struct cartero_reply r;
	struct hop_result *res = NULL;
	size_t n_ok = 0, n_bad = 0;

	for (size_t i = 0; i < cs->n_rcpts && fail == NULL; i++)
		if (cs->rcpts[i].hop < 0 &&
		    (fail = smtp_prepare(s, &cs->rcpts[i], &r)) != NULL)
			smtp_log_failure(&cs->rcpts[i], "prepare", &r);
	if (fail == NULL && s->txn.n_hops > 0) {
		if ((res = calloc(cs->n_rcpts, sizeof *res)) == NULL)
			fail = &REPLY_TEMP_FAIL;
		else
			n_bad = smtp_send_hops(s, res, &n_ok);
		for (size_t i = 0; fail == NULL && n_bad > 0 &&
		    i < cs->n_rcpts; i++)
			if (cs->rcpts[i].hop >= 0 && res[i].reply.code >= 400)
				fail = n_ok > 0 ? &REPLY_TEMP_FAIL
						: &res[i].reply;
		if (n_bad > 0 && n_ok > 0)
			log_event("hand-off-partial", "qid=%s taken=%zu "
			    "refused=%zu note=\"a retry may duplicate\"",
			    cs->queue_id, n_ok, n_bad);
	}
	for (size_t i = 0; i < cs->n_rcpts && fail == NULL; i++)
		if (cs->rcpts[i].hop < 0 &&
		    (fail = smtp_commit(s, &cs->rcpts[i], &r)) != NULL)
			smtp_log_failure(&cs->rcpts[i], "commit", &r);
	for (size_t i = 0; i < cs->n_rcpts; i++)
		smtp_release(&cs->rcpts[i], fail == NULL);
	if (fail != NULL) {
		smtp_reply(s, fail, NULL);
		free(res);
		return;
	}
	free(res);
	s->n_messages++;
	s->n_rcpts_total += (unsigned)cs->n_rcpts;
	smtp_log_stored(s, 0, cs->n_rcpts);
	smtp_reply(s, &REPLY_QUEUED, cs->queue_id);
}

/* LMTP: each recipient stands alone and gets its own reply, in order. */
static void
smtp_deliver_each(struct smtp_session *s)
{
	struct cartero_session *cs = &s->cs;
	struct cartero_reply r;
	struct hop_result *res = NULL;
	bool is_any = false;
	size_t n_ok;

	if (s->txn.n_hops > 0 &&
	    (res = calloc(cs->n_rcpts, sizeof *res)) != NULL)
		smtp_send_hops(s, res, &n_ok);
	for (size_t i = 0; i < cs->n_rcpts; i++) {
		struct rcpt *rc = &cs->rcpts[i];
		const struct cartero_reply *fail;
		if (rc->hop >= 0)
			fail = res == NULL ? &REPLY_TEMP_FAIL
			    : res[i].reply.code >= 400 ? &res[i].reply : NULL;
		else if ((fail = smtp_prepare(s, rc, &r)) == NULL) {
			if ((fail = smtp_commit(s, rc, &r)) != NULL)
				smtp_log_failure(rc, "commit", &r);
		} else
			smtp_log_failure(rc, "prepare", &r);
		smtp_release(rc, fail == NULL);
		if (fail != NULL) {
			smtp_reply(s, fail, rc->addr.full);
			continue;
		}
		smtp_log_stored(s, i, i + 1);
		s->n_rcpts_total++;
		is_any = true;
		smtp_reply(s, &REPLY_DELIVERED, cs->queue_id);
	}
	free(res);
	if (is_any)
		s->n_messages++;
}

/* Writes a new spool: trace fields, the fields filters added, then the
 * client's message; only when a filter added something. */
static int
smtp_splice_headers(struct smtp_session *s)
{
	struct smtp_txn *t = &s->txn;
	struct spool *sp = malloc(sizeof *sp);
	char buf[65536];
	off_t off = 0;

	if (sp == NULL || spool_open(sp) < 0) {
		free(sp);
		log_event("error", "op=spool-open error=\"%s\"",
		    strerror(errno));
		return -1;
	}
	while (off < t->spool.size) {
		ssize_t n = pread(t->spool.fd, buf, sizeof buf, off);
		if (n <= 0) {
			spool_close(sp);
			free(sp);
			log_event("error", "op=spool-read error=\"%s\"",
			    n < 0 ? strerror(errno) : "short file");
			return -1;
		}
		if (off < t->trace_len && off + n > t->trace_len) {
			size_t head = (size_t)(t->trace_len - off);
			spool_write(sp, buf, head);
			spool_write(sp, s->cs.added, s->cs.added_len);
			spool_write(sp, buf + head, (size_t)n - head);
		} else
			spool_write(sp, buf, (size_t)n);
		off += n;
	}
	if (spool_flush(sp) < 0) {
		log_event("error", "op=spool-write error=\"%s\"",
		    strerror(errno));
		spool_close(sp);
		free(sp);
		return -1;
	}
	spool_close(&t->spool);
	t->spool.fd = sp->fd;
	t->spool.size = sp->size;
	free(sp);
	s->cs.msg_fd = t->spool.fd;
	s->cs.msg_size = t->spool.size;
	s->cs.added_len = 0;
	return 0;
}

/* The whole message is in: check it, filter it, store it, answer. */
static void
smtp_message_end(struct smtp_session *s)
{
	struct smtp_txn *t = &s->txn;
	struct cartero_reply r;

	s->cmd = t->spool.fd >= 0 && s->state == SMTP_BDAT ? "BDAT" : "DATA";
	if (t->is_too_big)
		smtp_reply_message(s, &REPLY_TOO_BIG, NULL);
	else if (t->has_bare_eol)
		smtp_reply_message(s, &REPLY_BARE_EOL_DATA, NULL);
	else if (spool_flush(&t->spool) < 0) {
		log_event("error", "op=spool-write error=\"%s\"",
		    strerror(errno));
		smtp_reply_message(s, &REPLY_TEMP_FAIL, NULL);
	} else {
		s->cs.msg_fd = t->spool.fd;
		s->cs.msg_size = t->spool.size;
		if (filter_run(s, HOOK_DATA, NULL, &r) > CARTERO_ACCEPT)
			smtp_reply_message(s, &r, NULL);
		else if (s->cs.added_len > 0 && smtp_splice_headers(s) < 0)
			smtp_reply_message(s, &REPLY_TEMP_FAIL, NULL);
		else if (s->cfg.is_lmtp)
			smtp_deliver_each(s);
		else
			smtp_deliver_all(s);
	}
	smtp_txn_reset(s);
}

/* Counts client octets against max_message_size; writes while under. */
static void
smtp_take(struct smtp_session *s, const char *p, size_t n)
{
	struct smtp_txn *t = &s->txn;

	t->data_size += n;
	if (t->data_size > s->cfg.max_message_size)
		t->is_too_big = true;
	if (!t->is_too_big)
		spool_write(&t->spool, p, n);
}

/* Ends the session when the client went away or fell silent mid-data. */
static void
smtp_data_lost(struct smtp_session *s, ssize_t r)
{
	if (r == 0)
		s->why = "eof";
	else if (errno == ETIMEDOUT) {
		smtp_reply(s, &REPLY_TIMEOUT, NULL);
		s->why = "timeout";
	} else
		s->why = "read-error";
	smtp_enter(s, SMTP_QUIT);
}

void
smtp_data(struct smtp_session *s)
{
	struct dot d = DOT_ZERO;
	static char out[CARTERO_IO_INSIZE + 2];	/* not on the stack: 64 KB */
	bool is_done = false;

	if (smtp_spool_begin(s) < 0) {
		smtp_reply(s, &REPLY_TEMP_FAIL, NULL);
		return;
	}
	smtp_reply(s, &REPLY_DATA_GO, NULL);
	io_deadline_set(&s->io, (int)s->cfg.timeout);
	while (!is_done) {
		struct io *io = &s->io;
		if (io_buffered(io) == 0) {
			ssize_t r = io_fill(io);
			if (r <= 0) {
				smtp_data_lost(s, r);
				return;
			}
			/* A deadline per line, not per read: a client that
			 * trickles bytes without ending lines is cut off. */
			if (memchr(io->in + io->in_len - r, '\n', (size_t)r))
				io_deadline_set(io, (int)s->cfg.timeout);
		}
		size_t olen;
		size_t used = dot_decode(&d, io->in + io->in_pos,
		    io_buffered(io), out, &olen, &is_done);
		io->in_pos += used;
		smtp_take(s, out, olen);
	}
	s->txn.has_bare_eol = d.has_bare_eol;
	smtp_message_end(s);
}

/* Bare CR or LF in chunk data obeys the same rule as in DATA. */
static void
smtp_bdat_scan(struct smtp_txn *t, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\n' && !t->bdat_prev_cr)
			t->has_bare_eol = true;
		else if (t->bdat_prev_cr && p[i] != '\n')
			t->has_bare_eol = true;
		t->bdat_prev_cr = p[i] == '\r';
	}
}

/* bdat-cmd = "BDAT" SP chunk-size [ SP end-marker ] CRLF (RFC 3030) */
static bool
smtp_bdat_parse(const char *arg, unsigned long long *size_r, bool *is_last_r)
{
	unsigned long long n = 0;
	const char *p = arg;

	for (; *p >= '0' && *p <= '9'; p++) {
		if (p - arg >= 20 || n > (~0ULL - 9) / 10)
			return false;
		n = n * 10 + (unsigned)(*p - '0');
	}
	if (p == arg)
		return false;
	*is_last_r = false;
	if (*p == ' ' && strcasecmp(p + 1, "LAST") == 0)
		*is_last_r = true;
	else if (*p != '\0')
		return false;
	*size_r = n;
	return true;
}

void
smtp_bdat(struct smtp_session *s, char *arg)
{
	struct smtp_txn *t = &s->txn;
	struct io *io = &s->io;
	unsigned long long size, left;
	bool is_last;
	const struct cartero_reply *err = NULL;

	if (!smtp_bdat_parse(arg, &size, &is_last)) {
		smtp_reply(s, &REPLY_BAD_ARG, NULL);
		return;
	}
	if (s->state == SMTP_CONNECTED)
		err = s->cfg.is_lmtp ? &REPLY_NEED_LHLO : &REPLY_NEED_HELO;
	else if (s->state == SMTP_GREETED)
		err = &REPLY_NEED_MAIL;
	else if (s->state == SMTP_MAIL)
		err = &REPLY_NO_VALID_RCPTS;
	else if (t->bdat_error != NULL)
		err = t->bdat_error;
	else if (t->spool.fd < 0 && smtp_spool_begin(s) < 0)
		err = t->bdat_error = &REPLY_TEMP_FAIL;
	if (err == NULL && size > s->cfg.max_message_size - t->data_size)
		err = t->bdat_error = &REPLY_TOO_BIG;
	bool is_txn = s->state == SMTP_RCPT || s->state == SMTP_BDAT;
	if (is_txn)
		smtp_enter(s, SMTP_BDAT);
	/* The chunk's octets are read in any case, or they would be taken
	 * for commands (RFC 3030 2). */
	io_deadline_set(io, (int)s->cfg.timeout);
	size_t fresh = 0;
	for (left = size; left > 0;) {
		if (io_buffered(io) == 0) {
			ssize_t r = io_fill(io);
			if (r <= 0) {
				smtp_data_lost(s, r);
				return;
			}
			/* The deadline moves on only for real progress, so a
			 * trickling client is cut off as in DATA. */
			if ((fresh += (size_t)r) >= CARTERO_IO_INSIZE / 2) {
				io_deadline_set(io, (int)s->cfg.timeout);
				fresh = 0;
			}
		}
		size_t k = io_buffered(io);
		if (k > left)
			k = (size_t)left;
		if (err == NULL) {
			smtp_bdat_scan(t, io->in + io->in_pos, k);
			smtp_take(s, io->in + io->in_pos, k);
		}
		io->in_pos += k;
		left -= k;
	}
	if (err != NULL) {
		/* LMTP answers the last chunk once per recipient. */
		if (is_last && is_txn) {
			smtp_reply_message(s, err, NULL);
			smtp_txn_reset(s);
		} else
			smtp_reply(s, err, NULL);
		return;
	}
	if (!is_last) {
		char n[24];
		snprintf(n, sizeof n, "%llu", size);
		smtp_reply(s, &REPLY_CHUNK_OK, n);
		return;
	}
	if (t->bdat_prev_cr)
		t->has_bare_eol = true;
	smtp_message_end(s);
}
