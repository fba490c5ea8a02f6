/* test_jitdump.c - the jitdump reader against real dumps and damaged ones.
 *
 * testdata/jitdump-emit holds a dump written by a tiny JIT while perf
 * recorded it (testdata/gen/jitdump/gen.sh): jitemit.txt is what the JIT
 * wrote, inject-mmaps.txt the MMAP2 records `perf inject --jit` made of it
 * and inject.txt.gz `perf script` of the injected recording. The reader
 * must return exactly what was written, and agree with what perf saw.
 * testdata/jitdump-bad holds the same dump in the other byte order, with
 * extra header bytes, with an unknown record, cut, and damaged in every
 * way the reader checks (bad_dumps.py): each gives its one-line error at
 * the damaged record's offset, from a file and from memory. WAMR's dump
 * (testdata/fixtures/wamr-jit-compute, from ../shared/wamr/jit-compute)
 * must give the loads of its jit-syms.txt.
 * Synthetic dumps cover the rest: large records read in chunks, the size
 * cap, unwinding info, version 2, empty and missing files. */
#include <glob.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "check.h"
#include "perfparse.h"

static char src[1024];

static char *path_of(const char *dir, const char *rel)
{
	static char buf[8][4096];
	static int k;
	char *b = buf[k++ % 8];
	snprintf(b, 4096, "%s/%s", dir, rel);
	return b;
}

/* ---- one pass over a dump, everything copied ---- */

struct rec {
	enum pp_jit_record_type type;
	uint64_t ts, off;
	uint32_t pid, tid;
	uint64_t vma, addr, size, index, new_addr; /* load; move: addr = old */
	char *name;
	unsigned char *data;                    /* load code, unwind data */
	uint64_t hdr_size, mapped_size;         /* unwind */
	size_t nent;                            /* debug */
	struct pp_jit_debug_entry ent[4];
	char file[4][64];
};

struct run {
	int open_rc, rc;
	struct pp_jit_header hdr;
	char err[600];
	unsigned nwarn;
	char warning[600];
	size_t n;
	struct rec *recs;
};

static void on_warning(void *ctx, const char *msg)
{
	struct run *r = ctx;
	r->nwarn++;
	snprintf(r->warning, sizeof r->warning, "%s", msg);
}

static void copy_record(struct rec *c, const struct pp_jit_record *r)
{
	memset(c, 0, sizeof *c);
	c->type = r->type;
	c->ts = r->timestamp;
	c->off = r->offset;
	switch (r->type) {
	case PP_JIT_CODE_LOAD:
		c->pid = r->u.load.pid;
		c->tid = r->u.load.tid;
		c->vma = r->u.load.vma;
		c->addr = r->u.load.code_addr;
		c->size = r->u.load.code_size;
		c->index = r->u.load.code_index;
		c->name = strdup(r->u.load.name);
		c->data = malloc(c->size + 1);
		memcpy(c->data, r->u.load.code, c->size);
		break;
	case PP_JIT_CODE_MOVE:
		c->pid = r->u.move.pid;
		c->tid = r->u.move.tid;
		c->vma = r->u.move.vma;
		c->addr = r->u.move.old_code_addr;
		c->new_addr = r->u.move.new_code_addr;
		c->size = r->u.move.code_size;
		c->index = r->u.move.code_index;
		break;
	case PP_JIT_CODE_DEBUG_INFO:
		c->addr = r->u.debug.code_addr;
		c->nent = r->u.debug.nentries;
		for (size_t i = 0; i < c->nent && i < 4; i++) {
			c->ent[i] = r->u.debug.entries[i];
			snprintf(c->file[i], sizeof c->file[i], "%s", r->u.debug.entries[i].file);
			c->ent[i].file = c->file[i];
		}
		break;
	case PP_JIT_CODE_UNWINDING_INFO:
		c->size = r->u.unwind.unwind_data_size;
		c->hdr_size = r->u.unwind.eh_frame_hdr_size;
		c->mapped_size = r->u.unwind.mapped_size;
		c->data = malloc(c->size + 1);
		memcpy(c->data, r->u.unwind.data, c->size);
		break;
	case PP_JIT_CODE_CLOSE:
		break;
	}
}

/* Reads the dump at path, or (mem != NULL) the same bytes from memory
 * under that name. */
static void read_run(struct run *run, const char *path, const void *mem, size_t len)
{
	memset(run, 0, sizeof *run);
	struct pp_jitdump *j;
	run->open_rc = mem ? pp_jitdump_open_mem(&j, mem, len, path, on_warning, run)
			   : pp_jitdump_open(&j, path, on_warning, run);
	CHECK(j != NULL);
	if (!j)
		return;
	run->hdr = *pp_jitdump_header(j);
	if (run->open_rc == 0) {
		const struct pp_jit_record *r;
		size_t cap = 0;
		while ((run->rc = pp_jitdump_next(j, &r)) == 1) {
			if (run->n == cap) {
				cap = cap ? cap * 2 : 16;
				run->recs = realloc(run->recs, cap * sizeof *run->recs);
			}
			copy_record(&run->recs[run->n++], r);
		}
		/* the end is sticky, and says nothing more */
		CHECK(pp_jitdump_next(j, &r) == run->rc && r == NULL);
	}
	snprintf(run->err, sizeof run->err, "%s", pp_jitdump_errmsg(j));
	pp_jitdump_free(j);
}

static void release_run(struct run *run)
{
	for (size_t i = 0; i < run->n; i++) {
		free(run->recs[i].name);
		free(run->recs[i].data);
	}
	free(run->recs);
	run->recs = NULL;
	run->n = 0;
}

/* The same records, but for their offsets. */
static bool same_record(const struct rec *a, const struct rec *b)
{
	if (a->type != b->type || a->ts != b->ts || a->pid != b->pid || a->tid != b->tid ||
	    a->vma != b->vma || a->addr != b->addr || a->size != b->size || a->index != b->index ||
	    a->new_addr != b->new_addr || a->hdr_size != b->hdr_size ||
	    a->mapped_size != b->mapped_size || a->nent != b->nent)
		return false;
	if ((a->name || b->name) && (!a->name || !b->name || strcmp(a->name, b->name) != 0))
		return false;
	if (a->data && memcmp(a->data, b->data, a->size) != 0)
		return false;
	for (size_t i = 0; i < a->nent && i < 4; i++)
		if (a->ent[i].code_addr != b->ent[i].code_addr || a->ent[i].line != b->ent[i].line ||
		    a->ent[i].discrim != b->ent[i].discrim || strcmp(a->file[i], b->file[i]) != 0)
			return false;
	return true;
}

/* ---- the real dump of testdata/jitdump-emit ---- */

static struct run good;          /* the dump, read from its file */
static char good_path[4096];
static uint64_t off_load[4];     /* offsets of its CODE_LOADs */

static const char *find_dump(void)
{
	glob_t g;
	if (glob(path_of(src, "testdata/jitdump-emit/jit-*.dump"), 0, NULL, &g) != 0)
		return NULL;
	snprintf(good_path, sizeof good_path, "%s", g.gl_pathv[0]);
	globfree(&g);
	return good_path;
}

static size_t count_type(const struct run *r, enum pp_jit_record_type t)
{
	size_t n = 0;
	for (size_t i = 0; i < r->n; i++)
		n += r->recs[i].type == t;
	return n;
}

static const struct rec *nth(const struct run *r, enum pp_jit_record_type t, size_t k)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->recs[i].type == t && k-- == 0)
			return &r->recs[i];
	return NULL;
}

/* Each record against jitemit.txt, the JIT's own account of what it wrote. */
static void test_emit_records(void)
{
	const char *path = find_dump();
	CHECK(path != NULL);
	if (!path)
		return;
	read_run(&good, path, NULL, 0);
	CHECK(good.open_rc == 0 && good.rc == 0 && good.nwarn == 0);
	const struct pp_jit_header *h = &good.hdr;
	const char *base = strrchr(path, '/') + 1;
	char want[64];
	snprintf(want, sizeof want, "jit-%u.dump", h->pid);
	CHECK_STR(base, want);
	CHECK(h->version == 1 && h->total_size == 40 && h->elf_mach == 62 && h->flags == 0);
	CHECK(!h->swapped);

	/* counts per type */
	CHECK(good.n == 7);
	CHECK(count_type(&good, PP_JIT_CODE_DEBUG_INFO) == 1);
	CHECK(count_type(&good, PP_JIT_CODE_LOAD) == 4);
	CHECK(count_type(&good, PP_JIT_CODE_MOVE) == 1);
	CHECK(count_type(&good, PP_JIT_CODE_CLOSE) == 1);
	CHECK(count_type(&good, PP_JIT_CODE_UNWINDING_INFO) == 0);

	/* file order = time order, all after the header's */
	uint64_t t = h->timestamp;
	for (size_t i = 0; i < good.n; i++) {
		CHECK(good.recs[i].ts >= t);
		t = good.recs[i].ts;
		if (i)
			CHECK(good.recs[i].off > good.recs[i - 1].off);
	}
	CHECK(good.n && good.recs[0].off == 40);
	for (size_t k = 0; k < 4; k++)
		off_load[k] = nth(&good, PP_JIT_CODE_LOAD, k) ? nth(&good, PP_JIT_CODE_LOAD, k)->off : 0;

	/* what jitemit says it wrote, line by line */
	FILE *f = fopen(path_of(src, "testdata/jitdump-emit/jitemit.txt"), "r");
	CHECK(f != NULL);
	char line[512];
	size_t i = 0;
	while (f && fgets(line, sizeof line, f) && i < good.n) {
		const struct rec *r = &good.recs[i++];
		unsigned long long a, b, c, d;
		char name[256];
		if (sscanf(line, "load %llu %llx %llu %255s", &a, &b, &c, name) == 4) {
			CHECK(r->type == PP_JIT_CODE_LOAD);
			CHECK(r->index == a && r->addr == b && r->size == c && r->vma == b);
			CHECK_STR(r->name, name);
			CHECK(r->pid == h->pid && r->tid == h->pid);
		} else if (sscanf(line, "move %llu %llx %llx %llu", &a, &b, &c, &d) == 4) {
			CHECK(r->type == PP_JIT_CODE_MOVE);
			CHECK(r->index == a && r->addr == b && r->new_addr == c && r->size == d);
			CHECK(r->vma == c && r->pid == h->pid);
		} else if (sscanf(line, "debug %llx %llu", &a, &b) == 2) {
			CHECK(r->type == PP_JIT_CODE_DEBUG_INFO);
			CHECK(r->addr == a && r->nent == b);
		} else {
			CHECK_STR(line, "close\n");
			CHECK(r->type == PP_JIT_CODE_CLOSE);
		}
	}
	CHECK(i == good.n);
	if (f) {
		CHECK(!fgets(line, sizeof line, f));
		fclose(f);
	}

	/* the story jitemit.c tells */
	const struct rec *l0 = nth(&good, PP_JIT_CODE_LOAD, 0), *l1 = nth(&good, PP_JIT_CODE_LOAD, 1),
			 *l2 = nth(&good, PP_JIT_CODE_LOAD, 2), *l3 = nth(&good, PP_JIT_CODE_LOAD, 3),
			 *mv = nth(&good, PP_JIT_CODE_MOVE, 0), *dbg = nth(&good, PP_JIT_CODE_DEBUG_INFO, 0);
	if (!l0 || !l1 || !l2 || !l3 || !mv || !dbg)
		return;
	CHECK_STR(l0->name, "wasm-function[7]");
	CHECK_STR(l1->name, "aot_func#3");
	CHECK_STR(l2->name, "spin_driver");
	CHECK_STR(l3->name, "wasm-function[12]");
	CHECK(l1->addr == l0->addr + 0x100 && l2->addr == l0->addr + 0x200);
	/* the move: wasm-function[7] by its index, R+0x100 -> R+0x1000 */
	CHECK(mv->index == l0->index && mv->addr == l0->addr && mv->new_addr == l0->addr + 0xf00);
	CHECK(mv->size == l0->size);
	/* the reused address: a new name where aot_func#3 was */
	CHECK(l3->addr == l1->addr && l3->index == 3 && strcmp(l3->name, l1->name) != 0);
	CHECK(l3->ts > mv->ts && mv->ts > l2->ts);
	/* the code is the JIT's: push %rbp; mov %rsp,%rbp ... ret */
	const struct rec *loads[] = {l0, l1, l2, l3};
	for (size_t k = 0; k < 4; k++) {
		const unsigned char *c = loads[k]->data;
		CHECK(loads[k]->size >= 16 && loads[k]->size < 64);
		CHECK(c[0] == 0x55 && c[1] == 0x48 && c[2] == 0x89 && c[3] == 0xe5);
		CHECK(c[loads[k]->size - 1] == 0xc3);
	}
	CHECK(memcmp(l1->data, l3->data, l1->size < l3->size ? l1->size : l3->size) != 0);
	/* the line table of the load after it */
	CHECK(dbg->addr == l0->addr && dbg->nent == 3);
	static const uint32_t lines[] = {10, 11, 12}, offs[] = {0, 4, 13};
	for (size_t k = 0; k < 3; k++) {
		CHECK(dbg->ent[k].code_addr == l0->addr + offs[k]);
		CHECK(dbg->ent[k].line == lines[k] && dbg->ent[k].discrim == 0);
		CHECK_STR(dbg->file[k], "compute.wat");
	}
}

/* What perf inject --jit made of the same dump. */
static void test_emit_vs_perf_inject(void)
{
	const struct rec *l1 = nth(&good, PP_JIT_CODE_LOAD, 1), *l3 = nth(&good, PP_JIT_CODE_LOAD, 3),
			 *mv = nth(&good, PP_JIT_CODE_MOVE, 0);
	if (!l1 || !l3 || !mv)
		return;
	/* one MMAP2 of jitted-PID-INDEX.so per load and per move, in dump
	 * order, at the record's address, size and time */
	FILE *f = fopen(path_of(src, "testdata/jitdump-emit/inject-mmaps.txt"), "r");
	CHECK(f != NULL);
	char line[1024];
	size_t i = 0, nmaps = 0;
	while (f && fgets(line, sizeof line, f)) {
		int pid, pid2, tid;
		unsigned long long sec, nsec, start, len, pgoff, index;
		CHECK(sscanf(line, "%*s %d %llu.%llu: PERF_RECORD_MMAP2 %d/%d: [0x%llx(0x%llx) @ 0x%llx",
			     &pid, &sec, &nsec, &pid2, &tid, &start, &len, &pgoff) == 8);
		const char *so = strstr(line, "/jitted-");
		CHECK(so && sscanf(so, "/jitted-%d-%llu.so", &pid2, &index) == 2);
		CHECK(strstr(line, "]: --xs /") != NULL);
		while (i < good.n && good.recs[i].type != PP_JIT_CODE_LOAD &&
		       good.recs[i].type != PP_JIT_CODE_MOVE)
			i++;
		CHECK(i < good.n);
		if (i == good.n)
			break;
		const struct rec *r = &good.recs[i++];
		nmaps++;
		CHECK((uint32_t)pid == good.hdr.pid && pid2 == pid);
		CHECK(start == (r->type == PP_JIT_CODE_LOAD ? r->addr : r->new_addr));
		CHECK(len == r->size && pgoff == 0x80 && index == r->index);
		CHECK(sec * 1000000000ull + nsec == r->ts);
	}
	if (f)
		fclose(f);
	CHECK(nmaps == 5);

	/* perf script of the injected recording: a frame in jitted-PID-N.so
	 * bears the name of load N; the old address of a move keeps no
	 * samples (the JIT overwrote it); a reused address gives the first
	 * name before the second load and the second after it */
	struct wp_lines *lr;
	CHECK(wp_lines_open(&lr, path_of(src, "testdata/jitdump-emit/inject.txt.gz"), 1 << 16) == 0);
	const char *ln;
	size_t n;
	uint64_t t_us = 0, frames[4] = {0}, moved = 0, wrong_time = 0, wrong_name = 0;
	while (lr && wp_lines_next(lr, &ln, &n) == 1) {
		char buf[1024];
		snprintf(buf, sizeof buf, "%.*s", (int)(n < 1023 ? n : 1023), ln);
		unsigned long long sec, usec, ip, index;
		int pid;
		char sym[256];
		if (buf[0] != '\t' && buf[0] != ' ') {
			if (sscanf(buf, "%*s %*s %llu.%llu:", &sec, &usec) == 2)
				t_us = sec * 1000000ull + usec;
			continue;
		}
		const char *so = strstr(buf, "/jitted-");
		if (!so || sscanf(buf, " %llx %255s", &ip, sym) != 2 ||
		    sscanf(so, "/jitted-%d-%llu.so)", &pid, &index) != 2 || index >= 4)
			continue;
		char *plus = strstr(sym, "+0x");
		if (plus)
			*plus = '\0';
		const struct rec *l = nth(&good, PP_JIT_CODE_LOAD, (size_t)index);
		frames[index]++;
		wrong_name += !l || strcmp(sym, l->name) != 0;
		if (index == 0 && t_us * 1000 > mv->ts)
			moved++;
		if (index == 1 && t_us * 1000 >= l3->ts)
			wrong_time++;
		if (index == 3 && t_us * 1000 + 999 < l3->ts)
			wrong_time++;
	}
	wp_lines_free(lr);
	for (size_t k = 0; k < 4; k++)
		CHECK(frames[k] > 0);
	CHECK(moved > 0);
	CHECK(wrong_name == 0);
	CHECK(wrong_time == 0);
}

/* ---- testdata/jitdump-bad ---- */

/* Reads a bad dump from its file and from memory: both must agree. */
static void read_bad(struct run *run, const char *name)
{
	const char *path = path_of(src, "testdata/jitdump-bad");
	char full[4096];
	snprintf(full, sizeof full, "%s/%s", path, name);
	read_run(run, full, NULL, 0);
	size_t len;
	char *bytes = check_slurp(full, &len);
	CHECK(bytes != NULL);
	struct run mem;
	read_run(&mem, full, bytes ? bytes : "", bytes ? len : 0);
	CHECK(mem.open_rc == run->open_rc && mem.rc == run->rc && mem.n == run->n);
	CHECK_STR(mem.err, run->err);
	CHECK(mem.nwarn == run->nwarn);
	CHECK_STR(mem.warning, run->warning);
	for (size_t i = 0; i < mem.n && i < run->n; i++)
		CHECK(same_record(&mem.recs[i], &run->recs[i]) && mem.recs[i].off == run->recs[i].off);
	release_run(&mem);
	free(bytes);
}

/* Valid variants: the same records as the real dump. */
static void test_valid_variants(void)
{
	struct run r;
	/* written on a host of the other byte order */
	read_bad(&r, "swapped.dump");
	CHECK(r.open_rc == 0 && r.rc == 0 && r.nwarn == 0);
	CHECK(r.hdr.swapped);
	CHECK(r.hdr.version == good.hdr.version && r.hdr.total_size == good.hdr.total_size &&
	      r.hdr.elf_mach == good.hdr.elf_mach && r.hdr.pid == good.hdr.pid &&
	      r.hdr.timestamp == good.hdr.timestamp && r.hdr.flags == good.hdr.flags);
	CHECK(r.n == good.n);
	for (size_t i = 0; i < r.n && i < good.n; i++)
		CHECK(same_record(&r.recs[i], &good.recs[i]) && r.recs[i].off == good.recs[i].off);
	release_run(&r);

	/* a header of 48 bytes: 8 more to skip */
	read_bad(&r, "bigheader.dump");
	CHECK(r.open_rc == 0 && r.rc == 0 && r.hdr.total_size == 48 && !r.hdr.swapped);
	CHECK(r.n == good.n);
	for (size_t i = 0; i < r.n && i < good.n; i++)
		CHECK(same_record(&r.recs[i], &good.recs[i]) && r.recs[i].off == good.recs[i].off + 8);
	release_run(&r);

	/* a record of an unknown id (24 bytes) before the first load: skipped */
	read_bad(&r, "unknown.dump");
	CHECK(r.open_rc == 0 && r.rc == 0 && r.nwarn == 0);
	CHECK(r.n == good.n);
	for (size_t i = 0; i < r.n && i < good.n; i++)
		CHECK(same_record(&r.recs[i], &good.recs[i]) &&
		      r.recs[i].off == good.recs[i].off + (i ? 24 : 0));
	release_run(&r);
}

/* Cut and damaged dumps: the records before the damage, then a warning
 * (cut) or a one-line error naming the record's offset. */
static void test_bad_dumps(void)
{
	uint64_t dbg_size = off_load[0] - 40;
	char fit[128];
	snprintf(fit, sizeof fit,
		 "JIT_CODE_DEBUG_INFO of 1099511627776 entries: they do not fit in its %" PRIu64
		 " bytes", dbg_size - 32);
	const struct {
		const char *file;
		bool open_fails;
		int rc;              /* of open, or of the last next */
		uint64_t off;
		size_t nrecords;     /* delivered before */
		const char *what;
	} cases[] = {
		{"magic.dump", true, WP_E_FORMAT, 0, 0,
		 "not a jitdump: magic 0x21464c45, want 0x4a695444 (\"JiTD\")"},
		{"version.dump", true, WP_E_FORMAT, 4, 0, "jitdump version 7: only 1 and 2 are known"},
		{"hdrsize.dump", true, WP_E_FORMAT, 8, 0, "header size 24: smaller than 40 bytes"},
		{"tiny.dump", false, WP_E_FORMAT, 40, 0, "record size 8: smaller than its 16-byte prefix"},
		{"huge.dump", false, WP_E_TOOBIG, 40, 0,
		 "record size 4294967280: larger than the 1024 MiB limit"},
		{"shortload.dump", false, WP_E_FORMAT, off_load[0], 1,
		 "JIT_CODE_LOAD of 36 bytes: shorter than its 56 bytes of fields"},
		{"noname.dump", false, WP_E_FORMAT, off_load[0], 1, "JIT_CODE_LOAD name without its NUL"},
		{"codesize.dump", false, WP_E_FORMAT, off_load[0], 1,
		 "JIT_CODE_LOAD 'wasm-function[7]': code size 1099511627776, only 22 bytes left in the "
		 "record"},
		{"debug.dump", false, WP_E_FORMAT, 40, 0, fit},
		{"debugname.dump", false, WP_E_FORMAT, 40, 0,
		 "JIT_CODE_DEBUG_INFO entry 2 of 3: file name without its NUL"},
		{"unwind.dump", false, WP_E_FORMAT, off_load[0], 1,
		 "JIT_CODE_UNWINDING_INFO of 4096 bytes (.eh_frame_hdr 20): the record holds 24"},
		{"cut.dump", false, 0, off_load[1], 2,
		 "record cut by the end of the file (the runtime was still writing?)"},
		{"cutprefix.dump", false, 0, off_load[1], 2,
		 "record cut by the end of the file (the runtime was still writing?)"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct run r;
		read_bad(&r, cases[i].file);
		char want[4096];
		snprintf(want, sizeof want, "'%s/testdata/jitdump-bad/%s': offset 0x%" PRIx64 ": %s", src,
			 cases[i].file, cases[i].off, cases[i].what);
		if (cases[i].open_fails) {
			CHECK(r.open_rc == cases[i].rc);
			CHECK_STR(r.err, want);
		} else if (cases[i].rc) {
			CHECK(r.open_rc == 0 && r.rc == cases[i].rc);
			CHECK_STR(r.err, want);
			CHECK(r.nwarn == 0);
		} else {
			CHECK(r.open_rc == 0 && r.rc == 0 && r.err[0] == '\0');
			CHECK(r.nwarn == 1);
			CHECK_STR(r.warning, want);
		}
		CHECK(r.n == cases[i].nrecords);
		for (size_t k = 0; k < r.n && k < good.n; k++)
			CHECK(same_record(&r.recs[k], &good.recs[k]));
		CHECK(!strchr(r.err, '\n'));
		if (r.n != cases[i].nrecords || (cases[i].rc && strcmp(r.err, want)))
			fprintf(stderr, "  in %s\n", cases[i].file);
		release_run(&r);
	}
}

/* A gzipped fixture's bytes (caller frees), or NULL. */
static char *gunzip(const char *path, size_t *len)
{
	gzFile gz = gzopen(path, "rb");
	if (!gz)
		return NULL;
	size_t cap = 1 << 16;
	char *bytes = malloc(cap);
	int got;
	*len = 0;
	while (bytes && (got = gzread(gz, bytes + *len, (unsigned)(cap - *len))) > 0) {
		if ((*len += (size_t)got) == cap) {
			char *grown = realloc(bytes, cap *= 2);
			if (!grown)
				free(bytes);
			bytes = grown;
		}
	}
	gzclose(gz);
	return bytes;
}

/* ---- WAMR's LLVM JIT (iwasm --enable-linux-perf) ---- */

static void test_wamr(void)
{
	size_t len;
	char *bytes = gunzip(path_of(src, "testdata/fixtures/wamr-jit-compute/jit-30837.dump.gz"), &len);
	CHECK(bytes != NULL);
	if (!bytes)
		return;
	const char *syms = path_of(src, "testdata/fixtures/wamr-jit-compute/jit-syms.txt");
	struct run r;
	read_run(&r, "jit-30837.dump", bytes, len);
	free(bytes);
	CHECK(r.open_rc == 0 && r.rc == 0 && r.nwarn == 0);
	CHECK(r.hdr.pid == 30837 && r.hdr.version == 1 && r.hdr.elf_mach == 62 && !r.hdr.swapped);
	CHECK(r.hdr.flags == 0);
	/* jit-syms.txt is the dump's CODE_LOADs in file order: "ADDR  SIZE  NAME" */
	FILE *f = fopen(syms, "r");
	char line[512];
	size_t k = 0, nlines = 0;
	uint64_t t = r.hdr.timestamp;
	for (size_t i = 0; i < r.n; i++) {
		CHECK(r.recs[i].ts >= t);
		t = r.recs[i].ts;
	}
	while (f && fgets(line, sizeof line, f)) {
		unsigned long long addr, size;
		char name[256];
		CHECK(sscanf(line, "%llx %llx %255s", &addr, &size, name) == 3);
		nlines++;
		const struct rec *l = nth(&r, PP_JIT_CODE_LOAD, k++);
		CHECK(l != NULL);
		if (!l)
			break;
		CHECK(l->addr == addr && l->size == size);
		CHECK(l->vma == 0); /* WAMR leaves vma 0 (V8 and jitemit repeat code_addr) */
		CHECK_STR(l->name, name);
		CHECK(l->pid == 30837);
	}
	if (f)
		fclose(f);
	CHECK(nlines == 86);
	CHECK(count_type(&r, PP_JIT_CODE_LOAD) == nlines);
	/* LLVM's JIT writes loads only: no line tables, no unwinding info */
	CHECK(r.n == nlines);
	release_run(&r);
}

/* ---- V8 (node --perf-prof --perf-prof-unwinding-info), testdata/jit-node ---- */

static void test_v8(void)
{
	size_t len;
	char *bytes = gunzip(path_of(src, "testdata/jit-node/jit-22823.dump.gz"), &len);
	CHECK(bytes != NULL);
	if (!bytes)
		return;
	struct run r;
	read_run(&r, "jit-22823.dump", bytes, len);
	CHECK(r.open_rc == 0 && r.rc == 0 && r.nwarn == 0);
	CHECK(r.hdr.pid == 22823 && r.hdr.version == 1 && r.hdr.elf_mach == 62);
	CHECK(count_type(&r, PP_JIT_CODE_LOAD) == 2544);
	CHECK(count_type(&r, PP_JIT_CODE_DEBUG_INFO) == 20);
	CHECK(count_type(&r, PP_JIT_CODE_UNWINDING_INFO) == 2515);
	CHECK(count_type(&r, PP_JIT_CODE_MOVE) == 0);
	const struct rec *first = nth(&r, PP_JIT_CODE_LOAD, 0);
	CHECK(first && !strcmp(first->name, "Builtin:DeoptimizationEntry_Eager") &&
	      first->addr == 0x18c4000 && first->vma == first->addr);
	/* its code and unwinding bytes were zeroed to keep it small (see
	 * testdata/gen/jit-node/gen.sh): only sizes here */
	size_t empty = 0;
	for (size_t i = 0; i < r.n; i++)
		empty += r.recs[i].type == PP_JIT_CODE_UNWINDING_INFO && r.recs[i].hdr_size == 20 &&
			 r.recs[i].size == 20 && r.recs[i].mapped_size == 0;
	CHECK(empty == 2513);
	release_run(&r);
	free(bytes);

	/* V8's CFI for one function, in a small dump of tests/fuzz/corpus:
	 * the unwinding data is .eh_frame first, .eh_frame_hdr in its last
	 * eh_frame_hdr_size bytes (what perf's genelf.c expects, and V8
	 * writes): a CIE of 0x18 bytes, then the header's version 1 and the
	 * encodings V8 uses (pcrel|sdata4, udata4, datarel|sdata4) */
	read_run(&r, path_of(src, "tests/fuzz/corpus/jitdump/v8-unwinding-info.dump"), NULL, 0);
	CHECK(r.open_rc == 0 && r.rc == 0 && r.n == 2);
	if (r.n == 2) {
		const struct rec *u = &r.recs[0];
		CHECK(u->type == PP_JIT_CODE_UNWINDING_INFO && u->size == 96 && u->hdr_size == 20 &&
		      u->mapped_size == 96);
		CHECK(memcmp(u->data, "\x18\0\0\0\0\0\0\0", 8) == 0);
		CHECK(memcmp(u->data + u->size - u->hdr_size, "\x01\x1b\x03\x3b", 4) == 0);
		CHECK(r.recs[1].type == PP_JIT_CODE_LOAD);
	}
	release_run(&r);
}

/* ---- synthetic dumps ---- */

struct bytes {
	unsigned char *p;
	size_t n, cap;
};

static void put(struct bytes *b, const void *p, size_t n)
{
	if (b->n + n > b->cap) {
		while (b->n + n > b->cap)
			b->cap = b->cap ? b->cap * 2 : 4096;
		b->p = realloc(b->p, b->cap);
	}
	memcpy(b->p + b->n, p, n);
	b->n += n;
}
static void put32(struct bytes *b, uint32_t v) { put(b, &v, 4); }
static void put64(struct bytes *b, uint64_t v) { put(b, &v, 8); }

static void header(struct bytes *b, uint32_t version)
{
	put32(b, 0x4A695444);
	put32(b, version);
	put32(b, 40);
	put32(b, 183);
	put32(b, 0);
	put32(b, 4242);
	put64(b, 1000);
	put64(b, 1);
}

static void load(struct bytes *b, uint64_t ts, uint64_t addr, const char *name, size_t code_size)
{
	put32(b, 0);
	put32(b, (uint32_t)(16 + 40 + strlen(name) + 1 + code_size));
	put64(b, ts);
	put32(b, 1);
	put32(b, 2);
	put64(b, addr);
	put64(b, addr);
	put64(b, code_size);
	put64(b, 9);
	put(b, name, strlen(name) + 1);
	unsigned char *code = malloc(code_size + 1);
	for (size_t i = 0; i < code_size; i++)
		code[i] = (unsigned char)(i * 7);
	put(b, code, code_size);
	free(code);
}

static char *write_tmp(const struct bytes *b, char *path)
{
	strcpy(path, "/tmp/test_jitdump.XXXXXX");
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	if (fd < 0)
		return path;
	CHECK(write(fd, b->p, b->n) == (ssize_t)b->n);
	close(fd);
	return path;
}

static void test_synthetic(void)
{
	struct run r;
	char tmp[64];

	/* version 2, the ARCH_TIMESTAMP flag, an AArch64 writer; a large
	 * record from a file (read in growing chunks), an unwinding record
	 * padded to 8 bytes, a debug record without entries, a close */
	struct bytes b = {0};
	header(&b, 2);
	load(&b, 2000, 0x10000, "big", 3u << 20);
	put32(&b, 4);
	put32(&b, 16 + 24 + 20 + 4);
	put64(&b, 3000);
	put64(&b, 20);
	put64(&b, 8);
	put64(&b, 20);
	for (int i = 0; i < 24; i++)
		put(&b, "\x11", 1);
	put32(&b, 2);
	put32(&b, 32);
	put64(&b, 3500);
	put64(&b, 0x20000);
	put64(&b, 0);
	load(&b, 4000, 0x20000, "", 0);
	put32(&b, 3);
	put32(&b, 16);
	put64(&b, 5000);
	read_run(&r, write_tmp(&b, tmp), NULL, 0);
	CHECK(r.open_rc == 0 && r.rc == 0 && r.nwarn == 0);
	CHECK(r.hdr.version == 2 && r.hdr.elf_mach == 183 && r.hdr.pid == 4242);
	CHECK(r.hdr.flags == PP_JITDUMP_FLAGS_ARCH_TIMESTAMP);
	CHECK(r.n == 5);
	if (r.n == 5) {
		CHECK(r.recs[0].size == 3u << 20 && r.recs[0].data[(3u << 20) - 1] ==
			(unsigned char)(((3u << 20) - 1) * 7));
		CHECK_STR(r.recs[0].name, "big");
		CHECK(r.recs[1].type == PP_JIT_CODE_UNWINDING_INFO && r.recs[1].size == 20 &&
		      r.recs[1].hdr_size == 8 && r.recs[1].mapped_size == 20 &&
		      r.recs[1].data[19] == 0x11);
		CHECK(r.recs[2].type == PP_JIT_CODE_DEBUG_INFO && r.recs[2].nent == 0 &&
		      r.recs[2].addr == 0x20000);
		CHECK(r.recs[3].type == PP_JIT_CODE_LOAD && r.recs[3].size == 0);
		CHECK_STR(r.recs[3].name, "");
		CHECK(r.recs[4].type == PP_JIT_CODE_CLOSE && r.recs[4].ts == 5000);
	}
	/* the same from memory */
	struct run m;
	read_run(&m, tmp, b.p, b.n);
	CHECK(m.n == r.n && m.rc == 0);
	for (size_t i = 0; i < m.n && i < r.n; i++)
		CHECK(same_record(&m.recs[i], &r.recs[i]));
	release_run(&m);
	release_run(&r);
	unlink(tmp);

	/* a record that promises 512 MiB in a small file: cut, a warning (the
	 * buffer follows the bytes that are there) */
	b.n = 0;
	header(&b, 1);
	put32(&b, 0);
	put32(&b, 512u << 20);
	put64(&b, 7);
	put(&b, "abc", 3);
	read_run(&r, write_tmp(&b, tmp), NULL, 0);
	CHECK(r.open_rc == 0 && r.rc == 0 && r.n == 0 && r.nwarn == 1);
	CHECK(strstr(r.warning, ": offset 0x28: record cut by the end of the file") != NULL);
	release_run(&r);
	unlink(tmp);

	/* above the 1 GiB cap: an error, even when the file is that big */
	b.n = 0;
	header(&b, 1);
	put32(&b, 0);
	put32(&b, (1u << 30) + 1);
	put64(&b, 7);
	read_run(&r, "cap.dump", b.p, b.n);
	CHECK(r.rc == WP_E_TOOBIG);
	CHECK_STR(r.err, "'cap.dump': offset 0x28: record size 1073741825: larger than the 1024 MiB limit");
	release_run(&r);

	/* an unknown record cut by the end: skipped up to there, a warning */
	b.n = 0;
	header(&b, 1);
	load(&b, 10, 0x1000, "f", 4);
	put32(&b, 77);
	put32(&b, 100);
	put64(&b, 11);
	read_run(&r, "unk.dump", b.p, b.n);
	CHECK(r.rc == 0 && r.n == 1 && r.nwarn == 1);
	read_run(&m, write_tmp(&b, tmp), NULL, 0);
	CHECK(m.rc == 0 && m.n == 1 && m.nwarn == 1);
	release_run(&m);
	release_run(&r);
	unlink(tmp);

	/* a header and nothing else: no records, no warning */
	b.n = 0;
	header(&b, 1);
	read_run(&r, "empty.dump", b.p, b.n);
	CHECK(r.open_rc == 0 && r.rc == 0 && r.n == 0 && r.nwarn == 0);
	/* the header cut short, and nothing at all */
	read_run(&r, "short.dump", b.p, 30);
	CHECK(r.open_rc == WP_E_FORMAT);
	CHECK_STR(r.err, "'short.dump': offset 0x0: header cut short: 30 of 40 bytes");
	read_run(&r, "none.dump", b.p, 0);
	CHECK(r.open_rc == WP_E_FORMAT);
	CHECK_STR(r.err, "'none.dump': offset 0x0: not a jitdump: 0 bytes, shorter than the magic");
	/* a header larger than the file */
	b.p[8] = 200;
	read_run(&r, "hdr.dump", b.p, b.n);
	CHECK(r.open_rc == WP_E_FORMAT);
	CHECK_STR(r.err, "'hdr.dump': offset 0x8: header size 200: the file ends at 0x28");
	free(b.p);

	/* a missing file */
	read_run(&r, "/nonexistent/jit-1.dump", NULL, 0);
	CHECK(r.open_rc == WP_E_NOTFOUND);
	CHECK_STR(r.err, "cannot open '/nonexistent/jit-1.dump': No such file or directory");
	pp_jitdump_free(NULL);
}

int main(void)
{
	/* the source tree: $WASMPERF_SRC (ctest), else from __FILE__ */
	const char *e = getenv("WASMPERF_SRC");
	snprintf(src, sizeof src, "%s", e ? e : __FILE__);
	char *tail = e ? NULL : strstr(src, "/tests/unit/test_jitdump.c");
	if (tail)
		*tail = '\0';
	else if (!e)
		snprintf(src, sizeof src, ".");
	test_emit_records();
	test_emit_vs_perf_inject();
	test_valid_variants();
	test_bad_dumps();
	test_wamr();
	test_v8();
	test_synthetic();
	release_run(&good);
	return check_report();
}
