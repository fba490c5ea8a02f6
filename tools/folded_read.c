/* folded_read.c - folded stacks files into a flame graph or a diff: the
 * read loop of wasmperf-flame and wasmperf-diff, with the file and line
 * added to what the library says about a line (a count past 64 bits). */
#include <stdio.h>
#include <string.h>

#include "folded_read.h"

#define MAX_LINE (256u << 20)

struct sink {
	struct fg_flame *flame;
	struct fg_diff *diff;
	int side;
};

static int add(const struct sink *s, const char *line, size_t len)
{
	return s->flame ? fg_flame_add_line(s->flame, line, len)
			: fg_diff_add_line(s->diff, s->side, line, len);
}

static int read_into(const char *prog, const struct sink *s, const char *path)
{
	struct wp_lines *lines = NULL;
	int rc = wp_lines_open(&lines, path, MAX_LINE), added = 0;
	const char *line;
	size_t len;
	while (rc == 0 && (rc = wp_lines_next(lines, &line, &len)) == 1)
		rc = added = add(s, line, len);
	if (rc < 0 && rc == added && rc != WP_E_NOMEM) {
		/* the line was refused: the library says why, we say where */
		fprintf(stderr, "%s: '%s': line %llu: %s\n", prog, wp_lines_name(lines),
			(unsigned long long)wp_lines_lineno(lines),
			s->flame ? fg_flame_errmsg(s->flame) : fg_diff_errmsg(s->diff));
	} else if (rc < 0) {
		fprintf(stderr, "%s: %s\n", prog,
			rc == WP_E_NOMEM || !lines ? "out of memory" : wp_lines_errmsg(lines));
	}
	wp_lines_free(lines);
	return rc < 0;
}

int folded_read_flame(const char *prog, struct fg_flame *f, const char *path)
{
	struct sink s = {.flame = f};
	return read_into(prog, &s, path);
}

int folded_read_diff(const char *prog, struct fg_diff *d, int side, const char *path)
{
	struct sink s = {.diff = d, .side = side};
	return read_into(prog, &s, path);
}
