/* perfdata_internal.h - what the perfdata_*.c files share; not installed.
 *
 * Layers, bottom up (one file each):
 *   perfdata_source.c  bytes from a file descriptor or memory, in a bounded window
 *   perfdata_zstd.c    COMPRESSED/COMPRESSED2 payloads as one zstd stream per file
 *   perfdata_stream.c  record framing per data file (sizes checked, out-of-record payloads)
 *   perfdata_order.c   time ordering: FINISHED_ROUND rounds, else a bounded queue
 *   perfdata_header.c  the file-mode header: perf_file_header, attrs section, feature table
 *   perfdata_attr.c    events: attrs, the id -> attr map, names, EVENT_UPDATE, ID_INDEX
 *   perfdata_feature.c feature sections (and HEADER_FEATURE/HEADER_BUILD_ID records)
 *   perfdata_sample.c  PERF_RECORD_SAMPLE and sample_id_all trailers
 *   perfdata_record.c  the other record types -> struct pp_record
 *   perfdata_trace.c   tracepoint fields through libtraceevent
 *   perfdata_reader.c  pp_data_open/next/free, directories, errors
 * Input is little-endian (the host's); other-endian files are refused.
 */
#ifndef PERFDATA_INTERNAL_H
#define PERFDATA_INTERNAL_H

#include <stdarg.h>
#include <string.h>

#include "perfparse.h"

/* Caps against hostile input. */
#define PD_MAX_ATTRS 4096u
#define PD_MAX_IDS (1u << 22)
#define PD_MAX_BUILD_IDS (1u << 20)
#define PD_MAX_FEATURE (64u << 20)      /* one feature section / payload */
#define PD_MAX_TRACING (64u << 20)      /* HEADER_TRACING_DATA */
#define PD_MAX_RECORD 65535u            /* header.size is a u16 */
#define PD_MAX_QUEUE_BYTES (64u << 20)  /* records held for reordering */
#define PD_MAX_QUEUE_ITEMS (1u << 20)
#define PD_MAX_FILES 4096u              /* data.N files of a directory */

static inline uint16_t pd_u16(const void *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static inline uint32_t pd_u32(const void *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static inline uint64_t pd_u64(const void *p) { uint64_t v; memcpy(&v, p, 8); return v; }

/* ---- perfdata_source.c ---- */
struct pd_source {
	int fd;                 /* -1 for memory */
	bool own_fd;
	bool seekable;
	const uint8_t *mem;
	uint64_t mem_len;
	uint8_t *buf;           /* window: buf[start, end) holds file bytes from pos on */
	size_t cap, start, end;
	uint64_t pos;
	uint64_t limit;         /* no bytes at or beyond this offset */
	bool eof;
	int err;                /* errno of a failed read */
};
int pd_src_open_fd(struct pd_source *s, int fd, bool own);
void pd_src_open_mem(struct pd_source *s, const void *p, size_t n);
void pd_src_close(struct pd_source *s);
/* Random access (file mode header, feature sections): reads exactly n bytes
 * at off; WP_E_TRUNCATED when fewer exist. */
int pd_src_pread(struct pd_source *s, uint64_t off, void *dst, size_t n);
uint64_t pd_src_size(struct pd_source *s); /* UINT64_MAX when unknown */
/* Sequential access from off on (seeks or skips forward). */
int pd_src_seek(struct pd_source *s, uint64_t off);
/* Makes n contiguous bytes available at *p (n <= PD_MAX_RECORD + 64 or the
 * window grows up to PD_MAX_TRACING); returns how many are there (< n only
 * at the end of input), or < 0 on I/O error. */
int64_t pd_src_peek(struct pd_source *s, size_t n, const uint8_t **p);
void pd_src_consume(struct pd_source *s, size_t n);
int pd_src_skip(struct pd_source *s, uint64_t n);
static inline uint64_t pd_src_pos(const struct pd_source *s) { return s->pos; }

/* ---- perfdata_zstd.c ---- */
struct pd_zstd;
struct pd_zstd *pd_zstd_new(void);
void pd_zstd_free(struct pd_zstd *z);
/* Hands over one COMPRESSED payload (copied); only when the previous one is used up. */
int pd_zstd_feed(struct pd_zstd *z, const void *p, size_t n);
/* 1 = a whole record at *rec (valid until the next call), 0 = needs more
 * input, < 0 = corrupt stream (WP_E_FORMAT) or record (WP_E_TRUNCATED etc.);
 * *why says what. */
int pd_zstd_next(struct pd_zstd *z, const uint8_t **rec, size_t *size, const char **why);
size_t pd_zstd_pending(const struct pd_zstd *z); /* bytes of an incomplete record */
uint64_t pd_zstd_out_pos(const struct pd_zstd *z); /* decompressed offset of the next record */

/* ---- perfdata_order.c ---- */
struct pd_item {
	uint64_t time, seq, offset;
	bool has_time;
	uint32_t size;
	uint32_t stream;
	uint32_t pad;
	uint8_t data[];         /* the record, then a NUL (8-aligned: malloc) */
};
struct pd_queue {
	struct pd_item **pending; /* timed, not yet flushable */
	size_t npending, pending_cap;
	struct pd_item **ready;   /* in delivery order, from rhead */
	size_t rhead, nready, ready_cap;
	uint64_t bytes, max_bytes;
	size_t max_items;
	uint64_t seq;
	uint64_t max_time;        /* largest time queued so far */
	uint64_t next_flush;      /* FINISHED_ROUND flushes up to here (perf's rule) */
	uint64_t flushed_time;    /* largest time handed out */
	bool flushed_any;
	uint64_t late;            /* records older than what was already handed out */
};
void pd_queue_init(struct pd_queue *q, uint64_t max_bytes, size_t max_items);
void pd_queue_release(struct pd_queue *q);
/* Takes ownership of it. 1 when the queue overflowed and flushed half. */
int pd_queue_push(struct pd_queue *q, struct pd_item *it);
int pd_queue_round(struct pd_queue *q);    /* FINISHED_ROUND */
int pd_queue_flush_all(struct pd_queue *q);
struct pd_item *pd_queue_peek(const struct pd_queue *q);
struct pd_item *pd_queue_pop(struct pd_queue *q);

/* ---- the reader ---- */
struct pd_attr {
	struct pp_event ev;     /* what pp_data_event() returns */
	uint64_t *ids;
	size_t nids, ids_cap;
	char *name;             /* owned, NULL = generated later */
	char *gen_name;
	void *tep_event;        /* struct tep_event *, looked up once */
	bool tep_looked_up;
};

struct pd_stream {
	struct pd_source src;
	char *name;             /* file name for messages */
	uint64_t end;           /* end of the data section (UINT64_MAX: to EOF) */
	bool tolerate_tail;     /* interrupted recording: a cut last record is a warning */
	struct pd_zstd *z;
	uint64_t comp_offset;   /* the COMPRESSED record being decompressed */
	bool in_comp;
	bool comp_cut;          /* it is the cut last one: after its records, */
	size_t cut_want;        /* its size and the bytes present are reported */
	int64_t cut_got;
	size_t consume;         /* bytes of the record handed out last */
	uint64_t skip;          /* AUXTRACE payload after it */
	struct pd_queue q;
	bool ended;
	int err;                /* damage found; reported once the queue is empty */
	char *errmsg;
};

enum pd_warn_kind {
	PD_W_UNKNOWN_ID, PD_W_TRUNC_TAIL, PD_W_FEATURE, PD_W_LATE, PD_W_TRACING,
	PD_W_NO_ATTR, PD_W_STRADDLE, PD_W_ATTR, PD_W_KINDS
};

struct pp_data {
	char *path;
	wp_warn_fn warn;
	void *warn_ctx;
	uint64_t nwarnings;
	bool warned[PD_W_KINDS];
	char err[512];
	int failed;             /* the error already reported, or 0 */
	int cut_err;            /* the file ends inside its feature sections: */
	char cut_msg[512];      /* reported after the last record */

	struct pp_data_info info;
	char *str_hostname, *str_osrelease, *str_version, *str_arch, *str_cpudesc, *str_cmdline;
	uint64_t file_size;

	struct pd_attr **attrs; /* each allocated once: pp_event pointers stay valid */
	size_t nattrs, attrs_cap;
	/* id -> attr index: open addressing, id_vals UINT32_MAX = free slot */
	uint64_t *id_keys;
	uint32_t *id_vals;
	size_t id_cap, id_count;

	struct pp_build_id *build_ids; /* their filenames are owned here */
	size_t nbuild_ids, build_ids_cap;

	struct pd_stream *streams;
	size_t nstreams, streams_cap;
	uint64_t next_seq;

	struct pd_item *cur;    /* the record handed out last */
	struct pp_record rec;
	uint8_t *scratch;       /* aligned copies and NUL-terminated strings of rec */
	size_t scratch_len, scratch_cap;
	uint8_t *scratch_old[16]; /* outgrown blocks still pointed into by rec */
	size_t scratch_nold, scratch_old_len;

	void *tep;              /* struct tep_handle * */
	char namebuf[256];
	struct wp_buf tracing;  /* pipe mode HEADER_TRACING_DATA payload */
};

void pd_warn(struct pp_data *d, enum pd_warn_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Sets d->err to "'NAME': offset 0xOFF: what" and returns code. */
int pd_fail(struct pp_data *d, int code, const char *name, uint64_t off, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Damage that only loses one section or record: out of memory fails the
 * reader, any other rc is one warning "'NAME': offset 0xOFF: WHAT ID: error
 * TAIL" of kind and reading goes on (0). */
int pd_soft_error(struct pp_data *d, int rc, enum pd_warn_kind kind, const char *name,
		  uint64_t off, const char *what, unsigned id, const char *tail);
void *pd_scratch(struct pp_data *d, size_t n); /* 8-aligned, reset per record */
char *pd_strdup_n(const char *p, size_t n);

/* perfdata_header.c */
int pd_read_file_header(struct pp_data *d, struct pd_stream *st, uint64_t *data_off,
			uint64_t *data_size);

/* perfdata_attr.c */
int pd_add_attr(struct pp_data *d, const uint8_t *p, size_t n, const uint8_t *ids_le,
		size_t nids, size_t *index);
int pd_add_id(struct pp_data *d, uint64_t id, size_t attr);
bool pd_lookup_id(const struct pp_data *d, uint64_t id, size_t *attr);
void pd_attr_set_name(struct pp_data *d, size_t i, const char *p, size_t n);
int pd_event_update(struct pp_data *d, const uint8_t *p, size_t n);
int pd_id_index(struct pp_data *d, const uint8_t *p, size_t n);
void pd_attrs_release(struct pp_data *d);
const char *pd_attr_name(struct pp_data *d, size_t i);

/* perfdata_feature.c */
bool pd_feature_read(unsigned bit); /* a HEADER_* feature pd_parse_feature() uses */
int pd_parse_feature(struct pp_data *d, unsigned bit, const uint8_t *p, size_t n);
int pd_add_build_id_rec(struct pp_data *d, const uint8_t *p, size_t n);

/* perfdata_sample.c */
/* Finds the attr and time of a record for ordering; never fails (unknown
 * -> PP_NO_EVENT / no time). */
void pd_record_time(struct pp_data *d, const uint8_t *rec, size_t size, size_t *attr,
		    bool *has_time, uint64_t *time);
int pd_decode_sample(struct pp_data *d, const uint8_t *rec, size_t size, struct pp_sample *s,
		     const char **why);
/* Parses the sample_id_all trailer; returns the trailer's size in bytes
 * (0 when the record has none). */
size_t pd_decode_trailer(struct pp_data *d, const uint8_t *rec, size_t size,
			 struct pp_sample_id *sid, size_t *attr);

/* perfdata_record.c */
int pd_decode_record(struct pp_data *d, const struct pd_item *it, struct pp_record *r,
		     const char **why);

/* perfdata_stream.c */
/* The next record of a stream: 1 with rec, size and off set, 0 at the end, < 0 on
 * damage (message in st->errmsg). In-band header records are handled here. */
int pd_stream_next(struct pp_data *d, struct pd_stream *st, const uint8_t **rec, size_t *size,
		   uint64_t *off);
void pd_stream_release(struct pd_stream *st);

/* perfdata_trace.c */
int pd_trace_parse(struct pp_data *d, const uint8_t *p, size_t n);
void pd_trace_free(struct pp_data *d);
const char *pd_trace_event_name(struct pp_data *d, size_t attr); /* "sys:name" or NULL */

#endif
