/* tidy.c - the name clean-ups every collapser applies (stackcollapse-perf
 * "tidy_generic", bracket-aware as inferno does it). */
#include <string.h>

#include "flamegraph.h"

/* Drops the argument list: the first '(' at bracket depth 0, except Go
 * method receivers "pkg.(*T).M" (a '(' right after '.') and C++
 * "(anonymous namespace)". Parentheses inside <...>, {...} and [...] (C++
 * templates, lambdas "{lambda(int)#1}") are kept. ';' becomes ':' so the
 * folded format holds. */
int fg_tidy_generic(const char *s, size_t n, struct wp_buf *out)
{
	static const char anon[] = "(anonymous namespace)";
	size_t keep = n;
	int depth = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '<' || c == '{' || c == '[') {
			depth++;
		} else if (c == '>' || c == '}' || c == ']' || c == ')') {
			depth--;
		} else if (c == '(') {
			if (depth == 0) {
				bool go_method = i > 0 && s[i - 1] == '.';
				bool anonymous = wp_has_prefix(s + i, n - i, anon);
				if (!go_method && !anonymous) {
					keep = i;
					break;
				}
			}
			depth++;
		}
	}
	wp_buf_reset(out);
	int rc = wp_buf_append(out, s, keep);
	if (rc)
		return rc;
	for (size_t i = 0; i < out->len; i++)
		if (out->data[i] == ';')
			out->data[i] = ':';
	return 0;
}

/* stackcollapse-perf.pl's own rule, for --perl-compat: ';' -> ':'; unless
 * the name looks like a Go method (".(" ... ")."), everything from the first
 * '(' that does not open "(anonymous namespace)" goes; quotes are deleted. */
int fg_tidy_perl(const char *s, size_t n, struct wp_buf *out)
{
	static const char anon[] = "(anonymous namespace)";
	bool go = false;
	for (size_t i = 0; i + 1 < n && !go; i++)
		if (s[i] == '.' && s[i + 1] == '(')
			for (size_t k = i + 2; k + 1 < n && !go; k++)
				go = s[k] == ')' && s[k + 1] == '.';
	size_t keep = n;
	for (size_t i = 0; i < n && !go; i++)
		if (s[i] == '(' && !wp_has_prefix(s + i, n - i, anon)) {
			keep = i;
			break;
		}
	wp_buf_reset(out);
	for (size_t i = 0; i < keep; i++) {
		char c = s[i] == ';' ? ':' : s[i];
		if (c == '"' || c == '\'')
			continue;
		int rc = wp_buf_putc(out, c);
		if (rc)
			return rc;
	}
	return 0;
}
