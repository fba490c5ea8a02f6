/* fuzz_perfmap.c - bytes through the perf-PID.map parser and the kallsyms
 * parser of the native symbolizer, then lookups at addresses taken from the
 * input: nothing may crash, hang or read out of bounds, and every symbol
 * found must contain the address as perf's symbols__find() defines it. */
#include <stdint.h>
#include <string.h>

#include "native_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_hit(const struct native_sym *s, uint64_t a)
{
	if (s && !(a >= s->start && (a < s->end || a == s->start || a == s->end)))
		__builtin_trap();
	if (s && !s->name)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wp_intern *names = wp_intern_new();
	if (!names)
		return 0;
	struct native_perfmap *m = NULL;
	if (native_perfmap_parse(&m, (const char *)data, size, names) == 0 && m) {
		for (size_t i = 0; i + 8 <= size && i < 512; i += 8) {
			uint64_t a;
			memcpy(&a, data + i, 8);
			check_hit(native_perfmap_find(m, a), a);
		}
		check_hit(native_perfmap_find(m, 0), 0);
		native_perfmap_free(m);
	}
	struct native_kallsyms k;
	if (native_kallsyms_parse(&k, (const char *)data, size, names) == 0) {
		for (size_t i = 1; i < k.syms.n; i++)
			if (k.syms.v[i - 1].start >= k.syms.v[i].start)
				__builtin_trap(); /* sorted, one symbol per start */
		for (size_t i = 0; i + 8 <= size && i < 512; i += 8) {
			uint64_t a;
			memcpy(&a, data + i, 8);
			const struct native_sym *s = native_symtab_find(&k.syms, a);
			if (s && !(a >= s->start && (a < s->end || a == s->start)))
				__builtin_trap();
		}
	}
	native_kallsyms_release(&k);
	wp_intern_free(names);
	return 0;
}
