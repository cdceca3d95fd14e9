/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/evq.h"

#include <glib.h>

const struct evq_type *const evq_types[] = { &evq_radix, &evq_heap4, NULL };

const struct fc_enum_name evq_names[] = { { "radix", 0 }, { "heap4", 1 }, { NULL, 0 } };

const struct evq_type *
evq_type_find(const char *name)
{
	for (size_t i = 0; evq_types[i]; i++)
		if (g_strcmp0(evq_types[i]->name, name) == 0)
			return evq_types[i];
	return NULL;
}
