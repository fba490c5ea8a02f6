/* catalog.c - the presets shipped in phases/presets/, parsed once, and the
 * choice of one for a process. */
#include <stdlib.h>
#include <string.h>

#include "phases_internal.h"
#include "presets.h"

struct ph_catalog {
	struct ph_rules **rules;
	size_t n;
	char err[512];
};

const char *const *ph_preset_names(size_t *n)
{
	*n = ph_npresets;
	return ph_preset_name_list;
}

const char *ph_preset_text(const char *name, size_t *len)
{
	for (size_t i = 0; i < ph_npresets; i++)
		if (strcmp(ph_presets[i].name, name) == 0) {
			if (len)
				*len = ph_presets[i].len;
			return ph_presets[i].text;
		}
	return NULL;
}

int ph_rules_load_preset(struct ph_rules **out, const char *name)
{
	size_t len;
	const char *text = ph_preset_text(name, &len);
	if (!text) {
		/* A handle that carries the message, as for parse errors. */
		int rc = ph_rules_parse(out, "phase x exec exit\n", 18, name);
		if (rc)
			return rc;
		char vis[96];
		wp_visible(vis, sizeof vis, name, strlen(name));
		snprintf((*out)->err, sizeof (*out)->err, "no preset '%s'", vis);
		return WP_E_NOTFOUND;
	}
	return ph_rules_parse(out, text, len, name);
}

int ph_catalog_new(struct ph_catalog **out)
{
	*out = calloc(1, sizeof **out);
	struct ph_catalog *c = *out;
	if (!c)
		return WP_E_NOMEM;
	c->rules = calloc(ph_npresets ? ph_npresets : 1, sizeof *c->rules);
	if (!c->rules)
		return WP_E_NOMEM;
	for (size_t i = 0; i < ph_npresets; i++) {
		int rc = ph_rules_parse(&c->rules[c->n], ph_presets[i].text, ph_presets[i].len,
					ph_presets[i].name);
		if (c->rules[c->n])
			c->n++;
		if (rc) {
			snprintf(c->err, sizeof c->err, "%s", ph_rules_errmsg(c->rules[c->n - 1]));
			return rc;
		}
	}
	return 0;
}

void ph_catalog_free(struct ph_catalog *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		ph_rules_free(c->rules[i]);
	free(c->rules);
	free(c);
}

const char *ph_catalog_errmsg(const struct ph_catalog *c)
{
	return c ? c->err : "out of memory";
}
size_t ph_catalog_count(const struct ph_catalog *c) { return c->n; }
struct ph_rules *ph_catalog_get(const struct ph_catalog *c, size_t i)
{
	return i < c->n ? c->rules[i] : NULL;
}

struct ph_rules *ph_catalog_find(const struct ph_catalog *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->rules[i]->name, name) == 0)
			return c->rules[i];
	return NULL;
}

bool ph_catalog_wants_library(const struct ph_catalog *c, const char *path)
{
	for (size_t i = 0; i < c->n; i++)
		if (ph_rules_wants_library(c->rules[i], path))
			return true;
	return false;
}

struct ph_rules *ph_catalog_choose(const struct ph_catalog *c, const struct ph_target *t,
				   int *score)
{
	struct ph_rules *best = NULL;
	int best_score = 0;
	for (size_t i = 0; i < c->n; i++) {
		int s = ph_rules_score(c->rules[i], t);
		if (s > best_score) {
			best = c->rules[i];
			best_score = s;
		}
	}
	if (score)
		*score = best_score;
	return best;
}
