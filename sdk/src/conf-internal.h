/* ISC license. */
/* cartero.conf(5): INI sections of key = value lines. */
#ifndef CONF_INTERNAL_H
#define CONF_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

struct conf_entry {
	const char *key;
	const char *value;
	char *resolved;		/* conf_path() result, made once */
	int line;
};

/* A section: kind "" is the top level; [plugin passwd] has kind "plugin"
 * and name "passwd"; [smtpd] has kind "smtpd" and name "". */
struct cartero_conf {
	const char *kind;
	const char *name;
	int line;
	struct conf_entry *entries;
	size_t n_entries;
	const struct conf *conf;
	struct cartero_conf *next;
};

struct conf {
	char *path;		/* as given */
	char *dir;		/* its folder, for relative paths */
	char *text;		/* the file, cut into strings in place */
	struct cartero_conf *first;	/* the top level, always present */
};

/* Reads and parses path.  0, or -1 with *error_r naming file and line. */
int conf_load(struct conf *c, const char *path, const char **error_r);
/* The section [kind name] (name "" for none), or NULL. */
const struct cartero_conf *conf_section(const struct conf *c,
    const char *kind, const char *name);
const char *conf_get(const struct cartero_conf *sec, const char *key);
/* [domain NAME] for a mail domain: the exact name, else the nearest
 * "*.parent" wildcard above it; NULL if neither. */
const struct cartero_conf *conf_domain(const struct conf *c,
    const char *domain);
/* A path value made absolute against the configuration's folder. */
const char *conf_path(const struct cartero_conf *sec, const char *key);
/* Checks that every key of sec is in keys (NULL-terminated) or, when keys2
 * is not NULL, in keys2.  0, or -1 with *error_r naming file and line. */
int conf_check_keys(const struct cartero_conf *sec, const char *const *keys,
    const char *const *keys2, const char **error_r);
/* Typed getters: 0 (default used or value valid), -1 with *error_r. */
int conf_get_uint(const struct cartero_conf *sec, const char *key,
    unsigned long long def, unsigned long long max,
    unsigned long long *value_r, const char **error_r);
int conf_get_bool(const struct cartero_conf *sec, const char *key, bool def,
    bool *value_r, const char **error_r);
/* "file:line: " for a key's line, in a static buffer. */
const char *conf_where(const struct cartero_conf *sec, const char *key);

#endif
