/* perfparse.h - readers of perf's formats: `perf script` text, perf.data
 * and jitdump (perf maps are read by the symbolizer, which uses them). No
 * symbolization happens here.
 *
 * Depends only on common/ (wpcommon.h). Handles are freed by *_free(),
 * which accepts NULL. Everything a reader hands out stays valid until its
 * next call and is owned by the reader.
 */
#ifndef PERFPARSE_H
#define PERFPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wpcommon.h"

/* A byte range of the current sample (not NUL-terminated). */
struct pp_str {
	const char *p;
	size_t n;
};

/* ====================================================================
 * `perf script` text
 * ==================================================================== */

/* One frame line: `    7f12ab symbol+0x1f (/path/module)`. */
struct pp_script_frame {
	struct pp_str pc;
	struct pp_str sym;     /* with its "+0x.." offset, as printed */
	struct pp_str module;  /* text inside the final parentheses */
	struct pp_str srcline; /* source line that followed (-F+srcline), or empty */
};

struct pp_script_sample {
	struct pp_str comm;
	struct pp_str pid;     /* empty when perf printed only the TID */
	struct pp_str tid;
	struct pp_str event;   /* "cpu-clock", "sched:sched_switch", "cycles:u" */
	struct pp_str trace;   /* tracepoint payload after the event name, if any */
	uint64_t period;       /* 1 when perf printed none */
	bool has_period;
	uint64_t time;         /* ns, from "SECONDS.FRACTION:" (precision as printed) */
	bool has_time;         /* false when perf printed no time (-F without time) */
	uint64_t lineno;       /* line of the event header */
	size_t nframes;
	const struct pp_script_frame *frames; /* leaf first, as perf prints */
};

/* Kinds of malformed lines, each warned about once by the tools. */
enum pp_script_warning {
	PP_WEIRD_EVENT_LINE,
	PP_WEIRD_STACK_LINE,
	PP_SCRIPT_WARNING_KINDS
};

struct pp_script_stats {
	uint64_t lines;
	uint64_t bytes;
	uint64_t samples;
	uint64_t weird[PP_SCRIPT_WARNING_KINDS];
	uint64_t weird_bytes; /* bytes of lines that could not be used */
};

typedef void (*pp_script_warn_fn)(void *ctx, enum pp_script_warning kind, const char *line,
				  size_t len, uint64_t lineno);

struct pp_script_reader;
/* Takes ownership of `lines`. The warning callback may be NULL. */
struct pp_script_reader *pp_script_new(struct wp_lines *lines, pp_script_warn_fn warn, void *ctx);
/* Samples carry their time (time, has_time) only after this call: the
 * conversion is skipped for readers that never look at it. */
void pp_script_want_times(struct pp_script_reader *r);
void pp_script_free(struct pp_script_reader *r);
/* 1 = a sample in *out, 0 = end of input, < 0 = read error (see
 * pp_script_errmsg). Event headers without frames still yield a sample with
 * nframes == 0; a header carrying its frame on the same line (perf script
 * without -g) yields one frame. */
int pp_script_next(struct pp_script_reader *r, const struct pp_script_sample **out);
const struct pp_script_stats *pp_script_stats(const struct pp_script_reader *r);
const char *pp_script_errmsg(const struct pp_script_reader *r);

/* Line-level parsers, exposed for tests and the format sniffer. Return true
 * when the line has that shape. */
bool pp_script_parse_frame(const char *line, size_t len, struct pp_script_frame *out);

/* ====================================================================
 * perf.data (file and pipe mode) -- see perfdata_*.c
 * ==================================================================== */
/*
 * Reads perf.data as `perf record` writes it: file mode (PERFILE2 header,
 * attrs, data, feature sections), pipe mode (`perf record -o -`, from a
 * file, a pipe or stdin), `perf record --threads` directories, zstd
 * compressed data (-z), interrupted recordings (data size 0). Records come
 * out in time order (FINISHED_ROUND rounds, else a bounded reordering
 * queue); memory stays bounded by one round's records.
 *
 *	struct pp_data *d;
 *	if (pp_data_open(&d, "perf.data", warn, ctx) != 0) { puts(pp_data_errmsg(d)); ... }
 *	const struct pp_record *r;
 *	while ((rc = pp_data_next(d, &r)) == 1)
 *		if (r->type == PP_RECORD_SAMPLE) use(&r->u.sample);
 *	if (rc < 0) puts(pp_data_errmsg(d));  // "perf.data: offset 0x1f40: ..."
 *	pp_data_free(d);
 *
 * Everything a record points to stays valid until the next pp_data_next();
 * header facts (events, build-ids, info) live as long as the reader. In
 * pipe mode the header facts arrive in-band: they are complete once the
 * first SAMPLE has been returned.
 */

/* Record types (perf_event.h and tools/lib/perf/include/perf/event.h). */
enum pp_record_type {
	PP_RECORD_MMAP = 1,
	PP_RECORD_LOST = 2,
	PP_RECORD_COMM = 3,
	PP_RECORD_EXIT = 4,
	PP_RECORD_THROTTLE = 5,
	PP_RECORD_UNTHROTTLE = 6,
	PP_RECORD_FORK = 7,
	PP_RECORD_READ = 8,
	PP_RECORD_SAMPLE = 9,
	PP_RECORD_MMAP2 = 10,
	PP_RECORD_LOST_SAMPLES = 13,
	PP_RECORD_SWITCH = 14,
	PP_RECORD_SWITCH_CPU_WIDE = 15,
	PP_RECORD_KSYMBOL = 17,
	PP_RECORD_BPF_EVENT = 18,
	PP_RECORD_HEADER_ATTR = 64,
	PP_RECORD_HEADER_EVENT_TYPE = 65,
	PP_RECORD_HEADER_TRACING_DATA = 66,
	PP_RECORD_HEADER_BUILD_ID = 67,
	PP_RECORD_FINISHED_ROUND = 68,
	PP_RECORD_ID_INDEX = 69,
	PP_RECORD_AUXTRACE = 71,
	PP_RECORD_THREAD_MAP = 73,
	PP_RECORD_CPU_MAP = 74,
	PP_RECORD_EVENT_UPDATE = 78,
	PP_RECORD_TIME_CONV = 79,
	PP_RECORD_HEADER_FEATURE = 80,
	PP_RECORD_COMPRESSED = 81,  /* never returned: their contents are */
	PP_RECORD_FINISHED_INIT = 82,
	PP_RECORD_COMPRESSED2 = 83, /* never returned either */
};

/* header.misc & 7, and what a callchain context marker switches to. */
enum pp_cpumode {
	PP_CPUMODE_UNKNOWN = 0,
	PP_CPUMODE_KERNEL = 1,
	PP_CPUMODE_USER = 2,
	PP_CPUMODE_HYPERVISOR = 3,
	PP_CPUMODE_GUEST_KERNEL = 4,
	PP_CPUMODE_GUEST_USER = 5,
};
/* Kernel code, the host's or a guest's: perf marks those frames [k]. */
static inline bool pp_cpumode_is_kernel(unsigned mode)
{
	return mode == PP_CPUMODE_KERNEL || mode == PP_CPUMODE_GUEST_KERNEL;
}
#define PP_MISC_CPUMODE_MASK 7u
#define PP_MISC_EXEC (1u << 13)       /* COMM: the thread exec'd */
#define PP_MISC_MMAP_DATA (1u << 13)  /* MMAP*: a data (non-exec) mapping */
#define PP_MISC_EXACT_IP (1u << 14)   /* SAMPLE */
#define PP_MISC_MMAP_BUILD_ID (1u << 14) /* MMAP2 carries a build-id */

/* PERF_SAMPLE_* bits (sample_type), for pp_event.sample_type and
 * pp_sample.fields. */
#define PP_SAMPLE_IP (1ull << 0)
#define PP_SAMPLE_TID (1ull << 1)
#define PP_SAMPLE_TIME (1ull << 2)
#define PP_SAMPLE_ADDR (1ull << 3)
#define PP_SAMPLE_READ (1ull << 4)
#define PP_SAMPLE_CALLCHAIN (1ull << 5)
#define PP_SAMPLE_ID (1ull << 6)
#define PP_SAMPLE_CPU (1ull << 7)
#define PP_SAMPLE_PERIOD (1ull << 8)
#define PP_SAMPLE_STREAM_ID (1ull << 9)
#define PP_SAMPLE_RAW (1ull << 10)
#define PP_SAMPLE_BRANCH_STACK (1ull << 11)
#define PP_SAMPLE_REGS_USER (1ull << 12)
#define PP_SAMPLE_STACK_USER (1ull << 13)
#define PP_SAMPLE_WEIGHT (1ull << 14)
#define PP_SAMPLE_DATA_SRC (1ull << 15)
#define PP_SAMPLE_IDENTIFIER (1ull << 16)
#define PP_SAMPLE_TRANSACTION (1ull << 17)
#define PP_SAMPLE_REGS_INTR (1ull << 18)
#define PP_SAMPLE_PHYS_ADDR (1ull << 19)
#define PP_SAMPLE_AUX (1ull << 20)
#define PP_SAMPLE_CGROUP (1ull << 21)
#define PP_SAMPLE_DATA_PAGE_SIZE (1ull << 22)
#define PP_SAMPLE_CODE_PAGE_SIZE (1ull << 23)
#define PP_SAMPLE_WEIGHT_STRUCT (1ull << 24)

/* Callchain context markers: entries >= PP_CONTEXT_MAX are not addresses
 * but switch the mode of the addresses that follow (leaf first). The first
 * address after a marker is the interrupted pc (use it as is); the others
 * are return addresses (look up addr - 1). */
#define PP_CONTEXT_HV ((uint64_t)-32)
#define PP_CONTEXT_KERNEL ((uint64_t)-128)
#define PP_CONTEXT_USER ((uint64_t)-512)
#define PP_CONTEXT_GUEST ((uint64_t)-2048)
#define PP_CONTEXT_GUEST_KERNEL ((uint64_t)-2176)
#define PP_CONTEXT_GUEST_USER ((uint64_t)-2560)
#define PP_CONTEXT_MAX ((uint64_t)-4095)

/* Walks a sample's callchain, skipping the markers. */
struct pp_sample;
struct pp_callchain_iter {
	const uint64_t *ips;
	size_t n, i;
	enum pp_cpumode mode;  /* of the address last returned */
	bool after_marker;     /* the next address directly follows a marker */
};
void pp_callchain_iter_init(struct pp_callchain_iter *it, const struct pp_sample *s);
/* true with an address; *first_after_marker says it is a pc, not a return
 * address (also true for the very first entry, the sampled ip). */
bool pp_callchain_next(struct pp_callchain_iter *it, uint64_t *addr, enum pp_cpumode *mode,
		       bool *first_after_marker);

#define PP_NO_EVENT ((size_t)-1)

/* One event (perf_event_attr) of the recording. */
struct pp_event {
	const char *name;           /* "cpu-clock:ppp", "sched:sched_switch", never NULL */
	uint32_t type;              /* PERF_TYPE_*: 0 hw, 1 sw, 2 tracepoint, ... */
	uint64_t config;            /* for tracepoints: the tracepoint id */
	uint64_t sample_period;     /* or the frequency when freq */
	bool freq;
	bool sample_id_all;
	uint64_t sample_type;       /* PP_SAMPLE_* */
	uint64_t read_format;
	uint64_t branch_sample_type;
	uint64_t sample_regs_user, sample_regs_intr;
	uint32_t sample_stack_user;
	uint32_t attr_size;         /* perf_event_attr.size as recorded */
	size_t nids;
	const uint64_t *ids;        /* the sample ids that belong to it */
};

struct pp_build_id {
	int32_t pid;                /* -1 for the kernel and modules */
	uint16_t cpumode;           /* PP_CPUMODE_* */
	uint8_t size;               /* bytes of id used (20 for SHA-1) */
	uint8_t id[20];
	const char *filename;
};

/* Facts from the header (file mode) or the in-band header records (pipe).
 * Strings are NULL when the feature is absent. */
struct pp_data_info {
	bool pipe_mode;
	bool directory;             /* perf record --threads: data + data.N */
	bool data_size_unknown;     /* interrupted recording: data.size was 0 */
	uint64_t features[4];       /* HEADER_* feature bitmap (file mode) */
	const char *hostname, *osrelease, *perf_version, *arch, *cpudesc;
	const char *cmdline;        /* perf's argv joined with spaces */
	uint32_t nr_cpus_online, nr_cpus_avail;
	bool compressed;            /* HEADER_COMPRESSED */
	uint32_t comp_type, comp_level, comp_ratio, comp_mmap_len; /* type 1 = zstd */
	bool has_sample_time;
	uint64_t first_sample_time, last_sample_time;
	bool has_clockid;
	uint64_t clockid_res_ns;
	bool has_clock_data;
	uint32_t clockid;
	uint64_t wall_clock_ns, clockid_time_ns;
	bool has_tracing_data;
	uint64_t dir_format_version;
};

struct pp_read_value {
	uint64_t value, id, lost;
};

struct pp_branch_entry {
	uint64_t from, to, flags;
};

/* A decoded PERF_RECORD_SAMPLE; `fields` says which members are set
 * (the event's sample_type). */
struct pp_sample {
	size_t event;               /* index for pp_data_event(), PP_NO_EVENT if unknown */
	uint64_t fields;            /* PP_SAMPLE_* present */
	enum pp_cpumode cpumode;    /* of ip, from header.misc */
	bool kernel_ip;             /* ip is a kernel (or guest kernel) address */
	bool exact_ip;
	uint64_t id, ip, time, addr, stream_id, period;
	uint32_t pid, tid, cpu;
	/* READ: one value, or a group's values */
	uint64_t read_time_enabled, read_time_running;
	size_t nr_read;
	const struct pp_read_value *read;
	/* CALLCHAIN: leaf first, with context markers (see pp_callchain_next) */
	size_t nr_callchain;
	const uint64_t *callchain;
	/* RAW: tracepoint data, decoded with pp_sample_field_*() */
	const void *raw;
	uint32_t raw_size;
	/* BRANCH_STACK */
	size_t nr_branch;
	const struct pp_branch_entry *branches;
	bool has_hw_idx;
	uint64_t hw_idx;
	const uint64_t *branch_counters; /* nr_branch of them, or NULL */
	/* REGS_USER / STACK_USER, raw for an unwinder: regs in ascending bit
	 * order of regs_user_mask; no regs when abi == 0 */
	uint64_t regs_user_abi, regs_user_mask;
	size_t nr_regs_user;
	const uint64_t *regs_user;
	const void *stack_user;     /* stack_user_size bytes copied from the user SP ... */
	uint64_t stack_user_size;
	uint64_t stack_user_dyn_size; /* ... of which this many are valid */
	uint64_t weight, data_src, transaction;
	uint64_t regs_intr_abi, regs_intr_mask;
	size_t nr_regs_intr;
	const uint64_t *regs_intr;
	uint64_t phys_addr, cgroup, data_page_size, code_page_size;
	const void *aux;
	uint64_t aux_size;
};

/* MMAP and MMAP2 (is_mmap2). */
struct pp_mmap {
	uint32_t pid, tid;
	uint64_t addr, len, pgoff;
	bool is_mmap2;
	bool has_build_id;          /* misc & PP_MISC_MMAP_BUILD_ID: build_id instead of dev/ino */
	uint32_t maj, min;
	uint64_t ino, ino_generation;
	uint8_t build_id_size;
	const uint8_t *build_id;
	uint32_t prot, flags;
	const char *filename;
};

struct pp_comm {
	uint32_t pid, tid;
	bool exec;                  /* misc & PP_MISC_EXEC */
	const char *comm;
};

/* FORK and EXIT */
struct pp_fork {
	uint32_t pid, ppid, tid, ptid;
	uint64_t time;
};

/* LOST (id, lost) and LOST_SAMPLES (lost only) */
struct pp_lost {
	uint64_t id, lost;
};

struct pp_ksymbol {
	uint64_t addr;
	uint32_t len;
	uint16_t ksym_type, flags;  /* type 1 BPF, 2 out-of-line; flags 1 unregister */
	const char *name;
};

/* TIME_CONV: how TSC cycles map to perf's sample clock (for jitdumps with
 * JITDUMP_FLAGS_ARCH_TIMESTAMP). Files older than perf 5.12 carry only the
 * first three fields (has_short false). */
struct pp_time_conv {
	uint64_t time_shift, time_mult, time_zero;
	uint64_t time_cycles, time_mask;
	bool cap_user_time_zero, cap_user_time_short, has_short;
};
/* perf's tsc_to_perf_time(). */
uint64_t pp_tsc_to_perf_time(const struct pp_time_conv *tc, uint64_t cycles);

/* Trailer of non-sample kernel records (sample_id_all). */
struct pp_sample_id {
	uint64_t fields;            /* PP_SAMPLE_TID|TIME|ID|STREAM_ID|CPU|IDENTIFIER present */
	uint32_t pid, tid, cpu;
	uint64_t time, id, stream_id;
};

struct pp_record {
	uint32_t type;              /* enum pp_record_type, or another value */
	uint16_t misc;
	uint16_t size;              /* header.size */
	const void *data;           /* the whole record, header included */
	uint64_t offset;            /* file offset; inside compressed data: of the COMPRESSED record */
	const char *file;           /* the file it came from (data.N in a directory) */
	bool has_time;
	uint64_t time;
	size_t event;               /* the record's event (PP_NO_EVENT when unknown) */
	struct pp_sample_id sid;    /* non-sample kernel records */
	union {
		struct pp_sample sample; /* SAMPLE */
		struct pp_mmap mmap;     /* MMAP, MMAP2 */
		struct pp_comm comm;     /* COMM */
		struct pp_fork fork;     /* FORK, EXIT */
		struct pp_lost lost;     /* LOST, LOST_SAMPLES */
		struct pp_ksymbol ksymbol; /* KSYMBOL */
		struct pp_time_conv time_conv; /* TIME_CONV */
	} u;
};

struct pp_data;
/* Warnings (wp_warn_fn, may be NULL) are one line each, naming the file and
 * offset: bad but survivable input, each kind reported once and all
 * counted (pp_data_nwarnings).
 * path: a file, a `perf record --threads` directory, or "-" (or NULL) for
 * stdin. On failure *out is still set (free it) so pp_data_errmsg works,
 * unless memory ran out (then *out is NULL). */
int pp_data_open(struct pp_data **out, const char *path, wp_warn_fn warn, void *ctx);
/* The same over bytes in memory (fuzzers, tests); they must outlive it. */
int pp_data_open_mem(struct pp_data **out, const void *data, size_t len, const char *name,
		     wp_warn_fn warn, void *ctx);
void pp_data_free(struct pp_data *d);
const char *pp_data_errmsg(const struct pp_data *d);
uint64_t pp_data_nwarnings(const struct pp_data *d);

/* 1 = a record in *out, 0 = end of data, < 0 = error: the data is damaged
 * from the offset named in pp_data_errmsg() on; every record before the
 * damage has been returned. A file cut inside its feature sections (after
 * the data) gives all its records, then WP_E_TRUNCATED. */
int pp_data_next(struct pp_data *d, const struct pp_record **out);

const struct pp_data_info *pp_data_info(const struct pp_data *d);
size_t pp_data_nevents(const struct pp_data *d);
const struct pp_event *pp_data_event(const struct pp_data *d, size_t i);
const char *pp_data_event_name(const struct pp_data *d, size_t i);
size_t pp_data_nbuild_ids(const struct pp_data *d);
const struct pp_build_id *pp_data_build_id(const struct pp_data *d, size_t i);

/* Tracepoint samples (PERF_TYPE_TRACEPOINT, uprobes and kprobes from
 * `perf probe`): fields of the RAW data by name, decoded through
 * libtraceevent with the formats of HEADER_TRACING_DATA. Numbers come
 * sign-extended when the field is signed. Strings (`__data_loc char[]`,
 * `char comm[16]`) are byte ranges inside the sample, without the NUL.
 * WP_E_NOTFOUND: no such field, or not a tracepoint event; WP_E_FORMAT: the
 * field lies outside the RAW data. */
int pp_sample_field_u64(struct pp_data *d, const struct pp_sample *s, const char *field,
			uint64_t *value);
int pp_sample_field_str(struct pp_data *d, const struct pp_sample *s, const char *field,
			struct pp_str *value);
/* "cpu-clock", "sched:sched_switch", "probe_iwasm:wasm_runtime_load", or
 * "[unknown]" */
const char *pp_sample_event_name(const struct pp_data *d, const struct pp_sample *s);


/* Event names are compared without perf's modifier suffix (`cycles:u`,
 * `cpu-clock:uhH` -> `cycles`, `cpu-clock`) and without sampling terms
 * (`cpu-clock/freq=999/u`, `page-faults/period=1/` -> `cpu-clock`,
 * `page-faults`); tracepoints keep both parts, PMU events (`cpu/cycles/`)
 * their PMU. The result points into `event`. */
struct pp_str pp_event_base_name(struct pp_str event);
/* Whether the event name `event` (as perf shows it) is the one a user
 * names with `filter`: equal base names, or `filter` names the tracepoint
 * without its subsystem (`sched_switch` for `sched:sched_switch`) or the
 * event of a PMU event (`cycles` for `cpu/cycles,period=1000/`). */
bool pp_event_matches(struct pp_str event, struct pp_str filter);

/* ====================================================================
 * jitdump (`jit-PID.dump`, written by V8 --perf-prof, WAMR's LLVM JIT,
 * wasmtime --profile=jitdump, ...) -- see jitdump.c
 * ==================================================================== */
/*
 * Streams the records of a jitdump in file order (the order the runtime
 * wrote them; timestamps grow). Both byte orders are detected by the magic
 * ("JiTD"); other-endian files are swapped. Unknown record ids are skipped
 * (their size is in the prefix), as the specification asks. A record cut by
 * the end of the file (the runtime was still writing) ends the stream with a
 * warning, not an error: everything before it was delivered. A damaged
 * record (size smaller than its fields, sizes that overflow, a name without
 * its NUL, debug entries beyond the record) is an error naming the offset.
 *
 *	struct pp_jitdump *j;
 *	if (pp_jitdump_open(&j, "jit-123.dump", warn, ctx) != 0) { puts(pp_jitdump_errmsg(j)); ... }
 *	const struct pp_jit_record *r;
 *	while ((rc = pp_jitdump_next(j, &r)) == 1)
 *		if (r->type == PP_JIT_CODE_LOAD) use(r->u.load.code_addr, r->u.load.name);
 *	pp_jitdump_free(j);
 *
 * What a record points to stays valid until the next pp_jitdump_next().
 */
enum pp_jit_record_type {
	PP_JIT_CODE_LOAD = 0,
	PP_JIT_CODE_MOVE = 1,
	PP_JIT_CODE_DEBUG_INFO = 2,
	PP_JIT_CODE_CLOSE = 3,
	PP_JIT_CODE_UNWINDING_INFO = 4,
};

#define PP_JITDUMP_FLAGS_ARCH_TIMESTAMP 1ull /* timestamps are TSC, see TIME_CONV */

struct pp_jit_header {
	uint32_t version;           /* 1 (perf's), 2 accepted */
	uint32_t total_size;        /* header bytes, >= 40 */
	uint32_t elf_mach;          /* EM_X86_64 = 62, EM_AARCH64 = 183 */
	uint32_t pid;
	uint64_t timestamp;
	uint64_t flags;             /* PP_JITDUMP_FLAGS_* */
	bool swapped;               /* written on a host of the other byte order */
};

struct pp_jit_debug_entry {
	uint64_t code_addr;
	uint32_t line, discrim;
	const char *file;           /* NUL-terminated inside the record */
};

struct pp_jit_record {
	enum pp_jit_record_type type;
	uint64_t timestamp;         /* CLOCK_MONOTONIC ns, or TSC with ARCH_TIMESTAMP */
	uint64_t offset;            /* of the record prefix in the file */
	union {
		struct {
			uint32_t pid, tid;
			uint64_t vma, code_addr, code_size, code_index;
			const char *name;       /* NUL-terminated */
			const uint8_t *code;    /* code_size bytes */
		} load;
		struct {
			uint32_t pid, tid;
			uint64_t vma, old_code_addr, new_code_addr, code_size, code_index;
		} move;
		struct {
			uint64_t code_addr;     /* of the CODE_LOAD that follows */
			size_t nentries;
			const struct pp_jit_debug_entry *entries;
		} debug;
		struct {
			uint64_t unwind_data_size, eh_frame_hdr_size, mapped_size;
			const uint8_t *data;    /* unwind_data_size bytes: .eh_frame, then the
						 * .eh_frame_hdr in its last eh_frame_hdr_size bytes */
		} unwind;
	} u;
};

struct pp_jitdump;
/* On failure *out is still set (free it) so pp_jitdump_errmsg works,
 * unless memory ran out (then *out is NULL). A bad header (wrong magic,
 * short file, total_size < 40) fails here. */
int pp_jitdump_open(struct pp_jitdump **out, const char *path, wp_warn_fn warn, void *ctx);
/* The same over bytes in memory (fuzzers, tests); they must outlive it. */
int pp_jitdump_open_mem(struct pp_jitdump **out, const void *data, size_t len, const char *name,
			wp_warn_fn warn, void *ctx);
void pp_jitdump_free(struct pp_jitdump *j);
const struct pp_jit_header *pp_jitdump_header(const struct pp_jitdump *j);
/* 1 = a record in *out, 0 = end (or a record cut by the end of the file,
 * warned), < 0 = damaged at the offset named in pp_jitdump_errmsg(). */
int pp_jitdump_next(struct pp_jitdump *j, const struct pp_jit_record **out);
const char *pp_jitdump_errmsg(const struct pp_jitdump *j);

#endif
