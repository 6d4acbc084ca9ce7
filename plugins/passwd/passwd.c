/* ISC license. */
/* The passwd auth plugin: a Dovecot-style passwd-file, libsodium hashes. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cartero/cartero.h>

#include "pwfile.h"

struct passwd_state {
	const struct cartero_host *host;
	const char *file;
	const char *key_path;	/* NULL: no secrets, no APOP/CRAM-MD5 */
	unsigned long long ops, mem;
};

static const char *const passwd_keys[] = {
	"file", "key", "argon2_ops", "argon2_mem", NULL
};

static int
passwd_number(const struct cartero_host *host, const struct cartero_conf *sec,
    const char *key, unsigned long long def, unsigned long long *value_r,
    const char **error_r)
{
	const char *v = host->conf_get(sec, key);
	char *end;

	*value_r = def;
	if (v == NULL)
		return 0;
	*value_r = strtoull(v, &end, 10);
	if (*v < '0' || *v > '9' || *end != '\0') {
		*error_r = "argon2_ops and argon2_mem must be whole numbers";
		return -1;
	}
	return 0;
}

static int
passwd_init(const struct cartero_host *host, const struct cartero_conf *sec,
    void **state_r, const char **error_r)
{
	static struct passwd_state st;

	if (sodium_init() < 0) {
		*error_r = "libsodium failed to initialise";
		return -1;
	}
	st.host = host;
	st.file = host->conf_path(sec, "file");
	st.key_path = host->conf_path(sec, "key");
	if (st.file == NULL) {
		*error_r = "file is not set in [plugin passwd]";
		return -1;
	}
	if (passwd_number(host, sec, "argon2_ops", PW_ARGON2_OPS_DEFAULT,
	    &st.ops, error_r) < 0 ||
	    passwd_number(host, sec, "argon2_mem", PW_ARGON2_MEM_DEFAULT,
	    &st.mem, error_r) < 0)
		return -1;
	if (st.ops < crypto_pwhash_OPSLIMIT_MIN ||
	    st.mem < crypto_pwhash_MEMLIMIT_MIN) {
		*error_r = "argon2_ops or argon2_mem below libsodium's minimum";
		return -1;
	}
	*state_r = &st;
	return 0;
}

/* Looks user up; logs a malformed line (which fails closed). */
static int
passwd_lookup(struct passwd_state *st, const char *user, char *line,
    size_t n, struct pwent *e, const char **error_r)
{
	int r = pw_find(st->file, user, line, n, e, error_r);

	if (r < 0) {
		char q[700];
		st->host->log(NULL, "passwd", "error=%s",
		    st->host->log_quote(q, sizeof q, *error_r));
	}
	return r;
}

static int
passwd_exists(void *state, const char *user, const char **error_r)
{
	char line[PW_LINE_MAX];
	struct pwent e;
	int r = passwd_lookup(state, user, line, sizeof line, &e, error_r);

	sodium_memzero(line, sizeof line);
	/* A malformed line is a user who exists but cannot log in. */
	return r < 0 && strstr(*error_r, "malformed") ? 1 : r;
}

static int
passwd_verify(void *state, const char *user, const char *password,
    const char **error_r)
{
	struct passwd_state *st = state;
	char line[PW_LINE_MAX];
	struct pwent e;
	int r = passwd_lookup(st, user, line, sizeof line, &e, error_r);

	if (r < 0 && strstr(*error_r, "malformed")) {
		/* Fails closed, at the cost of a real verify. */
		pw_verify_dummy(st->ops, st->mem, password);
		r = 0;
	} else if (r == 0)
		r = pw_verify_dummy(st->ops, st->mem, password);
	else if (r == 1) {
		r = pw_verify(e.password, password);
		if (r < 0) {
			st->host->log(NULL, "passwd", "plugin=passwd user=%s error=\"unknown "
			    "password scheme\"", e.user);
			r = 0;
		}
	}
	sodium_memzero(line, sizeof line);
	return r;
}

static int
passwd_secret(void *state, const char *user, char *buf, size_t n,
    size_t *len_r, const char **error_r)
{
	struct passwd_state *st = state;
	unsigned char key[PW_KEY_BYTES];
	char line[PW_LINE_MAX];
	struct pwent e;
	int r;

	if (st->key_path == NULL)
		return 0;
	r = passwd_lookup(st, user, line, sizeof line, &e, error_r);
	if (r < 0 && strstr(*error_r, "malformed"))
		r = 0;
	if (r <= 0 || e.secret == NULL) {
		sodium_memzero(line, sizeof line);
		return r < 0 ? -1 : 0;
	}
	if (pw_key_load(st->key_path, key, error_r) < 0) {
		sodium_memzero(line, sizeof line);
		return -1;
	}
	int len = pw_unseal(key, e.secret, buf, n);
	sodium_memzero(key, sizeof key);
	sodium_memzero(line, sizeof line);
	if (len < 0) {
		st->host->log(NULL, "passwd", "plugin=passwd user=%s error=\"secret does not "
		    "open with the key\"", user);
		return 0;
	}
	*len_r = (size_t)len;
	return 1;
}

/* Secrets need the key that seals them. */
static int
passwd_has_secrets(void *state)
{
	return ((struct passwd_state *)state)->key_path != NULL;
}

static const struct cartero_auth passwd_auth = {
	.user_exists = passwd_exists,
	.verify = passwd_verify,
	.secret = passwd_secret,
	.has_secrets = passwd_has_secrets,
};

CARTERO_PLUGIN(
	.name = "passwd",
	.conf_keys = passwd_keys,
	.init = passwd_init,
	.auth = &passwd_auth,
);
