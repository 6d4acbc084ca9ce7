/* ISC license. */
/* The cartero.conf(5) parser: errors name file and line. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf-internal.h"

#define CONF_MAX_SIZE (1024 * 1024)

static char conf_error[512];

static const char *
conf_fail(const char *path, int line, const char *what)
{
	if (line > 0)
		snprintf(conf_error, sizeof conf_error, "%s:%d: %s", path,
		    line, what);
	else
		snprintf(conf_error, sizeof conf_error, "%s: %s", path, what);
	return conf_error;
}

static char *
conf_trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	char *e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* Cuts a "# comment" that starts the line or follows white space. */
static void
conf_cut_comment(char *s)
{
	for (char *p = s; *p; p++)
		if (*p == '#' && (p == s || p[-1] == ' ' || p[-1] == '\t')) {
			*p = '\0';
			return;
		}
}

static bool
conf_is_word(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		    *s == '_'))
			return false;
	return true;
}

static struct cartero_conf *
conf_section_new(struct conf *c, const char *kind, const char *name,
    int line)
{
	struct cartero_conf *sec = calloc(1, sizeof *sec);

	if (sec == NULL)
		return NULL;
	sec->kind = kind;
	sec->name = name;
	sec->line = line;
	sec->conf = c;
	return sec;
}

/* Parses "[kind]" or "[kind name]" in place. */
static const char *
conf_parse_header(char *s, char **kind_r, char **name_r)
{
	size_t n = strlen(s);

	if (n < 3 || s[n - 1] != ']')
		return "malformed section header";
	s[n - 1] = '\0';
	s = conf_trim(s + 1);
	char *sp = strpbrk(s, " \t");
	*name_r = (char *)"";
	if (sp != NULL) {
		*sp = '\0';
		*name_r = conf_trim(sp + 1);
		if (**name_r == '\0' || strpbrk(*name_r, " \t[]") != NULL)
			return "malformed section name";
	}
	if (!conf_is_word(s))
		return "malformed section header";
	*kind_r = s;
	return NULL;
}

static int
conf_parse(struct conf *c, const char **error_r)
{
	struct cartero_conf *sec = conf_section_new(c, "", "", 0), *last;
	size_t cap = 0;
	int lineno = 0;
	char *line = c->text;

	if (sec == NULL)
		goto nomem;
	c->first = last = sec;
	while (line != NULL && *line != '\0') {
		char *nl = strchr(line, '\n');
		if (nl != NULL)
			*nl++ = '\0';
		lineno++;
		conf_cut_comment(line);
		char *s = conf_trim(line);
		line = nl;
		if (*s == '\0')
			continue;
		if (*s == '[') {
			char *kind, *name;
			const char *err = conf_parse_header(s, &kind, &name);
			if (err != NULL) {
				*error_r = conf_fail(c->path, lineno, err);
				return -1;
			}
			if (conf_section(c, kind, name) != NULL) {
				*error_r = conf_fail(c->path, lineno,
				    "duplicate section");
				return -1;
			}
			if ((sec = conf_section_new(c, kind, name, lineno)) ==
			    NULL)
				goto nomem;
			last->next = sec;
			last = sec;
			cap = 0;
			continue;
		}
		char *eq = strchr(s, '=');
		if (eq == NULL) {
			*error_r = conf_fail(c->path, lineno,
			    "expected key = value");
			return -1;
		}
		*eq = '\0';
		char *key = conf_trim(s), *value = conf_trim(eq + 1);
		if (!conf_is_word(key)) {
			*error_r = conf_fail(c->path, lineno, "malformed key");
			return -1;
		}
		if (conf_get(sec, key) != NULL) {
			*error_r = conf_fail(c->path, lineno, "duplicate key");
			return -1;
		}
		if (sec->n_entries == cap) {
			cap = cap ? cap * 2 : 8;
			struct conf_entry *e = realloc(sec->entries,
			    cap * sizeof *e);
			if (e == NULL)
				goto nomem;
			sec->entries = e;
		}
		sec->entries[sec->n_entries++] = (struct conf_entry){
			key, value, NULL, lineno };
	}
	return 0;
nomem:
	*error_r = conf_fail(c->path, 0, "out of memory");
	return -1;
}

int
conf_load(struct conf *c, const char *path, const char **error_r)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	memset(c, 0, sizeof *c);
	if (fd < 0 || fstat(fd, &st) < 0) {
		*error_r = conf_fail(path, 0, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (st.st_size > CONF_MAX_SIZE) {
		close(fd);
		*error_r = conf_fail(path, 0, "file too large");
		return -1;
	}
	size_t n = (size_t)st.st_size, got = 0;
	c->path = strdup(path);
	c->text = malloc(n + 1);
	if (c->path == NULL || c->text == NULL) {
		close(fd);
		*error_r = conf_fail(path, 0, "out of memory");
		return -1;
	}
	while (got < n) {
		ssize_t r = read(fd, c->text + got, n - got);
		if (r <= 0) {
			if (r < 0 && errno == EINTR)
				continue;
			*error_r = conf_fail(path, 0,
			    r < 0 ? strerror(errno) : "short read");
			close(fd);
			return -1;
		}
		got += (size_t)r;
	}
	close(fd);
	c->text[n] = '\0';
	if (memchr(c->text, '\0', n) != NULL) {
		*error_r = conf_fail(path, 0, "NUL byte in file");
		return -1;
	}
	/* Relative paths in the file are relative to its folder, which is
	 * made absolute so that a later chdir cannot move it. */
	const char *slash = strrchr(path, '/');
	char *folder = slash ? strndup(path, (size_t)(slash - path + 1))
			     : strdup(".");
	char *real = folder ? realpath(folder, NULL) : NULL;
	free(folder);
	if (real == NULL || (c->dir = malloc(strlen(real) + 2)) == NULL) {
		*error_r = conf_fail(path, 0, strerror(errno));
		free(real);
		return -1;
	}
	strcpy(c->dir, real);
	strcat(c->dir, "/");
	free(real);
	return conf_parse(c, error_r);
}

const struct cartero_conf *
conf_section(const struct conf *c, const char *kind, const char *name)
{
	for (const struct cartero_conf *s = c->first; s; s = s->next)
		if (strcmp(s->kind, kind) == 0 &&
		    strcasecmp(s->name, name) == 0)
			return s;
	return NULL;
}

const struct cartero_conf *
conf_domain(const struct conf *c, const char *domain)
{
	const struct cartero_conf *sec = conf_section(c, "domain", domain);
	char wild[300];

	if (domain[0] == '\0')
		return NULL;
	for (const char *p = strchr(domain, '.'); sec == NULL && p != NULL;
	    p = strchr(p + 1, '.')) {
		snprintf(wild, sizeof wild, "*%s", p);
		sec = conf_section(c, "domain", wild);
	}
	return sec;
}

const char *
conf_get(const struct cartero_conf *sec, const char *key)
{
	if (sec == NULL)
		return NULL;
	for (size_t i = 0; i < sec->n_entries; i++)
		if (strcmp(sec->entries[i].key, key) == 0)
			return sec->entries[i].value;
	return NULL;
}

const char *
conf_path(const struct cartero_conf *sec, const char *key)
{
	struct conf_entry *e = NULL;

	for (size_t i = 0; sec != NULL && i < sec->n_entries; i++)
		if (strcmp(sec->entries[i].key, key) == 0)
			e = &sec->entries[i];
	if (e == NULL || e->value[0] == '/' || e->value[0] == '\0')
		return e ? e->value : NULL;
	if (e->resolved == NULL) {
		/* Made once and kept as long as the configuration. */
		size_t n = strlen(sec->conf->dir) + strlen(e->value) + 1;
		if ((e->resolved = malloc(n)) == NULL)
			return NULL;
		snprintf(e->resolved, n, "%s%s", sec->conf->dir, e->value);
	}
	return e->resolved;
}

static int
conf_line_of(const struct cartero_conf *sec, const char *key)
{
	for (size_t i = 0; i < sec->n_entries; i++)
		if (strcmp(sec->entries[i].key, key) == 0)
			return sec->entries[i].line;
	return sec->line;
}

const char *
conf_where(const struct cartero_conf *sec, const char *key)
{
	static char buf[512];

	snprintf(buf, sizeof buf, "%s:%d", sec->conf->path,
	    conf_line_of(sec, key));
	return buf;
}

static bool
conf_key_in(const char *key, const char *const *keys)
{
	for (; keys && *keys; keys++)
		if (strcmp(*keys, key) == 0)
			return true;
	return false;
}

int
conf_check_keys(const struct cartero_conf *sec, const char *const *keys,
    const char *const *keys2, const char **error_r)
{
	for (size_t i = 0; i < sec->n_entries; i++) {
		const struct conf_entry *e = &sec->entries[i];
		if (conf_key_in(e->key, keys) || conf_key_in(e->key, keys2))
			continue;
		snprintf(conf_error, sizeof conf_error,
		    "%s:%d: unknown key \"%s\" in [%s%s%s]", sec->conf->path,
		    e->line, e->key, *sec->kind ? sec->kind : "top level",
		    *sec->name ? " " : "", sec->name);
		*error_r = conf_error;
		return -1;
	}
	return 0;
}

int
conf_get_uint(const struct cartero_conf *sec, const char *key,
    unsigned long long def, unsigned long long max,
    unsigned long long *value_r, const char **error_r)
{
	const char *v = conf_get(sec, key);
	unsigned long long n = 0;

	*value_r = def;
	if (v == NULL)
		return 0;
	if (*v == '\0')
		goto bad;
	for (const char *p = v; *p; p++) {
		if (*p < '0' || *p > '9')
			goto bad;
		/* n * 10 + d <= max, without wrapping max - d below 0. */
		unsigned d = (unsigned)(*p - '0');
		if (d > max || n > (max - d) / 10)
			goto bad;
		n = n * 10 + d;
	}
	*value_r = n;
	return 0;
bad:
	snprintf(conf_error, sizeof conf_error,
	    "%s: %s must be a whole number from 0 to %llu",
	    conf_where(sec, key), key, max);
	*error_r = conf_error;
	return -1;
}

int
conf_get_bool(const struct cartero_conf *sec, const char *key, bool def,
    bool *value_r, const char **error_r)
{
	const char *v = conf_get(sec, key);

	*value_r = def;
	if (v == NULL)
		return 0;
	if (strcmp(v, "yes") == 0)
		*value_r = true;
	else if (strcmp(v, "no") == 0)
		*value_r = false;
	else {
		snprintf(conf_error, sizeof conf_error,
		    "%s: %s must be yes or no", conf_where(sec, key), key);
		*error_r = conf_error;
		return -1;
	}
	return 0;
}
