/* data_feed.h - a perf.data recording fed to the symbolizer, once for every
 * tool that reads perf.data: MMAP/MMAP2, COMM, FORK and EXIT build the
 * processes' address spaces, the header's build-ids locate their files,
 * the jitdumps (marked in the recording or given) add the jitted code in
 * time order, and the thread names are kept as perf script prints them.
 *
 *	struct data_feed *f = data_feed_new(&cfg, path, warn, error, ctx);
 *	data_feed_build_ids(f, d);
 *	while (pp_data_next(d, &r) == 1) {
 *		if (r->type == PP_RECORD_SAMPLE)
 *			data_feed_sample(f, d, &r->u.sample), then resolve through
 *			data_feed_symbolizer(f);
 *		else
 *			data_feed_record(f, r);
 *	}
 */
#ifndef WASMPERF_DATA_FEED_H
#define WASMPERF_DATA_FEED_H

#include <stdbool.h>
#include <stdint.h>

#include "perfparse.h"
#include "symbolizer.h"

struct data_feed_config {
	const char *symfs;          /* root for recorded paths, or NULL */
	const char *kallsyms;       /* --kallsyms FILE, or NULL */
	const char *buildid_dir;    /* --buildid-dir DIR (NULL: ~/.debug) */
	const char *perf_map_dir;   /* --perf-map-dir DIR, or NULL */
	const char **jitdumps;      /* --jitdump FILE|DIR (kept, not copied) */
	size_t njitdumps;
	unsigned threads;           /* > 1: symbol sources load in threads - 1 workers
				     * (sym_native_options.threads); 0 or 1: none */
};

struct data_feed;
/* path: the recording (NULL or "-": standard input), whose directory holds
 * perf maps and jitdumps. warn gets survivable trouble, error damaged or
 * missing jitdumps (data_feed_status is then 1). NULL when out of memory. */
struct data_feed *data_feed_new(const struct data_feed_config *cfg, const char *path,
				wp_warn_fn warn, wp_warn_fn error, void *ctx);
void data_feed_free(struct data_feed *f);
struct sym_native *data_feed_symbolizer(const struct data_feed *f);
/* The build-ids of the header (file mode: call once opened). */
void data_feed_build_ids(struct data_feed *f, const struct pp_data *d);
/* A record that is not a SAMPLE (others are ignored): 0 or < 0 (WP_E_*). */
int data_feed_record(struct data_feed *f, const struct pp_record *r);
/* A record not yet fed, seen ahead (fold_data.c looks at the records the
 * reader thread has queued): an MMAP's symbol source starts loading now,
 * on the symbolizer's workers, instead of when the record is fed, which
 * may be after samples that wait for other loads. Nothing else changes. */
void data_feed_ahead(struct data_feed *f, const struct pp_record *r);
/* Before a sample is resolved: the jitted code loaded up to its time. */
int data_feed_sample(struct data_feed *f, const struct pp_data *d, const struct pp_sample *s);
/* What data_feed_sample learns from d at the first sample (the machine,
 * whether jitdump times compare with the samples'), in two steps for a
 * reader on another thread (fold_data.c): _of where d is, _set where the
 * feed is, before that sample; data_feed_sample then never reads d (NULL). */
struct data_feed_recording {
	uint16_t machine;           /* EM_* */
	bool monotonic;             /* sample times are CLOCK_MONOTONIC */
};
void data_feed_recording_of(const struct pp_data *d, struct data_feed_recording *r);
void data_feed_set_recording(struct data_feed *f, const struct data_feed_recording *r);
/* A sample's frame addresses, leaf first, to fn (stopping at a nonzero
 * return, which is returned): its callchain; for --call-graph dwarf the
 * callchain's kernel part, then the user part unwound from the stack copy
 * (the callchain's own user part when nothing unwinds, e.g. a kernel
 * thread); the bare ip when there is no callchain. 0 or < 0 (WP_E_*). */
typedef int (*data_frame_fn)(void *ctx, const struct pp_sample *s, uint64_t addr, bool kernel);
int data_feed_frames(struct data_feed *f, const struct pp_sample *s, data_frame_fn fn, void *ctx);
/* The same addresses, leaf first, into a growing array (emptied first):
 * for a caller that looks at all of them before resolving any. */
struct data_feed_addr {
	uint64_t addr;
	bool kernel;
};
struct data_feed_addrs {
	struct data_feed_addr *v;
	size_t n, cap;
};
int data_feed_addresses(struct data_feed *f, const struct pp_sample *s, struct data_feed_addrs *a);
/* The thread's name as perf script prints it (the last COMM of the thread,
 * inherited at FORK), or NULL when never seen. */
const char *data_feed_comm(const struct data_feed *f, uint32_t tid, size_t *len);
/* The same, or ":TID" (in buf) for a thread never named, as perf script
 * prints it. */
const char *data_feed_comm_shown(const struct data_feed *f, uint32_t tid, char buf[16], size_t *len);
/* 1 when a jitdump was damaged or missing (a message was given), else 0. */
int data_feed_status(const struct data_feed *f);

#endif
