/* export_json.c - JSON text for the speedscope and Firefox writers. Frame
 * names are bytes from binaries and recordings: a string is written as
 * valid UTF-8 JSON whatever they hold (RFC 8259 section 7; an invalid or
 * overlong sequence, a surrogate or a code point past U+10FFFF becomes
 * U+FFFD, one per maximal subpart as the WHATWG decoder replaces them, so
 * a browser shows what it would show for the raw bytes; control characters
 * are \uXXXX). */
#include "export_internal.h"

/* The UTF-8 sequence at s (n > 0 bytes left, s[0] >= 0x80), decoded as
 * the WHATWG decoder does (Encoding Standard, "UTF-8 decoder"): the length
 * of a valid sequence, or 0 with *bad the bytes that make one U+FFFD (a
 * lead byte and the continuation bytes that fitted it before the sequence
 * broke off; overlongs, surrogates and code points past U+10FFFF break
 * off at their second byte). */
static size_t utf8_valid(const unsigned char *s, size_t n, size_t *bad)
{
	unsigned c = s[0];
	size_t need = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : 0;
	unsigned lo = c == 0xe0 ? 0xa0 : c == 0xf0 ? 0x90 : 0x80;
	unsigned hi = c == 0xed ? 0x9f : c == 0xf4 ? 0x8f : 0xbf;
	size_t i = 1;
	for (; need && i <= need && i < n; i++, lo = 0x80, hi = 0xbf)
		if (s[i] < lo || s[i] > hi)
			break;
	if (need && i == need + 1)
		return i;
	*bad = i;
	return 0;
}

void fg_json_string(struct fg_out *o, const char *str, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	fg_out_putc(o, '"');
	size_t run = 0; /* bytes copied as they are, flushed in one put */
	for (size_t i = 0; i < n;) {
		unsigned c = s[i];
		size_t bad = 1;
		size_t len = c < 0x80 ? (c >= 0x20 && c != '"' && c != '\\') : utf8_valid(s + i, n - i, &bad);
		if (len) {
			run += len;
			i += len;
			continue;
		}
		fg_out_put(o, (const char *)s + i - run, run);
		run = 0;
		if (c == '"' || c == '\\') {
			char e[2] = {'\\', (char)c};
			fg_out_put(o, e, 2);
		} else if (c < 0x20) {
			char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
			fg_out_put(o, e, 6);
		} else {
			fg_out_put(o, "\xef\xbf\xbd", 3); /* U+FFFD */
		}
		i += bad;
	}
	fg_out_put(o, (const char *)s + n - run, run);
	fg_out_putc(o, '"');
}

void fg_json_ms(struct fg_out *o, uint64_t ns)
{
	fg_out_u64(o, ns / 1000000);
	uint32_t frac = (uint32_t)(ns % 1000000);
	if (!frac)
		return;
	char d[8] = {'.'};
	int len = 7;
	for (int i = 6; i >= 1; i--, frac /= 10)
		d[i] = (char)('0' + frac % 10);
	while (d[len - 1] == '0')
		len--;
	fg_out_put(o, d, (size_t)len);
}
