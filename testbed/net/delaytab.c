/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The delay table: one hash table from (length, prefix) to delay, and the
 * distinct prefix lengths in decreasing order, so that a lookup tries at
 * most 33 keys, longest first, whatever the number of subnets.
 */
#include "testbed/net/delaytab.h"

#include <arpa/inet.h>
#include <math.h>
#include <string.h>

#include <gio/gio.h>

struct tb_delaytab {
	GHashTable *delays; /* (len << 32 | prefix) as gint64 -> fc_time_t */
	bool has_len[33];
	int lens[33]; /* the lengths in use, longest first */
	int n_lens;
};

struct tb_delaytab *
tb_delaytab_new(void)
{
	struct tb_delaytab *t = g_new0(struct tb_delaytab, 1);

	t->delays = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
	return t;
}

void
tb_delaytab_free(struct tb_delaytab *t)
{
	if (!t)
		return;
	g_hash_table_unref(t->delays);
	g_free(t);
}

static uint32_t
prefix_mask(int len)
{
	return len == 0 ? 0 : UINT32_MAX << (32 - len);
}

/* One parsed line. */
struct line {
	uint32_t prefix;
	int len;
	fc_time_t delay;
};

/*
 * Parses one non-comment line into *out; on error returns a message
 * (allocated) saying what is wrong with it.
 */
static char *
parse_line(const char *line, struct line *out)
{
	g_auto(GStrv) words = g_strsplit_set(line, " \t", -1);
	const char *w[3];
	struct in_addr a;
	const char *slash;
	char *end;
	int n = 0;
	gint64 len;
	double ms;

	for (int i = 0; words[i]; i++) {
		if (words[i][0] == '\0')
			continue;
		if (n == 2)
			return g_strdup_printf("expected 'PREFIX/LEN DELAY_MS', found more: '%s'",
					       words[i]);
		w[n++] = words[i];
	}
	if (n < 2)
		return g_strdup("expected 'PREFIX/LEN DELAY_MS'");

	slash = strchr(w[0], '/');
	if (!slash)
		return g_strdup_printf("'%s' has no /LEN", w[0]);
	{
		g_autofree char *addr = g_strndup(w[0], (gsize)(slash - w[0]));

		if (inet_pton(AF_INET, addr, &a) != 1)
			return g_strdup_printf("'%s' is not an IPv4 address", addr);
	}
	if (!g_ascii_isdigit(slash[1]))
		return g_strdup_printf("prefix length '%s' is not a number 0..32", slash + 1);
	len = g_ascii_strtoll(slash + 1, &end, 10);
	if (*end != '\0' || len < 0 || len > 32)
		return g_strdup_printf("prefix length '%s' is not a number 0..32", slash + 1);
	out->prefix = ntohl(a.s_addr);
	out->len = (int)len;
	if (out->prefix & ~prefix_mask(out->len))
		return g_strdup_printf("'%s' has host bits set", w[0]);

	ms = g_ascii_strtod(w[1], &end);
	if (end == w[1] || *end != '\0' || !isfinite(ms) || !g_ascii_isdigit(w[1][0]))
		return g_strdup_printf("delay '%s' is not a number of milliseconds", w[1]);
	if (ms < 0 || ms > TB_DELAYTAB_MAX_MS)
		return g_strdup_printf("delay %s ms is outside 0..%d ms", w[1], TB_DELAYTAB_MAX_MS);
	out->delay = (fc_time_t)llround(ms * 1000.0) * FC_USEC;
	return NULL;
}

static gint64
table_key(uint32_t prefix, int len)
{
	return (gint64)(((uint64_t)len << 32) | prefix);
}

bool
tb_delaytab_parse(struct tb_delaytab *t, const char *name, const char *text, gssize len,
		  GError **error)
{
	g_autofree char *copy = len < 0 ? g_strdup(text) : g_strndup(text, (gsize)len);
	g_autoptr(GArray) lines = g_array_new(FALSE, FALSE, sizeof(struct line));
	g_autoptr(GHashTable) seen = g_hash_table_new(g_int64_hash, g_int64_equal);
	g_autofree gint64 *keys = NULL;
	g_auto(GStrv) rows = g_strsplit(copy, "\n", -1);
	guint n_rows = g_strv_length(rows);

	/* The keys of this text's lines, for the duplicate check. */
	keys = g_new(gint64, n_rows + 1);
	for (guint i = 0; i < n_rows; i++) {
		g_autofree char *msg = NULL;
		char *row = g_strstrip(rows[i]);
		struct line l;

		if (row[0] == '\0' || row[0] == '#')
			continue;
		msg = parse_line(row, &l);
		if (!msg) {
			keys[i] = table_key(l.prefix, l.len);
			if (g_hash_table_contains(t->delays, &keys[i]) ||
			    !g_hash_table_add(seen, &keys[i]))
				msg = g_strdup_printf("the prefix of '%s' is given twice", row);
		}
		if (msg) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s:%u: %s", name,
				    i + 1, msg);
			return false;
		}
		g_array_append_val(lines, l);
	}

	for (guint i = 0; i < lines->len; i++) {
		const struct line *l = &g_array_index(lines, struct line, i);
		gint64 *key = g_new(gint64, 1);

		*key = table_key(l->prefix, l->len);
		g_hash_table_insert(t->delays, key, g_memdup2(&l->delay, sizeof l->delay));
		t->has_len[l->len] = true;
	}
	t->n_lens = 0;
	for (int l = 32; l >= 0; l--)
		if (t->has_len[l])
			t->lens[t->n_lens++] = l;
	return true;
}

struct tb_delaytab *
tb_delaytab_load(const char *path, GError **error)
{
	g_autoptr(tb_delaytab) t = tb_delaytab_new();
	g_autofree char *text = NULL;
	gsize len;

	if (!g_file_get_contents(path, &text, &len, error))
		return NULL;
	if (!tb_delaytab_parse(t, path, text, (gssize)len, error))
		return NULL;
	return g_steal_pointer(&t);
}

guint
tb_delaytab_size(const struct tb_delaytab *t)
{
	return g_hash_table_size(t->delays);
}

fc_time_t
tb_delaytab_lookup(const struct tb_delaytab *t, uint32_t addr)
{
	for (int i = 0; i < t->n_lens; i++) {
		gint64 key = table_key(addr & prefix_mask(t->lens[i]), t->lens[i]);
		const fc_time_t *d = g_hash_table_lookup(t->delays, &key);

		if (d)
			return *d;
	}
	return 0;
}

fc_time_t
tb_delaytab_delay(const struct tb_delaytab *t, uint32_t src, uint32_t dst)
{
	return tb_delaytab_lookup(t, src) + tb_delaytab_lookup(t, dst);
}
