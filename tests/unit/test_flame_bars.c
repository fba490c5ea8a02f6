/* test_flame_bars.c - fg_bars_write_svg (flamegraph/flame_bars.c), the
 * stacked bars of wasmperf-phases --svg: hostile names (markup, quotes,
 * control bytes, bytes that are no UTF-8) come out escaped and as valid
 * UTF-8; the segments of a bar that its parts tile add up to the bar's
 * width, and the category tones of a segment to its height; no bars still
 * make a whole SVG; more tones than the cap is a usage error. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "flamegraph.h"

/* The SVG fg_bars_write_svg writes, NUL-terminated (free it). */
static char *render(const struct fg_bars_options *o, const struct fg_bar *bars, size_t n, int *rc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	*rc = fg_bars_write_svg(f, o, bars, n);
	fclose(f);
	return buf;
}

/* Is s valid UTF-8 without the C0 controls XML 1.0 forbids (DEL is a
 * legal XML character)? */
static bool clean_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		unsigned c = *p;
		size_t len = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
		if ((c < 0x20 && c != '\n' && c != '\t') || (c >= 0x80 && (c < 0xc2 || c > 0xf4)))
			return false;
		for (size_t i = 1; i < len; i++)
			if ((p[i] & 0xc0) != 0x80)
				return false;
		p += len;
	}
	return true;
}

/* Every attribute value is quoted and holds no '<' or '"'; every '&' starts
 * an entity. */
static bool well_quoted(const char *s)
{
	for (const char *p = s; (p = strchr(p, '&')); p++) {
		const char *semi = strchr(p, ';');
		if (!semi || semi - p > 8)
			return false;
	}
	for (const char *p = s; (p = strstr(p, "=\"")); ) {
		const char *end = strchr(p + 2, '"');
		if (!end || memchr(p + 2, '<', (size_t)(end - p - 2)))
			return false;
		p = end + 1;
	}
	return true;
}

static const char *const cats[] = {"wasm", "compile", "runtime", "host", "gc", "kernel", "other"};

static void test_hostile_names(void)
{
	static const uint64_t sub[7] = {3, 0, 1, 0, 0, 0, 0};
	struct fg_bar_part parts[] = {
		{"<script>alert(1)</script>", 0, 100, 50, 0.5, 4, sub},
		{"q\"u'o&te\x01\x7f\xff\xfe", 0, 150, 50, 0.5, 0, NULL},
	};
	struct fg_bar bar = {"node\"><svg onload=x> (pid 1) \xe9\xc3", 100, 100, parts, 2};
	struct fg_bars_options o = {"t<i>tle & \"more\"", cats, 7, 800};
	int rc;
	char *svg = render(&o, &bar, 1, &rc);
	CHECK(svg && rc == 0);
	if (!svg)
		return;
	CHECK(!strstr(svg, "<script"));
	CHECK(!strstr(svg, "<svg onload"));
	CHECK(!strstr(svg, "<i>"));
	CHECK(strstr(svg, "&lt;script&gt;alert(1)&lt;/script&gt;") != NULL);
	CHECK(strstr(svg, "t&lt;i&gt;tle &amp;") != NULL);
	CHECK(clean_utf8(svg));
	CHECK(well_quoted(svg));
	/* a control byte shows as \xNN, bytes that are no UTF-8 as U+FFFD */
	CHECK(strstr(svg, "data-phase=\"q&quot;u'o&amp;te\\x01\x7f\xef\xbf\xbd\xef\xbf\xbd\"") != NULL);
	/* the tooltip and the data attribute name the phase */
	CHECK(strstr(svg, "data-phase=\"&lt;script&gt;") != NULL);
	CHECK(strstr(svg, "<title>&lt;script&gt;alert(1)&lt;/script&gt;: 0.000 ms, 50.0% of total, "
			  "4 samples\n  wasm 75.0%\n  runtime 25.0%</title>") != NULL);
	free(svg);
}

/* The width="..." of the first <rect after p. */
static double rect_attr(const char *p, const char *attr)
{
	const char *r = strstr(p, "<rect ");
	const char *a = r ? strstr(r, attr) : NULL;
	return a ? atof(a + strlen(attr)) : -1;
}

static void test_widths(void)
{
	/* a bar of 1000 ns tiled by four parts, the second with tones */
	static const uint64_t sub[7] = {5, 2, 2, 1, 0, 0, 3};
	struct fg_bar_part parts[] = {
		{"startup", 0, 0, 130, 0.13, 1, NULL},
		{"load", 0, 130, 270, 0.27, 13, sub},
		{"instantiate", 0, 400, 1, 0.001, 0, NULL},
		{"execute", 0, 401, 599, 0.599, 9, NULL},
		{"execute-main", 1, 401, 500, 0.5, 9, NULL},
	};
	struct fg_bar bars[] = {
		{"a (pid 1)", 0, 1000, parts, 5},
		{"b (pid 2)", 5000, 500, parts, 0}, /* half as long, no parts */
	};
	struct fg_bars_options o = {NULL, cats, 7, 1200};
	int rc;
	char *svg = render(&o, bars, 2, &rc);
	CHECK(svg && rc == 0);
	if (!svg)
		return;
	const char *bar = strstr(svg, "<g class=\"bar\"");
	double bar_w = rect_attr(bar, "width=\""), sum = 0;
	CHECK(bar_w > 900);
	const char *p = bar;
	int n = 0;
	while ((p = strstr(p + 1, "data-depth=\"0\"")) && p < strstr(bar + 1, "<g class=\"bar\"")) {
		sum += rect_attr(p, "width=\"");
		n++;
	}
	CHECK(n == 4);
	CHECK(sum > bar_w - 0.03 && sum < bar_w + 0.03);
	/* the tones of load fill its height, in category order */
	p = strstr(bar, "data-phase=\"load\"");
	double h = rect_attr(p, "height=\""), th = 0;
	const char *q = strstr(p, "</g>");
	int tones = 0;
	for (const char *t = p; (t = strstr(t + 1, "class=\"sub\"")) && t < q; tones++)
		th += atof(strstr(t, "height=\"") + 8);
	CHECK(tones == 5);
	CHECK(th > h - 0.03 && th < h + 0.03);
	/* the second bar is drawn at half the first's width */
	const char *bar2 = strstr(bar + 1, "<g class=\"bar\"");
	double w2 = rect_attr(bar2, "width=\"");
	CHECK(w2 > bar_w / 2 - 0.01 && w2 < bar_w / 2 + 0.01);
	/* the strip part sits under the bar, at its start */
	p = strstr(bar, "data-depth=\"1\"");
	CHECK(p && rect_attr(p, "x=\"") == rect_attr(strstr(bar, "data-phase=\"execute\""), "x=\""));
	free(svg);
}

static void test_empty(void)
{
	struct fg_bars_options o = {0};
	int rc;
	char *svg = render(&o, NULL, 0, &rc);
	CHECK(svg && rc == 0);
	if (svg) {
		CHECK(!strncmp(svg, "<?xml", 5));
		size_t n = strlen(svg);
		CHECK(n > 7 && !strcmp(svg + n - 7, "</svg>\n"));
		CHECK(!strstr(svg, "class=\"bar\""));
		CHECK(strstr(svg, ">Phases</text>") != NULL);
		CHECK(clean_utf8(svg));
	}
	free(svg);
	static const char *const many[17] = {"a", "b", "c", "d", "e", "f", "g", "h", "i",
					     "j", "k", "l", "m", "n", "o", "p", "q"};
	struct fg_bars_options big = {NULL, many, 17, 0};
	svg = render(&big, NULL, 0, &rc);
	CHECK(rc == WP_E_USAGE);
	free(svg);
}

int main(void)
{
	test_hostile_names();
	test_widths();
	test_empty();
	return check_report();
}
