/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A pool of local worker processes: runs n commands, at most `workers` at a
 * time, each in its own process, and tells the caller how each ended.
 *
 * A worker's stdin and stdout are /dev/null; its stderr is captured (the
 * last POOL_TAIL_BYTES or more of it) and handed to done().  On Linux a
 * worker gets SIGTERM when the pool's process dies.  When *sig becomes
 * non-zero (the caller's signal handler sets it), or a worker cannot be
 * started, no more are started and the running ones get SIGTERM once; the
 * pool then waits for all of them, so no worker outlives pool_run().
 * Commands start in index order; done() is called in the order they end.
 */
#ifndef FLASHCOOP_SIM_POOL_H
#define FLASHCOOP_SIM_POOL_H

#include <signal.h>
#include <stddef.h>

#include <glib.h>

#define POOL_ERROR (pool_error_quark())
GQuark pool_error_quark(void);

enum pool_error_code {
	POOL_ERROR_SPAWN, /* a pipe, fork or poll failed */
};

/* The exit status of a worker whose program could not be executed. */
#define POOL_EXIT_NOT_STARTED 127

/* Bytes of a worker's stderr kept at least, from its end. */
#define POOL_TAIL_BYTES 16384

struct pool_ops {
	/* The command of job i: argv[0] is the program's path; newly
	 * allocated, freed by the pool with g_strfreev(). */
	char **(*argv)(void *user, size_t i);
	/* Job i ended with wait_status (as waitpid() gives it; exit status
	 * POOL_EXIT_NOT_STARTED when the program could not be executed); err
	 * is the tail of its stderr. */
	void (*done)(void *user, size_t i, int wait_status, const char *err);
	/* After each look at the workers: how many are running.  May be NULL. */
	void (*progress)(void *user, unsigned running);
	/*
	 * Lines of a worker's stderr that start with status_prefix are not
	 * kept with its stderr: status(user, job, rest of the line) gets
	 * them as they come, in order.  Both may be NULL.
	 */
	const char *status_prefix;
	void (*status)(void *user, size_t job, const char *text);
};

/*
 * Runs jobs 0..n-1 with up to workers (>= 1) processes.  Returns TRUE once
 * every started job has ended, or FALSE with err set when a worker could
 * not be started or the pool could not wait (the started ones have ended
 * then too).  A stop through *sig is not an error.
 */
gboolean pool_run(size_t n, unsigned workers, volatile sig_atomic_t *sig,
		  const struct pool_ops *ops, void *user, GError **err);

#endif
