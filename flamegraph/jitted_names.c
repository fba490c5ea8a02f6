/* jitted_names.c - recognises the names runtimes give JIT/AOT-compiled
 * Wasm code (the shared table of common/wasm_patterns.c). The collapser
 * keeps such names whole: "JS:app::Worker::fib(int)-3-turbofan" holds its
 * function index and tier after the argument list, and cutting at the
 * first '(' would leave nothing to translate. The wasm palette colours
 * them as Wasm code (flame_wasm_class.c). */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>

#include "flame_internal.h"

struct fg_jitted {
	pcre2_code **codes;
	bool *ambiguous;
	size_t count;
	pcre2_match_data *match;
	uint32_t matches; /* names asked about before the patterns are JIT-compiled */
};

/* JIT compilation costs about as much as a few hundred interpreted
 * matches (and an executable mapping), so the patterns are compiled only
 * once a profile has asked about that many names: small inputs and
 * fuzzing runs never pay for it, big ones get the fast matcher. */
#define JIT_AFTER_MATCHES 256u

struct fg_jitted *fg_jitted_new(void)
{
	size_t n;
	const struct wp_wasm_pattern *p = wp_wasm_patterns(&n);
	struct fg_jitted *j = calloc(1, sizeof *j);
	if (!j)
		return NULL;
	j->codes = calloc(n ? n : 1, sizeof *j->codes);
	j->ambiguous = calloc(n ? n : 1, sizeof *j->ambiguous);
	j->match = pcre2_match_data_create(1, NULL);
	if (!j->codes || !j->ambiguous || !j->match) {
		fg_jitted_free(j);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		int errcode;
		PCRE2_SIZE erroff;
		pcre2_code *re = pcre2_compile((PCRE2_SPTR)p[i].regex, PCRE2_ZERO_TERMINATED, 0,
					       &errcode, &erroff, NULL);
		if (!re) {
			fg_jitted_free(j); /* the table is ours: a bad entry is a bug */
			return NULL;
		}
		j->codes[j->count] = re;
		j->ambiguous[j->count++] = p[i].ambiguous;
	}
	return j;
}

void fg_jitted_free(struct fg_jitted *j)
{
	if (!j)
		return;
	for (size_t i = 0; i < j->count; i++)
		pcre2_code_free(j->codes[i]);
	free(j->codes);
	free(j->ambiguous);
	pcre2_match_data_free(j->match);
	free(j);
}

bool fg_jitted_match(struct fg_jitted *j, const char *name, size_t len, bool jit)
{
	if (j->matches <= JIT_AFTER_MATCHES && j->matches++ == JIT_AFTER_MATCHES)
		for (size_t i = 0; i < j->count; i++)
			pcre2_jit_compile(j->codes[i], PCRE2_JIT_COMPLETE); /* best effort */
	for (size_t i = 0; i < j->count; i++) {
		if (j->ambiguous[i] && !jit)
			continue;
		if (pcre2_match(j->codes[i], (PCRE2_SPTR)name, len, 0, 0, j->match, NULL) >= 0)
			return true;
	}
	return false;
}
