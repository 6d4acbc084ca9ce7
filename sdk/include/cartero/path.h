/* ISC license. */
/* Mailbox path templates for store plugins: pure inline helpers, no ABI. */
#ifndef CARTERO_PATH_H
#define CARTERO_PATH_H

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cartero/plugin.h>

/*
 * Copies a local part or a domain into dst (n bytes) as one safe path
 * component: lower-cased, only atext and UTF-8 octets, no "/", no leading
 * ".", no "..".  0, or -1 when it cannot be one (the recipient then has no
 * mailbox: a quoted local part with a space, say).
 */
static inline int
cartero_path_component(char *dst, size_t n, const char *src)
{
	size_t i;

	if (*src == '\0' || *src == '.')
		return -1;
	for (i = 0; src[i]; i++) {
		unsigned char c = (unsigned char)src[i];
		if (i + 1 >= n)
			return -1;
		if (c >= 'A' && c <= 'Z')
			c |= 0x20;
		else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c >= 0x80 || strchr("!#$%&'*+-=?^_`{|}~.", c)))
			return -1;
		if (c == '.' && src[i + 1] == '.')
			return -1;
		dst[i] = (char)c;
	}
	dst[i] = '\0';
	return 0;
}

/*
 * Expands a path template (cartero.conf(5): %d the domain, %u the local
 * part, %% a '%') for address a into out (n bytes).  The template comes
 * from host->conf_path(), so it is absolute.  0, or -1 when a part is not
 * a safe component or the result does not fit.
 */
static inline int
cartero_path_expand(const char *tpl, const struct cartero_address *a,
    char *out, size_t n)
{
	char local[256], dom[256];
	size_t o = 0;

	if (tpl == NULL ||
	    cartero_path_component(local, sizeof local, a->local) < 0 ||
	    cartero_path_component(dom, sizeof dom, a->domain) < 0)
		return -1;
	for (const char *p = tpl; *p; p++) {
		const char *ins = NULL;
		char one[2] = { *p, '\0' };
		if (*p == '%' && p[1] == 'u')
			ins = local;
		else if (*p == '%' && p[1] == 'd')
			ins = dom;
		else if (*p == '%' && p[1] == '%')
			ins = "%";
		if (ins != NULL)
			p++;
		else
			ins = one;
		size_t k = strlen(ins);
		if (o + k >= n)
			return -1;
		memcpy(out + o, ins, k);
		o += k;
	}
	out[o] = '\0';
	return 0;
}

/* fsync(2) of a directory, so that an entry made in it survives a crash.
 * 0, or -1 with errno. */
static inline int
cartero_fsync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	int r = fsync(fd);
	int saved = errno;
	close(fd);
	errno = saved;
	return r;
}

/* Creates dir and its missing parents with mode 0700, syncing the parent
 * of each one made.  dir is modified during the call and restored.  0, or
 * -1 with errno (ENOTDIR when a part is not a directory). */
static inline int
cartero_mkdir_p(char *dir)
{
	struct stat st;

	if (stat(dir, &st) == 0)
		return S_ISDIR(st.st_mode) ? 0 : (errno = ENOTDIR, -1);
	char *slash = strrchr(dir, '/');
	if (slash != NULL && slash != dir) {
		*slash = '\0';
		int r = cartero_mkdir_p(dir);
		*slash = '/';
		if (r < 0)
			return -1;
	}
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -1;
	if (slash != NULL && slash != dir) {
		*slash = '\0';
		int r = cartero_fsync_dir(dir);
		*slash = '/';
		return r;
	}
	return 0;
}

#endif
