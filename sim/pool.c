/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/pool.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

/* How long a look at the workers waits for output, so that a signal set
 * by the caller's handler is seen soon even when no worker writes. */
#define POLL_TIMEOUT_MS 250
/* A worker ended by signal N exits with this plus N, as in the shell. */
#define EXIT_SIGNAL_BASE 128
/* A worker's captured stderr is cut back to POOL_TAIL_BYTES past this. */
#define TAIL_LIMIT_BYTES 65536

G_DEFINE_QUARK(flashcoop-pool-error-quark, pool_error)

struct worker {
	pid_t pid;
	int fd;     /* read end of its stderr */
	GString *err;
	size_t job;
};

static gboolean
spawn(char **argv, size_t job, struct worker *w, GError **err)
{
	pid_t parent = getpid();
	int fds[2];

	if (pipe(fds) != 0 || fcntl(fds[0], F_SETFD, FD_CLOEXEC) != 0) {
		g_set_error(err, POOL_ERROR, POOL_ERROR_SPAWN, "cannot make a pipe: %s",
			    g_strerror(errno));
		return FALSE;
	}
	w->pid = fork();
	if (w->pid < 0) {
		close(fds[0]);
		close(fds[1]);
		g_set_error(err, POOL_ERROR, POOL_ERROR_SPAWN, "cannot start a worker: %s",
			    g_strerror(errno));
		return FALSE;
	}
	if (w->pid == 0) {
		int null = open("/dev/null", O_RDWR);

#ifdef __linux__
		/* A worker must not outlive its pool (killed with SIGKILL). */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif
		if (getppid() != parent)
			_exit(EXIT_SIGNAL_BASE + SIGTERM);
		if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(null, STDOUT_FILENO) < 0 ||
		    dup2(fds[1], STDERR_FILENO) < 0)
			_exit(POOL_EXIT_NOT_STARTED);
		if (null > STDERR_FILENO)
			close(null);
		if (fds[1] > STDERR_FILENO)
			close(fds[1]);
		close(fds[0]);
		execv(argv[0], argv);
		_exit(POOL_EXIT_NOT_STARTED);
	}
	close(fds[1]);
	w->fd = fds[0];
	w->err = g_string_new(NULL);
	w->job = job;
	return TRUE;
}

/*
 * Hands the complete status lines in a worker's captured stderr to
 * ops->status and takes them out of it.
 */
static void
take_status(struct worker *w, const struct pool_ops *ops, void *user)
{
	size_t plen;
	gsize pos = 0;

	if (!ops->status_prefix || !ops->status)
		return;
	plen = strlen(ops->status_prefix);
	while (pos < w->err->len) {
		char *line = w->err->str + pos;
		char *nl = memchr(line, '\n', w->err->len - pos);

		if (!nl)
			break; /* an incomplete line: wait for the rest */
		if ((gsize)(nl - line) >= plen && strncmp(line, ops->status_prefix, plen) == 0) {
			g_autofree char *text = g_strndup(line + plen,
							  (gsize)(nl - line) - plen);

			ops->status(user, w->job, text);
			g_string_erase(w->err, (gssize)pos, nl - line + 1);
			continue;
		}
		pos += (gsize)(nl - line) + 1;
	}
}

/* Waits for a worker whose stderr closed, and reports how its job ended. */
static void
reap(struct worker *w, const struct pool_ops *ops, void *user)
{
	int st = 0;

	close(w->fd);
	while (waitpid(w->pid, &st, 0) < 0 && errno == EINTR)
		;
	ops->done(user, w->job, st, w->err->str);
	g_string_free(w->err, TRUE);
}

gboolean
pool_run(size_t n, unsigned workers, volatile sig_atomic_t *sig,
	 const struct pool_ops *ops, void *user, GError **err)
{
	g_autofree struct worker *w = g_new0(struct worker, workers);
	g_autofree struct pollfd *fds = g_new0(struct pollfd, workers);
	unsigned nrun = 0;
	size_t next = 0;
	bool forwarded = false;
	gboolean ok = TRUE;

	g_assert(workers >= 1);
	while (next < n || nrun > 0) {
		int got_fds;

		while (ok && !*sig && nrun < workers && next < n) {
			g_auto(GStrv) argv = ops->argv(user, next);

			if (!spawn(argv, next, &w[nrun], err)) {
				ok = FALSE;
				break;
			}
			next++;
			nrun++;
		}
		if (nrun == 0)
			break;
		if ((*sig || !ok) && !forwarded) {
			for (unsigned i = 0; i < nrun; i++)
				kill(w[i].pid, SIGTERM);
			forwarded = true;
		}
		for (unsigned i = 0; i < nrun; i++)
			fds[i] = (struct pollfd){ .fd = w[i].fd, .events = POLLIN };
		got_fds = poll(fds, nrun, POLL_TIMEOUT_MS);
		if (got_fds < 0 && errno != EINTR) {
			/* No way left to watch them: stop every worker and wait
			 * for each, rather than spin on a failing poll. */
			if (ok)
				g_set_error(err, POOL_ERROR, POOL_ERROR_SPAWN, "poll: %s",
					    g_strerror(errno));
			ok = FALSE;
			for (unsigned i = 0; i < nrun; i++)
				kill(w[i].pid, SIGTERM);
			for (unsigned i = 0; i < nrun; i++)
				reap(&w[i], ops, user);
			nrun = 0;
			break;
		}
		for (unsigned i = 0; got_fds > 0 && i < nrun; i++) {
			char buf[4096];
			ssize_t got;

			if (!fds[i].revents)
				continue;
			got = read(w[i].fd, buf, sizeof buf);
			if (got > 0) {
				g_string_append_len(w[i].err, buf, got);
				take_status(&w[i], ops, user);
				/* Keep the tail: a worker's message is its last line. */
				if (w[i].err->len > TAIL_LIMIT_BYTES)
					g_string_erase(w[i].err, 0,
						       (gssize)(w[i].err->len - POOL_TAIL_BYTES));
				continue;
			}
			if (got < 0 && errno == EINTR)
				continue;
			reap(&w[i], ops, user);
			w[i] = w[nrun - 1];
			fds[i] = fds[nrun - 1];
			nrun--;
			i--;
		}
		if (ops->progress)
			ops->progress(user, nrun);
	}
	return ok;
}
