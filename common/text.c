/* text.c - prefix, suffix and substring tests on (pointer, length) text,
 * the form every reader hands names around in. */
#include <string.h>

#include "wpcommon.h"

bool wp_has_prefix(const char *s, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);
	return n >= k && memcmp(s, prefix, k) == 0;
}

bool wp_has_suffix(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);
	return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

bool wp_contains(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	if (k == 0)
		return true;
	for (const char *p = s; (size_t)(p - s) + k <= n; p++) {
		p = memchr(p, needle[0], n - (size_t)(p - s) - k + 1);
		if (!p)
			return false;
		if (memcmp(p, needle, k) == 0)
			return true;
	}
	return false;
}
