/* perfdata_zstd.c - PERF_RECORD_COMPRESSED / COMPRESSED2 payloads.
 *
 * perf record -z writes one continuous zstd stream per data file, cut into
 * records of at most 64 KiB (perf's
 * util/zstd.c): one ZSTD_DStream lives as long as the file, and the records
 * inside may straddle COMPRESSED boundaries, so an incomplete tail is kept
 * for the next payload. Output is produced on demand into a bounded buffer:
 * a 64 KiB payload that inflates to gigabytes never needs more than the
 * buffer. */
#include <stdlib.h>
#include <zstd.h>

#include "perfdata_internal.h"

/* Room for an incomplete record (< 64 KiB) plus at least 32 KiB of new
 * output per call; kept under 128 KiB so that it comes from malloc's small
 * pools (and ASan's), not a fresh mapping per file. */
#define OUT_CAP (96u << 10)

struct pd_zstd {
	ZSTD_DStream *ds;
	uint8_t *in;
	size_t in_len, in_pos;
	uint8_t *out;
	size_t out_start, out_end;
	bool more_out;          /* the last call filled the output: zstd may hold more */
	uint64_t out_pos;       /* decompressed offset of out[out_start] */
};

struct pd_zstd *pd_zstd_new(void)
{
	struct pd_zstd *z = calloc(1, sizeof *z);
	if (!z)
		return NULL;
	z->ds = ZSTD_createDStream();
	z->in = malloc(PD_MAX_RECORD + 1);
	z->out = malloc(OUT_CAP);
	if (!z->ds || !z->in || !z->out || ZSTD_isError(ZSTD_initDStream(z->ds))) {
		pd_zstd_free(z);
		return NULL;
	}
	return z;
}

void pd_zstd_free(struct pd_zstd *z)
{
	if (!z)
		return;
	ZSTD_freeDStream(z->ds);
	free(z->in);
	free(z->out);
	free(z);
}

int pd_zstd_feed(struct pd_zstd *z, const void *p, size_t n)
{
	if (z->in_pos < z->in_len || n > PD_MAX_RECORD)
		return WP_E_USAGE;
	memcpy(z->in, p, n);
	z->in_len = n;
	z->in_pos = 0;
	return 0;
}

size_t pd_zstd_pending(const struct pd_zstd *z) { return z->out_end - z->out_start; }
uint64_t pd_zstd_out_pos(const struct pd_zstd *z) { return z->out_pos; }

int pd_zstd_next(struct pd_zstd *z, const uint8_t **rec, size_t *size, const char **why)
{
	for (;;) {
		size_t have = z->out_end - z->out_start;
		if (have >= 8) {
			size_t rs = pd_u16(z->out + z->out_start + 6);
			if (rs < 8) {
				*why = "record shorter than its header in compressed data";
				return WP_E_FORMAT;
			}
			if (have >= rs) {
				*rec = z->out + z->out_start;
				*size = rs;
				z->out_start += rs;
				z->out_pos += rs;
				return 1;
			}
		}
		if (z->in_pos >= z->in_len && !z->more_out)
			return 0;
		/* Room for the rest: move the incomplete record to the front. */
		if (z->out_start > 0) {
			memmove(z->out, z->out + z->out_start, have);
			z->out_start = 0;
			z->out_end = have;
		}
		ZSTD_inBuffer in = {z->in, z->in_len, z->in_pos};
		ZSTD_outBuffer out = {z->out, OUT_CAP, z->out_end};
		size_t r = ZSTD_decompressStream(z->ds, &out, &in);
		if (ZSTD_isError(r)) {
			*why = ZSTD_getErrorName(r);
			return WP_E_FORMAT;
		}
		z->more_out = out.pos == out.size;
		bool progress = in.pos != z->in_pos || out.pos != z->out_end;
		z->in_pos = in.pos;
		z->out_end = out.pos;
		if (!progress && !z->more_out && z->in_pos >= z->in_len)
			return 0;
		if (!progress) {
			*why = "zstd stream makes no progress";
			return WP_E_FORMAT;
		}
	}
}
