/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The scenario key table.  Every key a scenario file may hold is declared
 * once, in the program's key table (models/keys.c), with its type, unit,
 * default, allowed range and a one-line meaning.  The table drives parsing and validation (sim/scenario.c),
 * the defaults, `flashcoop keys` and docs/scenario.md; nothing else lists
 * keys.  Tests may build tables of their own.
 */
#ifndef FLASHCOOP_SIM_KEYS_H
#define FLASHCOOP_SIM_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#include "flashcoop/names.h"

enum key_type {
	KEY_DURATION, /* nanoseconds; written 30s, 250ms, 2h */
	KEY_SIZE,     /* bytes; written 64KiB, 1.5MB */
	KEY_RATE,     /* bits per second; written 100Mbit/s, 2MB/s */
	KEY_RATIO,    /* a fraction; written 0.3 or 30% */
	KEY_COUNT,    /* an unsigned integer */
	KEY_REAL,     /* a finite real number, unit in key_def.unit */
	KEY_BOOL,     /* true or false */
	KEY_ENUM,     /* one of the names of key_def.names */
	KEY_STRING,   /* free text */
};

enum key_flags {
	KEY_LIST = 1 << 0, /* a comma-separated list of values of the type */
	KEY_META = 1 << 1, /* describes the scenario; does not change results */
};

struct key_def {
	const char *group, *name;
	enum key_type type;
	unsigned flags;
	const char *unit;    /* KEY_REAL and KEY_COUNT: what is counted */
	const char *def;     /* default, written as in a file; NULL: none, the
				key must be set (scenario_missing()) */
	const char *min;     /* bounds as in a file; a leading '>' or '<' */
	const char *max;     /*   makes the bound exclusive; NULL: none */
	/* KEY_ENUM: the choices and the value each stands for, in
	 * documentation order (flashcoop/names.h). */
	const struct fc_enum_name *names;
	const char *doc;     /* one line */
};

struct key_table {
	const struct key_def *defs; /* in documentation order */
	size_t n;
};

/* The key group.name, or NULL. */
const struct key_def *keys_find(const struct key_table *t, const char *group,
				const char *name);

/* The key for "group.name", or NULL. */
const struct key_def *keys_find_dotted(const struct key_table *t, const char *dotted);

/* Whether any key is in group. */
bool keys_group_exists(const struct key_table *t, const char *group);

/* The type's name for documentation ("duration", "size", ...). */
const char *keys_type_name(const struct key_def *k);

/*
 * The units or notation a value takes, for documentation and errors
 * ("ns, us, ms, s, min, h, d"; a choice's names as "a|b|c"); newly
 * allocated.
 */
char *keys_type_units(const struct key_def *k);

/* The names of a name table joined by sep; newly allocated. */
char *keys_join_names(const struct fc_enum_name *names, const char *sep);

/* A KEY_ENUM key's names joined by sep ("a|b|c", "a, b, c"); newly allocated. */
char *keys_choices(const struct key_def *k, const char *sep);

/*
 * Of candidates[0..n-1], the one nearest to word by edit distance when it is
 * near enough to be a plausible typo (one slip in a short name, at most 3
 * in a long one), else NULL.  Case differences count little.  A candidate
 * whose length differs from word's by more than that is skipped without
 * computing a distance, so the cost is bounded by the candidates' lengths
 * however long word is.
 */
const char *keys_suggest(const char *word, const char *const *candidates, size_t n);

/*
 * How many characters of a name or value an error message quotes: a
 * longer one is cut there and ends in "...", so that a message stays one
 * readable line whatever the input.
 */
#define KEYS_QUOTE_MAX 40

/* text cut to KEYS_QUOTE_MAX characters (UTF-8) plus "..."; newly allocated. */
char *keys_shorten(const char *text);

/*
 * For a command line that GOption refused: the long option of entries
 * (G_OPTION_ENTRY-terminated) nearest to the first "--name" of args
 * (NULL-terminated) that is not one of them, or NULL.
 */
const char *keys_suggest_option(const GOptionEntry *entries, char **args);

/* keys_suggest() over the groups of the table. */
const char *keys_suggest_group(const struct key_table *t, const char *group);

/* keys_suggest() over the keys of group. */
const char *keys_suggest_key(const struct key_table *t, const char *group,
			     const char *name);

/* keys_suggest() over every "group.name"; the result is newly allocated. */
char *keys_suggest_dotted(const struct key_table *t, const char *dotted);

/* The table as Markdown (docs/scenario.md); newly allocated. */
char *keys_markdown(const struct key_table *t);

/* The table as plain text for a terminal; newly allocated. */
char *keys_text(const struct key_table *t);

#endif
