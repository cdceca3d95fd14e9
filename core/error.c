/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "flashcoop/core.h"

const char *
fc_strerror(int code)
{
	switch (code) {
	case 0:
		return "success";
#define FC_ERRNO_MSG(name, value, msg) case value: return msg;
		FC_ERRNO_MAP(FC_ERRNO_MSG)
#undef FC_ERRNO_MSG
	}
	return "unknown error";
}

const char *
fc_errname(int code)
{
	switch (code) {
#define FC_ERRNO_NAME(name, value, msg) case value: return "FC_ERR_" #name;
		FC_ERRNO_MAP(FC_ERRNO_NAME)
#undef FC_ERRNO_NAME
	}
	return NULL;
}
