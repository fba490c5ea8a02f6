/* hash.c - a fast 64-bit hash for short byte strings (frame names, stacks
 * of ids). Multiply-xorshift over 8-byte words: not cryptographic, but
 * well mixed, and every table built on it resizes at a fixed load. */
#include <string.h>

#include "wpcommon.h"

static inline uint64_t mix(uint64_t h)
{
	h ^= h >> 32;
	h *= 0xd6e8feb86659fd93ULL;
	h ^= h >> 32;
	h *= 0xd6e8feb86659fd93ULL;
	h ^= h >> 32;
	return h;
}

uint64_t wp_hash_bytes(const void *p, size_t n, uint64_t seed)
{
	const unsigned char *s = p;
	uint64_t h = seed ^ (n * 0x9e3779b97f4a7c15ULL);
	while (n >= 8) {
		uint64_t w;
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 29;
		s += 8;
		n -= 8;
	}
	uint64_t tail = 0;
	memcpy(&tail, s, n);
	h = (h ^ tail) * 0xc4ceb9fe1a85ec53ULL;
	return mix(h);
}
