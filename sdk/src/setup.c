/* ISC license. */
/* Handler start-up shared by cartero-smtpd and cartero-pop3d. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proxy-internal.h"
#include "sasl-internal.h"
#include "setup-internal.h"

static const char *const top_keys[] = {
	"hostname", "plugin_dir", "user", NULL
};
static const char *const smtpd_keys[] = {
	"filters", "max_message_size", "max_recipients", "timeout", "auth",
	"auth_requires_tls", "relay", "max_errors", "auth_cleartext_from",
	"max_auth_failures", "auth_delay", "proxy_protocol", "proxy_trusted",
	NULL
};
static const char *const pop3d_keys[] = {
	"auth", "timeout", "max_errors", "max_auth_failures", "auth_delay",
	"auth_requires_tls", "auth_cleartext_from", "proxy_protocol",
	"proxy_trusted", NULL
};
static const char *const tls_keys[] = {
	"cert", "key", "priority", "ca", "relay_client_certs", "sni_dir",
	NULL
};

static const struct {
	const char *kind;
	const char *const *keys;
} sections[] = {
	{ "", top_keys },
	{ "smtpd", smtpd_keys },
	{ "pop3d", pop3d_keys },
	{ "tls", tls_keys },
};

static int
setup_check_schema(const struct conf *c, const char **error_r)
{
	static char buf[600];

	for (const struct cartero_conf *sec = c->first; sec; sec = sec->next) {
		bool is_named = *sec->name != '\0';
		if ((strcmp(sec->kind, "plugin") == 0 && is_named) ||
		    (strcmp(sec->kind, "domain") == 0 && is_named) ||
		    (strcmp(sec->kind, "relay") == 0 && !is_named))
			continue;	/* checked against their plugin */
		size_t i;
		for (i = 0; i < sizeof sections / sizeof sections[0]; i++)
			if (strcmp(sec->kind, sections[i].kind) == 0 &&
			    !is_named)
				break;
		if (i == sizeof sections / sizeof sections[0]) {
			snprintf(buf, sizeof buf, "%s:%d: unknown section "
			    "[%s%s%s]", c->path, sec->line, sec->kind,
			    *sec->name ? " " : "", sec->name);
			*error_r = buf;
			return -1;
		}
		if (conf_check_keys(sec, sections[i].keys, NULL, error_r) < 0)
			return -1;
	}
	return 0;
}

int
setup_conf(struct conf *c, const char *path, const char **error_r)
{
	if (path == NULL)
		path = getenv("CARTERO_CONF");
	if (path == NULL)
		path = "/etc/cartero/cartero.conf";
	if (conf_load(c, path, error_r) < 0)
		return -1;
	return setup_check_schema(c, error_r);
}

void
setup_log_fd(void)
{
	struct stat a, b;

	/* inetd, xinetd and stunnel's daemon mode hand the connection over as
	 * fd 2 too: log lines would go to the client, ahead of the greeting.
	 * Then the log goes nowhere (docs/deployment.md shows a wrapper
	 * that gives fd 2 a file). */
	if (fstat(0, &a) == 0 && fstat(2, &b) == 0 && S_ISSOCK(a.st_mode) &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
		int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (fd >= 0 && fd != 2) {
			dup2(fd, 2);
			close(fd);
		}
	}
}

int
setup_drop_privileges(const struct conf *c, const char **error_r)
{
	const char *user = conf_get(c->first, "user");

	if (user == NULL || geteuid() != 0)
		return 0;
	struct passwd *pw = getpwnam(user);
	if (pw == NULL) {
		*error_r = "the configured user does not exist";
		return -1;
	}
	if (initgroups(pw->pw_name, pw->pw_gid) < 0 ||
	    setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0) {
		*error_r = strerror(errno);
		return -1;
	}
	return 0;
}

int
setup_proxy(const struct conf *c, const char *section, struct peer *p,
    int timeout_sec, const char **error_r)
{
	const struct cartero_conf *sec = conf_section(c, section, "");
	const char *trusted = conf_get(sec, "proxy_trusted");
	bool on;

	if (conf_get_bool(sec, "proxy_protocol", false, &on, error_r) < 0)
		return -1;
	if (!on)
		return 0;
	/* Only the balancers may say who the client is. */
	if (trusted == NULL || !cidr_list_match(trusted, p->ip)) {
		*error_r = "PROXY header from a peer not in proxy_trusted";
		return -1;
	}
	return proxy_read(0, p, timeout_sec, error_r) < 0 ? -1 : 1;
}

const char *
setup_hostname(const struct conf *c)
{
	static char host[256];
	const char *h = conf_get(c->first, "hostname");

	if (h != NULL)
		return h;
	if (gethostname(host, sizeof host - 1) < 0 || host[0] == '\0')
		strcpy(host, "localhost");
	return host;
}
