/* export_protobuf.c - the protobuf wire format, as much as profile.proto
 * needs (https://protobuf.dev/programming-guides/encoding/): varints
 * (wire type 0) and length-delimited fields (wire type 2: strings, nested
 * messages, packed repeated integers). proto3 leaves zero scalars out. */
#include "export_internal.h"

int fg_pb_varint(struct wp_buf *b, uint64_t v)
{
	char bytes[10];
	size_t n = 0;
	do {
		bytes[n++] = (char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v);
	return wp_buf_append(b, bytes, n);
}

int fg_pb_uint(struct wp_buf *b, unsigned field, uint64_t v)
{
	if (!v)
		return 0;
	int rc = fg_pb_varint(b, (uint64_t)field << 3);
	return rc ? rc : fg_pb_varint(b, v);
}

int fg_pb_int(struct wp_buf *b, unsigned field, int64_t v)
{
	return fg_pb_uint(b, field, (uint64_t)v); /* int64: two's complement, 10 bytes if < 0 */
}

int fg_pb_bytes(struct wp_buf *b, unsigned field, const void *p, size_t n)
{
	int rc = fg_pb_varint(b, (uint64_t)field << 3 | 2);
	rc = rc ? rc : fg_pb_varint(b, n);
	return rc ? rc : wp_buf_append(b, p, n);
}

int fg_pb_packed(struct wp_buf *b, unsigned field, const uint64_t *v, size_t n)
{
	if (!n)
		return 0;
	size_t len = 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t x = v[i];
		do {
			len++;
			x >>= 7;
		} while (x);
	}
	int rc = fg_pb_varint(b, (uint64_t)field << 3 | 2);
	rc = rc ? rc : fg_pb_varint(b, len);
	for (size_t i = 0; i < n && !rc; i++)
		rc = fg_pb_varint(b, v[i]);
	return rc;
}
