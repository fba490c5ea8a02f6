/* flame_svg.c - the flame graph document: flamegraph.pl's layout and DOM
 * contract (element ids, one <g> per frame, its geometry and tooltips) with
 * inferno-style fg:x / fg:w attributes in sample units, so that
 * flamegraph.js zooms and searches with exact arithmetic. Everything from
 * input goes through flame_xml.c. */
#include <math.h>
#include <stdlib.h>

#include "flame_internal.h"

#define XPAD 10
#define FRAMEPAD 1
#define FG_NS "http://github.com/jonhoo/inferno" /* shared with inferno's fg:x/fg:w */

/* Search matches: a vivid azure, as far as a colour that keeps black labels
 * readable gets from every palette's colours (flamegraph.pl's rgb(230,0,230)
 * is within CIEDE2000 8 of the `purple` family that the `wasm` palette uses
 * for JIT frames; this one is at least 19.8 from every family and from the
 * differential scale; testdata/flame-search-colour checks the distances). */
static const char search_color[] = "rgb(0,162,250)";

static void put_rgb(struct fg_out *o, struct fg_rgb c)
{
	fg_out_put(o, "rgb(", 4);
	fg_out_u64(o, c.r);
	fg_out_putc(o, ',');
	fg_out_u64(o, c.g);
	fg_out_putc(o, ',');
	fg_out_u64(o, c.b);
	fg_out_putc(o, ')');
}

/* --fonttype in CSS: a plain family list as it is, anything else as one
 * quoted, escaped family name. */
static void put_font(struct fg_out *o, const char *s)
{
	bool plain = *s != '\0';
	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (!(c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || strchr(" ,-_.'", c)))
			plain = false;
	}
	if (plain) {
		fg_xml_escape(o, s, strlen(s), FG_XML_TEXT);
		return;
	}
	fg_out_putc(o, '"');
	for (const char *p = s; *p;) {
		unsigned char c = (unsigned char)*p;
		if (c >= 0x80) {
			const char *q = p;
			while ((unsigned char)*q >= 0x80)
				q++;
			fg_xml_escape(o, p, (size_t)(q - p), FG_XML_TEXT);
			p = q;
			continue;
		}
		if (c == '"' || c == '\\') {
			fg_out_putc(o, '\\');
			fg_out_putc(o, (char)c);
		} else if (c == '<') {
			fg_out_puts(o, "\\3c ");
		} else if (c == '>') {
			fg_out_puts(o, "\\3e ");
		} else if (c == '&') {
			fg_out_puts(o, "\\26 ");
		} else if (c >= 0x20 && c != 0x7f) {
			fg_out_putc(o, (char)c);
		}
		p++;
	}
	fg_out_putc(o, '"');
}

/* Comment text may not contain "--" nor end with "-". */
static void put_comment_text(struct fg_out *o, const char *s)
{
	size_t n = strlen(s);
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && s[j] != '-')
			j++;
		fg_xml_escape(o, s + i, j - i, FG_XML_TEXT);
		if (j < n) {
			fg_out_putc(o, '-');
			if (j + 1 == n || s[j + 1] == '-')
				fg_out_putc(o, ' ');
			j++;
		}
		i = j;
	}
}

static void put_attr(struct fg_out *o, const char *key, const char *val)
{
	fg_out_putc(o, ' ');
	fg_out_puts(o, key);
	fg_out_put(o, "=\"", 2);
	fg_xml_escape(o, val, strlen(val), FG_XML_ATTR);
	fg_out_putc(o, '"');
}

static void put_text_el(struct fg_out *o, const char *id, double x, double y, const char *text,
			const char *extra)
{
	fg_out_put(o, "<text id=\"", 10);
	fg_out_puts(o, id);
	fg_out_put(o, "\" x=\"", 5);
	fg_out_num(o, x);
	fg_out_put(o, "\" y=\"", 5);
	fg_out_num(o, y);
	fg_out_putc(o, '"');
	if (extra) {
		fg_out_putc(o, ' ');
		fg_out_puts(o, extra);
	}
	fg_out_putc(o, '>');
	fg_xml_escape(o, text, strlen(text), FG_XML_TEXT);
	fg_out_put(o, "</text>\n", 8);
}

static void put_header(struct fg_out *o, const struct fg_flame_options *opt, double height,
		       fg_amount total)
{
	fg_out_puts(o, "<?xml version=\"1.0\"");
	if (opt->encoding)
		put_attr(o, "encoding", opt->encoding);
	fg_out_puts(o, " standalone=\"no\"?>\n"
		       "<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" "
		       "\"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\">\n"
		       "<svg version=\"1.1\" width=\"");
	fg_out_u64(o, opt->width);
	fg_out_puts(o, "\" height=\"");
	fg_out_num(o, height);
	fg_out_puts(o, "\" onload=\"init(evt)\" viewBox=\"0 0 ");
	fg_out_u64(o, opt->width);
	fg_out_putc(o, ' ');
	fg_out_num(o, height);
	fg_out_puts(o, "\" xmlns=\"http://www.w3.org/2000/svg\" "
		       "xmlns:xlink=\"http://www.w3.org/1999/xlink\" xmlns:fg=\"" FG_NS "\"");
	put_attr(o, "fg:nametype", opt->name_type ? opt->name_type : "");
	fg_out_puts(o, " fg:fontsize=\"");
	fg_out_num(o, opt->font_size);
	fg_out_puts(o, "\" fg:fontwidth=\"");
	fg_out_num(o, opt->font_width);
	fg_out_puts(o, "\" fg:xpad=\"10\" fg:inverted=\"");
	fg_out_putc(o, opt->inverted ? '1' : '0');
	fg_out_puts(o, "\" fg:searchcolor=\"");
	fg_out_puts(o, search_color);
	fg_out_puts(o, "\" fg:total=\"");
	fg_out_amount(o, total);
	fg_out_puts(o, "\">\n<!-- Flame graph stack visualization, made by wasmperf-flame in the format of "
		       "https://github.com/brendangregg/FlameGraph (see http://www.brendangregg.com/flamegraphs.html). -->\n"
		       "<!-- NOTES: ");
	put_comment_text(o, opt->notes ? opt->notes : "");
	fg_out_puts(o, " -->\n");
}

static void put_script(struct fg_out *o)
{
	fg_out_puts(o, "<script type=\"text/ecmascript\"><![CDATA[\n");
	/* The script is ours, but never let it close the section early. */
	const char *s = fg_flamegraph_js, *end = s + fg_flamegraph_js_len;
	while (s < end) {
		const char *q = memmem(s, (size_t)(end - s), "]]>", 3);
		if (!q) {
			fg_out_put(o, s, (size_t)(end - s));
			break;
		}
		fg_out_put(o, s, (size_t)(q - s) + 2);
		fg_out_puts(o, "]]><![CDATA[");
		s = q + 2;
	}
	fg_out_puts(o, "\n]]></script>\n");
}

static void put_prelude(struct fg_out *o, const struct fg_flame *f, double height)
{
	const struct fg_flame_options *opt = &f->opt;
	char bg1[8], bg2[8];
	fg_bgcolors(opt->bgcolors, f->palette, bg1, bg2);
	fg_out_puts(o, "<defs>\n\t<linearGradient id=\"background\" y1=\"0\" y2=\"1\" x1=\"0\" x2=\"0\" >\n"
		       "\t\t<stop stop-color=\"");
	fg_out_puts(o, bg1);
	fg_out_puts(o, "\" offset=\"5%\" />\n\t\t<stop stop-color=\"");
	fg_out_puts(o, bg2);
	fg_out_puts(o, "\" offset=\"95%\" />\n\t</linearGradient>\n</defs>\n"
		       "<style type=\"text/css\">\n\ttext { font-family:");
	put_font(o, opt->font_type ? opt->font_type : "Verdana");
	fg_out_puts(o, "; font-size:");
	fg_out_num(o, opt->font_size);
	fg_out_puts(o, "px; fill:rgb(0,0,0); }\n"
		       "\t#search, #ignorecase { opacity:0.1; cursor:pointer; }\n"
		       "\t#search:hover, #search.show, #ignorecase:hover, #ignorecase.show { opacity:1; }\n"
		       "\t#subtitle { text-anchor:middle; font-color:rgb(160,160,160); }\n"
		       "\t#title { text-anchor:middle; font-size:");
	fg_out_num(o, opt->font_size + 5);
	fg_out_puts(o, "px; }\n"
		       "\t#unzoom { cursor:pointer; }\n"
		       "\t#frames > *:hover { stroke:black; stroke-width:0.5; cursor:pointer; }\n"
		       "\t.hide { display:none; }\n"
		       "\t.parent { opacity:0.5; }\n"
		       "</style>\n");
	put_script(o);
	fg_out_puts(o, "<rect x=\"0\" y=\"0\" width=\"");
	fg_out_u64(o, opt->width);
	fg_out_puts(o, "\" height=\"");
	fg_out_num(o, height);
	fg_out_puts(o, "\" fill=\"url(#background)\" />\n");

	const char *title = opt->title && *opt->title ? opt->title
			    : opt->flamechart	      ? "Flame Chart"
			    : opt->inverted	      ? "Icicle Graph"
						      : "Flame Graph";
	double fs = opt->font_size, w = opt->width, ypad2 = fs * 2 + 10;
	put_text_el(o, "title", floor(w / 2), fs * 2, title, NULL);
	if (opt->subtitle && *opt->subtitle)
		put_text_el(o, "subtitle", floor(w / 2), fs * 4, opt->subtitle, NULL);
	put_text_el(o, "details", XPAD, height - ypad2 / 2, " ", NULL);
	put_text_el(o, "unzoom", XPAD, fs * 2, "Reset Zoom", "class=\"hide\"");
	put_text_el(o, "search", w - XPAD - 100, fs * 2, "Search", NULL);
	put_text_el(o, "ignorecase", w - XPAD - 16, fs * 2, "ic", NULL);
	put_text_el(o, "matched", w - XPAD - 100, height - ypad2 / 2, " ", NULL);
}

static int write_empty(struct fg_flame *f, struct fg_out *o)
{
	double fs = f->opt.font_size;
	put_header(o, &f->opt, fs * 5, 0);
	put_text_el(o, "error", floor(f->opt.width / 2.0), fs * 2,
		    "ERROR: No valid input provided to wasmperf-flame.", "text-anchor=\"middle\"");
	fg_out_puts(o, "</svg>\n");
	return WP_E_NOTFOUND;
}

/* One colour per distinct name (and kernel context), computed once; never
 * cached for --random. */
struct colors {
	struct fg_colorer *colorer;
	uint32_t *cache;   /* rgb | 1 << 24 when set, by name id * 2 + kernel */
	uint8_t *wclass;   /* wasm palette: class + 1 by name id */
	uint8_t *kernel;   /* wasm palette: frame is kernel code, by node */
	bool use_cache;
};

static int frame_color(struct fg_flame *f, struct colors *c, uint32_t name_id, const char *name,
		       size_t n, bool kern, struct fg_rgb *out)
{
	size_t slot = (size_t)name_id * 2 + kern;
	if (c->use_cache && (c->cache[slot] >> 24)) {
		uint32_t v = c->cache[slot];
		*out = (struct fg_rgb){(uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
		return 0;
	}
	if (f->palmap) {
		if (!fg_palmap_get(f->palmap, name, n, out)) {
			*out = fg_colorer_color(c->colorer, name, n, kern);
			int rc = fg_palmap_put(f->palmap, name, n, *out);
			if (rc)
				return rc;
		}
	} else {
		*out = fg_colorer_color(c->colorer, name, n, kern);
	}
	if (c->use_cache)
		c->cache[slot] = 1u << 24 | (uint32_t)out->r << 16 | (uint32_t)out->g << 8 | out->b;
	return 0;
}

static void put_attr_list(struct fg_out *o, const struct fg_attr *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put_attr(o, a[i].key, a[i].value);
}

/* <a ...> when --nameattr gives the frame a link, else <g ...>; returns
 * whether it was <a>. */
static bool put_frame_open(struct fg_out *o, const struct fg_attrs *attrs)
{
	bool link = false;
	for (size_t i = 0; attrs && i < attrs->na; i++)
		link |= !strcmp(attrs->a[i].key, "xlink:href");
	if (link) {
		fg_out_put(o, "<a", 2);
		put_attr_list(o, attrs->a, attrs->na);
	} else {
		fg_out_put(o, "<g", 2);
	}
	if (attrs)
		put_attr_list(o, attrs->g, attrs->ng);
	fg_out_putc(o, '>');
	return link;
}

/* The tooltip: "name (1,234 samples, 5.67%[; +1.23%])", or --nameattr's title. */
static void put_frame_title(const struct fg_flame *f, struct fg_out *o, const struct fg_layout *l,
			    uint32_t id, const char *name, size_t dn, const struct fg_attrs *attrs)
{
	const struct fg_flame_options *opt = &f->opt;
	bool root = id == 0;
	fg_out_put(o, "<title>", 7);
	if (attrs && attrs->title) {
		fg_xml_escape(o, attrs->title, strlen(attrs->title), FG_XML_TEXT);
		fg_out_put(o, "</title>", 8);
		return;
	}
	if (root)
		fg_out_put(o, "all", 3);
	else
		fg_xml_escape(o, name, dn, FG_XML_TEXT);
	fg_out_put(o, " (", 2);
	/* the count exact to 2^64 - 1 (flamegraph.pl's "%.0f", ties to even) */
	if (opt->factor == 1)
		fg_out_grouped_u64(o, fg_amount_round(l->width[id]));
	else
		fg_out_grouped(o, nearbyint(fg_amount_double(l->width[id]) * opt->factor));
	fg_out_putc(o, ' ');
	fg_xml_escape(o, opt->count_name, strlen(opt->count_name), FG_XML_TEXT);
	if (root) {
		fg_out_put(o, ", 100%)</title>", 15);
		return;
	}
	fg_out_put(o, ", ", 2);
	/* of the exact width: flamegraph.pl divides the rounded count, which
	 * makes fractional counts exceed 100% ("a 1.5" would be 2 of 1.5) */
	double timemax = fg_amount_double(l->timemax);
	fg_out_fixed(o, 100 * fg_amount_double(l->width[id]) / timemax, 2);
	fg_out_putc(o, '%');
	if (f->differential) {
		double d = fg_change_double(opt->negate ? -fg_node_delta(f, id) : fg_node_delta(f, id));
		fg_out_put(o, "; ", 2);
		if (d > 0)
			fg_out_putc(o, '+');
		fg_out_fixed(o, 100 * d / (timemax * opt->factor), 2);
		fg_out_putc(o, '%');
	}
	fg_out_put(o, ")</title>", 9);
}

/* Where a frame is drawn, in px. */
struct frame_box {
	double x1, x2, y1, y2;
};

static struct frame_box frame_box(const struct fg_flame *f, const struct fg_layout *l, uint32_t id,
				  double height)
{
	const struct fg_flame_options *opt = &f->opt;
	uint32_t depth = f->nodes[id].depth;
	double wpt = ((double)opt->width - 2 * XPAD) / fg_amount_double(l->timemax);
	double fs = opt->font_size, fh = opt->frame_height;
	struct frame_box b;
	b.x1 = XPAD + fg_amount_double(l->start[id]) * wpt;
	b.x2 = XPAD + fg_amount_double(l->start[id] + l->width[id]) * wpt;
	if (!opt->inverted) {
		double base = height - (fs * 2 + 10);
		b.y1 = base - (depth + 1) * fh + FRAMEPAD;
		b.y2 = base - depth * fh;
	} else {
		double top = fs * 3 + (opt->subtitle && *opt->subtitle ? fs * 2 : 0);
		b.y1 = top + depth * fh;
		b.y2 = top + (depth + 1) * fh - FRAMEPAD;
	}
	return b;
}

/* The frame's fill: grey separators ("--" and "-"), the differential
 * scale, or the frame's colour. */
static struct fg_rgb frame_fill(const struct fg_flame *f, uint32_t id, const char *name, size_t n,
				size_t dn, double maxdelta, struct fg_rgb color)
{
	if (dn == n && n == 2 && name[0] == '-' && name[1] == '-')
		return (struct fg_rgb){160, 160, 160};
	if (dn == n && n == 1 && name[0] == '-')
		return (struct fg_rgb){200, 200, 200};
	if (f->differential) {
		double d = fg_change_double(fg_node_delta(f, id));
		return fg_color_scale(f->opt.negate ? -d : d, maxdelta);
	}
	return color;
}

static void put_frame_rect(struct fg_out *o, const struct fg_layout *l, uint32_t id,
			   const struct frame_box *b, struct fg_rgb fill)
{
	double x1r = nearbyint(b->x1 * 10) / 10, x2r = nearbyint(b->x2 * 10) / 10;
	fg_out_put(o, "<rect x=\"", 9);
	fg_out_fixed(o, x1r, 1);
	fg_out_put(o, "\" y=\"", 5);
	fg_out_num(o, b->y1);
	fg_out_put(o, "\" width=\"", 9);
	fg_out_fixed(o, x2r - x1r, 1);
	fg_out_put(o, "\" height=\"", 10);
	fg_out_num(o, b->y2 - b->y1);
	fg_out_put(o, "\" fill=\"", 8);
	put_rgb(o, fill);
	fg_out_put(o, "\" rx=\"2\" ry=\"2\" fg:x=\"", 22);
	fg_out_amount(o, l->start[id]);
	fg_out_put(o, "\" fg:w=\"", 8);
	fg_out_amount(o, l->width[id]);
	fg_out_put(o, "\"/>\n", 4);
}

/* The label: as many characters as fit, ".." when cut (flamegraph.pl's rule). */
static void put_frame_label(const struct fg_flame *f, struct fg_out *o, const struct frame_box *b,
			    const char *label, size_t ln)
{
	fg_out_put(o, "<text x=\"", 9);
	fg_out_fixed(o, b->x1 + 3, 2);
	fg_out_put(o, "\" y=\"", 5);
	fg_out_num(o, 3 + (b->y1 + b->y2) / 2);
	fg_out_put(o, "\">", 2);
	double fit = (b->x2 - b->x1) / (f->opt.font_size * f->opt.font_width);
	if (fit >= 3) {
		size_t chars = fit > 1e9 ? (size_t)1e9 : (size_t)fit;
		size_t len = fg_xml_display_len(label, ln, chars + 1);
		if (len <= chars) {
			fg_xml_escape(o, label, ln, FG_XML_TEXT);
		} else {
			fg_xml_escape_units(o, label, ln, chars - 2, FG_XML_TEXT);
			fg_out_put(o, "..", 2);
		}
	}
	fg_out_put(o, "</text>\n", 8);
}

/* One frame: <g> (or <a>) holding <title>, <rect> and <text>. */
static void put_frame(struct fg_flame *f, struct fg_out *o, const struct fg_layout *l,
		      uint32_t id, double height, double maxdelta, struct fg_rgb color)
{
	size_t n;
	const char *name = wp_intern_str(f->names, f->nodes[id].name, &n);
	size_t dn = fg_strip_annotation(name, n);
	bool root = id == 0;
	const struct fg_attrs *attrs = f->nameattr && !root ? fg_nameattr_find(f->nameattr, name, n) : NULL;
	bool link = put_frame_open(o, attrs);
	put_frame_title(f, o, l, id, name, dn, attrs);
	struct frame_box b = frame_box(f, l, id, height);
	put_frame_rect(o, l, id, &b, frame_fill(f, id, name, n, dn, maxdelta, color));
	put_frame_label(f, o, &b, root ? "all" : name, root ? 3 : dn);
	fg_out_puts(o, link ? "</a>\n" : "</g>\n");
}

static int colors_init(struct colors *c, const struct fg_flame *f)
{
	const struct fg_flame_options *opt = &f->opt;
	memset(c, 0, sizeof *c);
	c->colorer = fg_colorer_new(f->palette, opt->color_mode, opt->random_seed);
	c->use_cache = opt->color_mode != FG_FLAME_COLOR_RANDOM || f->palmap;
	c->cache = calloc(2 * (size_t)wp_intern_count(f->names) + 2, sizeof *c->cache);
	if (f->palette == FG_PAL_WASM) {
		c->wclass = calloc(wp_intern_count(f->names) + 1, 1);
		c->kernel = calloc(f->nnodes, 1);
	}
	if (!c->colorer || !c->cache || (f->palette == FG_PAL_WASM && (!c->wclass || !c->kernel)))
		return WP_E_NOMEM;
	return 0;
}

static void colors_release(struct colors *c)
{
	fg_colorer_free(c->colorer);
	free(c->cache);
	free(c->wclass);
	free(c->kernel);
}

/* wasm palette: whether a frame is kernel code. Pre-order: the parent's
 * answer is known; below a kernel entry point everything is kernel code. */
static bool kernel_context(struct colors *c, const struct fg_node *nd, uint32_t id,
			   const char *name, size_t n)
{
	if (!c->wclass[nd->name])
		c->wclass[nd->name] = (uint8_t)(1 + fg_colorer_wasm_class(c->colorer, name, n));
	bool kern = c->wclass[nd->name] - 1 == FG_WASM_KERNEL ||
		    (nd->parent != FG_NONE && c->kernel[nd->parent]);
	c->kernel[id] = kern;
	return kern;
}

/* Every kept frame, in drawing order. */
static int put_frames(struct fg_flame *f, struct fg_out *o, const struct fg_layout *l,
		      struct colors *c, double height)
{
	double maxdelta = 1;
	if (f->differential)
		for (uint32_t i = 0; i < f->nnodes; i++)
			if (fabs(fg_change_double(fg_node_delta(f, i))) > maxdelta)
				maxdelta = fabs(fg_change_double(fg_node_delta(f, i)));
	int rc = 0;
	fg_out_puts(o, "<g id=\"frames\">\n");
	for (size_t i = 0; i < l->n && !rc; i++) {
		uint32_t id = l->order[i];
		const struct fg_node *nd = &f->nodes[id];
		struct fg_rgb color = {0, 0, 0};
		size_t n;
		const char *name = wp_intern_str(f->names, nd->name, &n);
		bool kern = c->kernel ? kernel_context(c, nd, id, name, n) : false;
		if (!f->differential)
			rc = frame_color(f, c, nd->name, name, n, kern, &color);
		put_frame(f, o, l, id, height, maxdelta, color);
	}
	fg_out_puts(o, "</g>\n</svg>\n");
	return rc;
}

/* No counts: a small SVG saying so (flamegraph.pl's exit-2 case). */
static int write_empty_svg(struct fg_flame *f, struct fg_out *o)
{
	int rc = write_empty(f, o);
	int frc = fg_out_flush(o);
	fg_out_release(o);
	if (frc)
		snprintf(f->err, sizeof f->err, "write error");
	return frc ? frc : rc;
}

int fg_flame_write_svg(struct fg_flame *f, FILE *out)
{
	struct fg_out o;
	fg_out_init(&o, out);
	if (o.err)
		return o.err;
	if (f->total == 0)
		return write_empty_svg(f, &o);
	struct fg_layout l;
	struct colors c;
	int rc = fg_flame_layout(f, &l);
	if (rc) {
		fg_out_release(&o);
		return rc;
	}
	const struct fg_flame_options *opt = &f->opt;
	double fs = opt->font_size;
	double height = (l.depth_max + 1) * (double)opt->frame_height + fs * 3 + fs * 2 + 10;
	if (opt->subtitle && *opt->subtitle)
		height += fs * 2;
	if (!(rc = colors_init(&c, f))) {
		put_header(&o, opt, height, l.timemax);
		put_prelude(&o, f, height);
		rc = put_frames(f, &o, &l, &c, height);
	}
	fg_out_flush(&o);
	if (!rc && o.err) {
		rc = o.err;
		snprintf(f->err, sizeof f->err, "write error");
	}
	colors_release(&c);
	fg_layout_release(&l);
	fg_out_release(&o);
	f->written = true;
	return rc;
}
