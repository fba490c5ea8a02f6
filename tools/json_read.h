/* json_read.h - a small strict JSON reader (RFC 8259) for files wasmperf
 * writes and reads back, such as a bundle's meta.json: untrusted input, so
 * every error names its byte offset, nesting is capped, and nothing
 * lenient is accepted (no comments, trailing commas, duplicate keys,
 * invalid UTF-8, control bytes in strings, leading zeros, NaN).
 *
 * Ownership: json_parse hands out one tree, freed whole by json_free. */
#ifndef WASMPERF_JSON_READ_H
#define WASMPERF_JSON_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSON_MAX_DEPTH 64

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json_value {
	enum json_type type;
	size_t offset;               /* of the value's first byte, for messages */
	bool boolean;
	double number;
	bool is_int;                 /* a number with no fraction or exponent that fits */
	int64_t integer;
	char *string;                /* decoded, NUL-terminated (\u0000 is refused) */
	size_t len;
	struct json_value *items;    /* array elements, or object member values */
	char **keys;                 /* object member names, beside items */
	size_t n;
};

/* Parses text[0, len). 0 with *out set; else WP_E_FORMAT (or WP_E_NOMEM)
 * with *err_offset and a static *err_what ("expected ',' or '}'"). */
int json_parse(const char *text, size_t len, struct json_value **out, size_t *err_offset,
	       const char **err_what);
void json_free(struct json_value *v);
/* An object's member, or NULL (also when obj is not an object). */
const struct json_value *json_get(const struct json_value *obj, const char *key);

#endif
