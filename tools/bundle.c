/* bundle.c - a path -> the inputs a pipeline needs (bundle.h): a directory
 * holding perf.data is read as its perf.data, with its perf maps and
 * jitdumps beside it (where data_feed.c looks first), its modules named by
 * meta.json or found as *.wasm; anything else is left to the tool's own
 * sniffing (input.h), so every tool takes every kind of input. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundle.h"
#include "names.h"
#include "wpcommon.h"

static char *join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%s%s%s", dir, dir[0] && dir[strlen(dir) - 1] == '/' ? "" : "/", name);
	return p;
}

static bool exists(const char *path, bool dir)
{
	struct stat st;
	return stat(path, &st) == 0 && (dir ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode));
}

static int nomem(const char *prog)
{
	fprintf(stderr, "%s: out of memory\n", prog);
	return 1;
}

static int filter_wasm(const struct dirent *d)
{
	size_t n = strlen(d->d_name);
	return n > 5 && wp_has_suffix(d->d_name, n, ".wasm");
}

/* No meta.json (or one naming no modules): the *.wasm files of the
 * directory, in name order. */
static int list_wasm(struct bundle *b, const char *prog)
{
	struct dirent **list;
	int n = scandir(b->dir, &list, filter_wasm, alphasort);
	if (n < 0) {
		fprintf(stderr, "%s: '%s': %s\n", prog, b->dir, strerror(errno));
		return 1;
	}
	int status = 0;
	b->modules = calloc((size_t)n + 1, sizeof *b->modules);
	if (!b->modules)
		status = nomem(prog);
	for (int i = 0; i < n; i++) {
		char *p = status ? NULL : join(b->dir, list[i]->d_name);
		if (!status && !p)
			status = nomem(prog);
		else if (p && exists(p, false) && b->nmodules < BUNDLE_MAX_MODULES)
			b->modules[b->nmodules++] = p;
		else
			free(p);
		free(list[i]);
	}
	free(list);
	return status;
}

static int modules_from_meta(struct bundle *b, const char *prog, const char *meta_path)
{
	if (b->meta.nmodules > BUNDLE_MAX_MODULES) {
		fprintf(stderr, "%s: '%s': names %zu modules, more than %d\n", prog, meta_path,
			b->meta.nmodules, BUNDLE_MAX_MODULES);
		return 1;
	}
	b->modules = calloc(b->meta.nmodules + 1, sizeof *b->modules);
	if (!b->modules)
		return nomem(prog);
	for (size_t i = 0; i < b->meta.nmodules; i++) {
		char *p = join(b->dir, b->meta.modules[i]);
		if (!p)
			return nomem(prog);
		b->modules[b->nmodules++] = p;
		if (!exists(p, false)) {
			fprintf(stderr, "%s: '%s': module '%s' is not in the bundle (give it with "
				"--wasm)\n", prog, meta_path, b->meta.modules[i]);
			return 1;
		}
	}
	return 0;
}

static int read_meta(struct bundle *b, const char *prog, const char *meta_path)
{
	char *text;
	size_t len;
	int rc = wp_read_file(meta_path, BUNDLE_META_MAX, &text, &len);
	if (rc) {
		fprintf(stderr, "%s: '%s': %s\n", prog, meta_path,
			rc == WP_E_TOOBIG ? "larger than 1 MiB: not a bundle's meta.json"
			: rc == WP_E_IO   ? strerror(errno)
					  : wp_strerror(rc));
		return 1;
	}
	char err[256];
	rc = bundle_meta_parse(text, len, &b->meta, err, sizeof err);
	free(text);
	if (rc) {
		fprintf(stderr, "%s: '%s': %s\n", prog, meta_path, err);
		return 1;
	}
	return 0;
}

int bundle_open(struct bundle *b, const char *prog, const char *path)
{
	memset(b, 0, sizeof *b);
	b->path = path;
	b->kind = BUNDLE_FILE;
	bool is_stdin = !path || !strcmp(path, "-");
	char *data = is_stdin ? NULL : join(path, "perf.data");
	if (!is_stdin && !data)
		return nomem(prog);
	/* perf.data may itself be a --threads directory */
	if (is_stdin || !exists(path, true) || access(data, F_OK) != 0) {
		free(data);
		b->data = is_stdin ? NULL : strdup(path);
		return is_stdin || b->data ? 0 : nomem(prog);
	}
	b->data = data;
	b->dir = strdup(path);
	char *meta_path = join(path, "meta.json");
	if (!b->dir || !meta_path) {
		free(meta_path);
		return nomem(prog);
	}
	int status;
	if (exists(meta_path, false)) {
		b->kind = BUNDLE_RECORDED;
		status = read_meta(b, prog, meta_path);
		if (!status)
			status = b->meta.modules ? modules_from_meta(b, prog, meta_path)
						 : list_wasm(b, prog);
	} else {
		b->kind = BUNDLE_RUN_DIR;
		status = list_wasm(b, prog);
	}
	free(meta_path);
	return status;
}

void bundle_release(struct bundle *b)
{
	if (!b)
		return;
	free(b->data);
	free(b->dir);
	for (size_t i = 0; i < b->nmodules; i++)
		free(b->modules[i]);
	free(b->modules);
	bundle_meta_release(&b->meta);
	memset(b, 0, sizeof *b);
}

int bundle_set_open(struct bundle_set *s, const char *prog, char **paths, size_t n)
{
	memset(s, 0, sizeof *s);
	s->bundles = calloc(n + 1, sizeof *s->bundles);
	s->paths = calloc(n + 1, sizeof *s->paths);
	if (!s->bundles || !s->paths) {
		bundle_set_release(s);
		return nomem(prog);
	}
	for (size_t i = 0; i < n; i++) {
		s->n = i + 1;
		if (bundle_open(&s->bundles[i], prog, paths[i])) {
			bundle_set_release(s);
			return 1;
		}
		s->paths[i] = s->bundles[i].data;
	}
	s->n = n;
	return 0;
}

void bundle_set_release(struct bundle_set *s)
{
	for (size_t i = 0; s->bundles && i < s->n; i++)
		bundle_release(&s->bundles[i]);
	free(s->bundles);
	free(s->paths);
	memset(s, 0, sizeof *s);
}

int bundle_set_add_modules(const struct bundle_set *s, struct names_config *c)
{
	if (c->nmodules)
		return 0; /* the user's --wasm decides */
	size_t cap = sizeof c->modules / sizeof c->modules[0];
	for (size_t i = 0; i < s->n; i++)
		for (size_t k = 0; k < s->bundles[i].nmodules; k++) {
			if (c->nmodules == cap) {
				fprintf(stderr, "%s: the bundles hold more than %zu modules: give the "
					"ones that ran with --wasm\n", c->warn.prog, cap);
				return 2;
			}
			c->modules[c->nmodules++] = s->bundles[i].modules[k];
			c->given = true;
		}
	return 0;
}

int bundle_own_names(const struct bundle *b, const struct names_config *c, struct sym_names **out)
{
	*out = NULL;
	if (c->nmodules || !b->nmodules)
		return 0;
	struct names_config own = *c;
	for (size_t k = 0; k < b->nmodules && own.nmodules < BUNDLE_MAX_MODULES; k++)
		own.modules[own.nmodules++] = b->modules[k];
	int status = 0;
	*out = names_build(&own, &status);
	return status;
}
