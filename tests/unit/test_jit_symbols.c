/* test_jit_symbols.c - JIT code from jitdumps in the native symbolizer:
 * time-versioned loads, reused addresses, moves, code over anonymous
 * memory and over a file's text, fork and exec. */
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "check.h"
#include "symbolizer.h"

static struct sym_native *fresh(void)
{
	struct sym_native_options o;
	sym_native_options_init(&o);
	o.no_proc_kallsyms = true;
	o.perf_map_dir = "/nonexistent";
	return sym_native_new(&o, NULL, NULL);
}

static const char *name_at(struct sym_native *s, int32_t pid, uint64_t time, uint64_t addr,
			   struct sym_frame *f)
{
	if (sym_native_resolve(s, pid, time, addr, false, f) != 0)
		return "(error)";
	return f->symbol ? f->symbol : "[unknown]";
}

static void load(struct sym_native *s, uint64_t time, int32_t pid, uint64_t start, uint64_t size,
		 const char *name, const char *module)
{
	struct sym_native_jit j = {time, pid, start, size, name, module, NULL, 0, 0};
	CHECK(sym_native_jit_load(s, &j) == 0);
}

/* A load names its code from its time on; a later load at the same
 * address takes over from its time; earlier samples keep the old name. */
static void test_reuse_over_time(void)
{
	struct sym_native *s = fresh();
	struct sym_native_map anon = {.time = 10, .pid = 7, .tid = 7, .start = 0x10000,
				      .len = 0x10000, .filename = "//anon",
				      .prot = PROT_READ | PROT_EXEC};
	CHECK(sym_native_mmap(s, &anon) == 0);
	load(s, 100, 7, 0x11000, 0x100, "aot_func#1", "/tmp/jitted-7-1.so");
	load(s, 200, 7, 0x11000, 0x80, "wasm-function[9]", "/tmp/jitted-7-2.so");
	struct sym_frame f;
	/* before any load: the anonymous region, a perf map that does not exist */
	CHECK_STR(name_at(s, 7, 50, 0x11010, &f), "[unknown]");
	CHECK_STR(f.module, "/tmp/perf-7.map");
	CHECK_STR(name_at(s, 7, 150, 0x11010, &f), "aot_func#1");
	CHECK_STR(f.module, "/tmp/jitted-7-1.so");
	CHECK(f.jit && f.offset == 0x10 && f.map_addr == 0x90);
	CHECK_STR(name_at(s, 7, 250, 0x11010, &f), "wasm-function[9]");
	CHECK_STR(f.module, "/tmp/jitted-7-2.so");
	/* the tail of the old code is not covered by the new, smaller one */
	CHECK_STR(name_at(s, 7, 250, 0x110c0, &f), "aot_func#1");
	/* asked again about the past after the cache saw the present */
	CHECK_STR(name_at(s, 7, 150, 0x11010, &f), "aot_func#1");
	/* another process does not see it */
	CHECK_STR(name_at(s, 8, 250, 0x11010, &f), "[unknown]");
	sym_native_free(s);
}

static void test_move(void)
{
	struct sym_native *s = fresh();
	load(s, 100, 5, 0x20000, 0x40, "moved_fn", "/d/jitted-5-3.so");
	struct sym_native_jit mv = {300, 5, 0x30000, 0x40, NULL, NULL, NULL, 0, 0};
	CHECK(sym_native_jit_move(s, &mv, 0x20000) == 0);
	struct sym_frame f;
	CHECK_STR(name_at(s, 5, 200, 0x20004, &f), "moved_fn");
	CHECK_STR(name_at(s, 5, 200, 0x30004, &f), "[unknown]");
	CHECK_STR(name_at(s, 5, 400, 0x30004, &f), "moved_fn");
	CHECK_STR(f.module, "/d/jitted-5-3.so"); /* kept: the move named none */
	CHECK_STR(name_at(s, 5, 400, 0x20004, &f), "[unknown]");
	/* a move of code never loaded */
	struct sym_native_jit bad = {500, 5, 0x40000, 0x10, NULL, NULL, NULL, 0, 0};
	CHECK(sym_native_jit_move(s, &bad, 0x99999) == WP_E_NOTFOUND);
	struct sym_native_jit empty = {500, 5, 0x40000, 0, "x", "m", NULL, 0, 0};
	CHECK(sym_native_jit_load(s, &empty) == WP_E_FORMAT);
	struct sym_native_jit wrap = {500, 5, UINT64_MAX - 4, 0x10, "x", "m", NULL, 0, 0};
	CHECK(sym_native_jit_load(s, &wrap) == WP_E_FORMAT);
	sym_native_free(s);
}

/* V8 logs builtins that live in node's own text: the JIT name wins over
 * the file mapped there, whatever the order of the records. */
static void test_over_file_text(void)
{
	struct sym_native *s = fresh();
	load(s, 0, 9, 0x401000, 0x20, "Builtin:ArgumentsAdaptorTrampoline", "/x/jitted-9-0.so");
	struct sym_native_map text = {.time = 50, .pid = 9, .tid = 9, .start = 0x400000,
				      .len = 0x100000, .pgoff = 0, .filename = "/nonexistent/node",
				      .prot = PROT_READ | PROT_EXEC};
	CHECK(sym_native_mmap(s, &text) == 0);
	struct sym_frame f;
	CHECK_STR(name_at(s, 9, 60, 0x401004, &f), "Builtin:ArgumentsAdaptorTrampoline");
	CHECK_STR(name_at(s, 9, 60, 0x402000, &f), "[unknown]");
	CHECK_STR(f.module, "/nonexistent/node");
	/* a fork keeps the code, an exec ends it */
	CHECK(sym_native_fork(s, 70, 10, 9, 10, 9) == 0);
	CHECK_STR(name_at(s, 10, 80, 0x401004, &f), "Builtin:ArgumentsAdaptorTrampoline");
	CHECK(sym_native_comm(s, 90, 10, 10, "other", true) == 0);
	CHECK_STR(name_at(s, 10, 95, 0x401004, &f), "[unknown]");
	CHECK(f.unmapped);
	CHECK_STR(name_at(s, 9, 95, 0x401004, &f), "Builtin:ArgumentsAdaptorTrampoline");
	struct sym_native_stats st;
	sym_native_get_stats(s, &st);
	CHECK(st.jit_functions == 1); /* the child's copy counts as a mapping */
	sym_native_free(s);
}

/* Many small functions, as a JIT logs them: lookups stay exact. */
static void test_many(void)
{
	struct sym_native *s = fresh();
	char name[32];
	for (unsigned i = 0; i < 20000; i++) {
		/* scattered order, as code pages fill */
		unsigned k = (i * 7919u) % 20000u;
		snprintf(name, sizeof name, "f%u", k);
		load(s, 1, 3, 0x1000000 + (uint64_t)k * 0x40, 0x40, name, "/m");
	}
	struct sym_frame f;
	unsigned ok = 0;
	for (unsigned k = 0; k < 20000; k += 97) {
		snprintf(name, sizeof name, "f%u", k);
		const char *got = name_at(s, 3, 2, 0x1000000 + (uint64_t)k * 0x40 + 0x3f, &f);
		ok += strcmp(got, name) == 0;
	}
	CHECK(ok == (20000 + 96) / 97);
	sym_native_free(s);
}

/* V8's unwinding info for JS:*jsWork (1112 bytes of code), from a real
 * node --perf-prof-unwinding-info jitdump: .eh_frame (CIE zLR, CFA rsp+8,
 * return address at CFA-8; one FDE) then its 20-byte .eh_frame_hdr. */
static const uint8_t v8_cfi[96] = {
	0x18, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x7a, 0x4c, 0x52, 0x00, 0x01, 0x78, 0x10,
	0x02, 0xff, 0x1b, 0x0c, 0x07, 0x08, 0x90, 0x01, 0x00, 0x00, 0x00, 0x00, 0x28, 0x00, 0x00, 0x00,
	0x20, 0x00, 0x00, 0x00, 0x84, 0xfb, 0xff, 0xff, 0x58, 0x04, 0x00, 0x00, 0x00, 0x4f, 0x0e, 0x10,
	0x86, 0x02, 0x43, 0x0d, 0x06, 0x03, 0x30, 0x03, 0x0d, 0x07, 0x41, 0x0e, 0x08, 0x52, 0x0c, 0x06,
	0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x1b, 0x03, 0x3b,
	0xb0, 0xff, 0xff, 0xff, 0x01, 0x00, 0x00, 0x00, 0x5c, 0xfb, 0xff, 0xff, 0xd0, 0xff, 0xff, 0xff,
};

/* A sample at the first instruction of JIT code, rbp 0 (no frame-pointer
 * chain to follow): only the code's CFI finds the caller, whose return
 * address sits at [rsp]. */
static size_t unwind_at_entry(bool with_cfi, uint64_t *caller)
{
	struct sym_native *s = fresh();
	struct sym_native_jit c = {10, 4, 0x10000, 1112, "JS:*jsWork", "/d/jitted-4-1.so",
				   with_cfi ? v8_cfi : NULL, sizeof v8_cfi, 20};
	CHECK(sym_native_jit_load(s, &c) == 0);
	struct sym_unwind *u = sym_unwind_new(s, NULL, NULL);
	uint64_t regs[3] = {0 /* bp */, 0x7ff000 /* sp */, 0x10000 /* ip */};
	uint8_t stack[64] = {0};
	uint64_t ret = 0x20005;
	memcpy(stack, &ret, sizeof ret);
	struct sym_unwind_sample smp = {.pid = 4, .tid = 4, .time = 20, .machine = 62, .abi = 2,
					.mask = (1u << 6) | (1u << 7) | (1u << 8), .regs = regs,
					.nregs = 3, .stack = stack, .stack_size = sizeof stack};
	uint64_t pcs[8];
	int n = sym_unwind_frames(u, &smp, pcs, 8);
	*caller = n > 1 ? pcs[1] : 0;
	struct sym_unwind_stats st;
	sym_unwind_get_stats(u, &st);
	CHECK(st.jit_cfi == (with_cfi ? 1u : 0u));
	sym_unwind_free(u);
	sym_native_free(s);
	return n > 0 ? (size_t)n : 0;
}

static void test_jit_cfi(void)
{
	uint64_t caller;
	CHECK(unwind_at_entry(true, &caller) >= 2);
	CHECK(caller == 0x20004); /* the call site: return address - 1 */
	CHECK(unwind_at_entry(false, &caller) == 1);
}

int main(void)
{
	test_jit_cfi();
	test_reuse_over_time();
	test_move();
	test_over_file_text();
	test_many();
	return check_report();
}
