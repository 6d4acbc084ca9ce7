/* ISC license. */
/* SASL mechanisms on the server: PLAIN (RFC 4616), LOGIN
 * (draft-murchison-sasl-login), CRAM-MD5 (RFC 2195), SCRAM-SHA-256
 * (RFC 7677). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "auth-internal.h"
#include "log-internal.h"
#include "scram-internal.h"

bool
auth_has_secrets(const struct plugin *auth)
{
	const struct cartero_auth *a = auth->desc->auth;

	return a->secret != NULL &&
	    (a->has_secrets == NULL || a->has_secrets(auth->state));
}

const char *
auth_mechanisms(const struct plugin *auth)
{
	return auth_has_secrets(auth) ? "PLAIN LOGIN CRAM-MD5 SCRAM-SHA-256"
	    : "PLAIN LOGIN";
}

void
auth_penalty(unsigned failures, unsigned long long base_ms)
{
	unsigned long long ms = base_ms;

	for (unsigned i = 1; i < failures && ms < 8000; i++)
		ms *= 2;
	if (ms > 8000)
		ms = 8000;
	struct timespec ts = { (time_t)(ms / 1000),
	    (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Sends a challenge and reads the client's base64 response, decoded into
 * out (cap bytes, NUL-terminated). */
static enum auth_result
auth_challenge(struct auth_exchange *x, const char *challenge,
    unsigned char *out, size_t cap, size_t *len_r)
{
	char b64[512];
	size_t len;

	sasl_b64_encode((const unsigned char *)challenge, strlen(challenge),
	    b64, sizeof b64);
	io_puts(x->io, x->prefix);
	io_puts(x->io, b64);
	io_puts(x->io, "\r\n");
	io_deadline_set(x->io, x->timeout);
	switch (line_read(x->io, x->line, sizeof x->line, &len)) {
	case LINE_OK:
		break;
	case LINE_TOO_LONG:
		return AUTH_TOO_LONG;
	case LINE_TIMEOUT:
		return AUTH_TIMEOUT;
	case LINE_BARE_LF:
	case LINE_BARE_CR:
	case LINE_NUL:
		return AUTH_BAD_BASE64;
	default:
		return AUTH_EOF;
	}
	if (strcmp(x->line, "*") == 0)
		return AUTH_CANCEL;
	if (len == 0) {
		/* An empty line is an empty response (RFC 4954 4). */
		*len_r = 0;
		out[0] = '\0';
		return AUTH_OK;
	}
	if (sasl_b64_decode(x->line, len, out, cap - 1, len_r) < 0) {
		explicit_bzero(x->line, sizeof x->line);
		return AUTH_BAD_BASE64;
	}
	explicit_bzero(x->line, sizeof x->line);
	out[*len_r] = '\0';
	return AUTH_OK;
}

static enum auth_result
auth_decode(const char *in, unsigned char *out, size_t cap, size_t *len_r)
{
	if (sasl_b64_decode(in, strlen(in), out, cap - 1, len_r) < 0)
		return AUTH_BAD_BASE64;
	out[*len_r] = '\0';
	return AUTH_OK;
}

bool
auth_name_ok(const char *name)
{
	if (*name == '\0')
		return false;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

bool
auth_mech_ok(const char *mech)
{
	size_t n = strlen(mech);

	return n > 0 && n <= 20 && strspn(mech, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-_") == n;
}

static enum auth_result
auth_verify(struct auth_exchange *x, const char *user, const char *password)
{
	const char *err = NULL;
	const struct cartero_auth *a = x->auth->desc->auth;

	/* Control characters are never part of a name (SASLprep, RFC 4013),
	 * and would reach headers and logs. */
	if (!auth_name_ok(user) || strlen(user) >= sizeof x->user)
		return AUTH_FAIL;
	snprintf(x->user, sizeof x->user, "%s", user);
	int r = a->verify ? a->verify(x->auth->state, user, password, &err)
			  : 0;
	if (r < 0) {
		char q[300];
		log_event("auth-backend", "error=%s",
		    log_quote(q, sizeof q, err ? err : "unknown"));
		return AUTH_TEMP;
	}
	return r == 1 ? AUTH_OK : AUTH_FAIL;
}

static enum auth_result
auth_plain(struct auth_exchange *x, const char *initial)
{
	unsigned char buf[1024];
	size_t len;
	const char *authz, *authc, *pw;
	enum auth_result r = initial
	    ? auth_decode(initial, buf, sizeof buf, &len)
	    : auth_challenge(x, "", buf, sizeof buf, &len);

	if (r != AUTH_OK)
		return r;
	if (sasl_plain_parse((char *)buf, len, &authz, &authc, &pw) < 0) {
		explicit_bzero(buf, sizeof buf);
		return AUTH_FAIL;
	}
	/* authcid may act only as itself (RFC 4616 2). */
	if (*authz != '\0' && strcasecmp(authz, authc) != 0) {
		snprintf(x->user, sizeof x->user, "%s", authc);
		explicit_bzero(buf, sizeof buf);
		return AUTH_FAIL;
	}
	r = auth_verify(x, authc, pw);
	explicit_bzero(buf, sizeof buf);
	return r;
}

static enum auth_result
auth_login(struct auth_exchange *x, const char *initial)
{
	unsigned char user[300], pw[300];
	size_t len;
	enum auth_result r = initial
	    ? auth_decode(initial, user, sizeof user, &len)
	    : auth_challenge(x, "Username:", user, sizeof user, &len);

	if (r != AUTH_OK)
		return r;
	if (len == 0 || memchr(user, '\0', len) != NULL)
		return AUTH_FAIL;
	r = auth_challenge(x, "Password:", pw, sizeof pw, &len);
	if (r == AUTH_OK)
		r = memchr(pw, '\0', len) ? AUTH_FAIL
		    : auth_verify(x, (const char *)user, (const char *)pw);
	explicit_bzero(pw, sizeof pw);
	return r;
}

/* The user's reversible secret into buf; 1, 0 when there is none, or
 * -1 (logged, buf wiped) when the backend failed. */
static int
auth_secret(struct auth_exchange *x, char *buf, size_t n, size_t *len_r)
{
	const struct cartero_auth *a = x->auth->desc->auth;
	const char *err = NULL;
	int has = a->secret(x->auth->state, x->user, buf, n, len_r, &err);

	if (has < 0) {
		char q[300];
		explicit_bzero(buf, n);	/* the backend may have begun */
		log_event("auth-backend", "error=%s",
		    log_quote(q, sizeof q, err ? err : "unknown"));
	}
	return has;
}

/* Server-first: challenge <random.time@host>, response "user hexdigest"
 * with digest = HMAC-MD5(secret, challenge) (RFC 2195 2). */
static enum auth_result
auth_cram_md5(struct auth_exchange *x)
{
	char challenge[300], rnd[17], secret[512], want[33];
	unsigned char resp[600];
	size_t len, slen = 0;
	struct timeval tv;

	log_random_hex(rnd, sizeof rnd);
	gettimeofday(&tv, NULL);
	snprintf(challenge, sizeof challenge, "<%s.%lld@%s>", rnd,
	    (long long)tv.tv_sec, x->hostname);
	enum auth_result r = auth_challenge(x, challenge, resp, sizeof resp,
	    &len);
	if (r != AUTH_OK)
		return r;
	char *sp = strrchr((char *)resp, ' ');
	if (sp == NULL || sp == (char *)resp || strlen(sp + 1) != 32)
		return AUTH_FAIL;
	*sp = '\0';
	if ((size_t)(sp - (char *)resp) >= sizeof x->user ||
	    !auth_name_ok((char *)resp))
		return AUTH_FAIL;
	memcpy(x->user, resp, (size_t)(sp - (char *)resp) + 1);
	int has = auth_secret(x, secret, sizeof secret, &slen);
	if (has < 0)
		return AUTH_TEMP;
	/* Compute even without a secret: the same work either way. */
	sasl_hmac_md5_hex((const unsigned char *)secret, has == 1 ? slen : 0,
	    challenge, strlen(challenge), want);
	explicit_bzero(secret, sizeof secret);
	for (char *p = sp + 1; *p; p++)
		if (*p >= 'A' && *p <= 'F')
			*p |= 0x20;
	bool ok = sasl_equal(want, sp + 1) && has == 1;
	explicit_bzero(want, sizeof want);
	return ok ? AUTH_OK : AUTH_FAIL;
}

/* The exchange after client-first (msg, len octets; cap the buffer's
 * size, reused for the next responses); s and msg are the caller's to
 * wipe. */
static enum auth_result
auth_scram_exchange(struct auth_exchange *x, struct scram *s,
    unsigned char *msg, size_t cap, size_t len)
{
	unsigned char raw[24 + SCRAM_SALT_LEN], sig[SHA256_LEN];
	char secret[512], snonce[33], v[64];
	size_t slen = 0;
	enum auth_result r;

	if (scram_client_first(s, (const char *)msg, len) < 0)
		return AUTH_FAIL;
	if (!auth_name_ok(s->user) || strlen(s->user) >= sizeof x->user)
		return AUTH_FAIL;
	snprintf(x->user, sizeof x->user, "%s", s->user);
	/* The server's nonce and the salt must be unguessable (a replayed
	 * exchange must not match): getrandom or nothing. */
	if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw) {
		log_event("auth-backend", "error=\"getrandom failed\"");
		return AUTH_TEMP;
	}
	int has = auth_secret(x, secret, sizeof secret, &slen);
	if (has < 0)
		return AUTH_TEMP;
	if (has != 1) {
		log_random_hex(secret, 33);
		slen = 32;
	}
	sasl_b64_encode(raw, 24, snonce, sizeof snonce);
	scram_server_first(s, snonce, raw + 24, SCRAM_SALT_LEN,
	    SCRAM_ITERATIONS);
	r = auth_challenge(x, s->server_first, msg, cap, &len);
	int ok = r != AUTH_OK ? -1 : scram_client_final(s, (const char *)msg,
	    len, secret, slen, raw + 24, SCRAM_SALT_LEN, SCRAM_ITERATIONS,
	    sig);
	explicit_bzero(secret, sizeof secret);
	if (r != AUTH_OK)
		return r;
	if (ok != 1 || has != 1)
		return AUTH_FAIL;
	memcpy(v, "v=", 2);
	sasl_b64_encode(sig, sizeof sig, v + 2, sizeof v - 2);
	explicit_bzero(sig, sizeof sig);
	r = auth_challenge(x, v, msg, cap, &len);
	return r == AUTH_OK && len != 0 ? AUTH_FAIL : r;
}

/*
 * Client-first (RFC 5802 5): client-first-message, the initial response
 * or the answer to an empty challenge; server-first with a fresh nonce and
 * salt; client-final with the proof; then "v=" server signature as one
 * more challenge, answered by an empty line (RFC 4954 4).  A user without
 * a secret goes through the same steps and work against a random one, and
 * fails at the proof, so that the exchange tells nothing about the user.
 */
static enum auth_result
auth_scram_sha256(struct auth_exchange *x, const char *initial)
{
	struct scram s;
	unsigned char msg[1200];
	size_t len;
	enum auth_result r = initial
	    ? auth_decode(initial, msg, sizeof msg, &len)
	    : auth_challenge(x, "", msg, sizeof msg, &len);

	if (r == AUTH_OK)
		r = auth_scram_exchange(x, &s, msg, sizeof msg, len);
	explicit_bzero(&s, sizeof s);
	explicit_bzero(msg, sizeof msg);
	return r;
}

enum auth_result
auth_run(struct auth_exchange *x, const char *mech, const char *initial)
{
	x->user[0] = '\0';
	if (!auth_mech_ok(mech))
		return AUTH_BAD_MECH;
	if (strcasecmp(mech, "PLAIN") == 0)
		return auth_plain(x, initial);
	if (strcasecmp(mech, "LOGIN") == 0)
		return auth_login(x, initial);
	if (strcasecmp(mech, "CRAM-MD5") == 0 && auth_has_secrets(x->auth)) {
		if (initial != NULL)
			return AUTH_BAD_INITIAL;
		return auth_cram_md5(x);
	}
	if (strcasecmp(mech, "SCRAM-SHA-256") == 0 && auth_has_secrets(x->auth))
		return auth_scram_sha256(x, initial);
	return AUTH_BAD_MECH;
}
