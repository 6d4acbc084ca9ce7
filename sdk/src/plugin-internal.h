/* ISC license. */
/* The plugin loader: libltdl, plugin_dir only, ABI checked before trust. */
#ifndef PLUGIN_INTERNAL_H
#define PLUGIN_INTERNAL_H

#include <stdbool.h>

#include <cartero/plugin.h>

struct conf;

struct plugin {
	char name[64];
	const struct cartero_plugin *desc;
	void *state;
	void *handle;		/* lt_dlhandle */
	bool is_ready;		/* init() succeeded */
	struct plugin *next;
};

enum plugin_role { PLUGIN_FILTER, PLUGIN_AUTH, PLUGIN_STORE, PLUGIN_TLS };

/*
 * Returns the plugin NAME, loading plugin_dir/NAME.so and running its
 * init() with [plugin NAME] on first use, and checking that it plays role.
 * NULL with *error_r (what to fix) on any failure.
 */
struct plugin *plugin_get(const struct conf *c, const char *name,
    enum plugin_role role, const struct cartero_host *host,
    const char **error_r);
/* Whether the last plugin_get() failure was a configuration error (an
 * unknown key) rather than a plugin that could not load or start. */
bool plugin_error_is_config(void);
/* Runs fini() of every loaded plugin, in reverse order of loading. */
void plugin_fini_all(void);

#endif
