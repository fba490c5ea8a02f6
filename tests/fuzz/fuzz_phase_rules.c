/* fuzz_phase_rules.c - bytes through the rule-file parser; a parsed rule
 * set then classifies stacks made of the input's own tokens and drives a
 * small model: nothing may crash, leak or hang (regexes run under a match
 * limit), an error always has a message naming a line, and the rows of
 * the model stay within its points. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "phases.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ph_rules *r = NULL;
	int rc = ph_rules_parse(&r, (const char *)data, size, "fuzz");
	if (!r)
		return 0;
	if (rc) {
		const char *msg = ph_rules_errmsg(r);
		if (!msg || strncmp(msg, "'fuzz': ", 8) != 0)
			__builtin_trap();
		ph_rules_free(r);
		return 0;
	}
	/* Frames: the input split at newlines and spaces, leaf first. */
	struct ph_frame frames[16];
	size_t n = 0, start = 0;
	for (size_t i = 0; i <= size && n < 16; i++)
		if (i == size || data[i] == '\n' || data[i] == ' ') {
			if (i > start) {
				frames[n] = (struct ph_frame){ (const char *)data + start, i - start,
							       n % 3 ? NULL : "[kernel.kallsyms]", n % 3 ? 0 : 17 };
				n++;
			}
			start = i + 1;
		}
	int cat, phase;
	if (ph_rules_classify(r, frames, n, &cat, &phase) == 0 &&
	    (cat < 0 || cat >= PH_NCAT || phase >= (int)ph_rules_stack_phase_count(r)))
		__builtin_trap();
	struct ph_model *m = ph_model_new(r, NULL, NULL);
	if (m) {
		ph_model_exec(m, 1, 1, 100, "x");
		for (size_t i = 0; i < ph_rules_marker_count(r); i++) {
			struct ph_probe p = { "probe_x:f", ph_rules_marker_name(r, i), false };
			ph_model_probe(m, 1, 1, 200 + 10 * i, &p);
			ph_model_sample(m, 1, 1, 205 + 10 * i, 1, frames, n);
			p.is_return = true;
			ph_model_probe(m, 1, 1, 1000 - 10 * i, &p);
		}
		ph_model_sample(m, 1, 2, 1500, 1, frames, n);
		ph_model_exit(m, 1, 1, 2000);
		if (ph_model_finish(m) == 0) {
			const struct ph_row *rows;
			size_t nr = ph_model_rows(m, &rows);
			for (size_t i = 0; i < nr; i++)
				if (rows[i].present && rows[i].kind == PH_ROW_PHASE &&
				    (rows[i].start_ns < 100 || rows[i].end_ns > 2000 ||
				     rows[i].end_ns < rows[i].start_ns))
					__builtin_trap();
		}
		ph_model_free(m);
	}
	ph_rules_free(r);
	return 0;
}
