/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/keyfile.h"

#include <string.h>

#include "sim/infile.h"
#include "sim/keys.h"

gboolean
keyfile_error(GError **err, GQuark domain, int code, const char *path, unsigned line,
	      const char *fmt, ...)
{
	va_list ap;
	g_autofree char *msg = NULL;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (line)
		g_set_error(err, domain, code, "%s:%u: %s", path, line, msg);
	else
		g_set_error(err, domain, code, "%s: %s", path, msg);
	return FALSE;
}

static void
entry_free(gpointer p)
{
	struct keyfile_entry *e = p;

	g_free(e->group);
	g_free(e->key);
	g_free(e->value);
	g_free(e);
}

static void
add(GPtrArray *entries, const char *group, const char *key, unsigned line)
{
	struct keyfile_entry *e = g_new0(struct keyfile_entry, 1);

	e->group = g_strdup(group);
	e->key = g_strdup(key);
	e->line = line;
	g_ptr_array_add(entries, e);
}

/* The line scan; see keyfile.h. */
static gboolean
scan(const char *path, const char *text, gsize len, const struct keyfile_codes *c,
     GPtrArray *entries, GError **err)
{
	g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal,
							   g_free, NULL);
	g_autofree char *group = NULL;
	const char *nul = memchr(text, '\0', len);
	g_auto(GStrv) lines = NULL;

	if (nul) {
		unsigned line = 1;

		for (const char *p = text; p < nul; p++)
			line += *p == '\n';
		return keyfile_error(err, c->domain, c->syntax, path, line,
				     "not a text file (a NUL byte)");
	}
	lines = g_strsplit(text, "\n", -1);
	for (unsigned i = 0; lines[i]; i++) {
		unsigned ln = i + 1;
		char *line = lines[i];
		char *eq;
		g_autofree char *id = NULL, *shown = NULL;
		gpointer first;

		if (!g_utf8_validate(line, -1, NULL))
			return keyfile_error(err, c->domain, c->syntax, path, ln,
					     "not UTF-8 text");
		g_strstrip(line);
		shown = keys_shorten(line);
		if (!*line || *line == '#')
			continue;
		if (*line == '[') {
			size_t l = strlen(line);

			if (line[l - 1] != ']' || l < 3 || strchr(line + 1, '[') ||
			    memchr(line + 1, ']', l - 2))
				return keyfile_error(err, c->domain, c->syntax, path, ln,
						     "malformed group header '%s': "
						     "expected [group]", shown);
			g_free(group);
			group = g_strndup(line + 1, l - 2);
			id = g_strdup_printf("[%s]", group);
			if (g_hash_table_lookup_extended(seen, id, NULL, &first))
				return keyfile_error(err, c->domain, c->duplicate, path, ln,
						     "group [%s] appears twice (first "
						     "at line %u)", group,
						     GPOINTER_TO_UINT(first));
			g_hash_table_insert(seen, g_steal_pointer(&id), GUINT_TO_POINTER(ln));
			add(entries, group, NULL, ln);
			continue;
		}
		eq = strchr(line, '=');
		if (!eq)
			return keyfile_error(err, c->domain, c->syntax, path, ln,
					     "expected 'key = value', '[group]' or a "
					     "'#' comment, found '%s'", shown);
		*eq = '\0';
		g_strchomp(line);
		/* From here on the messages quote the key, or the value. */
		g_free(shown);
		shown = keys_shorten(*line ? line : g_strstrip(eq + 1));
		if (!*line)
			return keyfile_error(err, c->domain, c->syntax, path, ln,
					     "a value without a key ('= %s')", shown);
		if (!group)
			return keyfile_error(err, c->domain, c->syntax, path, ln,
					     "key '%s' comes before any [group]", shown);
		if (strpbrk(line, "[]"))
			return keyfile_error(err, c->domain, c->syntax, path, ln,
					     "'%s': localised keys (key[locale]) are "
					     "not supported", shown);
		id = g_strdup_printf("%s\n%s", group, line);
		if (g_hash_table_lookup_extended(seen, id, NULL, &first))
			return keyfile_error(err, c->domain, c->duplicate, path, ln,
					     "key '%s' in [%s] is set twice (first at "
					     "line %u)", line, group,
					     GPOINTER_TO_UINT(first));
		g_hash_table_insert(seen, g_steal_pointer(&id), GUINT_TO_POINTER(ln));
		add(entries, group, line, ln);
	}
	return TRUE;
}

GPtrArray *
keyfile_read(const char *path, const struct keyfile_codes *c, char **text,
	     GError **err)
{
	g_autofree char *contents = NULL;
	g_autoptr(GError) e = NULL;
	g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func(entry_free);
	g_autoptr(GKeyFile) kf = g_key_file_new();
	gsize len;

	if (!infile_read(path, INFILE_MAX_TEXT, &contents, &len, &e)) {
		g_set_error(err, c->domain, c->io, "%s", e->message);
		return NULL;
	}
	if (!scan(path, contents, len, c, entries, err))
		return NULL;
	if (!g_key_file_load_from_data(kf, contents, len, G_KEY_FILE_NONE, &e)) {
		keyfile_error(err, c->domain, c->syntax, path, 0, "%s", e->message);
		return NULL;
	}
	for (guint i = 0; i < entries->len; i++) {
		struct keyfile_entry *en = entries->pdata[i];

		if (!en->key)
			continue;
		en->value = g_key_file_get_string(kf, en->group, en->key, &e);
		if (!en->value) {
			keyfile_error(err, c->domain, c->syntax, path, en->line, "%s",
				      e->message);
			return NULL;
		}
		/* An escape (\n, \r) can put a line break or another control
		 * character into a value; every message that quotes the value
		 * would then be more than one line. */
		for (const char *v = en->value; *v; v++) {
			if ((unsigned char)*v < 0x20 && *v != '\t') {
				keyfile_error(err, c->domain, c->syntax, path, en->line,
					      "[%s] %s: a control character (\\x%02x) "
					      "in the value", en->group, en->key,
					      (unsigned)*v);
				return NULL;
			}
		}
	}
	if (text)
		*text = g_steal_pointer(&contents);
	return g_steal_pointer(&entries);
}
