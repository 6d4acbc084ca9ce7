/* ISC license. */
/* The greylist filter: defer a new (client net, sender, recipient) at RCPT. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cartero/cartero.h>

#include "greylist-internal.h"

struct greylist {
	const struct cartero_host *host;
	const char *state;		/* the state file */
	struct greylist_store *store;	/* NULL until it could be opened */
	struct greylist_policy policy;
	long v4_prefix, v6_prefix;
	struct greylist_cidr *allow;	/* clients never greylisted */
	size_t n_allow;
	bool is_expiry_checked;		/* this process looked at the schedule */
	char text[80];			/* the 451 text the host sends */
};

static const char *const greylist_keys[] = {
	"state", "delay", "retry_window", "auto_allow", "allow_clients",
	"ipv4_prefix", "ipv6_prefix", "expire_every", NULL
};

static char greylist_error[700];

static int greylist_conf_duration(const struct cartero_host *host,
    const struct cartero_conf *sec, const char *key, long def,
    long *value_r, const char **error_r);
static int greylist_conf_prefix(const struct cartero_host *host,
    const struct cartero_conf *sec, const char *key, long def, long max,
    long *value_r, const char **error_r);
static int greylist_load_allow(struct greylist *g, const char *path,
    const char **error_r);
static bool greylist_open(struct greylist *g, struct cartero_session *s);
static void greylist_expire(struct greylist *g, struct cartero_session *s,
    time_t now);
static void greylist_fini(void *state);

static int
greylist_conf_duration(const struct cartero_host *host,
    const struct cartero_conf *sec, const char *key, long def,
    long *value_r, const char **error_r)
{
	const char *v = host->conf_get(sec, key);

	*value_r = def;
	if (v == NULL)
		return 0;
	if (greylist_duration(v, value_r) < 0) {
		snprintf(greylist_error, sizeof greylist_error,
		    "%s must be a number of seconds, optionally followed by "
		    "s, m, h or d", key);
		*error_r = greylist_error;
		return -1;
	}
	return 0;
}

static int
greylist_conf_prefix(const struct cartero_host *host,
    const struct cartero_conf *sec, const char *key, long def, long max,
    long *value_r, const char **error_r)
{
	const char *v = host->conf_get(sec, key);
	char *end;

	*value_r = def;
	if (v == NULL)
		return 0;
	errno = 0;
	*value_r = strtol(v, &end, 10);
	if (*v < '0' || *v > '9' || *end != '\0' || errno != 0 ||
	    *value_r < 1 || *value_r > max) {
		snprintf(greylist_error, sizeof greylist_error,
		    "%s must be a prefix length from 1 to %ld", key, max);
		*error_r = greylist_error;
		return -1;
	}
	return 0;
}

/* Reads "ADDRESS[/PREFIX]" lines; '#' starts a comment. */
static int
greylist_load_allow(struct greylist *g, const char *path,
    const char **error_r)
{
	FILE *f;
	char line[512];
	int lineno = 0;

	if (path == NULL)
		return 0;
	if ((f = fopen(path, "re")) == NULL) {
		snprintf(greylist_error, sizeof greylist_error, "%s: %s", path,
		    strerror(errno));
		*error_r = greylist_error;
		return -1;
	}
	while (fgets(line, sizeof line, f) != NULL) {
		char *hash = strchr(line, '#'), *word, *extra, *save;
		struct greylist_cidr c;
		lineno++;
		if (hash != NULL)
			*hash = '\0';
		if ((word = strtok_r(line, " \t\r\n", &save)) == NULL)
			continue;
		extra = strtok_r(NULL, " \t\r\n", &save);
		if (extra != NULL || !greylist_cidr_parse(&c, word)) {
			snprintf(greylist_error, sizeof greylist_error,
			    "%s:%d: expected ADDRESS[/PREFIX]", path, lineno);
			*error_r = greylist_error;
			fclose(f);
			return -1;
		}
		struct greylist_cidr *v = realloc(g->allow,
		    (g->n_allow + 1) * sizeof *v);
		if (v == NULL) {
			fclose(f);
			*error_r = "out of memory";
			return -1;
		}
		g->allow = v;
		g->allow[g->n_allow++] = c;
	}
	fclose(f);
	return 0;
}

/* Opens the state if it is not open yet; false (logged) when it cannot. */
static bool
greylist_open(struct greylist *g, struct cartero_session *s)
{
	const char *error;
	char q[600];

	if (g->store != NULL)
		return true;
	if (greylist_store_open(&g->store, g->state, &error) == 0)
		return true;
	g->host->log(s, "greylist", "plugin=greylist verdict=pass "
	    "reason=error error=%s", g->host->log_quote(q, sizeof q, error));
	return false;
}

/* Once a session (a process), after its first check: the rows that no
 * longer matter go when the state's schedule says so, no cron job needed. */
static void
greylist_expire(struct greylist *g, struct cartero_session *s, time_t now)
{
	const char *error = "unknown";
	char q[600];
	long n;
	int rc;

	if (g->is_expiry_checked)
		return;
	g->is_expiry_checked = true;
	rc = greylist_store_expire_due(g->store, now, &g->policy, &n, &error);
	if (rc < 0)
		g->host->log(s, "greylist", "plugin=greylist op=expire "
		    "error=%s", g->host->log_quote(q, sizeof q, error));
	else if (rc > 0)
		g->host->log(s, "greylist", "plugin=greylist op=expire "
		    "removed=%ld", n);
}

static void
greylist_fini(void *state)
{
	struct greylist *g = state;

	greylist_store_close(&g->store);
	free(g->allow);
	free(g);
}

static int
greylist_init(const struct cartero_host *host,
    const struct cartero_conf *sec, void **state_r, const char **error_r)
{
	struct greylist *g = calloc(1, sizeof *g);
	struct greylist_policy *p;

	if (g == NULL) {
		*error_r = "out of memory";
		return -1;
	}
	g->host = host;
	p = &g->policy;
	if ((g->state = host->conf_path(sec, "state")) == NULL ||
	    g->state[0] == '\0') {
		*error_r = "[plugin greylist] needs state = PATH (the state "
		    "file, in a folder the handler's user can write)";
		goto fail;
	}
	if (greylist_conf_duration(host, sec, "delay", 300, &p->delay,
	    error_r) < 0 ||
	    greylist_conf_duration(host, sec, "retry_window", 86400,
	    &p->retry_window, error_r) < 0 ||
	    greylist_conf_duration(host, sec, "auto_allow", 36 * 86400,
	    &p->auto_allow, error_r) < 0 ||
	    greylist_conf_duration(host, sec, "expire_every", 3600,
	    &p->expire_every, error_r) < 0 ||
	    greylist_conf_prefix(host, sec, "ipv4_prefix", 24, 32,
	    &g->v4_prefix, error_r) < 0 ||
	    greylist_conf_prefix(host, sec, "ipv6_prefix", 64, 128,
	    &g->v6_prefix, error_r) < 0 ||
	    greylist_load_allow(g, host->conf_path(sec, "allow_clients"),
	    error_r) < 0)
		goto fail;
	if (p->delay < 1 || p->auto_allow < 1 || p->expire_every < 1) {
		*error_r = "delay, auto_allow and expire_every must be at "
		    "least 1 second";
		goto fail;
	}
	if (p->retry_window <= p->delay) {
		*error_r = "retry_window must be longer than delay";
		goto fail;
	}
	/* A state that cannot be opened now is tried again at each RCPT;
	 * meanwhile mail passes (greylisting must never hold mail back for
	 * its own failure). */
	greylist_open(g, NULL);
	*state_r = g;
	return 0;
fail:
	greylist_fini(g);
	return -1;
}

static enum cartero_verdict
greylist_rcpt(void *state, struct cartero_session *s,
    const struct cartero_address *rcpt, struct cartero_reply *reply_r)
{
	struct greylist *g = state;
	const struct cartero_host *host = g->host;
	const char *ip = host->session_get(s, CARTERO_CLIENT_IP);
	const char *from = host->session_get(s, CARTERO_SENDER);
	char net[GREYLIST_NET_MAX], sender[512], to[512];
	char qs[300], qr[300], qe[600];
	struct greylist_triplet t = { net, sender, to };
	const char *why, *error;
	time_t now;
	long wait;

	if (host->session_get(s, CARTERO_AUTH_USER) != NULL) {
		host->log(s, "greylist", "plugin=greylist verdict=skip "
		    "reason=authenticated");
		return CARTERO_CONTINUE;
	}
	if (ip == NULL || greylist_net(net, sizeof net, ip, (int)g->v4_prefix,
	    (int)g->v6_prefix) < 0) {
		host->log(s, "greylist", "plugin=greylist verdict=skip "
		    "reason=no-client-address");
		return CARTERO_CONTINUE;
	}
	for (size_t i = 0; i < g->n_allow; i++)
		if (greylist_cidr_match(&g->allow[i], ip)) {
			host->log(s, "greylist", "plugin=greylist "
			    "verdict=skip reason=allow_clients");
			return CARTERO_CONTINUE;
		}
	greylist_lower(sender, sizeof sender, from != NULL ? from : "");
	greylist_lower(to, sizeof to, rcpt->full);
	host->log_quote(qs, sizeof qs, sender);
	host->log_quote(qr, sizeof qr, to);
	if (!greylist_open(g, s))
		return CARTERO_CONTINUE;
	now = time(NULL);
	if (greylist_store_check(g->store, &t, now, &g->policy, &wait, &why,
	    &error) < 0) {
		host->log(s, "greylist", "plugin=greylist verdict=pass "
		    "reason=error net=%s sender=%s rcpt=%s error=%s", net, qs,
		    qr, host->log_quote(qe, sizeof qe, error));
		return CARTERO_CONTINUE;
	}
	host->log(s, "greylist", "plugin=greylist verdict=%s reason=%s "
	    "net=%s sender=%s rcpt=%s wait=%ld", wait > 0 ? "defer" : "pass",
	    why, net, qs, qr, wait);
	greylist_expire(g, s, now);
	if (wait == 0)
		return CARTERO_CONTINUE;
	snprintf(g->text, sizeof g->text, "Greylisted; try again in %ld "
	    "seconds", wait);
	*reply_r = (struct cartero_reply){ 451, "4.7.1", g->text };
	return CARTERO_DEFER;
}

static const struct cartero_filter greylist_filter = {
	.on_rcpt = greylist_rcpt,
};

CARTERO_PLUGIN(
	.name = "greylist",
	.conf_keys = greylist_keys,
	.init = greylist_init,
	.fini = greylist_fini,
	.filter = &greylist_filter,
);
