/* perfdata_stream.c - cuts one data file (or the data section of one) into
 * records, checking every size against the bytes present.
 *
 * Besides the plain `perf_event_header { u32 type; u16 misc; u16 size; }`
 * records it knows three shapes (perf.data-file-format.txt, perf's
 * util/session.c):
 *   COMPRESSED (81) / COMPRESSED2 (83, u64 data_size first): zstd payloads
 *     whose inflated bytes are records again (perfdata_zstd.c);
 *   HEADER_TRACING_DATA (66): `u32 size` bytes of tracing data follow the
 *     record, not counted in header.size;
 *   AUXTRACE (71): `u64 size` bytes of trace data follow likewise.
 * Pipe-mode records need not be 8-byte aligned: nothing here assumes it.
 * A record handed out stays valid until the next call (its bytes are
 * consumed then). */
#include <stdlib.h>

#include "perfdata_internal.h"

void pd_stream_release(struct pd_stream *st)
{
	pd_src_close(&st->src);
	pd_zstd_free(st->z);
	pd_queue_release(&st->q);
	free(st->name);
	free(st->errmsg);
	memset(st, 0, sizeof *st);
}

/* A cut-off last record of an interrupted recording is expected: warn. */
static int cut_short(struct pp_data *d, struct pd_stream *st, uint64_t off, uint64_t want,
		     int64_t got)
{
	if (st->tolerate_tail) {
		pd_warn(d, PD_W_TRUNC_TAIL,
			"'%s': offset 0x%llx: last record cut short (%lld of %llu bytes), "
			"as in an interrupted recording; ignored",
			st->name, (unsigned long long)off, (long long)got, (unsigned long long)want);
		return 0;
	}
	if (got == 0)
		return pd_fail(d, WP_E_TRUNCATED, st->name, off,
			       "data ends early: %llu bytes of the data section are missing",
			       (unsigned long long)want);
	if (want == 8)
		return pd_fail(d, WP_E_TRUNCATED, st->name, off,
			       "record header cut short: %lld of 8 bytes present", (long long)got);
	return pd_fail(d, WP_E_TRUNCATED, st->name, off,
		       "record of %llu bytes cut short: only %lld bytes present",
		       (unsigned long long)want, (long long)got);
}

/* The bytes an AUXTRACE record announced after itself, checked against
 * what the file or buffer holds. */
static int skip_trace_data(struct pp_data *d, struct pd_stream *st)
{
	uint64_t at = pd_src_pos(&st->src);
	uint64_t n = st->skip;
	st->skip = 0;
	uint64_t lim = st->end;
	if (d->file_size != UINT64_MAX && d->file_size < lim && st->src.fd >= 0)
		lim = d->file_size;
	if (st->src.fd < 0 && st->src.mem_len < lim)
		lim = st->src.mem_len;
	if (lim != UINT64_MAX && (at > lim || n > lim - at))
		return pd_fail(d, WP_E_TRUNCATED, st->name, at,
			      "trace data of %llu bytes runs past the end (%llu bytes left)",
			      (unsigned long long)n, (unsigned long long)(lim > at ? lim - at : 0));
	int rc = pd_src_skip(&st->src, n);
	if (rc)
		return pd_fail(d, rc, st->name, at, "cannot skip %llu bytes of trace data",
			      (unsigned long long)n);
	return 0;
}

/* The next record inflated from a COMPRESSED one: 1, an error, or 0 when
 * the payload is used up (in_comp is then cleared). */
static int next_inflated(struct pp_data *d, struct pd_stream *st, const uint8_t **rec,
			 size_t *size, uint64_t *off)
{
	const char *why = "";
	int r = pd_zstd_next(st->z, rec, size, &why);
	if (r == 1) {
		uint32_t type = pd_u32(*rec);
		if (type == PP_RECORD_HEADER_TRACING_DATA || type == PP_RECORD_AUXTRACE ||
		    type == PP_RECORD_COMPRESSED || type == PP_RECORD_COMPRESSED2)
			return pd_fail(d, WP_E_UNSUPPORTED, st->name, st->comp_offset,
				       "record type %u inside compressed data", type);
		*off = st->comp_offset;
		return 1;
	}
	if (r < 0)
		return pd_fail(d, r, st->name, st->comp_offset,
			       "compressed data (inflated byte 0x%llx): %s",
			       (unsigned long long)pd_zstd_out_pos(st->z), why);
	st->in_comp = false;
	return 0;
}

static int read_error(struct pp_data *d, struct pd_stream *st, uint64_t pos, int64_t got)
{
	return pd_fail(d, (int)got, st->name, pos, "cannot read: %s", wp_strerror((int)got));
}

/* header.size against the header itself and the end of the section. */
static int check_size(struct pp_data *d, struct pd_stream *st, uint64_t pos, uint32_t type,
		      size_t rs)
{
	if (rs < 8)
		return pd_fail(d, WP_E_FORMAT, st->name, pos,
			      "record of %llu bytes is shorter than its header (type %llu)",
			      (unsigned long long)rs, (unsigned long long)type);
	if (st->end != UINT64_MAX && rs > st->end - pos)
		return pd_fail(d, WP_E_TRUNCATED, st->name, pos,
			      "record of %llu bytes runs past the end of the data section "
			      "(%llu bytes left)",
			      (unsigned long long)rs, (unsigned long long)(st->end - pos));
	return 0;
}

/* HEADER_TRACING_DATA: the u32 size of the payload after the record. */
static int tracing_extra(struct pp_data *d, struct pd_stream *st, uint64_t pos, size_t *extra)
{
	const uint8_t *p;
	if (pd_src_peek(&st->src, 12, &p) == 12)
		*extra = pd_u32(p + 8);
	if (*extra > PD_MAX_TRACING)
		return pd_fail(d, WP_E_TOOBIG, st->name, pos, "tracing data of %llu bytes is too large",
			      (unsigned long long)*extra);
	return 0;
}

/* Fewer than rs + extra bytes (got) could be read at pos. */
static int short_read(struct pp_data *d, struct pd_stream *st, uint64_t pos, size_t rs,
		      size_t extra, int64_t got)
{
	if (got < 0)
		return read_error(d, st, pos, got);
	if ((size_t)got < rs)
		return cut_short(d, st, pos, rs, got);
	return pd_fail(d, WP_E_TRUNCATED, st->name, pos,
		      "tracing data of %llu bytes cut short (%llu present)",
		      (unsigned long long)extra, (unsigned long long)(got - (int64_t)rs));
}

/* COMPRESSED / COMPRESSED2 of rs bytes, of which have are present (fewer
 * only when it is cut): feeds the payload there is to the inflater. */
static int begin_compressed(struct pp_data *d, struct pd_stream *st, const uint8_t *p,
			    uint32_t type, size_t rs, size_t have, uint64_t pos)
{
	const uint8_t *payload = p + 8;
	size_t n = rs - 8;
	if (type == PP_RECORD_COMPRESSED2) {
		uint64_t ds = n >= 8 && have >= 16 ? pd_u64(p + 8) : UINT64_MAX;
		if (ds > n - 8)
			return pd_fail(d, WP_E_FORMAT, st->name, pos,
				      "COMPRESSED2 data_size %llu exceeds the record's %llu bytes",
				      (unsigned long long)ds, (unsigned long long)rs);
		payload = p + 16;
		n = (size_t)ds;
	}
	size_t present = have - (size_t)(payload - p);
	if (!st->z && !(st->z = pd_zstd_new()))
		return pd_fail(d, WP_E_NOMEM, st->name, pos, "out of memory");
	pd_zstd_feed(st->z, payload, n < present ? n : present);
	pd_src_consume(&st->src, have);
	st->comp_offset = pos;
	st->in_comp = true;
	return 0;
}

static bool is_compressed(uint32_t type)
{
	return type == PP_RECORD_COMPRESSED || type == PP_RECORD_COMPRESSED2;
}

/* A COMPRESSED record cut by the end of the input: zstd blocks wholly
 * present in it still inflate to whole records, which are handed out
 * before the cut is reported. */
static int begin_cut_compressed(struct pp_data *d, struct pd_stream *st, const uint8_t *p,
				uint32_t type, size_t rs, int64_t got, uint64_t pos)
{
	int rc = begin_compressed(d, st, p, type, rs, (size_t)got, pos);
	if (rc)
		return rc;
	st->comp_cut = true;
	st->cut_want = rs;
	st->cut_got = got;
	return 0;
}

/* A plain record of rs bytes (and extra bytes after it) at pos: parses
 * tracing data, notes an AUXTRACE payload to skip, hands it out. */
static int hand_out(struct pp_data *d, struct pd_stream *st, const uint8_t *p, uint32_t type,
		    size_t rs, size_t extra, uint64_t pos)
{
	if (st->z && pd_zstd_pending(st->z))
		pd_warn(d, PD_W_STRADDLE,
			"'%s': offset 0x%llx: uncompressed record while %zu inflated bytes wait "
			"for the rest of their record", st->name, (unsigned long long)pos,
			pd_zstd_pending(st->z));
	if (type == PP_RECORD_HEADER_TRACING_DATA) {
		int rc = pd_trace_parse(d, p + rs, extra);
		if (rc == WP_E_NOMEM)
			return pd_fail(d, rc, st->name, pos, "out of memory");
		if (rc)
			pd_warn(d, PD_W_TRACING, "'%s': offset 0x%llx: tracing data: %s", st->name,
				(unsigned long long)pos, wp_strerror(rc));
	}
	if (type == PP_RECORD_AUXTRACE && rs >= 16)
		st->skip = pd_u64(p + 8);
	st->consume = rs + extra;
	return 1;
}

int pd_stream_next(struct pp_data *d, struct pd_stream *st, const uint8_t **rec, size_t *size,
		   uint64_t *off)
{
	int rc;
	if (st->consume) {
		pd_src_consume(&st->src, st->consume);
		st->consume = 0;
	}
	if (st->skip && (rc = skip_trace_data(d, st)) != 0)
		return rc;
	for (;;) {
		if (st->in_comp && (rc = next_inflated(d, st, rec, size, off)) != 0)
			return rc;
		if (st->comp_cut) {
			st->comp_cut = false;
			return cut_short(d, st, st->comp_offset, st->cut_want, st->cut_got);
		}
		uint64_t pos = pd_src_pos(&st->src);
		if (pos >= st->end)
			break;
		const uint8_t *p;
		int64_t got = pd_src_peek(&st->src, 8, &p);
		if (got < 0)
			return read_error(d, st, pos, got);
		if (got == 0) {
			if (st->end != UINT64_MAX)
				return cut_short(d, st, pos, st->end - pos, 0);
			break;
		}
		if (got < 8)
			return cut_short(d, st, pos, 8, got);
		uint32_t type = pd_u32(p);
		size_t rs = pd_u16(p + 6);
		size_t extra = 0;
		if ((rc = check_size(d, st, pos, type, rs)) != 0)
			return rc;
		if (type == PP_RECORD_HEADER_TRACING_DATA && rs >= 12 &&
		    (rc = tracing_extra(d, st, pos, &extra)) != 0)
			return rc;
		got = pd_src_peek(&st->src, rs + extra, &p);
		if (got > (type == PP_RECORD_COMPRESSED2 ? 16 : 8) && (size_t)got < rs &&
		    is_compressed(type)) {
			if ((rc = begin_cut_compressed(d, st, p, type, rs, got, pos)) != 0)
				return rc;
			continue;
		}
		if (got < 0 || (size_t)got < rs + extra)
			return short_read(d, st, pos, rs, extra, got);
		if (is_compressed(type)) {
			if ((rc = begin_compressed(d, st, p, type, rs, rs, pos)) != 0)
				return rc;
			continue;
		}
		rc = hand_out(d, st, p, type, rs, extra, pos);
		if (rc == 1) {
			*rec = p;
			*size = rs;
			*off = pos;
		}
		return rc;
	}
	if (st->z && pd_zstd_pending(st->z))
		return pd_fail(d, WP_E_TRUNCATED, st->name, st->comp_offset,
			      "compressed data ends inside a record (%llu bytes of it present)",
			      (unsigned long long)pd_zstd_pending(st->z));
	return 0;
}
