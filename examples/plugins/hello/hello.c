/* ISC license. */
/* hello: an out-of-tree filter that greets, tags and (optionally) refuses. */
#include <stdlib.h>
#include <strings.h>

#include <cartero/cartero.h>

/*
 * [smtpd] filters = hello runs it.  It logs a greeting when a client
 * connects, adds "X-Hello: world" to every message it lets through, and
 * refuses mail from the sender named by reject = ADDRESS in [plugin hello].
 */
struct hello {
	const struct cartero_host *host;
	const char *reject;	/* a sender to refuse, or NULL */
};

static const char *const hello_keys[] = { "reject", NULL };

static int
hello_init(const struct cartero_host *host,
    const struct cartero_conf *section, void **state_r, const char **error_r)
{
	struct hello *h;

	if ((h = calloc(1, sizeof *h)) == NULL) {
		*error_r = "out of memory";
		return -1;
	}
	h->host = host;
	h->reject = host->conf_get(section, "reject");
	*state_r = h;
	return 0;
}

static void
hello_fini(void *state)
{
	free(state);
}

/* A report-like hook: say hello in the log, let everyone in. */
static enum cartero_verdict
hello_connect(void *state, struct cartero_session *s,
    struct cartero_reply *reply_r)
{
	struct hello *h = state;

	(void)reply_r;
	h->host->log(s, "hello", "plugin=hello greeting=\"hello, %s\"",
	    h->host->session_get(s, CARTERO_CLIENT_IP));
	return CARTERO_CONTINUE;
}

static enum cartero_verdict
hello_mail(void *state, struct cartero_session *s,
    const struct cartero_address *sender, struct cartero_reply *reply_r)
{
	struct hello *h = state;
	char q[300];

	if (h->reject == NULL || strcasecmp(sender->full, h->reject) != 0)
		return CARTERO_CONTINUE;
	h->host->log(s, "hello", "plugin=hello refused=%s",
	    h->host->log_quote(q, sizeof q, sender->full));
	reply_r->code = 550;
	reply_r->status = "5.7.1";
	reply_r->text = "Hello, but not from you";
	return CARTERO_REJECT;
}

/* End of data: the message is spooled; tag it for every store. */
static enum cartero_verdict
hello_data(void *state, struct cartero_session *s,
    struct cartero_reply *reply_r)
{
	struct hello *h = state;

	if (h->host->header_add(s, "X-Hello", "world") < 0) {
		/* Only when 8 KiB of added fields are used up. */
		reply_r->code = 451;
		reply_r->status = "4.3.0";
		reply_r->text = "Cannot tag the message; try again later";
		return CARTERO_DEFER;
	}
	return CARTERO_CONTINUE;
}

static const struct cartero_filter hello_filter = {
	.on_connect = hello_connect,
	.on_mail = hello_mail,
	.on_data = hello_data,
};

CARTERO_PLUGIN(
	.name = "hello",
	.conf_keys = hello_keys,
	.init = hello_init,
	.fini = hello_fini,
	.filter = &hello_filter,
);
