/* ISC license. */
/* A filter for tests: gives a configured verdict and reply at one hook. */
#include <stdlib.h>
#include <string.h>

#include <cartero/cartero.h>

struct probe {
	const struct cartero_host *host;
	const char *add_header;		/* "Name: value", added at data */
	const char *hook;
	enum cartero_verdict verdict;
	struct cartero_reply reply;
	int fail_init;
};

static const char *const probe_keys[] = {
	"hook", "verdict", "code", "status", "text", "fail_init", "add_header",
	NULL
};

static int
probe_init(const struct cartero_host *host, const struct cartero_conf *sec,
    void **state_r, const char **error_r)
{
	static struct probe p;
	const char *v = host->conf_get(sec, "verdict");
	const char *code = host->conf_get(sec, "code");

	p.host = host;
	p.add_header = host->conf_get(sec, "add_header");
	p.hook = host->conf_get(sec, "hook");
	if (p.hook == NULL)
		p.hook = "";
	p.verdict = CARTERO_CONTINUE;
	if (v != NULL && strcmp(v, "accept") == 0)
		p.verdict = CARTERO_ACCEPT;
	else if (v != NULL && strcmp(v, "reject") == 0)
		p.verdict = CARTERO_REJECT;
	else if (v != NULL && strcmp(v, "defer") == 0)
		p.verdict = CARTERO_DEFER;
	else if (v != NULL && strcmp(v, "bogus") == 0)
		p.verdict = (enum cartero_verdict)42;
	p.reply.code = code ? (short)atoi(code) : 0;
	p.reply.status = host->conf_get(sec, "status");
	p.reply.text = host->conf_get(sec, "text");
	if (host->conf_get(sec, "fail_init") != NULL) {
		*error_r = "probe told to fail";
		return -1;
	}
	*state_r = &p;
	return 0;
}

static enum cartero_verdict
probe_at(struct probe *p, const char *hook, struct cartero_reply *reply_r)
{
	if (strcmp(p->hook, hook) != 0)
		return CARTERO_CONTINUE;
	*reply_r = p->reply;
	return p->verdict;
}

static enum cartero_verdict
probe_connect(void *st, struct cartero_session *s, struct cartero_reply *r)
{
	(void)s;
	return probe_at(st, "connect", r);
}

static enum cartero_verdict
probe_helo(void *st, struct cartero_session *s, const char *helo,
    struct cartero_reply *r)
{
	(void)s;
	(void)helo;
	return probe_at(st, "helo", r);
}

static enum cartero_verdict
probe_mail(void *st, struct cartero_session *s,
    const struct cartero_address *a, struct cartero_reply *r)
{
	(void)s;
	(void)a;
	return probe_at(st, "mail", r);
}

static enum cartero_verdict
probe_rcpt(void *st, struct cartero_session *s,
    const struct cartero_address *a, struct cartero_reply *r)
{
	(void)s;
	(void)a;
	return probe_at(st, "rcpt", r);
}

static enum cartero_verdict
probe_data(void *st, struct cartero_session *s, struct cartero_reply *r)
{
	struct probe *p = st;

	if (p->add_header != NULL) {
		char name[80];
		const char *colon = strstr(p->add_header, ": ");
		if (colon == NULL || (size_t)(colon - p->add_header) >=
		    sizeof name)
			return CARTERO_CONTINUE;
		memcpy(name, p->add_header, (size_t)(colon - p->add_header));
		name[colon - p->add_header] = '\0';
		if (p->host->header_add(s, name, colon + 2) < 0)
			p->host->log(s, "probe", "header_add refused");
	}
	return probe_at(st, "data", r);
}

static const struct cartero_filter probe_filter = {
	.on_connect = probe_connect,
	.on_helo = probe_helo,
	.on_mail = probe_mail,
	.on_rcpt = probe_rcpt,
	.on_data = probe_data,
};

CARTERO_PLUGIN(
	.name = "probe",
	.conf_keys = probe_keys,
	.init = probe_init,
	.filter = &probe_filter,
);
