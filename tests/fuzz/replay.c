/* ISC license. */
/* Replays a corpus through a fuzz target without libFuzzer, one line
 * "ok - fuzz/NAME replay N inputs" at the end.  All files run in one
 * child, as libFuzzer runs them; if it crashes, hangs, reports or leaks,
 * each file runs again in a child of its own, to name the one at fault. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz.h"

#define REPLAY_SECONDS 10	/* one input; a session target needs < 1 */

/* Global, so that LeakSanitizer in a child sees it reachable. */
static char **files;
static size_t n_files;

static int cmp_str(const void *a, const void *b);
static void add_path(char ***list, size_t *n, const char *path);
static int replay_one(const char *path);
static void show_tail(int fd);
static int run_child(const char *name, size_t from, size_t to,
    volatile size_t *cur, char *why, size_t why_len, int *log_r);

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
add_path(char ***list, size_t *n, const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		printf("not ok - replay: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	if (S_ISDIR(st.st_mode)) {
		DIR *d = opendir(path);
		struct dirent *e;
		while (d != NULL && (e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			char sub[4096];
			snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
			add_path(list, n, sub);
		}
		if (d != NULL)
			closedir(d);
		return;
	}
	*list = realloc(*list, (*n + 1) * sizeof **list);
	if (*list == NULL || ((*list)[*n] = strdup(path)) == NULL) {
		printf("not ok - replay: out of memory\n");
		exit(1);
	}
	(*n)++;
}

/* Runs the target on one file in this process. */
static int
replay_one(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0)
		return -1;
	size_t n = (size_t)st.st_size;
	/* Exactly n bytes, so ASan sees a read past the input's end. */
	uint8_t *buf = malloc(n ? n : 1);
	size_t got = 0;
	while (buf != NULL && got < n) {
		ssize_t r = read(fd, buf + got, n - got);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	if (buf == NULL || got != n) {
		free(buf);
		return -1;
	}
	LLVMFuzzerTestOneInput(buf, n);
	free(buf);
	return 0;
}

/* Copies the last few KB of what the child said, as "# " lines. */
static void
show_tail(int fd)
{
	char buf[6000];
	off_t end = lseek(fd, 0, SEEK_END);
	off_t from = end > (off_t)sizeof buf - 1 ? end - (off_t)sizeof buf + 1
						  : 0;
	ssize_t r = pread(fd, buf, sizeof buf - 1, from);

	if (r <= 0)
		return;
	buf[r] = '\0';
	for (char *save, *l = strtok_r(buf, "\n", &save); l;
	    l = strtok_r(NULL, "\n", &save))
		printf("# %s\n", l);
}

/* Runs files[from..to) in a child; 0 when all went well, 1 with why,
 * -1 if the child could not be made.  *log_r gets what it said. */
static int
run_child(const char *name, size_t from, size_t to, volatile size_t *cur,
    char *why, size_t why_len, int *log_r)
{
	char tmpl[] = "/tmp/cartero-replay.XXXXXX";
	int status, log = mkstemp(tmpl);

	if (log < 0) {
		printf("not ok - fuzz/%s replay: mkstemp: %s\n", name,
		    strerror(errno));
		return -1;
	}
	unlink(tmpl);
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0) {
		printf("not ok - fuzz/%s replay: fork: %s\n", name,
		    strerror(errno));
		close(log);
		return -1;
	}
	if (pid == 0) {
		dup2(log, 2);
		close(log);
		for (size_t i = from; i < to; i++) {
			*cur = i;
			alarm(REPLAY_SECONDS);
			if (replay_one(files[i]) < 0)
				exit(3);
		}
		alarm(0);
		*cur = to;
		/* exit(), not _exit(): LeakSanitizer checks at exit. */
		exit(0);
	}
	*log_r = log;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFSIGNALED(status))
		snprintf(why, why_len, "%s (signal %d)", WTERMSIG(status) ==
		    SIGALRM ? "hang" : "crash", WTERMSIG(status));
	else
		snprintf(why, why_len, "%s (exit %d)", WEXITSTATUS(status) == 3
		    ? "unreadable" : "failure", WEXITSTATUS(status));
	return 1;
}

int
main(int argc, char **argv)
{
	const char *name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1
						 : argv[0];
	size_t n = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR|FILE...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++)
		add_path(&files, &n_files, argv[i]);
	n = n_files;
	qsort(files, n, sizeof *files, cmp_str);
	if (LLVMFuzzerInitialize != NULL)
		LLVMFuzzerInitialize(&argc, &argv);
	if (getenv("FUZZ_REPLAY_NOFORK") != NULL) {
		/* For a debugger: everything in this process, stderr as is. */
		for (size_t i = 0; i < n; i++) {
			fprintf(stderr, "replay: %s\n", files[i]);
			if (replay_one(files[i]) < 0)
				fprintf(stderr, "replay: cannot read %s\n",
				    files[i]);
		}
		printf("ok - fuzz/%s replay %zu inputs\n", name, n);
		return 0;
	}
	volatile size_t *cur = mmap(NULL, sizeof *cur, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	char why[64];
	int log;
	if (cur == MAP_FAILED) {
		printf("not ok - fuzz/%s replay: mmap: %s\n", name,
		    strerror(errno));
		return 1;
	}
	int r = run_child(name, 0, n, cur, why, sizeof why, &log);
	if (r < 0)
		return 1;
	if (r == 0) {
		close(log);
		printf("ok - fuzz/%s replay %zu inputs\n", name, n);
		return 0;
	}
	size_t last = *cur;
	int batch_log = log;
	for (size_t i = 0; i < n; i++) {
		if ((r = run_child(name, i, i + 1, cur, why, sizeof why,
		    &log)) < 0)
			return 1;
		if (r > 0) {
			printf("not ok - fuzz/%s replay: %s: %s\n", name,
			    files[i], why);
			show_tail(log);
			return 1;
		}
		close(log);
	}
	/* Only in sequence: an input leaves state that breaks a later one. */
	printf("not ok - fuzz/%s replay: all %zu inputs in one process: %s "
	    "(%s)\n", name, n, why, last < n ? files[last] : "at exit");
	show_tail(batch_log);
	return 1;
}

