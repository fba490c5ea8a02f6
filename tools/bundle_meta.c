/* bundle_meta.c - a bundle's meta.json -> struct bundle_meta: the fields the
 * tools use, each checked for its type (a field of another type is an error
 * naming its offset, never a silent default); fields not known here are
 * ignored, so that later writers can add some. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "json_read.h"
#include "wpcommon.h"

#define MAX_ITEMS 4096

struct meta_reader {
	const struct json_value *root;
	char *err;
	size_t errsize;
	int rc;
};

static int bad(struct meta_reader *r, const struct json_value *v, const char *key, const char *want)
{
	if (!r->rc) {
		snprintf(r->err, r->errsize, "offset 0x%zx: \"%s\" is not %s", v->offset, key, want);
		r->rc = WP_E_FORMAT;
	}
	return r->rc;
}

static int nomem(struct meta_reader *r)
{
	if (!r->rc) {
		snprintf(r->err, r->errsize, "out of memory");
		r->rc = WP_E_NOMEM;
	}
	return r->rc;
}

/* A string member (absent: ""). */
static int get_string(struct meta_reader *r, const char *key, char **out)
{
	const struct json_value *v = json_get(r->root, key);
	if (v && v->type != JSON_STRING)
		return bad(r, v, key, "a string");
	*out = strdup(v ? v->string : "");
	return *out ? 0 : nomem(r);
}

/* A module copy's name: a plain file name, never a path out of the bundle. */
static bool plain_file_name(const char *s)
{
	return s[0] && !strchr(s, '/') && strcmp(s, ".") && strcmp(s, "..");
}

static int get_strings(struct meta_reader *r, const char *key, char ***out, size_t *n,
		       bool file_names)
{
	const struct json_value *v = json_get(r->root, key);
	if (!v)
		return 0;
	const char *want = file_names ? "an array of file names" : "an array of strings";
	if (v->type != JSON_ARRAY || v->n > MAX_ITEMS)
		return bad(r, v, key, want);
	*out = calloc(v->n + 1, sizeof **out);
	if (!*out)
		return nomem(r);
	for (size_t i = 0; i < v->n; i++) {
		const struct json_value *s = &v->items[i];
		if (s->type != JSON_STRING || (file_names && !plain_file_name(s->string)))
			return bad(r, s, key, want);
		if (!((*out)[i] = strdup(s->string)))
			return nomem(r);
		*n = i + 1;
	}
	return 0;
}

static int get_pids(struct meta_reader *r, struct bundle_meta *m)
{
	const struct json_value *v = json_get(r->root, "pids");
	if (!v)
		return 0;
	if (v->type != JSON_ARRAY || v->n > MAX_ITEMS)
		return bad(r, v, "pids", "an array of process ids");
	m->pids = calloc(v->n + 1, sizeof *m->pids);
	if (!m->pids)
		return nomem(r);
	for (size_t i = 0; i < v->n; i++) {
		const struct json_value *p = &v->items[i];
		if (p->type != JSON_NUMBER || !p->is_int || p->integer < 0 || p->integer > INT32_MAX)
			return bad(r, p, "pids", "an array of process ids");
		m->pids[m->npids++] = (int32_t)p->integer;
	}
	return 0;
}

static int get_exit_status(struct meta_reader *r, struct bundle_meta *m)
{
	const struct json_value *v = json_get(r->root, "exit_status");
	if (!v || v->type == JSON_NULL)
		return 0;
	if (v->type != JSON_NUMBER || !v->is_int || v->integer < 0 || v->integer > 255)
		return bad(r, v, "exit_status", "an exit status (0-255)");
	m->has_exit_status = true;
	m->exit_status = (int)v->integer;
	return 0;
}

int bundle_meta_parse(const char *text, size_t len, struct bundle_meta *m, char *err,
		      size_t errsize)
{
	memset(m, 0, sizeof *m);
	struct json_value *root;
	size_t off;
	const char *what;
	int rc = json_parse(text, len, &root, &off, &what);
	if (rc) {
		snprintf(err, errsize, "offset 0x%zx: %s", off, what);
		return rc;
	}
	struct meta_reader r = {.root = root, .err = err, .errsize = errsize};
	if (root->type != JSON_OBJECT)
		bad(&r, root, "meta.json", "an object");
	if (!r.rc) {
		get_string(&r, "runtime", &m->runtime);
		get_string(&r, "runtime_version", &m->runtime_version);
		get_string(&r, "bench", &m->bench);
		get_string(&r, "start_time", &m->start_time);
		get_strings(&r, "command", &m->command, &m->ncommand, false);
		get_strings(&r, "modules", &m->modules, &m->nmodules, true);
		get_pids(&r, m);
		get_exit_status(&r, m);
	}
	json_free(root);
	return r.rc;
}

static void free_strings(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

void bundle_meta_release(struct bundle_meta *m)
{
	free(m->runtime);
	free(m->runtime_version);
	free(m->bench);
	free(m->start_time);
	free_strings(m->command, m->ncommand);
	free_strings(m->modules, m->nmodules);
	free(m->pids);
	memset(m, 0, sizeof *m);
}
