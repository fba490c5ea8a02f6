/* fuzz_perfmap.c - bytes through the perf-PID.map parser and the kallsyms
 * parser of the native symbolizer, then lookups at addresses taken from the
 * input: nothing may crash, hang or read out of bounds, and every symbol
 * found must contain the address as perf's symbols__find() defines it;
 * and a line whose name the input makes up to twice the 64 KiB cap long
 * keeps that name whole exactly when it is within the cap. */
#include <stdint.h>
#include <stdlib.h>
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

/* "1000 40 NAME\n" with NAME the input's bytes (no '\n' or NUL) repeated
 * to a length its first two bytes choose, 0 to twice the cap: a name of
 * up to NATIVE_PERFMAP_MAX_NAME bytes comes back whole, a longer one is
 * skipped as such (line 1), as on every path that reads perf maps. */
static void check_long_name(const uint8_t *data, size_t size, struct wp_intern *names)
{
	if (size < 3)
		return;
	size_t want = ((size_t)data[0] << 8 | data[1]) * 2, head = 8;
	char *line = malloc(head + want + 1);
	if (!line)
		return;
	memcpy(line, "1000 40 ", head);
	/* The input once, then copies of what is written so far (doubling):
	 * a per-byte loop over 128 KiB would cost most of each run. */
	size_t done = want < size - 2 ? want : size - 2;
	for (size_t k = 0; k < done; k++) {
		char c = (char)data[2 + k];
		line[head + k] = c == '\n' || c == '\0' ? '_' : c;
	}
	while (done < want) {
		size_t n = want - done < done ? want - done : done;
		memcpy(line + head + done, line + head, n);
		done += n;
	}
	line[head + want] = '\n';
	struct native_perfmap *m = NULL;
	if (native_perfmap_parse(&m, line, head + want + 1, names) == 0 && m) {
		const struct native_sym *s = native_perfmap_find(m, 0x1010);
		const struct native_perfmap_skips *sk = native_perfmap_skipped(m);
		if (want < 3 && (s || sk->count[NATIVE_PERFMAP_NO_NAME] != 1))
			__builtin_trap();
		if (want >= 3 && want <= NATIVE_PERFMAP_MAX_NAME &&
		    (!s || strlen(s->name) != want || memcmp(s->name, line + head, want)))
			__builtin_trap();
		if (want > NATIVE_PERFMAP_MAX_NAME &&
		    (s || sk->count[NATIVE_PERFMAP_LONG_NAME] != 1 ||
		     sk->first_line[NATIVE_PERFMAP_LONG_NAME] != 1))
			__builtin_trap();
		native_perfmap_free(m);
	}
	free(line);
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
	check_long_name(data, size, names);
	struct native_kallsyms k;
	if (native_kallsyms_parse(&k, (const char *)data, size) == 0) {
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
