/* batch_html.c - OUT/index.html: one page with no network access (inline
 * CSS and script; works from file://): the benchmark x runtime matrix with
 * exec -> exit times and links to every flame graph and differential
 * graph, the runs, the comparison per time base with outliers marked, and
 * stacked phase bars per benchmark (flame_bars.c, as OUT/phases/N.svg).
 * Every name that comes from a recording or a path is escaped. Tables
 * with class "sortable" sort by a click on a column head (numbers by
 * their data-v attribute). */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "batch.h"
#include "flamegraph.h"

void batch_html_escape(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(*s, f);
		}
	}
}

/* A relative URL inside OUT: path segments percent-encoded where they are
 * not plain (run directories are made path-safe, this is the second line). */
static void url(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    strchr("-_.~/+=,@", c))
			fputc(c, f);
		else
			fprintf(f, "%%%02X", c);
	}
}

static const char style[] =
	"body{font-family:sans-serif;margin:1em 2em;color:#222}"
	"table{border-collapse:collapse;margin:.5em 0 1.5em}"
	"th,td{border:1px solid #ccc;padding:.2em .5em;text-align:right;vertical-align:top}"
	"th{background:#eee}td.name,th.name{text-align:left}"
	"table.sortable th{cursor:pointer}table.sortable th:after{content:' \\2195';color:#999}"
	"tr.failed td{background:#fdd}.outlier{background:#fc9;font-weight:bold}"
	".err{color:#a00;font-family:monospace;text-align:left}small{color:#666}"
	"img.bars{max-width:100%;border:1px solid #ddd}";

/* Sorting: a click on a head sorts the body's rows by that column (data-v
 * when present, numbers before text), a second click reverses. */
static const char script[] =
	"document.querySelectorAll('table.sortable').forEach(function(t){\n"
	" t.querySelectorAll('thead th').forEach(function(th,col){\n"
	"  th.addEventListener('click',function(){\n"
	"   var body=t.tBodies[0],rows=Array.prototype.slice.call(body.rows);\n"
	"   var dir=th.getAttribute('data-dir')==='asc'?-1:1;\n"
	"   t.querySelectorAll('thead th').forEach(function(h){h.removeAttribute('data-dir');});\n"
	"   th.setAttribute('data-dir',dir>0?'asc':'desc');\n"
	"   function key(r){var c=r.cells[col];if(!c)return '';\n"
	"    var v=c.getAttribute('data-v');return v===null?c.textContent:v;}\n"
	"   rows.sort(function(a,b){var x=key(a),y=key(b),nx=parseFloat(x),ny=parseFloat(y);\n"
	"    var ax=isNaN(nx),ay=isNaN(ny);\n"
	"    if(!ax&&!ay)return (nx-ny)*dir;if(ax!==ay)return ax?1:-1;\n"
	"    return x<y?-dir:x>y?dir:0;});\n"
	"   rows.forEach(function(r){body.appendChild(r);});\n"
	"  });\n"
	" });\n"
	"});\n";

static const struct batch_run *cell(const struct batch *b, size_t bench, size_t rt)
{
	for (size_t i = 0; i < b->nruns; i++) {
		const struct batch_run *r = &b->runs[i];
		if (!strcmp(r->bench, b->benches[bench]) && !strcmp(r->runtime, b->runtimes[rt]) &&
		    !r->failed)
			return r;
	}
	return NULL;
}

static const struct batch_diff *diff_of(const struct batch *b, const struct batch_run *r)
{
	for (size_t i = 0; i < b->ndiffs; i++)
		if (&b->runs[b->diffs[i].run] == r && !b->diffs[i].failed)
			return &b->diffs[i];
	return NULL;
}

static void link(FILE *f, const char *href_dir, const char *file, const char *text)
{
	fputs("<a href=\"", f);
	if (href_dir) {
		fputs("runs/", f);
		url(f, href_dir);
		fputc('/', f);
	}
	url(f, file);
	fprintf(f, "\">%s</a>", text);
}

static void ms_cell(FILE *f, const struct batch_run *r)
{
	if (r->has_exec_exit)
		fprintf(f, "<td data-v=\"%" PRIu64 "\">%.1f ms", r->exec_exit_ns, (double)r->exec_exit_ns / 1e6);
	else
		fputs("<td data-v=\"\">-", f);
}

static void matrix(FILE *f, const struct batch *b)
{
	fputs("<h2 id=\"matrix\">Benchmarks x runtimes</h2>\n<p><small>exec &rarr; last exit of the "
	      "profiled process; <b>flame</b>: its flame graph; <b>diff</b>: against the baseline ", f);
	batch_html_escape(f, b->runtimes[b->baseline]);
	fputs("</small></p>\n<table class=\"sortable\" id=\"matrix-table\"><thead><tr><th class=\"name\">benchmark</th>", f);
	for (size_t rt = 0; rt < b->nruntimes; rt++) {
		fputs("<th>", f);
		batch_html_escape(f, b->runtimes[rt]);
		fputs(rt == b->baseline ? " <small>(baseline)</small></th>" : "</th>", f);
	}
	fputs("</tr></thead><tbody>\n", f);
	for (size_t bench = 0; bench < b->nbenches; bench++) {
		fputs("<tr><td class=\"name\">", f);
		batch_html_escape(f, b->benches[bench]);
		fputs("</td>", f);
		for (size_t rt = 0; rt < b->nruntimes; rt++) {
			const struct batch_run *r = cell(b, bench, rt);
			if (!r) {
				fputs("<td data-v=\"\">-</td>", f);
				continue;
			}
			ms_cell(f, r);
			if (r->has_svg) {
				fputs("<br>", f);
				link(f, r->dir, "flame.svg", "flame");
			}
			const struct batch_diff *d = diff_of(b, r);
			if (d) {
				fputs(" ", f);
				link(f, NULL, d->svg, "diff");
			}
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</tbody></table>\n", f);
}

static void num_cell(FILE *f, bool known, uint64_t v)
{
	if (known)
		fprintf(f, "<td data-v=\"%" PRIu64 "\">%" PRIu64 "</td>", v, v);
	else
		fputs("<td data-v=\"\">-</td>", f);
}

static bool has_log(const struct batch *b, const struct batch_run *r)
{
	char *path = batch_path(b->opt, r->dir, "log");
	struct stat st;
	bool yes = path && stat(path, &st) == 0;
	free(path);
	return yes;
}

static void run_row(FILE *f, const struct batch *b, const struct batch_run *r)
{
	fprintf(f, "<tr%s><td class=\"name\">", r->failed ? " class=\"failed\"" : "");
	batch_html_escape(f, r->name);
	fputs("</td><td class=\"name\">", f);
	batch_html_escape(f, r->runtime);
	fputs("</td><td class=\"name\">", f);
	batch_html_escape(f, r->bench);
	fputs("</td>", f);
	if (r->failed) {
		fputs("<td class=\"err\" colspan=\"8\">failed: ", f);
		batch_html_escape(f, r->error ? r->error : "");
		if (has_log(b, r)) {
			fputs(" ", f);
			link(f, r->dir, "log", "log");
		}
		fputs("</td></tr>\n", f);
		return;
	}
	num_cell(f, r->pid >= 0, (uint64_t)r->pid);
	ms_cell(f, r);
	fputs("</td>", f);
	num_cell(f, r->has_samples, r->samples_all);
	num_cell(f, r->has_samples && r->pid >= 0, r->samples_proc);
	num_cell(f, r->has_samples && r->pid >= 0, r->samples_main);
	num_cell(f, r->has_samples && r->pid >= 0, r->threads);
	fputs("<td class=\"name\">", f);
	for (size_t i = 0; i < r->nhot; i++) {
		fputs(i ? "<br>" : "", f);
		batch_html_escape(f, r->hot[i].name);
	}
	fputs("</td><td class=\"name\">", f);
	if (r->has_svg)
		link(f, r->dir, "flame.svg", "flame");
	if (r->has_folded) {
		fputs(" ", f);
		link(f, r->dir, "stacks.folded", "folded");
	}
	if (r->has_phases) {
		fputs(" ", f);
		link(f, r->dir, "phases.tsv", "phases");
	}
	const struct batch_diff *d = diff_of(b, r);
	if (d) {
		fputs(" ", f);
		link(f, NULL, d->svg, "diff");
	}
	fputs("</td></tr>\n", f);
}

static void runs(FILE *f, const struct batch *b)
{
	fputs("<h2 id=\"runs\">Runs</h2>\n<table class=\"sortable\" id=\"runs-table\"><thead><tr>"
	      "<th class=\"name\">run</th><th class=\"name\">runtime</th><th class=\"name\">bench</th>"
	      "<th>pid</th><th>exec &rarr; exit</th><th>samples</th><th>process</th><th>main thread</th>"
	      "<th>threads</th><th class=\"name\">hottest Wasm functions</th><th class=\"name\">files</th>"
	      "</tr></thead><tbody>\n", f);
	for (size_t i = 0; i < b->nruns; i++)
		run_row(f, b, &b->runs[i]);
	fputs("</tbody></table>\n", f);
}

/* Outliers: each benchmark's most deviant runtime; in the log-ratio view
 * also every runtime more than twice (or under half) its usual ratio. */
static bool outlier(const struct batch_basis *bs, size_t bench, size_t rt, bool log_view)
{
	if (ph_compare_most_deviant(bs->cmp, bench) == rt)
		return true;
	return log_view && fabs(ph_compare_deviation(bs->cmp, bench, rt)) > log(2);
}

static void basis_table(FILE *f, const struct batch *b, const struct batch_basis *bs, size_t index)
{
	bool log_view = !strcmp(bs->name, "log-ratio");
	fputs("<h3>", f);
	batch_html_escape(f, bs->name);
	fputs(log_view ? "</h3>\n<p><small>each runtime's exec &rarr; exit time over the benchmark's median "
			 "(&times;); distance from each runtime's usual ratio (its median over the benchmarks) in log "
			 "space; marked: the most deviant, and more than 2&times; off the usual ratio</small></p>\n"
		       : "</h3>\n<p><small>WarpDiff: signed deviation of the L2-normalised vector from the mean "
			 "of all benchmarks; marked: each benchmark's most deviant runtime; ranked by distance"
			 "</small></p>\n", f);
	fprintf(f, "<table class=\"sortable\" id=\"basis-%zu\"><thead><tr><th>rank</th><th class=\"name\">benchmark</th>"
		"<th>distance</th>", index);
	for (size_t rt = 0; rt < b->nruntimes; rt++) {
		fputs("<th>", f);
		batch_html_escape(f, b->runtimes[rt]);
		fputs("</th>", f);
	}
	fputs("<th class=\"name\">most deviant</th></tr></thead><tbody>\n", f);
	const size_t *order;
	size_t n = ph_compare_ranking(bs->cmp, &order);
	for (size_t k = 0; k < n; k++) {
		size_t bench = order[k];
		fprintf(f, "<tr><td data-v=\"%zu\">%zu</td><td class=\"name\">", k + 1, k + 1);
		batch_html_escape(f, b->benches[bench]);
		fprintf(f, "</td><td data-v=\"%.9f\">%.6f</td>", ph_compare_distance(bs->cmp, bench),
			ph_compare_distance(bs->cmp, bench));
		for (size_t rt = 0; rt < b->nruntimes; rt++) {
			double dev = ph_compare_deviation(bs->cmp, bench, rt);
			fprintf(f, "<td%s data-v=\"%.9f\">", outlier(bs, bench, rt, log_view) ? " class=\"outlier\"" : "",
				dev);
			if (log_view)
				fprintf(f, "%.2f&times; <small>(usual %.2f&times;)</small></td>",
					exp(ph_compare_value(bs->cmp, bench, rt)), exp(ph_compare_centre(bs->cmp, rt)));
			else
				fprintf(f, "%+.6f</td>", dev);
		}
		size_t md = ph_compare_most_deviant(bs->cmp, bench);
		fputs("<td class=\"name\">", f);
		batch_html_escape(f, md == SIZE_MAX ? "-" : b->runtimes[md]);
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody></table>\n", f);
	for (size_t bench = 0; bench < b->nbenches; bench++) {
		enum ph_compare_state st = ph_compare_state(bs->cmp, bench);
		if (st == PH_COMPARE_OK)
			continue;
		fputs("<p><small>not compared: ", f);
		batch_html_escape(f, b->benches[bench]);
		fputs(" (", f);
		batch_html_escape(f, ph_compare_state_name(st));
		fputs(")</small></p>\n", f);
	}
}

/* OUT/phases/N.svg: a bar per runtime (its phases from its exec), for
 * benchmark N. 0, or 1 when nothing was drawn. */
static int bars_svg(const struct batch *b, size_t bench, const char *path)
{
	static const char *cats[PH_NCAT];
	for (int c = 0; c < PH_NCAT; c++)
		cats[c] = ph_category_name(c);
	struct fg_bar bars[64];
	struct fg_bar_part parts[64][32];
	size_t nbars = 0;
	for (size_t rt = 0; rt < b->nruntimes && nbars < 64; rt++) {
		const struct batch_run *r = cell(b, bench, rt);
		if (!r || !r->nphases || !r->has_exec_exit || !r->exec_exit_ns)
			continue;
		struct fg_bar *bar = &bars[nbars];
		*bar = (struct fg_bar){.label = r->runtime, .start_ns = 0, .dur_ns = r->exec_exit_ns,
				       .parts = parts[nbars]};
		for (size_t i = 0; i < r->nphases && bar->nparts < 32; i++) {
			const struct batch_phase *p = &r->phases[i];
			if (p->depth < 0)
				continue;
			parts[nbars][bar->nparts++] = (struct fg_bar_part){
				.name = p->name, .depth = p->depth, .start_ns = p->start_ns, .dur_ns = p->dur_ns,
				.share = (double)p->dur_ns / (double)r->exec_exit_ns, .samples = p->samples,
				.sub_samples = p->cat};
		}
		nbars++;
	}
	if (!nbars)
		return 1;
	char title[300];
	snprintf(title, sizeof title, "Phases of %s per runtime", b->benches[bench]);
	struct fg_bars_options o = {.title = title, .sub_names = cats, .nsub = PH_NCAT};
	FILE *f = fopen(path, "w");
	int rc = f ? fg_bars_write_svg(f, &o, bars, nbars) : WP_E_IO;
	if ((f && fclose(f)) || rc) {
		fprintf(stderr, "%s: cannot write '%s'\n", b->opt->prog, path);
		return -1;
	}
	return 0;
}

static int phases(FILE *f, const struct batch *b)
{
	size_t n = strlen(b->opt->out) + 32;
	char *dir = malloc(n), *path = malloc(n + 32);
	if (!dir || !path) {
		free(dir);
		free(path);
		return -1;
	}
	snprintf(dir, n, "%s/phases", b->opt->out);
	bool heading = false;
	int rc = 0;
	for (size_t bench = 0; bench < b->nbenches && rc >= 0; bench++) {
		if (mkdir(dir, 0755) && errno != EEXIST) {
			fprintf(stderr, "%s: cannot create '%s': %s\n", b->opt->prog, dir, strerror(errno));
			rc = -1;
			break;
		}
		snprintf(path, n + 32, "%s/%zu.svg", dir, bench + 1);
		rc = bars_svg(b, bench, path);
		if (rc)
			continue;
		if (!heading)
			fputs("<h2 id=\"phases\">Phases</h2>\n<p><small>from each run's exec; tones: CPU "
			      "categories of the samples</small></p>\n", f);
		heading = true;
		fputs("<h3>", f);
		batch_html_escape(f, b->benches[bench]);
		fprintf(f, "</h3>\n<p><a href=\"phases/%zu.svg\"><img class=\"bars\" src=\"phases/%zu.svg\" alt=\"phases of ",
			bench + 1, bench + 1);
		batch_html_escape(f, b->benches[bench]);
		fputs("\"></a></p>\n", f);
	}
	free(dir);
	free(path);
	return rc < 0 ? -1 : 0;
}

int batch_write_html(const struct batch *b, const struct batch_comparison *c)
{
	size_t n = strlen(b->opt->out) + 16;
	char *path = malloc(n);
	if (!path)
		return 1;
	snprintf(path, n, "%s/index.html", b->opt->out);
	FILE *f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "%s: cannot write '%s': %s\n", b->opt->prog, path, strerror(errno));
		free(path);
		return 1;
	}
	size_t failed = 0;
	for (size_t i = 0; i < b->nruns; i++)
		failed += b->runs[i].failed;
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
		"<title>wasmperf batch: %zu runs</title>\n<style>%s</style></head><body>\n"
		"<h1>wasmperf batch</h1>\n<p>%zu runs (%zu failed), %zu benchmarks, %zu runtimes. "
		"<a href=\"summary.tsv\">summary.tsv</a> <a href=\"comparison.tsv\">comparison.tsv</a> "
		"<a href=\"summary.json\">summary.json</a></p>\n",
		b->nruns, style, b->nruns, failed, b->nbenches, b->nruntimes);
	if (b->nruntimes && b->nbenches)
		matrix(f, b);
	runs(f, b);
	if (c->n)
		fputs("<h2 id=\"comparison\">Comparison across runtimes</h2>\n", f);
	for (size_t i = 0; i < c->n; i++)
		basis_table(f, b, &c->bases[i], i);
	int rc = phases(f, b);
	fprintf(f, "<script>\n%s</script>\n</body></html>\n", script);
	if (ferror(f) || fclose(f) || rc) {
		fprintf(stderr, "%s: cannot write '%s'\n", b->opt->prog, path);
		free(path);
		return 1;
	}
	free(path);
	return 0;
}
