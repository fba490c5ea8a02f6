/* test_perfdata.c - the perf.data reader against real recordings.
 *
 * Each testdata/perfdata-NAME/ holds a recording made by
 * testdata/gen/perfdata/gen.sh and what perf 6.1 itself reads from it:
 * dump.txt (`perf report -D`: every record in perf's delivery order with
 * time, offset, size, type and, for samples, misc, pid/tid, ip, period and
 * callchain length), stats.txt (records per type, samples per event) and
 * script.txt (`perf script`, tracepoint fields). The reader must deliver the
 * same kernel records in the same order with the same values. Synthetic
 * inputs built here cover every sample_type bit, truncation, corruption and
 * other-endian files. */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "perfparse.h"

static char testdata[2048];

static void find_testdata(void)
{
	/* __FILE__ is .../tests/unit/test_perfdata.c */
	snprintf(testdata, sizeof testdata, "%s", __FILE__);
	char *p = strstr(testdata, "tests/unit/test_perfdata.c");
	if (p)
		strcpy(p, "testdata");
	else
		strcpy(testdata, "testdata");
}

static char *fixture(const char *rel)
{
	static char buf[8][4096];
	static int k;
	char *b = buf[k++ % 8];
	snprintf(b, 4096, "%s/%.1000s", testdata, rel);
	return b;
}

static unsigned warnings_seen;
static void count_warn(void *ctx, const char *msg)
{
	(void)ctx;
	(void)msg;
	warnings_seen++;
}

static const char *type_name(uint32_t t)
{
	switch (t) {
	case PP_RECORD_MMAP: return "MMAP";
	case PP_RECORD_LOST: return "LOST";
	case PP_RECORD_COMM: return "COMM";
	case PP_RECORD_EXIT: return "EXIT";
	case PP_RECORD_FORK: return "FORK";
	case PP_RECORD_SAMPLE: return "SAMPLE";
	case PP_RECORD_MMAP2: return "MMAP2";
	case PP_RECORD_LOST_SAMPLES: return "LOST_SAMPLES";
	case PP_RECORD_KSYMBOL: return "KSYMBOL";
	case PP_RECORD_BPF_EVENT: return "BPF_EVENT";
	default: return NULL;
	}
}

static bool kernel_type_name(const char *name)
{
	static const char *const k[] = {"MMAP", "LOST", "COMM", "EXIT", "FORK", "SAMPLE", "MMAP2",
					"LOST_SAMPLES", "KSYMBOL", "BPF_EVENT", NULL};
	for (int i = 0; k[i]; i++)
		if (strcmp(name, k[i]) == 0)
			return true;
	return false;
}

/* One record as dump.awk prints it, without the offset. */
static void format_record(const struct pp_record *r, char *out, size_t n)
{
	int len = snprintf(out, n, "%" PRIu64 " 0x%x %s", r->time, r->size, type_name(r->type));
	if (r->type == PP_RECORD_SAMPLE) {
		const struct pp_sample *s = &r->u.sample;
		char chain[24] = "-";
		if (s->fields & PP_SAMPLE_CALLCHAIN)
			snprintf(chain, sizeof chain, "%zu", s->nr_callchain);
		snprintf(out + len, n - (size_t)len, " 0x%x %u/%u 0x%" PRIx64 " %" PRIu64 " %s",
			 r->misc, s->pid, s->tid, s->ip, s->period, chain);
	}
}

/* dump.txt line -> same format, offset dropped; false for other types. */
static bool format_dump_line(char *line, char *out, size_t n, char *offset, size_t on)
{
	char t[32], off[32], sz[32], type[32];
	int used = 0;
	if (sscanf(line, "%31s %31s %31s %31s%n", t, off, sz, type, &used) != 4)
		return false;
	if (!kernel_type_name(type))
		return false;
	snprintf(offset, on, "%s", off);
	snprintf(out, n, "%s %s %s%s", strcmp(t, "-") == 0 ? "0" : t, sz, type, line + used);
	return true;
}

struct run_stats {
	size_t records, kernel_records, samples, mismatches, offset_mismatches;
	size_t per_type[128];
	int rc;
	char err[512];
};

/* Reads d to the end comparing its kernel records with dump.txt. */
/* check_offsets: 0 no (records inside COMPRESSED, data.N files), 1 yes,
 * 2 yes with perf's pipe-mode convention (counted after the 16-byte header). */
static void compare_with_dump(struct pp_data *d, const char *dump_path, int check_offsets,
			      struct run_stats *rs)
{
	memset(rs, 0, sizeof *rs);
	char *dump = check_slurp(dump_path, NULL);
	CHECK(dump != NULL);
	if (!dump)
		return;
	char *save = NULL, *line = strtok_r(dump, "\n", &save);
	const struct pp_record *r;
	while ((rs->rc = pp_data_next(d, &r)) == 1) {
		rs->records++;
		if (r->type < 128)
			rs->per_type[r->type]++;
		if (r->type == PP_RECORD_SAMPLE)
			rs->samples++;
		if (!type_name(r->type))
			continue;
		rs->kernel_records++;
		char want[256] = "", off[32] = "";
		while (line && !format_dump_line(line, want, sizeof want, off, sizeof off))
			line = strtok_r(NULL, "\n", &save);
		char got[256];
		format_record(r, got, sizeof got);
		if (!line || strcmp(got, want) != 0) {
			if (rs->mismatches++ < 5)
				fprintf(stderr, "%s: record %zu: got '%s', perf '%s'\n", dump_path,
					rs->kernel_records, got, line ? want : "(end)");
		} else if (check_offsets &&
			   strtoull(off, NULL, 16) + (check_offsets == 2 ? 16 : 0) != r->offset) {
			if (rs->offset_mismatches++ < 3)
				fprintf(stderr, "%s: record %zu: offset 0x%" PRIx64 ", perf %s\n",
					dump_path, rs->kernel_records, r->offset, off);
		}
		if (line)
			line = strtok_r(NULL, "\n", &save);
	}
	char want[256], off[32];
	while (line && !format_dump_line(line, want, sizeof want, off, sizeof off))
		line = strtok_r(NULL, "\n", &save);
	if (line) {
		rs->mismatches++;
		fprintf(stderr, "%s: perf has more records: '%s'\n", dump_path, line);
	}
	snprintf(rs->err, sizeof rs->err, "%s", pp_data_errmsg(d));
	free(dump);
}

/* "  SAMPLE events:  275" lines after "NAME stats:" in stats.txt. */
static long stats_count(const char *stats_path, const char *section, const char *what)
{
	char *s = check_slurp(stats_path, NULL);
	if (!s)
		return -1;
	char *p = s;
	if (section) {
		char hdr[256];
		snprintf(hdr, sizeof hdr, "\n%s stats:", section);
		p = strstr(s, hdr);
	}
	long v = -1;
	if (p) {
		char key[64];
		snprintf(key, sizeof key, " %s events:", what);
		char *q = strstr(p, key);
		if (q)
			v = strtol(q + strlen(key), NULL, 10);
	}
	free(s);
	return v;
}

static struct pp_data *open_ok(const char *path)
{
	struct pp_data *d;
	int rc = pp_data_open(&d, path, count_warn, NULL);
	if (rc)
		fprintf(stderr, "open %s: %s\n", path, pp_data_errmsg(d));
	CHECK(rc == 0);
	return rc ? (pp_data_free(d), NULL) : d;
}

/* A whole fixture against perf's view of it. */
static void check_fixture(const char *dir, const char *data, int offsets, size_t *samples)
{
	char path[4096], dump[4096], stats[4096];
	snprintf(path, sizeof path, "%s/%s", fixture(dir), data);
	snprintf(dump, sizeof dump, "%s/dump.txt", fixture(dir));
	snprintf(stats, sizeof stats, "%s/stats.txt", fixture(dir));
	struct pp_data *d = open_ok(path);
	if (!d)
		return;
	struct run_stats rs;
	compare_with_dump(d, dump, offsets, &rs);
	if (rs.rc != 0)
		fprintf(stderr, "%s: %s\n", path, rs.err);
	CHECK(rs.rc == 0);
	CHECK(rs.mismatches == 0);
	CHECK(rs.offset_mismatches == 0);
	CHECK((long)rs.samples == stats_count(stats, NULL, "SAMPLE"));
	CHECK((long)rs.per_type[PP_RECORD_MMAP2] == stats_count(stats, NULL, "MMAP2"));
	CHECK((long)rs.per_type[PP_RECORD_COMM] == stats_count(stats, NULL, "COMM"));
	CHECK(rs.samples > 50);
	if (samples)
		*samples = rs.samples;
	pp_data_free(d);
}

/* ---- real recordings ---- */

static void test_file_mode(void)
{
	check_fixture("perfdata-fp", "perf.data", 1, NULL);
	struct pp_data *d = open_ok(fixture("perfdata-fp/perf.data"));
	if (!d)
		return;
	const struct pp_data_info *in = pp_data_info(d);
	CHECK(!in->pipe_mode && !in->directory && !in->compressed);
	CHECK(in->cmdline && strstr(in->cmdline, "perf record -q -F 999 -g") != NULL);
	CHECK(in->arch && strcmp(in->arch, "x86_64") == 0);
	CHECK(in->has_sample_time && in->first_sample_time < in->last_sample_time);
	CHECK(pp_data_nevents(d) == 1);
	CHECK_STR(pp_data_event_name(d, 0), "cpu-clock:ppp");
	const struct pp_event *ev = pp_data_event(d, 0);
	CHECK(ev && ev->type == 1 && ev->config == 0 && ev->freq && ev->sample_period == 999);
	CHECK(ev && (ev->sample_type & PP_SAMPLE_CALLCHAIN) && ev->sample_id_all && ev->nids == 2);
	/* perf buildid-list: the program, libc, ld.so, the kernel at least */
	bool prog = false, kernel = false;
	for (size_t i = 0; i < pp_data_nbuild_ids(d); i++) {
		const struct pp_build_id *b = pp_data_build_id(d, i);
		if (strstr(b->filename, "/pdprog"))
			prog = b->size == 20;
		if (strcmp(b->filename, "[kernel.kallsyms]") == 0)
			kernel = b->pid == -1 && b->cpumode == PP_CPUMODE_KERNEL;
	}
	CHECK(prog);
	CHECK(kernel);

	/* Records: the exec COMM, the program's MMAP2, time order, callchains. */
	const struct pp_record *r;
	uint64_t last = 0;
	bool ordered = true, exec_comm = false, prog_map = false, kchain = false, uchain = false;
	size_t n_after_marker = 0;
	while (pp_data_next(d, &r) == 1) {
		if (r->has_time && r->time < last && r->type != PP_RECORD_FINISHED_ROUND)
			ordered = false;
		if (r->has_time)
			last = r->time;
		if (r->type == PP_RECORD_COMM && r->u.comm.exec)
			exec_comm |= strcmp(r->u.comm.comm, "pdprog") == 0 && r->sid.pid == r->u.comm.pid;
		if (r->type == PP_RECORD_MMAP2 && strstr(r->u.mmap.filename, "/pdprog"))
			prog_map = r->u.mmap.prot == 5 && r->u.mmap.len > 0 && r->u.mmap.ino != 0;
		if (r->type != PP_RECORD_SAMPLE)
			continue;
		const struct pp_sample *s = &r->u.sample;
		CHECK(s->event == 0);
		struct pp_callchain_iter it;
		pp_callchain_iter_init(&it, s);
		uint64_t a;
		enum pp_cpumode mode;
		bool first;
		size_t n = 0, markers = 0;
		for (size_t i = 0; i < s->nr_callchain; i++)
			markers += s->callchain[i] >= PP_CONTEXT_MAX;
		while (pp_callchain_next(&it, &a, &mode, &first)) {
			if (n == 0)
				CHECK(a == s->ip && first);
			if (first)
				n_after_marker++;
			if (mode == PP_CPUMODE_KERNEL)
				kchain |= a >= 0xffff800000000000ull;
			if (mode == PP_CPUMODE_USER && s->callchain[0] == PP_CONTEXT_USER)
				uchain |= a < 0x800000000000ull;
			n++;
		}
		CHECK(n + markers == s->nr_callchain);
		CHECK(s->kernel_ip == (s->cpumode == PP_CPUMODE_KERNEL));
	}
	CHECK(ordered);
	CHECK(exec_comm);
	CHECK(prog_map);
	CHECK(kchain);
	CHECK(uchain);
	CHECK(n_after_marker > 0);
	pp_data_free(d);
}

static void test_compressed(void)
{
	size_t z = 0, z2 = 0;
	/* Offsets of records inside COMPRESSED are those of the container. */
	check_fixture("perfdata-zstd", "perf.data", 0, &z);
	check_fixture("perfdata-compressed2", "perf.data", 0, &z2);
	CHECK(z == z2);
	check_fixture("perfdata-zstd-blocks", "perf.data", 0, NULL);
	struct pp_data *d = open_ok(fixture("perfdata-zstd/perf.data"));
	if (d) {
		const struct pp_data_info *in = pp_data_info(d);
		CHECK(in->compressed && in->comp_type == 1 && in->comp_level == 1);
		CHECK(in->comp_mmap_len > 0);
		pp_data_free(d);
	}
}

static void test_pipe_mode(void)
{
	check_fixture("perfdata-pipe", "pipe.data", 2, NULL);
	/* The same through a real pipe on stdin. */
	int fds[2];
	CHECK(pipe(fds) == 0);
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[0]);
		size_t n;
		char *b = check_slurp(fixture("perfdata-pipe/pipe.data"), &n);
		for (size_t off = 0; b && off < n;) { /* small writes: records cross reads */
			size_t chunk = n - off < 1000 ? n - off : 1000;
			ssize_t w = write(fds[1], b + off, chunk);
			if (w <= 0)
				break;
			off += (size_t)w;
		}
		_exit(0);
	}
	close(fds[1]);
	int saved = dup(0);
	dup2(fds[0], 0);
	close(fds[0]);
	struct pp_data *d = open_ok("-");
	if (d) {
		CHECK(pp_data_info(d)->pipe_mode);
		const struct pp_record *r;
		size_t samples = 0;
		int rc;
		while ((rc = pp_data_next(d, &r)) == 1)
			samples += r->type == PP_RECORD_SAMPLE;
		CHECK(rc == 0);
		CHECK((long)samples == stats_count(fixture("perfdata-pipe/stats.txt"), NULL, "SAMPLE"));
		CHECK_STR(pp_data_event_name(d, 0), "cpu-clock:ppp");
		CHECK(pp_data_info(d)->cmdline != NULL);
		CHECK(pp_data_info(d)->has_tracing_data == false);
		pp_data_free(d);
	}
	dup2(saved, 0);
	close(saved);
	waitpid(pid, NULL, 0);

	/* A file-mode file on a pipe is refused with a clear message. */
	CHECK(pipe(fds) == 0);
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		size_t n;
		char *b = check_slurp(fixture("perfdata-fp/perf.data"), &n);
		if (b && write(fds[1], b, 4096) < 0)
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	saved = dup(0);
	dup2(fds[0], 0);
	close(fds[0]);
	struct pp_data *f;
	CHECK(pp_data_open(&f, "-", NULL, NULL) == WP_E_UNSUPPORTED);
	CHECK(strstr(pp_data_errmsg(f), "'<stdin>': offset 0x0: a file-mode perf.data cannot be read "
					"from a pipe") != NULL);
	pp_data_free(f);
	dup2(saved, 0);
	close(saved);
	waitpid(pid, NULL, 0);
}

static void test_directory(void)
{
	check_fixture("perfdata-threads", "thr.data", 1, NULL);
	struct pp_data *d = open_ok(fixture("perfdata-threads/thr.data"));
	if (d) {
		CHECK(pp_data_info(d)->directory && pp_data_info(d)->dir_format_version == 1);
		pp_data_free(d);
	}
	/* dir/data names the directory too */
	d = open_ok(fixture("perfdata-threads/thr.data/data"));
	if (d) {
		const struct pp_record *r;
		size_t samples = 0;
		bool from_n = false;
		while (pp_data_next(d, &r) == 1) {
			samples += r->type == PP_RECORD_SAMPLE;
			from_n |= strstr(r->file, "/data.") != NULL;
		}
		CHECK((long)samples ==
		      stats_count(fixture("perfdata-threads/stats.txt"), NULL, "SAMPLE"));
		CHECK(from_n);
		pp_data_free(d);
	}
}

/* "prev_comm=pdprog prev_pid=8768" -> value of key in the first script.txt
 * line of `event`; also its time in ns. */
static bool script_field(const char *dir, const char *event, int nth, const char *key, char *val,
			 size_t n, uint64_t *time_ns)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/script.txt", fixture(dir));
	char *s = check_slurp(path, NULL);
	if (!s)
		return false;
	bool found = false;
	char *save = NULL;
	char ev[128];
	snprintf(ev, sizeof ev, " %s: ", event);
	for (char *line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *e = strstr(line, ev);
		if (!e || nth-- > 0)
			continue;
		unsigned long long sec = 0, ns = 0;
		char *colon = strchr(line, '.');
		if (colon) {
			char *b = colon;
			while (b > line && b[-1] >= '0' && b[-1] <= '9')
				b--;
			sscanf(b, "%llu.%llu", &sec, &ns);
		}
		*time_ns = sec * 1000000000ull + ns;
		char k[128];
		snprintf(k, sizeof k, " %s", key);
		char *f = strstr(e, k);
		if (f) {
			f += strlen(k);
			size_t l = strcspn(f, " ");
			snprintf(val, n, "%.*s", (int)l, f);
			found = true;
		}
		break;
	}
	free(s);
	return found;
}

static void test_tracepoints(void)
{
	check_fixture("perfdata-multi", "perf.data", 1, NULL);
	struct pp_data *d = open_ok(fixture("perfdata-multi/perf.data"));
	if (!d)
		return;
	CHECK(pp_data_nevents(d) == 3);
	CHECK(pp_data_info(d)->has_tracing_data);
	const char *names[3] = {"cpu-clock", "sched:sched_switch", "sched:sched_process_exec"};
	long per_event[3] = {0, 0, 0};
	for (size_t i = 0; i < 3 && i < pp_data_nevents(d); i++)
		CHECK_STR(pp_data_event_name(d, i), names[i]);
	const struct pp_record *r;
	int nexec = 0;
	bool sw_checked = false;
	char want[256];
	uint64_t t;
	while (pp_data_next(d, &r) == 1) {
		if (r->type != PP_RECORD_SAMPLE)
			continue;
		const struct pp_sample *s = &r->u.sample;
		const char *name = pp_sample_event_name(d, s);
		for (int i = 0; i < 3; i++)
			per_event[i] += strcmp(name, names[i]) == 0;
		struct pp_str str;
		uint64_t v;
		if (strcmp(name, "sched:sched_switch") == 0 && !sw_checked) {
			sw_checked = true;
			CHECK(script_field("perfdata-multi", "sched:sched_switch", 0, "prev_comm=", want,
					   sizeof want, &t));
			CHECK(t == s->time);
			CHECK(pp_sample_field_str(d, s, "prev_comm", &str) == 0);
			CHECK(str.n == strlen(want) && memcmp(str.p, want, str.n) == 0);
			CHECK(script_field("perfdata-multi", "sched:sched_switch", 0, "prev_pid=", want,
					   sizeof want, &t));
			CHECK(pp_sample_field_u64(d, s, "prev_pid", &v) == 0 &&
			      v == strtoull(want, NULL, 10));
			CHECK(v == s->tid);
			CHECK(script_field("perfdata-multi", "sched:sched_switch", 0, "next_comm=", want,
					   sizeof want, &t));
			CHECK(pp_sample_field_str(d, s, "next_comm", &str) == 0);
			CHECK(str.n == strlen(want) && memcmp(str.p, want, str.n) == 0);
			CHECK(pp_sample_field_u64(d, s, "common_pid", &v) == 0 && v == s->tid);
			CHECK(pp_sample_field_u64(d, s, "no_such_field", &v) == WP_E_NOTFOUND);
		}
		if (strcmp(name, "sched:sched_process_exec") == 0) {
			CHECK(script_field("perfdata-multi", "sched:sched_process_exec", nexec,
					   "filename=", want, sizeof want, &t));
			CHECK(t == s->time);
			CHECK(pp_sample_field_str(d, s, "filename", &str) == 0);
			CHECK(str.n == strlen(want) && memcmp(str.p, want, str.n) == 0);
			CHECK(pp_sample_field_u64(d, s, "pid", &v) == 0 && v == s->pid);
			nexec++;
		}
		if (strcmp(name, "cpu-clock") == 0)
			CHECK(pp_sample_field_u64(d, s, "prev_pid", &v) == WP_E_NOTFOUND);
	}
	CHECK(nexec == 2);
	CHECK(sw_checked);
	const char *stats = fixture("perfdata-multi/stats.txt");
	for (int i = 0; i < 3; i++)
		CHECK(per_event[i] == stats_count(stats, names[i], "SAMPLE"));
	pp_data_free(d);
}

/* Pipe mode: HEADER_TRACING_DATA in-band, with its out-of-record payload. */
static void test_pipe_tracepoint(void)
{
	struct pp_data *d = open_ok(fixture("perfdata-pipe-tp/pipe.data"));
	if (!d)
		return;
	const struct pp_record *r;
	int n = 0, rc;
	while ((rc = pp_data_next(d, &r)) == 1) {
		if (r->type != PP_RECORD_SAMPLE)
			continue;
		const struct pp_sample *s = &r->u.sample;
		char want[256];
		uint64_t t;
		struct pp_str str;
		CHECK_STR(pp_sample_event_name(d, s), "sched:sched_process_exec");
		CHECK(script_field("perfdata-pipe-tp", "sched:sched_process_exec", n, "filename=", want,
				   sizeof want, &t));
		CHECK(t == s->time);
		CHECK(pp_sample_field_str(d, s, "filename", &str) == 0);
		CHECK(str.n == strlen(want) && memcmp(str.p, want, str.n) == 0);
		n++;
	}
	CHECK(rc == 0);
	CHECK(n == 2);
	CHECK(pp_data_info(d)->pipe_mode && pp_data_info(d)->has_tracing_data);
	pp_data_free(d);
}

static void test_uprobe(void)
{
	check_fixture("perfdata-uprobe", "perf.data", 1, NULL);
	struct pp_data *d = open_ok(fixture("perfdata-uprobe/perf.data"));
	if (!d)
		return;
	CHECK_STR(pp_data_event_name(d, 0), "probe_pdprog:probe_target");
	const struct pp_record *r;
	int n = 0;
	bool ok = true;
	while (pp_data_next(d, &r) == 1) {
		if (r->type != PP_RECORD_SAMPLE)
			continue;
		const struct pp_sample *s = &r->u.sample;
		uint64_t ip, round;
		char want[64];
		uint64_t t;
		ok &= pp_sample_field_u64(d, s, "__probe_ip", &ip) == 0 && ip == s->ip;
		ok &= pp_sample_field_u64(d, s, "round", &round) == 0;
		ok &= script_field("perfdata-uprobe", "probe_pdprog:probe_target", n, "round=", want,
				   sizeof want, &t);
		ok &= round == strtoull(want, NULL, 16) && round == (uint64_t)n && t == s->time;
		n++;
	}
	CHECK(ok);
	CHECK(n == 100);
	pp_data_free(d);
}

static void test_interrupted(void)
{
	warnings_seen = 0;
	check_fixture("perfdata-interrupted", "perf.data", 1, NULL);
	CHECK(warnings_seen >= 1);
	struct pp_data *d = open_ok(fixture("perfdata-interrupted/perf.data"));
	if (d) {
		CHECK(pp_data_info(d)->data_size_unknown);
		CHECK(pp_data_nwarnings(d) >= 1);
		pp_data_free(d);
	}
	/* Killed in the middle of a write: the cut last record is a warning,
	 * everything before it is delivered, the end is clean. */
	size_t n;
	char *b = check_slurp(fixture("perfdata-interrupted/perf.data"), &n);
	CHECK(b != NULL);
	if (!b)
		return;
	const struct pp_record *r;
	size_t all = 0, cut = 0;
	int rc;
	CHECK(pp_data_open_mem(&d, b, n, "int", NULL, NULL) == 0);
	while ((rc = pp_data_next(d, &r)) == 1)
		all++;
	pp_data_free(d);
	CHECK(pp_data_open_mem(&d, b, n - 3, "int", NULL, NULL) == 0);
	while ((rc = pp_data_next(d, &r)) == 1)
		cut++;
	CHECK(rc == 0);
	CHECK(cut == all - 1);
	CHECK(pp_data_nwarnings(d) >= 2);
	pp_data_free(d);
	free(b);
}

/* ---- damaged input ---- */

static void test_truncated(void)
{
	size_t n;
	char *b = check_slurp(fixture("perfdata-fp/perf.data"), &n);
	CHECK(b != NULL);
	if (!b)
		return;
	struct pp_data *d;
	CHECK(pp_data_open_mem(&d, b, n, "fp", NULL, NULL) == 0);
	const struct pp_record *r;
	size_t total = 0;
	while (pp_data_next(d, &r) == 1)
		total++;
	pp_data_free(d);
	/* Cut at many points: a prefix of the records, then one error line. */
	size_t prev = 0;
	bool monotone = true, msgs = true;
	for (size_t cut = 0x300; cut < n; cut += 0x1f3) {
		int rc = pp_data_open_mem(&d, b, cut, "perf.data", NULL, NULL);
		size_t got = 0;
		if (rc == 0) {
			while ((rc = pp_data_next(d, &r)) == 1)
				got++;
		}
		if (rc == 0)
			monotone = false; /* every cut is an error, also one in the feature sections */
		if (rc < 0) {
			const char *m = pp_data_errmsg(d);
			msgs &= strncmp(m, "'perf.data': offset 0x", 22) == 0 && strchr(m, '\n') == NULL;
			if (got < prev)
				monotone = false;
			prev = got;
		}
		pp_data_free(d);
	}
	CHECK(monotone);
	CHECK(msgs);

	/* A record whose size field is 0: no endless loop, a precise message. */
	uint64_t doff;
	memcpy(&doff, b + 40, 8);
	char *c = malloc(n);
	memcpy(c, b, n);
	memset(c + doff + 6, 0, 2);
	CHECK(pp_data_open_mem(&d, c, n, "perf.data", NULL, NULL) == 0);
	CHECK(pp_data_next(d, &r) == WP_E_FORMAT);
	char want[128];
	snprintf(want, sizeof want,
		 "'perf.data': offset 0x%" PRIx64 ": record of 0 bytes is shorter than its header",
		 doff);
	CHECK(strncmp(pp_data_errmsg(d), want, strlen(want)) == 0);
	pp_data_free(d);

	/* Other byte order: refused with a message. */
	memcpy(c, "2ELIFREP", 8);
	CHECK(pp_data_open_mem(&d, c, n, "be.data", NULL, NULL) == WP_E_UNSUPPORTED);
	CHECK(strstr(pp_data_errmsg(d), "other byte order") != NULL);
	pp_data_free(d);
	CHECK(pp_data_open_mem(&d, "hello", 5, "x", NULL, NULL) == WP_E_TRUNCATED);
	pp_data_free(d);
	free(c);
	free(b);
}

/* Samples of the first cut bytes of b; rc gets the reader's end. */
static size_t samples_of_prefix(const char *b, size_t cut, int *rc)
{
	struct pp_data *d;
	const struct pp_record *r;
	size_t got = 0;
	*rc = pp_data_open_mem(&d, b, cut, "cut.data", NULL, NULL);
	if (*rc == 0)
		while ((*rc = pp_data_next(d, &r)) == 1)
			got += r->type == PP_RECORD_SAMPLE;
	pp_data_free(d);
	return got;
}

/* A file cut inside its feature sections: every record, then the cut as
 * an error (not a warning, and not exit 0). */
static void test_features_cut(void)
{
	size_t n;
	char *b = check_slurp(fixture("perfdata-fp/perf.data"), &n);
	CHECK(b != NULL);
	if (!b)
		return;
	uint64_t doff, dsize;
	memcpy(&doff, b + 40, 8);
	memcpy(&dsize, b + 48, 8);
	int rc;
	size_t all = samples_of_prefix(b, n, &rc);
	CHECK(rc == 0 && all > 0);
	size_t cuts[] = {doff + dsize, doff + dsize + 20, n - 200, n - 1};
	for (size_t i = 0; i < sizeof cuts / sizeof *cuts; i++) {
		CHECK(samples_of_prefix(b, cuts[i], &rc) == all);
		CHECK(rc == WP_E_TRUNCATED);
	}
	struct pp_data *d;
	const struct pp_record *r;
	CHECK(pp_data_open_mem(&d, b, n - 1, "cut.data", NULL, NULL) == 0);
	while ((rc = pp_data_next(d, &r)) == 1)
		;
	CHECK(rc == WP_E_TRUNCATED);
	CHECK(strncmp(pp_data_errmsg(d), "'cut.data': offset 0x", 21) == 0);
	CHECK(strstr(pp_data_errmsg(d), "file cut short") != NULL);
	pp_data_free(d);
	free(b);
}

/* A COMPRESSED record cut short: the zstd blocks wholly present in it still
 * give their records (perfdata-zstd-blocks has several blocks to a record),
 * so the sample count grows inside the record, never falls, and every cut
 * is an error. */
static void test_compressed_cut(void)
{
	size_t n;
	char *b = check_slurp(fixture("perfdata-zstd-blocks/perf.data"), &n);
	CHECK(b != NULL);
	if (!b)
		return;
	uint64_t doff, dsize;
	memcpy(&doff, b + 40, 8);
	memcpy(&dsize, b + 48, 8);
	bool grew_inside = false, monotone = true, errors = true;
	size_t prev = 0;
	for (uint64_t off = doff; off + 8 <= doff + dsize && off + 8 <= n;) {
		uint32_t type;
		uint16_t size;
		memcpy(&type, b + off, 4);
		memcpy(&size, b + off + 6, 2);
		if (size < 8)
			break;
		if (type == PP_RECORD_COMPRESSED) {
			int rc;
			size_t at_start = samples_of_prefix(b, off + 16, &rc);
			errors &= rc == WP_E_TRUNCATED;
			for (size_t cut = off + 16; cut < off + size; cut += 97) {
				size_t got = samples_of_prefix(b, cut, &rc);
				errors &= rc == WP_E_TRUNCATED;
				monotone &= got >= prev;
				grew_inside |= got > at_start;
				prev = got;
			}
		}
		off += size;
	}
	CHECK(grew_inside);
	CHECK(monotone);
	CHECK(errors);
	free(b);
}

/* A tracepoint format whose dynamic array is not "__data_loc TYPE[] name"
 * (here "__data_llonghar[] filename", from fuzzing): libtraceevent leaks on
 * it, so the reader drops that event's format (its fields are not found)
 * and reads on; the ASan build's leak check keeps it so. */
static void test_bad_dynamic_array(void)
{
	size_t n;
	char *b = check_slurp(fixture("perfdata-pipe-tp/pipe.data"), &n);
	CHECK(b != NULL);
	if (!b)
		return;
	static const char good[] = "field:__data_loc char[] filename;";
	static const char bad[] = "field:__data_llonghar[] filename;";
	char *at = memmem(b, n, good, sizeof good - 1);
	CHECK(at != NULL);
	if (at)
		memcpy(at, bad, sizeof bad - 1);
	struct pp_data *d;
	const struct pp_record *r;
	CHECK(pp_data_open_mem(&d, b, n, "tp.data", NULL, NULL) == 0);
	int rc, samples = 0;
	while ((rc = pp_data_next(d, &r)) == 1) {
		if (r->type != PP_RECORD_SAMPLE)
			continue;
		struct pp_str str;
		CHECK(pp_sample_field_str(d, &r->u.sample, "filename", &str) == WP_E_NOTFOUND);
		samples++;
	}
	CHECK(rc == 0);
	CHECK(samples == 2);
	pp_data_free(d);
	free(b);
}

/* ---- every sample_type bit, built by hand in pipe mode ---- */

struct bb {
	uint8_t b[4096];
	size_t n;
};
static void put(struct bb *x, const void *p, size_t n)
{
	memcpy(x->b + x->n, p, n);
	x->n += n;
}
static void put64(struct bb *x, uint64_t v) { put(x, &v, 8); }
static void put32(struct bb *x, uint32_t v) { put(x, &v, 4); }
static void hdr(struct bb *x, uint32_t type, uint16_t misc, size_t at, size_t end)
{
	memcpy(x->b + at, &type, 4);
	memcpy(x->b + at + 4, &misc, 2);
	uint16_t sz = (uint16_t)(end - at);
	memcpy(x->b + at + 6, &sz, 2);
}

static void test_all_sample_bits(void)
{
	const uint64_t st = PP_SAMPLE_IDENTIFIER | PP_SAMPLE_IP | PP_SAMPLE_TID | PP_SAMPLE_TIME |
			    PP_SAMPLE_ADDR | PP_SAMPLE_ID | PP_SAMPLE_STREAM_ID | PP_SAMPLE_CPU |
			    PP_SAMPLE_PERIOD | PP_SAMPLE_READ | PP_SAMPLE_CALLCHAIN | PP_SAMPLE_RAW |
			    PP_SAMPLE_BRANCH_STACK | PP_SAMPLE_REGS_USER | PP_SAMPLE_STACK_USER |
			    PP_SAMPLE_WEIGHT | PP_SAMPLE_DATA_SRC | PP_SAMPLE_TRANSACTION |
			    PP_SAMPLE_REGS_INTR | PP_SAMPLE_PHYS_ADDR | PP_SAMPLE_CGROUP |
			    PP_SAMPLE_DATA_PAGE_SIZE | PP_SAMPLE_CODE_PAGE_SIZE | PP_SAMPLE_AUX;
	struct bb x = {.n = 0};
	put(&x, "PERFILE2", 8);
	put64(&x, 16);
	/* HEADER_ATTR: a 136-byte attr and two ids */
	size_t at = x.n;
	x.n += 8;
	uint8_t attr[136] = {0};
	uint32_t v32 = 4; /* PERF_TYPE_RAW */
	memcpy(attr, &v32, 4);
	v32 = 136;
	memcpy(attr + 4, &v32, 4);
	memcpy(attr + 24, &st, 8);
	uint64_t rf = 8 | 4 | 1 | 2 | 16; /* GROUP ID ENABLED RUNNING LOST */
	memcpy(attr + 32, &rf, 8);
	uint64_t flags = 1ull << 18; /* sample_id_all */
	memcpy(attr + 40, &flags, 8);
	uint64_t bst = 1ull << 17; /* HW_INDEX */
	memcpy(attr + 72, &bst, 8);
	uint64_t regs = 0x7; /* three user regs */
	memcpy(attr + 80, &regs, 8);
	uint64_t iregs = 0x3;
	memcpy(attr + 96, &iregs, 8);
	put(&x, attr, sizeof attr);
	put64(&x, 77);
	put64(&x, 78);
	hdr(&x, PP_RECORD_HEADER_ATTR, 0, at, x.n);
	/* EVENT_UPDATE: its name */
	at = x.n;
	x.n += 8;
	put64(&x, 2);
	put64(&x, 78);
	put(&x, "all-bits\0\0\0\0\0\0\0", 16);
	hdr(&x, PP_RECORD_EVENT_UPDATE, 0, at, x.n);
	/* the SAMPLE */
	at = x.n;
	x.n += 8;
	put64(&x, 77);                 /* IDENTIFIER */
	put64(&x, 0x401000);           /* IP */
	put32(&x, 10);                 /* PID */
	put32(&x, 11);                 /* TID */
	put64(&x, 5000);               /* TIME */
	put64(&x, 0xdead);             /* ADDR */
	put64(&x, 77);                 /* ID */
	put64(&x, 99);                 /* STREAM_ID */
	put32(&x, 3);                  /* CPU */
	put32(&x, 0);
	put64(&x, 1234);               /* PERIOD */
	put64(&x, 2);                  /* READ: nr */
	put64(&x, 100);                /* enabled */
	put64(&x, 90);                 /* running */
	put64(&x, 7), put64(&x, 77), put64(&x, 0);  /* value id lost */
	put64(&x, 8), put64(&x, 78), put64(&x, 1);
	put64(&x, 4);                  /* CALLCHAIN */
	put64(&x, PP_CONTEXT_USER), put64(&x, 0x401000), put64(&x, 0x402000), put64(&x, 0x403000);
	put32(&x, 8);                  /* RAW: 8 bytes, leaves the rest 4 bytes off alignment */
	put(&x, "rawbytes", 8);
	put64(&x, 1);                  /* BRANCH_STACK: nr */
	put64(&x, 5);                  /* hw_idx */
	put64(&x, 0x10), put64(&x, 0x20), put64(&x, 0x30);
	put64(&x, 2);                  /* REGS_USER abi 64 */
	put64(&x, 0xa), put64(&x, 0xb), put64(&x, 0xc);
	put64(&x, 16);                 /* STACK_USER size */
	put(&x, "0123456789abcdef", 16);
	put64(&x, 12);                 /* dyn_size */
	put64(&x, 42);                 /* WEIGHT */
	put64(&x, 43);                 /* DATA_SRC */
	put64(&x, 44);                 /* TRANSACTION */
	put64(&x, 2), put64(&x, 0x1), put64(&x, 0x2); /* REGS_INTR */
	put64(&x, 45);                 /* PHYS_ADDR */
	put64(&x, 46);                 /* CGROUP */
	put64(&x, 4096);               /* DATA_PAGE_SIZE */
	put64(&x, 8192);               /* CODE_PAGE_SIZE */
	put64(&x, 3);                  /* AUX */
	put(&x, "aux", 3);
	hdr(&x, PP_RECORD_SAMPLE, PP_CPUMODE_USER, at, x.n);
	/* a COMM with its sample_id_all trailer: TID TIME ID STREAM_ID CPU IDENTIFIER */
	at = x.n;
	x.n += 8;
	put32(&x, 10), put32(&x, 11);
	put(&x, "prog\0\0\0\0", 8);
	put32(&x, 10), put32(&x, 11);
	put64(&x, 4000);
	put64(&x, 78);
	put64(&x, 99);
	put32(&x, 1), put32(&x, 0);
	put64(&x, 78);
	hdr(&x, PP_RECORD_COMM, PP_MISC_EXEC, at, x.n);
	at = x.n;
	x.n += 8;
	hdr(&x, PP_RECORD_FINISHED_ROUND, 0, at, x.n);

	struct pp_data *d;
	CHECK(pp_data_open_mem(&d, x.b, x.n, "bits", NULL, NULL) == 0);
	const struct pp_record *r;
	int rc;
	bool saw_sample = false, saw_comm = false;
	while ((rc = pp_data_next(d, &r)) == 1) {
		if (r->type == PP_RECORD_COMM) {
			CHECK(!saw_sample); /* time 4000 sorts before the sample's 5000 */
			saw_comm = true;
			CHECK(r->has_time && r->time == 4000);
			CHECK(r->event == 0 && r->sid.id == 78 && r->sid.cpu == 1 && r->sid.stream_id == 99);
			CHECK_STR(r->u.comm.comm, "prog");
			CHECK(r->u.comm.exec && r->u.comm.pid == 10 && r->u.comm.tid == 11);
		}
		if (r->type != PP_RECORD_SAMPLE)
			continue;
		saw_sample = true;
		const struct pp_sample *s = &r->u.sample;
		CHECK(s->event == 0 && s->fields == st);
		CHECK_STR(pp_sample_event_name(d, s), "all-bits");
		CHECK(s->id == 77 && s->ip == 0x401000 && s->pid == 10 && s->tid == 11);
		CHECK(s->time == 5000 && s->addr == 0xdead && s->stream_id == 99 && s->cpu == 3);
		CHECK(s->period == 1234);
		CHECK(s->read_time_enabled == 100 && s->read_time_running == 90 && s->nr_read == 2);
		CHECK(s->read && s->read[1].value == 8 && s->read[1].id == 78 && s->read[1].lost == 1);
		CHECK(s->nr_callchain == 4 && s->callchain[0] == PP_CONTEXT_USER &&
		      s->callchain[3] == 0x403000);
		CHECK(s->raw_size == 8 && memcmp(s->raw, "rawbytes", 8) == 0);
		CHECK(s->has_hw_idx && s->hw_idx == 5 && s->nr_branch == 1);
		CHECK(s->branches && s->branches[0].from == 0x10 && s->branches[0].flags == 0x30);
		CHECK(((uintptr_t)s->branches & 7) == 0);
		CHECK(s->regs_user_abi == 2 && s->regs_user_mask == 7 && s->nr_regs_user == 3);
		CHECK(s->regs_user && s->regs_user[2] == 0xc && ((uintptr_t)s->regs_user & 7) == 0);
		CHECK(s->stack_user_size == 16 && s->stack_user_dyn_size == 12);
		CHECK(s->stack_user && memcmp(s->stack_user, "0123456789abcdef", 16) == 0);
		CHECK(s->weight == 42 && s->data_src == 43 && s->transaction == 44);
		CHECK(s->nr_regs_intr == 2 && s->regs_intr && s->regs_intr[1] == 2);
		CHECK(s->phys_addr == 45 && s->cgroup == 46);
		CHECK(s->data_page_size == 4096 && s->code_page_size == 8192);
		CHECK(s->aux_size == 3 && memcmp(s->aux, "aux", 3) == 0);
		CHECK(s->cpumode == PP_CPUMODE_USER && !s->kernel_ip);
		/* The callchain iterator: marker skipped, first address is the pc. */
		struct pp_callchain_iter it;
		pp_callchain_iter_init(&it, s);
		uint64_t a;
		enum pp_cpumode mode;
		bool first;
		CHECK(pp_callchain_next(&it, &a, &mode, &first) && a == 0x401000 && first &&
		      mode == PP_CPUMODE_USER);
		CHECK(pp_callchain_next(&it, &a, &mode, &first) && a == 0x402000 && !first);
		CHECK(pp_callchain_next(&it, &a, &mode, &first) && a == 0x403000);
		CHECK(!pp_callchain_next(&it, &a, &mode, &first));
	}
	CHECK(rc == 0);
	CHECK(saw_sample && saw_comm);
	CHECK(pp_data_nevents(d) == 1 && pp_data_event(d, 0)->nids == 2);
	pp_data_free(d);

	/* Every cut of it: an error or a clean end, never a crash. */
	bool fine = true;
	for (size_t cut = 0; cut < x.n; cut++) {
		if (pp_data_open_mem(&d, x.b, cut, "bits", NULL, NULL) == 0)
			while ((rc = pp_data_next(d, &r)) == 1)
				;
		fine &= pp_data_errmsg(d) != NULL;
		pp_data_free(d);
	}
	CHECK(fine);
}

static void test_errors(void)
{
	struct pp_data *d;
	CHECK(pp_data_open(&d, "/nonexistent/perf.data", NULL, NULL) == WP_E_NOTFOUND);
	CHECK(strstr(pp_data_errmsg(d), "cannot open '/nonexistent/perf.data'") != NULL);
	pp_data_free(d);
	pp_data_free(NULL);
}

/* perf's tsc_to_perf_time(): time_zero + quot * mult + (rem * mult) >> shift,
 * cycles first folded into the short window when cap_user_time_short. */
static void test_tsc_conversion(void)
{
	struct pp_time_conv tc = {.time_shift = 10, .time_mult = 1000, .time_zero = 5};
	CHECK(pp_tsc_to_perf_time(&tc, 2048 + 7) == 5 + 2000 + 6);
	tc.has_short = tc.cap_user_time_short = true;
	tc.time_cycles = 100;
	tc.time_mask = 0xff;
	CHECK(pp_tsc_to_perf_time(&tc, 0x1234) == 305); /* cycles 308 */
	tc.time_shift = 200; /* hostile: no undefined shift */
	(void)pp_tsc_to_perf_time(&tc, UINT64_MAX);
}

/* Event names as perf shows them, matched as --event-filter names them. */
static bool matches(const char *event, const char *filter)
{
	return pp_event_matches((struct pp_str){event, strlen(event)},
				(struct pp_str){filter, strlen(filter)});
}

static void check_base(const char *event, const char *want)
{
	struct pp_str b = pp_event_base_name((struct pp_str){event, strlen(event)});
	char got[128];
	snprintf(got, sizeof got, "%.*s", (int)b.n, b.p);
	CHECK_STR(got, want);
}

static void test_event_names(void)
{
	check_base("cpu-clock", "cpu-clock");
	check_base("cpu-clock:ppp", "cpu-clock");
	check_base("cpu-clock:uhH", "cpu-clock");
	check_base("cpu-clock/freq=999/", "cpu-clock");
	check_base("cpu-clock/freq=999/u", "cpu-clock");
	check_base("page-faults/period=1,call-graph=fp/", "page-faults");
	check_base("sched:sched_switch", "sched:sched_switch");
	check_base("cpu/cycles,period=1000/u", "cpu/cycles,period=1000/");
	check_base("/", "/");
	check_base("a//", "a");
	check_base("", "");
	CHECK(matches("cpu-clock/freq=999/", "cpu-clock"));
	CHECK(matches("cpu-clock/freq=999/u", "cpu-clock"));
	CHECK(matches("cpu-clock:u", "cpu-clock"));
	CHECK(matches("cpu-clock:ppp", "cpu-clock"));
	CHECK(matches("cpu-clock", "cpu-clock/freq=999/"));
	CHECK(matches("cpu-clock", "cpu-clock:u"));
	CHECK(matches("sched:sched_switch", "sched_switch"));
	CHECK(matches("sched:sched_switch", "sched:sched_switch"));
	CHECK(matches("cpu/cycles,period=1000/", "cycles"));
	CHECK(!matches("sched:sched_switch", "sched"));
	CHECK(!matches("sched:sched_switch", "sched_switc"));
	CHECK(!matches("sched:sched_switch", "other:sched_switch"));
	CHECK(!matches("cpu-clock", "task-clock"));
	CHECK(!matches("cpu-clock", ""));
	CHECK(!matches("cpu/event=0x3c/", "event=0x3c"));

	/* perf script text carries the sample time, in ns */
	static const char text[] =
		"prog 12/13 [001] 372.282516: 1 page-faults:\n\tffff sym+0x1 (mod)\n\n"
		"prog 12/13 372.123456789: 250000 cpu-clock:\n\n"
		"prog 12/13 cpu-clock:\n\n";
	struct wp_lines *lines;
	CHECK(wp_lines_open_mem(&lines, text, sizeof text - 1, "mem") == 0);
	struct pp_script_reader *r = pp_script_new(lines, NULL, NULL);
	const struct pp_script_sample *smp;
	/* times are converted only when asked for */
	CHECK(pp_script_next(r, &smp) == 1 && !smp->has_time);
	pp_script_free(r); /* and its lines */
	CHECK(wp_lines_open_mem(&lines, text, sizeof text - 1, "mem") == 0);
	r = pp_script_new(lines, NULL, NULL);
	pp_script_want_times(r);
	CHECK(pp_script_next(r, &smp) == 1 && smp->has_time && smp->time == 372282516000ull);
	CHECK(pp_script_next(r, &smp) == 1 && smp->has_time && smp->time == 372123456789ull &&
	      smp->period == 250000);
	CHECK(pp_script_next(r, &smp) == 1 && !smp->has_time);
	CHECK(pp_script_next(r, &smp) == 0);
	pp_script_free(r);
}

int main(void)
{
	find_testdata();
	test_event_names();
	test_tsc_conversion();
	test_file_mode();
	test_compressed();
	test_pipe_mode();
	test_directory();
	test_tracepoints();
	test_pipe_tracepoint();
	test_uprobe();
	test_interrupted();
	test_truncated();
	test_features_cut();
	test_compressed_cut();
	test_bad_dynamic_array();
	test_all_sample_bits();
	test_errors();
	return check_report();
}
