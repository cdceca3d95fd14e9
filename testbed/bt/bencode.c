/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "testbed/bt/bencode.h"

#include <string.h>

G_DEFINE_QUARK(tb-benc-error-quark, tb_benc_error)

/* ---- Writing ---- */

void
tb_benc_put_int(GString *out, gint64 v)
{
	g_string_append_printf(out, "i%" G_GINT64_FORMAT "e", v);
}

void
tb_benc_put_bytes(GString *out, const void *data, gsize len)
{
	g_string_append_printf(out, "%" G_GSIZE_FORMAT ":", len);
	g_string_append_len(out, data, (gssize)len);
}

void
tb_benc_put_str(GString *out, const char *s)
{
	tb_benc_put_bytes(out, s, strlen(s));
}

void
tb_benc_put_list_begin(GString *out)
{
	g_string_append_c(out, 'l');
}

void
tb_benc_put_dict_begin(GString *out)
{
	g_string_append_c(out, 'd');
}

void
tb_benc_put_end(GString *out)
{
	g_string_append_c(out, 'e');
}

/* ---- Reading ---- */

struct reader {
	const guint8 *p;
	gsize len, pos;
};

static gboolean
fail(GError **error, gint code, gsize pos, const char *what)
{
	g_set_error(error, TB_BENC_ERROR, code, "bencode: byte %" G_GSIZE_FORMAT ": %s", pos,
		    what);
	return FALSE;
}

static gboolean
is_digit(guint8 c)
{
	return c >= '0' && c <= '9';
}

/* Digits up to `stop`, canonical (no leading zero unless "0" alone), into
 * *out; at most `max`, beyond which it is an integer out of range or (for a
 * string's length) a string longer than the input.  Leaves pos on the stop
 * byte. */
static gboolean
read_digits(struct reader *r, guint8 stop, guint64 max, gboolean is_len, guint64 *out,
	    GError **error)
{
	gsize first = r->pos;
	guint64 v = 0;

	while (r->pos < r->len && is_digit(r->p[r->pos])) {
		guint d = (guint)(r->p[r->pos] - '0');

		if (r->pos > first && r->p[first] == '0')
			return fail(error, TB_BENC_ERROR_SYNTAX, first, "leading zero in a number");
		if (v > (max - d) / 10)
			return is_len ? fail(error, TB_BENC_ERROR_TRUNCATED, first,
					     "string longer than the input")
				      : fail(error, TB_BENC_ERROR_RANGE, first,
					     "integer out of range");
		v = v * 10 + d;
		r->pos++;
	}
	if (r->pos == r->len)
		return fail(error, TB_BENC_ERROR_TRUNCATED, r->pos, "input ends inside a number");
	if (r->pos == first)
		return fail(error, TB_BENC_ERROR_SYNTAX, r->pos, "digit expected");
	if (r->p[r->pos] != stop) {
		char what[40];

		g_snprintf(what, sizeof what, "'%c' expected", stop);
		return fail(error, TB_BENC_ERROR_SYNTAX, r->pos, what);
	}
	*out = v;
	return TRUE;
}

static struct tb_benc *
node_new(enum tb_benc_type type, gsize start)
{
	struct tb_benc *v = g_new0(struct tb_benc, 1);

	v->type = type;
	v->start = start;
	return v;
}

static struct tb_benc *parse_value(struct reader *r, guint depth, GError **error);

static struct tb_benc *
parse_int(struct reader *r, GError **error)
{
	gsize start = r->pos;
	gboolean neg = FALSE;
	guint64 mag;
	struct tb_benc *v;

	r->pos++; /* 'i' */
	if (r->pos < r->len && r->p[r->pos] == '-') {
		neg = TRUE;
		r->pos++;
	}
	if (!read_digits(r, 'e', neg ? (guint64)G_MAXINT64 + 1 : (guint64)G_MAXINT64, FALSE,
			 &mag, error))
		return NULL;
	if (neg && mag == 0) {
		fail(error, TB_BENC_ERROR_SYNTAX, start, "negative zero");
		return NULL;
	}
	r->pos++; /* 'e' */
	v = node_new(TB_BENC_INT, start);
	if (neg)
		v->i = mag == (guint64)G_MAXINT64 + 1 ? G_MININT64 : -(gint64)mag;
	else
		v->i = (gint64)mag;
	v->span = r->pos - start;
	return v;
}

static struct tb_benc *
parse_str(struct reader *r, GError **error)
{
	gsize start = r->pos;
	guint64 n;
	struct tb_benc *v;

	/* A length beyond the input is refused while reading its digits. */
	if (!read_digits(r, ':', r->len - r->pos, TRUE, &n, error))
		return NULL;
	r->pos++; /* ':' */
	if (n > r->len - r->pos) {
		fail(error, TB_BENC_ERROR_TRUNCATED, start, "string longer than the input");
		return NULL;
	}
	v = node_new(TB_BENC_STR, start);
	v->len = (gsize)n;
	v->s = g_malloc(v->len + 1);
	memcpy(v->s, r->p + r->pos, v->len);
	v->s[v->len] = '\0';
	r->pos += v->len;
	v->span = r->pos - start;
	return v;
}

/* Byte order of two strings, as BEP 3 sorts keys. */
static int
key_compare(const struct tb_benc *a, const struct tb_benc *b)
{
	int c = memcmp(a->s, b->s, MIN(a->len, b->len));

	if (c != 0)
		return c;
	return a->len < b->len ? -1 : a->len > b->len;
}

static struct tb_benc *
parse_container(struct reader *r, guint depth, GError **error)
{
	gsize start = r->pos;
	gboolean dict = r->p[r->pos] == 'd';
	struct tb_benc *v = node_new(dict ? TB_BENC_DICT : TB_BENC_LIST, start);
	const struct tb_benc *last_key = NULL;

	if (depth >= TB_BENC_MAX_DEPTH) {
		fail(error, TB_BENC_ERROR_DEPTH, start, "nested too deep");
		goto error;
	}
	v->items = g_ptr_array_new_with_free_func((GDestroyNotify)tb_benc_free);
	r->pos++;
	for (;;) {
		struct tb_benc *item;

		if (r->pos == r->len) {
			fail(error, TB_BENC_ERROR_TRUNCATED, r->pos,
			     dict ? "input ends inside a dictionary" : "input ends inside a list");
			goto error;
		}
		if (r->p[r->pos] == 'e')
			break;
		if (dict) {
			gsize kpos = r->pos;

			if (!is_digit(r->p[r->pos])) {
				fail(error, TB_BENC_ERROR_SYNTAX, r->pos,
				     "dictionary key is not a string");
				goto error;
			}
			item = parse_str(r, error);
			if (!item)
				goto error;
			if (last_key && key_compare(last_key, item) >= 0) {
				tb_benc_free(item);
				fail(error, TB_BENC_ERROR_SYNTAX, kpos,
				     "dictionary keys not in ascending order, or repeated");
				goto error;
			}
			last_key = item;
			g_ptr_array_add(v->items, item);
			if (r->pos == r->len) {
				fail(error, TB_BENC_ERROR_TRUNCATED, r->pos,
				     "dictionary key without a value");
				goto error;
			}
		}
		item = parse_value(r, depth + 1, error);
		if (!item)
			goto error;
		g_ptr_array_add(v->items, item);
	}
	r->pos++; /* 'e' */
	v->span = r->pos - start;
	return v;
error:
	tb_benc_free(v);
	return NULL;
}

static struct tb_benc *
parse_value(struct reader *r, guint depth, GError **error)
{
	guint8 c = r->p[r->pos]; /* callers make sure pos < len */

	if (c == 'i')
		return parse_int(r, error);
	if (c == 'l' || c == 'd')
		return parse_container(r, depth, error);
	if (is_digit(c))
		return parse_str(r, error);
	fail(error, TB_BENC_ERROR_SYNTAX, r->pos, "not the start of a value");
	return NULL;
}

struct tb_benc *
tb_benc_parse(const void *data, gsize len, GError **error)
{
	struct reader r = { .p = data, .len = len, .pos = 0 };
	struct tb_benc *v;

	if (len == 0) {
		fail(error, TB_BENC_ERROR_TRUNCATED, 0, "empty input");
		return NULL;
	}
	v = parse_value(&r, 0, error);
	if (v && r.pos != len) {
		tb_benc_free(v);
		fail(error, TB_BENC_ERROR_TRAILING, r.pos, "bytes after the value");
		return NULL;
	}
	return v;
}

void
tb_benc_free(struct tb_benc *v)
{
	if (!v)
		return;
	g_free(v->s);
	if (v->items)
		g_ptr_array_unref(v->items);
	g_free(v);
}

void
tb_benc_write(GString *out, const struct tb_benc *v)
{
	switch (v->type) {
	case TB_BENC_INT:
		tb_benc_put_int(out, v->i);
		return;
	case TB_BENC_STR:
		tb_benc_put_bytes(out, v->s, v->len);
		return;
	case TB_BENC_LIST:
	case TB_BENC_DICT:
		g_string_append_c(out, v->type == TB_BENC_LIST ? 'l' : 'd');
		for (guint i = 0; i < v->items->len; i++) {
			const struct tb_benc *item = v->items->pdata[i];

			if (v->type == TB_BENC_DICT && i % 2 == 0 && i > 0)
				g_assert(key_compare(v->items->pdata[i - 2], item) < 0);
			tb_benc_write(out, item);
		}
		tb_benc_put_end(out);
		return;
	}
	g_assert_not_reached();
}

const struct tb_benc *
tb_benc_dict_get(const struct tb_benc *v, const char *key)
{
	struct tb_benc k = { .type = TB_BENC_STR, .s = (char *)key, .len = strlen(key) };
	guint lo = 0, hi;

	if (!v || v->type != TB_BENC_DICT)
		return NULL;
	hi = v->items->len / 2;
	while (lo < hi) {
		guint mid = lo + (hi - lo) / 2;
		int c = key_compare(v->items->pdata[2 * mid], &k);

		if (c == 0)
			return v->items->pdata[2 * mid + 1];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

guint
tb_benc_count(const struct tb_benc *v)
{
	if (!v || !v->items)
		return 0;
	return v->type == TB_BENC_DICT ? v->items->len / 2 : v->items->len;
}

const struct tb_benc *
tb_benc_list_item(const struct tb_benc *v, guint i)
{
	g_assert(v->type == TB_BENC_LIST && i < v->items->len);
	return v->items->pdata[i];
}

static const struct tb_benc *
typed(const struct tb_benc *v, const char *key, const char *what, enum tb_benc_type type,
      GError **error)
{
	const struct tb_benc *x = tb_benc_dict_get(v, key);

	if (!x) {
		g_set_error(error, TB_BENC_ERROR, TB_BENC_ERROR_SCHEMA, "%s: no \"%s\"", what,
			    key);
		return NULL;
	}
	if (x->type != type) {
		g_set_error(error, TB_BENC_ERROR, TB_BENC_ERROR_SCHEMA, "%s: \"%s\" is not %s",
			    what, key, type == TB_BENC_INT ? "an integer" : "a string");
		return NULL;
	}
	return x;
}

gboolean
tb_benc_dict_int(const struct tb_benc *v, const char *key, const char *what, gint64 *out,
		 GError **error)
{
	const struct tb_benc *x = typed(v, key, what, TB_BENC_INT, error);

	if (!x)
		return FALSE;
	*out = x->i;
	return TRUE;
}

gboolean
tb_benc_dict_str(const struct tb_benc *v, const char *key, const char *what,
		 const struct tb_benc **out, GError **error)
{
	const struct tb_benc *x = typed(v, key, what, TB_BENC_STR, error);

	if (!x)
		return FALSE;
	*out = x;
	return TRUE;
}
