/* native_perfmap.c - /tmp/perf-PID.map as perf 6.1 reads it
 * (dso__load_perf_map() in tools/perf/util/symbol.c).
 *
 * Line: START SIZE NAME, parsed exactly as perf does: START and SIZE with
 * strtoull(..., 16) (so "0x" prefixes and blanks before SIZE pass), then
 * exactly one character is skipped after each: the name is everything
 * after that one separator, so WAMR's "ADDR  SIZE  aot_func#N" gives the
 * name " aot_func#N" with its leading blank, which `perf script` prints.
 * perf drops the last byte of every line (the '\n', or the last character
 * of an unterminated last line) and skips lines with fewer than 3 bytes of
 * name ("len + 2 >= line_len"). A malformed line (START or SIZE without hex
 * digits, signed, overflowing, not followed by a blank) still becomes a
 * tree node as in perf, because nodes shape the tree and so decide which
 * of two overlapping entries perf finds; but lookups that end on it answer
 * "unknown" instead of perf's accidental name ("garbage line" is, to perf,
 * a symbol "bage line" at 0 of size 0xa). perf takes names of any length
 * (getline); here a name is kept whole up to NATIVE_PERFMAP_MAX_NAME
 * (64 KiB) and a longer one is a malformed line (a hidden node, as
 * above). Skipped and malformed lines are counted per reason, with the
 * number of the first line of each. Lines are not copied: only their
 * first NATIVE_PERFMAP_MAX_FIELDS bytes, for strtoull.
 *
 * Overlaps: perf inserts every entry into its symbol rb-tree (equal starts
 * go right) and applies no fix-up (no symbols__fixup_end/duplicate for
 * perf maps), then symbols__find() walks down from the root and returns
 * the first node whose [start, end] holds the address (end excluded unless
 * start == end). Which of two overlapping entries wins thus depends on the
 * tree's shape, not simply on file order: here the same red-black tree is
 * built (native_rbtree.c: insertion and rebalancing as the kernel's
 * lib/rbtree.c, which produces the textbook shapes) and walked the same
 * way, so the answers
 * are perf's (e.g. a later "START 20 b" beats an earlier "START 40 a" at
 * START+8 in the recorded fixture, while a later "START 100 big" does not
 * beat the first entry at START). */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <elf.h>

#include "native_internal.h"

/* A larger map is refused before it is read (wp_read_file checks the
 * size first); entries have no cap of their own: a line that makes one
 * takes at least 8 bytes ("0 0 abc\n", perf skips shorter ones), so a
 * map under this cap has fewer than 2^27, far from the tree's id space,
 * and what limits them is memory (an allocation failure is reported as
 * such, naming the map). */
#define MAX_PERFMAP_BYTES NATIVE_PERFMAP_MAX_BYTES
_Static_assert(NATIVE_PERFMAP_MAX_BYTES / 8 < NATIVE_MAX_SYMBOLS,
	       "a map under the byte cap cannot fill the tree's ids");

struct native_perfmap {
	struct native_sym *v;  /* in line order; a hidden entry has the name "" */
	size_t n, cap;
	struct native_rbtree *tree; /* node i is v[i] */
	uint64_t bad, visible;
	struct native_perfmap_skips skips;
};

/* A line's entry, inserted as perf inserts it. hidden: a malformed line
 * perf would have made a symbol of; it shapes the tree but is never an
 * answer (its name is ""). */
static int insert(struct native_perfmap *m, uint64_t start, uint64_t size, const char *name,
		  bool hidden)
{
	if (m->n >= NATIVE_MAX_SYMBOLS)
		return WP_E_TOOBIG;
	if (wp_grow((void **)&m->v, &m->cap, m->n + 1, sizeof *m->v))
		return WP_E_NOMEM;
	/* __symbols__insert: left when ip < start, else right */
	int32_t id;
	if (native_rbtree_insert(m->tree, start, &id) != 0)
		return WP_E_NOMEM;
	uint64_t end = start + size < start ? UINT64_MAX : start + size;
	m->v[m->n] = (struct native_sym){.start = start, .end = end, .name = name,
					 .seq = (uint32_t)m->n, .bind = STB_GLOBAL,
					 .type = STT_FUNC};
	m->n++;
	if (!hidden)
		m->visible++;
	return 0;
}

/* perf's hex2u64(): strtoull(s, &end, 16), returning the bytes consumed.
 * *clean is cleared when the field is not plain hex (nothing read, a sign,
 * an overflow). */
static size_t hex2u64(const char *s, uint64_t *out, bool *clean)
{
	char *end;
	errno = 0;
	*out = strtoull(s, &end, 16);
	size_t n = (size_t)(end - s);
	if (n == 0 || errno == ERANGE || memchr(s, '-', n) || memchr(s, '+', n))
		*clean = false;
	return n;
}

_Static_assert(NATIVE_PERFMAP_MAX_NAME == 65536 && NATIVE_PERFMAP_MAX_FIELDS == 4096,
	       "the limits are spelled out in native_perfmap_skip_what()");

/* strtoull from head + from read `used` bytes: might it have read on
 * past the copy (have bytes of a longer line)? It reads blanks, then
 * digits: either up to the copy's end. */
static bool runs_off(const char *head, size_t from, size_t used, size_t have, size_t line_len)
{
	if (have >= line_len)
		return false;
	if (from + used >= have)
		return true;
	if (used)
		return false;
	for (size_t i = from; i < have; i++)
		if (!isspace((unsigned char)head[i]))
			return false;
	return true;
}

const char *native_perfmap_skip_what(enum native_perfmap_skip why)
{
	switch (why) {
	case NATIVE_PERFMAP_NO_NAME:
		return "no SIZE and NAME, or a name shorter than 3 bytes";
	case NATIVE_PERFMAP_BAD_FIELDS:
		return "START or SIZE is not a hexadecimal number followed by a blank";
	case NATIVE_PERFMAP_LONG_NAME:
		return "name longer than 65536 bytes";
	case NATIVE_PERFMAP_LONG_FIELDS:
		return "START and SIZE take more than 4096 bytes";
	default:
		return "malformed";
	}
}

/* One line without its '\n' (perf drops the line's last byte): line_len
 * bytes at line, of which the first `have` are copied NUL-terminated into
 * head for strtoull. 1 inserted, 0 skipped (empty), -1 skipped or hidden
 * (*why says why). The name is taken from line itself, up to its first
 * NUL as perf's strlen would. */
static int parse_line(struct native_perfmap *m, const char *line, size_t line_len, char *head,
		      size_t have, struct wp_intern *names, enum native_perfmap_skip *why)
{
	if (line_len == 0)
		return 0;
	bool clean = true;
	uint64_t start, size;
	size_t len = hex2u64(head, &start, &clean);
	*why = NATIVE_PERFMAP_LONG_FIELDS;
	if (runs_off(head, 0, len, have, line_len))
		return -1;
	if (len < line_len && line[len] != ' ' && line[len] != '\t')
		clean = false;
	len++;
	*why = NATIVE_PERFMAP_NO_NAME;
	if (len + 2 >= line_len)
		return -1;
	*why = NATIVE_PERFMAP_LONG_FIELDS;
	if (len >= have)
		return -1;
	size_t used = hex2u64(head + len, &size, &clean);
	if (runs_off(head, len, used, have, line_len))
		return -1;
	len += used;
	if (len < line_len && line[len] != ' ' && line[len] != '\t')
		clean = false;
	len++;
	*why = NATIVE_PERFMAP_NO_NAME;
	if (len + 2 >= line_len)
		return -1;
	const char *name = line + len;
	const char *nul = memchr(name, '\0', line_len - len);
	size_t n = nul ? (size_t)(nul - name) : line_len - len;
	if (n > NATIVE_PERFMAP_MAX_NAME) {
		clean = false;
		*why = NATIVE_PERFMAP_LONG_NAME;
	} else if (!clean) {
		*why = NATIVE_PERFMAP_BAD_FIELDS;
	} else if (n == 0) {
		clean = false; /* perf: a symbol named "" */
		*why = NATIVE_PERFMAP_NO_NAME;
	}
	/* a hidden node shapes the tree but is never an answer: no name */
	uint32_t id;
	int rc = wp_intern_get(names, name, clean ? n : 0, &id);
	if (rc == 0)
		rc = insert(m, start, size, wp_intern_str(names, id, NULL), !clean);
	if (rc != 0)
		return rc;
	return clean ? 1 : -1;
}

static void skipped(struct native_perfmap *m, enum native_perfmap_skip why, uint64_t lineno)
{
	m->bad++;
	if (!m->skips.count[why]++)
		m->skips.first_line[why] = lineno;
}

int native_perfmap_parse(struct native_perfmap **out, const char *data, size_t len,
			 struct wp_intern *names)
{
	struct native_perfmap *m = calloc(1, sizeof *m);
	*out = NULL;
	if (m)
		m->tree = native_rbtree_new();
	if (!m || !m->tree) {
		native_perfmap_free(m);
		return WP_E_NOMEM;
	}
	char head[NATIVE_PERFMAP_MAX_FIELDS + 1];
	const char *p = data, *end = data + len;
	uint64_t lineno = 0;
	while (p < end) {
		lineno++;
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		/* perf's getline loop drops the last byte of every line: the
		 * '\n', or the last character of an unterminated last line */
		size_t keep = nl ? n : (n ? n - 1 : 0);
		size_t have = keep < NATIVE_PERFMAP_MAX_FIELDS ? keep : NATIVE_PERFMAP_MAX_FIELDS;
		memcpy(head, p, have);
		head[have] = '\0';
		enum native_perfmap_skip why = NATIVE_PERFMAP_BAD_FIELDS;
		int rc = parse_line(m, p, keep, head, have, names, &why);
		if (rc == -1) {
			skipped(m, why, lineno);
		} else if (rc < -1) {
			native_perfmap_free(m);
			return rc;
		}
		p += n + (nl ? 1 : 0);
	}
	/* v no longer moves: the tree's nodes can point into it */
	for (size_t i = 0; i < m->n; i++)
		native_rbtree_set(m->tree, (int32_t)i, &m->v[i]);
	*out = m;
	return 0;
}

int native_perfmap_load(struct native_perfmap **out, const char *path, struct wp_intern *names)
{
	char *data;
	size_t len;
	*out = NULL;
	int rc = wp_read_file(path, MAX_PERFMAP_BYTES, &data, &len);
	if (rc != 0)
		return rc;
	rc = native_perfmap_parse(out, data, len, names);
	free(data);
	return rc;
}

void native_perfmap_free(struct native_perfmap *m)
{
	if (!m)
		return;
	native_rbtree_free(m->tree);
	free(m->v);
	free(m);
}

const struct native_sym *native_perfmap_find(const struct native_perfmap *m, uint64_t ip)
{
	const struct native_sym *s = native_rbtree_find(m->tree, ip);
	return s && s->name[0] ? s : NULL;
}

void native_perfmap_counts(const struct native_perfmap *m, uint64_t *entries, uint64_t *bad)
{
	*entries = m->visible;
	*bad = m->bad;
}

const struct native_perfmap_skips *native_perfmap_skipped(const struct native_perfmap *m)
{
	return &m->skips;
}
