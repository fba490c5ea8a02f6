/* batch_report.c - the comparison across runtimes (phases.h ph_compare, one
 * per time base) and the files scripts read: summary.tsv, comparison.tsv,
 * summary.json, runs.txt (wasmperf-batch(1), FORMAT). */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"

/* The run compared in a (bench, runtime) cell: the first that succeeded. */
static const struct batch_run *cell(const struct batch *b, size_t bench, size_t rt)
{
	for (size_t i = 0; i < b->nruns; i++) {
		const struct batch_run *r = &b->runs[i];
		if (!r->failed && !strcmp(r->bench, b->benches[bench]) && !strcmp(r->runtime, b->runtimes[rt]))
			return r;
	}
	return NULL;
}

static const struct batch_phase *find_phase(const struct batch_run *r, const char *name)
{
	for (size_t i = 0; r && i < r->nphases; i++)
		if (!strcmp(r->phases[i].name, name))
			return &r->phases[i];
	return NULL;
}

/* A cell's value in a basis; NAN when the run lacks it. */
static double value_of(const struct batch_run *r, const char *basis)
{
	if (!r)
		return NAN;
	if (!strcmp(basis, "exec-exit") || !strcmp(basis, "log-ratio"))
		return r->has_exec_exit ? (double)r->exec_exit_ns : NAN;
	if (!strcmp(basis, "samples"))
		return r->has_samples && r->pid >= 0 ? (double)r->samples_proc : NAN;
	const struct batch_phase *p = find_phase(r, basis + strlen("phase:"));
	return p ? (double)p->dur_ns : NAN;
}

static int add_basis(const struct batch *b, struct batch_comparison *c, const char *name)
{
	struct batch_basis *grown = realloc(c->bases, (c->n + 1) * sizeof *grown);
	if (!grown)
		return -1;
	c->bases = grown;
	struct batch_basis *bs = &c->bases[c->n];
	memset(bs, 0, sizeof *bs);
	bs->name = strdup(name);
	bs->value = calloc(b->nbenches * b->nruntimes + 1, sizeof *bs->value);
	if (!bs->name || !bs->value || ph_compare_new(&bs->cmp, b->nbenches, b->nruntimes)) {
		free(bs->name);
		free(bs->value);
		return -1;
	}
	c->n++;
	for (size_t bench = 0; bench < b->nbenches; bench++)
		for (size_t rt = 0; rt < b->nruntimes; rt++) {
			double v = value_of(cell(b, bench, rt), name);
			bs->value[bench * b->nruntimes + rt] = v;
			if (!isnan(v))
				ph_compare_set(bs->cmp, bench, rt, v);
		}
	return ph_compare_run(bs->cmp, strcmp(name, "log-ratio") ? PH_COMPARE_L2 : PH_COMPARE_LOG) ? -1 : 0;
}

/* Phases every compared run has, in the first such run's order. */
static int add_phase_bases(const struct batch *b, struct batch_comparison *c)
{
	const struct batch_run *first = NULL;
	for (size_t bench = 0; bench < b->nbenches && !first; bench++)
		for (size_t rt = 0; rt < b->nruntimes && !first; rt++)
			first = cell(b, bench, rt);
	for (size_t i = 0; first && i < first->nphases; i++) {
		const char *name = first->phases[i].name;
		bool everywhere = true;
		for (size_t bench = 0; bench < b->nbenches && everywhere; bench++)
			for (size_t rt = 0; rt < b->nruntimes && everywhere; rt++)
				everywhere = find_phase(cell(b, bench, rt), name) != NULL;
		char basis[160];
		snprintf(basis, sizeof basis, "phase:%s", name);
		if (everywhere && add_basis(b, c, basis))
			return -1;
	}
	return 0;
}

int batch_compare(const struct batch *b, struct batch_comparison *c)
{
	memset(c, 0, sizeof *c);
	if (b->nruntimes == 0 || b->nbenches == 0)
		return 0;
	if (add_basis(b, c, "exec-exit") || add_basis(b, c, "samples") || add_phase_bases(b, c) ||
	    add_basis(b, c, "log-ratio"))
		return -1;
	return 0;
}

void batch_comparison_release(struct batch_comparison *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->bases[i].name);
		free(c->bases[i].value);
		ph_compare_free(c->bases[i].cmp);
	}
	free(c->bases);
	memset(c, 0, sizeof *c);
}

/* ---- files ---- */
static FILE *open_out(const struct batch *b, const char *name, char **path)
{
	size_t n = strlen(b->opt->out) + strlen(name) + 2;
	*path = malloc(n);
	if (!*path)
		return NULL;
	snprintf(*path, n, "%s/%s", b->opt->out, name);
	FILE *f = fopen(*path, "w");
	if (!f)
		fprintf(stderr, "%s: cannot write '%s'\n", b->opt->prog, *path);
	return f;
}

static int close_out(const struct batch *b, FILE *f, char *path)
{
	int rc = 0;
	if (!f || ferror(f) || fclose(f)) {
		if (f)
			fprintf(stderr, "%s: cannot write '%s'\n", b->opt->prog, path ? path : b->opt->out);
		rc = 1;
	}
	free(path);
	return rc;
}

/* A TSV field: tabs and newlines of a name would break the columns. */
static void tsv_field(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc(*s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s, f);
}

int batch_write_summary_tsv(const struct batch *b)
{
	char *path;
	FILE *f = open_out(b, "summary.tsv", &path);
	if (f)
		fputs("run\truntime\tbench\tpid\texec_exit_ns\tsamples_all\tsamples_proc\tsamples_main\tthreads\n", f);
	for (size_t i = 0; f && i < b->nruns; i++) {
		const struct batch_run *r = &b->runs[i];
		tsv_field(f, r->name);
		fputc('\t', f);
		tsv_field(f, r->runtime[0] ? r->runtime : "-");
		fputc('\t', f);
		tsv_field(f, r->bench[0] ? r->bench : "-");
		if (r->failed) {
			fputs("\tfailed\t-\t-\t-\t-\t-\n", f);
			continue;
		}
		if (r->pid >= 0)
			fprintf(f, "\t%" PRId64, r->pid);
		else
			fputs("\t-", f);
		if (r->has_exec_exit)
			fprintf(f, "\t%" PRIu64, r->exec_exit_ns);
		else
			fputs("\t-", f);
		if (r->has_samples && r->pid >= 0)
			fprintf(f, "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\n", r->samples_all,
				r->samples_proc, r->samples_main, r->threads);
		else if (r->has_samples)
			fprintf(f, "\t%" PRIu64 "\t-\t-\t-\n", r->samples_all);
		else
			fputs("\t-\t-\t-\t-\n", f);
	}
	return close_out(b, f, path);
}

/* The deviation column: the signed deviation from the centre; for the
 * log-ratio view the log-ratio itself (ln of time / the benchmark's median). */
static double deviation(const struct batch_basis *bs, size_t bench, size_t rt)
{
	return strcmp(bs->name, "log-ratio") ? ph_compare_deviation(bs->cmp, bench, rt)
					      : ph_compare_value(bs->cmp, bench, rt);
}

static void write_basis_rows(FILE *f, const struct batch *b, const struct batch_basis *bs)
{
	const size_t *order;
	size_t n = ph_compare_ranking(bs->cmp, &order);
	for (size_t k = 0; k < n; k++)
		for (size_t rt = 0; rt < b->nruntimes; rt++) {
			fprintf(f, "%s\t", bs->name);
			tsv_field(f, b->benches[order[k]]);
			fprintf(f, "\t%.9f\t", ph_compare_distance(bs->cmp, order[k]));
			tsv_field(f, b->runtimes[rt]);
			fprintf(f, "\t%+.9f\n", deviation(bs, order[k], rt));
		}
	/* benchmarks left out: their rows say so */
	for (size_t bench = 0; bench < b->nbenches; bench++)
		for (size_t rt = 0; ph_compare_state(bs->cmp, bench) != PH_COMPARE_OK && rt < b->nruntimes; rt++) {
			fprintf(f, "%s\t", bs->name);
			tsv_field(f, b->benches[bench]);
			fputs("\t-\t", f);
			tsv_field(f, b->runtimes[rt]);
			fputs("\t-\n", f);
		}
}

int batch_write_comparison_tsv(const struct batch *b, const struct batch_comparison *c)
{
	char *path;
	FILE *f = open_out(b, "comparison.tsv", &path);
	if (f)
		fputs("basis\tbench\tdistance\truntime\tdeviation\n", f);
	for (size_t i = 0; f && i < c->n; i++)
		write_basis_rows(f, b, &c->bases[i]);
	return close_out(b, f, path);
}

int batch_write_runs_list(const struct batch *b)
{
	char *path;
	FILE *f = open_out(b, "runs.txt", &path);
	for (size_t i = 0; f && i < b->nruns; i++)
		fprintf(f, "%s\n", b->runs[i].dir);
	return close_out(b, f, path);
}

/* ---- summary.json ---- */
static void jstr(FILE *f, const char *s)
{
	fputc('"', f);
	ph_json_escape(f, s);
	fputc('"', f);
}

static void jnum(FILE *f, double v)
{
	if (isnan(v) || isinf(v))
		fputs("null", f);
	else
		fprintf(f, "%.9g", v);
}

static void json_run(FILE *f, const struct batch *b, const struct batch_run *r)
{
	fputs("{\"run\":", f);
	jstr(f, r->name);
	fputs(",\"runtime\":", f);
	jstr(f, r->runtime);
	fputs(",\"bench\":", f);
	jstr(f, r->bench);
	fputs(",\"input\":", f);
	jstr(f, r->input);
	fprintf(f, ",\"dir\":");
	jstr(f, r->dir);
	fprintf(f, ",\"status\":\"%s\"", r->failed ? "failed" : "ok");
	if (r->failed) {
		fputs(",\"error\":", f);
		jstr(f, r->error ? r->error : "failed");
	}
	fputs(",\"pid\":", f);
	r->pid >= 0 ? fprintf(f, "%" PRId64, r->pid) : fputs("null", f);
	fputs(",\"exec_exit_ns\":", f);
	r->has_exec_exit ? fprintf(f, "%" PRIu64, r->exec_exit_ns) : fputs("null", f);
	if (r->has_samples)
		fprintf(f, ",\"samples_all\":%" PRIu64 ",\"samples_proc\":%" PRIu64 ",\"samples_main\":%" PRIu64
			",\"threads\":%" PRIu64, r->samples_all, r->samples_proc, r->samples_main, r->threads);
	fputs(",\"hot\":[", f);
	for (size_t i = 0; i < r->nhot; i++) {
		fputs(i ? ",{\"name\":" : "{\"name\":", f);
		jstr(f, r->hot[i].name);
		fprintf(f, ",\"count\":%" PRIu64 "}", r->hot[i].count);
	}
	fputs("],\"phases\":[", f);
	for (size_t i = 0; i < r->nphases; i++) {
		const struct batch_phase *p = &r->phases[i];
		fputs(i ? ",{\"name\":" : "{\"name\":", f);
		jstr(f, p->name);
		fprintf(f, ",\"depth\":%d,\"start_ns\":%" PRIu64 ",\"dur_ns\":%" PRIu64 ",\"samples\":%" PRIu64
			",\"categories\":{", p->depth, p->start_ns, p->dur_ns, p->samples);
		for (int c = 0; c < PH_NCAT; c++)
			fprintf(f, "%s\"%s\":%" PRIu64, c ? "," : "", ph_category_name(c), p->cat[c]);
		fputs("}}", f);
	}
	fputs("],\"files\":{", f);
	const char *sep = "";
	if (r->has_svg)
		fprintf(f, "%s\"flame\":\"runs/%s/flame.svg\"", sep, r->dir), sep = ",";
	if (r->has_folded)
		fprintf(f, "%s\"folded\":\"runs/%s/stacks.folded\"", sep, r->dir), sep = ",";
	if (r->has_phases)
		fprintf(f, "%s\"phases\":\"runs/%s/phases.tsv\"", sep, r->dir), sep = ",";
	for (size_t i = 0; i < b->ndiffs; i++)
		if (&b->runs[b->diffs[i].run] == r && !b->diffs[i].failed)
			fprintf(f, "%s\"diff\":\"%s\"", sep, b->diffs[i].svg), sep = ",";
	fputs("}}", f);
}

static void json_basis(FILE *f, const struct batch *b, const struct batch_basis *bs)
{
	fputs("{\"basis\":", f);
	jstr(f, bs->name);
	fprintf(f, ",\"mode\":\"%s\",\"centre\":{", strcmp(bs->name, "log-ratio") ? "l2" : "log");
	for (size_t rt = 0; rt < b->nruntimes; rt++) {
		fputs(rt ? "," : "", f);
		jstr(f, b->runtimes[rt]);
		fputc(':', f);
		jnum(f, ph_compare_centre(bs->cmp, rt));
	}
	fputs("},\"benchmarks\":[", f);
	for (size_t bench = 0; bench < b->nbenches; bench++) {
		fputs(bench ? ",{\"bench\":" : "{\"bench\":", f);
		jstr(f, b->benches[bench]);
		enum ph_compare_state st = ph_compare_state(bs->cmp, bench);
		fputs(",\"compared\":", f);
		fputs(st == PH_COMPARE_OK ? "true" : "false", f);
		if (st != PH_COMPARE_OK) {
			fputs(",\"why\":", f);
			jstr(f, ph_compare_state_name(st));
		}
		fputs(",\"distance\":", f);
		jnum(f, ph_compare_distance(bs->cmp, bench));
		size_t md = ph_compare_most_deviant(bs->cmp, bench);
		fputs(",\"most_deviant\":", f);
		md == SIZE_MAX ? fputs("null", f) : jstr(f, b->runtimes[md]);
		static const char *const keys[] = {"values", "normalised", "deviations"};
		for (int k = 0; k < 3; k++) {
			fprintf(f, ",\"%s\":{", keys[k]);
			for (size_t rt = 0; rt < b->nruntimes; rt++) {
				fputs(rt ? "," : "", f);
				jstr(f, b->runtimes[rt]);
				fputc(':', f);
				jnum(f, k == 0 ? bs->value[bench * b->nruntimes + rt]
					: k == 1 ? ph_compare_value(bs->cmp, bench, rt)
						 : ph_compare_deviation(bs->cmp, bench, rt));
			}
			fputc('}', f);
		}
		fputc('}', f);
	}
	fputs("],\"ranking\":[", f);
	const size_t *order;
	size_t n = ph_compare_ranking(bs->cmp, &order);
	for (size_t k = 0; k < n; k++) {
		fputs(k ? "," : "", f);
		jstr(f, b->benches[order[k]]);
	}
	fputs("]}", f);
}

int batch_write_json(const struct batch *b, const struct batch_comparison *c)
{
	char *path;
	FILE *f = open_out(b, "summary.json", &path);
	if (!f)
		return close_out(b, f, path);
	fputs("{\"tool\":\"wasmperf-batch\",\"version\":\"" WASMPERF_VERSION "\",\"runtimes\":[", f);
	for (size_t i = 0; i < b->nruntimes; i++) {
		fputs(i ? "," : "", f);
		jstr(f, b->runtimes[i]);
	}
	fputs("],\"benchmarks\":[", f);
	for (size_t i = 0; i < b->nbenches; i++) {
		fputs(i ? "," : "", f);
		jstr(f, b->benches[i]);
	}
	fputs("],\"baseline\":", f);
	b->nruntimes ? jstr(f, b->runtimes[b->baseline]) : fputs("null", f);
	fputs(",\n\"runs\":[\n", f);
	for (size_t i = 0; i < b->nruns; i++) {
		json_run(f, b, &b->runs[i]);
		fputs(i + 1 < b->nruns ? ",\n" : "\n", f);
	}
	fputs("],\n\"comparisons\":[\n", f);
	for (size_t i = 0; i < c->n; i++) {
		json_basis(f, b, &c->bases[i]);
		fputs(i + 1 < c->n ? ",\n" : "\n", f);
	}
	fputs("]}\n", f);
	return close_out(b, f, path);
}
