/* ISC license. */
/* Fuzz target: conf_load() on a file holding the input, then every
 * lookup on what it built.  Oracles: the structure obeys the rules the
 * parser enforces (words for keys, no duplicates, trimmed values), every
 * entry is found again by conf_get() and conf_section(), and the whole
 * structure is freed without a leak. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../../sdk/src/conf-internal.h"
#include "../../sdk/src/setup-internal.h"
#include "fuzz.h"

static char conf_file[4096];

static void conf_free(struct conf *c);
static bool is_word(const char *s);
static void check(const struct conf *c);

/* cartero frees a configuration only by exiting; the fuzzer must. */
static void
conf_free(struct conf *c)
{
	struct cartero_conf *sec = c->first;

	while (sec != NULL) {
		struct cartero_conf *next = sec->next;
		for (size_t i = 0; i < sec->n_entries; i++)
			free(sec->entries[i].resolved);
		free(sec->entries);
		free(sec);
		sec = next;
	}
	free(c->path);
	free(c->dir);
	free(c->text);
	memset(c, 0, sizeof *c);
}

static bool
is_word(const char *s)
{
	if (*s == '\0')
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") == strlen(s);
}

static void
check(const struct conf *c)
{
	const char *err;

	FUZZ_ASSERT(c->first != NULL && *c->first->kind == '\0');
	FUZZ_ASSERT(c->dir != NULL && c->dir[0] == '/' &&
	    c->dir[strlen(c->dir) - 1] == '/');
	for (const struct cartero_conf *sec = c->first; sec; sec = sec->next) {
		FUZZ_ASSERT(sec == c->first || is_word(sec->kind));
		FUZZ_ASSERT(strpbrk(sec->name, " \t[]\n") == NULL);
		FUZZ_ASSERT(conf_section(c, sec->kind, sec->name) == sec);
		for (size_t i = 0; i < sec->n_entries; i++) {
			const struct conf_entry *e = &sec->entries[i];
			size_t vl = strlen(e->value);
			FUZZ_ASSERT(is_word(e->key));
			FUZZ_ASSERT(strchr(e->value, '\n') == NULL);
			FUZZ_ASSERT(vl == 0 || (e->value[0] != ' ' &&
			    e->value[0] != '\t' && e->value[vl - 1] != ' ' &&
			    e->value[vl - 1] != '\t' &&
			    e->value[vl - 1] != '\r'));
			FUZZ_ASSERT(conf_get(sec, e->key) == e->value);
			FUZZ_ASSERT(e->line >= 1 && e->line >= sec->line);
			const char *p = conf_path(sec, e->key);
			FUZZ_ASSERT(p != NULL);
			FUZZ_ASSERT(vl == 0 || p[0] == '/');
			unsigned long long u;
			bool b;
			if (conf_get_uint(sec, e->key, 7, 1000, &u, &err) == 0)
				FUZZ_ASSERT(u <= 1000 && strspn(e->value,
				    "0123456789") == vl && vl > 0);
			if (conf_get_bool(sec, e->key, false, &b, &err) == 0)
				FUZZ_ASSERT(strcmp(e->value, b ? "yes" : "no")
				    == 0);
			(void)conf_where(sec, e->key);
		}
		static const char *const none[] = { NULL };
		if (conf_check_keys(sec, none, NULL, &err) == 0)
			FUZZ_ASSERT(sec->n_entries == 0);
		if (strcmp(sec->kind, "domain") == 0 && sec->name[0] != '\0' &&
		    sec->name[0] != '*')
			FUZZ_ASSERT(conf_domain(c, sec->name) != NULL);
	}
	(void)conf_domain(c, "a.b.example.org");
	(void)conf_domain(c, "");
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	snprintf(conf_file, sizeof conf_file, "%s/cartero.conf",
	    fuzz_tmpdir("conf"));
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf c;
	const char *err = NULL;
	FILE *f = fopen(conf_file, "we");

	FUZZ_ASSERT(f != NULL);
	FUZZ_ASSERT(fwrite(data, 1, size, f) == size || size == 0);
	FUZZ_ASSERT(fclose(f) == 0);
	/* Odd sizes also go through the daemons' schema check. */
	int r = size % 2 ? setup_conf(&c, conf_file, &err)
	    : conf_load(&c, conf_file, &err);
	if (r == 0) {
		check(&c);
		(void)setup_hostname(&c);
	} else
		FUZZ_ASSERT(err != NULL && strncmp(err, conf_file,
		    strlen(conf_file)) == 0);
	conf_free(&c);
	return 0;
}
