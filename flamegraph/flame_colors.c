/* flame_colors.c - frame colours: flamegraph.pl's palettes and colour
 * modes (its color() and namehash(), computed the same way so that a name
 * gets the same colour in both tools), the `wasm` palette's families and the
 * differential scale. */
#include <stdlib.h>

#include "flame_internal.h"

#define FG_PAL_NAME(id, name) [FG_PAL_##id] = name,
static const char *const palette_names[] = {FG_FLAME_PALETTES(FG_PAL_NAME)};
#undef FG_PAL_NAME

int fg_palette_parse(const char *name)
{
	for (size_t i = 0; name && i < FG_PAL_COUNT; i++)
		if (strcmp(name, palette_names[i]) == 0)
			return (int)i;
	return -1;
}

/* "#rrggbb" */
static bool is_hex_color(const char *s)
{
	if (s[0] != '#' || strlen(s) != 7)
		return false;
	for (int i = 1; i < 7; i++)
		if (!wp_is_hex(s[i]))
			return false;
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
	if (is_hex_color(bg)) {
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
	/* wasm palette: made at the first frame, once */
	bool classifier_made;
	struct fg_wasm_classifier *classifier;
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
	fg_wasm_classifier_free(c->classifier);
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
	if (wp_grow((void **)&c->cps, &c->cps_cap, n, sizeof *c->cps))
		return 0;
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

enum fg_wasm_class fg_colorer_wasm_class(struct fg_colorer *c, const char *name, size_t n)
{
	if (!c->classifier_made) {
		c->classifier_made = true;
		c->classifier = fg_wasm_classifier_new();
	}
	return fg_wasm_classify(c->classifier, name, n);
}

static int family_java(const char *s, size_t n)
{
	static const char *const pkgs[] = {"java/", "javax/", "jdk/", "net/", "org/", "com/", "io/", "sun/"};
	if (wp_has_suffix(s, n, "_[j]"))
		return FG_PAL_GREEN;
	if (wp_has_suffix(s, n, "_[i]"))
		return FG_PAL_AQUA;
	size_t o = n && s[0] == 'L' ? 1 : 0;
	for (size_t i = 0; i < sizeof pkgs / sizeof pkgs[0]; i++)
		if (wp_has_prefix(s + o, n - o, pkgs[i]))
			return FG_PAL_GREEN;
	if (wp_contains(s, n, ":::"))
		return FG_PAL_GREEN;
	if (wp_contains(s, n, "::"))
		return FG_PAL_YELLOW;
	if (wp_has_suffix(s, n, "_[k]"))
		return FG_PAL_ORANGE;
	return FG_PAL_RED;
}

static int family_perl(const char *s, size_t n)
{
	if (wp_contains(s, n, "::"))
		return FG_PAL_YELLOW;
	if (wp_contains(s, n, "Perl") || wp_contains(s, n, ".pl"))
		return FG_PAL_GREEN;
	if (wp_has_suffix(s, n, "_[k]"))
		return FG_PAL_ORANGE;
	return FG_PAL_RED;
}

static int family_js(const char *s, size_t n)
{
	const char *slash = memchr(s, '/', n);
	if (wp_has_suffix(s, n, "_[j]"))
		return slash ? FG_PAL_GREEN : FG_PAL_AQUA;
	if (wp_contains(s, n, "::"))
		return FG_PAL_YELLOW;
	if (slash && wp_contains(slash, n - (size_t)(slash - s), ".js"))
		return FG_PAL_GREEN;
	if (memchr(s, ':', n))
		return FG_PAL_AQUA;
	if (n == 1 && s[0] == ' ')
		return FG_PAL_GREEN;
	if (wp_contains(s, n, "_[k]"))
		return FG_PAL_ORANGE;
	return FG_PAL_RED;
}

static int family_wasm(struct fg_colorer *c, const char *s, size_t n, bool kernel_ctx)
{
	if (kernel_ctx)
		return FG_PAL_ORANGE;
	switch (fg_colorer_wasm_class(c, s, n)) {
	case FG_WASM_CODE: return FG_PAL_GREEN;
	case FG_WASM_HOST: return FG_PAL_AQUA;
	case FG_WASM_KERNEL: return FG_PAL_ORANGE;
	case FG_WASM_JIT: return FG_PAL_PURPLE;
	default: return FG_PAL_RED;
	}
}

/* The hue family a palette gives a name (flamegraph.pl's rules for the
 * semantic palettes; a flat palette is its own family). */
static int family(struct fg_colorer *c, const char *s, size_t n, bool kernel_ctx)
{
	switch (c->palette) {
	case FG_PAL_JAVA: return family_java(s, n);
	case FG_PAL_PERL: return family_perl(s, n);
	case FG_PAL_JS: return family_js(s, n);
	case FG_PAL_WAKEUP: return FG_PAL_AQUA;
	case FG_PAL_CHAIN: return wp_contains(s, n, "_[w]") ? FG_PAL_AQUA : FG_PAL_BLUE;
	case FG_PAL_WASM: return family_wasm(c, s, n, kernel_ctx);
	default: return c->palette;
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

