/* ISC license. */
/* passwd-file parsing, hashing and sealing with libsodium. */
#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pwfile.h"

static char pw_error[600];

int
pw_parse(char *line, struct pwent *e)
{
	char *colon;

	/* The line end first: a colon after a CR or LF is not in the line. */
	line[strcspn(line, "\r\n")] = '\0';
	colon = strchr(line, ':');
	memset(e, 0, sizeof *e);
	if (colon == NULL || colon == line)
		return -1;
	*colon = '\0';
	e->user = line;
	e->password = colon + 1;
	char *next = strchr(e->password, ':');
	e->rest = (char *)"";
	if (next != NULL) {
		*next = '\0';
		e->rest = next + 1;
	}
	if (e->password[0] != '{' || strchr(e->password, '}') == NULL)
		return -1;
	/* Extra fields are the eighth field: after five more colons. */
	char *p = e->rest;
	for (int k = 0; k < 5 && p != NULL; k++) {
		p = strchr(p, ':');
		if (p != NULL)
			p++;
	}
	if (p != NULL) {
		char *f = strstr(p, "cartero_secret=");
		if (f != NULL && (f == p || f[-1] == ' '))
			e->secret = f + 15;
	}
	return 0;
}

int
pw_find(const char *path, const char *user, char *line, size_t n,
    struct pwent *e, const char **error_r)
{
	FILE *f = fopen(path, "re");
	int lineno = 0;
	size_t ul = strlen(user);
	bool is_tail = false;

	if (f == NULL) {
		snprintf(pw_error, sizeof pw_error, "%s: %s", path,
		    strerror(errno));
		*error_r = pw_error;
		return -1;
	}
	/* ":" ends the name field: "a:{SCHEME}x" would match user a. */
	if (strchr(user, ':') != NULL) {
		fclose(f);
		return 0;
	}
	while (fgets(line, (int)n, f) != NULL) {
		/* The rest of a line longer than n is not a line of its own. */
		bool was_tail = is_tail;
		is_tail = strchr(line, '\n') == NULL;
		if (was_tail)
			continue;
		lineno++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (strncasecmp(line, user, ul) != 0 || line[ul] != ':')
			continue;
		fclose(f);
		if (strchr(line, '\n') == NULL && strlen(line) + 1 >= n)
			goto bad;
		if (pw_parse(line, e) < 0)
			goto bad;
		return 1;
	}
	fclose(f);
	return 0;
bad:
	snprintf(pw_error, sizeof pw_error, "%s:%d: malformed line for this "
	    "user", path, lineno);
	*error_r = pw_error;
	return -1;
}

int
pw_verify(const char *field, const char *password)
{
	if (strncmp(field, "{ARGON2ID}", 10) == 0) {
		const char *h = field + 10;
		return crypto_pwhash_str_verify(h, password,
		    strlen(password)) == 0;
	}
	if (strncmp(field, "{SHA512-CRYPT}", 14) == 0) {
		struct crypt_data cd;
		const char *h = field + 14;
		memset(&cd, 0, sizeof cd);
		const char *out = crypt_r(password, h, &cd);
		int ok = out != NULL && strlen(out) == strlen(h) &&
		    sodium_memcmp(out, h, strlen(h)) == 0;
		sodium_memzero(&cd, sizeof cd);
		return ok;
	}
	if (strncmp(field, "{PLAIN}", 7) == 0) {
		/* Compare digests, so the length leaks nothing either. */
		unsigned char a[32], b[32];
		const char *p = field + 7;
		crypto_generichash(a, sizeof a, (const unsigned char *)p,
		    strlen(p), NULL, 0);
		crypto_generichash(b, sizeof b,
		    (const unsigned char *)password, strlen(password), NULL, 0);
		return sodium_memcmp(a, b, sizeof a) == 0;
	}
	return -1;
}

int
pw_verify_dummy(unsigned long long ops, unsigned long long mem,
    const char *password)
{
	unsigned char out[32];
	static const unsigned char salt[crypto_pwhash_SALTBYTES];

	/* The work of one verify, with a result nobody can match. */
	int r = crypto_pwhash(out, sizeof out, password, strlen(password),
	    salt, ops, (size_t)mem, crypto_pwhash_ALG_ARGON2ID13);
	sodium_memzero(out, sizeof out);
	(void)r;
	return 0;
}

int
pw_hash(const char *password, unsigned long long ops, unsigned long long mem,
    char *out, size_t n)
{
	char h[crypto_pwhash_STRBYTES];

	if (n < sizeof h + 10 || crypto_pwhash_str_alg(h, password,
	    strlen(password), ops, (size_t)mem,
	    crypto_pwhash_ALG_ARGON2ID13) != 0)
		return -1;
	snprintf(out, n, "{ARGON2ID}%s", h);
	return 0;
}

int
pw_key_load(const char *path, unsigned char key[PW_KEY_BYTES],
    const char **error_r)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) < 0) {
		snprintf(pw_error, sizeof pw_error, "key file %s: %s", path,
		    strerror(errno));
		*error_r = pw_error;
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (st.st_mode & 077) {
		close(fd);
		snprintf(pw_error, sizeof pw_error, "key file %s is readable "
		    "by others: chmod 600 it", path);
		*error_r = pw_error;
		return -1;
	}
	ssize_t r = read(fd, key, PW_KEY_BYTES);
	close(fd);
	if (r != PW_KEY_BYTES) {
		snprintf(pw_error, sizeof pw_error, "key file %s must hold %d "
		    "bytes", path, PW_KEY_BYTES);
		*error_r = pw_error;
		return -1;
	}
	return 0;
}

int
pw_seal(const unsigned char key[PW_KEY_BYTES], const char *secret,
    char *out, size_t n)
{
	unsigned char buf[crypto_secretbox_NONCEBYTES +
	    crypto_secretbox_MACBYTES + PW_SECRET_MAX];
	size_t len = strlen(secret);

	if (len > PW_SECRET_MAX)
		return -1;
	randombytes_buf(buf, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(buf + crypto_secretbox_NONCEBYTES,
	    (const unsigned char *)secret, len, buf, key);
	size_t total = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES +
	    len;
	if (sodium_base64_ENCODED_LEN(total,
	    sodium_base64_VARIANT_ORIGINAL) > n)
		return -1;
	sodium_bin2base64(out, n, buf, total, sodium_base64_VARIANT_ORIGINAL);
	return 0;
}

int
pw_unseal(const unsigned char key[PW_KEY_BYTES], const char *sealed,
    char *out, size_t n)
{
	unsigned char buf[crypto_secretbox_NONCEBYTES +
	    crypto_secretbox_MACBYTES + PW_SECRET_MAX];
	size_t len, slen = strcspn(sealed, " \t\r\n");

	if (sodium_base642bin(buf, sizeof buf, sealed, slen, NULL, &len, NULL,
	    sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    len < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
		return -1;
	size_t clen = len - crypto_secretbox_NONCEBYTES;
	size_t plen = clen - crypto_secretbox_MACBYTES;
	if (plen + 1 > n || crypto_secretbox_open_easy((unsigned char *)out,
	    buf + crypto_secretbox_NONCEBYTES, clen, buf, key) != 0)
		return -1;
	out[plen] = '\0';
	sodium_memzero(buf, sizeof buf);
	return (int)plen;
}
