/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "flashcoop/names.h"

#include <string.h>

size_t
fc_enum_count(const struct fc_enum_name *table)
{
	size_t n = 0;

	while (table[n].name)
		n++;
	return n;
}

const struct fc_enum_name *
fc_enum_find(const struct fc_enum_name *table, const char *name)
{
	for (; table->name; table++)
		if (strcmp(table->name, name) == 0)
			return table;
	return NULL;
}

const char *
fc_enum_name_of(const struct fc_enum_name *table, int value)
{
	for (; table->name; table++)
		if (table->value == value)
			return table->name;
	return NULL;
}
