/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A scenario: a value for every key of a key table, read from a GLib key
 * file (and the files it includes), overridden from the command line, with
 * defaults for the rest.  Every value is checked against the table when it
 * is set; an error names the file and line (or "--set"), the group and key,
 * what was expected and what was found, and suggests the nearest valid name
 * for a misspelt group, key, unit or choice.
 *
 * Models read values through the typed getters below; asking for a key that
 * is not in the table, or with the wrong type, is a programming error and
 * aborts.
 */
#ifndef FLASHCOOP_SIM_SCENARIO_H
#define FLASHCOOP_SIM_SCENARIO_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "flashcoop/time.h"
#include "sim/keys.h"

#define SCENARIO_ERROR (scenario_error_quark())
GQuark scenario_error_quark(void);

enum scenario_error_code {
	SCENARIO_ERROR_IO,      /* a file cannot be read */
	SCENARIO_ERROR_SYNTAX,  /* not key-file syntax, or not text */
	SCENARIO_ERROR_UNKNOWN, /* unknown group or key */
	SCENARIO_ERROR_DUPLICATE,
	SCENARIO_ERROR_VALUE,   /* wrong type, unit, choice or range */
	SCENARIO_ERROR_INCLUDE, /* missing include, cycle, too deep */
	SCENARIO_ERROR_INVALID, /* values that do not fit together */
};

struct scenario;

/* A scenario holding the table's defaults; its name is "default". */
struct scenario *scenario_new(const struct key_table *t);

/* Reads path and what it includes; NULL with err set on any error. */
struct scenario *scenario_load(const struct key_table *t, const char *path,
			       GError **err);

/* An independent copy. */
struct scenario *scenario_copy(const struct scenario *sc);

/* Accepts NULL. */
void scenario_free(struct scenario *sc);

/*
 * Sets "group.key" to value, as written in a file; where names the source
 * in error messages ("--set", "sweep.ini:12").
 */
gboolean scenario_set(struct scenario *sc, const char *dotted, const char *value,
		      const char *where, GError **err);

/* scenario_set() from "group.key=value". */
gboolean scenario_assign(struct scenario *sc, const char *assignment,
			 const char *where, GError **err);

/* [scenario] name, or the main file's name without its extension. */
const char *scenario_name(const struct scenario *sc);

/* The main file's path as given to scenario_load(); "" for scenario_new(). */
const char *scenario_file(const struct scenario *sc);

/* The text of the main file followed by the files it includes. */
const char *scenario_text(const struct scenario *sc);

/* The key table. */
const struct key_table *scenario_keys_table(const struct scenario *sc);

/*
 * Every key's effective value in canonical form (units normalised, so that
 * "60s" and "1min" read the same), one "group.key = value" line per key in
 * table order; newly allocated.
 */
char *scenario_params(const struct scenario *sc);

/* The canonical text of one key's value. */
const char *scenario_value_text(const struct scenario *sc, const char *group,
				const char *name);

/* Where a key's value comes from: "file:line", "--set", ... or "default". */
const char *scenario_where(const struct scenario *sc, const char *group,
			   const char *name);

/* Whether a key was given (in a file or an override) rather than defaulted. */
bool scenario_is_set(const struct scenario *sc, const char *group, const char *name);

/* The first key of the table that has no default and was not set, or NULL. */
const struct key_def *scenario_missing(const struct scenario *sc);

/*
 * When group.name was set (in a file or an override), appends to warnings
 * (a GPtrArray of newly allocated strings) "WHERE: [group] name has no
 * effect: " and the reason; for a model's warn callback (sim/model.h).
 */
void scenario_warn_if_set(const struct scenario *sc, GPtrArray *warnings,
			  const char *group, const char *name, const char *fmt, ...)
	G_GNUC_PRINTF(5, 6);

/*
 * Stable keys, 16 hex digits: the point key hashes the canonical values of
 * every key that can change results (not the KEY_META ones); the run key
 * adds the replication number.
 */
char *scenario_point_key(const struct scenario *sc);
char *scenario_run_key(const struct scenario *sc, uint64_t replication);

/*
 * Sets err to "WHERE: [group] name: message" for a value that is valid alone
 * but not with the others; returns FALSE.
 */
gboolean scenario_invalid(const struct scenario *sc, GError **err, const char *group,
			  const char *name, const char *fmt, ...) G_GNUC_PRINTF(5, 6);

/* Typed getters; for a list key, the first item. */
fc_time_t scenario_duration(const struct scenario *sc, const char *group, const char *name);
uint64_t scenario_size(const struct scenario *sc, const char *group, const char *name);
uint64_t scenario_rate(const struct scenario *sc, const char *group, const char *name);
uint64_t scenario_count(const struct scenario *sc, const char *group, const char *name);
double scenario_real(const struct scenario *sc, const char *group, const char *name);
double scenario_ratio(const struct scenario *sc, const char *group, const char *name);
bool scenario_bool(const struct scenario *sc, const char *group, const char *name);
/* A single choice: its name, as in the key's name table. */
const char *scenario_choice(const struct scenario *sc, const char *group, const char *name);
/*
 * A single choice: the value its name stands for in the key's name table
 * (key_def.names), to be read as the enum the table names.
 */
int scenario_enum(const struct scenario *sc, const char *group, const char *name);
const char *scenario_string(const struct scenario *sc, const char *group, const char *name);

/* The number of items of a list. */
size_t scenario_list_len(const struct scenario *sc, const char *group, const char *name);
/* Item i of a list of durations, sizes, rates or counts (as uint64). */
uint64_t scenario_list_u64(const struct scenario *sc, const char *group,
			   const char *name, size_t i);
/* Item i of a list of choices, as the value of its name (scenario_enum()). */
int scenario_list_enum(const struct scenario *sc, const char *group, const char *name,
		       size_t i);

/*
 * Parses one value of key k, as written in a file, and returns its canonical
 * text (newly allocated), or NULL with *why set to the reason (newly
 * allocated, without location).  For sweeps, which check values before
 * building scenarios.
 */
char *scenario_parse_value(const struct key_def *k, const char *text, char **why);

#endif
