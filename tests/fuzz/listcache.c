/* ISC license. */
/*
 * Fuzz target: the maildir store's POP3 listing cache (.cartero-list)
 * parser.  The store's source is compiled in, so md_list_load() is called
 * directly.  Input: byte 0 bit 0 says whether the first line is the right
 * stamp for the scratch maildrop (computed from its new/ and cur/) with
 * the count taken from byte 1, or comes from the input too; the rest is
 * the file.  Whatever loads must hold: every name "new/X" or "cur/X" with
 * no further '/' and X not starting with '.', strictly increasing, sizes
 * not negative, a UIDL of 1-70 printable characters, and exactly the
 * stamp's count of messages; a refused file leaves no message behind.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/maildir/maildir.c"
#include "fuzz.h"

static char drop_dir[MD_PATH_MAX];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	snprintf(drop_dir, sizeof drop_dir, "%s", fuzz_tmpdir("listcache"));
	fuzz_mkdirs(drop_dir, "new");
	fuzz_mkdirs(drop_dir, "cur");
	return 0;
}

static void
check_loaded(const struct md_drop *d, size_t want)
{
	FUZZ_ASSERT(d->n == want);
	for (size_t i = 0; i < d->n; i++) {
		const struct md_msg *m = &d->v[i];
		FUZZ_ASSERT(strncmp(m->name, "new/", 4) == 0 ||
		    strncmp(m->name, "cur/", 4) == 0);
		FUZZ_ASSERT(m->name[4] != '\0' && m->name[4] != '.');
		FUZZ_ASSERT(strchr(m->name + 4, '/') == NULL);
		FUZZ_ASSERT(m->name >= d->list &&
		    m->name < d->list + d->list_len);
		FUZZ_ASSERT(m->size >= 0);
		size_t u = strlen(m->uid);
		FUZZ_ASSERT(u >= 1 && u <= 70);
		for (size_t k = 0; k < u; k++)
			FUZZ_ASSERT(m->uid[k] >= 0x21 && m->uid[k] <= 0x7e);
		if (i > 0)
			FUZZ_ASSERT(strcmp(d->v[i - 1].name + 4,
			    m->name + 4) < 0);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stat nw, cu;
	char sub[MD_PATH_MAX + 8], stamp[400];

	if (size < 2 || size > (1u << 20))
		return 0;
	snprintf(sub, sizeof sub, "%s/new", drop_dir);
	FUZZ_ASSERT(stat(sub, &nw) == 0);
	snprintf(sub, sizeof sub, "%s/cur", drop_dir);
	FUZZ_ASSERT(stat(sub, &cu) == 0);
	bool with_stamp = data[0] & 1;
	size_t count = data[1];
	size_t head = 0;
	if (with_stamp) {
		md_list_stamp(stamp, sizeof stamp, &nw, &cu, count);
		head = strlen(stamp);
	}
	char *file = malloc(head + size - 2 + 1);
	FUZZ_ASSERT(file != NULL);
	memcpy(file, stamp, head);
	memcpy(file + head, data + 2, size - 2);
	fuzz_write_file(drop_dir, ".cartero-list", file, head + size - 2,
	    0600);
	free(file);

	struct md_drop *d = calloc(1, sizeof *d);
	FUZZ_ASSERT(d != NULL);
	d->lock_fd = d->read_fd = -1;
	snprintf(d->dir, sizeof d->dir, "%s", drop_dir);
	int fds = fuzz_count_fds();
	if (md_list_load(d, &nw, &cu) == 0) {
		/* only a file under the right stamp can load */
		FUZZ_ASSERT(with_stamp);
		check_loaded(d, count);
	} else
		FUZZ_ASSERT(d->n == 0);
	FUZZ_ASSERT(fuzz_count_fds() == fds);
	md_drop_free(d);
	return 0;
}
