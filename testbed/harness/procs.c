/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "testbed/harness/procs.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sim/liveness.h"

struct proc {
	char *name;
	GPid pid;
	char *start;
	bool exited;
	int status;
};

struct tb_procs {
	char *list;
	GPtrArray *procs; /* struct proc, in the order started */
};

static void
proc_free(gpointer data)
{
	struct proc *pr = data;

	g_free(pr->name);
	g_free(pr->start);
	g_free(pr);
}

struct tb_procs *
tb_procs_new(const char *dir)
{
	struct tb_procs *p = g_new0(struct tb_procs, 1);

	p->list = g_build_filename(dir, "procs", NULL);
	p->procs = g_ptr_array_new_with_free_func(proc_free);
	return p;
}

void
tb_procs_free(struct tb_procs *p)
{
	if (!p)
		return;
	tb_procs_stop_all(p, 3000);
	g_ptr_array_free(p->procs, TRUE);
	g_free(p->list);
	g_free(p);
}

static void
sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Reaps pr when it has exited (it is our child). */
static void
poll_exit(struct proc *pr)
{
	int status;

	if (pr->exited)
		return;
	if (waitpid(pr->pid, &status, WNOHANG) == pr->pid) {
		pr->exited = true;
		pr->status = status;
	}
}

/* The child's side, between fork and exec: its own process group (so a
 * Ctrl-C at the terminal reaches the driver only, which stops everything
 * in order), output to the log. */
struct child_setup {
	int log_fd;
};

static void
child_setup(gpointer data)
{
	const struct child_setup *cs = data;

	setpgid(0, 0);
	if (cs->log_fd >= 0) {
		dup2(cs->log_fd, STDOUT_FILENO);
		dup2(cs->log_fd, STDERR_FILENO);
	}
}

/* argv behind "ip netns exec NS" when netns is set. */
static GPtrArray *
full_argv(const char *netns, const char *const *argv)
{
	GPtrArray *a = g_ptr_array_new();

	if (netns) {
		g_ptr_array_add(a, (gpointer) "ip");
		g_ptr_array_add(a, (gpointer) "netns");
		g_ptr_array_add(a, (gpointer) "exec");
		g_ptr_array_add(a, (gpointer)netns);
	}
	for (size_t i = 0; argv[i]; i++)
		g_ptr_array_add(a, (gpointer)argv[i]);
	g_ptr_array_add(a, NULL);
	return a;
}

static gboolean
spawn(const char *netns, const char *const *argv, const char *log_path, GPid *pid,
      GError **err)
{
	g_autoptr(GPtrArray) a = full_argv(netns, argv);
	struct child_setup cs = { -1 };
	gboolean ok;

	if (log_path) {
		cs.log_fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (cs.log_fd < 0) {
			g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno),
				    "%s: cannot create: %s", log_path, g_strerror(errno));
			return FALSE;
		}
	}
	ok = g_spawn_async(NULL, (char **)a->pdata, NULL,
			   G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_SEARCH_PATH |
			   G_SPAWN_STDIN_FROM_DEV_NULL,
			   child_setup, &cs, pid, err);
	if (cs.log_fd >= 0)
		close(cs.log_fd);
	return ok;
}

gboolean
tb_proc_start(struct tb_procs *p, const char *name, const char *netns,
	      const char *const *argv, const char *log_path, GPid *pid, GError **err)
{
	struct proc *pr = g_new0(struct proc, 1);
	FILE *f;

	if (!spawn(netns, argv, log_path, &pr->pid, err)) {
		g_prefix_error(err, "%s: ", name);
		g_free(pr);
		return FALSE;
	}
	pr->name = g_strdup(name);
	pr->start = liveness_start_of(pr->pid);
	g_ptr_array_add(p->procs, pr);
	f = fopen(p->list, "a");
	if (!f || fprintf(f, "%d\t%s\t%s\n", (int)pr->pid, pr->start ? pr->start : "-", name) < 0 ||
	    fflush(f) != 0 || fsync(fileno(f)) != 0) {
		int e = errno;

		if (f)
			fclose(f);
		g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(e),
			    "%s: cannot record process %s: %s", p->list, name, g_strerror(e));
		return FALSE;
	}
	fclose(f);
	if (pid)
		*pid = pr->pid;
	return TRUE;
}

static struct proc *
find(struct tb_procs *p, const char *name)
{
	for (guint i = p->procs->len; i-- > 0;) {
		struct proc *pr = p->procs->pdata[i];

		if (strcmp(pr->name, name) == 0)
			return pr;
	}
	return NULL;
}

bool
tb_proc_running(struct tb_procs *p, const char *name)
{
	struct proc *pr = find(p, name);

	if (!pr)
		return false;
	poll_exit(pr);
	return !pr->exited;
}

bool
tb_proc_signal(struct tb_procs *p, const char *name, int sig)
{
	struct proc *pr = find(p, name);

	if (!pr)
		return false;
	poll_exit(pr);
	return !pr->exited && kill(pr->pid, sig) == 0;
}

bool
tb_proc_ended(struct tb_procs *p, const char *name, int *status)
{
	struct proc *pr = find(p, name);

	if (!pr)
		return false;
	poll_exit(pr);
	if (pr->exited && status)
		*status = pr->status;
	return pr->exited;
}

bool
tb_proc_signal_group(struct tb_procs *p, const char *name, int sig)
{
	struct proc *pr = find(p, name);

	if (!pr)
		return false;
	poll_exit(pr);
	return !pr->exited && kill(-pr->pid, sig) == 0;
}

static void
stop(struct proc *pr, guint grace_ms)
{
	poll_exit(pr);
	if (pr->exited)
		return;
	kill(pr->pid, SIGTERM);
	for (guint waited = 0; waited < grace_ms; waited += 20) {
		poll_exit(pr);
		if (pr->exited)
			return;
		sleep_ms(20);
	}
	kill(pr->pid, SIGKILL);
	while (!pr->exited) {
		if (waitpid(pr->pid, &pr->status, 0) == pr->pid || errno == ECHILD)
			pr->exited = true;
	}
}

bool
tb_proc_stop(struct tb_procs *p, const char *name, guint grace_ms)
{
	struct proc *pr = find(p, name);

	if (!pr)
		return false;
	poll_exit(pr);
	if (pr->exited)
		return false;
	stop(pr, grace_ms);
	return true;
}

void
tb_procs_stop_all(struct tb_procs *p, guint grace_ms)
{
	g_autofree char *done = g_strconcat(p->list, ".stopped", NULL);

	for (guint i = p->procs->len; i-- > 0;)
		stop(p->procs->pdata[i], grace_ms);
	/* Kept as the run's record of what it started. */
	if (p->procs->len)
		rename(p->list, done);
}

gboolean
tb_run(const char *netns, const char *const *argv, const char *log_path, guint timeout_ms,
       GError **err)
{
	struct proc pr = { 0 };
	g_autofree char *cmd = g_strjoinv(" ", (char **)argv);

	if (!spawn(netns, argv, log_path, &pr.pid, err))
		return FALSE;
	for (guint waited = 0;; waited += 10) {
		poll_exit(&pr);
		if (pr.exited)
			break;
		if (waited >= timeout_ms) {
			stop(&pr, 1000);
			g_set_error(err, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED,
				    "%s: no answer after %.1f s (see %s)", cmd, timeout_ms / 1e3,
				    log_path ? log_path : "its output");
			return FALSE;
		}
		sleep_ms(10);
	}
	if (!WIFEXITED(pr.status) || WEXITSTATUS(pr.status) != 0) {
		g_set_error(err, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED, "%s: %s %d (see %s)", cmd,
			    WIFEXITED(pr.status) ? "exit status" : "signal",
			    WIFEXITED(pr.status) ? WEXITSTATUS(pr.status) : WTERMSIG(pr.status),
			    log_path ? log_path : "its output");
		return FALSE;
	}
	return TRUE;
}

gboolean
tb_procs_clean(const char *dir, unsigned *stopped, GError **err)
{
	g_autofree char *list = g_build_filename(dir, "procs", NULL);
	g_autofree char *text = NULL;
	g_auto(GStrv) lines = NULL;
	size_t n;

	*stopped = 0;
	if (!g_file_test(list, G_FILE_TEST_EXISTS))
		return TRUE;
	if (!g_file_get_contents(list, &text, NULL, err))
		return FALSE;
	lines = g_strsplit(text, "\n", -1);
	n = g_strv_length(lines);
	/* The last started first, as tb_procs_stop_all. */
	for (size_t i = n; i-- > 0;) {
		g_auto(GStrv) f = g_strsplit(lines[i], "\t", 3);
		gint64 pid;
		const char *start;

		if (g_strv_length(f) != 3 || !g_ascii_string_to_signed(f[0], 10, 2, G_MAXINT,
								       &pid, NULL))
			continue;
		start = strcmp(f[1], "-") == 0 ? NULL : f[1];
		if (!start || !liveness_alive(g_get_host_name(), (pid_t)pid, start))
			continue;
		kill((pid_t)pid, SIGTERM);
		for (int w = 0; w < 150 && liveness_alive(g_get_host_name(), (pid_t)pid, start); w++)
			sleep_ms(20);
		if (liveness_alive(g_get_host_name(), (pid_t)pid, start)) {
			kill((pid_t)pid, SIGKILL);
			/* Not our child: gone once its parent (init) reaps it. */
			for (int w = 0; w < 250 && liveness_alive(g_get_host_name(), (pid_t)pid,
								   start); w++)
				sleep_ms(20);
		}
		(*stopped)++;
	}
	{
		g_autofree char *done = g_strconcat(list, ".stopped", NULL);

		rename(list, done);
	}
	return TRUE;
}
