/* flame_bars.c - a stacked-bar chart (see flamegraph.h, "stacked bars"):
 * the flame graph's escaping (fg_xml_escape) and flat palette families
 * (fg_colorer_color) on bars of phases. */
#include <stdarg.h>
#include <stdio.h>

#include "flame_internal.h"

#define MAX_SUB 16
#define LABEL_W 230.0 /* px left of the bars for their labels */
#define BAR_H 28.0
#define STRIP_H 10.0  /* depth-1 parts, under their bar */
#define ROW_H (BAR_H + STRIP_H + 16.0)
#define TOP 50.0
#define FONT 12.0

/* The flat families, one per part name in order of first appearance. */
static const int families[] = {FG_PAL_BLUE, FG_PAL_GREEN, FG_PAL_ORANGE, FG_PAL_PURPLE,
			       FG_PAL_AQUA, FG_PAL_YELLOW, FG_PAL_RED};
#define NFAM (sizeof families / sizeof families[0])

__attribute__((format(printf, 2, 3)))
static void outf(struct fg_out *o, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n > 0)
		fg_out_put(o, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

static void esc(struct fg_out *o, const char *s, enum fg_xml_ctx ctx)
{
	if (s)
		fg_xml_escape(o, s, strlen(s), ctx);
}

/* Tone k of n: from darker (k = 0) to lighter (k = n - 1) than c, so that
 * the categories read in the same order in every segment. */
static struct fg_rgb tone(struct fg_rgb c, size_t k, size_t n)
{
	double t = n > 1 ? -0.45 + 0.9 * (double)k / (double)(n - 1) : 0;
	uint8_t v[3] = {c.r, c.g, c.b};
	for (int i = 0; i < 3; i++)
		v[i] = (uint8_t)(t < 0 ? v[i] * (1 + t) : v[i] + (255 - v[i]) * t);
	return (struct fg_rgb){v[0], v[1], v[2]};
}

static void fill(struct fg_out *o, struct fg_rgb c)
{
	outf(o, " fill=\"rgb(%u,%u,%u)\"", c.r, c.g, c.b);
}

struct names {
	const char *name[64];
	size_t n;
};

/* The part's colour family: by its name's first appearance (same phase,
 * same colour in every bar), the shade from the name as in a flame graph. */
static struct fg_rgb part_color(struct fg_colorer **col, struct names *seen, const char *name)
{
	size_t i;
	for (i = 0; i < seen->n && strcmp(seen->name[i], name); i++)
		;
	if (i == seen->n && seen->n < sizeof seen->name / sizeof seen->name[0])
		seen->name[seen->n++] = name;
	return fg_colorer_color(col[i % NFAM], name, strlen(name), false);
}

static void part_title(struct fg_out *o, const struct fg_bar_part *p,
		       const struct fg_bars_options *opt)
{
	fg_out_puts(o, "<title>");
	esc(o, p->name, FG_XML_TEXT);
	outf(o, ": %.3f ms, %.1f%% of total, %llu samples", (double)p->dur_ns / 1e6,
	     100.0 * p->share, (unsigned long long)p->samples);
	for (size_t k = 0; p->sub_samples && p->samples && k < opt->nsub; k++) {
		if (!p->sub_samples[k])
			continue;
		fg_out_puts(o, "\n  ");
		esc(o, opt->sub_names[k], FG_XML_TEXT);
		outf(o, " %.1f%%", 100.0 * (double)p->sub_samples[k] / (double)p->samples);
	}
	fg_out_puts(o, "</title>\n");
}

static void part_svg(struct fg_out *o, const struct fg_bar_part *p, struct fg_rgb c,
		     const struct fg_bars_options *opt, double x, double y, double w, double h)
{
	fg_out_puts(o, "<g class=\"part\" data-phase=\"");
	esc(o, p->name, FG_XML_ATTR);
	outf(o, "\" data-depth=\"%d\">\n", p->depth);
	part_title(o, p, opt);
	outf(o, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"", x, y, w, h);
	fill(o, c);
	fg_out_puts(o, " stroke=\"white\" stroke-width=\"0.5\"/>\n");
	/* the tones, stacked from the top in sub order, heights by share */
	double yy = y;
	for (size_t k = 0; p->sub_samples && p->samples && k < opt->nsub; k++) {
		if (!p->sub_samples[k])
			continue;
		double hh = h * (double)p->sub_samples[k] / (double)p->samples;
		outf(o, "<rect class=\"sub\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"", x, yy,
		     w, hh);
		fill(o, tone(c, k, opt->nsub));
		fg_out_puts(o, "/>\n");
		yy += hh;
	}
	size_t len = fg_xml_display_len(p->name, strlen(p->name), 1000);
	double fits = (w - 6) / (FONT * 0.59);
	if (p->depth == 0 && fits >= 3) {
		outf(o, "<text x=\"%.2f\" y=\"%.2f\">", x + 3, y + h / 2 + FONT / 3);
		if ((double)len <= fits) {
			esc(o, p->name, FG_XML_TEXT);
		} else {
			fg_xml_escape_units(o, p->name, strlen(p->name), (size_t)fits - 2, FG_XML_TEXT);
			fg_out_puts(o, "..");
		}
		fg_out_puts(o, "</text>\n");
	}
	fg_out_puts(o, "</g>\n");
}

static void legend(struct fg_out *o, const struct fg_bars_options *opt, double y)
{
	struct fg_rgb grey = {128, 128, 128};
	fg_out_puts(o, "<g id=\"legend\">\n");
	outf(o, "<text x=\"10\" y=\"%.2f\">CPU category (tone, dark to light, top to bottom in "
	     "each phase):</text>\n", y + FONT);
	double x = 10;
	y += FONT + 8;
	for (size_t k = 0; k < opt->nsub; k++) {
		fg_out_puts(o, "<g class=\"key\"><title>");
		esc(o, opt->sub_names[k], FG_XML_TEXT);
		outf(o, "</title><rect x=\"%.2f\" y=\"%.2f\" width=\"14\" height=\"14\"", x, y);
		fill(o, tone(grey, k, opt->nsub));
		outf(o, "/><text x=\"%.2f\" y=\"%.2f\">", x + 18, y + 11);
		esc(o, opt->sub_names[k], FG_XML_TEXT);
		fg_out_puts(o, "</text></g>\n");
		x += 34 + FONT * 0.7 * (double)fg_xml_display_len(opt->sub_names[k],
							       strlen(opt->sub_names[k]), 64);
	}
	fg_out_puts(o, "</g>\n");
}

int fg_bars_write_svg(FILE *out, const struct fg_bars_options *opt, const struct fg_bar *bars,
		      size_t nbars)
{
	if (opt->nsub > MAX_SUB)
		return WP_E_USAGE;
	struct fg_colorer *col[NFAM] = {0};
	int rc = 0;
	for (size_t i = 0; i < NFAM && !rc; i++)
		if (!(col[i] = fg_colorer_new(families[i], FG_FLAME_COLOR_DETERMINISTIC, 0)))
			rc = WP_E_NOMEM;
	struct fg_out o;
	fg_out_init(&o, out);
	double width = opt->width ? opt->width : 1200;
	double bar_w = width - LABEL_W - 20;
	uint64_t longest = 1;
	for (size_t b = 0; b < nbars; b++)
		if (bars[b].dur_ns > longest)
			longest = bars[b].dur_ns;
	double height = TOP + (double)nbars * ROW_H + 70;
	outf(&o, "<?xml version=\"1.0\" standalone=\"no\"?>\n"
	     "<svg version=\"1.1\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
	     "xmlns=\"http://www.w3.org/2000/svg\">\n", width, height, width, height);
	outf(&o, "<style>text { font-family: Verdana, sans-serif; font-size: %.0fpx; fill: "
	     "rgb(0,0,0); } .part:hover rect { stroke: black; stroke-width: 1; }</style>\n", FONT);
	outf(&o, "<rect x=\"0\" y=\"0\" width=\"%.0f\" height=\"%.0f\" fill=\"rgb(250,250,245)\"/>\n",
	     width, height);
	outf(&o, "<text id=\"title\" x=\"%.2f\" y=\"24\" text-anchor=\"middle\" "
	     "style=\"font-size: 17px\">", width / 2);
	esc(&o, opt->title ? opt->title : "Phases", FG_XML_TEXT);
	outf(&o, "</text>\n<text x=\"%.2f\" y=\"42\">bar width: wall time, the longest bar = "
	     "%.3f ms</text>\n", LABEL_W, (double)longest / 1e6);
	struct names seen = {.n = 0};
	for (size_t b = 0; b < nbars && !rc; b++) {
		const struct fg_bar *bar = &bars[b];
		double y = TOP + (double)b * ROW_H;
		fg_out_puts(&o, "<g class=\"bar\" data-label=\"");
		esc(&o, bar->label, FG_XML_ATTR);
		fg_out_puts(&o, "\">\n<text class=\"label\" x=\"10\"");
		outf(&o, " y=\"%.2f\">", y + BAR_H / 2 + FONT / 3);
		esc(&o, bar->label, FG_XML_TEXT);
		fg_out_puts(&o, "</text>\n");
		outf(&o, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"none\" "
		     "stroke=\"rgb(160,160,160)\"/>\n", LABEL_W,
		     y, bar_w * (double)bar->dur_ns / (double)longest, BAR_H);
		for (size_t i = 0; i < bar->nparts; i++) {
			const struct fg_bar_part *p = &bar->parts[i];
			uint64_t off = p->start_ns > bar->start_ns ? p->start_ns - bar->start_ns : 0;
			double x = LABEL_W + bar_w * (double)off / (double)longest;
			double w = bar_w * (double)p->dur_ns / (double)longest;
			struct fg_rgb c = part_color(col, &seen, p->name);
			if (p->depth == 0)
				part_svg(&o, p, c, opt, x, y, w, BAR_H);
			else
				part_svg(&o, p, c, opt, x, y + BAR_H + 2, w, STRIP_H);
		}
		fg_out_puts(&o, "</g>\n");
	}
	legend(&o, opt, TOP + (double)nbars * ROW_H + 10);
	fg_out_puts(&o, "</svg>\n");
	int frc = fg_out_flush(&o);
	fg_out_release(&o);
	for (size_t i = 0; i < NFAM; i++)
		fg_colorer_free(col[i]);
	return rc ? rc : frc;
}
