/* ISC license. */
/* Fuzz target: the passwd-file line parser, alone and through pw_find()
 * on a file.  Input: byte 0 picks pw_find()'s buffer size, then the user
 * name up to the first NUL, then the file; without a NUL, the whole input
 * is one line for pw_parse(). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../../plugins/passwd/pwfile.h"
#include "fuzz.h"

static char pw_path[4096];

static void check_entry(const char *line, size_t n, const struct pwent *e);
static int find_model(const char *file, size_t flen, const char *user,
    size_t n);

/* Fields point into line, the user and the scheme are well formed. */
static void
check_entry(const char *line, size_t n, const struct pwent *e)
{
	FUZZ_ASSERT(e->user == line && *e->user != '\0');
	FUZZ_ASSERT(strchr(e->user, ':') == NULL);
	FUZZ_ASSERT(e->password > line && e->password < line + n);
	FUZZ_ASSERT(e->password[0] == '{' && strchr(e->password, '}'));
	FUZZ_ASSERT(strpbrk(e->password, ":\r\n") == NULL);
	FUZZ_ASSERT(e->rest != NULL && strpbrk(e->rest, "\r\n") == NULL);
	if (e->secret != NULL) {
		FUZZ_ASSERT(e->secret > line + 15 && e->secret <= line + n);
		FUZZ_ASSERT(memcmp(e->secret - 15, "cartero_secret=", 15) == 0);
	}
	/* {PLAIN} is verified in full; costly schemes are not run here. */
	if (strncmp(e->password, "{PLAIN}", 7) == 0) {
		FUZZ_ASSERT(pw_verify(e->password, e->password + 7) == 1);
		FUZZ_ASSERT(pw_verify(e->password, "\x01wrong") == 0 ||
		    strcmp(e->password + 7, "\x01wrong") == 0);
	}
}

/* What pw_find() must say, from its contract: the first line of the file
 * (not a comment, not empty) that is user ":" ..., case-insensitively,
 * where user has no ":" and a line is what ends with LF, however long;
 * -1 if that line does not fit in n bytes with its LF and NUL, or does
 * not parse. */
static int
find_model(const char *file, size_t flen, const char *user, size_t n)
{
	size_t ul = strlen(user);

	if (strchr(user, ':') != NULL)
		return 0;	/* no name in the file can hold one */
	for (size_t pos = 0; pos < flen;) {
		const char *l = file + pos;
		const char *lf = memchr(l, '\n', flen - pos);
		size_t len = lf ? (size_t)(lf - l) : flen - pos;
		pos += len + 1;
		if (len == 0 || l[0] == '#')
			continue;
		if (len <= ul || strncasecmp(l, user, ul) != 0 || l[ul] != ':')
			continue;
		if (len + 2 > n)
			return -1;
		char *copy = strndup(l, len);
		struct pwent e;
		FUZZ_ASSERT(copy != NULL);
		int r = pw_parse(copy, &e) == 0 ? 1 : -1;
		free(copy);
		return r;
	}
	return 0;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	snprintf(pw_path, sizeof pw_path, "%s/passwd", fuzz_tmpdir("pwfile"));
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pwent e;

	if (size < 1)
		return 0;
	const uint8_t *nul = memchr(data + 1, 0, size - 1);
	if (nul == NULL) {
		char *line = malloc(size);
		FUZZ_ASSERT(line != NULL);
		memcpy(line, data + 1, size - 1);
		line[size - 1] = '\0';
		if (pw_parse(line, &e) == 0)
			check_entry(line, size - 1, &e);
		free(line);
		return 0;
	}
	/* pw_find(): the buffer is exactly n bytes. */
	static const size_t sizes[] = { 2, 3, 16, 64, 255, PW_LINE_MAX };
	size_t n = sizes[data[0] % (sizeof sizes / sizeof sizes[0])];
	const char *user = (const char *)data + 1;
	/* The callers' buffer holds "user:" at least (PW_LINE_MAX). */
	if (strlen(user) + 2 > n)
		return 0;
	FILE *f = fopen(pw_path, "we");
	FUZZ_ASSERT(f != NULL);
	size_t flen = size - (size_t)(nul + 1 - data);
	FUZZ_ASSERT(fwrite(nul + 1, 1, flen, f) == flen || flen == 0);
	FUZZ_ASSERT(fclose(f) == 0);
	char *line = malloc(n);
	const char *err = NULL;
	FUZZ_ASSERT(line != NULL);
	int r = pw_find(pw_path, user, line, n, &e, &err);
	FUZZ_ASSERT(r >= -1 && r <= 1);
	/* A text file: with a NUL in it the model would not be one. */
	if (memchr(nul + 1, 0, flen) == NULL) {
		int want = find_model((const char *)nul + 1, flen, user, n);
		if (r != want)
			fuzz_fail("pw_find(\"%s\", n=%zu) = %d, model %d", user,
			    n, r, want);
	}
	if (r == 1) {
		FUZZ_ASSERT(strlen(line) < n);
		check_entry(line, n - 1, &e);
		FUZZ_ASSERT(strcasecmp(e.user, user) == 0);
	} else if (r < 0)
		FUZZ_ASSERT(err != NULL && strncmp(err, pw_path,
		    strlen(pw_path)) == 0);
	free(line);
	return 0;
}
