/* fuzz_jitdump.c - bytes through the jitdump reader, and every code load
 * and move into the native symbolizer's JIT table, then lookups at the
 * loaded addresses: nothing may crash, hang or read out of bounds; every
 * record handed out must lie inside the reader's copy, and a resolved JIT frame
 * must name a function that contains the address. */
#include <stdint.h>
#include <string.h>

#include "perfparse.h"
#include "symbolizer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Names and code point into the reader's copy of the record: reading every
 * byte lets ASan check that the stated lengths stay inside it. */
static void touch(const void *p, size_t n)
{
	volatile uint8_t sum = 0;
	for (size_t i = 0; i < n; i++)
		sum ^= ((const uint8_t *)p)[i];
	(void)sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pp_jitdump *j;
	if (pp_jitdump_open_mem(&j, data, size, "fuzz.dump", NULL, NULL) != 0) {
		if (j && !pp_jitdump_errmsg(j)[0])
			__builtin_trap(); /* a failure always says why */
		pp_jitdump_free(j);
		return 0;
	}
	struct sym_native_options o;
	sym_native_options_init(&o);
	o.no_proc_kallsyms = true;
	o.perf_map_dir = "/nonexistent";
	struct sym_native *s = sym_native_new(&o, NULL, NULL);
	const struct pp_jit_record *r;
	int rc, n = 0;
	uint64_t probes[64];
	size_t nprobes = 0;
	static uint8_t unwind[65536]; /* the last UNWINDING_INFO, for the next load */
	uint64_t unwind_size = 0, unwind_hdr = 0;
	while (s && (rc = pp_jitdump_next(j, &r)) == 1 && n++ < 100000) {
		if (r->type == PP_JIT_CODE_LOAD) {
			touch(r->u.load.name, strlen(r->u.load.name));
			touch(r->u.load.code, (size_t)r->u.load.code_size);
			struct sym_native_jit c = {r->timestamp, 1, r->u.load.code_addr,
						   r->u.load.code_size, r->u.load.name, "/j/jitted-1-0.so",
						   unwind_size ? unwind : NULL, unwind_size, unwind_hdr};
			unwind_size = 0;
			sym_native_jit_load(s, &c);
			if (nprobes < 64)
				probes[nprobes++] = r->u.load.code_addr + r->u.load.code_size / 2;
		} else if (r->type == PP_JIT_CODE_MOVE) {
			struct sym_native_jit c = {r->timestamp, 1, r->u.move.new_code_addr,
						   r->u.move.code_size, NULL, NULL, NULL, 0, 0};
			sym_native_jit_move(s, &c, r->u.move.old_code_addr);
		} else if (r->type == PP_JIT_CODE_DEBUG_INFO) {
			for (size_t i = 0; i < r->u.debug.nentries; i++)
				touch(r->u.debug.entries[i].file, strlen(r->u.debug.entries[i].file));
		} else if (r->type == PP_JIT_CODE_UNWINDING_INFO) {
			touch(r->u.unwind.data, (size_t)r->u.unwind.unwind_data_size);
			if (r->u.unwind.unwind_data_size <= sizeof unwind) {
				unwind_size = r->u.unwind.unwind_data_size;
				unwind_hdr = r->u.unwind.eh_frame_hdr_size;
				memcpy(unwind, r->u.unwind.data, (size_t)unwind_size);
			}
		}
	}
	/* a sample at each loaded function: its unwinding info, if any, goes
	 * through the in-memory ELF image into libdw */
	struct sym_unwind *u = s ? sym_unwind_new(s, NULL, NULL) : NULL;
	for (size_t i = 0; u && i < nprobes; i++) {
		uint64_t regs[3] = {0, 0x7ff000, probes[i]}, pcs[16];
		uint8_t stack[256];
		memcpy(stack, data, size < sizeof stack ? size : sizeof stack);
		struct sym_unwind_sample smp = {.pid = 1, .tid = 1, .time = UINT64_MAX, .machine = 62,
						.abi = 2, .mask = (1u << 6) | (1u << 7) | (1u << 8),
						.regs = regs, .nregs = 3, .stack = stack,
						.stack_size = size < sizeof stack ? size : sizeof stack};
		if (sym_unwind_frames(u, &smp, pcs, 16) > 16)
			__builtin_trap();
	}
	sym_unwind_free(u);
	for (size_t i = 0; s && i < nprobes; i++) {
		struct sym_frame f;
		if (sym_native_resolve(s, 1, UINT64_MAX, probes[i], false, &f) != 0)
			__builtin_trap();
		if (f.symbol && f.jit && f.offset > probes[i])
			__builtin_trap();
	}
	sym_native_free(s);
	pp_jitdump_free(j);
	return 0;
}
