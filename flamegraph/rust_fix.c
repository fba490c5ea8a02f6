/* rust_fix.c - decodes Rust legacy names that perf printed half-demangled:
 * `_$LT$std..io..BufReader$LT$R$GT$$GT$::new::h893d2057e6a2f3c7` becomes
 * `<std::io::BufReader<R>>::new`, as inferno prints it. Fully mangled
 * (`_ZN...E`) and fully demangled names are left alone. */
#include <string.h>

#include "flamegraph.h"

#define HASH_LEN 17 /* 'h' + 16 hex digits */

static bool ends_with_rust_hash(const char *s, size_t n)
{
	if (n < HASH_LEN + 2 || s[n - HASH_LEN] != 'h' || s[n - HASH_LEN - 1] != ':' ||
	    s[n - HASH_LEN - 2] != ':')
		return false;
	for (size_t i = n - HASH_LEN + 1; i < n; i++)
		if (!wp_is_hex(s[i]))
			return false;
	return true;
}

/* Decodes one `$...$` escape at s (n bytes left); returns its length or 0. */
static size_t decode_escape(const char *s, size_t n, struct wp_buf *out)
{
	static const struct {
		const char *code;
		char c;
	} named[] = {{"$SP$", '@'}, {"$BP$", '*'}, {"$RF$", '&'}, {"$LT$", '<'},
		     {"$GT$", '>'}, {"$LP$", '('}, {"$RP$", ')'}, {"$C$", ','}};
	for (size_t k = 0; k < sizeof named / sizeof named[0]; k++) {
		if (wp_has_prefix(s, n, named[k].code)) {
			wp_buf_putc(out, named[k].c);
			return strlen(named[k].code);
		}
	}
	/* $uXX$: a Unicode code point in hex (ASCII in practice). */
	if (n >= 4 && s[1] == 'u') {
		size_t end = 2;
		unsigned v = 0;
		while (end < n && end < 8 && wp_hex_value(s[end]) >= 0)
			v = v * 16 + (unsigned)wp_hex_value(s[end++]);
		if (end > 2 && end < n && s[end] == '$' && v > 0 && v < 0x80) {
			wp_buf_putc(out, (char)v);
			return end + 1;
		}
	}
	return 0;
}

int fg_rust_fix(const char *s, size_t n, struct wp_buf *out)
{
	if (!ends_with_rust_hash(s, n))
		return 0;
	/* Fully mangled names are the demangler's job, not ours. */
	if (n >= 3 && s[0] == '_' && s[1] == 'Z' && s[2] == 'N')
		return 0;
	size_t end = n - HASH_LEN - 2;
	size_t i = 0;
	if (end >= 2 && s[0] == '_' && s[1] == '$')
		i = 1;
	wp_buf_reset(out);
	while (i < end) {
		if (s[i] == '.' && i + 1 < end && s[i + 1] == '.') {
			wp_buf_append(out, "::", 2);
			i += 2;
		} else if (s[i] == '$') {
			size_t used = decode_escape(s + i, end - i, out);
			if (!used) {
				/* Unknown escape: keep the rest verbatim, as inferno. */
				wp_buf_append(out, s + i, end - i);
				break;
			}
			i += used;
		} else {
			wp_buf_putc(out, s[i++]);
		}
	}
	/* A ';' from $u3b$ would split the folded frame. */
	for (size_t k = 0; k < out->len; k++)
		if (out->data[k] == ';')
			out->data[k] = ':';
	return 1;
}
