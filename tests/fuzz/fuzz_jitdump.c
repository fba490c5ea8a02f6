/* fuzz_jitdump.c - bytes through the jitdump reader twice: from memory
 * (pp_jitdump_open_mem) and as a file (pp_jitdump_open on a memfd, the
 * streaming path the tools use); both must deliver the same records, the
 * same warnings and the same error. Every pointer a record hands out is
 * read to its stated length (ASan checks it stays inside the reader's
 * copy); messages are single lines naming an offset. (What the symbolizer
 * does with such records is fuzz_jit_symbols.c.) */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "perfparse.h"
#include "fuzz_memfd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reads every byte, so that ASan sees a stated length that is too long. */
static uint64_t touch(const void *p, size_t n)
{
	volatile uint8_t sum = 0;
	for (size_t i = 0; i < n; i++)
		sum ^= ((const uint8_t *)p)[i];
	return sum;
}

/* What one pass saw, to compare the memory and file readers. */
struct digest {
	int open_rc, end_rc;
	uint64_t nrecords, nwarnings, hash;
	char err[600], warning[600];
};

static void mix(struct digest *d, uint64_t v)
{
	d->hash = (d->hash ^ v) * 0x100000001b3ull;
}

static void mix_str(struct digest *d, const char *s)
{
	for (; *s; s++)
		mix(d, (uint8_t)*s);
	mix(d, 0x5a);
}

static void one_line(const char *msg)
{
	if (!msg[0] || strchr(msg, '\n') || !strstr(msg, ": offset 0x"))
		__builtin_trap();
}

static void on_warning(void *ctx, const char *msg)
{
	struct digest *d = ctx;
	one_line(msg);
	d->nwarnings++;
	snprintf(d->warning, sizeof d->warning, "%s", msg);
}

/* One record into the digest; every pointer read to its stated length. */
static void digest_record(struct digest *d, const struct pp_jit_record *r, size_t size)
{
	if (r->offset < 40 || r->offset >= size)
		__builtin_trap();
	mix(d, r->type);
	mix(d, r->offset);
	mix(d, r->timestamp);
	switch (r->type) {
	case PP_JIT_CODE_LOAD:
		mix(d, r->u.load.pid);
		mix(d, r->u.load.tid);
		mix(d, r->u.load.vma);
		mix(d, r->u.load.code_addr);
		mix(d, r->u.load.code_size);
		mix(d, r->u.load.code_index);
		mix_str(d, r->u.load.name);
		mix(d, touch(r->u.load.code, (size_t)r->u.load.code_size));
		break;
	case PP_JIT_CODE_MOVE:
		mix(d, r->u.move.pid);
		mix(d, r->u.move.tid);
		mix(d, r->u.move.vma);
		mix(d, r->u.move.old_code_addr);
		mix(d, r->u.move.new_code_addr);
		mix(d, r->u.move.code_size);
		mix(d, r->u.move.code_index);
		break;
	case PP_JIT_CODE_DEBUG_INFO:
		mix(d, r->u.debug.code_addr);
		mix(d, r->u.debug.nentries);
		for (size_t i = 0; i < r->u.debug.nentries; i++) {
			mix(d, r->u.debug.entries[i].code_addr);
			mix(d, r->u.debug.entries[i].line);
			mix(d, r->u.debug.entries[i].discrim);
			mix_str(d, r->u.debug.entries[i].file);
		}
		break;
	case PP_JIT_CODE_UNWINDING_INFO:
		if (r->u.unwind.eh_frame_hdr_size > r->u.unwind.unwind_data_size)
			__builtin_trap();
		mix(d, r->u.unwind.unwind_data_size);
		mix(d, r->u.unwind.eh_frame_hdr_size);
		mix(d, r->u.unwind.mapped_size);
		mix(d, touch(r->u.unwind.data, (size_t)r->u.unwind.unwind_data_size));
		break;
	case PP_JIT_CODE_CLOSE:
		break;
	default:
		__builtin_trap(); /* unknown ids are skipped, never returned */
	}
}

static void finish(struct digest *d, struct pp_jitdump *j, int rc)
{
	d->end_rc = rc;
	if (rc < 0) {
		one_line(pp_jitdump_errmsg(j));
		snprintf(d->err, sizeof d->err, "%s", pp_jitdump_errmsg(j));
	}
	const struct pp_jit_record *r;
	if (pp_jitdump_next(j, &r) != rc || r) /* the end is sticky */
		__builtin_trap();
}

/* The same bytes as a file (a memfd holding them), through the streaming
 * reader. */
static void file_pass(const char *path, size_t size, struct digest *d)
{
	struct pp_jitdump *j;
	d->open_rc = pp_jitdump_open(&j, path, on_warning, d);
	if (d->open_rc == 0) {
		const struct pp_jit_record *r;
		int rc;
		while ((rc = pp_jitdump_next(j, &r)) == 1) {
			d->nrecords++;
			digest_record(d, r, size);
		}
		finish(d, j, rc);
	} else if (j) {
		snprintf(d->err, sizeof d->err, "%s", pp_jitdump_errmsg(j));
	}
	pp_jitdump_free(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* both passes are named after the file, so that messages compare equal */
	int fd = fuzz_memfd("fuzz.dump", data, size);
	char name[64] = "fuzz.dump";
	if (fd >= 0)
		snprintf(name, sizeof name, "/proc/self/fd/%d", fd);

	struct digest mem = {0};
	struct pp_jitdump *j;
	mem.open_rc = pp_jitdump_open_mem(&j, data, size, name, on_warning, &mem);
	if (mem.open_rc != 0) {
		if (j) {
			one_line(pp_jitdump_errmsg(j)); /* a failure always says why, and where */
			snprintf(mem.err, sizeof mem.err, "%s", pp_jitdump_errmsg(j));
		}
		pp_jitdump_free(j);
		j = NULL;
	}
	const struct pp_jit_record *r;
	int rc = 0;
	while (j && (rc = pp_jitdump_next(j, &r)) == 1) {
		mem.nrecords++;
		digest_record(&mem, r, size);
	}
	if (j)
		finish(&mem, j, rc);
	pp_jitdump_free(j);

	/* the streaming file reader must agree with the memory reader */
	struct digest file = {0};
	if (fd >= 0) {
		file_pass(name, size, &file);
		close(fd);
		bool nomem = mem.open_rc == WP_E_NOMEM || mem.end_rc == WP_E_NOMEM ||
			     file.open_rc == WP_E_NOMEM || file.end_rc == WP_E_NOMEM;
		if (!nomem && (file.open_rc != mem.open_rc || file.end_rc != mem.end_rc ||
			       file.nrecords != mem.nrecords || file.hash != mem.hash ||
			       file.nwarnings != mem.nwarnings ||
			       strcmp(file.warning, mem.warning) != 0 || strcmp(file.err, mem.err) != 0))
			__builtin_trap();
	}

	return 0;
}
