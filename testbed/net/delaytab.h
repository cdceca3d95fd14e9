/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fc-delay's delay table: the one-way delay each host subnet adds to the
 * packets it sends and receives.  The file has one line per subnet,
 *
 *	# comment
 *	10.77.1.0/24 20
 *	10.77.2.0/24 2.5
 *
 * an IPv4 prefix and a delay in milliseconds (a decimal number, 0 to
 * 60000, at most microsecond precision kept), separated by blanks; blank
 * lines and lines starting with '#' are ignored.  A packet from a to b is
 * held delay(a) + delay(b), where delay(x) is the delay of the longest
 * prefix holding x, or 0 when none does.  Host bits set in a prefix, a
 * prefix given twice, a malformed address, length or delay are errors.
 */
#ifndef FLASHCOOP_TESTBED_NET_DELAYTAB_H
#define FLASHCOOP_TESTBED_NET_DELAYTAB_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "flashcoop/time.h"

/* The largest delay a line may give, in milliseconds. */
#define TB_DELAYTAB_MAX_MS 60000

struct tb_delaytab;

/* An empty table: every address has delay 0. */
struct tb_delaytab *tb_delaytab_new(void);

/* Frees the table; accepts NULL. */
void tb_delaytab_free(struct tb_delaytab *t);

/* g_autoptr(tb_delaytab) */
typedef struct tb_delaytab tb_delaytab;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(tb_delaytab, tb_delaytab_free)

/*
 * Parses text (len bytes, or up to its NUL when len is -1) in the format
 * above into t, adding to what t holds.  `name` (a file name) leads the
 * error message, as "NAME:LINE: what is wrong".  On error returns false
 * with the error set (G_IO_ERROR_INVALID_DATA) and leaves t as it was.
 */
bool tb_delaytab_parse(struct tb_delaytab *t, const char *name, const char *text,
		       gssize len, GError **error);

/* Reads a table file into a new table; NULL with the error set on failure. */
struct tb_delaytab *tb_delaytab_load(const char *path, GError **error);

/* Subnets in the table. */
guint tb_delaytab_size(const struct tb_delaytab *t);

/*
 * The delay of the longest prefix that holds addr (an IPv4 address in host
 * byte order), 0 when none does.
 */
fc_time_t tb_delaytab_lookup(const struct tb_delaytab *t, uint32_t addr);

/* The one-way delay of a packet from src to dst: the sum of their delays. */
fc_time_t tb_delaytab_delay(const struct tb_delaytab *t, uint32_t src, uint32_t dst);

#endif
