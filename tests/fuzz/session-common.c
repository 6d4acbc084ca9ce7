/* ISC license. */
/* Shared set-up of the session fuzz targets. */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "session-common.h"

static struct fuzz_mail_count *counting;

static int count_one(const char *path, const struct stat *st, int flag,
    struct FTW *ftw);

void
fuzz_link_plugins(const char *dir)
{
	static const struct {
		const char *name, *from;
	} plugins[] = {
		{ "maildir", FUZZ_PLUGIN_DIR },
		{ "passwd", FUZZ_PLUGIN_DIR },
		{ "testauth", FUZZ_TEST_PLUGIN_DIR },
	};
	char from[4096], to[4096];

	fuzz_mkdirs(dir, "plugins");
	for (size_t i = 0; i < sizeof plugins / sizeof plugins[0]; i++) {
		snprintf(from, sizeof from, "%s/%s.so", plugins[i].from,
		    plugins[i].name);
		snprintf(to, sizeof to, "%s/plugins/%s.so", dir,
		    plugins[i].name);
		char *real = realpath(from, NULL);
		if (real == NULL || symlink(real, to) < 0) {
			fprintf(stderr, "fuzz: %s: not built? (make all "
			    "tests/plugins/testauth.so)\n", from);
			exit(1);
		}
		free(real);
	}
}

static int
count_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	if (ftw->level == 0)
		return 0;
	if (flag == FTW_D) {
		counting->n_dirs++;
		return 0;
	}
	const char *base = path + ftw->base;
	if (base[0] == '.')
		return 0;	/* the POP3 lock and caches */
	size_t n = (size_t)ftw->base;
	if (n >= 5 && memcmp(path + n - 5, "/new/", 5) == 0)
		counting->n_new++;
	else if (n >= 5 && memcmp(path + n - 5, "/cur/", 5) == 0)
		counting->n_cur++;
	else if (n >= 5 && memcmp(path + n - 5, "/tmp/", 5) == 0)
		counting->n_tmp++;
	return 0;
}

void
fuzz_mail_count(const char *dir, struct fuzz_mail_count *c)
{
	char path[4096];

	memset(c, 0, sizeof *c);
	counting = c;
	snprintf(path, sizeof path, "%s/mail", dir);
	nftw(path, count_one, 16, FTW_PHYS);
	counting = NULL;
}
