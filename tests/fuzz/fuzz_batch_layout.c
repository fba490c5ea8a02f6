/* fuzz_batch_layout.c - "PATTERN\0NAME" through wasmperf batch's --layout
 * check and matcher (tools/batch_inputs.c: batch_layout_check,
 * batch_layout_match), the name being a run's directory or file name.
 * Nothing may crash, leak, recurse or take more than time linear in
 * pattern x name, whatever the pattern (the matcher must not rely on the
 * check). On a pattern the check takes, a match captures text of the name:
 * a placeholder the pattern has captures one character or more, one it has
 * not captures ""; without {*}, the pattern with the captures put in is the
 * name. On small inputs the result is the one of the plain backtracking
 * search the man page describes (placeholders longest first, left to
 * right), kept here as the reference. Links wptools. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const placeholders[] = {"{runtime}", "{bench}", "{*}"};

static int placeholder(const char *p, size_t *len)
{
	for (int i = 0; i < 3; i++) {
		*len = strlen(placeholders[i]);
		if (strncmp(p, placeholders[i], *len) == 0)
			return i;
	}
	return -1;
}

/* The reference: exponential in the placeholders, so only for small
 * inputs. The first placeholder of a kind keeps its capture. */
static bool ref_match(const char *p, const char *s, const char **start, size_t *len)
{
	if (!*p)
		return !*s;
	size_t plen;
	int k = *p == '{' ? placeholder(p, &plen) : -1;
	if (k < 0)
		return *s == *p && ref_match(p + 1, s + 1, start, len);
	for (size_t n = strlen(s); n >= 1; n--) {
		if (ref_match(p + plen, s + n, start, len)) {
			start[k] = s;
			len[k] = n;
			return true;
		}
	}
	return false;
}

static size_t count_placeholders(const char *p, bool *has)
{
	size_t n = 0, len;
	for (; *p; p++) {
		int k = *p == '{' ? placeholder(p, &len) : -1;
		if (k >= 0) {
			has[k] = true;
			n++;
		}
	}
	return n;
}

static void check_reference(const char *pattern, const char *name, int m, const char *rt,
			    const char *bench)
{
	const char *start[3] = {NULL, NULL, NULL};
	size_t len[3] = {0, 0, 0};
	bool ref = ref_match(pattern, name, start, len);
	if (ref != (m == 1))
		__builtin_trap();
	if (ref && (strlen(rt) != len[0] || memcmp(rt, start[0] ? start[0] : "", len[0]) ||
		    strlen(bench) != len[1] || memcmp(bench, start[1] ? start[1] : "", len[1])))
		__builtin_trap();
}

/* A pattern the check took, without {*}: filled in, it is the name. */
static void check_filled_in(const char *pattern, const char *name, const char *rt, const char *bench)
{
	size_t nlen = strlen(name);
	char *filled = malloc(strlen(pattern) + strlen(rt) + strlen(bench) + 1);
	if (!filled)
		return;
	char *w = filled;
	for (const char *p = pattern; *p;) {
		size_t len;
		int k = *p == '{' ? placeholder(p, &len) : -1;
		if (k < 0) {
			*w++ = *p++;
			continue;
		}
		const char *with = k == 0 ? rt : bench;
		memcpy(w, with, strlen(with));
		w += strlen(with);
		p += len;
	}
	if ((size_t)(w - filled) != nlen || memcmp(filled, name, nlen) != 0)
		__builtin_trap();
	free(filled);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	if (!nul)
		return 0;
	char *pattern = strndup((const char *)data, (size_t)(nul - data));
	char *name = strndup((const char *)nul + 1, size - (size_t)(nul - data) - 1);
	if (!pattern || !name)
		goto out;
	char err[256];
	bool valid = batch_layout_check(pattern, err, sizeof err) == 0;
	if (!valid && !err[0])
		__builtin_trap();
	char *rt = NULL, *bench = NULL;
	int m = batch_layout_match(pattern, name, &rt, &bench);
	bool has[3] = {false, false, false};
	size_t nph = count_placeholders(pattern, has);
	if (m == 1) {
		if (!rt || !bench || strlen(rt) + strlen(bench) > strlen(name))
			__builtin_trap();
		if (valid && ((rt[0] != '\0') != has[0] || (bench[0] != '\0') != has[1] ||
			      !strstr(name, rt) || !strstr(name, bench)))
			__builtin_trap();
		if (valid && !has[2])
			check_filled_in(pattern, name, rt, bench);
	} else if (m != 0 && m != -1) {
		__builtin_trap();
	}
	if (m >= 0 && nph <= 3 && strlen(pattern) <= 40 && strlen(name) <= 24)
		check_reference(pattern, name, m, m == 1 ? rt : "", m == 1 ? bench : "");
	free(rt);
	free(bench);
out:
	free(pattern);
	free(name);
	return 0;
}
