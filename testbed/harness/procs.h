/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The processes a testbed run starts, each recorded before anything else
 * happens in a list file of the run directory (one line per process: pid,
 * start time from /proc as sim/liveness.h names it, name), so that they
 * are all stopped by pid at the end, after a failure or a signal, and, when
 * the driver itself was killed, by the next run or `fc-testbed clean` from
 * the list alone.  A pid is only signalled while its start time is still
 * the recorded one: a pid reused by another process is left alone.
 */
#ifndef FLASHCOOP_TESTBED_HARNESS_PROCS_H
#define FLASHCOOP_TESTBED_HARNESS_PROCS_H

#include <stdbool.h>

#include <glib.h>

struct tb_procs;

/* The processes of the run directory dir (its list is dir/procs). */
struct tb_procs *tb_procs_new(const char *dir);

/* Stops what is still running (tb_procs_stop_all) and frees; accepts NULL. */
void tb_procs_free(struct tb_procs *p);

/*
 * Starts argv (argv[0] a path or a command on PATH) inside network
 * namespace netns (NULL: this one), its stdout and stderr appended to
 * log_path, and records it under name.  FALSE with err when it cannot be
 * started.
 */
gboolean tb_proc_start(struct tb_procs *p, const char *name, const char *netns,
		       const char *const *argv, const char *log_path, GPid *pid, GError **err);

/* Whether the process recorded under name is running (not exited). */
bool tb_proc_running(struct tb_procs *p, const char *name);

/*
 * Runs argv to its end (inside netns when not NULL), output to log_path;
 * FALSE with err naming it and its exit status when it fails, or when it
 * has not ended after timeout_ms (it is killed then).
 */
gboolean tb_run(const char *netns, const char *const *argv, const char *log_path,
		guint timeout_ms, GError **err);

/*
 * Stops one process by name: SIGTERM, then SIGKILL after grace_ms.
 * FALSE when no running process has that name.
 */
bool tb_proc_stop(struct tb_procs *p, const char *name, guint grace_ms);

/* Sends signal sig to the process recorded under name (kill -9 of the
 * origin, say); FALSE when it is not running. */
bool tb_proc_signal(struct tb_procs *p, const char *name, int sig);

/* Whether the process recorded under name has ended (reaping it); its
 * wait status in *status when it has.  FALSE for a name never started. */
bool tb_proc_ended(struct tb_procs *p, const char *name, int *status);

/* Sends signal sig to the process group of the process recorded under
 * name (each is started in a group of its own, which its children
 * share: all of an Apache server); FALSE when it is not running. */
bool tb_proc_signal_group(struct tb_procs *p, const char *name, int sig);

/* Stops every process, the last started first, as tb_proc_stop. */
void tb_procs_stop_all(struct tb_procs *p, guint grace_ms);

/*
 * Stops the processes a list file names that still run with their recorded
 * start time (a run whose driver was killed), then renames the list to
 * procs.stopped (the record of what the run started); sets
 * *stopped to how many.  TRUE when there was no list.
 */
gboolean tb_procs_clean(const char *dir, unsigned *stopped, GError **err);

#endif
