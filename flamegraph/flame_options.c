/* flame_options.c - flamegraph.pl's options: defaults, one table that sets
 * each by its command-line name, and the consistency check. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include "flame_internal.h"

void fg_flame_options_init(struct fg_flame_options *o)
{
	memset(o, 0, sizeof *o);
	o->width = 1200;
	o->frame_height = 16;
	o->min_width = 0.1;
	o->font_type = "Verdana";
	o->font_size = 12;
	o->font_width = 0.59;
	o->count_name = "samples";
	o->name_type = "Function:";
	o->palette = "hot";
	o->factor = 1;
}

static int usage(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int usage(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (err && errlen)
		vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return WP_E_USAGE;
}

static bool parse_double(const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = s ? strtod(s, &end) : 0;
	if (!s || !*s || *end || errno || !isfinite(v) || v < 0)
		return false;
	*out = v;
	return true;
}

static bool parse_uint(const char *s, unsigned max, unsigned *out)
{
	char *end;
	errno = 0;
	unsigned long v = s ? strtoul(s, &end, 10) : 0;
	if (!s || !*s || *end || errno || *s == '-' || v == 0 || v > max)
		return false;
	*out = (unsigned)v;
	return true;
}

/* XML EncName: [A-Za-z] ([A-Za-z0-9._] | '-')* */
static bool valid_encoding(const char *s)
{
	if (!isalpha((unsigned char)s[0]))
		return false;
	for (const char *p = s + 1; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '.' && *p != '_' && *p != '-')
			return false;
	return true;
}

/* --minwidth NUM (px) or NUM% (of the total). */
static int set_min_width(struct fg_flame_options *o, const char *v, char *err, size_t errlen)
{
	size_t n = v ? strlen(v) : 0;
	char tmp[64];
	double d;
	bool pct = n && v[n - 1] == '%';
	if (n - pct >= sizeof tmp)
		return usage(err, errlen, "--minwidth wants a number of px or a NUM%%, not '%s'", v);
	memcpy(tmp, v, n - pct);
	tmp[n - pct] = '\0';
	if (!parse_double(tmp, &d))
		return usage(err, errlen, "--minwidth wants a number of px or a NUM%%, not '%s'", v);
	if (pct && d > 100)
		return usage(err, errlen, "--minwidth wants a percentage from 0 to 100%%, not '%s'", v);
	o->min_width = d;
	o->min_width_percent = pct;
	return 0;
}

/* How an option's value is checked and stored. */
enum opt_kind {
	OPT_TEXT,      /* const char *: the value as it is */
	OPT_UINT,      /* unsigned: 1 .. max */
	OPT_POSITIVE,  /* double > 0 */
	OPT_NONNEG,    /* double >= 0 */
	OPT_TRUE,      /* bool, no value: set */
	OPT_MODE,      /* enum fg_flame_color_mode, no value: set to mode */
	OPT_PALETTE,   /* const char *: one of FG_FLAME_PALETTES */
	OPT_BGCOLORS,  /* const char *: a background fg_bgcolors() knows */
	OPT_ENCODING,  /* const char *: an XML encoding name */
	OPT_MINWIDTH,  /* set_min_width() */
};

#define FIELD(f) offsetof(struct fg_flame_options, f)
static const struct flame_option {
	const char *name;
	enum opt_kind kind;
	size_t field;
	unsigned max;                  /* OPT_UINT */
	enum fg_flame_color_mode mode; /* OPT_MODE */
} flame_options[] = {
	{"title", OPT_TEXT, FIELD(title), 0, 0},
	{"subtitle", OPT_TEXT, FIELD(subtitle), 0, 0},
	{"width", OPT_UINT, FIELD(width), 1000000, 0},
	{"height", OPT_UINT, FIELD(frame_height), 100000, 0},
	{"minwidth", OPT_MINWIDTH, 0, 0, 0},
	{"fonttype", OPT_TEXT, FIELD(font_type), 0, 0},
	{"fontsize", OPT_POSITIVE, FIELD(font_size), 0, 0},
	{"fontwidth", OPT_POSITIVE, FIELD(font_width), 0, 0},
	{"countname", OPT_TEXT, FIELD(count_name), 0, 0},
	{"nametype", OPT_TEXT, FIELD(name_type), 0, 0},
	{"colors", OPT_PALETTE, FIELD(palette), 0, 0},
	{"color", OPT_PALETTE, FIELD(palette), 0, 0},
	{"bgcolors", OPT_BGCOLORS, FIELD(bgcolors), 0, 0},
	{"hash", OPT_MODE, FIELD(color_mode), 0, FG_FLAME_COLOR_HASH},
	{"random", OPT_MODE, FIELD(color_mode), 0, FG_FLAME_COLOR_RANDOM},
	{"deterministic", OPT_MODE, FIELD(color_mode), 0, FG_FLAME_COLOR_DETERMINISTIC},
	{"reverse", OPT_TRUE, FIELD(reverse), 0, 0},
	{"inverted", OPT_TRUE, FIELD(inverted), 0, 0},
	{"flamechart", OPT_TRUE, FIELD(flamechart), 0, 0},
	{"negate", OPT_TRUE, FIELD(negate), 0, 0},
	{"notes", OPT_TEXT, FIELD(notes), 0, 0},
	{"total", OPT_NONNEG, FIELD(total), 0, 0},
	{"factor", OPT_POSITIVE, FIELD(factor), 0, 0},
	{"encoding", OPT_ENCODING, FIELD(encoding), 0, 0},
};
#undef FIELD

int fg_flame_options_set(struct fg_flame_options *o, const char *name, const char *v,
			 char *err, size_t errlen)
{
	const struct flame_option *opt = NULL;
	for (size_t i = 0; !opt && i < sizeof flame_options / sizeof flame_options[0]; i++)
		if (!strcmp(name, flame_options[i].name))
			opt = &flame_options[i];
	if (!opt)
		return WP_E_NOTFOUND;
	void *field = (char *)o + opt->field;
	double d;
	char c1[8], c2[8];
	switch (opt->kind) {
	case OPT_TEXT:
		break;
	case OPT_UINT:
		if (!parse_uint(v, opt->max, field))
			return usage(err, errlen, "--%s wants a positive integer, not '%s'", name, v);
		return 0;
	case OPT_POSITIVE:
	case OPT_NONNEG:
		if (!parse_double(v, &d) || (d == 0 && opt->kind == OPT_POSITIVE))
			return usage(err, errlen, "--%s wants a positive number, not '%s'", name, v);
		*(double *)field = d;
		return 0;
	case OPT_TRUE:
		*(bool *)field = true;
		return 0;
	case OPT_MODE:
		*(enum fg_flame_color_mode *)field = opt->mode;
		return 0;
	case OPT_PALETTE:
		if (fg_palette_parse(v) < 0)
			return usage(err, errlen, "unknown palette '%s' (%s)", v, &FG_FLAME_PALETTE_WORDS[1]); /* without the leading blank */
		break;
	case OPT_BGCOLORS:
		if (fg_bgcolors(v, 0, c1, c2) != 0)
			return usage(err, errlen, "unknown background '%s' (yellow blue green grey or #rrggbb)", v);
		break;
	case OPT_ENCODING:
		if (!v || !valid_encoding(v))
			return usage(err, errlen, "--encoding wants an encoding name such as UTF-8, not '%s'", v ? v : "");
		break;
	case OPT_MINWIDTH:
		return set_min_width(o, v, err, errlen);
	}
	*(const char **)field = v;
	return 0;
}

int fg_flame_options_check(const struct fg_flame_options *o, char *err, size_t errlen)
{
	char c1[8], c2[8];
	int pal = fg_palette_parse(o->palette ? o->palette : "hot");
	if (pal < 0)
		return usage(err, errlen, "unknown palette '%s'", o->palette);
	if (fg_bgcolors(o->bgcolors, pal, c1, c2) != 0)
		return usage(err, errlen, "unknown background '%s'", o->bgcolors);
	if (!o->width || !o->frame_height || !(o->font_size > 0) || !(o->font_width > 0) ||
	    !(o->factor > 0) || !(o->min_width >= 0) || !(o->total >= 0) ||
	    !(o->total < 18446744073709551616.0) /* counts are 64-bit */ || !isfinite(o->factor) ||
	    !isfinite(o->font_size) || !isfinite(o->font_width) || !isfinite(o->min_width))
		return usage(err, errlen, "a size or factor option is out of range");
	if (o->encoding && !valid_encoding(o->encoding))
		return usage(err, errlen, "bad --encoding '%s'", o->encoding);
	return 0;
}
