/* test_flame.c - the flame graph renderer's pieces: escaping, number
 * formatting, flamegraph.pl's colours, the frame tree (prefix reuse must
 * not change the result), flame chart order, palette.map and --nameattr. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "flame_internal.h"

/* Runs fn on an fg_out writing to memory; returns the bytes (free them). */
static char *capture(void (*fn)(struct fg_out *, const void *), const void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct fg_out o;
	fg_out_init(&o, f);
	fn(&o, arg);
	fg_out_flush(&o);
	fg_out_release(&o);
	fclose(f);
	return buf;
}

struct esc_arg {
	const char *s;
	size_t n;
	enum fg_xml_ctx ctx;
	size_t units; /* 0: all */
};

static void do_escape(struct fg_out *o, const void *p)
{
	const struct esc_arg *a = p;
	if (a->units)
		fg_xml_escape_units(o, a->s, a->n, a->units, a->ctx);
	else
		fg_xml_escape(o, a->s, a->n, a->ctx);
}

static void check_escape(const char *in, size_t n, enum fg_xml_ctx ctx, size_t units, const char *want)
{
	struct esc_arg a = {in, n, ctx, units};
	char *got = capture(do_escape, &a);
	CHECK_STR(got, want);
	free(got);
}

static void test_escaping(void)
{
	check_escape("a<b>&c\"d'", 9, FG_XML_TEXT, 0, "a&lt;b&gt;&amp;c\"d'");
	check_escape("a<b>&c\"d'", 9, FG_XML_ATTR, 0, "a&lt;b&gt;&amp;c&quot;d'");
	check_escape("]]>", 3, FG_XML_TEXT, 0, "]]&gt;");
	check_escape("e\x1b[1m\r\0z", 8, FG_XML_TEXT, 0, "e\\x1b[1m\\x0d\\x00z");
	check_escape("t\tn\n", 4, FG_XML_TEXT, 0, "t\tn\n");
	check_escape("t\tn\n", 4, FG_XML_ATTR, 0, "t&#9;n&#10;");
	/* invalid UTF-8: lone continuation, truncated sequence, overlong, surrogate, U+FFFF */
	check_escape("\x80|\xe2\x82|\xc0\xaf|\xed\xa0\x80|\xef\xbf\xbf", 15, FG_XML_TEXT, 0,
		     "\xef\xbf\xbd|\xef\xbf\xbd\xef\xbf\xbd|\xef\xbf\xbd\xef\xbf\xbd|"
		     "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd|\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	check_escape("\xe2\x82\xac\xf0\x9f\x94\xa5", 7, FG_XML_TEXT, 0, "\xe2\x82\xac\xf0\x9f\x94\xa5");
	/* truncation counts characters and never splits an entity or \xNN */
	check_escape("&&&&", 4, FG_XML_TEXT, 2, "&amp;&amp;");
	check_escape("\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac", 9, FG_XML_TEXT, 2, "\xe2\x82\xac\xe2\x82\xac");
	check_escape("a\x1b" "b", 3, FG_XML_TEXT, 3, "a");
	check_escape("a\x1b" "b", 3, FG_XML_TEXT, 5, "a\\x1b");
	CHECK(fg_xml_display_len("a\x1b" "b", 3, 100) == 6);
	CHECK(fg_xml_display_len("\xe2\x82\xac\xe2\x82\xac", 6, 100) == 2);
	CHECK(fg_xml_display_len("abcdef", 6, 3) == 3);
	CHECK(fg_strip_annotation("f_[k]", 5) == 1 && fg_strip_annotation("f_[x]", 5) == 5);
	CHECK(fg_utf8_sum("\xe2\x82\xac" "a", 4) == 0x20ac + 'a');
}

struct num_arg {
	int kind;
	double v;
};

static void do_num(struct fg_out *o, const void *p)
{
	const struct num_arg *a = p;
	if (a->kind == 0)
		fg_out_grouped(o, a->v);
	else if (a->kind == 1)
		fg_out_num(o, a->v);
	else
		fg_out_fixed(o, a->v, a->kind - 2);
}

static void check_num(int kind, double v, const char *want)
{
	struct num_arg a = {kind, v};
	char *got = capture(do_num, &a);
	CHECK_STR(got, want);
	free(got);
}

static void test_numbers(void)
{
	check_num(0, 0, "0");
	check_num(0, 999, "999");
	check_num(0, 1000, "1,000");
	check_num(0, 17070700000.0, "17,070,700,000");
	check_num(0, 2.5, "2"); /* half to even, as Perl's sprintf "%.0f" */
	check_num(0, 3.5, "4");
	check_num(0, 2.4e17, "240,000,000,000,000,000");
	check_num(1, 95.5, "95.5");
	check_num(1, 24, "24");
	check_num(1, -3, "-3");
	check_num(4, 81.88458, "81.88");
	check_num(4, 100, "100.00");
	check_num(4, -0.001, "-0.00");
	check_num(3, 1179.96, "1180.0");
}

static void test_colors(void)
{
	/* flamegraph.pl's default colours (perl 5.36, this input's names) */
	struct fg_colorer *c = fg_colorer_new(FG_PAL_HOT, FG_FLAME_COLOR_NAME, 0);
	struct fg_rgb m = fg_colorer_color(c, "main", 4, false);
	struct fg_rgb r = fg_colorer_color(c, "", 0, false);
	CHECK(m.r == 243 && m.g == 179 && m.b == 42);
	CHECK(r.r == 213 && r.g == 39 && r.b == 9);
	fg_colorer_free(c);
	c = fg_colorer_new(FG_PAL_WASM, FG_FLAME_COLOR_NAME, 0);
	CHECK(fg_colorer_wasm_class(c, "[Wasm] fib", 10) == FG_WASM_CODE);
	CHECK(fg_colorer_wasm_class(c, "aot_func#12", 11) == FG_WASM_CODE);
	CHECK(fg_colorer_wasm_class(c, "f12", 3) == FG_WASM_NATIVE);
	CHECK(fg_colorer_wasm_class(c, "f12_[j]", 7) == FG_WASM_CODE);
	CHECK(fg_colorer_wasm_class(c, "wasi_fd_write", 13) == FG_WASM_HOST);
	CHECK(fg_colorer_wasm_class(c, "sys_write_[k]", 13) == FG_WASM_KERNEL);
	CHECK(fg_colorer_wasm_class(c, "entry_SYSCALL_64", 16) == FG_WASM_KERNEL);
	CHECK(fg_colorer_wasm_class(c, "JS:~main /a.js:1:1", 18) == FG_WASM_JIT);
	CHECK(fg_colorer_wasm_class(c, "aot_call_function", 17) == FG_WASM_NATIVE);
	fg_colorer_free(c);
	struct fg_rgb d = fg_color_scale(0, 10);
	CHECK(d.r == 255 && d.g == 255 && d.b == 255);
	d = fg_color_scale(10, 10);
	CHECK(d.r == 255 && d.g == 0 && d.b == 0);
	d = fg_color_scale(-5, 10);
	CHECK(d.r == 105 && d.g == 105 && d.b == 255);
	char b1[8], b2[8];
	CHECK(fg_bgcolors(NULL, FG_PAL_MEM, b1, b2) == 0 && !strcmp(b2, "#e0ffe0"));
	CHECK(fg_bgcolors("#aBc123", FG_PAL_HOT, b1, b2) == 0 && !strcmp(b1, "#aBc123"));
	CHECK(fg_bgcolors("#abc12", FG_PAL_HOT, b1, b2) == WP_E_USAGE);
	CHECK(fg_palette_parse("wasm") == FG_PAL_WASM && fg_palette_parse("nope") == -1);
}

/* Renders lines (NUL-separated list ending in "") with opts; returns the SVG. */
static char *render(const struct fg_flame_options *o, const char *const *lines, size_t n, int *rc)
{
	struct fg_flame *f = fg_flame_new(o);
	CHECK(f != NULL);
	if (!f)
		return strdup("");
	for (size_t i = 0; i < n; i++)
		CHECK(fg_flame_add_line(f, lines[i], strlen(lines[i])) == 0);
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	*rc = fg_flame_write_svg(f, out);
	fclose(out);
	fg_flame_free(f);
	return buf;
}

static void test_tree_order_independent(void)
{
	/* Tricky neighbours for the shared-prefix logic: prefixes of names,
	 * lines ending inside other lines' paths, empty frames, duplicates. */
	static const char *const lines[] = {
		"a;b;c 1", "a;b 2", "a;bc;d 3", "a;b;c 4", "a 5", "a;b;cd 6", "a;;x 7", "a;b;c;d;e 8",
		"ab;b 9", "a;b;c;d 10", "b 11", "a;b;c 12", "a;bc 13", "a;b;c;dd 14", "x;y; 15",
	};
	size_t n = sizeof lines / sizeof lines[0];
	const char *rev[sizeof lines / sizeof lines[0]];
	const char *shuf[sizeof lines / sizeof lines[0]];
	for (size_t i = 0; i < n; i++) {
		rev[i] = lines[n - 1 - i];
		shuf[i] = lines[(i * 7) % n];
	}
	struct fg_flame_options o;
	fg_flame_options_init(&o);
	o.min_width = 0;
	int rc1, rc2, rc3;
	char *a = render(&o, lines, n, &rc1), *b = render(&o, rev, n, &rc2), *c = render(&o, shuf, n, &rc3);
	CHECK(rc1 == 0 && rc2 == 0 && rc3 == 0);
	CHECK(strcmp(a, b) == 0);
	CHECK(strcmp(a, c) == 0);
	CHECK(strstr(a, "<title>a (85 samples, 70.83%)</title>") != NULL);
	CHECK(strstr(a, "<title>c (49 samples, 40.83%)</title>") != NULL);  /* 1+4+8+10+12+14 */
	CHECK(strstr(a, "<title> (7 samples, 5.83%)</title>") != NULL);     /* the empty frame */
	CHECK(strstr(a, "<title>y (15 samples, 12.50%)</title>") != NULL);  /* "x;y;" is "x;y" */
	free(a);
	free(b);
	free(c);
}

static double fg_x_of(const char *svg, const char *title)
{
	const char *t = strstr(svg, title);
	const char *x = t ? strstr(t, "fg:x=\"") : NULL;
	return x ? atof(x + 6) : -1;
}

static void test_flamechart(void)
{
	static const char *const lines[] = {"a;b 1", "a 1", "a;c 1", "a;b 2"};
	struct fg_flame_options o;
	fg_flame_options_init(&o);
	o.flamechart = true;
	int rc;
	char *s = render(&o, lines, 4, &rc);
	CHECK(rc == 0);
	/* one a (5), b at 0, a's own sample at 1, c at 2, a second b at 3 */
	CHECK(strstr(s, "<title>a (5 samples, 100.00%)</title>") != NULL);
	CHECK(fg_x_of(s, "<title>c (") == 2);
	CHECK(fg_x_of(s, "<title>b (2 samples") == 3);
	CHECK(fg_x_of(s, "<title>b (1 samples") == 0);
	CHECK(strstr(s, ">Flame Chart<") != NULL);
	free(s);
	o.flamechart = false;
	s = render(&o, lines, 4, &rc);
	CHECK(strstr(s, "<title>b (3 samples, 60.00%)</title>") != NULL);
	CHECK(fg_x_of(s, "<title>b (") == 1); /* a's own sample first, as flamegraph.pl */
	free(s);
}

static void test_empty_and_stats(void)
{
	struct fg_flame_options o;
	fg_flame_options_init(&o);
	struct fg_flame *f = fg_flame_new(&o);
	CHECK(fg_flame_add_line(f, "bad line", 8) == 0);
	CHECK(fg_flame_add_line(f, "# comment", 9) == 0);
	CHECK(fg_flame_add_line(f, "", 0) == 0);
	struct fg_flame_stats st;
	fg_flame_get_stats(f, &st);
	CHECK(st.bad_lines == 1 && st.lines == 1 && st.total == 0);
	FILE *out = fopen("/dev/null", "w");
	CHECK(fg_flame_write_svg(f, out) == WP_E_NOTFOUND);
	fclose(out);
	fg_flame_free(f);
	fg_flame_free(NULL);
}

static void test_options(void)
{
	struct fg_flame_options o;
	char err[200];
	fg_flame_options_init(&o);
	CHECK(fg_flame_options_set(&o, "minwidth", "2.5%", err, sizeof err) == 0);
	CHECK(o.min_width == 2.5 && o.min_width_percent);
	CHECK(fg_flame_options_set(&o, "minwidth", "3", err, sizeof err) == 0 && !o.min_width_percent);
	CHECK(fg_flame_options_set(&o, "minwidth", "%", err, sizeof err) == WP_E_USAGE);
	CHECK(fg_flame_options_set(&o, "colors", "wasm", err, sizeof err) == 0);
	CHECK(fg_flame_options_set(&o, "colors", "rainbow", err, sizeof err) == WP_E_USAGE);
	CHECK(fg_flame_options_set(&o, "factor", "0", err, sizeof err) == WP_E_USAGE);
	CHECK(fg_flame_options_set(&o, "encoding", "UTF-8", err, sizeof err) == 0);
	CHECK(fg_flame_options_set(&o, "encoding", "a b", err, sizeof err) == WP_E_USAGE);
	CHECK(fg_flame_options_set(&o, "nosuch", "x", err, sizeof err) == WP_E_NOTFOUND);
	CHECK(fg_flame_options_check(&o, err, sizeof err) == 0);
	o.palette = "bogus";
	CHECK(fg_flame_new(&o) == NULL);
}

static void test_nameattr_and_palmap(void)
{
	struct fg_nameattr na = {0};
	const char *line = "f\ttitle=\"T\"\thref=u\tg_extra=a=\"1\" b='2' c=3\ta_extra=rel=x\tbogus=1";
	CHECK(fg_nameattr_add_line(&na, line, strlen(line), "t", 1, NULL, NULL) == 0);
	const struct fg_attrs *a = fg_nameattr_find(&na, "f", 1);
	CHECK(a && a->title && !strcmp(a->title, "T"));
	CHECK(a && a->na == 3 && !strcmp(a->a[0].key, "xlink:href") && !strcmp(a->a[2].key, "target") &&
	      !strcmp(a->a[2].value, "_top"));
	CHECK(a && a->ng == 3 && !strcmp(a->g[1].key, "b") && !strcmp(a->g[1].value, "2"));
	CHECK(fg_nameattr_find(&na, "g", 1) == NULL);
	struct fg_nameattr *heap = malloc(sizeof *heap);
	*heap = na;
	fg_nameattr_free(heap);

	char path[] = "/tmp/test_flame_palmap_XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	fputs("x->y->rgb(1,2,3)\nbroken line\nz->rgb(300,0,0)\na->rgb( 4, 5, 6 )\n", f);
	fclose(f);
	struct fg_palmap *m = fg_palmap_new();
	char err[200];
	CHECK(fg_palmap_load(m, path, err, sizeof err) == 2);
	struct fg_rgb c;
	CHECK(fg_palmap_get(m, "x->y", 4, &c) && c.r == 1 && c.b == 3);
	CHECK(fg_palmap_get(m, "a", 1, &c) && c.g == 5);
	CHECK(fg_palmap_put(m, "0", 1, (struct fg_rgb){7, 8, 9}) == 0);
	CHECK(fg_palmap_save(m, path, err, sizeof err) == 0);
	fg_palmap_free(m);
	char buf[200] = {0};
	f = fopen(path, "r");
	size_t got = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[got] = '\0';
	CHECK_STR(buf, "0->rgb(7,8,9)\na->rgb(4,5,6)\nx->y->rgb(1,2,3)\n");
	unlink(path);
	m = fg_palmap_new();
	CHECK(fg_palmap_load(m, "/nonexistent/palette.map", err, sizeof err) == 0);
	fg_palmap_free(m);
}

int main(void)
{
	test_escaping();
	test_numbers();
	test_colors();
	test_tree_order_independent();
	test_flamechart();
	test_empty_and_stats();
	test_options();
	test_nameattr_and_palmap();
	printf("%u passed, %u failed\n", check_passed, check_failed);
	return check_failed != 0;
}
