/* record_session.c - one recording from start to end: detect the runtime,
 * plan the probes and the command lines, add the probes, run perf record,
 * remove the probes (whatever happened: the workload failed, perf failed,
 * a signal came), then leave the bundle. Its status is the workload's. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "record.h"

struct session {
	const struct record_options *opts;
	struct record_runtime rt;
	struct record_elf *elf;
	struct record_probes probes;
	struct record_plan plan;
	char *dir;
	char data[4096];
	char version[256];
};

/* One line on what to do, after perf's own message. */
static void advise(const struct record_options *opts, bool probes)
{
	long paranoid = 2;
	FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "r");
	if (f) {
		if (fscanf(f, "%ld", &paranoid) != 1)
			paranoid = 2;
		fclose(f);
	}
	if (geteuid() != 0 && (probes || paranoid > 1))
		fprintf(stderr, "%s: hint: run as root (sudo)%s, or lower kernel.perf_event_paranoid "
			"(now %ld) and record with --no-probes\n", opts->prog,
			probes ? ": adding probes needs it" : "", paranoid);
	else if (probes && access("/sys/kernel/tracing/uprobe_events", F_OK) != 0 &&
		 access("/sys/kernel/debug/tracing/uprobe_events", F_OK) != 0)
		fprintf(stderr, "%s: hint: this kernel has no uprobes (CONFIG_UPROBE_EVENTS) or "
			"tracefs is not mounted: record with --no-probes\n", opts->prog);
	else
		fprintf(stderr, "%s: hint: see perf's message above; --dry-run shows the commands, "
			"--no-probes records without probes\n", opts->prog);
}

/* The probes of one binary in one perf probe call (perf reads the binary
 * once); when one call fails, all are removed and placed one by one, so
 * that the others are still there. */
static void add_probes(struct session *s)
{
	struct record_probes *p = &s->probes;
	bool failed = false;
	int err = 0;
	for (size_t first = 0, end; first < p->n && !record_last_signal(); first = end) {
		end = record_probes_binary_end(p, first);
		struct record_argv all = {0};
		int rc = record_probe_add_argv(p, first, end, &all) ? 1
			 : record_run_as(all.v, NULL, false, true, &err);
		record_argv_release(&all);
		for (size_t i = first; i < end; i++)
			p->v[i].added = rc == 0;
		failed = failed || rc != 0;
	}
	if (!failed || record_last_signal())
		return;
	struct record_argv del = {0};
	if (!record_probe_del_argv(p, &del))
		record_run_as(del.v, NULL, true, true, &err);
	record_argv_release(&del);
	for (size_t i = 0; i < p->n && !record_last_signal(); i++) {
		struct record_argv a = {0};
		p->v[i].added = !record_probe_add_argv(p, i, i + 1, &a) &&
				record_run_as(a.v, NULL, false, true, &err) == 0;
		if (!p->v[i].added && !s->opts->quiet)
			fprintf(stderr, "%s: warning: probe on %s%s not placed: phases that need it "
				"will be absent\n", s->opts->prog, p->v[i].function,
				p->v[i].is_return ? " (return)" : "");
		record_argv_release(&a);
	}
}

static int remove_probes(struct session *s)
{
	bool any = false;
	for (size_t i = 0; i < s->probes.n; i++)
		any = any || s->probes.v[i].added;
	if (!s->probes.n)
		return 0;
	struct record_argv del = {0};
	int err = 0;
	int rc = record_probe_del_argv(&s->probes, &del) ? 1
		 : record_run_as(del.v, NULL, true, true, &err);
	record_argv_release(&del);
	if (rc && any) {
		fprintf(stderr, "%s: cannot remove the probes of group %s: remove them with "
			"perf probe -d '%s:*'\n", s->opts->prog, s->probes.group, s->probes.group);
		return 1;
	}
	return 0;
}

/* The libraries holding probes, and where the loader finds them. */
static void print_libraries(const struct session *s)
{
	for (size_t i = 0; i < s->rt.libs.n; i++) {
		const struct record_lib *lib = &s->rt.libs.v[i];
		for (size_t k = 0; k < s->probes.n; k++)
			if (s->probes.v[k].binary == lib->file) {
				printf("# library %s: %s (by %s)\n", lib->name, lib->file, lib->how);
				break;
			}
	}
}

static void print_plan(struct session *s)
{
	printf("# runtime %s (by %s): %s\n# bundle %s\n", s->rt.name ? s->rt.name : "unknown",
	       s->rt.how[0] ? s->rt.how : "nothing", s->rt.exe, s->dir);
	print_libraries(s);
	for (size_t i = 0; i < s->probes.n; i++) {
		const struct record_probe *pr = &s->probes.v[i];
		printf("# probe %s%s: %s at 0x%llx (file offset 0x%llx), by %s\n", pr->marker,
		       pr->is_return ? ".return" : "", pr->function, (unsigned long long)pr->address,
		       (unsigned long long)pr->offset, pr->by_name ? "name" : "offset");
	}
	for (size_t first = 0, end; first < s->probes.n; first = end) {
		end = record_probes_binary_end(&s->probes, first);
		struct record_argv a = {0};
		if (!record_probe_add_argv(&s->probes, first, end, &a))
			record_argv_print(stdout, a.v);
		record_argv_release(&a);
	}
	if (s->plan.env.n) {
		fputs("env ", stdout);
		for (size_t i = 0; i < s->plan.env.n; i++)
			printf("%s ", s->plan.env.v[i]);
	}
	record_argv_print(stdout, s->plan.perf.v);
	if (s->probes.n) {
		struct record_argv a = {0};
		if (!record_probe_del_argv(&s->probes, &a))
			record_argv_print(stdout, a.v);
		record_argv_release(&a);
	}
}

static int prepare(struct session *s)
{
	const struct record_options *opts = s->opts;
	int status = record_detect(opts, &s->rt, &s->elf);
	if (status)
		return status;
	if (!s->rt.name && !opts->quiet)
		fprintf(stderr, "%s: warning: '%s' is no Wasm runtime wasmperf knows (%s): recorded "
			"without runtime flags or phase probes (--runtime NAME says which it is)\n",
			opts->prog, s->rt.exe, record_runtime_names());
	if ((status = record_bundle_dir(opts, &s->dir)) != 0)
		return status;
	snprintf(s->data, sizeof s->data, "%s/perf.data", s->dir);
	if ((status = record_probes_plan(&s->probes, opts, &s->rt, s->elf)) != 0)
		return status;
	return record_plan_build(&s->plan, opts, &s->rt, s->elf, &s->probes, s->dir, s->data);
}

static void start_time(char out[32])
{
	time_t now = time(NULL);
	struct tm tm;
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
}

/* The run itself; the workload's status, or 1 when perf did not record. */
static int record(struct session *s)
{
	const struct record_options *opts = s->opts;
	struct record_result res = {.rt = &s->rt, .runtime_version = s->version,
				    .probes = &s->probes, .plan = &s->plan};
	char *version_argv[] = {s->rt.exe, "--version", NULL};
	if (s->rt.name && s->rt.elf)
		record_capture_line(version_argv, s->version, sizeof s->version);
	if (!opts->quiet && (s->probes.n || s->plan.flags_note[0]))
		fprintf(stderr, "%s: %s (by %s):%s; %zu probes in group %s\n", opts->prog,
			s->rt.name ? s->rt.name : "unknown runtime", s->rt.how[0] ? s->rt.how : "nothing",
			s->plan.flags_note[0] ? s->plan.flags_note : " no flags", s->probes.n,
			s->probes.group);
	add_probes(s);
	bool placed = false;
	for (size_t i = 0; i < s->probes.n; i++)
		placed = placed || s->probes.v[i].added;
	if (s->probes.n && !placed) {
		if (!opts->quiet)
			fprintf(stderr, "%s: warning: no probe could be placed: recording without them\n",
				opts->prog);
		if (!opts->quiet && !record_last_signal())
			advise(opts, true);
		record_plan_drop_probes(&s->plan, &s->probes);
	}
	int err = 0, status = 130;
	start_time(res.start_time);
	if (!record_last_signal())
		status = record_run(s->plan.perf.v, s->plan.env.v, false, &err);
	int removed = remove_probes(s);
	struct stat st;
	if (err || stat(s->data, &st) != 0 || st.st_size == 0) {
		if (err)
			fprintf(stderr, "%s: cannot run perf: %s%s\n", opts->prog, strerror(err),
				err == ENOENT ? " (install it: apt-get install linux-perf)" : "");
		else if (!record_last_signal())
			advise(opts, s->probes.n > 0);
		return record_last_signal() ? 128 + record_last_signal() : 1;
	}
	res.exit_status = status;
	if (record_bundle_finish(s->dir, opts, &res) || removed)
		return status ? status : 1;
	if (!opts->quiet)
		fprintf(stderr, "%s: bundle '%s' (exit status %d): wasmperf phases %s; wasmperf fold %s\n",
			opts->prog, s->dir, status, s->dir, s->dir);
	return status;
}

int record_session(const struct record_options *opts)
{
	struct session s = {.opts = opts};
	int status = prepare(&s);
	if (!status && opts->dry_run)
		print_plan(&s);
	else if (!status)
		status = record(&s);
	record_plan_release(&s.plan);
	record_probes_release(&s.probes);
	record_elf_close(s.elf);
	record_runtime_release(&s.rt);
	free(s.dir);
	return status;
}
