/* ISC license. */
/* The filter chain: verdict semantics written once (cartero-plugin(3)). */
#include <string.h>

#include "../sdk/src/log-internal.h"
#include "smtp-internal.h"

static const char *const hook_names[] = {
	"connect", "helo", "mail", "rcpt", "data"
};
static const char *const verdict_names[] = {
	"continue", "accept", "reject", "defer"
};

static enum cartero_verdict
filter_call(struct plugin *p, struct smtp_session *s, enum filter_hook hook,
    const void *arg, struct cartero_reply *reply_r)
{
	const struct cartero_filter *f = p->desc->filter;
	struct cartero_session *cs = &s->cs;

	switch (hook) {
	case HOOK_CONNECT:
		return f->on_connect ? f->on_connect(p->state, cs, reply_r)
				     : CARTERO_CONTINUE;
	case HOOK_HELO:
		return f->on_helo ? f->on_helo(p->state, cs, arg, reply_r)
				  : CARTERO_CONTINUE;
	case HOOK_MAIL:
		return f->on_mail ? f->on_mail(p->state, cs, arg, reply_r)
				  : CARTERO_CONTINUE;
	case HOOK_RCPT:
		return f->on_rcpt ? f->on_rcpt(p->state, cs, arg, reply_r)
				  : CARTERO_CONTINUE;
	case HOOK_DATA:
		return f->on_data ? f->on_data(p->state, cs, reply_r)
				  : CARTERO_CONTINUE;
	}
	return CARTERO_CONTINUE;
}

/* A reply line must stay one line of printable text. */
static bool
filter_text_ok(const char *t)
{
	for (; *t; t++)
		if ((unsigned char)*t < 0x20 || *t == 0x7f)
			return false;
	return true;
}

/*
 * Runs hook through the configured filters in order.  The first REJECT or
 * DEFER stops the chain and is returned with *reply_r ready to send;
 * ACCEPT stops the chain; CONTINUE passes on.  A verdict whose reply class
 * contradicts it (REJECT with 4xx, DEFER with 5xx), or whose reply is
 * malformed, is a plugin bug: 451 4.3.0.
 */
enum cartero_verdict
filter_run(struct smtp_session *s, enum filter_hook hook, const void *arg,
    struct cartero_reply *reply_r)
{
	for (size_t i = 0; i < s->n_filters; i++) {
		struct plugin *p = s->filters[i];
		struct cartero_reply r = { 0, NULL, NULL };
		enum cartero_verdict v = filter_call(p, s, hook, arg, &r);

		if (v == CARTERO_CONTINUE)
			continue;
		if (v == CARTERO_ACCEPT) {
			log_event("filter", "plugin=%s hook=%s verdict=accept",
			    p->name, hook_names[hook]);
			return v;
		}
		const struct cartero_reply *def = v == CARTERO_REJECT
		    ? &REPLY_FILTER_REJECT : &REPLY_FILTER_DEFER;
		int want = v == CARTERO_REJECT ? 5 : 4;
		if (v != CARTERO_REJECT && v != CARTERO_DEFER) {
			log_event("plugin-bug", "plugin=%s hook=%s "
			    "error=\"unknown verdict %d\"", p->name,
			    hook_names[hook], (int)v);
			*reply_r = REPLY_PLUGIN_BUG;
			return CARTERO_DEFER;
		}
		if (r.code == 0)
			r = *def;
		if (r.code / 100 != want || r.code % 100 > 99 ||
		    r.text == NULL || !filter_text_ok(r.text) ||
		    (r.status != NULL && (r.status[0] - '0' != want ||
		    !filter_text_ok(r.status) || strchr(r.status, ' ')))) {
			log_event("plugin-bug", "plugin=%s hook=%s verdict=%s "
			    "code=%d error=\"reply does not match verdict\"",
			    p->name, hook_names[hook], verdict_names[v],
			    r.code);
			*reply_r = REPLY_PLUGIN_BUG;
			return CARTERO_DEFER;
		}
		if (r.status == NULL)
			r.status = def->status;
		log_event("filter", "plugin=%s hook=%s verdict=%s code=%d",
		    p->name, hook_names[hook], verdict_names[v], r.code);
		*reply_r = r;
		return v;
	}
	return CARTERO_CONTINUE;
}

void
filter_disconnect(struct smtp_session *s)
{
	for (size_t i = 0; i < s->n_filters; i++) {
		const struct cartero_filter *f = s->filters[i]->desc->filter;
		if (f->on_disconnect)
			f->on_disconnect(s->filters[i]->state, &s->cs);
	}
}
