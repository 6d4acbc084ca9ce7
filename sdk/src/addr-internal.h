/* ISC license. */
/* RFC 5321 4.1.2 paths and mailboxes, and the ESMTP parameter tokenizer. */
#ifndef ADDR_INTERNAL_H
#define ADDR_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#define ADDR_LOCAL_MAX 64	/* RFC 5321 4.5.3.1.1 */
#define ADDR_DOMAIN_MAX 255	/* 4.5.3.1.2 */
#define ADDR_PATH_MAX 256	/* 4.5.3.1.3, with the angle brackets */

struct addr {
	char local[ADDR_PATH_MAX + 1];	/* as written, quotes kept */
	char domain[ADDR_PATH_MAX + 1];	/* lower case; "" for <> */
	char full[ADDR_PATH_MAX + 1];	/* local@domain, "" for <> */
	bool is_null;			/* <> */
	bool has_utf8;			/* non-ASCII somewhere */
};

enum addr_error {
	ADDR_OK = 0,
	ADDR_SYNTAX,
	ADDR_TOO_LONG,
	ADDR_BAD_UTF8
};

/*
 * Parses a path at s: "<" [A-d-l ":"] Mailbox ">", or "<>" when
 * allow_null, or "<postmaster>" (any case) when allow_postmaster.  Source
 * routes are accepted and dropped (4.1.1.3).  Sets *end_r past the ">".
 */
enum addr_error addr_parse_path(const char *s, bool allow_null,
    bool allow_postmaster, struct addr *a, const char **end_r);

/* Case-insensitive ASCII compare. */
bool addr_equal_ci(const char *a, const char *b);

#define PARAM_MAX 8

struct param {
	char *keyword;		/* upper-cased in place */
	char *value;		/* NULL when no "=" */
};

/*
 * Splits " KEY[=VALUE] KEY[=VALUE]..." (after a path) in place into
 * params.  esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-");
 * esmtp-value = 1*(%d33-60 / %d62-126).  Returns the count, or -1 on a
 * syntax error or more than PARAM_MAX parameters.
 */
int param_split(char *s, struct param *params);

#endif
