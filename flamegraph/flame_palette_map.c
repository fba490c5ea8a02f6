/* flame_palette_map.c - palette.map (--cp), flamegraph.pl's consistent
 * palette: "name->rgb(R,G,B)" lines, read before drawing so that a name keeps
 * its colour across graphs, and written back sorted by name with the colours
 * of the new names added. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "flame_internal.h"

struct fg_palmap {
	struct wp_intern *names;
	struct fg_rgb *colors;
	size_t cap;
};

struct fg_palmap *fg_palmap_new(void)
{
	struct fg_palmap *m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	m->names = wp_intern_new();
	if (!m->names) {
		free(m);
		return NULL;
	}
	return m;
}

void fg_palmap_free(struct fg_palmap *m)
{
	if (!m)
		return;
	wp_intern_free(m->names);
	free(m->colors);
	free(m);
}

bool fg_palmap_get(const struct fg_palmap *m, const char *name, size_t n, struct fg_rgb *out)
{
	uint32_t id;
	if (wp_intern_find(m->names, name, n, &id) != 0)
		return false;
	*out = m->colors[id];
	return true;
}

int fg_palmap_put(struct fg_palmap *m, const char *name, size_t n, struct fg_rgb c)
{
	uint32_t id;
	int rc = wp_intern_get(m->names, name, n, &id);
	if (rc)
		return rc;
	if (wp_grow((void **)&m->colors, &m->cap, (size_t)id + 1, sizeof *m->colors))
		return WP_E_NOMEM;
	m->colors[id] = c;
	return 0;
}

/* "rgb(R,G,B)" with optional spaces; each 0..255. */
static bool parse_rgb(const char *s, size_t n, struct fg_rgb *out)
{
	size_t i = 0;
	int v[3];
	while (i < n && s[i] == ' ')
		i++;
	if (!wp_has_prefix(s + i, n - i, "rgb("))
		return false;
	i += 4;
	for (int k = 0; k < 3; k++) {
		while (i < n && s[i] == ' ')
			i++;
		int val = 0, digits = 0;
		while (i < n && s[i] >= '0' && s[i] <= '9' && digits < 4)
			val = val * 10 + (s[i++] - '0'), digits++;
		while (i < n && s[i] == ' ')
			i++;
		if (!digits || val > 255 || i >= n || s[i] != (k < 2 ? ',' : ')'))
			return false;
		i++;
		v[k] = val;
	}
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i != n)
		return false;
	*out = (struct fg_rgb){(uint8_t)v[0], (uint8_t)v[1], (uint8_t)v[2]};
	return true;
}

int fg_palmap_load(struct fg_palmap *m, const char *path, char *err, size_t errlen)
{
	if (access(path, F_OK) != 0 && errno == ENOENT)
		return 0;
	struct wp_lines *lr;
	int rc = wp_lines_open(&lr, path, 1u << 24);
	const char *line;
	size_t len;
	int bad = 0;
	while (rc == 0 && (rc = wp_lines_next(lr, &line, &len)) == 1) {
		rc = 0;
		if (!len)
			continue;
		/* The colour never contains "->", a name may: split at the last. */
		size_t k = len;
		while (k >= 2 && !(line[k - 2] == '-' && line[k - 1] == '>'))
			k--;
		struct fg_rgb c;
		if (k < 2 || !parse_rgb(line + k, len - k, &c)) {
			bad++;
			continue;
		}
		rc = fg_palmap_put(m, line, k - 2, c);
	}
	if (rc < 0)
		snprintf(err, errlen, "%s", rc == WP_E_NOMEM ? "out of memory" : wp_lines_errmsg(lr));
	wp_lines_free(lr);
	return rc < 0 ? rc : bad;
}

int fg_palmap_save(const struct fg_palmap *m, const char *path, char *err, size_t errlen)
{
	uint32_t n = wp_intern_count(m->names);
	struct fg_name_ref *refs = malloc((n ? n : 1) * sizeof *refs);
	if (!refs) {
		snprintf(err, errlen, "out of memory");
		return WP_E_NOMEM;
	}
	for (uint32_t i = 0; i < n; i++) {
		refs[i].s = wp_intern_str(m->names, i, &refs[i].n);
		refs[i].id = i;
	}
	qsort(refs, n, sizeof *refs, fg_name_ref_cmp);
	FILE *f = fopen(path, "w");
	if (!f) {
		snprintf(err, errlen, "cannot write '%s': %s", path, strerror(errno));
		free(refs);
		return WP_E_IO;
	}
	for (uint32_t i = 0; i < n; i++) {
		struct fg_rgb c = m->colors[refs[i].id];
		fwrite(refs[i].s, 1, refs[i].n, f);
		fprintf(f, "->rgb(%u,%u,%u)\n", c.r, c.g, c.b);
	}
	free(refs);
	if (ferror(f) | fclose(f)) {
		snprintf(err, errlen, "cannot write '%s': %s", path, strerror(errno));
		return WP_E_IO;
	}
	return 0;
}

int fg_flame_palette_map_load(struct fg_flame *f, const char *path)
{
	if (!f->palmap && !(f->palmap = fg_palmap_new()))
		return WP_E_NOMEM;
	int rc = fg_palmap_load(f->palmap, path, f->err, sizeof f->err);
	if (rc > 0)
		fg_flame_warnf(f, "%s: ignored %d malformed lines", path, rc);
	return rc < 0 ? rc : 0;
}

int fg_flame_palette_map_save(struct fg_flame *f, const char *path)
{
	if (!f->palmap)
		return 0;
	return fg_palmap_save(f->palmap, path, f->err, sizeof f->err);
}
