/* test_phases.c - the phase library alone: the rule parser (good and bad
 * files, line numbers), every preset, intervals from hand-made marker
 * sequences, attribution and categories, and the expected tables of real
 * recordings rebuilt from their events (testdata/phases-model/, extracted
 * by testdata/gen/phases/extract-events.py). */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "phases.h"

static char warnings[4096];
static unsigned nwarnings;

static void on_warn(void *ctx, const char *msg)
{
	(void)ctx;
	nwarnings++;
	size_t used = strlen(warnings);
	snprintf(warnings + used, sizeof warnings - used, "%s\n", msg);
}

static void reset_warnings(void)
{
	warnings[0] = '\0';
	nwarnings = 0;
}

static struct ph_rules *parse(const char *text, int *rc)
{
	struct ph_rules *r = NULL;
	*rc = ph_rules_parse(&r, text, strlen(text), "t.rules");
	return r;
}

static void test_parser(void)
{
	int rc;
	struct ph_rules *r = parse("# a comment\n"
				   "preset demo\n"
				   "description Demo rules\n"
				   "select exe (^|/)demo$\n"
				   "marker load f_load re:^g_load\\(\n"
				   "\n"
				   "phase startup exec load   # trailing comment\n"
				   "phase load load load.return\n"
				   "phase inner load load.return parent load\n"
				   "stack load ^f_load$\n"
				   "stack execute .* module=jit fallback\n"
				   "category wasm ^wasm#\\d+$\n", &rc);
	CHECK(rc == 0);
	CHECK_STR(ph_rules_name(r), "demo");
	CHECK_STR(ph_rules_description(r), "Demo rules");
	CHECK(ph_rules_marker_count(r) == 1);
	CHECK(ph_rules_phase_count(r) == 3);
	CHECK_STR(ph_rules_phase_name(r, 2), "inner");
	CHECK(ph_rules_stack_phase_count(r) == 2);
	ph_rules_free(r);

	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "phase a exec exit\nbogus x\n", "'t.rules': line 2: unknown directive 'bogus'" },
		{ "marker m f\n\nphase a m nowhere\n",
		  "'t.rules': line 3: 'nowhere' is not exec, exit, a marker declared above or MARKER.return" },
		{ "phase a exec exit\ncategory wasm (\n", "'t.rules': line 2: bad regex '(' at offset 1" },
		{ "phase a exec exit\ncategory fast x\n", "'t.rules': line 2: unknown category 'fast'" },
		{ "phase a exec exit\npreset late\n", "'t.rules': line 2: 'preset' must be the first" },
		{ "phase a exec exit\nphase a exec exit\n", "'t.rules': line 2: phase 'a' declared twice" },
		{ "phase a exit exec\n", "'t.rules': line 1: a phase cannot start at exit" },
		{ "phase a exec exit parent b\n", "'t.rules': line 1: parent 'b' is not a phase" },
		{ "marker exec f\n", "'t.rules': line 1: 'exec' is a built-in point" },
		{ "# nothing\n", "'t.rules': no phase, stack or category rule" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		r = parse(bad[i].text, &rc);
		CHECK(rc == WP_E_FORMAT);
		const char *msg = ph_rules_errmsg(r);
		if (strncmp(msg, bad[i].msg, strlen(bad[i].msg)) != 0)
			CHECK_STR(msg, bad[i].msg);
		ph_rules_free(r);
	}
	/* Caps: a long line, too many markers. */
	char *big = malloc(PH_MAX_LINE + 64);
	memset(big, 'x', PH_MAX_LINE + 40);
	memcpy(big, "phase a exec exit\n", 18);
	big[PH_MAX_LINE + 30] = '\0';
	r = parse(big, &rc);
	CHECK(rc == WP_E_TOOBIG);
	CHECK(strstr(ph_rules_errmsg(r), "line 2: line longer than") != NULL);
	ph_rules_free(r);
	free(big);
	struct wp_buf b;
	wp_buf_init(&b, WP_BUF_UNLIMITED);
	for (int i = 0; i <= PH_MAX_MARKERS; i++)
		wp_buf_printf(&b, "marker m%d f%d\n", i, i);
	r = parse(b.data, &rc);
	CHECK(rc == WP_E_FORMAT);
	CHECK(strstr(ph_rules_errmsg(r), "line 65: more than 64 markers") != NULL);
	ph_rules_free(r);
	wp_buf_release(&b);
	r = NULL;
	CHECK(ph_rules_load_file(&r, "/nonexistent/x.rules") == WP_E_NOTFOUND);
	CHECK(strstr(ph_rules_errmsg(r), "'/nonexistent/x.rules': cannot read") != NULL);
	ph_rules_free(r);
}

static bool has_symbol(void *ctx, const char *name, const char *lib)
{
	return !lib && strcmp(name, (const char *)ctx) == 0;
}

/* WasmEdge's CLI is a stub: the symbol is in the library it maps. */
static bool lib_has_symbol(void *ctx, const char *name, const char *lib)
{
	return lib && !strcmp(lib, "libwasmedge") && strcmp(name, (const char *)ctx) == 0;
}

static void test_presets(void)
{
	size_t n;
	const char *const *names = ph_preset_names(&n);
	static const char *const want[] = { "node", "wamr", "warpdiff", "wasm3", "wasmedge",
					    "wasmer", "wasmtime" };
	CHECK(n == 7);
	for (size_t i = 0; i < n && i < 7; i++) {
		CHECK_STR(names[i], want[i]);
		struct ph_rules *r = NULL;
		int rc = ph_rules_load_preset(&r, names[i]);
		CHECK(rc == 0);
		if (rc)
			fprintf(stderr, "%s\n", ph_rules_errmsg(r));
		CHECK_STR(ph_rules_name(r), names[i]);
		CHECK(ph_rules_phase_count(r) >= 3);
		ph_rules_free(r);
	}
	struct ph_rules *r = NULL;
	CHECK(ph_rules_load_preset(&r, "nope") == WP_E_NOTFOUND);
	CHECK_STR(ph_rules_errmsg(r), "no preset 'nope'");
	ph_rules_free(r);

	struct ph_catalog *c;
	CHECK(ph_catalog_new(&c) == 0);
	CHECK(ph_catalog_count(c) == 7);
	int score;
	struct ph_target t = { .binary = "/tmp/wamr/build-iwasm-aot/iwasm-2.4.3" };
	CHECK_STR(ph_rules_name(ph_catalog_choose(c, &t, &score)), "wamr");
	CHECK(score == 4);
	t = (struct ph_target){ .binary = "/usr/bin/node" };
	CHECK_STR(ph_rules_name(ph_catalog_choose(c, &t, NULL)), "node");
	/* A renamed binary: its symbols decide. */
	t = (struct ph_target){ .binary = "/opt/rt", .has_symbol = has_symbol,
				.symbol_ctx = (void *)"m3_ParseModule" };
	CHECK_STR(ph_rules_name(ph_catalog_choose(c, &t, &score)), "wasm3");
	CHECK(score == 2);
	char why[256];
	CHECK(ph_rules_explain(ph_catalog_find(c, "wasm3"), &t, why, sizeof why) == 2);
	CHECK_STR(why, "its binary defines m3_ParseModule");
	t = (struct ph_target){ .binary = "/opt/edge", .has_symbol = lib_has_symbol,
				.symbol_ctx = (void *)"WasmEdge_Driver_UniTool" };
	CHECK_STR(ph_rules_name(ph_catalog_choose(c, &t, &score)), "wasmedge");
	CHECK(ph_rules_explain(ph_catalog_find(c, "wasmedge"), &t, why, sizeof why) == 2);
	CHECK_STR(why, "a library defines WasmEdge_Driver_UniTool");
	CHECK(ph_catalog_wants_library(c, "/usr/lib/x86_64-linux-gnu/libwasmedge.so.0.1.0"));
	CHECK(!ph_catalog_wants_library(c, "/usr/lib/x86_64-linux-gnu/libc.so.6"));
	CHECK(!ph_catalog_wants_library(c, "/opt/libwasmedge/bin/wasmedge"));
	/* Only the probes present: perf's event names. */
	const char *probes[] = { "probe_rt:sched", "probe_rt:wasm_runtime_load__return" };
	t = (struct ph_target){ .binary = "/opt/rt", .probes = probes, .nprobes = 2 };
	CHECK_STR(ph_rules_name(ph_catalog_choose(c, &t, &score)), "wamr");
	CHECK(score == 1);
	t = (struct ph_target){ .binary = "/bin/true" };
	CHECK(ph_catalog_choose(c, &t, &score) == NULL && score == 0);
	ph_catalog_free(c);
}

/* ---- hand-made marker sequences ---- */

static const char *model_rules =
	"marker load ld\n"
	"marker inst in\n"
	"marker execute ex\n"
	"phase startup exec load\n"
	"phase load load load.return\n"
	"phase gap load.return inst\n"
	"phase instantiate inst inst.return\n"
	"phase execute execute exit\n"
	"phase execute-main execute execute.return parent execute\n"
	"phase teardown execute.return exit parent execute\n"
	"phase total exec exit\n"
	"stack load ^ld$\n"
	"stack instantiate ^in$\n"
	"stack execute ^(ex|wasm#\\d+)$\n"
	"stack compile ^llvm\n"
	"stack startup ^_start$ fallback\n"
	"category wasm ^wasm#\n"
	"category compile ^llvm\n"
	"category runtime ^(ld|in|ex)$\n"
	"category kernel ^page_fault$\n";

static const struct ph_row *row(const struct ph_model *m, int32_t pid, const char *phase)
{
	const struct ph_row *rows;
	size_t n = ph_model_rows(m, &rows);
	for (size_t i = 0; i < n; i++)
		if (rows[i].pid == pid && strcmp(rows[i].phase, phase) == 0)
			return &rows[i];
	return NULL;
}

static void probe(struct ph_model *m, int32_t pid, uint64_t t, const char *event,
		  const char *fn, bool ret)
{
	struct ph_probe p = { event, fn, ret };
	CHECK(ph_model_probe(m, pid, pid, t, &p) == 0);
}

static void sample(struct ph_model *m, int32_t pid, int32_t tid, uint64_t t, const char *a,
		   const char *b)
{
	struct ph_frame f[2] = { { a, strlen(a), NULL, 0 }, { b ? b : "", b ? strlen(b) : 0, NULL, 0 } };
	CHECK(ph_model_sample(m, pid, tid, t, 10, f, b ? 2 : 1) == 0);
}

static void test_intervals(void)
{
	int rc;
	struct ph_rules *r = parse(model_rules, &rc);
	CHECK(rc == 0);
	reset_warnings();
	struct ph_model *m = ph_model_new(r, on_warn, NULL);
	/* pid 10: every marker, a function hit many times, samples at the
	 * boundaries (half-open), one at the last exit (closed). */
	CHECK(ph_model_exec(m, 10, 10, 1000, "rt") == 0);
	sample(m, 10, 10, 1000, "_start", NULL);             /* startup */
	probe(m, 10, 1100, "probe_rt:ld", NULL, false);      /* by event name */
	sample(m, 10, 10, 1100, "ld", NULL);                 /* load (start included) */
	probe(m, 10, 1150, "probe_rt:ld", NULL, false);      /* second entry: ignored */
	probe(m, 10, 1200, "probe_rt:ld__return", NULL, false); /* suffix makes it a return */
	sample(m, 10, 10, 1200, "ld", NULL);                 /* gap (end excluded), disagrees */
	probe(m, 10, 1250, "probe_rt:ld__return", NULL, false); /* second return: ignored */
	probe(m, 10, 1300, "x:y", "in(int)", false);         /* symbolized, with parameters */
	sample(m, 10, 11, 1350, "page_fault_[k]", "in");     /* kernel leaf, phase from 'in' */
	probe(m, 10, 1400, "x:y", "in(int)", true);
	probe(m, 10, 1500, "probe_rt:ex", NULL, false);
	sample(m, 10, 11, 1600, "memcpy", "wasm#3");         /* innermost decisive frame */
	sample(m, 10, 10, 1700, "llvm::X", "ex");            /* compile inside execute */
	probe(m, 10, 1800, "probe_rt:ex__return", NULL, false);
	sample(m, 10, 10, 1850, "exit_mmap_[k]", NULL);
	CHECK(ph_model_exit(m, 10, 11, 1880) == 0);
	sample(m, 10, 10, 1900, "main", NULL);               /* after thread 11 exited */
	CHECK(ph_model_exit(m, 10, 10, 1900) == 0);          /* last exit: closed */
	sample(m, 10, 10, 1950, "late", NULL);               /* after the last exit */

	/* pid 20: probes but never exec'd, entry without return. */
	probe(m, 20, 500, "probe_rt:ld", NULL, false);
	probe(m, 20, 600, "probe_rt:in", NULL, false);
	probe(m, 20, 650, "probe_rt:in__return", NULL, false);
	probe(m, 20, 700, "probe_rt:ex", NULL, false);
	sample(m, 20, 20, 800, "ex", NULL);
	CHECK(ph_model_exit(m, 20, 20, 900) == 0);
	/* pid 30: a return with no entry before it; only samples: pid 40 gets no rows. */
	CHECK(ph_model_exec(m, 30, 30, 100, "other") == 0);
	probe(m, 30, 150, "probe_rt:ld__return", NULL, false);
	probe(m, 30, 200, "probe_rt:ld", NULL, false);
	CHECK(ph_model_exit(m, 30, 30, 300) == 0);
	sample(m, 40, 40, 100, "x", NULL);

	CHECK(ph_model_finish(m) == 0);
	CHECK(ph_model_exec(m, 10, 10, 1, "x") == WP_E_USAGE);
	const struct ph_row *p;
#define ROW(pid, name, s, e, n)                                                     \
	do {                                                                        \
		p = row(m, pid, name);                                              \
		CHECK(p && p->present && p->start_ns == (s) && p->end_ns == (e) &&  \
		      p->dur_ns == (e) - (s) && p->samples == (n));                 \
		if (p && !(p->present && p->start_ns == (s) && p->end_ns == (e) && p->samples == (n))) \
			fprintf(stderr, "  %d %s: %d %llu %llu %llu\n", pid, name, p->present, \
				(unsigned long long)p->start_ns, (unsigned long long)p->end_ns, \
				(unsigned long long)p->samples);                    \
	} while (0)
	ROW(10, "startup", 1000, 1100, 1);
	ROW(10, "load", 1100, 1200, 1);
	ROW(10, "gap", 1200, 1300, 1);
	ROW(10, "instantiate", 1300, 1400, 1);
	ROW(10, "execute", 1500, 1900, 4);
	ROW(10, "execute-main", 1500, 1800, 2);
	ROW(10, "teardown", 1800, 1900, 2);
	ROW(10, "total", 1000, 1900, 8);
	p = row(m, 10, "execute-main");
	CHECK(p && p->depth == 1 && p->cat_samples[PH_CAT_WASM] == 1 &&
	      p->cat_samples[PH_CAT_COMPILE] == 1 && p->period == 20);
	p = row(m, 10, "instantiate");
	CHECK(p && p->cat_samples[PH_CAT_KERNEL] == 1);
	p = row(m, 10, "teardown");
	CHECK(p && p->cat_samples[PH_CAT_KERNEL] == 1 && p->cat_samples[PH_CAT_OTHER] == 1);
	/* Phases from stacks: kernel frames never decide; fallback rules last. */
	p = row(m, 10, "stack:instantiate");
	CHECK(p && p->samples == 1 && p->start_ns == 1350);
	p = row(m, 10, "stack:execute");
	CHECK(p && p->samples == 1 && p->start_ns == 1600);
	p = row(m, 10, "stack:compile");
	CHECK(p && p->samples == 1 && p->start_ns == 1700);
	p = row(m, 10, "stack:startup");
	CHECK(p && p->samples == 1);
	p = row(m, 10, "stack:load");
	CHECK(p && p->samples == 2 && p->start_ns == 1100 && p->end_ns == 1200 && p->dur_ns == 20);
	p = row(m, 10, "stack:unattributed");
	CHECK(p && p->samples == 3); /* exit_mmap, main, late */
	/* The 'ld' sample in the gap disagrees; 'llvm' names no phase. */
	p = row(m, 10, "gap");
	CHECK(p && p->disagree == 1);
	const struct ph_process *procs;
	size_t np = ph_model_processes(m, &procs);
	CHECK(np == 3);
	CHECK(procs[0].pid == 10 && procs[0].disagree == 1 && procs[0].samples == 9 &&
	      procs[0].samples_outside == 1);
	CHECK_STR(procs[0].comm, "rt");

	/* pid 20: no exec -> startup, total absent; no return of execute. */
	p = row(m, 20, "startup");
	CHECK(p && !p->present && strcmp(p->missing, "exec") == 0);
	p = row(m, 20, "load");
	CHECK(p && !p->present && strcmp(p->missing, "load.return") == 0);
	ROW(20, "instantiate", 600, 650, 0);
	ROW(20, "execute", 700, 900, 1);
	p = row(m, 20, "execute-main");
	CHECK(p && !p->present);
	CHECK(strstr(warnings, "pid 20 (): no exec event: startup, total absent") != NULL);
	CHECK(strstr(warnings, "pid 20 (): no return probe of load (ld): load, gap absent") != NULL);
	CHECK(strstr(warnings, "pid 20 (): no return probe of execute (ex): execute-main, teardown absent") != NULL);
	/* pid 30: the early return is no point; the entry has no return. */
	ROW(30, "startup", 100, 200, 0);
	p = row(m, 30, "load");
	CHECK(p && !p->present);
	CHECK(strstr(warnings, "pid 30 (other): no probe on the entry of inst (in)") != NULL);
	CHECK(row(m, 40, "total") == NULL);

	/* The writers. */
	char *buf;
	size_t len;
	FILE *f = open_memstream(&buf, &len);
	CHECK(ph_write_tsv(f, m) == 0);
	fclose(f);
	CHECK(strncmp(buf, "pid\tcomm\tphase\tstart_ns\tend_ns\tdur_ns\tsamples\twasm\tcompile\t"
			   "runtime\thost\tgc\tkernel\tother\n", 84) == 0);
	CHECK(strstr(buf, "\n10\trt\texecute-main\t1500\t1800\t300\t2\t1\t1\t0\t0\t0\t0\t0\n") != NULL);
	CHECK(strstr(buf, "\tstartup\t") && !strstr(buf, "\n20\t\tstartup"));
	free(buf);
	f = open_memstream(&buf, &len);
	CHECK(ph_write_json(f, m) == 0);
	fclose(f);
	CHECK(strstr(buf, "{\"name\":\"startup\",\"missing\":\"exec\"}") != NULL);
	CHECK(strstr(buf, "\"pid\":10,\"comm\":\"rt\",\"rules\":\"t.rules\"") != NULL);
	free(buf);
	f = open_memstream(&buf, &len);
	CHECK(ph_write_text(f, m) == 0);
	fclose(f);
	CHECK(strstr(buf, "    execute-main") != NULL && strstr(buf, "absent (exec)") != NULL);
	free(buf);
	ph_model_free(m);

	/* Out-of-order samples still land in their segment; an end before a
	 * start makes the phase absent. */
	reset_warnings();
	m = ph_model_new(r, on_warn, NULL);
	ph_model_exec(m, 1, 1, 100, "a");
	probe(m, 1, 200, "p:ex", NULL, false);
	probe(m, 1, 300, "p:ld", NULL, false);
	probe(m, 1, 310, "p:ld__return", NULL, false);
	probe(m, 1, 320, "p:in", NULL, false);
	probe(m, 1, 330, "p:in__return", NULL, false);
	sample(m, 1, 1, 150, "x", NULL);
	ph_model_exit(m, 1, 1, 400);
	CHECK(ph_model_finish(m) == 0);
	ROW(1, "startup", 100, 300, 1);
	p = row(m, 1, "gap");
	CHECK(p && p->present);
	ROW(1, "total", 100, 400, 1);
	ph_model_free(m);
	ph_rules_free(r);
}

/* ---- the expected tables of real recordings ---- */

static const char *expected_name(const char *ours)
{
	if (!strcmp(ours, "gap-load-instantiate"))
		return "load->inst gap";
	if (!strcmp(ours, "gap-instantiate-execute"))
		return "inst->exec gap";
	if (!strcmp(ours, "total"))
		return "TOTAL exec->exit";
	return ours;
}

static void split(char *line, char **f, size_t max, size_t *n, char sep)
{
	*n = 0;
	while (*n < max) {
		f[(*n)++] = line;
		char *t = strchr(line, sep);
		if (!t)
			break;
		*t = '\0';
		line = t + 1;
	}
}

static void test_recording(const char *src, const char *run, const char *preset,
			   const char *warning)
{
	char path[1024];
	struct ph_rules *r = NULL;
	CHECK(ph_rules_load_preset(&r, preset) == 0);
	reset_warnings();
	struct ph_model *m = ph_model_new(r, on_warn, NULL);
	snprintf(path, sizeof path, "%s/testdata/phases-model/%s/events.txt.gz", src, run);
	struct wp_lines *lr;
	CHECK(wp_lines_open(&lr, path, 1 << 20) == 0);
	const char *line;
	size_t len;
	struct ph_frame frames[512];
	char *copy = NULL;
	while (wp_lines_next(lr, &line, &len) == 1) {
		free(copy);
		copy = strndup(line, len);
		char *f[8];
		size_t n;
		split(copy, f, 8, &n, '\t');
		if (n < 4)
			continue;
		uint64_t t = strtoull(f[1], NULL, 10);
		int32_t pid = atoi(f[2]), tid = atoi(f[3]);
		if (!strcmp(f[0], "exec")) {
			CHECK(ph_model_exec(m, pid, tid, t, f[4]) == 0);
		} else if (!strcmp(f[0], "exit")) {
			CHECK(ph_model_exit(m, pid, tid, t) == 0);
		} else if (!strcmp(f[0], "probe") && n == 7) {
			struct ph_probe p = { f[4], *f[6] ? f[6] : NULL, !strcmp(f[5], "return") };
			CHECK(ph_model_probe(m, pid, tid, t, &p) == 0);
		} else if (!strcmp(f[0], "sample") && n == 6) {
			char *fr[512];
			size_t nf;
			split(f[5], fr, 512, &nf, ';');
			for (size_t i = 0; i < nf; i++)
				frames[i] = (struct ph_frame){ fr[i], strlen(fr[i]), NULL, 0 };
			CHECK(ph_model_sample(m, pid, tid, t, strtoull(f[4], NULL, 10), frames, nf) == 0);
		}
	}
	free(copy);
	wp_lines_free(lr);
	CHECK(ph_model_finish(m) == 0);
	if (warning)
		CHECK(strstr(warnings, warning) != NULL);
	else
		CHECK(nwarnings == 0);

	/* Every row of the copied expected table, and no other present phase. */
	snprintf(path, sizeof path, "%s/testdata/phases-model/%s/expected-phases.tsv", src, run);
	CHECK(wp_lines_open(&lr, path, 4096) == 0);
	size_t matched = 0;
	while (wp_lines_next(lr, &line, &len) == 1) {
		char *c = strndup(line, len), *f[8];
		size_t n;
		split(c, f, 8, &n, '\t');
		if (n == 7 && strcmp(f[0], "run") != 0) {
			const struct ph_row *rows, *hit = NULL;
			size_t nr = ph_model_rows(m, &rows);
			for (size_t i = 0; i < nr; i++)
				if (rows[i].kind == PH_ROW_PHASE && rows[i].present &&
				    rows[i].pid == atoi(f[1]) &&
				    !strcmp(expected_name(rows[i].phase), f[2]))
					hit = &rows[i];
			char got[160] = "(absent)";
			if (hit)
				snprintf(got, sizeof got, "%llu\t%llu\t%llu\t%llu",
					 (unsigned long long)hit->start_ns, (unsigned long long)hit->end_ns,
					 (unsigned long long)hit->dur_ns, (unsigned long long)hit->samples);
			char want[160];
			snprintf(want, sizeof want, "%s\t%s\t%s\t%s", f[3], f[4], f[5], f[6]);
			CHECK_STR(got, want);
			matched++;
		}
		free(c);
	}
	wp_lines_free(lr);
	const struct ph_row *rows;
	size_t nr = ph_model_rows(m, &rows), present = 0;
	for (size_t i = 0; i < nr; i++)
		present += rows[i].kind == PH_ROW_PHASE && rows[i].present;
	CHECK(matched >= 10 && present == matched);
	/* Stacks and categories add up to the samples of each phase. */
	for (size_t i = 0; i < nr; i++) {
		uint64_t sum = 0;
		for (int c = 0; c < PH_NCAT; c++)
			sum += rows[i].cat_samples[c];
		CHECK(sum == rows[i].samples);
	}
	ph_model_free(m);
	ph_rules_free(r);
}

/* No probes: startup = exec -> the first sample whose stack is in execute,
 * execute = that sample -> last exit, so startup + execute = total; a
 * process whose stacks never say execute keeps both absent (one warning). */
static void test_no_probes(void)
{
	int rc;
	struct ph_rules *r = parse(model_rules, &rc);
	CHECK(rc == 0);
	reset_warnings();
	struct ph_model *m = ph_model_new(r, on_warn, NULL);
	CHECK(ph_model_exec(m, 50, 50, 1000, "rt") == 0);
	sample(m, 50, 50, 1100, "_start", NULL);     /* startup */
	sample(m, 50, 50, 1200, "ld", NULL);         /* stack load: still startup */
	sample(m, 50, 51, 1300, "memcpy", "wasm#1"); /* first stack execute: the split */
	sample(m, 50, 50, 1400, "other", NULL);      /* unattributed, inside execute */
	sample(m, 50, 51, 1500, "ex", NULL);
	CHECK(ph_model_exit(m, 50, 51, 1600) == 0);
	CHECK(ph_model_exit(m, 50, 50, 1700) == 0);
	sample(m, 50, 50, 1800, "ex", NULL);         /* after the last exit: no split here */
	CHECK(ph_model_exec(m, 60, 60, 100, "rt2") == 0);
	sample(m, 60, 60, 150, "ld", NULL);
	CHECK(ph_model_exit(m, 60, 60, 200) == 0);
	CHECK(ph_model_finish(m) == 0);
	const struct ph_row *st = row(m, 50, "startup"), *ex = row(m, 50, "execute"),
			    *tot = row(m, 50, "total");
	CHECK(st && st->present && st->start_ns == 1000 && st->end_ns == 1300 && st->samples == 2);
	CHECK(ex && ex->present && ex->start_ns == 1300 && ex->end_ns == 1700 && ex->samples == 3);
	CHECK(tot && tot->present && tot->samples == 5);
	CHECK(st && ex && tot && st->dur_ns + ex->dur_ns == tot->dur_ns &&
	      st->samples + ex->samples == tot->samples);
	const struct ph_row *em = row(m, 50, "execute-main"), *ld = row(m, 50, "load");
	CHECK(em && !em->present && ld && !ld->present);
	CHECK(strstr(warnings, "pid 50 (rt): no probes: startup and execute split at 1300 ns") != NULL);
	CHECK(strstr(warnings, "pid 50 (rt): no probe on the entry of load (ld): load absent") != NULL);
	st = row(m, 60, "startup"), ex = row(m, 60, "execute");
	CHECK(st && !st->present && ex && !ex->present);
	CHECK(strstr(warnings, "pid 60 (rt2): no probes and no sample whose stack is in execute") != NULL);
	ph_model_free(m);
	ph_rules_free(r);
}

/* Rules chosen late (a library that names the preset is mapped after the
 * first samples): the samples so far stay unattributed, category other;
 * rules that classified samples cannot change; the reason is reported. */
static void test_late_rules(void)
{
	int rc;
	struct ph_rules *r = parse(model_rules, &rc), *r2 = parse(model_rules, &rc);
	CHECK(rc == 0);
	struct ph_model *m = ph_model_new(NULL, NULL, NULL);
	CHECK(ph_model_exec(m, 70, 70, 1000, "rt") == 0);
	sample(m, 70, 70, 1100, "ld", NULL);          /* before the rules: undecided */
	CHECK(ph_model_set_rules(m, 70, r, "a library defines x") == 0);
	sample(m, 70, 70, 1200, "ld", NULL);          /* stack load */
	CHECK(ph_model_set_rules(m, 70, r2, NULL) == WP_E_USAGE);
	CHECK(ph_model_set_rules(m, 80, NULL, "no preset fits /bin/x") == 0);
	CHECK(ph_model_exit(m, 70, 70, 1300) == 0);
	CHECK(ph_model_finish(m) == 0);
	const struct ph_row *tot = row(m, 70, "total"), *ld = row(m, 70, "stack:load"),
			    *un = row(m, 70, "stack:unattributed");
	CHECK(tot && tot->present && tot->samples == 2 && tot->cat_samples[PH_CAT_OTHER] >= 1);
	CHECK(ld && ld->samples == 1 && ld->start_ns == 1200);
	CHECK(un && un->samples == 1 && un->start_ns == 1100);
	const struct ph_process *procs;
	CHECK(ph_model_processes(m, &procs) == 1);
	CHECK_STR(procs[0].rules_why, "a library defines x");
	ph_model_free(m);
	ph_rules_free(r);
	ph_rules_free(r2);
}

/* JSON strings are valid UTF-8 whatever the bytes: quotes, backslashes
 * and controls escaped, a byte that starts no valid sequence (or an
 * overlong form, a surrogate) U+FFFD, valid sequences kept. */
static void test_json_escape(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	CHECK(f != NULL);
	if (!f)
		return;
	ph_json_escape(f, "a\"b\\c\x01\x7f \xc3\xa9 \xff\xfe \xc0\xaf \xed\xa0\x80 \xf0\x9f\x98\x80 \xe2\x82");
	fclose(f);
	CHECK_STR(buf, "a\\\"b\\\\c\\u0001\\u007f \xc3\xa9 \xef\xbf\xbd\xef\xbf\xbd "
		  "\xef\xbf\xbd\xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd "
		  "\xf0\x9f\x98\x80 \xef\xbf\xbd\xef\xbf\xbd");
	free(buf);
}

int main(void)
{
	const char *src = getenv("WASMPERF_SRC");
	test_parser();
	test_presets();
	test_intervals();
	test_no_probes();
	test_late_rules();
	test_json_escape();
	if (!src) {
		fprintf(stderr, "WASMPERF_SRC not set: recordings skipped\n");
		check_failed++;
	} else {
		test_recording(src, "wamr-aot--compute", "wamr", NULL);
		test_recording(src, "node-v8--compute", "node",
			       "pid 13977 (node): no return probe of execute "
			       "(node::wasi::WASI::_SetMemory): execute-main, teardown absent");
	}
	return check_report();
}
