/* ISC license. */
/* The patterns filter: reject or tag by glob or regex on session fields. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cartero/cartero.h>

#include "rules.h"

struct patterns {
	const struct cartero_host *host;
	struct rules rules;
	bool has_reject[FIELD_COUNT];
	bool has_tag;
	bool has_header;	/* any header rule: read the header at data */
	bool *is_tagged;	/* per rule, for the message at hand */
	char where[300];	/* the rules file's path as a log value */
};

/* What on_data's header scan carries. */
struct scan {
	struct patterns *p;
	const struct rule *hit;	/* the reject rule that matched */
	char value[HEADER_MATCH_MAX + 1];
};

static const char *const patterns_keys[] = { "rules", NULL };

static char patterns_error[700];

static void patterns_fini(void *state);
static int patterns_init(const struct cartero_host *host,
    const struct cartero_conf *sec, void **state_r, const char **error_r);
static void patterns_log(struct patterns *p, struct cartero_session *s,
    const struct rule *r, const char *verdict, const char *value);
static enum cartero_verdict patterns_reply(const struct rule *r,
    struct cartero_reply *reply_r);
static enum cartero_verdict patterns_check(struct patterns *p,
    struct cartero_session *s, enum rule_field field, const char *value,
    struct cartero_reply *reply_r);
static int patterns_scan_field(void *arg, const char *field);
static void patterns_tag_value(struct patterns *p, enum rule_field field,
    const char *value);
static void patterns_tag(struct patterns *p, struct cartero_session *s);

static void
patterns_fini(void *state)
{
	struct patterns *p = state;

	rules_free(&p->rules);
	free(p->is_tagged);
	free(p);
}

/* Rules are read and compiled once per handler process, here. */
static int
patterns_init(const struct cartero_host *host,
    const struct cartero_conf *sec, void **state_r, const char **error_r)
{
	const char *path = host->conf_path(sec, "rules");
	struct patterns *p;

	if (path == NULL) {
		*error_r = "[plugin patterns] needs rules = FILE";
		return -1;
	}
	if ((p = calloc(1, sizeof *p)) == NULL) {
		*error_r = "out of memory";
		return -1;
	}
	p->host = host;
	if (rules_load(&p->rules, path, patterns_error,
	    sizeof patterns_error) < 0) {
		free(p);
		*error_r = patterns_error;
		return -1;
	}
	if ((p->is_tagged = calloc(p->rules.n + 1, sizeof *p->is_tagged)) ==
	    NULL) {
		patterns_fini(p);
		*error_r = "out of memory";
		return -1;
	}
	/* The path is logged bare when nothing in it needs quoting. */
	size_t len = strlen(path);
	if (strspn(path, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789/._+-") == len && len < sizeof p->where)
		strcpy(p->where, path);
	else
		host->log_quote(p->where, sizeof p->where, path);
	for (size_t i = 0; i < p->rules.n; i++) {
		const struct rule *r = &p->rules.v[i];
		if (r->action == ACTION_REJECT)
			p->has_reject[r->field] = true;
		else
			p->has_tag = true;
		if (r->field == FIELD_HEADER)
			p->has_header = true;
	}
	*state_r = p;
	return 0;
}

/* One line per verdict: which rule, on what, and the value it matched. */
static void
patterns_log(struct patterns *p, struct cartero_session *s,
    const struct rule *r, const char *verdict, const char *value)
{
	char q[400];

	if (r->action == ACTION_TAG)
		p->host->log(s, "patterns", "plugin=patterns rule=%s:%d "
		    "field=%s verdict=tag header=%s", p->where, r->line,
		    rule_field_name(r->field), r->header);
	else
		p->host->log(s, "patterns", "plugin=patterns rule=%s:%d "
		    "field=%s verdict=%s code=%d value=%s", p->where, r->line,
		    rule_field_name(r->field), verdict, r->code,
		    p->host->log_quote(q, sizeof q, value));
}

/* The rule's code decides: 4xx defers, 5xx rejects (checked at load). */
static enum cartero_verdict
patterns_reply(const struct rule *r, struct cartero_reply *reply_r)
{
	reply_r->code = r->code;
	reply_r->status = r->status;
	reply_r->text = r->text;
	return r->code >= 500 ? CARTERO_REJECT : CARTERO_DEFER;
}

/* The first reject rule of field that matches value decides. */
static enum cartero_verdict
patterns_check(struct patterns *p, struct cartero_session *s,
    enum rule_field field, const char *value, struct cartero_reply *reply_r)
{
	if (!p->has_reject[field] || value == NULL)
		return CARTERO_CONTINUE;
	for (size_t i = 0; i < p->rules.n; i++) {
		const struct rule *r = &p->rules.v[i];
		if (r->field != field || r->action != ACTION_REJECT ||
		    !rule_match(r, value))
			continue;
		enum cartero_verdict v = patterns_reply(r, reply_r);
		patterns_log(p, s, r, v == CARTERO_REJECT ? "reject" : "defer",
		    value);
		return v;
	}
	return CARTERO_CONTINUE;
}

static enum cartero_verdict
patterns_connect(void *state, struct cartero_session *s,
    struct cartero_reply *reply_r)
{
	struct patterns *p = state;

	return patterns_check(p, s, FIELD_CLIENT,
	    p->host->session_get(s, CARTERO_CLIENT_IP), reply_r);
}

static enum cartero_verdict
patterns_helo(void *state, struct cartero_session *s, const char *helo,
    struct cartero_reply *reply_r)
{
	return patterns_check(state, s, FIELD_HELO, helo, reply_r);
}

static enum cartero_verdict
patterns_mail(void *state, struct cartero_session *s,
    const struct cartero_address *sender, struct cartero_reply *reply_r)
{
	return patterns_check(state, s, FIELD_SENDER, sender->full, reply_r);
}

static enum cartero_verdict
patterns_rcpt(void *state, struct cartero_session *s,
    const struct cartero_address *rcpt, struct cartero_reply *reply_r)
{
	return patterns_check(state, s, FIELD_RECIPIENT, rcpt->full, reply_r);
}

/* Marks the tag rules of field that value matches. */
static void
patterns_tag_value(struct patterns *p, enum rule_field field,
    const char *value)
{
	if (value == NULL)
		return;
	for (size_t i = 0; i < p->rules.n; i++) {
		const struct rule *r = &p->rules.v[i];
		if (r->field == field && r->action == ACTION_TAG &&
		    !p->is_tagged[i] && rule_match(r, value))
			p->is_tagged[i] = true;
	}
}

/* Each header field: the first reject rule that matches stops the scan;
 * tag rules are marked on the way. */
static int
patterns_scan_field(void *arg, const char *field)
{
	struct scan *sc = arg;
	struct patterns *p = sc->p;

	for (size_t i = 0; i < p->rules.n; i++) {
		const struct rule *r = &p->rules.v[i];
		if (r->field != FIELD_HEADER || (r->action == ACTION_TAG &&
		    p->is_tagged[i]) || !rule_match(r, field))
			continue;
		if (r->action == ACTION_TAG) {
			p->is_tagged[i] = true;
			continue;
		}
		sc->hit = r;
		snprintf(sc->value, sizeof sc->value, "%s", field);
		return 1;
	}
	return 0;
}

/* Adds the fields of the marked tag rules, each once, in file order. */
static void
patterns_tag(struct patterns *p, struct cartero_session *s)
{
	const struct cartero_host *h = p->host;
	const struct cartero_address *a;

	patterns_tag_value(p, FIELD_CLIENT, h->session_get(s,
	    CARTERO_CLIENT_IP));
	patterns_tag_value(p, FIELD_HELO, h->session_get(s, CARTERO_HELO));
	patterns_tag_value(p, FIELD_SENDER, h->session_get(s, CARTERO_SENDER));
	for (size_t i = 0; (a = h->rcpt_get(s, i)) != NULL; i++)
		patterns_tag_value(p, FIELD_RECIPIENT, a->full);
	for (size_t i = 0; i < p->rules.n; i++) {
		const struct rule *r = &p->rules.v[i];
		if (!p->is_tagged[i])
			continue;
		if (h->header_add(s, r->header, r->text) < 0)
			h->log(s, "patterns", "plugin=patterns rule=%s:%d "
			    "field=%s verdict=tag header=%s error=\"header_add "
			    "refused\"", p->where, r->line,
			    rule_field_name(r->field), r->header);
		else
			patterns_log(p, s, r, "tag", NULL);
	}
}

/*
 * End of data: header rules against each field of the client's header;
 * then every tag rule (of any field) that matched this message adds its
 * field.  A spool that cannot be read defers: the filter fails closed.
 */
static enum cartero_verdict
patterns_data(void *state, struct cartero_session *s,
    struct cartero_reply *reply_r)
{
	struct patterns *p = state;

	if (!p->has_header && !p->has_tag)
		return CARTERO_CONTINUE;
	memset(p->is_tagged, 0, p->rules.n * sizeof *p->is_tagged);
	if (p->has_header) {
		struct scan sc = { .p = p };
		int k = headers_scan(p->host->message_fd(s),
		    p->host->message_size(s), patterns_scan_field, &sc);
		if (k < 0) {
			p->host->log(s, "patterns", "plugin=patterns "
			    "op=pread error=\"%s\"", strerror(errno));
			*reply_r = (struct cartero_reply){ 451, "4.3.0",
			    "Temporary local problem; try again later" };
			return CARTERO_DEFER;
		}
		if (sc.hit != NULL) {
			enum cartero_verdict v = patterns_reply(sc.hit,
			    reply_r);
			patterns_log(p, s, sc.hit, v == CARTERO_REJECT ?
			    "reject" : "defer", sc.value);
			return v;
		}
	}
	if (p->has_tag)
		patterns_tag(p, s);
	return CARTERO_CONTINUE;
}

static const struct cartero_filter patterns_filter = {
	.on_connect = patterns_connect,
	.on_helo = patterns_helo,
	.on_mail = patterns_mail,
	.on_rcpt = patterns_rcpt,
	.on_data = patterns_data,
};

CARTERO_PLUGIN(
	.name = "patterns",
	.conf_keys = patterns_keys,
	.init = patterns_init,
	.fini = patterns_fini,
	.filter = &patterns_filter,
);
