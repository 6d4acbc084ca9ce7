/* ISC license. */
/* The patterns filter's rules file and header reader, apart from the host. */
#ifndef PATTERNS_RULES_H
#define PATTERNS_RULES_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Longest rules-file line, newline included. */
#define RULES_LINE_MAX 4096
/* Longest reply text and header value a rule may give. */
#define RULES_TEXT_MAX 400
#define RULES_VALUE_MAX 900
/* At most this many octets of the client's header are read at end of
 * data, and each unfolded field is matched on its first HEADER_MATCH_MAX
 * octets. */
#define HEADER_MAX_OCTETS 65536
#define HEADER_MATCH_MAX 4096

enum rule_field {
	FIELD_CLIENT,
	FIELD_HELO,
	FIELD_SENDER,
	FIELD_RECIPIENT,
	FIELD_HEADER
};
#define FIELD_COUNT 5

enum rule_action {
	ACTION_REJECT,		/* code 4xx: defer; 5xx: reject */
	ACTION_TAG		/* add a header field at end of data */
};

struct rule {
	enum rule_field field;
	enum rule_action action;
	bool is_regex;
	int line;		/* in the rules file, from 1 */
	char *pattern;
	regex_t re;		/* compiled when is_regex */
	short code;		/* reject */
	char status[12];	/* reject: "5.7.1" */
	char *text;		/* reject: reply text; tag: field value */
	char *header;		/* tag: field name */
};

struct rules {
	struct rule *v;
	size_t n;
	char *path;
};

/*
 * Reads and compiles the rules file at path into rs (zeroed by the
 * caller).  0, or -1 with a "PATH:LINE: what" (or "PATH: reason")
 * message in err; rs is then empty.
 */
int rules_load(struct rules *rs, const char *path, char *err, size_t n);
void rules_free(struct rules *rs);

/*
 * Parses and compiles one line (without its newline; it is modified) into
 * *r.  1 for a rule, 0 for a blank or comment line, -1 with a message in
 * err (without the PATH:LINE prefix).  A 1 leaves allocations in *r for
 * rule_free().
 */
int rule_parse(struct rule *r, char *line, char *err, size_t n);
void rule_free(struct rule *r);

/* Whether value matches the rule's pattern (case is ignored). */
bool rule_match(const struct rule *r, const char *value);

const char *rule_field_name(enum rule_field f);

/*
 * Calls fn(arg, field) for each header field of the client's message in
 * the spool fd of size octets, read with pread() only: cartero's leading
 * Return-Path and first Received fields are skipped, folded lines are
 * joined with one space, and each field is cut at HEADER_MATCH_MAX octets.
 * The header ends at the first empty line, at a line that is not a field
 * ("NAME:" at its start), at the end of the file, or after
 * HEADER_MAX_OCTETS octets of the client's header.  Returns 0 at the end,
 * 1 when fn returned non-zero (which stops the scan), -1 with errno on a
 * read error.
 */
int headers_scan(int fd, off_t size,
    int (*fn)(void *arg, const char *field), void *arg);

#endif
