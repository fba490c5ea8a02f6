/* perfdata_reader.c - pp_data_open/next/free: detects the container from
 * the first 16 bytes (perf.data-file-format.txt), reads the header,
 * opens the data.N files of a `perf record --threads` directory, handles the
 * in-band header records, queues records for time ordering and merges the
 * per-file queues by time. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "perfdata_internal.h"

#define MAGIC_LE 0x32454c4946524550ull   /* "PERFILE2" read little-endian */
#define MAGIC_SWAPPED 0x50455246494c4532ull
#define MAGIC_V1 0x454c494646524550ull    /* "PERFFILE" */
/* Scratch space per record: at most SCRATCH bytes, in blocks that start
 * at SCRATCH_FIRST and double, so a small file costs no large allocation. */
#define SCRATCH_FIRST (4u << 10)
#define SCRATCH (512u << 10)

void pd_warn(struct pp_data *d, enum pd_warn_kind kind, const char *fmt, ...)
{
	d->nwarnings++;
	if (d->warned[kind] || !d->warn)
		return;
	d->warned[kind] = true;
	va_list ap;
	va_start(ap, fmt);
	wp_vwarnf(d->warn, d->warn_ctx, fmt, ap);
	va_end(ap);
}

int pd_soft_error(struct pp_data *d, int rc, enum pd_warn_kind kind, const char *name,
		  uint64_t off, const char *what, unsigned id, const char *tail)
{
	if (rc == WP_E_NOMEM)
		return pd_fail(d, rc, name, off, "out of memory");
	if (rc)
		pd_warn(d, kind, "'%s': offset 0x%llx: %s %u: %s%s", name, (unsigned long long)off,
			what, id, wp_strerror(rc), tail);
	return 0;
}

int pd_fail(struct pp_data *d, int code, const char *name, uint64_t off, const char *fmt, ...)
{
	int n = snprintf(d->err, sizeof d->err, "'%s': offset 0x%llx: ", name,
			 (unsigned long long)off);
	if (n < 0 || (size_t)n >= sizeof d->err)
		n = 0;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d->err + n, sizeof d->err - (size_t)n, fmt, ap);
	va_end(ap);
	return code;
}

char *pd_strdup_n(const char *p, size_t n)
{
	char *s = malloc(n + 1);
	if (s) {
		memcpy(s, p, n);
		s[n] = '\0';
	}
	return s;
}

/* A block of at least n bytes for the rest of the record; the current
 * one stays valid (what was handed out from it still is) until the next
 * record. */
static bool scratch_grow(struct pp_data *d, size_t n)
{
	if (d->scratch_nold == sizeof d->scratch_old / sizeof *d->scratch_old)
		return false;
	size_t cap = d->scratch_cap ? d->scratch_cap * 2 : SCRATCH_FIRST;
	while (cap < n)
		cap *= 2;
	if (cap > SCRATCH)
		cap = SCRATCH;
	uint8_t *p = malloc(cap);
	if (!p)
		return false;
	if (d->scratch_len) {
		d->scratch_old[d->scratch_nold++] = d->scratch;
		d->scratch_old_len += d->scratch_len;
	} else {
		free(d->scratch);
	}
	d->scratch = p;
	d->scratch_cap = cap;
	d->scratch_len = 0;
	return true;
}

static void scratch_reset(struct pp_data *d)
{
	for (size_t i = 0; i < d->scratch_nold; i++)
		free(d->scratch_old[i]);
	d->scratch_nold = 0;
	d->scratch_old_len = 0;
	d->scratch_len = 0;
}

void *pd_scratch(struct pp_data *d, size_t n)
{
	n = (n + 7) & ~(size_t)7;
	if (n > SCRATCH - d->scratch_old_len - d->scratch_len)
		return NULL;
	if ((!d->scratch || n > d->scratch_cap - d->scratch_len) && !scratch_grow(d, n))
		return NULL;
	void *p = d->scratch + d->scratch_len;
	d->scratch_len += n;
	return p;
}

const char *pp_data_errmsg(const struct pp_data *d) { return d ? d->err : "out of memory"; }
uint64_t pp_data_nwarnings(const struct pp_data *d) { return d->nwarnings; }
const struct pp_data_info *pp_data_info(const struct pp_data *d) { return &d->info; }
size_t pp_data_nevents(const struct pp_data *d) { return d->nattrs; }
size_t pp_data_nbuild_ids(const struct pp_data *d) { return d->nbuild_ids; }

const struct pp_event *pp_data_event(const struct pp_data *d, size_t i)
{
	if (i >= d->nattrs)
		return NULL;
	struct pd_attr *a = d->attrs[i];
	a->ev.name = pd_attr_name((struct pp_data *)d, i);
	return &a->ev;
}

const char *pp_data_event_name(const struct pp_data *d, size_t i)
{
	return i < d->nattrs ? pd_attr_name((struct pp_data *)d, i) : NULL;
}

const struct pp_build_id *pp_data_build_id(const struct pp_data *d, size_t i)
{
	return i < d->nbuild_ids ? &d->build_ids[i] : NULL;
}

void pp_data_free(struct pp_data *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->nstreams; i++)
		pd_stream_release(&d->streams[i]);
	free(d->streams);
	free(d->cur);
	scratch_reset(d);
	free(d->scratch);
	pd_attrs_release(d);
	for (size_t i = 0; i < d->nbuild_ids; i++)
		free((char *)d->build_ids[i].filename);
	free(d->build_ids);
	free(d->str_hostname);
	free(d->str_osrelease);
	free(d->str_version);
	free(d->str_arch);
	free(d->str_cpudesc);
	free(d->str_cmdline);
	pd_trace_free(d);
	free(d->path);
	free(d);
}

static struct pp_data *alloc_reader(const char *name, wp_warn_fn warn, void *ctx)
{
	struct pp_data *d = calloc(1, sizeof *d);
	if (!d)
		return NULL;
	d->warn = warn;
	d->warn_ctx = ctx;
	d->path = pd_strdup_n(name, strlen(name));
	d->file_size = UINT64_MAX;
	if (!d->path) {
		pp_data_free(d);
		return NULL;
	}
	return d;
}

static struct pd_stream *add_stream(struct pp_data *d, const char *name)
{
	if (wp_grow((void **)&d->streams, &d->streams_cap, d->nstreams + 1, sizeof *d->streams))
		return NULL;
	struct pd_stream *st = &d->streams[d->nstreams];
	memset(st, 0, sizeof *st);
	st->src.fd = -1;
	st->end = UINT64_MAX;
	st->name = pd_strdup_n(name, strlen(name));
	if (!st->name)
		return NULL;
	d->nstreams++;
	return st;
}

/* ---- directories: data + data.N (perf record --threads) ---- */

static int cmp_num(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;
	return x < y ? -1 : x > y;
}

static int open_dir_files(struct pp_data *d, const char *dir)
{
	DIR *dh = opendir(dir);
	if (!dh)
		return pd_fail(d, WP_E_IO, dir, 0, "cannot list the directory: %s", strerror(errno));
	unsigned long nums[PD_MAX_FILES];
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(dh)) != NULL && n < PD_MAX_FILES) {
		const char *s = e->d_name;
		if (strncmp(s, "data.", 5) != 0 || s[5] < '0' || s[5] > '9')
			continue;
		char *endp;
		unsigned long v = strtoul(s + 5, &endp, 10);
		if (*endp == '\0')
			nums[n++] = v;
	}
	closedir(dh);
	qsort(nums, n, sizeof *nums, cmp_num);
	for (size_t i = 0; i < n; i++) {
		char path[4096];
		snprintf(path, sizeof path, "%s/data.%lu", dir, nums[i]);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return pd_fail(d, WP_E_IO, path, 0, "cannot open: %s", strerror(errno));
		struct pd_stream *st = add_stream(d, path);
		if (!st) {
			close(fd);
			return WP_E_NOMEM;
		}
		if (pd_src_open_fd(&st->src, fd, true) != 0)
			return WP_E_NOMEM;
	}
	return 0;
}

/* ---- header ---- */

static int read_header(struct pp_data *d, const char *dir)
{
	struct pd_stream *st = &d->streams[0];
	const uint8_t *p;
	int64_t got = pd_src_peek(&st->src, 16, &p);
	if (got < 0)
		return pd_fail(d, (int)got, st->name, 0, "cannot read: %s",
			       st->src.err ? strerror(st->src.err) : wp_strerror((int)got));
	if (got == 0)
		return pd_fail(d, WP_E_TRUNCATED, st->name, 0, "empty (0 bytes): no perf.data header");
	if (got < 16)
		return pd_fail(d, WP_E_TRUNCATED, st->name, 0,
			       "too short for a perf.data header (%lld of 16 bytes)", (long long)got);
	uint64_t magic = pd_u64(p), hsize = pd_u64(p + 8);
	if (magic == MAGIC_SWAPPED)
		return pd_fail(d, WP_E_UNSUPPORTED, st->name, 0,
			       "perf.data written on a host of the other byte order is not supported");
	if (magic == MAGIC_V1)
		return pd_fail(d, WP_E_UNSUPPORTED, st->name, 0,
			       "old perf.data format (PERFFILE, version 1) is not supported");
	if (magic != MAGIC_LE)
		return pd_fail(d, WP_E_FORMAT, st->name, 0, "not a perf.data file (no PERFILE2 magic)");
	if (hsize == 16) {
		d->info.pipe_mode = true;
		pd_src_consume(&st->src, 16);
		return 0;
	}
	if (!st->src.seekable)
		return pd_fail(d, WP_E_UNSUPPORTED, st->name, 0,
			       "a file-mode perf.data cannot be read from a pipe: give its path, "
			       "or record with `perf record -o -`");
	d->file_size = pd_src_size(&st->src);
	uint64_t doff, dsize;
	int rc = pd_read_file_header(d, st, &doff, &dsize);
	if (rc)
		return rc;
	if (dsize == 0) {
		st->tolerate_tail = true;
		st->end = UINT64_MAX;
	} else {
		st->end = doff + dsize;
	}
	st->src.limit = st->end;
	if ((rc = pd_src_seek(&st->src, doff)) != 0)
		return pd_fail(d, rc, st->name, doff, "cannot seek to the data section");
	if (d->info.features[0] & (1ull << 24)) { /* HEADER_DIR_FORMAT */
		d->info.directory = true;
		if (!dir)
			return pd_fail(d, WP_E_USAGE, st->name, 0,
				       "this is the header of a `perf record --threads` directory: "
				       "give the directory");
		rc = open_dir_files(d, dir);
		if (rc)
			return rc == WP_E_NOMEM ? pd_fail(d, rc, d->path, 0, "out of memory") : rc;
	}
	return 0;
}

static int finish_open(struct pp_data *d, const char *dir)
{
	int rc = read_header(d, dir);
	if (rc)
		return rc;
	uint64_t per = PD_MAX_QUEUE_BYTES / d->nstreams;
	size_t items = PD_MAX_QUEUE_ITEMS / d->nstreams;
	for (size_t i = 0; i < d->nstreams; i++)
		pd_queue_init(&d->streams[i].q, per < (1u << 20) ? (1u << 20) : per,
			      items < 4096 ? 4096 : items);
	return 0;
}

int pp_data_open(struct pp_data **out, const char *path, wp_warn_fn warn, void *ctx)
{
	bool is_stdin = !path || strcmp(path, "-") == 0;
	struct pp_data *d = *out = alloc_reader(is_stdin ? "<stdin>" : path, warn, ctx);
	if (!d)
		return WP_E_NOMEM;
	char file[4096], dirbuf[4096];
	const char *dir = NULL;
	int fd = 0;
	if (!is_stdin) {
		struct stat sb;
		if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
			dir = path;
			snprintf(file, sizeof file, "%s/data", path);
		} else {
			snprintf(file, sizeof file, "%s", path);
			/* dir/data given directly: its data.N files are beside it */
			const char *slash = strrchr(path, '/');
			const char *base = slash ? slash + 1 : path;
			if (strcmp(base, "data") == 0) {
				size_t n = slash ? (size_t)(slash - path) : 1;
				snprintf(dirbuf, sizeof dirbuf, "%.*s", (int)n, slash ? path : ".");
				dir = dirbuf;
			}
		}
		fd = open(file, O_RDONLY | O_CLOEXEC);
		if (fd < 0 && dir == path && errno == ENOENT) {
			snprintf(d->err, sizeof d->err,
				 "'%.400s': is a directory (not a `perf record --threads` directory)",
				 path);
			return WP_E_IO;
		}
		if (fd < 0) {
			snprintf(d->err, sizeof d->err, "cannot open '%.400s': %s", file, strerror(errno));
			return errno == ENOENT ? WP_E_NOTFOUND : WP_E_IO;
		}
	}
	struct pd_stream *st = add_stream(d, is_stdin ? "<stdin>" : path);
	if (!st || pd_src_open_fd(&st->src, fd, !is_stdin) != 0) {
		if (!st && fd > 0)
			close(fd);
		snprintf(d->err, sizeof d->err, "out of memory");
		return WP_E_NOMEM;
	}
	return finish_open(d, dir);
}

int pp_data_open_mem(struct pp_data **out, const void *data, size_t len, const char *name,
		     wp_warn_fn warn, void *ctx)
{
	struct pp_data *d = *out = alloc_reader(name ? name : "memory", warn, ctx);
	if (!d)
		return WP_E_NOMEM;
	struct pd_stream *st = add_stream(d, d->path);
	if (!st) {
		snprintf(d->err, sizeof d->err, "out of memory");
		return WP_E_NOMEM;
	}
	pd_src_open_mem(&st->src, data, len);
	return finish_open(d, NULL);
}

/* ---- records ---- */

/* Header records arrive in-band in pipe mode (and after perf inject). */
static int inband(struct pp_data *d, struct pd_stream *st, const uint8_t *rec, size_t size,
		  uint64_t off)
{
	uint32_t type = pd_u32(rec);
	int rc = 0;
	switch (type) {
	case PP_RECORD_HEADER_ATTR: {
		/* perf_event_attr (attr.size bytes), then u64 id[] */
		uint32_t asz = size >= 16 ? pd_u32(rec + 12) : 0;
		if (asz == 0)
			asz = 64; /* PERF_ATTR_SIZE_VER0 */
		if (size < 8 + (size_t)asz || asz < 64)
			return pd_fail(d, WP_E_FORMAT, st->name, off,
				       "HEADER_ATTR of %zu bytes cannot hold an attr of %u bytes", size,
				       asz);
		rc = pd_add_attr(d, rec + 8, asz, rec + 8 + asz, (size - 8 - asz) / 8, NULL);
		break;
	}
	case PP_RECORD_HEADER_FEATURE:
		if (size < 16)
			return pd_fail(d, WP_E_FORMAT, st->name, off, "HEADER_FEATURE of %zu bytes",
				       size);
		if (pd_u64(rec + 8) < 256) {
			unsigned bit = (unsigned)pd_u64(rec + 8);
			d->info.features[bit / 64] |= 1ull << (bit % 64);
			rc = pd_parse_feature(d, bit, rec + 16, size - 16);
		}
		break;
	case PP_RECORD_HEADER_BUILD_ID:
		rc = pd_add_build_id_rec(d, rec, size);
		break;
	case PP_RECORD_EVENT_UPDATE:
		rc = pd_event_update(d, rec, size);
		break;
	case PP_RECORD_ID_INDEX:
		rc = pd_id_index(d, rec, size);
		break;
	default:
		return 0;
	}
	return pd_soft_error(d, rc, PD_W_ATTR, st->name, off, "record type", type, "; ignored");
}

/* Reads one record of st into its queue. < 0 only when out of memory;
 * damage ends the stream (reported once its queue is empty). */
static int pump(struct pp_data *d, struct pd_stream *st, size_t index)
{
	const uint8_t *rec;
	size_t size;
	uint64_t off;
	int rc = pd_stream_next(d, st, &rec, &size, &off);
	if (rc == 1 && (rc = inband(d, st, rec, size, off)) == 0)
		rc = 1;
	if (rc <= 0) {
		if (rc < 0) {
			st->err = rc;
			st->errmsg = pd_strdup_n(d->err, strlen(d->err));
			d->err[0] = '\0';
		}
		st->ended = true;
		if (st->q.late)
			pd_warn(d, PD_W_LATE,
				"%s: %llu records arrived after later ones were handed out "
				"(reordering window exceeded)",
				st->name, (unsigned long long)st->q.late);
		return pd_queue_flush_all(&st->q);
	}
	uint32_t type = pd_u32(rec);
	struct pd_item *it = malloc(sizeof *it + size + 1);
	if (!it)
		return pd_fail(d, WP_E_NOMEM, st->name, off, "out of memory");
	memcpy(it->data, rec, size);
	it->data[size] = 0;
	it->size = (uint32_t)size;
	it->offset = off;
	it->stream = (uint32_t)index;
	it->has_time = false;
	it->time = 0;
	if (type < 64) {
		size_t attr;
		pd_record_time(d, it->data, size, &attr, &it->has_time, &it->time);
	}
	if (type == PP_RECORD_FINISHED_ROUND && (rc = pd_queue_round(&st->q)) != 0) {
		free(it);
		return pd_fail(d, rc, st->name, off, "out of memory");
	}
	rc = pd_queue_push(&st->q, it);
	if (rc < 0) {
		free(it);
		return pd_fail(d, rc, st->name, off, "out of memory");
	}
	return 0;
}

int pp_data_next(struct pp_data *d, const struct pp_record **out)
{
	free(d->cur);
	d->cur = NULL;
	scratch_reset(d);
	if (d->failed)
		return d->failed;
	size_t best = SIZE_MAX;
	uint64_t best_time = 0;
	for (size_t i = 0; i < d->nstreams; i++) {
		struct pd_stream *st = &d->streams[i];
		while (!pd_queue_peek(&st->q) && !st->ended) {
			int rc = pump(d, st, i);
			if (rc < 0)
				return d->failed = rc;
		}
		struct pd_item *it = pd_queue_peek(&st->q);
		if (!it)
			continue;
		if (!it->has_time) {
			best = i;
			break;
		}
		if (best == SIZE_MAX || it->time < best_time) {
			best = i;
			best_time = it->time;
		}
	}
	if (best == SIZE_MAX) {
		for (size_t i = 0; i < d->nstreams; i++) {
			struct pd_stream *st = &d->streams[i];
			if (st->err) {
				snprintf(d->err, sizeof d->err, "%s", st->errmsg ? st->errmsg : "");
				return d->failed = st->err;
			}
		}
		if (d->cut_err) {
			snprintf(d->err, sizeof d->err, "%s", d->cut_msg);
			return d->failed = d->cut_err;
		}
		return 0;
	}
	struct pd_item *it = pd_queue_pop(&d->streams[best].q);
	d->cur = it;
	const char *why = "malformed record";
	int rc = pd_decode_record(d, it, &d->rec, &why);
	if (rc) {
		pd_fail(d, rc, d->streams[best].name, it->offset, "record type %u of %u bytes: %s",
			pd_u32(it->data), it->size, why);
		return d->failed = rc;
	}
	*out = &d->rec;
	return 1;
}
