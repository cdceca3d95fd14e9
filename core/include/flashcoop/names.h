/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Name tables: the names an enum's values are written with, in
 * configuration files and logs.  A table is an array of {name, value}
 * ending with an entry whose name is NULL; names are unique within a
 * table, values usually too (two names may share a value, as aliases).
 * The order of a table is the order in which its names are documented.
 *
 * The core exports the tables of its own enums that a host lets users
 * choose (flashcoop/core.h); a host may define tables of its own the same
 * way, so that one type serves every "one of a|b|c" setting.
 */
#ifndef FLASHCOOP_NAMES_H
#define FLASHCOOP_NAMES_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct fc_enum_name {
	const char *name; /* NULL ends the table */
	int value;
};

/* The number of entries before the terminating one. */
size_t fc_enum_count(const struct fc_enum_name *table);

/*
 * The entry called name (case-sensitive), or NULL when there is none.
 */
const struct fc_enum_name *fc_enum_find(const struct fc_enum_name *table,
					const char *name);

/* The first name of value, or NULL when no entry has it; static text. */
const char *fc_enum_name_of(const struct fc_enum_name *table, int value);

#ifdef __cplusplus
}
#endif

#endif
