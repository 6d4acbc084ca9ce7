/* ISC license. */
/* Loads plugins/NAME.so with libltdl; refuses a wrong ABI, names the fix. */
#include <errno.h>
#include <ltdl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>

#include "conf-internal.h"
#include "plugin-internal.h"

#ifndef CARTERO_PLUGIN_DIR
#define CARTERO_PLUGIN_DIR "/usr/local/lib/cartero/plugins"
#endif

static struct plugin *plugins;
static bool is_config_error;

bool
plugin_error_is_config(void)
{
	return is_config_error;
}
static char plugin_error[8192];

static const char *
plugin_fail(const char *fmt, const char *a, const char *b)
{
	snprintf(plugin_error, sizeof plugin_error, fmt, a, b);
	return plugin_error;
}

static bool
plugin_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n >= sizeof ((struct plugin *)0)->name)
		return false;
	return strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

static const char *const role_names[] = {
	"filter", "auth", "store", "tls"
};

static bool
plugin_has_role(const struct plugin *p, enum plugin_role role)
{
	switch (role) {
	case PLUGIN_FILTER:
		return p->desc->filter != NULL;
	case PLUGIN_AUTH:
		return p->desc->auth != NULL;
	case PLUGIN_STORE:
		return p->desc->store != NULL;
	case PLUGIN_TLS:
		return p->desc->tls != NULL;
	}
	return false;
}

/* As sshd treats its keys: code is loaded only from a file and a folder
 * that nobody but root or this user can change. */
static int
plugin_trusted(const char *path, const char **error_r)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		snprintf(plugin_error, sizeof plugin_error, "cannot load %s: "
		    "%s (is the plugin built and plugin_dir right?)", path,
		    strerror(errno));
		*error_r = plugin_error;
		return -1;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(plugin_error, sizeof plugin_error, "refusing %s: it "
		    "is writable by group or others (chmod go-w it)", path);
		*error_r = plugin_error;
		return -1;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		snprintf(plugin_error, sizeof plugin_error, "refusing %s: it "
		    "is owned by uid %u, neither root nor this user", path,
		    (unsigned)st.st_uid);
		*error_r = plugin_error;
		return -1;
	}
	return 0;
}

/* Opens dir/NAME.so by its full path, so no search path (LTDL_LIBRARY_PATH,
 * LD_LIBRARY_PATH) can redirect it, and reads the descriptor. */
static int
plugin_open(struct plugin *p, const char *dir, const char **error_r)
{
	static bool is_init;
	char path[4096];
	lt_dladvise advise;

	if (!is_init) {
		if (lt_dlinit() != 0) {
			*error_r = plugin_fail("lt_dlinit failed: %s%s",
			    lt_dlerror(), "");
			return -1;
		}
		is_init = true;
	}
	if ((size_t)snprintf(path, sizeof path, "%s/%s.so", dir, p->name) >=
	    sizeof path) {
		*error_r = "plugin_dir is too long";
		return -1;
	}
	if (path[0] != '/') {
		*error_r = "plugin_dir must be an absolute path";
		return -1;
	}
	if (plugin_trusted(dir, error_r) < 0 || plugin_trusted(path, error_r) < 0)
		return -1;
	if (lt_dladvise_init(&advise) != 0 || lt_dladvise_local(&advise) != 0) {
		*error_r = plugin_fail("lt_dladvise failed: %s%s", lt_dlerror(),
		    "");
		return -1;
	}
	lt_dlhandle h = lt_dlopenadvise(path, advise);
	lt_dladvise_destroy(&advise);
	if (h == NULL) {
		snprintf(plugin_error, sizeof plugin_error,
		    "cannot load %s: %s (is the plugin built and plugin_dir "
		    "right?)", path, lt_dlerror());
		*error_r = plugin_error;
		return -1;
	}
	const struct cartero_plugin *d = lt_dlsym(h, "cartero_plugin");
	if (d == NULL) {
		lt_dlclose(h);
		*error_r = plugin_fail("%s exports no cartero_plugin symbol "
		    "(build it with CARTERO_PLUGIN())%s", path, "");
		return -1;
	}
	if (d->abi != CARTERO_ABI_VERSION) {
		snprintf(plugin_error, sizeof plugin_error,
		    "built for ABI %u, this is ABI %u (rebuild %s against this "
		    "SDK)", (unsigned)d->abi, (unsigned)CARTERO_ABI_VERSION,
		    path);
		lt_dlclose(h);
		*error_r = plugin_error;
		return -1;
	}
	if (d->size != sizeof *d || d->name == NULL ||
	    strcmp(d->name, p->name) != 0) {
		lt_dlclose(h);
		*error_r = plugin_fail("%s has a malformed descriptor (size or "
		    "name does not match %s)", path, p->name);
		return -1;
	}
	p->handle = h;
	p->desc = d;
	return 0;
}

struct plugin *
plugin_get(const struct conf *c, const char *name, enum plugin_role role,
    const struct cartero_host *host, const char **error_r)
{
	struct plugin *p;

	for (p = plugins; p != NULL; p = p->next)
		if (strcmp(p->name, name) == 0)
			break;
	if (p == NULL) {
		static struct plugin pool[16];
		static size_t used;
		if (!plugin_name_ok(name)) {
			*error_r = plugin_fail("bad plugin name \"%s\": use "
			    "a-z, 0-9, _ and -%s", name, "");
			return NULL;
		}
		if (used == sizeof pool / sizeof pool[0]) {
			*error_r = "too many plugins (16 at most)";
			return NULL;
		}
		p = &pool[used];
		memset(p, 0, sizeof *p);
		strcpy(p->name, name);
		const char *dir = conf_path(c->first, "plugin_dir");
		if (dir == NULL)
			dir = CARTERO_PLUGIN_DIR;
		if (plugin_open(p, dir, error_r) < 0)
			return NULL;
		const struct cartero_conf *sec = conf_section(c, "plugin",
		    name);
		if (sec != NULL &&
		    conf_check_keys(sec, p->desc->conf_keys, NULL, error_r) < 0) {
			is_config_error = true;
			return NULL;
		}
		static const struct cartero_conf empty;
		const char *err = NULL;
		if (p->desc->init != NULL &&
		    p->desc->init(host, sec ? sec : &empty, &p->state,
		    &err) < 0) {
			*error_r = plugin_fail("plugin %s: init failed: %s",
			    name, err ? err : "no reason given");
			return NULL;
		}
		p->is_ready = true;
		used++;
		p->next = plugins;
		plugins = p;
	}
	if (!plugin_has_role(p, role)) {
		is_config_error = true;
		*error_r = plugin_fail("plugin %s has no %s role", name,
		    role_names[role]);
		return NULL;
	}
	return p;
}

void
plugin_fini_all(void)
{
	/* The list is newest first: that is reverse order of loading. */
	for (struct plugin *p = plugins; p != NULL; p = p->next)
		if (p->is_ready && p->desc->fini != NULL)
			p->desc->fini(p->state);
	plugins = NULL;
}
