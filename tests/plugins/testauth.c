/* ISC license. */
/* Test-only auth: "user:password" lines in [plugin testauth] file; the
 * password doubles as the APOP secret.  Not for use: no hashing at all. */
#include <stdio.h>
#include <string.h>

#include <cartero/cartero.h>

static const struct cartero_host *host;
static const char *users_file;
static const char *const testauth_keys[] = { "file", "down", NULL };
static int is_down;

static int
testauth_init(const struct cartero_host *h, const struct cartero_conf *sec,
    void **state_r, const char **error_r)
{
	host = h;
	users_file = h->conf_path(sec, "file");
	is_down = h->conf_get(sec, "down") != NULL;
	*state_r = NULL;
	if (users_file == NULL) {
		*error_r = "file is not set";
		return -1;
	}
	return 0;
}

/* 1 and the password in buf when user is listed, 0 when not, -1 on error. */
static int
testauth_find(const char *user, char *buf, size_t n, const char **error_r)
{
	char line[512];
	size_t ul = strlen(user);
	FILE *f;

	if (is_down) {
		*error_r = "told to be down";
		return -1;
	}
	if ((f = fopen(users_file, "re")) == NULL) {
		*error_r = "cannot open the users file";
		return -1;
	}
	while (fgets(line, sizeof line, f) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if (strncmp(line, user, ul) == 0 && line[ul] == ':') {
			snprintf(buf, n, "%s", line + ul + 1);
			fclose(f);
			return 1;
		}
	}
	fclose(f);
	return 0;
}

static int
testauth_exists(void *state, const char *user, const char **error_r)
{
	char pw[256];

	(void)state;
	return testauth_find(user, pw, sizeof pw, error_r);
}

static int
testauth_verify(void *state, const char *user, const char *password,
    const char **error_r)
{
	char pw[256];
	int r = testauth_find(user, pw, sizeof pw, error_r);

	(void)state;
	return r <= 0 ? r : strcmp(pw, password) == 0;
}

static int
testauth_secret(void *state, const char *user, char *buf, size_t n,
    size_t *len_r, const char **error_r)
{
	int r = testauth_find(user, buf, n, error_r);

	(void)state;
	if (r == 1)
		*len_r = strlen(buf);
	return r;
}

static const struct cartero_auth testauth_auth = {
	.user_exists = testauth_exists,
	.verify = testauth_verify,
	.secret = testauth_secret,
};

CARTERO_PLUGIN(
	.name = "testauth",
	.conf_keys = testauth_keys,
	.init = testauth_init,
	.auth = &testauth_auth,
);
