/* ISC license. */
/* What the two session targets share: the scratch folder with the
 * configuration, the plugins and the maildrops, and the checks made
 * after every session. */
#ifndef SESSION_COMMON_H
#define SESSION_COMMON_H

#include <stddef.h>

#ifndef FUZZ_PLUGIN_DIR
#define FUZZ_PLUGIN_DIR "plugins"
#endif
#ifndef FUZZ_TEST_PLUGIN_DIR
#define FUZZ_TEST_PLUGIN_DIR "tests/plugins"
#endif

struct fuzz_mail_count {
	int n_new, n_cur, n_tmp;	/* files in new/, cur/, tmp/ */
	int n_dirs;			/* folders under mail/ */
};

/* Makes dir/plugins/NAME.so links to the built plugins. */
void fuzz_link_plugins(const char *dir);
/* Counts what is under dir/mail. */
void fuzz_mail_count(const char *dir, struct fuzz_mail_count *c);

#endif
