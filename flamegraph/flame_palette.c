/* flame_palette.c - frame colours: flamegraph.pl's palettes and colour
 * modes (research/flamegraph-anchors.md §3.5), the `wasm` palette, the
 * differential scale and palette.map (--cp). */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "flame_internal.h"

static const char *const palette_names[] = {
	[FG_PAL_HOT] = "hot",       [FG_PAL_MEM] = "mem",       [FG_PAL_IO] = "io",
	[FG_PAL_WAKEUP] = "wakeup", [FG_PAL_CHAIN] = "chain",   [FG_PAL_JAVA] = "java",
	[FG_PAL_JS] = "js",         [FG_PAL_PERL] = "perl",     [FG_PAL_WASM] = "wasm",
	[FG_PAL_RED] = "red",       [FG_PAL_GREEN] = "green",   [FG_PAL_BLUE] = "blue",
	[FG_PAL_AQUA] = "aqua",     [FG_PAL_YELLOW] = "yellow", [FG_PAL_PURPLE] = "purple",
	[FG_PAL_ORANGE] = "orange",
};
#define NPALETTES (sizeof palette_names / sizeof palette_names[0])

int fg_palette_parse(const char *name)
{
	for (size_t i = 0; name && i < NPALETTES; i++)
		if (strcmp(name, palette_names[i]) == 0)
			return (int)i;
	return -1;
}

const char *fg_palette_name(int palette)
{
	return palette >= 0 && (size_t)palette < NPALETTES ? palette_names[palette] : "?";
}

static bool is_hex6(const char *s)
{
	if (s[0] != '#' || strlen(s) != 7)
		return false;
	for (int i = 1; i < 7; i++) {
		char c = s[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
			return false;
	}
	return true;
}

int fg_bgcolors(const char *bg, int palette, char out1[8], char out2[8])
{
	if (!bg || !*bg) {
		if (palette == FG_PAL_MEM)
			bg = "green";
		else if (palette == FG_PAL_IO || palette == FG_PAL_WAKEUP || palette == FG_PAL_CHAIN)
			bg = "blue";
		else if (palette >= FG_PAL_RED)
			bg = "grey";
		else
			bg = "yellow";
	}
	static const struct {
		const char *name, *c1, *c2;
	} named[] = {
		{"yellow", "#eeeeee", "#eeeeb0"},
		{"blue", "#eeeeee", "#e0e0ff"},
		{"green", "#eef2ee", "#e0ffe0"},
		{"grey", "#f8f8f8", "#e8e8e8"},
		{"gray", "#f8f8f8", "#e8e8e8"},
	};
	for (size_t i = 0; i < sizeof named / sizeof named[0]; i++) {
		if (strcmp(bg, named[i].name) == 0) {
			memcpy(out1, named[i].c1, 8);
			memcpy(out2, named[i].c2, 8);
			return 0;
		}
	}
	if (is_hex6(bg)) {
		memcpy(out1, bg, 8);
		memcpy(out2, bg, 8);
		return 0;
	}
	return WP_E_USAGE;
}

/* ---- colour values ---- */

/* Perl's rand(1) right after srand(seed): its drand48 (a 48-bit LCG seeded
 * with seed << 16 | 0x330e), so the default colours match flamegraph.pl's. */
static double perl_srand_rand(uint32_t seed)
{
	uint64_t x = ((uint64_t)seed << 16) + 0x330e;
	x = (x * 0x5deece66dULL + 0xb) & ((1ULL << 48) - 1);
	return (double)x / (double)(1ULL << 48);
}

/* flamegraph.pl's namehash over code points: drops a "module`" prefix,
 * then weighs the first three characters. */
static double vector_hash(const uint32_t *cp, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		if (cp[i] == '`') {
			cp += i + 1;
			n -= i + 1;
			break;
		}
	}
	double vector = 0, weight = 1, max = 1;
	unsigned mod = 10;
	for (size_t i = 0; i < n && mod <= 12; i++, mod++) {
		unsigned v = cp[i] % mod;
		vector += ((double)v / (mod - 1)) * weight;
		max += weight;
		weight *= 0.70;
	}
	return 1 - vector / max;
}

struct fg_colorer {
	int palette;
	enum fg_flame_color_mode mode;
	uint64_t rng;
	uint32_t *cps;
	size_t cps_cap;
	/* wasm palette: compiled lazily, once */
	bool compiled;
	pcre2_code *host;
	pcre2_code *kernel;
	pcre2_code **wasm;
	bool *wasm_ambiguous;
	size_t nwasm;
	pcre2_match_data *md;
};

struct fg_colorer *fg_colorer_new(int palette, enum fg_flame_color_mode mode, uint64_t seed)
{
	struct fg_colorer *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->palette = palette;
	c->mode = mode;
	c->rng = seed ? seed : 0x9e3779b97f4a7c15ULL;
	return c;
}

void fg_colorer_free(struct fg_colorer *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nwasm; i++)
		pcre2_code_free(c->wasm[i]);
	free(c->wasm);
	free(c->wasm_ambiguous);
	pcre2_code_free(c->host);
	pcre2_code_free(c->kernel);
	pcre2_match_data_free(c->md);
	free(c->cps);
	free(c);
}

static double next_random(struct fg_colorer *c)
{
	/* xorshift64* */
	c->rng ^= c->rng >> 12;
	c->rng ^= c->rng << 25;
	c->rng ^= c->rng >> 27;
	return (double)((c->rng * 0x2545f4914f6cdd1dULL) >> 11) / 9007199254740992.0;
}

/* Decodes name into c->cps (code points; an invalid byte is its value). */
static size_t decode(struct fg_colorer *c, const char *s, size_t n)
{
	if (n > c->cps_cap) {
		uint32_t *p = realloc(c->cps, n * sizeof *p);
		if (!p)
			return 0;
		c->cps = p;
		c->cps_cap = n;
	}
	size_t k = 0;
	for (size_t i = 0; i < n;) {
		unsigned char b = (unsigned char)s[i];
		size_t need = b >= 0xf0 && b <= 0xf4 ? 3 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xc2 && b <= 0xdf ? 1 : 0;
		uint32_t v = need == 3 ? b & 7u : need == 2 ? b & 15u : need == 1 ? b & 31u : b;
		size_t j = 1;
		for (; j <= need && i + j < n && ((unsigned char)s[i + j] & 0xc0) == 0x80; j++)
			v = (v << 6) | ((unsigned char)s[i + j] & 0x3fu);
		if (j <= need) {
			v = b;
			j = 1;
		}
		c->cps[k++] = v;
		i += j;
	}
	return k;
}

static void values(struct fg_colorer *c, const char *name, size_t n, double v[3])
{
	switch (c->mode) {
	case FG_FLAME_COLOR_HASH: {
		size_t k = decode(c, name, n);
		v[0] = vector_hash(c->cps, k);
		for (size_t i = 0; i < k / 2; i++) {
			uint32_t t = c->cps[i];
			c->cps[i] = c->cps[k - 1 - i];
			c->cps[k - 1 - i] = t;
		}
		v[1] = v[2] = vector_hash(c->cps, k);
		break;
	}
	case FG_FLAME_COLOR_RANDOM:
		v[0] = next_random(c);
		v[1] = next_random(c);
		v[2] = next_random(c);
		break;
	case FG_FLAME_COLOR_DETERMINISTIC: {
		/* FNV-1a 64, then two more multiply steps for v2, v3. */
		uint64_t h = 0xcbf29ce484222325ULL;
		for (size_t i = 0; i < n; i++) {
			h ^= (unsigned char)name[i];
			h *= 0x100000001b3ULL;
		}
		for (int i = 0; i < 3; i++) {
			v[i] = (double)h / (double)UINT64_MAX;
			h *= 0x100000001b3ULL;
		}
		break;
	}
	default:
		v[0] = v[1] = v[2] = perl_srand_rand(fg_utf8_sum(name, n));
	}
}

static bool contains(const char *s, size_t n, const char *needle)
{
	size_t m = strlen(needle);
	if (m > n)
		return false;
	for (size_t i = 0; i + m <= n; i++)
		if (s[i] == needle[0] && memcmp(s + i, needle, m) == 0)
			return true;
	return false;
}

static bool has_suffix(const char *s, size_t n, const char *suf)
{
	size_t m = strlen(suf);
	return n >= m && memcmp(s + n - m, suf, m) == 0;
}

static bool has_prefix(const char *s, size_t n, const char *pre)
{
	size_t m = strlen(pre);
	return n >= m && memcmp(s, pre, m) == 0;
}

/* Host / WASI calls: the import boundary of every runtime (see
 * wasmperf-flame(1), "wasm palette"; names from research/phases.md). */
static const char host_regex[] =
	"(?i:wasi)"                                     /* wasi_*, uvwasi_*, wasmtime_wasi, __wasi_* */
	"|fd_(?:write|read|pwrite|pread|seek|tell|close|sync|datasync|fdstat|filestat"
	"|prestat|readdir|advise|allocate|renumber)"
	"|\\bpath_(?:open|filestat|create_directory|remove_directory|unlink_file|rename|readlink|symlink)"
	"|\\b(?:args|environ)_(?:get|sizes_get)\\b|\\bclock_(?:time|res)_get\\b|\\bproc_exit\\b"
	"|\\brandom_get\\b|\\bpoll_oneoff\\b|\\bsched_yield\\b|\\bsock_(?:recv|send|accept|shutdown)\\b"
	"|wasm_runtime_invoke_native|\\binvokeNative\\b|_invoke_native\\b|call_func_native"
	"|(?i:host_?func)"                              /* wasmtime HostFunc, WasmEdge HostFunction */
	"|^WasmEdge::Host::|^cap_(?:std|primitives|fs_ext)::|^m3_libc_|^m3_wasi_"
	"|^virtual_(?:fs|net|mio)::|^wasmtime_ssp_|^blocking_op_|wasm-to-js|__imported_";

/* Kernel entry points: frames below them are kernel code even when the
 * collapser did not annotate them with _[k]. */
static const char kernel_regex[] =
	"^(?:entry_SYSCALL\\w*|entry_SYSENTER\\w*|entry_INT80\\w*|asm_exc_\\w+|asm_sysvec_\\w+"
	"|asm_common_interrupt|ret_from_fork\\w*|do_syscall_64|__(?:x64|ia32|arm64)_sys_\\w+"
	"|el0t_64_(?:sync|irq)|el0_svc\\w*)$";

static void compile_wasm(struct fg_colorer *c)
{
	c->compiled = true;
	int errcode;
	PCRE2_SIZE erroff;
	c->host = pcre2_compile((PCRE2_SPTR)host_regex, PCRE2_ZERO_TERMINATED, 0, &errcode, &erroff, NULL);
	c->kernel = pcre2_compile((PCRE2_SPTR)kernel_regex, PCRE2_ZERO_TERMINATED, 0, &errcode, &erroff, NULL);
	size_t n;
	const struct wp_wasm_pattern *p = wp_wasm_patterns(&n);
	c->wasm = calloc(n ? n : 1, sizeof *c->wasm);
	c->wasm_ambiguous = calloc(n ? n : 1, sizeof *c->wasm_ambiguous);
	c->md = pcre2_match_data_create(32, NULL);
	if (!c->wasm || !c->wasm_ambiguous)
		return;
	for (size_t i = 0; i < n; i++) {
		pcre2_code *re = pcre2_compile((PCRE2_SPTR)p[i].regex, PCRE2_ZERO_TERMINATED, 0,
					       &errcode, &erroff, NULL);
		if (!re)
			continue; /* a bad table entry only loses that runtime's colour */
		c->wasm[c->nwasm] = re;
		c->wasm_ambiguous[c->nwasm++] = p[i].ambiguous;
	}
}

static bool re_match(struct fg_colorer *c, pcre2_code *re, const char *s, size_t n)
{
	return re && c->md && pcre2_match(re, (PCRE2_SPTR)s, n, 0, 0, c->md, NULL) >= 0;
}

enum fg_wasm_class fg_colorer_wasm_class(struct fg_colorer *c, const char *name, size_t n)
{
	if (!c->compiled)
		compile_wasm(c);
	size_t n0 = fg_strip_annotation(name, n);
	char ann = n0 < n ? name[n - 2] : 0;
	if (ann == 'k' || re_match(c, c->kernel, name, n0))
		return FG_WASM_KERNEL;
	if (has_prefix(name, n0, WP_WASM_MARK))
		return FG_WASM_CODE;
	if (re_match(c, c->host, name, n0))
		return FG_WASM_HOST;
	if (!contains(name, n0, "js-to-wasm")) {
		for (size_t i = 0; i < c->nwasm; i++)
			if ((!c->wasm_ambiguous[i] || ann == 'j') && re_match(c, c->wasm[i], name, n0))
				return FG_WASM_CODE;
	}
	if (ann == 'j' || has_prefix(name, n0, "JS:"))
		return FG_WASM_JIT;
	return FG_WASM_NATIVE;
}

/* The hue family a semantic palette gives a name (flamegraph.pl's rules). */
static int family(struct fg_colorer *c, const char *s, size_t n, bool kernel_ctx)
{
	switch (c->palette) {
	case FG_PAL_JAVA:
		if (has_suffix(s, n, "_[j]"))
			return FG_PAL_GREEN;
		if (has_suffix(s, n, "_[i]"))
			return FG_PAL_AQUA;
		{
			size_t o = n && s[0] == 'L' ? 1 : 0;
			static const char *const pkgs[] = {"java/", "javax/", "jdk/", "net/", "org/",
							   "com/", "io/", "sun/"};
			for (size_t i = 0; i < sizeof pkgs / sizeof pkgs[0]; i++)
				if (has_prefix(s + o, n - o, pkgs[i]))
					return FG_PAL_GREEN;
		}
		if (contains(s, n, ":::"))
			return FG_PAL_GREEN;
		if (contains(s, n, "::"))
			return FG_PAL_YELLOW;
		if (has_suffix(s, n, "_[k]"))
			return FG_PAL_ORANGE;
		return FG_PAL_RED;
	case FG_PAL_PERL:
		if (contains(s, n, "::"))
			return FG_PAL_YELLOW;
		if (contains(s, n, "Perl") || contains(s, n, ".pl"))
			return FG_PAL_GREEN;
		if (has_suffix(s, n, "_[k]"))
			return FG_PAL_ORANGE;
		return FG_PAL_RED;
	case FG_PAL_JS:
		if (has_suffix(s, n, "_[j]"))
			return memchr(s, '/', n) ? FG_PAL_GREEN : FG_PAL_AQUA;
		if (contains(s, n, "::"))
			return FG_PAL_YELLOW;
		{
			const char *slash = memchr(s, '/', n);
			if (slash && contains(slash, n - (size_t)(slash - s), ".js"))
				return FG_PAL_GREEN;
		}
		if (memchr(s, ':', n))
			return FG_PAL_AQUA;
		if (n == 1 && s[0] == ' ')
			return FG_PAL_GREEN;
		if (contains(s, n, "_[k]"))
			return FG_PAL_ORANGE;
		return FG_PAL_RED;
	case FG_PAL_WAKEUP:
		return FG_PAL_AQUA;
	case FG_PAL_CHAIN:
		return contains(s, n, "_[w]") ? FG_PAL_AQUA : FG_PAL_BLUE;
	case FG_PAL_WASM:
		if (kernel_ctx)
			return FG_PAL_ORANGE;
		switch (fg_colorer_wasm_class(c, s, n)) {
		case FG_WASM_CODE: return FG_PAL_GREEN;
		case FG_WASM_HOST: return FG_PAL_AQUA;
		case FG_WASM_KERNEL: return FG_PAL_ORANGE;
		case FG_WASM_JIT: return FG_PAL_PURPLE;
		default: return FG_PAL_RED;
		}
	default:
		return c->palette;
	}
}

static inline uint8_t u8(double base, double span, double v)
{
	return (uint8_t)(base + (int)(span * v));
}

struct fg_rgb fg_colorer_color(struct fg_colorer *c, const char *name, size_t n, bool kernel_ctx)
{
	double v[3];
	values(c, name, n, v);
	double v1 = v[0], v2 = v[1], v3 = v[2];
	switch (family(c, name, n, kernel_ctx)) {
	case FG_PAL_HOT: return (struct fg_rgb){u8(205, 50, v3), u8(0, 230, v1), u8(0, 55, v2)};
	case FG_PAL_MEM: return (struct fg_rgb){0, u8(190, 50, v2), u8(0, 210, v1)};
	case FG_PAL_IO: return (struct fg_rgb){u8(80, 60, v1), u8(80, 60, v1), u8(190, 55, v2)};
	case FG_PAL_RED: return (struct fg_rgb){u8(200, 55, v1), u8(50, 80, v1), u8(50, 80, v1)};
	case FG_PAL_GREEN: return (struct fg_rgb){u8(50, 60, v1), u8(200, 55, v1), u8(50, 60, v1)};
	case FG_PAL_BLUE: return (struct fg_rgb){u8(80, 60, v1), u8(80, 60, v1), u8(205, 50, v1)};
	case FG_PAL_YELLOW: return (struct fg_rgb){u8(175, 55, v1), u8(175, 55, v1), u8(50, 20, v1)};
	case FG_PAL_PURPLE: return (struct fg_rgb){u8(190, 65, v1), u8(80, 60, v1), u8(190, 65, v1)};
	case FG_PAL_AQUA: return (struct fg_rgb){u8(50, 60, v1), u8(165, 55, v1), u8(165, 55, v1)};
	case FG_PAL_ORANGE: return (struct fg_rgb){u8(190, 65, v1), u8(90, 65, v1), 0};
	default: return (struct fg_rgb){0, 0, 0};
	}
}

struct fg_rgb fg_color_scale(double value, double max)
{
	struct fg_rgb c = {255, 255, 255};
	if (max <= 0)
		return c;
	if (value > max)
		value = max;
	if (value < -max)
		value = -max;
	if (value > 0)
		c.g = c.b = (uint8_t)(int)(210 * (max - value) / max);
	else if (value < 0)
		c.r = c.g = (uint8_t)(int)(210 * (max + value) / max);
	return c;
}

/* ---- palette.map ---- */

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
	if (id >= m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 256;
		while (cap <= id)
			cap *= 2;
		struct fg_rgb *p = realloc(m->colors, cap * sizeof *p);
		if (!p)
			return WP_E_NOMEM;
		m->colors = p;
		m->cap = cap;
	}
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
	if (n - i < 4 || memcmp(s + i, "rgb(", 4) != 0)
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
