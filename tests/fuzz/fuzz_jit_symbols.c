/* fuzz_jit_symbols.c - the native symbolizer's JIT table alone: the input
 * is a list of operations, each one byte then its fields (little-endian),
 * the shape of the jitdump records the tools feed it (fold_jit.c):
 *   0 load    u64 time, u64 start, u32 size, u8 n, n name bytes
 *   1 move    u64 time, u64 old start, u64 new start, u32 size
 *   2 unwind  u16 n, u16 header size, n bytes (.eh_frame then
 *             .eh_frame_hdr, for the next load)
 * (other values are op % 3; a cut field ends the list). Then a sample at
 * each loaded function is unwound (its unwinding info goes through the
 * in-memory ELF image into libdw) and resolved: a resolved JIT frame must
 * name a function that contains the address. gen_corpus.py made the
 * corpus from corpus/jitdump. */
#include <stdint.h>
#include <string.h>

#include "symbolizer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct cursor {
	const uint8_t *p;
	size_t left;
};

/* n bytes, or NULL when fewer are left. */
static const uint8_t *take(struct cursor *c, size_t n)
{
	if (n > c->left)
		return NULL;
	const uint8_t *p = c->p;
	c->p += n;
	c->left -= n;
	return p;
}

static int take_u(struct cursor *c, size_t n, uint64_t *v)
{
	const uint8_t *p = take(c, n);
	*v = 0;
	for (size_t i = 0; p && i < n; i++)
		*v |= (uint64_t)p[i] << (8 * i);
	return p ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sym_native_options o;
	sym_native_options_init(&o);
	o.no_proc_kallsyms = true;
	o.perf_map_dir = "/nonexistent";
	struct sym_native *s = sym_native_new(&o, NULL, NULL);
	if (!s)
		return 0;
	struct cursor c = {data, size};
	uint64_t probes[64];
	size_t nprobes = 0;
	const uint8_t *unwind = NULL; /* the last unwind operation, for the next load */
	uint64_t unwind_size = 0, unwind_hdr = 0;
	const uint8_t *op;
	while ((op = take(&c, 1))) {
		uint64_t time, start, old, len, n;
		if (*op % 3 == 0) {
			char name[256];
			const uint8_t *p;
			if (take_u(&c, 8, &time) || take_u(&c, 8, &start) || take_u(&c, 4, &len) ||
			    take_u(&c, 1, &n) || !(p = take(&c, (size_t)n)))
				break;
			memcpy(name, p, (size_t)n);
			name[n] = '\0';
			struct sym_native_jit j = {time, 1, start, len, name, "/j/jitted-1-0.so",
						   unwind, unwind_size, unwind_hdr};
			unwind = NULL;
			unwind_size = 0;
			sym_native_jit_load(s, &j);
			if (nprobes < 64)
				probes[nprobes++] = start + len / 2;
		} else if (*op % 3 == 1) {
			if (take_u(&c, 8, &time) || take_u(&c, 8, &old) || take_u(&c, 8, &start) ||
			    take_u(&c, 4, &len))
				break;
			struct sym_native_jit j = {time, 1, start, len, NULL, NULL, NULL, 0, 0};
			sym_native_jit_move(s, &j, old);
		} else {
			if (take_u(&c, 2, &n) || take_u(&c, 2, &unwind_hdr) ||
			    !(unwind = take(&c, (size_t)n)))
				break;
			unwind_size = n;
			if (unwind_hdr > unwind_size)
				unwind_hdr = unwind_size; /* as the jitdump reader guarantees */
		}
	}

	struct sym_unwind *u = sym_unwind_new(s, NULL, NULL);
	for (size_t i = 0; u && i < nprobes; i++) {
		uint64_t regs[3] = {0, 0x7ff000, probes[i]}, pcs[16];
		uint8_t stack[256];
		size_t stack_size = size < sizeof stack ? size : sizeof stack;
		memcpy(stack, data, stack_size);
		struct sym_unwind_sample smp = {.pid = 1, .tid = 1, .time = UINT64_MAX, .machine = 62,
						.abi = 2, .mask = (1u << 6) | (1u << 7) | (1u << 8),
						.regs = regs, .nregs = 3, .stack = stack,
						.stack_size = stack_size};
		if (sym_unwind_frames(u, &smp, pcs, 16) > 16)
			__builtin_trap();
	}
	sym_unwind_free(u);
	for (size_t i = 0; i < nprobes; i++) {
		struct sym_frame f;
		if (sym_native_resolve(s, 1, UINT64_MAX, probes[i], false, &f) != 0)
			__builtin_trap();
		if (f.symbol && f.jit && f.offset > probes[i])
			__builtin_trap();
	}
	sym_native_free(s);
	return 0;
}
