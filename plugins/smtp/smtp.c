/* ISC license. */
/* The smtp store: relays to a smarthost synchronously, so the client hears
 * 250 only after the smarthost took the message; STARTTLS and AUTH PLAIN
 * towards it when configured. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lmtp/hop.h"

enum relay_tls { RELAY_TLS_AUTO = 0, RELAY_TLS_NO, RELAY_TLS_REQUIRE };

struct relay {
	const struct cartero_host *host;
	const struct cartero_conf *defaults;	/* [plugin smtp] */
};

/* A key of the [domain]/[relay] section, else of [plugin smtp]. */
static const char *
relay_get(const struct relay *rl, const struct cartero_conf *sec,
    const char *key)
{
	const char *v = rl->host->conf_get(sec, key);

	return v ? v : rl->host->conf_get(rl->defaults, key);
}

static const char *
relay_path(const struct relay *rl, const struct cartero_conf *sec,
    const char *key)
{
	const char *v = rl->host->conf_path(sec, key);

	return v ? v : rl->host->conf_path(rl->defaults, key);
}

struct relay_txn {
	struct hop hop;
	char said_status[16];
	char said_text[400];
};

static const char *const relay_keys[] = {
	"address", "timeout", "tls", "tls_verify", "ca", "user", "password",
	"helo", NULL
};

static int
relay_init(const struct cartero_host *host, const struct cartero_conf *sec,
    void **state_r, const char **error_r)
{
	static struct relay r;

	(void)error_r;
	r.host = host;
	r.defaults = sec;
	*state_r = &r;
	return 0;
}

static void
relay_b64(const unsigned char *in, size_t n, char *out)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0;

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)in[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		out[o++] = tab[v >> 18 & 63];
		out[o++] = tab[v >> 12 & 63];
		out[o++] = i + 1 < n ? tab[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? tab[v & 63] : '=';
	}
	out[o] = '\0';
}

/* Per-section settings, read at each transaction (sections differ). */
static int
relay_setting(const struct relay *rl, const struct cartero_conf *sec,
    int *timeout_ms_r, enum relay_tls *tls_r, const char **error_r)
{
	const char *t = relay_get(rl, sec, "timeout");
	const char *tls = relay_get(rl, sec, "tls");

	*timeout_ms_r = 60000;
	if (t != NULL) {
		char *end;
		long v = strtol(t, &end, 10);
		if (*t < '0' || *t > '9' || *end || v < 1 || v > 3600) {
			*error_r = "timeout must be 1 to 3600 seconds";
			return -1;
		}
		*timeout_ms_r = (int)v * 1000;
	}
	*tls_r = RELAY_TLS_AUTO;
	if (tls != NULL && strcmp(tls, "no") == 0)
		*tls_r = RELAY_TLS_NO;
	else if (tls != NULL && strcmp(tls, "require") == 0)
		*tls_r = RELAY_TLS_REQUIRE;
	else if (tls != NULL && strcmp(tls, "auto") != 0) {
		*error_r = "tls must be auto, no or require";
		return -1;
	}
	return 0;
}

/* Greeting, EHLO (HELO if refused), STARTTLS when offered or required,
 * AUTH PLAIN when user is set, then MAIL FROM. */
static const char *
relay_open(struct relay *rl, struct relay_txn *t,
    const struct cartero_conf *sec, const char *sender, const char *me)
{
	const struct cartero_host *host = rl->host;
	const char *user = relay_get(rl, sec, "user");
	const char *pw = relay_get(rl, sec, "password");
	const char *helo = relay_get(rl, sec, "helo");
	const char *verify = relay_get(rl, sec, "tls_verify");
	const char *address = relay_get(rl, sec, "address");
	const char *err;
	int timeout_ms;
	enum relay_tls tls;

	if (relay_setting(rl, sec, &timeout_ms, &tls, &err) < 0)
		return err;
	if (address == NULL)
		return "no address = for the smtp store";
	if (helo == NULL)
		helo = me ? me : "localhost";
	if (hop_connect(&t->hop, address, timeout_ms, &err) < 0)
		return err;
	if (hop_read_reply(&t->hop, false) != 220)
		return "no greeting from the smarthost";
	if (hop_command(&t->hop, "EHLO %s", helo) < 0 ||
	    hop_read_reply(&t->hop, true) != 250) {
		if (hop_command(&t->hop, "HELO %s", helo) < 0 ||
		    hop_read_reply(&t->hop, false) != 250)
			return "smarthost refused EHLO and HELO";
	}
	if (tls != RELAY_TLS_NO && hop_has(&t->hop, "STARTTLS")) {
		char host_name[256];
		const char *colon = strrchr(address, ':');
		snprintf(host_name, sizeof host_name, "%.*s",
		    colon ? (int)(colon - address) : 0, address);
		if (hop_command(&t->hop, "STARTTLS") < 0 ||
		    hop_read_reply(&t->hop, false) != 220)
			return "smarthost refused STARTTLS";
		if (hop_starttls(&t->hop, host, host_name,
		    relay_path(rl, sec, "ca"),
		    verify != NULL && strcmp(verify, "yes") == 0, &err) < 0)
			return err;
		if (hop_command(&t->hop, "EHLO %s", helo) < 0 ||
		    hop_read_reply(&t->hop, true) != 250)
			return "smarthost refused EHLO after STARTTLS";
	} else if (tls == RELAY_TLS_REQUIRE)
		return "smarthost does not offer STARTTLS";
	/* Credentials never go out in clear unless tls = no says so. */
	if (user != NULL && t->hop.tls == NULL && tls != RELAY_TLS_NO)
		return "smarthost offers no STARTTLS: not sending the "
		    "password in clear (tls = no allows it)";
	if (user != NULL) {
		unsigned char plain[600];
		char b64[820];
		size_t ul = strlen(user), pl = pw ? strlen(pw) : 0;
		if (ul + pl + 2 > sizeof plain)
			return "user or password too long";
		plain[0] = '\0';
		memcpy(plain + 1, user, ul);
		plain[ul + 1] = '\0';
		memcpy(plain + ul + 2, pw ? pw : "", pl);
		relay_b64(plain, ul + pl + 2, b64);
		int r = hop_command(&t->hop, "AUTH PLAIN %s", b64);
		explicit_bzero(plain, sizeof plain);
		explicit_bzero(b64, sizeof b64);
		if (r < 0 || hop_read_reply(&t->hop, false) != 235)
			return "smarthost refused our AUTH";
	}
	if (hop_command(&t->hop, "MAIL FROM:<%s>", sender ? sender : "") < 0)
		return "connection lost";
	int code = hop_read_reply(&t->hop, false);
	if (code != 250)
		return code >= 400 ? "" : "smarthost refused MAIL FROM";
	return NULL;
}

static int
relay_begin(void *state, struct cartero_session *s,
    const struct cartero_conf *section, void **txn_r,
    struct cartero_reply *reply_r)
{
	struct relay *rl = state;
	struct relay_txn *t = calloc(1, sizeof *t);
	static char text[400];

	if (t == NULL) {
		hop_fail(reply_r, "out of memory");
		return -1;
	}
	t->hop.fd = -1;
	const char *why = relay_open(rl, t, section,
	    rl->host->session_get(s, CARTERO_SENDER),
	    rl->host->session_get(s, CARTERO_HOSTNAME));
	if (why != NULL) {
		char q[500];
		rl->host->log(s, "smtp-relay", "op=begin code=%d error=%s",
		    t->hop.code, rl->host->log_quote(q, sizeof q,
		    *why ? why : t->hop.text));
		/* The smarthost's own 4xx/5xx to MAIL is relayed as it is;
		 * anything else is a temporary failure on our side. */
		if (*why == '\0' && t->hop.code >= 400) {
			hop_to_reply(&t->hop, reply_r);
			snprintf(text, sizeof text, "%s", reply_r->text);
			reply_r->text = text;
			reply_r->status = NULL;
		} else
			hop_fail(reply_r, "Smarthost unavailable; try again "
			    "later");
		hop_close(&t->hop, true);
		free(t);
		return -1;
	}
	*txn_r = t;
	return 0;
}

static int
relay_rcpt(void *state, void *txn, const struct cartero_address *rcpt,
    struct cartero_reply *reply_r)
{
	struct relay_txn *t = txn;

	(void)state;
	if (t->hop.is_broken || hop_command(&t->hop, "RCPT TO:<%s>",
	    rcpt->full) < 0 || hop_read_reply(&t->hop, false) < 0) {
		hop_fail(reply_r, "Smarthost connection lost");
		return -1;
	}
	if (t->hop.code == 250 || t->hop.code == 251)
		return 0;
	hop_to_reply(&t->hop, reply_r);
	return -1;
}

/* SMTP gives one reply for the message: every recipient shares it. */
static int
relay_data(void *state, void *txn, int fd, off_t size,
    struct cartero_reply *replies, size_t n)
{
	struct relay_txn *t = txn;
	struct cartero_reply r;

	(void)state;
	/* The smarthost refused every recipient: nothing to send. */
	if (n == 0)
		return 0;
	if (t->hop.is_broken || hop_command(&t->hop, "DATA") < 0 ||
	    hop_read_reply(&t->hop, false) != 354) {
		if (t->hop.code >= 400)
			hop_to_reply(&t->hop, &r);
		else
			hop_fail(&r, "Smarthost refused DATA");
	} else if (hop_send_message(&t->hop, fd, size) < 0 ||
	    hop_read_reply(&t->hop, false) < 0)
		hop_fail(&r, "Smarthost connection lost during DATA");
	else
		hop_to_reply(&t->hop, &r);
	snprintf(t->said_text, sizeof t->said_text, "%s", r.text);
	snprintf(t->said_status, sizeof t->said_status, "%s",
	    r.status ? r.status : "");
	r.text = t->said_text;
	r.status = t->said_status[0] ? t->said_status : NULL;
	for (size_t i = 0; i < n; i++)
		replies[i] = r;
	return 0;
}

static void
relay_end(void *state, void *txn)
{
	struct relay_txn *t = txn;

	(void)state;
	hop_close(&t->hop, true);
	free(t);
}

static const struct cartero_store relay_store = {
	.txn_begin = relay_begin,
	.txn_rcpt = relay_rcpt,
	.txn_data = relay_data,
	.txn_end = relay_end,
};

CARTERO_PLUGIN(
	.name = "smtp",
	.conf_keys = relay_keys,
	.init = relay_init,
	.store = &relay_store,
);
