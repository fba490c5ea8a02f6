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
	uint64_t a = seed ^ (n * 0x9e3779b97f4a7c15ULL), b = 0x6a09e667f3bcc909ULL;
	/* Two independent lanes of 8 bytes: frame names are 20-100 bytes, and
	 * this is the hottest loop of every folding and translating pass. */
	while (n >= 16) {
		uint64_t w1, w2;
		memcpy(&w1, s, 8);
		memcpy(&w2, s + 8, 8);
		a = (a ^ w1) * 0xff51afd7ed558ccdULL;
		b = (b ^ w2) * 0xc4ceb9fe1a85ec53ULL;
		a ^= a >> 29;
		b ^= b >> 31;
		s += 16;
		n -= 16;
	}
	if (n >= 8) {
		uint64_t w;
		memcpy(&w, s, 8);
		a = (a ^ w) * 0xff51afd7ed558ccdULL;
		a ^= a >> 29;
		s += 8;
		n -= 8;
	}
	uint64_t tail = 0;
	memcpy(&tail, s, n);
	b = (b ^ tail) * 0xc4ceb9fe1a85ec53ULL;
	return mix(a ^ (b >> 1) ^ (b << 63));
}
