/* ISC license. */
/* Dovecot-style passwd-file lines, password schemes and sealed secrets;
 * shared by the passwd plugin and cartero-passwd. */
#ifndef PWFILE_H
#define PWFILE_H

#include <stdbool.h>
#include <stddef.h>

#define PW_LINE_MAX 4096
#define PW_KEY_BYTES 32
#define PW_SECRET_MAX 256

/* Cost of new {ARGON2ID} hashes: OWASP's minimum is m=19 MiB, t=2. */
#define PW_ARGON2_OPS_DEFAULT 2ULL
#define PW_ARGON2_MEM_DEFAULT (19ULL * 1024 * 1024)

/*
 * One line: user:{SCHEME}hash[:uid:gid:gecos:home:shell:extra], where
 * extra is space-separated key=value fields; ours is cartero_secret=.
 * Pointers are into the caller's line buffer.
 */
struct pwent {
	char *user;
	char *password;		/* "{SCHEME}..." */
	char *secret;		/* base64 of nonce + sealed secret, or NULL */
	char *rest;		/* what followed the password, "" if none */
};

/* Splits line in place; -1 if it is malformed. */
int pw_parse(char *line, struct pwent *e);
/* Finds user (case-insensitive) in path: 1 found (e points into line), 0
 * absent, -1 on an error or a malformed line for that user (*error_r
 * names file and line). */
int pw_find(const char *path, const char *user, char *line, size_t n,
    struct pwent *e, const char **error_r);
/* 1 right, 0 wrong, -1 unknown scheme.  Constant time for a scheme. */
int pw_verify(const char *password_field, const char *password);
/* Same cost as verifying an {ARGON2ID} password with these parameters;
 * always 0.  For unknown users, so they cannot be told by timing. */
int pw_verify_dummy(unsigned long long ops, unsigned long long mem,
    const char *password);
/* "{ARGON2ID}$argon2id$..." into out (size n); 0 or -1. */
int pw_hash(const char *password, unsigned long long ops,
    unsigned long long mem, char *out, size_t n);
/* Reads a 32-byte key file (must not be readable by group or others). */
int pw_key_load(const char *path, unsigned char key[PW_KEY_BYTES],
    const char **error_r);
int pw_seal(const unsigned char key[PW_KEY_BYTES], const char *secret,
    char *out, size_t n);
/* Opens a sealed secret into buf (size n); its length, or -1. */
int pw_unseal(const unsigned char key[PW_KEY_BYTES], const char *sealed,
    char *buf, size_t n);

#endif
