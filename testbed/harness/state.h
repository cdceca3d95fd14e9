/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * One testbed run at a time on a machine: the run holds an exclusive lock
 * (flock) on TB_STATE_DIR/lock for its whole life, and writes the path of
 * its run directory to TB_STATE_DIR/current before it creates anything.
 * A run that finds `current` left by a run that was killed cleans what
 * that directory records (its processes by pid, its namespaces) before it
 * starts; so does `fc-testbed clean`.
 */
#ifndef FLASHCOOP_TESTBED_HARNESS_STATE_H
#define FLASHCOOP_TESTBED_HARNESS_STATE_H

#include <glib.h>

#define TB_STATE_DIR "/run/flashcoop-testbed"

/*
 * Takes the lock: a descriptor to keep open (closing it releases the
 * lock), or -1 with err set, saying which process holds it when another
 * run does.
 */
int tb_state_lock(GError **err);

/* The run directory a killed run left, newly allocated, or NULL. */
char *tb_state_left(void);

/* Records dir as the current run's directory (NULL: none). */
gboolean tb_state_set(const char *dir, GError **err);

#endif
