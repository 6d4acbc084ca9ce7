/* ISC license. */
/* The limits filter: client, HELO, sender and recipient lists; caps. */
#include <arpa/inet.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cartero/cartero.h>

/* One rule: a pattern (CIDR for clients, glob otherwise) and a verdict. */
struct rule {
	char *pattern;
	unsigned char net[16];
	int family, prefix;
	enum cartero_verdict verdict;
};

struct rules {
	struct rule *v;
	size_t n;
};

struct limits {
	const struct cartero_host *host;
	struct rules clients, helos, senders, recipients;
	unsigned long long max_recipients;	/* 0: no cap */
	unsigned long long max_size;		/* 0: no cap */
};

static const char *const limits_keys[] = {
	"clients", "helos", "senders", "recipients", "max_recipients",
	"max_size", NULL
};

static char limits_error[600];

/* CIDR: ADDRESS[/PREFIX], IPv4 or IPv6. */
static bool
limits_parse_cidr(struct rule *r, const char *s)
{
	char addr[64];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);

	if (n >= sizeof addr)
		return false;
	memcpy(addr, s, n);
	addr[n] = '\0';
	if (inet_pton(AF_INET, addr, r->net) == 1) {
		r->family = AF_INET;
		r->prefix = 32;
	} else if (inet_pton(AF_INET6, addr, r->net) == 1) {
		r->family = AF_INET6;
		r->prefix = 128;
	} else
		return false;
	if (slash != NULL) {
		char *end;
		long p = strtol(slash + 1, &end, 10);
		if (*end != '\0' || slash[1] == '\0' || p < 0 || p > r->prefix)
			return false;
		r->prefix = (int)p;
	}
	return true;
}

static bool
limits_cidr_match(const struct rule *r, const char *ip)
{
	unsigned char a[16];
	int family = strchr(ip, ':') ? AF_INET6 : AF_INET;

	if (family != r->family || inet_pton(family, ip, a) != 1)
		return false;
	int bits = r->prefix, i = 0;
	for (; bits >= 8; bits -= 8, i++)
		if (a[i] != r->net[i])
			return false;
	if (bits == 0)
		return true;
	unsigned char mask = (unsigned char)(0xff << (8 - bits));
	return (a[i] & mask) == (r->net[i] & mask);
}

/* Reads "PATTERN [accept|reject|defer]" lines; '#' starts a comment. */
static int
limits_load(struct rules *rs, const char *path, bool is_cidr,
    const char **error_r)
{
	FILE *f;
	char line[1024];
	int lineno = 0;

	if (path == NULL)
		return 0;
	if ((f = fopen(path, "re")) == NULL) {
		snprintf(limits_error, sizeof limits_error, "%s: %s", path,
		    strerror(errno));
		*error_r = limits_error;
		return -1;
	}
	while (fgets(line, sizeof line, f) != NULL) {
		char *pat, *act, *extra, *save;
		lineno++;
		char *hash = strchr(line, '#');
		if (hash != NULL)
			*hash = '\0';
		if ((pat = strtok_r(line, " \t\r\n", &save)) == NULL)
			continue;
		act = strtok_r(NULL, " \t\r\n", &save);
		extra = strtok_r(NULL, " \t\r\n", &save);
		struct rule r = { .verdict = CARTERO_REJECT };
		if (act == NULL || strcmp(act, "reject") == 0)
			r.verdict = CARTERO_REJECT;
		else if (strcmp(act, "accept") == 0)
			r.verdict = CARTERO_ACCEPT;
		else if (strcmp(act, "defer") == 0)
			r.verdict = CARTERO_DEFER;
		else
			extra = act;
		if (extra != NULL || (is_cidr && !limits_parse_cidr(&r, pat))) {
			snprintf(limits_error, sizeof limits_error,
			    "%s:%d: expected %s [accept|reject|defer]", path,
			    lineno, is_cidr ? "ADDRESS[/PREFIX]" : "PATTERN");
			*error_r = limits_error;
			fclose(f);
			return -1;
		}
		struct rule *v = realloc(rs->v, (rs->n + 1) * sizeof *v);
		if (v == NULL || (r.pattern = strdup(pat)) == NULL) {
			if (v != NULL)
				rs->v = v;
			fclose(f);
			*error_r = "out of memory";
			return -1;
		}
		rs->v = v;
		rs->v[rs->n++] = r;
	}
	fclose(f);
	return 0;
}

static int
limits_number(const struct cartero_host *host,
    const struct cartero_conf *sec, const char *key,
    unsigned long long *value_r, const char **error_r)
{
	const char *v = host->conf_get(sec, key);
	char *end;

	*value_r = 0;
	if (v == NULL)
		return 0;
	errno = 0;
	*value_r = strtoull(v, &end, 10);
	if (*v < '0' || *v > '9' || *end != '\0' || errno != 0) {
		snprintf(limits_error, sizeof limits_error,
		    "%s must be a whole number", key);
		*error_r = limits_error;
		return -1;
	}
	return 0;
}

static void
limits_free_rules(struct rules *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		free(rs->v[i].pattern);
	free(rs->v);
}

static void
limits_fini(void *state)
{
	struct limits *l = state;

	limits_free_rules(&l->clients);
	limits_free_rules(&l->helos);
	limits_free_rules(&l->senders);
	limits_free_rules(&l->recipients);
	free(l);
}

static int
limits_init(const struct cartero_host *host,
    const struct cartero_conf *sec, void **state_r, const char **error_r)
{
	struct limits *l = calloc(1, sizeof *l);

	if (l == NULL) {
		*error_r = "out of memory";
		return -1;
	}
	l->host = host;
	if (limits_load(&l->clients, host->conf_path(sec, "clients"), true,
	    error_r) < 0 ||
	    limits_load(&l->helos, host->conf_path(sec, "helos"), false,
	    error_r) < 0 ||
	    limits_load(&l->senders, host->conf_path(sec, "senders"), false,
	    error_r) < 0 ||
	    limits_load(&l->recipients, host->conf_path(sec, "recipients"),
	    false, error_r) < 0 ||
	    limits_number(host, sec, "max_recipients", &l->max_recipients,
	    error_r) < 0 ||
	    limits_number(host, sec, "max_size", &l->max_size, error_r) < 0) {
		limits_fini(l);
		return -1;
	}
	*state_r = l;
	return 0;
}

/* The first matching rule decides; its reply depends on its verdict. */
static enum cartero_verdict
limits_match(const struct rules *rs, const char *value, bool is_cidr,
    const char *what, struct cartero_reply *reply_r)
{
	static char text[200];

	for (size_t i = 0; i < rs->n; i++) {
		const struct rule *r = &rs->v[i];
		bool hit = is_cidr ? limits_cidr_match(r, value)
				   : fnmatch(r->pattern, value, FNM_CASEFOLD) == 0;
		if (!hit)
			continue;
		if (r->verdict == CARTERO_REJECT) {
			snprintf(text, sizeof text, "%s rejected by policy",
			    what);
			*reply_r = (struct cartero_reply){ 550, "5.7.1", text };
		} else if (r->verdict == CARTERO_DEFER) {
			snprintf(text, sizeof text, "%s temporarily deferred "
			    "by policy", what);
			*reply_r = (struct cartero_reply){ 450, "4.7.1", text };
		}
		return r->verdict;
	}
	return CARTERO_CONTINUE;
}

static enum cartero_verdict
limits_connect(void *state, struct cartero_session *s,
    struct cartero_reply *reply_r)
{
	struct limits *l = state;
	const char *ip = l->host->session_get(s, CARTERO_CLIENT_IP);
	enum cartero_verdict v = limits_match(&l->clients, ip, true,
	    "Client host", reply_r);

	if (v == CARTERO_REJECT)
		reply_r->code = 554;	/* instead of the greeting (3.1) */
	else if (v == CARTERO_DEFER)
		*reply_r = (struct cartero_reply){ 421, "4.7.1",
		    "Client host temporarily deferred by policy" };
	return v;
}

static enum cartero_verdict
limits_helo(void *state, struct cartero_session *s, const char *helo,
    struct cartero_reply *reply_r)
{
	struct limits *l = state;

	(void)s;
	return limits_match(&l->helos, helo, false, "HELO name", reply_r);
}

static enum cartero_verdict
limits_mail(void *state, struct cartero_session *s,
    const struct cartero_address *sender, struct cartero_reply *reply_r)
{
	struct limits *l = state;

	(void)s;
	return limits_match(&l->senders, sender->full, false, "Sender address",
	    reply_r);
}

static enum cartero_verdict
limits_rcpt(void *state, struct cartero_session *s,
    const struct cartero_address *rcpt, struct cartero_reply *reply_r)
{
	struct limits *l = state;

	if (l->max_recipients > 0 &&
	    l->host->rcpt_count(s) >= l->max_recipients) {
		*reply_r = (struct cartero_reply){ 452, "4.5.3",
		    "Too many recipients for this message" };
		return CARTERO_DEFER;
	}
	return limits_match(&l->recipients, rcpt->full, false,
	    "Recipient address", reply_r);
}

static enum cartero_verdict
limits_data(void *state, struct cartero_session *s,
    struct cartero_reply *reply_r)
{
	struct limits *l = state;

	if (l->max_size > 0 &&
	    (unsigned long long)l->host->message_size(s) > l->max_size) {
		*reply_r = (struct cartero_reply){ 552, "5.3.4",
		    "Message too big for this site's policy" };
		return CARTERO_REJECT;
	}
	return CARTERO_CONTINUE;
}

static const struct cartero_filter limits_filter = {
	.on_connect = limits_connect,
	.on_helo = limits_helo,
	.on_mail = limits_mail,
	.on_rcpt = limits_rcpt,
	.on_data = limits_data,
};

CARTERO_PLUGIN(
	.name = "limits",
	.conf_keys = limits_keys,
	.init = limits_init,
	.fini = limits_fini,
	.filter = &limits_filter,
);
