/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "testbed/node/executor.h"

#include <string.h>

void
tb_executor_free(struct tb_executor *e)
{
	if (!e)
		return;
	if (e->free)
		e->free(e->user);
	g_free(e);
}

struct log_exec {
	fc_time_t fetch_delay;
	bool fetch_fail;
};

static gboolean
log_dns(void *user, uint32_t site, uint32_t address, GError **err)
{
	return TRUE;
}

static gboolean
log_fetch(void *user, uint32_t site, uint64_t object, fc_node_id owner,
	  uint32_t owner_address, GError **err)
{
	const struct log_exec *x = user;

	if (x->fetch_delay)
		g_usleep((gulong)(x->fetch_delay / FC_USEC));
	if (x->fetch_fail) {
		g_set_error(err, g_quark_from_static_string("tb-executor-error"), 1,
			    "the log-only executor fails every fetch (fetch_fail = true)");
		return FALSE;
	}
	return TRUE;
}

static gboolean
log_remove(void *user, uint32_t site, GError **err)
{
	return TRUE;
}

static gboolean
log_push(void *user, uint32_t site, fc_node_id peer, uint32_t peer_address, GError **err)
{
	return TRUE;
}

struct tb_executor *
tb_executor_log_new(const struct tb_node_config *c, GError **err)
{
	static const char *const known[] = { "fetch_delay", "fetch_fail", NULL };
	const char *g = "executor";
	g_autofree struct log_exec *x = g_new0(struct log_exec, 1);
	struct tb_executor *e;

	if (g_key_file_has_group(c->keyfile, g)) {
		g_auto(GStrv) keys = g_key_file_get_keys(c->keyfile, g, NULL, NULL);

		for (size_t i = 0; keys && keys[i]; i++) {
			g_autofree char *v = g_key_file_get_value(c->keyfile, g, keys[i], NULL);

			g_strstrip(v);
			if (!g_strv_contains(known, keys[i])) {
				g_set_error(err, TB_NODE_CONFIG_ERROR, TB_NODE_CONFIG_ERROR_KEY,
					    "%s: [%s] %s: unknown key (the log-only executor reads "
					    "fetch_delay and fetch_fail)", c->path, g, keys[i]);
				return NULL;
			}
			if (strcmp(keys[i], "fetch_delay") == 0 &&
			    (!fc_time_parse(v, &x->fetch_delay) || x->fetch_delay > FC_MIN)) {
				g_set_error(err, TB_NODE_CONFIG_ERROR, TB_NODE_CONFIG_ERROR_VALUE,
					    "%s: [%s] %s: expected a duration up to 1min such as "
					    "250ms, found '%s'", c->path, g, keys[i], v);
				return NULL;
			}
			if (strcmp(keys[i], "fetch_fail") == 0) {
				if (strcmp(v, "true") == 0 || strcmp(v, "false") == 0) {
					x->fetch_fail = strcmp(v, "true") == 0;
				} else {
					g_set_error(err, TB_NODE_CONFIG_ERROR,
						    TB_NODE_CONFIG_ERROR_VALUE,
						    "%s: [%s] %s: expected true or false, found '%s'",
						    c->path, g, keys[i], v);
					return NULL;
				}
			}
		}
	}
	e = g_new0(struct tb_executor, 1);
	*e = (struct tb_executor){
		.dns_add = log_dns, .dns_remove = log_dns, .fetch = log_fetch,
		.remove = log_remove, .push = log_push, .free = g_free,
		.user = g_steal_pointer(&x),
	};
	return e;
}
