/* ISC license. */
/* The dnsbl filter: DNS blocklists on the client and RHSBL on the sender. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Written against c-ares 1.18 (Debian 12); later releases mark some of
 * these calls deprecated but keep them. */
#define CARES_NO_DEPRECATED 1
#include <ares.h>

#include <cartero/cartero.h>

#include "lists.h"

#define DNS_CLASS_IN 1
#define DNS_TYPE_A 1
#define BATCH_FDS 8		/* sockets c-ares opens to one server */

enum lookup_state { LOOKUP_PENDING, LOOKUP_CLEAN, LOOKUP_LISTED, LOOKUP_ERROR };

struct batch;

/* One query: one zone for the client or the sender domain. */
struct lookup {
	struct batch *b;
	enum lookup_state state;
	char answer[INET_ADDRSTRLEN];	/* the A record that decided */
	bool is_ignored;		/* answer is not a listing */
	const char *error;
};

/*
 * The lookups for one subject (the client address, or the sender domain),
 * on a channel of their own so that a new MAIL can cancel the sender's
 * without touching the client's.  Queries go out when the batch starts;
 * answers are read when a verdict is needed, within the deadline.
 */
struct batch {
	const char *what;		/* "client" or "domain" */
	const struct zones *zones;
	ares_channel ch;
	struct pollfd fds[BATCH_FDS];
	size_t n_fds;
	struct lookup l[ZONES_MAX];
	size_t pending;
	bool is_started, is_reported;
	struct timespec start, deadline;
	char subject[256];
};

struct dnsbl {
	const struct cartero_host *host;
	struct zones lists, rhsbl;
	struct allow allow;
	int budget_ms;
	bool is_pass;			/* on_error = pass */
	bool is_allowed;		/* the client is on the allowlist */
	bool is_lib;			/* ares_library_init done */
	char server[80];
	struct batch client, sender;
	char text[512];
};

static const char *const dnsbl_keys[] = {
	"lists", "rhsbl", "server", "timeout", "on_error", "allow", NULL
};

static char dnsbl_error[700];

static void dnsbl_fini(void *state);
static int dnsbl_channel(struct dnsbl *d, struct batch *b,
    const char **error_r);
static void dnsbl_sock_state(void *data, ares_socket_t fd, int readable,
    int writable);
static void dnsbl_answer(void *arg, int status, int timeouts,
    unsigned char *abuf, int alen);
static void batch_start(struct dnsbl *d, struct batch *b, const char *subject);
static void batch_cancel(struct batch *b);
static void dnsbl_wait(struct dnsbl *d);
static void batch_report(struct dnsbl *d, struct cartero_session *s,
    struct batch *b);
static long ms_until(const struct timespec *now, const struct timespec *t);

static void
dnsbl_fini(void *state)
{
	struct dnsbl *d = state;

	/* Destroying a channel calls back its pending lookups, which live
	 * in d: destroy first, free after. */
	if (d->client.ch != NULL)
		ares_destroy(d->client.ch);
	if (d->sender.ch != NULL)
		ares_destroy(d->sender.ch);
	if (d->is_lib)
		ares_library_cleanup();
	allow_free(&d->allow);
	free(d);
}

/*
 * A channel that asks the configured server only.  Every setting that
 * c-ares would otherwise take from the system is given here: servers (so
 * resolv.conf's nameservers are never used), no search domains and
 * ARES_FLAG_NOSEARCH, ndots, timeout, tries and rotation (so neither
 * resolv.conf's options nor RES_OPTIONS apply), lookups "b" (DNS only, no
 * hosts file), no sort list, and resolv.conf itself pointed at /dev/null.
 * Then the server list is replaced by the configured HOST:PORT, the only
 * way to give a port or an IPv6 server.
 */
static int
dnsbl_channel(struct dnsbl *d, struct batch *b, const char **error_r)
{
	static char lookups[] = "b", resolvconf[] = "/dev/null";
	struct ares_options o;
	struct in_addr v4;
	int status;

	memset(&o, 0, sizeof o);
	o.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES;
	/* c-ares doubles the timeout on the retry: T + 2T fits the budget. */
	o.timeout = d->budget_ms / 3 > 50 ? d->budget_ms / 3 : 50;
	o.tries = 2;
	o.ndots = 1;
	v4.s_addr = htonl(INADDR_LOOPBACK);	/* replaced below */
	o.servers = &v4;
	o.nservers = 1;
	o.domains = NULL;
	o.ndomains = 0;
	o.lookups = lookups;
	o.sock_state_cb = dnsbl_sock_state;
	o.sock_state_cb_data = b;
	o.sortlist = NULL;
	o.nsort = 0;
	o.resolvconf_path = resolvconf;
	status = ares_init_options(&b->ch, &o, ARES_OPT_FLAGS |
	    ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_NDOTS |
	    ARES_OPT_SERVERS | ARES_OPT_DOMAINS | ARES_OPT_LOOKUPS |
	    ARES_OPT_SOCK_STATE_CB | ARES_OPT_SORTLIST | ARES_OPT_NOROTATE |
	    ARES_OPT_RESOLVCONF);
	if (status != ARES_SUCCESS) {
		b->ch = NULL;
		snprintf(dnsbl_error, sizeof dnsbl_error, "c-ares: %s",
		    ares_strerror(status));
		*error_r = dnsbl_error;
		return -1;
	}
	if ((status = ares_set_servers_ports_csv(b->ch, d->server)) !=
	    ARES_SUCCESS) {
		snprintf(dnsbl_error, sizeof dnsbl_error, "c-ares: server %s: "
		    "%s", d->server, ares_strerror(status));
		*error_r = dnsbl_error;
		return -1;
	}
	return 0;
}

static int
dnsbl_init(const struct cartero_host *host, const struct cartero_conf *sec,
    void **state_r, const char **error_r)
{
	const char *lists = host->conf_get(sec, "lists");
	const char *rhsbl = host->conf_get(sec, "rhsbl");
	const char *server = host->conf_get(sec, "server");
	const char *timeout = host->conf_get(sec, "timeout");
	const char *on_error = host->conf_get(sec, "on_error");
	const char *allow = host->conf_path(sec, "allow");
	char why[300];
	struct dnsbl *d;

	if ((d = calloc(1, sizeof *d)) == NULL) {
		*error_r = "out of memory";
		return -1;
	}
	d->host = host;
	d->client.what = "client";
	d->client.zones = &d->lists;
	d->sender.what = "domain";
	d->sender.zones = &d->rhsbl;
	*error_r = dnsbl_error;
	if (lists != NULL && zones_parse(&d->lists, lists, why,
	    sizeof why) < 0) {
		snprintf(dnsbl_error, sizeof dnsbl_error, "lists: %s", why);
		goto fail;
	}
	if (rhsbl != NULL && zones_parse(&d->rhsbl, rhsbl, why,
	    sizeof why) < 0) {
		snprintf(dnsbl_error, sizeof dnsbl_error, "rhsbl: %s", why);
		goto fail;
	}
	if (d->lists.n + d->rhsbl.n == 0) {
		*error_r = "[plugin dnsbl] needs lists = ZONE... or "
		    "rhsbl = ZONE...";
		goto fail;
	}
	if (server_parse(server ? server : "127.0.0.1:53", d->server,
	    sizeof d->server) < 0) {
		*error_r = "server must be ADDRESS[:PORT] or [IPv6][:PORT] "
		    "(no host names)";
		goto fail;
	}
	d->budget_ms = 5000;
	if (timeout != NULL && seconds_parse(timeout, &d->budget_ms) < 0) {
		*error_r = "timeout must be seconds from 0.1 to 60";
		goto fail;
	}
	if (on_error == NULL || strcmp(on_error, "defer") == 0)
		d->is_pass = false;
	else if (strcmp(on_error, "pass") == 0)
		d->is_pass = true;
	else {
		*error_r = "on_error must be defer or pass";
		goto fail;
	}
	if (allow != NULL && allow_load(&d->allow, allow, dnsbl_error,
	    sizeof dnsbl_error) < 0)
		goto fail;
	int status = ares_library_init(ARES_LIB_INIT_ALL);
	if (status != ARES_SUCCESS) {
		snprintf(dnsbl_error, sizeof dnsbl_error, "c-ares: %s",
		    ares_strerror(status));
		goto fail;
	}
	d->is_lib = true;
	if (dnsbl_channel(d, &d->client, error_r) < 0 ||
	    dnsbl_channel(d, &d->sender, error_r) < 0)
		goto fail;
	*state_r = d;
	return 0;
fail:
	dnsbl_fini(d);
	return -1;
}

/* c-ares says which sockets it wants watched; dnsbl_wait() polls them. */
static void
dnsbl_sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
	struct batch *b = data;
	size_t i = 0;

	while (i < b->n_fds && b->fds[i].fd != fd)
		i++;
	if (!readable && !writable) {
		if (i < b->n_fds)
			b->fds[i] = b->fds[--b->n_fds];
		return;
	}
	if (i == b->n_fds) {
		if (i == BATCH_FDS)
			return;	/* not watched: the budget still ends it */
		b->n_fds++;
		b->fds[i].fd = fd;
	}
	b->fds[i].events = (short)((readable ? POLLIN : 0) |
	    (writable ? POLLOUT : 0));
	b->fds[i].revents = 0;
}

/* NXDOMAIN and no-data mean not listed, and so does a name DNS cannot
 * carry (a label over 63 octets); any other failure is an error. */
static void
dnsbl_answer(void *arg, int status, int timeouts, unsigned char *abuf,
    int alen)
{
	struct lookup *l = arg;
	const struct zone *z = &l->b->zones->v[l - l->b->l];
	struct ares_addrttl a[16];
	int n = 16;

	(void)timeouts;
	l->b->pending--;
	l->state = LOOKUP_CLEAN;
	if (status == ARES_SUCCESS)
		status = ares_parse_a_reply(abuf, alen, NULL, a, &n);
	if (status == ARES_ENOTFOUND || status == ARES_ENODATA ||
	    status == ARES_EBADNAME)
		return;
	if (status != ARES_SUCCESS) {
		l->state = LOOKUP_ERROR;
		l->error = status == ARES_ECANCELLED ? "no answer within "
		    "the time budget" : ares_strerror(status);
		return;
	}
	for (int i = 0; i < n; i++) {
		uint32_t v = ntohl(a[i].ipaddr.s_addr);
		bool is_listed = zone_is_listed(z, v);
		if (is_listed || l->answer[0] == '\0') {
			inet_ntop(AF_INET, &a[i].ipaddr, l->answer,
			    sizeof l->answer);
			l->is_ignored = !is_listed;
		}
		if (is_listed) {
			l->state = LOOKUP_LISTED;
			return;
		}
	}
}

static void
batch_cancel(struct batch *b)
{
	/* Calls back every pending lookup with ARES_ECANCELLED. */
	if (b->pending > 0)
		ares_cancel(b->ch);
}

/* Sends one query per zone for subject (an address or a domain). */
static void
batch_start(struct dnsbl *d, struct batch *b, const char *subject)
{
	char name[QUERY_NAME_MAX + 1];

	batch_cancel(b);
	memset(b->l, 0, sizeof b->l);
	b->is_started = true;
	b->is_reported = false;
	snprintf(b->subject, sizeof b->subject, "%s", subject);
	clock_gettime(CLOCK_MONOTONIC, &b->start);
	b->deadline = b->start;
	b->deadline.tv_sec += d->budget_ms / 1000;
	b->deadline.tv_nsec += (long)(d->budget_ms % 1000) * 1000000L;
	if (b->deadline.tv_nsec >= 1000000000L) {
		b->deadline.tv_sec++;
		b->deadline.tv_nsec -= 1000000000L;
	}
	/* Counted first: ares_query() may call back before it returns. */
	b->pending = b->zones->n;
	for (size_t i = 0; i < b->zones->n; i++) {
		const char *zone = b->zones->v[i].name;
		int k = b == &d->client ?
		    query_name_ip(name, sizeof name, subject, zone) :
		    query_name_domain(name, sizeof name, subject, zone);
		b->l[i].b = b;
		if (k < 0) {
			b->l[i].state = LOOKUP_CLEAN;	/* cannot be listed */
			b->pending--;
			continue;
		}
		ares_query(b->ch, name, DNS_CLASS_IN, DNS_TYPE_A, dnsbl_answer,
		    &b->l[i]);
	}
}

static long
ms_until(const struct timespec *now, const struct timespec *t)
{
	return (long)(t->tv_sec - now->tv_sec) * 1000 +
	    (t->tv_nsec - now->tv_nsec) / 1000000;
}

/*
 * Reads answers for both batches until every lookup is answered or its
 * batch's deadline has passed; lookups still pending then are cancelled
 * (errors).  Never waits past the later deadline.  The first round only
 * looks, without waiting: answers that came in while the client talked
 * count even when the deadline has passed since.
 */
static void
dnsbl_wait(struct dnsbl *d)
{
	struct batch *bs[2] = { &d->client, &d->sender };

	for (bool is_first = true;; is_first = false) {
		struct pollfd pfd[2 * BATCH_FDS];
		struct batch *owner[2 * BATCH_FDS];
		struct timespec now;
		size_t n = 0;
		int wait_ms = -1;

		clock_gettime(CLOCK_MONOTONIC, &now);
		for (int j = 0; j < 2; j++) {
			struct batch *b = bs[j];
			struct timeval max, tv, *t;
			long left = ms_until(&now, &b->deadline);
			if (b->pending == 0)
				continue;
			if (left <= 0 && !is_first) {
				batch_cancel(b);
				continue;
			}
			if (left < 0)
				left = 0;
			max.tv_sec = left / 1000;
			max.tv_usec = (left % 1000) * 1000;
			t = ares_timeout(b->ch, &max, &tv);
			int ms = (int)(t->tv_sec * 1000 + (t->tv_usec + 999) /
			    1000);
			if (wait_ms < 0 || ms < wait_ms)
				wait_ms = ms;
			for (size_t i = 0; i < b->n_fds; i++) {
				pfd[n] = b->fds[i];
				pfd[n].revents = 0;
				owner[n++] = b;
			}
		}
		if (wait_ms < 0)
			return;
		if (poll(pfd, n, wait_ms) < 0 && errno != EINTR) {
			batch_cancel(&d->client);
			batch_cancel(&d->sender);
			return;
		}
		for (int j = 0; j < 2; j++) {
			struct batch *b = bs[j];
			bool is_ready = false;
			if (b->pending == 0)
				continue;
			for (size_t i = 0; i < n; i++) {
				if (owner[i] != b || pfd[i].revents == 0)
					continue;
				is_ready = true;
				ares_process_fd(b->ch, pfd[i].revents &
				    (POLLIN | POLLERR | POLLHUP) ? pfd[i].fd :
				    ARES_SOCKET_BAD, pfd[i].revents & POLLOUT ?
				    pfd[i].fd : ARES_SOCKET_BAD);
			}
			if (!is_ready)	/* timeouts and retries */
				ares_process_fd(b->ch, ARES_SOCKET_BAD,
				    ARES_SOCKET_BAD);
		}
	}
}

/* One line per listing, ignored answer and error, and one summary. */
static void
batch_report(struct dnsbl *d, struct cartero_session *s, struct batch *b)
{
	const struct cartero_host *h = d->host;
	struct timespec now;
	size_t listed = 0, errors = 0;

	if (!b->is_started || b->is_reported)
		return;
	b->is_reported = true;
	for (size_t i = 0; i < b->zones->n; i++) {
		const struct lookup *l = &b->l[i];
		const char *zone = b->zones->v[i].name;
		if (l->state == LOOKUP_LISTED) {
			listed++;
			h->log(s, "dnsbl", "plugin=dnsbl %s=%s zone=%s "
			    "answer=%s result=listed", b->what, b->subject,
			    zone, l->answer);
		} else if (l->state == LOOKUP_ERROR) {
			errors++;
			h->log(s, "dnsbl", "plugin=dnsbl %s=%s zone=%s "
			    "result=error on_error=%s error=\"%s\"", b->what,
			    b->subject, zone, d->is_pass ? "pass" : "defer",
			    l->error);
		} else if (l->is_ignored)
			h->log(s, "dnsbl", "plugin=dnsbl %s=%s zone=%s "
			    "answer=%s result=ignored", b->what, b->subject,
			    zone, l->answer);
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	h->log(s, "dnsbl", "plugin=dnsbl %s=%s lists=%zu listed=%zu "
	    "errors=%zu ms=%ld", b->what, b->subject, b->zones->n, listed,
	    errors, -ms_until(&now, &b->start));
}

/* The first listing in configuration order, or NULL. */
static const char *
batch_listed(const struct batch *b)
{
	if (!b->is_started)
		return NULL;
	for (size_t i = 0; i < b->zones->n; i++)
		if (b->l[i].state == LOOKUP_LISTED)
			return b->zones->v[i].name;
	return NULL;
}

static bool
batch_has_error(const struct batch *b)
{
	if (!b->is_started)
		return false;
	for (size_t i = 0; i < b->zones->n; i++)
		if (b->l[i].state == LOOKUP_ERROR)
			return true;
	return false;
}

/* At connect the client's queries go out; the answers are read at the
 * first RCPT that needs them, so the greeting is not delayed. */
static enum cartero_verdict
dnsbl_connect(void *state, struct cartero_session *s,
    struct cartero_reply *reply_r)
{
	struct dnsbl *d = state;
	const char *ip = d->host->session_get(s, CARTERO_CLIENT_IP);
	char name[QUERY_NAME_MAX + 1];

	(void)reply_r;
	if (ip == NULL || query_name_ip(name, sizeof name, ip, "x") < 0)
		return CARTERO_CONTINUE;	/* "unknown": nothing to ask */
	if (allow_match(&d->allow, ip)) {
		d->is_allowed = true;
		d->host->log(s, "dnsbl", "plugin=dnsbl client=%s "
		    "verdict=allow", ip);
		return CARTERO_CONTINUE;
	}
	if (d->lists.n > 0)
		batch_start(d, &d->client, ip);
	return CARTERO_CONTINUE;
}

/* Each MAIL starts the sender domain's lookups afresh. */
static enum cartero_verdict
dnsbl_mail(void *state, struct cartero_session *s,
    const struct cartero_address *sender, struct cartero_reply *reply_r)
{
	struct dnsbl *d = state;
	char name[QUERY_NAME_MAX + 1];

	(void)s;
	(void)reply_r;
	batch_cancel(&d->sender);
	d->sender.is_started = false;
	if (d->is_allowed || d->rhsbl.n == 0 || query_name_domain(name,
	    sizeof name, sender->domain, "x") < 0)
		return CARTERO_CONTINUE;
	batch_start(d, &d->sender, sender->domain);
	return CARTERO_CONTINUE;
}

/*
 * The verdict, at RCPT: a listed client or sender domain gets 554 5.7.1,
 * a failed lookup 451 4.7.1 (on_error = defer) or nothing (pass).
 * Postmaster and authenticated clients are let through without waiting.
 */
static enum cartero_verdict
dnsbl_rcpt(void *state, struct cartero_session *s,
    const struct cartero_address *rcpt, struct cartero_reply *reply_r)
{
	struct dnsbl *d = state;
	const char *zone;
	char q[300];

	if (d->is_allowed || strcasecmp(rcpt->local, "postmaster") == 0 ||
	    d->host->session_get(s, CARTERO_AUTH_USER) != NULL)
		return CARTERO_CONTINUE;
	dnsbl_wait(d);
	batch_report(d, s, &d->client);
	batch_report(d, s, &d->sender);
	if ((zone = batch_listed(&d->client)) != NULL) {
		snprintf(d->text, sizeof d->text, "Service unavailable; "
		    "client [%s] listed at %s", d->client.subject, zone);
		d->host->log(s, "dnsbl", "plugin=dnsbl client=%s zone=%s "
		    "verdict=reject rcpt=%s", d->client.subject, zone,
		    d->host->log_quote(q, sizeof q, rcpt->full));
	} else if ((zone = batch_listed(&d->sender)) != NULL) {
		snprintf(d->text, sizeof d->text, "Service unavailable; "
		    "sender domain %s listed at %s", d->sender.subject, zone);
		d->host->log(s, "dnsbl", "plugin=dnsbl domain=%s zone=%s "
		    "verdict=reject rcpt=%s", d->sender.subject, zone,
		    d->host->log_quote(q, sizeof q, rcpt->full));
	} else if (!d->is_pass && (batch_has_error(&d->client) ||
	    batch_has_error(&d->sender))) {
		d->host->log(s, "dnsbl", "plugin=dnsbl verdict=defer "
		    "reason=lookup-failed rcpt=%s",
		    d->host->log_quote(q, sizeof q, rcpt->full));
		*reply_r = (struct cartero_reply){ 451, "4.7.1",
		    "DNSBL lookup failed; try again later" };
		return CARTERO_DEFER;
	} else
		return CARTERO_CONTINUE;
	*reply_r = (struct cartero_reply){ 554, "5.7.1", d->text };
	return CARTERO_REJECT;
}

static const struct cartero_filter dnsbl_filter = {
	.on_connect = dnsbl_connect,
	.on_mail = dnsbl_mail,
	.on_rcpt = dnsbl_rcpt,
};

CARTERO_PLUGIN(
	.name = "dnsbl",
	.conf_keys = dnsbl_keys,
	.init = dnsbl_init,
	.fini = dnsbl_fini,
	.filter = &dnsbl_filter,
);
