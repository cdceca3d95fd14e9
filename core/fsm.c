/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The state machine of seed 000 Fig. 4, as data.  The node moves only along
 * these rows (core/node.c asserts it), and `flashcoop fsm --dot` draws them,
 * so the figure and the code cannot drift apart.
 */
#include "flashcoop/core.h"

static const struct fc_transition table[] = {
	{ FC_STATE_LOW, FC_IN_LOAD_HIGH, FC_STATE_FLASH },
	{ FC_STATE_LOW, FC_IN_RESCUE_START, FC_STATE_RESCUE },
	{ FC_STATE_FLASH, FC_IN_FLASH_OVER, FC_STATE_LOW },
	{ FC_STATE_FLASH, FC_IN_RESCUE_START, FC_STATE_FLASH_RESCUE },
	{ FC_STATE_RESCUE, FC_IN_LOAD_HIGH, FC_STATE_FLASH_RESCUE },
	{ FC_STATE_RESCUE, FC_IN_RESCUE_START, FC_STATE_RESCUE },
	{ FC_STATE_RESCUE, FC_IN_RESCUE_END, FC_STATE_RESCUE },
	{ FC_STATE_RESCUE, FC_IN_LAST_RESCUE_END, FC_STATE_LOW },
	{ FC_STATE_FLASH_RESCUE, FC_IN_FLASH_OVER, FC_STATE_RESCUE },
	{ FC_STATE_FLASH_RESCUE, FC_IN_RESCUE_START, FC_STATE_FLASH_RESCUE },
	{ FC_STATE_FLASH_RESCUE, FC_IN_RESCUE_END, FC_STATE_FLASH_RESCUE },
	{ FC_STATE_FLASH_RESCUE, FC_IN_LAST_RESCUE_END, FC_STATE_FLASH },
};

const struct fc_transition *
fc_transitions(size_t *n)
{
	*n = sizeof table / sizeof table[0];
	return table;
}

const struct fc_enum_name fc_state_names[] = {
	{ "LOW", FC_STATE_LOW },
	{ "FLASH", FC_STATE_FLASH },
	{ "RESCUE", FC_STATE_RESCUE },
	{ "FLASH+RESCUE", FC_STATE_FLASH_RESCUE },
	{ NULL, 0 },
};

const char *
fc_state_name(enum fc_state s)
{
	const char *name = fc_enum_name_of(fc_state_names, (int)s);

	return name ? name : "?";
}

const char *
fc_input_name(enum fc_input in)
{
	switch (in) {
	case FC_IN_LOAD_HIGH: return "load above threshold";
	case FC_IN_FLASH_OVER: return "flash crowd over (interval passed, or calm long enough)";
	case FC_IN_RESCUE_START: return "help request, redirected request or peer down";
	case FC_IN_RESCUE_END: return "a rescue ends, others remain";
	case FC_IN_LAST_RESCUE_END: return "the last rescue ends";
	case FC_IN_COUNT: break;
	}
	return "?";
}
