/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Liveness of the process that wrote a row: this process is alive under
 * its own identity, not under another start time (a reused pid), a child
 * that ended is not, and a process of another host cannot be judged.
 */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>

#include "sim/liveness.h"
#include "tests/testutil.h"

static void
test_self(void)
{
	g_autofree char *start = liveness_start_of(getpid());

	g_assert_nonnull(start);
	g_assert_true(liveness_alive(g_get_host_name(), getpid(), start));
	g_assert_true(liveness_alive(g_get_host_name(), getpid(), NULL));
}

/* The same pid with another start time is another process: a reused pid. */
static void
test_reused_pid(void)
{
	g_assert_false(liveness_alive(g_get_host_name(), getpid(), "00000000/1"));
}

/* A child that exited is dead, whether a zombie or reaped. */
static void
test_dead_child(void)
{
	pid_t pid = fork();
	g_autofree char *start = NULL;
	int st;

	g_assert_cmpint(pid, >=, 0);
	if (pid == 0) {
		pause();
		_exit(0);
	}
	start = liveness_start_of(pid);
	g_assert_nonnull(start);
	g_assert_true(liveness_alive(g_get_host_name(), pid, start));
	kill(pid, SIGKILL);
	/* A zombie until waited for: already not alive. */
	while (liveness_alive(g_get_host_name(), pid, start))
		g_usleep(1000);
	g_assert_cmpint(waitpid(pid, &st, 0), ==, pid);
	g_assert_false(liveness_alive(g_get_host_name(), pid, start));
	g_assert_false(liveness_alive(g_get_host_name(), 0, NULL));
}

static void
test_other_host(void)
{
	g_assert_true(liveness_alive("another-host.invalid", 1, "x/1"));
}

int
main(int argc, char **argv)
{
	testutil_init(&argc, &argv);
	g_test_add_func("/liveness/self", test_self);
	g_test_add_func("/liveness/reused-pid", test_reused_pid);
	g_test_add_func("/liveness/dead-child", test_dead_child);
	g_test_add_func("/liveness/other-host", test_other_host);
	return g_test_run();
}
