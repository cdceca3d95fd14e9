/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Whether the process that wrote a database row is still alive.  A process
 * is named by its host, its pid and its start time: the pid alone would be
 * mistaken for another process that reuses it later, so the start time
 * (the boot's id and the start in clock ticks since boot, from /proc) is
 * recorded beside it.  Run rows carry this identity, both as the claim of a
 * run key (sim/results.h) and to find runs left 'running' by a process that
 * died.
 */
#ifndef FLASHCOOP_SIM_LIVENESS_H
#define FLASHCOOP_SIM_LIVENESS_H

#include <stdbool.h>
#include <sys/types.h>

/*
 * The start time of process pid as "BOOT-ID/TICKS", newly allocated, or
 * NULL when the system does not tell (no /proc, or no such process).
 */
char *liveness_start_of(pid_t pid);

/*
 * Whether the process (host, pid, start) may still be running.  A process
 * of another host cannot be checked and counts as alive; on this host it is
 * alive when pid exists, is not a zombie and, when start is not NULL, has
 * that start time.
 */
bool liveness_alive(const char *host, pid_t pid, const char *start);

#endif
