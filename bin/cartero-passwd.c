/* ISC license. */
/* cartero-passwd: edits the passwd plugin's user file, password on stdin. */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../plugins/passwd/pwfile.h"
#include "../sdk/src/conf-internal.h"
#include "../sdk/src/setup-internal.h"

/* Exit codes: 0 done, 1 no (wrong password, user exists or not found),
 * 100 usage, 111 temporary failure. */
#define EXIT_NO 1

struct options {
	const char *file;
	const char *key;
	unsigned long long ops, mem;
	bool has_secret;
};

static void __attribute__((noreturn))
die(int code, const char *what, const char *detail)
{
	fprintf(stderr, "cartero-passwd: %s%s%s\n", what, detail ? ": " : "",
	    detail ? detail : "");
	exit(code);
}

static void __attribute__((noreturn))
usage(void)
{
	fputs("usage: cartero-passwd [-f FILE] [--secret] "
	    "add|set|del|check|list [USER]\n", stderr);
	exit(EXIT_USAGE);
}

/* The file, key and costs of [plugin passwd], when a configuration can be
 * read ($CARTERO_CONF or /etc/cartero/cartero.conf); -f wins. */
static void
read_config(struct options *o)
{
	struct conf c;
	const char *err, *path = getenv("CARTERO_CONF");

	o->ops = PW_ARGON2_OPS_DEFAULT;
	o->mem = PW_ARGON2_MEM_DEFAULT;
	if (path == NULL)
		path = "/etc/cartero/cartero.conf";
	if (access(path, R_OK) < 0)
		return;
	if (conf_load(&c, path, &err) < 0)
		die(EXIT_USAGE, "configuration", err);
	const struct cartero_conf *sec = conf_section(&c, "plugin", "passwd");
	if (sec == NULL)
		return;
	if (o->file == NULL)
		o->file = conf_path(sec, "file");
	o->key = conf_path(sec, "key");
	if (conf_get_uint(sec, "argon2_ops", o->ops, 1000, &o->ops, &err) < 0 ||
	    conf_get_uint(sec, "argon2_mem", o->mem, 1ULL << 40, &o->mem,
	    &err) < 0)
		die(EXIT_USAGE, "configuration", err);
}

/* One line from stdin, without its line end; never from argv. */
static void
read_password(char *buf, size_t n)
{
	if (fgets(buf, (int)n, stdin) == NULL)
		die(EXIT_USAGE, "no password on standard input", NULL);
	if (strchr(buf, '\n') == NULL && strlen(buf) + 1 >= n)
		die(EXIT_USAGE, "password too long (255 octets at most: "
		    "SASL PLAIN carries no more)", NULL);
	buf[strcspn(buf, "\r\n")] = '\0';
	if (buf[0] == '\0')
		die(EXIT_USAGE, "empty password", NULL);
	if (strlen(buf) > 255)
		die(EXIT_USAGE, "password too long (255 octets at most: "
		    "SASL PLAIN carries no more)", NULL);
}

static bool
user_ok(const char *u)
{
	const char *at = strrchr(u, '@');

	return at != NULL && at != u && at[1] != '\0' &&
	    strlen(u) < 256 && strpbrk(u, ": \t\r\n") == NULL;
}

/* Rewrites the file through a temporary file, fsync and rename, so a
 * reader sees the old or the new file, never half of one. */
static void
rewrite(const char *file, const char *user, const char *newline)
{
	char tmp[4096], line[PW_LINE_MAX];
	size_t ul = strlen(user);
	struct stat st;
	bool exists = stat(file, &st) == 0;

	snprintf(tmp, sizeof tmp, "%s.tmp.%ld", file, (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		die(EXIT_TEMP, tmp, strerror(errno));
	/* The new file keeps the old one's mode and owner, whatever the
	 * umask, so the handlers' user can still read it. */
	if (exists && (fchmod(fd, st.st_mode & 0777) < 0 ||
	    (geteuid() == 0 && fchown(fd, st.st_uid, st.st_gid) < 0))) {
		unlink(tmp);
		die(EXIT_TEMP, tmp, strerror(errno));
	}
	FILE *out = fdopen(fd, "w"), *in = fopen(file, "re");
	if (out == NULL)
		die(EXIT_TEMP, tmp, strerror(errno));
	while (in != NULL && fgets(line, sizeof line, in) != NULL) {
		if (strncasecmp(line, user, ul) == 0 && line[ul] == ':')
			continue;	/* replaced or deleted */
		fputs(line, out);
	}
	if (in != NULL)
		fclose(in);
	if (newline != NULL)
		fprintf(out, "%s\n", newline);
	if (fflush(out) != 0 || fsync(fd) != 0 || fclose(out) != 0) {
		unlink(tmp);
		die(EXIT_TEMP, tmp, strerror(errno));
	}
	if (rename(tmp, file) < 0) {
		unlink(tmp);
		die(EXIT_TEMP, file, strerror(errno));
	}
	char dir[4096];
	const char *slash = strrchr(file, '/');
	snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - file) : 1,
	    slash ? file : ".");
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
}

/* Builds "user:{ARGON2ID}...[::::::cartero_secret=...]". */
static void
make_line(const struct options *o, const char *user, const char *pw,
    char *out, size_t n)
{
	char hash[256], sealed[512] = "";
	unsigned char key[PW_KEY_BYTES];
	const char *err;

	if (pw_hash(pw, o->ops, o->mem, hash, sizeof hash) < 0)
		die(EXIT_TEMP, "hashing failed (out of memory?)", NULL);
	if (o->has_secret) {
		if (o->key == NULL)
			die(EXIT_USAGE, "--secret needs key = FILE in "
			    "[plugin passwd]", NULL);
		if (pw_key_load(o->key, key, &err) < 0)
			die(EXIT_TEMP, err, NULL);
		if (pw_seal(key, pw, sealed, sizeof sealed) < 0)
			die(EXIT_USAGE, "secret too long", NULL);
		sodium_memzero(key, sizeof key);
	}
	snprintf(out, n, "%s:%s%s%s", user, hash,
	    o->has_secret ? "::::::cartero_secret=" : "", sealed);
}

int
main(int argc, char **argv)
{
	struct options o = { 0 };
	char pw[PW_SECRET_MAX + 2], line[PW_LINE_MAX], newline[PW_LINE_MAX];
	struct pwent e;
	const char *err, *cmd = NULL, *user = NULL;
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-f") == 0 && i + 1 < argc)
			o.file = argv[++i];
		else if (strcmp(argv[i], "--secret") == 0)
			o.has_secret = true;
		else if (cmd == NULL && argv[i][0] != '-')
			cmd = argv[i];
		else if (user == NULL && argv[i][0] != '-')
			user = argv[i];
		else
			usage();
	}
	if (cmd == NULL || sodium_init() < 0)
		usage();
	read_config(&o);
	if (o.file == NULL)
		die(EXIT_USAGE, "no file: give -f FILE or set file in "
		    "[plugin passwd]", NULL);
	if (strcmp(cmd, "list") == 0) {
		FILE *f = fopen(o.file, "re");
		if (f == NULL)
			die(EXIT_TEMP, o.file, strerror(errno));
		while (fgets(line, sizeof line, f) != NULL)
			if (line[0] != '#' && pw_parse(line, &e) == 0)
				printf("%s %.*s%s\n", e.user,
				    (int)(strchr(e.password, '}') - e.password
				    + 1), e.password, e.secret ? " secret" : "");
		fclose(f);
		return 0;
	}
	if (user == NULL || !user_ok(user))
		usage();
	/* One editor at a time: an exclusive lock on FILE.lock. */
	char lockpath[4096];
	snprintf(lockpath, sizeof lockpath, "%s.lock", o.file);
	int lock = open(lockpath, O_CREAT | O_RDWR | O_CLOEXEC, 0600);
	if (lock < 0 || flock(lock, LOCK_EX) < 0)
		die(EXIT_TEMP, lockpath, strerror(errno));
	int found = access(o.file, F_OK) == 0
	    ? pw_find(o.file, user, line, sizeof line, &e, &err) : 0;
	if (found < 0 && strstr(err, "malformed") == NULL)
		die(EXIT_TEMP, err, NULL);
	if (strcmp(cmd, "add") == 0 || strcmp(cmd, "set") == 0) {
		if (found != 0 && strcmp(cmd, "add") == 0)
			die(EXIT_NO, "user exists", user);
		if (found == 0 && strcmp(cmd, "set") == 0)
			die(EXIT_NO, "no such user", user);
		read_password(pw, sizeof pw);
		make_line(&o, user, pw, newline, sizeof newline);
		sodium_memzero(pw, sizeof pw);
		rewrite(o.file, user, newline);
		return 0;
	}
	if (strcmp(cmd, "del") == 0) {
		if (found == 0)
			die(EXIT_NO, "no such user", user);
		rewrite(o.file, user, NULL);
		return 0;
	}
	if (strcmp(cmd, "check") == 0) {
		read_password(pw, sizeof pw);
		int ok = found == 1 ? pw_verify(e.password, pw) : 0;
		sodium_memzero(pw, sizeof pw);
		if (ok < 0)
			die(EXIT_TEMP, "unknown password scheme", NULL);
		return ok == 1 ? 0 : EXIT_NO;
	}
	usage();
}
