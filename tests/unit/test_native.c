/* test_native.c - the native symbolizer against what `perf script` (perf
 * 6.1) printed for the same addresses:
 * - testdata/native-basic: a program recorded here (testdata/gen/native/
 *   gen.sh) with aliases, a zero-size function, C++ names and JIT code
 *   named by a perf map with overlapping and garbage lines. The MMAP/COMM
 *   events and samples of its `perf script --show-mmap-events
 *   --show-task-events` text drive the API; every frame must come back as
 *   perf printed it (symbol, offset, module, printed address). The binary
 *   is found through a build-id cache made here (its recorded path is
 *   gone), then again stripped with its debug file by .gnu_debuglink and
 *   by /usr/lib/debug/.build-id under --symfs.
 * - testdata/fixtures/wamr-aot-compute (from ../shared/wamr/aot-compute):
 *   WAMR's perf map (" aot_func#N" names) and kernel frames through
 *   testdata/fixtures/wamr-kallsyms.gz, against that recording's out.perf.
 * - unit checks of choose_best_symbol, perf map, kallsyms and address
 *   space timing. Frames of system libraries whose build-id no longer
 *   matches the recording are skipped (and counted). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <elf.h>
#include <libelf.h>

#include "check.h"
#include "native_internal.h"
#include "symbolizer.h"
#include "wpcommon.h"

static char src[1024], tmpdir[256];

/* ---- warnings ---- */
struct warns {
	char text[64][512];
	int n;
};

static void on_warn(void *ctx, const char *msg)
{
	struct warns *w = ctx;
	if (w->n < 64)
		snprintf(w->text[w->n++], sizeof w->text[0], "%s", msg);
}

static bool warned_about(const struct warns *w, const char *module)
{
	char q[600];
	snprintf(q, sizeof q, "'%s': no file with build-id", module);
	for (int i = 0; i < w->n; i++)
		if (strstr(w->text[i], q))
			return true;
	return false;
}

/* ---- perf script text replay ---- */
struct tmap {
	int pid;
	uint64_t time, start, len, pgoff;
	char file[256];
};

struct replay {
	struct sym_native *s;
	struct warns *w;
	struct tmap maps[256];
	int nmaps;
	const char *only_module; /* compare only frames of this module, or NULL */
	const char *skip_module; /* never compare frames of this module */
	int compared, mismatched, skipped;
};

static uint64_t parse_time(const char *t)
{
	/* "4769.852672" -> ns */
	char *end;
	uint64_t sec = strtoull(t, &end, 10), usec = 0;
	if (*end == '.')
		usec = strtoull(end + 1, NULL, 10);
	return sec * 1000000000ull + usec * 1000ull;
}

/* Header: "COMM PID[/TID] TIME: ..." -> pid, time; false if not one. */
static bool parse_header(const char *line, int *pid, uint64_t *time)
{
	char comm[64], pidtok[64], timetok[64];
	if (sscanf(line, " %63s %63s %63s", comm, pidtok, timetok) != 3)
		return false;
	size_t n = strlen(timetok);
	if (n < 2 || timetok[n - 1] != ':')
		return false;
	*pid = atoi(pidtok);
	*time = parse_time(timetok);
	return true;
}

static void event_line(struct replay *r, const char *line, uint64_t time)
{
	const char *p;
	if ((p = strstr(line, "PERF_RECORD_MMAP2 ")) || (p = strstr(line, "PERF_RECORD_MMAP "))) {
		int pid, tid;
		unsigned long long start, len, pgoff;
		char pg[64];
		const char *q = strchr(p, ' ') + 1;
		if (sscanf(q, "%d/%d: [0x%llx(0x%llx) @ %63[0-9a-fx]", &pid, &tid, &start, &len, pg) != 5)
			return;
		pgoff = strtoull(pg, NULL, 0);
		const char *file = strstr(q, "]: ");
		if (!file)
			return;
		file = strchr(file + 3, ' ') + 1; /* after the prot word */
		struct sym_native_map m = {.time = time, .pid = pid, .tid = tid, .start = start,
					   .len = len, .pgoff = pgoff, .filename = file,
					   .prot = PROT_EXEC | PROT_READ, .kernel = pid == -1};
		CHECK(sym_native_mmap(r->s, &m) == 0);
		if (r->nmaps < 256) {
			struct tmap *t = &r->maps[r->nmaps++];
			*t = (struct tmap){pid, time, start, len, pgoff, ""};
			snprintf(t->file, sizeof t->file, "%s", file);
		}
	} else if ((p = strstr(line, "PERF_RECORD_COMM"))) {
		bool exec = strstr(p, "COMM exec:") != NULL;
		const char *c = strrchr(p, ':');
		int pid, tid;
		if (sscanf(c + 1, "%d/%d", &pid, &tid) == 2)
			CHECK(sym_native_comm(r->s, time, pid, tid, NULL, exec) == 0);
	} else if ((p = strstr(line, "PERF_RECORD_FORK(")) || (p = strstr(line, "PERF_RECORD_EXIT("))) {
		int pid, tid, ppid, ptid;
		if (sscanf(strchr(p, '(') + 1, "%d:%d):(%d:%d)", &pid, &tid, &ppid, &ptid) == 4) {
			if (p[12] == 'F')
				CHECK(sym_native_fork(r->s, time, pid, ppid, tid, ptid) == 0);
			else
				CHECK(sym_native_exit(r->s, time, pid, ppid, tid, ptid) == 0);
		}
	}
}

static void frame_line(struct replay *r, const char *line, int pid, uint64_t time)
{
	char *end;
	uint64_t ip = strtoull(line, &end, 16);
	if (*end != ' ')
		return;
	const char *sym = end + 1;
	const char *paren = strrchr(sym, '(');
	if (!paren || paren == sym)
		return;
	char module[512], want[1024];
	snprintf(module, sizeof module, "%.*s", (int)(strlen(paren) - 2), paren + 1);
	snprintf(want, sizeof want, "%.*s", (int)(paren - 1 - sym), sym);
	if ((r->only_module && strcmp(module, r->only_module) != 0) ||
	    (r->skip_module && strcmp(module, r->skip_module) == 0))
		return;
	bool kernel = ip >= 0xffff800000000000ull;
	uint64_t raw = ip;
	if (!kernel && module[0] == '/' && strncmp(module, "/tmp/perf-", 10) != 0) {
		/* perf printed a map-relative address: find the mapping */
		const struct tmap *best = NULL;
		for (int i = 0; i < r->nmaps; i++)
			if (r->maps[i].pid == pid && strcmp(r->maps[i].file, module) == 0 &&
			    r->maps[i].time <= time)
				best = &r->maps[i];
		if (!best)
			return;
		raw = best->start + ip - best->pgoff;
	} else if (strcmp(module, "[vdso]") == 0) {
		for (int i = 0; i < r->nmaps; i++)
			if (r->maps[i].pid == pid && strcmp(r->maps[i].file, module) == 0)
				raw = r->maps[i].start + ip;
	}
	struct sym_frame f;
	CHECK(sym_native_resolve(r->s, pid, time, raw, kernel, &f) == 0);
	if (!f.symbol && warned_about(r->w, module)) {
		r->skipped++;
		return;
	}
	char got[1024];
	if (f.symbol)
		snprintf(got, sizeof got, "%s+0x%llx", f.symbol, (unsigned long long)f.offset);
	else
		snprintf(got, sizeof got, "[unknown]");
	r->compared++;
	if (strcmp(got, want) != 0 || strcmp(f.module, module) != 0 || f.map_addr != ip) {
		if (r->mismatched++ < 20)
			fprintf(stderr, "pid %d %llx: got '%s' (%s) %llx, perf printed '%s' (%s) %llx\n",
				pid, (unsigned long long)raw, got, f.module,
				(unsigned long long)f.map_addr, want, module, (unsigned long long)ip);
	}
}

/* Replays events (may be NULL: they are in script) then samples. */
static void replay(struct replay *r, const char *events, const char *script)
{
	const char *files[2] = {events, script};
	for (int k = 0; k < 2; k++) {
		if (!files[k])
			continue;
		struct wp_lines *lr;
		if (wp_lines_open(&lr, files[k], 1 << 20) != 0) {
			CHECK(!"cannot open fixture");
			fprintf(stderr, "cannot open %s\n", files[k]);
			return;
		}
		const char *line;
		size_t len;
		int pid = 0;
		uint64_t time = 0;
		bool in_sample = false;
		while (wp_lines_next(lr, &line, &len) == 1) {
			char buf[4096];
			snprintf(buf, sizeof buf, "%.*s", (int)len, line);
			if (buf[0] == '\0') {
				in_sample = false;
			} else if (buf[0] != ' ' && buf[0] != '\t') {
				in_sample = false;
				if (!parse_header(buf, &pid, &time))
					continue;
				if (strstr(buf, "PERF_RECORD_"))
					event_line(r, buf, time);
				else
					in_sample = true;
			} else if (in_sample) {
				const char *p = buf;
				while (*p == ' ' || *p == '\t')
					p++;
				frame_line(r, p, pid, time);
			} else if (strstr(buf, "PERF_RECORD_")) {
				/* perf pads short comms: "         swapper ..." */
				if (parse_header(buf, &pid, &time))
					event_line(r, buf, time);
			}
		}
		wp_lines_free(lr);
	}
}

static void load_buildids(struct sym_native *s, const char *path)
{
	FILE *f = fopen(path, "r");
	CHECK(f != NULL);
	if (!f)
		return;
	char hex[128], name[1024];
	while (fscanf(f, "%127s %1023s", hex, name) == 2) {
		uint8_t id[64];
		size_t n = strlen(hex) / 2;
		for (size_t i = 0; i < n && i < sizeof id; i++) {
			unsigned v;
			sscanf(hex + 2 * i, "%2x", &v);
			id[i] = (uint8_t)v;
		}
		CHECK(sym_native_build_id(s, name, id, n) == 0);
	}
	fclose(f);
}

static int sh(const char *fmt, const char *a, const char *b)
{
	char cmd[4096];
	snprintf(cmd, sizeof cmd, fmt, a, b);
	return system(cmd);
}

#define PROG_PATH "/tmp/wasmperf-native-gen/prog"

/* The build-id buildids.txt records for name, as hex. */
static bool recorded_id(const char *path, const char *name, char *hex, size_t size)
{
	FILE *f = fopen(path, "r");
	char h[128], n[1024];
	bool found = false;
	while (f && !found && fscanf(f, "%127s %1023s", h, n) == 2)
		if (strcmp(n, name) == 0)
			found = snprintf(hex, size, "%s", h) < (int)size;
	if (f)
		fclose(f);
	return found;
}

static void test_basic_recording(void)
{
	char dir[1100], script[1200], bids[1200], kall[1200], cache[512];
	snprintf(dir, sizeof dir, "%s/testdata/native-basic", src);
	snprintf(script, sizeof script, "%s/script.txt.gz", dir);
	snprintf(bids, sizeof bids, "%s/buildids.txt", dir);
	snprintf(kall, sizeof kall, "%s/kallsyms.txt", dir);
	/* A build-id cache as `perf archive` packs it, holding the binary. */
	snprintf(cache, sizeof cache, "%s/cache", tmpdir);
	char cmd[8192], id[64];
	CHECK(recorded_id(bids, PROG_PATH, id, sizeof id));
	snprintf(cmd, sizeof cmd,
		 "mkdir -p '%s/.build-id/%.2s' '%s" PROG_PATH "/%s' && "
		 "cp '%s/prog' '%s" PROG_PATH "/%s/elf' && "
		 "ln -sf '../.." PROG_PATH "/%s/elf' '%s/.build-id/%.2s/%s'",
		 cache, id, cache, id, dir, cache, id, id, cache, id, id + 2);
	CHECK(system(cmd) == 0);

	struct warns w = {0};
	struct sym_native_options o;
	sym_native_options_init(&o);
	o.kallsyms = kall;
	o.perf_map_dir = dir;
	o.buildid_dir = cache;
	struct sym_native *s = sym_native_new(&o, on_warn, &w);
	CHECK(s != NULL);
	if (!s)
		return;
	load_buildids(s, bids);
	struct replay r = {.s = s, .w = &w};
	replay(&r, NULL, script);
	printf("native-basic: %d frames compared, %d mismatched, %d skipped\n", r.compared,
	       r.mismatched, r.skipped);
	CHECK(r.compared > 3000);
	CHECK(r.mismatched == 0);
	/* the perf map had garbage lines: one warning per reason, with the
	 * first line's number and the count of the others */
	int garbage = 0, bad_fields = 0, no_name = 0;
	for (int i = 0; i < w.n; i++) {
		garbage += strstr(w.text[i], "perf-10429.map': line ") != NULL;
		bad_fields += strstr(w.text[i], "perf-10429.map': line 4: START or SIZE is not a "
						"hexadecimal number followed by a blank, skipped") != NULL;
		no_name += strstr(w.text[i], "perf-10429.map': line 5: no SIZE and NAME, or a name "
					     "shorter than 3 bytes, skipped (and 2 more such lines)") != NULL;
	}
	CHECK(garbage == 2 && bad_fields == 1 && no_name == 1);
	struct sym_native_stats st;
	sym_native_get_stats(s, &st);
	CHECK(st.perf_map_bad_lines == 4); /* garbage, "zz", "ab", no size */
	CHECK(st.cache_hits > 1000);
	sym_native_free(s);

	/* The stripped binary + its debug file by .gnu_debuglink, under symfs. */
	char symfs[512];
	snprintf(symfs, sizeof symfs, "%s/symfs1", tmpdir);
	snprintf(cmd, sizeof cmd,
		 "mkdir -p '%s/tmp/wasmperf-native-gen' && cp '%s/prog.stripped' '%s" PROG_PATH "' && "
		 "cp '%s/prog.debug' '%s/tmp/wasmperf-native-gen/prog.debug'",
		 symfs, dir, symfs, dir, symfs);
	CHECK(system(cmd) == 0);
	for (int variant = 0; variant < 2; variant++) {
		if (variant == 1) {
			/* only by build-id under symfs/usr/lib/debug */
			snprintf(cmd, sizeof cmd,
				 "mkdir -p '%s/usr/lib/debug/.build-id/%.2s' && mv "
				 "'%s/tmp/wasmperf-native-gen/prog.debug' "
				 "'%s/usr/lib/debug/.build-id/%.2s/%s.debug'",
				 symfs, id, symfs, symfs, id, id + 2);
			CHECK(system(cmd) == 0);
		}
		struct warns w2 = {0};
		sym_native_options_init(&o);
		o.symfs = symfs;
		o.kallsyms = kall;
		o.perf_map_dir = dir;
		s = sym_native_new(&o, on_warn, &w2);
		load_buildids(s, bids);
		struct replay r2 = {.s = s, .w = &w2, .only_module = PROG_PATH};
		replay(&r2, NULL, script);
		printf("native-basic stripped (%s): %d frames compared, %d mismatched\n",
		       variant ? "build-id" : "debuglink", r2.compared, r2.mismatched);
		CHECK(r2.compared > 1000);
		CHECK(r2.mismatched == 0);
		for (int i = 0; r2.mismatched && i < w2.n; i++)
			fprintf(stderr, "warning: %s\n", w2.text[i]);
		CHECK(r2.skipped == 0);
		sym_native_free(s);
	}

	/* A wrong build-id: no symbol, the module as recorded, one warning. */
	struct warns w3 = {0};
	sym_native_options_init(&o);
	o.symfs = symfs;
	o.no_proc_kallsyms = true;
	s = sym_native_new(&o, on_warn, &w3);
	uint8_t bad[20] = {1, 2, 3};
	CHECK(sym_native_build_id(s, PROG_PATH, bad, sizeof bad) == 0);
	struct sym_native_map m = {.time = 1, .pid = 7, .start = 0x10000, .len = 0x1000,
				   .pgoff = 0x1000, .filename = PROG_PATH, .prot = PROT_EXEC};
	CHECK(sym_native_mmap(s, &m) == 0);
	struct sym_frame f;
	for (int i = 0; i < 3; i++) {
		CHECK(sym_native_resolve(s, 7, 5, 0x10100 + i, false, &f) == 0);
		CHECK(f.symbol == NULL);
		CHECK_STR(f.module, PROG_PATH);
		CHECK(f.map_addr == 0x1100u + (unsigned)i);
	}
	CHECK(w3.n == 1);
	CHECK(w3.n == 1 && strstr(w3.text[0], "build-id 0102030000") != NULL);
	/* kernel without any kallsyms: unknown in [kernel.kallsyms], one warning */
	CHECK(sym_native_resolve(s, 7, 5, 0xffffffff81000100ull, true, &f) == 0);
	CHECK(f.symbol == NULL && f.kernel);
	CHECK_STR(f.module, "[kernel.kallsyms]");
	CHECK(w3.n == 2);
	for (int i = 0; w3.n != 2 && i < w3.n; i++)
		fprintf(stderr, "warning: %s\n", w3.text[i]);
	sym_native_free(s);
}

/* ---- perf 6.1's NAME@plt symbols (native_plt.c) ----
 * testdata/native-basic/prog: .plt (file offset 0x1020, sh_entsize 16)
 * holds the lazy-binding header and one slot per .rela.plt relocation
 * (getpid fclose mmap printf snprintf fprintf fopen strtoul fwrite usleep);
 * .plt.got has __cxa_finalize at 0x10d0, _start follows at 0x10e0. The
 * tables are what `perf script` (perf 6.1.187, Debian 12) printed for
 * uprobes on copies of these very files:
 *   for a in 0x1020 0x1026 0x1030 0x1036 ... 0x10cb 0x10d0; do
 *     perf probe -x /tmp/x/prog -a "e$a=$a"; done
 *   perf record -N -e 'probe_prog:*' -g -- /tmp/x/prog 100000
 *   perf --buildid-dir /tmp/empty script -F ip,sym,symoff,dso
 * The tree decides: _init (0x1000, size 0, stretched to _start) lies above
 * getpid@plt on the search path of perf's rb-tree, so getpid@plt's slot
 * and the header print as _init+OFF; the other slots are met first; and
 * the search for 0x10d0 passes usleep@plt's node and ends without meeting
 * _init's: [unknown]. */
struct plt_want {
	uint64_t off;
	const char *sym; /* NULL: perf printed [unknown] */
	uint64_t symoff;
};

static const struct plt_want plt_prog[] = {
	{0x1020, "_init", 0x20},       {0x1026, "_init", 0x26},
	{0x1030, "_init", 0x30},       {0x1036, "_init", 0x36},
	{0x103b, "_init", 0x3b},       {0x1040, "fclose@plt", 0x0},
	{0x1046, "fclose@plt", 0x6},   {0x104b, "fclose@plt", 0xb},
	{0x1050, "mmap@plt", 0x0},     {0x1056, "mmap@plt", 0x6},
	{0x105b, "mmap@plt", 0xb},     {0x1060, "printf@plt", 0x0},
	{0x1066, "printf@plt", 0x6},   {0x106b, "printf@plt", 0xb},
	{0x1070, "snprintf@plt", 0x0}, {0x1076, "snprintf@plt", 0x6},
	{0x107b, "snprintf@plt", 0xb}, {0x1080, "fprintf@plt", 0x0},
	{0x1086, "fprintf@plt", 0x6},  {0x108b, "fprintf@plt", 0xb},
	{0x1090, "fopen@plt", 0x0},    {0x1096, "fopen@plt", 0x6},
	{0x109b, "fopen@plt", 0xb},    {0x10a0, "strtoul@plt", 0x0},
	{0x10a6, "strtoul@plt", 0x6},  {0x10ab, "strtoul@plt", 0xb},
	{0x10b0, "fwrite@plt", 0x0},   {0x10b6, "fwrite@plt", 0x6},
	{0x10bb, "fwrite@plt", 0xb},   {0x10c0, "usleep@plt", 0x0},
	{0x10c6, "usleep@plt", 0x6},   {0x10cb, "usleep@plt", 0xb},
	{0x10d0, NULL, 0},
};

/* prog.stripped alone: its .dynsym defines no symbol, and perf synthesizes
 * PLT symbols only after the table gave some. */
static const struct plt_want plt_stripped[] = {
	{0x1020, NULL, 0}, {0x1026, NULL, 0}, {0x1030, NULL, 0},
	{0x1040, NULL, 0}, {0x10c0, NULL, 0}, {0x10cb, NULL, 0},
};

/* prog with .plt's sh_entsize patched to 0: perf adds ten zero-size
 * symbols at 0x1020, neither stretched nor de-duplicated; the search finds
 * fprintf@plt's there and nothing else in .plt. */
static const struct plt_want plt_entsize0[] = {
	{0x1020, "fprintf@plt", 0}, {0x1026, NULL, 0}, {0x1030, NULL, 0},
	{0x1040, NULL, 0},          {0x10c0, NULL, 0},
};

static void check_plt(const char *label, const char *symfs, const char *path,
		      const struct plt_want *want, size_t n)
{
	struct wp_intern *names = wp_intern_new();
	struct sym_native_paths p = {.symfs = symfs, .buildid_dir = NULL};
	const char *why;
	char hex[2 * NATIVE_MAX_BUILD_ID + 1];
	struct native_elf *e = native_elf_load(&p, path, NULL, 0, names, true, &why, hex);
	CHECK(e != NULL && why == NULL);
	for (size_t i = 0; e && !why && i < n; i++) {
		uint64_t addr;
		const struct native_sym *s = native_elf_lookup(e, want[i].off, &addr);
		CHECK(!s || native_elf_demangle(e, s) == 0);
		bool ok = want[i].sym ? s && strcmp(s->name, want[i].sym) == 0 &&
						addr - s->start == want[i].symoff
				      : s == NULL;
		CHECK(ok);
		if (!ok)
			fprintf(stderr, "plt %s: 0x%llx: got %s+0x%llx, want %s+0x%llx\n", label,
				(unsigned long long)want[i].off, s ? s->name : "[unknown]",
				s ? (unsigned long long)(addr - s->start) : 0ull,
				want[i].sym ? want[i].sym : "[unknown]",
				(unsigned long long)want[i].symoff);
	}
	if (why)
		fprintf(stderr, "plt %s: %s\n", label, why);
	native_elf_free(e);
	wp_intern_free(names);
}

#define PLT_ENTSIZE_AT (22168 + 13 * 64 + 56) /* e_shoff + .plt's index * 64 + sh_entsize */

static void test_plt(void)
{
	elf_version(EV_CURRENT);
	char dir[1100], cmd[8192], prog[1200], zero[600], symfs[2][512];
	snprintf(dir, sizeof dir, "%s/testdata/native-basic", src);
	snprintf(prog, sizeof prog, "%s/prog", dir);
	check_plt("prog", "", prog, plt_prog, sizeof plt_prog / sizeof plt_prog[0]);

	/* the stripped binary under a symfs, with (symbols from the debug
	 * file by .gnu_debuglink, PLT from the runtime image) and without its
	 * debug file */
	for (int i = 0; i < 2; i++) {
		snprintf(symfs[i], sizeof symfs[i], "%s/plt%d", tmpdir, i);
		snprintf(cmd, sizeof cmd,
			 "mkdir -p '%s/tmp/wasmperf-native-gen' && cp '%s/prog.stripped' '%s" PROG_PATH
			 "'",
			 symfs[i], dir, symfs[i]);
		CHECK(system(cmd) == 0);
	}
	snprintf(cmd, sizeof cmd, "cp '%s/prog.debug' '%s/tmp/wasmperf-native-gen/prog.debug'", dir,
		 symfs[0]);
	CHECK(system(cmd) == 0);
	check_plt("stripped+debuglink", symfs[0], PROG_PATH, plt_prog,
		  sizeof plt_prog / sizeof plt_prog[0]);
	check_plt("stripped", symfs[1], PROG_PATH, plt_stripped,
		  sizeof plt_stripped / sizeof plt_stripped[0]);

	snprintf(zero, sizeof zero, "%s/prog-entsize0", tmpdir);
	snprintf(cmd, sizeof cmd, "cp '%s' '%s'", prog, zero);
	CHECK(system(cmd) == 0);
	FILE *f = fopen(zero, "r+b");
	CHECK(f != NULL);
	if (!f)
		return;
	CHECK(fseek(f, PLT_ENTSIZE_AT, SEEK_SET) == 0 && fgetc(f) == 16);
	CHECK(fseek(f, PLT_ENTSIZE_AT, SEEK_SET) == 0 && fputc(0, f) == 0);
	CHECK(fclose(f) == 0);
	check_plt("entsize 0", "", zero, plt_entsize0, sizeof plt_entsize0 / sizeof plt_entsize0[0]);
}

static void test_wamr(void)
{
	char evs[1200], bids[1200], out[1200], kall[512], mapdir[1200], cmd[4096];
	snprintf(evs, sizeof evs, "%s/testdata/native-wamr/events.txt", src);
	snprintf(bids, sizeof bids, "%s/testdata/native-wamr/buildids.txt", src);
	snprintf(out, sizeof out, "%s/testdata/fixtures/wamr-aot-compute/out.perf.gz", src);
	snprintf(mapdir, sizeof mapdir, "%s/testdata/fixtures/wamr-aot-compute", src);
	snprintf(kall, sizeof kall, "%s/wamr-kallsyms", tmpdir);
	snprintf(cmd, sizeof cmd, "gzip -dc '%s/testdata/fixtures/wamr-kallsyms.gz' > '%s'", src,
		 kall);
	CHECK(system(cmd) == 0);
	struct warns w = {0};
	struct sym_native_options o;
	sym_native_options_init(&o);
	o.kallsyms = kall;
	o.perf_map_dir = mapdir;
	struct sym_native *s = sym_native_new(&o, on_warn, &w);
	load_buildids(s, bids);
	/* iwasm itself was not kept: out.perf has the names perf found on the
	 * recording machine, this run can only say [unknown] */
	struct replay r = {.s = s, .w = &w, .skip_module = "/tmp/wamr/build-iwasm-aot/iwasm-2.4.3"};
	replay(&r, evs, out);
	printf("wamr aot-compute: %d frames compared, %d mismatched, %d skipped\n", r.compared,
	       r.mismatched, r.skipped);
	CHECK(r.compared > 15000);
	CHECK(r.mismatched == 0);
	struct sym_frame f;
	CHECK(sym_native_resolve(s, 29948, 1416000000000ull, 0x412fc076, false, &f) == 0);
	CHECK_STR(f.symbol, " aot_func#2");
	CHECK(f.offset == 0x32 && f.jit && !f.kernel);
	CHECK_STR(f.module, "/tmp/perf-29948.map");
	CHECK(sym_native_resolve(s, 29948, 1416000000000ull, 0x55918d892000 + 0x100, false, &f) == 0);
	CHECK(f.symbol == NULL && f.map_addr == 0x8100);
	CHECK_STR(f.module, "/tmp/wamr/build-iwasm-aot/iwasm-2.4.3");
	sym_native_free(s);
}

/* ---- unit checks ---- */

static void test_choose_best(void)
{
	struct native_sym a = {.start = 0, .end = 10, .name = "foo", .bind = STB_LOCAL};
	struct native_sym b = a;
	b.end = 0;
	CHECK(native_choose_best(&a, &b) > 0);   /* sized beats empty */
	b = a;
	b.bind = STB_WEAK;
	a.bind = STB_LOCAL;
	CHECK(native_choose_best(&a, &b) > 0);   /* local beats weak (non-weak first) */
	a.bind = STB_GLOBAL;
	b.bind = STB_LOCAL;
	b.name = "a_much_longer_name";
	CHECK(native_choose_best(&a, &b) > 0);   /* global beats local */
	b.bind = STB_GLOBAL;
	a.name = "__libc_x";
	b.name = "_libc_x_longer";
	CHECK(native_choose_best(&a, &b) < 0);   /* fewer underscores */
	a.name = "len_spin";
	b.name = "len_spin_longer";
	CHECK(native_choose_best(&a, &b) < 0);   /* longer name */
	a.name = "__libc_start_main@@GLIBC_2.34";
	b.name = "__libc_start_main@GLIBC_2.2.5";
	CHECK(native_choose_best(&a, &b) > 0);   /* tie: the first */
	a.name = "SyS_read";
	b.name = "sys_read";
	CHECK(native_choose_best(&a, &b) < 0);

	/* zero-size extension and duplicates in a table */
	struct wp_intern *names = wp_intern_new();
	struct native_symtab t = {0};
	native_symtab_add(&t, 0x100, 0, STB_GLOBAL, STT_FUNC, "asm_zero", 0);
	native_symtab_add(&t, 0x100, 0, STB_GLOBAL, STT_FUNC, "asm_zero_alias", 0);
	native_symtab_add(&t, 0x140, 0x10, STB_GLOBAL, STT_FUNC, "next", 0);
	native_symtab_add(&t, 0x140, 0x10, STB_WEAK, STT_FUNC, "next_weak", 0);
	native_symtab_finish(&t, false);
	CHECK(t.n == 2);
	const struct native_sym *s = native_symtab_find(&t, 0x13f);
	/* the first empty alias keeps size 0, the second reaches 0x140 and wins */
	CHECK(s && strcmp(s->name, "asm_zero_alias") == 0);
	s = native_symtab_find(&t, 0x148);
	CHECK(s && strcmp(s->name, "next") == 0);
	CHECK(native_symtab_find(&t, 0x150) == NULL);
	CHECK(native_symtab_find(&t, 0xff) == NULL);
	native_symtab_release(&t);
	wp_intern_free(names);
}

/* A random ELF-like table (duplicates, zero sizes, nested and crossing
 * symbols) and a sorted PLT table, finished as native_elf does. */
static void random_table(struct native_symtab *t, struct native_symtab *plt, unsigned seed,
			 char names[][16])
{
	memset(t, 0, sizeof *t);
	memset(plt, 0, sizeof *plt);
	unsigned x = seed;
	for (int i = 0; i < 300; i++) {
		x = x * 1103515245u + 12345u;
		uint64_t start = (x >> 8) % 20000;
		uint64_t size = (x >> 4) % 4 == 0 ? 0 : (x >> 20) % 5 == 0 ? 300 : (x >> 12) % 40;
		uint8_t bind = (x >> 24) % 3 == 0 ? STB_WEAK : (x >> 26) % 2 ? STB_GLOBAL : STB_LOCAL;
		snprintf(names[i], 16, "s%d", i);
		native_symtab_add(t, start, size, bind, STT_FUNC, names[i], 0);
	}
	for (uint64_t k = 0; k < 6; k++) /* where perf's .plt would be: sorted */
		native_symtab_add(plt, 20100 + 16 * k, 16, STB_GLOBAL, STT_FUNC, "p@plt", 0);
	native_symtab_add(plt, 20400, 16, STB_GLOBAL, STT_FUNC, "after@plt", 0);
	native_symtab_finish(t, false);
	native_symtab_tree_add(t, plt);
}

static bool in_spans(const struct native_replay *r, uint64_t addr)
{
	for (size_t i = 0; r && i < r->nnested; i++)
		if (addr >= r->nested[i].from && addr < r->nested[i].to)
			return true;
	return false;
}

/* perf's tree is built only when a lookup falls where symbols nest, and
 * only asked there; elsewhere the sorted array must give what the tree
 * gives. Two copies of each table: one whose tree is built at once (asked
 * directly at every address), one asked outside the nested places only
 * (the array rule); inside them the first answers as its tree does. */
static void test_lazy_tree(void)
{
	static char names_a[300][16], names_b[300][16];
	unsigned compared = 0, nested_tables = 0, differ = 0;
	for (unsigned seed = 1; seed <= 40; seed++) {
		struct native_symtab a, a_plt, b, b_plt;
		random_table(&a, &a_plt, seed, names_a);
		random_table(&b, &b_plt, seed, names_b);
		CHECK((a.replay == NULL) == (b.replay == NULL));
		if (a.replay) {
			nested_tables++;
			native_symtab_find(&a, a.replay->nested[0].from);
			CHECK(a.tree != NULL && a.replay != NULL && a.replay->starts == NULL);
		}
		for (uint64_t addr = 0; addr < 20500; addr++) {
			if (in_spans(b.replay, addr)) {
				CHECK(a.tree && native_symtab_find(&a, addr) == native_rbtree_find(a.tree, addr));
				continue;
			}
			const struct native_sym *x = a.tree ? native_rbtree_find(a.tree, addr)
							    : native_symtab_find(&a, addr);
			const struct native_sym *y = native_symtab_find(&b, addr);
			differ += (x == NULL) != (y == NULL) ||
				  (x && (x->start != y->start || strcmp(x->name, y->name) != 0));
			compared++;
		}
		CHECK(b.tree == NULL); /* never built outside nested places */
		native_symtab_release(&a);
		native_symtab_release(&a_plt);
		native_symtab_release(&b);
		native_symtab_release(&b_plt);
	}
	CHECK(differ == 0);
	fprintf(stderr, "lazy tree: %u lookups compared, %u of 40 tables nest\n", compared, nested_tables);
	CHECK(compared > 40 * 5000);
	CHECK(nested_tables > 30); /* the random tables do nest */
}

/* native_list_find against the rule spelled out: of the mappings holding
 * addr at time, the newest (t_from, then seq). Random lists with many
 * versions at one start (as V8 grows its code space), ends cut short by
 * t_to, lookups at every time. */
static const struct native_mapping *brute_find(const struct native_mapping_list *l, uint64_t addr,
					       uint64_t time)
{
	const struct native_mapping *best = NULL;
	for (size_t i = 0; i < l->n; i++) {
		const struct native_mapping *e = &l->v[i];
		if (addr < e->start || addr >= e->end || time < e->t_from ||
		    (time >= e->t_to && e->t_to != UINT64_MAX))
			continue;
		if (!best || e->t_from > best->t_from || (e->t_from == best->t_from && e->seq > best->seq))
			best = e;
	}
	return best;
}

static void test_list_find(void)
{
	unsigned differ = 0, found = 0, asked = 0;
	for (unsigned seed = 1; seed <= 30; seed++) {
		struct native_mapping_list l = {0};
		unsigned x = seed;
		for (uint32_t k = 0; k < 200; k++) {
			x = x * 1103515245u + 12345u;
			bool same_start = (x >> 8) % 3 != 0; /* most grow the code space */
			uint64_t start = same_start ? 0x1000 : 0x1000 + (x >> 12) % 4000;
			uint64_t t_from = (x >> 4) % 5 == 0 ? k / 2 : k; /* some equal times */
			struct native_mapping e = {.start = start, .end = start + 1 + (x >> 16) % 3000,
						   .t_from = t_from, .seq = k,
						   .t_to = (x >> 20) % 7 == 0 ? t_from + 20 : UINT64_MAX};
			CHECK(native_list_add(&l, &e) == 0);
		}
		for (uint64_t addr = 0xf00; addr < 0x2400; addr += 7)
			for (uint64_t time = 0; time < 210; time += 13) {
				const struct native_mapping *a = native_list_find(&l, addr, time);
				const struct native_mapping *b = brute_find(&l, addr, time);
				differ += a != b;
				found += b != NULL;
				asked++;
			}
		free(l.v);
		free(l.maxend);
		free(l.newest);
	}
	CHECK(differ == 0);
	CHECK(found > asked / 2);
}

static void test_perfmap(void)
{
	struct wp_intern *names = wp_intern_new();
	const char *text = "412fc004  10  aot_func#0\n"
			   "0x412fc014 0x30 hex_one\n"
			   "garbage line\n"
			   "412fc100 10 ab\n"     /* too short a name for perf */
			   "412fc200\n"
			   "412fc300 10 name with spaces\n"
			   "ffffffffffffffffff 10 overflow\n"
			   "\n";
	struct native_perfmap *m;
	CHECK(native_perfmap_parse(&m, text, strlen(text), names) == 0);
	uint64_t n, bad;
	native_perfmap_counts(m, &n, &bad);
	CHECK(n == 3);
	CHECK(bad == 4); /* garbage, short name, no size, overflow; not the empty line */
	const struct native_sym *s = native_perfmap_find(m, 0x412fc00a);
	CHECK(s && strcmp(s->name, " aot_func#0") == 0);
	s = native_perfmap_find(m, 0x412fc014 + 0x2f);
	CHECK(s && strcmp(s->name, "hex_one") == 0);
	CHECK(native_perfmap_find(m, 0x412fc044) == NULL);
	s = native_perfmap_find(m, 0x412fc305);
	CHECK(s && strcmp(s->name, "name with spaces") == 0);
	native_perfmap_free(m);

	/* The overlaps of the native-basic map, resolved as perf did. */
	const char *ov = "1000 40 jit_one\n1040  40  jit_two_wamr\n0x1080 0x40 jit_three_hex\n"
			 "this is not a map line\n" /* a node to perf: it shapes the tree */
			 "10c0 40 jit_four\n1080 20 jit_three_later\n1000 100 jit_big_later\n"
			 "1000 8 jit_one_head\n";
	CHECK(native_perfmap_parse(&m, ov, strlen(ov), names) == 0);
	s = native_perfmap_find(m, 0x1008);
	CHECK(s && strcmp(s->name, "jit_one") == 0);
	s = native_perfmap_find(m, 0x1088);
	CHECK(s && strcmp(s->name, "jit_three_later") == 0);
	s = native_perfmap_find(m, 0x10c8);
	CHECK(s && strcmp(s->name, "jit_four") == 0);
	CHECK(native_perfmap_find(m, 0x1108) == NULL);
	native_perfmap_free(m);
	wp_intern_free(names);
}

/* Names of any length up to NATIVE_PERFMAP_MAX_NAME are kept whole (perf
 * keeps any length); longer ones, fields past NATIVE_PERFMAP_MAX_FIELDS
 * and the other malformed lines are counted per reason with their first
 * line number. */
static void test_perfmap_long(void)
{
	struct wp_intern *names = wp_intern_new();
	struct wp_buf b;
	wp_buf_init(&b, WP_BUF_UNLIMITED);
	static const size_t lens[] = {3, 4097, 20000, NATIVE_PERFMAP_MAX_NAME,
				      NATIVE_PERFMAP_MAX_NAME + 1, 100000};
	for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
		char head[64];
		int n = snprintf(head, sizeof head, "%zx 100 ", 0x1000 + 0x100 * i);
		CHECK(wp_buf_append(&b, head, (size_t)n) == 0);
		for (size_t k = 0; k < lens[i]; k++)
			CHECK(wp_buf_putc(&b, (char)('a' + (i + k) % 26)) == 0);
		CHECK(wp_buf_putc(&b, '\n') == 0);
	}
	CHECK(wp_buf_puts(&b, "zz\n") == 0);                  /* line 7 */
	for (size_t k = 0; k < NATIVE_PERFMAP_MAX_FIELDS + 10; k++) /* line 8 */
		CHECK(wp_buf_putc(&b, ' ') == 0);
	CHECK(wp_buf_puts(&b, "2000 10 past_the_fields\n") == 0);
	CHECK(wp_buf_puts(&b, "3000 10 fields_fit") == 0);    /* unterminated: perf drops a byte */
	struct native_perfmap *m;
	CHECK(native_perfmap_parse(&m, b.data, b.len, names) == 0);
	for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
		const struct native_sym *s = native_perfmap_find(m, 0x1000 + 0x100 * i + 8);
		if (lens[i] <= NATIVE_PERFMAP_MAX_NAME) {
			CHECK(s && strlen(s->name) == lens[i] && s->name[0] == (char)('a' + i % 26) &&
			      s->name[lens[i] - 1] == (char)('a' + (i + lens[i] - 1) % 26));
		} else {
			CHECK(s == NULL);
		}
	}
	CHECK(native_perfmap_find(m, 0x2008) == NULL);
	const struct native_sym *s = native_perfmap_find(m, 0x3008);
	CHECK(s && strcmp(s->name, "fields_fi") == 0);
	uint64_t n, bad;
	native_perfmap_counts(m, &n, &bad);
	CHECK(n == 5 && bad == 4);
	const struct native_perfmap_skips *sk = native_perfmap_skipped(m);
	CHECK(sk->count[NATIVE_PERFMAP_LONG_NAME] == 2 && sk->first_line[NATIVE_PERFMAP_LONG_NAME] == 5);
	CHECK(sk->count[NATIVE_PERFMAP_NO_NAME] == 1 && sk->first_line[NATIVE_PERFMAP_NO_NAME] == 7);
	CHECK(sk->count[NATIVE_PERFMAP_LONG_FIELDS] == 1 &&
	      sk->first_line[NATIVE_PERFMAP_LONG_FIELDS] == 8);
	CHECK(sk->count[NATIVE_PERFMAP_BAD_FIELDS] == 0);
	CHECK(strcmp(native_perfmap_skip_what(NATIVE_PERFMAP_LONG_NAME),
		     "name longer than 65536 bytes") == 0);
	native_perfmap_free(m);
	wp_buf_release(&b);
	wp_intern_free(names);
}

static void test_kallsyms(void)
{
	struct wp_intern *names = wp_intern_new();
	const char *text = "ffffffff81000000 T _text\n"
			   "ffffffff81000000 T _stext\n"
			   "ffffffff81000100 t local_fn\n"
			   "ffffffff81000200 R rodata_skipped\n"
			   "ffffffff81000300 W weak_fn\n"
			   "not a line\n"
			   "ffffffff81001000 D data_obj\n"
			   "ffffffffc0000000 t mod_fn\t[my_mod]\n"
			   "ffffffffc0000100 t mod_fn2\t[my_mod]\n";
	struct native_kallsyms k;
	CHECK(native_kallsyms_parse(&k, text, strlen(text)) == 0);
	CHECK(k.text == 0xffffffff81000000ull && k.stext == 0xffffffff81000000ull);
	CHECK(k.bad_lines == 1);
	const struct native_sym *s = native_symtab_find(&k.syms, 0xffffffff81000250ull);
	CHECK(s && strcmp(s->name, "local_fn") == 0); /* R is not loaded: local_fn spans it */
	s = native_symtab_find(&k.syms, 0xffffffff81000010ull);
	CHECK(s && strcmp(s->name, "_stext") == 0);   /* equal: first of same length */
	/* the last core symbol ends at the next page, not at the module */
	s = native_symtab_find(&k.syms, 0xffffffff81001800ull);
	CHECK(s && strcmp(s->name, "data_obj") == 0);
	CHECK(native_symtab_find(&k.syms, 0xffffffff81002000ull) == NULL);
	s = native_symtab_find(&k.syms, 0xffffffffc0000050ull);
	CHECK(s && strcmp(s->name, "mod_fn") == 0 && s->module == 1);
	native_kallsyms_release(&k);
	wp_intern_free(names);
}

/* A symbolizer for made-up address spaces: no kernel symbols. */
static struct sym_native *spaces_symbolizer(struct warns *w)
{
	struct sym_native_options o;
	sym_native_options_init(&o);
	o.no_proc_kallsyms = true;
	return sym_native_new(&o, on_warn, w);
}

static void test_spaces(void)
{
	struct warns w = {0};
	struct sym_native *s = spaces_symbolizer(&w);
	struct sym_native_map m = {.time = 10, .pid = 100, .tid = 100, .start = 0x1000,
				   .len = 0x1000, .filename = "/nonexistent/a", .prot = PROT_EXEC};
	CHECK(sym_native_mmap(s, &m) == 0);
	CHECK(sym_native_comm(s, 20, 100, 100, "b", true) == 0);
	m.time = 30;
	m.filename = "/nonexistent/b";
	CHECK(sym_native_mmap(s, &m) == 0);
	struct sym_frame f;
	CHECK(sym_native_resolve(s, 100, 15, 0x1800, false, &f) == 0);
	CHECK_STR(f.module, "/nonexistent/a");
	CHECK(sym_native_resolve(s, 100, 25, 0x1800, false, &f) == 0);
	CHECK_STR(f.module, "[unknown]");
	CHECK(f.unmapped);
	CHECK(sym_native_resolve(s, 100, 35, 0x1800, false, &f) == 0);
	CHECK_STR(f.module, "/nonexistent/b");
	CHECK(sym_native_resolve(s, 100, 5, 0x1800, false, &f) == 0); /* before any mmap */
	CHECK(f.unmapped);
	CHECK(sym_native_resolve(s, 100, UINT64_MAX, 0x1800, false, &f) == 0); /* no time */
	CHECK_STR(f.module, "/nonexistent/b");
	/* a thread shares, a process copies */
	CHECK(sym_native_fork(s, 40, 100, 100, 101, 100) == 0);
	CHECK(sym_native_fork(s, 40, 200, 100, 200, 100) == 0);
	m.time = 60;
	m.filename = "/nonexistent/c";
	CHECK(sym_native_mmap(s, &m) == 0);
	CHECK(sym_native_resolve(s, 200, 70, 0x1800, false, &f) == 0);
	CHECK_STR(f.module, "/nonexistent/b");
	CHECK(sym_native_resolve(s, 100, 70, 0x1800, false, &f) == 0);
	CHECK_STR(f.module, "/nonexistent/c");
	/* anonymous executable memory, heap, hugetlb, named anon */
	m = (struct sym_native_map){.time = 1, .pid = 300, .start = 0x5000, .len = 0x1000,
				    .pgoff = 0x5000, .filename = "//anon", .prot = PROT_EXEC};
	CHECK(sym_native_mmap(s, &m) == 0);
	CHECK(sym_native_resolve(s, 300, 2, 0x5010, false, &f) == 0);
	CHECK_STR(f.module, "/tmp/perf-300.map");
	CHECK(f.jit && f.map_addr == 0x5010);
	m.start = 0x7000;
	m.filename = "//anon";
	m.prot = PROT_READ;
	CHECK(sym_native_mmap(s, &m) == 0);
	CHECK(sym_native_resolve(s, 300, 2, 0x7010, false, &f) == 0);
	CHECK_STR(f.module, "//anon");
	m.start = 0x9000;
	m.filename = "[anon:v8]";
	m.prot = PROT_EXEC;
	CHECK(sym_native_mmap(s, &m) == 0);
	CHECK(sym_native_resolve(s, 300, 2, 0x9010, false, &f) == 0);
	CHECK_STR(f.module, "/tmp/perf-300.map");
	/* a jitdump names pid 310's JIT code from its marker on (perf inject
	 * --jit): the //anon, [anon: and /memfd: maps it makes later are
	 * dropped (their addresses: [unknown]), earlier ones stay, and its
	 * missing perf map is not warned about; pid 311's still is */
	m = (struct sym_native_map){.time = 1, .pid = 310, .start = 0x5000, .len = 0x1000,
				    .pgoff = 0x5000, .filename = "//anon", .prot = PROT_EXEC};
	CHECK(sym_native_mmap(s, &m) == 0);
	CHECK(sym_native_jit_pid(s, 310) == 0);
	m.start = 0xb000;
	CHECK(sym_native_mmap(s, &m) == 0);
	m.start = 0xc000;
	m.filename = "[anon:v8]";
	CHECK(sym_native_mmap(s, &m) == 0);
	m.start = 0xd000;
	m.filename = "/memfd:doublemapper (deleted)";
	CHECK(sym_native_mmap(s, &m) == 0);
	m.start = 0xe000;
	m.filename = "/dev/zero"; /* perf inject keeps it: a perf map module */
	CHECK(sym_native_mmap(s, &m) == 0);
	m.pid = 311;
	m.filename = "//anon";
	CHECK(sym_native_mmap(s, &m) == 0);
	CHECK(sym_native_resolve(s, 310, 2, 0x5010, false, &f) == 0);
	CHECK_STR(f.module, "/tmp/perf-310.map");
	for (uint64_t a = 0xb010; a < 0xe000; a += 0x1000) {
		CHECK(sym_native_resolve(s, 310, 2, a, false, &f) == 0);
		CHECK_STR(f.module, "[unknown]");
		CHECK(f.unmapped && !f.symbol);
	}
	CHECK(sym_native_resolve(s, 310, 2, 0xe010, false, &f) == 0);
	CHECK_STR(f.module, "/tmp/perf-310.map");
	CHECK(sym_native_resolve(s, 311, 2, 0xe010, false, &f) == 0);
	CHECK_STR(f.module, "/tmp/perf-311.map");
	int warned310 = 0, warned311 = 0;
	for (int i = 0; i < w.n; i++) {
		warned310 += strstr(w.text[i], "perf-310.map") != NULL;
		warned311 += strstr(w.text[i], "no perf-311.map found") != NULL;
	}
	CHECK(warned310 == 0 && warned311 == 1);
	/* kernel: the _text map and a module */
	m = (struct sym_native_map){.pid = -1, .start = 0xffffffff81000000ull, .len = 0x1000000,
				    .pgoff = 0xffffffff81000000ull,
				    .filename = "[kernel.kallsyms]_text", .kernel = true};
	CHECK(sym_native_mmap(s, &m) == 0);
	m = (struct sym_native_map){.pid = -1, .start = 0xffffffffc0000000ull, .len = 0x2000,
				    .filename = "/lib/modules/6.1.0/kernel/net/nf-tables.ko.xz",
				    .kernel = true};
	CHECK(sym_native_mmap(s, &m) == 0);
	CHECK(sym_native_resolve(s, 300, 2, 0xffffffffc0000010ull, true, &f) == 0);
	CHECK_STR(f.module, "[nf_tables]");
	CHECK(sym_native_resolve(s, 300, 2, 0xffffffff81000010ull, true, &f) == 0);
	CHECK_STR(f.module, "[kernel.kallsyms]");
	CHECK(sym_native_resolve(s, 300, 2, 0xffffffffd0000000ull, true, &f) == 0);
	CHECK_STR(f.module, "[unknown]");
	/* bad arguments */
	m.len = 0;
	CHECK(sym_native_mmap(s, &m) == WP_E_FORMAT);
	CHECK(sym_native_mmap(NULL, &m) == WP_E_USAGE);
	CHECK(sym_native_resolve(s, 1, 1, 1, false, NULL) == WP_E_USAGE);
	sym_native_free(s);
	sym_native_free(NULL);
}

/* Cached answers outlive changes elsewhere: an MMAP or a JIT load changes
 * only its own range of its own space; COMM, FORK, EXIT change a whole
 * space; more than NATIVE_CHANGES changes in between drop the answer. */
static uint64_t hits_of(const struct sym_native *s)
{
	struct sym_native_stats st;
	sym_native_get_stats(s, &st);
	return st.cache_hits;
}

static void test_answers_kept(void)
{
	struct warns w = {0};
	struct sym_native *s = spaces_symbolizer(&w);
	struct sym_native_map m = {.time = 10, .pid = 100, .tid = 100, .start = 0x1000,
				   .len = 0x1000, .filename = "/nonexistent/a", .prot = PROT_EXEC};
	CHECK(sym_native_mmap(s, &m) == 0);
	m.start = 0x3000;
	m.filename = "/nonexistent/b";
	CHECK(sym_native_mmap(s, &m) == 0);
	struct sym_frame f;
	CHECK(sym_native_resolve(s, 100, 20, 0x1800, false, &f) == 0);
	CHECK_STR(f.module, "/nonexistent/a");
	CHECK(sym_native_resolve(s, 100, 20, 0x3800, false, &f) == 0);
	uint64_t h = hits_of(s);
	/* a kernel address before any kernel map: the kernel, no symbol */
	CHECK(sym_native_resolve(s, 100, 20, 0xffffffff81000010ull, true, &f) == 0);
	CHECK_STR(f.module, "[kernel.kallsyms]");
	/* elsewhere in the space, in another space */
	m = (struct sym_native_map){.time = 30, .pid = 100, .start = 0x5000, .len = 0x1000,
				    .filename = "/nonexistent/c", .prot = PROT_EXEC};
	CHECK(sym_native_mmap(s, &m) == 0);
	m.pid = 200;
	m.start = 0x1000;
	CHECK(sym_native_mmap(s, &m) == 0);
	CHECK(sym_native_resolve(s, 100, 40, 0x1800, false, &f) == 0);
	CHECK_STR(f.module, "/nonexistent/a");
	CHECK(hits_of(s) == h + 1); /* kept */
	/* the kernel's first map, elsewhere: the address is in no map now */
	m = (struct sym_native_map){.time = 40, .pid = -1, .start = 0xffffffffa0000000ull,
				    .len = 0x1000, .filename = "[kernel.kallsyms]_text",
				    .kernel = true};
	CHECK(sym_native_mmap(s, &m) == 0);
	CHECK(sym_native_resolve(s, 100, 45, 0xffffffff81000010ull, true, &f) == 0);
	CHECK_STR(f.module, "[unknown]");
	CHECK(f.unmapped);
	CHECK(sym_native_resolve(s, 100, 45, 0x1800, false, &f) == 0);
	CHECK(sym_native_resolve(s, 100, 45, 0x3800, false, &f) == 0);
	CHECK(hits_of(s) == h + 1); /* a change of the kernel's space asks again */
	/* over it: the new mapping answers */
	m = (struct sym_native_map){.time = 50, .pid = 100, .start = 0x1400, .len = 0x800,
				    .filename = "/nonexistent/d", .prot = PROT_EXEC};
	CHECK(sym_native_mmap(s, &m) == 0);
	CHECK(sym_native_resolve(s, 100, 60, 0x1800, false, &f) == 0);
	CHECK_STR(f.module, "/nonexistent/d");
	CHECK(sym_native_resolve(s, 100, 60, 0x3800, false, &f) == 0);
	CHECK_STR(f.module, "/nonexistent/b");
	CHECK(hits_of(s) == h + 2); /* 0x3800 kept, 0x1800 asked again */
	/* JIT code loaded over it */
	struct sym_native_jit j = {.time = 70, .pid = 100, .start = 0x1700, .size = 0x200,
				   .name = "jitted", .module = "jit-100.dump"};
	CHECK(sym_native_jit_load(s, &j) == 0);
	CHECK(sym_native_resolve(s, 100, 80, 0x1800, false, &f) == 0);
	CHECK(f.symbol && strcmp(f.symbol, "jitted") == 0);
	CHECK(sym_native_resolve(s, 100, 80, 0x3800, false, &f) == 0);
	CHECK(hits_of(s) == h + 3);
	/* a change of the whole space (a COMM: a thread renamed) */
	CHECK(sym_native_comm(s, 90, 100, 100, "x", false) == 0);
	CHECK(sym_native_resolve(s, 100, 95, 0x3800, false, &f) == 0);
	CHECK_STR(f.module, "/nonexistent/b");
	CHECK(hits_of(s) == h + 3);
	CHECK(sym_native_resolve(s, 100, 95, 0x3800, false, &f) == 0);
	CHECK(hits_of(s) == h + 4);
	/* more changes than are remembered: asked again, same answer */
	for (int i = 0; i < NATIVE_CHANGES; i++) {
		m = (struct sym_native_map){.time = 100 + (uint64_t)i, .pid = 100,
					    .start = 0x100000 + 0x1000 * (uint64_t)i, .len = 0x1000,
					    .filename = "/nonexistent/e", .prot = PROT_EXEC};
		CHECK(sym_native_mmap(s, &m) == 0);
	}
	CHECK(sym_native_resolve(s, 100, 200, 0x3800, false, &f) == 0);
	CHECK_STR(f.module, "/nonexistent/b");
	CHECK(hits_of(s) == h + 4);
	sym_native_free(s);
}

/* Cached answers (the recent ones in front of the big table, and the big
 * table) against the rule: the newest mapping of the space holding the
 * address answers. Two spaces, thousands of addresses asked again and
 * again (more than either table holds, so slots are shared), overlaid by
 * new mappings now and then. */
static void test_answers_random(void)
{
	struct warns w = {0};
	struct sym_native *s = spaces_symbolizer(&w);
	enum { MAPS = 600 };
	static struct mapped { int32_t pid; uint64_t start, end; char name[32]; } maps[MAPS];
	size_t nmaps = 0;
	uint64_t t = 1, x = 12345;
	for (int32_t pid = 100; pid <= 200; pid += 100)
		for (int k = 0; k < 40; k++, nmaps++) {
			maps[nmaps].pid = pid;
			maps[nmaps].start = 0x10000 * (uint64_t)(k + 1);
			maps[nmaps].end = maps[nmaps].start + 0x10000;
			snprintf(maps[nmaps].name, sizeof maps[nmaps].name, "/nonexistent/%d-%d", pid, k);
		}
	for (size_t i = 0; i < nmaps; i++) {
		struct sym_native_map m = {.time = t++, .pid = maps[i].pid, .tid = maps[i].pid,
					   .start = maps[i].start, .len = 0x10000,
					   .filename = maps[i].name, .prot = PROT_EXEC};
		CHECK(sym_native_mmap(s, &m) == 0);
	}
	unsigned wrong = 0, asked = 0;
	for (int step = 0; step < 400000; step++) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		int32_t pid = (x >> 60) & 1 ? 200 : 100;
		if ((x >> 20) % 4000 == 0 && nmaps < MAPS) { /* an overlay */
			uint64_t start = 0x10000 + ((x >> 24) % 0x280000 & ~0xfffull);
			maps[nmaps] = (struct mapped){pid, start, start + 0x3000, ""};
			snprintf(maps[nmaps].name, sizeof maps[nmaps].name, "/nonexistent/o%zu", nmaps);
			struct sym_native_map m = {.time = t++, .pid = pid, .tid = pid, .start = start,
						   .len = 0x3000, .filename = maps[nmaps].name,
						   .prot = PROT_EXEC};
			CHECK(sym_native_mmap(s, &m) == 0);
			nmaps++;
			continue;
		}
		/* 9,000 addresses (over twice the recent slots), the low ones asked most */
		uint64_t pick = (x >> 30) % 9000, addr = 0x10000 + (pick * pick / 9000) * 290 + pick % 29;
		const char *want = "[unknown]";
		for (size_t i = nmaps; i-- > 0;)
			if (maps[i].pid == pid && addr >= maps[i].start && addr < maps[i].end) {
				want = maps[i].name;
				break;
			}
		struct sym_frame f;
		CHECK(sym_native_resolve(s, pid, t++, addr, false, &f) == 0);
		wrong += strcmp(f.module, want) != 0;
		asked++;
	}
	CHECK(wrong == 0);
	CHECK(hits_of(s) > asked / 2); /* the caches answered most */
	fprintf(stderr, "answers: %u asked, %u wrong, %llu from the caches, %zu maps\n", asked, wrong,
		(unsigned long long)hits_of(s), nmaps);
	sym_native_free(s);
}

/* Equal starts are decided in insertion order (perf's pairwise
 * choose_best over its tree's in-order walk): the radix sort must keep
 * that order, in small groups, large ones (compared) and across every byte
 * of the start. The survivor of each start is checked against the rule
 * applied to the entries in the order they were added. */
static void test_sort_order(void)
{
	static char names[6000][24];
	unsigned checked = 0;
	for (unsigned shape = 0; shape < 4; shape++) {
		struct native_symtab t = {0};
		uint64_t x = 88172645463325252ull + shape;
		size_t n = shape == 3 ? 40 : 6000;
		for (size_t i = 0; i < n; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			uint64_t start = shape == 0 ? x                      /* every byte differs */
				       : shape == 1 ? (x >> 20) % 700 * 16     /* many equal starts */
				       : shape == 2 ? (i < 100 ? 0x40 : x % 4096) /* one group of 100 */
						    : 0x1000;                   /* all equal */
			/* same kind, same length: the first added wins a tie */
			snprintf(names[i], sizeof names[i], "f%07zu", n - i);
			native_symtab_add(&t, start, 8, STB_GLOBAL, STT_FUNC, names[i], 0);
		}
		struct native_symtab ref = {0};
		for (size_t i = 0; i < n; i++)
			native_symtab_add(&ref, t.v[i].start, 8, STB_GLOBAL, STT_FUNC, t.v[i].name, 0);
		native_symtab_finish(&t, false);
		for (size_t k = 0; k < t.n; k++) {
			CHECK(k == 0 || t.v[k - 1].start < t.v[k].start);
			const struct native_sym *best = NULL;
			for (size_t i = 0; i < ref.n; i++)
				if (ref.v[i].start == t.v[k].start &&
				    (!best || native_choose_best(best, &ref.v[i]) < 0))
					best = &ref.v[i];
			CHECK(best && strcmp(best->name, t.v[k].name) == 0);
			checked++;
		}
		native_symtab_release(&t);
		native_symtab_release(&ref);
	}
	fprintf(stderr, "sort order: %u starts checked\n", checked);
	CHECK(checked > 6000);
}

int main(void)
{
	const char *e = getenv("WASMPERF_SRC");
	snprintf(src, sizeof src, "%s", e ? e : ".");
	snprintf(tmpdir, sizeof tmpdir, "/tmp/test_native.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_choose_best();
	test_lazy_tree();
	test_list_find();
	test_perfmap();
	test_perfmap_long();
	test_kallsyms();
	test_spaces();
	test_answers_kept();
	test_answers_random();
	test_sort_order();
	test_basic_recording();
	test_plt();
	test_wamr();
	sh("rm -rf '%s'%s", tmpdir, "");
	return check_report();
}
