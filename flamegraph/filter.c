/* filter.c - keep or drop whole stacks by PCRE2 patterns over the joined
 * stack text "comm;f1;f2". Patterns are compiled in byte mode (frame names
 * need not be UTF-8) and JIT-compiled when PCRE2 can. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>

#include "flamegraph.h"

struct pattern {
	pcre2_code *code;
	bool include;
};

struct fg_filter {
	struct pattern *patterns;
	size_t count;
	pcre2_match_data *match;
};

struct fg_filter *fg_filter_new(void)
{
	return calloc(1, sizeof(struct fg_filter));
}

void fg_filter_free(struct fg_filter *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->count; i++)
		pcre2_code_free(f->patterns[i].code);
	free(f->patterns);
	pcre2_match_data_free(f->match);
	free(f);
}

static int add(struct fg_filter *f, const char *regex, bool include, char *errbuf, size_t errlen)
{
	int errcode;
	PCRE2_SIZE erroff;
	pcre2_code *code = pcre2_compile((PCRE2_SPTR)regex, PCRE2_ZERO_TERMINATED, 0, &errcode,
					 &erroff, NULL);
	if (!code) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(errcode, msg, sizeof msg);
		snprintf(errbuf, errlen, "bad regular expression '%s' at offset %zu: %s", regex,
			 (size_t)erroff, (const char *)msg);
		return WP_E_USAGE;
	}
	pcre2_jit_compile(code, PCRE2_JIT_COMPLETE); /* best effort */
	struct pattern *p = realloc(f->patterns, (f->count + 1) * sizeof *p);
	if (!p) {
		pcre2_code_free(code);
		return WP_E_NOMEM;
	}
	f->patterns = p;
	f->patterns[f->count++] = (struct pattern){code, include};
	if (!f->match) {
		f->match = pcre2_match_data_create(1, NULL);
		if (!f->match)
			return WP_E_NOMEM;
	}
	return 0;
}

int fg_filter_include(struct fg_filter *f, const char *regex, char *errbuf, size_t errlen)
{
	return add(f, regex, true, errbuf, errlen);
}

int fg_filter_exclude(struct fg_filter *f, const char *regex, char *errbuf, size_t errlen)
{
	return add(f, regex, false, errbuf, errlen);
}

bool fg_filter_empty(const struct fg_filter *f)
{
	return !f || f->count == 0;
}

bool fg_filter_keep(struct fg_filter *f, const char *stack, size_t len)
{
	if (!f)
		return true;
	for (size_t i = 0; i < f->count; i++) {
		int rc = pcre2_match(f->patterns[i].code, (PCRE2_SPTR)stack, len, 0, 0, f->match, NULL);
		bool matched = rc >= 0;
		if (matched != f->patterns[i].include)
			return false;
	}
	return true;
}
