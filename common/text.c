/* text.c - tests on (pointer, length) text, the form every reader hands
 * names around in (the prefix and suffix tests are inline in wpcommon.h). */
#include <string.h>

#include "wpcommon.h"

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

const unsigned char wp_hex_digits[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5,
	['5'] = 6, ['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
	['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
	['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

bool wp_is_hex_number(const char *s, size_t n)
{
	if (n > 2 && s[0] == '0' && s[1] == 'x')
		s += 2, n -= 2;
	if (!n || n > 16)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!wp_is_hex(s[i]))
			return false;
	return true;
}
