/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Hash functions for the models' GHashTables.  A hash table's iteration
 * order is unspecified, so no decision or event order may depend on it
 * (sort, or keep an ordered index).  To catch a dependence that slipped in,
 * these functions mix in a salt taken once from the environment variable
 * FLASHCOOP_HASH_SALT (an unsigned integer; unset or 0: no salt, the same
 * hashes as GLib's): tests/hash-order.sh runs the shipped scenarios with a
 * salt and compares their results byte for byte with the unsalted ones.
 * The salt changes only the order of iteration, never a lookup's result.
 */
#ifndef FLASHCOOP_SIM_HASH_H
#define FLASHCOOP_SIM_HASH_H

#include <glib.h>

/* For keys that are pointers or GUINT_TO_POINTER() integers. */
guint sim_hash_direct(gconstpointer v);
/* For NUL-terminated strings. */
guint sim_hash_str(gconstpointer v);
/* For pointers to gint64 or guint64. */
guint sim_hash_int64(gconstpointer v);
/* For 64-bit integers held in the pointer itself (where a pointer has 64
 * bits): both halves count, as in sim_hash_int64. */
guint sim_hash_direct64(gconstpointer v);

#endif
