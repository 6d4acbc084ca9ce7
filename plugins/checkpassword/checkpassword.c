/* ISC license. */
/* The checkpassword auth plugin: qmail's interface, any existing program
 * (cr.yp.to/checkpwd/interface.html): "user\0password\0timestamp\0" on
 * fd 3; exit 0 yes, 1 no, anything else a temporary failure. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cartero/cartero.h>

struct checkpw {
	const struct cartero_host *host;
	const char *program;
	long timeout_ms;
};

static const char *const checkpw_keys[] = { "program", "timeout", NULL };

static int
checkpw_init(const struct cartero_host *host, const struct cartero_conf *sec,
    void **state_r, const char **error_r)
{
	static struct checkpw st;
	const char *t = host->conf_get(sec, "timeout");

	st.host = host;
	st.program = host->conf_path(sec, "program");
	st.timeout_ms = 10000;
	if (st.program == NULL || access(st.program, X_OK) < 0) {
		*error_r = "program is not set or not executable";
		return -1;
	}
	if (t != NULL) {
		char *end;
		long v = strtol(t, &end, 10);
		if (*t < '0' || *t > '9' || *end != '\0' || v < 1 ||
		    v > 3600) {
			*error_r = "timeout must be 1 to 3600 seconds";
			return -1;
		}
		st.timeout_ms = v * 1000;
	}
	*state_r = &st;
	return 0;
}

/* Runs the program with argv only (never a shell) and the data on fd 3. */
static int
checkpw_verify(void *state, const char *user, const char *password,
    const char **error_r)
{
	struct checkpw *st = state;
	int fds[2];
	size_t ul = strlen(user), pl = strlen(password);

	if (ul > 512 || pl > 512) {
		return 0;
	}
	if (pipe2(fds, O_CLOEXEC) < 0) {
		*error_r = strerror(errno);
		return -1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		*error_r = strerror(errno);
		return -1;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		/* The program never sees the client's connection, nor writes
		 * into our log; fd 3 must survive the exec (pipe2 may have
		 * returned 3 itself, with close-on-exec set). */
		if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 ||
		    dup2(null, 2) < 0)
			_exit(111);
		if (fds[0] == 3 ? fcntl(3, F_SETFD, 0) < 0
				: dup2(fds[0], 3) != 3)
			_exit(111);
		char prog[4096], sub[] = "/bin/true";
		snprintf(prog, sizeof prog, "%s", st->program);
		char *const argv[] = { prog, sub, NULL };
		execv(prog, argv);
		_exit(111);
	}
	close(fds[0]);
	char buf[1040];
	memcpy(buf, user, ul + 1);
	memcpy(buf + ul + 1, password, pl + 1);
	buf[ul + pl + 2] = '\0';	/* empty timestamp */
	signal(SIGPIPE, SIG_IGN);
	ssize_t w = write(fds[1], buf, ul + pl + 3);
	explicit_bzero(buf, sizeof buf);
	close(fds[1]);
	(void)w;

	/* The limit is on the clock, not on a count of sleeps, which a
	 * busy machine would stretch. */
	int status = 0;
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR) {
			*error_r = strerror(errno);
			return -1;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((now.tv_sec - start.tv_sec) * 1000L + (now.tv_nsec -
		    start.tv_nsec) / 1000000L >= st->timeout_ms) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			*error_r = "checkpassword program timed out";
			return -1;
		}
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 1;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 1)
		return 0;
	*error_r = "checkpassword program failed temporarily";
	return -1;
}

static const struct cartero_auth checkpw_auth = {
	.verify = checkpw_verify,
};

CARTERO_PLUGIN(
	.name = "checkpassword",
	.conf_keys = checkpw_keys,
	.init = checkpw_init,
	.auth = &checkpw_auth,
);
