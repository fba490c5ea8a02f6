/* visible.c - input bytes made safe for a terminal line: messages quote
 * frame names and lines from untrusted input, which may hold escape
 * sequences, line breaks or NULs. */
#include <stdio.h>

#include "wpcommon.h"

const char *wp_visible(char *dst, size_t size, const char *s, size_t n)
{
	size_t o = 0;
	if (!size)
		return dst;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		bool plain = c >= 0x20 && c != 0x7f;
		size_t need = plain ? 1 : 4;
		if (o + need + 4 > size) { /* room for "..." and the NUL */
			snprintf(dst + o, size - o, "...");
			return dst;
		}
		if (plain)
			dst[o++] = (char)c;
		else
			o += (size_t)snprintf(dst + o, size - o, "\\x%02x", c);
	}
	dst[o] = '\0';
	return dst;
}
